//! The risk engine: how dangerous each change is, why, and what to do instead.
//!
//! Two layers:
//! - **static rules** ([`assess`], [`assess_plan`]): a `match` on the typed [`Change`] (never on
//!   SQL text), using TARGET and SOURCE catalogs for context (is the table new? does a default
//!   call a volatile function? is a type change a widening within its family?);
//! - **data counts** ([`assess_with_data`]): the dialect's probes (`dialect::risk::probes`) count
//!   on TARGET what would make a change fail or what it would lose, each in its own read-only
//!   transaction with a statement and lock timeout. A count that makes failure certain raises
//!   the level to danger and sets `certain_failure`; a change that is dangerous only because of
//!   what the data *might* hold drops to caution when the counts show nothing offending.
//!
//! Files: `rules/` (the static `match` on [`Change`], one file per group of changes),
//! `subject.rs` (what a change is, as reasons start), `counts.rs` (running the dialect's probes
//! through `dialect::risk` and folding their counts into the verdicts). Nothing here talks to a
//! database but through that facade.
//!
//! Decisions worth knowing:
//! - Dropping a sequence is *caution*: its position is lost but can be recomputed
//!   (`setval(…, max(col))`); dropping a table or column is *danger* (rows are gone).
//! - Dropping a materialized view is *caution* (its rows are recomputed by a refresh).
//! - Widening `varchar(n)`, `varchar → text` and `numeric(p,s) → numeric(p',s)` (p' ≥ p) is *safe*
//!   on PostgreSQL: none of them rewrites the table (checked: the relfilenode stays). Other
//!   widenings (int → bigint, real → double, scale increases) rewrite it: *caution*.
//! - Lossless conversions across families (int → numeric wide enough, anything → unbounded text,
//!   date → timestamp) are *caution* (rewrite); every other cross-family change is *danger*.

mod counts;
mod rules;
mod subject;

pub use crate::dialect::risk::{PROBE_LOCK_TIMEOUT, PROBE_STATEMENT_TIMEOUT, ProbeOptions};
pub use subject::subject;

use crate::dialect::Db;
use crate::dialect::risk::Counter;
use crate::model::*;
use rules::Rules;

/// The static verdict on one change, outside any plan (no renames known).
pub fn assess(change: &Change, target: &Catalog, source: &Catalog) -> Assessment {
    Rules::new(target, source, &PlanNames::default())
        .rule(change)
        .assessment
}

/// The static verdicts on a plan's changes, in order, knowing the plan's renames and creations.
pub fn assess_plan(changes: &[Change], target: &Catalog, source: &Catalog) -> Vec<Assessment> {
    let names = PlanNames::from_changes(changes);
    let rules = Rules::new(target, source, &names);
    changes.iter().map(|c| rules.rule(c).assessment).collect()
}

/// The verdicts on a plan's changes, made concrete by counting on the target (`db`, a connection
/// to TARGET). Without `db`, or for a dialect without probes yet, the static verdicts.
pub async fn assess_with_data(
    changes: &[Change],
    target: &Catalog,
    source: &Catalog,
    db: Option<&Db>,
) -> Vec<Assessment> {
    assess_with_data_opts(changes, target, source, db, &ProbeOptions::default()).await
}

/// [`assess_with_data`] with explicit limits.
pub async fn assess_with_data_opts(
    changes: &[Change],
    target: &Catalog,
    source: &Catalog,
    db: Option<&Db>,
    opts: &ProbeOptions,
) -> Vec<Assessment> {
    let names = PlanNames::from_changes(changes);
    let rules = Rules::new(target, source, &names);
    let mut counter = db.map(|db| Counter::new(db, *opts));
    let mut out = Vec::with_capacity(changes.len());
    for change in changes {
        let rule = rules.rule(change);
        match counter.as_mut() {
            Some(counter) => {
                out.push(counts::judge(counter, &rules, rule, change, target, &names).await)
            }
            None => out.push(rule.assessment),
        }
    }
    out
}
