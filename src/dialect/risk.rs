//! Risk, as each database makes it — the engine's rules (`engine::risk`) reach the databases only
//! through here:
//! - [`probes`]: the `SELECT count(*) …` queries that count, on TARGET, what a change would break
//!   or lose (`<db>/probe.rs`, on the shared skeleton in [`super::probe`]);
//! - [`Counter`]: runs them, each read-only on its own with a statement and lock limit
//!   (`<db>/risk.rs`), so that a count never writes, never waits long and never fails the plan;
//! - [`words`]: what the static rules say that depends on TARGET's dialect (how a table is
//!   rewritten and locked, and what to do instead), one table per dialect (`<db>/risk.rs`).

use std::time::Duration;

use super::{Db, mysql, postgres, sqlite};
use crate::model::{Catalog, Change, Dialect, PlanNames, Probes};

pub use super::probe::int_digits;
/// A SQLite column's affinity, from its declared type: what a type change does to stored values.
pub use super::sqlite::probe::Affinity;

/// How long one count may run on the target before it is cancelled.
pub const PROBE_STATEMENT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one count may wait for a lock (a count needs only ACCESS SHARE, but waits behind an
/// ACCESS EXCLUSIVE request).
pub const PROBE_LOCK_TIMEOUT: Duration = Duration::from_secs(2);

/// Limits for the counts made on the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeOptions {
    pub statement_timeout: Duration,
    pub lock_timeout: Duration,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            statement_timeout: PROBE_STATEMENT_TIMEOUT,
            lock_timeout: PROBE_LOCK_TIMEOUT,
        }
    }
}

/// The probes dialect `d` writes for a change, with the names of the plan it belongs to.
/// Adding a dialect's counts = adding its `probe.rs` and one arm here.
pub fn probes(d: Dialect, change: &Change, target: &Catalog, names: &PlanNames) -> Probes {
    match d {
        Dialect::Postgres => postgres::probe::plan(change, target, names),
        Dialect::Mysql => mysql::probe::plan(change, target, names),
        Dialect::Sqlite => sqlite::probe::plan(change, target, names),
    }
}

/// What the static rules say that depends on TARGET's dialect: how a table is rewritten and
/// locked, and what to do instead. One table per dialect ([`words`]).
#[derive(Debug)]
pub struct Words {
    /// What rewriting a table costs (`…: rewrites the whole table under an ACCESS EXCLUSIVE lock`).
    pub rewrite: &'static str,
    pub rewrite_hint: &'static str,
    /// What is left of a rewrite once the counts show nothing in the way (`…; still …`).
    pub still: &'static str,
    pub not_null: &'static str,
    pub not_null_hint: &'static str,
    pub not_null_clean: &'static str,
    pub primary_key: &'static str,
    pub primary_key_hint: &'static str,
    pub unique: &'static str,
    pub unique_hint: &'static str,
    pub unique_index: &'static str,
    pub unique_index_hint: &'static str,
    pub index: &'static str,
    pub index_hint: &'static str,
    pub foreign_key: &'static str,
    pub foreign_key_hint: &'static str,
    pub check: &'static str,
    pub check_hint: &'static str,
    pub drop_table_hint: &'static str,
    /// After `queries that use it get slower`.
    pub drop_index: &'static str,
    pub drop_index_hint: &'static str,
    pub drop_primary_key: &'static str,
    pub drop_unique: &'static str,
    pub drop_unique_hint: &'static str,
    pub drop_function_hint: &'static str,
    pub time_zone: &'static str,
    pub time_zone_hint: &'static str,
    /// After `fix or remove the offending rows first`.
    pub failure_note: &'static str,
}

/// TARGET's dialect's phrases for the static rules.
pub fn words(d: Dialect) -> &'static Words {
    match d {
        Dialect::Postgres => &postgres::risk::WORDS,
        Dialect::Mysql => &mysql::risk::WORDS,
        Dialect::Sqlite => &sqlite::risk::WORDS,
    }
}

/// Why a count was not made.
pub(crate) enum CountError {
    /// The query failed (timeout, permission, bad expression): the next one may work.
    Query(String),
    /// No connection: nothing else will work either.
    Connection(String),
}

impl CountError {
    /// A driver error: a server's answer is about this query, anything else about the connection.
    pub(crate) fn from_sqlx(e: sqlx::Error) -> CountError {
        let m = super::error::message(&e);
        match e {
            sqlx::Error::Database(_) => CountError::Query(m),
            _ => CountError::Connection(m),
        }
    }

    /// A failed count, with the limit named when the statement limit cut it short (`timed_out`
    /// says which kinds of failure that is on this database).
    pub(crate) fn of_count(
        e: sqlx::Error,
        timed_out: impl Fn(crate::error::DbErrorKind) -> bool,
        opts: &ProbeOptions,
    ) -> CountError {
        if timed_out(super::error::kind(&e)) {
            CountError::Query(format!(
                "{} (limit {}s)",
                super::error::message(&e),
                opts.statement_timeout.as_secs_f32()
            ))
        } else {
            CountError::from_sqlx(e)
        }
    }
}

/// Runs counts on the target, one read-only transaction each.
pub struct Counter<'a> {
    db: &'a Db,
    opts: ProbeOptions,
    /// Set when the target cannot be reached: later counts are not attempted.
    broken: Option<String>,
    /// Whether a MySQL-protocol target is MariaDB (asked once).
    mariadb: Option<bool>,
}

impl<'a> Counter<'a> {
    pub fn new(db: &'a Db, opts: ProbeOptions) -> Self {
        Counter {
            db,
            opts,
            broken: None,
            mariadb: None,
        }
    }

    /// TARGET's dialect: the one whose probes this counter runs.
    pub fn dialect(&self) -> Dialect {
        self.db.dialect()
    }

    /// Runs one probe's `SELECT count(*) …`. The error is a line for people (`could not count:
    /// …` follows from it); once the connection is lost every later count fails the same way.
    pub async fn count(&mut self, sql: &str) -> Result<u64, String> {
        if let Some(b) = &self.broken {
            return Err(b.clone());
        }
        let r = match self.db {
            Db::Pg(pool) => postgres::risk::count(pool, sql, &self.opts).await,
            Db::My(pool) => mysql::risk::count(pool, sql, &self.opts, &mut self.mariadb).await,
            Db::Lite(pool) => sqlite::risk::count(pool, sql, &self.opts).await,
        };
        match r {
            Ok(n) => Ok(n),
            Err(CountError::Query(m)) => Err(m),
            Err(CountError::Connection(m)) => {
                self.broken = Some(m.clone());
                Err(m)
            }
        }
    }
}
