//! `CREATE TABLE` (columns, keys, checks and the index that carries an `AUTO_INCREMENT` column) and
//! the table options (engine, default character set and collation).

use crate::dialect::RenderCtx;
use crate::dialect::quote::my::{cols, id, lit};
use crate::model::change::TableOptions;
use crate::model::*;

use super::column::{column_checks, column_def, is_stringy, mariadb, source_def};
use super::constraint::{check_clause, index_clause, unique_clause};
use super::{AiKey, ai_key, alter, is_auto_increment, keep_auto_increment, src_table, word};

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

pub(super) fn create_table(t: &Table, ctx: &RenderCtx) -> String {
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

pub(super) fn alter_options(
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
