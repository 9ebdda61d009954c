//! Views, functions and triggers: what their readers, callers and writers notice.

use super::{Rule, Rules, verdicts};
use crate::model::*;

impl Rules<'_> {
    /// A view, function or trigger change.
    pub(super) fn routines(&self, change: &Change, s: &str) -> Rule {
        use Change::*;
        let w = self.words;
        let (safe, caution, _, _) = verdicts(s);
        match change {
            CreateFunction { .. } => safe("creates something new; nothing existing changes"),
            CreateView { view, .. } => {
                if view.materialized {
                    safe("creates a new materialized view (runs its query once to fill it)")
                } else {
                    safe("creates something new; nothing existing changes")
                }
            }

            DropView { view, .. } => {
                if view.materialized {
                    caution(
                        "clients reading it break; its stored rows are lost (a refresh recomputes them)",
                        "check nothing reads it (views, functions, application code)",
                    )
                } else {
                    caution(
                        "clients and functions reading it break",
                        "check nothing reads it (views, functions, application code)",
                    )
                }
            }
            ReplaceView { .. } => caution(
                "changes what every reader of the view gets",
                "check the clients of the view with the new definition",
            ),
            DropFunction { .. } => caution(
                "callers (triggers, defaults, views, application) break",
                w.drop_function_hint,
            ),
            ReplaceFunction { .. } => caution(
                "changes behaviour for every caller",
                "test the callers with the new definition",
            ),
            CreateTrigger { table, .. } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else {
                    caution(
                        "runs on writes to an existing table from now on; can slow or reject them",
                        "test it on a copy with representative writes",
                    )
                }
            }
            DropTrigger { .. } => caution(
                "the logic it ran on writes stops (audit, derived values, checks)",
                "make sure nothing relies on it",
            ),
            SetTriggerEnabled { table, enabled, .. } => {
                if *enabled {
                    if self.is_new(table) {
                        safe("on a table new in this plan")
                    } else {
                        caution(
                            "runs on writes from now on; can slow or reject them",
                            "test it on a copy with representative writes",
                        )
                    }
                } else {
                    caution(
                        "the logic it runs on writes stops (audit, derived values, checks)",
                        "make sure nothing relies on it while it is disabled",
                    )
                }
            }
            _ => unreachable!("rule() sends only view, function and trigger changes here"),
        }
    }
}
