//! The apply journal: what a non-transactional apply (MySQL, MariaDB) has done to a target, so that
//! running the same pack again resumes at the first step not applied. See `docs/formats.md`.
//!
//! One file per pack, `journal.json` next to `plan.json`, keyed by the SHA-256 of `plan.json` (a
//! journal of another plan is ignored and replaced) and, inside, by the target (its URL without
//! password: the same pack may go to staging and then production). It is rewritten atomically
//! (temporary file, fsync, rename) after every statement. It holds no secrets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

pub const JOURNAL_FORMAT: &str = "sluice-journal";
pub const JOURNAL_VERSION: u32 = 1;
pub const JOURNAL_FILE: &str = "journal.json";
/// The journal of `sluice rollback` (down.sql's steps), beside the apply's.
pub const ROLLBACK_JOURNAL_FILE: &str = "rollback-journal.json";

/// Where a journal lives and what it is keyed by.
#[derive(Debug, Clone)]
pub struct JournalSpec {
    pub path: PathBuf,
    /// SHA-256 of the pack's `plan.json`.
    pub plan: String,
    /// The target, without password (`mysql://app@db:3306/shop`).
    pub target: String,
    /// The plan's filters: TARGET's fingerprints are taken through them, as apply compares.
    pub filter: crate::model::Filter,
}

impl JournalSpec {
    /// The journal `file` of the pack in `dir` for `target` (a redacted URL).
    pub fn for_pack(
        dir: &Path,
        file: &str,
        target: String,
        filter: crate::model::Filter,
    ) -> Result<JournalSpec> {
        let plan_path = dir.join("plan.json");
        let bytes = std::fs::read(&plan_path).map_err(|e| Error::file(&plan_path, e))?;
        Ok(JournalSpec {
            path: dir.join(file),
            plan: hex::encode(Sha256::digest(&bytes)),
            target,
            filter,
        })
    }
}

/// `journal.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    pub format: String,
    pub version: u32,
    /// SHA-256 of the `plan.json` it journals.
    pub plan: String,
    /// One run per target, by target.
    pub targets: BTreeMap<String, Run>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Under way, or interrupted without a chance to say so.
    Running,
    /// A step failed; the steps before it are applied.
    Stopped,
    /// Every step applied.
    Complete,
}

/// What has been done to one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub status: RunStatus,
    /// Steps in the plan.
    pub total: usize,
    /// Steps applied, always the first ones: steps 1..=applied.
    pub applied: usize,
    /// Statements of step `applied + 1` already run (a step that stopped part-way).
    #[serde(default)]
    pub statements_done: usize,
    /// Every step started, in order.
    pub steps: Vec<StepRecord>,
    /// Why the run stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// TARGET's schema fingerprint when the run stopped or completed: a new run resumes only if
    /// TARGET still has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// The statement sent to the server and not yet answered: written before it is sent, cleared
    /// when it has run or failed. Still there after a run was killed (or interrupted while the
    /// statement ran), it is *in doubt*: the next run finds out whether it took effect before it
    /// goes on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_flight: Option<InFlight>,
    pub started_at: String,
    pub updated_at: String,
}

/// A statement whose outcome the journal does not know yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InFlight {
    /// The step (its number in the plan) and the statement within it (1-based).
    pub step: usize,
    pub statement: usize,
    /// The server connection that runs it (MySQL `CONNECTION_ID()`): if it is still running when
    /// the next run starts, that run stops it first.
    pub connection: u64,
    /// TARGET's schema fingerprint just before it was sent, for steps of several statements (a
    /// changed fingerprint then says it ran); single statements are judged by what is left to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    pub sent_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub number: usize,
    pub kind: String,
    pub object: String,
    /// Statements in the step, and how many of them have run.
    pub statements: usize,
    pub done: usize,
    /// When its last statement ran; absent while it is not complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    pub step: usize,
    /// 1-based statement within the step.
    pub statement: usize,
    pub object: String,
    pub message: String,
    pub at: String,
}

impl Run {
    pub fn new(total: usize) -> Run {
        let t = crate::clock::now_rfc3339();
        Run {
            status: RunStatus::Running,
            total,
            applied: 0,
            statements_done: 0,
            steps: Vec::new(),
            failure: None,
            fingerprint: None,
            in_flight: None,
            started_at: t.clone(),
            updated_at: t,
        }
    }

    /// Whether anything of the plan has run, or may have.
    pub fn started(&self) -> bool {
        self.applied > 0 || self.statements_done > 0 || self.in_flight.is_some()
    }
}

/// Reads a journal; `None` when there is none.
pub fn load(path: &Path) -> Result<Option<Journal>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::file(path, e)),
    };
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::file(path, format!("not a sluice journal: {e}")))?;
    if value.get("format").and_then(|f| f.as_str()) != Some(JOURNAL_FORMAT) {
        return Err(Error::file(
            path,
            "not a sluice journal (no \"format\": \"sluice-journal\")",
        ));
    }
    let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
    if version == 0 || version > u64::from(JOURNAL_VERSION) {
        return Err(Error::file(
            path,
            format!("journal version {version} is not one this sluice reads"),
        ));
    }
    serde_json::from_value(value)
        .map(Some)
        .map_err(|e| Error::file(path, format!("malformed journal: {e}")))
}

/// The run this journal holds for `spec`'s plan and target.
pub fn run_for(spec: &JournalSpec) -> Result<Option<Run>> {
    Ok(load(&spec.path)?
        .filter(|j| j.plan == spec.plan)
        .and_then(|mut j| j.targets.remove(&spec.target)))
}

/// Records `run` for `spec`'s target (keeping other targets' runs of the same plan), atomically.
pub fn save(spec: &JournalSpec, run: &Run) -> Result<()> {
    let mut journal = load(&spec.path)
        .ok()
        .flatten()
        .filter(|j| j.plan == spec.plan)
        .unwrap_or_else(|| Journal {
            format: JOURNAL_FORMAT.into(),
            version: JOURNAL_VERSION,
            plan: spec.plan.clone(),
            targets: BTreeMap::new(),
        });
    let mut run = run.clone();
    run.updated_at = crate::clock::now_rfc3339();
    journal.targets.insert(spec.target.clone(), run);
    let text = serde_json::to_string_pretty(&journal).unwrap_or_default() + "\n";
    crate::files::write_atomic(&spec.path, text.as_bytes())
}

/// How an apply of a pack to a target starts, given the journal.
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    /// Nothing of this plan has run on this target: TARGET must be as planned.
    Fresh,
    /// An earlier run stopped after `applied` of `total` steps and TARGET is as it left it.
    Resume { applied: usize, total: usize },
    /// Every step is applied already and TARGET is as the run left it.
    Done,
    /// An earlier run ended with a statement in doubt (killed, or interrupted while it ran): the
    /// caller finds out whether it took effect ([`settle`]), then resumes.
    Recover(Box<Run>),
}

/// Records what the caller found out about the statement in doubt: `took_effect` moves the run
/// past it. The run is then stopped, with TARGET's fingerprint as it stands, ready to resume.
pub fn settle(
    spec: &JournalSpec,
    run: &mut Run,
    took_effect: bool,
    step_statements: usize,
    fingerprint: String,
) -> Result<()> {
    if let Some(f) = run.in_flight.take() {
        if took_effect {
            if f.statement >= step_statements {
                run.applied += 1;
                run.statements_done = 0;
                if let Some(r) = run.steps.last_mut() {
                    r.done = step_statements;
                    r.finished_at = Some(crate::clock::now_rfc3339());
                }
            } else {
                run.statements_done = f.statement;
                if let Some(r) = run.steps.last_mut() {
                    r.done = f.statement;
                }
            }
        }
    }
    run.status = RunStatus::Stopped;
    run.fingerprint = Some(fingerprint);
    save(spec, run)
}

/// Decides how to start, from the journal and TARGET's fingerprint now. Refuses (exit 4) when an
/// earlier run stopped part-way and TARGET's schema changed since. A run killed between
/// statements resumes where its journal says; one that left a statement in doubt is recovered.
pub fn start(spec: &JournalSpec, now_fingerprint: &str) -> Result<Start> {
    let Some(run) = run_for(spec)? else {
        return Ok(Start::Fresh);
    };
    let same = run.fingerprint.as_deref() == Some(now_fingerprint);
    match run.status {
        RunStatus::Complete if same => Ok(Start::Done),
        RunStatus::Complete => Ok(Start::Fresh),
        _ if !run.started() => Ok(Start::Fresh),
        // A statement in doubt: what TARGET holds now says whether it ran.
        _ if run.in_flight.is_some() => Ok(Start::Recover(Box::new(run))),
        // Killed between two statements: the journal is exact.
        RunStatus::Running => Ok(Start::Resume {
            applied: run.applied,
            total: run.total,
        }),
        RunStatus::Stopped if same => Ok(Start::Resume {
            applied: run.applied,
            total: run.total,
        }),
        RunStatus::Stopped => Err(Error::Refused(format!(
            "an earlier apply of this pack stopped after {} of {} steps ({}), and TARGET's schema has changed since: plan again",
            run.applied,
            run.total,
            spec.path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(dir: &Path, plan: &str, target: &str) -> JournalSpec {
        JournalSpec {
            path: dir.join(JOURNAL_FILE),
            plan: plan.into(),
            target: target.into(),
            filter: Default::default(),
        }
    }

    fn stopped(applied: usize, fingerprint: Option<&str>) -> Run {
        Run {
            status: RunStatus::Stopped,
            applied,
            fingerprint: fingerprint.map(str::to_string),
            ..Run::new(5)
        }
    }

    #[test]
    fn how_an_apply_starts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = spec(dir.path(), "p1", "mysql://app@db/shop");
        assert_eq!(start(&s, "f0").expect("no journal"), Start::Fresh);

        save(&s, &stopped(2, Some("f2"))).expect("save");
        assert_eq!(
            start(&s, "f2").expect("resume"),
            Start::Resume {
                applied: 2,
                total: 5
            }
        );
        let e = start(&s, "other").expect_err("schema changed since");
        assert_eq!(e.exit_code(), crate::error::exit::REFUSED);

        // Another target of the same pack has a journal of its own.
        let other = spec(dir.path(), "p1", "mysql://app@db2/shop");
        assert_eq!(start(&other, "f0").expect("other target"), Start::Fresh);
        save(&other, &stopped(0, Some("f0"))).expect("save");
        assert!(run_for(&s).expect("read").is_some(), "first target kept");

        // Another plan in the same directory: the old journal does not count.
        let replanned = spec(dir.path(), "p2", "mysql://app@db/shop");
        assert_eq!(start(&replanned, "f0").expect("new plan"), Start::Fresh);

        // Killed between statements: the journal is exact, resume there.
        let mut killed = stopped(3, None);
        killed.status = RunStatus::Running;
        save(&s, &killed).expect("save");
        assert_eq!(
            start(&s, "f3").expect("resume"),
            Start::Resume {
                applied: 3,
                total: 5
            }
        );
        // Killed while a statement ran: in doubt, to be recovered.
        killed.in_flight = Some(InFlight {
            step: 4,
            statement: 1,
            connection: 7,
            before: None,
            sent_at: crate::clock::now_rfc3339(),
        });
        save(&s, &killed).expect("save");
        let Start::Recover(mut run) = start(&s, "f3").expect("recover") else {
            panic!("not a recovery");
        };
        settle(&s, &mut run, true, 1, "f4".into()).expect("settle");
        assert_eq!(
            start(&s, "f4").expect("resume"),
            Start::Resume {
                applied: 4,
                total: 5
            }
        );

        // Complete: nothing to do while TARGET is as it left it.
        let mut done = stopped(5, Some("f5"));
        done.status = RunStatus::Complete;
        save(&s, &done).expect("save");
        assert_eq!(start(&s, "f5").expect("done"), Start::Done);
        assert_eq!(start(&s, "f0").expect("changed since"), Start::Fresh);

        let text = std::fs::read_to_string(&s.path).expect("read");
        assert!(text.contains("\"format\": \"sluice-journal\""), "{text}");
    }

    #[test]
    fn unknown_journals_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = spec(dir.path(), "p", "t");
        std::fs::write(&s.path, r#"{"format": "sluice-journal", "version": 99}"#).expect("write");
        assert!(start(&s, "f").is_err());
        std::fs::write(&s.path, r#"{"hello": 1}"#).expect("write");
        assert_eq!(start(&s, "f").expect_err("not a journal").exit_code(), 2);
    }
}
