//! Triggers: on each table and view, paired by name and compared by what they do (timing,
//! events, level, condition, function or body; not the table name a rename changes); and,
//! across the catalog, triggers that call a function dropped and created again, which go and
//! come back with it.

use super::Differ;
use super::matching::{Matched, by_name};
use crate::model::change::CommentTarget;
use crate::model::normalize;
use crate::model::*;

impl Differ<'_> {
    /// Triggers of a table or view on both sides: a changed trigger is dropped and created again
    /// (then disabled, if it is); the enabled state and comment of one that stays are set.
    pub(super) fn triggers(&mut self, qn: &QualifiedName, old: &[Trigger], new: &[Trigger]) {
        let triggers = by_name(old, new, |t| &t.name);
        for m in triggers.all() {
            match m {
                Matched::Alter(t, u) if trigger_eq(t, u) => {}
                Matched::Alter(t, _) | Matched::Drop(t) => self.out.push(Change::DropTrigger {
                    table: qn.clone(),
                    trigger: t.clone(),
                }),
                Matched::Create(_) => {}
            }
        }
        for m in triggers.all() {
            let Some(t) = m.source() else { continue };
            // TARGET's trigger, if it stays as it is.
            let kept = m.target().filter(|u| trigger_eq(u, t));
            if kept.is_none() {
                self.out.push(Change::CreateTrigger {
                    table: qn.clone(),
                    trigger: t.clone(),
                });
            }
            let was_enabled = kept.map(|u| u.enabled).unwrap_or(true);
            if was_enabled != t.enabled {
                self.out.push(Change::SetTriggerEnabled {
                    table: qn.clone(),
                    name: t.name.clone(),
                    enabled: t.enabled,
                });
            }
            let old_comment = kept.and_then(|u| u.comment.clone());
            self.comment(
                CommentTarget::Trigger {
                    table: qn.clone(),
                    name: t.name.clone(),
                },
                &old_comment,
                &t.comment,
            );
        }
    }

    /// Triggers on tables that stay, calling a function that is dropped and created again, must be
    /// dropped before and created after it.
    pub(super) fn dependent_triggers(&mut self) {
        if self.recreated_functions.is_empty() {
            return;
        }
        let mut extra = Vec::new();
        for s in &self.source.schemas {
            for t in &s.tables {
                let qn = QualifiedName::new(&s.name, &t.name);
                for tr in &t.triggers {
                    let Some(f) = &tr.function else { continue };
                    if !self.recreated_functions.contains(f) {
                        continue;
                    }
                    let already = self.out.iter().any(|c| matches!(c, Change::CreateTrigger { table, trigger } if *table == qn && trigger.name == tr.name));
                    let existed = self
                        .target
                        .table(&s.name, &t.name)
                        .is_some_and(|old| old.trigger(&tr.name).is_some());
                    if !already && existed {
                        if let Some(old) = self
                            .target
                            .table(&s.name, &t.name)
                            .and_then(|o| o.trigger(&tr.name))
                        {
                            extra.push(Change::DropTrigger {
                                table: qn.clone(),
                                trigger: old.clone(),
                            });
                        }
                        extra.push(Change::CreateTrigger {
                            table: qn.clone(),
                            trigger: tr.clone(),
                        });
                    }
                }
            }
        }
        self.out.extend(extra);
    }
}

fn trigger_eq(a: &Trigger, b: &Trigger) -> bool {
    // The definition names the table, which a rename changes: compare what follows EXECUTE.
    let tail = |t: &Trigger| {
        t.definition
            .find(" EXECUTE ")
            .map(|i| normalize::sql(&t.definition[i..]))
            .unwrap_or_default()
    };
    a.timing == b.timing
        && a.events == b.events
        && a.level == b.level
        && a.when.as_deref().map(normalize::expr) == b.when.as_deref().map(normalize::expr)
        && a.function == b.function
        && a.body.as_deref().map(normalize::sql) == b.body.as_deref().map(normalize::sql)
        && tail(a) == tail(b)
}
