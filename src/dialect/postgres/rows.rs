//! PostgreSQL rows: keyset pages over the key with text keys in `COLLATE "C"` (byte order), values
//! decoded from the binary row format by the column's family. Types sqlx cannot decode exactly
//! (numeric, arrays, enums, json, timetz, anything unknown) are read through `::text` and parsed.

use std::time::Duration;

use futures::TryStreamExt;
use sqlx::pool::PoolConnection;
use sqlx::postgres::types::PgInterval;
use sqlx::postgres::{PgRow, PgValueRef};
use sqlx::{Decode, Postgres, Row, ValueRef};

use crate::dialect::quote::{ident, qualified};
use crate::dialect::rows::{ColSpec, ReadSpec, RowBuilder, RowRec, ctx};
use crate::error::{Error, Result};
use crate::model::rows::{Value, coerce, parse_offset, parse_pg_array, parse_time};
use crate::model::{Dialect, TypeFamily};

type BoxErr = Box<dyn std::error::Error + Send + Sync>;

const D: Dialect = Dialect::Postgres;
/// 2000-01-01 (PostgreSQL's epoch) in days and microseconds after 1970-01-01.
const PG_EPOCH_DAYS: i32 = 10_957;
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;

pub async fn prepare_session(c: &mut PoolConnection<Postgres>, timeout: Duration) -> Result<()> {
    let sql = format!(
        "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; \
         SET extra_float_digits = 1; SET statement_timeout = {}",
        timeout.as_millis().max(1)
    );
    sqlx::Executor::execute(&mut **c, AsRef::<str>::as_ref(&sql))
        .await
        .map_err(|e| Error::db("preparing the session to read rows", e))?;
    Ok(())
}

fn select_expr(col: &ColSpec) -> String {
    use TypeFamily as F;
    let q = ident(D, &col.name);
    match &col.family {
        F::Boolean | F::Binary { .. } => q,
        F::Integer { .. } => format!("{q}::int8"),
        F::Decimal { .. } => format!("{q}::numeric::text"),
        F::Float { bits } if *bits <= 32 => format!("{q}::float4"),
        F::Float { .. } => format!("{q}::float8"),
        F::Date => format!("{q}::date"),
        F::Time { tz: false } => format!("{q}::time"),
        F::Timestamp { tz: false } => format!("{q}::timestamp"),
        F::Timestamp { tz: true } => format!("{q}::timestamptz"),
        F::Interval => format!("{q}::interval"),
        F::Uuid => format!("{q}::uuid"),
        _ => format!("{q}::text"),
    }
}

/// The key column as ordered and compared: text in byte order.
fn key_expr(col: &ColSpec) -> String {
    use TypeFamily as F;
    let q = ident(D, &col.name);
    match &col.family {
        F::Text { .. } => format!("{q} COLLATE \"C\""),
        F::Enum { .. } | F::Set { .. } | F::Any | F::Other { .. } => {
            format!("({q}::text COLLATE \"C\")")
        }
        _ => q,
    }
}

fn param_type(col: &ColSpec) -> &'static str {
    use TypeFamily as F;
    match &col.family {
        F::Boolean => "boolean",
        F::Integer { .. } => "int8",
        F::Decimal { .. } => "numeric",
        F::Float { .. } => "float8",
        F::Binary { .. } => "bytea",
        F::Date => "date",
        F::Time { tz: false } => "time",
        F::Timestamp { tz: false } => "timestamp",
        F::Timestamp { tz: true } => "timestamptz",
        F::Uuid => "uuid",
        _ => "text",
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

pub async fn page(
    c: &mut PoolConnection<Postgres>,
    spec: &ReadSpec,
    after: Option<&[Value]>,
    limit: usize,
) -> Result<Vec<RowRec>> {
    let table = qualified(D, &spec.schema, &spec.table);
    let mut sql = format!("SELECT {} FROM {table}", select_list(spec));
    if after.is_some() {
        let keys: Vec<String> = spec
            .key
            .iter()
            .map(|&i| key_expr(&spec.columns[i]))
            .collect();
        let params: Vec<String> = spec
            .key
            .iter()
            .enumerate()
            .map(|(n, &i)| format!("${}::{}", n + 1, param_type(&spec.columns[i])))
            .collect();
        sql.push_str(&format!(
            " WHERE ({}) > ({})",
            keys.join(", "),
            params.join(", ")
        ));
    }
    sql.push_str(&format!(" ORDER BY {} LIMIT {limit}", order_by(spec)));
    let mut q = sqlx::query(&sql);
    if let Some(vals) = after {
        for v in vals {
            q = q.bind(v.to_text());
        }
    }
    let mut rows = q.fetch(&mut **c);
    let mut b = RowBuilder::new(spec);
    let mut out = Vec::with_capacity(limit.min(100_000));
    while let Some(row) = rows.try_next().await.map_err(|e| Error::db(ctx(spec), e))? {
        out.push(build(&row, spec, &mut b)?);
    }
    Ok(out)
}

fn build(row: &PgRow, spec: &ReadSpec, b: &mut RowBuilder) -> Result<RowRec> {
    b.begin();
    for (i, col) in spec.columns.iter().enumerate() {
        let v = decode(row, i, &col.family)
            .map_err(|e| Error::db(ctx(spec), format!("cannot decode column {}: {e}", col.name)))?;
        b.push(i, col, v);
    }
    Ok(b.finish())
}

pub async fn scan(
    c: &mut PoolConnection<Postgres>,
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
    while let Some(row) = rows.try_next().await.map_err(|e| Error::db(ctx(spec), e))? {
        each(build(&row, spec, &mut b)?)?;
        n += 1;
    }
    Ok(n)
}

pub async fn read_bound(c: &mut PoolConnection<Postgres>, spec: &ReadSpec) -> Result<u64> {
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
    while let Some(row) = rows.try_next().await.map_err(|e| Error::db(ctx(spec), e))? {
        for i in 0..spec.columns.len() {
            let raw = row.try_get_raw(i).map_err(|e| Error::db(ctx(spec), e))?;
            if !raw.is_null() {
                bytes += raw.as_bytes().map(|b| b.len()).unwrap_or(0);
            }
        }
        n += 1;
    }
    std::hint::black_box(bytes);
    Ok(n)
}

pub async fn estimate(c: &mut PoolConnection<Postgres>, spec: &ReadSpec) -> Option<u64> {
    let name = qualified(D, &spec.schema, &spec.table);
    let n: Option<i64> = sqlx::query_scalar(
        "SELECT reltuples::int8 FROM pg_catalog.pg_class WHERE oid = $1::regclass",
    )
    .bind(name)
    .fetch_optional(&mut **c)
    .await
    .ok()
    .flatten();
    n.and_then(|n| u64::try_from(n).ok()).filter(|n| *n > 0)
}

fn dec<'r, T: Decode<'r, Postgres>>(raw: PgValueRef<'r>) -> Result<T, BoxErr> {
    T::decode(raw)
}

/// Decodes column `i` by its family.
fn decode(row: &PgRow, i: usize, family: &TypeFamily) -> Result<Value, BoxErr> {
    use TypeFamily as F;
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    Ok(match family {
        F::Boolean => Value::Bool(dec::<bool>(raw)?),
        F::Integer { .. } => Value::Int(dec::<i64>(raw)? as i128),
        F::Decimal { .. } => {
            let s = dec::<&str>(raw)?;
            Value::decimal(s).unwrap_or_else(|| Value::Text(s.to_string()))
        }
        F::Float { bits } if *bits <= 32 => Value::float32(dec::<f32>(raw)?),
        F::Float { .. } => Value::float(dec::<f64>(raw)?),
        F::Binary { .. } => Value::Bytes(dec::<&[u8]>(raw)?.to_vec()),
        F::Date => {
            let d = dec::<i32>(raw)?;
            Value::Date(if d == i32::MAX || d == i32::MIN {
                d
            } else {
                d + PG_EPOCH_DAYS
            })
        }
        F::Time { tz: false } => Value::Time(dec::<i64>(raw)?),
        F::Timestamp { tz } => {
            let m = dec::<i64>(raw)?;
            let m = if m == i64::MAX || m == i64::MIN {
                m
            } else {
                m + PG_EPOCH_MICROS
            };
            if *tz {
                Value::TimestampTz(m)
            } else {
                Value::Timestamp(m)
            }
        }
        F::Interval => {
            let iv = dec::<PgInterval>(raw)?;
            Value::Interval {
                months: iv.months,
                days: iv.days,
                micros: iv.microseconds,
            }
        }
        F::Uuid => {
            let b = dec::<&[u8]>(raw)?;
            let u: [u8; 16] = b.try_into().map_err(|_| "a uuid is not 16 bytes")?;
            Value::Uuid(u)
        }
        F::Json { .. } => {
            let s = dec::<&str>(raw)?;
            Value::json(s).unwrap_or_else(|| Value::Text(s.to_string()))
        }
        F::Time { tz: true } => {
            let s = dec::<&str>(raw)?;
            timetz(s).unwrap_or_else(|| Value::Text(s.to_string()))
        }
        F::Array { element } => {
            let s = dec::<&str>(raw)?;
            match parse_pg_array(s) {
                Some(a) => coerce(
                    a,
                    &F::Array {
                        element: element.clone(),
                    },
                ),
                None => Value::Text(s.to_string()),
            }
        }
        _ => Value::Text(dec::<&str>(raw)?.to_string()),
    })
}

/// `12:30:00+02`, `12:30:00.5-03:30`.
fn timetz(s: &str) -> Option<Value> {
    let idx = s.rfind(['+', '-'])?;
    let micros = parse_time(&s[..idx])?;
    let offset_secs = parse_offset(&s[idx..])?;
    Some(Value::TimeTz {
        micros,
        offset_secs,
    })
}
