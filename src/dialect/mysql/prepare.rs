//! MySQL's rewrite of a diff before it is ordered (`dialect::prepare`): the changes MySQL must make
//! together, or around each other, that the dialect-independent differ does not know about.
//!
//! - A primary key that changes columns becomes one `AddPrimaryKey` that replaces the old key
//!   (marked by the name `PRIMARY`, which every MySQL primary key has): MySQL then never holds a
//!   table without one, and an `AUTO_INCREMENT` column in it never lacks its key.
//! - A new `AUTO_INCREMENT` column is added with the key that carries it, so that key's own change
//!   goes; in a new table, a plain index carrying one is made by `CREATE TABLE`.
//! - MySQL cannot retype a column a foreign key uses (either side): such foreign keys are dropped
//!   before and added back after.
//! - A foreign key renamed together with the index named after it is one statement.
//! - An index comment is part of the index: created with it, it needs no step of its own.
//! - Views record what they read (tables, views, functions named in their definition), so that
//!   the plan creates them after, and drops them before, those objects change.

use std::collections::BTreeSet;

use super::render::{
    AiKey, ai_key, fk_index_renamed_with, schema_of, src_table, table_in, tgt_table,
};
use crate::dialect::RenderCtx;
use crate::model::change::CommentTarget;
use crate::model::*;

pub fn prepare(changes: Vec<Change>, ctx: &RenderCtx) -> Vec<Change> {
    let mut out = changes;
    merge_primary_keys(&mut out);
    auto_increment_keys(&mut out, ctx);
    foreign_keys_around_retypes(&mut out, ctx);
    foreign_key_index_renames(&mut out, ctx);
    index_comments(&mut out);
    view_dependencies(&mut out, ctx);
    out
}

fn merge_primary_keys(out: &mut Vec<Change>) {
    let added: BTreeSet<QualifiedName> = out
        .iter()
        .filter_map(|c| match c {
            Change::AddPrimaryKey { table, .. } => Some(table.clone()),
            _ => None,
        })
        .collect();
    let mut replaced = BTreeSet::new();
    out.retain(|c| match c {
        Change::DropPrimaryKey { table, .. } if added.contains(table) => {
            replaced.insert(table.clone());
            false
        }
        _ => true,
    });
    for c in out.iter_mut() {
        if let Change::AddPrimaryKey { table, primary_key } = c {
            if replaced.contains(table) {
                primary_key.name = Some("PRIMARY".into());
            }
        }
    }
}

fn auto_increment_keys(out: &mut Vec<Change>, ctx: &RenderCtx) {
    // (table, key) pairs whose own change is made by another.
    let mut carried: Vec<(QualifiedName, AiKey)> = Vec::new();
    for c in out.iter() {
        match c {
            Change::AddColumn { table, column } => {
                let Some(src) = src_table(ctx, &table.name) else {
                    continue;
                };
                let Some(col) = src.column(&column.name) else {
                    continue;
                };
                if matches!(col.identity, Some(Identity::AutoIncrement)) {
                    if let Some(k) = ai_key(src, &col.name) {
                        carried.push((table.clone(), k));
                    }
                }
            }
            Change::CreateTable { schema, table } => {
                let Some(src) = src_table(ctx, &table.name) else {
                    continue;
                };
                for col in &table.columns {
                    if !matches!(col.identity, Some(Identity::AutoIncrement)) {
                        continue;
                    }
                    if ai_key(table, &col.name).is_some() {
                        continue; // primary key or unique: inside CREATE TABLE anyway
                    }
                    if let Some(k @ AiKey::Index(_)) = ai_key(src, &col.name) {
                        carried.push((QualifiedName::new(schema.clone(), table.name.clone()), k));
                    }
                }
            }
            _ => {}
        }
    }
    out.retain(|c| {
        !carried.iter().any(|(t, k)| match (c, k) {
            (Change::AddPrimaryKey { table, .. }, AiKey::Primary) => table == t,
            (Change::AddUnique { table, unique }, AiKey::Unique(n)) => {
                table == t && unique.name == *n
            }
            (Change::CreateIndex { table, index }, AiKey::Index(n)) => {
                table == t && index.name == *n
            }
            _ => false,
        })
    });
}

/// SOURCE's foreign key, its referenced table named in TARGET's database.
fn aligned(ctx: &RenderCtx, f: &ForeignKey) -> ForeignKey {
    let mut f = f.clone();
    if f.ref_table.schema == ctx.source.default_schema {
        f.ref_table.schema = ctx.target.default_schema.clone();
    }
    f
}

fn foreign_keys_around_retypes(out: &mut Vec<Change>, ctx: &RenderCtx) {
    let Some(target_schema) = schema_of(ctx.target) else {
        return;
    };
    let mut extra = Vec::new();
    for c in out.iter() {
        let Change::AlterColumnType { table, from, to } = c else {
            continue;
        };
        if from.data_type == to.data_type
            && from.charset == to.charset
            && from.collation == to.collation
        {
            continue;
        }
        let Some(tgt) = tgt_table(ctx, &table.name) else {
            continue;
        };
        for x in &target_schema.tables {
            for f in &x.foreign_keys {
                let uses = (x.name == tgt.name && f.columns.contains(&from.name))
                    || (f.ref_table.name == tgt.name && f.ref_columns.contains(&from.name));
                if !uses {
                    continue;
                }
                // The table under its SOURCE name (the retyped one may be renamed).
                let name = if x.name == tgt.name {
                    table.name.clone()
                } else {
                    x.name.clone()
                };
                let Some(src) = table_in(ctx.source, &name) else {
                    continue; // dropped: its foreign keys go with it
                };
                let q = QualifiedName::new(table.schema.clone(), name.clone());
                let known = |c: &Change, add: bool| match c {
                    Change::DropForeignKey { foreign_key, .. } => {
                        !add && foreign_key.name == f.name
                    }
                    Change::AddForeignKey { foreign_key, .. } => add && foreign_key.name == f.name,
                    _ => false,
                };
                if !out.iter().chain(extra.iter()).any(|c| known(c, false)) {
                    extra.push(Change::DropForeignKey {
                        table: q.clone(),
                        foreign_key: f.clone(),
                    });
                }
                if let Some(sf) = src.foreign_key(&f.name) {
                    if !out.iter().chain(extra.iter()).any(|c| known(c, true)) {
                        extra.push(Change::AddForeignKey {
                            table: q,
                            foreign_key: aligned(ctx, sf),
                        });
                    }
                }
            }
        }
    }
    out.extend(extra);
}

fn foreign_key_index_renames(out: &mut Vec<Change>, ctx: &RenderCtx) {
    let pairs: Vec<(QualifiedName, String, String)> = out
        .iter()
        .filter_map(|c| match c {
            Change::RenameConstraint { table, from, to }
                if src_table(ctx, &table.name).is_some_and(|t| t.foreign_key(to).is_some())
                    && fk_index_renamed_with(ctx, table, from, to) =>
            {
                Some((table.clone(), from.clone(), to.clone()))
            }
            _ => None,
        })
        .collect();
    out.retain(|c| match c {
        Change::RenameIndex { table, from, to } => !pairs
            .iter()
            .any(|(t, f, n)| t == table && f == from && n == to),
        _ => true,
    });
}

fn index_comments(out: &mut Vec<Change>) {
    let created: BTreeSet<String> = out
        .iter()
        .filter_map(|c| match c {
            Change::CreateIndex { index, .. } => Some(index.name.clone()),
            _ => None,
        })
        .collect();
    out.retain(|c| {
        !matches!(c, Change::SetComment { target: CommentTarget::Index { name, .. }, .. } if created.contains(name))
    });
}

/// Backquoted names in a view definition as the server stores it, each with whether a `(`
/// follows (a function call).
fn quoted_names(sql: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let chars: Vec<char> = sql.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            q @ ('\'' | '"') => {
                i += 1;
                while i < chars.len() {
                    if chars[i] == '\\' {
                        i += 2;
                        continue;
                    }
                    if chars[i] == q {
                        if chars.get(i + 1) == Some(&q) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            '`' => {
                let mut name = String::new();
                i += 1;
                while i < chars.len() {
                    if chars[i] == '`' {
                        if chars.get(i + 1) == Some(&'`') {
                            name.push('`');
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    name.push(chars[i]);
                    i += 1;
                }
                i += 1;
                let mut j = i;
                while j < chars.len() && chars[j].is_whitespace() {
                    j += 1;
                }
                out.push((name, chars.get(j) == Some(&'(')));
            }
            _ => i += 1,
        }
    }
    out
}

fn view_reads(cat: &Catalog, schema: &str, v: &View) -> Vec<ObjectRef> {
    let Some(s) = schema_of(cat) else {
        return Vec::new();
    };
    let mut refs = BTreeSet::new();
    for (name, call) in quoted_names(&v.definition) {
        if name == v.name {
            continue;
        }
        let kind = if call {
            s.functions
                .iter()
                .any(|f| f.name == name)
                .then_some(ObjectKind::Function)
        } else if s.table(&name).is_some() {
            Some(ObjectKind::Table)
        } else if s.view(&name).is_some() {
            Some(ObjectKind::View)
        } else {
            None
        };
        if let Some(kind) = kind {
            refs.insert(ObjectRef {
                kind,
                schema: schema.to_string(),
                name,
            });
        }
    }
    refs.into_iter().collect()
}

fn view_dependencies(out: &mut [Change], ctx: &RenderCtx) {
    for c in out.iter_mut() {
        match c {
            Change::CreateView { schema, view }
            | Change::ReplaceView {
                schema, to: view, ..
            } if view.depends_on.is_empty() => {
                view.depends_on = view_reads(ctx.source, schema, view);
            }
            Change::DropView { schema, view } if view.depends_on.is_empty() => {
                view.depends_on = view_reads(ctx.target, schema, view);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_a_view() {
        let got = quoted_names(
            "select `a``b`.`x` AS `x`, `f` (1), 'it''s `no`' from `a``b` join `Order Items`",
        );
        let want = vec![
            ("a`b".to_string(), false),
            ("x".to_string(), false),
            ("x".to_string(), false),
            ("f".to_string(), true),
            ("a`b".to_string(), false),
            ("Order Items".to_string(), false),
        ];
        assert_eq!(got, want);
    }
}
