//! SQLite apply: one transaction, every step or none.
//!
//! As the documented table rebuild asks (<https://www.sqlite.org/lang_altertable.html#otheralter>):
//! `PRAGMA foreign_keys = OFF` before the transaction (inside one it does nothing), so that
//! dropping a rebuilt table deletes no child row through `ON DELETE CASCADE`; `BEGIN IMMEDIATE`
//! takes the write lock at once (waiting up to the lock timeout, as `busy_timeout`); the steps run
//! with `legacy_alter_table` off (a rebuild turns it on for its own rename only); foreign keys are
//! checked with `PRAGMA foreign_key_check` for the whole file before COMMIT (a rebuild's own check
//! only names the step to blame: mid-plan, a parent's key may still be on its way), and any
//! violation TARGET did not already have rolls everything back; then
//! `foreign_keys` and `legacy_alter_table` are put back as they were. A statement running past the
//! statement timeout is interrupted (SQLite has no server-side timeout: a progress handler).
//! The connection's settings changed, so it is closed instead of going back to the pool.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnection, SqlitePool};
use sqlx::{Connection, Row};

use crate::cancel::Cancel;
use crate::error::{DbErrorKind, Error, Result};
use crate::model::plan::{ApplyOptions, ApplyReport, OnStep, Step};

/// Violations of foreign keys, counted by (child table, parent table), ASCII lower-cased.
type Violations = BTreeMap<(String, String), usize>;

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

async fn exec(conn: &mut SqliteConnection, sql: &str) -> std::result::Result<(), sqlx::Error> {
    sqlx::raw_sql(sql).execute(&mut *conn).await.map(|_| ())
}

async fn pragma_on(conn: &mut SqliteConnection, name: &str) -> Result<bool> {
    let row = sqlx::query(&format!("PRAGMA {name}"))
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| crate::dialect::error::db(format!("reading PRAGMA {name}"), e))?;
    Ok(row
        .and_then(|r| r.try_get::<i64, _>(0).ok())
        .is_some_and(|v| v != 0))
}

/// `PRAGMA foreign_key_check` (optionally of one table), counted.
async fn violations(
    conn: &mut SqliteConnection,
    sql: &str,
) -> std::result::Result<Violations, sqlx::Error> {
    let rows = sqlx::query(sql).fetch_all(&mut *conn).await?;
    let mut out = Violations::new();
    for r in rows {
        let child: String = r.try_get(0).unwrap_or_default();
        let parent: String = r.try_get(2).unwrap_or_default();
        *out.entry((child.to_ascii_lowercase(), parent.to_ascii_lowercase()))
            .or_default() += 1;
    }
    Ok(out)
}

/// The first (child, parent) pair with more violations than TARGET had before.
fn worse(before: Option<&Violations>, now: &Violations) -> Option<((String, String), usize)> {
    now.iter()
        .find(|(k, n)| before.and_then(|b| b.get(*k)).copied().unwrap_or(0) < **n)
        .map(|(k, n)| (k.clone(), *n))
}

fn is_fk_check(sql: &str) -> bool {
    let words: Vec<&str> = sql.split_whitespace().take(2).collect();
    matches!(words.as_slice(), [p, rest] if p.eq_ignore_ascii_case("PRAGMA")
        && rest.get(..17).is_some_and(|w| w.eq_ignore_ascii_case("foreign_key_check")))
}

/// Runs `steps` against the SQLite file behind `pool` as one transaction.
pub async fn apply(
    pool: &SqlitePool,
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
    conn.close_on_drop();
    let fk_on = pragma_on(&mut conn, "foreign_keys").await?;
    let legacy = pragma_on(&mut conn, "legacy_alter_table").await?;
    let setup = [
        format!("PRAGMA busy_timeout = {}", ms(opts.lock_timeout)),
        "PRAGMA foreign_keys = OFF".to_string(),
        "PRAGMA legacy_alter_table = OFF".to_string(),
    ];
    for s in &setup {
        exec(&mut conn, s)
            .await
            .map_err(|e| crate::dialect::error::db("preparing the connection for apply", e))?;
    }
    // Statement timeout: a progress handler interrupts a statement past its deadline.
    let origin = Instant::now();
    let deadline = Arc::new(AtomicU64::new(u64::MAX));
    // A cancel (a signal): the same handler stops the running statement; the transaction rolls
    // back.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let listener = {
        let s = Arc::clone(&stop);
        let cancel = cancel.clone();
        tokio::spawn(async move {
            cancel.cancelled().await;
            s.store(true, Ordering::Relaxed);
        })
    };
    {
        let d = Arc::clone(&deadline);
        let stop = Arc::clone(&stop);
        let mut handle = conn
            .lock_handle()
            .await
            .map_err(|e| crate::dialect::error::db("preparing the connection for apply", e))?;
        handle.set_progress_handler(10_000, move || {
            !stop.load(Ordering::Relaxed) && ms(origin.elapsed()) < d.load(Ordering::Relaxed)
        });
    }
    let limit = ms(opts.statement_timeout);
    let arm = |on: bool| {
        let at = if on {
            ms(origin.elapsed()).saturating_add(limit)
        } else {
            u64::MAX
        };
        deadline.store(at, Ordering::Relaxed);
    };
    let result = run(&mut conn, steps, opts, &arm, on_step).await;
    arm(false);
    listener.abort();
    // Put the connection back as it was (it is closed anyway).
    let restore = [
        format!("PRAGMA foreign_keys = {}", if fk_on { "ON" } else { "OFF" }),
        format!(
            "PRAGMA legacy_alter_table = {}",
            if legacy { "ON" } else { "OFF" }
        ),
    ];
    for s in &restore {
        if let Err(e) = exec(&mut conn, s).await {
            tracing::warn!("restoring {s} after apply: {e}");
        }
    }
    if let Ok(mut h) = conn.lock_handle().await {
        h.remove_progress_handler();
    }
    if result.is_err() && stop.load(Ordering::Relaxed) {
        return Err(cancel.error());
    }
    let statements = result?;
    Ok(ApplyReport {
        steps: steps.iter().filter(|s| !s.sql.is_empty()).count(),
        statements,
        rows_affected: 0,
        elapsed: start.elapsed(),
        rolled_back: opts.dry_run,
    })
}

async fn run(
    conn: &mut SqliteConnection,
    steps: &[Step],
    opts: &ApplyOptions,
    arm: &impl Fn(bool),
    on_step: OnStep<'_>,
) -> Result<usize> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(|e| {
        let msg = crate::dialect::error::message(&e);
        if crate::dialect::error::kind(&e) == DbErrorKind::LockTimeout {
            Error::Refused(format!(
                "another connection holds TARGET's write lock ({msg}) and kept it past the lock timeout: try again when it is done"
            ))
        } else {
            crate::dialect::error::db("starting the apply transaction", e)
        }
    })?;
    // Violations TARGET already has are not ours to fix (nor to fail on). If the check cannot
    // run at all (a foreign key naming a key that is not unique), only ours are compared below.
    let before = violations(&mut tx, "PRAGMA foreign_key_check").await.ok();
    let total = steps.len();
    let mut statements = 0;
    let failed = |step: &Step, message: String| Error::ApplyRolledBack {
        step: step.number,
        total,
        object: format!("{} {}", step.change.object_kind(), step.change.object()),
        message,
    };
    // What a step's own `PRAGMA foreign_key_check` found. Mid-plan it may be passing (a parent's
    // key is added by a later step); the check before COMMIT decides, and names this step.
    let mut suspects: Vec<(&Step, Option<(String, String)>)> = Vec::new();
    for step in steps {
        if !step.sql.is_empty() {
            on_step(step);
        }
        for sql in &step.sql {
            arm(true);
            if is_fk_check(sql) {
                match violations(&mut tx, sql).await {
                    Ok(now) => {
                        if let Some((pair, _)) = worse(before.as_ref(), &now) {
                            suspects.push((step, Some(pair)));
                        }
                    }
                    Err(_) => suspects.push((step, None)),
                }
                arm(false);
                statements += 1;
                continue;
            }
            let outcome = exec(&mut tx, sql).await;
            arm(false);
            if let Err(e) = outcome {
                let _ = tx.rollback().await;
                return Err(failed(step, explain(&e, step)));
            }
            statements += 1;
        }
    }
    // The whole file, before COMMIT: no row may point to a missing parent that did not before.
    if let Some(last) = steps.last() {
        let verdict = match violations(&mut tx, "PRAGMA foreign_key_check").await {
            Ok(now) => worse(before.as_ref(), &now).map(|((child, parent), n)| {
                let step = suspects
                    .iter()
                    .find(|(_, k)| k.as_ref() == Some(&(child.clone(), parent.clone())))
                    .map(|(s, _)| *s)
                    .or_else(|| {
                        steps.iter().rev().find(|s| {
                            s.change.table().is_some_and(|t| {
                                t.name.eq_ignore_ascii_case(&parent)
                                    || t.name.eq_ignore_ascii_case(&child)
                            })
                        })
                    })
                    .unwrap_or(last);
                (
                    step,
                    format!(
                        "{n} row(s) of {child} would point to no row of {parent} (PRAGMA foreign_key_check before COMMIT)"
                    ),
                )
            }),
            Err(e) if before.is_some() => {
                let step = suspects
                    .iter()
                    .find(|(_, k)| k.is_none())
                    .map(|(s, _)| *s)
                    .unwrap_or(last);
                Some((
                    step,
                    format!(
                        "foreign keys no longer check: {}",
                        crate::dialect::error::message(&e)
                    ),
                ))
            }
            Err(_) => None,
        };
        if let Some((step, message)) = verdict {
            let _ = tx.rollback().await;
            return Err(failed(step, message));
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
    Ok(statements)
}

/// SQLite's message, with a hint where the kind of failure and the plan suggest the cause.
fn explain(e: &sqlx::Error, step: &Step) -> String {
    let msg = crate::dialect::error::message(e);
    match crate::dialect::error::kind(e) {
        DbErrorKind::StatementTimeout => {
            format!("{msg} — the statement ran past the statement timeout")
        }
        DbErrorKind::LockTimeout => {
            format!("{msg} — another connection holds the file; try again when it is idle")
        }
        DbErrorKind::UndefinedObject => {
            format!("{msg} — was it renamed or dropped since the plan was made?")
        }
        DbErrorKind::UniqueViolation => format!(
            "{msg} — TARGET holds duplicate values for {}",
            step.change.object()
        ),
        DbErrorKind::NotNullViolation => {
            format!("{msg} — TARGET holds NULLs where SOURCE forbids them")
        }
        DbErrorKind::CheckViolation => {
            format!("{msg} — TARGET holds rows that SOURCE's CHECK refuses")
        }
        _ => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_foreign_key_checks() {
        assert!(is_fk_check("PRAGMA foreign_key_check(\"t\")"));
        assert!(is_fk_check("pragma FOREIGN_KEY_CHECK"));
        assert!(!is_fk_check("PRAGMA foreign_keys = OFF"));
        assert!(!is_fk_check("SELECT 1"));
    }

    #[test]
    fn only_new_violations_count() {
        let mut before = Violations::new();
        before.insert(("c".into(), "p".into()), 2);
        let mut now = before.clone();
        assert_eq!(worse(Some(&before), &now), None);
        now.insert(("d".into(), "p".into()), 1);
        assert_eq!(
            worse(Some(&before), &now),
            Some((("d".into(), "p".into()), 1))
        );
        assert!(worse(None, &before).is_some());
    }
}
