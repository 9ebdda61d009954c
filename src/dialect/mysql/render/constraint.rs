//! Keys, checks, foreign keys and indexes: their clauses, and `AUTO_INCREMENT` taken away before
//! the last key that carries it is dropped and given back with the key that adds the new one.

use crate::dialect::RenderCtx;
use crate::dialect::quote::my::{cols, id, lit, qn};
use crate::model::*;

use super::column::{column_checks, mariadb, modify_column, source_def, target_def};
use super::{AiKey, ai_key, alter, is_auto_increment, keep_auto_increment, src_table, tgt_table};

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
pub(super) fn index_clause(i: &Index) -> String {
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

pub(super) fn unique_clause(u: &UniqueConstraint) -> String {
    format!("CONSTRAINT {} UNIQUE ({})", id(&u.name), cols(&u.columns))
}

pub(super) fn check_clause(c: &CheckConstraint) -> String {
    format!("CONSTRAINT {} CHECK ({})", id(&c.name), c.expression)
}

pub(super) fn fk_clause(ctx: &RenderCtx, table: &QualifiedName, f: &ForeignKey) -> String {
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
pub(super) fn ai_key_clause(t: &Table, k: &AiKey) -> Option<String> {
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

pub(super) fn add_primary_key(
    ctx: &RenderCtx,
    table: &QualifiedName,
    primary_key: &PrimaryKey,
) -> Vec<String> {
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

pub(super) fn drop_primary_key(
    ctx: &RenderCtx,
    table: &QualifiedName,
    primary_key: &PrimaryKey,
) -> Vec<String> {
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

pub(super) fn add_unique(
    ctx: &RenderCtx,
    table: &QualifiedName,
    unique: &UniqueConstraint,
) -> Vec<String> {
    let mut v = vec![format!("ADD {}", unique_clause(unique))];
    v.extend(ai_after_key(
        ctx,
        table,
        unique.columns.first().map(String::as_str),
    ));
    alter(table, v)
}

pub(super) fn drop_unique(
    ctx: &RenderCtx,
    table: &QualifiedName,
    unique: &UniqueConstraint,
) -> Vec<String> {
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

pub(super) fn create_index(ctx: &RenderCtx, table: &QualifiedName, index: &Index) -> Vec<String> {
    let mut v = vec![format!("ADD {}", index_clause(index))];
    let first = index.keys.first().filter(|k| !k.expression);
    v.extend(ai_after_key(ctx, table, first.map(|k| k.key.as_str())));
    alter(table, v)
}

pub(super) fn drop_index(ctx: &RenderCtx, table: &QualifiedName, index: &Index) -> Vec<String> {
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

/// A MariaDB column-level check is part of its column: added with a `MODIFY COLUMN`.
pub(super) fn add_check(
    ctx: &RenderCtx,
    table: &QualifiedName,
    check: &CheckConstraint,
) -> Vec<String> {
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
pub(super) fn drop_check(
    ctx: &RenderCtx,
    table: &QualifiedName,
    check: &CheckConstraint,
) -> Vec<String> {
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
pub(super) fn rename_constraint(
    ctx: &RenderCtx,
    table: &QualifiedName,
    from: &str,
    to: &str,
) -> Vec<String> {
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
