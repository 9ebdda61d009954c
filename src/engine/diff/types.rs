//! Types: enums (labels added in place, renamed in place, or the type rebuilt and its columns
//! converted), domains and composite types (dropped and created when their attributes change).

use super::Differ;
use super::matching::{Matched, by_name};
use crate::model::change::{ColumnUse, CommentTarget};
use crate::model::normalize;
use crate::model::*;

impl Differ<'_> {
    pub(super) fn types(&mut self, schema: &str, t: &Schema, s: &Schema) {
        for m in by_name(&t.enums, &s.enums, |e| &e.name).in_change_order() {
            match m {
                Matched::Create(new) => self.out.push(Change::CreateEnum {
                    schema: schema.into(),
                    enum_type: new.clone(),
                }),
                Matched::Alter(old, new) => {
                    if old.labels != new.labels {
                        self.enum_labels(schema, old, new);
                    }
                    self.comment(
                        CommentTarget::Type {
                            name: QualifiedName::new(schema, &new.name),
                            domain: false,
                        },
                        &old.comment,
                        &new.comment,
                    );
                }
                Matched::Drop(old) => self.out.push(Change::DropEnum {
                    schema: schema.into(),
                    enum_type: old.clone(),
                }),
            }
        }
        for m in by_name(&t.domains, &s.domains, |d| &d.name).in_change_order() {
            match m {
                Matched::Create(new) => self.out.push(Change::CreateDomain {
                    schema: schema.into(),
                    domain: new.clone(),
                }),
                Matched::Alter(old, new) => {
                    if !domain_eq(old, new) {
                        self.out.push(Change::AlterDomain {
                            schema: schema.into(),
                            from: old.clone(),
                            to: new.clone(),
                        });
                    }
                    self.comment(
                        CommentTarget::Type {
                            name: QualifiedName::new(schema, &new.name),
                            domain: true,
                        },
                        &old.comment,
                        &new.comment,
                    );
                }
                Matched::Drop(old) => self.out.push(Change::DropDomain {
                    schema: schema.into(),
                    domain: old.clone(),
                }),
            }
        }
        for m in by_name(&t.composite_types, &s.composite_types, |c| &c.name).in_change_order() {
            let (drop, create) = match m {
                Matched::Create(new) => (None, Some(new)),
                Matched::Alter(old, new) if old.attributes != new.attributes => {
                    (Some(old), Some(new))
                }
                Matched::Alter(..) => (None, None),
                Matched::Drop(old) => (Some(old), None),
            };
            if let Some(old) = drop {
                self.out.push(Change::DropCompositeType {
                    schema: schema.into(),
                    composite: old.clone(),
                });
            }
            if let Some(new) = create {
                self.out.push(Change::CreateCompositeType {
                    schema: schema.into(),
                    composite: new.clone(),
                });
            }
        }
    }

    fn enum_labels(&mut self, schema: &str, old: &EnumType, new: &EnumType) {
        // Renames: same length, and each differing position holds a label the other side lacks.
        let mut labels = old.labels.clone();
        if old.labels.len() == new.labels.len() {
            let diffs: Vec<usize> = (0..old.labels.len())
                .filter(|&i| old.labels[i] != new.labels[i])
                .collect();
            let all_renames = diffs.iter().all(|&i| {
                !new.labels.contains(&old.labels[i]) && !old.labels.contains(&new.labels[i])
            });
            if all_renames {
                for i in diffs {
                    self.out.push(Change::RenameEnumLabel {
                        schema: schema.into(),
                        name: new.name.clone(),
                        from: old.labels[i].clone(),
                        to: new.labels[i].clone(),
                    });
                    labels[i] = new.labels[i].clone();
                }
                return;
            }
        }
        // Additions only: the old labels are a subsequence of the new ones.
        let mut it = new.labels.iter();
        let subsequence = labels.iter().all(|l| it.any(|n| n == l));
        if subsequence {
            for (i, l) in new.labels.iter().enumerate() {
                if labels.contains(l) {
                    continue;
                }
                // The next label that already exists, to insert before it.
                let before = new.labels[i + 1..]
                    .iter()
                    .find(|n| labels.contains(n))
                    .cloned();
                self.out.push(Change::AddEnumLabel {
                    schema: schema.into(),
                    name: new.name.clone(),
                    label: l.clone(),
                    before,
                });
            }
            return;
        }
        // Removed or reordered: rebuild the type and convert the columns that use it.
        let qn = format!("{schema}.{}", new.name);
        let mut columns = Vec::new();
        for (sname, t) in self.target.tables() {
            for c in &t.columns {
                if family_uses_enum(&c.family, &qn) {
                    columns.push(ColumnUse {
                        table: QualifiedName::new(sname, t.name.clone()),
                        column: c.name.clone(),
                        default: c.default.clone(),
                        data_type: c.data_type.clone(),
                    });
                    self.rebuilt_tables
                        .insert(QualifiedName::new(sname, t.name.clone()));
                }
            }
        }
        self.retyped_enums
            .insert(QualifiedName::new(schema, &new.name));
        self.out.push(Change::RebuildEnum {
            schema: schema.into(),
            from: old.clone(),
            to: new.clone(),
            columns,
        });
    }
}

pub(crate) fn family_uses_enum(f: &TypeFamily, qualified: &str) -> bool {
    match f {
        TypeFamily::Enum {
            type_name: Some(n), ..
        } => n == qualified,
        TypeFamily::Array { element } => family_uses_enum(element, qualified),
        _ => false,
    }
}

fn domain_eq(a: &Domain, b: &Domain) -> bool {
    let checks = |d: &Domain| -> Vec<(String, String)> {
        d.checks
            .iter()
            .map(|c| (c.name.clone(), normalize::expr(&c.expression)))
            .collect()
    };
    a.base_type == b.base_type
        && a.nullable == b.nullable
        && a.default.as_deref().map(normalize::expr) == b.default.as_deref().map(normalize::expr)
        && a.collation == b.collation
        && checks(a) == checks(b)
}
