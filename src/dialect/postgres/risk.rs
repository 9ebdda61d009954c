//! PostgreSQL's side of risk: how a count runs on it, and the words the static rules use about
//! its locks and alternatives (`ACCESS EXCLUSIVE`, `CONCURRENTLY`, `NOT VALID`).

use std::time::Duration;

use sqlx::postgres::PgPool;

use crate::dialect::risk::{CountError, ProbeOptions, Words};
use crate::error::DbErrorKind;

const NOT_VALID_HINT: &str =
    "add it NOT VALID, then VALIDATE CONSTRAINT in a separate step (that does not block writes)";

pub(crate) const WORDS: Words = Words {
    rewrite: "rewrites the whole table under an ACCESS EXCLUSIVE lock",
    rewrite_hint: "run it at a quiet time; for a big table add a new column, backfill it in batches and swap",
    still: "still rewrites the whole table under an ACCESS EXCLUSIVE lock",
    not_null: "fails if any row is NULL, and scans the whole table under an ACCESS EXCLUSIVE lock",
    not_null_hint: "ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT, then SET NOT NULL (PostgreSQL 12+ skips the scan), then drop the check",
    not_null_clean: "no row is NULL now; still scans the whole table under an ACCESS EXCLUSIVE lock",
    primary_key: "builds a unique index and sets NOT NULL under an ACCESS EXCLUSIVE lock; fails on NULLs or duplicates",
    primary_key_hint: "CREATE UNIQUE INDEX CONCURRENTLY …, then ALTER TABLE … ADD PRIMARY KEY USING INDEX …",
    unique: "builds a unique index while blocking writes; fails on duplicates",
    unique_hint: "CREATE UNIQUE INDEX CONCURRENTLY …, then ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX …",
    unique_index: "blocks writes to the table while it builds; fails on duplicates",
    unique_index_hint: "CREATE UNIQUE INDEX CONCURRENTLY (outside a transaction)",
    index: "blocks writes to the table while it builds",
    index_hint: "CREATE INDEX CONCURRENTLY (outside a transaction)",
    foreign_key: "checks every row under locks on both tables; fails on rows without a match",
    foreign_key_hint: NOT_VALID_HINT,
    check: "checks every row under an ACCESS EXCLUSIVE lock; fails on rows it rejects",
    check_hint: NOT_VALID_HINT,
    drop_table_hint: "keep a backup (pg_dump -t …); rename the table instead if unsure",
    drop_index: "DROP INDEX locks the table",
    drop_index_hint: "check pg_stat_user_indexes.idx_scan first; use DROP INDEX CONCURRENTLY",
    drop_primary_key: "rows lose their identity: foreign keys, replication (REPLICA IDENTITY) and ORMs that rely on it break",
    drop_unique: "duplicates can be written from now on; foreign keys or ON CONFLICT clauses relying on it break",
    drop_unique_hint: "check no foreign key or ON CONFLICT uses it",
    drop_function_hint: "check nothing calls it (pg_depend, application code)",
    time_zone: "values are reinterpreted in the session's TimeZone (no rewrite in PostgreSQL 12+ when it is UTC)",
    time_zone_hint: "SET TimeZone explicitly (e.g. 'UTC') for the migration and check a few values",
    failure_note: "",
};

/// PostgreSQL: `REPEATABLE READ, READ ONLY`, with `statement_timeout` and `lock_timeout` set for
/// the transaction only.
pub(crate) async fn count(
    pool: &PgPool,
    sql: &str,
    opts: &ProbeOptions,
) -> Result<u64, CountError> {
    let mut tx = pool
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await
        .map_err(CountError::from_sqlx)?;
    let ms = |d: Duration| format!("{}ms", d.as_millis().max(1));
    sqlx::query(
        "SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true)",
    )
    .bind(ms(opts.statement_timeout))
    .bind(ms(opts.lock_timeout))
    .execute(&mut *tx)
    .await
    .map_err(CountError::from_sqlx)?;
    let n: Result<i64, sqlx::Error> = sqlx::query_scalar(sql)
        .persistent(false)
        .fetch_one(&mut *tx)
        .await;
    // Read-only: nothing to keep. A failed rollback only means the connection is gone.
    let _ = tx.rollback().await;
    let n = n.map_err(|e| CountError::of_count(e, DbErrorKind::is_statement_timeout, opts))?;
    Ok(u64::try_from(n).unwrap_or(0))
}
