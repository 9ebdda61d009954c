//! PostgreSQL rows: keyset pages over the key with text keys in `COLLATE "C"` (byte order), values
//! decoded from the binary row format by the column's family. Types sqlx cannot decode exactly
//! (numeric, arrays, enums, json, timetz, anything unknown) are read through `::text` and parsed.

use std::time::Duration;

use futures::TryStreamExt;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgRow, PgValueRef};
use sqlx::{Decode, Postgres, Row, ValueRef};

use crate::dialect::quote::{ident, qualified};
use crate::dialect::rows::{Chunker, ColSpec, ReadSpec, RowBuilder, RowRec, ctx};
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

/// What is selected for a column: the column itself where its binary form is decoded here
/// (integers, floats, booleans, bytea, dates and times, intervals, uuids), `numeric` for
/// decimals (`money` included), text for the rest.
fn select_expr(col: &ColSpec) -> String {
    use TypeFamily as F;
    let q = ident(D, &col.name);
    match &col.family {
        F::Boolean
        | F::Integer { .. }
        | F::Float { .. }
        | F::Binary { .. }
        | F::Date
        | F::Time { tz: false }
        | F::Timestamp { .. }
        | F::Interval
        | F::Uuid => q,
        F::Decimal { .. } => format!("{q}::numeric"),
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
    out: &mut Chunker<'_>,
) -> Result<()> {
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
    while let Some(row) = rows.try_next().await.map_err(|e| Error::db(ctx(spec), e))? {
        if !out.push(build(&row, spec, &mut b)?).await {
            break;
        }
    }
    Ok(())
}

fn build(row: &PgRow, spec: &ReadSpec, b: &mut RowBuilder) -> Result<RowRec> {
    b.begin();
    for (i, col) in spec.columns.iter().enumerate() {
        push(row, i, col, b)
            .map_err(|e| Error::db(ctx(spec), format!("cannot decode column {}: {e}", col.name)))?;
    }
    Ok(b.finish())
}

/// Decodes column `i` from its binary form and adds it to the row.
fn push(row: &PgRow, i: usize, col: &ColSpec, b: &mut RowBuilder) -> Result<(), BoxErr> {
    use TypeFamily as F;
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        b.push(i, col, Value::Null);
        return Ok(());
    }
    let bytes = dec::<&[u8]>(raw)?;
    match &col.family {
        F::Binary { .. } => b.push_bytes(i, col, bytes),
        F::Decimal { .. } => {
            let mut d = std::mem::take(&mut b.scratch);
            d.clear();
            let r = numeric_into(bytes, &mut d);
            match r {
                Some(()) => b.push_decimal(i, col, &d),
                None => return Err("not a binary numeric".into()),
            }
            b.scratch = d;
        }
        F::Text { .. } | F::Enum { .. } | F::Set { .. } | F::Other { .. } | F::Any => {
            b.push_text(i, col, std::str::from_utf8(bytes)?)
        }
        f => b.push(i, col, decode(bytes, f)?),
    }
    Ok(())
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

fn be<const N: usize>(b: &[u8]) -> Result<[u8; N], BoxErr> {
    b.get(..N)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| format!("expected {N} bytes, got {}", b.len()).into())
}

/// Decodes a value from PostgreSQL's binary format by its family (text for the families
/// selected as text).
fn decode(b: &[u8], family: &TypeFamily) -> Result<Value, BoxErr> {
    use TypeFamily as F;
    let text = || std::str::from_utf8(b);
    Ok(match family {
        F::Boolean => Value::Bool(be::<1>(b)?[0] != 0),
        F::Integer { .. } => Value::Int(match b.len() {
            2 => i16::from_be_bytes(be(b)?) as i128,
            4 => i32::from_be_bytes(be(b)?) as i128,
            _ => i64::from_be_bytes(be(b)?) as i128,
        }),
        F::Decimal { .. } => numeric(b).ok_or("not a binary numeric")?,
        F::Float { .. } if b.len() == 4 => Value::float32(f32::from_be_bytes(be(b)?)),
        F::Float { .. } => Value::float(f64::from_be_bytes(be(b)?)),
        F::Date => {
            let d = i32::from_be_bytes(be(b)?);
            Value::Date(if d == i32::MAX || d == i32::MIN {
                d
            } else {
                d + PG_EPOCH_DAYS
            })
        }
        F::Time { tz: false } => Value::Time(i64::from_be_bytes(be(b)?)),
        F::Timestamp { tz } => {
            let m = i64::from_be_bytes(be(b)?);
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
        F::Interval => Value::Interval {
            micros: i64::from_be_bytes(be(b)?),
            days: i32::from_be_bytes(be(b.get(8..).unwrap_or(&[]))?),
            months: i32::from_be_bytes(be(b.get(12..).unwrap_or(&[]))?),
        },
        F::Uuid => Value::Uuid(be::<16>(b)?),
        F::Binary { .. } => Value::Bytes(b.to_vec()),
        F::Json { .. } => {
            let s = text()?;
            Value::json(s).unwrap_or_else(|| Value::Text(s.to_string()))
        }
        F::Time { tz: true } => {
            let s = text()?;
            timetz(s).unwrap_or_else(|| Value::Text(s.to_string()))
        }
        F::Array { element } => {
            let s = text()?;
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
        _ => Value::Text(text()?.to_string()),
    })
}

/// A `numeric` in PostgreSQL's binary form (digit count, weight, sign, display scale, base-10000
/// digits) as a normalized decimal.
pub fn numeric(b: &[u8]) -> Option<Value> {
    let mut out = String::new();
    numeric_into(b, &mut out)?;
    Some(Value::Decimal(out))
}

/// Writes the normalized text of a binary `numeric` into `out`.
fn numeric_into(b: &[u8], out: &mut String) -> Option<()> {
    let h = |i: usize| Some(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?]));
    let nd = h(0)? as usize;
    let weight = h(2)? as i16 as i64;
    let sign = h(4)?;
    match sign {
        0xC000 => return Some(out.push_str("NaN")),
        0xD000 => return Some(out.push_str("Infinity")),
        0xF000 => return Some(out.push_str("-Infinity")),
        0x0000 | 0x4000 => {}
        _ => return None,
    }
    if b.len() < 8 + 2 * nd {
        return None;
    }
    let digit = |k: i64| -> u16 {
        if k < 0 || k as usize >= nd {
            0
        } else {
            h(8 + 2 * k as usize).unwrap_or(0)
        }
    };
    if nd == 0 {
        out.push('0');
        return Some(());
    }
    if sign == 0x4000 {
        out.push('-');
    }
    let start = out.len();
    // Exponents weight … 0 are the integer part, -1 … (weight - nd + 1) the fraction; leading
    // zeros of the integer part and trailing zeros of the fraction are left out.
    for e in (0..=weight).rev() {
        let g = digit(weight - e);
        for d in [g / 1000, g / 100 % 10, g / 10 % 10, g % 10] {
            if d != 0 || out.len() > start {
                out.push(char::from(b'0' + d as u8));
            }
        }
    }
    if out.len() == start {
        out.push('0');
    }
    let last = weight - nd as i64 + 1;
    if last < 0 {
        out.push('.');
        let mut e = -1;
        while e >= last {
            let g = digit(weight - e);
            for d in [g / 1000, g / 100 % 10, g / 10 % 10, g % 10] {
                out.push(char::from(b'0' + d as u8));
            }
            e -= 1;
        }
        while out.ends_with('0') {
            out.pop();
        }
        if out.ends_with('.') {
            out.pop();
        }
    }
    // An all-zero value is 0, never -0.
    if out[start..] == *"0" && sign == 0x4000 {
        out.remove(start - 1);
    }
    Some(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn bin(nd: u16, weight: i16, sign: u16, digits: &[u16]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&nd.to_be_bytes());
        b.extend_from_slice(&weight.to_be_bytes());
        b.extend_from_slice(&sign.to_be_bytes());
        b.extend_from_slice(&0u16.to_be_bytes());
        for d in digits {
            b.extend_from_slice(&d.to_be_bytes());
        }
        b
    }

    #[test]
    fn binary_numerics() {
        let n = |nd, w, s, d: &[u16]| match numeric(&bin(nd, w, s, d)) {
            Some(Value::Decimal(t)) => t,
            other => panic!("{other:?}"),
        };
        assert_eq!(n(2, 0, 0, &[1234, 5678]), "1234.5678");
        assert_eq!(n(1, -1, 0, &[1]), "0.0001");
        assert_eq!(n(1, -2, 0, &[1]), "0.00000001");
        assert_eq!(n(1, 1, 0, &[1]), "10000");
        assert_eq!(n(2, 0, 0x4000, &[12, 5000]), "-12.5");
        assert_eq!(n(0, 0, 0, &[]), "0");
        assert_eq!(n(0, 0, 0x4000, &[]), "0");
        assert_eq!(n(3, 1, 0, &[1, 2, 3]), "10002.0003");
        assert_eq!(n(0, 0, 0xC000, &[]), "NaN");
        assert!(numeric(&[0, 1]).is_none());
    }
}
