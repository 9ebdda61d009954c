//! Schema planning: diff two catalogs, order the changes, render them for TARGET's dialect.

use serde::{Deserialize, Serialize};

use super::diff::{self, DiffOptions};
use super::plan::{self, Reverse, Step};
use crate::dialect::postgres::render::{RenderCtx, render as render_pg};
use crate::error::{Error, Result};
use crate::model::{Catalog, Change, Dialect};

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

/// What a dialect can do, as data.
#[derive(Debug, Clone, Copy)]
pub struct Capabilities {
    /// DDL runs inside a transaction and rolls back with it.
    pub transactional_ddl: bool,
    /// sluice can render changes for it.
    pub renders: bool,
}

pub fn capabilities(d: Dialect) -> Capabilities {
    match d {
        Dialect::Postgres => Capabilities {
            transactional_ddl: true,
            renders: true,
        },
        Dialect::Sqlite => Capabilities {
            transactional_ddl: true,
            renders: false,
        },
        Dialect::Mysql => Capabilities {
            transactional_ddl: false,
            renders: false,
        },
    }
}

/// The changes that make `target` look like `source`, without ordering or SQL.
pub fn changes(target: &Catalog, source: &Catalog, opts: &DiffOptions) -> Vec<Change> {
    diff::diff(target, source, opts)
}

/// Plans the migration of `target` to `source`, in TARGET's dialect.
pub fn plan(target: &Catalog, source: &Catalog, opts: &DiffOptions) -> Result<SchemaPlan> {
    let dialect = target
        .dialect
        .or(source.dialect)
        .ok_or_else(|| Error::usage("neither catalog says which database it came from"))?;
    let caps = capabilities(dialect);
    let changes = diff::diff(target, source, opts);
    if !caps.renders {
        return Err(Error::usage(format!(
            "planning changes for {dialect} is not supported yet (diff works; plan and apply come with {dialect} support)"
        )));
    }
    let ctx = RenderCtx { source, target };
    let mut steps = plan::build(&changes, target, source, |c| render_pg(c, &ctx))
        .map_err(|c| Error::Refused(format!("cannot order the plan: {c}")))?;
    // Reverses render against the catalogs the other way round.
    let back = RenderCtx {
        source: target,
        target: source,
    };
    for step in &mut steps {
        step.reverse = match step.change.inverse() {
            Ok(inv) => Reverse::Sql(inv.iter().flat_map(|c| render_pg(c, &back)).collect()),
            Err(why) => Reverse::Irreversible(why),
        };
    }
    Ok(SchemaPlan {
        dialect,
        transactional: caps.transactional_ddl,
        changes,
        steps,
    })
}
