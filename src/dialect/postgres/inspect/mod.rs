//! PostgreSQL introspection: one catalog query per object kind (`queries/*.sql`), all inside one
//! read-only REPEATABLE READ transaction so that the catalog is a consistent picture, with
//! `search_path` empty so that every name the server prints is schema-qualified and the same on
//! both sides of a comparison.
//!
//! Files: this one (the session, the [`Inspector`] every query fills in, schemas, extensions and
//! what is unsupported), `types.rs` (enums, domains, composite types, sequences), `tables.rs`
//! (relations, columns, policies), `constraints.rs` (keys, checks, foreign keys, indexes),
//! `routines.rs` (triggers, what views read, functions).

use std::collections::HashMap;

use sqlx::postgres::{PgPool, PgRow};
use sqlx::{Postgres, Row, Transaction};

use crate::error::Result;
use crate::model::{Catalog, Dialect, Extension, Filter, Schema, Unsupported};

mod constraints;
mod routines;
mod tables;
mod types;

pub use constraints::strip_outer_parens;

const Q_SCHEMAS: &str = include_str!("../queries/schemas.sql");
const Q_EXTENSIONS: &str = include_str!("../queries/extensions.sql");
const Q_UNSUPPORTED: &str = include_str!("../queries/unsupported.sql");

/// Reads one column of a catalog row, naming the query and column when it does not decode.
fn get<'r, T>(row: &'r PgRow, query: &str, col: &str) -> Result<T>
where
    T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
{
    row.try_get::<T, _>(col)
        .map_err(|e| crate::dialect::error::db(format!("reading {query}.{col}"), e))
}

async fn fetch(tx: &mut Transaction<'_, Postgres>, name: &str, sql: &str) -> Result<Vec<PgRow>> {
    sqlx::query(sql)
        .fetch_all(&mut **tx)
        .await
        .map_err(|e| crate::dialect::error::db(format!("inspecting PostgreSQL {name}"), e))
}

/// Where a relation went, so that columns, indexes and triggers can follow it.
enum Slot {
    Table(usize, usize),
    View(usize, usize),
    Skipped,
}

pub async fn inspect(pool: &PgPool, filter: &Filter) -> Result<Catalog> {
    let mut tx = pool
        .begin()
        .await
        .map_err(|e| crate::dialect::error::db("starting the inspection transaction", e))?;
    for stmt in [
        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
        "SET LOCAL search_path = ''",
        "SET LOCAL TimeZone = 'UTC'",
        "SET LOCAL DateStyle = 'ISO, YMD'",
        "SET LOCAL IntervalStyle = 'postgres'",
        "SET LOCAL statement_timeout = '300s'",
        "SET LOCAL lock_timeout = '30s'",
    ] {
        sqlx::query(stmt)
            .execute(&mut *tx)
            .await
            .map_err(|e| crate::dialect::error::db("preparing the inspection session", e))?;
    }

    let head =
        sqlx::query("SELECT current_setting('server_version') AS v, current_database()::text AS d")
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| crate::dialect::error::db("reading the server version", e))?;
    let cat = Catalog {
        dialect: Some(Dialect::Postgres),
        flavor: "postgres".into(),
        server_version: get(&head, "version", "v")?,
        database: get(&head, "version", "d")?,
        default_schema: "public".into(),
        ..Catalog::default()
    };

    let mut ins = Inspector {
        tx,
        filter,
        cat,
        schema_index: HashMap::new(),
        enum_labels: HashMap::new(),
        slots: HashMap::new(),
    };
    ins.schemas().await?;
    ins.types().await?;
    ins.relations().await?;
    ins.columns().await?;
    ins.sequences().await?;
    ins.constraints().await?;
    ins.indexes().await?;
    ins.policies().await?;
    ins.triggers().await?;
    ins.view_deps().await?;
    ins.functions().await?;
    ins.extensions().await?;
    ins.unsupported().await?;

    let Inspector { tx, cat, .. } = ins;
    tx.rollback()
        .await
        .map_err(|e| crate::dialect::error::db("ending the inspection transaction", e))?;
    Ok(cat)
}

/// One inspection: the transaction every query runs in, and what later queries need of
/// earlier ones (where each schema and relation went, enum labels for columns).
struct Inspector<'f> {
    tx: Transaction<'static, Postgres>,
    filter: &'f Filter,
    cat: Catalog,
    /// Schema name → index in `cat.schemas` (the schemas the filter selects).
    schema_index: HashMap<String, usize>,
    /// (schema, enum) → labels, for the families of enum columns.
    enum_labels: HashMap<(String, String), Vec<String>>,
    /// Where each relation went.
    slots: HashMap<(String, String), Slot>,
}

impl Inspector<'_> {
    async fn fetch(&mut self, name: &str, sql: &str) -> Result<Vec<PgRow>> {
        fetch(&mut self.tx, name, sql).await
    }

    /// The schemas the filter selects.
    async fn schemas(&mut self) -> Result<()> {
        for row in self.fetch("schemas", Q_SCHEMAS).await? {
            let name: String = get(&row, "schemas", "name")?;
            if !self.filter.schema_matches(&name) {
                continue;
            }
            self.cat.schemas.push(Schema {
                name,
                comment: get(&row, "schemas", "comment")?,
                ..Schema::default()
            });
        }
        self.schema_index = self
            .cat
            .schemas
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), i))
            .collect();
        Ok(())
    }

    /// Installed extensions.
    async fn extensions(&mut self) -> Result<()> {
        for row in self.fetch("extensions", Q_EXTENSIONS).await? {
            let q = "extensions";
            self.cat.extensions.push(Extension {
                name: get(&row, q, "name")?,
                version: get(&row, q, "version")?,
                schema: get(&row, q, "schema")?,
            });
        }
        Ok(())
    }

    /// Everything else we know exists but cannot describe.
    async fn unsupported(&mut self) -> Result<()> {
        for row in self.fetch("other objects", Q_UNSUPPORTED).await? {
            let q = "unsupported";
            let schema: String = get(&row, q, "schema")?;
            if !schema.is_empty() && !self.schema_index.contains_key(&schema) {
                continue;
            }
            let parent: Option<String> = get(&row, q, "parent")?;
            if let Some(p) = &parent {
                if !self.filter.table_matches(&schema, p) {
                    continue;
                }
            }
            let kind: String = get(&row, q, "kind")?;
            self.cat.unsupported.push(Unsupported {
                reason: format!("{kind}s are not modelled yet"),
                kind,
                schema,
                name: get(&row, q, "name")?,
                parent,
                definition: get(&row, q, "definition")?,
            });
        }
        Ok(())
    }
}
