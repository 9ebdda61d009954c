//! Everything that differs per database: introspection (catalog queries), type families, quoting,
//! connections. One folder per dialect with the same files; the rest of the crate sees only
//! [`Db`], [`inspect`] and the pure helpers.

pub mod db;
pub mod mysql;
pub mod postgres;
pub mod quote;
pub mod sqlite;

pub use db::{Access, Db, DbUrl};

use crate::error::Result;
use crate::model::{Catalog, Filter};

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
