//! Turns a diff's changes into the ones SQLite can carry out, before the plan is ordered.
//!
//! - A table whose changes `ALTER TABLE` cannot make (type, nullability, default, key, unique,
//!   check or foreign-key changes; a column SQLite cannot add or drop in place; WITHOUT ROWID or
//!   STRICT) gets one [`Change::RebuildTable`] that takes all of that table's changes with it
//!   (renames of the table and its columns, indexes and triggers included). Tables without such
//!   a change keep their in-place steps.
//! - Foreign keys of a new table are written into its `CREATE TABLE`; those of a dropped table go
//!   with it; a foreign key dropped and added back unchanged (because the key it references is
//!   rebuilt) is left alone: SQLite checks foreign keys only when rows change.
//! - A constraint "renamed" from one generated name to another (an unnamed constraint of a
//!   renamed table or column) is no change at all.
//! - `CREATE OR REPLACE VIEW` does not exist: the view is dropped and created, with its triggers;
//!   so is every view that reads a view being dropped (SQLite checks all views when a table or
//!   column is renamed or dropped in place).
//! - What SQLite has no counterpart for (schemas, sequences, types, functions, policies,
//!   comments, …) is reported as unsupported.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::parse::{self, TokenKind};
use super::render::{check_number, fk_name, literal_kind, unique_name};
use crate::dialect::RenderCtx;
use crate::model::*;

pub fn prepare(changes: Vec<Change>, ctx: &RenderCtx) -> Vec<Change> {
    let changes = unsupported(changes);
    let changes = simplify(changes, ctx);
    let changes = views(changes, ctx);
    rebuilds(changes, ctx)
}

// ------------------------------------------------------------------------------------ helpers

/// The names an SQL text mentions (ASCII lower-cased, as SQLite compares them); `None` when the
/// text cannot be read (then it is taken to mention everything).
fn idents(sql: &str) -> Option<BTreeSet<String>> {
    let tokens = parse::tokenize(sql).ok()?;
    Some(
        tokens
            .iter()
            .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent))
            .map(|t| parse::unquote(t.text(sql)).to_ascii_lowercase())
            .collect(),
    )
}

fn mentions(sql: &str, name: &str) -> bool {
    idents(sql).is_none_or(|s| s.contains(&name.to_ascii_lowercase()))
}

/// SOURCE table name → TARGET table name, for renamed tables.
fn old_names(changes: &[Change]) -> HashMap<QualifiedName, String> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::RenameTable {
                schema, from, to, ..
            } => Some((QualifiedName::new(schema, to), from.clone())),
            _ => None,
        })
        .collect()
}

/// TARGET column name → SOURCE column name, per (SOURCE-named) table.
fn column_renames(changes: &[Change]) -> HashMap<QualifiedName, HashMap<String, String>> {
    let mut m: HashMap<QualifiedName, HashMap<String, String>> = HashMap::new();
    for c in changes {
        if let Change::RenameColumn {
            table, from, to, ..
        } = c
        {
            m.entry(table.clone())
                .or_default()
                .insert(from.clone(), to.clone());
        }
    }
    m
}

fn source_table<'c>(ctx: &RenderCtx<'c>, q: &QualifiedName) -> Option<&'c Table> {
    ctx.source
        .table(&q.schema, &q.name)
        .or_else(|| ctx.source.table(&ctx.source.default_schema, &q.name))
}

fn target_table<'c>(
    ctx: &RenderCtx<'c>,
    q: &QualifiedName,
    old: &HashMap<QualifiedName, String>,
) -> Option<&'c Table> {
    let name = old.get(q).unwrap_or(&q.name);
    ctx.target.table(&q.schema, name)
}

// ------------------------------------------------------------------------------------ passes

/// Changes SQLite has nothing for become `Unsupported`, so that they are reported, not skipped.
fn unsupported(changes: Vec<Change>) -> Vec<Change> {
    use Change::*;
    changes
        .into_iter()
        .map(|c| match &c {
            CreateSchema { .. }
            | DropSchema { .. }
            | CreateExtension { .. }
            | DropExtension { .. }
            | AlterExtension { .. }
            | CreateEnum { .. }
            | DropEnum { .. }
            | AddEnumLabel { .. }
            | RenameEnumLabel { .. }
            | RebuildEnum { .. }
            | CreateDomain { .. }
            | DropDomain { .. }
            | AlterDomain { .. }
            | CreateCompositeType { .. }
            | DropCompositeType { .. }
            | CreateSequence { .. }
            | DropSequence { .. }
            | AlterSequence { .. }
            | CreateFunction { .. }
            | DropFunction { .. }
            | ReplaceFunction { .. }
            | SetTriggerEnabled { .. }
            | AttachPartition { .. }
            | DetachPartition { .. }
            | SetInherit { .. }
            | SetRowSecurity { .. }
            | SetLogged { .. }
            | CreatePolicy { .. }
            | DropPolicy { .. }
            | SetComment { .. } => Unsupported {
                object_kind: c.object_kind().to_string(),
                object: c.object(),
                detail: format!("SQLite has no counterpart: {}", c.describe()),
            },
            _ => c,
        })
        .collect()
}

fn simplify(changes: Vec<Change>, ctx: &RenderCtx) -> Vec<Change> {
    let old = old_names(&changes);
    let col_renames = column_renames(&changes);
    let mut created: BTreeSet<QualifiedName> = BTreeSet::new();
    let mut dropped: BTreeSet<QualifiedName> = BTreeSet::new();
    for c in &changes {
        match c {
            Change::CreateTable { schema, table } => {
                created.insert(QualifiedName::new(schema, &table.name));
            }
            Change::DropTable { schema, table } => {
                dropped.insert(QualifiedName::new(schema, &table.name));
            }
            _ => {}
        }
    }
    // A foreign key dropped and added back as it was: both go.
    let same_fk = |t: &QualifiedName, a: &ForeignKey, b: &ForeignKey| {
        let old_t = old.get(t).unwrap_or(&t.name);
        let named_alike = a.name == b.name
            || (a.name == fk_name(old_t, &a.columns) && b.name == fk_name(&t.name, &b.columns));
        let map = |cols: &[String], q: &QualifiedName| -> Vec<String> {
            let m = col_renames.get(q);
            cols.iter()
                .map(|c| {
                    m.and_then(|m| m.get(c))
                        .cloned()
                        .unwrap_or_else(|| c.clone())
                })
                .collect()
        };
        // The parent as SOURCE names it.
        let parent = old
            .iter()
            .find(|(_, from)| **from == a.ref_table.name)
            .map(|(to, _)| to.clone())
            .unwrap_or_else(|| a.ref_table.clone());
        named_alike
            && map(&a.columns, t) == b.columns
            && parent.name == b.ref_table.name
            && map(&a.ref_columns, &parent) == b.ref_columns
            && a.on_delete == b.on_delete
            && a.on_update == b.on_update
            && a.deferrable == b.deferrable
            && a.initially_deferred == b.initially_deferred
            && a.match_full == b.match_full
    };
    let mut gone = vec![false; changes.len()];
    for (i, c) in changes.iter().enumerate() {
        let Change::DropForeignKey { table, foreign_key } = c else {
            continue;
        };
        if dropped.contains(table) {
            gone[i] = true;
            continue;
        }
        let twin = changes.iter().enumerate().position(|(j, d)| {
            !gone[j]
                && matches!(d, Change::AddForeignKey { table: t, foreign_key: f } if t == table && same_fk(table, foreign_key, f))
        });
        if let Some(j) = twin {
            gone[i] = true;
            gone[j] = true;
        }
    }
    // Generated names that follow a renamed table or column.
    let generated = |t: Option<&Table>, table: &str, name: &str| {
        t.is_some_and(|t| {
            t.uniques
                .iter()
                .any(|u| u.name == name && unique_name(table, &u.columns) == name)
                || t.foreign_keys
                    .iter()
                    .any(|f| f.name == name && fk_name(table, &f.columns) == name)
                || t.checks
                    .iter()
                    .any(|c| c.name == name && check_number(table, name).is_some())
        })
    };
    for (i, c) in changes.iter().enumerate() {
        if let Change::RenameConstraint { table, from, to } = c {
            let old_t = old.get(table).unwrap_or(&table.name);
            if generated(target_table(ctx, table, &old), old_t, from)
                && generated(source_table(ctx, table), &table.name, to)
            {
                gone[i] = true;
            }
        }
    }
    // Foreign keys of new tables are written into their CREATE TABLE.
    let mut fks: BTreeMap<QualifiedName, Vec<ForeignKey>> = BTreeMap::new();
    for (i, c) in changes.iter().enumerate() {
        if let Change::AddForeignKey { table, foreign_key } = c {
            if !gone[i] && created.contains(table) {
                fks.entry(table.clone())
                    .or_default()
                    .push(foreign_key.clone());
                gone[i] = true;
            }
        }
    }
    changes
        .into_iter()
        .zip(gone)
        .filter(|(_, g)| !g)
        .map(|(c, _)| match c {
            Change::CreateTable { schema, mut table } => {
                let q = QualifiedName::new(&schema, &table.name);
                if let Some(f) = fks.remove(&q) {
                    table.foreign_keys.extend(f);
                    table.normalize_order();
                }
                Change::CreateTable { schema, table }
            }
            other => other,
        })
        .collect()
}

fn views(changes: Vec<Change>, ctx: &RenderCtx) -> Vec<Change> {
    let mut recreate: BTreeSet<QualifiedName> = BTreeSet::new();
    let mut dropping: BTreeSet<String> = BTreeSet::new();
    for c in &changes {
        match c {
            Change::ReplaceView { schema, to, .. } => {
                recreate.insert(QualifiedName::new(schema, &to.name));
                dropping.insert(to.name.to_ascii_lowercase());
            }
            Change::DropView { view, .. } => {
                dropping.insert(view.name.to_ascii_lowercase());
            }
            _ => {}
        }
    }
    if dropping.is_empty() {
        return changes;
    }
    // Views that read a view being dropped must go (and come back) too.
    loop {
        let mut grew = false;
        for s in &ctx.target.schemas {
            for v in &s.views {
                let lower = v.name.to_ascii_lowercase();
                if dropping.contains(&lower) {
                    continue;
                }
                let in_source = ctx
                    .source
                    .schema(&s.name)
                    .and_then(|x| x.view(&v.name))
                    .is_some();
                let reads = idents(&v.definition)
                    .is_none_or(|words| words.iter().any(|w| dropping.contains(w)));
                if in_source && reads {
                    recreate.insert(QualifiedName::new(&s.name, &v.name));
                    dropping.insert(lower);
                    grew = true;
                }
            }
        }
        if !grew {
            break;
        }
    }
    if recreate.is_empty() {
        return changes;
    }
    let on_recreated = |c: &Change| match c {
        Change::ReplaceView { schema, to, .. } => {
            recreate.contains(&QualifiedName::new(schema, &to.name))
        }
        Change::CreateTrigger { table, .. } | Change::DropTrigger { table, .. } => {
            recreate.contains(table)
        }
        _ => false,
    };
    let mut out: Vec<Change> = changes.into_iter().filter(|c| !on_recreated(c)).collect();
    for q in &recreate {
        let old = ctx.target.schema(&q.schema).and_then(|s| s.view(&q.name));
        let new = ctx.source.schema(&q.schema).and_then(|s| s.view(&q.name));
        let (Some(old), Some(new)) = (old, new) else {
            continue;
        };
        for t in &old.triggers {
            out.push(Change::DropTrigger {
                table: q.clone(),
                trigger: t.clone(),
            });
        }
        let bare = |v: &View| {
            let mut v = v.clone();
            v.triggers.clear();
            v.indexes.clear();
            v
        };
        out.push(Change::DropView {
            schema: q.schema.clone(),
            view: bare(old),
        });
        out.push(Change::CreateView {
            schema: q.schema.clone(),
            view: bare(new),
        });
        for t in &new.triggers {
            out.push(Change::CreateTrigger {
                table: q.clone(),
                trigger: t.clone(),
            });
        }
    }
    out
}

/// Whether SQLite can make this change only by rebuilding its table.
fn needs_rebuild(
    c: &Change,
    all: &[Change],
    ctx: &RenderCtx,
    old: &HashMap<QualifiedName, String>,
) -> bool {
    use Change::*;
    match c {
        AddColumn { table, column } => {
            !source_table(ctx, table).is_some_and(|t| add_in_place(column, t))
        }
        DropColumn { table, column } => {
            !target_table(ctx, table, old).is_some_and(|t| drop_in_place(&column.name, t, all, ctx))
        }
        AlterColumnType { .. }
        | SetNotNull { .. }
        | DropNotNull { .. }
        | SetDefault { .. }
        | AlterIdentity { .. }
        | AlterGenerated { .. }
        | AddPrimaryKey { .. }
        | DropPrimaryKey { .. }
        | AddUnique { .. }
        | DropUnique { .. }
        | AddCheck { .. }
        | DropCheck { .. }
        | AddForeignKey { .. }
        | DropForeignKey { .. }
        | RenameConstraint { .. }
        | ValidateConstraint { .. }
        | RebuildTable { .. } => true,
        _ => false,
    }
}

/// `ALTER TABLE ADD COLUMN` takes no key, no STORED generated column, no default that is not a
/// constant, and a NOT NULL column only with a non-NULL default.
fn add_in_place(c: &Column, t: &Table) -> bool {
    let keyed = t
        .primary_key
        .as_ref()
        .is_some_and(|p| p.columns.contains(&c.name))
        || t.uniques.iter().any(|u| u.columns.contains(&c.name));
    if keyed || c.identity.is_some() {
        return false;
    }
    if let Some(g) = &c.generated {
        return !g.stored && c.nullable;
    }
    match &c.default {
        None => c.nullable,
        Some(d) => {
            literal_kind(d) == Some(true) && (c.nullable || !d.trim().eq_ignore_ascii_case("NULL"))
        }
    }
}

/// `ALTER TABLE DROP COLUMN` refuses a column that is part of a key, a unique constraint or a
/// foreign key, indexed, used in a CHECK or a generated column, or named in a trigger or view
/// (<https://www.sqlite.org/lang_altertable.html#altertabdropcol>). Indexes, views and triggers
/// the plan drops first do not count; anything else that mentions the name does.
fn drop_in_place(name: &str, t: &Table, all: &[Change], ctx: &RenderCtx) -> bool {
    let eq = |a: &String| a.eq_ignore_ascii_case(name);
    let keyed = t
        .primary_key
        .as_ref()
        .is_some_and(|p| p.columns.iter().any(eq))
        || t.uniques.iter().any(|u| u.columns.iter().any(eq))
        || t.foreign_keys.iter().any(|f| f.columns.iter().any(eq));
    if keyed {
        return false;
    }
    let dropped = |kind: &str, n: &str| {
        all.iter().any(|c| match (kind, c) {
            ("index", Change::DropIndex { index, .. }) => index.name == n,
            ("trigger", Change::DropTrigger { trigger, .. }) => trigger.name == n,
            ("view", Change::DropView { view, .. }) => view.name == n,
            _ => false,
        })
    };
    for i in t.indexes.iter().filter(|i| !dropped("index", &i.name)) {
        let used = i.keys.iter().any(|k| {
            if k.expression {
                mentions(&k.key, name)
            } else {
                eq(&k.key)
            }
        }) || i.predicate.as_deref().is_some_and(|p| mentions(p, name));
        if used {
            return false;
        }
    }
    if t.checks.iter().any(|c| mentions(&c.expression, name)) {
        return false;
    }
    let in_generated = t.columns.iter().any(|c| {
        !eq(&c.name)
            && c.generated
                .as_ref()
                .is_some_and(|g| mentions(&g.expression, name))
    });
    if in_generated {
        return false;
    }
    for s in &ctx.target.schemas {
        for v in s.views.iter().filter(|v| !dropped("view", &v.name)) {
            if mentions(&v.definition, name) {
                return false;
            }
        }
        let triggers = s
            .tables
            .iter()
            .flat_map(|t| t.triggers.iter())
            .chain(s.views.iter().flat_map(|v| v.triggers.iter()));
        for tr in triggers {
            if !dropped("trigger", &tr.name) && mentions(&tr.definition, name) {
                return false;
            }
        }
    }
    true
}

/// Why a table's CREATE statement could not be read, if it could not.
fn unreadable<'c>(cat: &'c Catalog, name: &str) -> Option<&'c Unsupported> {
    cat.unsupported
        .iter()
        .find(|u| u.kind == "table definition" && u.name.eq_ignore_ascii_case(name))
}

/// One rebuild per table that needs one, in the place of the first change it takes.
fn rebuilds(changes: Vec<Change>, ctx: &RenderCtx) -> Vec<Change> {
    let old = old_names(&changes);
    let need: BTreeSet<QualifiedName> = changes
        .iter()
        .filter(|c| needs_rebuild(c, &changes, ctx, &old))
        .filter_map(Change::table)
        .collect();
    if need.is_empty() {
        return changes;
    }
    enum Slot {
        Keep(Box<Change>),
        Rebuild(QualifiedName),
    }
    let mut slots: Vec<Slot> = Vec::new();
    let mut groups: BTreeMap<QualifiedName, Vec<Change>> = BTreeMap::new();
    for c in changes {
        let table = match &c {
            Change::CreateTable { .. } | Change::DropTable { .. } | Change::Unsupported { .. } => {
                None
            }
            other => other.table().filter(|t| need.contains(t)),
        };
        match table {
            Some(t) => {
                let group = groups.entry(t.clone()).or_default();
                if group.is_empty() {
                    slots.push(Slot::Rebuild(t));
                }
                group.push(c);
            }
            None => slots.push(Slot::Keep(Box::new(c))),
        }
    }
    let mut out = Vec::new();
    for slot in slots {
        match slot {
            Slot::Keep(c) => out.push(*c),
            Slot::Rebuild(t) => {
                let group = groups.remove(&t).unwrap_or_default();
                let old_name = old.get(&t).unwrap_or(&t.name);
                let blocked =
                    unreadable(ctx.source, &t.name).or_else(|| unreadable(ctx.target, old_name));
                if let Some(u) = blocked {
                    // Rebuilt from an incomplete model, the table would silently lose what the
                    // model is missing (CHECKs, collations, constraint names).
                    let what: Vec<String> = group.iter().map(Change::describe).collect();
                    out.push(Change::Unsupported {
                        object_kind: "table".into(),
                        object: t.to_string(),
                        detail: format!(
                            "needs a rebuild ({}), but {}; change it by hand",
                            what.join("; "),
                            u.reason
                        ),
                    });
                    continue;
                }
                match (target_table(ctx, &t, &old), source_table(ctx, &t)) {
                    (Some(from), Some(to)) => {
                        let renamed = group
                            .iter()
                            .filter_map(|c| match c {
                                Change::RenameColumn { from, to, .. } => {
                                    Some((from.clone(), to.clone()))
                                }
                                _ => None,
                            })
                            .collect();
                        out.push(Change::RebuildTable {
                            table: t,
                            from: Box::new(from.clone()),
                            to: Box::new(to.clone()),
                            renamed,
                            replaces: group
                                .into_iter()
                                .filter(|c| !matches!(c, Change::RebuildTable { .. }))
                                .collect(),
                        });
                    }
                    // Cannot happen for a diff of these two catalogs; keep what there is.
                    _ => out.extend(group),
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, ty: &str) -> Column {
        Column {
            name: name.into(),
            ordinal: 1,
            data_type: ty.into(),
            nullable: true,
            ..Column::default()
        }
    }

    #[test]
    fn which_columns_sqlite_adds_in_place() {
        let t = Table {
            name: "t".into(),
            columns: vec![col("id", "INTEGER")],
            primary_key: Some(PrimaryKey {
                name: None,
                columns: vec!["id".into()],
            }),
            ..Table::default()
        };
        assert!(add_in_place(&col("a", "TEXT"), &t));
        let mut c = col("a", "TEXT");
        c.nullable = false;
        assert!(!add_in_place(&c, &t), "NOT NULL without default");
        c.default = Some("'x'".into());
        assert!(add_in_place(&c, &t));
        c.default = Some("CURRENT_TIMESTAMP".into());
        assert!(!add_in_place(&c, &t), "not constant");
        c.default = Some("lower('X')".into());
        assert!(!add_in_place(&c, &t), "an expression");
        let mut g = col("g", "INTEGER");
        g.generated = Some(Generated {
            expression: "id * 2".into(),
            stored: true,
        });
        assert!(!add_in_place(&g, &t), "STORED");
        g.generated = Some(Generated {
            expression: "id * 2".into(),
            stored: false,
        });
        assert!(add_in_place(&g, &t), "VIRTUAL");
        assert!(!add_in_place(&col("id", "INTEGER"), &t), "a key column");
    }

    fn catalog(t: Table) -> Catalog {
        Catalog {
            dialect: Some(Dialect::Sqlite),
            default_schema: "main".into(),
            schemas: vec![Schema {
                name: "main".into(),
                tables: vec![t],
                ..Schema::default()
            }],
            ..Catalog::default()
        }
    }

    #[test]
    fn one_rebuild_per_table_and_never_from_an_unreadable_statement() {
        let t = Table {
            name: "t".into(),
            columns: vec![col("a", "INTEGER"), col("b", "TEXT")],
            ..Table::default()
        };
        let target = catalog(t.clone());
        let mut s = t.clone();
        s.columns[1].nullable = false;
        s.checks.push(CheckConstraint {
            name: "t_check_1".into(),
            expression: "a > 0".into(),
            no_inherit: false,
            validated: true,
        });
        let source = catalog(s.clone());
        let q = QualifiedName::new("main", "t");
        let changes = vec![
            Change::SetNotNull {
                table: q.clone(),
                column: "b".into(),
            },
            Change::AddCheck {
                table: q.clone(),
                check: s.checks[0].clone(),
            },
        ];
        let ctx = RenderCtx {
            source: &source,
            target: &target,
        };
        let out = prepare(changes.clone(), &ctx);
        assert_eq!(out.len(), 1);
        let Change::RebuildTable { replaces, .. } = &out[0] else {
            panic!("{out:?}")
        };
        assert_eq!(replaces, &changes);
        let mut broken = source.clone();
        broken.unsupported.push(Unsupported {
            kind: "table definition".into(),
            schema: "main".into(),
            name: "t".into(),
            parent: None,
            reason: "cannot read its CREATE TABLE statement".into(),
            definition: None,
        });
        let ctx = RenderCtx {
            source: &broken,
            target: &target,
        };
        let out = prepare(changes, &ctx);
        assert!(
            matches!(&out[..], [Change::Unsupported { detail, .. }] if detail.contains("cannot read")),
            "{out:?}"
        );
    }

    #[test]
    fn mentions_reads_names_not_text() {
        assert!(mentions("SELECT \"Größe\" FROM t", "größe"));
        assert!(mentions("a + [b c]", "B C"));
        assert!(!mentions("'price' || x", "price"));
        assert!(!mentions("unit_price * 2", "price"));
    }
}
