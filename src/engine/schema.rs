//! Schema planning: diff two catalogs, order the changes, render them for TARGET's dialect.

use serde::{Deserialize, Serialize};

use super::diff::{self, DiffOptions};
use super::plan::{self, Step};
use super::{cross, down, risk};
use crate::dialect::Db;
use crate::dialect::{self, RenderCtx, capabilities};
use crate::error::{Error, Result};
use crate::model::{Assessment, Catalog, Change, Dialect, plan_score};

/// A plan: the changes, and the ordered steps that make them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaPlan {
    pub dialect: Dialect,
    /// Whether the whole plan runs in one transaction (all or nothing).
    pub transactional: bool,
    pub changes: Vec<Change>,
    pub steps: Vec<Step>,
}

impl SchemaPlan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Steps that can destroy data.
    pub fn destructive_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.change.is_destructive())
    }
}

/// The changes that make `target` look like `source`, without ordering or SQL. Across dialects,
/// SOURCE is first restated in TARGET's terms (see `engine::cross`).
pub fn changes(target: &Catalog, source: &Catalog, opts: &DiffOptions) -> Vec<Change> {
    if cross::is_cross(target, source) {
        let a = cross::align(target, source);
        let mut out: Vec<Change> = diff::diff(&a.target, &a.source, opts)
            .into_iter()
            .filter(cross::keep)
            .collect();
        out.extend(a.not_portable);
        out
    } else {
        diff::diff(target, source, opts)
    }
}

/// Plans the migration of `target` to `source`, in TARGET's dialect.
pub fn plan(target: &Catalog, source: &Catalog, opts: &DiffOptions) -> Result<SchemaPlan> {
    if cross::is_cross(target, source) {
        let a = cross::align(target, source);
        return plan_aligned(&a.target, &a.source, opts, a.not_portable, true);
    }
    plan_aligned(target, source, opts, Vec::new(), false)
}

fn plan_aligned(
    target: &Catalog,
    source: &Catalog,
    opts: &DiffOptions,
    extra: Vec<Change>,
    cross_dialect: bool,
) -> Result<SchemaPlan> {
    let dialect = target
        .dialect
        .or(source.dialect)
        .ok_or_else(|| Error::usage("neither catalog says which database it came from"))?;
    let caps = capabilities(dialect);
    let ctx = RenderCtx { source, target };
    let mut changes = diff::diff(target, source, opts);
    if cross_dialect {
        changes.retain(cross::keep);
    }
    changes.extend(extra);
    let changes = dialect::prepare(dialect, changes, &ctx);
    if !caps.renders {
        return Err(Error::usage(format!(
            "planning changes for {dialect} is not supported yet (diff works; plan and apply come with {dialect} support)"
        )));
    }
    let mut steps = plan::build(&changes, target, source, |c| {
        dialect::render(dialect, c, &ctx)
    })
    .map_err(|c| Error::Refused(format!("cannot order the plan: {c}")))?;
    // Each step's own reverse (down.sql orders the undo of a whole plan: `engine::down`).
    let after = super::diff::align_default_schema(target, source);
    let cx = down::UndoCtx {
        dialect,
        before: target,
        after: &after,
        plan: &changes,
    };
    for step in &mut steps {
        step.reverse = down::reverse(&step.change, &cx);
    }
    let mut plan = SchemaPlan {
        dialect,
        transactional: caps.transactional_ddl,
        changes,
        steps,
    };
    let static_risk = risk::assess_plan(&plan.changes, target, source);
    attach_risk(&mut plan, static_risk);
    Ok(plan)
}

/// Replaces each step's risk with one made concrete by counting on TARGET (`db`).
pub async fn assess_with_data(plan: &mut SchemaPlan, target: &Catalog, source: &Catalog, db: &Db) {
    let data = risk::assess_with_data(&plan.changes, target, source, Some(db)).await;
    attach_risk(plan, data);
}

fn attach_risk(plan: &mut SchemaPlan, assessments: Vec<Assessment>) {
    for step in &mut plan.steps {
        if let Some(i) = plan.changes.iter().position(|c| *c == step.change) {
            step.risk = assessments.get(i).cloned();
        }
    }
}

impl SchemaPlan {
    /// The plan's overall risk score, 0–100.
    pub fn score(&self) -> u8 {
        plan_score(self.steps.iter().filter_map(|s| s.risk.as_ref()))
    }
}
