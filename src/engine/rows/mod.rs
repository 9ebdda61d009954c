//! The row diff: which rows differ between two live databases, table by table.
//!
//! A diff is a *run* in the data directory ([`store`]): the manifest says what is compared (URLs
//! without passwords, options, hash format, table fingerprints), the checkpoint how far it got,
//! and one differences file per table holds the differences found (keys and hashes). Tables with
//! a key are merged page by page in key order ([`merge`]); tables without one are compared as a
//! multiset ([`multiset`]). A run interrupted by Ctrl-C, a crash or a lost connection resumes
//! exactly where its last checkpoint stands ([`resume`]), unless the schema of a compared table,
//! the options or the hash format changed.

pub mod merge;
pub mod multiset;
pub mod pair;
pub mod store;

use std::sync::atomic::Ordering;
use std::time::Instant;

use tokio::sync::watch;

use crate::dialect::rows::{ColSpec, ReadSpec};
use crate::dialect::{self, Db};
use crate::error::{Error, Result};
use crate::model::filter::Relations;
use crate::model::rowdiff::{
    Checkpoint, DbRef, KeyKind, RUN_FORMAT, RunManifest, RunOptions, RunState, TablePair,
    TableProgress, TableStatus,
};
use crate::model::rows::{HASH_FORMAT, coercion_needed};
use crate::model::{Catalog, Filter};

pub use store::RunDir;

/// The job's cancellation token (a signal or a client's cancel key sets it; the job checkpoints
/// and stops).
pub use crate::cancel::Cancel;

/// Progress of one side of the table being compared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SideProgress {
    /// Rows read from this side (in this table, including earlier sessions of the run).
    pub rows: u64,
    /// The database's estimate of the table's rows, when it has one.
    pub estimate: Option<u64>,
    pub rows_per_sec: f64,
    /// Seconds left at the current rate, when the estimate is known.
    pub eta_secs: Option<f64>,
    pub done: bool,
}

/// Progress events, published on a `watch` channel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    pub run_id: String,
    pub table: String,
    /// 1-based position of the table among the compared tables.
    pub table_index: usize,
    pub tables: usize,
    pub source: SideProgress,
    pub target: SideProgress,
}

/// How a job reports and is stopped.
#[derive(Default)]
pub struct Hooks {
    pub progress: Option<watch::Sender<Progress>>,
    pub cancel: Cancel,
}

/// A finished (or stopped) run: where it is and what it found.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub run: RunDir,
    pub manifest: RunManifest,
    pub checkpoint: Checkpoint,
}

impl RunOutcome {
    pub fn differences(&self) -> u64 {
        self.checkpoint
            .tables
            .iter()
            .map(|t| t.counts.differences())
            .sum()
    }
}

/// What one side reads of a pair.
pub fn side_spec(pair: &TablePair, source: bool) -> ReadSpec {
    let q = if source { &pair.source } else { &pair.target };
    ReadSpec {
        schema: q.schema.clone(),
        table: q.name.clone(),
        columns: pair
            .columns
            .iter()
            .map(|c| {
                let (name, family) = if source {
                    (&c.source, &c.source_family)
                } else {
                    (&c.target, &c.target_family)
                };
                let canon = if coercion_needed(family, &c.compare_as) {
                    c.compare_as.clone()
                } else {
                    family.clone()
                };
                ColSpec {
                    name: name.clone(),
                    family: family.clone(),
                    canon,
                }
            })
            .collect(),
        key: pair.key.clone(),
    }
}

/// A job's state while it runs.
pub(crate) struct Ctx<'a> {
    pub run: &'a RunDir,
    pub manifest: &'a RunManifest,
    pub checkpoint: Checkpoint,
    pub source: &'a Db,
    pub target: &'a Db,
    pub hooks: &'a Hooks,
}

impl Ctx<'_> {
    pub fn save(&mut self) -> Result<()> {
        self.checkpoint.updated_at = crate::clock::now_rfc3339_millis();
        self.run.write_checkpoint(&self.checkpoint)
    }

    /// Publishes progress for table `idx`.
    #[allow(clippy::too_many_arguments)]
    pub fn report(
        &self,
        idx: usize,
        pair: &TablePair,
        s: &merge::Counter,
        t: &merge::Counter,
        base: (u64, u64),
        started: Instant,
        done: bool,
    ) {
        let Some(tx) = &self.hooks.progress else {
            return;
        };
        let secs = started.elapsed().as_secs_f64().max(1e-3);
        let side = |c: &merge::Counter, base: u64| {
            let read = c.rows.load(Ordering::Relaxed);
            let est = c.estimate.load(Ordering::Relaxed);
            let rate = read as f64 / secs;
            let rows = base + read;
            let estimate = (est > 0).then_some(est);
            SideProgress {
                rows,
                estimate,
                rows_per_sec: rate,
                eta_secs: match estimate {
                    Some(e) if rate > 0.0 && !done => Some(e.saturating_sub(rows) as f64 / rate),
                    _ => None,
                },
                done,
            }
        };
        tx.send_replace(Progress {
            run_id: self.run.id.clone(),
            table: pair.table.clone(),
            table_index: idx + 1,
            tables: self.manifest.tables.len(),
            source: side(s, base.0),
            target: side(t, base.1),
        });
    }
}

fn table_filter(opts: &RunOptions) -> Result<Filter> {
    Filter::new(&[], &[], &opts.tables, &[]).map_err(Error::Usage)
}

async fn catalogs(source: &Db, target: &Db) -> Result<(Catalog, Catalog)> {
    let all = Filter::default();
    tokio::try_join!(
        dialect::inspect(source, &all),
        dialect::inspect(target, &all)
    )
}

fn fill_ref(r: &mut DbRef, cat: &Catalog) {
    if let Some(d) = cat.dialect {
        r.dialect = d;
    }
    if r.database.is_empty() {
        r.database = cat.database.clone();
    }
}

/// Starts a new run: inspects both sides, pairs the tables, writes the manifest and a first
/// checkpoint, and compares every table.
pub async fn start(
    root: &std::path::Path,
    mut source_ref: DbRef,
    mut target_ref: DbRef,
    options: RunOptions,
    source: &Db,
    target: &Db,
    hooks: &Hooks,
) -> Result<RunOutcome> {
    if options.batch_size == 0 {
        return Err(Error::usage("--batch-size must be at least 1"));
    }
    let filter = table_filter(&options)?;
    let (sc, tc) = catalogs(source, target).await?;
    // A `--tables` pattern that selects no table on either side is a mistake, not an empty diff.
    if let Some(u) = filter.unmatched(&[&sc, &tc], Relations::Tables) {
        return Err(Error::usage(u.message("--tables", "SOURCE or TARGET")));
    }
    fill_ref(&mut source_ref, &sc);
    fill_ref(&mut target_ref, &tc);
    let pairing = pair::pair(&sc, &tc, &filter, &options.ignore_columns)?;
    let id = store::new_run_id();
    let run = RunDir::create(root, &id)?;
    let manifest = RunManifest {
        format: "sluice-run".into(),
        version: RUN_FORMAT,
        run_id: id.clone(),
        created_at: crate::clock::now_rfc3339_millis(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        hash_format: HASH_FORMAT,
        source: source_ref,
        target: target_ref,
        options,
        tables: pairing.tables,
        only_in_source: pairing.only_in_source,
        only_in_target: pairing.only_in_target,
    };
    run.write_manifest(&manifest)?;
    let checkpoint = fresh_checkpoint(&manifest);
    run.write_checkpoint(&checkpoint)?;
    execute(run, manifest, checkpoint, source, target, hooks).await
}

fn fresh_checkpoint(manifest: &RunManifest) -> Checkpoint {
    Checkpoint {
        format: "sluice-checkpoint".into(),
        version: RUN_FORMAT,
        run_id: manifest.run_id.clone(),
        state: RunState::Running,
        updated_at: crate::clock::now_rfc3339_millis(),
        error: None,
        tables: manifest
            .tables
            .iter()
            .map(|t| TableProgress {
                table: t.table.clone(),
                ..TableProgress::default()
            })
            .collect(),
    }
}

/// Why a run cannot be resumed against these catalogs, if it cannot.
pub fn resume_refusal(m: &RunManifest, sc: &Catalog, tc: &Catalog) -> Option<String> {
    if m.hash_format != HASH_FORMAT {
        return Some(format!(
            "the run's rows were hashed with hash format {}, this sluice hashes with format {HASH_FORMAT}: start a new diff",
            m.hash_format
        ));
    }
    let filter = match table_filter(&m.options) {
        Ok(f) => f,
        Err(e) => return Some(e.to_string()),
    };
    let pairing = match pair::pair(sc, tc, &filter, &m.options.ignore_columns) {
        Ok(p) => p,
        Err(e) => return Some(format!("the compared tables changed: {e}")),
    };
    for t in &m.tables {
        let Some(now) = pairing.tables.iter().find(|p| p.table == t.table) else {
            return Some(format!(
                "table {} is no longer on both sides: start a new diff",
                t.table
            ));
        };
        if now.source_fingerprint != t.source_fingerprint {
            return Some(format!(
                "the schema of table {} in SOURCE changed since the run started (ALTER TABLE?): start a new diff",
                t.table
            ));
        }
        if now.target_fingerprint != t.target_fingerprint {
            return Some(format!(
                "the schema of table {} in TARGET changed since the run started (ALTER TABLE?): start a new diff",
                t.table
            ));
        }
        if now != t {
            return Some(format!(
                "table {} is now compared differently (columns or key): start a new diff",
                t.table
            ));
        }
    }
    None
}

/// Continues a run from its checkpoint. `options`, when given, must equal the run's.
pub async fn resume(
    run: RunDir,
    options: Option<&RunOptions>,
    statement_timeout_secs: Option<u64>,
    source: &Db,
    target: &Db,
    hooks: &Hooks,
) -> Result<RunOutcome> {
    let mut manifest = run.manifest()?;
    if let Some(o) = options {
        if *o != manifest.options {
            return Err(Error::Refused(format!(
                "run {} was started with other options ({}); resume takes the run's own options: start a new diff to change them",
                run.id,
                describe_options(&manifest.options)
            )));
        }
    }
    for (side, r, db) in [
        ("SOURCE", &manifest.source, source),
        ("TARGET", &manifest.target, target),
    ] {
        if r.dialect != db.dialect() {
            return Err(Error::Refused(format!(
                "{side} of run {} is a {} database, not {}",
                run.id,
                r.dialect,
                db.dialect()
            )));
        }
    }
    // A run stopped before its first checkpoint starts from the beginning.
    let checkpoint = match run.checkpoint() {
        Ok(c) => c,
        Err(_) if !run.checkpoint_path().exists() => fresh_checkpoint(&manifest),
        Err(e) => return Err(e),
    };
    if checkpoint.state == RunState::Complete {
        return Ok(RunOutcome {
            run,
            manifest,
            checkpoint,
        });
    }
    // The statement timeout limits each query; it changes nothing compared, so a resumed run
    // may raise it (after a run stopped on it) without being refused.
    if let Some(t) = statement_timeout_secs {
        manifest.options.statement_timeout_secs = t;
    }
    let (sc, tc) = catalogs(source, target).await?;
    if let Some(why) = resume_refusal(&manifest, &sc, &tc) {
        return Err(Error::Refused(format!(
            "cannot resume run {}: {why}",
            run.id
        )));
    }
    execute(run, manifest, checkpoint, source, target, hooks).await
}

fn describe_options(o: &RunOptions) -> String {
    let mut parts = vec![format!("--batch-size {}", o.batch_size)];
    if !o.tables.is_empty() {
        parts.push(format!("--tables {}", o.tables.join(",")));
    }
    if !o.ignore_columns.is_empty() {
        parts.push(format!("--ignore-columns {}", o.ignore_columns.join(",")));
    }
    parts.join(" ")
}

async fn execute(
    run: RunDir,
    manifest: RunManifest,
    checkpoint: Checkpoint,
    source: &Db,
    target: &Db,
    hooks: &Hooks,
) -> Result<RunOutcome> {
    let mut ctx = Ctx {
        run: &run,
        manifest: &manifest,
        checkpoint,
        source,
        target,
        hooks,
    };
    ctx.checkpoint.state = RunState::Running;
    ctx.checkpoint.error = None;
    ctx.save()?;
    for (i, pair) in manifest.tables.iter().enumerate() {
        if ctx.checkpoint.tables[i].status == TableStatus::Complete {
            continue;
        }
        let r = if pair.key_kind == KeyKind::Multiset {
            multiset::diff_multiset(&mut ctx, i, pair).await
        } else {
            merge::diff_keyed(&mut ctx, i, pair).await
        };
        if let Err(e) = r {
            if matches!(e, Error::Interrupted(_)) {
                ctx.checkpoint.state = RunState::Interrupted;
            } else {
                ctx.checkpoint.state = RunState::Failed;
                ctx.checkpoint.error = Some(crate::error::one_line(&e.to_string()));
            }
            ctx.save()?;
            return Err(e);
        }
    }
    ctx.checkpoint.state = RunState::Complete;
    ctx.save()?;
    let checkpoint = ctx.checkpoint;
    Ok(RunOutcome {
        run,
        manifest,
        checkpoint,
    })
}

/// Reads a run's stored differences, in the order they were found, without touching a database.
pub fn read_differences(
    run: &RunDir,
    manifest: &RunManifest,
    checkpoint: &Checkpoint,
    table: Option<&str>,
    each: &mut dyn FnMut(&TablePair, crate::model::rowdiff::DiffRecord) -> bool,
) -> Result<()> {
    use std::io::{BufRead, Read};
    for (i, pair) in manifest.tables.iter().enumerate() {
        if let Some(t) = table {
            if pair.table != t && pair.source.name != t && pair.target.name != t {
                continue;
            }
        }
        let len = checkpoint.tables.get(i).map(|p| p.diff_bytes).unwrap_or(0);
        let path = run.diff_path(i);
        let Ok(f) = std::fs::File::open(&path) else {
            continue;
        };
        let r = std::io::BufReader::new(f.take(len));
        for line in r.lines() {
            let line = line.map_err(|e| Error::file(&path, e))?;
            if line.is_empty() {
                continue;
            }
            let rec = serde_json::from_str(&line).map_err(|e| Error::file(&path, e))?;
            if !each(pair, rec) {
                return Ok(());
            }
        }
    }
    Ok(())
}
