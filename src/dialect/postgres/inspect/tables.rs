//! Tables, partitions, views and materialized views (each gets a [`Slot`] later queries follow),
//! their columns, and row-level security policies.

use std::collections::HashMap;

use sqlx::postgres::PgRow;

use crate::dialect::postgres::types::family;
use crate::error::Result;
use crate::model::{
    Column, Generated, Identity, PartitionOf, Policy, QualifiedName, Table, TypeFamily,
    Unsupported, View,
};

use super::{Inspector, Slot, get};

const Q_RELATIONS: &str = include_str!("../queries/relations.sql");
const Q_COLUMNS: &str = include_str!("../queries/columns.sql");
const Q_POLICIES: &str = include_str!("../queries/policies.sql");

impl Inspector<'_> {
    /// Tables, partitions, views and materialized views; each gets a [`Slot`] that later queries
    /// follow.
    pub(super) async fn relations(&mut self) -> Result<()> {
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
    pub(super) async fn columns(&mut self) -> Result<()> {
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

    /// Row-level security policies.
    pub(super) async fn policies(&mut self) -> Result<()> {
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
