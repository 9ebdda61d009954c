//! PostgreSQL introspection: one catalog query per object kind (`queries/*.sql`), all inside one
//! read-only REPEATABLE READ transaction so that the catalog is a consistent picture, with
//! `search_path` empty so that every name the server prints is schema-qualified and the same on
//! both sides of a comparison.

use std::collections::HashMap;

use sqlx::postgres::{PgPool, PgRow};
use sqlx::{Postgres, Row, Transaction};

use super::types::family;
use crate::error::Result;
use crate::model::{
    Catalog, CheckConstraint, Column, ColumnRef, CompositeType, Dialect, Domain, EnumType,
    Extension, FkAction, ForeignKey, Function, Generated, Identity, Index, IndexKey, ObjectKind,
    ObjectRef, PartitionOf, Policy, PrimaryKey, QualifiedName, RoutineKind, Schema, Sequence,
    SequenceOptions, Table, Trigger, TypeFamily, UniqueConstraint, Unsupported, View,
};
use crate::model::{Filter, types::collapse_ws};

const Q_SCHEMAS: &str = include_str!("queries/schemas.sql");
const Q_RELATIONS: &str = include_str!("queries/relations.sql");
const Q_COLUMNS: &str = include_str!("queries/columns.sql");
const Q_CONSTRAINTS: &str = include_str!("queries/constraints.sql");
const Q_INDEXES: &str = include_str!("queries/indexes.sql");
const Q_VIEW_DEPS: &str = include_str!("queries/view_deps.sql");
const Q_FUNCTIONS: &str = include_str!("queries/functions.sql");
const Q_TRIGGERS: &str = include_str!("queries/triggers.sql");
const Q_SEQUENCES: &str = include_str!("queries/sequences.sql");
const Q_TYPES: &str = include_str!("queries/types.sql");
const Q_POLICIES: &str = include_str!("queries/policies.sql");
const Q_EXTENSIONS: &str = include_str!("queries/extensions.sql");
const Q_UNSUPPORTED: &str = include_str!("queries/unsupported.sql");

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

    /// Enums, domains and composite types (first: columns need enum labels); range and base
    /// types are unsupported.
    async fn types(&mut self) -> Result<()> {
        for row in self.fetch("types", Q_TYPES).await? {
            let q = "types";
            let schema: String = get(&row, q, "schema")?;
            let name: String = get(&row, q, "name")?;
            let typtype: String = get(&row, q, "typtype")?;
            let comment: Option<String> = get(&row, q, "comment")?;
            if typtype == "e" {
                let labels: Vec<String> = get(&row, q, "labels")?;
                self.enum_labels
                    .insert((schema.clone(), name.clone()), labels.clone());
                if let Some(&si) = self.schema_index.get(&schema) {
                    self.cat.schemas[si].enums.push(EnumType {
                        name,
                        labels,
                        comment,
                    });
                }
                continue;
            }
            let Some(&si) = self.schema_index.get(&schema) else {
                continue;
            };
            match typtype.as_str() {
                "d" => {
                    let names: Vec<String> = get(&row, q, "check_names")?;
                    let defs: Vec<String> = get(&row, q, "check_defs")?;
                    let checks = names
                        .into_iter()
                        .zip(defs)
                        .map(|(name, def)| {
                            let (expression, validated) = check_from_definition(&def);
                            CheckConstraint {
                                name,
                                expression,
                                no_inherit: false,
                                validated,
                            }
                        })
                        .collect();
                    let not_null: bool = get(&row, q, "not_null")?;
                    self.cat.schemas[si].domains.push(Domain {
                        name,
                        base_type: get::<Option<String>>(&row, q, "base_type")?.unwrap_or_default(),
                        nullable: !not_null,
                        default: get(&row, q, "default_expr")?,
                        collation: get(&row, q, "collation")?,
                        checks,
                        comment,
                    });
                }
                "c" => {
                    let attrs: Vec<String> = get(&row, q, "attributes")?;
                    let attributes = attrs
                        .into_iter()
                        .map(|a| match a.split_once(' ') {
                            Some((n, t)) => (n.to_string(), t.to_string()),
                            None => (a, String::new()),
                        })
                        .collect();
                    self.cat.schemas[si].composite_types.push(CompositeType {
                        name,
                        attributes,
                        comment,
                    });
                }
                other => self.cat.unsupported.push(Unsupported {
                    kind: if other == "r" {
                        "range type"
                    } else {
                        "base type"
                    }
                    .into(),
                    schema,
                    name,
                    parent: None,
                    reason: "user-defined range and base types are not modelled yet".into(),
                    definition: None,
                }),
            }
        }
        Ok(())
    }

    /// Tables, partitions, views and materialized views; each gets a [`Slot`] that later queries
    /// follow.
    async fn relations(&mut self) -> Result<()> {
        for row in self.fetch("relations", Q_RELATIONS).await? {
            let q = "relations";
            let schema: String = get(&row, q, "schema")?;
            let name: String = get(&row, q, "name")?;
            let relkind: String = get(&row, q, "relkind")?;
            let key = (schema.clone(), name.clone());
            let si = match self.schema_index.get(&schema) {
                Some(&si) if self.filter.table_matches(&schema, &name) => si,
                _ => {
                    self.slots.insert(key, Slot::Skipped);
                    continue;
                }
            };
            let comment: Option<String> = get(&row, q, "comment")?;
            let options: Vec<String> = get(&row, q, "options")?;
            match relkind.as_str() {
                "r" | "p" => {
                    let parent_schema: Option<String> = get(&row, q, "parent_schema")?;
                    let parent_name: Option<String> = get(&row, q, "parent_name")?;
                    let bound: Option<String> = get(&row, q, "partition_bound")?;
                    let partition_of = match (parent_schema, parent_name) {
                        (Some(ps), Some(pn)) => Some(PartitionOf {
                            parent: QualifiedName::new(ps, pn),
                            bound: bound.unwrap_or_default(),
                        }),
                        _ => None,
                    };
                    let inherit_schemas: Vec<String> = get(&row, q, "inherit_schemas")?;
                    let inherit_names: Vec<String> = get(&row, q, "inherit_names")?;
                    let persistence: String = get(&row, q, "persistence")?;
                    let tables = &mut self.cat.schemas[si].tables;
                    tables.push(Table {
                        name,
                        comment,
                        partition_key: get(&row, q, "partition_key")?,
                        partition_of,
                        inherits: inherit_schemas
                            .into_iter()
                            .zip(inherit_names)
                            .map(|(s, n)| QualifiedName::new(s, n))
                            .collect(),
                        rls_enabled: get(&row, q, "rls_enabled")?,
                        rls_forced: get(&row, q, "rls_forced")?,
                        unlogged: persistence == "u",
                        ..Table::default()
                    });
                    self.slots.insert(key, Slot::Table(si, tables.len() - 1));
                }
                "v" | "m" => {
                    let def: Option<String> = get(&row, q, "view_definition")?;
                    let mut check_option = None;
                    let mut view_opts = Vec::new();
                    for o in options {
                        match o.strip_prefix("check_option=") {
                            Some(v) => check_option = Some(v.to_ascii_uppercase()),
                            None => view_opts.push(o),
                        }
                    }
                    view_opts.sort();
                    let views = &mut self.cat.schemas[si].views;
                    views.push(View {
                        name,
                        materialized: relkind == "m",
                        definition: def.unwrap_or_default().trim().to_string(),
                        columns: Vec::new(),
                        check_option,
                        options: view_opts,
                        depends_on: Vec::new(),
                        indexes: Vec::new(),
                        triggers: Vec::new(),
                        comment,
                    });
                    self.slots.insert(key, Slot::View(si, views.len() - 1));
                }
                _ => {
                    self.cat.unsupported.push(Unsupported {
                        kind: "foreign table".into(),
                        schema,
                        name,
                        parent: None,
                        reason: "foreign tables are not modelled yet".into(),
                        definition: None,
                    });
                    self.slots.insert(key, Slot::Skipped);
                }
            }
        }
        Ok(())
    }

    /// Columns of the tables and views read.
    async fn columns(&mut self) -> Result<()> {
        for row in self.fetch("columns", Q_COLUMNS).await? {
            let q = "columns";
            let schema: String = get(&row, q, "schema")?;
            let table: String = get(&row, q, "table_name")?;
            let name: String = get(&row, q, "name")?;
            match self.slots.get(&(schema.clone(), table.clone())) {
                Some(Slot::Table(si, ti)) => {
                    let (si, ti) = (*si, *ti);
                    let col = column_from_row(&row, name, &self.enum_labels)?;
                    self.cat.schemas[si].tables[ti].columns.push(col);
                }
                Some(Slot::View(si, vi)) => self.cat.schemas[*si].views[*vi].columns.push(name),
                _ => {}
            }
        }
        Ok(())
    }

    /// Sequences; an identity sequence attaches to its column instead.
    async fn sequences(&mut self) -> Result<()> {
        for row in self.fetch("sequences", Q_SEQUENCES).await? {
            let q = "sequences";
            let schema: String = get(&row, q, "schema")?;
            let name: String = get(&row, q, "name")?;
            let options = SequenceOptions {
                data_type: get(&row, q, "data_type")?,
                start: get(&row, q, "start_value")?,
                increment: get(&row, q, "increment")?,
                min_value: get(&row, q, "min_value")?,
                max_value: get(&row, q, "max_value")?,
                cache: get(&row, q, "cache")?,
                cycle: get(&row, q, "cycle")?,
            };
            let owner_kind: Option<String> = get(&row, q, "owner_kind")?;
            let owner = match (
                get::<Option<String>>(&row, q, "owner_schema")?,
                get::<Option<String>>(&row, q, "owner_table")?,
                get::<Option<String>>(&row, q, "owner_column")?,
            ) {
                (Some(s), Some(t), Some(c)) => Some(ColumnRef {
                    schema: s,
                    table: t,
                    column: c,
                }),
                _ => None,
            };
            let owner_slot = owner
                .as_ref()
                .and_then(|o| self.slots.get(&(o.schema.clone(), o.table.clone())));
            if owner_kind.as_deref() == Some("i") {
                if let (Some(Slot::Table(si, ti)), Some(o)) = (owner_slot, &owner) {
                    let t = &mut self.cat.schemas[*si].tables[*ti];
                    if let Some(c) = t.columns.iter_mut().find(|c| c.name == o.column) {
                        match &mut c.identity {
                            Some(Identity::Always { sequence })
                            | Some(Identity::ByDefault { sequence }) => {
                                *sequence = Some(options);
                            }
                            _ => {}
                        }
                    }
                }
                continue;
            }
            if matches!(owner_slot, Some(Slot::Skipped)) {
                continue;
            }
            let Some(&si) = self.schema_index.get(&schema) else {
                continue;
            };
            if let (Some(Slot::Table(tsi, tti)), Some(o)) = (owner_slot, &owner) {
                let t = &mut self.cat.schemas[*tsi].tables[*tti];
                if let Some(c) = t.columns.iter_mut().find(|c| c.name == o.column) {
                    let seq = QualifiedName::new(schema.clone(), name.clone());
                    if c.default
                        .as_deref()
                        .is_some_and(|d| default_uses_sequence(d, &seq))
                    {
                        c.owned_sequence = Some(seq);
                    }
                }
            }
            let user_schemas: Vec<String> = get(&row, q, "user_schemas")?;
            let user_tables: Vec<String> = get(&row, q, "user_tables")?;
            let user_columns: Vec<String> = get(&row, q, "user_columns")?;
            let used_by = user_schemas
                .into_iter()
                .zip(user_tables)
                .zip(user_columns)
                .map(|((schema, table), column)| ColumnRef {
                    schema,
                    table,
                    column,
                })
                .collect();
            self.cat.schemas[si].sequences.push(Sequence {
                name,
                options,
                owned_by: owner,
                used_by,
                comment: get(&row, q, "comment")?,
            });
        }
        Ok(())
    }

    /// Primary keys, uniques, checks and foreign keys (a partition's inherited ones kept aside,
    /// in `from_parent`).
    async fn constraints(&mut self) -> Result<()> {
        let mut inherited_parts: std::collections::BTreeMap<(usize, usize), Table> =
            std::collections::BTreeMap::new();
        for row in self.fetch("constraints", Q_CONSTRAINTS).await? {
            let q = "constraints";
            let schema: String = get(&row, q, "schema")?;
            let table: String = get(&row, q, "table_name")?;
            let Some(Slot::Table(si, ti)) = self.slots.get(&(schema.clone(), table.clone())) else {
                continue;
            };
            let inherited: bool = get(&row, q, "inherited")?;
            let t = &mut self.cat.schemas[*si].tables[*ti];
            // Inherited constraints are collected aside: a detached partition keeps them as its own.
            let t = if inherited {
                inherited_parts.entry((*si, *ti)).or_default()
            } else {
                t
            };
            let name: String = get(&row, q, "name")?;
            let contype: String = get(&row, q, "contype")?;
            let columns: Vec<String> = get(&row, q, "columns")?;
            let definition: String = get(&row, q, "definition")?;
            let deferrable: bool = get(&row, q, "deferrable")?;
            let deferred: bool = get(&row, q, "deferred")?;
            let validated: bool = get(&row, q, "validated")?;
            match contype.as_str() {
                "p" => {
                    t.primary_key = Some(PrimaryKey {
                        name: Some(name),
                        columns,
                    })
                }
                "u" => t.uniques.push(UniqueConstraint {
                    name,
                    columns,
                    nulls_not_distinct: definition.contains("NULLS NOT DISTINCT"),
                    deferrable,
                    initially_deferred: deferred,
                }),
                "c" => {
                    let expr: Option<String> = get(&row, q, "check_expr")?;
                    let expression = match expr {
                        Some(e) => strip_outer_parens(&e),
                        None => check_from_definition(&definition).0,
                    };
                    t.checks.push(CheckConstraint {
                        name,
                        expression,
                        no_inherit: get(&row, q, "no_inherit")?,
                        validated,
                    });
                }
                "f" => {
                    let on_delete: String = get(&row, q, "on_delete")?;
                    let on_update: String = get(&row, q, "on_update")?;
                    let match_type: String = get(&row, q, "match_type")?;
                    t.foreign_keys.push(ForeignKey {
                        name,
                        columns,
                        ref_table: QualifiedName::new(
                            get::<Option<String>>(&row, q, "ref_schema")?.unwrap_or_default(),
                            get::<Option<String>>(&row, q, "ref_table")?.unwrap_or_default(),
                        ),
                        ref_columns: get(&row, q, "ref_columns")?,
                        on_delete: FkAction::parse(&on_delete).unwrap_or_default(),
                        on_update: FkAction::parse(&on_update).unwrap_or_default(),
                        deferrable,
                        initially_deferred: deferred,
                        match_full: match_type == "f",
                        validated,
                    });
                }
                _ => self.cat.unsupported.push(Unsupported {
                    kind: "exclusion constraint".into(),
                    schema,
                    name,
                    parent: Some(table),
                    reason: "exclusion constraints are not modelled yet".into(),
                    definition: Some(definition),
                }),
            }
        }

        for ((si, ti), t) in inherited_parts {
            let parts = self.cat.schemas[si].tables[ti]
                .from_parent
                .get_or_insert_with(Default::default);
            parts.primary_key = t.primary_key;
            parts.uniques = t.uniques;
            parts.checks = t.checks;
            parts.foreign_keys = t.foreign_keys;
        }
        Ok(())
    }

    /// Indexes of tables (inherited ones in `from_parent`) and materialized views.
    async fn indexes(&mut self) -> Result<()> {
        for row in self.fetch("indexes", Q_INDEXES).await? {
            let q = "indexes";
            let schema: String = get(&row, q, "schema")?;
            let table: String = get(&row, q, "table_name")?;
            let slot = self.slots.get(&(schema, table));
            if !matches!(slot, Some(Slot::Table(..)) | Some(Slot::View(..))) {
                continue;
            }
            let key_count = get::<i32>(&row, q, "key_count")?.max(0) as usize;
            let parts: Vec<String> = get(&row, q, "parts")?;
            let is_expr: Vec<bool> = get(&row, q, "is_expression")?;
            let options: Vec<i32> = get(&row, q, "options")?;
            let opclasses: Vec<Option<String>> = get(&row, q, "opclasses")?;
            let collations: Vec<Option<String>> = get(&row, q, "collations")?;
            let mut keys = Vec::new();
            let mut include = Vec::new();
            for (i, part) in parts.into_iter().enumerate() {
                if i >= key_count {
                    include.push(part);
                    continue;
                }
                let opt = options.get(i).copied().unwrap_or(0);
                let descending = opt & 1 != 0;
                let nulls_first = opt & 2 != 0;
                keys.push(IndexKey {
                    key: part,
                    expression: is_expr.get(i).copied().unwrap_or(false),
                    descending,
                    nulls_first: (nulls_first != descending).then_some(nulls_first),
                    opclass: opclasses.get(i).cloned().flatten(),
                    collation: collations.get(i).cloned().flatten(),
                    prefix_length: None,
                });
            }
            let definition: String = get(&row, q, "definition")?;
            let index = Index {
                name: get(&row, q, "name")?,
                unique: get(&row, q, "is_unique")?,
                method: get(&row, q, "method")?,
                keys,
                include,
                predicate: get(&row, q, "predicate")?,
                nulls_not_distinct: definition.contains("NULLS NOT DISTINCT"),
                definition: Some(definition),
                comment: get(&row, q, "comment")?,
            };
            let inherited: bool = get(&row, q, "inherited")?;
            match slot {
                Some(Slot::Table(si, ti)) if inherited => self.cat.schemas[*si].tables[*ti]
                    .from_parent
                    .get_or_insert_with(Default::default)
                    .indexes
                    .push(index),
                Some(Slot::Table(si, ti)) => self.cat.schemas[*si].tables[*ti].indexes.push(index),
                Some(Slot::View(si, vi)) => self.cat.schemas[*si].views[*vi].indexes.push(index),
                _ => {}
            }
        }
        Ok(())
    }

    /// Row-level security policies.
    async fn policies(&mut self) -> Result<()> {
        for row in self.fetch("policies", Q_POLICIES).await? {
            let q = "policies";
            let schema: String = get(&row, q, "schema")?;
            let table: String = get(&row, q, "table_name")?;
            let Some(Slot::Table(si, ti)) = self.slots.get(&(schema, table)) else {
                continue;
            };
            let command: String = get(&row, q, "command")?;
            self.cat.schemas[*si].tables[*ti].policies.push(Policy {
                name: get(&row, q, "name")?,
                command: match command.as_str() {
                    "r" => "SELECT",
                    "a" => "INSERT",
                    "w" => "UPDATE",
                    "d" => "DELETE",
                    _ => "ALL",
                }
                .into(),
                permissive: get(&row, q, "permissive")?,
                roles: get(&row, q, "roles")?,
                using: get(&row, q, "using_expr")?,
                with_check: get(&row, q, "check_expr")?,
            });
        }
        Ok(())
    }

    /// Triggers of tables and views.
    async fn triggers(&mut self) -> Result<()> {
        for row in self.fetch("triggers", Q_TRIGGERS).await? {
            let q = "triggers";
            let schema: String = get(&row, q, "schema")?;
            let table: String = get(&row, q, "table_name")?;
            let slot = self.slots.get(&(schema, table));
            if !matches!(slot, Some(Slot::Table(..)) | Some(Slot::View(..))) {
                continue;
            }
            let tgtype: i32 = get(&row, q, "tgtype")?;
            let update_columns: Vec<String> = get(&row, q, "update_columns")?;
            let definition: String = get(&row, q, "definition")?;
            let enabled: String = get(&row, q, "enabled")?;
            let timing = if tgtype & 64 != 0 {
                "INSTEAD OF"
            } else if tgtype & 2 != 0 {
                "BEFORE"
            } else {
                "AFTER"
            };
            let mut events = Vec::new();
            if tgtype & 4 != 0 {
                events.push("INSERT".to_string());
            }
            if tgtype & 16 != 0 {
                if update_columns.is_empty() {
                    events.push("UPDATE".to_string());
                } else {
                    events.push(format!("UPDATE OF {}", update_columns.join(", ")));
                }
            }
            if tgtype & 8 != 0 {
                events.push("DELETE".to_string());
            }
            if tgtype & 32 != 0 {
                events.push("TRUNCATE".to_string());
            }
            let trigger = Trigger {
                name: get(&row, q, "name")?,
                timing: timing.into(),
                events,
                level: if tgtype & 1 != 0 { "ROW" } else { "STATEMENT" }.into(),
                when: trigger_when(&definition),
                function: Some(QualifiedName::new(
                    get::<String>(&row, q, "function_schema")?,
                    get::<String>(&row, q, "function_name")?,
                )),
                body: None,
                definition,
                enabled: enabled != "D",
                comment: get(&row, q, "comment")?,
            };
            match slot {
                Some(Slot::Table(si, ti)) => {
                    self.cat.schemas[*si].tables[*ti].triggers.push(trigger)
                }
                Some(Slot::View(si, vi)) => self.cat.schemas[*si].views[*vi].triggers.push(trigger),
                _ => {}
            }
        }
        Ok(())
    }

    /// What each view reads.
    async fn view_deps(&mut self) -> Result<()> {
        for row in self.fetch("view dependencies", Q_VIEW_DEPS).await? {
            let q = "view_deps";
            let schema: String = get(&row, q, "schema")?;
            let view: String = get(&row, q, "view_name")?;
            let Some(Slot::View(si, vi)) = self.slots.get(&(schema, view)) else {
                continue;
            };
            let ref_kind: String = get(&row, q, "ref_kind")?;
            let kind = match ref_kind.as_str() {
                "v" => ObjectKind::View,
                "m" => ObjectKind::MaterializedView,
                "f" => ObjectKind::Function,
                "S" => ObjectKind::Sequence,
                _ => ObjectKind::Table,
            };
            self.cat.schemas[*si].views[*vi].depends_on.push(ObjectRef {
                kind,
                schema: get(&row, q, "ref_schema")?,
                name: get(&row, q, "ref_name")?,
            });
        }
        Ok(())
    }

    /// Functions, procedures and aggregates (ordered-set aggregates are unsupported).
    async fn functions(&mut self) -> Result<()> {
        for row in self.fetch("functions", Q_FUNCTIONS).await? {
            let q = "functions";
            let schema: String = get(&row, q, "schema")?;
            let Some(&si) = self.schema_index.get(&schema) else {
                continue;
            };
            let name: String = get(&row, q, "name")?;
            let kind: String = get(&row, q, "kind")?;
            let arguments: String = get(&row, q, "arguments")?;
            let (kind, definition) = match kind.as_str() {
                "a" => {
                    let agg_kind: Option<String> = get(&row, q, "agg_kind")?;
                    if agg_kind.as_deref() != Some("n") {
                        self.cat.unsupported.push(Unsupported {
                            kind: "ordered-set aggregate".into(),
                            schema,
                            name: format!("{name}({arguments})"),
                            parent: None,
                            reason:
                                "ordered-set and hypothetical-set aggregates are not modelled yet"
                                    .into(),
                            definition: None,
                        });
                        continue;
                    }
                    (
                        RoutineKind::Aggregate,
                        get::<Option<String>>(&row, q, "aggregate_definition")?.unwrap_or_default(),
                    )
                }
                k => (
                    match k {
                        "p" => RoutineKind::Procedure,
                        "w" => RoutineKind::Window,
                        _ => RoutineKind::Function,
                    },
                    get::<Option<String>>(&row, q, "definition")?
                        .unwrap_or_default()
                        .trim_end()
                        .to_string(),
                ),
            };
            let volatility: String = get(&row, q, "volatility")?;
            let returns: Option<String> = get(&row, q, "returns")?;
            self.cat.schemas[si].functions.push(Function {
                name,
                kind,
                arguments,
                returns: returns.filter(|r| !r.is_empty() && kind != RoutineKind::Procedure),
                language: get(&row, q, "language")?,
                definition,
                volatility: Some(
                    match volatility.as_str() {
                        "i" => "IMMUTABLE",
                        "s" => "STABLE",
                        _ => "VOLATILE",
                    }
                    .into(),
                ),
                security_definer: get(&row, q, "security_definer")?,
                depends_on: Vec::new(),
                comment: get(&row, q, "comment")?,
            });
        }
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

fn column_from_row(
    row: &PgRow,
    name: String,
    enum_labels: &HashMap<(String, String), Vec<String>>,
) -> Result<Column> {
    let q = "columns";
    let data_type: String = get(row, q, "data_type")?;
    let typtype: String = get(row, q, "typtype")?;
    let type_schema: String = get(row, q, "type_schema")?;
    let type_name: String = get(row, q, "type_name")?;
    let elem_typtype: Option<String> = get(row, q, "elem_typtype")?;
    let fam = match typtype.as_str() {
        "e" => enum_family(&type_schema, &type_name, enum_labels),
        "d" => get::<Option<String>>(row, q, "domain_base")?
            .map(|b| family(&b))
            .unwrap_or_else(|| TypeFamily::other(data_type.clone())),
        _ if elem_typtype.as_deref() == Some("e") => {
            let es: String = get::<Option<String>>(row, q, "elem_schema")?.unwrap_or_default();
            let en: String = get::<Option<String>>(row, q, "elem_name")?.unwrap_or_default();
            TypeFamily::Array {
                element: Box::new(enum_family(&es, &en, enum_labels)),
            }
        }
        _ => family(&data_type),
    };
    let identity: String = get(row, q, "identity")?;
    let generated_kind: String = get(row, q, "generated_kind")?;
    let generated_expr: Option<String> = get(row, q, "generated_expr")?;
    let ordinal: i32 = get(row, q, "ordinal")?;
    Ok(Column {
        name,
        ordinal: ordinal.max(0) as u32,
        data_type,
        family: fam,
        nullable: get(row, q, "nullable")?,
        default: get(row, q, "default_expr")?,
        identity: match identity.as_str() {
            "a" => Some(Identity::Always { sequence: None }),
            "d" => Some(Identity::ByDefault { sequence: None }),
            _ => None,
        },
        owned_sequence: None,
        generated: generated_expr
            .filter(|_| !generated_kind.is_empty())
            .map(|expression| Generated {
                expression,
                stored: generated_kind == "s",
            }),
        collation: get(row, q, "collation")?,
        charset: None,
        on_update: None,
        comment: get(row, q, "comment")?,
    })
}

fn enum_family(
    schema: &str,
    name: &str,
    labels: &HashMap<(String, String), Vec<String>>,
) -> TypeFamily {
    TypeFamily::Enum {
        type_name: Some(format!("{schema}.{name}")),
        values: labels
            .get(&(schema.to_string(), name.to_string()))
            .cloned()
            .unwrap_or_default(),
    }
}

/// Whether a column default is `nextval('<seq>'::regclass)` for this sequence.
fn default_uses_sequence(default: &str, seq: &QualifiedName) -> bool {
    let Some(inner) = default
        .strip_prefix("nextval('")
        .and_then(|s| s.strip_suffix("'::regclass)"))
    else {
        return false;
    };
    let inner = inner.replace("''", "'");
    let quote = |s: &str| {
        if s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !s.starts_with(|c: char| c.is_ascii_digit())
        {
            s.to_string()
        } else {
            format!("\"{}\"", s.replace('"', "\"\""))
        }
    };
    inner == format!("{}.{}", quote(&seq.schema), quote(&seq.name))
        || inner == format!("{}.{}", seq.schema, seq.name)
}

/// `CHECK ((a > 0)) NOT VALID` → (`a > 0`, false).
fn check_from_definition(def: &str) -> (String, bool) {
    let mut d = def.trim();
    let mut validated = true;
    if let Some(x) = d.strip_suffix("NOT VALID") {
        d = x.trim_end();
        validated = false;
    }
    if let Some(x) = d.strip_suffix("NO INHERIT") {
        d = x.trim_end();
    }
    let d = d.strip_prefix("CHECK").unwrap_or(d).trim();
    (strip_outer_parens(d), validated)
}

/// Removes parentheses that enclose the whole expression (as many layers as there are).
pub fn strip_outer_parens(s: &str) -> String {
    let mut t = s.trim();
    loop {
        if !(t.starts_with('(') && t.ends_with(')')) {
            return t.to_string();
        }
        // Do the first '(' and the last ')' match each other?
        let mut depth = 0i32;
        let mut quote: Option<char> = None;
        let mut closes_at_end = true;
        let chars: Vec<char> = t.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            match quote {
                Some(q) => {
                    if c == q {
                        quote = None;
                    }
                }
                None => match c {
                    '\'' | '"' => quote = Some(c),
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 && i != chars.len() - 1 {
                            closes_at_end = false;
                            break;
                        }
                    }
                    _ => {}
                },
            }
        }
        if !closes_at_end {
            return t.to_string();
        }
        t = t[1..t.len() - 1].trim();
    }
}

/// The `WHEN (…)` condition of a trigger definition, without the outer parentheses.
fn trigger_when(def: &str) -> Option<String> {
    let start = def.find(" WHEN (")? + " WHEN ".len();
    let bytes: Vec<char> = def[start..].chars().collect();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut end = None;
    for (i, &c) in bytes.iter().enumerate() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            },
        }
    }
    let end = end?;
    let cond: String = bytes[..=end].iter().collect();
    Some(collapse_ws(&strip_outer_parens(&cond)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_parens() {
        assert_eq!(strip_outer_parens("((a > 0))"), "a > 0");
        assert_eq!(
            strip_outer_parens("(a > 0) AND (b < 1)"),
            "(a > 0) AND (b < 1)"
        );
        assert_eq!(strip_outer_parens("(')')"), "')'");
    }

    #[test]
    fn checks_from_definitions() {
        assert_eq!(
            check_from_definition("CHECK (((VALUE >= 1901) AND (VALUE <= 2155)))"),
            ("(VALUE >= 1901) AND (VALUE <= 2155)".to_string(), true)
        );
        assert_eq!(
            check_from_definition("CHECK ((a > 0)) NOT VALID"),
            ("a > 0".to_string(), false)
        );
    }

    #[test]
    fn trigger_when_clause() {
        assert_eq!(
            trigger_when(
                "CREATE TRIGGER t BEFORE UPDATE ON public.x FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION f()"
            ),
            Some("old.* IS DISTINCT FROM new.*".to_string())
        );
        assert_eq!(
            trigger_when("CREATE TRIGGER t AFTER INSERT ON x EXECUTE FUNCTION f()"),
            None
        );
    }

    #[test]
    fn serial_defaults() {
        let seq = QualifiedName::new("public", "actor_actor_id_seq");
        assert!(default_uses_sequence(
            "nextval('public.actor_actor_id_seq'::regclass)",
            &seq
        ));
        let seq = QualifiedName::new("Sales", "Order Seq");
        assert!(default_uses_sequence(
            "nextval('\"Sales\".\"Order Seq\"'::regclass)",
            &seq
        ));
    }
}
