//! SQLite rows: each value is read by its storage class (NULL, INTEGER, REAL, TEXT, BLOB), then
//! restated in the column's declared family ([`coerce`]: 0/1 in a BOOLEAN column, DATETIME text,
//! a REAL in a NUMERIC column, uuid text). Keyset pages compare and order text keys with
//! `COLLATE BINARY` (byte order, whatever collation the column declares) and bind the key as
//! stored, so pages continue exactly where they stopped.
//!
//! SQLite has no server and so no statement timeout; the connection's busy timeout bounds waits
//! for locks.

use std::ffi::c_int;
use std::path::Path;

use futures::TryStreamExt;
use sqlx::pool::PoolConnection;
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow, SqliteValueRef};
use sqlx::{Decode, Row, Sqlite, TypeInfo, ValueRef};

use super::ffi::{self, Col};
use crate::dialect::quote::{ident, qualified};
use crate::dialect::rows::{Chunker, ColSpec, ReadSpec, RowBuilder, RowRec, ctx};
use crate::error::{Error, Result};
use crate::model::rows::{Value, coerce, coerce_str};
use crate::model::{Dialect, TypeFamily};

type BoxErr = Box<dyn std::error::Error + Send + Sync>;

const D: Dialect = Dialect::Sqlite;

fn key_expr(col: &ColSpec) -> String {
    use TypeFamily as F;
    let q = ident(D, &col.name);
    match &col.family {
        F::Integer { .. } | F::Float { .. } | F::Decimal { .. } | F::Boolean | F::Binary { .. } => {
            q
        }
        _ => format!("{q} COLLATE BINARY"),
    }
}

fn bind<'q>(
    q: Query<'q, Sqlite, SqliteArguments<'q>>,
    v: &Value,
) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    match v {
        Value::Int(n) => match i64::try_from(*n) {
            Ok(i) => q.bind(i),
            Err(_) => q.bind(n.to_string()),
        },
        Value::Bool(b) => q.bind(*b as i64),
        Value::Float(f) => q.bind(*f),
        Value::Text(t) => q.bind(t.clone()),
        Value::Bytes(b) => q.bind(b.clone()),
        other => q.bind(other.to_text()),
    }
}

fn select_list(spec: &ReadSpec) -> String {
    spec.columns
        .iter()
        .map(|c| ident(D, &c.name))
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
    c: &mut PoolConnection<Sqlite>,
    spec: &ReadSpec,
    after: Option<&[Value]>,
    limit: usize,
    out: &mut Chunker<'_>,
) -> Result<()> {
    let table = qualified(D, &spec.schema, &spec.table);
    let mut sql = format!("SELECT {} FROM {table}", select_list(spec));
    if after.is_some() {
        let params = vec!["?"; spec.key.len()].join(", ");
        sql.push_str(&format!(" WHERE ({}) > ({params})", order_by(spec)));
    }
    sql.push_str(&format!(" ORDER BY {} LIMIT {limit}", order_by(spec)));
    let mut q = sqlx::query(&sql);
    if let Some(vals) = after {
        for v in vals {
            q = bind(q, v);
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

fn build(row: &SqliteRow, spec: &ReadSpec, b: &mut RowBuilder) -> Result<RowRec> {
    b.begin();
    for (i, col) in spec.columns.iter().enumerate() {
        let v = decode(row, i)
            .map_err(|e| Error::db(ctx(spec), format!("cannot decode column {}: {e}", col.name)))?;
        // The declared family first: that is what the value means in this database. A key
        // continues from the value as stored.
        if b.is_key(i) {
            b.push_stored(i, col, Some(v.clone()), coerce(v, &col.family));
        } else {
            b.push(i, col, coerce(v, &col.family));
        }
    }
    Ok(b.finish())
}

pub async fn scan(
    c: &mut PoolConnection<Sqlite>,
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

pub async fn read_bound(c: &mut PoolConnection<Sqlite>, spec: &ReadSpec) -> Result<u64> {
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {}",
        select_list(spec),
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
            let v = decode(&row, i).map_err(|e| Error::db(ctx(spec), e))?;
            bytes += matches!(v, Value::Null) as usize;
        }
        n += 1;
    }
    std::hint::black_box(bytes);
    Ok(n)
}

pub async fn estimate(c: &mut PoolConnection<Sqlite>, spec: &ReadSpec) -> Option<u64> {
    let sql = format!(
        "SELECT count(*) FROM {}",
        qualified(D, &spec.schema, &spec.table)
    );
    let n: Option<i64> = sqlx::query_scalar(&sql)
        .fetch_optional(&mut **c)
        .await
        .ok()
        .flatten();
    n.and_then(|n| u64::try_from(n).ok())
}

fn dec<'r, T: Decode<'r, Sqlite>>(raw: SqliteValueRef<'r>) -> Result<T, BoxErr> {
    T::decode(raw)
}

/// The value by its storage class.
fn decode(row: &SqliteRow, i: usize) -> Result<Value, BoxErr> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let class = raw.type_info().name().to_string();
    Ok(match class.as_str() {
        "INTEGER" => Value::Int(dec::<i64>(raw)? as i128),
        "REAL" => Value::float(dec::<f64>(raw)?),
        "BLOB" => Value::Bytes(dec::<Vec<u8>>(raw)?),
        // SQLite does not check that TEXT is UTF-8: text that is not is kept as its bytes.
        _ => {
            let b = dec::<&[u8]>(raw)?;
            match std::str::from_utf8(b) {
                Ok(s) => Value::Text(s.to_string()),
                Err(_) => Value::Bytes(b.to_vec()),
            }
        }
    })
}

// ---------------------------------------------------------------- the fast path (C API)

/// The page query: `after` decides whether the key condition is there.
fn page_sql(spec: &ReadSpec, after: bool, limit: usize) -> String {
    let table = qualified(D, &spec.schema, &spec.table);
    let mut sql = format!("SELECT {} FROM {table}", select_list(spec));
    if after {
        let params = vec!["?"; spec.key.len()].join(", ");
        sql.push_str(&format!(" WHERE ({}) > ({params})", order_by(spec)));
    }
    if !spec.key.is_empty() {
        sql.push_str(&format!(" ORDER BY {}", order_by(spec)));
    }
    if limit > 0 {
        sql.push_str(&format!(" LIMIT {limit}"));
    }
    sql
}

fn bind_ffi(st: &mut ffi::Stmt<'_>, i: c_int, v: &Value) -> Result<(), String> {
    match v {
        Value::Int(n) => match i64::try_from(*n) {
            Ok(x) => st.bind_int(i, x),
            Err(_) => st.bind_text(i, &n.to_string()),
        },
        Value::Bool(b) => st.bind_int(i, *b as i64),
        Value::Float(f) => st.bind_real(i, *f),
        Value::Text(t) => st.bind_text(i, t),
        Value::Bytes(b) => st.bind_blob(i, b),
        other => st.bind_text(i, &other.to_text().unwrap_or_default()),
    }
}

/// Text that the declared family does not restate is hashed as it is.
fn plain_text(f: &TypeFamily) -> bool {
    matches!(
        f,
        TypeFamily::Text { fixed: false, .. }
            | TypeFamily::Any
            | TypeFamily::Other { .. }
            | TypeFamily::Enum { .. }
            | TypeFamily::Set { .. }
    )
}

fn push_value(b: &mut RowBuilder, i: usize, col: &ColSpec, v: Value) {
    if b.is_key(i) {
        b.push_stored(i, col, Some(v.clone()), coerce(v, &col.family));
    } else {
        b.push(i, col, coerce(v, &col.family));
    }
}

fn build_ffi(st: &ffi::Stmt<'_>, spec: &ReadSpec, b: &mut RowBuilder) -> RowRec {
    b.begin();
    for (i, col) in spec.columns.iter().enumerate() {
        match st.col(i as c_int) {
            Col::Null => b.push(i, col, Value::Null),
            Col::Int(v) => push_value(b, i, col, Value::Int(v as i128)),
            Col::Real(f) if matches!(col.family, TypeFamily::Decimal { .. }) && !b.is_key(i) => {
                b.push_float_decimal(i, col, f)
            }
            Col::Real(f) => push_value(b, i, col, Value::float(f)),
            Col::Text(bytes) => match std::str::from_utf8(bytes) {
                Ok(s) if !b.is_key(i) && plain_text(&col.family) => b.push_text(i, col, s),
                Ok(s) if !b.is_key(i) => b.push(i, col, coerce_str(s, &col.family)),
                Ok(s) => push_value(b, i, col, Value::Text(s.to_string())),
                Err(_) => push_value(b, i, col, Value::Bytes(bytes.to_vec())),
            },
            Col::Blob(bytes) => {
                if !b.is_key(i) && matches!(col.family, TypeFamily::Binary { .. } | TypeFamily::Any)
                {
                    b.push_bytes(i, col, bytes)
                } else {
                    push_value(b, i, col, Value::Bytes(bytes.to_vec()))
                }
            }
        }
    }
    b.finish()
}

/// Reads keyset pages of up to `page_rows` rows after `after`, through the C API, in the calling
/// (blocking) thread, handing rows to `sink` in chunks of `chunk`. Returns true at the end of the
/// table, false when the sink stopped it.
pub fn read_pages_blocking(
    path: &Path,
    spec: &ReadSpec,
    mut after: Option<Vec<u8>>,
    page_rows: usize,
    chunk: usize,
    sink: &mut dyn FnMut(Vec<RowRec>) -> bool,
) -> Result<bool> {
    let err = |e: String| Error::db(ctx(spec), e);
    let conn = ffi::Conn::open_read_only(path).map_err(err)?;
    let first = page_sql(spec, false, page_rows);
    let next = page_sql(spec, true, page_rows);
    let mut b = RowBuilder::new(spec);
    let chunk = chunk.max(1);
    loop {
        let mut st = conn
            .prepare(if after.is_some() { &next } else { &first })
            .map_err(err)?;
        if let Some(a) = &after {
            let vals = crate::model::rows::decode_key(a)
                .ok_or_else(|| err("a stored key does not decode".into()))?;
            for (n, v) in vals.iter().enumerate() {
                bind_ffi(&mut st, n as c_int + 1, v).map_err(err)?;
            }
        }
        let mut out = Vec::with_capacity(chunk.min(100_000));
        let mut n = 0usize;
        while st.step().map_err(err)? {
            out.push(build_ffi(&st, spec, &mut b));
            n += 1;
            if out.len() >= chunk {
                after = out.last().map(|r| r.resume_key().to_vec());
                if !sink(std::mem::take(&mut out)) {
                    return Ok(false);
                }
            }
        }
        if !out.is_empty() {
            after = out.last().map(|r| r.resume_key().to_vec());
            if !sink(out) {
                return Ok(false);
            }
        }
        if n < page_rows {
            return Ok(true);
        }
    }
}

/// Every row, no order, through the C API (tables compared as a multiset).
pub fn scan_blocking(
    path: &Path,
    spec: &ReadSpec,
    each: &mut dyn FnMut(RowRec) -> Result<()>,
) -> Result<u64> {
    let err = |e: String| Error::db(ctx(spec), e);
    let conn = ffi::Conn::open_read_only(path).map_err(err)?;
    let mut st = conn.prepare(&page_sql(spec, false, 0)).map_err(err)?;
    let mut b = RowBuilder::new(spec);
    let mut n = 0;
    while st.step().map_err(err)? {
        each(build_ffi(&st, spec, &mut b))?;
        n += 1;
    }
    Ok(n)
}

/// The read bound through the C API: every row in key order, every value touched.
pub fn read_bound_blocking(path: &Path, spec: &ReadSpec) -> Result<u64> {
    let err = |e: String| Error::db(ctx(spec), e);
    let conn = ffi::Conn::open_read_only(path).map_err(err)?;
    let mut st = conn.prepare(&page_sql(spec, false, 0)).map_err(err)?;
    let (mut n, mut touched) = (0u64, 0usize);
    while st.step().map_err(err)? {
        for i in 0..spec.columns.len() {
            touched += match st.col(i as c_int) {
                Col::Text(b) | Col::Blob(b) => b.len(),
                Col::Int(_) | Col::Real(_) => 8,
                Col::Null => 0,
            };
        }
        n += 1;
    }
    std::hint::black_box(touched);
    Ok(n)
}
