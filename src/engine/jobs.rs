//! The engine as a service: [`Engine::start`] runs a [`Command`] on a tokio task and hands back
//! the job's [`Event`]s, ending with [`Event::Finished`]. The CLI and the TUI are both clients of
//! this; neither opens a database itself.

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::apply::{self, Direction};
use super::protocol::{Command, DiffReport, Event, Events, Output, Page, PlanRequest, Planned};
use super::rows::{self, Hooks, Progress, RunDir, RunOutcome, store};
use super::source::{self, Source};
use super::{history, pack, risk, schema};
use crate::cancel::Cancel;
use crate::config::Profiles;
use crate::dialect::db::looks_like_url;
use crate::dialect::{Access, Db, DbUrl};
use crate::error::{Error, Result};
use crate::model::rowdiff::{DbRef, RunOptions};
use crate::model::{Assessment, Catalog, Change, Filter, Snapshot};

/// The engine, with the profiles database references resolve through.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    profiles: Profiles,
}

/// A running job: its events, the last of which is [`Event::Finished`].
pub struct Job {
    pub events: mpsc::UnboundedReceiver<Event>,
}

impl Engine {
    pub fn new(profiles: Profiles) -> Engine {
        Engine { profiles }
    }

    /// The profiles' names, for a client to offer.
    pub fn profile_names(&self) -> Vec<String> {
        self.profiles.profiles.keys().cloned().collect()
    }

    /// Starts `cmd` on a task of the current tokio runtime. Cancelling `cancel` stops it the way
    /// each job stops (statement stopped on the server, rollback or checkpoint).
    pub fn start(&self, cmd: Command, cancel: Cancel) -> Job {
        let (tx, rx) = mpsc::unbounded_channel();
        let events = Events::new(tx);
        let engine = self.clone();
        // The job's future is driven on a thread of its own: the database driver's executors defeat the
        // compiler's proof that such a future is `Send` (a higher-ranked lifetime inference
        // limit), so it cannot be `tokio::spawn`ed; everything it spawns runs on the runtime.
        let handle = tokio::runtime::Handle::current();
        // Jobs that stop cleanly on a cancel (stop the statement, roll back or checkpoint) see
        // the token themselves; the others (reading catalogs) simply end when it is cancelled.
        let cooperative = matches!(
            cmd,
            Command::RunPack { .. } | Command::DataDiff { .. } | Command::Resume { .. }
        );
        tokio::task::spawn_blocking(move || {
            let result = handle.block_on(async {
                tokio::select! {
                    r = engine.run(cmd, &events, &cancel) => r,
                    _ = cancel.cancelled(), if !cooperative => Err(cancel.error()),
                }
            });
            events.send(Event::Finished(result));
        });
        Job { events: rx }
    }

    /// Runs `cmd` here, sending its events to `events`; returns its result.
    pub async fn run(&self, cmd: Command, events: &Events, cancel: &Cancel) -> Result<Output> {
        match cmd {
            Command::Inspect { db, filter } => self.inspect(&db, &filter).await,
            Command::Snapshot { db, out, filter } => self.snapshot(&db, out, &filter).await,
            Command::SchemaDiff {
                source,
                target,
                opts,
                filter,
                counts,
            } => {
                let (src, tgt, a, b) = self.both(&source, &target, &filter).await?;
                let changes = schema::changes(&b, &a, &opts);
                let risks = if counts {
                    assess(&tgt, &changes, &b, &a).await?
                } else {
                    risk::assess_plan(&changes, &b, &a)
                };
                Ok(Output::Diff(Box::new(DiffReport {
                    source: src.display(),
                    target: tgt.display(),
                    changes,
                    risks,
                })))
            }
            Command::SchemaScript {
                source,
                target,
                opts,
                filter,
            } => {
                let (src, tgt, a, b) = self.both(&source, &target, &filter).await?;
                let plan = schema::plan(&b, &a, &opts)?;
                Ok(Output::Script(script(
                    &plan,
                    &a,
                    &b,
                    &src.display(),
                    &tgt.display(),
                    &opts,
                    &filter,
                )))
            }
            Command::SchemaPlan(req) => self.plan(req).await,
            Command::Compare {
                source,
                target,
                opts,
                filter,
            } => self.compare(&source, &target, &opts, &filter, events).await,
            Command::Check { db } => {
                let src = Source::resolve(&db, &self.profiles)?;
                let started = std::time::Instant::now();
                match src.live() {
                    Some(url) => {
                        let conn = url.connect(Access::ReadOnly).await?;
                        let version = crate::dialect::server_version(&conn).await;
                        conn.close().await;
                        Ok(Output::Checked {
                            name: url.display(),
                            version: version?,
                            millis: millis(started),
                        })
                    }
                    None => {
                        let cat = src.catalog(&Filter::default()).await?;
                        Ok(Output::Checked {
                            name: src.display(),
                            version: format!(
                                "snapshot of {} {}",
                                cat.dialect.map(|d| d.to_string()).unwrap_or_default(),
                                cat.server_version
                            ),
                            millis: millis(started),
                        })
                    }
                }
            }
            Command::RunPack {
                dir,
                target,
                gates,
                options,
                direction,
            } => {
                check_kinds(&gates.allow)?;
                let tgt = Source::resolve(&target, &self.profiles)?;
                let Some(url) = tgt.live() else {
                    return Err(Error::usage(format!(
                        "{} needs a live TARGET database, not {}",
                        match direction {
                            Direction::Up => "apply",
                            Direction::Down => "rollback",
                        },
                        tgt.display()
                    )));
                };
                let req = apply::Request {
                    dir: &dir,
                    target: url,
                    gates,
                    options,
                    direction,
                };
                let outcome = apply::run(req, events, cancel).await?;
                Ok(Output::RunPack {
                    outcome: Box::new(outcome),
                    target: url.display(),
                    direction,
                })
            }
            Command::DataDiff {
                source,
                target,
                options,
                runs_root,
            } => {
                self.data_diff(&source, &target, options, runs_root, events, cancel)
                    .await
            }
            Command::Resume {
                run_id,
                source,
                target,
                statement_timeout,
            } => {
                self.resume(
                    &run_id,
                    source.as_deref(),
                    target.as_deref(),
                    statement_timeout,
                    events,
                    cancel,
                )
                .await
            }
            Command::DataShow {
                run_id,
                table,
                class,
                offset,
                limit,
            } => show(&run_id, table.as_deref(), class, offset, limit),
            Command::Runs => {
                let root = store::runs_root()?;
                let listing = store::list(&root);
                Ok(Output::Runs {
                    root,
                    listing: Box::new(listing),
                })
            }
            Command::History { target } => {
                let mut h = history::read()?;
                if let Some(t) = target {
                    h.entries.retain(|e| e.target.contains(&t));
                }
                Ok(Output::History(Box::new(h)))
            }
        }
    }

    async fn inspect(&self, db: &str, filter: &Filter) -> Result<Output> {
        let src = Source::resolve(db, &self.profiles)?;
        let catalog = src.catalog(filter).await?;
        source::check_filter(filter, &[(&src, &catalog)]).await?;
        Ok(Output::Catalog {
            name: src.display(),
            catalog: Box::new(catalog),
        })
    }

    async fn snapshot(&self, db: &str, out: PathBuf, filter: &Filter) -> Result<Output> {
        let src = Source::resolve(db, &self.profiles)?;
        let Source::Live(url) = &src else {
            return Err(Error::usage(format!(
                "'{db}' is a file; snapshot takes a live database (a URL or a profile name)"
            )));
        };
        let catalog = src.catalog(filter).await?;
        source::check_filter(filter, &[(&src, &catalog)]).await?;
        let snap = Snapshot::new(catalog.clone(), url.display(), crate::clock::now_rfc3339());
        source::write_snapshot(&snap, &out)?;
        Ok(Output::SnapshotWritten {
            from: url.display(),
            out,
            catalog: Box::new(catalog),
        })
    }

    /// Both sides resolved and inspected at once, the filters checked against what they hold.
    async fn both(
        &self,
        s: &str,
        t: &str,
        f: &Filter,
    ) -> Result<(Source, Source, Catalog, Catalog)> {
        let src = Source::resolve(s, &self.profiles)?;
        let tgt = Source::resolve(t, &self.profiles)?;
        let (a, b) = source::catalogs(&src, &tgt, f).await?;
        source::check_filter(f, &[(&src, &a), (&tgt, &b)]).await?;
        Ok((src, tgt, a, b))
    }

    async fn compare(
        &self,
        s: &str,
        t: &str,
        opts: &super::diff::DiffOptions,
        f: &Filter,
        events: &Events,
    ) -> Result<Output> {
        let src = Source::resolve(s, &self.profiles)?;
        let tgt = Source::resolve(t, &self.profiles)?;
        let started = std::time::Instant::now();
        let side = |name: &'static str, source: &Source| {
            let events = events.clone();
            let f = f.clone();
            let source = source.clone();
            async move {
                let c = source.catalog(&f).await;
                events.send(Event::SideReady {
                    side: name,
                    millis: millis(started),
                });
                c
            }
        };
        let (a, b) = tokio::try_join!(side("SOURCE", &src), side("TARGET", &tgt))?;
        source::check_filter(f, &[(&src, &a), (&tgt, &b)]).await?;
        let changes = schema::changes(&b, &a, opts);
        let mut plan = schema::plan(&b, &a, opts)?;
        let risks = match tgt.live() {
            Some(url) if !changes.is_empty() => {
                let db = url.connect(Access::ReadOnly).await?;
                let r = risk::assess_with_data(&changes, &b, &a, Some(&db)).await;
                schema::assess_with_data(&mut plan, &b, &a, &db).await;
                db.close().await;
                r
            }
            _ => risk::assess_plan(&changes, &b, &a),
        };
        Ok(Output::Compared(Box::new(super::protocol::Comparison {
            source_name: src.display(),
            target_name: tgt.display(),
            source: a,
            target: b,
            changes,
            risks,
            plan,
        })))
    }

    async fn plan(&self, r: PlanRequest) -> Result<Output> {
        check_kinds(&r.allow)?;
        let (src, tgt, source_cat, target_cat) = self.both(&r.source, &r.target, &r.filter).await?;
        let mut plan = schema::plan(&target_cat, &source_cat, &r.opts)?;
        let mut identity = None;
        if let Some(url) = tgt.live() {
            let db = url.connect(Access::ReadOnly).await?;
            schema::assess_with_data(&mut plan, &target_cat, &source_cat, &db).await;
            let id = crate::dialect::identity(&db).await;
            db.close().await;
            identity = Some(id?);
        }
        let m = pack::manifest(
            &plan,
            &source_cat,
            &target_cat,
            src.display(),
            tgt.display(),
            pack::PackOptions {
                renames: r.opts.renames,
                rename_threshold: r.opts.rename_threshold,
                allow_destructive: r.allow_destructive,
                allow: r.allow.clone(),
                filter: r.filter.describe().to_vec(),
                include: r.include.clone(),
                exclude: r.exclude.clone(),
            },
            crate::clock::now_rfc3339(),
            identity,
        );
        let pack_id = pack::write(&r.out, &m, &source_cat, &target_cat, r.force)?;
        Ok(Output::Planned(Box::new(Planned {
            manifest: m,
            dir: r.out,
            pack_id,
        })))
    }

    async fn data_diff(
        &self,
        source: &str,
        target: &str,
        options: RunOptions,
        runs_root: Option<PathBuf>,
        events: &Events,
        cancel: &Cancel,
    ) -> Result<Output> {
        let (su, sr) = self.live(source, "SOURCE")?;
        let (tu, tr) = self.live(target, "TARGET")?;
        let (sdb, tdb) = connect_both(&su, &tu).await?;
        let root = match runs_root {
            Some(r) => r,
            None => store::runs_root()?,
        };
        let r = with_progress(events, cancel, |hooks| async move {
            let r = rows::start(&root, sr, tr, options, &sdb, &tdb, &hooks).await;
            sdb.close().await;
            tdb.close().await;
            r
        })
        .await;
        match r {
            Ok(o) => Ok(Output::Rows(Box::new(o))),
            Err(e) => Err(stopped(events, &latest_run_id(), e)),
        }
    }

    async fn resume(
        &self,
        run_id: &str,
        source: Option<&str>,
        target: Option<&str>,
        statement_timeout: Option<u64>,
        events: &Events,
        cancel: &Cancel,
    ) -> Result<Output> {
        let root = store::runs_root()?;
        let run = RunDir::open(&root, run_id)?;
        let manifest = run.manifest()?;
        let su = self.side_for_resume(&manifest.source, source, "SOURCE", run_id)?;
        let tu = self.side_for_resume(&manifest.target, target, "TARGET", run_id)?;
        let (sdb, tdb) = connect_both(&su, &tu).await?;
        let r = with_progress(events, cancel, |hooks| async move {
            let r = rows::resume(run, None, statement_timeout, &sdb, &tdb, &hooks).await;
            sdb.close().await;
            tdb.close().await;
            r
        })
        .await;
        r.map(|o| Output::Rows(Box::new(o)))
            .map_err(|e| stopped(events, run_id, e))
    }

    /// A reference resolved to a live database, and how a run records it.
    fn live(&self, reference: &str, side: &str) -> Result<(DbUrl, DbRef)> {
        let src = Source::resolve(reference, &self.profiles)?;
        let Source::Live(url) = src else {
            return Err(Error::usage(format!(
                "{side} '{reference}' is a file: the row diff needs a live database (a URL or a profile name)"
            )));
        };
        let is_url = looks_like_url(reference);
        let r = DbRef {
            reference: if is_url {
                url.display()
            } else {
                reference.to_string()
            },
            kind: if is_url { "url" } else { "profile" }.to_string(),
            dialect: url.dialect(),
            database: String::new(),
        };
        Ok((url, r))
    }

    /// The database a resumed run reads: the reference given again (checked against the
    /// manifest), or the one the manifest names (a profile, or a URL that needs no password).
    fn side_for_resume(
        &self,
        stored: &DbRef,
        given: Option<&str>,
        side: &str,
        run_id: &str,
    ) -> Result<DbUrl> {
        let flag = side.to_ascii_lowercase();
        match given {
            Some(g) => {
                let (url, r) = self.live(g, side)?;
                let same = r.reference == stored.reference
                    || (stored.kind == "profile" && url.display() == self.profile_display(stored))
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
            None => self.parse_or_profile(&stored.reference).map_err(|e| {
                Error::usage(format!(
                    "cannot reopen {side} {} of run {run_id}: {e}; give it again with --{flag} URL",
                    stored.reference
                ))
            }),
        }
    }

    fn profile_display(&self, r: &DbRef) -> String {
        match Source::resolve(&r.reference, &self.profiles) {
            Ok(Source::Live(u)) => u.display(),
            _ => String::new(),
        }
    }

    /// A stored reference: a URL (without password) or a profile name.
    fn parse_or_profile(&self, reference: &str) -> Result<DbUrl> {
        match Source::resolve(reference, &self.profiles)? {
            Source::Live(u) => Ok(u),
            Source::Snapshot(p) => Err(Error::usage(format!("{} is a file", p.display()))),
        }
    }
}

fn millis(since: std::time::Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Checks `--allow` kinds.
pub fn check_kinds(kinds: &[String]) -> Result<()> {
    use crate::model::change::DESTRUCTIVE_KINDS;
    for k in kinds {
        if !DESTRUCTIVE_KINDS.contains(&k.as_str()) {
            return Err(Error::usage(format!(
                "unknown kind '{k}' for --allow: use {}",
                DESTRUCTIVE_KINDS.join(", ")
            )));
        }
    }
    Ok(())
}

/// Risk verdicts for `changes`, counted on TARGET's data when TARGET is a live database.
async fn assess(
    tgt: &Source,
    changes: &[Change],
    target: &Catalog,
    source: &Catalog,
) -> Result<Vec<Assessment>> {
    match tgt.live() {
        Some(url) if !changes.is_empty() => {
            let db = url.connect(Access::ReadOnly).await?;
            let a = risk::assess_with_data(changes, target, source, Some(&db)).await;
            db.close().await;
            Ok(a)
        }
        _ => Ok(risk::assess_plan(changes, target, source)),
    }
}

/// The plan as `up.sql` of a pack made with no destructive step allowed: each step behind its
/// comment block, destructive steps and the steps that only serve them commented out; no time in
/// the header, so the same two catalogs print the same script.
pub fn script(
    plan: &schema::SchemaPlan,
    source: &Catalog,
    target: &Catalog,
    source_name: &str,
    target_name: &str,
    opts: &super::diff::DiffOptions,
    filter: &Filter,
) -> String {
    if plan.steps.is_empty() {
        return "-- no differences\n".to_string();
    }
    let m = pack::manifest(
        plan,
        source,
        target,
        source_name.to_string(),
        target_name.to_string(),
        pack::PackOptions {
            renames: opts.renames,
            rename_threshold: opts.rename_threshold,
            allow_destructive: false,
            allow: Vec::new(),
            filter: filter.describe().to_vec(),
            ..Default::default()
        },
        String::new(),
        None,
    );
    pack::up_sql(&m)
}

async fn connect_both(a: &DbUrl, b: &DbUrl) -> Result<(Db, Db)> {
    tokio::try_join!(a.connect(Access::ReadOnly), b.connect(Access::ReadOnly))
}

/// Runs a row job with its progress forwarded as events, at most ten a second.
async fn with_progress<F, Fut>(events: &Events, cancel: &Cancel, job: F) -> Result<RunOutcome>
where
    F: FnOnce(Hooks) -> Fut,
    Fut: std::future::Future<Output = Result<RunOutcome>>,
{
    let (tx, mut rx) = watch::channel(Progress::default());
    let forward = {
        let events = events.clone();
        tokio::spawn(async move {
            loop {
                let changed = rx.changed().await;
                let p = rx.borrow_and_update().clone();
                if !p.table.is_empty() {
                    events.send(Event::Progress(p));
                }
                if changed.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let hooks = Hooks {
        progress: Some(tx),
        cancel: cancel.clone(),
    };
    let r = job(hooks).await;
    let _ = forward.await;
    r
}

/// The newest run's id (to name an interrupted run in messages).
fn latest_run_id() -> String {
    store::runs_root()
        .map(|root| store::list(&root))
        .ok()
        .and_then(|l| l.runs.into_iter().next())
        .map(|(r, _, _)| r.id)
        .unwrap_or_default()
}

/// Says where an interrupted or failed run stands, in the error it passes on.
fn stopped(events: &Events, run_id: &str, e: Error) -> Error {
    if matches!(e, Error::Interrupted(_)) {
        events.send(Event::Warning(format!(
            "run {run_id} stopped at its last checkpoint; continue it with `sluice resume {run_id}`"
        )));
        return e;
    }
    match e {
        Error::Database {
            context,
            message,
            kind,
        } if kind.is_statement_timeout() => Error::Database {
            context,
            kind,
            message: format!(
                "{message} (the statement timeout); the checkpoint is kept: continue with `sluice resume {run_id} --statement-timeout SECS` and a longer limit"
            ),
        },
        e => e,
    }
}

/// A page of a run's stored differences.
fn show(
    run_id: &str,
    table: Option<&str>,
    class: Option<crate::model::rowdiff::DiffClass>,
    offset: usize,
    limit: usize,
) -> Result<Output> {
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
    let mut seen = 0usize;
    let mut rows_out = Vec::new();
    rows::read_differences(&run, &manifest, &checkpoint, table, &mut |pair, rec| {
        if class.is_some_and(|c| c != rec.class) {
            return true;
        }
        seen += 1;
        if seen > offset && rows_out.len() < limit {
            rows_out.push((pair.table.clone(), pair.key_columns(), rec));
        }
        true
    })?;
    Ok(Output::Differences(Box::new(Page {
        run_id: run_id.to_string(),
        state: checkpoint.state,
        total: seen,
        offset,
        rows: rows_out,
    })))
}
