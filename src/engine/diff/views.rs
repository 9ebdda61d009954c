//! Views across the catalog (they read tables of any schema): a changed view is replaced in place
//! when its new columns extend the old ones, else dropped and created again — as is every view
//! that reads a table whose columns change shape, a renamed table, a recreated function, or a
//! view that is itself recreated (closed over view-on-view dependencies). A view's indexes and
//! triggers go and come with it, each a change of its own so that the plan can be reversed.

use std::collections::{BTreeMap, BTreeSet};

use super::Differ;
use crate::model::change::CommentTarget;
use crate::model::normalize;
use crate::model::*;

impl Differ<'_> {
    pub(super) fn views(&mut self) {
        // Views in TARGET by qualified name.
        let mut tv: BTreeMap<QualifiedName, &View> = BTreeMap::new();
        let mut sv: BTreeMap<QualifiedName, &View> = BTreeMap::new();
        for s in &self.target.schemas {
            for v in &s.views {
                tv.insert(QualifiedName::new(&s.name, &v.name), v);
            }
        }
        for s in &self.source.schemas {
            for v in &s.views {
                sv.insert(QualifiedName::new(&s.name, &v.name), v);
            }
        }
        // Which TARGET views must go: gone from SOURCE, changed incompatibly, or reading from
        // something that changes under them. Closed over view-on-view dependencies.
        let mut recreate: BTreeSet<QualifiedName> = BTreeSet::new();
        let mut replace: BTreeSet<QualifiedName> = BTreeSet::new();
        for (qn, old) in &tv {
            match sv.get(qn) {
                None => {
                    recreate.insert(qn.clone());
                }
                Some(new) => {
                    if !view_eq(old, new) {
                        let prefix = !old.materialized
                            && !new.materialized
                            && old.columns.len() <= new.columns.len()
                            && new.columns[..old.columns.len()] == old.columns[..];
                        if prefix {
                            replace.insert(qn.clone());
                        } else {
                            recreate.insert(qn.clone());
                        }
                    }
                }
            }
            let reads_changed = old.depends_on.iter().any(|d| {
                let dq = QualifiedName::new(&d.schema, &d.name);
                match d.kind {
                    ObjectKind::Table => {
                        self.rebuilt_tables.contains(&dq) || self.renamed_tables.contains_key(&dq)
                    }
                    ObjectKind::Function => self.recreated_functions.contains(&dq),
                    _ => false,
                }
            });
            let reads_dropped_function = old.depends_on.iter().any(|d| {
                d.kind == ObjectKind::Function
                    && self.out.iter().any(|c| matches!(c, Change::DropFunction { schema, function } if *schema == d.schema && function.name == d.name))
            });
            if reads_changed || reads_dropped_function {
                recreate.insert(qn.clone());
            }
        }
        loop {
            let mut grew = false;
            for (qn, old) in &tv {
                if recreate.contains(qn) {
                    continue;
                }
                let reads_recreated = old.depends_on.iter().any(|d| {
                    matches!(d.kind, ObjectKind::View | ObjectKind::MaterializedView)
                        && recreate.contains(&QualifiedName::new(&d.schema, &d.name))
                });
                if reads_recreated {
                    recreate.insert(qn.clone());
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
        for qn in &recreate {
            replace.remove(qn);
        }
        for qn in &recreate {
            if let Some(old) = tv.get(qn) {
                // Its indexes and triggers go with it; said explicitly so that the plan can be
                // reversed.
                for t in &old.triggers {
                    self.out.push(Change::DropTrigger {
                        table: qn.clone(),
                        trigger: t.clone(),
                    });
                }
                for i in &old.indexes {
                    self.out.push(Change::DropIndex {
                        table: qn.clone(),
                        index: i.clone(),
                    });
                }
                let mut old = (*old).clone();
                old.indexes.clear();
                old.triggers.clear();
                let old = &old;
                self.out.push(Change::DropView {
                    schema: qn.schema.clone(),
                    view: (*old).clone(),
                });
            }
        }
        for (qn, new) in &sv {
            let target_view = tv.get(qn);
            if target_view.is_none() || recreate.contains(qn) {
                self.create_view(qn, new);
            } else if replace.contains(qn) {
                if let Some(old) = target_view {
                    self.out.push(Change::ReplaceView {
                        schema: qn.schema.clone(),
                        from: (*old).clone(),
                        to: (*new).clone(),
                    });
                    self.view_parts(qn, old, new);
                }
            } else if let Some(old) = target_view {
                self.view_parts(qn, old, new);
            }
        }
    }

    fn create_view(&mut self, qn: &QualifiedName, v: &View) {
        let mut bare = v.clone();
        bare.indexes.clear();
        bare.triggers.clear();
        bare.comment = None;
        self.out.push(Change::CreateView {
            schema: qn.schema.clone(),
            view: bare,
        });
        for i in &v.indexes {
            self.out.push(Change::CreateIndex {
                table: qn.clone(),
                index: i.clone(),
            });
        }
        for t in &v.triggers {
            self.out.push(Change::CreateTrigger {
                table: qn.clone(),
                trigger: t.clone(),
            });
        }
        if v.comment.is_some() {
            self.comment(
                CommentTarget::View {
                    view: qn.clone(),
                    materialized: v.materialized,
                },
                &None,
                &v.comment,
            );
        }
    }

    pub(super) fn view_parts(&mut self, qn: &QualifiedName, old: &View, new: &View) {
        self.indexes(qn, &old.indexes, &new.indexes);
        self.triggers(qn, &old.triggers, &new.triggers);
        self.comment(
            CommentTarget::View {
                view: qn.clone(),
                materialized: new.materialized,
            },
            &old.comment,
            &new.comment,
        );
    }
}

fn view_eq(a: &View, b: &View) -> bool {
    a.materialized == b.materialized
        && normalize::sql(&a.definition) == normalize::sql(&b.definition)
        && a.check_option == b.check_option
        && a.options == b.options
        && a.columns == b.columns
}
