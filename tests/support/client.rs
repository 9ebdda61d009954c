//! The library as the tests use it directly: one way to connect, inspect and run steps.

use sluice::dialect::{Access, Db, DbUrl};
use sluice::model::plan::{ApplyOptions, ApplyReport, Step};
use sluice::model::{Catalog, Filter};

/// Opens `url` (the test's own database), panicking with the reason when it cannot.
pub async fn connect(url: &str, access: Access) -> Db {
    DbUrl::parse(url)
        .expect("url")
        .connect(access)
        .await
        .expect("connect")
}

/// The whole catalog, unfiltered.
pub async fn inspect(db: &Db) -> Result<Catalog, String> {
    sluice::dialect::inspect(db, &Filter::default())
        .await
        .map_err(|e| format!("inspect: {e}"))
}

/// Runs `steps` as apply would (one transaction, or one statement at a time on MySQL), without
/// the pack's gates, journal or cancellation.
pub async fn apply(db: &Db, steps: &[Step], opts: &ApplyOptions) -> sluice::Result<ApplyReport> {
    sluice::dialect::apply(db, steps, opts, None, &Default::default(), &|_| {}).await
}
