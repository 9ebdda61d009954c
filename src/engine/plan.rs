//! The plan: changes rendered into steps and ordered by a dependency graph (petgraph).
//!
//! Each change declares, in terms of object keys, what it creates (`provides`), what it drops
//! (`removes`), what it modifies (`touches`), what must exist when it runs (`requires`) and what its
//! *old* form referred to (`old_refs`). Edges follow:
//! - a creator before every step that requires or touches what it creates;
//! - a step before the remover of anything it requires (unless that thing is re-created) or of
//!   anything its old form refers to;
//! - a remover before the creator of the same key (drop, then re-create);
//! - a drop before any step that modifies what the dropped object refers to (a view is dropped
//!   before a column it reads changes type);
//! - steps touching the same key in phase order.
//!
//! The topological order breaks ties by phase, then object name, then change order, so the same two
//! catalogs always give a byte-identical plan. A cycle is reported with the objects in it.

use std::cmp::Reverse as Rev;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};

use petgraph::graph::{DiGraph, NodeIndex};

use crate::model::change::ColumnUse;
use crate::model::*;

pub use crate::model::plan::{Reverse, Step};

/// Why a plan could not be ordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub objects: Vec<String>,
}

impl std::fmt::Display for Cycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the changes depend on each other in a cycle: {}",
            self.objects.join(" → ")
        )
    }
}

/// An object, as the dependency graph names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    Schema(String),
    Extension(String),
    Type(QualifiedName),
    Sequence(QualifiedName),
    Table(QualifiedName),
    /// The set of columns of a table: what a view over it depends on.
    Shape(QualifiedName),
    Column(QualifiedName, String),
    Constraint(QualifiedName, String),
    Index(QualifiedName),
    View(QualifiedName),
    Function(QualifiedName),
    Trigger(QualifiedName, String),
    Policy(QualifiedName, String),
}

#[derive(Debug, Default, Clone)]
pub struct Deps {
    pub provides: Vec<Key>,
    pub removes: Vec<Key>,
    pub touches: Vec<Key>,
    pub requires: Vec<Key>,
    /// Must exist when the step runs, in any shape (a sequence for `nextval`, a column for
    /// `OWNED BY`): ordered after its creator only, not after steps that modify it.
    pub needs: Vec<Key>,
    pub old_refs: Vec<Key>,
}

impl Deps {
    /// Sequences and functions an expression mentions only need to exist; types must be in their
    /// final form (an enum label a default uses must have been added).
    fn refs(&mut self, keys: Vec<Key>) {
        for k in keys {
            match k {
                Key::Sequence(_) | Key::Function(_) => self.needs.push(k),
                other => self.requires.push(other),
            }
        }
    }
}

/// Phase of a change: the order steps take when nothing else decides. Lower runs first.
pub fn phase(c: &Change) -> u32 {
    use Change::*;
    match c {
        DropTrigger { .. } | DropPolicy { .. } => 10,
        DropView { .. } => 11,
        DropForeignKey { .. } => 12,
        DropIndex { .. } => 13,
        DropCheck { .. } | DropUnique { .. } => 14,
        DropPrimaryKey { .. } => 15,
        DetachPartition { .. } | SetInherit { inherit: false, .. } => 16,
        CreateSchema { .. } => 20,
        CreateExtension { .. } | AlterExtension { .. } => 21,
        CreateEnum { .. } | AddEnumLabel { .. } | RenameEnumLabel { .. } => 22,
        CreateDomain { .. } | AlterDomain { .. } | CreateCompositeType { .. } => 23,
        CreateSequence { .. } => 24,
        CreateFunction { .. } | ReplaceFunction { .. } => 25,
        RenameTable { .. } => 30,
        AlterTableOptions { .. } => 35,
        RenameColumn { .. } => 31,
        CreateTable { .. } => 40,
        AddColumn { .. } => 41,
        SetDefault { to: None, .. } => 42,
        AlterIdentity { to: None, .. } => 43,
        DropNotNull { .. } => 44,
        AlterGenerated { .. } => 45,
        AlterColumnType { .. } | RebuildEnum { .. } => 46,
        SetDefault { to: Some(_), .. } => 47,
        SetNotNull { .. } => 48,
        AlterIdentity { .. } => 49,
        DropColumn { .. } => 50,
        AlterSequence { .. } => 51,
        RebuildTable { .. } => 55,
        AddPrimaryKey { .. } => 60,
        AddUnique { .. } | AddCheck { .. } | ValidateConstraint { .. } => 61,
        RenameConstraint { .. } | RenameIndex { .. } => 32,
        AttachPartition { .. } | SetInherit { .. } | SetLogged { .. } => 62,
        AddForeignKey { .. } => 63,
        CreateIndex { .. } => 64,
        CreateView { .. } | ReplaceView { .. } => 70,
        CreateTrigger { .. } | SetTriggerEnabled { .. } => 71,
        SetRowSecurity { .. } | CreatePolicy { .. } => 72,
        SetComment { .. } => 80,
        DropTable { .. } => 90,
        DropSequence { .. } => 91,
        DropFunction { .. } => 92,
        DropEnum { .. } | DropDomain { .. } | DropCompositeType { .. } => 93,
        DropExtension { .. } => 94,
        DropSchema { .. } => 95,
        Unsupported { .. } => 99,
    }
}

fn tq(schema: &str, name: &str) -> QualifiedName {
    QualifiedName::new(schema, name)
}

/// Keys of user-defined objects an expression or type text mentions. PostgreSQL writes every
/// non-catalog name qualified (we inspect with an empty `search_path`), so `schema.name` (quoted
/// or not) found in the text is a reference.
fn refs_in(text: &str, known: &Known) -> Vec<Key> {
    let mut out = Vec::new();
    if text.is_empty() {
        return out;
    }
    for (name, key) in &known.names {
        if text.contains(name.as_str()) {
            out.push(key.clone());
        }
    }
    out
}

/// What a `CREATE AGGREGATE` refers to: the types and functions its text names, its state, final
/// and combine functions included (named without parentheses there).
fn aggregate_refs(definition: &str, known: &Known) -> Vec<Key> {
    let mut out = refs_in(definition, known);
    for part in definition.split(['(', ',']) {
        let Some((option, value)) = part.split_once('=') else {
            continue;
        };
        let option = option.trim();
        if option.ends_with("FUNC") {
            let name = value.trim().trim_end_matches(')').trim();
            out.extend(refs_in(&format!("{name}("), known));
        }
    }
    out
}

/// Qualified spellings of the catalog's types, sequences and functions, for [`refs_in`].
pub struct Known {
    names: Vec<(String, Key)>,
}

impl Known {
    pub fn new(cats: &[&Catalog]) -> Known {
        let mut names = Vec::new();
        let spell = |schema: &str, name: &str| -> Vec<String> {
            let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
            let mut v = vec![
                format!("{schema}.{name}"),
                format!("{}.{}", q(schema), q(name)),
                format!("{schema}.{}", q(name)),
                format!("{}.{name}", q(schema)),
            ];
            v.sort();
            v.dedup();
            v
        };
        let mut seen = BTreeSet::new();
        for cat in cats {
            for s in &cat.schemas {
                let mut add = |n: &str, key: Key, call: bool| {
                    for sp in spell(&s.name, n) {
                        let sp = if call { format!("{sp}(") } else { sp };
                        if seen.insert((sp.clone(), key.clone())) {
                            names.push((sp, key.clone()));
                        }
                    }
                };
                for e in &s.enums {
                    add(&e.name, Key::Type(tq(&s.name, &e.name)), false);
                }
                for d in &s.domains {
                    add(&d.name, Key::Type(tq(&s.name, &d.name)), false);
                }
                for c in &s.composite_types {
                    add(&c.name, Key::Type(tq(&s.name, &c.name)), false);
                }
                for q in &s.sequences {
                    add(&q.name, Key::Sequence(tq(&s.name, &q.name)), false);
                }
                for f in &s.functions {
                    add(&f.name, Key::Function(tq(&s.name, &f.name)), true);
                }
            }
        }
        // Longer spellings first so that `public.ab` is not reported as `public.a`… both are
        // reported; an extra edge is harmless.
        names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        Known { names }
    }
}

/// Identifiers in an expression (bare ones as PostgreSQL folds them, quoted ones as written).
fn idents_in(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = expr.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            while let Some(d) = chars.next() {
                if d == '\'' {
                    if chars.peek() == Some(&'\'') {
                        chars.next();
                    } else {
                        break;
                    }
                }
            }
        } else if c == '"' {
            let mut s = String::new();
            while let Some(d) = chars.next() {
                if d == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        s.push('"');
                    } else {
                        break;
                    }
                } else {
                    s.push(d);
                }
            }
            out.push(s);
        } else if c.is_alphabetic() || c == '_' {
            let mut s = c.to_lowercase().to_string();
            while let Some(&d) = chars.peek() {
                if d.is_alphanumeric() || d == '_' || d == '$' {
                    s.extend(d.to_lowercase());
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(s);
        }
    }
    out
}

/// Columns of `table` that a generated expression reads.
fn generated_reads(table: &QualifiedName, c: &Column, cat: &Catalog) -> Vec<Key> {
    let Some(g) = &c.generated else {
        return Vec::new();
    };
    let Some(t) = cat.table(&table.schema, &table.name) else {
        return Vec::new();
    };
    let words = idents_in(&g.expression);
    t.columns
        .iter()
        .filter(|x| x.name != c.name && words.contains(&x.name))
        .map(|x| Key::Column(table.clone(), x.name.clone()))
        .collect()
}

fn column_refs(c: &Column, known: &Known) -> Vec<Key> {
    let mut v = refs_in(&c.data_type, known);
    if let Some(d) = &c.default {
        v.extend(refs_in(d, known));
    }
    if let Some(g) = &c.generated {
        v.extend(refs_in(&g.expression, known));
    }
    v
}

/// The keys a change creates, drops, modifies, needs, and whose old form it refers to.
pub fn deps(change: &Change, target: &Catalog, source: &Catalog, known: &Known) -> Deps {
    use Change::*;
    let mut d = Deps::default();
    let schema = change.schema();
    if !schema.is_empty() && !matches!(change, CreateSchema { .. } | DropSchema { .. }) {
        if change.sign() == '-' {
            d.old_refs.push(Key::Schema(schema.clone()));
        } else {
            d.requires.push(Key::Schema(schema.clone()));
        }
    }
    let unique_target = |t: &QualifiedName, cols: &[String], cat: &Catalog| -> Option<Key> {
        let table = cat.table(&t.schema, &t.name)?;
        if let Some(pk) = &table.primary_key {
            if pk.columns == cols {
                return Some(Key::Constraint(
                    t.clone(),
                    pk.name.clone().unwrap_or_else(|| "PRIMARY".into()),
                ));
            }
        }
        for u in &table.uniques {
            if u.columns == cols {
                return Some(Key::Constraint(t.clone(), u.name.clone()));
            }
        }
        for i in &table.indexes {
            let keys: Vec<String> = i.keys.iter().map(|k| k.key.clone()).collect();
            if i.unique && keys == cols {
                return Some(Key::Index(tq(&t.schema, &i.name)));
            }
        }
        None
    };
    match change {
        CreateSchema { name } => d.provides.push(Key::Schema(name.clone())),
        DropSchema { name } => d.removes.push(Key::Schema(name.clone())),
        CreateExtension { extension } => {
            d.provides.push(Key::Extension(extension.name.clone()));
            d.requires.push(Key::Schema(extension.schema.clone()));
        }
        DropExtension { extension } => d.removes.push(Key::Extension(extension.name.clone())),
        AlterExtension { to, .. } => d.touches.push(Key::Extension(to.name.clone())),
        CreateEnum { schema, enum_type } => d.provides.push(Key::Type(tq(schema, &enum_type.name))),
        DropEnum { schema, enum_type } => d.removes.push(Key::Type(tq(schema, &enum_type.name))),
        AddEnumLabel { schema, name, .. } | RenameEnumLabel { schema, name, .. } => {
            d.touches.push(Key::Type(tq(schema, name)))
        }
        RebuildEnum {
            schema,
            to,
            columns,
            ..
        } => {
            d.touches.push(Key::Type(tq(schema, &to.name)));
            for ColumnUse { table, column, .. } in columns {
                d.touches.push(Key::Column(table.clone(), column.clone()));
                d.touches.push(Key::Shape(table.clone()));
                d.requires.push(Key::Table(table.clone()));
            }
        }
        CreateDomain { schema, domain } => {
            d.provides.push(Key::Type(tq(schema, &domain.name)));
            d.requires.extend(refs_in(&domain.base_type, known));
            for c in &domain.checks {
                d.requires.extend(refs_in(&c.expression, known));
            }
        }
        DropDomain { schema, domain } => d.removes.push(Key::Type(tq(schema, &domain.name))),
        AlterDomain { schema, to, .. } => {
            d.touches.push(Key::Type(tq(schema, &to.name)));
            for c in &to.checks {
                d.requires.extend(refs_in(&c.expression, known));
            }
        }
        CreateCompositeType { schema, composite } => {
            d.provides.push(Key::Type(tq(schema, &composite.name)));
            for (_, t) in &composite.attributes {
                d.requires.extend(refs_in(t, known));
            }
        }
        DropCompositeType { schema, composite } => {
            d.removes.push(Key::Type(tq(schema, &composite.name)))
        }
        CreateSequence { schema, sequence } => {
            d.provides.push(Key::Sequence(tq(schema, &sequence.name)))
        }
        DropSequence { schema, sequence } => {
            d.removes.push(Key::Sequence(tq(schema, &sequence.name)))
        }
        AlterSequence { schema, to, from } => {
            d.touches.push(Key::Sequence(tq(schema, &to.name)));
            if let Some(o) = &to.owned_by {
                d.requires
                    .push(Key::Column(tq(&o.schema, &o.table), o.column.clone()));
            }
            if let Some(o) = &from.owned_by {
                d.old_refs
                    .push(Key::Column(tq(&o.schema, &o.table), o.column.clone()));
            }
        }
        CreateTable { schema, table } => {
            let t = tq(schema, &table.name);
            d.provides.push(Key::Table(t.clone()));
            d.provides.push(Key::Shape(t.clone()));
            for c in &table.columns {
                d.provides.push(Key::Column(t.clone(), c.name.clone()));
                d.refs(column_refs(c, known));
            }
            if let Some(pk) = &table.primary_key {
                d.provides.push(Key::Constraint(
                    t.clone(),
                    pk.name.clone().unwrap_or_else(|| "PRIMARY".into()),
                ));
            }
            for u in &table.uniques {
                d.provides.push(Key::Constraint(t.clone(), u.name.clone()));
            }
            for c in &table.checks {
                d.provides.push(Key::Constraint(t.clone(), c.name.clone()));
                d.requires.extend(refs_in(&c.expression, known));
            }
            if let Some(p) = &table.partition_of {
                d.requires.push(Key::Table(p.parent.clone()));
                d.requires.push(Key::Shape(p.parent.clone()));
            }
            for p in &table.inherits {
                d.requires.push(Key::Table(p.clone()));
                d.requires.push(Key::Shape(p.clone()));
            }
        }
        DropTable { schema, table } => {
            let t = tq(schema, &table.name);
            d.removes.push(Key::Table(t.clone()));
            d.removes.push(Key::Shape(t.clone()));
            for c in &table.columns {
                d.removes.push(Key::Column(t.clone(), c.name.clone()));
                d.old_refs.extend(column_refs(c, known));
            }
            if let Some(pk) = &table.primary_key {
                d.removes.push(Key::Constraint(
                    t.clone(),
                    pk.name.clone().unwrap_or_else(|| "PRIMARY".into()),
                ));
            }
            for u in &table.uniques {
                d.removes.push(Key::Constraint(t.clone(), u.name.clone()));
            }
            if let Some(p) = &table.partition_of {
                d.old_refs.push(Key::Table(p.parent.clone()));
            }
            for p in &table.inherits {
                d.old_refs.push(Key::Table(p.clone()));
            }
        }
        RenameTable {
            schema, from, to, ..
        } => {
            let (f, t) = (tq(schema, from), tq(schema, to));
            d.removes.push(Key::Table(f.clone()));
            d.provides.push(Key::Table(t.clone()));
            d.touches.push(Key::Shape(t.clone()));
            if let Some(old) = target.table(schema, from) {
                for c in &old.columns {
                    d.removes.push(Key::Column(f.clone(), c.name.clone()));
                    d.provides.push(Key::Column(t.clone(), c.name.clone()));
                }
            }
        }
        AlterTableOptions { table, from, to } => {
            d.requires.push(Key::Table(table.clone()));
            d.touches.push(Key::Shape(table.clone()));
            // A new default character set or collation is given to the columns that inherit it
            // (MySQL): they must exist under their final names first.
            if from.charset != to.charset || from.collation != to.collation {
                if let Some(t) = source.table(&table.schema, &table.name) {
                    for c in t.columns.iter().filter(|c| c.collation.is_none()) {
                        d.requires.push(Key::Column(table.clone(), c.name.clone()));
                    }
                }
            }
        }
        AddColumn { table, column } => {
            d.requires.push(Key::Table(table.clone()));
            d.provides
                .push(Key::Column(table.clone(), column.name.clone()));
            d.touches.push(Key::Shape(table.clone()));
            d.refs(column_refs(column, known));
            d.requires.extend(generated_reads(table, column, source));
        }
        DropColumn { table, column } => {
            d.requires.push(Key::Table(table.clone()));
            d.removes
                .push(Key::Column(table.clone(), column.name.clone()));
            d.touches.push(Key::Shape(table.clone()));
            d.old_refs.extend(column_refs(column, known));
            // A generated column goes before the columns it reads change.
            d.old_refs.extend(generated_reads(table, column, target));
            // An inheritance child's copy of the column can be dropped only once the parent's is
            // gone (PostgreSQL refuses to drop an inherited column): this drop goes first.
            for (s, t) in target.tables() {
                if t.inherits.contains(table) && t.column(&column.name).is_some() {
                    d.old_refs
                        .push(Key::Column(tq(s, &t.name), column.name.clone()));
                }
            }
        }
        RenameColumn {
            table, from, to, ..
        } => {
            d.requires.push(Key::Table(table.clone()));
            d.removes.push(Key::Column(table.clone(), from.clone()));
            d.provides.push(Key::Column(table.clone(), to.clone()));
            d.touches.push(Key::Shape(table.clone()));
        }
        AlterColumnType { table, from, to } => {
            d.requires.push(Key::Table(table.clone()));
            d.touches.push(Key::Column(table.clone(), to.name.clone()));
            d.touches.push(Key::Shape(table.clone()));
            d.refs(column_refs(to, known));
            d.old_refs.extend(column_refs(from, known));
        }
        SetNotNull { table, column } | DropNotNull { table, column } => {
            d.requires.push(Key::Table(table.clone()));
            d.touches.push(Key::Column(table.clone(), column.clone()));
        }
        SetDefault {
            table,
            column,
            from,
            to,
        } => {
            d.requires.push(Key::Table(table.clone()));
            d.touches.push(Key::Column(table.clone(), column.clone()));
            if let Some(t) = to {
                d.refs(refs_in(t, known));
            }
            if let Some(f) = from {
                d.old_refs.extend(refs_in(f, known));
            }
        }
        AlterIdentity {
            table,
            column,
            from,
            to,
        } => {
            d.requires.push(Key::Table(table.clone()));
            d.touches.push(Key::Column(table.clone(), column.clone()));
            // The identity's own sequence takes the name `serial` would use: it is gone once the
            // identity is dropped, and must be free before one is added.
            let implicit =
                Key::Sequence(tq(&table.schema, &format!("{}_{column}_seq", table.name)));
            let is_id = |i: &Option<Identity>| {
                matches!(
                    i,
                    Some(Identity::Always { .. } | Identity::ByDefault { .. })
                )
            };
            if is_id(from) && !is_id(to) {
                d.removes.push(implicit);
            } else if !is_id(from) && is_id(to) {
                d.provides.push(implicit);
            }
        }
        AlterGenerated { table, from, to } => {
            d.requires.push(Key::Table(table.clone()));
            d.touches.push(Key::Column(table.clone(), to.name.clone()));
            d.touches.push(Key::Shape(table.clone()));
            d.refs(column_refs(to, known));
            d.requires.extend(generated_reads(table, to, source));
            d.old_refs.extend(column_refs(from, known));
            d.old_refs.extend(generated_reads(table, from, target));
        }
        SetComment { target: t, .. } => {
            use crate::model::change::CommentTarget as C;
            match t {
                C::Schema { name } => d.requires.push(Key::Schema(name.clone())),
                C::Table { table } => d.requires.push(Key::Table(table.clone())),
                C::Column { table, column } => {
                    d.requires.push(Key::Column(table.clone(), column.clone()))
                }
                C::View { view, .. } => d.requires.push(Key::View(view.clone())),
                C::Index { schema, name } => d.requires.push(Key::Index(tq(schema, name))),
                C::Function { schema, name, .. } => {
                    d.requires.push(Key::Function(tq(schema, name)))
                }
                C::Sequence { sequence } => d.requires.push(Key::Sequence(sequence.clone())),
                C::Type { name, .. } => d.requires.push(Key::Type(name.clone())),
                C::Trigger { table, name } => {
                    d.requires.push(Key::Trigger(table.clone(), name.clone()))
                }
            }
        }
        AddPrimaryKey { table, primary_key } => {
            d.requires.push(Key::Table(table.clone()));
            for c in &primary_key.columns {
                d.requires.push(Key::Column(table.clone(), c.clone()));
            }
            d.provides.push(Key::Constraint(
                table.clone(),
                primary_key.name.clone().unwrap_or_else(|| "PRIMARY".into()),
            ));
        }
        DropPrimaryKey { table, primary_key } => {
            d.requires.push(Key::Table(table.clone()));
            d.removes.push(Key::Constraint(
                table.clone(),
                primary_key.name.clone().unwrap_or_else(|| "PRIMARY".into()),
            ));
            for c in &primary_key.columns {
                d.old_refs.push(Key::Column(table.clone(), c.clone()));
            }
        }
        AddUnique { table, unique } => {
            d.requires.push(Key::Table(table.clone()));
            for c in &unique.columns {
                d.requires.push(Key::Column(table.clone(), c.clone()));
            }
            d.provides
                .push(Key::Constraint(table.clone(), unique.name.clone()));
        }
        DropUnique { table, unique } => {
            d.requires.push(Key::Table(table.clone()));
            d.removes
                .push(Key::Constraint(table.clone(), unique.name.clone()));
            for c in &unique.columns {
                d.old_refs.push(Key::Column(table.clone(), c.clone()));
            }
        }
        AddCheck { table, check } => {
            d.requires.push(Key::Table(table.clone()));
            d.requires.push(Key::Shape(table.clone()));
            d.requires.extend(refs_in(&check.expression, known));
            d.provides
                .push(Key::Constraint(table.clone(), check.name.clone()));
        }
        DropCheck { table, check } => {
            d.requires.push(Key::Table(table.clone()));
            d.removes
                .push(Key::Constraint(table.clone(), check.name.clone()));
            d.old_refs.extend(refs_in(&check.expression, known));
        }
        RenameConstraint { table, from, to } => {
            d.requires.push(Key::Table(table.clone()));
            d.removes.push(Key::Constraint(table.clone(), from.clone()));
            d.provides.push(Key::Constraint(table.clone(), to.clone()));
        }
        RenameIndex { table, from, to } => {
            d.requires.push(relation_key(table, source));
            d.removes.push(Key::Index(tq(&table.schema, from)));
            d.provides.push(Key::Index(tq(&table.schema, to)));
        }
        ValidateConstraint { table, name } => {
            d.requires.push(Key::Table(table.clone()));
            d.touches.push(Key::Constraint(table.clone(), name.clone()));
        }
        AddForeignKey { table, foreign_key } => {
            d.requires.push(Key::Table(table.clone()));
            for c in &foreign_key.columns {
                d.requires.push(Key::Column(table.clone(), c.clone()));
            }
            d.requires.push(Key::Table(foreign_key.ref_table.clone()));
            for c in &foreign_key.ref_columns {
                d.requires
                    .push(Key::Column(foreign_key.ref_table.clone(), c.clone()));
            }
            if let Some(k) = unique_target(&foreign_key.ref_table, &foreign_key.ref_columns, source)
            {
                d.requires.push(k);
            }
            // An index that can serve the foreign key comes first (MySQL would otherwise create
            // one of its own, named after the constraint).
            d.requires
                .extend(supporting_keys(table, &foreign_key.columns, source));
            d.provides
                .push(Key::Constraint(table.clone(), foreign_key.name.clone()));
        }
        DropForeignKey { table, foreign_key } => {
            d.requires.push(Key::Table(table.clone()));
            d.removes
                .push(Key::Constraint(table.clone(), foreign_key.name.clone()));
            d.old_refs.push(Key::Table(foreign_key.ref_table.clone()));
            for c in &foreign_key.columns {
                d.old_refs.push(Key::Column(table.clone(), c.clone()));
            }
            for c in &foreign_key.ref_columns {
                d.old_refs
                    .push(Key::Column(foreign_key.ref_table.clone(), c.clone()));
            }
            if let Some(k) = unique_target(&foreign_key.ref_table, &foreign_key.ref_columns, target)
            {
                d.old_refs.push(k);
            }
            // MySQL refuses to drop an index a foreign key still uses.
            d.old_refs
                .extend(supporting_keys(table, &foreign_key.columns, target));
        }
        CreateIndex { table, index } => {
            d.requires.push(relation_key(table, source));
            for k in &index.keys {
                if k.expression {
                    d.requires.extend(refs_in(&k.key, known));
                    d.requires.push(Key::Shape(table.clone()));
                } else {
                    d.requires.push(Key::Column(table.clone(), k.key.clone()));
                }
            }
            for c in &index.include {
                d.requires.push(Key::Column(table.clone(), c.clone()));
            }
            if index.predicate.is_some() {
                d.requires.push(Key::Shape(table.clone()));
            }
            d.provides.push(Key::Index(tq(&table.schema, &index.name)));
        }
        DropIndex { table, index } => {
            d.removes.push(Key::Index(tq(&table.schema, &index.name)));
            d.old_refs.push(relation_key(table, target));
            for k in &index.keys {
                if !k.expression {
                    d.old_refs.push(Key::Column(table.clone(), k.key.clone()));
                }
            }
            let _ = table;
        }
        CreateView { schema, view }
        | ReplaceView {
            schema, to: view, ..
        } => {
            let v = tq(schema, &view.name);
            if matches!(change, CreateView { .. }) {
                d.provides.push(Key::View(v));
            } else {
                d.touches.push(Key::View(v));
            }
            d.requires.extend(view_reads(view, known));
        }
        DropView { schema, view } => {
            d.removes.push(Key::View(tq(schema, &view.name)));
            d.old_refs.extend(view_reads(view, known));
        }
        CreateFunction { schema, function } => {
            d.provides.push(Key::Function(tq(schema, &function.name)));
            let sig = format!(
                "{} {}",
                function.arguments,
                function.returns.as_deref().unwrap_or("")
            );
            d.requires.extend(refs_in(&sig, known));
            if function.kind == RoutineKind::Aggregate {
                d.requires
                    .extend(aggregate_refs(&function.definition, known));
            }
            // A function returning a table's row type needs the table.
            if let Some(r) = &function.returns {
                for (s, t) in source.tables() {
                    let q = format!("{s}.{}", t.name);
                    if r.contains(&q) {
                        d.requires.push(Key::Table(tq(s, &t.name)));
                    }
                }
            }
        }
        ReplaceFunction { schema, to, .. } => d.touches.push(Key::Function(tq(schema, &to.name))),
        DropFunction { schema, function } => {
            d.removes.push(Key::Function(tq(schema, &function.name)));
            let sig = format!(
                "{} {}",
                function.arguments,
                function.returns.as_deref().unwrap_or("")
            );
            d.old_refs.extend(refs_in(&sig, known));
            // An aggregate goes before its state and final functions.
            if function.kind == RoutineKind::Aggregate {
                d.old_refs
                    .extend(aggregate_refs(&function.definition, known));
            }
            // A function returning a table's row type goes before the table.
            if let Some(r) = &function.returns {
                for (s, t) in target.tables() {
                    if r.contains(&format!("{s}.{}", t.name)) {
                        d.old_refs.push(Key::Table(tq(s, &t.name)));
                    }
                }
            }
        }
        CreateTrigger { table, trigger } => {
            d.requires.push(relation_key(table, source));
            d.requires.push(Key::Shape(table.clone()));
            if let Some(f) = &trigger.function {
                d.requires.push(Key::Function(f.clone()));
            }
            d.provides
                .push(Key::Trigger(table.clone(), trigger.name.clone()));
        }
        DropTrigger { table, trigger } => {
            d.removes
                .push(Key::Trigger(table.clone(), trigger.name.clone()));
            if let Some(f) = &trigger.function {
                d.old_refs.push(Key::Function(f.clone()));
            }
            d.old_refs.push(relation_key(table, target));
        }
        SetTriggerEnabled { table, name, .. } => {
            d.touches.push(Key::Trigger(table.clone(), name.clone()))
        }
        AttachPartition { table, parent, .. } => {
            d.requires.push(Key::Table(table.clone()));
            d.requires.push(Key::Table(parent.clone()));
            d.requires.push(Key::Shape(table.clone()));
            d.requires.push(Key::Shape(parent.clone()));
            d.touches.push(Key::Table(table.clone()));
        }
        DetachPartition { table, parent, .. } => {
            d.requires.push(Key::Table(table.clone()));
            d.old_refs.push(Key::Table(parent.clone()));
            d.touches.push(Key::Table(table.clone()));
        }
        SetInherit {
            table,
            parent,
            inherit,
        } => {
            d.requires.push(Key::Table(table.clone()));
            if *inherit {
                d.requires.push(Key::Table(parent.clone()));
                d.requires.push(Key::Shape(parent.clone()));
                d.requires.push(Key::Shape(table.clone()));
            } else {
                d.old_refs.push(Key::Table(parent.clone()));
            }
        }
        SetRowSecurity { table, .. } | SetLogged { table, .. } => {
            d.requires.push(Key::Table(table.clone()))
        }
        CreatePolicy { table, policy } => {
            d.requires.push(Key::Table(table.clone()));
            d.requires.push(Key::Shape(table.clone()));
            d.provides
                .push(Key::Policy(table.clone(), policy.name.clone()));
            for e in [&policy.using, &policy.with_check].into_iter().flatten() {
                d.requires.extend(refs_in(e, known));
            }
        }
        DropPolicy { table, policy } => {
            d.removes
                .push(Key::Policy(table.clone(), policy.name.clone()));
            d.requires.push(Key::Table(table.clone()));
            for e in [&policy.using, &policy.with_check].into_iter().flatten() {
                d.old_refs.extend(refs_in(e, known));
            }
        }
        RebuildTable {
            table, from, to, ..
        } => rebuild_deps(&mut d, table, from, to, known),
        Unsupported { .. } => {}
    }
    d
}

/// What a view reads: the relations, functions and sequences the database recorded, the shape of
/// every table it reads, and the types its text names.
fn view_reads(view: &View, known: &Known) -> Vec<Key> {
    let mut out = Vec::new();
    for dep in &view.depends_on {
        let q = tq(&dep.schema, &dep.name);
        match dep.kind {
            ObjectKind::Table => {
                out.push(Key::Table(q.clone()));
                out.push(Key::Shape(q));
            }
            ObjectKind::View | ObjectKind::MaterializedView => out.push(Key::View(q)),
            ObjectKind::Function => out.push(Key::Function(q)),
            ObjectKind::Sequence => out.push(Key::Sequence(q)),
            _ => {}
        }
    }
    out.extend(refs_in(&view.definition, known));
    out
}

/// A rebuilt table (SQLite): renamed when its name changes; columns, constraints, indexes and
/// triggers it keeps are touched, the ones it gains provided, the ones it loses removed. Foreign
/// keys need nothing: SQLite checks them only when rows change, and apply turns them off.
fn rebuild_deps(d: &mut Deps, table: &QualifiedName, from: &Table, to: &Table, known: &Known) {
    let old = tq(&table.schema, &from.name);
    d.touches.push(Key::Table(table.clone()));
    d.touches.push(Key::Shape(table.clone()));
    if old == *table {
        d.requires.push(Key::Table(table.clone()));
    } else {
        d.removes.push(Key::Table(old.clone()));
        d.provides.push(Key::Table(table.clone()));
    }
    let parts = |t: &Table, q: &QualifiedName| -> BTreeSet<Key> {
        let mut k = BTreeSet::new();
        for c in &t.columns {
            k.insert(Key::Column(q.clone(), c.name.clone()));
        }
        if let Some(pk) = &t.primary_key {
            let name = pk.name.clone().unwrap_or_else(|| "PRIMARY".into());
            k.insert(Key::Constraint(q.clone(), name));
        }
        let names = t.uniques.iter().map(|u| &u.name);
        let names = names.chain(t.checks.iter().map(|c| &c.name));
        for n in names.chain(t.foreign_keys.iter().map(|f| &f.name)) {
            k.insert(Key::Constraint(q.clone(), n.clone()));
        }
        for i in &t.indexes {
            k.insert(Key::Index(tq(&q.schema, &i.name)));
        }
        for tr in &t.triggers {
            k.insert(Key::Trigger(q.clone(), tr.name.clone()));
        }
        k
    };
    let before = parts(from, &old);
    let after = parts(to, table);
    for k in before.difference(&after) {
        d.removes.push(k.clone());
    }
    for k in after.difference(&before) {
        d.provides.push(k.clone());
    }
    for k in after.intersection(&before) {
        d.touches.push(k.clone());
    }
    for c in &to.columns {
        d.refs(column_refs(c, known));
    }
    for c in &from.columns {
        d.old_refs.extend(column_refs(c, known));
    }
}

/// Unique constraints and indexes of `table` whose leading columns are `columns`: those that can
/// serve a foreign key over them.
fn supporting_keys(table: &QualifiedName, columns: &[String], cat: &Catalog) -> Vec<Key> {
    let Some(t) = cat.table(&table.schema, &table.name) else {
        return Vec::new();
    };
    let leads = |keys: &[String]| keys.len() >= columns.len() && keys[..columns.len()] == *columns;
    let mut out = Vec::new();
    for u in &t.uniques {
        if leads(&u.columns) {
            out.push(Key::Constraint(table.clone(), u.name.clone()));
        }
    }
    for i in &t.indexes {
        let keys: Vec<String> = i
            .keys
            .iter()
            .take_while(|k| !k.expression)
            .map(|k| k.key.clone())
            .collect();
        if leads(&keys) {
            out.push(Key::Index(tq(&table.schema, &i.name)));
        }
    }
    out
}

fn is_rename(c: &Change) -> bool {
    matches!(
        c,
        Change::RenameTable { .. }
            | Change::RenameColumn { .. }
            | Change::RenameConstraint { .. }
            | Change::RenameIndex { .. }
    )
}

/// Tables and materialized views both carry indexes and triggers.
fn relation_key(q: &QualifiedName, cat: &Catalog) -> Key {
    match cat.schema(&q.schema).and_then(|s| s.view(&q.name)) {
        Some(_) => Key::View(q.clone()),
        None => Key::Table(q.clone()),
    }
}

/// What orders steps of one phase that nothing else orders: the object's name; columns that are
/// added at the end of their table (new ones, and generated ones PostgreSQL drops and adds again)
/// by their position in the catalog being made, so that the columns end up in its order.
fn order_key(c: &Change) -> String {
    match c {
        Change::AddColumn { table, column } => format!("{table}\u{1}{:010}", column.ordinal),
        Change::AlterGenerated { table, to, .. } => format!("{table}\u{1}{:010}", to.ordinal),
        other => other.object(),
    }
}

/// Orders changes into a plan. `render` turns one change into its SQL statements.
pub fn build(
    changes: &[Change],
    target: &Catalog,
    source: &Catalog,
    render: impl Fn(&Change) -> Vec<String>,
) -> Result<Vec<Step>, Cycle> {
    build_indexed(changes, target, source, render).map(|v| v.into_iter().map(|(_, s)| s).collect())
}

/// [`build`], each step with the index in `changes` of the change it makes.
pub fn build_indexed(
    changes: &[Change],
    target: &Catalog,
    source: &Catalog,
    render: impl Fn(&Change) -> Vec<String>,
) -> Result<Vec<(usize, Step)>, Cycle> {
    // Changes name SOURCE's objects in TARGET's default schema (two MySQL databases differ in name).
    let source = &super::diff::align_default_schema(target, source);
    let known = Known::new(&[target, source]);
    let all: Vec<Deps> = changes
        .iter()
        .map(|c| deps(c, target, source, &known))
        .collect();
    let mut g: DiGraph<usize, ()> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..changes.len()).map(|i| g.add_node(i)).collect();
    let mut providers: HashMap<&Key, Vec<usize>> = HashMap::new();
    let mut removers: HashMap<&Key, Vec<usize>> = HashMap::new();
    let mut touchers: HashMap<&Key, Vec<usize>> = HashMap::new();
    for (i, d) in all.iter().enumerate() {
        for k in &d.provides {
            providers.entry(k).or_default().push(i);
        }
        for k in &d.removes {
            removers.entry(k).or_default().push(i);
        }
        for k in &d.touches {
            touchers.entry(k).or_default().push(i);
        }
    }
    let mut edges: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut edge = |a: usize, b: usize| {
        if a != b {
            edges.insert((a, b));
        }
    };
    let empty: Vec<usize> = Vec::new();
    for (i, d) in all.iter().enumerate() {
        for k in &d.requires {
            let prov = providers.get(k).unwrap_or(&empty);
            for &p in prov {
                edge(p, i);
            }
            for &t in touchers.get(k).unwrap_or(&empty) {
                if !d.touches.contains(k) {
                    edge(t, i);
                }
            }
            if prov.is_empty() {
                for &r in removers.get(k).unwrap_or(&empty) {
                    edge(i, r);
                }
            }
        }
        for k in &d.needs {
            let prov = providers.get(k).unwrap_or(&empty);
            for &p in prov {
                edge(p, i);
            }
            if prov.is_empty() {
                for &r in removers.get(k).unwrap_or(&empty) {
                    edge(i, r);
                }
            }
        }
        for k in &d.old_refs {
            for &r in removers.get(k).unwrap_or(&empty) {
                edge(i, r);
            }
            // A drop goes before anything that changes what it referred to.
            if !d.removes.is_empty() && d.provides.is_empty() {
                for &t in touchers.get(k).unwrap_or(&empty) {
                    edge(i, t);
                }
                for &p in providers.get(k).unwrap_or(&empty) {
                    if !removers.get(k).unwrap_or(&empty).contains(&p) {
                        edge(i, p);
                    }
                }
            }
        }
        for k in &d.removes {
            for &p in providers.get(k).unwrap_or(&empty) {
                if p != i && !all[p].removes.contains(k) {
                    if is_rename(&changes[p]) {
                        // What a rename brings under the new name is dropped after it (a column of
                        // a renamed table), not before a re-creation.
                        edge(p, i);
                    } else {
                        edge(i, p);
                    }
                }
            }
        }
        for k in &d.provides {
            for &t in touchers.get(k).unwrap_or(&empty) {
                edge(i, t);
            }
        }
    }
    // Steps modifying the same object, in phase order.
    for (key, list) in &touchers {
        // A table's shape is touched by every column change; those need no order among
        // themselves (views simply wait for all of them).
        if matches!(key, Key::Shape(_)) {
            continue;
        }
        let mut l = list.clone();
        l.sort_by_key(|&i| (phase(&changes[i]), i));
        for w in l.windows(2) {
            if phase(&changes[w[0]]) != phase(&changes[w[1]]) || w[0] < w[1] {
                edges.insert((w[0], w[1]));
            }
        }
    }
    for (a, b) in &edges {
        g.add_edge(nodes[*a], nodes[*b], ());
    }

    // Kahn's algorithm with a deterministic priority: phase, then object, then change order.
    let prio = |i: usize| (phase(&changes[i]), order_key(&changes[i]), i);
    let mut indegree: Vec<usize> = nodes
        .iter()
        .map(|n| {
            g.neighbors_directed(*n, petgraph::Direction::Incoming)
                .count()
        })
        .collect();
    let mut ready: BinaryHeap<Rev<(u32, String, usize)>> = indegree
        .iter()
        .enumerate()
        .filter(|(_, d)| **d == 0)
        .map(|(i, _)| Rev(prio(i)))
        .collect();
    let mut order = Vec::with_capacity(changes.len());
    while let Some(Rev((_, _, i))) = ready.pop() {
        order.push(i);
        for n in g.neighbors_directed(nodes[i], petgraph::Direction::Outgoing) {
            let j = g[n];
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.push(Rev(prio(j)));
            }
        }
    }
    if order.len() < changes.len() {
        let sccs = petgraph::algo::tarjan_scc(&g);
        let cycle = sccs
            .into_iter()
            .find(|c| c.len() > 1)
            .map(|c| {
                let mut objs: Vec<String> = c
                    .iter()
                    .map(|n| {
                        let ch = &changes[g[*n]];
                        format!("{} {}", ch.kind(), ch.object())
                    })
                    .collect();
                objs.sort();
                objs
            })
            .unwrap_or_default();
        return Err(Cycle { objects: cycle });
    }
    let position: BTreeMap<usize, usize> = order
        .iter()
        .enumerate()
        .map(|(pos, &i)| (i, pos + 1))
        .collect();
    let with = together(&all, &providers, &removers, changes);
    Ok(order
        .iter()
        .enumerate()
        .map(|(pos, &i)| {
            let mut after: Vec<usize> = g
                .neighbors_directed(nodes[i], petgraph::Direction::Incoming)
                .map(|n| position[&g[n]])
                .collect();
            after.sort();
            after.dedup();
            let step = Step {
                number: pos + 1,
                change: changes[i].clone(),
                sql: render(&changes[i]),
                after,
                with: with[i].iter().map(|j| position[j]).collect(),
                reverse: Reverse::default(),
                risk: None,
            };
            (i, step)
        })
        .collect())
}

/// For each change, the changes it only makes sense together with: when one of those is left out
/// of an apply (a destructive step not allowed), this one is left out too. By change index.
/// - A pure drop (it removes and re-creates nothing) of an object whose old form refers to what
///   another change removes exists to serve that removal (the index and foreign key over a
///   dropped column): if the column stays, so do they.
/// - A change that creates a key another change removes re-creates it (drop, then create): the
///   two go together, both ways.
/// - A change that needs, in any form, what another change creates waits for it.
fn together(
    all: &[Deps],
    providers: &HashMap<&Key, Vec<usize>>,
    removers: &HashMap<&Key, Vec<usize>>,
    changes: &[Change],
) -> Vec<BTreeSet<usize>> {
    let empty: Vec<usize> = Vec::new();
    all.iter()
        .enumerate()
        .map(|(i, d)| {
            let mut with = BTreeSet::new();
            let pure_drop = !d.removes.is_empty()
                && d.provides.is_empty()
                && !d.removes.iter().any(|k| providers.contains_key(k));
            if pure_drop {
                for k in &d.old_refs {
                    with.extend(removers.get(k).unwrap_or(&empty).iter().copied());
                }
            }
            for k in &d.provides {
                for &r in removers.get(k).unwrap_or(&empty) {
                    if !is_rename(&changes[r]) && !is_rename(&changes[i]) {
                        with.insert(r);
                    }
                }
            }
            for k in &d.removes {
                for &p in providers.get(k).unwrap_or(&empty) {
                    if !is_rename(&changes[p]) && !is_rename(&changes[i]) {
                        with.insert(p);
                    }
                }
            }
            for k in d.requires.iter().chain(&d.needs).chain(&d.touches) {
                with.extend(providers.get(k).unwrap_or(&empty).iter().copied());
            }
            with.remove(&i);
            with
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(name: &str, reads: &str) -> View {
        View {
            name: name.into(),
            materialized: false,
            definition: format!("SELECT * FROM public.{reads}"),
            columns: vec!["x".into()],
            check_option: None,
            options: vec![],
            depends_on: vec![ObjectRef {
                kind: ObjectKind::View,
                schema: "public".into(),
                name: reads.into(),
            }],
            indexes: vec![],
            triggers: vec![],
            comment: None,
        }
    }

    #[test]
    fn a_cycle_is_reported_with_its_members() {
        let changes = vec![
            Change::CreateView {
                schema: "public".into(),
                view: view("a", "b"),
            },
            Change::CreateView {
                schema: "public".into(),
                view: view("b", "a"),
            },
            Change::CreateSchema {
                name: "other".into(),
            },
        ];
        let cat = Catalog::default();
        let err = build(&changes, &cat, &cat, |_| vec![]).expect_err("a cycle");
        assert_eq!(
            err.objects,
            vec![
                "create_view public.a".to_string(),
                "create_view public.b".to_string()
            ]
        );
        assert!(err.to_string().contains("cycle"));
    }

    #[test]
    fn creators_come_before_users_whatever_the_input_order() {
        let changes = vec![
            Change::CreateView {
                schema: "public".into(),
                view: view("b", "a"),
            },
            Change::CreateView {
                schema: "public".into(),
                view: view("a", "base"),
            },
        ];
        let cat = Catalog::default();
        let steps = build(&changes, &cat, &cat, |_| vec![]).expect("a plan");
        assert_eq!(steps[0].change.object(), "public.a");
        assert_eq!(steps[1].after, vec![1]);
    }

    #[test]
    fn a_column_of_a_renamed_table_is_dropped_after_the_rename() {
        let col = |n: &str| Column {
            name: n.into(),
            ordinal: 1,
            data_type: "integer".into(),
            nullable: true,
            ..Column::default()
        };
        let mut target = Catalog {
            default_schema: "public".into(),
            ..Catalog::default()
        };
        target.schema_mut("public").tables.push(Table {
            name: "clients".into(),
            columns: vec![col("id"), col("town")],
            ..Table::default()
        });
        let changes = vec![
            Change::DropColumn {
                table: QualifiedName::new("public", "client"),
                column: col("town"),
            },
            Change::RenameTable {
                schema: "public".into(),
                from: "clients".into(),
                to: "client".into(),
                score: 90,
            },
        ];
        let steps = build(&changes, &target, &Catalog::default(), |_| vec![]).expect("no cycle");
        assert_eq!(steps[0].change.kind(), "rename_table");
        assert_eq!(steps[1].after, vec![1]);
    }

    fn function(name: &str, kind: RoutineKind, definition: &str) -> Function {
        Function {
            name: name.into(),
            kind,
            arguments: "text, text".into(),
            returns: Some("text".into()),
            language: "sql".into(),
            definition: definition.into(),
            volatility: None,
            security_definer: false,
            depends_on: vec![],
            comment: None,
        }
    }

    /// An aggregate over state function `sfunc`, and a catalog with both.
    fn aggregate(sfunc: &str) -> (Function, Function, Catalog) {
        let f = function(sfunc, RoutineKind::Function, "CREATE FUNCTION …");
        let agg = function(
            "concat_all",
            RoutineKind::Aggregate,
            &format!(
                "CREATE AGGREGATE public.concat_all(text) (SFUNC = public.{sfunc}, STYPE = text)"
            ),
        );
        let mut cat = Catalog {
            default_schema: "public".into(),
            ..Catalog::default()
        };
        cat.schema_mut("public").functions = vec![f.clone(), agg.clone()];
        (f, agg, cat)
    }

    #[test]
    fn an_aggregate_is_dropped_before_its_state_function_and_created_after() {
        // Names that sort the other way round.
        let (f, agg, cat) = aggregate("_concat");
        let drops: Vec<Change> = [f, agg]
            .into_iter()
            .map(|function| Change::DropFunction {
                schema: "public".into(),
                function,
            })
            .collect();
        let steps = build(&drops, &cat, &Catalog::default(), |_| vec![]).expect("no cycle");
        assert_eq!(steps[0].change.object(), "public.concat_all(text, text)");
        let (f, agg, cat) = aggregate("zz_concat");
        let creates: Vec<Change> = [agg, f]
            .into_iter()
            .map(|function| Change::CreateFunction {
                schema: "public".into(),
                function,
            })
            .collect();
        let steps = build(&creates, &Catalog::default(), &cat, |_| vec![]).expect("no cycle");
        assert_eq!(steps[0].change.object(), "public.zz_concat(text, text)");
    }

    #[test]
    fn a_parents_column_is_dropped_before_an_inheritance_childs_copy() {
        let col = |n: &str| Column {
            name: n.into(),
            ordinal: 1,
            data_type: "integer".into(),
            nullable: true,
            ..Column::default()
        };
        let mut target = Catalog {
            default_schema: "public".into(),
            ..Catalog::default()
        };
        let parent = QualifiedName::new("public", "vehicles");
        let child = QualifiedName::new("public", "cars");
        target.schema_mut("public").tables = vec![
            Table {
                name: "vehicles".into(),
                columns: vec![col("vin")],
                ..Table::default()
            },
            Table {
                name: "cars".into(),
                columns: vec![col("vin")],
                inherits: vec![parent.clone()],
                ..Table::default()
            },
        ];
        let changes = vec![
            Change::DropColumn {
                table: child,
                column: col("vin"),
            },
            Change::DropColumn {
                table: parent,
                column: col("vin"),
            },
        ];
        let steps = build(&changes, &target, &Catalog::default(), |_| vec![]).expect("no cycle");
        assert_eq!(steps[0].change.object(), "public.vehicles.vin");
        assert_eq!(steps[1].after, vec![1]);
    }
}
