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
            // Exactly what `up.sql` of a pack planned now would say: destructive steps (and the
            // steps that only serve them) commented out, so piping it into a client passes the
            // same gate.
            let plan = schema::plan(&target_cat, &source_cat, &a.opts)?;
            out!(
                "{}",
                render_sql(
                    &plan,
                    &source_cat,
                    &target_cat,
                    &src.display(),
                    &tgt.display(),
                    &a.opts,
                    &a.filter
                )
            )?;
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

/// The plan as SQL, as `up.sql` of a pack made with no destructive step allowed: each step behind
/// its comment block, destructive steps and the steps that only serve them commented out.
pub fn render_sql(
    plan: &SchemaPlan,
    source: &Catalog,
    target: &Catalog,
    source_name: &str,
    target_name: &str,
    opts: &DiffOptions,
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
        PackOptions {
            renames: opts.renames,
            rename_threshold: opts.rename_threshold,
            allow_destructive: false,
            allow: Vec::new(),
            filter: filter.describe().to_vec(),
        },
        // No time: the same two catalogs print the same script.
        String::new(),
        None,
    );
    pack::up_sql(&m)
}

pub struct PlanArgs<'a> {
    pub source: &'a str,
    pub target: &'a str,
    pub out: &'a Path,
    /// Replace an earlier pack in `out`.
    pub force: bool,
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
        PackOptions {
            renames: a.opts.renames,
            rename_threshold: a.opts.rename_threshold,
            allow_destructive: a.allow_destructive,
            allow: a.allow.clone(),
            filter: a.filter.describe().to_vec(),
        },
        super::now_rfc3339(),
        identity,
    );
    let pack_id = pack::write(a.out, &m, &source_cat, &target_cat, a.force)?;
    if a.graph {
        out!("{}", pack::graph_text(&m))?;
    }
    let destructive = m
        .left_out()
        .filter(|(_, l)| matches!(l, pack::LeftOut::Destructive { .. }))
        .count();
    let with = m.left_out().count() - destructive;
    eprintln!(
        "wrote a plan of {} steps to {} (up.sql, down.sql, changelog.md, plan.json, graph.dot, SHA256SUMS); risk score {}/100{}",
        m.steps.len(),
        a.out.display(),
        m.score,
        if destructive > 0 {
            format!(
                "; {destructive} destructive step(s){} commented out: plan with --allow-destructive or --allow KIND to include them",
                if with > 0 {
                    format!(" and {with} step(s) that only serve them")
                } else {
                    String::new()
                }
            )
        } else {
            String::new()
        }
    );
    eprintln!(
        "pack id {} (full: {pack_id}): apply checks every file against SHA256SUMS; `sluice apply --pack-id {}` refuses any other pack",
        &pack_id[..pack::PACK_ID_SHOWN],
        &pack_id[..pack::PACK_ID_SHOWN]
    );
    if m.target_identity.is_none() {
        eprintln!(
            "note: TARGET is a snapshot, so the pack does not record which database it is for: apply will not be able to check it"
        );
    }
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
    pub gates: apply::Gates,
    pub dry_run: bool,
    pub lock_timeout: Duration,
    pub statement_timeout: Duration,
}

pub async fn apply(profiles: &Profiles, a: ApplyArgs<'_>) -> Result<i32> {
    run_pack(profiles, a, apply::Direction::Up).await
}

/// `sluice rollback`: the pack's down.sql, through the same gates.
pub async fn rollback(profiles: &Profiles, a: ApplyArgs<'_>) -> Result<i32> {
    run_pack(profiles, a, apply::Direction::Down).await
}

async fn run_pack(
    profiles: &Profiles,
    a: ApplyArgs<'_>,
    direction: apply::Direction,
) -> Result<i32> {
    check_kinds(&a.gates.allow)?;
    let tgt = Source::resolve(a.target, profiles)?;
    let Some(url) = tgt.live() else {
        return Err(Error::usage(format!(
            "apply needs a live TARGET database, not {}",
            tgt.display()
        )));
    };
    let req = apply::Request {
        dir: a.dir,
        target: url,
        gates: a.gates,
        options: ApplyOptions {
            lock_timeout: a.lock_timeout,
            statement_timeout: a.statement_timeout,
            dry_run: a.dry_run,
        },
        direction,
    };
    let outcome = apply::run(req, &mut Terminal { direction }, &super::process_cancel()).await?;
    Ok(print_outcome(&outcome, url, direction))
}

/// Prints how an apply ended; returns the exit code (8 when TARGET still differs beyond what
/// the person left out).
fn print_outcome(
    o: &apply::Outcome,
    url: &crate::dialect::DbUrl,
    direction: apply::Direction,
) -> i32 {
    let Some(report) = &o.report else {
        if !o.dry_run {
            eprintln!(
                "{} pack {} on {}: nothing to do.",
                match direction {
                    apply::Direction::Up => "every step is applied already:",
                    apply::Direction::Down => "TARGET is as it was before the plan:",
                },
                o.pack_id,
                url.display()
            );
        }
        return verdict_code(o);
    };
    if o.dry_run {
        eprintln!(
            "dry run: all {} steps ran and were rolled back ({:.1}s); nothing changed",
            report.steps,
            report.elapsed.as_secs_f64()
        );
        return exit::OK;
    }
    eprintln!(
        "{} {} steps ({} statements, {} rows affected) of pack {} {} {} in {:.1}s",
        match direction {
            apply::Direction::Up => "applied",
            apply::Direction::Down => "rolled back: ran",
        },
        report.steps,
        report.statements,
        report.rows_affected,
        o.pack_id,
        match direction {
            apply::Direction::Up => "to",
            apply::Direction::Down => "on",
        },
        url.display(),
        report.elapsed.as_secs_f64()
    );
    verdict_code(o)
}

fn verdict_code(o: &apply::Outcome) -> i32 {
    if !o.skipped.is_empty() && !o.dry_run {
        eprintln!("{} step(s) were left out:", o.skipped.len());
        for s in &o.skipped {
            eprintln!("  step {}: {} {} — {}", s.number, s.kind, s.object, s.why);
        }
    }
    match &o.verdict {
        Some(v) => {
            eprintln!("{}", v.describe());
            if v.converged() {
                exit::OK
            } else {
                exit::NOT_CONVERGED
            }
        }
        None => exit::OK,
    }
}

/// The terminal as the apply's client: notices on stderr, the confirmation asked on the
/// terminal (refused when there is none: use `--yes`).
struct Terminal {
    direction: apply::Direction,
}

impl apply::Client for Terminal {
    fn notice(&mut self, n: apply::Notice) {
        use apply::Notice;
        match n {
            Notice::Pack {
                id,
                runs,
                skipped,
                written_here,
                pinned,
            } => {
                eprintln!(
                    "pack {id}: integrity checked (SHA256SUMS); {runs} step(s) to run{}",
                    if skipped.is_empty() {
                        String::new()
                    } else {
                        format!(", {} left out", skipped.len())
                    }
                );
                if !written_here && !pinned {
                    eprintln!(
                        "note: pack {id} was not planned on this machine: compare its id with the one shown when it was planned, or pin it with --pack-id"
                    );
                }
            }
            Notice::IdentityUnchecked => eprintln!(
                "note: the plan was made from a snapshot of TARGET, so which database it was made for is not known: not checked"
            ),
            Notice::Retargeted { planned, now } => {
                eprintln!("--retarget: the plan was made for {planned}; applying it to {now}")
            }
            Notice::NotTransactional { dialect, journal } => eprintln!(
                "TARGET ({dialect}) commits every DDL statement on its own: this apply is NOT transactional. \
                 Steps run one at a time; if one fails, the steps before it stay applied, {} records \
                 them, and running this apply again resumes at the failed step.",
                journal.display()
            ),
            Notice::Resuming { applied, total } => eprintln!(
                "resuming: {applied} of {total} steps were applied by an earlier run; starting at step {}.",
                applied + 1
            ),
            Notice::Recovered {
                step,
                statement,
                took_effect,
            } => eprintln!(
                "an earlier run of this pack ended while statement {statement} of step {step} ran; TARGET shows it {}",
                if took_effect {
                    "took effect: going on after it"
                } else {
                    "did not take effect: running it again"
                }
            ),
            Notice::DryRunShown { steps } => dry_run_report(&steps),
        }
    }

    fn confirm(&mut self, q: &apply::Confirm) -> Result<()> {
        if !std::io::stdin().is_terminal() {
            return Err(Error::Refused(
                "apply changes the database: confirm with --yes (no terminal to ask on)".into(),
            ));
        }
        let left = if q.skipped > 0 {
            format!(" ({} left out)", q.skipped)
        } else {
            String::new()
        };
        let mut answer = String::new();
        if self.direction == apply::Direction::Down {
            eprint!(
                "Roll back pack {} on {} ({} undo steps)? Type the database name ({}) to continue: ",
                q.pack_id, q.target, q.steps, q.database
            );
            let _ = std::io::stdin().read_line(&mut answer);
            if answer.trim() != q.database {
                return Err(Error::Refused("not confirmed".into()));
            }
            return Ok(());
        }
        if q.danger > 0 {
            eprint!(
                "Pack {} holds {} danger step(s). Apply {} steps{left} to {}? Type the database name ({}) to continue: ",
                q.pack_id, q.danger, q.steps, q.target, q.database
            );
            let _ = std::io::stdin().read_line(&mut answer);
            if answer.trim() != q.database {
                return Err(Error::Refused("not confirmed".into()));
            }
        } else {
            eprint!(
                "Apply {} steps{left} of pack {} to {}? [y/N] ",
                q.steps, q.pack_id, q.target
            );
            let _ = std::io::stdin().read_line(&mut answer);
            if !matches!(answer.trim(), "y" | "Y" | "yes") {
                return Err(Error::Refused("not confirmed".into()));
            }
        }
        Ok(())
    }
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

/// `sluice history`: the applies recorded on this machine, and any line that could not be read.
pub fn history_list(target: Option<&str>, json: bool) -> Result<i32> {
    let h = history::read()?;
    let entries: Vec<&history::Entry> = h
        .entries
        .iter()
        .filter(|e| target.is_none_or(|t| e.target.contains(t)))
        .collect();
    if json {
        let v = json!({
            "entries": entries,
            "corrupt": h.corrupt,
        });
        outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default())?;
        return Ok(exit::OK);
    }
    if entries.is_empty() && h.corrupt.is_empty() {
        outln!("No applies recorded.")?;
    }
    for e in &entries {
        let id = e.pack_id.get(..pack::PACK_ID_SHOWN).unwrap_or(&e.pack_id);
        outln!(
            "{}  {:<8} {:<21} {:>3} steps {:>6.1}s  {}  pack {}  {}@{}",
            e.time,
            e.kind,
            e.result,
            e.steps,
            e.duration_ms as f64 / 1000.0,
            e.target,
            if id.is_empty() { "-" } else { id },
            e.user,
            e.host
        )?;
        if let Some(err) = &e.error {
            outln!("    {err}")?;
        }
    }
    for c in &h.corrupt {
        outln!("corrupt: {} line {}: {}", c.path, c.line, c.reason)?;
    }
    Ok(exit::OK)
}
