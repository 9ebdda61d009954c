//! The after-apply check: TARGET inspected again (through the plan's filters) and compared with
//! SOURCE as the pack recorded it. What still differs is split into what the person chose to
//! leave out (the steps not run, matched change by change) and what nobody chose — the second
//! is a failure to converge (exit 8). Objects sluice does not model are listed as not compared,
//! never counted as equal.

use super::gates::Skipped;
use crate::model::Change;

/// What the check found.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Differences the steps left out account for: (what differs, the step left out).
    pub left_out: Vec<(String, usize)>,
    /// Differences nothing the person chose accounts for.
    pub differs: Vec<String>,
    /// Objects on either side that sluice does not model, so could not compare.
    pub not_compared: Vec<String>,
    /// The plan's filters, when it had any: only what they keep was compared.
    pub filter: Vec<String>,
    /// What TARGET was to become: `SOURCE`, or (after a rollback) what it was before the plan.
    pub goal: String,
}

impl Verdict {
    /// TARGET looks like SOURCE, except for what the person left out.
    pub fn converged(&self) -> bool {
        self.differs.is_empty()
    }

    /// One paragraph for people: never a bare "matches" when something was not compared.
    pub fn describe(&self) -> String {
        let scope = if self.filter.is_empty() {
            String::new()
        } else {
            format!(
                " (only the objects the plan's filters keep were compared: {})",
                self.filter.join(", ")
            )
        };
        let mut s = if !self.differs.is_empty() {
            format!(
                "TARGET still differs from {} in {} place(s) that no step left out accounts for: {}{}",
                self.goal,
                self.differs.len(),
                list(&self.differs),
                scope
            )
        } else if !self.left_out.is_empty() {
            let steps: std::collections::BTreeSet<usize> =
                self.left_out.iter().map(|(_, n)| *n).collect();
            format!(
                "TARGET matches {} except what the {} step(s) left out would change: {}{}",
                self.goal,
                steps.len(),
                list(
                    &self
                        .left_out
                        .iter()
                        .map(|(w, n)| format!("{w} (step {n})"))
                        .collect::<Vec<_>>()
                ),
                scope
            )
        } else {
            format!("TARGET now matches {}{scope}", self.goal)
        };
        if !self.not_compared.is_empty() {
            s.push_str(&format!(
                "; not compared (sluice does not model them): {}",
                list(&self.not_compared)
            ));
        }
        s.push('.');
        s
    }
}

fn list(items: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut s = items
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        s.push_str(&format!(", and {} more", items.len() - SHOWN));
    }
    s
}

/// Splits what still differs (`changes`: TARGET after the apply → SOURCE) by the steps left out.
pub fn judge(changes: &[Change], skipped: &[Skipped], filter: &[String], goal: &str) -> Verdict {
    let mut v = Verdict {
        left_out: Vec::new(),
        differs: Vec::new(),
        not_compared: Vec::new(),
        filter: filter.to_vec(),
        goal: goal.to_string(),
    };
    for c in changes {
        let what = format!("{} {}", c.kind(), c.object());
        if let Change::Unsupported { .. } = c {
            v.not_compared.push(c.describe());
            continue;
        }
        match skipped.iter().find(|s| accounts_for(&s.change, c)) {
            Some(s) => v.left_out.push((what, s.number)),
            None => v.differs.push(what),
        }
    }
    v
}

/// Whether leaving out `step` explains the difference `c`: the same change, or any change of a
/// table whose creation, rebuild or drop was left out.
fn accounts_for(step: &Change, c: &Change) -> bool {
    if step.kind() == c.kind() && step.object() == c.object() {
        return true;
    }
    match step {
        // A table not created, rebuilt or dropped accounts for every difference of that table
        // (SQLite folds a new table's foreign keys into its CREATE TABLE, for one).
        Change::RebuildTable { .. } | Change::DropTable { .. } | Change::CreateTable { .. } => {
            step.table().is_some() && step.table() == c.table()
        }
        _ => false,
    }
}
