//! `sluice data diff|show`, `sluice runs`, `sluice resume`: the row diff on the command line.

use std::io::IsTerminal;
use std::time::Duration;

use clap::{Subcommand, ValueEnum};
use tokio::sync::watch;

use super::Format;
use crate::config::Profiles;
use crate::dialect::db::looks_like_url;
use crate::dialect::{Access, Db, DbUrl};
use crate::engine::rows::{self, Cancel, Hooks, Progress, RunDir, RunOutcome, store};
use crate::engine::source::Source;
use crate::error::{Error, Result, exit};
use crate::model::rowdiff::{DbRef, DiffClass, RunOptions, RunState, TableStatus};

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Compare the rows of every table present on both sides: inserts (only in SOURCE),
    /// deletes (only in TARGET), conflicts (same key, different values). Each diff is a run that
    /// `sluice resume` can continue.
    Diff {
        /// The desired state: a URL or a profile name.
        source: String,
        /// The database that would change: a URL or a profile name.
        target: String,
        /// Only these tables (globs on `table` or `schema.table`, either side's name).
        #[arg(long, value_name = "GLOB", value_delimiter = ',')]
        tables: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Rows per page (and per checkpoint), 1 to 1000000.
        #[arg(long, default_value_t = 10_000, value_name = "N", value_parser = super::batch_size())]
        batch_size: usize,
        /// Columns left out of the comparison: `table.column` (or `schema.table.column`).
        #[arg(long, value_name = "TABLE.COLUMN", value_delimiter = ',')]
        ignore_columns: Vec<String>,
        /// Exit with 1 when any row differs (for CI).
        #[arg(long)]
        exit_code: bool,
        /// Server-side limit for each query (seconds, 1 to 604800).
        #[arg(long, default_value_t = 300, value_name = "SECS", value_parser = super::seconds())]
        statement_timeout: u64,
    },
    /// Page through the differences a run stored (no database needed, nothing re-hashed).
    Show {
        run_id: String,
        /// Only this table (`schema.table` as reported, or the bare name).
        #[arg(long)]
        table: Option<String>,
        /// Only this class of difference.
        #[arg(long, value_enum)]
        class: Option<ClassArg>,
        /// Skip this many differences.
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// Show at most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClassArg {
    Insert,
    Delete,
    Conflict,
}

impl ClassArg {
    fn class(self) -> DiffClass {
        match self {
            ClassArg::Insert => DiffClass::Insert,
            ClassArg::Delete => DiffClass::Delete,
            ClassArg::Conflict => DiffClass::Conflict,
        }
    }
}

pub async fn run(profiles: &Profiles, cmd: DataCommand) -> Result<i32> {
    match cmd {
        DataCommand::Diff {
            source,
            target,
            tables,
            format,
            batch_size,
            ignore_columns,
            exit_code,
            statement_timeout,
        } => {
            let options = RunOptions {
                tables,
                ignore_columns,
                batch_size,
                statement_timeout_secs: statement_timeout,
            };
            diff(profiles, &source, &target, options, format, exit_code).await
        }
        DataCommand::Show {
            run_id,
            table,
            class,
            offset,
            limit,
            format,
        } => show(&run_id, table.as_deref(), class, offset, limit, format),
    }
}

/// A reference resolved to a live database, and how a run records it.
fn live(profiles: &Profiles, reference: &str, side: &str) -> Result<(DbUrl, DbRef)> {
    let src = Source::resolve(reference, profiles)?;
    let Source::Live(url) = src else {
        return Err(Error::usage(format!(
            "{side} '{reference}' is a file: the row diff needs a live database (a URL or a profile name)"
        )));
    };
    let r = DbRef {
        reference: if looks_like_url(reference) {
            url.display()
        } else {
            reference.to_string()
        },
        kind: if looks_like_url(reference) {
            "url"
        } else {
            "profile"
        }
        .to_string(),
        dialect: url.dialect(),
        database: String::new(),
    };
    Ok((url, r))
}

async fn connect_both(a: &DbUrl, b: &DbUrl) -> Result<(Db, Db)> {
    tokio::try_join!(a.connect(Access::ReadOnly), b.connect(Access::ReadOnly))
}

/// The process's token: a signal (Ctrl-C, SIGTERM, SIGHUP) cancels it; the job checkpoints and
/// stops.
fn cancel_on_ctrl_c() -> Cancel {
    super::process_cancel()
}

/// A progress line on stderr, redrawn ten times a second, when stderr is a terminal.
fn progress_bar() -> (
    Option<watch::Sender<Progress>>,
    Option<tokio::task::JoinHandle<()>>,
) {
    if !std::io::stderr().is_terminal() {
        return (None, None);
    }
    let (tx, mut rx) = watch::channel(Progress::default());
    // One line, never wrapped (a wrapped line would not be redrawn in place).
    let width = crossterm::terminal::size()
        .ok()
        .map(|(w, _)| w as usize)
        .filter(|w| *w > 1)
        .unwrap_or(80);
    let h = tokio::spawn(async move {
        loop {
            tokio::select! {
                r = rx.changed() => { if r.is_err() { break; } }
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
            let p = rx.borrow_and_update().clone();
            if !p.table.is_empty() {
                let line: String = progress_line(&p).chars().take(width - 1).collect();
                eprint!("\r\x1b[2K{line}");
            }
        }
        eprint!("\r\x1b[2K");
    });
    (Some(tx), Some(h))
}

fn human(n: f64) -> String {
    if n >= 1e6 {
        format!("{:.1}M", n / 1e6)
    } else if n >= 1e3 {
        format!("{:.1}k", n / 1e3)
    } else {
        format!("{n:.0}")
    }
}

/// `[2/11] public.track  SOURCE 12.3k/15.0k 3.2k rows/s ETA 1s  TARGET …`
pub fn progress_line(p: &Progress) -> String {
    let side = |name: &str, s: &rows::SideProgress| {
        let total = s
            .estimate
            .map(|e| format!("/{}", human(e as f64)))
            .unwrap_or_default();
        let eta = match s.eta_secs {
            Some(e) if !s.done => format!(" ETA {:.0}s", e.ceil()),
            _ if s.done => " done".to_string(),
            _ => String::new(),
        };
        format!(
            "{name} {}{total} {} rows/s{eta}",
            human(s.rows as f64),
            human(s.rows_per_sec)
        )
    };
    let frac = match (p.source.estimate, p.target.estimate) {
        (Some(a), Some(b)) if a + b > 0 => {
            ((p.source.rows + p.target.rows) as f64 / (a + b) as f64).min(1.0)
        }
        _ => 0.0,
    };
    let filled = (frac * 20.0).round() as usize;
    format!(
        "[{}{}] [{}/{}] {}  {}  {}",
        "#".repeat(filled),
        "-".repeat(20 - filled.min(20)),
        p.table_index,
        p.tables,
        p.table,
        side("SOURCE", &p.source),
        side("TARGET", &p.target)
    )
}

async fn finish_progress(
    tx: Option<watch::Sender<Progress>>,
    h: Option<tokio::task::JoinHandle<()>>,
) {
    drop(tx);
    if let Some(h) = h {
        let _ = h.await;
    }
}

/// Prints where an interrupted or failed run stands, then passes the error on.
fn stopped(run_id: &str, e: Error) -> Error {
    if matches!(e, Error::Interrupted(_)) {
        eprintln!(
            "sluice: run {run_id} stopped at its last checkpoint; continue it with `sluice resume {run_id}`"
        );
        return e;
    }
    match e {
        Error::Database {
            context,
            message,
            kind,
        } if is_statement_timeout(kind) => Error::Database {
            context,
            kind,
            message: format!(
                "{message} (the statement timeout); the checkpoint is kept: continue with `sluice resume {run_id} --statement-timeout SECS` and a longer limit"
            ),
        },
        e => e,
    }
}

/// Whether a database error is a statement timeout firing (PostgreSQL `statement_timeout`,
/// MariaDB `max_statement_time`, MySQL `max_execution_time`).
fn is_statement_timeout(kind: crate::error::DbErrorKind) -> bool {
    kind.is_statement_timeout()
}

async fn diff(
    profiles: &Profiles,
    source: &str,
    target: &str,
    options: RunOptions,
    format: Format,
    exit_code: bool,
) -> Result<i32> {
    let (su, sr) = live(profiles, source, "SOURCE")?;
    let (tu, tr) = live(profiles, target, "TARGET")?;
    let (sdb, tdb) = connect_both(&su, &tu).await?;
    let root = store::runs_root()?;
    let (tx, h) = progress_bar();
    let hooks = Hooks {
        progress: tx.clone(),
        cancel: cancel_on_ctrl_c(),
    };
    let r = rows::start(&root, sr, tr, options, &sdb, &tdb, &hooks).await;
    drop(hooks);
    finish_progress(tx, h).await;
    sdb.close().await;
    tdb.close().await;
    let outcome = match r {
        Ok(o) => o,
        Err(e) => return Err(stopped(&latest_run_id(&root), e)),
    };
    print_outcome(&outcome, format)?;
    Ok(if exit_code && outcome.differences() > 0 {
        exit::DIFFERENCES
    } else {
        exit::OK
    })
}

/// The newest run's id (to name an interrupted run in messages).
fn latest_run_id(root: &std::path::Path) -> String {
    store::list(root)
        .runs
        .into_iter()
        .next()
        .map(|(r, _, _)| r.id)
        .unwrap_or_default()
}

/// `sluice resume RUN_ID [--source REF] [--target REF]`.
pub async fn resume(
    profiles: &Profiles,
    run_id: &str,
    source: Option<&str>,
    target: Option<&str>,
    format: Format,
    exit_code: bool,
    statement_timeout: Option<u64>,
) -> Result<i32> {
    let root = store::runs_root()?;
    let run = RunDir::open(&root, run_id)?;
    let manifest = run.manifest()?;
    let su = side_for_resume(profiles, &manifest.source, source, "SOURCE", run_id)?;
    let tu = side_for_resume(profiles, &manifest.target, target, "TARGET", run_id)?;
    let (sdb, tdb) = connect_both(&su, &tu).await?;
    let (tx, h) = progress_bar();
    let hooks = Hooks {
        progress: tx.clone(),
        cancel: cancel_on_ctrl_c(),
    };
    let r = rows::resume(run, None, statement_timeout, &sdb, &tdb, &hooks).await;
    drop(hooks);
    finish_progress(tx, h).await;
    sdb.close().await;
    tdb.close().await;
    let outcome = r.map_err(|e| stopped(run_id, e))?;
    print_outcome(&outcome, format)?;
    Ok(if exit_code && outcome.differences() > 0 {
        exit::DIFFERENCES
    } else {
        exit::OK
    })
}

/// The database a resumed run reads: the reference given again (checked against the manifest),
/// or the one the manifest names (a profile, or a URL that needs no password).
fn side_for_resume(
    profiles: &Profiles,
    stored: &DbRef,
    given: Option<&str>,
    side: &str,
    run_id: &str,
) -> Result<DbUrl> {
    let flag = side.to_ascii_lowercase();
    match given {
        Some(g) => {
            let (url, r) = live(profiles, g, side)?;
            let same = r.reference == stored.reference
                || (stored.kind == "profile" && url.display() == profile_display(profiles, stored))
                || (stored.kind == "url" && url.display() == stored.reference);
            if !same {
                return Err(Error::Refused(format!(
                    "--{flag} {} is not the {side} of run {run_id} ({})",
                    url.display(),
                    stored.reference
                )));
            }
            Ok(url)
        }
        None => {
            let url = parse_or_profile(profiles, &stored.reference).map_err(|e| {
                Error::usage(format!(
                    "cannot reopen {side} {} of run {run_id}: {e}; give it again with --{flag} URL",
                    stored.reference
                ))
            })?;
            Ok(url)
        }
    }
}

fn profile_display(profiles: &Profiles, r: &DbRef) -> String {
    match Source::resolve(&r.reference, profiles) {
        Ok(Source::Live(u)) => u.display(),
        _ => String::new(),
    }
}

/// A stored reference: a URL (without password) or a profile name.
fn parse_or_profile(profiles: &Profiles, reference: &str) -> Result<DbUrl> {
    match Source::resolve(reference, profiles)? {
        Source::Live(u) => Ok(u),
        Source::Snapshot(p) => Err(Error::usage(format!("{} is a file", p.display()))),
    }
}

fn print_outcome(o: &RunOutcome, format: Format) -> Result<()> {
    match format {
        Format::Json => outln!("{}", outcome_json(o)),
        Format::Text => out!("{}", outcome_text(o)),
    }
}

/// The JSON result (documented in `docs/formats.md`, "Row diff output").
pub fn outcome_json(o: &RunOutcome) -> String {
    let m = &o.manifest;
    let tables: Vec<serde_json::Value> = m
        .tables
        .iter()
        .zip(&o.checkpoint.tables)
        .map(|(t, p)| {
            serde_json::json!({
                "table": t.table,
                "source_rows": p.counts.source_rows,
                "target_rows": p.counts.target_rows,
                "insert": p.counts.insert,
                "delete": p.counts.delete,
                "conflict": p.counts.conflict,
                "unchanged": p.counts.unchanged,
                "status": p.status.name(),
                "mode": t.mode(),
                "key": t.key_columns(),
                "columns_only_in_source": t.columns_only_in_source,
                "columns_only_in_target": t.columns_only_in_target,
                "ignored_columns": t.ignored_columns,
                "notes": t.notes,
            })
        })
        .collect();
    let v = serde_json::json!({
        "run_id": m.run_id,
        "state": o.checkpoint.state.name(),
        "source": m.source.reference,
        "target": m.target.reference,
        "hash_format": m.hash_format,
        "tables": tables,
        "only_in_source": m.only_in_source,
        "only_in_target": m.only_in_target,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

pub fn outcome_text(o: &RunOutcome) -> String {
    use std::fmt::Write;
    let m = &o.manifest;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Row diff {} — SOURCE {} → TARGET {}",
        m.run_id, m.source.reference, m.target.reference
    );
    let w = m
        .tables
        .iter()
        .map(|t| t.table.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        s,
        "{:<w$}  {:>10} {:>10} {:>8} {:>8} {:>8} {:>10}  status",
        "table", "source", "target", "insert", "delete", "conflict", "unchanged"
    );
    for (t, p) in m.tables.iter().zip(&o.checkpoint.tables) {
        let c = &p.counts;
        let mode = if t.mode() == "multiset" {
            " (multiset)"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "{:<w$}  {:>10} {:>10} {:>8} {:>8} {:>8} {:>10}  {}{mode}",
            t.table,
            c.source_rows,
            c.target_rows,
            c.insert,
            c.delete,
            c.conflict,
            c.unchanged,
            p.status.name()
        );
    }
    for t in &m.only_in_source {
        let _ = writeln!(s, "only in SOURCE (not compared): {t}");
    }
    for t in &m.only_in_target {
        let _ = writeln!(s, "only in TARGET (not compared): {t}");
    }
    for t in &m.tables {
        if !t.columns_only_in_source.is_empty() {
            let _ = writeln!(
                s,
                "{}: columns only in SOURCE (not compared): {}",
                t.table,
                t.columns_only_in_source.join(", ")
            );
        }
        if !t.columns_only_in_target.is_empty() {
            let _ = writeln!(
                s,
                "{}: columns only in TARGET (not compared): {}",
                t.table,
                t.columns_only_in_target.join(", ")
            );
        }
        if !t.ignored_columns.is_empty() {
            let _ = writeln!(
                s,
                "{}: ignored columns: {}",
                t.table,
                t.ignored_columns.join(", ")
            );
        }
        for n in &t.notes {
            let _ = writeln!(s, "{}: {n}", t.table);
        }
    }
    let (mut i, mut d, mut c) = (0, 0, 0);
    let mut with = 0;
    for p in &o.checkpoint.tables {
        i += p.counts.insert;
        d += p.counts.delete;
        c += p.counts.conflict;
        if p.counts.differences() > 0 {
            with += 1;
        }
    }
    if i + d + c == 0 {
        let _ = writeln!(s, "No row differs in {} compared tables.", m.tables.len());
    } else {
        let _ = writeln!(
            s,
            "{i} to insert, {d} to delete, {c} in conflict, in {with} of {} tables. Details: sluice data show {}",
            m.tables.len(),
            m.run_id
        );
    }
    s
}

fn show(
    run_id: &str,
    table: Option<&str>,
    class: Option<ClassArg>,
    offset: usize,
    limit: usize,
    format: Format,
) -> Result<i32> {
    let root = store::runs_root()?;
    let run = RunDir::open(&root, run_id)?;
    let manifest = run.manifest()?;
    let checkpoint = run.checkpoint()?;
    if let Some(t) = table {
        if !manifest
            .tables
            .iter()
            .any(|p| p.table == t || p.source.name == t || p.target.name == t)
        {
            return Err(Error::usage(format!(
                "run {run_id} compared no table '{t}'"
            )));
        }
    }
    let want = class.map(ClassArg::class);
    let mut seen = 0usize;
    let mut rows = Vec::new();
    rows::read_differences(&run, &manifest, &checkpoint, table, &mut |pair, rec| {
        if want.is_some_and(|c| c != rec.class) {
            return true;
        }
        seen += 1;
        if seen > offset && rows.len() < limit {
            rows.push((pair.table.clone(), pair.key_columns(), rec));
        }
        true
    })?;
    match format {
        Format::Json => {
            let items: Vec<serde_json::Value> = rows
                .iter()
                .map(|(t, _, r)| {
                    let mut v = serde_json::to_value(r).unwrap_or_default();
                    if let Some(o) = v.as_object_mut() {
                        o.insert("table".into(), serde_json::Value::String(t.clone()));
                    }
                    v
                })
                .collect();
            let v = serde_json::json!({
                "run_id": run_id,
                "state": checkpoint.state.name(),
                "total": seen,
                "offset": offset,
                "differences": items,
            });
            outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default())?;
        }
        Format::Text => {
            for (t, keycols, r) in &rows {
                let key = if r.key.is_null() {
                    format!("row ×{}", r.count.unwrap_or(1))
                } else {
                    format!("({}) = {}", keycols.join(", "), r.key)
                };
                // Stored hashes are hex; a damaged file must not panic on a char boundary.
                let short = |h: &String| h.get(..12).unwrap_or(h).to_string();
                let hashes = match (&r.source_hash, &r.target_hash) {
                    (Some(a), Some(b)) => format!("source {} target {}", short(a), short(b)),
                    (Some(a), None) => format!("source {}", short(a)),
                    (None, Some(b)) => format!("target {}", short(b)),
                    _ => String::new(),
                };
                outln!("{:<8} {t}  {key}  {hashes}", r.class.name())?;
            }
            let shown = rows.len();
            let incomplete = if checkpoint.state == RunState::Complete {
                ""
            } else {
                "; the run is not complete"
            };
            if seen == 0 {
                outln!("No stored differences match.")?;
            } else if shown == 0 {
                outln!("(none past --offset {offset}: {seen} in all{incomplete})")?;
            } else {
                // `--offset` and `--limit` may be as large as a usize: no arithmetic that wraps.
                outln!(
                    "({}–{} of {seen}{incomplete})",
                    offset.saturating_add(1),
                    offset.saturating_add(shown),
                )?;
            }
        }
    }
    Ok(exit::OK)
}

/// `sluice runs`.
pub fn runs(format: Format) -> Result<i32> {
    let root = store::runs_root()?;
    let listing = store::list(&root);
    let list = &listing.runs;
    match format {
        Format::Json => {
            let mut items: Vec<serde_json::Value> = list
                .iter()
                .map(|(r, m, c)| {
                    let (done, rows, diffs, state) = summary(m, c.as_ref());
                    serde_json::json!({
                        "run_id": r.id,
                        "created_at": m.created_at,
                        "source": m.source.reference,
                        "target": m.target.reference,
                        "tables": m.tables.len(),
                        "tables_complete": done,
                        "rows_read": rows,
                        "differences": diffs,
                        "state": state,
                    })
                })
                .collect();
            // Runs whose manifest is missing or unreadable: listed last, with the problem.
            items.extend(listing.corrupt.iter().map(|c| {
                serde_json::json!({
                    "run_id": c.id,
                    "state": "corrupt",
                    "path": c.path,
                    "error": c.problem,
                })
            }));
            outln!(
                "{}",
                serde_json::to_string_pretty(&serde_json::Value::Array(items)).unwrap_or_default()
            )?;
        }
        Format::Text => {
            if list.is_empty() && listing.corrupt.is_empty() {
                outln!("No runs in {}.", root.display())?;
            }
            for (r, m, c) in list {
                let (done, rows, diffs, state) = summary(m, c.as_ref());
                outln!(
                    "{}  {:<11} {} → {}  tables {done}/{}  rows {rows}  differences {diffs}  ({})",
                    r.id,
                    state,
                    m.source.reference,
                    m.target.reference,
                    m.tables.len(),
                    m.created_at
                )?;
            }
            for c in &listing.corrupt {
                outln!(
                    "{}  {:<11} {}: {}",
                    c.id,
                    "corrupt",
                    c.path.display(),
                    c.problem
                )?;
            }
        }
    }
    Ok(exit::OK)
}

fn summary(
    m: &crate::model::rowdiff::RunManifest,
    c: Option<&crate::model::rowdiff::Checkpoint>,
) -> (usize, u64, u64, String) {
    let Some(c) = c else {
        return (0, 0, 0, "unknown".into());
    };
    let done = c
        .tables
        .iter()
        .filter(|t| t.status == TableStatus::Complete)
        .count();
    let rows = c
        .tables
        .iter()
        .map(|t| t.counts.source_rows + t.counts.target_rows)
        .sum();
    let diffs = c.tables.iter().map(|t| t.counts.differences()).sum();
    let _ = m;
    (done, rows, diffs, c.state.name().to_string())
}

/// The row diff of the demo pair (`sluice demo`): runs kept under `runs_root`, progress bar on
/// stderr when it is a terminal; returns the text report.
pub async fn demo_rows(source: &str, target: &str, runs_root: &std::path::Path) -> Result<String> {
    let profiles = Profiles::default();
    let (su, sr) = live(&profiles, source, "SOURCE")?;
    let (tu, tr) = live(&profiles, target, "TARGET")?;
    let (sdb, tdb) = connect_both(&su, &tu).await?;
    let (tx, h) = progress_bar();
    let hooks = Hooks {
        progress: tx.clone(),
        cancel: Cancel::default(),
    };
    let options = RunOptions {
        tables: Vec::new(),
        ignore_columns: Vec::new(),
        batch_size: 10_000,
        statement_timeout_secs: 60,
    };
    let r = rows::start(runs_root, sr, tr, options, &sdb, &tdb, &hooks).await;
    drop(hooks);
    finish_progress(tx, h).await;
    sdb.close().await;
    tdb.close().await;
    Ok(outcome_text(&r?))
}
