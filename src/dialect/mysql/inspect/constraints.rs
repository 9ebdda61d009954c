//! Primary keys and unique constraints, indexes, foreign keys and checks.

use std::collections::BTreeMap;

use crate::dialect::mysql::normalize::{self, Flavor};
use crate::error::{Error, Result};
use crate::model::{
    CheckConstraint, FkAction, ForeignKey, Index, IndexKey, PrimaryKey, QualifiedName, TypeFamily,
    UniqueConstraint,
};

use super::{Cells, Inspector, non_empty};

const KEY_CONSTRAINTS: &str = include_str!("../queries/key_constraints.sql");
const FOREIGN_KEYS: &str = include_str!("../queries/foreign_keys.sql");
const INDEXES_MYSQL: &str = include_str!("../queries/indexes_mysql.sql");
const INDEXES_MARIADB: &str = include_str!("../queries/indexes_mariadb.sql");
const CHECKS_MYSQL: &str = include_str!("../queries/checks_mysql.sql");
const CHECKS_MARIADB: &str = include_str!("../queries/checks_mariadb.sql");

impl Inspector<'_> {
    pub(super) async fn key_constraints(&mut self) -> Result<()> {
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

    pub(super) async fn indexes(&mut self) -> Result<()> {
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

    pub(super) async fn foreign_keys(&mut self) -> Result<()> {
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

    pub(super) async fn checks(&mut self) -> Result<()> {
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
}
