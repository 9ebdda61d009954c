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

use std::collections::BTreeMap;

use sqlx::mysql::{MySqlPool, MySqlRow};
use sqlx::pool::PoolConnection;
use sqlx::types::chrono::NaiveDateTime;
use sqlx::{MySql, Row};

use super::normalize::{self, Flavor};
use super::types;
use crate::dialect::quote;
use crate::error::{Error, Result};
use crate::model::{
    Catalog, CheckConstraint, Column, Dialect, Filter, FkAction, ForeignKey, Function, Generated,
    Identity, Index, IndexKey, PrimaryKey, QualifiedName, RoutineKind, Schema, Table, Trigger,
    TypeFamily, UniqueConstraint, Unsupported, View,
};

const SERVER: &str = include_str!("queries/server.sql");
const TABLES: &str = include_str!("queries/tables.sql");
const COLUMNS: &str = include_str!("queries/columns.sql");
const KEY_CONSTRAINTS: &str = include_str!("queries/key_constraints.sql");
const FOREIGN_KEYS: &str = include_str!("queries/foreign_keys.sql");
const INDEXES_MYSQL: &str = include_str!("queries/indexes_mysql.sql");
const INDEXES_MARIADB: &str = include_str!("queries/indexes_mariadb.sql");
const CHECKS_MYSQL: &str = include_str!("queries/checks_mysql.sql");
const CHECKS_MARIADB: &str = include_str!("queries/checks_mariadb.sql");
const VIEWS: &str = include_str!("queries/views.sql");
const TRIGGERS: &str = include_str!("queries/triggers.sql");
const ROUTINES: &str = include_str!("queries/routines.sql");
const PARAMETERS: &str = include_str!("queries/parameters.sql");
const EVENTS: &str = include_str!("queries/events.sql");

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

    async fn tables(&mut self) -> Result<()> {
        for row in self.fetch(TABLES, "tables").await? {
            let r = Cells::new(&row, "tables");
            let name = r.req(0)?;
            let kind = r.text(1)?.unwrap_or_default().to_ascii_uppercase();
            if !self.filter.table_matches(&self.schema, &name) {
                continue;
            }
            match kind.as_str() {
                "BASE TABLE" | "SYSTEM VERSIONED" => {}
                "VIEW" | "SYSTEM VIEW" => continue, // read from VIEWS
                "SEQUENCE" => {
                    self.unsupported(
                        "sequence",
                        &name,
                        None,
                        "MariaDB sequences are not modelled yet",
                    );
                    continue;
                }
                other => {
                    let kind = other.to_ascii_lowercase();
                    self.unsupported(&kind, &name, None, "this kind of table is not modelled");
                    continue;
                }
            }
            if kind == "SYSTEM VERSIONED" {
                self.unsupported(
                    "system versioning",
                    &name,
                    Some(&name),
                    "system-versioned tables are read as plain tables; the versioning is not modelled",
                );
            }
            let collation = non_empty(r.text(3)?);
            let charset = non_empty(r.text(4)?)
                .or_else(|| collation.as_deref().map(normalize::charset_of_collation));
            let create_options = r.text(6)?.unwrap_or_default().to_ascii_lowercase();
            if create_options.contains("partitioned") {
                self.unsupported(
                    "partitioning",
                    &name,
                    Some(&name),
                    "the table is partitioned; partitioning is not modelled for MySQL yet",
                );
            }
            let table = Table {
                name: name.clone(),
                engine: non_empty(r.text(2)?),
                charset: charset.clone(),
                collation,
                comment: non_empty(r.text(5)?),
                ..Table::default()
            };
            self.tables.insert(name, TableState { table, charset });
        }
        Ok(())
    }

    async fn columns(&mut self) -> Result<()> {
        for row in self.fetch(COLUMNS, "columns").await? {
            let r = Cells::new(&row, "columns");
            let table_name = r.req(0)?;
            let name = r.req(1)?;
            if let Some(view) = self.views.get_mut(&table_name) {
                view.columns.push(name);
                continue;
            }
            let Some(state) = self.tables.get_mut(&table_name) else {
                continue;
            };
            let ordinal = u32::try_from(r.num(2)?.unwrap_or(0)).unwrap_or(0);
            let raw_default = r.text(3)?;
            let nullable = r.text(4)?.is_some_and(|v| v.eq_ignore_ascii_case("YES"));
            let data_type = r.req(5)?;
            let family = types::family(&data_type);
            let charset = non_empty(r.text(6)?);
            let collation = non_empty(r.text(7)?);
            let extra = r.text(8)?.unwrap_or_default();
            let extra_lower = extra.to_ascii_lowercase();
            let generation = non_empty(r.text(9)?);
            let comment = non_empty(r.text(10)?);

            let generated = generation.map(|expr| Generated {
                expression: normalize::strip_outer_parens(&normalize::strip_introducers(&expr)),
                stored: extra_lower.contains("stored") || extra_lower.contains("persistent"),
            });
            let default = if generated.is_some() {
                None
            } else {
                normalize::column_default(self.flavor, raw_default.as_deref(), &extra, &family)
            };
            let identity = extra_lower
                .contains("auto_increment")
                .then_some(Identity::AutoIncrement);
            let invisible = extra_lower.split_whitespace().any(|w| w == "invisible");
            let column = Column {
                name: name.clone(),
                ordinal,
                data_type,
                family,
                nullable,
                default,
                identity,
                owned_sequence: None,
                generated,
                charset: charset.filter(|c| Some(c) != state.charset.as_ref()),
                collation: collation.filter(|c| Some(c) != state.table.collation.as_ref()),
                on_update: normalize::on_update(&extra),
                comment,
            };
            state.table.columns.push(column);
            if invisible {
                self.unsupported(
                    "invisible column",
                    &name,
                    Some(&table_name),
                    "the column is INVISIBLE; it is recorded as a visible column",
                );
            }
        }
        Ok(())
    }

    async fn views(&mut self) -> Result<()> {
        for row in self.fetch(VIEWS, "views").await? {
            let r = Cells::new(&row, "views");
            let name = r.req(0)?;
            if !self.filter.table_matches(&self.schema, &name) {
                continue;
            }
            let definition = r.text(1)?.unwrap_or_default();
            let check_option = r
                .text(2)?
                .map(|c| c.trim().to_ascii_uppercase())
                .filter(|c| !c.is_empty() && c != "NONE");
            let mut options = Vec::new();
            if let Some(sec) = r.text(3)? {
                if sec.eq_ignore_ascii_case("INVOKER") {
                    options.push("sql_security=invoker".to_string());
                }
            }
            if let Some(alg) = r.text(4)? {
                let alg = alg.trim().to_ascii_lowercase();
                if !alg.is_empty() && alg != "undefined" {
                    options.push(format!("algorithm={alg}"));
                }
            }
            options.sort();
            let view = View {
                name: name.clone(),
                materialized: false,
                definition: normalize::strip_schema_qualifier(definition.trim(), &self.schema),
                columns: Vec::new(), // filled from COLUMNS
                check_option,
                options,
                depends_on: Vec::new(),
                indexes: Vec::new(),
                triggers: Vec::new(),
                comment: None,
            };
            self.views.insert(name, view);
        }
        Ok(())
    }

    async fn key_constraints(&mut self) -> Result<()> {
        for row in self
            .fetch(KEY_CONSTRAINTS, "primary keys and unique constraints")
            .await?
        {
            let r = Cells::new(&row, "key constraints");
            let table = r.req(0)?;
            let name = r.req(1)?;
            let kind = r.req(2)?.to_ascii_uppercase();
            let column = r.req(3)?;
            let Some(state) = self.tables.get_mut(&table) else {
                continue;
            };
            let t = &mut state.table;
            if kind == "PRIMARY KEY" {
                t.primary_key
                    .get_or_insert_with(|| PrimaryKey {
                        name: None,
                        columns: Vec::new(),
                    })
                    .columns
                    .push(column);
            } else {
                match t.uniques.iter_mut().find(|u| u.name == name) {
                    Some(u) => u.columns.push(column),
                    None => t.uniques.push(UniqueConstraint {
                        name,
                        columns: vec![column],
                        nulls_not_distinct: false,
                        deferrable: false,
                        initially_deferred: false,
                    }),
                }
            }
        }
        Ok(())
    }

    async fn indexes(&mut self) -> Result<()> {
        let sql = match self.flavor {
            Flavor::Mysql => INDEXES_MYSQL,
            Flavor::Mariadb => INDEXES_MARIADB,
        };
        // (table, index) -> (index, plain, visible), key parts in SEQ_IN_INDEX order.
        let mut found: BTreeMap<(String, String), (Index, bool, bool)> = BTreeMap::new();
        for row in self.fetch(sql, "indexes").await? {
            let r = Cells::new(&row, "indexes");
            let table = r.req(0)?;
            let name = r.req(1)?;
            if name == "PRIMARY" || !self.tables.contains_key(&table) {
                continue;
            }
            let non_unique = r.num(2)?.unwrap_or(1) != 0;
            let column = non_empty(r.text(4)?);
            let expression = non_empty(r.text(5)?);
            let descending = r.text(6)?.is_some_and(|c| c.eq_ignore_ascii_case("D"));
            let method = r.text(8)?.unwrap_or_default().trim().to_ascii_uppercase();
            // MariaDB reports a SUB_PART of 32 for every SPATIAL key part: it is no prefix.
            let prefix = if method == "SPATIAL" {
                None
            } else {
                r.num(7)?.and_then(|n| u32::try_from(n).ok())
            };
            let comment = non_empty(r.text(9)?);
            let visible = !r.text(10)?.is_some_and(|v| v.eq_ignore_ascii_case("NO"));
            let key = match (column, expression) {
                (Some(c), _) => IndexKey {
                    descending,
                    prefix_length: prefix,
                    ..IndexKey::column(c)
                },
                (None, Some(e)) => IndexKey {
                    expression: true,
                    descending,
                    ..IndexKey::column(normalize::strip_outer_parens(
                        &normalize::strip_introducers(&e),
                    ))
                },
                (None, None) => {
                    return Err(Error::db(
                        format!("MySQL introspection: index {name} on {table}"),
                        "a key part has neither a column nor an expression",
                    ));
                }
            };
            let part_plain = !key.expression && !key.descending && key.prefix_length.is_none();
            let entry = found.entry((table, name.clone())).or_insert_with(|| {
                (
                    Index {
                        name,
                        unique: !non_unique,
                        method: (!method.is_empty()).then(|| method.clone()),
                        keys: Vec::new(),
                        include: Vec::new(),
                        predicate: None,
                        nulls_not_distinct: false,
                        definition: None,
                        comment,
                    },
                    method == "BTREE",
                    visible,
                )
            });
            entry.0.keys.push(key);
            entry.1 &= part_plain;
        }
        for ((table, name), (index, plain, visible)) in found {
            if !visible {
                self.unsupported(
                    "invisible index",
                    &name,
                    Some(&table),
                    "the index is invisible (ignored); it is recorded as a visible index",
                );
            }
            let Some(state) = self.tables.get_mut(&table) else {
                continue;
            };
            let t = &mut state.table;
            if let Some(pos) = t.uniques.iter().position(|u| u.name == name) {
                if index.unique && plain && visible && index.comment.is_none() {
                    continue; // the unique constraint says it all
                }
                t.uniques.remove(pos);
            }
            t.indexes.push(index);
        }
        Ok(())
    }

    async fn foreign_keys(&mut self) -> Result<()> {
        for row in self.fetch(FOREIGN_KEYS, "foreign keys").await? {
            let r = Cells::new(&row, "foreign keys");
            let table = r.req(0)?;
            let name = r.req(1)?;
            let Some(state) = self.tables.get_mut(&table) else {
                continue;
            };
            let column = r.req(2)?;
            let ref_schema = r.text(3)?.unwrap_or_else(|| self.schema.clone());
            let ref_table = r.req(4)?;
            let ref_column = r.req(5)?;
            let action = |v: Option<String>, what: &str| -> Result<FkAction> {
                let v = v.unwrap_or_default();
                FkAction::parse(&v).ok_or_else(|| {
                    Error::db(
                        format!("MySQL introspection: foreign key {name} on {table}"),
                        format!("unknown {what} rule '{v}'"),
                    )
                })
            };
            let on_update = action(r.text(6)?, "ON UPDATE")?;
            let on_delete = action(r.text(7)?, "ON DELETE")?;
            let match_full = r.text(8)?.is_some_and(|m| m.eq_ignore_ascii_case("FULL"));
            let t = &mut state.table;
            match t.foreign_keys.iter_mut().find(|f| f.name == name) {
                Some(fk) => {
                    fk.columns.push(column);
                    fk.ref_columns.push(ref_column);
                }
                None => t.foreign_keys.push(ForeignKey {
                    name,
                    columns: vec![column],
                    ref_table: QualifiedName::new(ref_schema, ref_table),
                    ref_columns: vec![ref_column],
                    on_delete,
                    on_update,
                    deferrable: false,
                    initially_deferred: false,
                    match_full,
                    validated: true,
                }),
            }
        }
        Ok(())
    }

    async fn checks(&mut self) -> Result<()> {
        let sql = match self.flavor {
            Flavor::Mysql => CHECKS_MYSQL,
            Flavor::Mariadb => CHECKS_MARIADB,
        };
        for row in self.fetch(sql, "check constraints").await? {
            let r = Cells::new(&row, "check constraints");
            let table = r.req(0)?;
            let name = r.req(1)?;
            let clause = r.text(2)?.unwrap_or_default();
            let Some(state) = self.tables.get_mut(&table) else {
                continue;
            };
            let t = &mut state.table;
            if self.flavor == Flavor::Mariadb {
                if let Some(col) = normalize::json_valid_column(&clause) {
                    if let Some(c) = t.columns.iter_mut().find(|c| c.name == col) {
                        if matches!(c.family, TypeFamily::Text { .. }) {
                            c.family = TypeFamily::Json { binary: false };
                        }
                    }
                }
            }
            if t.checks.iter().any(|c| c.name == name) {
                continue;
            }
            t.checks.push(CheckConstraint {
                name,
                expression: normalize::strip_outer_parens(&normalize::strip_introducers(&clause)),
                no_inherit: false,
                validated: true,
            });
        }
        Ok(())
    }

    async fn triggers(&mut self) -> Result<()> {
        for row in self.fetch(TRIGGERS, "triggers").await? {
            let r = Cells::new(&row, "triggers");
            let name = r.req(0)?;
            let table = r.req(1)?;
            let Some(state) = self.tables.get_mut(&table) else {
                continue;
            };
            let timing = r.req(2)?.trim().to_ascii_uppercase();
            let event = r.req(3)?.trim().to_ascii_uppercase();
            let level = r
                .text(4)?
                .map(|l| l.trim().to_ascii_uppercase())
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| "ROW".to_string());
            let body = r.text(5)?.unwrap_or_default().trim().to_string();
            if r.num(6)?.unwrap_or(1) > 1 {
                self.unsupported.push(Unsupported {
                    kind: "trigger order".to_string(),
                    schema: self.schema.clone(),
                    name: name.clone(),
                    parent: Some(table.clone()),
                    reason: format!(
                        "several triggers fire {timing} {event} on this table; their order \
                         (FOLLOWS/PRECEDES) is not modelled"
                    ),
                    definition: None,
                });
            }
            let definition = format!(
                "CREATE TRIGGER {} {timing} {event} ON {} FOR EACH {level} {body}",
                quote::ident(Dialect::Mysql, &name),
                quote::ident(Dialect::Mysql, &table),
            );
            state.table.triggers.push(Trigger {
                name,
                timing,
                events: vec![event],
                level,
                when: None,
                function: None,
                body: Some(body),
                definition,
                enabled: true,
                comment: None,
            });
        }
        Ok(())
    }

    async fn routines(&mut self) -> Result<()> {
        // (routine name, routine type) -> parameters in order
        let mut params: BTreeMap<(String, String), Vec<Param>> = BTreeMap::new();
        for row in self.fetch(PARAMETERS, "routine parameters").await? {
            let r = Cells::new(&row, "routine parameters");
            let routine = r.req(0)?;
            let kind = r.req(1)?.to_ascii_uppercase();
            let mode = non_empty(r.text(3)?).map(|m| m.to_ascii_uppercase());
            let name = r.text(4)?.unwrap_or_default();
            let ty = r.text(5)?.unwrap_or_default();
            params
                .entry((routine, kind))
                .or_default()
                .push(Param { mode, name, ty });
        }
        for row in self.fetch(ROUTINES, "routines").await? {
            let r = Cells::new(&row, "routines");
            let name = r.req(0)?;
            let kind_text = r.req(1)?.trim().to_ascii_uppercase();
            let kind = match kind_text.as_str() {
                "FUNCTION" => RoutineKind::Function,
                "PROCEDURE" => RoutineKind::Procedure,
                other => {
                    let kind = other.to_ascii_lowercase();
                    self.unsupported(&kind, &name, None, "this kind of routine is not modelled");
                    continue;
                }
            };
            let Some(body) = r.text(4)? else {
                self.unsupported(
                    &kind_text.to_ascii_lowercase(),
                    &name,
                    None,
                    "its body is not readable by this user (it needs to be the definer, or hold \
                     SHOW_ROUTINE / SELECT on mysql.proc)",
                );
                continue;
            };
            let returns = match kind {
                RoutineKind::Function => non_empty(r.text(2)?),
                _ => None,
            };
            let language = non_empty(r.text(3)?)
                .map(|l| l.to_ascii_uppercase())
                .unwrap_or_else(|| "SQL".to_string());
            let deterministic = r.text(5)?.is_some_and(|d| d.eq_ignore_ascii_case("YES"));
            let data_access = non_empty(r.text(6)?).map(|d| d.to_ascii_uppercase());
            let security_definer = !r
                .text(7)?
                .is_some_and(|s| s.eq_ignore_ascii_case("INVOKER"));
            let comment = non_empty(r.text(8)?);

            let ps = params
                .get(&(name.clone(), kind_text.clone()))
                .map(Vec::as_slice)
                .unwrap_or_default();
            let arg = |quoted: bool, p: &Param| {
                let pname = if quoted {
                    quote::ident(Dialect::Mysql, &p.name)
                } else {
                    p.name.clone()
                };
                match (kind, &p.mode) {
                    (RoutineKind::Procedure, Some(m)) => format!("{m} {pname} {}", p.ty),
                    _ => format!("{pname} {}", p.ty),
                }
            };
            let arguments = ps
                .iter()
                .map(|p| arg(false, p))
                .collect::<Vec<_>>()
                .join(", ");
            let signature = ps
                .iter()
                .map(|p| arg(true, p))
                .collect::<Vec<_>>()
                .join(", ");

            let mut definition = format!(
                "CREATE {kind_text} {}({signature})",
                quote::ident(Dialect::Mysql, &name)
            );
            if let Some(ret) = &returns {
                definition.push_str(&format!(" RETURNS {ret}"));
            }
            let volatility = if deterministic {
                "DETERMINISTIC"
            } else {
                "NOT DETERMINISTIC"
            };
            definition.push_str(&format!("\n    LANGUAGE {language}\n    {volatility}"));
            if let Some(access) = &data_access {
                definition.push_str(&format!("\n    {access}"));
            }
            definition.push_str(&format!(
                "\n    SQL SECURITY {}",
                if security_definer {
                    "DEFINER"
                } else {
                    "INVOKER"
                }
            ));
            if let Some(c) = &comment {
                definition.push_str(&format!("\n    COMMENT {}", normalize::literal(c)));
            }
            definition.push('\n');
            definition.push_str(body.trim());

            self.functions.push(Function {
                name,
                kind,
                arguments,
                returns,
                language,
                definition,
                volatility: Some(volatility.to_string()),
                security_definer,
                depends_on: Vec::new(),
                comment,
            });
        }
        Ok(())
    }

    async fn events(&mut self) -> Result<()> {
        for row in self.fetch(EVENTS, "events").await? {
            let r = Cells::new(&row, "events");
            let name = r.req(0)?;
            let body = r.text(1)?.unwrap_or_default();
            let kind = r.text(2)?.unwrap_or_default().to_ascii_uppercase();
            let schedule = if kind == "ONE TIME" {
                format!("AT '{}'", r.text(3)?.unwrap_or_default())
            } else {
                format!(
                    "EVERY {} {}",
                    r.text(4)?.unwrap_or_default(),
                    r.text(5)?.unwrap_or_default()
                )
            };
            let completion = r
                .text(6)?
                .unwrap_or_else(|| "NOT PRESERVE".to_string())
                .to_ascii_uppercase();
            let status = match r.text(7)?.unwrap_or_default().to_ascii_uppercase().as_str() {
                "DISABLED" => "DISABLE".to_string(),
                "SLAVESIDE_DISABLED" | "REPLICA_SIDE_DISABLED" => "DISABLE ON SLAVE".to_string(),
                _ => "ENABLE".to_string(),
            };
            let mut definition = format!(
                "CREATE EVENT {} ON SCHEDULE {schedule} ON COMPLETION {completion} {status}",
                quote::ident(Dialect::Mysql, &name)
            );
            if let Some(c) = non_empty(r.text(8)?) {
                definition.push_str(&format!(" COMMENT {}", normalize::literal(&c)));
            }
            definition.push_str(&format!(" DO {}", body.trim()));
            self.unsupported.push(Unsupported {
                kind: "event".to_string(),
                schema: self.schema.clone(),
                name,
                parent: None,
                reason: "scheduled events are not modelled yet".to_string(),
                definition: Some(definition),
            });
        }
        Ok(())
    }
}

/// A routine parameter: `IN`/`OUT`/`INOUT` (procedures only), name, type as declared.
struct Param {
    mode: Option<String>,
    name: String,
    ty: String,
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
