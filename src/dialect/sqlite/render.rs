//! SQLite rendering: a [`Change`] becomes the statements that make it.
//!
//! What SQLite's `ALTER TABLE` can do is done in place (`RENAME TO`, `RENAME COLUMN`,
//! `ADD COLUMN`, `DROP COLUMN`); [`super::prepare`] has already turned everything else into one
//! [`Change::RebuildTable`] per table, rendered here as the documented procedure
//! (<https://www.sqlite.org/lang_altertable.html#otheralter>): a new table with SOURCE's definition
//! under a temporary name, the rows copied, the old table dropped, the new one renamed (with
//! `legacy_alter_table` on, so that the rename leaves every other table, view and trigger as
//! written), its indexes and triggers created again, then `PRAGMA foreign_key_check`. Apply turns
//! `foreign_keys` off around the transaction, so dropping the old table deletes no child row.
//!
//! Names are never schema-qualified: SQLite sluice works on `main` only, and a `REFERENCES`
//! clause cannot name a schema.

use super::parse::{self, TokenKind};
use crate::dialect::RenderCtx;
use crate::dialect::quote::lite::{cols, id, lit};
use crate::model::*;

/// What a rebuilt table is called until it replaces the old one.
pub const REBUILD_SUFFIX: &str = "__sluice_new";

/// The statements that make `change`, in order. Changes SQLite has no counterpart for render to
/// nothing (`prepare` reports them as unsupported).
pub fn render(change: &Change, ctx: &RenderCtx) -> Vec<String> {
    use Change::*;
    match change {
        CreateTable { table, .. } => vec![create_table(&table.name, table)],
        DropTable { table, .. } => vec![format!("DROP TABLE {}", id(&table.name))],
        RenameTable { from, to, .. } => {
            vec![format!("ALTER TABLE {} RENAME TO {}", id(from), id(to))]
        }
        AddColumn { table, column } => vec![format!(
            "ALTER TABLE {} ADD COLUMN {}",
            id(&table.name),
            column_def(column, false)
        )],
        DropColumn { table, column } => vec![format!(
            "ALTER TABLE {} DROP COLUMN {}",
            id(&table.name),
            id(&column.name)
        )],
        RenameColumn {
            table, from, to, ..
        } => vec![format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            id(&table.name),
            id(from),
            id(to)
        )],
        CreateIndex { table, index } => vec![create_index(&table.name, index, &index.name)],
        DropIndex { index, .. } => vec![format!("DROP INDEX {}", id(&index.name))],
        RenameIndex { table, from, to } => {
            // SQLite cannot rename an index: it is dropped and created under the new name.
            let found = find_index(ctx.source, &table.schema, to)
                .or_else(|| find_index(ctx.target, &table.schema, from));
            match found {
                Some(i) => vec![
                    format!("DROP INDEX {}", id(from)),
                    create_index(&table.name, i, to),
                ],
                None => Vec::new(),
            }
        }
        CreateView { view, .. } => vec![create_view(view)],
        DropView { view, .. } => vec![format!("DROP VIEW {}", id(&view.name))],
        ReplaceView { from, to, .. } => {
            vec![format!("DROP VIEW {}", id(&from.name)), create_view(to)]
        }
        CreateTrigger { trigger, .. } => vec![trigger.definition.trim().to_string()],
        DropTrigger { trigger, .. } => vec![format!("DROP TRIGGER {}", id(&trigger.name))],
        RebuildTable {
            table,
            from,
            to,
            renamed,
            ..
        } => rebuild(table, from, to, renamed),
        _ => Vec::new(),
    }
}

fn find_index<'c>(cat: &'c Catalog, schema: &str, name: &str) -> Option<&'c Index> {
    cat.schema(schema)?
        .tables
        .iter()
        .find_map(|t| t.index(name))
}

// ------------------------------------------------------------------------------------ tables

/// `CREATE TABLE "name" (…)` with `t`'s columns and constraints. `name` is what the statement
/// creates (a rebuild's temporary name); constraint names are generated from `t.name`, the name
/// the table ends up with.
pub fn create_table(name: &str, t: &Table) -> String {
    let alias = rowid_alias(t);
    let autoincrement = alias.filter(|a| {
        t.column(a)
            .is_some_and(|c| c.identity == Some(Identity::Autoincrement))
    });
    let mut items: Vec<String> = Vec::new();
    for c in &t.columns {
        let mut s = column_def(c, alias == Some(c.name.as_str()));
        if autoincrement == Some(c.name.as_str()) {
            // AUTOINCREMENT exists only as a column constraint.
            let named = t
                .primary_key
                .as_ref()
                .and_then(|p| p.name.as_ref())
                .map(|n| format!("CONSTRAINT {} ", id(n)))
                .unwrap_or_default();
            s.push_str(&format!(" {named}PRIMARY KEY AUTOINCREMENT"));
        }
        items.push(s);
    }
    if let Some(pk) = &t.primary_key {
        if autoincrement.is_none() {
            items.push(format!(
                "{}PRIMARY KEY ({})",
                pk.name
                    .as_ref()
                    .map(|n| format!("CONSTRAINT {} ", id(n)))
                    .unwrap_or_default(),
                cols(&pk.columns)
            ));
        }
    }
    for u in &t.uniques {
        items.push(format!(
            "{}UNIQUE ({})",
            constraint_name(&u.name, &unique_name(&t.name, &u.columns)),
            cols(&u.columns)
        ));
    }
    // Unnamed checks are numbered in order of appearance: write them in that order.
    let mut checks: Vec<&CheckConstraint> = t.checks.iter().collect();
    checks.sort_by_key(|c| check_number(&t.name, &c.name).unwrap_or(u32::MAX));
    let mut unnamed = 0;
    for c in checks {
        let generated = check_number(&t.name, &c.name) == Some(unnamed + 1);
        if generated {
            unnamed += 1;
        }
        items.push(format!(
            "{}CHECK ({})",
            if generated {
                String::new()
            } else {
                format!("CONSTRAINT {} ", id(&c.name))
            },
            c.expression
        ));
    }
    for f in &t.foreign_keys {
        items.push(fk_clause(&t.name, f));
    }
    let mut s = format!(
        "CREATE TABLE {} (\n    {}\n)",
        id(name),
        items.join(",\n    ")
    );
    let mut options = Vec::new();
    if t.without_rowid {
        options.push("WITHOUT ROWID");
    }
    if t.strict {
        options.push("STRICT");
    }
    if !options.is_empty() {
        s.push(' ');
        s.push_str(&options.join(", "));
    }
    s
}

/// The column that is an alias of the rowid (`INTEGER PRIMARY KEY` of a rowid table), if any.
pub fn rowid_alias(t: &Table) -> Option<&str> {
    let pk = t.primary_key.as_ref()?;
    match pk.columns.as_slice() {
        [only] if !t.without_rowid => t
            .column(only)
            .filter(|c| c.data_type.eq_ignore_ascii_case("INTEGER"))
            .map(|c| c.name.as_str()),
        _ => None,
    }
}

/// A column definition without key constraints. A rowid alias never says NOT NULL (SQLite never
/// stores NULL there; the inspector records it as not nullable either way).
pub fn column_def(c: &Column, rowid_alias: bool) -> String {
    let mut s = id(&c.name);
    if !c.data_type.is_empty() {
        s.push(' ');
        s.push_str(&c.data_type);
    }
    if !c.nullable && !rowid_alias {
        s.push_str(" NOT NULL");
    }
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {}", parse::display_ident(coll)));
    }
    match &c.generated {
        Some(g) => s.push_str(&format!(
            " GENERATED ALWAYS AS ({}) {}",
            g.expression,
            if g.stored { "STORED" } else { "VIRTUAL" }
        )),
        None => {
            if let Some(d) = &c.default {
                s.push_str(&format!(" DEFAULT {}", default_sql(d)));
            }
        }
    }
    s
}

/// A default as SQL: a literal as it is, anything else in parentheses (the pragma that reports
/// defaults strips them).
fn default_sql(d: &str) -> String {
    if literal_kind(d).is_some() {
        d.trim().to_string()
    } else {
        format!("({})", d.trim())
    }
}

/// Whether a default is a literal SQLite accepts without parentheses, and whether it is constant
/// (`CURRENT_TIMESTAMP` and friends are literals, but not constant). `None`: an expression.
pub fn literal_kind(d: &str) -> Option<bool> {
    let d = d.trim();
    let tokens = parse::tokenize(d).ok()?;
    let text = |i: usize| tokens.get(i).map(|t| t.text(d));
    match tokens.as_slice() {
        [t] => match t.kind {
            TokenKind::Number | TokenKind::String | TokenKind::Blob => Some(true),
            TokenKind::Word => match t.text(d).to_ascii_uppercase().as_str() {
                "NULL" | "TRUE" | "FALSE" => Some(true),
                "CURRENT_TIME" | "CURRENT_DATE" | "CURRENT_TIMESTAMP" => Some(false),
                _ => None,
            },
            _ => None,
        },
        [sign, n]
            if sign.kind == TokenKind::Punct
                && matches!(text(0), Some("+" | "-"))
                && n.kind == TokenKind::Number =>
        {
            Some(true)
        }
        _ => None,
    }
}

/// `CONSTRAINT "name" ` unless `name` is the one the inspector generates for it anyway.
fn constraint_name(name: &str, generated: &str) -> String {
    if name == generated {
        String::new()
    } else {
        format!("CONSTRAINT {} ", id(name))
    }
}

/// The name the inspector gives an unnamed UNIQUE constraint.
pub fn unique_name(table: &str, columns: &[String]) -> String {
    format!("{table}_{}_key", columns.join("_"))
}

/// The name the inspector gives an unnamed foreign key.
pub fn fk_name(table: &str, columns: &[String]) -> String {
    format!("{table}_{}_fkey", columns.join("_"))
}

/// `n` when `name` is the inspector's name for the n-th unnamed CHECK of `table`.
pub fn check_number(table: &str, name: &str) -> Option<u32> {
    let digits = name.strip_prefix(table)?.strip_prefix("_check_")?;
    digits
        .parse::<u32>()
        .ok()
        .filter(|n| *n > 0 && n.to_string() == digits)
}

fn fk_clause(table: &str, f: &ForeignKey) -> String {
    let mut s = format!(
        "{}FOREIGN KEY ({}) REFERENCES {}",
        constraint_name(&f.name, &fk_name(table, &f.columns)),
        cols(&f.columns),
        id(&f.ref_table.name)
    );
    if !f.ref_columns.is_empty() {
        s.push_str(&format!(" ({})", cols(&f.ref_columns)));
    }
    if f.on_delete != FkAction::NoAction {
        s.push_str(&format!(" ON DELETE {}", f.on_delete.sql()));
    }
    if f.on_update != FkAction::NoAction {
        s.push_str(&format!(" ON UPDATE {}", f.on_update.sql()));
    }
    if f.match_full {
        s.push_str(" MATCH FULL");
    }
    if f.deferrable {
        s.push_str(if f.initially_deferred {
            " DEFERRABLE INITIALLY DEFERRED"
        } else {
            " DEFERRABLE"
        });
    }
    s
}

// ------------------------------------------------------------------------------------ objects

/// The index's own statement when it has one and keeps its name, else one built from its keys.
pub fn create_index(table: &str, i: &Index, name: &str) -> String {
    if let Some(def) = &i.definition {
        let def = def.trim().trim_end_matches(';').trim_end();
        if i.name == name
            && def
                .get(..6)
                .is_some_and(|w| w.eq_ignore_ascii_case("CREATE"))
        {
            return def.to_string();
        }
    }
    let keys: Vec<String> = i
        .keys
        .iter()
        .map(|k| {
            let mut s = if k.expression {
                k.key.clone()
            } else {
                id(&k.key)
            };
            if let Some(c) = &k.collation {
                s.push_str(&format!(" COLLATE {}", parse::display_ident(c)));
            }
            if k.descending {
                s.push_str(" DESC");
            }
            s
        })
        .collect();
    let mut s = format!(
        "CREATE {}INDEX {} ON {} ({})",
        if i.unique { "UNIQUE " } else { "" },
        id(name),
        id(table),
        keys.join(", ")
    );
    if let Some(p) = &i.predicate {
        s.push_str(&format!(" WHERE {p}"));
    }
    s
}

/// `CREATE VIEW`, naming its columns (the model keeps the SELECT and the column names, not
/// whether the statement listed them) unless the SELECT takes `*`, whose columns must follow the
/// table's.
fn create_view(v: &View) -> String {
    let body = v.definition.trim().trim_end_matches(';').trim_end();
    let list = if v.columns.is_empty() || selects_star(body) {
        String::new()
    } else {
        format!(" ({})", cols(&v.columns))
    };
    format!("CREATE VIEW {}{list} AS\n{body}", id(&v.name))
}

/// Whether a SELECT has `*` or `t.*` among its result columns (not `count(*)`, not `a * b`).
fn selects_star(select: &str) -> bool {
    let Ok(tokens) = parse::tokenize(select) else {
        return true;
    };
    tokens.iter().enumerate().any(|(i, t)| {
        t.kind == TokenKind::Punct
            && t.text(select) == "*"
            && i.checked_sub(1)
                .and_then(|p| tokens.get(p))
                .is_some_and(|p| {
                    let w = p.text(select);
                    w == ","
                        || w == "."
                        || ["SELECT", "DISTINCT", "ALL"]
                            .iter()
                            .any(|k| w.eq_ignore_ascii_case(k))
                })
    })
}

// ------------------------------------------------------------------------------------ rebuild

fn rebuild(
    table: &QualifiedName,
    from: &Table,
    to: &Table,
    renamed: &[(String, String)],
) -> Vec<String> {
    let name = table.name.as_str();
    let tmp = format!("{name}{REBUILD_SUFFIX}");
    let mut v = Vec::new();
    // Renames first, in place: SQLite carries them into other tables' foreign keys, views and
    // triggers.
    if from.name != name {
        v.push(format!(
            "ALTER TABLE {} RENAME TO {}",
            id(&from.name),
            id(name)
        ));
    }
    for (a, b) in renamed {
        v.push(format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            id(name),
            id(a),
            id(b)
        ));
    }
    v.push(create_table(&tmp, to));
    // The old table's columns, as named after the renames.
    let old_cols: Vec<String> = from
        .columns
        .iter()
        .map(|c| {
            renamed
                .iter()
                .find(|(a, _)| *a == c.name)
                .map(|(_, b)| b.clone())
                .unwrap_or_else(|| c.name.clone())
        })
        .collect();
    let has_old = |n: &str| old_cols.iter().any(|c| c == n);
    let mut dst: Vec<String> = Vec::new();
    let mut src: Vec<String> = Vec::new();
    let rowid_named = |t: &Table| {
        t.columns.iter().any(|c| {
            ["rowid", "oid", "_rowid_"]
                .iter()
                .any(|r| c.name.eq_ignore_ascii_case(r))
        })
    };
    let keep_rowid =
        !from.without_rowid && !to.without_rowid && !rowid_named(from) && !rowid_named(to);
    let alias = rowid_alias(to);
    for c in &to.columns {
        if c.generated.is_some() {
            continue;
        }
        if has_old(&c.name) {
            dst.push(id(&c.name));
            src.push(id(&c.name));
        } else if keep_rowid && alias == Some(c.name.as_str()) {
            // A new INTEGER PRIMARY KEY takes the rowids the rows had.
            dst.push(id(&c.name));
            src.push("rowid".into());
        }
    }
    if keep_rowid && alias.is_none() {
        // Rows keep their rowids, which applications may hold on to.
        dst.insert(0, "rowid".into());
        src.insert(0, "rowid".into());
    }
    if !dst.is_empty() {
        v.push(format!(
            "INSERT INTO {} ({}) SELECT {} FROM {}",
            id(&tmp),
            dst.join(", "),
            src.join(", "),
            id(name)
        ));
    }
    let autoinc = |t: &Table| {
        t.columns
            .iter()
            .any(|c| c.identity == Some(Identity::Autoincrement))
    };
    if autoinc(from) && autoinc(to) {
        // AUTOINCREMENT never reuses a number: the new table continues where the old one was.
        v.push(format!(
            "UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM sqlite_sequence WHERE name IN ({}, {})) WHERE name = {}",
            lit(name),
            lit(&tmp),
            lit(&tmp)
        ));
        v.push(format!(
            "INSERT INTO sqlite_sequence (name, seq) SELECT {}, seq FROM sqlite_sequence WHERE name = {} AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = {})",
            lit(&tmp),
            lit(name),
            lit(&tmp)
        ));
    }
    v.push(format!("DROP TABLE {}", id(name)));
    // Legacy rename: only the new table's own statement changes. The modern rename would check
    // (and fail on) views that read the table while it is gone, and rewrite references to it.
    v.push("PRAGMA legacy_alter_table = ON".into());
    v.push(format!("ALTER TABLE {} RENAME TO {}", id(&tmp), id(name)));
    v.push("PRAGMA legacy_alter_table = OFF".into());
    for i in &to.indexes {
        v.push(create_index(name, i, &i.name));
    }
    for t in &to.triggers {
        v.push(t.definition.trim().to_string());
    }
    v.push(format!("PRAGMA foreign_key_check({})", id(name)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        for d in ["1", "-1.5", "+3", "'x''y'", "x'00'", "NULL", "true"] {
            assert_eq!(literal_kind(d), Some(true), "{d}");
        }
        assert_eq!(literal_kind("CURRENT_TIMESTAMP"), Some(false));
        for d in ["datetime('now')", "1+2", "abc", "- 'x' || 'y'"] {
            assert_eq!(literal_kind(d), None, "{d}");
        }
        assert_eq!(default_sql("datetime('now')"), "(datetime('now'))");
        assert_eq!(default_sql("'new'"), "'new'");
    }

    #[test]
    fn star_selects() {
        assert!(selects_star("SELECT * FROM t"));
        assert!(selects_star("SELECT a, t.* FROM t"));
        assert!(!selects_star("SELECT count(*), a * b FROM t"));
    }

    #[test]
    fn generated_names() {
        assert_eq!(check_number("t", "t_check_2"), Some(2));
        assert_eq!(check_number("t", "t_check_02"), None);
        assert_eq!(check_number("t", "u_check_2"), None);
        assert_eq!(unique_name("t", &["a".into(), "b".into()]), "t_a_b_key");
    }
}
