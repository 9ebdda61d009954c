//! Reading a table's rows for the row diff: keyset pages in key order, each row reduced to its
//! key (order-preserving bytes) and its hash. One dedicated connection per side, with the
//! session set up for reading (UTC, ISO dates, statement timeout). Each dialect decodes its own
//! concrete row type (`postgres/rows.rs`, `mysql/rows.rs`, `sqlite/rows.rs`).

use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::pool::PoolConnection;
use sqlx::{MySql, Postgres, Sqlite};

use super::Db;
use crate::error::{Error, Result};
use crate::model::TypeFamily;
use crate::model::rows::{
    RowHash, RowHasher, Value, coerce, encode_key, float_decimal_into, normalize_decimal_into,
};

use super::{mysql, postgres, sqlite};

/// One compared column, as this side declares it and as both sides are compared.
#[derive(Debug, Clone)]
pub struct ColSpec {
    pub name: String,
    /// This side's family (decides how the value is read).
    pub family: TypeFamily,
    /// The family both sides' values are compared in ([`crate::model::rows::comparison_family`]).
    pub canon: TypeFamily,
}

/// What to read from one side.
#[derive(Debug, Clone)]
pub struct ReadSpec {
    pub schema: String,
    pub table: String,
    /// The compared columns, in the order they are hashed.
    pub columns: Vec<ColSpec>,
    /// Positions in `columns` of the key, in key order; empty for a table read as a multiset.
    pub key: Vec<usize>,
}

impl ReadSpec {
    pub fn display(&self) -> String {
        format!("{}.{}", self.schema, self.table)
    }
}

/// Key bytes, held inline when short (an integer, a uuid or a short text key: no allocation per
/// row), on the heap otherwise. Compares, orders and derefs as its bytes.
#[derive(Clone)]
pub enum KeyBytes {
    Inline {
        len: u8,
        bytes: [u8; KeyBytes::INLINE],
    },
    Heap(Vec<u8>),
}

impl KeyBytes {
    pub const INLINE: usize = 38;

    pub fn from_slice(b: &[u8]) -> KeyBytes {
        if b.len() <= Self::INLINE {
            let mut bytes = [0u8; Self::INLINE];
            bytes[..b.len()].copy_from_slice(b);
            KeyBytes::Inline {
                len: b.len() as u8,
                bytes,
            }
        } else {
            KeyBytes::Heap(b.to_vec())
        }
    }

    pub fn as_slice(&self) -> &[u8] {
        match self {
            KeyBytes::Inline { len, bytes } => &bytes[..*len as usize],
            KeyBytes::Heap(v) => v,
        }
    }
}

impl std::ops::Deref for KeyBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for KeyBytes {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for KeyBytes {}

impl PartialOrd for KeyBytes {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for KeyBytes {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_slice().cmp(other.as_slice())
    }
}

impl std::fmt::Debug for KeyBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyBytes({})", hex::encode(self.as_slice()))
    }
}

/// One row as the merge sees it.
#[derive(Debug, Clone)]
pub struct RowRec {
    /// The key in canonical form, order-preserving ([`encode_key`]).
    pub key: KeyBytes,
    /// The key as this database holds it, when that differs from `key` (SQLite text read as a
    /// timestamp, say): what the next page's `WHERE` binds.
    pub raw: Option<Vec<u8>>,
    pub hash: RowHash,
}

impl RowRec {
    /// The key this side binds to continue after this row.
    pub fn resume_key(&self) -> &[u8] {
        self.raw.as_deref().unwrap_or(self.key.as_slice())
    }
}

/// Turns decoded values into [`RowRec`]s.
pub(crate) struct RowBuilder {
    hasher: RowHasher,
    key_vals: Vec<Value>,
    /// Per key column: its raw form when that differs from the compared one (`raw_same` false).
    raw_vals: Vec<Value>,
    raw_same: Vec<bool>,
    raw_differs: bool,
    is_key: Vec<Option<usize>>,
    /// Per column: whether values are restated in another family before hashing.
    coerces: Vec<bool>,
    /// A buffer decoders may borrow (and give back) to avoid an allocation per value.
    pub scratch: String,
    key_buf: Vec<u8>,
}

impl RowBuilder {
    pub fn new(spec: &ReadSpec) -> Self {
        let mut is_key = vec![None; spec.columns.len()];
        for (k, &i) in spec.key.iter().enumerate() {
            if let Some(slot) = is_key.get_mut(i) {
                *slot = Some(k);
            }
        }
        RowBuilder {
            hasher: RowHasher::new(),
            key_vals: vec![Value::Null; spec.key.len()],
            raw_vals: vec![Value::Null; spec.key.len()],
            raw_same: vec![true; spec.key.len()],
            raw_differs: false,
            is_key,
            coerces: spec.columns.iter().map(|c| c.canon != c.family).collect(),
            scratch: String::new(),
            key_buf: Vec::with_capacity(64),
        }
    }

    pub fn is_key(&self, i: usize) -> bool {
        self.is_key.get(i).is_some_and(|k| k.is_some())
    }

    pub fn begin(&mut self) {
        self.hasher.begin();
        self.raw_differs = false;
    }

    /// Adds column `i`'s value as read (`v`), restated in its comparison family.
    pub fn push(&mut self, i: usize, col: &ColSpec, v: Value) {
        self.push_stored(i, col, None, v)
    }

    /// Like [`push`](Self::push), for a value the database stores in another form (`stored`,
    /// SQLite's storage class) than what it means (`v`): a key binds the stored form.
    pub fn push_stored(&mut self, i: usize, col: &ColSpec, stored: Option<Value>, v: Value) {
        match self.is_key.get(i).copied().flatten() {
            Some(k) if stored.is_none() && !self.coerces[i] => {
                // The common key: read as it is compared; its raw form is the same.
                self.hasher.push(&v);
                self.raw_vals[k] = Value::Null;
                self.raw_same[k] = true;
                self.key_vals[k] = v;
            }
            Some(k) => {
                let (canon, raw) = match (self.coerces[i], stored) {
                    (false, None) => (v, None),
                    (true, None) => {
                        let canon = coerce(v.clone(), &col.canon);
                        (canon, Some(v))
                    }
                    (false, Some(st)) => (v, Some(st)),
                    (true, Some(st)) => (coerce(v, &col.canon), Some(st)),
                };
                self.hasher.push(&canon);
                match raw {
                    Some(raw) if raw != canon => {
                        self.raw_differs = true;
                        self.raw_vals[k] = raw;
                        self.raw_same[k] = false;
                    }
                    _ => {
                        self.raw_vals[k] = Value::Null;
                        self.raw_same[k] = true;
                    }
                }
                self.key_vals[k] = canon;
            }
            None => {
                if self.coerces[i] {
                    self.hasher.push(&coerce(v, &col.canon));
                } else {
                    self.hasher.push(&v);
                }
            }
        }
    }

    /// Text that is not part of the key and needs no restating is hashed without a copy.
    pub fn push_text(&mut self, i: usize, col: &ColSpec, s: &str) {
        if self.is_key[i].is_none() && !self.coerces[i] {
            self.hasher.push_text(s);
        } else {
            self.push(i, col, Value::Text(s.to_string()));
        }
    }

    /// Text as bytes the database guarantees to be UTF-8 (PostgreSQL with client encoding
    /// UTF8): hashed as they are without validating them when nothing restates the value.
    pub fn push_text_bytes(
        &mut self,
        i: usize,
        col: &ColSpec,
        b: &[u8],
    ) -> Result<(), std::str::Utf8Error> {
        if self.is_key[i].is_none() && !self.coerces[i] {
            self.hasher.push_text_bytes(b);
        } else {
            self.push(i, col, Value::Text(std::str::from_utf8(b)?.to_string()));
        }
        Ok(())
    }

    /// A normalized decimal, likewise.
    pub fn push_decimal(&mut self, i: usize, col: &ColSpec, d: &str) {
        if self.is_key[i].is_none() && !self.coerces[i] {
            self.hasher.push_decimal(d);
        } else {
            self.push(i, col, Value::Decimal(d.to_string()));
        }
    }

    /// A decimal's text as the database sends it, normalized without building a value; text
    /// that is not a number is pushed as text (and so differs from every number).
    pub fn push_decimal_text(&mut self, i: usize, col: &ColSpec, s: &str) {
        let mut d = std::mem::take(&mut self.scratch);
        d.clear();
        if normalize_decimal_into(s, &mut d) {
            self.push_decimal(i, col, &d);
        } else {
            self.push(i, col, Value::Text(s.to_string()));
        }
        self.scratch = d;
    }

    /// A float in a column compared as a decimal (SQLite `REAL` in a `NUMERIC` column),
    /// likewise: the same as pushing `coerce(Value::float(f), &col.family)`.
    pub fn push_float_decimal(&mut self, i: usize, col: &ColSpec, f: f64) {
        if self.is_key[i].is_none() && !self.coerces[i] {
            let mut out = std::mem::take(&mut self.scratch);
            out.clear();
            let done = float_decimal_into(f, &mut out);
            if done {
                self.hasher.push_decimal(&out);
            }
            self.scratch = out;
            if done {
                return;
            }
        }
        self.push(i, col, coerce(Value::float(f), &col.family));
    }

    /// Bytes, likewise.
    pub fn push_bytes(&mut self, i: usize, col: &ColSpec, b: &[u8]) {
        if self.is_key[i].is_none() && !self.coerces[i] {
            self.hasher.push_bytes(b);
        } else {
            self.push(i, col, Value::Bytes(b.to_vec()));
        }
    }

    pub fn finish(&mut self) -> RowRec {
        let hash = self.hasher.finish();
        self.key_buf.clear();
        encode_key(&self.key_vals, &mut self.key_buf);
        let key = KeyBytes::from_slice(&self.key_buf);
        let raw = if self.raw_differs {
            let mut r = Vec::new();
            let raw: Vec<Value> = (0..self.key_vals.len())
                .map(|k| {
                    if self.raw_same[k] {
                        self.key_vals[k].clone()
                    } else {
                        self.raw_vals[k].clone()
                    }
                })
                .collect();
            encode_key(&raw, &mut r);
            Some(r)
        } else {
            None
        };
        RowRec { key, raw, hash }
    }
}

/// Where pages go: a chunk of rows in, whether to go on out.
pub type Sink = dyn FnMut(Vec<RowRec>) -> BoxFuture<'static, bool> + Send;

/// How a page ended.
#[derive(Debug, Clone, Default)]
pub struct PageEnd {
    /// Rows delivered.
    pub rows: usize,
    /// The resume key of the last row delivered.
    pub last: Option<Vec<u8>>,
    /// The sink asked to stop.
    pub stopped: bool,
}

/// Collects rows into chunks for a [`Sink`].
pub struct Chunker<'a> {
    out: Vec<RowRec>,
    chunk: usize,
    end: PageEnd,
    sink: &'a mut Sink,
}

impl<'a> Chunker<'a> {
    pub fn new(chunk: usize, sink: &'a mut Sink) -> Self {
        let chunk = chunk.max(1);
        Chunker {
            out: Vec::with_capacity(chunk.min(100_000)),
            chunk,
            end: PageEnd::default(),
            sink,
        }
    }

    /// Adds a row; false when the sink wants no more.
    pub async fn push(&mut self, r: RowRec) -> bool {
        self.out.push(r);
        if self.out.len() >= self.chunk {
            return self.flush().await;
        }
        true
    }

    async fn flush(&mut self) -> bool {
        if self.out.is_empty() {
            return !self.end.stopped;
        }
        let rows = std::mem::replace(&mut self.out, Vec::with_capacity(self.chunk.min(100_000)));
        self.end.rows += rows.len();
        self.end.last = rows.last().map(|r| r.resume_key().to_vec());
        if !(self.sink)(rows).await {
            self.end.stopped = true;
        }
        !self.end.stopped
    }

    pub async fn finish(mut self) -> PageEnd {
        self.flush().await;
        self.end
    }
}

/// A dedicated connection for reading one side's rows.
pub enum RowConn {
    Pg(PoolConnection<Postgres>),
    My(PoolConnection<MySql>),
    Lite(PoolConnection<Sqlite>),
}

impl RowConn {
    /// Takes a connection from the pool and prepares the session: UTC, ISO dates, and a
    /// server-side limit on every statement (PostgreSQL `statement_timeout`, MariaDB
    /// `max_statement_time`, MySQL `max_execution_time`; SQLite has no server).
    pub fn open(db: &Db, statement_timeout: Duration) -> BoxFuture<'_, Result<RowConn>> {
        Box::pin(Self::open_inner(db, statement_timeout))
    }

    async fn open_inner(db: &Db, statement_timeout: Duration) -> Result<RowConn> {
        let acquire =
            |e: sqlx::Error| crate::dialect::error::db("opening a connection to read rows", e);
        match db {
            Db::Pg(pool) => {
                let mut c = pool.acquire().await.map_err(acquire)?;
                let f: BoxFuture<'_, _> =
                    Box::pin(postgres::rows::prepare_session(&mut c, statement_timeout));
                f.await?;
                Ok(RowConn::Pg(c))
            }
            Db::My(pool) => {
                let mut c = pool.acquire().await.map_err(acquire)?;
                let f: BoxFuture<'_, _> =
                    Box::pin(mysql::rows::prepare_session(&mut c, statement_timeout));
                f.await?;
                Ok(RowConn::My(c))
            }
            Db::Lite(pool) => Ok(RowConn::Lite(pool.acquire().await.map_err(acquire)?)),
        }
    }

    /// The next page: up to `limit` rows with a key greater than `after` (the raw key bytes of
    /// the last row read), in key order, handed to `sink` in chunks of `chunk` rows as they
    /// arrive (so a page can be much larger than what is held in memory). Stops early when the
    /// sink returns false.
    pub fn page<'a>(
        &'a mut self,
        spec: &'a ReadSpec,
        after: Option<&'a [u8]>,
        limit: usize,
        chunk: usize,
        sink: &'a mut Sink,
    ) -> BoxFuture<'a, Result<PageEnd>> {
        // Boxed: a `Send` future the engine can spawn (sqlx's executors trip the compiler's
        // higher-ranked lifetime inference otherwise).
        Box::pin(self.page_inner(spec, after, limit, chunk, sink))
    }

    async fn page_inner(
        &mut self,
        spec: &ReadSpec,
        after: Option<&[u8]>,
        limit: usize,
        chunk: usize,
        sink: &mut Sink,
    ) -> Result<PageEnd> {
        let after = match after {
            Some(b) => Some(crate::model::rows::decode_key(b).ok_or_else(|| {
                Error::db(
                    format!("reading {}", spec.display()),
                    "a stored key does not decode",
                )
            })?),
            None => None,
        };
        let mut out = Chunker::new(chunk, sink);
        match self {
            RowConn::Pg(c) => {
                let f: BoxFuture<'_, _> = Box::pin(postgres::rows::page(
                    c,
                    spec,
                    after.as_deref(),
                    limit,
                    &mut out,
                ));
                f.await?
            }
            RowConn::My(c) => {
                let f: BoxFuture<'_, _> = Box::pin(mysql::rows::page(
                    c,
                    spec,
                    after.as_deref(),
                    limit,
                    &mut out,
                ));
                f.await?
            }
            RowConn::Lite(c) => {
                let f: BoxFuture<'_, _> = Box::pin(sqlite::rows::page(
                    c,
                    spec,
                    after.as_deref(),
                    limit,
                    &mut out,
                ));
                f.await?
            }
        }
        Ok(out.finish().await)
    }

    /// Every row, in no particular order (tables compared as a multiset).
    pub fn scan<'a>(
        &'a mut self,
        spec: &'a ReadSpec,
        each: &'a mut (dyn FnMut(RowRec) -> Result<()> + Send),
    ) -> BoxFuture<'a, Result<u64>> {
        match self {
            RowConn::Pg(c) => Box::pin(postgres::rows::scan(c, spec, each)),
            RowConn::My(c) => Box::pin(mysql::rows::scan(c, spec, each)),
            RowConn::Lite(c) => Box::pin(sqlite::rows::scan(c, spec, each)),
        }
    }

    /// Reads every row in key order in one query and touches every value without decoding or
    /// hashing: the physical bound a diff is measured against (`sluice bench data`).
    pub fn read_bound<'a>(&'a mut self, spec: &'a ReadSpec) -> BoxFuture<'a, Result<u64>> {
        match self {
            RowConn::Pg(c) => Box::pin(postgres::rows::read_bound(c, spec)),
            RowConn::My(c) => Box::pin(mysql::rows::read_bound(c, spec)),
            RowConn::Lite(c) => Box::pin(sqlite::rows::read_bound(c, spec)),
        }
    }

    /// The database's estimate of the table's row count (for progress), when it has one.
    pub fn estimate_rows<'a>(&'a mut self, spec: &'a ReadSpec) -> BoxFuture<'a, Option<u64>> {
        match self {
            RowConn::Pg(c) => Box::pin(postgres::rows::estimate(c, spec)),
            RowConn::My(c) => Box::pin(mysql::rows::estimate(c, spec)),
            RowConn::Lite(c) => Box::pin(sqlite::rows::estimate(c, spec)),
        }
    }

    /// The server's name for this connection (PostgreSQL backend pid, MySQL connection id), so
    /// that [`stop_statement`] can stop what it runs from elsewhere.
    pub fn server_id(&mut self) -> BoxFuture<'_, Option<u64>> {
        Box::pin(async move {
            match self {
                RowConn::Pg(c) => sqlx::query_scalar::<_, i32>("SELECT pg_backend_pid()")
                    .fetch_one(&mut **c)
                    .await
                    .ok()
                    .and_then(|p| u64::try_from(p).ok()),
                RowConn::My(c) => sqlx::query_scalar::<_, u64>("SELECT CONNECTION_ID()")
                    .fetch_one(&mut **c)
                    .await
                    .ok(),
                RowConn::Lite(_) => None,
            }
        })
    }
}

/// Stops the statement connection `id` of `db` runs (a reader the job gave up on: cancelled),
/// from another connection: PostgreSQL `pg_cancel_backend`, MySQL `KILL QUERY`. SQLite reads in
/// this process and stops by itself.
pub fn stop_statement(db: &Db, id: u64) -> BoxFuture<'_, ()> {
    Box::pin(async move {
        match db {
            Db::Pg(pool) => {
                if let Ok(pid) = i32::try_from(id) {
                    let _ = sqlx::query("SELECT pg_cancel_backend($1)")
                        .bind(pid)
                        .execute(pool)
                        .await;
                }
            }
            Db::My(pool) => {
                let _ = sqlx::raw_sql(&format!("KILL QUERY {id}"))
                    .execute(pool)
                    .await;
            }
            Db::Lite(_) => {}
        }
    })
}

/// The file of a SQLite database: its rows are read through the C API in a blocking thread
/// ([`LocalReader`]), not through the pool.
pub fn sqlite_path(db: &Db) -> Option<std::path::PathBuf> {
    match db {
        Db::Lite(pool) => Some(pool.connect_options().get_filename().to_path_buf()),
        _ => None,
    }
}

/// A side whose rows are read in this process rather than through the pool: SQLite, through
/// its C API, several times faster than its async driver, which moves every row through a worker
/// thread. Every method blocks: call it from a blocking thread (`spawn_blocking`).
#[derive(Debug, Clone)]
pub struct LocalReader {
    path: std::path::PathBuf,
}

impl LocalReader {
    /// The in-process reader for `db`, if its rows are read that way (`None`: a server, read
    /// through [`RowConn`]).
    pub fn of(db: &Db) -> Option<LocalReader> {
        sqlite_path(db).map(|path| LocalReader { path })
    }

    /// Keyset pages of up to `page_rows` rows after `after` (raw key bytes), handed to `sink`
    /// in chunks of `chunk`. True at the end of the table, false when the sink stopped it.
    pub fn read_pages(
        &self,
        spec: &ReadSpec,
        after: Option<Vec<u8>>,
        page_rows: usize,
        chunk: usize,
        sink: &mut dyn FnMut(Vec<RowRec>) -> bool,
    ) -> Result<bool> {
        sqlite::rows::read_pages_blocking(&self.path, spec, after, page_rows, chunk, sink)
    }

    /// Every row, in no particular order (tables compared as a multiset).
    pub fn scan(&self, spec: &ReadSpec, each: &mut dyn FnMut(RowRec) -> Result<()>) -> Result<u64> {
        sqlite::rows::scan_blocking(&self.path, spec, each)
    }

    /// The read bound ([`RowConn::read_bound`]): every row in key order, every value touched.
    pub fn read_bound(&self, spec: &ReadSpec) -> Result<u64> {
        sqlite::rows::read_bound_blocking(&self.path, spec)
    }
}

/// Runs `SELECT count(*) …` queries on one connection, after `prelude` (SQLite's `ATTACH`, so
/// that one connection reads both files): the benchmark's truth, counted by SQL. `context` says
/// what the counts are for, in an error.
pub async fn count_on_one_connection(
    db: &Db,
    context: &str,
    prelude: Option<&str>,
    queries: &[String],
) -> Result<Vec<u64>> {
    let fail = |e: sqlx::Error| super::error::db(context, e);
    let mut out = Vec::with_capacity(queries.len());
    match db {
        Db::Pg(p) => {
            let mut c = p.acquire().await.map_err(fail)?;
            if let Some(pre) = prelude {
                sqlx::Executor::execute(&mut *c, pre).await.map_err(fail)?;
            }
            for q in queries {
                let n: i64 = sqlx::query_scalar(q.as_str())
                    .fetch_one(&mut *c)
                    .await
                    .map_err(fail)?;
                out.push(u64::try_from(n).unwrap_or(0));
            }
        }
        Db::My(p) => {
            let mut c = p.acquire().await.map_err(fail)?;
            if let Some(pre) = prelude {
                sqlx::Executor::execute(&mut *c, pre).await.map_err(fail)?;
            }
            for q in queries {
                let n: i64 = sqlx::query_scalar(q.as_str())
                    .fetch_one(&mut *c)
                    .await
                    .map_err(fail)?;
                out.push(u64::try_from(n).unwrap_or(0));
            }
        }
        Db::Lite(p) => {
            let mut c = p.acquire().await.map_err(fail)?;
            if let Some(pre) = prelude {
                sqlx::Executor::execute(&mut *c, pre).await.map_err(fail)?;
            }
            for q in queries {
                let n: i64 = sqlx::query_scalar(q.as_str())
                    .fetch_one(&mut *c)
                    .await
                    .map_err(fail)?;
                out.push(u64::try_from(n).unwrap_or(0));
            }
        }
    }
    Ok(out)
}

/// Error context for a page or scan.
pub(crate) fn ctx(spec: &ReadSpec) -> String {
    format!("reading rows of {}", spec.display())
}

/// Runs a script of simple statements separated by `;` (no `;` inside literals), one at a time:
/// for generated benchmark data, never for user input.
pub async fn exec_script(db: &Db, script: &str) -> Result<()> {
    for stmt in script.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let r = match db {
            Db::Pg(p) => sqlx::Executor::execute(p, stmt).await.map(|_| ()),
            Db::My(p) => sqlx::Executor::execute(p, stmt).await.map(|_| ()),
            Db::Lite(p) => sqlx::Executor::execute(p, stmt).await.map(|_| ()),
        };
        r.map_err(|e| crate::dialect::error::db("running a generated script", e))?;
    }
    Ok(())
}

/// Like `exec_script`, in one transaction on one connection: all of it or none (PostgreSQL and
/// SQLite; MySQL commits DDL as it goes).
pub async fn exec_in_transaction(db: &Db, script: &str) -> Result<()> {
    let stmts: Vec<&str> = script
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let err = |e| crate::dialect::error::db("running a generated script", e);
    macro_rules! run {
        ($pool:expr) => {{
            let mut tx = $pool.begin().await.map_err(err)?;
            for stmt in &stmts {
                sqlx::Executor::execute(&mut *tx, *stmt)
                    .await
                    .map_err(err)?;
            }
            tx.commit().await.map_err(err)
        }};
    }
    match db {
        Db::Pg(p) => run!(p),
        Db::My(p) => run!(p),
        Db::Lite(p) => run!(p),
    }
}
