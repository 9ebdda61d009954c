//! A catalog summary for people: one line per table, then the other objects, fit for 80 columns.

use std::fmt::Write;

use crate::model::Catalog;

pub fn render(label: &str, cat: &Catalog) -> String {
    let mut out = String::new();
    let s = cat.summary();
    let engine = match (cat.flavor.as_str(), cat.server_version.as_str()) {
        ("", _) => String::new(),
        (f, "") => f.to_string(),
        (f, v) => format!("{f} {v}"),
    };
    let _ = writeln!(out, "{label}  {}  ({engine})", cat.database);
    let _ = writeln!(
        out,
        "  {}, {}, {}, {}, {}, {}, {}",
        count(s.tables, "table"),
        count(s.columns, "column"),
        count(s.foreign_keys, "foreign key"),
        count(s.indexes, "index"),
        count(s.views + s.materialized_views, "view"),
        count(s.triggers, "trigger"),
        count(s.functions, "function")
    );
    let multi_schema = cat.schemas.len() > 1;
    for schema in &cat.schemas {
        if multi_schema {
            let _ = writeln!(out, "  schema {}", schema.name);
        }
        let width = schema
            .tables
            .iter()
            .map(|t| t.name.chars().count())
            .chain(schema.views.iter().map(|v| v.name.chars().count()))
            .max()
            .unwrap_or(0)
            .min(32);
        for t in &schema.tables {
            let pk = t
                .primary_key
                .as_ref()
                .map(|p| format!("pk({})", p.columns.join(",")))
                .unwrap_or_else(|| "no pk".into());
            let mut parts = vec![format!("{:>2} cols", t.columns.len()), pk];
            if !t.foreign_keys.is_empty() {
                parts.push(format!("{} fk", t.foreign_keys.len()));
            }
            if !t.indexes.is_empty() {
                parts.push(format!("{} idx", t.indexes.len()));
            }
            if !t.uniques.is_empty() {
                parts.push(format!("{} uniq", t.uniques.len()));
            }
            if !t.checks.is_empty() {
                parts.push(format!("{} check", t.checks.len()));
            }
            if !t.triggers.is_empty() {
                parts.push(format!("{} trg", t.triggers.len()));
            }
            if let Some(p) = &t.partition_of {
                parts.push(format!("partition of {}", p.parent.name));
            }
            let _ = writeln!(out, "    table {:<width$}  {}", t.name, parts.join("  "));
        }
        for v in &schema.views {
            let kind = if v.materialized { "matview" } else { "view " };
            let _ = writeln!(
                out,
                "    {kind} {:<width$}  {:>2} cols",
                v.name,
                v.columns.len()
            );
        }
        let mut other = Vec::new();
        if !schema.functions.is_empty() {
            other.push(format!("{} functions", schema.functions.len()));
        }
        if !schema.sequences.is_empty() {
            other.push(format!("{} sequences", schema.sequences.len()));
        }
        if !schema.enums.is_empty() {
            other.push(format!("{} enums", schema.enums.len()));
        }
        if !schema.domains.is_empty() {
            other.push(format!("{} domains", schema.domains.len()));
        }
        if !other.is_empty() {
            let _ = writeln!(out, "    also: {}", other.join(", "));
        }
    }
    for u in &cat.unsupported {
        let _ = writeln!(
            out,
            "  unsupported {} {}.{}: {}",
            u.kind, u.schema, u.name, u.reason
        );
    }
    out
}

fn count(n: usize, what: &str) -> String {
    match (n, what) {
        (1, w) => format!("1 {w}"),
        (n, "index") => format!("{n} indexes"),
        (n, w) => format!("{n} {w}s"),
    }
}
