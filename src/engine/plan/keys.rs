//! The names the dependency graph gives objects ([`Key`]), what a change declares about them
//! ([`Deps`]), and what an expression, a type's text or a view refers to. References are found
//! in the text as PostgreSQL writes it (every user-defined name schema-qualified), so a missed
//! reference is a missing edge and an extra one is harmless: scanners err on the side of more.

use std::collections::BTreeSet;

use crate::model::*;

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

impl Key {
    /// A table's primary key, by its constraint name (`PRIMARY` when it has none: MySQL, SQLite).
    pub fn primary_key(table: &QualifiedName, pk: &PrimaryKey) -> Key {
        let name = pk.name.clone().unwrap_or_else(|| "PRIMARY".into());
        Key::Constraint(table.clone(), name)
    }
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
    pub(super) fn refs(&mut self, keys: Vec<Key>) {
        for k in keys {
            match k {
                Key::Sequence(_) | Key::Function(_) => self.needs.push(k),
                other => self.requires.push(other),
            }
        }
    }
}

pub(super) fn tq(schema: &str, name: &str) -> QualifiedName {
    QualifiedName::new(schema, name)
}

/// Keys of user-defined objects an expression or type text mentions. PostgreSQL writes every
/// non-catalog name qualified (we inspect with an empty `search_path`), so `schema.name` (quoted
/// or not) found in the text is a reference.
pub(super) fn refs_in(text: &str, known: &Known) -> Vec<Key> {
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
pub(super) fn aggregate_refs(definition: &str, known: &Known) -> Vec<Key> {
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
pub(super) fn generated_reads(table: &QualifiedName, c: &Column, cat: &Catalog) -> Vec<Key> {
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

pub(super) fn column_refs(c: &Column, known: &Known) -> Vec<Key> {
    let mut v = refs_in(&c.data_type, known);
    if let Some(d) = &c.default {
        v.extend(refs_in(d, known));
    }
    if let Some(g) = &c.generated {
        v.extend(refs_in(&g.expression, known));
    }
    v
}

/// What a view reads: the relations, functions and sequences the database recorded, the shape of
/// every table it reads, and the types its text names.
pub(super) fn view_reads(view: &View, known: &Known) -> Vec<Key> {
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

/// Unique constraints and indexes of `table` whose leading columns are `columns`: those that can
/// serve a foreign key over them.
pub(super) fn supporting_keys(
    table: &QualifiedName,
    columns: &[String],
    cat: &Catalog,
) -> Vec<Key> {
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

/// Tables and materialized views both carry indexes and triggers.
pub(super) fn relation_key(q: &QualifiedName, cat: &Catalog) -> Key {
    match cat.schema(&q.schema).and_then(|s| s.view(&q.name)) {
        Some(_) => Key::View(q.clone()),
        None => Key::Table(q.clone()),
    }
}
