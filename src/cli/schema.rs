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
use crate::engine::{history, risk};
use crate::error::{Error, Result, exit};
use crate::model::change::DESTRUCTIVE_KINDS;
use crate::model::{Assessment, Catalog, Change, Filter, RiskLevel, plan_score};

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
    source::check_filter(f, &[(&src, &a), (&tgt, &b)]).await?;
    Ok((src, tgt, a, b))
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

pub async fn diff(profiles: &Profiles, a: DiffArgs<'_>) -> Result<i32> {
    let (src, tgt, source_cat, target_cat) = both(profiles, a.source, a.target, &a.filter).await?;
    let changes = schema::changes(&target_cat, &source_cat, &a.opts);
    match a.format {
        Format3::Text => {
            let risks = assess(&tgt, &changes, &target_cat, &source_cat).await?;
            out!(
                "{}",
                render_text(&src.display(), &tgt.display(), &changes, &risks)
            )?
        }
        Format3::Json => {
            let risks = assess(&tgt, &changes, &target_cat, &source_cat).await?;
            let v = json!({
                "source": src.display(),
                "target": tgt.display(),
                "changes": changes.iter().zip(risks.iter()).map(|(c, r)| change_json(c, r)).collect::<Vec<_>>(),
                "summary": summary_json(&changes, &risks),
            });
            outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default())?;
        }
        Format3::Sql => {
            let plan = schema::plan(&target_cat, &source_cat, &a.opts)?;
            out!("{}", render_sql(&plan))?;
        }
    }
    Ok(if a.exit_code && !changes.is_empty() {
        exit::DIFFERENCES
    } else {
        exit::OK
    })
}

fn change_json(c: &Change, r: &Assessment) -> serde_json::Value {
    json!({
        "kind": c.kind(),
        "object": c.object(),
        "object_kind": c.object_kind(),
        "schema": c.schema(),
        "description": c.describe(),
        "destructive": c.is_destructive(),
        "risk": r.level.as_str(),
        "reason": r.reason,
        "suggestion": r.suggestion,
        "certain_failure": r.certain_failure,
        "counts": r.counts.iter().map(|d| json!({"what": d.describe(), "count": d.count})).collect::<Vec<_>>(),
        "notes": r.notes,
    })
}

fn summary_json(changes: &[Change], risks: &[Assessment]) -> serde_json::Value {
    let count = |sign: char| changes.iter().filter(|c| c.sign() == sign).count();
    let level = |l: RiskLevel| risks.iter().filter(|r| r.level == l).count();
    json!({
        "changes": changes.len(),
        "added": count('+'),
        "removed": count('-'),
        "changed": count('~'),
        "destructive": changes.iter().filter(|c| c.is_destructive()).count(),
        "safe": level(RiskLevel::Safe),
        "caution": level(RiskLevel::Caution),
        "danger": level(RiskLevel::Danger),
        "certain_failures": risks.iter().filter(|r| r.certain_failure).count(),
        "score": plan_score(risks),
    })
}

/// A change with its verdict.
type Rated<'a> = (&'a Change, Option<&'a Assessment>);

/// Text: grouped by schema, then by table (or other object), with `+`, `-`, `~` and the risk of
/// each change; the reason (with the target's data counts) and a suggestion under risky ones.
pub fn render_text(source: &str, target: &str, changes: &[Change], risks: &[Assessment]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "SOURCE {source}");
    let _ = writeln!(out, "TARGET {target}");
    if changes.is_empty() {
        let _ = writeln!(out, "\nNo differences.");
        return out;
    }
    let mut by_schema: BTreeMap<String, BTreeMap<String, Vec<Rated>>> = BTreeMap::new();
    for (i, c) in changes.iter().enumerate() {
        let group = match c.table() {
            Some(t) => format!("table {}", t.name),
            None => format!("{} {}", c.object_kind(), c.object()),
        };
        by_schema
            .entry(c.schema())
            .or_default()
            .entry(group)
            .or_default()
            .push((c, risks.get(i)));
    }
    for (schema, groups) in &by_schema {
        let _ = writeln!(out, "\nschema {schema}");
        for (group, list) in groups {
            let whole = list.iter().find(|(c, _)| {
                matches!(
                    c,
                    Change::CreateTable { .. }
                        | Change::DropTable { .. }
                        | Change::RenameTable { .. }
                )
            });
            let sign = whole.map(|(c, _)| c.sign()).unwrap_or('~');
            if list.len() == 1 && whole.is_none() && !group.starts_with("table ") {
                let (c, r) = list[0];
                write_change(&mut out, "  ", c, r);
                continue;
            }
            let _ = writeln!(out, "  {sign} {group}");
            for (c, r) in list {
                write_change(&mut out, "      ", c, *r);
            }
        }
    }
    let count = |sign: char| changes.iter().filter(|c| c.sign() == sign).count();
    let destructive = changes.iter().filter(|c| c.is_destructive()).count();
    if !risks.is_empty() {
        let level = |l: RiskLevel| risks.iter().filter(|r| r.level == l).count();
        let certain = risks.iter().filter(|r| r.certain_failure).count();
        let _ = writeln!(
            out,
            "\nrisk score {}/100: {} danger, {} caution, {} safe{}",
            plan_score(risks),
            level(RiskLevel::Danger),
            level(RiskLevel::Caution),
            level(RiskLevel::Safe),
            if certain > 0 {
                format!("; {certain} will fail")
            } else {
                String::new()
            }
        );
    }
    let _ = writeln!(
        out,
        "{} changes: {} added, {} removed, {} changed{}",
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

/// One change: `+ description  [destructive]` with its risk at the right; under a risky one, the
/// reason (with counts) and the suggestion, indented.
fn write_change(out: &mut String, indent: &str, c: &Change, r: Option<&Assessment>) {
    let mut s = format!("{} {}", c.sign(), c.describe());
    if c.is_destructive() {
        s.push_str(" [destructive]");
    }
    let Some(r) = r else {
        let _ = writeln!(out, "{indent}{s}");
        return;
    };
    let tag = if r.certain_failure {
        "WILL FAIL".to_string()
    } else {
        r.level.as_str().to_string()
    };
    // The tag stands at the right edge of the first line; a long description wraps under it.
    let room = 78usize.saturating_sub(tag.len() + 2).max(30);
    let mut lines: Vec<String> = Vec::new();
    let mut cur = indent.to_string();
    let mut fresh = true;
    for word in s.split_whitespace() {
        if !fresh && cur.chars().count() + 1 + word.chars().count() > room {
            lines.push(std::mem::take(&mut cur));
            cur = format!("{indent}    ");
            fresh = true;
        }
        if !fresh {
            cur.push(' ');
        }
        cur.push_str(word);
        fresh = false;
    }
    lines.push(cur);
    let first = &lines[0];
    let pad = 78usize
        .saturating_sub(first.chars().count() + tag.len())
        .max(2);
    let _ = writeln!(out, "{first}{}{tag}", " ".repeat(pad));
    for l in &lines[1..] {
        let _ = writeln!(out, "{l}");
    }
    if r.level != RiskLevel::Safe {
        let more = format!("{indent}    ");
        wrap(out, &more, &r.reason);
        if let Some(sug) = &r.suggestion {
            wrap(out, &more, &format!("→ {sug}"));
        }
    }
}

/// Writes `text` in lines of at most 79 columns, each starting with `indent`.
fn wrap(out: &mut String, indent: &str, text: &str) {
    let width = 79usize.saturating_sub(indent.chars().count()).max(30);
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{line}");
    }
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
    pub allow: Vec<String>,
    pub graph: bool,
    pub opts: DiffOptions,
    pub filter: Filter,
}

/// Checks `--allow` kinds.
pub fn check_kinds(kinds: &[String]) -> Result<()> {
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

pub async fn plan(profiles: &Profiles, a: PlanArgs<'_>) -> Result<i32> {
    check_kinds(&a.allow)?;
    let (src, tgt, source_cat, target_cat) = both(profiles, a.source, a.target, &a.filter).await?;
    let mut plan = schema::plan(&target_cat, &source_cat, &a.opts)?;
    if let Some(url) = tgt.live() {
        let db = url.connect(Access::ReadOnly).await?;
        schema::assess_with_data(&mut plan, &target_cat, &source_cat, &db).await;
        db.close().await;
    }
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
            allow: a.allow.clone(),
        },
        super::now_rfc3339(),
    );
    pack::write(a.out, &m, &source_cat, &target_cat)?;
    if a.graph {
        out!("{}", pack::graph_text(&m))?;
    }
    let skipped = m.steps.iter().filter(|s| !s.enabled).count();
    eprintln!(
        "wrote a plan of {} steps to {} (up.sql, down.sql, changelog.md, plan.json, graph.dot); risk score {}/100{}",
        m.steps.len(),
        a.out.display(),
        m.score,
        if skipped > 0 {
            format!(
                "; {skipped} destructive steps commented out: plan with --allow-destructive or --allow KIND to include them"
            )
        } else {
            String::new()
        }
    );
    if !plan.transactional && !m.steps.is_empty() {
        eprintln!(
            "note: {} commits each DDL statement on its own: the plan is not all-or-nothing (apply keeps a journal and resumes)",
            plan.dialect
        );
    }
    Ok(exit::OK)
}

pub struct ApplyArgs<'a> {
    pub dir: &'a Path,
    pub target: &'a str,
    pub yes: bool,
    pub allow_destructive: bool,
    pub allow: Vec<String>,
    pub accept_edits: bool,
    pub dry_run: bool,
    pub lock_timeout: Duration,
    pub statement_timeout: Duration,
}

pub async fn apply(profiles: &Profiles, a: ApplyArgs<'_>) -> Result<i32> {
    check_kinds(&a.allow)?;
    let started = std::time::Instant::now();
    let pack = pack::read(a.dir)?;
    let tgt = Source::resolve(a.target, profiles)?;
    let Some(url) = tgt.live() else {
        return Err(Error::usage(format!(
            "apply needs a live TARGET database, not {}",
            tgt.display()
        )));
    };
    let outcome = apply_checked(&pack, url, &a).await;
    let (result, error) = match &outcome {
        Ok(true) => ("dry-run", None),
        Ok(false) => ("applied", None),
        Err(e) => (
            match e {
                Error::Refused(_) => "refused",
                Error::ApplyRolledBack { .. } => "rolled back",
                Error::ApplyPartial { .. } => "partial",
                Error::Interrupted => "interrupted",
                _ => "failed",
            },
            Some(crate::error::one_line(&e.to_string())),
        ),
    };
    let (user, host) = history::who();
    let plan_sha = std::fs::read(a.dir.join("plan.json"))
        .map(|b| pack::sha256_hex(&b))
        .unwrap_or_default();
    let entry = history::Entry {
        time: super::now_rfc3339(),
        pack: a.dir.display().to_string(),
        plan_sha256: plan_sha,
        target: url.display(),
        dialect: pack.manifest.dialect.to_string(),
        steps: pack.manifest.steps.len(),
        result: result.into(),
        error,
        duration_ms: started.elapsed().as_millis() as u64,
        user,
        host,
    };
    if let Err(e) = history::append(&entry) {
        eprintln!("sluice: warning: could not record the apply in the history: {e}");
    }
    outcome.map(|_| exit::OK)
}

/// The gates, then the apply. `Ok(true)` for a dry run.
async fn apply_checked(
    pack: &pack::Pack,
    url: &crate::dialect::DbUrl,
    a: &ApplyArgs<'_>,
) -> Result<bool> {
    let m = &pack.manifest;
    // Edited files: refused unless accepted; then up.sql as edited is what runs.
    let edited = pack.edited_files();
    if !edited.is_empty() && !a.accept_edits {
        return Err(Error::Refused(format!(
            "{} edited after planning ({}): plan again, or apply with --accept-edits to run it as edited",
            edited.join(", "),
            a.dir.display()
        )));
    }
    let mut steps = if edited.iter().any(|f| f == "up.sql") {
        let text = std::fs::read_to_string(a.dir.join("up.sql"))
            .map_err(|e| Error::file(a.dir.join("up.sql"), e))?;
        pack::steps_from_up_sql(&text, m)?
    } else {
        pack.steps()
    };
    // Destructive steps: planned and allowed now, or refused.
    for (st, step) in m.steps.iter().zip(steps.iter()) {
        let Some(kind) = st.change.destructive_kind() else {
            continue;
        };
        if !st.enabled {
            if step.sql.is_empty() || !edited.iter().any(|f| f == "up.sql") {
                return Err(Error::Refused(format!(
                    "step {} ({kind} {}) is destructive and was planned commented out: plan again with --allow-destructive or --allow {kind}",
                    st.number, st.object
                )));
            }
            return Err(Error::Refused(format!(
                "step {} ({kind} {}) was uncommented by hand, but was not planned with --allow-destructive or --allow {kind}",
                st.number, st.object
            )));
        }
        if !(a.allow_destructive || a.allow.iter().any(|k| k == kind)) {
            return Err(Error::Refused(format!(
                "step {} ({kind} {}) is destructive: apply with --allow-destructive or --allow {kind}",
                st.number, st.object
            )));
        }
    }
    steps.retain(|s| !s.sql.is_empty());
    let all_sql: String = steps
        .iter()
        .flat_map(|s| s.sql.iter())
        .map(|q| format!("{q};\n"))
        .collect();
    if let Some(stmt) = pack::unplanned_mass_drop(&all_sql, m) {
        return Err(Error::Refused(format!(
            "the pack runs `{stmt}`, which the plan did not produce: sluice will not run it"
        )));
    }
    let db = url.connect(Access::ReadWrite).await?;
    let result = apply_connected(pack, url, a, &db, &steps).await;
    db.close().await;
    result
}

async fn apply_connected(
    pack: &pack::Pack,
    url: &crate::dialect::DbUrl,
    a: &ApplyArgs<'_>,
    db: &crate::dialect::Db,
    steps: &[crate::model::plan::Step],
) -> Result<bool> {
    let m = &pack.manifest;
    let filter = Filter::default();
    let now = crate::dialect::inspect(db, &filter).await?;
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
        eprintln!(
            "every step of this pack is applied to {} already (see {}); nothing to do.",
            url.display(),
            a.dir.join(journal::JOURNAL_FILE).display()
        );
        return Ok(false);
    }
    if start == journal::Start::Fresh && now.fingerprint() != m.fingerprints.target {
        let drift = schema::changes(&pack.target, &now, &DiffOptions::default());
        let what: Vec<String> = drift
            .iter()
            .take(3)
            .map(|c| format!("{} {}", c.kind(), c.object()))
            .collect();
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
        if a.dry_run {
            // DDL cannot be tried and rolled back here: show what would run and what was checked.
            dry_run_report(steps);
            return Ok(true);
        }
    }
    if !a.yes && !a.dry_run {
        confirm(m, url, &now)?;
    }
    let opts = ApplyOptions {
        lock_timeout: a.lock_timeout,
        statement_timeout: a.statement_timeout,
        dry_run: a.dry_run,
    };
    let report = apply::apply_with_journal(db, steps, &opts, journal.as_ref()).await?;
    if a.dry_run {
        eprintln!(
            "dry run: all {} steps ran and were rolled back ({:.1}s); nothing changed",
            report.steps,
            report.elapsed.as_secs_f64()
        );
        return Ok(true);
    }
    let after = crate::dialect::inspect(db, &filter).await?;
    let left: Vec<Change> = schema::changes(&after, &pack.source, &DiffOptions::default())
        .into_iter()
        .filter(|c| !matches!(c, Change::Unsupported { .. }))
        .collect();
    eprintln!(
        "applied {} steps ({} statements, {} rows affected) to {} in {:.1}s",
        report.steps,
        report.statements,
        report.rows_affected,
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
    Ok(false)
}

/// A dry run where DDL cannot be rolled back (MySQL): every step's SQL, with what the plan's checks
/// found in TARGET's data, and nothing run.
fn dry_run_report(steps: &[crate::model::plan::Step]) {
    let mut fails = 0;
    for st in steps {
        eprintln!(
            "step {}: {} {}",
            st.number,
            st.change.kind(),
            st.change.object()
        );
        for q in &st.sql {
            eprintln!("    {q};");
        }
        if let Some(r) = &st.risk {
            eprintln!("    risk: {} — {}", r.level.as_str(), r.reason);
            for c in &r.counts {
                eprintln!("    data: {}", c.describe());
            }
            if r.certain_failure {
                fails += 1;
                eprintln!("    WILL FAIL as TARGET's data stands");
            }
        }
    }
    eprintln!(
        "dry run: {} steps shown, nothing run (this database commits DDL as it goes, so a dry run cannot try them){}",
        steps.len(),
        if fails > 0 {
            format!("; {fails} step(s) will fail as the data stands")
        } else {
            String::new()
        }
    );
}

/// Asks on the terminal: the database name typed back when the pack holds danger steps, `y`
/// otherwise. No terminal: refused (use `--yes`).
fn confirm(m: &pack::PackManifest, url: &crate::dialect::DbUrl, now: &Catalog) -> Result<()> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::Refused(
            "apply changes the database: confirm with --yes (no terminal to ask on)".into(),
        ));
    }
    let danger = m
        .steps
        .iter()
        .filter(|s| {
            s.risk
                .as_ref()
                .is_some_and(|r| r.level == RiskLevel::Danger)
        })
        .count();
    let mut answer = String::new();
    if danger > 0 {
        eprint!(
            "The pack holds {danger} danger step(s). Apply {} steps to {}? Type the database name ({}) to continue: ",
            m.steps.len(),
            url.display(),
            now.database
        );
        let _ = std::io::stdin().read_line(&mut answer);
        if answer.trim() != now.database {
            return Err(Error::Refused("not confirmed".into()));
        }
    } else {
        eprint!("Apply {} steps to {}? [y/N] ", m.steps.len(), url.display());
        let _ = std::io::stdin().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            return Err(Error::Refused("not confirmed".into()));
        }
    }
    Ok(())
}

/// `sluice history`: the applies recorded on this machine.
pub fn history_list(target: Option<&str>, json: bool) -> Result<i32> {
    let entries: Vec<history::Entry> = history::read()?
        .into_iter()
        .filter(|e| target.is_none_or(|t| e.target.contains(t)))
        .collect();
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&entries).unwrap_or_default()
        )?;
        return Ok(exit::OK);
    }
    if entries.is_empty() {
        outln!("No applies recorded.")?;
    }
    for e in &entries {
        outln!(
            "{}  {:<11} {:>3} steps {:>6.1}s  {}  {}@{}",
            e.time,
            e.result,
            e.steps,
            e.duration_ms as f64 / 1000.0,
            e.target,
            e.user,
            e.host
        )?;
        if let Some(err) = &e.error {
            outln!("    {err}")?;
        }
    }
    Ok(exit::OK)
}
