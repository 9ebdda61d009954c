//! SQLite's side of risk: how a count runs on it (no server: `query_only`, `busy_timeout` and a
//! progress handler stand in for the limits), and the words the static rules use about rebuilds.

use std::time::{Duration, Instant};

use sqlx::sqlite::SqlitePool;

use crate::dialect::risk::{CountError, ProbeOptions, Words};
use crate::error::DbErrorKind;

/// SQLite: most table changes are a rebuild (new table, copy every row, drop, rename) inside one
/// transaction that holds the write lock.
pub(crate) const WORDS: Words = Words {
    rewrite: "rebuilds the table: every row is copied and writers wait until it commits",
    rewrite_hint: "run it when writes can wait; the rebuild is one transaction, all or nothing",
    still: "still rebuilds the table (every row is copied)",
    not_null: "fails if any row is NULL; the table is rebuilt (every row copied, writers wait until it commits)",
    not_null_hint: "UPDATE the NULL rows first (… SET col = … WHERE col IS NULL)",
    not_null_clean: "no row is NULL now; still rebuilds the table (every row is copied)",
    primary_key: "the table is rebuilt around the new key (writers wait until it commits); fails on duplicates, and on NULLs where SQLite refuses them",
    primary_key_hint: "remove duplicates and NULLs first; run it when writes can wait",
    unique: "the table is rebuilt with the new constraint (writers wait until it commits); fails on duplicates",
    unique_hint: "remove duplicates first; a UNIQUE INDEX does the same without a rebuild",
    unique_index: "CREATE UNIQUE INDEX blocks writers until it commits; fails on duplicates",
    unique_index_hint: "remove duplicates first; run it when writes can wait",
    index: "CREATE INDEX blocks writers until it commits",
    index_hint: "run it when writes can wait",
    foreign_key: "the rebuilt table is checked with PRAGMA foreign_key_check: rows without a match roll it back",
    foreign_key_hint: "delete or fix the orphan rows first",
    check: "every row is checked as the table is rebuilt: rows it rejects roll it back",
    check_hint: "fix the rows it rejects first",
    drop_table_hint: "keep a copy of the database file (or .dump the table); rename the table instead if unsure",
    drop_index: "the drop itself is quick",
    drop_index_hint: "check the query plans that use it first (EXPLAIN QUERY PLAN)",
    drop_primary_key: "rows lose their identity: foreign keys and ORMs that rely on it break",
    drop_unique: crate::dialect::postgres::risk::WORDS.drop_unique,
    drop_unique_hint: crate::dialect::postgres::risk::WORDS.drop_unique_hint,
    drop_function_hint: "check nothing calls it (application code)",
    time_zone: "values are reinterpreted by a time zone",
    time_zone_hint: "check a few values after the change",
    failure_note: "",
};

/// SQLite: the pool's connections are read-only when opened for reading; the count also runs
/// with `query_only` on, inside a deferred transaction, with `busy_timeout` as the lock limit
/// and a progress handler as the statement limit (SQLite has no server-side timeout). The
/// connection's settings are put back, or it is closed instead of returning to the pool.
pub(crate) async fn count(
    pool: &SqlitePool,
    sql: &str,
    opts: &ProbeOptions,
) -> Result<u64, CountError> {
    let mut conn = pool.acquire().await.map_err(CountError::from_sqlx)?;
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(&mut *conn)
        .await
        .map_err(CountError::from_sqlx)?;
    let query_only: i64 = sqlx::query_scalar("PRAGMA query_only")
        .fetch_one(&mut *conn)
        .await
        .map_err(CountError::from_sqlx)?;
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1);
    let deadline = Instant::now() + opts.statement_timeout;
    match conn.lock_handle().await {
        Ok(mut h) => h.set_progress_handler(1_000, move || Instant::now() < deadline),
        Err(e) => return Err(CountError::from_sqlx(e)),
    }
    let result = async {
        sqlx::raw_sql(&format!(
            "PRAGMA busy_timeout = {}; PRAGMA query_only = ON; BEGIN",
            ms(opts.lock_timeout)
        ))
        .execute(&mut *conn)
        .await
        .map_err(CountError::from_sqlx)?;
        let n: Result<i64, sqlx::Error> = sqlx::query_scalar(sql)
            .persistent(false)
            .fetch_one(&mut *conn)
            .await;
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
        n.map_err(|e| CountError::of_count(e, DbErrorKind::is_statement_timeout, opts))
    }
    .await;
    let mut restored = match conn.lock_handle().await {
        Ok(mut h) => {
            h.remove_progress_handler();
            true
        }
        Err(_) => false,
    };
    restored &= sqlx::raw_sql(&format!(
        "PRAGMA query_only = {}; PRAGMA busy_timeout = {}",
        if query_only != 0 { "ON" } else { "OFF" },
        busy.max(0)
    ))
    .execute(&mut *conn)
    .await
    .is_ok();
    if !restored {
        conn.close_on_drop();
    }
    Ok(u64::try_from(result?).unwrap_or(0))
}
