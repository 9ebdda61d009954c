//! Counting on TARGET: each change's probes, written by TARGET's dialect and run through
//! `dialect::risk` (read-only, with a statement and lock limit), folded into the static verdict.

use super::rules::{Rule, Rules};
use super::subject::subject;
use crate::dialect::risk::{Counter, Words, probes};
use crate::model::*;

/// The verdict on one change, made concrete by the counts of its probes. A change that carries
/// out others (a SQLite rebuild) has its counts attributed to them, each part judged on its own
/// counts and the rebuild as its worst part.
pub(super) async fn judge(
    counter: &mut Counter<'_>,
    rules: &Rules<'_>,
    rule: Rule,
    change: &Change,
    target: &Catalog,
    names: &PlanNames,
) -> Assessment {
    let planned = probes(counter.dialect(), change, target, names);
    if planned.probes.is_empty() && planned.notes.is_empty() {
        return rule.assessment;
    }
    // A change that carries out others (a SQLite rebuild) has its counts attributed to them.
    let parts: &[Change] = match change {
        Change::RebuildTable { replaces, .. } => replaces,
        _ => &[],
    };
    let subj = subject(change);
    let mut counts = Vec::new();
    let mut notes: Vec<(Option<usize>, String)> =
        planned.notes.into_iter().map(|n| (None, n)).collect();
    let mut incomplete: Vec<Option<usize>> = Vec::new();
    for p in &planned.probes {
        let part = p.part.filter(|i| *i < parts.len());
        match counter.count(&p.sql).await {
            Ok(count) => counts.push((
                part,
                DataCount {
                    subject: part.map_or_else(|| subj.clone(), |i| subject(&parts[i])),
                    what: p.what.clone(),
                    count,
                    effect: p.effect,
                },
            )),
            Err(msg) => {
                if p.effect != CountEffect::Info {
                    incomplete.push(part);
                }
                notes.push((part, format!("could not count: {msg} ({})", p.what)));
            }
        }
    }
    if counts.iter().all(|(p, _)| p.is_none()) && notes.iter().all(|(p, _)| p.is_none()) {
        let counts = counts.into_iter().map(|(_, c)| c).collect();
        let notes = notes.into_iter().map(|(_, n)| n).collect();
        let complete = incomplete.is_empty();
        return with_counts(rule, &subj, counts, notes, complete, rules.words);
    }
    // Each part judged on its own counts, then the rebuild as its worst part.
    let judged: Vec<Assessment> = parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            let mine = |p: &Option<usize>| *p == Some(i);
            let c = counts
                .iter()
                .filter(|(p, _)| mine(p))
                .map(|(_, c)| c.clone());
            let n = notes
                .iter()
                .filter(|(p, _)| mine(p))
                .map(|(_, n)| n.clone());
            with_counts(
                rules.rule(part),
                &subject(part),
                c.collect(),
                n.collect(),
                !incomplete.contains(&Some(i)),
                rules.words,
            )
        })
        .collect();
    let mut a = rules.carried(&subj, &judged);
    a.counts = counts.into_iter().map(|(_, c)| c).collect();
    a.notes = notes.into_iter().map(|(_, n)| n).collect();
    a
}

/// Folds counts into a static verdict.
fn with_counts(
    rule: Rule,
    subject: &str,
    counts: Vec<DataCount>,
    notes: Vec<String>,
    complete: bool,
    words: &Words,
) -> Assessment {
    let mut a = rule.assessment;
    a.counts = counts;
    a.notes.extend(notes);
    let failures: Vec<String> = a
        .counts
        .iter()
        .filter(|c| c.is_failure())
        .map(DataCount::phrase)
        .collect();
    if !failures.is_empty() {
        a.level = RiskLevel::Danger;
        a.certain_failure = true;
        a.reason = format!("{subject}: {}", failures.join("; "));
        let first = format!(
            "fix or remove the offending rows first{}",
            words.failure_note
        );
        a.suggestion = Some(match a.suggestion.take() {
            Some(then) => format!("{first}; then: {then}"),
            None => first,
        });
        return a;
    }
    let losses: Vec<&DataCount> = a
        .counts
        .iter()
        .filter(|c| c.effect == CountEffect::Loses)
        .collect();
    if losses.iter().any(|c| c.count > 0) {
        let l: Vec<String> = losses
            .iter()
            .filter(|c| c.count > 0)
            .map(|c| c.phrase())
            .collect();
        a.reason = format!("{subject}: {}", l.join("; "));
        return a;
    }
    let checked = a.counts.iter().any(|c| c.effect != CountEffect::Info);
    if let Some(clean) = rule.if_clean {
        if checked && complete && a.level == RiskLevel::Danger {
            a.level = RiskLevel::Caution;
            a.reason = format!("{subject}: {clean}");
            return a;
        }
    }
    if !losses.is_empty() {
        let l: Vec<String> = losses.iter().map(|c| c.phrase()).collect();
        a.reason = format!("{subject}: {}", l.join("; "));
    }
    a
}
