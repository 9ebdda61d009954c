//! Keys, constraints and indexes: safe on a table new in the plan, else what each takes (a scan,
//! a lock, an index build) in TARGET's dialect.

use super::{Rule, Rules, verdicts};
use crate::model::*;

impl Rules<'_> {
    /// A key, constraint or index change.
    pub(super) fn constraints(&self, change: &Change, s: &str) -> Rule {
        use Change::*;
        let w = self.words;
        let (safe, caution, _, _) = verdicts(s);
        match change {
            AddPrimaryKey { table, .. } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else {
                    caution(w.primary_key, w.primary_key_hint)
                }
            }
            AddUnique { table, .. } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else {
                    caution(w.unique, w.unique_hint)
                }
            }
            CreateIndex { table, index } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else if index.unique {
                    caution(w.unique_index, w.unique_index_hint)
                } else {
                    caution(w.index, w.index_hint)
                }
            }
            AddForeignKey { table, foreign_key } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else if !foreign_key.validated {
                    safe("NOT VALID: existing rows are not checked")
                } else {
                    caution(w.foreign_key, w.foreign_key_hint)
                }
            }
            AddCheck { table, check } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else if !check.validated {
                    safe("NOT VALID: existing rows are not checked")
                } else {
                    caution(w.check, w.check_hint)
                }
            }

            RenameConstraint { .. } | RenameIndex { .. } => {
                safe("a rename of the constraint or index only: no data is read or rewritten")
            }
            ValidateConstraint { .. } => caution(
                "scans the table (writes go on); fails if existing rows violate the constraint",
                "count and fix violating rows first",
            ),
            DropPrimaryKey { .. } => caution(
                w.drop_primary_key,
                "drop or move referencing foreign keys first; check replication needs",
            ),
            DropUnique { .. } => caution(w.drop_unique, w.drop_unique_hint),
            DropCheck { .. } => caution(
                "values it kept out can be written from now on",
                "make sure the application enforces the rule, or that it is replaced",
            ),
            DropForeignKey { .. } => caution(
                "rows may point to missing parents from now on; cascades stop",
                "make sure the application keeps references consistent",
            ),
            DropIndex { index, .. } => caution(
                &format!(
                    "queries that use it get slower{}; {}",
                    if index.unique {
                        ", and uniqueness is no longer enforced"
                    } else {
                        ""
                    },
                    w.drop_index
                ),
                w.drop_index_hint,
            ),
            _ => unreachable!("rule() sends only key, constraint and index changes here"),
        }
    }
}
