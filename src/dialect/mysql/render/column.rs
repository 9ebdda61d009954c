//! Column definitions as MySQL takes them (type, character set and collation written out,
//! defaults, `ON UPDATE`, `AUTO_INCREMENT`, generation, comment, MariaDB's column checks), the
//! `MODIFY COLUMN` every column change is, adding a column where SOURCE has it, and the generated
//! columns that cannot change in place.

use crate::dialect::RenderCtx;
use crate::dialect::quote::my::{id, lit};
use crate::model::*;

use super::constraint::{ai_key_clause, index_clause, unique_clause};
use super::{
    AiKey, ai_key, alter, is_auto_increment, keep_auto_increment, src_table, tbl, tgt_table, word,
};

/// Types that carry a character set and collation.
pub(super) fn is_stringy(data_type: &str) -> bool {
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
pub(super) fn mariadb(ctx: &RenderCtx) -> bool {
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
pub(super) fn source_def(ctx: &RenderCtx, c: &Column, src: Option<&Table>, ai: bool) -> String {
    let checks = match src {
        Some(t) if mariadb(ctx) => column_checks(t, &c.name),
        _ => Vec::new(),
    };
    column_def(c, src, ai, &checks)
}

/// TARGET's definition of `c` (a column of `tgt`), keeping the column-level checks SOURCE keeps.
pub(super) fn target_def(ctx: &RenderCtx, c: &Column, tgt: &Table, ai: bool) -> String {
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

pub(super) fn modify_column(
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

pub(super) fn add_column(ctx: &RenderCtx, table: &QualifiedName, column: &Column) -> Vec<String> {
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
pub(super) fn alter_generated(
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
