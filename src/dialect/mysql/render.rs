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

use std::collections::BTreeSet;

use crate::dialect::RenderCtx;
use crate::dialect::quote::my::{cols, id, lit, qn};
use crate::model::change::{CommentTarget, TableOptions};
use crate::model::*;

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

// ------------------------------------------------------------------ column definitions

/// Types that carry a character set and collation.
fn is_stringy(data_type: &str) -> bool {
    let t = data_type.trim_start().to_ascii_lowercase();
    [
        "char",
        "varchar",
        "tinytext",
        "text",
        "mediumtext",
        "longtext",
        "enum",
        "set",
    ]
    .iter()
    .any(|p| {
        t.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('(') || rest.starts_with(' '))
    })
}

/// BLOB, TEXT, JSON and spatial types: MySQL 8 takes their defaults only in parentheses.
fn takes_expression_default(data_type: &str) -> bool {
    let t = data_type.trim_start().to_ascii_lowercase();
    let name: String = t
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    name.ends_with("text")
        || name.ends_with("blob")
        || matches!(
            name.as_str(),
            "json"
                | "geometry"
                | "point"
                | "linestring"
                | "polygon"
                | "multipoint"
                | "multilinestring"
                | "multipolygon"
                | "geometrycollection"
                | "geomcollection"
        )
}

fn is_number(s: &str) -> bool {
    let t = s
        .strip_prefix('-')
        .or_else(|| s.strip_prefix('+'))
        .unwrap_or(s);
    let mut digits = 0;
    let mut dot = false;
    let mut exp = false;
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'0'..=b'9' => digits += 1,
            b'.' if !dot && !exp => dot = true,
            b'e' | b'E' if digits > 0 && !exp => {
                exp = true;
                if matches!(b.get(i + 1), Some(b'-' | b'+')) {
                    i += 1;
                }
            }
            _ => return false,
        }
        i += 1;
    }
    digits > 0
}

/// A default as a `DEFAULT` clause takes it: literals and `current_timestamp` bare, any other
/// expression in parentheses (MySQL 8 wants them; MariaDB prints them back the same either way).
fn default_sql(d: &str) -> String {
    let t = d.trim();
    let l = t.to_ascii_lowercase();
    let bare = t.starts_with('\'')
        || is_number(t)
        || l.starts_with("b'")
        || l.starts_with("x'")
        || l.starts_with("0x")
        || matches!(l.as_str(), "null" | "true" | "false")
        || (l.starts_with("current_timestamp") && !l.contains(' '));
    if bare {
        t.to_string()
    } else {
        format!("({t})")
    }
}

/// A column's complete definition. `table` gives the character set and collation a column
/// without its own inherits; `ai` says whether `AUTO_INCREMENT` may be written; `checks` are
/// written into the column (MariaDB's column-level checks, which live and die with the column's
/// definition).
pub fn column_def(
    c: &Column,
    table: Option<&Table>,
    ai: bool,
    checks: &[&CheckConstraint],
) -> String {
    let mut s = format!("{} {}", id(&c.name), c.data_type);
    if is_stringy(&c.data_type) {
        let charset = c
            .charset
            .clone()
            .or_else(|| table.and_then(|t| t.charset.clone()));
        let collation = c.collation.clone().or_else(|| {
            if c.charset.is_none() {
                table.and_then(|t| t.collation.clone())
            } else {
                None
            }
        });
        if let Some(cs) = charset {
            s.push_str(&format!(" CHARACTER SET {}", word(&cs)));
        }
        if let Some(co) = collation {
            s.push_str(&format!(" COLLATE {}", word(&co)));
        }
    }
    match &c.generated {
        Some(g) => {
            s.push_str(&format!(
                " GENERATED ALWAYS AS ({}) {}",
                g.expression,
                if g.stored { "STORED" } else { "VIRTUAL" }
            ));
            if !c.nullable {
                s.push_str(" NOT NULL");
            }
        }
        None => {
            s.push_str(if c.nullable { " NULL" } else { " NOT NULL" });
            if let Some(d) = &c.default {
                let d = default_sql(d);
                // MySQL 8 takes a default for these types only as an expression.
                if takes_expression_default(&c.data_type) && !d.starts_with('(') {
                    s.push_str(&format!(" DEFAULT ({d})"));
                } else {
                    s.push_str(&format!(" DEFAULT {d}"));
                }
            }
            if let Some(u) = &c.on_update {
                s.push_str(&format!(" ON UPDATE {u}"));
            }
            if ai && is_auto_increment(c) {
                s.push_str(" AUTO_INCREMENT");
            }
        }
    }
    if let Some(cm) = &c.comment {
        s.push_str(&format!(" COMMENT {}", lit(cm)));
    }
    for k in checks {
        s.push_str(&format!(" CHECK ({})", k.expression));
    }
    s
}

/// Whether TARGET is MariaDB, which keeps a check written with a column as part of that column:
/// `DROP CONSTRAINT` cannot drop it, and a `MODIFY COLUMN` without it drops it.
fn mariadb(ctx: &RenderCtx) -> bool {
    ctx.target.flavor == "mariadb"
}

/// The backquoted names an expression mentions (MariaDB prints every column name quoted).
fn quoted_in(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = expr.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                while let Some(d) = chars.next() {
                    if d == '\\' {
                        chars.next();
                    } else if d == '\'' {
                        if chars.peek() == Some(&'\'') {
                            chars.next();
                        } else {
                            break;
                        }
                    }
                }
            }
            '`' => {
                let mut name = String::new();
                while let Some(d) = chars.next() {
                    if d == '`' {
                        if chars.peek() == Some(&'`') {
                            chars.next();
                            name.push('`');
                        } else {
                            break;
                        }
                    } else {
                        name.push(d);
                    }
                }
                out.push(name);
            }
            _ => {}
        }
    }
    out
}

/// MariaDB's column-level checks of `column` in `t`, as far as a catalog tells them: named after
/// the column (MariaDB names them so) and reading nothing but it. A JSON column's `json_valid`
/// check is one.
pub(crate) fn column_checks<'a>(t: &'a Table, column: &str) -> Vec<&'a CheckConstraint> {
    t.checks
        .iter()
        .filter(|k| {
            let names = quoted_in(&k.expression);
            k.name == column && !names.is_empty() && names.iter().all(|n| n == column)
        })
        .collect()
}

/// SOURCE's definition of `c` (a column of `src`), with its column-level checks on MariaDB.
fn source_def(ctx: &RenderCtx, c: &Column, src: Option<&Table>, ai: bool) -> String {
    let checks = match src {
        Some(t) if mariadb(ctx) => column_checks(t, &c.name),
        _ => Vec::new(),
    };
    column_def(c, src, ai, &checks)
}

/// TARGET's definition of `c` (a column of `tgt`), keeping the column-level checks SOURCE keeps.
fn target_def(ctx: &RenderCtx, c: &Column, tgt: &Table, ai: bool) -> String {
    let src = src_table(ctx, &tgt.name);
    let norm = crate::model::normalize::expr;
    let checks: Vec<&CheckConstraint> = if mariadb(ctx) {
        column_checks(tgt, &c.name)
            .into_iter()
            .filter(|k| {
                src.is_some_and(|s| {
                    s.checks
                        .iter()
                        .any(|x| x.name == k.name && norm(&x.expression) == norm(&k.expression))
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    column_def(c, Some(tgt), ai, &checks)
}

/// `MODIFY COLUMN` with SOURCE's definition of `column` (falling back to `fallback`, the column a
/// change carries, when SOURCE does not know the table).
fn modify(
    ctx: &RenderCtx,
    table: &QualifiedName,
    column: &str,
    fallback: Option<&Column>,
) -> Option<String> {
    let src = src_table(ctx, &table.name);
    let c = src.and_then(|t| t.column(column)).or(fallback)?;
    // A column rebuilt by its `AlterGenerated` step (stored/virtual/plain swapped) gets its whole
    // definition there; a `MODIFY` could not make that change.
    let now = tgt_table(ctx, &table.name).and_then(|t| t.column(column));
    if now.is_some_and(|t| !generated_in_place(&t.generated, &c.generated)) {
        return None;
    }
    let ai = keep_auto_increment(ctx, &table.name, c);
    Some(format!("MODIFY COLUMN {}", source_def(ctx, c, src, ai)))
}

fn alter(table: &QualifiedName, clauses: Vec<String>) -> Vec<String> {
    if clauses.is_empty() {
        Vec::new()
    } else {
        vec![format!("ALTER TABLE {} {}", tbl(table), clauses.join(", "))]
    }
}

fn modify_column(
    ctx: &RenderCtx,
    table: &QualifiedName,
    column: &str,
    fallback: Option<&Column>,
) -> Vec<String> {
    alter(
        table,
        modify(ctx, table, column, fallback).into_iter().collect(),
    )
}

// ------------------------------------------------------------------ keys and indexes

fn index_parts(i: &Index) -> String {
    i.keys
        .iter()
        .map(|k| {
            let mut s = if k.expression {
                format!("({})", k.key)
            } else {
                id(&k.key)
            };
            if let Some(n) = k.prefix_length {
                s.push_str(&format!("({n})"));
            }
            if k.descending {
                s.push_str(" DESC");
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `[UNIQUE|FULLTEXT|SPATIAL] INDEX name (parts) [USING HASH] [COMMENT …]`, as `ADD` and
/// `CREATE TABLE` take it.
fn index_clause(i: &Index) -> String {
    let method = i.method.as_deref().unwrap_or("").to_ascii_uppercase();
    let kind = match method.as_str() {
        "FULLTEXT" => "FULLTEXT ",
        "SPATIAL" => "SPATIAL ",
        _ if i.unique => "UNIQUE ",
        _ => "",
    };
    let mut s = format!("{kind}INDEX {} ({})", id(&i.name), index_parts(i));
    if method == "HASH" {
        s.push_str(" USING HASH");
    }
    if let Some(c) = &i.comment {
        s.push_str(&format!(" COMMENT {}", lit(c)));
    }
    s
}

fn unique_clause(u: &UniqueConstraint) -> String {
    format!("CONSTRAINT {} UNIQUE ({})", id(&u.name), cols(&u.columns))
}

fn check_clause(c: &CheckConstraint) -> String {
    format!("CONSTRAINT {} CHECK ({})", id(&c.name), c.expression)
}

fn fk_clause(ctx: &RenderCtx, table: &QualifiedName, f: &ForeignKey) -> String {
    let same_db = [
        table.schema.as_str(),
        ctx.source.default_schema.as_str(),
        ctx.target.default_schema.as_str(),
    ]
    .contains(&f.ref_table.schema.as_str());
    let ref_table = if same_db {
        id(&f.ref_table.name)
    } else {
        qn(&f.ref_table)
    };
    format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {ref_table} ({}) ON DELETE {} ON UPDATE {}",
        id(&f.name),
        cols(&f.columns),
        cols(&f.ref_columns),
        f.on_delete.sql(),
        f.on_update.sql()
    )
}

/// The clause that adds a table's key `k`.
fn ai_key_clause(t: &Table, k: &AiKey) -> Option<String> {
    match k {
        AiKey::Primary => t
            .primary_key
            .as_ref()
            .map(|p| format!("PRIMARY KEY ({})", cols(&p.columns))),
        AiKey::Unique(n) => t.uniques.iter().find(|u| u.name == *n).map(unique_clause),
        AiKey::Index(n) => t.index(n).map(index_clause),
    }
}

/// After adding a key led by `first`: make the column `AUTO_INCREMENT` when SOURCE has it so and
/// no step before could (the key was not there).
fn ai_after_key(ctx: &RenderCtx, table: &QualifiedName, first: Option<&str>) -> Option<String> {
    let first = first?;
    let src = src_table(ctx, &table.name)?;
    let c = src.column(first)?;
    if !is_auto_increment(c) || keep_auto_increment(ctx, &table.name, c) {
        return None;
    }
    Some(format!(
        "MODIFY COLUMN {}",
        source_def(ctx, c, Some(src), true)
    ))
}

/// Before dropping the key `dropped` led by `first`: a TARGET column that is `AUTO_INCREMENT` and
/// has no other key must stop being so first (MySQL refuses otherwise).
fn ai_before_drop(
    ctx: &RenderCtx,
    table: &QualifiedName,
    first: Option<&str>,
    dropped: &AiKey,
) -> Option<String> {
    let first = first?;
    let tgt = tgt_table(ctx, &table.name)?;
    let c = tgt.column(first)?;
    if !is_auto_increment(c) {
        return None;
    }
    let mut rest = tgt.clone();
    match dropped {
        AiKey::Primary => rest.primary_key = None,
        AiKey::Unique(n) => rest.uniques.retain(|u| u.name != *n),
        AiKey::Index(n) => rest.indexes.retain(|i| i.name != *n),
    }
    if ai_key(&rest, first).is_some() {
        return None;
    }
    Some(format!("MODIFY COLUMN {}", target_def(ctx, c, tgt, false)))
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
        AddPrimaryKey { table, primary_key } => {
            let mut v = Vec::new();
            // `prepare` names a primary key that replaces another `PRIMARY`: one statement.
            if primary_key.name.is_some() {
                let old_first = tgt_table(ctx, &table.name)
                    .and_then(|t| t.primary_key.as_ref())
                    .and_then(|p| p.columns.first().cloned());
                if old_first.as_ref() != primary_key.columns.first() {
                    v.extend(ai_before_drop(
                        ctx,
                        table,
                        old_first.as_deref(),
                        &AiKey::Primary,
                    ));
                }
                v.push("DROP PRIMARY KEY".to_string());
            }
            v.push(format!("ADD PRIMARY KEY ({})", cols(&primary_key.columns)));
            v.extend(ai_after_key(
                ctx,
                table,
                primary_key.columns.first().map(String::as_str),
            ));
            alter(table, v)
        }
        DropPrimaryKey { table, primary_key } => {
            let mut v = Vec::new();
            v.extend(ai_before_drop(
                ctx,
                table,
                primary_key.columns.first().map(String::as_str),
                &AiKey::Primary,
            ));
            v.push("DROP PRIMARY KEY".to_string());
            // Reversing a replaced primary key puts the old one back in the same statement.
            if let Some(pk) = src_table(ctx, &table.name).and_then(|t| t.primary_key.as_ref()) {
                if pk.columns != primary_key.columns {
                    v.push(format!("ADD PRIMARY KEY ({})", cols(&pk.columns)));
                    v.extend(ai_after_key(
                        ctx,
                        table,
                        pk.columns.first().map(String::as_str),
                    ));
                }
            }
            alter(table, v)
        }
        AddUnique { table, unique } => {
            let mut v = vec![format!("ADD {}", unique_clause(unique))];
            v.extend(ai_after_key(
                ctx,
                table,
                unique.columns.first().map(String::as_str),
            ));
            alter(table, v)
        }
        DropUnique { table, unique } => {
            let mut v = Vec::new();
            v.extend(ai_before_drop(
                ctx,
                table,
                unique.columns.first().map(String::as_str),
                &AiKey::Unique(unique.name.clone()),
            ));
            v.push(format!("DROP INDEX {}", id(&unique.name)));
            alter(table, v)
        }
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
        CreateIndex { table, index } => {
            let mut v = vec![format!("ADD {}", index_clause(index))];
            let first = index.keys.first().filter(|k| !k.expression);
            v.extend(ai_after_key(ctx, table, first.map(|k| k.key.as_str())));
            alter(table, v)
        }
        DropIndex { table, index } => {
            let mut v = Vec::new();
            let first = index.keys.first().filter(|k| !k.expression);
            v.extend(ai_before_drop(
                ctx,
                table,
                first.map(|k| k.key.as_str()),
                &AiKey::Index(index.name.clone()),
            ));
            v.push(format!("DROP INDEX {}", id(&index.name)));
            alter(table, v)
        }
        CreateView { view, .. } => vec![create_view(view, false)],
        ReplaceView { to, .. } => vec![create_view(to, true)],
        DropView { view, .. } => vec![format!("DROP VIEW {}", id(&view.name))],
        CreateFunction { function, .. } => vec![routine_definition(function)],
        ReplaceFunction { from, to, .. } => {
            if ctx.target.flavor == "mariadb" {
                let def = routine_definition(to);
                let replaced = def
                    .strip_prefix("CREATE ")
                    .map(|rest| format!("CREATE OR REPLACE {rest}"))
                    .unwrap_or(def);
                vec![replaced]
            } else {
                vec![drop_routine(from), routine_definition(to)]
            }
        }
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

fn table_options(t: &Table) -> String {
    let mut s = String::new();
    if let Some(e) = &t.engine {
        s.push_str(&format!(" ENGINE={}", word(e)));
    }
    if let Some(c) = &t.charset {
        s.push_str(&format!(" DEFAULT CHARSET={}", word(c)));
    }
    if let Some(c) = &t.collation {
        s.push_str(&format!(" COLLATE={}", word(c)));
    }
    if let Some(c) = &t.comment {
        s.push_str(&format!(" COMMENT={}", lit(c)));
    }
    s
}

fn create_table(t: &Table, ctx: &RenderCtx) -> String {
    let mut inline: Vec<&str> = Vec::new();
    let mut items: Vec<String> = t
        .columns
        .iter()
        .map(|c| {
            let checks = if mariadb(ctx) {
                column_checks(t, &c.name)
            } else {
                Vec::new()
            };
            inline.extend(checks.iter().map(|k| k.name.as_str()));
            column_def(c, Some(t), true, &checks)
        })
        .collect();
    if let Some(pk) = &t.primary_key {
        items.push(format!("PRIMARY KEY ({})", cols(&pk.columns)));
    }
    for u in &t.uniques {
        items.push(unique_clause(u));
    }
    // An AUTO_INCREMENT column carried by a plain index: the index is made here (see `prepare`).
    if let Some(src) = src_table(ctx, &t.name) {
        for c in t.columns.iter().filter(|c| is_auto_increment(c)) {
            if let Some(AiKey::Index(n)) = ai_key(t, &c.name).or_else(|| ai_key(src, &c.name)) {
                if let Some(i) = src.index(&n) {
                    items.push(index_clause(i));
                }
            }
        }
    }
    for c in t
        .checks
        .iter()
        .filter(|c| !inline.contains(&c.name.as_str()))
    {
        items.push(check_clause(c));
    }
    format!(
        "CREATE TABLE {} (\n    {}\n){}",
        id(&t.name),
        items.join(",\n    "),
        table_options(t)
    )
}

/// A MariaDB column-level check is part of its column: added with a `MODIFY COLUMN`.
fn add_check(ctx: &RenderCtx, table: &QualifiedName, check: &CheckConstraint) -> Vec<String> {
    if mariadb(ctx) {
        if let Some(src) = src_table(ctx, &table.name) {
            if let Some(c) = src.column(&check.name) {
                if column_checks(src, &c.name)
                    .iter()
                    .any(|k| k.name == check.name)
                {
                    return modify_column(ctx, table, &c.name, None);
                }
            }
        }
    }
    alter(table, vec![format!("ADD {}", check_clause(check))])
}

/// A MariaDB column-level check goes with a `MODIFY COLUMN` that leaves it out.
fn drop_check(ctx: &RenderCtx, table: &QualifiedName, check: &CheckConstraint) -> Vec<String> {
    if mariadb(ctx) {
        if let Some(tgt) = tgt_table(ctx, &table.name) {
            if let Some(c) = tgt.column(&check.name) {
                if column_checks(tgt, &c.name)
                    .iter()
                    .any(|k| k.name == check.name)
                {
                    let mut without = tgt.clone();
                    without.checks.retain(|k| k.name != check.name);
                    let ai = is_auto_increment(c);
                    return alter(
                        table,
                        vec![format!(
                            "MODIFY COLUMN {}",
                            target_def(ctx, c, &without, ai)
                        )],
                    );
                }
            }
        }
    }
    alter(table, vec![format!("DROP CONSTRAINT {}", id(&check.name))])
}

/// Where a column (re)added to `table` goes so that it stands where SOURCE has it: ` FIRST`, or
/// ` AFTER` the nearest column before it that TARGET and SOURCE both have (so it exists whenever
/// the step runs); nothing (the end) when there is none.
fn position(ctx: &RenderCtx, table: &QualifiedName, column: &str) -> String {
    let (Some(src), Some(tgt)) = (src_table(ctx, &table.name), tgt_table(ctx, &table.name)) else {
        return String::new();
    };
    let Some(at) = src.columns.iter().position(|c| c.name == column) else {
        return String::new();
    };
    if at == 0 {
        return " FIRST".into();
    }
    src.columns[..at]
        .iter()
        .rev()
        .find(|c| c.name != column && tgt.column(&c.name).is_some())
        .map(|c| format!(" AFTER {}", id(&c.name)))
        .unwrap_or_default()
}

fn add_column(ctx: &RenderCtx, table: &QualifiedName, column: &Column) -> Vec<String> {
    let src = src_table(ctx, &table.name);
    let c = src.and_then(|t| t.column(&column.name)).unwrap_or(column);
    let mut v = Vec::new();
    if is_auto_increment(c) {
        // Added with the key that carries it (MySQL wants both at once); `prepare` took that
        // key's own change out of the plan.
        v.push(format!(
            "ADD COLUMN {}{}",
            source_def(ctx, c, src, true),
            position(ctx, table, &c.name)
        ));
        if let Some(t) = src {
            if let Some(k) = ai_key(t, &c.name) {
                if k == AiKey::Primary
                    && tgt_table(ctx, &table.name).is_some_and(|t| t.primary_key.is_some())
                {
                    v.push("DROP PRIMARY KEY".into());
                }
                v.extend(ai_key_clause(t, &k).map(|k| format!("ADD {k}")));
            }
        }
    } else {
        v.push(format!(
            "ADD COLUMN {}{}",
            source_def(ctx, c, src, false),
            position(ctx, table, &c.name)
        ));
    }
    alter(table, v)
}

fn alter_options(
    ctx: &RenderCtx,
    table: &QualifiedName,
    from: &TableOptions,
    to: &TableOptions,
) -> Vec<String> {
    let mut v = Vec::new();
    if from.engine != to.engine {
        if let Some(e) = &to.engine {
            v.push(format!("ENGINE={}", word(e)));
        }
    }
    let charset_changes = from.charset != to.charset || from.collation != to.collation;
    if charset_changes {
        let mut s = "DEFAULT".to_string();
        if let Some(c) = &to.charset {
            s.push_str(&format!(" CHARACTER SET {}", word(c)));
        }
        if let Some(c) = &to.collation {
            s.push_str(&format!(" COLLATE {}", word(c)));
        }
        if s != "DEFAULT" {
            v.push(s);
        }
        // The columns that inherit the table's collation take the new one (never `CONVERT TO`,
        // which would also retype `text` to `mediumtext`).
        if let Some(src) = src_table(ctx, &table.name) {
            let mut probe = src.clone();
            probe.charset = to.charset.clone();
            probe.collation = to.collation.clone();
            for c in src.columns.iter().filter(|c| {
                c.collation.is_none() && c.charset.is_none() && is_stringy(&c.data_type)
            }) {
                let ai = keep_auto_increment(ctx, &table.name, c);
                v.push(format!(
                    "MODIFY COLUMN {}",
                    source_def(ctx, c, Some(&probe), ai)
                ));
            }
        }
    }
    alter(table, v)
}

/// Whether `MODIFY COLUMN` can turn a column generated as `from` into one generated as `to`.
fn generated_in_place(from: &Option<Generated>, to: &Option<Generated>) -> bool {
    match (from, to) {
        (Some(a), Some(b)) => a.stored == b.stored,
        (Some(a), None) => a.stored,
        (None, Some(b)) => b.stored,
        (None, None) => true,
    }
}

/// Stored and virtual cannot be swapped in place, nor can a virtual column become a plain one (or
/// the other way round): the column is dropped and added again, with the indexes over it (a column
/// that stops being virtual keeps its values: three statements, see below).
fn alter_generated(
    ctx: &RenderCtx,
    table: &QualifiedName,
    from: &Column,
    to: &Column,
) -> Vec<String> {
    if generated_in_place(&from.generated, &to.generated) {
        return modify_column(ctx, table, &to.name, Some(to));
    }
    let src = src_table(ctx, &table.name);
    let tgt = tgt_table(ctx, &table.name);
    let c = src.and_then(|t| t.column(&to.name)).unwrap_or(to);
    let mut drops = Vec::new();
    let mut adds = Vec::new();
    if let (Some(src), Some(tgt)) = (src, tgt) {
        let renamed = |k: &str| {
            if k == from.name {
                to.name.clone()
            } else {
                k.to_string()
            }
        };
        for i in &src.indexes {
            if !i.keys.iter().any(|k| !k.expression && k.key == to.name) {
                continue;
            }
            let kept = tgt.index(&i.name).is_some_and(|j| {
                j.unique == i.unique
                    && j.method == i.method
                    && j.keys.len() == i.keys.len()
                    && j.keys.iter().zip(&i.keys).all(|(a, b)| {
                        renamed(&a.key) == b.key
                            && a.descending == b.descending
                            && a.prefix_length == b.prefix_length
                    })
            });
            if kept {
                drops.push(format!("DROP INDEX {}", id(&i.name)));
                adds.push(format!("ADD {}", index_clause(i)));
            }
        }
        for u in &src.uniques {
            if !u.columns.contains(&to.name) {
                continue;
            }
            let kept = tgt.uniques.iter().any(|v| {
                v.name == u.name
                    && v.columns.iter().map(|k| renamed(k)).collect::<Vec<_>>() == u.columns
            });
            if kept {
                drops.push(format!("DROP INDEX {}", id(&u.name)));
                adds.push(format!("ADD {}", unique_clause(u)));
            }
        }
    }
    let mut v = drops;
    v.push(format!("DROP COLUMN {}", id(&to.name)));
    if to.generated.is_none() {
        // A virtual column becoming a plain one keeps the values it showed: they are copied into
        // a new column first, which then takes the old one's place.
        let tmp = format!("{}__sluice", to.name);
        let mut plain = c.clone();
        plain.name = tmp.clone();
        plain.nullable = true;
        plain.default = None;
        plain.identity = None;
        plain.on_update = None;
        plain.comment = None;
        v.push(format!(
            "CHANGE COLUMN {} {}{}",
            id(&tmp),
            source_def(ctx, c, src, false),
            position(ctx, table, &to.name)
        ));
        v.extend(adds);
        let mut out = alter(
            table,
            vec![format!(
                "ADD COLUMN {}",
                column_def(&plain, src, false, &[])
            )],
        );
        out.push(format!(
            "UPDATE {} SET {} = {}",
            tbl(table),
            id(&tmp),
            id(&to.name)
        ));
        out.extend(alter(table, v));
        return out;
    }
    v.push(format!(
        "ADD COLUMN {}{}",
        source_def(ctx, c, src, false),
        position(ctx, table, &to.name)
    ));
    v.extend(adds);
    alter(table, v)
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

/// Which kind of constraint `name` is in `t`.
enum ConstraintKind<'a> {
    Unique,
    Check(&'a CheckConstraint),
    ForeignKey(&'a ForeignKey),
}

fn constraint_kind<'a>(t: &'a Table, name: &str) -> Option<ConstraintKind<'a>> {
    if t.uniques.iter().any(|u| u.name == name) {
        return Some(ConstraintKind::Unique);
    }
    if let Some(c) = t.checks.iter().find(|c| c.name == name) {
        return Some(ConstraintKind::Check(c));
    }
    t.foreign_key(name).map(ConstraintKind::ForeignKey)
}

/// Renames a constraint in place where MySQL can (a unique constraint is an index); a check or a
/// foreign key is dropped and added under its new name in one statement.
fn rename_constraint(ctx: &RenderCtx, table: &QualifiedName, from: &str, to: &str) -> Vec<String> {
    let Some(src) = src_table(ctx, &table.name) else {
        return Vec::new();
    };
    match constraint_kind(src, to) {
        Some(ConstraintKind::Unique) => alter(
            table,
            vec![format!("RENAME INDEX {} TO {}", id(from), id(to))],
        ),
        Some(ConstraintKind::Check(c)) => alter(
            table,
            vec![
                format!("DROP CONSTRAINT {}", id(from)),
                format!("ADD {}", check_clause(c)),
            ],
        ),
        Some(ConstraintKind::ForeignKey(f)) => {
            let mut v = vec![format!("DROP FOREIGN KEY {}", id(from))];
            if fk_index_renamed_with(ctx, table, from, to) {
                v.push(format!("RENAME INDEX {} TO {}", id(from), id(to)));
            }
            v.push(format!("ADD {}", fk_clause(ctx, table, f)));
            alter(table, v)
        }
        None => Vec::new(),
    }
}

/// A foreign key renamed `from` → `to` whose index (named after it, as MySQL names the index it
/// makes for a foreign key) is renamed the same way: both happen in one statement, since MySQL
/// would otherwise replace the index on its own (see `prepare`).
pub(crate) fn fk_index_renamed_with(
    ctx: &RenderCtx,
    table: &QualifiedName,
    from: &str,
    to: &str,
) -> bool {
    let src_has = src_table(ctx, &table.name)
        .is_some_and(|t| t.index(to).is_some() && t.index(from).is_none());
    let tgt_has = tgt_table(ctx, &table.name)
        .is_some_and(|t| t.index(from).is_some() && t.index(to).is_none());
    src_has && tgt_has
}

fn create_view(v: &View, replace: bool) -> String {
    let body = v.definition.trim().trim_end_matches(';').trim();
    let mut s = String::from(if replace {
        "CREATE OR REPLACE"
    } else {
        "CREATE"
    });
    for o in &v.options {
        match o.split_once('=') {
            Some(("algorithm", a)) => s.push_str(&format!(" ALGORITHM={}", a.to_ascii_uppercase())),
            Some(("sql_security", x)) => {
                s.push_str(&format!(" SQL SECURITY {}", x.to_ascii_uppercase()))
            }
            _ => {}
        }
    }
    s.push_str(&format!(" VIEW {} AS {body}", id(&v.name)));
    if let Some(c) = &v.check_option {
        s.push_str(&format!(" WITH {c} CHECK OPTION"));
    }
    s
}

fn routine_word(k: RoutineKind) -> &'static str {
    match k {
        RoutineKind::Procedure => "PROCEDURE",
        _ => "FUNCTION",
    }
}

fn routine_definition(f: &Function) -> String {
    f.definition
        .trim()
        .trim_end_matches(';')
        .trim_end()
        .to_string()
}

fn drop_routine(f: &Function) -> String {
    format!("DROP {} {}", routine_word(f.kind), id(&f.name))
}

fn create_trigger(table: &QualifiedName, t: &Trigger) -> String {
    let body = t.body.as_deref().unwrap_or("").trim().trim_end_matches(';');
    format!(
        "CREATE TRIGGER {} {} {} ON {} FOR EACH ROW {body}",
        id(&t.name),
        t.timing,
        t.events.join(" OR "),
        tbl(table)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_written_as_mysql_takes_them() {
        assert_eq!(default_sql("'a''b'"), "'a''b'");
        assert_eq!(default_sql("-5"), "-5");
        assert_eq!(default_sql("1.50"), "1.50");
        assert_eq!(default_sql("b'101'"), "b'101'");
        assert_eq!(default_sql("current_timestamp()"), "current_timestamp()");
        assert_eq!(default_sql("current_timestamp(3)"), "current_timestamp(3)");
        assert_eq!(default_sql("curdate()"), "(curdate())");
        assert_eq!(default_sql("(1 + 1)"), "((1 + 1))");
    }

    #[test]
    fn stringy_types() {
        assert!(is_stringy("varchar(10)"));
        assert!(is_stringy("enum('a','b')"));
        assert!(is_stringy("longtext"));
        assert!(!is_stringy("int(11)"));
        assert!(!is_stringy("varbinary(10)"));
        assert!(!is_stringy("json"));
        assert!(!is_stringy("datetime"));
        assert!(!is_stringy("setx"));
        assert!(takes_expression_default("mediumtext"));
        assert!(takes_expression_default("blob"));
        assert!(!takes_expression_default("varchar(10)"));
    }

    #[test]
    fn column_definitions() {
        let c = Column {
            name: "größe".into(),
            ordinal: 1,
            data_type: "varchar(20)".into(),
            family: TypeFamily::text(Some(20)),
            nullable: false,
            default: Some("'it''s'".into()),
            identity: None,
            owned_sequence: None,
            generated: None,
            collation: Some("utf8mb4_bin".into()),
            charset: None,
            on_update: None,
            comment: Some("a `b` 'c'".into()),
        };
        let t = Table {
            charset: Some("utf8mb4".into()),
            collation: Some("utf8mb4_general_ci".into()),
            ..Table::default()
        };
        assert_eq!(
            column_def(&c, Some(&t), true, &[]),
            "`größe` varchar(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT 'it''s' COMMENT 'a `b` ''c'''"
        );
    }
}
