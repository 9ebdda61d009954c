//! `sluice schema diff`, `sluice schema plan` and `sluice apply`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use serde_json::json;

use super::Format3;
use crate::config::Profiles;
use crate::dialect::Access;
use crate::dialect::journal::{self, JournalSpec};
use crate::engine::apply::{self, ApplyOptions};
use crate::engine::diff::DiffOptions;
use crate::engine::pack::{self, PackOptions};
use crate::engine::schema::{self, SchemaPlan};
use crate::engine::source::{self, Source};
use crate::error::{Error, Result, exit};
use crate::model::{Catalog, Change, Filter};

pub struct DiffArgs<'a> {
    pub source: &'a str,
    pub target: &'a str,
    pub format: Format3,
    pub exit_code: bool,
    pub opts: DiffOptions,
    pub filter: Filter,
}

async fn both(
    profiles: &Profiles,
    s: &str,
    t: &str,
    f: &Filter,
) -> Result<(Source, Source, Catalog, Catalog)> {
    let src = Source::resolve(s, profiles)?;
    let tgt = Source::resolve(t, profiles)?;
    let (a, b) = source::catalogs(&src, &tgt, f).await?;
    Ok((src, tgt, a, b))
}

pub async fn diff(profiles: &Profiles, a: DiffArgs<'_>) -> Result<i32> {
    let (src, tgt, source_cat, target_cat) = both(profiles, a.source, a.target, &a.filter).await?;
    let changes = schema::changes(&target_cat, &source_cat, &a.opts);
    match a.format {
        Format3::Text => print!("{}", render_text(&src.display(), &tgt.display(), &changes)),
        Format3::Json => {
            let v = json!({
                "source": src.display(),
                "target": tgt.display(),
                "changes": changes.iter().map(change_json).collect::<Vec<_>>(),
                "summary": summary_json(&changes),
            });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        Format3::Sql => {
            let plan = schema::plan(&target_cat, &source_cat, &a.opts)?;
            print!("{}", render_sql(&plan));
        }
    }
    Ok(if a.exit_code && !changes.is_empty() {
        exit::DIFFERENCES
    } else {
        exit::OK
    })
}

fn change_json(c: &Change) -> serde_json::Value {
    json!({
        "kind": c.kind(),
        "object": c.object(),
        "object_kind": c.object_kind(),
        "schema": c.schema(),
        "description": c.describe(),
        "destructive": c.is_destructive(),
    })
}

fn summary_json(changes: &[Change]) -> serde_json::Value {
    let count = |sign: char| changes.iter().filter(|c| c.sign() == sign).count();
    json!({
        "changes": changes.len(),
        "added": count('+'),
        "removed": count('-'),
        "changed": count('~'),
        "destructive": changes.iter().filter(|c| c.is_destructive()).count(),
    })
}

/// Text: grouped by schema, then by table (or other object), with `+`, `-`, `~`.
pub fn render_text(source: &str, target: &str, changes: &[Change]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "SOURCE {source}");
    let _ = writeln!(out, "TARGET {target}");
    if changes.is_empty() {
        let _ = writeln!(out, "\nNo differences.");
        return out;
    }
    let mut by_schema: BTreeMap<String, BTreeMap<String, Vec<&Change>>> = BTreeMap::new();
    for c in changes {
        let group = match c.table() {
            Some(t) => format!("table {}", t.name),
            None => format!("{} {}", c.object_kind(), c.object()),
        };
        by_schema
            .entry(c.schema())
            .or_default()
            .entry(group)
            .or_default()
            .push(c);
    }
    for (schema, groups) in &by_schema {
        let _ = writeln!(out, "\nschema {schema}");
        for (group, list) in groups {
            let whole = list.iter().find(|c| {
                matches!(
                    c,
                    Change::CreateTable { .. }
                        | Change::DropTable { .. }
                        | Change::RenameTable { .. }
                )
            });
            let sign = whole.map(|c| c.sign()).unwrap_or('~');
            if list.len() == 1 && whole.is_none() && !group.starts_with("table ") {
                let c = list[0];
                let _ = writeln!(out, "  {} {}", c.sign(), line(c, false));
                continue;
            }
            let _ = writeln!(out, "  {sign} {group}");
            for c in list {
                let _ = writeln!(out, "      {} {}", c.sign(), line(c, true));
            }
        }
    }
    let count = |sign: char| changes.iter().filter(|c| c.sign() == sign).count();
    let destructive = changes.iter().filter(|c| c.is_destructive()).count();
    let _ = writeln!(
        out,
        "\n{} changes: {} added, {} removed, {} changed{}",
        changes.len(),
        count('+'),
        count('-'),
        count('~'),
        if destructive > 0 {
            format!("; {destructive} destructive")
        } else {
            String::new()
        }
    );
    out
}

fn line(c: &Change, _in_group: bool) -> String {
    let mut s = c.describe();
    if c.is_destructive() {
        s.push_str("  [destructive]");
    }
    s
}

/// The plan as SQL, each step behind a comment.
pub fn render_sql(plan: &SchemaPlan) -> String {
    let mut s = String::new();
    if plan.steps.is_empty() {
        s.push_str("-- no differences\n");
        return s;
    }
    if plan.transactional {
        s.push_str("BEGIN;\n");
    }
    for step in &plan.steps {
        let _ = writeln!(
            s,
            "\n-- step {}: {} {}{}",
            step.number,
            step.change.kind(),
            step.change.object(),
            if step.change.is_destructive() {
                " (destructive)"
            } else {
                ""
            }
        );
        for q in &step.sql {
            let _ = writeln!(s, "{}", crate::dialect::script_statement(plan.dialect, q));
        }
    }
    if plan.transactional {
        s.push_str("\nCOMMIT;\n");
    }
    s
}

pub struct PlanArgs<'a> {
    pub source: &'a str,
    pub target: &'a str,
    pub out: &'a Path,
    pub allow_destructive: bool,
    pub opts: DiffOptions,
    pub filter: Filter,
}

pub async fn plan(profiles: &Profiles, a: PlanArgs<'_>) -> Result<i32> {
    let (src, tgt, source_cat, target_cat) = both(profiles, a.source, a.target, &a.filter).await?;
    let plan = schema::plan(&target_cat, &source_cat, &a.opts)?;
    let m = pack::manifest(
        &plan,
        &source_cat,
        &target_cat,
        src.display(),
        tgt.display(),
        PackOptions {
            renames: a.opts.renames,
            rename_threshold: a.opts.rename_threshold,
            allow_destructive: a.allow_destructive,
        },
        super::now_rfc3339(),
    );
    pack::write(a.out, &m, &source_cat, &target_cat)?;
    let destructive = m.steps.iter().filter(|s| s.destructive).count();
    eprintln!(
        "wrote a plan of {} steps to {}{}",
        m.steps.len(),
        a.out.display(),
        if destructive > 0 && !a.allow_destructive {
            format!(
                " ({destructive} destructive steps commented out: plan with --allow-destructive to include them)"
            )
        } else {
            String::new()
        }
    );
    Ok(exit::OK)
}

pub struct ApplyArgs<'a> {
    pub dir: &'a Path,
    pub target: &'a str,
    pub yes: bool,
    pub allow_destructive: bool,
    pub dry_run: bool,
    pub lock_timeout: Duration,
    pub statement_timeout: Duration,
}

pub async fn apply(profiles: &Profiles, a: ApplyArgs<'_>) -> Result<i32> {
    let pack = pack::read(a.dir)?;
    let tgt = Source::resolve(a.target, profiles)?;
    let Some(url) = tgt.live() else {
        return Err(Error::usage(format!(
            "apply needs a live TARGET database, not {}",
            tgt.display()
        )));
    };
    let edited = pack.edited_files();
    if !edited.is_empty() {
        return Err(Error::Refused(format!(
            "{} edited after planning ({}): plan again",
            edited.join(", "),
            a.dir.display()
        )));
    }
    let destructive: Vec<&pack::PackStep> = pack
        .manifest
        .steps
        .iter()
        .filter(|s| s.destructive)
        .collect();
    let allowed = pack.manifest.options.allow_destructive && a.allow_destructive;
    if !destructive.is_empty() && !allowed {
        let first = destructive[0];
        return Err(Error::Refused(format!(
            "the plan holds {} destructive step(s) (step {}: {} {}); they run only when planned and applied with --allow-destructive",
            destructive.len(),
            first.number,
            first.kind,
            first.object
        )));
    }
    let db = url.connect(Access::ReadWrite).await?;
    let filter = Filter::default();
    let now = crate::dialect::inspect(&db, &filter).await?;
    // Databases that cannot roll DDL back keep a journal next to the pack, to resume a stopped run.
    let transactional = crate::dialect::capabilities(db.dialect()).transactional_ddl;
    let journal = if transactional {
        None
    } else {
        Some(JournalSpec::for_pack(a.dir, url.display())?)
    };
    let start = match &journal {
        Some(spec) => journal::start(spec, &now.fingerprint())?,
        None => journal::Start::Fresh,
    };
    if start == journal::Start::Done {
        db.close().await;
        eprintln!(
            "every step of this pack is applied to {} already (see {}); nothing to do.",
            url.display(),
            a.dir.join(journal::JOURNAL_FILE).display()
        );
        return Ok(exit::OK);
    }
    if start == journal::Start::Fresh && now.fingerprint() != pack.manifest.fingerprints.target {
        let drift = schema::changes(&pack.target, &now, &DiffOptions::default());
        let what: Vec<String> = drift
            .iter()
            .take(3)
            .map(|c| format!("{} {}", c.kind(), c.object()))
            .collect();
        db.close().await;
        return Err(Error::Refused(format!(
            "TARGET changed since the plan was made ({}{}): plan again",
            what.join(", "),
            if drift.len() > 3 {
                format!(", and {} more", drift.len() - 3)
            } else {
                String::new()
            }
        )));
    }
    if let Some(spec) = &journal {
        eprintln!(
            "TARGET ({}) commits every DDL statement on its own: this apply is NOT transactional. \
             Steps run one at a time; if one fails, the steps before it stay applied, {} records \
             them, and running this apply again resumes at the failed step.",
            db.dialect(),
            spec.path.display()
        );
        if let journal::Start::Resume { applied, total } = start {
            eprintln!(
                "resuming: {applied} of {total} steps were applied by an earlier run; starting at step {}.",
                applied + 1
            );
        }
    }
    if !a.yes && !a.dry_run {
        if !std::io::stdin().is_terminal() {
            db.close().await;
            return Err(Error::Refused(
                "apply changes the database: confirm with --yes (no terminal to ask on)".into(),
            ));
        }
        eprint!(
            "Apply {} steps to {}? Type the database name ({}) to continue: ",
            pack.manifest.steps.len(),
            url.display(),
            now.database
        );
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        if answer.trim() != now.database {
            db.close().await;
            return Err(Error::Refused("not confirmed".into()));
        }
    }
    let steps = pack.steps();
    let opts = ApplyOptions {
        lock_timeout: a.lock_timeout,
        statement_timeout: a.statement_timeout,
        dry_run: a.dry_run,
    };
    let report = apply::apply_with_journal(&db, &steps, &opts, journal.as_ref()).await;
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    if a.dry_run {
        eprintln!(
            "dry run: all {} steps ran and were rolled back ({:.1}s); nothing changed",
            report.steps,
            report.elapsed.as_secs_f64()
        );
        db.close().await;
        return Ok(exit::OK);
    }
    let after = crate::dialect::inspect(&db, &filter).await?;
    db.close().await;
    let left = schema::changes(&after, &pack.source, &DiffOptions::default());
    let left: Vec<&Change> = left
        .iter()
        .filter(|c| !matches!(c, Change::Unsupported { .. }))
        .collect();
    eprintln!(
        "applied {} steps ({} statements) to {} in {:.1}s",
        report.steps,
        report.statements,
        url.display(),
        report.elapsed.as_secs_f64()
    );
    if left.is_empty() {
        eprintln!("TARGET now matches SOURCE.");
    } else {
        eprintln!(
            "TARGET still differs from SOURCE in {} place(s), e.g. {} {}",
            left.len(),
            left[0].kind(),
            left[0].object()
        );
    }
    Ok(exit::OK)
}
