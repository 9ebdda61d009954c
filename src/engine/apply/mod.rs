//! Apply: the one careful executor of a reviewed pack. The CLI and the TUI both drive it; they
//! only show its notices, answer its confirmation, and print its outcome.
//!
//! In order: the pack is read and checked (every file against `SHA256SUMS`; only `up.sql` may
//! differ, and only with `--accept-edits`); the gates choose the steps that run and the ones left
//! out (`gates`); the apply is recorded in the history before anything changes; TARGET is opened
//! for writes, locked against a second apply (`dialect::lock_apply`), checked to be the database
//! the plan was made for (`dialect::identity`) and unchanged since the plan (its fingerprint,
//! through the plan's filters; on MySQL the journal may resume an earlier run instead); the
//! person confirms; the dialect runs the steps (PostgreSQL and SQLite in one transaction, MySQL
//! one statement at a time with its journal), stopping on the server and rolling back when the
//! token is cancelled; the commit is recorded; then TARGET is inspected again and judged
//! (`verdict`). Every outcome, refusals included, ends the history record.

pub mod gates;
pub mod verdict;

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::protocol::Events;
use crate::cancel::Cancel;
use crate::dialect::journal::{self, JournalSpec};
use crate::dialect::{self, Access, Db, DbUrl};
use crate::engine::diff::DiffOptions;
use crate::engine::pack::{self, Pack};
use crate::engine::{history, schema};
use crate::error::{Error, Result};
use crate::model::plan::Step;
use crate::model::{Catalog, RiskLevel};

pub use crate::model::plan::{ApplyOptions, ApplyReport};
pub use gates::{Chosen, Gates, Skipped};
pub use verdict::Verdict;

/// Which way a pack is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `up.sql`'s steps: TARGET becomes SOURCE.
    Up,
    /// `down.sql`'s steps (`sluice rollback`): TARGET, as the apply left it, goes back to what it
    /// was before the plan.
    Down,
}

impl Direction {
    fn kind(self) -> &'static str {
        match self {
            Direction::Up => "apply",
            Direction::Down => "rollback",
        }
    }

    fn journal_file(self) -> &'static str {
        match self {
            Direction::Up => journal::JOURNAL_FILE,
            Direction::Down => journal::ROLLBACK_JOURNAL_FILE,
        }
    }
}

/// An apply (or rollback) to run.
pub struct Request<'a> {
    /// The pack directory.
    pub dir: &'a Path,
    pub target: &'a DbUrl,
    pub gates: Gates,
    pub options: ApplyOptions,
    pub direction: Direction,
}

/// What the engine tells its client while an apply goes on.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// The pack passed its integrity check: its id, the steps that run and the ones left out,
    /// and whether this machine's record says sluice wrote it (when it was planned elsewhere,
    /// only `--pack-id` ties it to what was reviewed).
    Pack {
        id: String,
        runs: usize,
        skipped: Vec<Skipped>,
        written_here: bool,
        pinned: bool,
    },
    /// The plan recorded no identity for TARGET (it was planned from a snapshot).
    IdentityUnchecked,
    /// The plan was made for another database and `--retarget` says to apply it here anyway.
    Retargeted { planned: String, now: String },
    /// TARGET commits each DDL statement on its own; the journal records what ran.
    NotTransactional { dialect: String, journal: PathBuf },
    /// An earlier run of this pack stopped; this one continues after step `applied`.
    Resuming { applied: usize, total: usize },
    /// An earlier run was killed (or interrupted) while a statement ran: what TARGET holds says
    /// whether it took effect.
    Recovered {
        step: usize,
        statement: usize,
        took_effect: bool,
    },
    /// A dry run where DDL cannot be rolled back: the steps and what the plan's checks found.
    DryRunShown { steps: Vec<Step> },
}

/// What the client is asked before anything changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub pack_id: String,
    pub steps: usize,
    pub skipped: usize,
    pub danger: usize,
    /// TARGET without password.
    pub target: String,
    /// What a person types back when the pack holds danger steps.
    pub database: String,
    /// Applying or rolling back.
    pub direction: Direction,
}

/// How an apply ended, when nothing failed.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub pack_id: String,
    /// What ran; `None` when there was nothing to run (a journal says every step is applied).
    pub report: Option<ApplyReport>,
    pub dry_run: bool,
    pub skipped: Vec<Skipped>,
    /// The after-apply check (not for dry runs).
    pub verdict: Option<Verdict>,
}

impl Outcome {
    /// The history's word for it.
    pub fn result(&self) -> &'static str {
        match (&self.verdict, self.dry_run) {
            (_, true) => "dry-run",
            (Some(v), _) if !v.converged() => "applied, differs",
            _ => "applied",
        }
    }
}

/// Applies the pack in `req.dir` to `req.target`: gates, lock, identity, fingerprint, the
/// person's confirmation, the steps, the after-apply check — recorded in the history whatever
/// happens.
pub async fn run(req: Request<'_>, events: &Events, cancel: &Cancel) -> Result<Outcome> {
    let started = Instant::now();
    let (user, host) = history::who();
    let read = pack::read(req.dir);
    let mut entry = history::Entry {
        id: String::new(),
        kind: req.direction.kind().into(),
        time: crate::clock::now_rfc3339(),
        pack: req.dir.display().to_string(),
        pack_id: String::new(),
        plan_sha256: std::fs::read(req.dir.join("plan.json"))
            .map(|b| pack::sha256_hex(&b))
            .unwrap_or_default(),
        target: req.target.display(),
        dialect: req.target.dialect().to_string(),
        steps: 0,
        result: String::new(),
        error: None,
        duration_ms: 0,
        user: user.clone(),
        host: host.clone(),
        pid: 0,
    };
    if let Ok(p) = &read {
        entry.pack_id = p.integrity.pack_id.clone();
        entry.steps = p.manifest.steps.len();
    }
    let record = match history::start(&entry) {
        Ok(r) => Some(r),
        Err(e) => {
            tracing::warn!("could not record the apply in the history: {e}");
            None
        }
    };
    let outcome = match read {
        Ok(pack) => {
            let who = format!("{user}@{host}");
            checked(&pack, &req, &who, events, cancel, record.as_ref()).await
        }
        Err(e) => Err(e),
    };
    if let Some(r) = &record {
        let (result, error) = match &outcome {
            Ok(o) => (
                o.result(),
                o.verdict
                    .as_ref()
                    .filter(|v| !v.converged())
                    .map(|v| v.describe()),
            ),
            Err(e) => (result_of(e), Some(crate::error::one_line(&e.to_string()))),
        };
        let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        if let Err(e) = r.finish(result, error, ms) {
            tracing::warn!("could not record the apply's outcome in the history: {e}");
        }
    }
    outcome
}

/// The history's word for a failed apply.
pub fn result_of(e: &Error) -> &'static str {
    match e {
        Error::Refused(_) => "refused",
        Error::ApplyRolledBack { .. } => "rolled back",
        Error::ApplyPartial { .. } => "partial",
        Error::Interrupted(_) => "interrupted",
        _ => "failed",
    }
}

async fn checked(
    pack: &Pack,
    req: &Request<'_>,
    who: &str,
    events: &Events,
    cancel: &Cancel,
    record: Option<&history::Record>,
) -> Result<Outcome> {
    let m = &pack.manifest;
    if req.target.dialect() != m.dialect {
        return Err(Error::Refused(format!(
            "the pack is a {} plan; TARGET {} is {}",
            m.dialect,
            req.target.display(),
            req.target.dialect()
        )));
    }
    let chosen = match req.direction {
        Direction::Up => gates::choose(pack, &req.gates)?,
        Direction::Down => gates::choose_down(pack, &req.gates)?,
    };
    events.notice(Notice::Pack {
        id: pack.short_id().to_string(),
        runs: chosen.run().count(),
        skipped: chosen.skipped.clone(),
        written_here: matches!(
            pack::provenance(&pack.dir, &pack.integrity.pack_id),
            pack::Provenance::Written { .. }
        ),
        pinned: req.gates.pack_id.is_some(),
    });
    let filter = m.filter()?;
    let db = req.target.connect(Access::ReadWrite).await?;
    let lock = match dialect::lock_apply(&db, who).await {
        Ok(l) => l,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let result = locked(pack, req, &chosen, &filter, &db, events, cancel, record).await;
    lock.release().await;
    db.close().await;
    result
}

#[allow(clippy::too_many_arguments)]
async fn locked(
    pack: &Pack,
    req: &Request<'_>,
    chosen: &Chosen,
    filter: &crate::model::Filter,
    db: &Db,
    events: &Events,
    cancel: &Cancel,
    record: Option<&history::Record>,
) -> Result<Outcome> {
    let m = &pack.manifest;
    let url = req.target;
    let mut retargeted = false;
    match &m.target_identity {
        None => events.notice(Notice::IdentityUnchecked),
        Some(planned) => {
            let now = dialect::identity(db).await?;
            if now.id != planned.id {
                if !req.gates.retarget {
                    return Err(Error::Refused(format!(
                        "TARGET is not the database this pack was planned for: planned for {}, this is {}: plan against this database, or apply with --retarget",
                        planned.describe, now.describe
                    )));
                }
                retargeted = true;
                events.notice(Notice::Retargeted {
                    planned: planned.describe.clone(),
                    now: now.describe,
                });
            }
        }
    }
    let now = dialect::inspect(db, filter).await?;
    // Databases that cannot roll DDL back keep a journal next to the pack, to resume a stopped run.
    let transactional = dialect::capabilities(db.dialect()).transactional_ddl;
    let journal = if transactional {
        None
    } else {
        Some(JournalSpec::for_pack(
            &pack.dir,
            req.direction.journal_file(),
            url.display(),
            filter.clone(),
        )?)
    };
    let mut start = match &journal {
        Some(spec) => journal::start(spec, &now.fingerprint())?,
        None => journal::Start::Fresh,
    };
    let opts = diff_options(pack);
    let mut now = now;
    if let (journal::Start::Recover(run), Some(spec)) = (&start, &journal) {
        let (resumed, after) = recover(
            pack,
            req.direction,
            chosen,
            spec,
            (**run).clone(),
            db,
            filter,
            &opts,
            events,
        )
        .await?;
        start = resumed;
        now = after;
    }
    let dir = req.direction;
    let nothing_to_do = |now: &Catalog| Outcome {
        pack_id: pack.short_id().to_string(),
        report: None,
        dry_run: false,
        skipped: chosen.skipped.clone(),
        verdict: Some(judge(pack, dir, now, &chosen.skipped, &opts)),
    };
    if start == journal::Start::Done {
        return Ok(nothing_to_do(&now));
    }
    if start == journal::Start::Fresh && dir == Direction::Down {
        // A rollback starts from TARGET as the apply left it: SOURCE, but for what the apply
        // left out. Already as before the plan: nothing to undo.
        if now.fingerprint() == m.fingerprints.target {
            return Ok(nothing_to_do(&now));
        }
        let left_out = pack
            .manifest
            .left_out()
            .map(|(st, l)| Skipped {
                number: st.number,
                kind: st.kind.clone(),
                object: st.object.clone(),
                why: l.describe(),
                change: st.change.clone(),
            })
            .collect::<Vec<_>>();
        let applied = judge(pack, Direction::Up, &now, &left_out, &opts);
        if !applied.converged() {
            return Err(Error::Refused(format!(
                "TARGET is not as the apply of this pack left it, so down.sql may not undo it: {}",
                applied.describe()
            )));
        }
    }
    if start == journal::Start::Fresh
        && dir == Direction::Up
        && !unchanged_since_plan(pack, &now, &opts, retargeted)
    {
        let drift = schema::changes(&pack.target, &now, &opts);
        let mut what: Vec<String> = drift
            .iter()
            .take(3)
            .map(|c| format!("{} {}", c.kind(), c.object()))
            .collect();
        if what.is_empty() {
            what.push("in what the diff does not compare: its catalog fingerprint".into());
        }
        return Err(Error::Refused(format!(
            "TARGET changed since the plan was made ({}{}{}): plan again",
            what.join(", "),
            if drift.len() > 3 {
                format!(", and {} more", drift.len() - 3)
            } else {
                String::new()
            },
            if m.options.filter.is_empty() {
                String::new()
            } else {
                format!(
                    "; compared through the plan's filters {}",
                    m.options.filter.join(", ")
                )
            }
        )));
    }
    if let Some(spec) = &journal {
        events.notice(Notice::NotTransactional {
            dialect: db.dialect().to_string(),
            journal: spec.path.clone(),
        });
        if let journal::Start::Resume { applied, total } = start {
            events.notice(Notice::Resuming { applied, total });
        }
        if !req.gates.force_partial && !req.options.dry_run {
            let first = match start {
                journal::Start::Resume { applied, .. } => applied,
                _ => 0,
            };
            let pending: Vec<&Step> = chosen
                .steps
                .iter()
                .skip(first)
                .filter(|s| !s.sql.is_empty())
                .collect();
            gates::certain_failure(&pending, &now, goal(pack, dir), db).await?;
        }
        if req.options.dry_run {
            // DDL cannot be tried and rolled back here: show what would run and what was checked.
            events.notice(Notice::DryRunShown {
                steps: chosen.run().cloned().collect(),
            });
            return Ok(Outcome {
                pack_id: pack.short_id().to_string(),
                report: None,
                dry_run: true,
                skipped: chosen.skipped.clone(),
                verdict: None,
            });
        }
    }
    if !req.gates.yes && !req.options.dry_run {
        events
            .confirm(Confirm {
                pack_id: pack.short_id().to_string(),
                steps: chosen.run().count(),
                skipped: chosen.skipped.len(),
                danger: chosen
                    .run()
                    .filter(|s| {
                        s.risk
                            .as_ref()
                            .is_some_and(|r| r.level == RiskLevel::Danger)
                    })
                    .count(),
                target: url.display(),
                database: now.database.clone(),
                direction: req.direction,
            })
            .await?;
    }
    let total = chosen.steps.len();
    let on_step = |st: &Step| {
        events.send(super::protocol::Event::Step {
            number: st.number,
            total,
            kind: st.change.kind().to_string(),
            object: st.change.object(),
        })
    };
    let report = dialect::apply(
        db,
        &chosen.steps,
        &req.options,
        journal.as_ref(),
        cancel,
        &on_step,
    )
    .await?;
    if req.options.dry_run {
        return Ok(Outcome {
            pack_id: pack.short_id().to_string(),
            report: Some(report),
            dry_run: true,
            skipped: chosen.skipped.clone(),
            verdict: None,
        });
    }
    if let Some(r) = record {
        if let Err(e) = r.committed() {
            tracing::warn!("could not record the commit in the history: {e}");
        }
    }
    let after = dialect::inspect(db, filter).await?;
    Ok(Outcome {
        pack_id: pack.short_id().to_string(),
        report: Some(report),
        dry_run: false,
        skipped: chosen.skipped.clone(),
        verdict: Some(judge(pack, dir, &after, &chosen.skipped, &opts)),
    })
}

/// Whether TARGET's schema is the one the plan was made from: the same fingerprint once the
/// default schema is named alike (another MySQL database is another schema name). On a database
/// the person retargeted to, a catalog the diff finds equal counts as the same.
fn unchanged_since_plan(pack: &Pack, now: &Catalog, opts: &DiffOptions, retargeted: bool) -> bool {
    let planned = crate::engine::diff::align_default_schema(now, &pack.target);
    if planned.fingerprint() == now.fingerprint()
        || now.fingerprint() == pack.manifest.fingerprints.target
    {
        return true;
    }
    retargeted && schema::changes(&pack.target, now, opts).is_empty()
}

/// What TARGET is to become: SOURCE, or (rolling back) TARGET as it was before the plan.
fn goal(pack: &Pack, direction: Direction) -> &Catalog {
    match direction {
        Direction::Up => &pack.source,
        Direction::Down => &pack.target,
    }
}

/// Finds out whether the statement an earlier run left in doubt took effect, records it in the
/// journal, and says where to resume. What that run may have left running on the server is
/// stopped first. A step of one statement took effect when what is left to do (a plan from
/// TARGET now to SOURCE) no longer holds its change; a step of several, when TARGET's
/// fingerprint is no longer the one taken just before the statement was sent.
#[allow(clippy::too_many_arguments)]
async fn recover(
    pack: &Pack,
    direction: Direction,
    chosen: &Chosen,
    spec: &JournalSpec,
    mut run: journal::Run,
    db: &Db,
    filter: &crate::model::Filter,
    opts: &DiffOptions,
    events: &Events,
) -> Result<(journal::Start, Catalog)> {
    let Some(f) = run.in_flight.clone() else {
        let now = dialect::inspect(db, filter).await?;
        return Ok((
            journal::Start::Resume {
                applied: run.applied,
                total: run.total,
            },
            now,
        ));
    };
    let at = chosen
        .steps
        .iter()
        .position(|s| s.number == f.step)
        .filter(|i| *i == run.applied && run.total == chosen.steps.len());
    let Some(index) = at else {
        return Err(Error::Refused(format!(
            "{} says step {} was running, which is not where this pack stands: plan again",
            spec.path.display(),
            f.step
        )));
    };
    let step = &chosen.steps[index];
    let sql = step
        .sql
        .get(f.statement.saturating_sub(1))
        .cloned()
        .unwrap_or_default();
    dialect::stop_stale_statement(db, f.connection, &sql).await?;
    let now = dialect::inspect(db, filter).await?;
    let took_effect = match &f.before {
        Some(before) => now.fingerprint() != *before,
        None => {
            let left = schema::plan(&now, goal(pack, direction), opts)?;
            !left.steps.iter().any(|s| {
                s.change.kind() == step.change.kind() && s.change.object() == step.change.object()
            })
        }
    };
    journal::settle(
        spec,
        &mut run,
        took_effect,
        step.sql.len(),
        now.fingerprint(),
    )?;
    events.notice(Notice::Recovered {
        step: f.step,
        statement: f.statement,
        took_effect,
    });
    Ok((
        journal::Start::Resume {
            applied: run.applied,
            total: run.total,
        },
        now,
    ))
}

/// The diff options the plan was made with.
fn diff_options(pack: &Pack) -> DiffOptions {
    DiffOptions {
        renames: pack.manifest.options.renames,
        rename_threshold: pack.manifest.options.rename_threshold,
    }
}

/// TARGET as it stands, judged against what it was to become, as the pack recorded it.
fn judge(
    pack: &Pack,
    direction: Direction,
    after: &Catalog,
    skipped: &[Skipped],
    opts: &DiffOptions,
) -> Verdict {
    let left = schema::changes(after, goal(pack, direction), opts);
    let name = match direction {
        Direction::Up => "SOURCE",
        Direction::Down => "what it was before the plan",
    };
    verdict::judge(&left, skipped, &pack.manifest.options.filter, name)
}
