//! Apply: the one careful executor of planned steps. Each dialect runs them its own way
//! (`dialect::*::apply`): PostgreSQL and SQLite in one transaction, MySQL step by step with a
//! journal, because its DDL commits implicitly.

use crate::dialect::journal::JournalSpec;
use crate::dialect::{self, Db};
use crate::error::Result;
use crate::model::plan::Step;
pub use crate::model::plan::{ApplyOptions, ApplyReport};

/// Runs `steps` against `db`.
pub async fn apply(db: &Db, steps: &[Step], opts: &ApplyOptions) -> Result<ApplyReport> {
    dialect::apply(db, steps, opts, None).await
}

/// Runs `steps` against `db`, journaling them where the database cannot roll DDL back (a re-run
/// with the same journal resumes at the first step not applied).
pub async fn apply_with_journal(
    db: &Db,
    steps: &[Step],
    opts: &ApplyOptions,
    journal: Option<&JournalSpec>,
) -> Result<ApplyReport> {
    dialect::apply(db, steps, opts, journal).await
}
