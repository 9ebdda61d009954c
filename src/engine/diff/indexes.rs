//! Indexes of a table or materialized view on both sides, paired by definition (columns compared
//! under their SOURCE names after column renames): the same definition under another name is
//! a rename. A unique index dropped is remembered as a dropped key, as a unique constraint is.

use super::Differ;
use super::matching::{ByDefinition, by_definition};
use crate::model::change::CommentTarget;
use crate::model::normalize;
use crate::model::*;

/// An index key part as compared: (key, expression, descending, nulls first, opclass, collation,
/// prefix length).
type IndexKeyCmp = (
    String,
    bool,
    bool,
    Option<bool>,
    Option<String>,
    Option<String>,
    Option<u32>,
);

impl Differ<'_> {
    pub(super) fn indexes(&mut self, qn: &QualifiedName, old: &[Index], new: &[Index]) {
        let renamed_cols = self.column_renames(qn);
        let key = |i: &Index, rename: bool| {
            let keys: Vec<IndexKeyCmp> = i
                .keys
                .iter()
                .map(|k| {
                    let name = if rename && !k.expression {
                        renamed_cols
                            .get(&k.key)
                            .cloned()
                            .unwrap_or_else(|| k.key.clone())
                    } else {
                        k.key.clone()
                    };
                    (
                        if k.expression {
                            normalize::expr(&name)
                        } else {
                            name
                        },
                        k.expression,
                        k.descending,
                        k.nulls_first,
                        k.opclass.clone(),
                        k.collation.clone(),
                        k.prefix_length,
                    )
                })
                .collect();
            let include: Vec<String> = i
                .include
                .iter()
                .map(|c| {
                    if rename {
                        renamed_cols.get(c).cloned().unwrap_or_else(|| c.clone())
                    } else {
                        c.clone()
                    }
                })
                .collect();
            (
                i.unique,
                i.method.clone(),
                keys,
                include,
                i.predicate.as_deref().map(normalize::expr),
                i.nulls_not_distinct,
            )
        };
        let eq = |o: &Index, n: &Index| key(o, true) == key(n, false);
        let ByDefinition {
            drops,
            adds,
            renames,
        } = by_definition(old, new, |i| &i.name, eq);
        for i in drops {
            if i.unique {
                let cols: Vec<String> = i
                    .keys
                    .iter()
                    .map(|k| {
                        renamed_cols
                            .get(&k.key)
                            .cloned()
                            .unwrap_or_else(|| k.key.clone())
                    })
                    .collect();
                self.dropped_keys.push((qn.clone(), cols));
            }
            self.out.push(Change::DropIndex {
                table: qn.clone(),
                index: i.clone(),
            });
        }
        for i in &adds {
            self.out.push(Change::CreateIndex {
                table: qn.clone(),
                index: (*i).clone(),
            });
        }
        for (from, to) in renames {
            self.out.push(Change::RenameIndex {
                table: qn.clone(),
                from,
                to,
            });
        }
        for i in new {
            let created = adds.iter().any(|a| std::ptr::eq(*a, i));
            let old_comment = if created {
                None
            } else {
                old.iter()
                    .find(|o| {
                        eq(o, i) && (o.name == i.name || !new.iter().any(|x| x.name == o.name))
                    })
                    .and_then(|o| o.comment.clone())
            };
            if old_comment != i.comment {
                self.comment(
                    CommentTarget::Index {
                        schema: qn.schema.clone(),
                        name: i.name.clone(),
                    },
                    &old_comment,
                    &i.comment,
                );
            }
        }
    }
}
