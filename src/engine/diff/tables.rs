//! Tables: paired by name, then by rename score (`rename.rs`); created whole
//! ([`create_table_changes`]), dropped with their foreign keys first, or compared part by part —
//! partitioning and inheritance, table options, columns, constraints, indexes, triggers, row
//! security, policies and comments.

use super::matching::{Matched, by_name};
use super::{Differ, rename};
use crate::model::change::{CommentTarget, TableOptions};
use crate::model::normalize;
use crate::model::*;

impl Differ<'_> {
    /// Tables of one schema: paired by name, then the rest by rename score; new ones created
    /// with their parts, gone ones dropped (their foreign keys first), the others compared.
    pub(super) fn tables(&mut self, schema: &str, t: &Schema, s: &Schema) {
        let (mut gone, mut new, mut pairs) = (Vec::new(), Vec::new(), Vec::new());
        for m in by_name(&t.tables, &s.tables, |x| &x.name).all() {
            match m {
                Matched::Drop(t) => gone.push(t),
                Matched::Create(s) => new.push(s),
                Matched::Alter(t, s) => pairs.push((t, s)),
            }
        }
        if self.opts.renames {
            // Partitions and their parents are not renamed into each other.
            let score = |g: &Table, n: &Table| {
                (g.partition_of.is_some() == n.partition_of.is_some())
                    .then(|| rename::table_score(g, n))
            };
            let threshold = self.opts.rename_threshold;
            for (g, n, score) in rename::take_renames(&mut gone, &mut new, threshold, score) {
                self.out.push(Change::RenameTable {
                    schema: schema.into(),
                    from: g.name.clone(),
                    to: n.name.clone(),
                    score,
                });
                self.renamed_tables.insert(
                    QualifiedName::new(schema, &g.name),
                    QualifiedName::new(schema, &n.name),
                );
                pairs.push((g, n));
            }
        }
        for n in new {
            self.out.extend(create_table_changes(schema, n));
        }
        for g in gone {
            let qn = QualifiedName::new(schema, &g.name);
            self.dropped_tables.insert(qn.clone());
            self.rebuilt_tables.insert(qn.clone());
            // Foreign keys go first, so that tables referring to each other can be dropped in
            // any order.
            for fk in &g.foreign_keys {
                if fk.ref_table != qn {
                    self.out.push(Change::DropForeignKey {
                        table: qn.clone(),
                        foreign_key: fk.clone(),
                    });
                }
            }
            self.out.push(Change::DropTable {
                schema: schema.into(),
                table: g.clone(),
            });
        }
        pairs.sort_by(|a, b| a.1.name.cmp(&b.1.name));
        for (old, new) in pairs {
            if old.partition_of.is_some() && new.partition_of.is_none() {
                // Detached, it keeps what it inherited: compare it as it will be.
                let mut detached = old.detached();
                detached.partition_of = old.partition_of.clone();
                self.table(schema, &detached, new);
            } else {
                self.table(schema, old, new);
            }
        }
    }

    /// Differences inside a table present on both sides (`old` possibly under another name).
    pub(super) fn table(&mut self, schema: &str, old: &Table, new: &Table) {
        let qn = QualifiedName::new(schema, &new.name);
        // Partitioning and inheritance.
        if old.partition_key != new.partition_key {
            self.out.push(Change::Unsupported {
                object_kind: "table".into(),
                object: qn.to_string(),
                detail: format!(
                    "partition key differs ({} → {}): recreate the table by hand",
                    old.partition_key.as_deref().unwrap_or("none"),
                    new.partition_key.as_deref().unwrap_or("none")
                ),
            });
        }
        let old_parent = old.partition_of.as_ref().map(|p| {
            let parent = self
                .renamed_tables
                .get(&p.parent)
                .cloned()
                .unwrap_or_else(|| p.parent.clone());
            (parent, normalize::sql(&p.bound))
        });
        let new_parent = new
            .partition_of
            .as_ref()
            .map(|p| (p.parent.clone(), normalize::sql(&p.bound)));
        if old_parent != new_parent {
            if let Some(p) = &old.partition_of {
                if !self.dropped_tables.contains(&p.parent) {
                    self.out.push(Change::DetachPartition {
                        table: qn.clone(),
                        parent: old_parent
                            .as_ref()
                            .map(|x| x.0.clone())
                            .unwrap_or_else(|| p.parent.clone()),
                        bound: p.bound.clone(),
                    });
                }
            }
            if let Some(p) = &new.partition_of {
                self.out.push(Change::AttachPartition {
                    table: qn.clone(),
                    parent: p.parent.clone(),
                    bound: p.bound.clone(),
                });
            }
        }
        for p in &old.inherits {
            if !new.inherits.contains(p) {
                self.out.push(Change::SetInherit {
                    table: qn.clone(),
                    parent: p.clone(),
                    inherit: false,
                });
            }
        }
        for p in &new.inherits {
            if !old.inherits.contains(p) {
                self.out.push(Change::SetInherit {
                    table: qn.clone(),
                    parent: p.clone(),
                    inherit: true,
                });
            }
        }
        if old.unlogged != new.unlogged {
            self.out.push(Change::SetLogged {
                table: qn.clone(),
                logged: !new.unlogged,
            });
        }
        if old.without_rowid != new.without_rowid || old.strict != new.strict {
            // SQLite table options: only a rebuild of the table changes them.
            self.out.push(Change::RebuildTable {
                table: qn.clone(),
                from: Box::new(old.clone()),
                to: Box::new(new.clone()),
                renamed: Vec::new(),
                replaces: Vec::new(),
            });
        }
        // MySQL table options, when both sides have them (other dialects state none).
        let (oo, no) = (TableOptions::of(old), TableOptions::of(new));
        let differs = |a: &Option<String>, b: &Option<String>| b.is_some() && a != b;
        let mysql_like = old.engine.is_some() && new.engine.is_some();
        if mysql_like
            && (differs(&oo.engine, &no.engine)
                || differs(&oo.charset, &no.charset)
                || differs(&oo.collation, &no.collation))
        {
            self.out.push(Change::AlterTableOptions {
                table: qn.clone(),
                from: oo,
                to: no,
            });
        }
        // A partition's columns follow its parent's: only the parent's column changes are made.
        let columns_follow_parent = new.partition_of.is_some() && old.partition_of.is_some();
        if !columns_follow_parent {
            self.columns(&qn, old, new);
        }
        self.constraints(&qn, old, new);
        self.indexes(&qn, &old.indexes, &new.indexes);
        self.triggers(&qn, &old.triggers, &new.triggers);
        if old.rls_enabled != new.rls_enabled || old.rls_forced != new.rls_forced {
            self.out.push(Change::SetRowSecurity {
                table: qn.clone(),
                enabled: new.rls_enabled,
                forced: new.rls_forced,
                from_enabled: old.rls_enabled,
                from_forced: old.rls_forced,
            });
        }
        // Policies: a changed one is dropped and created again.
        let policies = by_name(&old.policies, &new.policies, |p| &p.name);
        for m in policies.all() {
            match m {
                Matched::Alter(p, q) if policy_eq(p, q) => {}
                Matched::Alter(p, _) | Matched::Drop(p) => self.out.push(Change::DropPolicy {
                    table: qn.clone(),
                    policy: p.clone(),
                }),
                Matched::Create(_) => {}
            }
        }
        for m in policies.all() {
            match m {
                Matched::Alter(p, q) if policy_eq(p, q) => {}
                Matched::Alter(_, q) | Matched::Create(q) => self.out.push(Change::CreatePolicy {
                    table: qn.clone(),
                    policy: q.clone(),
                }),
                Matched::Drop(_) => {}
            }
        }
        self.comment(
            CommentTarget::Table { table: qn.clone() },
            &old.comment,
            &new.comment,
        );
    }
}

fn policy_eq(a: &Policy, b: &Policy) -> bool {
    a.command == b.command
        && a.permissive == b.permissive
        && a.roles == b.roles
        && a.using.as_deref().map(normalize::expr) == b.using.as_deref().map(normalize::expr)
        && a.with_check.as_deref().map(normalize::expr)
            == b.with_check.as_deref().map(normalize::expr)
}

/// The changes that create table `t` in `schema` as it stands: the bare table, then its foreign
/// keys, indexes, triggers, row security, policies and comments, each a change of its own.
pub fn create_table_changes(schema: &str, t: &Table) -> Vec<Change> {
    let mut out = Vec::new();
    let qn = QualifiedName::new(schema, &t.name);
    let mut bare = t.clone();
    bare.foreign_keys.clear();
    bare.indexes.clear();
    bare.triggers.clear();
    bare.policies.clear();
    bare.comment = None;
    for c in &mut bare.columns {
        c.comment = None;
    }
    out.push(Change::CreateTable {
        schema: schema.into(),
        table: bare,
    });
    for fk in &t.foreign_keys {
        out.push(Change::AddForeignKey {
            table: qn.clone(),
            foreign_key: fk.clone(),
        });
    }
    for i in &t.indexes {
        out.push(Change::CreateIndex {
            table: qn.clone(),
            index: i.clone(),
        });
    }
    for tr in &t.triggers {
        out.push(Change::CreateTrigger {
            table: qn.clone(),
            trigger: tr.clone(),
        });
        if !tr.enabled {
            out.push(Change::SetTriggerEnabled {
                table: qn.clone(),
                name: tr.name.clone(),
                enabled: false,
            });
        }
    }
    if t.rls_enabled || t.rls_forced {
        out.push(Change::SetRowSecurity {
            table: qn.clone(),
            enabled: t.rls_enabled,
            forced: t.rls_forced,
            from_enabled: false,
            from_forced: false,
        });
    }
    for p in &t.policies {
        out.push(Change::CreatePolicy {
            table: qn.clone(),
            policy: p.clone(),
        });
    }
    if t.comment.is_some() {
        out.push(Change::SetComment {
            target: CommentTarget::Table { table: qn.clone() },
            from: None,
            to: t.comment.clone(),
        });
    }
    for c in &t.columns {
        if c.comment.is_some() {
            out.push(Change::SetComment {
                target: CommentTarget::Column {
                    table: qn.clone(),
                    column: c.name.clone(),
                },
                from: None,
                to: c.comment.clone(),
            });
        }
    }
    for i in &t.indexes {
        if i.comment.is_some() {
            out.push(Change::SetComment {
                target: CommentTarget::Index {
                    schema: schema.into(),
                    name: i.name.clone(),
                },
                from: None,
                to: i.comment.clone(),
            });
        }
    }
    out
}
