//! Tables and columns: creating, dropping and renaming them, column changes (a type change is
//! `type_change.rs`'s), table options and SQLite rebuilds, partitions, inheritance, row security,
//! `LOGGED`, policies.

use super::{Rule, Rules, verdicts};
use crate::dialect::risk::words;
use crate::model::*;

impl Rules<'_> {
    /// A change of a table or of its columns.
    pub(super) fn tables(&self, change: &Change, s: &str) -> Rule {
        use Change::*;
        let w = self.words;
        // PostgreSQL only (unlogged tables): other dialects say it in their `Words`.
        let pg = words(Dialect::Postgres);
        let (safe, caution, danger, dependent) = verdicts(s);
        match change {
            CreateTable { table, .. } => match &table.partition_of {
                Some(p) => caution(
                    &format!(
                        "adding a partition locks {} and fails if its default partition holds rows for the new range",
                        p.parent
                    ),
                    "check the default partition for rows in the new range first; run it at a quiet time",
                ),
                None => safe("creates a new table; nothing existing changes"),
            },
            SetDefault { .. } => {
                safe("only new rows see the new default; existing rows keep their values")
            }
            DropNotNull { .. } => safe("relaxes a constraint; nothing is scanned or lost"),

            DropTable { .. } => danger("its rows are lost", w.drop_table_hint),
            DropColumn { .. } => danger(
                "its values are lost",
                "keep a backup of the column (CREATE TABLE … AS SELECT key, col …); stop clients using it first; rename instead if unsure",
            ),
            RenameTable { score, .. } | RenameColumn { score, .. } => {
                let mut why = "breaks clients and code that use the old name".to_string();
                if *score < 100 {
                    why.push_str(&format!(
                        " (detected as a rename, score {score}: check it is not a drop and a create)"
                    ));
                }
                caution(
                    &why,
                    "deploy clients that use the new name first, or keep a view under the old name for a while",
                )
            }
            AddColumn { table, column } => self.add_column(s, table, column),
            AlterColumnType { table, from, to } => self.type_change(s, table, from, to),
            SetNotNull { .. } => dependent(w.not_null, w.not_null_hint, w.not_null_clean),
            AlterIdentity { to, .. } => match to {
                None => caution(
                    "the column stops numbering itself: inserts that leave it out get NULL or fail",
                    "make sure every insert gives the column a value, or set a default",
                ),
                Some(_) => caution(
                    "changes how new values are numbered",
                    "make sure the sequence continues after the largest value in use",
                ),
            },
            AlterGenerated { from, to, .. } => match (&from.generated, &to.generated) {
                (None, Some(_)) => danger(
                    "the column is dropped and added again as generated: its stored values are replaced by computed ones (a table rewrite)",
                    "keep a copy of the column's values if they matter; run it at a quiet time",
                ),
                (Some(_), None) => caution(
                    "the column keeps its values but stops being computed: writers must set it from now on",
                    "make sure the application sets the column",
                ),
                _ => caution(
                    &format!(
                        "the column is dropped and added again: every row is recomputed ({})",
                        w.rewrite
                    ),
                    w.rewrite_hint,
                ),
            },

            AlterTableOptions { .. } => caution(
                "a new engine or character set rewrites every row; writers wait while it copies",
                "run it when writes can wait; check that every value converts to the new character set first",
            ),
            RebuildTable { replaces, .. } => {
                let parts: Vec<Assessment> =
                    replaces.iter().map(|r| self.rule(r).assessment).collect();
                self.carried(s, &parts).into()
            }

            AttachPartition { .. } => caution(
                "scans the partition to check its bound (unless a matching CHECK exists) and fails on rows outside it",
                "add a CHECK matching the bound (NOT VALID, then VALIDATE) before attaching",
            ),
            DetachPartition { .. } => caution(
                "its rows leave the partitioned table: queries on the parent stop seeing them",
                "DETACH PARTITION … CONCURRENTLY (PostgreSQL 14+); check readers of the parent",
            ),
            SetInherit { inherit, .. } => caution(
                if *inherit {
                    "queries on the parent start including this table's rows"
                } else {
                    "queries on the parent stop including this table's rows"
                },
                "check readers of the parent table",
            ),
            SetRowSecurity {
                enabled,
                forced,
                from_enabled,
                from_forced,
                table,
            } => {
                if *from_enabled && !*enabled {
                    danger(
                        "disables row level security: every role with privileges on the table sees and changes all rows",
                        "make sure this is intended; keep the policies until access is checked",
                    )
                } else if *from_forced && !*forced && *enabled {
                    danger(
                        "stops forcing row level security: the table's owner bypasses the policies again",
                        "make sure the owner role is not used by clients that must be restricted",
                    )
                } else if self.is_new(table) {
                    safe("on a table new in this plan")
                } else {
                    caution(
                        "roles without a matching policy stop seeing rows",
                        "create the policies before enabling, and check each client role (SET ROLE …)",
                    )
                }
            }
            SetLogged { logged, .. } => {
                if *logged {
                    caution(
                        &format!("writes the table to the WAL: {}", pg.rewrite),
                        pg.rewrite_hint,
                    )
                } else {
                    danger(
                        &format!(
                            "an unlogged table is emptied after a crash and is not replicated; {}",
                            pg.rewrite
                        ),
                        "keep the table logged unless its rows can be rebuilt",
                    )
                }
            }
            CreatePolicy { table, .. } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else {
                    caution(
                        "changes which rows roles can see or write",
                        "check it with each affected role (SET ROLE …) before relying on it",
                    )
                }
            }
            DropPolicy { policy, .. } => {
                if policy.permissive {
                    danger(
                        "changes who sees which rows: roles it let in lose access, and with no policy left only the owner sees rows",
                        "check every role's access after the change; replace the policy first if it is being reworked",
                    )
                } else {
                    danger(
                        "opens data: the restriction it applied is lifted for every role",
                        "make sure the restriction is enforced elsewhere, or replace the policy first",
                    )
                }
            }
            _ => unreachable!("rule() sends only table and column changes here"),
        }
    }

    fn add_column(&self, s: &str, table: &QualifiedName, c: &Column) -> Rule {
        let w = self.words;
        let caution =
            |why: &str, hint: &str| Rule::from(Assessment::caution(format!("{s}: {why}"), hint));
        if let Some(g) = &c.generated {
            if g.stored {
                return caution(
                    &format!(
                        "a stored generated column is computed for every row: {}",
                        w.rewrite
                    ),
                    w.rewrite_hint,
                );
            }
            return Assessment::safe(format!("{s}: a virtual generated column stores nothing"))
                .into();
        }
        if c.identity.is_some() {
            return caution(
                &format!(
                    "an identity column numbers every existing row: {}",
                    w.rewrite
                ),
                "add it nullable, backfill in batches, then add the identity; or run it at a quiet time",
            );
        }
        match &c.default {
            Some(d) if self.volatile(d) => caution(
                &format!(
                    "default {d} is computed for every existing row: {}",
                    w.rewrite
                ),
                "add the column without a default (or with a constant one), backfill in batches, then set the default",
            ),
            Some(_) => Assessment::safe(format!(
                "{s}: the default is evaluated once and stored; no rewrite{}",
                match self.dialect {
                    Dialect::Postgres => " (PostgreSQL 11+)",
                    Dialect::Mysql => " (ALGORITHM=INSTANT)",
                    Dialect::Sqlite => "",
                }
            ))
            .into(),
            None if !c.nullable => {
                if self.is_new(table) {
                    return Assessment::safe(format!("{s}: on a table new in this plan")).into();
                }
                if self.dialect == Dialect::Mysql {
                    // MySQL fills the column in rather than failing.
                    return caution(
                        "NOT NULL without a default: existing rows get the type's implicit default (0, '' or a zero date)",
                        "add it with an explicit DEFAULT, or nullable, backfill, then make it NOT NULL",
                    );
                }
                Rule {
                    assessment: Assessment::danger(
                        format!("{s}: NOT NULL without a default fails on a table that has rows"),
                        "add it with a DEFAULT, or nullable, backfill, then SET NOT NULL",
                    ),
                    if_clean: Some(
                        "NOT NULL without a default works only while the table is empty (it is now)"
                            .into(),
                    ),
                }
            }
            None => Assessment::safe(format!(
                "{s}: a nullable column without a default changes no row"
            ))
            .into(),
        }
    }
}
