//! Apply: the one careful executor of planned steps. Each dialect runs them its own way
//! (`dialect::*::apply`): PostgreSQL and SQLite in one transaction, MySQL step by step with a
//! journal, because its DDL commits implicitly.

use crate::dialect::{self, Db};
use crate::error::Result;
use crate::model::plan::Step;
pub use crate::model::plan::{ApplyOptions, ApplyReport};

/// Runs `steps` against `db`.
pub async fn apply(db: &Db, steps: &[Step], opts: &ApplyOptions) -> Result<ApplyReport> {
    dialect::apply(db, steps, opts).await
}
