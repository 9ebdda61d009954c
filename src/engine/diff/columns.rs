//! Columns of a table on both sides: paired by name, then by rename score (`rename.rs`); the
//! others dropped or added; pairs compared attribute by attribute (generation, type and
//! collation, nullability, default, identity, MySQL's `ON UPDATE` and charset, comment). A change
//! a view over the table cannot survive marks the table as rebuilt.

use std::collections::BTreeMap;

use super::{Differ, family_uses_enum, rename};
use crate::model::change::CommentTarget;
use crate::model::normalize;
use crate::model::*;

impl Differ<'_> {
    pub(super) fn columns(&mut self, qn: &QualifiedName, old: &Table, new: &Table) {
        // Columns keep their table order (not name order): their changes come out in it.
        let oc: BTreeMap<&str, &Column> =
            old.columns.iter().map(|c| (c.name.as_str(), c)).collect();
        let nc: BTreeMap<&str, &Column> =
            new.columns.iter().map(|c| (c.name.as_str(), c)).collect();
        let mut gone: Vec<&Column> = old
            .columns
            .iter()
            .filter(|c| !nc.contains_key(c.name.as_str()))
            .collect();
        let mut added: Vec<&Column> = new
            .columns
            .iter()
            .filter(|c| !oc.contains_key(c.name.as_str()))
            .collect();
        let mut pairs: Vec<(&Column, &Column)> = new
            .columns
            .iter()
            .filter_map(|c| oc.get(c.name.as_str()).map(|o| (*o, c)))
            .collect();
        if self.opts.renames {
            // A generated column and a stored one are not renamed into each other.
            let score = |g: &Column, a: &Column| {
                (g.generated.is_some() == a.generated.is_some())
                    .then(|| rename::column_score(g, old.columns.len(), a, new.columns.len()))
            };
            let threshold = self.opts.rename_threshold;
            for (g, a, score) in rename::take_renames(&mut gone, &mut added, threshold, score) {
                self.out.push(Change::RenameColumn {
                    table: qn.clone(),
                    from: g.name.clone(),
                    to: a.name.clone(),
                    score,
                });
                pairs.push((g, a));
            }
        }
        for g in gone {
            self.rebuilt_tables.insert(qn.clone());
            self.out.push(Change::DropColumn {
                table: qn.clone(),
                column: g.clone(),
            });
        }
        for a in added {
            let mut c = a.clone();
            c.comment = None;
            self.out.push(Change::AddColumn {
                table: qn.clone(),
                column: c,
            });
            if a.comment.is_some() {
                self.comment(
                    CommentTarget::Column {
                        table: qn.clone(),
                        column: a.name.clone(),
                    },
                    &None,
                    &a.comment,
                );
            }
        }
        for (o, n) in pairs {
            self.column(qn, o, n);
        }
    }

    fn column(&mut self, qn: &QualifiedName, o: &Column, n: &Column) {
        let gen_eq = match (&o.generated, &n.generated) {
            (None, None) => true,
            (Some(a), Some(b)) => {
                a.stored == b.stored
                    && normalize::expr(&a.expression) == normalize::expr(&b.expression)
            }
            _ => false,
        };
        if !gen_eq {
            self.rebuilt_tables.insert(qn.clone());
            self.out.push(Change::AlterGenerated {
                table: qn.clone(),
                from: o.clone(),
                to: n.clone(),
            });
            // A column re-added as generated takes its type, nullability and default with it.
            if n.generated.is_some() {
                return;
            }
        }
        let enum_rebuilt = |d: &Differ| {
            d.retyped_enums
                .iter()
                .any(|e| family_uses_enum(&o.family, &e.to_string()))
        };
        if (o.data_type != n.data_type || o.collation != n.collation) && !enum_rebuilt(self) {
            self.rebuilt_tables.insert(qn.clone());
            self.out.push(Change::AlterColumnType {
                table: qn.clone(),
                from: o.clone(),
                to: n.clone(),
            });
        }
        if o.nullable && !n.nullable && n.identity.is_none() {
            self.out.push(Change::SetNotNull {
                table: qn.clone(),
                column: n.name.clone(),
            });
        }
        if !o.nullable && n.nullable {
            self.out.push(Change::DropNotNull {
                table: qn.clone(),
                column: n.name.clone(),
            });
        }
        if o.identity.is_none() && n.identity.is_some() && o.nullable {
            self.out.push(Change::SetNotNull {
                table: qn.clone(),
                column: n.name.clone(),
            });
        }
        let od = o.default.as_deref().map(normalize::expr);
        let nd = n.default.as_deref().map(normalize::expr);
        if od != nd && n.generated.is_none() {
            self.out.push(Change::SetDefault {
                table: qn.clone(),
                column: n.name.clone(),
                from: o.default.clone(),
                to: n.default.clone(),
            });
        }
        if o.identity != n.identity {
            self.out.push(Change::AlterIdentity {
                table: qn.clone(),
                column: n.name.clone(),
                from: o.identity.clone(),
                to: n.identity.clone(),
            });
        }
        if o.on_update != n.on_update || o.charset != n.charset {
            // MySQL attributes: carried by a MODIFY, rendered as a type change.
            if o.data_type == n.data_type && o.collation == n.collation {
                self.out.push(Change::AlterColumnType {
                    table: qn.clone(),
                    from: o.clone(),
                    to: n.clone(),
                });
            }
        }
        self.comment(
            CommentTarget::Column {
                table: qn.clone(),
                column: n.name.clone(),
            },
            &o.comment,
            &n.comment,
        );
    }
}
