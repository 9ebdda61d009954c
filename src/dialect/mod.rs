//! Everything that differs per database: introspection (catalog queries), type families, quoting,
//! connections. One folder per dialect with the same files; the rest of the crate sees only
//! [`Db`], [`inspect`] and the pure helpers.

pub mod db;
pub mod mysql;
pub mod postgres;
pub mod quote;
pub mod rows;
pub mod sqlite;
pub mod types;

pub use db::{Access, Db, DbUrl};

use crate::error::{Error, Result};
use crate::model::plan::{ApplyOptions, ApplyReport, Step};
use crate::model::{Catalog, Change, Dialect, Filter};

/// Reads the whole catalog of a live database: one query per object kind, system schemas left out,
/// `filter` applied, every list in canonical order.
pub async fn inspect(db: &Db, filter: &Filter) -> Result<Catalog> {
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
            renders: false,
        },
        Dialect::Mysql => Capabilities {
            transactional_ddl: false,
            renders: false,
        },
    }
}

/// What a renderer may need beyond the change itself: both catalogs.
pub struct RenderCtx<'a> {
    pub source: &'a Catalog,
    pub target: &'a Catalog,
}

/// Rewrites a diff's changes into the ones the dialect can carry out (SQLite turns most table
/// alterations into one rebuild per table). Runs before the plan is ordered.
pub fn prepare(d: Dialect, changes: Vec<Change>, _ctx: &RenderCtx) -> Vec<Change> {
    match d {
        Dialect::Postgres | Dialect::Mysql | Dialect::Sqlite => changes,
    }
}

/// The statements that make `change` in dialect `d`, in order.
pub fn render(d: Dialect, change: &Change, ctx: &RenderCtx) -> Vec<String> {
    match d {
        Dialect::Postgres => postgres::render::render(change, ctx),
        Dialect::Mysql | Dialect::Sqlite => Vec::new(),
    }
}

/// Runs planned steps against a database, the way that database allows.
pub async fn apply(db: &Db, steps: &[Step], opts: &ApplyOptions) -> Result<ApplyReport> {
    match db {
        Db::Pg(pool) => postgres::apply::apply(pool, steps, opts).await,
        other => Err(Error::usage(format!(
            "apply to {} is not supported yet",
            other.dialect()
        ))),
    }
}
