//! Risk: how dangerous one change is, why, what to do instead, and what the target's data says.
//!
//! Pure data. The rules live in `engine::risk`; the queries that count rows live in
//! `dialect::<db>::probe`, and run through `dialect::risk`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::catalog::QualifiedName;
use super::change::Change;

fn is_false(b: &bool) -> bool {
    !*b
}

/// How risky a change is. Ordered: `Safe < Caution < Danger`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum RiskLevel {
    /// Nothing is lost and nothing waits on a long lock.
    #[default]
    Safe,
    /// Works, but locks or rewrites a table, changes behaviour clients may rely on, or removes
    /// something that can be re-created.
    Caution,
    /// Loses data, opens data to people who could not see it, or may fail on the data present.
    Danger,
}

impl RiskLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Safe => "safe",
            RiskLevel::Caution => "caution",
            RiskLevel::Danger => "danger",
        }
    }
}

impl std::fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The verdict on one change.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Assessment {
    pub level: RiskLevel,
    /// One line: why it has this level (made concrete by counts when there are some).
    pub reason: String,
    /// What to do instead, or first. Every assessment that is not safe has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// What the target's data says (rows that would break, or be lost).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counts: Vec<DataCount>,
    /// The data makes the change fail for certain (applied now, it would be rolled back).
    #[serde(default, skip_serializing_if = "is_false")]
    pub certain_failure: bool,
    /// Counts that were not made, and why (`could not count: …`, `not counted: …`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Assessment {
    pub fn safe(reason: impl Into<String>) -> Self {
        Assessment {
            level: RiskLevel::Safe,
            reason: reason.into(),
            ..Assessment::default()
        }
    }

    pub fn caution(reason: impl Into<String>, suggestion: impl Into<String>) -> Self {
        Assessment {
            level: RiskLevel::Caution,
            reason: reason.into(),
            suggestion: Some(suggestion.into()),
            ..Assessment::default()
        }
    }

    pub fn danger(reason: impl Into<String>, suggestion: impl Into<String>) -> Self {
        Assessment {
            level: RiskLevel::Danger,
            reason: reason.into(),
            suggestion: Some(suggestion.into()),
            ..Assessment::default()
        }
    }
}

/// What a positive count means for the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CountEffect {
    /// The change fails (NULLs under SET NOT NULL, duplicates under a unique key, …).
    Fails,
    /// The change succeeds but loses these (dropped rows, rounded values).
    Loses,
    /// For scale only (rows in the table).
    #[default]
    Info,
}

/// One count made on the target's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataCount {
    /// The change it is about: `SET NOT NULL on public.customer.company`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub subject: String,
    /// What was counted, in the plural, as it reads after the number: `rows are NULL`,
    /// `values are longer than 50 characters`, `rows would be lost`.
    pub what: String,
    pub count: u64,
    #[serde(default)]
    pub effect: CountEffect,
}

impl DataCount {
    /// A sentence for people: `SET NOT NULL on public.customer.company: 12 rows are NULL`
    /// (`1 row is NULL` for one).
    pub fn describe(&self) -> String {
        if self.subject.is_empty() {
            self.phrase()
        } else {
            format!("{}: {}", self.subject, self.phrase())
        }
    }

    /// The count and what it counts, without the subject: `12 rows are NULL`.
    pub fn phrase(&self) -> String {
        let phrase = if self.count == 1 {
            singular(&self.what)
        } else {
            self.what.clone()
        };
        format!("{} {phrase}", group_digits(self.count))
    }

    /// A positive count that makes the change fail.
    pub fn is_failure(&self) -> bool {
        self.effect == CountEffect::Fails && self.count > 0
    }
}

/// `rows are NULL` → `row is NULL`: the first word loses its plural `s`, the first `are`
/// becomes `is`. Phrases are written so that nothing else needs to agree with the number.
fn singular(what: &str) -> String {
    let mut words: Vec<String> = what.split(' ').map(str::to_string).collect();
    if let Some(first) = words.first_mut() {
        if first.ends_with('s') && first.len() > 1 {
            first.pop();
        }
    }
    if let Some(w) = words.iter_mut().find(|w| *w == "are") {
        *w = "is".into();
    }
    words.join(" ")
}

/// `2345` → `2 345`: a space between every three digits, for reading counts at a glance.
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    if s.len() <= 3 {
        return s;
    }
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// A query that counts, on the target, what a change would break or lose. Dialects write them
/// (`dialect::postgres::probe`); the engine runs them with a time limit through
/// `dialect::risk::Counter`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    /// As in [`DataCount::what`]: plural, read after the number.
    pub what: String,
    /// `SELECT count(*) …`: one row, one integer column.
    pub sql: String,
    pub effect: CountEffect,
    /// For a change that carries out others (a SQLite table rebuild): the index, in its
    /// `replaces`, of the change this count is about. `None`: the probed change itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<usize>,
}

/// The probes for one change, and notes on counts that cannot be made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Probes {
    pub probes: Vec<Probe>,
    /// `not counted: …` lines, for counts this server cannot make.
    pub notes: Vec<String>,
}

impl Probes {
    pub fn push(&mut self, what: impl Into<String>, sql: String, effect: CountEffect) {
        self.probes.push(Probe {
            what: what.into(),
            sql,
            effect,
            part: None,
        });
    }

    /// Adds the probes of the `part`-th change a rebuild carries out, attributed to it.
    pub fn extend_part(&mut self, part: usize, other: Probes) {
        self.probes.extend(other.probes.into_iter().map(|p| Probe {
            part: Some(part),
            ..p
        }));
        self.notes.extend(other.notes);
    }
}

/// How names in a plan map back to the target. Changes name tables and columns as SOURCE does
/// (after the plan's renames); counts must ask TARGET, where the old names still hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanNames {
    /// SOURCE table → TARGET table, for tables the plan renames.
    tables: BTreeMap<QualifiedName, QualifiedName>,
    /// (SOURCE table, SOURCE column) → TARGET column, for columns the plan renames.
    columns: BTreeMap<(QualifiedName, String), String>,
    /// Tables the plan creates (empty when the plan makes them).
    created: BTreeSet<QualifiedName>,
    /// Whether the changes of a whole plan were seen (otherwise a table missing from TARGET may be
    /// a rename nobody told us about).
    whole_plan: bool,
}

impl PlanNames {
    /// The renames and creations of a plan.
    pub fn from_changes(changes: &[Change]) -> Self {
        let mut n = PlanNames {
            whole_plan: true,
            ..PlanNames::default()
        };
        n.add(changes);
        n
    }

    fn add(&mut self, changes: &[Change]) {
        let n = self;
        for c in changes {
            match c {
                // A SQLite rebuild carries the renames of its table and columns.
                Change::RebuildTable { replaces, .. } => n.add(replaces),
                Change::RenameTable {
                    schema, from, to, ..
                } => {
                    n.tables.insert(
                        QualifiedName::new(schema.clone(), to.clone()),
                        QualifiedName::new(schema.clone(), from.clone()),
                    );
                }
                Change::RenameColumn {
                    table, from, to, ..
                } => {
                    n.columns.insert((table.clone(), to.clone()), from.clone());
                }
                Change::CreateTable { schema, table } => {
                    n.created
                        .insert(QualifiedName::new(schema.clone(), table.name.clone()));
                }
                _ => {}
            }
        }
    }

    /// TARGET's name for a table named as SOURCE names it.
    pub fn target_table(&self, source: &QualifiedName) -> QualifiedName {
        self.tables
            .get(source)
            .cloned()
            .unwrap_or_else(|| source.clone())
    }

    /// TARGET's name for a column of a SOURCE-named table.
    pub fn target_column(&self, source_table: &QualifiedName, column: &str) -> String {
        self.columns
            .get(&(source_table.clone(), column.to_string()))
            .cloned()
            .unwrap_or_else(|| column.to_string())
    }

    /// Whether the plan renames this (SOURCE-named) table or any of its columns.
    pub fn renames_in(&self, source_table: &QualifiedName) -> bool {
        self.tables.contains_key(source_table)
            || self.columns.keys().any(|(t, _)| t == source_table)
    }

    /// Whether the plan creates this table.
    pub fn creates(&self, table: &QualifiedName) -> bool {
        self.created.contains(table)
    }

    /// Whether these names come from a whole plan.
    pub fn whole_plan(&self) -> bool {
        self.whole_plan
    }
}

/// A plan's risk in one number, 0–100.
///
/// `score = min(99, 30 × dangers + 5 × cautions)`, and `100` when any change is certain to fail.
/// So: 0 = nothing risky; a few cautions stay low (4 cautions = 20); one danger is 30, two are 60;
/// 100 is reserved for a plan that cannot succeed on the data present.
pub fn plan_score<'a>(assessments: impl IntoIterator<Item = &'a Assessment>) -> u8 {
    let mut score: u64 = 0;
    for a in assessments {
        if a.certain_failure {
            return 100;
        }
        score += match a.level {
            RiskLevel::Safe => 0,
            RiskLevel::Caution => 5,
            RiskLevel::Danger => 30,
        };
    }
    score.min(99) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_and_lowercase() {
        assert!(RiskLevel::Safe < RiskLevel::Caution && RiskLevel::Caution < RiskLevel::Danger);
        assert_eq!(
            serde_json::to_string(&RiskLevel::Danger).unwrap(),
            "\"danger\""
        );
    }

    #[test]
    fn describes_counts() {
        let mut c = DataCount {
            subject: "SET NOT NULL on public.customer.company".into(),
            what: "rows are NULL".into(),
            count: 12,
            effect: CountEffect::Fails,
        };
        assert_eq!(
            c.describe(),
            "SET NOT NULL on public.customer.company: 12 rows are NULL"
        );
        c.count = 1;
        assert_eq!(
            c.describe(),
            "SET NOT NULL on public.customer.company: 1 row is NULL"
        );
        c.count = 2345;
        c.what = "rows would be lost".into();
        assert!(c.describe().ends_with(": 2 345 rows would be lost"));
        assert_eq!(group_digits(1234567), "1 234 567");
        assert_eq!(group_digits(999), "999");
    }

    #[test]
    fn scores() {
        let s = Assessment::safe("x");
        let c = Assessment::caution("x", "y");
        let d = Assessment::danger("x", "y");
        assert_eq!(plan_score(&[] as &[Assessment]), 0);
        assert_eq!(plan_score(&[s.clone(), s.clone()]), 0);
        assert_eq!(plan_score(&[c.clone(), c.clone(), s.clone()]), 10);
        assert_eq!(plan_score(&[d.clone(), c.clone()]), 35);
        assert_eq!(plan_score(&vec![d.clone(); 10]), 99);
        let f = Assessment {
            certain_failure: true,
            ..d
        };
        assert_eq!(plan_score(&[s, f]), 100);
    }
}
