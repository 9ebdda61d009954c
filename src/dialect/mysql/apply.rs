//! MySQL / MariaDB apply: not transactional. Every DDL statement commits on its own, so steps run
//! one at a time, in order, and a journal (see [`crate::dialect::journal`]) records each statement
//! as it completes. A failing step stops the apply: the steps before it stay applied
//! ([`Error::ApplyPartial`], exit 6), and running the same pack again resumes at the first
//! statement not applied.
//!
//! Server-side limits are set first, so that nothing of ours runs on after we give up:
//! - `lock_wait_timeout` (metadata locks: what DDL waits for) and `innodb_lock_wait_timeout`
//!   (row locks) take the lock timeout;
//! - MariaDB's `max_statement_time` applies to every statement, DDL included; MySQL's
//!   `max_execution_time` only to `SELECT`s, so on MySQL a DDL statement has no server-side limit:
//!   both servers also get a client-side one (the statement timeout and a little grace), after
//!   which the statement is stopped with `KILL QUERY` from a second connection;
//! - `STRICT_ALL_TABLES` is added to the session's SQL mode, so that a retype or `NOT NULL` that
//!   does not fit the data fails instead of silently truncating or zero-filling it.

use std::time::{Duration, Instant};

use sqlx::mysql::MySqlPool;

use crate::cancel::Cancel;
use crate::dialect::journal::{self, Failure, InFlight, JournalSpec, Run, RunStatus, StepRecord};
use crate::error::{DbErrorKind, Error, Result};
use crate::model::plan::{ApplyOptions, ApplyReport, OnStep, Step};

/// How long past the statement timeout we wait before stopping a statement ourselves.
const GRACE: Duration = Duration::from_secs(2);

/// Runs `steps` against the database of `pool`, one statement at a time, journaling each.
pub async fn apply(
    pool: &MySqlPool,
    steps: &[Step],
    opts: &ApplyOptions,
    journal: Option<&JournalSpec>,
    cancel: &Cancel,
    on_step: OnStep<'_>,
) -> Result<ApplyReport> {
    if opts.dry_run {
        return Err(Error::usage(
            "--dry-run needs DDL that can be rolled back; MySQL and MariaDB commit every DDL \
             statement at once, so nothing could be undone: read up.sql instead",
        ));
    }
    let start = Instant::now();
    let total = steps.len();
    let mut conn = pool
        .acquire()
        .await
        .map_err(|e| crate::dialect::error::db("connecting for apply", e))?;
    let (version, connection_id): (String, u64) =
        sqlx::query_as("SELECT VERSION(), CONNECTION_ID()")
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| crate::dialect::error::db("reading the server version", e))?;
    let mariadb = version.to_ascii_lowercase().contains("mariadb");
    let lock = opts.lock_timeout.as_secs().max(1);
    let mut setup = vec![
        format!("SET SESSION lock_wait_timeout = {lock}"),
        format!("SET SESSION innodb_lock_wait_timeout = {lock}"),
        "SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_ALL_TABLES')"
            .to_string(),
    ];
    if mariadb {
        setup.push(format!(
            "SET SESSION max_statement_time = {:.3}",
            opts.statement_timeout.as_secs_f64()
        ));
    } else {
        setup.push(format!(
            "SET SESSION max_execution_time = {}",
            opts.statement_timeout.as_millis()
        ));
    }
    for s in &setup {
        sqlx::raw_sql(s.as_str())
            .execute(&mut *conn)
            .await
            .map_err(|e| crate::dialect::error::db("setting apply timeouts", e))?;
    }

    // Where to start: after what an earlier run of the same pack on this target did.
    let mut run = match journal {
        Some(spec) => match journal::run_for(spec)? {
            Some(r) if r.status != RunStatus::Complete && r.started() && r.total == total => r,
            _ => Run::new(total),
        },
        None => Run::new(total),
    };
    if run.in_flight.is_some() {
        return Err(Error::Refused(
            "the journal holds a statement in doubt (an earlier run was killed while it ran): apply the pack with `sluice apply`, which finds out whether it ran".into(),
        ));
    }
    run.status = RunStatus::Running;
    run.failure = None;
    run.fingerprint = None;
    run.in_flight = None;
    let save = |run: &Run| -> Result<()> {
        match journal {
            Some(spec) => journal::save(spec, run),
            None => Ok(()),
        }
    };
    save(&run)?;

    let first = run.applied;
    let mut statements = 0;
    for (i, step) in steps.iter().enumerate().skip(first) {
        let skip = if i == first { run.statements_done } else { 0 };
        if step.sql.len() > skip {
            on_step(step);
        }
        if run.steps.last().is_none_or(|r| r.number != step.number) {
            run.steps.push(StepRecord {
                number: step.number,
                kind: step.change.kind().to_string(),
                object: step.change.object(),
                statements: step.sql.len(),
                done: skip,
                finished_at: None,
            });
        }
        for (j, sql) in step.sql.iter().enumerate().skip(skip) {
            // In doubt until the server answers: a run killed now leaves this in the journal.
            run.in_flight = Some(InFlight {
                step: step.number,
                statement: j + 1,
                connection: connection_id,
                before: if step.sql.len() > 1 {
                    fingerprint(pool, journal).await
                } else {
                    None
                },
                sent_at: crate::clock::now_rfc3339(),
            });
            save(&run)?;
            // A statement ends by itself, at the client-side limit, or on a cancel; the last two
            // stop it on the server too, and leave it in doubt (it may have finished first).
            let mut interrupted = false;
            let outcome = tokio::select! {
                r = tokio::time::timeout(
                    opts.statement_timeout + GRACE,
                    sqlx::raw_sql(sql.as_str()).execute(&mut *conn),
                ) => r,
                _ = cancel.cancelled() => {
                    interrupted = true;
                    let _ = sqlx::raw_sql(format!("KILL QUERY {connection_id}").as_str())
                        .execute(pool)
                        .await;
                    Ok(Err(sqlx::Error::Protocol("interrupted; the statement was stopped".into())))
                }
            };
            let failed = match outcome {
                Ok(Ok(_)) => None,
                Ok(Err(_)) if interrupted => Some((
                    format!(
                        "interrupted ({}); the statement was stopped on the server",
                        cancel.reason()
                    ),
                    true,
                )),
                Ok(Err(e)) => Some((explain(&e, step), false)),
                Err(_) => {
                    // Stop it on the server too, from another connection.
                    let _ = sqlx::raw_sql(format!("KILL QUERY {connection_id}").as_str())
                        .execute(pool)
                        .await;
                    Some((
                        format!(
                            "no answer within the statement timeout ({}s); the statement was stopped",
                            opts.statement_timeout.as_secs()
                        ),
                        true,
                    ))
                }
            };
            if let Some((message, timed_out)) = failed {
                if !timed_out {
                    // The server refused it: DDL is atomic, nothing of it took effect.
                    run.in_flight = None;
                }
                if timed_out {
                    // The connection is in an unknown state: never give it back to the pool.
                    drop(conn.detach());
                } else {
                    drop(conn);
                }
                let object = format!("{} {}", step.change.object_kind(), step.change.object());
                run.status = RunStatus::Stopped;
                run.failure = Some(Failure {
                    step: step.number,
                    statement: j + 1,
                    object: object.clone(),
                    message: message.clone(),
                    at: crate::clock::now_rfc3339(),
                });
                run.fingerprint = fingerprint(pool, journal).await;
                save(&run)?;
                if interrupted {
                    return Err(cancel.error());
                }
                return Err(Error::ApplyPartial {
                    step: step.number,
                    total,
                    applied: run.applied,
                    object,
                    message,
                });
            }
            statements += 1;
            run.in_flight = None;
            run.statements_done = j + 1;
            if let Some(r) = run.steps.last_mut() {
                r.done = j + 1;
            }
            save(&run)?;
        }
        run.applied = i + 1;
        run.statements_done = 0;
        if let Some(r) = run.steps.last_mut() {
            r.done = step.sql.len();
            r.finished_at = Some(crate::clock::now_rfc3339());
        }
        save(&run)?;
    }
    drop(conn);
    run.status = RunStatus::Complete;
    run.fingerprint = fingerprint(pool, journal).await;
    save(&run)?;
    Ok(ApplyReport {
        steps: steps[first.min(total)..]
            .iter()
            .filter(|s| !s.sql.is_empty())
            .count(),
        statements,
        rows_affected: 0,
        elapsed: start.elapsed(),
        rolled_back: false,
    })
}

/// TARGET's schema fingerprint as it stands, for the journal (none if it cannot be read).
async fn fingerprint(pool: &MySqlPool, journal: Option<&JournalSpec>) -> Option<String> {
    let filter = journal.map(|j| j.filter.clone()).unwrap_or_default();
    let cat = crate::dialect::inspect(&crate::dialect::Db::My(pool.clone()), &filter)
        .await
        .ok()?;
    Some(cat.fingerprint())
}

/// Stops what a killed run left running on the server: connection `id`, if it still runs `sql`
/// (a connection id can be given again after a restart, so one running anything else is left
/// alone). Waits until it is gone.
pub async fn stop_stale(pool: &MySqlPool, id: u64, sql: &str) -> Result<()> {
    let ctx = "stopping the statement a killed apply left running";
    let head: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    let head: String = head.chars().take(48).collect();
    let running = || async {
        let info: Option<Option<String>> =
            sqlx::query_scalar("SELECT INFO FROM information_schema.PROCESSLIST WHERE ID = ?")
                .bind(id)
                .fetch_optional(pool)
                .await
                .map_err(|e| crate::dialect::error::db(ctx, e))?;
        let ours = info.flatten().is_some_and(|i| {
            let i: String = i.split_whitespace().collect::<Vec<_>>().join(" ");
            !head.is_empty() && i.starts_with(&head)
        });
        Ok::<bool, Error>(ours)
    };
    if !running().await? {
        return Ok(());
    }
    let _ = sqlx::raw_sql(format!("KILL {id}").as_str())
        .execute(pool)
        .await;
    let start = Instant::now();
    while running().await? {
        if start.elapsed() > Duration::from_secs(60) {
            return Err(Error::db(
                ctx,
                format!("connection {id} still runs it a minute after KILL"),
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// The server's message, with a hint where the kind of failure and the plan suggest the cause.
fn explain(e: &sqlx::Error, step: &Step) -> String {
    let msg = crate::dialect::error::message(e);
    match crate::dialect::error::kind(e) {
        DbErrorKind::LockTimeout => {
            format!("{msg} — another session holds a lock on it; try again when it is idle")
        }
        DbErrorKind::StatementTimeout => {
            format!("{msg} — it ran longer than the statement timeout")
        }
        DbErrorKind::UndefinedObject => {
            format!("{msg} — was it renamed or dropped since the plan was made?")
        }
        DbErrorKind::UniqueViolation => format!(
            "{msg} — TARGET holds duplicate values for {}",
            step.change.object()
        ),
        _ => msg,
    }
}
