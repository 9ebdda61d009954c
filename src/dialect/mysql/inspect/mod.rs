//! MySQL 8 / MariaDB 10.6+ introspection from `information_schema`: one query per object kind
//! (`queries/*.sql`), for the database the connection is on.
//!
//! Decisions (see also [`super::normalize`] and [`super::types`]):
//! - The catalog has one schema, named after `DATABASE()`, which is also the default schema.
//! - Primary keys are recorded without a name: MySQL always calls them `PRIMARY`.
//! - A unique index that is a plain list of whole columns (BTREE, ascending, no prefix, no
//!   expression, visible, no comment) is a unique constraint and appears in `uniques` only. A unique index
//!   with prefix lengths, descending or functional parts, or of another kind (MariaDB's `HASH`
//!   long uniques) appears in `indexes` with `unique = true` and not in `uniques`, so nothing of it
//!   is lost.
//! - Indexes MySQL creates for foreign keys are real indexes and are kept.
//! - View definitions lose the `` `db`. `` qualifier the server adds to every name of the same
//!   database, so that one view in two databases of different names reads the same.
//! - MariaDB's `JSON` is `longtext` with a `json_valid()` check: the check is kept, and the
//!   column's family is JSON.
//! - Events, MariaDB sequences and packages, system versioning, partitioning, invisible columns,
//!   invisible (ignored) indexes and the order of several triggers on one timing and event are
//!   reported in `unsupported`.
//!
//! Files: this one (the connection, the [`Inspector`] every query fills in, reading cells),
//! `tables.rs` (tables, columns, views), `constraints.rs` (keys, indexes, foreign keys, checks),
//! `routines.rs` (triggers, functions and procedures, events).

use std::collections::BTreeMap;

use sqlx::mysql::{MySqlPool, MySqlRow};
use sqlx::pool::PoolConnection;
use sqlx::types::chrono::NaiveDateTime;
use sqlx::{MySql, Row};

use super::normalize::Flavor;
use crate::error::{Error, Result};
use crate::model::{Catalog, Dialect, Filter, Function, Schema, Table, Unsupported, View};

mod constraints;
mod routines;
mod tables;

const SERVER: &str = include_str!("../queries/server.sql");

/// Reads the catalog of the database the connection is on.
pub async fn inspect(pool: &MySqlPool, filter: &Filter) -> Result<Catalog> {
    let mut conn = pool
        .acquire()
        .await
        .map_err(|e| crate::dialect::error::db("MySQL introspection: getting a connection", e))?;

    let server = sqlx::query(SERVER)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| {
            crate::dialect::error::db("MySQL introspection: reading the server version", e)
        })?;
    let server = Cells::new(&server, "server");
    let database = server.text(0)?.ok_or_else(|| {
        Error::usage(
            "the MySQL connection is on no database: name one in the URL (mysql://host/DATABASE)",
        )
    })?;
    let version = server.text(1)?.unwrap_or_default();
    let flavor = Flavor::from_version(&version);

    let mut catalog = Catalog {
        dialect: Some(Dialect::Mysql),
        flavor: flavor.name().to_string(),
        server_version: version,
        database: database.clone(),
        default_schema: database.clone(),
        ..Catalog::default()
    };
    if !filter.schema_matches(&database) {
        return Ok(catalog);
    }

    let mut ins = Inspector {
        conn,
        flavor,
        schema: database.clone(),
        filter,
        tables: BTreeMap::new(),
        views: BTreeMap::new(),
        functions: Vec::new(),
        unsupported: Vec::new(),
    };
    ins.tables().await?;
    ins.views().await?;
    ins.columns().await?;
    ins.key_constraints().await?;
    ins.indexes().await?;
    ins.foreign_keys().await?;
    ins.checks().await?;
    ins.triggers().await?;
    ins.routines().await?;
    ins.events().await?;

    let Inspector {
        tables,
        views,
        functions,
        unsupported,
        ..
    } = ins;
    catalog.schemas.push(Schema {
        name: database,
        tables: tables.into_values().map(|t| t.table).collect(),
        views: views.into_values().collect(),
        functions,
        ..Schema::default()
    });
    catalog.unsupported = unsupported;
    catalog.normalize_order();
    Ok(catalog)
}

/// A table while it is being read, with what later queries need to know about it.
struct TableState {
    table: Table,
    /// The table's character set (derived from its collation), to leave out column charsets
    /// that merely repeat it.
    charset: Option<String>,
}

struct Inspector<'f> {
    conn: PoolConnection<MySql>,
    flavor: Flavor,
    schema: String,
    filter: &'f Filter,
    tables: BTreeMap<String, TableState>,
    views: BTreeMap<String, View>,
    functions: Vec<Function>,
    unsupported: Vec<Unsupported>,
}

impl Inspector<'_> {
    async fn fetch(&mut self, sql: &str, what: &str) -> Result<Vec<MySqlRow>> {
        sqlx::query(sql)
            .bind(&self.schema)
            .fetch_all(&mut *self.conn)
            .await
            .map_err(|e| {
                crate::dialect::error::db(format!("MySQL introspection: reading {what}"), e)
            })
    }

    fn unsupported(&mut self, kind: &str, name: &str, parent: Option<&str>, reason: &str) {
        self.unsupported.push(Unsupported {
            kind: kind.to_string(),
            schema: self.schema.clone(),
            name: name.to_string(),
            parent: parent.map(str::to_string),
            reason: reason.to_string(),
            definition: None,
        });
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty())
}

/// Reads cells of one row defensively: `information_schema` columns are `varchar` on one server,
/// `longtext` or binary-collated blobs on the other, and numbers are signed or unsigned.
struct Cells<'r> {
    row: &'r MySqlRow,
    what: &'static str,
}

impl<'r> Cells<'r> {
    fn new(row: &'r MySqlRow, what: &'static str) -> Self {
        Cells { row, what }
    }

    fn fail(&self, i: usize, msg: impl std::fmt::Display) -> Error {
        let col = self
            .row
            .columns()
            .get(i)
            .map(|c| sqlx::Column::name(c).to_string())
            .unwrap_or_else(|| format!("#{i}"));
        Error::db(
            format!("MySQL introspection: reading {} ({col})", self.what),
            msg,
        )
    }

    /// A text cell; NULL is `None`.
    fn text(&self, i: usize) -> Result<Option<String>> {
        if let Ok(v) = self.row.try_get::<Option<String>, _>(i) {
            return Ok(v);
        }
        if let Ok(v) = self.row.try_get::<Option<Vec<u8>>, _>(i) {
            return Ok(v.map(|b| String::from_utf8_lossy(&b).into_owned()));
        }
        if let Ok(v) = self.row.try_get::<Option<i64>, _>(i) {
            return Ok(v.map(|n| n.to_string()));
        }
        if let Ok(v) = self.row.try_get::<Option<u64>, _>(i) {
            return Ok(v.map(|n| n.to_string()));
        }
        if let Ok(v) = self.row.try_get::<Option<NaiveDateTime>, _>(i) {
            return Ok(v.map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string()));
        }
        if let Ok(v) = self.row.try_get::<Option<f64>, _>(i) {
            return Ok(v.map(|n| n.to_string()));
        }
        match self.row.try_get::<Option<String>, _>(i) {
            Ok(v) => Ok(v),
            Err(e) => Err(self.fail(i, e)),
        }
    }

    /// A text cell that must be there (a name).
    fn req(&self, i: usize) -> Result<String> {
        self.text(i)?.ok_or_else(|| self.fail(i, "unexpected NULL"))
    }

    /// A whole number; NULL is `None`.
    fn num(&self, i: usize) -> Result<Option<i64>> {
        if let Ok(v) = self.row.try_get::<Option<i64>, _>(i) {
            return Ok(v);
        }
        if let Ok(v) = self.row.try_get::<Option<u64>, _>(i) {
            return Ok(v.map(|n| i64::try_from(n).unwrap_or(i64::MAX)));
        }
        match self.text(i)? {
            None => Ok(None),
            Some(s) => s
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|e| self.fail(i, format!("'{s}' is not a whole number: {e}"))),
        }
    }
}
