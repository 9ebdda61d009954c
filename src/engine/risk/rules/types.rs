//! Schemas, extensions, enum, domain and composite types, sequences.

use super::{Rule, Rules, verdicts};
use crate::model::*;

impl Rules<'_> {
    /// A schema, extension, type or sequence change.
    pub(super) fn types(&self, change: &Change, s: &str) -> Rule {
        use Change::*;
        let (safe, caution, danger, dependent) = verdicts(s);
        match change {
            CreateSchema { .. }
            | CreateExtension { .. }
            | CreateEnum { .. }
            | CreateDomain { .. }
            | CreateCompositeType { .. }
            | CreateSequence { .. } => safe("creates something new; nothing existing changes"),
            AddEnumLabel { .. } => safe("adds a value; stored values do not change"),

            DropSchema { .. } => caution(
                "drops the schema (fails if anything is left in it; its contents are rated on their own lines)",
                "check nothing outside this plan lives in the schema; keep a backup",
            ),
            DropExtension { .. } => caution(
                "drops the extension with its types and functions (fails while columns, indexes or functions use them)",
                "check nothing still uses the extension's types or functions",
            ),
            AlterExtension { .. } => caution(
                "runs the extension's upgrade scripts, which may rewrite or lock objects",
                "read the extension's release notes and try the update on a copy first",
            ),
            DropEnum { .. } | DropDomain { .. } | DropCompositeType { .. } => caution(
                "drops a type (fails while a column, function or view still uses it)",
                "make sure nothing uses the type any more",
            ),
            RenameEnumLabel { from, .. } => caution(
                &format!(
                    "stored values change; queries and clients comparing to '{from}' stop matching"
                ),
                &format!("update code that uses '{from}' in the same release"),
            ),
            RebuildEnum {
                from, to, columns, ..
            } => {
                let removed: Vec<&str> = from
                    .labels
                    .iter()
                    .filter(|l| !to.labels.contains(l))
                    .map(String::as_str)
                    .collect();
                if removed.is_empty() {
                    caution(
                        &format!(
                            "labels are reordered: {} column(s) are converted, each a table rewrite under an ACCESS EXCLUSIVE lock; ordering comparisons change",
                            columns.len()
                        ),
                        "run it at a quiet time; check ORDER BY and < > comparisons on the type",
                    )
                } else {
                    dependent(
                        &format!(
                            "removes label(s) {}: fails if any row uses them, and rewrites {} column(s) under ACCESS EXCLUSIVE locks",
                            removed.join(", "),
                            columns.len()
                        ),
                        "move rows off the removed labels first (UPDATE … SET col = 'other' WHERE col = 'old'); run it at a quiet time",
                        &format!(
                            "no row uses the removed label(s) now; still rewrites {} column(s) under ACCESS EXCLUSIVE locks",
                            columns.len()
                        ),
                    )
                }
            }
            AlterDomain { from, to, .. } => {
                if from.base_type != to.base_type || from.collation != to.collation {
                    danger(
                        "the domain is dropped and created again: fails while any column uses it",
                        "convert the columns to the base type first, or change the domain by hand",
                    )
                } else {
                    caution(
                        "a new NOT NULL or check is validated against every column using the domain (fails on violating values)",
                        "count violating values in the columns that use the domain first",
                    )
                }
            }
            DropSequence { .. } => caution(
                "its current position is lost (re-creating it restarts numbering)",
                "keep the current value (SELECT last_value) if it may be re-created; make sure no default uses it",
            ),
            AlterSequence { .. } => caution(
                "changes how new values are numbered; lower limits fail if the current position is outside them",
                "check the current value (SELECT last_value) against the new limits",
            ),
            _ => {
                unreachable!("rule() sends only schema, extension, type and sequence changes here")
            }
        }
    }
}
