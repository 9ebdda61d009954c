//! MySQL's and MariaDB's side of risk: how a count runs on them, and the words the static rules
//! use about online DDL (`ALGORITHM=INPLACE, LOCK=NONE`, a table copy) and DDL that commits at once.

use sqlx::mysql::MySqlPool;

use crate::dialect::risk::{CountError, ProbeOptions, Words};
use crate::error::DbErrorKind;

/// MySQL 8 and MariaDB (InnoDB): online DDL where the server allows it, and DDL that commits at
/// once (a failing step is not rolled back, and the steps before it stay applied).
pub(crate) const WORDS: Words = Words {
    rewrite: "may copy the whole table (ALGORITHM=COPY), blocking writes until it finishes",
    rewrite_hint: "try ALGORITHM=INPLACE, LOCK=NONE first (the server refuses it when it cannot); for a big table use an online schema change tool (gh-ost, pt-online-schema-change)",
    still: "the table may still be copied (ALGORITHM=COPY), blocking writes",
    not_null: "fails if any row is NULL (in strict sql_mode; otherwise NULLs silently become 0 or ''), and rebuilds the table (ALGORITHM=INPLACE: writes go on)",
    not_null_hint: "UPDATE the NULL rows first; then MODIFY the column NOT NULL with ALGORITHM=INPLACE, LOCK=NONE",
    not_null_clean: "no row is NULL now; still rebuilds the table (in place: writes go on)",
    primary_key: "rebuilds the table around the new key (ALGORITHM=INPLACE, LOCK=NONE keeps writes going); fails on NULLs or duplicates",
    primary_key_hint: "remove NULLs and duplicates first; add it with ALGORITHM=INPLACE, LOCK=NONE",
    unique: "builds a unique index (ALGORITHM=INPLACE, LOCK=NONE keeps writes going); fails on duplicates",
    unique_hint: "remove duplicates first; add it with ALGORITHM=INPLACE, LOCK=NONE",
    unique_index: "builds a unique index (ALGORITHM=INPLACE, LOCK=NONE keeps writes going); fails on duplicates",
    unique_index_hint: "remove duplicates first; CREATE UNIQUE INDEX … ALGORITHM=INPLACE, LOCK=NONE",
    index: "builds an index: online (writes go on with LOCK=NONE), but it loads the server",
    index_hint: "CREATE INDEX … ALGORITHM=INPLACE, LOCK=NONE, at a quiet time",
    foreign_key: "with foreign_key_checks on, copies the table (ALGORITHM=COPY) and checks every row; fails on rows without a match",
    foreign_key_hint: "delete or fix the orphan rows first; with foreign_key_checks = 0 it is added in place, but existing rows are never checked",
    check: "checks every row while it copies the table (ALGORITHM=COPY); fails on rows it rejects",
    check_hint: "fix the rows it rejects first; run it at a quiet time",
    drop_table_hint: "keep a backup (mysqldump db table); rename the table instead if unsure",
    drop_index: "the drop itself is quick (in place)",
    drop_index_hint: "check its use first (sys.schema_unused_indexes on MySQL, index statistics on MariaDB); make it INVISIBLE (MySQL) or IGNORED (MariaDB) for a while before dropping it",
    drop_primary_key: "rows lose their identity: foreign keys, row-based replication and ORMs that rely on it break; InnoDB rebuilds the table on a hidden key",
    drop_unique: "duplicates can be written from now on; foreign keys or INSERT … ON DUPLICATE KEY UPDATE relying on it break",
    drop_unique_hint: "check no foreign key or ON DUPLICATE KEY UPDATE uses it",
    drop_function_hint: "check nothing calls it (triggers, views, events, application code)",
    time_zone: "values are reinterpreted in the session's time_zone (TIMESTAMP is stored in UTC, DATETIME as written)",
    time_zone_hint: "SET time_zone explicitly (e.g. '+00:00') for the migration and check a few values",
    failure_note: " (DDL commits at once: the steps before a failing one stay applied)",
};

/// A statement the session's limit stopped (`max_statement_time`, `max_execution_time`), or one
/// stopped by `KILL QUERY`: both are "interrupted" on this server.
fn interrupted(kind: DbErrorKind) -> bool {
    matches!(kind, DbErrorKind::StatementTimeout | DbErrorKind::Canceled)
}

/// MySQL/MariaDB: the session's statement limit (`max_statement_time` on MariaDB, in seconds;
/// `max_execution_time` on MySQL, in milliseconds) and `lock_wait_timeout` are set, the count
/// runs in a `START TRANSACTION READ ONLY`, and the settings are put back (a connection that
/// cannot be put back is closed instead of returning to the pool).
pub(crate) async fn count(
    pool: &MySqlPool,
    sql: &str,
    opts: &ProbeOptions,
    mariadb: &mut Option<bool>,
) -> Result<u64, CountError> {
    let mut conn = pool.acquire().await.map_err(CountError::from_sqlx)?;
    let maria = match *mariadb {
        Some(m) => m,
        None => {
            let v: String = sqlx::query_scalar("SELECT VERSION()")
                .fetch_one(&mut *conn)
                .await
                .map_err(CountError::from_sqlx)?;
            let m = v.to_ascii_lowercase().contains("mariadb");
            *mariadb = Some(m);
            m
        }
    };
    // lock_wait_timeout counts whole seconds.
    let lock = opts.lock_timeout.as_secs().max(1);
    let (set, reset) = if maria {
        (
            format!(
                "SET SESSION max_statement_time = {:.3}, lock_wait_timeout = {lock}",
                opts.statement_timeout.as_secs_f64().max(0.001)
            ),
            "SET SESSION max_statement_time = DEFAULT, lock_wait_timeout = DEFAULT",
        )
    } else {
        (
            format!(
                "SET SESSION max_execution_time = {}, lock_wait_timeout = {lock}",
                opts.statement_timeout.as_millis().max(1)
            ),
            "SET SESSION max_execution_time = DEFAULT, lock_wait_timeout = DEFAULT",
        )
    };
    let result = async {
        sqlx::raw_sql(&set)
            .execute(&mut *conn)
            .await
            .map_err(CountError::from_sqlx)?;
        sqlx::raw_sql("START TRANSACTION READ ONLY")
            .execute(&mut *conn)
            .await
            .map_err(CountError::from_sqlx)?;
        let n: Result<i64, sqlx::Error> = sqlx::query_scalar(sql)
            .persistent(false)
            .fetch_one(&mut *conn)
            .await;
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
        // KILL QUERY (1317) interrupts a statement as the limits do.
        n.map_err(|e| CountError::of_count(e, interrupted, opts))
    }
    .await;
    if sqlx::raw_sql(reset).execute(&mut *conn).await.is_err() {
        conn.close_on_drop();
    }
    Ok(u64::try_from(result?).unwrap_or(0))
}
