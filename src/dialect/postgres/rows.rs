//! PostgreSQL rows: keyset pages over the key with text keys in `COLLATE "C"` (byte order), values
//! decoded from the binary row format by the column's family. Types sqlx cannot decode exactly
//! (numeric, arrays, enums, json, timetz, anything unknown) are read through `::text` and parsed.

use std::time::Duration;

use futures::TryStreamExt;
use sqlx::Postgres;
use sqlx::pool::PoolConnection;

use super::array::parse_pg_array;
use crate::dialect::quote::{ident, qualified};
use crate::dialect::rows::{Chunker, ColSpec, ReadSpec, RowBuilder, RowRec, ctx};
use crate::error::{Error, Result};
use crate::model::rows::{Value, coerce, parse_offset, parse_time};
use crate::model::{Dialect, TypeFamily};

type BoxErr = Box<dyn std::error::Error + Send + Sync>;

const D: Dialect = Dialect::Postgres;
/// 2000-01-01 (PostgreSQL's epoch) in days and microseconds after 1970-01-01.
const PG_EPOCH_DAYS: i32 = 10_957;
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;

pub async fn prepare_session(c: &mut PoolConnection<Postgres>, timeout: Duration) -> Result<()> {
    let sql = format!(
        "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; \
         SET extra_float_digits = 1; SET standard_conforming_strings = on; SET statement_timeout = {}",
        timeout.as_millis().max(1)
    );
    sqlx::Executor::execute(&mut **c, AsRef::<str>::as_ref(&sql))
        .await
        .map_err(|e| crate::dialect::error::db("preparing the session to read rows", e))?;
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

/// A key value as an SQL literal of the key's parameter type (COPY takes no parameters).
/// `standard_conforming_strings` is on for the session, so doubling quotes is the only escape.
fn key_literal(col: &ColSpec, v: &Value) -> String {
    match v.to_text() {
        None => "NULL".to_string(),
        Some(t) => format!(
            "{}::{}",
            crate::dialect::quote::pg::lit(&t),
            param_type(col)
        ),
    }
}

/// `COPY (SELECT … [WHERE key > after] ORDER BY key [LIMIT n]) TO STDOUT (FORMAT binary)`.
fn copy_sql(
    spec: &ReadSpec,
    select: &str,
    after: Option<&[Value]>,
    limit: Option<usize>,
) -> String {
    let table = qualified(D, &spec.schema, &spec.table);
    let mut sql = format!("COPY (SELECT {select} FROM {table}");
    if let Some(vals) = after {
        let keys: Vec<String> = spec
            .key
            .iter()
            .map(|&i| key_expr(&spec.columns[i]))
            .collect();
        let lits: Vec<String> = spec
            .key
            .iter()
            .zip(vals)
            .map(|(&i, v)| key_literal(&spec.columns[i], v))
            .collect();
        sql.push_str(&format!(
            " WHERE ({}) > ({})",
            keys.join(", "),
            lits.join(", ")
        ));
    }
    if !spec.key.is_empty() {
        sql.push_str(&format!(" ORDER BY {}", order_by(spec)));
    }
    if let Some(n) = limit {
        sql.push_str(&format!(" LIMIT {n}"));
    }
    sql.push_str(") TO STDOUT (FORMAT binary)");
    sql
}

/// PostgreSQL's binary COPY stream, parsed tuple by tuple as its chunks arrive (a tuple may
/// span chunks; the server sends one per message, so it rarely does).
struct CopyReader {
    ncols: usize,
    header: bool,
    trailer: bool,
    /// Bytes of an incomplete tuple carried over to the next chunk.
    pending: Vec<u8>,
    fields: Vec<(i32, usize)>,
}

/// What receives each parsed tuple: the chunk's bytes and its fields' (length, offset) pairs.
type TupleFn<'a> = dyn FnMut(&[u8], &[(i32, usize)]) -> Result<(), BoxErr> + 'a;

const COPY_SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";

impl CopyReader {
    fn new(ncols: usize) -> Self {
        CopyReader {
            ncols,
            header: false,
            trailer: false,
            pending: Vec::new(),
            fields: Vec::with_capacity(ncols),
        }
    }

    /// Feeds a chunk; `each` gets every complete tuple's fields (`None` for NULL).
    fn feed(&mut self, chunk: &[u8], each: &mut TupleFn<'_>) -> Result<(), BoxErr> {
        if self.pending.is_empty() {
            let used = self.parse(chunk, each)?;
            self.pending.extend_from_slice(&chunk[used..]);
        } else {
            let mut data = std::mem::take(&mut self.pending);
            data.extend_from_slice(chunk);
            let used = self.parse(&data, each)?;
            data.drain(..used);
            self.pending = data;
        }
        Ok(())
    }

    /// Parses complete tuples from `data`; returns how many bytes were consumed.
    fn parse(&mut self, data: &[u8], each: &mut TupleFn<'_>) -> Result<usize, BoxErr> {
        let mut pos = 0;
        let i32_at = |p: usize| -> Option<i32> {
            Some(i32::from_be_bytes(data.get(p..p + 4)?.try_into().ok()?))
        };
        if !self.header {
            let fixed = COPY_SIGNATURE.len() + 8;
            if data.len() < fixed {
                return Ok(0);
            }
            if &data[..COPY_SIGNATURE.len()] != COPY_SIGNATURE {
                return Err("not a binary COPY stream".into());
            }
            let ext = i32_at(COPY_SIGNATURE.len() + 4).unwrap_or(0).max(0) as usize;
            if data.len() < fixed + ext {
                return Ok(0);
            }
            pos = fixed + ext;
            self.header = true;
        }
        // Field (length, offset) pairs of the current tuple; -1 length is NULL.
        let mut fields = std::mem::take(&mut self.fields);
        let r = self.tuples(data, pos, &mut fields, each);
        self.fields = fields;
        r
    }

    fn tuples(
        &mut self,
        data: &[u8],
        mut pos: usize,
        fields: &mut Vec<(i32, usize)>,
        each: &mut TupleFn<'_>,
    ) -> Result<usize, BoxErr> {
        let i32_at = |p: usize| -> Option<i32> {
            Some(i32::from_be_bytes(data.get(p..p + 4)?.try_into().ok()?))
        };
        while !self.trailer {
            let Some(count) = data.get(pos..pos + 2) else {
                break;
            };
            let count = i16::from_be_bytes([count[0], count[1]]);
            if count == -1 {
                self.trailer = true;
                pos += 2;
                break;
            }
            if count as usize != self.ncols {
                return Err(
                    format!("COPY tuple with {count} fields, expected {}", self.ncols).into(),
                );
            }
            fields.clear();
            let mut p = pos + 2;
            let mut complete = true;
            for _ in 0..self.ncols {
                let Some(len) = i32_at(p) else {
                    complete = false;
                    break;
                };
                p += 4;
                let n = len.max(0) as usize;
                if data.len() < p + n {
                    complete = false;
                    break;
                }
                fields.push((len, p));
                p += n;
            }
            if !complete {
                break;
            }
            each(data, fields)?;
            pos = p;
        }
        Ok(pos)
    }
}

/// The field of a parsed tuple: `None` for NULL.
fn field(data: &[u8], f: (i32, usize)) -> Option<&[u8]> {
    let (len, at) = f;
    (len >= 0).then(|| &data[at..at + len as usize])
}

pub async fn page(
    c: &mut PoolConnection<Postgres>,
    spec: &ReadSpec,
    after: Option<&[Value]>,
    limit: usize,
    out: &mut Chunker<'_>,
) -> Result<()> {
    let sql = copy_sql(spec, &select_list(spec), after, Some(limit));
    let mut reader = CopyReader::new(spec.columns.len());
    let mut b = RowBuilder::new(spec);
    let mut ready: Vec<RowRec> = Vec::new();
    let mut stopped = false;
    {
        let mut stream = c
            .copy_out_raw(&sql)
            .await
            .map_err(|e| crate::dialect::error::db(ctx(spec), e))?;
        while let Some(chunk) = stream
            .try_next()
            .await
            .map_err(|e| crate::dialect::error::db(ctx(spec), e))?
        {
            reader
                .feed(&chunk, &mut |data, fields| {
                    ready.push(build(data, fields, spec, &mut b)?);
                    Ok(())
                })
                .map_err(|e| Error::db(ctx(spec), e))?;
            for r in ready.drain(..) {
                if !out.push(r).await {
                    stopped = true;
                    break;
                }
            }
            if stopped {
                break;
            }
        }
    }
    if stopped {
        // The COPY was left unfinished: this connection cannot be reused.
        c.close_on_drop();
    } else if !reader.trailer {
        return Err(Error::db(ctx(spec), "the COPY stream ended early"));
    }
    Ok(())
}

fn build(
    data: &[u8],
    fields: &[(i32, usize)],
    spec: &ReadSpec,
    b: &mut RowBuilder,
) -> Result<RowRec, BoxErr> {
    b.begin();
    for (i, col) in spec.columns.iter().enumerate() {
        push(field(data, fields[i]), i, col, b)
            .map_err(|e| format!("cannot decode column {}: {e}", col.name))?;
    }
    Ok(b.finish())
}

/// Decodes column `i` from its binary form and adds it to the row.
fn push(raw: Option<&[u8]>, i: usize, col: &ColSpec, b: &mut RowBuilder) -> Result<(), BoxErr> {
    use TypeFamily as F;
    let Some(bytes) = raw else {
        b.push(i, col, Value::Null);
        return Ok(());
    };
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
        // The session's client encoding is UTF8: the server sends valid UTF-8.
        F::Text { .. } | F::Enum { .. } | F::Set { .. } | F::Other { .. } | F::Any => {
            b.push_text_bytes(i, col, bytes)?
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
    let sql = copy_sql(spec, &select_list(spec), None, None);
    let mut reader = CopyReader::new(spec.columns.len());
    let mut b = RowBuilder::new(spec);
    let mut n = 0;
    let mut stream = c
        .copy_out_raw(&sql)
        .await
        .map_err(|e| crate::dialect::error::db(ctx(spec), e))?;
    let mut failed: Option<Error> = None;
    while let Some(chunk) = stream
        .try_next()
        .await
        .map_err(|e| crate::dialect::error::db(ctx(spec), e))?
    {
        reader
            .feed(&chunk, &mut |data, fields| {
                let r = build(data, fields, spec, &mut b)?;
                if failed.is_none() {
                    if let Err(e) = each(r) {
                        failed = Some(e);
                    }
                }
                n += 1;
                Ok(())
            })
            .map_err(|e| Error::db(ctx(spec), e))?;
        if failed.is_some() {
            break;
        }
    }
    drop(stream);
    if let Some(e) = failed {
        c.close_on_drop();
        return Err(e);
    }
    if !reader.trailer {
        return Err(Error::db(ctx(spec), "the COPY stream ended early"));
    }
    Ok(n)
}

/// Every row in key order through one binary COPY, each tuple's fields located but not decoded
/// or hashed: the bound the diff is measured against.
pub async fn read_bound(c: &mut PoolConnection<Postgres>, spec: &ReadSpec) -> Result<u64> {
    let cols: Vec<String> = spec.columns.iter().map(|c| ident(D, &c.name)).collect();
    let sql = copy_sql(spec, &cols.join(", "), None, None);
    let mut reader = CopyReader::new(spec.columns.len());
    let mut n = 0u64;
    let mut bytes = 0usize;
    let mut stream = c
        .copy_out_raw(&sql)
        .await
        .map_err(|e| crate::dialect::error::db(ctx(spec), e))?;
    while let Some(chunk) = stream
        .try_next()
        .await
        .map_err(|e| crate::dialect::error::db(ctx(spec), e))?
    {
        reader
            .feed(&chunk, &mut |_, fields| {
                bytes += fields.iter().map(|f| f.0.max(0) as usize).sum::<usize>();
                n += 1;
                Ok(())
            })
            .map_err(|e| Error::db(ctx(spec), e))?;
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
        0xC000 => {
            out.push_str("NaN");
            return Some(());
        }
        0xD000 => {
            out.push_str("Infinity");
            return Some(());
        }
        0xF000 => {
            out.push_str("-Infinity");
            return Some(());
        }
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

    /// A binary COPY stream of `rows` (fields as `None` for NULL).
    fn copy_stream(rows: &[Vec<Option<&[u8]>>]) -> Vec<u8> {
        let mut b = COPY_SIGNATURE.to_vec();
        b.extend_from_slice(&0i32.to_be_bytes());
        b.extend_from_slice(&4i32.to_be_bytes());
        b.extend_from_slice(b"ext!");
        for r in rows {
            b.extend_from_slice(&(r.len() as i16).to_be_bytes());
            for f in r {
                match f {
                    None => b.extend_from_slice(&(-1i32).to_be_bytes()),
                    Some(v) => {
                        b.extend_from_slice(&(v.len() as i32).to_be_bytes());
                        b.extend_from_slice(v);
                    }
                }
            }
        }
        b.extend_from_slice(&(-1i16).to_be_bytes());
        b
    }

    fn parse_in_chunks(
        stream: &[u8],
        chunk: usize,
        ncols: usize,
    ) -> (Vec<Vec<Option<Vec<u8>>>>, bool) {
        let mut r = CopyReader::new(ncols);
        let mut out = Vec::new();
        for c in stream.chunks(chunk) {
            r.feed(c, &mut |data, fields| {
                out.push(
                    fields
                        .iter()
                        .map(|&f| field(data, f).map(<[u8]>::to_vec))
                        .collect(),
                );
                Ok(())
            })
            .expect("parse");
        }
        (out, r.trailer)
    }

    #[test]
    fn copy_tuples_split_anywhere_parse_the_same() {
        let rows: Vec<Vec<Option<&[u8]>>> = vec![
            vec![Some(b"1"), None, Some(b"")],
            vec![Some(b"22"), Some(b"hello world"), None],
            vec![None, None, None],
        ];
        let stream = copy_stream(&rows);
        let want: Vec<Vec<Option<Vec<u8>>>> = rows
            .iter()
            .map(|r| r.iter().map(|f| f.map(<[u8]>::to_vec)).collect())
            .collect();
        for chunk in 1..=stream.len() {
            let (got, trailer) = parse_in_chunks(&stream, chunk, 3);
            assert_eq!(got, want, "chunks of {chunk}");
            assert!(trailer);
        }
        // Cut before the trailer: no trailer seen (the caller reports a short stream).
        let (got, trailer) = parse_in_chunks(&stream[..stream.len() - 2], 7, 3);
        assert_eq!(got.len(), 3);
        assert!(!trailer);
        // A wrong field count or signature is an error, not a guess.
        let mut r = CopyReader::new(2);
        assert!(r.feed(&stream, &mut |_, _| Ok(())).is_err());
        let mut r = CopyReader::new(3);
        assert!(
            r.feed(b"PGCOPY\n\xfe\r\n\0\0\0\0\0\0\0\0\0", &mut |_, _| Ok(()))
                .is_err()
        );
    }

    #[test]
    fn key_literals_are_quoted() {
        let col = ColSpec {
            name: "k".into(),
            family: TypeFamily::text(None),
            canon: TypeFamily::text(None),
        };
        assert_eq!(
            key_literal(&col, &Value::Text("it's".into())),
            "'it''s'::text"
        );
        assert_eq!(
            key_literal(&col, &Value::Text("a\\b".into())),
            "'a\\b'::text"
        );
        let int = ColSpec {
            name: "i".into(),
            family: TypeFamily::int(64),
            canon: TypeFamily::int(64),
        };
        assert_eq!(key_literal(&int, &Value::Int(-5)), "'-5'::int8");
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
