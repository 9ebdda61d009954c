//! Tables: `CREATE TABLE` (columns, keys, checks, partitioning, inheritance, options), renames,
//! partitions attached and detached, inheritance, row security, `LOGGED`, policies.

use crate::dialect::RenderCtx;
use crate::dialect::quote::pg::{cols, id, q2, qn};
use crate::model::*;

use super::column::{column_def, serial_kind};
use super::constraint::{check_clause, unique_clause};

/// A table-level change.
pub(super) fn render(change: &Change, ctx: &RenderCtx) -> Vec<String> {
    use Change::*;
    match change {
        CreateTable { schema, table } => vec![create_table(schema, table, ctx)],
        DropTable { schema, table } => vec![format!("DROP TABLE {}", q2(schema, &table.name))],
        RenameTable {
            schema, from, to, ..
        } => vec![format!(
            "ALTER TABLE {} RENAME TO {}",
            q2(schema, from),
            id(to)
        )],
        AttachPartition {
            table,
            parent,
            bound,
        } => vec![format!(
            "ALTER TABLE {} ATTACH PARTITION {} {bound}",
            qn(parent),
            qn(table)
        )],
        DetachPartition { table, parent, .. } => vec![format!(
            "ALTER TABLE {} DETACH PARTITION {}",
            qn(parent),
            qn(table)
        )],
        SetInherit {
            table,
            parent,
            inherit,
        } => vec![format!(
            "ALTER TABLE {} {}INHERIT {}",
            qn(table),
            if *inherit { "" } else { "NO " },
            qn(parent)
        )],
        SetRowSecurity {
            table,
            enabled,
            forced,
            from_enabled,
            from_forced,
        } => {
            let mut v = Vec::new();
            if enabled != from_enabled {
                v.push(format!(
                    "ALTER TABLE {} {} ROW LEVEL SECURITY",
                    qn(table),
                    if *enabled { "ENABLE" } else { "DISABLE" }
                ));
            }
            if forced != from_forced {
                v.push(format!(
                    "ALTER TABLE {} {} ROW LEVEL SECURITY",
                    qn(table),
                    if *forced { "FORCE" } else { "NO FORCE" }
                ));
            }
            v
        }
        SetLogged { table, logged } => vec![format!(
            "ALTER TABLE {} SET {}",
            qn(table),
            if *logged { "LOGGED" } else { "UNLOGGED" }
        )],
        CreatePolicy { table, policy } => vec![create_policy(table, policy)],
        DropPolicy { table, policy } => {
            vec![format!("DROP POLICY {} ON {}", id(&policy.name), qn(table))]
        }
        _ => unreachable!("render() sends only table changes here"),
    }
}

fn create_table(schema: &str, t: &Table, ctx: &RenderCtx) -> String {
    let name = q2(schema, &t.name);
    let mut items: Vec<String> = Vec::new();
    if t.partition_of.is_none() {
        for c in &t.columns {
            let seq = c
                .owned_sequence
                .as_ref()
                .and_then(|q| ctx.source_sequence(q));
            let serial = serial_kind(schema, &t.name, c, seq);
            items.push(column_def(c, serial));
        }
    }
    if let Some(pk) = &t.primary_key {
        items.push(format!(
            "{}PRIMARY KEY ({})",
            pk.name
                .as_ref()
                .map(|n| format!("CONSTRAINT {} ", id(n)))
                .unwrap_or_default(),
            cols(&pk.columns)
        ));
    }
    for u in &t.uniques {
        items.push(unique_clause(u));
    }
    for c in &t.checks {
        items.push(check_clause(c, false));
    }
    let mut s = format!(
        "CREATE {}TABLE {name}",
        if t.unlogged { "UNLOGGED " } else { "" }
    );
    if let Some(p) = &t.partition_of {
        s.push_str(&format!(" PARTITION OF {}", qn(&p.parent)));
        if !items.is_empty() {
            s.push_str(&format!(" (\n    {}\n)", items.join(",\n    ")));
        }
        s.push_str(&format!(" {}", p.bound));
    } else {
        s.push_str(&format!(" (\n    {}\n)", items.join(",\n    ")));
    }
    if !t.inherits.is_empty() {
        let parents: Vec<String> = t.inherits.iter().map(qn).collect();
        s.push_str(&format!(" INHERITS ({})", parents.join(", ")));
    }
    if let Some(k) = &t.partition_key {
        s.push_str(&format!(" PARTITION BY {k}"));
    }
    s
}

fn create_policy(table: &QualifiedName, p: &Policy) -> String {
    let roles: Vec<String> = p
        .roles
        .iter()
        .map(|r| {
            if r == "public" {
                "PUBLIC".to_string()
            } else {
                id(r)
            }
        })
        .collect();
    let mut s = format!(
        "CREATE POLICY {} ON {} AS {} FOR {} TO {}",
        id(&p.name),
        qn(table),
        if p.permissive {
            "PERMISSIVE"
        } else {
            "RESTRICTIVE"
        },
        p.command,
        roles.join(", ")
    );
    if let Some(u) = &p.using {
        s.push_str(&format!(" USING ({u})"));
    }
    if let Some(c) = &p.with_check {
        s.push_str(&format!(" WITH CHECK ({c})"));
    }
    s
}
