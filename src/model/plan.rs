//! Plans as data: ordered steps, each a change with its SQL and its reverse; apply options and
//! reports. Built by `engine::plan`, rendered by `dialect::*::render`, run by `dialect::*::apply`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::change::Change;

/// One step of a plan: a change and the SQL that makes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// 1-based position in the plan.
    pub number: usize,
    pub change: Change,
    /// Statements, in order.
    pub sql: Vec<String>,
    /// Numbers of the steps this one must follow.
    pub after: Vec<usize>,
    /// Numbers of the steps this one only makes sense together with: when any of them is left
    /// out of an apply (a destructive step not allowed), this one is left out too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub with: Vec<usize>,
    /// How to undo it.
    #[serde(default)]
    pub reverse: Reverse,
    /// How risky it is, with what the target's data says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<super::risk::Assessment>,
}

/// The statements that undo a step, or why it cannot be undone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reverse {
    /// Undoes the step completely: catalog and data.
    Sql(Vec<String>),
    /// Restores the catalog but not the data (a dropped column re-added empty, a dropped table
    /// created again without its rows, a narrowed type widened back): `why` says what is lost.
    Lossy { sql: Vec<String>, why: String },
    /// Cannot be undone at all.
    Irreversible(String),
}

impl Reverse {
    /// The statements, whether or not they bring the data back.
    pub fn sql(&self) -> &[String] {
        match self {
            Reverse::Sql(v) | Reverse::Lossy { sql: v, .. } => v,
            Reverse::Irreversible(_) => &[],
        }
    }

    /// Why the data does not come back, when it does not.
    pub fn data_lost(&self) -> Option<&str> {
        match self {
            Reverse::Sql(_) => None,
            Reverse::Lossy { why, .. } | Reverse::Irreversible(why) => Some(why),
        }
    }
}

/// One step of `down.sql`: a change that undoes (part of) an enabled step of the plan, with its
/// SQL, in the order the dependency graph gives the undo plan. One plan step may be undone by
/// several down steps (a dropped table is created again, then its indexes and triggers), and a
/// step whose undo is empty has none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DownStep {
    /// 1-based position in `down.sql`.
    pub number: usize,
    /// The number of the plan step this undoes.
    pub undoes: usize,
    /// The change this step makes (the inverse of one of the plan step's changes).
    pub change: Change,
    /// Statements, in run order.
    pub sql: Vec<String>,
    /// Why the data does not come back (the SQL restores the catalog only), when it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub irreversible: Option<String>,
}

impl DownStep {
    /// As a plan step, for the apply machinery (`rollback`): numbered as in `down.sql`, with no
    /// reverse of its own.
    pub fn step(&self) -> Step {
        Step {
            number: self.number,
            change: self.change.clone(),
            sql: self.sql.clone(),
            after: Vec::new(),
            with: Vec::new(),
            reverse: Reverse::default(),
            risk: None,
        }
    }
}

impl Default for Reverse {
    fn default() -> Self {
        Reverse::Sql(Vec::new())
    }
}

/// How apply runs.
#[derive(Debug, Clone, Copy)]
pub struct ApplyOptions {
    /// How long a statement may wait for a lock before it fails.
    pub lock_timeout: Duration,
    /// How long one statement may run.
    pub statement_timeout: Duration,
    /// Run everything, then roll back (where DDL is transactional): reports what would fail.
    pub dry_run: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            lock_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(300),
            dry_run: false,
        }
    }
}

/// What an apply did.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyReport {
    pub steps: usize,
    pub statements: usize,
    /// Rows the statements reported changing (DDL reports none; data steps do).
    pub rows_affected: u64,
    pub elapsed: Duration,
    pub rolled_back: bool,
}

/// Which database a plan was made for, as the server itself names it: PostgreSQL's system
/// identifier and the database, MySQL's server UUID and the schema, a SQLite file's device,
/// inode and path. Two databases with the same schema have different identities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetIdentity {
    /// What is compared (`postgres:7312047283:shop:16384`).
    pub id: String,
    /// How a person reads it (`PostgreSQL cluster 7312047283, database shop`).
    pub describe: String,
}

/// Told each time a step with SQL starts to run (the engine turns it into an event for its
/// client). `&|_| {}` when nobody listens.
pub type OnStep<'a> = &'a (dyn Fn(&Step) + Send + Sync);
