//! SQLite rows: each value is read by its storage class (NULL, INTEGER, REAL, TEXT, BLOB), then
//! restated in the column's declared family ([`coerce`]: 0/1 in a BOOLEAN column, DATETIME text,
//! a REAL in a NUMERIC column, uuid text). Keyset pages compare and order text keys with
//! `COLLATE BINARY` (byte order, whatever collation the column declares) and bind the key as
//! stored, so pages continue exactly where they stopped.
//!
//! SQLite has no server and so no statement timeout; the connection's busy timeout bounds waits
//! for locks.

use futures::TryStreamExt;
use sqlx::pool::PoolConnection;
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow, SqliteValueRef};
use sqlx::{Decode, Row, Sqlite, TypeInfo, ValueRef};

use crate::dialect::quote::{ident, qualified};
use crate::dialect::rows::{Chunker, ColSpec, ReadSpec, RowBuilder, RowRec, ctx};
use crate::error::{Error, Result};
use crate::model::rows::{Value, coerce};
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
    while let Some(row) = rows.try_next().await.map_err(|e| Error::db(ctx(spec), e))? {
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
    while let Some(row) = rows.try_next().await.map_err(|e| Error::db(ctx(spec), e))? {
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
    while let Some(row) = rows.try_next().await.map_err(|e| Error::db(ctx(spec), e))? {
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
