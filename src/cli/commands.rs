//! One function per subcommand.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use std::time::Duration;

use super::drive::drive;
use super::{Cli, Command, Format, SchemaCommand, now_rfc3339, schema, summary};
use crate::config::Profiles;
use crate::engine::demo;
use crate::engine::jobs::Engine;
use crate::engine::protocol::{self, Output};
use crate::error::{Error, Result, exit};
use crate::model::{Filter, Snapshot};

pub async fn run(cli: Cli) -> Result<i32> {
    let profiles = match &cli.profiles {
        Some(p) => Profiles::load(p)?,
        None => Profiles::load_default()?,
    };
    let engine = Engine::new(profiles);
    let profiles = &engine;
    let Some(command) = cli.command else {
        // `sluice` alone: the start screen on a terminal, the usage otherwise.
        if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
            return crate::tui::run(engine, Default::default(), super::process_cancel()).await;
        }
        return Err(Error::usage(
            "sluice needs a command when not on a terminal (the TUI needs one): inspect, \
             snapshot, schema, data, apply, resume, rollback, runs, history, demo, tui; see `sluice --help`",
        ));
    };
    match command {
        Command::Snapshot { db, out, filter } => {
            snapshot(profiles, &db, &out, &filter.build()?).await
        }
        Command::Inspect { db, format, filter } => {
            inspect(profiles, &db, format, &filter.build()?).await
        }
        Command::Demo { dir, print, mouse } => {
            if print || !std::io::stdout().is_terminal() {
                run_demo(dir).await
            } else {
                demo_tui(dir, mouse).await
            }
        }
        Command::Tui {
            source,
            target,
            mouse,
        } => {
            let pair = match (source, target) {
                (Some(s), Some(t)) => Some((s, t)),
                (None, None) => None,
                _ => {
                    return Err(Error::usage(
                        "give both SOURCE and TARGET, or neither (the start screen)",
                    ));
                }
            };
            let opts = crate::tui::Options { pair, mouse };
            crate::tui::run(engine.clone(), opts, super::process_cancel()).await
        }
        Command::Data { command } => super::data::run(profiles, command).await,
        Command::Runs { format } => super::data::runs(profiles, format).await,
        Command::Bench { command } => super::bench::run(command).await,
        Command::Resume {
            run_id,
            source,
            target,
            format,
            exit_code,
            statement_timeout,
        } => {
            super::data::resume(
                profiles,
                &run_id,
                source.as_deref(),
                target.as_deref(),
                format,
                exit_code,
                statement_timeout,
            )
            .await
        }
        Command::Schema { command } => match command {
            SchemaCommand::Diff {
                source,
                target,
                format,
                exit_code,
                renames,
                filter,
            } => {
                schema::diff(
                    profiles,
                    schema::DiffArgs {
                        source: &source,
                        target: &target,
                        format,
                        exit_code,
                        opts: renames.options(),
                        filter: filter.build()?,
                    },
                )
                .await
            }
            SchemaCommand::Plan {
                source,
                target,
                out,
                force,
                allow_destructive,
                allow,
                graph,
                renames,
                filter,
            } => {
                schema::plan(
                    profiles,
                    schema::PlanArgs {
                        source: &source,
                        target: &target,
                        out: &out,
                        force,
                        allow_destructive,
                        allow: super::AllowKind::names(&allow),
                        graph,
                        opts: renames.options(),
                        filter: filter.build()?,
                    },
                )
                .await
            }
        },
        Command::Rollback { run } => schema::rollback(profiles, run.args(Vec::new(), false)).await,
        Command::History { target, format } => {
            schema::history_list(profiles, target.as_deref(), format == Format::Json).await
        }
        Command::Apply {
            run,
            allow,
            accept_edits,
        } => {
            schema::apply(
                profiles,
                run.args(super::AllowKind::names(&allow), accept_edits),
            )
            .await
        }
    }
}

async fn snapshot(engine: &Engine, db: &str, out: &Path, filter: &Filter) -> Result<i32> {
    let cmd = protocol::Command::Snapshot {
        db: db.to_string(),
        out: out.to_path_buf(),
        filter: filter.clone(),
    };
    let Output::SnapshotWritten { from, out, catalog } = drive(engine, cmd).await? else {
        return Err(Error::usage(
            "the engine answered a snapshot request otherwise",
        ));
    };
    let counts = catalog.summary();
    eprintln!(
        "wrote snapshot of {from} to {} ({} tables, {} views, {} functions, {} unsupported)",
        out.display(),
        counts.tables,
        counts.views + counts.materialized_views,
        counts.functions,
        counts.unsupported
    );
    Ok(exit::OK)
}

async fn inspect(engine: &Engine, db: &str, format: Format, filter: &Filter) -> Result<i32> {
    let cmd = protocol::Command::Inspect {
        db: db.to_string(),
        filter: filter.clone(),
    };
    let Output::Catalog { name, catalog } = drive(engine, cmd).await? else {
        return Err(Error::usage(
            "the engine answered an inspect request otherwise",
        ));
    };
    match format {
        Format::Json => {
            let snap = Snapshot::new(*catalog, name, now_rfc3339());
            out!("{}", snap.to_json())?;
        }
        Format::Text => out!("{}", summary::render(&name, &catalog))?,
    }
    Ok(exit::OK)
}

/// The demo pair, built in `dir` (or a temporary directory kept while the TUI runs), opened in
/// the TUI.
async fn demo_tui(dir: Option<PathBuf>, mouse: bool) -> Result<i32> {
    let (dir, _guard) = demo_dir(dir)?;
    let pair = demo::build(&dir).await?;
    let opts = crate::tui::Options {
        pair: Some((pair.source_url(), pair.target_url())),
        mouse,
    };
    crate::tui::run(Engine::default(), opts, super::process_cancel()).await
}

/// `--dir DIR` (created, kept), else a temporary directory removed when the guard goes.
fn demo_dir(dir: Option<PathBuf>) -> Result<(PathBuf, Option<tempfile::TempDir>)> {
    match dir {
        Some(d) => {
            std::fs::create_dir_all(&d).map_err(|e| Error::file(&d, e))?;
            Ok((d, None))
        }
        None => {
            let t = tempfile::Builder::new()
                .prefix("sluice-demo-")
                .tempdir()
                .map_err(|e| Error::file(std::env::temp_dir(), e))?;
            Ok((t.path().to_path_buf(), Some(t)))
        }
    }
}

async fn run_demo(dir: Option<PathBuf>) -> Result<i32> {
    let keep = dir.is_some();
    let (dir, _guard) = demo_dir(dir)?;
    let pair = demo::build(&dir).await?;
    outln!("sluice demo — two versions of a small shop database, built fresh in SQLite:")?;
    outln!("  SOURCE (desired state)  {}", pair.source_url())?;
    outln!("  TARGET (will change)    {}", pair.target_url())?;
    outln!()?;
    let engine = Engine::default();
    let (src, tgt) = (pair.source_url(), pair.target_url());
    let catalog = |db: &str| protocol::Command::Inspect {
        db: db.to_string(),
        filter: Filter::default(),
    };
    for (side, db) in [("SOURCE", &src), ("TARGET", &tgt)] {
        let Output::Catalog { catalog, .. } = drive(&engine, catalog(db)).await? else {
            return Err(Error::usage(
                "the engine answered an inspect request otherwise",
            ));
        };
        out!("{}", summary::render(side, &catalog))?;
        outln!()?;
    }
    outln!("Schema diff — what would change in TARGET to make it look like SOURCE:")?;
    let cmd = protocol::Command::SchemaDiff {
        source: src.clone(),
        target: tgt.clone(),
        opts: Default::default(),
        filter: Filter::default(),
        counts: false,
    };
    let Output::Diff(d) = drive(&engine, cmd).await? else {
        return Err(Error::usage("the engine answered a diff request otherwise"));
    };
    out!("{}", schema::render_text(&src, &tgt, &d.changes, &d.risks))?;
    outln!()?;
    outln!(
        "Plan — the SQL that would bring TARGET in line (as `sluice schema diff --format sql`):"
    )?;
    let cmd = protocol::Command::SchemaScript {
        source: src.clone(),
        target: tgt.clone(),
        opts: Default::default(),
        filter: Filter::default(),
    };
    let Output::Script(script) = drive(&engine, cmd).await? else {
        return Err(Error::usage(
            "the engine answered a script request otherwise",
        ));
    };
    out!("{script}")?;
    outln!()?;
    // The pack a DBA would review and hand on: written exactly as `sluice schema plan` does.
    let pack_dir = dir.join("pack");
    schema::plan(
        &engine,
        schema::PlanArgs {
            source: &src,
            target: &tgt,
            out: &pack_dir,
            force: false,
            allow_destructive: false,
            allow: Vec::new(),
            graph: false,
            opts: Default::default(),
            filter: Filter::default(),
        },
    )
    .await?;
    outln!("Migration pack: {}", pack_dir.display())?;
    outln!("  up.sql, down.sql, changelog.md, plan.json, graph.dot — destructive steps are")?;
    outln!("  commented out. To include them and apply (one transaction, all or nothing):")?;
    outln!(
        "  sluice schema plan {} {} --out {} --allow-destructive",
        pair.source_url(),
        pair.target_url(),
        pack_dir.display()
    )?;
    outln!(
        "  sluice apply {} --target {} --allow-destructive",
        pack_dir.display(),
        pair.target_url()
    )?;
    outln!("Row diff — which rows differ, table by table (compared on the columns both have):")?;
    let rows = super::data::demo_rows(&engine, &src, &tgt, &dir.join("runs")).await?;
    out!("{rows}")?;
    outln!()?;
    if !keep {
        outln!(
            "(The demo databases and pack are removed on exit; `sluice demo --dir DIR` keeps them.)"
        )?;
    }
    Ok(exit::OK)
}

impl super::RunPackArgs {
    /// As `apply`/`rollback` take them, with apply's own gates.
    fn args(&self, allow: Vec<String>, accept_edits: bool) -> schema::ApplyArgs<'_> {
        schema::ApplyArgs {
            dir: &self.dir,
            target: &self.target,
            gates: crate::engine::apply::Gates {
                allow_destructive: self.allow_destructive,
                allow,
                accept_edits,
                retarget: self.retarget,
                force_partial: self.force_partial,
                pack_id: self.pack_id.clone(),
                yes: self.yes,
            },
            dry_run: self.dry_run,
            lock_timeout: Duration::from_secs(self.lock_timeout),
            statement_timeout: Duration::from_secs(self.statement_timeout),
        }
    }
}
