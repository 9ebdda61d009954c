//! What the three convergence runners share: row counts kept across a plan, and how a plan is
//! shown in a failure message.

use std::collections::BTreeMap;

use sluice::model::{Change, Column, QualifiedName};

/// Row count and non-null count per column, per table.
pub type Counts = BTreeMap<QualifiedName, (i64, BTreeMap<String, i64>)>;

/// The changes, with what a SQLite rebuild does inside it (its replaced changes and renames)
/// listed too; other changes as they are.
pub fn flat(changes: &[Change]) -> Vec<Change> {
    let mut out = Vec::new();
    for c in changes {
        out.push(c.clone());
        if let Change::RebuildTable {
            table,
            from,
            renamed,
            replaces,
            ..
        } = c
        {
            out.extend(flat(replaces));
            if from.name != table.name {
                out.push(Change::RenameTable {
                    schema: table.schema.clone(),
                    from: from.name.clone(),
                    to: table.name.clone(),
                    score: 100,
                });
            }
            for (a, b) in renamed {
                out.push(Change::RenameColumn {
                    table: table.clone(),
                    from: a.clone(),
                    to: b.clone(),
                    score: 100,
                });
            }
        }
    }
    out
}

/// No row and no value lost: every table that survives (under its new name) has as many rows,
/// and every column that survives as many non-null values — except columns the plan drops, and
/// columns whose values the plan recomputes (`regenerated(from, to)` of an `AlterGenerated`).
pub fn check_data_kept(
    before: &Counts,
    after: &Counts,
    changes: &[Change],
    regenerated: fn(&Column, &Column) -> bool,
) -> Result<(), String> {
    let changes = flat(changes);
    let mut problems = Vec::new();
    for (table, (rows, cols)) in before {
        if changes.iter().any(|c| matches!(c, Change::DropTable { schema, table: t } if *schema == table.schema && t.name == table.name)) {
            continue;
        }
        let new_name = changes
            .iter()
            .find_map(|c| match c {
                Change::RenameTable {
                    schema, from, to, ..
                } if *schema == table.schema && *from == table.name => {
                    Some(QualifiedName::new(schema, to))
                }
                _ => None,
            })
            .unwrap_or_else(|| table.clone());
        let Some((rows_after, cols_after)) = after.get(&new_name) else {
            problems.push(format!("table {table} is gone"));
            continue;
        };
        if rows != rows_after {
            problems.push(format!("{table}: {rows} rows before, {rows_after} after"));
        }
        for (col, n) in cols {
            let dropped = changes.iter().any(|c| matches!(c, Change::DropColumn { table: t, column } if *t == new_name && column.name == *col));
            let recomputed = changes.iter().any(|c| matches!(c, Change::AlterGenerated { table: t, from, to } if *t == new_name && from.name == *col && regenerated(from, to)));
            if dropped || recomputed {
                continue;
            }
            let new_col = changes
                .iter()
                .find_map(|c| match c {
                    Change::RenameColumn {
                        table: t, from, to, ..
                    } if *t == new_name && from == col => Some(to.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| col.clone());
            match cols_after.get(&new_col) {
                Some(m) if m == n => {}
                Some(m) => problems.push(format!(
                    "{table}.{col}: {n} non-null values before, {m} after"
                )),
                None => problems.push(format!("{table}.{col} is gone")),
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("data lost: {}", problems.join("; ")))
    }
}

/// The changes, one per line, for a failure message.
pub fn describe(changes: &[Change]) -> String {
    changes
        .iter()
        .map(|c| format!("{} {}: {}", c.kind(), c.object(), c.describe()))
        .collect::<Vec<_>>()
        .join("\n    ")
}
