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

/// How an object of `cat` reads as SQL in `cat`'s own dialect: what the detail view of the TUI
/// puts side by side (a table with its keys, foreign keys, indexes and triggers; a view, routine,
/// sequence or type as its CREATE statement). `None` when `cat` has no such object.
pub fn definition(cat: &Catalog, schema: &str, name: &str) -> Option<String> {
    let d = cat.dialect?;
    let s = cat.schema(schema)?;
    let changes: Vec<Change> = if let Some(t) = s.table(name) {
        super::diff::create_table_changes(schema, t)
    } else if let Some(v) = s.view(name) {
        vec![Change::CreateView {
            schema: schema.into(),
            view: v.clone(),
        }]
    } else if let Some(f) = s
        .functions
        .iter()
        .find(|f| f.name == name || format!("{}({})", f.name, f.arguments) == name)
    {
        vec![Change::CreateFunction {
            schema: schema.into(),
            function: f.clone(),
        }]
    } else if let Some(q) = s.sequences.iter().find(|q| q.name == name) {
        vec![Change::CreateSequence {
            schema: schema.into(),
            sequence: q.clone(),
        }]
    } else if let Some(e) = s.enums.iter().find(|e| e.name == name) {
        vec![Change::CreateEnum {
            schema: schema.into(),
            enum_type: e.clone(),
        }]
    } else if let Some(x) = s.domains.iter().find(|x| x.name == name) {
        vec![Change::CreateDomain {
            schema: schema.into(),
            domain: x.clone(),
        }]
    } else {
        return None;
    };
    let ctx = RenderCtx {
        source: cat,
        target: cat,
    };
    let sql: Vec<String> = changes
        .iter()
        .flat_map(|c| dialect::render(d, c, &ctx))
        .map(|q| dialect::script_statement(d, &q))
        .collect();
    Some(sql.join("\n"))
}
