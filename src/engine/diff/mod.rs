//! The schema differ: two normalized catalogs in, typed [`Change`]s out. Reads "make TARGET look
//! like SOURCE". Knows no SQL: only `dialect::*::render` writes SQL.
//!
//! Invariants: the same two catalogs always give the same changes in the same order (objects are
//! paired by name in name order, [`matching`]); renames are decided before anything else refers
//! to names, so later comparisons follow renamed tables and columns; expressions compare through
//! `model::normalize`, never as raw text.
//!
//! Files, one per object kind: `types.rs` (enums, domains, composite types), `sequences.rs`,
//! `tables.rs` (tables, their options, partitions, inheritance, row security, policies),
//! `columns.rs`, `constraints.rs` (keys, checks, foreign keys), `indexes.rs`, `triggers.rs`,
//! `functions.rs`, `views.rs`; `rename.rs` scores renames, `matching.rs` pairs objects.

mod columns;
mod constraints;
mod functions;
mod indexes;
mod matching;
pub mod rename;
mod sequences;
mod tables;
mod triggers;
mod types;
mod views;

use std::collections::{BTreeMap, BTreeSet};

use matching::{Matched, by_name};

use crate::model::change::CommentTarget;
use crate::model::*;

pub use tables::create_table_changes;
pub(crate) use types::family_uses_enum;

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

/// A schema's name and both sides of it, a side that lacks it as an empty schema.
fn schema_sides<'s>(
    m: Matched<'s, Schema>,
    empty: &'s Schema,
) -> (&'s str, &'s Schema, &'s Schema) {
    let (t, s) = (m.target(), m.source());
    let name = s.or(t).map_or("", |x| x.name.as_str());
    (name, t.unwrap_or(empty), s.unwrap_or(empty))
}

/// One comparison: both catalogs, the changes so far, and what earlier steps decided that later
/// ones must follow (renames, rebuilt tables, recreated functions, dropped keys).
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

impl Differ<'_> {
    /// The order of the kinds: extensions; schemas with their types; sequences and tables;
    /// functions; foreign keys over re-made keys; views; triggers on recreated functions; dropped
    /// schemas; what sluice cannot change.
    fn run(&mut self) {
        let (target, source) = (self.target, self.source);
        let empty = Schema::default();
        for m in by_name(&target.extensions, &source.extensions, |e| &e.name).in_change_order() {
            match m {
                Matched::Create(s) => self.out.push(Change::CreateExtension {
                    extension: s.clone(),
                }),
                Matched::Alter(t, s) if t.version != s.version => {
                    self.out.push(Change::AlterExtension {
                        from: t.clone(),
                        to: s.clone(),
                    })
                }
                Matched::Alter(..) => {}
                Matched::Drop(t) => self.out.push(Change::DropExtension {
                    extension: t.clone(),
                }),
            }
        }
        let schemas = by_name(&target.schemas, &source.schemas, |s| &s.name);
        for m in schemas.all() {
            let (name, t, s) = schema_sides(m, &empty);
            let comment_on = || CommentTarget::Schema {
                name: name.to_string(),
            };
            match m {
                Matched::Create(s) => {
                    self.out.push(Change::CreateSchema {
                        name: name.to_string(),
                    });
                    if s.comment.is_some() {
                        self.comment(comment_on(), &None, &s.comment);
                    }
                }
                Matched::Alter(t, s) => self.comment(comment_on(), &t.comment, &s.comment),
                Matched::Drop(_) => {}
            }
            self.types(name, t, s);
        }
        for m in schemas.all() {
            let (name, t, s) = schema_sides(m, &empty);
            self.sequences(name, t, s);
            self.tables(name, t, s);
        }
        for m in schemas.all() {
            let (name, t, s) = schema_sides(m, &empty);
            self.functions(name, t, s);
        }
        self.foreign_keys_on_dropped_keys();
        self.views();
        self.dependent_triggers();
        for m in schemas.all() {
            if let Matched::Drop(t) = m {
                self.out.push(Change::DropSchema {
                    name: t.name.clone(),
                });
            }
        }
        self.unsupported();
    }

    /// A comment change, when the comment differs.
    fn comment(&mut self, target: CommentTarget, from: &Option<String>, to: &Option<String>) {
        if from != to {
            self.out.push(Change::SetComment {
                target,
                from: from.clone(),
                to: to.clone(),
            });
        }
    }

    /// Objects sluice cannot change: reported when only one side has them or they differ.
    fn unsupported(&mut self) {
        let (target, source) = (self.target, self.source);
        let key = |u: &Unsupported| {
            (
                u.kind.clone(),
                u.schema.clone(),
                u.name.clone(),
                u.parent.clone(),
            )
        };
        let object = |u: &Unsupported| match &u.parent {
            Some(p) if u.schema.is_empty() => format!("{p}.{}", u.name),
            Some(p) => format!("{}.{p}.{}", u.schema, u.name),
            None if u.schema.is_empty() => u.name.clone(),
            None => format!("{}.{}", u.schema, u.name),
        };
        let report = |u: &Unsupported, detail: String| Change::Unsupported {
            object_kind: u.kind.clone(),
            object: object(u),
            detail,
        };
        for m in by_name(&target.unsupported, &source.unsupported, key).in_change_order() {
            match m {
                Matched::Create(u) => self.out.push(report(
                    u,
                    format!("only in SOURCE; sluice cannot create it ({})", u.reason),
                )),
                Matched::Alter(v, u) if v.definition != u.definition => self.out.push(report(
                    u,
                    format!("differs; sluice cannot change it ({})", u.reason),
                )),
                Matched::Alter(..) => {}
                Matched::Drop(u) => self.out.push(report(
                    u,
                    format!("only in TARGET; sluice will not drop it ({})", u.reason),
                )),
            }
        }
    }
}
