//! SQLite 3.35+ introspection.
//!
//! One query per object kind (`queries/*.sql`): `sqlite_schema` joined with the table-valued pragma
//! functions gives columns, indexes and foreign keys of every table at once, all inside one read
//! transaction so that they describe the same moment. What the pragmas do not tell (constraint
//! names, CHECK expressions, collations, generated expressions, deferrability, partial-index
//! predicates, trigger parts) is read from the stored `CREATE` statements by [`super::parse`].
//!
//! Decisions, so that two catalogs compare the way a person expects:
//! - A rowid alias (`INTEGER PRIMARY KEY` of a rowid table) is `nullable = false`: the pragma says
//!   `notnull = 0`, but SQLite never stores NULL there. Other primary-key columns of rowid tables
//!   record what the pragma says (legacy SQLite accepts NULLs in them); WITHOUT ROWID tables
//!   enforce NOT NULL on their key and the pragma says so.
//! - Only `AUTOINCREMENT` is an identity; a bare rowid alias has none.
//! - Unnamed constraints get stable generated names: `<table>_<cols>_key` (UNIQUE),
//!   `<table>_<cols>_fkey` (foreign keys), `<table>_check_<n>` (CHECK, `n` counting the unnamed
//!   checks in order of appearance). A name used twice in one table gets `_2`, `_3`, … in order of
//!   declaration.
//! - Collations are recorded unless they are `BINARY`, SQLite's default.
//! - A foreign key's parent table and columns are given with the parent's own spelling when the
//!   parent exists (SQLite matches them case-insensitively); implicit parent columns are resolved
//!   to the parent's primary key.
//! - UNIQUE constraints are `uniques`, never `indexes`; their `sqlite_autoindex_*` indexes are not
//!   listed.
//! - Virtual tables (FTS5, R*Tree, …) are `unsupported`; their shadow tables are named in that
//!   entry and not reported as tables. A statement the parser cannot read is reported as
//!   `unsupported` too, next to what the pragmas could still tell.
//!
//! Files: this one ([`inspect`]: one read transaction), `read.rs` (the catalog queries and their
//! rows), `build.rs` (rows → catalog: sorting the objects out, views, triggers, virtual tables),
//! `table.rs` (one table: columns, keys, constraints, indexes, foreign keys).

use sqlx::sqlite::SqlitePool;

use crate::error::Result;
use crate::model::{Catalog, Filter};

const SCHEMA: &str = "main";

mod build;
mod read;
mod table;

use build::build;
use read::read;

/// Reads the catalog of the `main` database.
pub async fn inspect(pool: &SqlitePool, filter: &Filter) -> Result<Catalog> {
    let mut tx = pool
        .begin()
        .await
        .map_err(|e| crate::dialect::error::db("sqlite: starting a read transaction", e))?;
    let raw = read(&mut tx).await;
    // Nothing was written; ending the transaction cannot lose anything.
    tx.rollback().await.ok();
    let mut catalog = build(raw?, filter);
    catalog.normalize_order();
    Ok(catalog)
}
