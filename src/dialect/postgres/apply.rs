//! PostgreSQL apply: one transaction — every step or none. Server-side lock and statement
//! timeouts are set first so that nothing of ours runs on after we give up.

use std::time::Instant;

use sqlx::Connection;
use sqlx::postgres::PgPool;

use crate::cancel::Cancel;
use crate::error::{DbErrorKind, Error, Result};
use crate::model::plan::{ApplyOptions, ApplyReport, OnStep, Step};

/// Runs `steps` against `db` as one transaction. A cancel (a signal) stops the running statement
/// on the server (`pg_cancel_backend`) and rolls everything back ([`Error::Interrupted`]).
pub async fn apply(
    pool: &PgPool,
    steps: &[Step],
    opts: &ApplyOptions,
    cancel: &Cancel,
    on_step: OnStep<'_>,
) -> Result<ApplyReport> {
    let start = Instant::now();
    let mut conn = pool
        .acquire()
        .await
        .map_err(|e| crate::dialect::error::db("connecting for apply", e))?;
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| crate::dialect::error::db("connecting for apply", e))?;
    let work = run(&mut conn, steps, opts, on_step);
    tokio::pin!(work);
    let (result, interrupted) = tokio::select! {
        r = &mut work => (r, false),
        _ = cancel.cancelled() => {
            // Stop the statement on the server, then let the transaction roll back.
            if let Ok(mut other) = pool.acquire().await {
                let _ = sqlx::query("SELECT pg_cancel_backend($1)")
                    .bind(pid)
                    .execute(&mut *other)
                    .await;
            }
            (work.await, true)
        }
    };
    if interrupted {
        return match result {
            // Finished (committed) before the cancel arrived.
            Ok(_) if !opts.dry_run => Ok(ApplyReport {
                steps: steps.iter().filter(|s| !s.sql.is_empty()).count(),
                statements: 0,
                rows_affected: 0,
                elapsed: start.elapsed(),
                rolled_back: false,
            }),
            _ => Err(cancel.error()),
        };
    }
    let (statements, rows_affected) = result?;
    Ok(ApplyReport {
        steps: steps.iter().filter(|s| !s.sql.is_empty()).count(),
        statements,
        rows_affected,
        elapsed: start.elapsed(),
        rolled_back: opts.dry_run,
    })
}

/// The transaction itself: returns the number of statements run and the rows they changed.
async fn run(
    conn: &mut sqlx::pool::PoolConnection<sqlx::Postgres>,
    steps: &[Step],
    opts: &ApplyOptions,
    on_step: OnStep<'_>,
) -> Result<(usize, u64)> {
    let mut tx = conn
        .begin()
        .await
        .map_err(|e| crate::dialect::error::db("starting the apply transaction", e))?;
    let setup = [
        // As pg_dump does: function bodies are checked when they run, not when created, so a
        // function may mention tables and views the plan creates after it.
        "SET LOCAL check_function_bodies = off".to_string(),
        format!("SET LOCAL lock_timeout = {}", opts.lock_timeout.as_millis()),
        format!(
            "SET LOCAL statement_timeout = {}",
            opts.statement_timeout.as_millis()
        ),
    ];
    for s in &setup {
        sqlx::raw_sql(s.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| crate::dialect::error::db("setting apply timeouts", e))?;
    }
    let total = steps.len();
    let mut statements = 0;
    let mut rows = 0u64;
    for step in steps {
        if !step.sql.is_empty() {
            on_step(step);
        }
        for sql in &step.sql {
            let r = sqlx::raw_sql(sql.as_str()).execute(&mut *tx).await;
            if let Ok(done) = &r {
                rows += done.rows_affected();
            }
            if let Err(e) = r {
                let _ = tx.rollback().await;
                return Err(Error::ApplyRolledBack {
                    step: step.number,
                    total,
                    object: format!("{} {}", step.change.object_kind(), step.change.object()),
                    message: explain(&e, step),
                });
            }
            statements += 1;
        }
    }
    if opts.dry_run {
        tx.rollback()
            .await
            .map_err(|e| crate::dialect::error::db("rolling back the dry run", e))?;
    } else {
        tx.commit()
            .await
            .map_err(|e| crate::dialect::error::db("committing the apply", e))?;
    }
    Ok((statements, rows))
}

/// The server's message, with a hint where the kind of failure and the plan suggest the cause.
fn explain(e: &sqlx::Error, step: &Step) -> String {
    let msg = crate::dialect::error::message(e);
    match crate::dialect::error::kind(e) {
        DbErrorKind::LockTimeout => {
            format!("{msg} — another session holds a lock on it; try again when it is idle")
        }
        DbErrorKind::UndefinedObject | DbErrorKind::UnknownDatabase => {
            format!("{msg} — was it renamed or dropped since the plan was made?")
        }
        DbErrorKind::UniqueViolation => format!(
            "{msg} — TARGET holds duplicate values for {}",
            step.change.object()
        ),
        _ => msg,
    }
}
