//! MySQL 8 / MariaDB 10.6+ rendering: a [`Change`] becomes the statements that make it, as a
//! rule one `ALTER TABLE` per change (MySQL commits every DDL statement on its own, so a step that
//! is one statement either happened or did not).
//!
//! Decisions:
//! - Names are written unqualified: apply runs on the TARGET database, and the same pack reads the
//!   same whatever that database is called. Identifiers pass through [`crate::dialect::quote::ident`] (backticks).
//! - Every column change (`AlterColumnType`, `SetNotNull`, `DropNotNull`, `SetDefault`,
//!   `AlterIdentity`, `AlterGenerated`, a column comment) is a `MODIFY COLUMN` with the column's
//!   complete definition as SOURCE has it (type, character set and collation written out, nullability,
//!   default, `ON UPDATE`, `AUTO_INCREMENT`, generation, comment). Several changes to one column
//!   thus render the same statement: each is right on its own, and running it twice changes nothing.
//! - `AUTO_INCREMENT` needs a key led by the column at every moment. A `MODIFY` keeps it only when
//!   that key exists on both sides; otherwise the step that adds the key also makes the column
//!   `AUTO_INCREMENT`, and a step that drops the last such key first takes `AUTO_INCREMENT` away.
//!   A new `AUTO_INCREMENT` column is added together with its key.
//! - A primary key that changes columns is one statement (`DROP PRIMARY KEY, ADD PRIMARY KEY …`),
//!   see [`prepare`].
//! - Changes MySQL has no notion of (schemas other than the database, sequences, enum and domain
//!   types, policies, row security, partitions of PostgreSQL, …) render to nothing: they never
//!   appear in a diff of two MySQL catalogs.
//!
//! Files: this one (the dispatcher [`render`], the catalog lookups every part shares, comments),
//! `column.rs` (column definitions, `MODIFY COLUMN`, adding and regenerating columns),
//! `table.rs` (`CREATE TABLE`, table options), `constraint.rs` (keys, checks, foreign keys,
//! indexes, and `AUTO_INCREMENT` around them), `routine.rs` (views, routines, triggers).

use std::collections::BTreeSet;

use crate::dialect::RenderCtx;
use crate::dialect::quote::my::{id, lit};
use crate::model::change::CommentTarget;
use crate::model::*;

mod column;
mod constraint;
mod routine;
mod table;

pub use column::column_def;
use column::{add_column, alter_generated, modify_column};
pub(crate) use constraint::fk_index_renamed_with;
use constraint::{
    add_check, add_primary_key, add_unique, create_index, drop_check, drop_index, drop_primary_key,
    drop_unique, fk_clause, index_clause, rename_constraint,
};
use routine::{
    create_trigger, create_view, drop_routine, replace_function, routine_definition, routine_word,
};
use table::{alter_options, create_table};

/// A table, unqualified (apply runs on the TARGET database).
fn tbl(q: &QualifiedName) -> String {
    id(&q.name)
}

/// An engine, character set or collation name: bare when it is a plain word, quoted otherwise.
fn word(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        s.to_string()
    } else {
        id(s)
    }
}

// ------------------------------------------------------------------ catalog lookups

/// The schema of a MySQL catalog (there is one: the database).
pub(crate) fn schema_of(cat: &Catalog) -> Option<&Schema> {
    cat.schema(&cat.default_schema).or(cat.schemas.first())
}

pub(crate) fn table_in<'a>(cat: &'a Catalog, name: &str) -> Option<&'a Table> {
    schema_of(cat)?.table(name)
}

/// The table of `cat` that `name` (a table of `other`) is: the one of that name, or, when it was
/// renamed, the table only `cat` has whose columns overlap `other`'s most (at least half).
fn counterpart<'a>(cat: &'a Catalog, other: &Catalog, name: &str) -> Option<&'a Table> {
    if let Some(t) = table_in(cat, name) {
        return Some(t);
    }
    let want = table_in(other, name)?;
    let names: BTreeSet<&str> = want.columns.iter().map(|c| c.name.as_str()).collect();
    let mut best: Option<(usize, &Table)> = None;
    for t in &schema_of(cat)?.tables {
        if table_in(other, &t.name).is_some() {
            continue;
        }
        let overlap = t
            .columns
            .iter()
            .filter(|c| names.contains(c.name.as_str()))
            .count();
        if overlap * 2 >= names.len().max(t.columns.len()).max(1)
            && best.is_none_or(|(n, _)| overlap > n)
        {
            best = Some((overlap, t));
        }
    }
    best.map(|(_, t)| t)
}

/// The table as SOURCE has it.
pub(crate) fn src_table<'a>(ctx: &RenderCtx<'a>, name: &str) -> Option<&'a Table> {
    counterpart(ctx.source, ctx.target, name)
}

/// The table as TARGET has it now (following a rename).
pub(crate) fn tgt_table<'a>(ctx: &RenderCtx<'a>, name: &str) -> Option<&'a Table> {
    counterpart(ctx.target, ctx.source, name)
}

fn is_auto_increment(c: &Column) -> bool {
    matches!(c.identity, Some(Identity::AutoIncrement))
}

/// Which key of a table carries an `AUTO_INCREMENT` column (MySQL wants one led by it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AiKey {
    Primary,
    Unique(String),
    Index(String),
}

/// The key that carries `column` as its first part, in the order MySQL would look: the primary
/// key, a unique constraint, an index.
pub(crate) fn ai_key(t: &Table, column: &str) -> Option<AiKey> {
    if t.primary_key
        .as_ref()
        .is_some_and(|p| p.columns.first().map(String::as_str) == Some(column))
    {
        return Some(AiKey::Primary);
    }
    if let Some(u) = t
        .uniques
        .iter()
        .find(|u| u.columns.first().map(String::as_str) == Some(column))
    {
        return Some(AiKey::Unique(u.name.clone()));
    }
    t.indexes
        .iter()
        .find(|i| {
            i.keys
                .first()
                .is_some_and(|k| !k.expression && k.key == column)
        })
        .map(|i| AiKey::Index(i.name.clone()))
}

/// Whether `src` and `tgt` share, unchanged, a key led by `column`.
fn stable_key(src: &Table, tgt: &Table, column: &str) -> bool {
    let leads = |c: &[String]| c.first().map(String::as_str) == Some(column);
    if let (Some(a), Some(b)) = (&src.primary_key, &tgt.primary_key) {
        if a.columns == b.columns && leads(&a.columns) {
            return true;
        }
    }
    let unique = src.uniques.iter().any(|u| {
        leads(&u.columns)
            && tgt
                .uniques
                .iter()
                .any(|v| v.name == u.name && v.columns == u.columns)
    });
    let index = src.indexes.iter().any(|i| {
        i.keys
            .first()
            .is_some_and(|k| !k.expression && k.key == column)
            && tgt
                .indexes
                .iter()
                .any(|j| j.name == i.name && j.keys == i.keys && j.unique == i.unique)
    });
    unique || index
}

/// Whether a `MODIFY` of SOURCE's column `c` on `table` may say `AUTO_INCREMENT`: the column is
/// one in SOURCE, and the key that carries it is there before and after.
fn keep_auto_increment(ctx: &RenderCtx, table: &str, c: &Column) -> bool {
    if !is_auto_increment(c) {
        return false;
    }
    let (Some(src), Some(tgt)) = (src_table(ctx, table), tgt_table(ctx, table)) else {
        return true;
    };
    if tgt.column(&c.name).is_none() {
        return true; // renamed: its key came along
    }
    stable_key(src, tgt, &c.name)
}

fn alter(table: &QualifiedName, clauses: Vec<String>) -> Vec<String> {
    if clauses.is_empty() {
        Vec::new()
    } else {
        vec![format!("ALTER TABLE {} {}", tbl(table), clauses.join(", "))]
    }
}

// ------------------------------------------------------------------ render

/// The statements that make `change`, in order. Changes MySQL has no notion of render to nothing.
pub fn render(change: &Change, ctx: &RenderCtx) -> Vec<String> {
    use Change::*;
    match change {
        CreateTable { table, .. } => vec![create_table(table, ctx)],
        DropTable { table, .. } => vec![format!("DROP TABLE {}", id(&table.name))],
        RenameTable { from, to, .. } => {
            vec![format!("ALTER TABLE {} RENAME TO {}", id(from), id(to))]
        }
        AlterTableOptions { table, from, to } => alter_options(ctx, table, from, to),
        AddColumn { table, column } => add_column(ctx, table, column),
        DropColumn { table, column } => {
            alter(table, vec![format!("DROP COLUMN {}", id(&column.name))])
        }
        RenameColumn {
            table, from, to, ..
        } => alter(
            table,
            vec![format!("RENAME COLUMN {} TO {}", id(from), id(to))],
        ),
        AlterColumnType { table, to, .. } => modify_column(ctx, table, &to.name, Some(to)),
        SetNotNull { table, column }
        | DropNotNull { table, column }
        | SetDefault { table, column, .. }
        | AlterIdentity { table, column, .. } => modify_column(ctx, table, column, None),
        AlterGenerated { table, from, to } => alter_generated(ctx, table, from, to),
        SetComment { target, to, .. } => comment(ctx, target, to.as_deref()),
        AddPrimaryKey { table, primary_key } => add_primary_key(ctx, table, primary_key),
        DropPrimaryKey { table, primary_key } => drop_primary_key(ctx, table, primary_key),
        AddUnique { table, unique } => add_unique(ctx, table, unique),
        DropUnique { table, unique } => drop_unique(ctx, table, unique),
        AddCheck { table, check } => add_check(ctx, table, check),
        DropCheck { table, check } => drop_check(ctx, table, check),
        RenameConstraint { table, from, to } => rename_constraint(ctx, table, from, to),
        RenameIndex { table, from, to } => alter(
            table,
            vec![format!("RENAME INDEX {} TO {}", id(from), id(to))],
        ),
        AddForeignKey { table, foreign_key } => alter(
            table,
            vec![format!("ADD {}", fk_clause(ctx, table, foreign_key))],
        ),
        DropForeignKey { table, foreign_key } => alter(
            table,
            vec![format!("DROP FOREIGN KEY {}", id(&foreign_key.name))],
        ),
        CreateIndex { table, index } => create_index(ctx, table, index),
        DropIndex { table, index } => drop_index(ctx, table, index),
        CreateView { view, .. } => vec![create_view(view, false)],
        ReplaceView { to, .. } => vec![create_view(to, true)],
        DropView { view, .. } => vec![format!("DROP VIEW {}", id(&view.name))],
        CreateFunction { function, .. } => vec![routine_definition(function)],
        ReplaceFunction { from, to, .. } => replace_function(ctx, from, to),
        DropFunction { function, .. } => vec![drop_routine(function)],
        CreateTrigger { table, trigger } => vec![create_trigger(table, trigger)],
        DropTrigger { trigger, .. } => vec![format!("DROP TRIGGER {}", id(&trigger.name))],
        // Nothing MySQL has (or that two MySQL catalogs can differ in).
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
        | ValidateConstraint { .. }
        | SetTriggerEnabled { .. }
        | AttachPartition { .. }
        | DetachPartition { .. }
        | SetInherit { .. }
        | SetRowSecurity { .. }
        | SetLogged { .. }
        | CreatePolicy { .. }
        | DropPolicy { .. }
        | RebuildTable { .. }
        | Unsupported { .. } => Vec::new(),
    }
}

fn comment(ctx: &RenderCtx, target: &CommentTarget, text: Option<&str>) -> Vec<String> {
    match target {
        CommentTarget::Table { table } => vec![format!(
            "ALTER TABLE {} COMMENT = {}",
            tbl(table),
            lit(text.unwrap_or(""))
        )],
        CommentTarget::Column { table, column } => modify_column(ctx, table, column, None),
        CommentTarget::Index { name, .. } => {
            // An index comment changes only with the index: dropped and added in one statement.
            let Some(schema) = schema_of(ctx.source) else {
                return Vec::new();
            };
            for t in &schema.tables {
                if let Some(i) = t.index(name) {
                    return vec![format!(
                        "ALTER TABLE {} DROP INDEX {}, ADD {}",
                        id(&t.name),
                        id(name),
                        index_clause(i)
                    )];
                }
            }
            Vec::new()
        }
        CommentTarget::Function { name, kind, .. } => vec![format!(
            "ALTER {} {} COMMENT {}",
            routine_word(*kind),
            id(name),
            lit(text.unwrap_or(""))
        )],
        CommentTarget::Schema { .. }
        | CommentTarget::View { .. }
        | CommentTarget::Sequence { .. }
        | CommentTarget::Type { .. }
        | CommentTarget::Trigger { .. } => Vec::new(),
    }
}
