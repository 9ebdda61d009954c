//! Tables (engine, character set, options), their columns, and views.

use crate::dialect::mysql::normalize;
use crate::dialect::mysql::types;
use crate::error::Result;
use crate::model::{Column, Generated, Identity, Table, View};

use super::{Cells, Inspector, TableState, non_empty};

const TABLES: &str = include_str!("../queries/tables.sql");
const COLUMNS: &str = include_str!("../queries/columns.sql");
const VIEWS: &str = include_str!("../queries/views.sql");

impl Inspector<'_> {
    pub(super) async fn tables(&mut self) -> Result<()> {
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

    pub(super) async fn columns(&mut self) -> Result<()> {
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

    pub(super) async fn views(&mut self) -> Result<()> {
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
}
