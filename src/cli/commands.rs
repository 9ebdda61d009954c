//! One function per subcommand.

use std::path::{Path, PathBuf};

use std::time::Duration;

use super::{Cli, Command, Format, SchemaCommand, now_rfc3339, schema, summary};
use crate::config::Profiles;
use crate::engine::demo;
use crate::engine::source::{self, Source};
use crate::error::{Error, Result, exit};
use crate::model::{Filter, Snapshot};

pub async fn run(cli: Cli) -> Result<i32> {
    let profiles = match &cli.profiles {
        Some(p) => Profiles::load(p)?,
        None => Profiles::load_default()?,
    };
    match cli.command {
        Command::Snapshot { db, out, filter } => {
            snapshot(&profiles, &db, &out, &filter.build()?).await
        }
        Command::Inspect { db, format, filter } => {
            inspect(&profiles, &db, format, &filter.build()?).await
        }
        Command::Demo { dir } => run_demo(dir).await,
        Command::Data { command } => super::data::run(&profiles, command).await,
        Command::Runs { format } => super::data::runs(format),
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
                &profiles,
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
                    &profiles,
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
                    &profiles,
                    schema::PlanArgs {
                        source: &source,
                        target: &target,
                        out: &out,
                        force,
                        allow_destructive,
                        allow,
                        graph,
                        opts: renames.options(),
                        filter: filter.build()?,
                    },
                )
                .await
            }
        },
        Command::Rollback { run } => schema::rollback(&profiles, run.args(Vec::new(), false)).await,
        Command::History { target, format } => {
            schema::history_list(target.as_deref(), format == Format::Json)
        }
        Command::Apply {
            run,
            allow,
            accept_edits,
        } => schema::apply(&profiles, run.args(allow, accept_edits)).await,
    }
}

async fn snapshot(profiles: &Profiles, db: &str, out: &Path, filter: &Filter) -> Result<i32> {
    let src = Source::resolve(db, profiles)?;
    let Source::Live(url) = &src else {
        return Err(Error::usage(format!(
            "'{db}' is a file; snapshot takes a live database (a URL or a profile name)"
        )));
    };
    let catalog = src.catalog(filter).await?;
    source::check_filter(filter, &[(&src, &catalog)]).await?;
    let counts = catalog.summary();
    let snap = Snapshot::new(catalog, url.display(), now_rfc3339());
    source::write_snapshot(&snap, out)?;
    eprintln!(
        "wrote snapshot of {} to {} ({} tables, {} views, {} functions, {} unsupported)",
        url.display(),
        out.display(),
        counts.tables,
        counts.views + counts.materialized_views,
        counts.functions,
        counts.unsupported
    );
    Ok(exit::OK)
}

async fn inspect(profiles: &Profiles, db: &str, format: Format, filter: &Filter) -> Result<i32> {
    let src = Source::resolve(db, profiles)?;
    let catalog = src.catalog(filter).await?;
    source::check_filter(filter, &[(&src, &catalog)]).await?;
    match format {
        Format::Json => {
            let snap = Snapshot::new(catalog, src.display(), now_rfc3339());
            out!("{}", snap.to_json())?;
        }
        Format::Text => out!("{}", summary::render(&src.display(), &catalog))?,
    }
    Ok(exit::OK)
}

async fn run_demo(dir: Option<PathBuf>) -> Result<i32> {
    let keep = dir.is_some();
    let (dir, _guard) = match dir {
        Some(d) => {
            std::fs::create_dir_all(&d).map_err(|e| Error::file(&d, e))?;
            (d, None)
        }
        None => {
            let t = tempfile::Builder::new()
                .prefix("sluice-demo-")
                .tempdir()
                .map_err(|e| Error::file(std::env::temp_dir(), e))?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    let pair = demo::build(&dir).await?;
    outln!("sluice demo — two versions of a small shop database, built fresh in SQLite:")?;
    outln!("  SOURCE (desired state)  {}", pair.source_url())?;
    outln!("  TARGET (will change)    {}", pair.target_url())?;
    outln!()?;
    let src = Source::resolve(&pair.source_url(), &Profiles::default())?;
    let tgt = Source::resolve(&pair.target_url(), &Profiles::default())?;
    let (a, b) = source::catalogs(&src, &tgt, &Filter::default()).await?;
    out!("{}", summary::render("SOURCE", &a))?;
    outln!()?;
    out!("{}", summary::render("TARGET", &b))?;
    outln!()?;
    outln!("Schema diff — what would change in TARGET to make it look like SOURCE:")?;
    let changes = crate::engine::schema::changes(&b, &a, &Default::default());
    let risks = crate::engine::risk::assess_plan(&changes, &b, &a);
    out!(
        "{}",
        schema::render_text(&pair.source_url(), &pair.target_url(), &changes, &risks)
    )?;
    outln!()?;
    outln!(
        "Plan — the SQL that would bring TARGET in line (as `sluice schema diff --format sql`):"
    )?;
    let plan = crate::engine::schema::plan(&b, &a, &Default::default())?;
    out!(
        "{}",
        schema::render_sql(
            &plan,
            &a,
            &b,
            &pair.source_url(),
            &pair.target_url(),
            &Default::default(),
            &Filter::default()
        )
    )?;
    outln!()?;
    // The pack a DBA would review and hand on: written exactly as `sluice schema plan` does.
    let pack_dir = dir.join("pack");
    schema::plan(
        &Profiles::default(),
        schema::PlanArgs {
            source: &pair.source_url(),
            target: &pair.target_url(),
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
    let rows =
        super::data::demo_rows(&pair.source_url(), &pair.target_url(), &dir.join("runs")).await?;
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
