//! MySQL and MariaDB rows: keyset pages with text keys ordered and compared as `CAST(… AS
//! BINARY)` (bytes, never the column's collation, and no PAD SPACE), values decoded from the
//! binary protocol by family. Decimals, temporal values, json and uuids are read as
//! `CAST(… AS CHAR)` and parsed: that keeps full DECIMAL precision and MySQL's zero dates (which
//! the driver would turn into NULL) and reads TIMESTAMP in the session's UTC.

use std::time::Duration;

use futures::TryStreamExt;
use sqlx::mysql::{MySqlArguments, MySqlRow, MySqlValueRef};
use sqlx::pool::PoolConnection;
use sqlx::query::Query;
use sqlx::{Decode, MySql, Row, ValueRef};

use crate::dialect::quote::{ident, qualified};
use crate::dialect::rows::{Chunker, ColSpec, ReadSpec, RowBuilder, RowRec, ctx};
use crate::error::{Error, Result};
use crate::model::rows::{Value, coerce, parse_uuid};
use crate::model::{Dialect, TypeFamily};

type BoxErr = Box<dyn std::error::Error + Send + Sync>;

const D: Dialect = Dialect::Mysql;

pub async fn prepare_session(c: &mut PoolConnection<MySql>, timeout: Duration) -> Result<()> {
    sqlx::Executor::execute(&mut **c, AsRef::<str>::as_ref("SET time_zone = '+00:00'"))
        .await
        .map_err(|e| crate::dialect::error::db("preparing the session to read rows", e))?;
    // MariaDB and MySQL name the statement limit differently; each ignores the other's.
    let secs = timeout.as_secs_f64().max(0.001);
    let _ = sqlx::Executor::execute(
        &mut **c,
        AsRef::<str>::as_ref(&format!("SET SESSION max_statement_time = {secs}")),
    )
    .await;
    let _ = sqlx::Executor::execute(
        &mut **c,
        AsRef::<str>::as_ref(&format!(
            "SET SESSION max_execution_time = {}",
            timeout.as_millis().max(1)
        )),
    )
    .await;
    Ok(())
}

/// What is selected for a column: the column itself where the binary protocol's form is decoded
/// here (integers, floats, decimals — sent as text —, character and binary strings, dates and
/// times), its text for json and uuids, its bytes for anything else.
fn select_expr(col: &ColSpec) -> String {
    use TypeFamily as F;
    let q = ident(D, &col.name);
    match &col.family {
        F::Boolean
        | F::Integer { .. }
        | F::Float { .. }
        | F::Decimal { .. }
        | F::Text { .. }
        | F::Enum { .. }
        | F::Set { .. }
        | F::Binary { .. }
        | F::Date
        | F::Time { .. }
        | F::Timestamp { .. } => q,
        F::Json { .. } | F::Uuid => format!("CAST({q} AS CHAR)"),
        _ => format!("CAST({q} AS BINARY)"),
    }
}

/// The key column as ordered and compared: character data as its bytes.
fn key_expr(col: &ColSpec) -> String {
    use TypeFamily as F;
    let q = ident(D, &col.name);
    match &col.family {
        F::Text { .. } | F::Enum { .. } | F::Set { .. } | F::Other { .. } | F::Any => {
            format!("CAST({q} AS BINARY)")
        }
        F::Uuid => format!("CAST(CAST({q} AS CHAR) AS BINARY)"),
        _ => q,
    }
}

fn param_expr(col: &ColSpec) -> &'static str {
    match &col.family {
        TypeFamily::Decimal { .. } => "CAST(? AS DECIMAL(65,30))",
        _ => "?",
    }
}

fn bind<'q>(q: Query<'q, MySql, MySqlArguments>, v: &Value) -> Query<'q, MySql, MySqlArguments> {
    match v {
        Value::Int(n) => match i64::try_from(*n) {
            Ok(i) => q.bind(i),
            Err(_) => q.bind(u64::try_from(*n).unwrap_or(u64::MAX)),
        },
        Value::Bool(b) => q.bind(*b as i64),
        Value::Float(f) => q.bind(*f),
        Value::Text(t) => q.bind(t.as_bytes().to_vec()),
        Value::Bytes(b) => q.bind(b.clone()),
        Value::Uuid(_) => q.bind(v.to_text().unwrap_or_default().into_bytes()),
        Value::Timestamp(_) | Value::TimestampTz(_) => {
            let t = v.to_text().unwrap_or_default();
            q.bind(t.trim_end_matches("+00").to_string())
        }
        other => q.bind(other.to_text()),
    }
}

fn select_list(spec: &ReadSpec) -> String {
    spec.columns
        .iter()
        .map(select_expr)
        .collect::<Vec<_>>()
        .join(", ")
}

fn order_by(spec: &ReadSpec) -> String {
    spec.key
        .iter()
        .map(|&i| key_expr(&spec.columns[i]))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `(k1 > ?) OR (k1 = ? AND k2 > ?) OR …`: the row comparison spelled out, which MySQL and
/// MariaDB turn into index ranges (a row constructor they may not).
fn after_clause(spec: &ReadSpec) -> String {
    let mut ors = Vec::new();
    for n in 0..spec.key.len() {
        let mut ands = Vec::new();
        for (m, &i) in spec.key.iter().enumerate().take(n + 1) {
            let col = &spec.columns[i];
            let op = if m == n { ">" } else { "=" };
            ands.push(format!("{} {op} {}", key_expr(col), param_expr(col)));
        }
        ors.push(format!("({})", ands.join(" AND ")));
    }
    ors.join(" OR ")
}

pub async fn page(
    c: &mut PoolConnection<MySql>,
    spec: &ReadSpec,
    after: Option<&[Value]>,
    limit: usize,
    out: &mut Chunker<'_>,
) -> Result<()> {
    let table = qualified(D, &spec.schema, &spec.table);
    let mut sql = format!("SELECT {} FROM {table}", select_list(spec));
    if after.is_some() {
        sql.push_str(&format!(" WHERE {}", after_clause(spec)));
    }
    sql.push_str(&format!(" ORDER BY {} LIMIT {limit}", order_by(spec)));
    let mut q = sqlx::query(&sql);
    if let Some(vals) = after {
        for n in 0..vals.len() {
            for v in vals.iter().take(n + 1) {
                q = bind(q, v);
            }
        }
    }
    let mut rows = q.fetch(&mut **c);
    let mut b = RowBuilder::new(spec);
    while let Some(row) = rows
        .try_next()
        .await
        .map_err(|e| crate::dialect::error::db(ctx(spec), e))?
    {
        if !out.push(build(&row, spec, &mut b)?).await {
            break;
        }
    }
    Ok(())
}

fn build(row: &MySqlRow, spec: &ReadSpec, b: &mut RowBuilder) -> Result<RowRec> {
    b.begin();
    for (i, col) in spec.columns.iter().enumerate() {
        push(row, i, col, b)
            .map_err(|e| Error::db(ctx(spec), format!("cannot decode column {}: {e}", col.name)))?;
    }
    Ok(b.finish())
}

fn push(row: &MySqlRow, i: usize, col: &ColSpec, b: &mut RowBuilder) -> Result<(), BoxErr> {
    use TypeFamily as F;
    let raw = row.try_get_raw(i)?;
    match &col.family {
        // The connection's character set is utf8mb4: the server converts character data to
        // valid UTF-8 (binary strings are the Binary family).
        F::Text { .. } | F::Enum { .. } | F::Set { .. } if !raw.is_null() => {
            b.push_text_bytes(i, col, dec::<&[u8]>(raw)?)?
        }
        F::Binary { .. } if !raw.is_null() => b.push_bytes(i, col, dec::<&[u8]>(raw)?),
        F::Decimal { .. } if !raw.is_null() => {
            b.push_decimal_text(i, col, std::str::from_utf8(dec::<&[u8]>(raw)?)?)
        }
        f => b.push(i, col, decode(raw, f)?),
    }
    Ok(())
}

pub async fn scan(
    c: &mut PoolConnection<MySql>,
    spec: &ReadSpec,
    each: &mut (dyn FnMut(RowRec) -> Result<()> + Send),
) -> Result<u64> {
    let sql = format!(
        "SELECT {} FROM {}",
        select_list(spec),
        qualified(D, &spec.schema, &spec.table)
    );
    let mut rows = sqlx::query(&sql).fetch(&mut **c);
    let mut b = RowBuilder::new(spec);
    let mut n = 0;
    while let Some(row) = rows
        .try_next()
        .await
        .map_err(|e| crate::dialect::error::db(ctx(spec), e))?
    {
        each(build(&row, spec, &mut b)?)?;
        n += 1;
    }
    Ok(n)
}

pub async fn read_bound(c: &mut PoolConnection<MySql>, spec: &ReadSpec) -> Result<u64> {
    let cols: Vec<String> = spec.columns.iter().map(|c| ident(D, &c.name)).collect();
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {}",
        cols.join(", "),
        qualified(D, &spec.schema, &spec.table),
        order_by(spec)
    );
    let mut rows = sqlx::query(&sql).fetch(&mut **c);
    let mut n = 0u64;
    let mut bytes = 0usize;
    while let Some(row) = rows
        .try_next()
        .await
        .map_err(|e| crate::dialect::error::db(ctx(spec), e))?
    {
        for i in 0..spec.columns.len() {
            let raw = row
                .try_get_raw(i)
                .map_err(|e| crate::dialect::error::db(ctx(spec), e))?;
            if !raw.is_null() {
                bytes += dec::<&[u8]>(raw).map(|b| b.len()).unwrap_or(0);
            }
        }
        n += 1;
    }
    std::hint::black_box(bytes);
    Ok(n)
}

pub async fn estimate(c: &mut PoolConnection<MySql>, spec: &ReadSpec) -> Option<u64> {
    let n: Option<Option<u64>> = sqlx::query_scalar(
        "SELECT CAST(TABLE_ROWS AS UNSIGNED) FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
    )
    .bind(&spec.schema)
    .bind(&spec.table)
    .fetch_optional(&mut **c)
    .await
    .ok()
    .flatten();
    n.flatten().filter(|n| *n > 0)
}

fn dec<'r, T: Decode<'r, MySql>>(raw: MySqlValueRef<'r>) -> Result<T, BoxErr> {
    T::decode(raw)
}

fn decode(raw: MySqlValueRef<'_>, family: &TypeFamily) -> Result<Value, BoxErr> {
    use TypeFamily as F;
    let temporal = matches!(family, F::Date | F::Time { .. } | F::Timestamp { .. });
    if raw.is_null() {
        // The driver calls MySQL's zero dates NULL; their bytes say otherwise.
        return Ok(match dec::<&[u8]>(raw) {
            Ok(b) if temporal => temporal_value(b, family),
            _ => Value::Null,
        });
    }
    let text = |raw: MySqlValueRef<'_>| -> Result<String, BoxErr> {
        Ok(std::str::from_utf8(dec::<&[u8]>(raw)?)?.to_string())
    };
    Ok(match family {
        F::Boolean => coerce(Value::Int(dec::<i64>(raw)? as i128), family),
        F::Integer { unsigned: true, .. } => Value::Int(dec::<u64>(raw)? as i128),
        F::Integer { .. } => Value::Int(dec::<i64>(raw)? as i128),
        F::Float { bits } if *bits <= 32 => Value::float32(dec::<f32>(raw)?),
        F::Float { .. } => Value::float(dec::<f64>(raw)?),
        F::Text { .. } | F::Enum { .. } | F::Set { .. } => Value::Text(text(raw)?),
        F::Binary { .. } => Value::Bytes(dec::<&[u8]>(raw)?.to_vec()),
        F::Decimal { .. } => {
            let s = std::str::from_utf8(dec::<&[u8]>(raw)?)?;
            Value::decimal(s).unwrap_or_else(|| Value::Text(s.to_string()))
        }
        F::Date | F::Time { .. } | F::Timestamp { .. } => {
            temporal_value(dec::<&[u8]>(raw)?, family)
        }
        F::Json { .. } => {
            let s = text(raw)?;
            Value::json(&s).unwrap_or(Value::Text(s))
        }
        F::Uuid => {
            let s = text(raw)?;
            parse_uuid(&s).map(Value::Uuid).unwrap_or(Value::Text(s))
        }
        _ => Value::Bytes(dec::<&[u8]>(raw)?.to_vec()),
    })
}

/// A DATE, DATETIME, TIMESTAMP or TIME in the binary protocol's form (a length byte, then the
/// fields). Zero dates, dates with zero parts and TIME values outside a day stay text.
fn temporal_value(b: &[u8], family: &TypeFamily) -> Value {
    let get = |i: usize| b.get(i).copied().unwrap_or(0);
    let len = get(0) as usize;
    let le32 = |i: usize| u32::from_le_bytes([get(i), get(i + 1), get(i + 2), get(i + 3)]);
    if let TypeFamily::Time { .. } = family {
        let neg = get(1) != 0;
        let (days, h, m, s) = (le32(2) as u64, get(6) as u64, get(7) as u64, get(8) as u64);
        let micros = if len >= 12 { le32(9) as u64 } else { 0 };
        let hours = days * 24 + h;
        if !neg && hours < 24 {
            return Value::Time((((hours * 60 + m) * 60 + s) * 1_000_000 + micros) as i64);
        }
        let frac = if micros > 0 {
            format!(".{micros:06}")
        } else {
            String::new()
        };
        return Value::Text(format!(
            "{}{hours:02}:{m:02}:{s:02}{frac}",
            if neg { "-" } else { "" }
        ));
    }
    let (y, mo, d) = (
        u16::from_le_bytes([get(1), get(2)]) as i32,
        get(3) as u32,
        get(4) as u32,
    );
    let (h, mi, s) = if len >= 7 {
        (get(5) as u32, get(6) as u32, get(7) as u32)
    } else {
        (0, 0, 0)
    };
    let micros = if len >= 11 { le32(8) } else { 0 };
    let date = chrono::NaiveDate::from_ymd_opt(y, mo, d);
    match (family, date) {
        (TypeFamily::Date, Some(date)) => Value::Date(
            date.signed_duration_since(chrono::NaiveDate::default())
                .num_days() as i32,
        ),
        (TypeFamily::Date, None) => Value::Text(format!("{y:04}-{mo:02}-{d:02}")),
        (TypeFamily::Timestamp { tz }, Some(date)) => {
            let t = date
                .and_hms_micro_opt(h, mi, s, micros)
                .map(|t| t.and_utc().timestamp_micros());
            match t {
                Some(m) if *tz => Value::TimestampTz(m),
                Some(m) => Value::Timestamp(m),
                None => Value::Text(format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")),
            }
        }
        _ => Value::Text(format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")),
    }
}
