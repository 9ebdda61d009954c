//! The schema differ: two normalized catalogs in, typed [`Change`]s out. Reads "make TARGET look
//! like SOURCE". Knows no SQL: only `dialect::*::render` writes SQL.

pub mod rename;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::model::change::{ColumnUse, CommentTarget, TableOptions};
use crate::model::normalize;
use crate::model::*;

/// How the differ behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiffOptions {
    /// Detect renames of tables and columns.
    pub renames: bool,
    /// Minimum score (0–100) for a rename.
    pub rename_threshold: u8,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            renames: true,
            rename_threshold: rename::DEFAULT_THRESHOLD,
        }
    }
}

/// The changes that make `target` look like `source`, in a stable order.
pub fn diff(target: &Catalog, source: &Catalog, opts: &DiffOptions) -> Vec<Change> {
    let source = align_default_schema(target, source);
    let mut d = Differ {
        target,
        source: &source,
        opts,
        out: Vec::new(),
        rebuilt_tables: BTreeSet::new(),
        retyped_enums: BTreeSet::new(),
        recreated_functions: BTreeSet::new(),
        dropped_tables: BTreeSet::new(),
        renamed_tables: BTreeMap::new(),
        dropped_keys: Vec::new(),
    };
    d.run();
    d.out
}

/// When two catalogs name their default schema differently (two MySQL databases, or two dialects),
/// SOURCE's default schema is renamed to TARGET's so that objects pair up.
pub(crate) fn align_default_schema(target: &Catalog, source: &Catalog) -> Catalog {
    let mut s = source.clone();
    let (from, to) = (source.default_schema.clone(), target.default_schema.clone());
    if from.is_empty() || to.is_empty() || from == to || source.dialect == Some(Dialect::Postgres) {
        return s;
    }
    let fix = |n: &mut String| {
        if *n == from {
            *n = to.clone();
        }
    };
    for sc in &mut s.schemas {
        fix(&mut sc.name);
        for t in &mut sc.tables {
            for fk in &mut t.foreign_keys {
                fix(&mut fk.ref_table.schema);
            }
            if let Some(p) = &mut t.partition_of {
                fix(&mut p.parent.schema);
            }
        }
        for v in &mut sc.views {
            for d in &mut v.depends_on {
                fix(&mut d.schema);
            }
        }
    }
    for u in &mut s.unsupported {
        fix(&mut u.schema);
    }
    s.default_schema = to;
    s
}

struct Differ<'a> {
    target: &'a Catalog,
    source: &'a Catalog,
    opts: &'a DiffOptions,
    out: Vec<Change>,
    /// Tables whose columns change in a way views over them cannot survive.
    rebuilt_tables: BTreeSet<QualifiedName>,
    retyped_enums: BTreeSet<QualifiedName>,
    /// Functions dropped and created again (signature or kind changed).
    recreated_functions: BTreeSet<QualifiedName>,
    dropped_tables: BTreeSet<QualifiedName>,
    /// TARGET name → SOURCE name.
    renamed_tables: BTreeMap<QualifiedName, QualifiedName>,
    /// Primary and unique keys dropped (by table, with their columns under SOURCE names).
    dropped_keys: Vec<(QualifiedName, Vec<String>)>,
}

fn by_name<T>(items: &[T], name: impl Fn(&T) -> &str) -> BTreeMap<&str, &T> {
    items.iter().map(|i| (name(i), i)).collect()
}

impl<'a> Differ<'a> {
    fn run(&mut self) {
        let empty = Schema::default();
        // Extensions.
        let te = by_name(&self.target.extensions, |e| &e.name);
        let se = by_name(&self.source.extensions, |e| &e.name);
        for (n, s) in &se {
            match te.get(n) {
                None => self.out.push(Change::CreateExtension {
                    extension: (*s).clone(),
                }),
                Some(t) if t.version != s.version => self.out.push(Change::AlterExtension {
                    from: (*t).clone(),
                    to: (*s).clone(),
                }),
                _ => {}
            }
        }
        for (n, t) in &te {
            if !se.contains_key(n) {
                self.out.push(Change::DropExtension {
                    extension: (*t).clone(),
                });
            }
        }
        // Schemas.
        let names: BTreeSet<&str> = self
            .target
            .schemas
            .iter()
            .chain(self.source.schemas.iter())
            .map(|s| s.name.as_str())
            .collect();
        for name in &names {
            let t = self.target.schema(name);
            let s = self.source.schema(name);
            match (t, s) {
                (None, Some(s)) => {
                    self.out.push(Change::CreateSchema {
                        name: name.to_string(),
                    });
                    if s.comment.is_some() {
                        self.comment(
                            CommentTarget::Schema {
                                name: name.to_string(),
                            },
                            &None,
                            &s.comment,
                        );
                    }
                }
                (Some(_), None) => {}
                _ => {}
            }
            if let (Some(t), Some(s)) = (t, s) {
                if t.comment != s.comment {
                    self.out.push(Change::SetComment {
                        target: CommentTarget::Schema {
                            name: name.to_string(),
                        },
                        from: t.comment.clone(),
                        to: s.comment.clone(),
                    });
                }
            }
            self.types(name, t.unwrap_or(&empty), s.unwrap_or(&empty));
        }
        for name in &names {
            let t = self.target.schema(name).unwrap_or(&empty);
            let s = self.source.schema(name).unwrap_or(&empty);
            self.sequences(name, t, s);
            self.tables(name, t, s);
        }
        for name in &names {
            let t = self.target.schema(name).unwrap_or(&empty);
            let s = self.source.schema(name).unwrap_or(&empty);
            self.functions(name, t, s);
        }
        self.foreign_keys_on_dropped_keys();
        self.views();
        self.dependent_triggers();
        for name in &names {
            if self.target.schema(name).is_some() && self.source.schema(name).is_none() {
                self.out.push(Change::DropSchema {
                    name: name.to_string(),
                });
            }
        }
        self.unsupported();
    }

    // ------------------------------------------------------------------ types

    fn types(&mut self, schema: &str, t: &Schema, s: &Schema) {
        let te = by_name(&t.enums, |e| &e.name);
        let se = by_name(&s.enums, |e| &e.name);
        for (n, new) in &se {
            match te.get(n) {
                None => self.out.push(Change::CreateEnum {
                    schema: schema.into(),
                    enum_type: (*new).clone(),
                }),
                Some(old) => {
                    if old.labels != new.labels {
                        self.enum_labels(schema, old, new);
                    }
                    if old.comment != new.comment {
                        self.comment(
                            CommentTarget::Type {
                                name: QualifiedName::new(schema, *n),
                                domain: false,
                            },
                            &old.comment,
                            &new.comment,
                        );
                    }
                }
            }
        }
        for (n, old) in &te {
            if !se.contains_key(n) {
                self.out.push(Change::DropEnum {
                    schema: schema.into(),
                    enum_type: (*old).clone(),
                });
            }
        }
        let td = by_name(&t.domains, |d| &d.name);
        let sd = by_name(&s.domains, |d| &d.name);
        for (n, new) in &sd {
            match td.get(n) {
                None => self.out.push(Change::CreateDomain {
                    schema: schema.into(),
                    domain: (*new).clone(),
                }),
                Some(old) => {
                    if !domain_eq(old, new) {
                        self.out.push(Change::AlterDomain {
                            schema: schema.into(),
                            from: (*old).clone(),
                            to: (*new).clone(),
                        });
                    }
                    if old.comment != new.comment {
                        self.comment(
                            CommentTarget::Type {
                                name: QualifiedName::new(schema, *n),
                                domain: true,
                            },
                            &old.comment,
                            &new.comment,
                        );
                    }
                }
            }
        }
        for (n, old) in &td {
            if !sd.contains_key(n) {
                self.out.push(Change::DropDomain {
                    schema: schema.into(),
                    domain: (*old).clone(),
                });
            }
        }
        let tc = by_name(&t.composite_types, |c| &c.name);
        let sc = by_name(&s.composite_types, |c| &c.name);
        for (n, new) in &sc {
            match tc.get(n) {
                None => self.out.push(Change::CreateCompositeType {
                    schema: schema.into(),
                    composite: (*new).clone(),
                }),
                Some(old) if old.attributes != new.attributes => {
                    self.out.push(Change::DropCompositeType {
                        schema: schema.into(),
                        composite: (*old).clone(),
                    });
                    self.out.push(Change::CreateCompositeType {
                        schema: schema.into(),
                        composite: (*new).clone(),
                    });
                }
                _ => {}
            }
        }
        for (n, old) in &tc {
            if !sc.contains_key(n) {
                self.out.push(Change::DropCompositeType {
                    schema: schema.into(),
                    composite: (*old).clone(),
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

    // ------------------------------------------------------------------ sequences

    fn sequences(&mut self, schema: &str, t: &Schema, s: &Schema) {
        let ts = by_name(&t.sequences, |q| &q.name);
        let ss = by_name(&s.sequences, |q| &q.name);
        for (n, new) in &ss {
            match ts.get(n) {
                None => {
                    if self.made_by_serial(schema, new) {
                        continue;
                    }
                    let mut bare = (*new).clone();
                    bare.owned_by = None;
                    self.out.push(Change::CreateSequence {
                        schema: schema.into(),
                        sequence: bare.clone(),
                    });
                    // Ownership is set once the column exists.
                    if new.owned_by.is_some() {
                        self.out.push(Change::AlterSequence {
                            schema: schema.into(),
                            from: bare,
                            to: (*new).clone(),
                        });
                    }
                }
                Some(old) => {
                    if old.options != new.options || old.owned_by != new.owned_by {
                        self.out.push(Change::AlterSequence {
                            schema: schema.into(),
                            from: (*old).clone(),
                            to: (*new).clone(),
                        });
                    }
                    if old.comment != new.comment {
                        self.comment(
                            CommentTarget::Sequence {
                                sequence: QualifiedName::new(schema, *n),
                            },
                            &old.comment,
                            &new.comment,
                        );
                    }
                }
            }
        }
        for (n, old) in &ts {
            if !ss.contains_key(n) {
                self.out.push(Change::DropSequence {
                    schema: schema.into(),
                    sequence: (*old).clone(),
                });
            }
        }
    }

    /// A sequence that a new `serial` column (rendered as `serial`) creates by itself.
    fn made_by_serial(&self, schema: &str, seq: &Sequence) -> bool {
        if self.source.dialect != Some(Dialect::Postgres) {
            return false;
        }
        let Some(o) = &seq.owned_by else {
            return false;
        };
        let column_is_new = self
            .target
            .table(&o.schema, &o.table)
            .is_none_or(|t| t.column(&o.column).is_none());
        let Some(col) = self
            .source
            .table(&o.schema, &o.table)
            .and_then(|t| t.column(&o.column))
        else {
            return false;
        };
        column_is_new
            && crate::dialect::postgres::render::serial_kind(schema, &o.table, col, Some(seq))
                .is_some()
    }

    // ------------------------------------------------------------------ tables

    fn tables(&mut self, schema: &str, t: &Schema, s: &Schema) {
        let tt = by_name(&t.tables, |x| &x.name);
        let st = by_name(&s.tables, |x| &x.name);
        let mut gone: Vec<&Table> = tt
            .iter()
            .filter(|(n, _)| !st.contains_key(*n))
            .map(|(_, t)| *t)
            .collect();
        let mut new: Vec<&Table> = st
            .iter()
            .filter(|(n, _)| !tt.contains_key(*n))
            .map(|(_, t)| *t)
            .collect();
        let mut pairs: Vec<(&Table, &Table)> = tt
            .iter()
            .filter_map(|(n, t)| st.get(n).map(|s| (*t, *s)))
            .collect();
        if self.opts.renames && !gone.is_empty() && !new.is_empty() {
            let mut scores = Vec::new();
            for (i, g) in gone.iter().enumerate() {
                for (j, n) in new.iter().enumerate() {
                    // Partitions and their parents are not renamed into each other.
                    if g.partition_of.is_some() != n.partition_of.is_some() {
                        continue;
                    }
                    scores.push((i, j, rename::table_score(g, n)));
                }
            }
            let chosen = rename::assign(scores, self.opts.rename_threshold);
            let mut used_g = HashSet::new();
            let mut used_n = HashSet::new();
            for (i, j, score) in chosen {
                self.out.push(Change::RenameTable {
                    schema: schema.into(),
                    from: gone[i].name.clone(),
                    to: new[j].name.clone(),
                    score,
                });
                self.renamed_tables.insert(
                    QualifiedName::new(schema, &gone[i].name),
                    QualifiedName::new(schema, &new[j].name),
                );
                pairs.push((gone[i], new[j]));
                used_g.insert(i);
                used_n.insert(j);
            }
            gone = gone
                .into_iter()
                .enumerate()
                .filter(|(i, _)| !used_g.contains(i))
                .map(|(_, t)| t)
                .collect();
            new = new
                .into_iter()
                .enumerate()
                .filter(|(j, _)| !used_n.contains(j))
                .map(|(_, t)| t)
                .collect();
        }
        for n in new {
            self.create_table(schema, n);
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

    fn create_table(&mut self, schema: &str, t: &Table) {
        self.out.extend(create_table_changes(schema, t));
    }

    fn comment(&mut self, target: CommentTarget, from: &Option<String>, to: &Option<String>) {
        if from != to {
            self.out.push(Change::SetComment {
                target,
                from: from.clone(),
                to: to.clone(),
            });
        }
    }

    /// Differences inside a table present on both sides (`old` possibly under another name).
    fn table(&mut self, schema: &str, old: &Table, new: &Table) {
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
        self.triggers(&qn, &old.triggers, &new.triggers, false);
        if old.rls_enabled != new.rls_enabled || old.rls_forced != new.rls_forced {
            self.out.push(Change::SetRowSecurity {
                table: qn.clone(),
                enabled: new.rls_enabled,
                forced: new.rls_forced,
                from_enabled: old.rls_enabled,
                from_forced: old.rls_forced,
            });
        }
        let op = by_name(&old.policies, |p| &p.name);
        let np = by_name(&new.policies, |p| &p.name);
        for (n, p) in &op {
            match np.get(n) {
                Some(q) if policy_eq(p, q) => {}
                _ => self.out.push(Change::DropPolicy {
                    table: qn.clone(),
                    policy: (*p).clone(),
                }),
            }
        }
        for (n, p) in &np {
            match op.get(n) {
                Some(q) if policy_eq(p, q) => {}
                _ => self.out.push(Change::CreatePolicy {
                    table: qn.clone(),
                    policy: (*p).clone(),
                }),
            }
        }
        self.comment(
            CommentTarget::Table { table: qn.clone() },
            &old.comment,
            &new.comment,
        );
    }

    fn columns(&mut self, qn: &QualifiedName, old: &Table, new: &Table) {
        let oc = by_name(&old.columns, |c| &c.name);
        let nc = by_name(&new.columns, |c| &c.name);
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
        if self.opts.renames && !gone.is_empty() && !added.is_empty() {
            let mut scores = Vec::new();
            for (i, g) in gone.iter().enumerate() {
                for (j, a) in added.iter().enumerate() {
                    if g.generated.is_some() != a.generated.is_some() {
                        continue;
                    }
                    let s = rename::column_score(g, old.columns.len(), a, new.columns.len());
                    scores.push((i, j, s));
                }
            }
            let chosen = rename::assign(scores, self.opts.rename_threshold);
            let mut used_g = HashSet::new();
            let mut used_a = HashSet::new();
            for (i, j, score) in chosen {
                self.out.push(Change::RenameColumn {
                    table: qn.clone(),
                    from: gone[i].name.clone(),
                    to: added[j].name.clone(),
                    score,
                });
                pairs.push((gone[i], added[j]));
                used_g.insert(i);
                used_a.insert(j);
            }
            gone = gone
                .into_iter()
                .enumerate()
                .filter(|(i, _)| !used_g.contains(i))
                .map(|(_, c)| c)
                .collect();
            added = added
                .into_iter()
                .enumerate()
                .filter(|(j, _)| !used_a.contains(j))
                .map(|(_, c)| c)
                .collect();
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

    fn constraints(&mut self, qn: &QualifiedName, old: &Table, new: &Table) {
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
        let (drops, adds, renames) = pair(&old.uniques, &new.uniques, |u| &u.name, uniq_eq);
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
        let (drops, adds, renames) = pair(&old.checks, &new.checks, |c| &c.name, check_eq);
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
        let (drops, adds, renames) = pair(&old.foreign_keys, &new.foreign_keys, |f| &f.name, fk_eq);
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
    fn foreign_keys_on_dropped_keys(&mut self) {
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
    fn column_renames(&self, qn: &QualifiedName) -> HashMap<String, String> {
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

    fn indexes(&mut self, qn: &QualifiedName, old: &[Index], new: &[Index]) {
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
        let (drops, adds, renames) = pair(old, new, |i| &i.name, eq);
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

    fn triggers(&mut self, qn: &QualifiedName, old: &[Trigger], new: &[Trigger], _on_view: bool) {
        let ot = by_name(old, |t| &t.name);
        let nt = by_name(new, |t| &t.name);
        for (n, t) in &ot {
            if !nt.get(n).is_some_and(|u| trigger_eq(t, u)) {
                self.out.push(Change::DropTrigger {
                    table: qn.clone(),
                    trigger: (*t).clone(),
                });
            }
        }
        for (n, t) in &nt {
            let same = ot.get(n).is_some_and(|u| trigger_eq(u, t));
            if !same {
                self.out.push(Change::CreateTrigger {
                    table: qn.clone(),
                    trigger: (*t).clone(),
                });
            }
            let was_enabled = ot
                .get(n)
                .filter(|_| same)
                .map(|u| u.enabled)
                .unwrap_or(true);
            if was_enabled != t.enabled {
                self.out.push(Change::SetTriggerEnabled {
                    table: qn.clone(),
                    name: t.name.clone(),
                    enabled: t.enabled,
                });
            }
            let old_comment = ot.get(n).filter(|_| same).and_then(|u| u.comment.clone());
            self.comment(
                CommentTarget::Trigger {
                    table: qn.clone(),
                    name: t.name.clone(),
                },
                &old_comment,
                &t.comment,
            );
        }
    }

    // ------------------------------------------------------------------ functions

    fn functions(&mut self, schema: &str, t: &Schema, s: &Schema) {
        let key = |f: &Function| format!("{}({})", f.name, f.arguments);
        let tf: BTreeMap<String, &Function> = t.functions.iter().map(|f| (key(f), f)).collect();
        let sf: BTreeMap<String, &Function> = s.functions.iter().map(|f| (key(f), f)).collect();
        for (k, new) in &sf {
            match tf.get(k) {
                None => self.out.push(Change::CreateFunction {
                    schema: schema.into(),
                    function: (*new).clone(),
                }),
                Some(old) => {
                    if normalize::sql(&old.definition) != normalize::sql(&new.definition) {
                        let replaceable = old.kind == new.kind
                            && old.kind != RoutineKind::Aggregate
                            && old.returns == new.returns;
                        if replaceable {
                            self.out.push(Change::ReplaceFunction {
                                schema: schema.into(),
                                from: (*old).clone(),
                                to: (*new).clone(),
                            });
                        } else {
                            self.recreated_functions
                                .insert(QualifiedName::new(schema, &new.name));
                            self.out.push(Change::DropFunction {
                                schema: schema.into(),
                                function: (*old).clone(),
                            });
                            self.out.push(Change::CreateFunction {
                                schema: schema.into(),
                                function: (*new).clone(),
                            });
                        }
                    }
                    if old.comment != new.comment {
                        self.comment(
                            CommentTarget::Function {
                                schema: schema.into(),
                                name: new.name.clone(),
                                arguments: new.arguments.clone(),
                                kind: new.kind,
                            },
                            &old.comment,
                            &new.comment,
                        );
                    }
                }
            }
        }
        for (k, old) in &tf {
            if !sf.contains_key(k) {
                self.out.push(Change::DropFunction {
                    schema: schema.into(),
                    function: (*old).clone(),
                });
            }
        }
        for (k, new) in &sf {
            if !tf.contains_key(k) && new.comment.is_some() {
                self.comment(
                    CommentTarget::Function {
                        schema: schema.into(),
                        name: new.name.clone(),
                        arguments: new.arguments.clone(),
                        kind: new.kind,
                    },
                    &None,
                    &new.comment,
                );
            }
        }
    }

    // ------------------------------------------------------------------ views

    fn views(&mut self) {
        let empty = Schema::default();
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
        let _ = empty;
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

    fn view_parts(&mut self, qn: &QualifiedName, old: &View, new: &View) {
        self.indexes(qn, &old.indexes, &new.indexes);
        self.triggers(qn, &old.triggers, &new.triggers, true);
        self.comment(
            CommentTarget::View {
                view: qn.clone(),
                materialized: new.materialized,
            },
            &old.comment,
            &new.comment,
        );
    }

    /// Triggers on tables that stay, calling a function that is dropped and created again, must be
    /// dropped before and created after it.
    fn dependent_triggers(&mut self) {
        if self.recreated_functions.is_empty() {
            return;
        }
        let mut extra = Vec::new();
        for s in &self.source.schemas {
            for t in &s.tables {
                let qn = QualifiedName::new(&s.name, &t.name);
                for tr in &t.triggers {
                    let Some(f) = &tr.function else { continue };
                    if !self.recreated_functions.contains(f) {
                        continue;
                    }
                    let already = self.out.iter().any(|c| matches!(c, Change::CreateTrigger { table, trigger } if *table == qn && trigger.name == tr.name));
                    let existed = self
                        .target
                        .table(&s.name, &t.name)
                        .is_some_and(|old| old.trigger(&tr.name).is_some());
                    if !already && existed {
                        if let Some(old) = self
                            .target
                            .table(&s.name, &t.name)
                            .and_then(|o| o.trigger(&tr.name))
                        {
                            extra.push(Change::DropTrigger {
                                table: qn.clone(),
                                trigger: old.clone(),
                            });
                        }
                        extra.push(Change::CreateTrigger {
                            table: qn.clone(),
                            trigger: tr.clone(),
                        });
                    }
                }
            }
        }
        self.out.extend(extra);
    }

    // ------------------------------------------------------------------ unsupported

    fn unsupported(&mut self) {
        let key = |u: &Unsupported| {
            (
                u.kind.clone(),
                u.schema.clone(),
                u.name.clone(),
                u.parent.clone(),
            )
        };
        let t: BTreeMap<_, &Unsupported> = self
            .target
            .unsupported
            .iter()
            .map(|u| (key(u), u))
            .collect();
        let s: BTreeMap<_, &Unsupported> = self
            .source
            .unsupported
            .iter()
            .map(|u| (key(u), u))
            .collect();
        let object = |u: &Unsupported| match &u.parent {
            Some(p) if u.schema.is_empty() => format!("{p}.{}", u.name),
            Some(p) => format!("{}.{p}.{}", u.schema, u.name),
            None if u.schema.is_empty() => u.name.clone(),
            None => format!("{}.{}", u.schema, u.name),
        };
        for (k, u) in &s {
            match t.get(k) {
                None => self.out.push(Change::Unsupported {
                    object_kind: u.kind.clone(),
                    object: object(u),
                    detail: format!("only in SOURCE; sluice cannot create it ({})", u.reason),
                }),
                Some(v) if v.definition != u.definition => self.out.push(Change::Unsupported {
                    object_kind: u.kind.clone(),
                    object: object(u),
                    detail: format!("differs; sluice cannot change it ({})", u.reason),
                }),
                _ => {}
            }
        }
        for (k, u) in &t {
            if !s.contains_key(k) {
                self.out.push(Change::Unsupported {
                    object_kind: u.kind.clone(),
                    object: object(u),
                    detail: format!("only in TARGET; sluice will not drop it ({})", u.reason),
                });
            }
        }
    }
}

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

/// Pairs two named lists: what only TARGET has (drop), what only SOURCE has (add), and what is
/// the same under another name (rename, `(old, new)`). Same name and equal: nothing.
fn pair<'x, T>(
    old: &'x [T],
    new: &'x [T],
    name: impl Fn(&T) -> &str,
    eq: impl Fn(&T, &T) -> bool,
) -> (Vec<&'x T>, Vec<&'x T>, Vec<(String, String)>) {
    let mut drops: Vec<&T> = Vec::new();
    let mut adds: Vec<&T> = Vec::new();
    for o in old {
        if !new.iter().any(|n| name(n) == name(o) && eq(o, n)) {
            drops.push(o);
        }
    }
    for n in new {
        if !old.iter().any(|o| name(n) == name(o) && eq(o, n)) {
            adds.push(n);
        }
    }
    let mut renames = Vec::new();
    let mut i = 0;
    while i < drops.len() {
        let o = drops[i];
        let taken_new = |n: &T| new.iter().any(|x| std::ptr::eq(x, n));
        let candidate = adds.iter().position(|n| {
            eq(o, n)
                && taken_new(n)
                && !old.iter().any(|x| name(x) == name(n))
                && !new.iter().any(|x| name(x) == name(o))
        });
        match candidate {
            Some(j) => {
                renames.push((name(o).to_string(), name(adds[j]).to_string()));
                adds.remove(j);
                drops.remove(i);
            }
            None => i += 1,
        }
    }
    (drops, adds, renames)
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

fn policy_eq(a: &Policy, b: &Policy) -> bool {
    a.command == b.command
        && a.permissive == b.permissive
        && a.roles == b.roles
        && a.using.as_deref().map(normalize::expr) == b.using.as_deref().map(normalize::expr)
        && a.with_check.as_deref().map(normalize::expr)
            == b.with_check.as_deref().map(normalize::expr)
}

fn trigger_eq(a: &Trigger, b: &Trigger) -> bool {
    // The definition names the table, which a rename changes: compare what follows EXECUTE.
    let tail = |t: &Trigger| {
        t.definition
            .find(" EXECUTE ")
            .map(|i| normalize::sql(&t.definition[i..]))
            .unwrap_or_default()
    };
    a.timing == b.timing
        && a.events == b.events
        && a.level == b.level
        && a.when.as_deref().map(normalize::expr) == b.when.as_deref().map(normalize::expr)
        && a.function == b.function
        && a.body.as_deref().map(normalize::sql) == b.body.as_deref().map(normalize::sql)
        && tail(a) == tail(b)
}

fn view_eq(a: &View, b: &View) -> bool {
    a.materialized == b.materialized
        && normalize::sql(&a.definition) == normalize::sql(&b.definition)
        && a.check_option == b.check_option
        && a.options == b.options
        && a.columns == b.columns
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
