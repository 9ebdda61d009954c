//! Constraints of a table on both sides: the primary key, unique constraints, checks and foreign
//! keys, paired by definition (the same definition under another name is a rename). Keys dropped
//! here are remembered: foreign keys elsewhere that reference them are dropped and added back
//! around them ([`Differ::foreign_keys_on_dropped_keys`]).

use std::collections::HashMap;

use super::Differ;
use super::matching::{ByDefinition, by_definition};
use crate::model::normalize;
use crate::model::*;

impl Differ<'_> {
    pub(super) fn constraints(&mut self, qn: &QualifiedName, old: &Table, new: &Table) {
        let renamed_cols = self.column_renames(qn);
        let rn = |cols: &[String]| -> Vec<String> {
            cols.iter()
                .map(|c| renamed_cols.get(c).cloned().unwrap_or_else(|| c.clone()))
                .collect()
        };
        // Primary key.
        let opk = old
            .primary_key
            .as_ref()
            .map(|p| (p.name.clone(), rn(&p.columns)));
        let npk = new
            .primary_key
            .as_ref()
            .map(|p| (p.name.clone(), p.columns.clone()));
        match (&opk, &npk) {
            (Some((on, oc)), Some((nn, nc))) if oc == nc => {
                if let (Some(o), Some(n)) = (on, nn) {
                    if o != n {
                        self.out.push(Change::RenameConstraint {
                            table: qn.clone(),
                            from: o.clone(),
                            to: n.clone(),
                        });
                    }
                }
            }
            (None, None) => {}
            _ => {
                if let Some(p) = &old.primary_key {
                    self.out.push(Change::DropPrimaryKey {
                        table: qn.clone(),
                        primary_key: p.clone(),
                    });
                    self.dropped_keys.push((qn.clone(), rn(&p.columns)));
                }
                if let Some(p) = &new.primary_key {
                    self.out.push(Change::AddPrimaryKey {
                        table: qn.clone(),
                        primary_key: p.clone(),
                    });
                }
            }
        }
        // Unique constraints.
        let uniq_eq = |a: &UniqueConstraint, b: &UniqueConstraint| {
            rn(&a.columns) == b.columns
                && a.nulls_not_distinct == b.nulls_not_distinct
                && a.deferrable == b.deferrable
                && a.initially_deferred == b.initially_deferred
        };
        let ByDefinition {
            drops,
            adds,
            renames,
        } = by_definition(&old.uniques, &new.uniques, |u| &u.name, uniq_eq);
        for u in drops {
            self.dropped_keys.push((qn.clone(), rn(&u.columns)));
            self.out.push(Change::DropUnique {
                table: qn.clone(),
                unique: u.clone(),
            });
        }
        for u in adds {
            self.out.push(Change::AddUnique {
                table: qn.clone(),
                unique: u.clone(),
            });
        }
        self.renames(qn, renames);
        // Checks.
        let check_eq = |a: &CheckConstraint, b: &CheckConstraint| {
            normalize::expr(&a.expression) == normalize::expr(&b.expression)
                && a.no_inherit == b.no_inherit
        };
        let ByDefinition {
            drops,
            adds,
            renames,
        } = by_definition(&old.checks, &new.checks, |c| &c.name, check_eq);
        for c in drops {
            self.out.push(Change::DropCheck {
                table: qn.clone(),
                check: c.clone(),
            });
        }
        for c in adds {
            self.out.push(Change::AddCheck {
                table: qn.clone(),
                check: c.clone(),
            });
        }
        self.renames(qn, renames);
        for c in &new.checks {
            if let Some(d) = old
                .checks
                .iter()
                .find(|d| d.name == c.name && check_eq(d, c))
            {
                if !d.validated && c.validated {
                    self.out.push(Change::ValidateConstraint {
                        table: qn.clone(),
                        name: c.name.clone(),
                    });
                }
            }
        }
        // Foreign keys.
        let dropped_tables = self.dropped_tables.clone();
        let renamed_tables = self.renamed_tables.clone();
        let ref_renames: HashMap<QualifiedName, HashMap<String, String>> = old
            .foreign_keys
            .iter()
            .map(|f| {
                let t = renamed_tables
                    .get(&f.ref_table)
                    .cloned()
                    .unwrap_or_else(|| f.ref_table.clone());
                let m = self.column_renames(&t);
                (f.ref_table.clone(), m)
            })
            .collect();
        let fk_eq = |a: &ForeignKey, b: &ForeignKey| {
            let ref_table = renamed_tables
                .get(&a.ref_table)
                .cloned()
                .unwrap_or_else(|| a.ref_table.clone());
            let rmap = ref_renames.get(&a.ref_table);
            let ref_cols: Vec<String> = a
                .ref_columns
                .iter()
                .map(|c| {
                    rmap.and_then(|m| m.get(c))
                        .cloned()
                        .unwrap_or_else(|| c.clone())
                })
                .collect();
            rn(&a.columns) == b.columns
                && ref_table == b.ref_table
                && ref_cols == b.ref_columns
                && a.on_delete == b.on_delete
                && a.on_update == b.on_update
                && a.deferrable == b.deferrable
                && a.initially_deferred == b.initially_deferred
                && a.match_full == b.match_full
                && !dropped_tables.contains(&a.ref_table)
        };
        let ByDefinition {
            drops,
            adds,
            renames,
        } = by_definition(&old.foreign_keys, &new.foreign_keys, |f| &f.name, fk_eq);
        for f in drops {
            self.out.push(Change::DropForeignKey {
                table: qn.clone(),
                foreign_key: f.clone(),
            });
        }
        for f in adds {
            self.out.push(Change::AddForeignKey {
                table: qn.clone(),
                foreign_key: f.clone(),
            });
        }
        self.renames(qn, renames);
        for f in &new.foreign_keys {
            if let Some(g) = old
                .foreign_keys
                .iter()
                .find(|g| g.name == f.name && fk_eq(g, f))
            {
                if !g.validated && f.validated {
                    self.out.push(Change::ValidateConstraint {
                        table: qn.clone(),
                        name: f.name.clone(),
                    });
                }
            }
        }
    }

    fn renames(&mut self, qn: &QualifiedName, renames: Vec<(String, String)>) {
        for (from, to) in renames {
            self.out.push(Change::RenameConstraint {
                table: qn.clone(),
                from,
                to,
            });
        }
    }

    /// Foreign keys that stay, but whose referenced key is dropped and added again, must be
    /// dropped before and added after it.
    pub(super) fn foreign_keys_on_dropped_keys(&mut self) {
        let keys = std::mem::take(&mut self.dropped_keys);
        let mut extra = Vec::new();
        for (s, t) in self.target.tables() {
            let tqn = QualifiedName::new(s, &t.name);
            let new_tqn = self
                .renamed_tables
                .get(&tqn)
                .cloned()
                .unwrap_or(tqn.clone());
            if self.dropped_tables.contains(&tqn) {
                continue;
            }
            for fk in &t.foreign_keys {
                let ref_now = self
                    .renamed_tables
                    .get(&fk.ref_table)
                    .cloned()
                    .unwrap_or_else(|| fk.ref_table.clone());
                let hit = keys.iter().any(|(kt, cols)| {
                    *kt == ref_now && {
                        let m = self.column_renames(kt);
                        let rc: Vec<String> = fk
                            .ref_columns
                            .iter()
                            .map(|c| m.get(c).cloned().unwrap_or_else(|| c.clone()))
                            .collect();
                        rc == *cols
                    }
                });
                if !hit {
                    continue;
                }
                let already_dropped = self.out.iter().any(|c| matches!(c, Change::DropForeignKey { table, foreign_key } if *table == new_tqn && foreign_key.name == fk.name));
                if already_dropped {
                    continue;
                }
                extra.push(Change::DropForeignKey {
                    table: new_tqn.clone(),
                    foreign_key: fk.clone(),
                });
                let still = self
                    .source
                    .table(&new_tqn.schema, &new_tqn.name)
                    .and_then(|nt| nt.foreign_key(&fk.name))
                    .cloned();
                let already_added = self.out.iter().any(|c| matches!(c, Change::AddForeignKey { table, foreign_key } if *table == new_tqn && foreign_key.name == fk.name));
                if let (Some(f), false) = (still, already_added) {
                    extra.push(Change::AddForeignKey {
                        table: new_tqn.clone(),
                        foreign_key: f,
                    });
                }
            }
        }
        self.out.extend(extra);
    }

    /// Column renames already decided for a table (TARGET name → SOURCE name).
    pub(super) fn column_renames(&self, qn: &QualifiedName) -> HashMap<String, String> {
        self.out
            .iter()
            .filter_map(|c| match c {
                Change::RenameColumn {
                    table, from, to, ..
                } if table == qn => Some((from.clone(), to.clone())),
                _ => None,
            })
            .collect()
    }
}
