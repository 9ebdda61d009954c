//! Everything that differs per database: introspection (catalog queries), type families, quoting,
//! connections. One folder per dialect with the same files; the rest of the crate sees only
//! [`Db`], [`inspect`] and the pure helpers.

pub mod db;
pub mod error;
pub mod guard;
pub mod journal;
pub mod mysql;
pub mod postgres;
pub mod probe;
pub mod quote;
pub mod risk;
pub mod rows;
pub mod sqlite;
pub mod types;

pub use db::{Access, Db, DbUrl};
pub use guard::{ApplyLock, identity, lock_apply};

use crate::error::Result;
use crate::model::plan::{ApplyOptions, ApplyReport, Step};
use crate::model::{Catalog, Change, Column, Dialect, Filter, Sequence};

/// Reads the whole catalog of a live database: one query per object kind, system schemas left out,
/// `filter` applied, every list in canonical order.
pub async fn inspect(db: &Db, filter: &Filter) -> Result<Catalog> {
    // Names compare as this database compares them (MySQL and SQLite ignore case).
    let filter = &filter.for_dialect(Some(db.dialect()));
    let mut catalog = match db {
        Db::Pg(pool) => postgres::inspect::inspect(pool, filter).await?,
        Db::My(pool) => mysql::inspect::inspect(pool, filter).await?,
        Db::Lite(pool) => sqlite::inspect::inspect(pool, filter).await?,
    };
    catalog.normalize_order();
    Ok(catalog)
}

/// What a dialect can do, as data (never `if dialect == …` elsewhere).
#[derive(Debug, Clone, Copy)]
pub struct Capabilities {
    /// DDL runs inside a transaction and rolls back with it.
    pub transactional_ddl: bool,
    /// sluice can render and apply changes for it.
    pub renders: bool,
}

pub fn capabilities(d: Dialect) -> Capabilities {
    match d {
        Dialect::Postgres => Capabilities {
            transactional_ddl: true,
            renders: true,
        },
        Dialect::Sqlite => Capabilities {
            transactional_ddl: true,
            renders: true,
        },
        Dialect::Mysql => Capabilities {
            transactional_ddl: false,
            renders: true,
        },
    }
}

/// One statement as a client script (`psql`, `mysql`) takes it, terminator included. The MySQL
/// client splits scripts at `;`, so a statement with `;` inside (a trigger or routine body) is
/// written between `DELIMITER` lines.
pub fn script_statement(d: Dialect, sql: &str) -> String {
    match d {
        Dialect::Mysql if sql.contains(';') => format!("DELIMITER $$\n{sql}$$\nDELIMITER ;"),
        _ => format!("{sql};"),
    }
}

/// A script as apply runs it (a person's edit of `up.sql`): the MySQL client's statements (split
/// at the delimiter, `DELIMITER` lines obeyed); PostgreSQL and SQLite take the text whole (their
/// drivers run several statements in one simple query).
pub fn script_statements(d: Dialect, text: &str) -> Vec<String> {
    match d {
        Dialect::Mysql => mysql::script::statements(text),
        Dialect::Postgres | Dialect::Sqlite => vec![text.to_string()],
    }
}

/// What a renderer may need beyond the change itself: both catalogs.
pub struct RenderCtx<'a> {
    pub source: &'a Catalog,
    pub target: &'a Catalog,
}

/// Rewrites a diff's changes into the ones the dialect can carry out (SQLite turns most table
/// alterations into one rebuild per table). Runs before the plan is ordered.
pub fn prepare(d: Dialect, changes: Vec<Change>, ctx: &RenderCtx) -> Vec<Change> {
    match d {
        Dialect::Sqlite => sqlite::prepare::prepare(changes, ctx),
        Dialect::Mysql => mysql::prepare::prepare(changes, ctx),
        Dialect::Postgres => changes,
    }
}

/// Whether creating column `column` of `schema.table` in dialect `d` makes the sequence `seq` by
/// itself, so that the sequence needs no change of its own: a PostgreSQL column of exactly
/// `serial`'s shape (owner, name, type, options, default) is rendered as `serial`.
pub fn column_makes_sequence(
    d: Dialect,
    schema: &str,
    table: &str,
    column: &Column,
    seq: &Sequence,
) -> bool {
    match d {
        Dialect::Postgres => {
            postgres::render::serial_kind(schema, table, column, Some(seq)).is_some()
        }
        Dialect::Mysql | Dialect::Sqlite => false,
    }
}

/// Statements a hand-run script of a plan must run before its transaction, as `apply` does:
/// SQLite turns foreign keys off (inside a transaction that pragma does nothing), so that
/// rebuilding a parent table fires no `ON DELETE CASCADE`; PostgreSQL does not check function
/// bodies (as pg_dump does), so that a function may name a table or view created after it.
pub fn script_prologue(d: Dialect) -> &'static [&'static str] {
    match d {
        Dialect::Sqlite => &["PRAGMA foreign_keys = OFF"],
        Dialect::Postgres => &["SET check_function_bodies = off"],
        Dialect::Mysql => &[],
    }
}

/// The statements that make `change` in dialect `d`, in order.
pub fn render(d: Dialect, change: &Change, ctx: &RenderCtx) -> Vec<String> {
    match d {
        Dialect::Postgres => postgres::render::render(change, ctx),
        Dialect::Sqlite => sqlite::render::render(change, ctx),
        Dialect::Mysql => mysql::render::render(change, ctx),
    }
}

/// Runs planned steps against a database, the way that database allows. Databases whose DDL is
/// not transactional keep `journal` (when given) so that a re-run resumes where one stopped.
pub async fn apply(
    db: &Db,
    steps: &[Step],
    opts: &ApplyOptions,
    journal: Option<&journal::JournalSpec>,
    cancel: &crate::cancel::Cancel,
    on_step: crate::model::plan::OnStep<'_>,
) -> Result<ApplyReport> {
    match db {
        Db::Pg(pool) => postgres::apply::apply(pool, steps, opts, cancel, on_step).await,
        Db::Lite(pool) => sqlite::apply::apply(pool, steps, opts, cancel, on_step).await,
        Db::My(pool) => mysql::apply::apply(pool, steps, opts, journal, cancel, on_step).await,
    }
}

/// Stops a statement that a killed apply left running on the server (MySQL/MariaDB, where the
/// journal names its connection): connection `connection`, if it still runs `sql`. Elsewhere a
/// killed client's transaction is rolled back by the server itself: nothing to do.
pub async fn stop_stale_statement(db: &Db, connection: u64, sql: &str) -> Result<()> {
    match db {
        Db::My(pool) => mysql::apply::stop_stale(pool, connection, sql).await,
        Db::Pg(_) | Db::Lite(_) => Ok(()),
    }
}

/// The server's version as it reports it (`16.4`, `10.11.6-MariaDB`, `3.46.0`).
pub async fn server_version(db: &Db) -> Result<String> {
    let ctx = "reading the server version";
    match db {
        Db::Pg(pool) => sqlx::query_scalar::<_, String>("SELECT current_setting('server_version')")
            .fetch_one(pool)
            .await
            .map_err(|e| error::db(ctx, e)),
        Db::My(pool) => sqlx::query_scalar::<_, String>("SELECT VERSION()")
            .fetch_one(pool)
            .await
            .map_err(|e| error::db(ctx, e)),
        Db::Lite(pool) => sqlx::query_scalar::<_, String>("SELECT sqlite_version()")
            .fetch_one(pool)
            .await
            .map_err(|e| error::db(ctx, e)),
    }
}
