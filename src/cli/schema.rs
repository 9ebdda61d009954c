//! `sluice schema diff`, `sluice schema plan` and `sluice apply`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use serde_json::json;

use super::Format3;
use super::drive::drive;
use crate::engine::apply::{self, ApplyOptions, Direction};
use crate::engine::diff::DiffOptions;
use crate::engine::jobs::Engine;
use crate::engine::pack;
use crate::engine::protocol::{Command, Output, PlanRequest};
use crate::error::{Error, Result, exit};
use crate::model::{Assessment, Change, Filter, RiskLevel, plan_score};

pub struct DiffArgs<'a> {
    pub source: &'a str,
    pub target: &'a str,
    pub format: Format3,
    pub exit_code: bool,
    pub opts: DiffOptions,
    pub filter: Filter,
}

/// The output a command expected, or an error saying the engine answered something else.
fn unexpected(o: Output) -> Error {
    Error::usage(format!(
        "the engine answered with an unexpected result: {o:?}"
    ))
}

pub async fn diff(engine: &Engine, a: DiffArgs<'_>) -> Result<i32> {
    if a.format == Format3::Sql {
        // Exactly what `up.sql` of a pack planned now would say: destructive steps (and the
        // steps that only serve them) commented out, so piping it into a client passes the
        // same gate.
        let cmd = Command::SchemaScript {
            source: a.source.to_string(),
            target: a.target.to_string(),
            opts: a.opts,
            filter: a.filter,
        };
        let Output::Script(script) = drive(engine, cmd).await? else {
            return Err(Error::usage(
                "the engine answered a script request otherwise",
            ));
        };
        out!("{script}")?;
        let differs = !script.starts_with("-- no differences");
        return Ok(if a.exit_code && differs {
            exit::DIFFERENCES
        } else {
            exit::OK
        });
    }
    let cmd = Command::SchemaDiff {
        source: a.source.to_string(),
        target: a.target.to_string(),
        opts: a.opts,
        filter: a.filter,
        counts: true,
    };
    let d = match drive(engine, cmd).await? {
        Output::Diff(d) => d,
        o => return Err(unexpected(o)),
    };
    match a.format {
        Format3::Json => {
            let v = json!({
                "source": d.source,
                "target": d.target,
                "changes": d.changes.iter().zip(d.risks.iter()).map(|(c, r)| change_json(c, r)).collect::<Vec<_>>(),
                "summary": summary_json(&d.changes, &d.risks),
            });
            outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default())?;
        }
        _ => out!(
            "{}",
            render_text(&d.source, &d.target, &d.changes, &d.risks)
        )?,
    }
    Ok(if a.exit_code && !d.changes.is_empty() {
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

pub async fn plan(engine: &Engine, a: PlanArgs<'_>) -> Result<i32> {
    let cmd = Command::SchemaPlan(PlanRequest {
        source: a.source.to_string(),
        target: a.target.to_string(),
        out: a.out.to_path_buf(),
        force: a.force,
        allow_destructive: a.allow_destructive,
        allow: a.allow.clone(),
        opts: a.opts,
        filter: a.filter,
        include: Vec::new(),
        exclude: Vec::new(),
    });
    let p = match drive(engine, cmd).await? {
        Output::Planned(p) => p,
        o => return Err(unexpected(o)),
    };
    let (m, pack_id) = (&p.manifest, &p.pack_id);
    if a.graph {
        out!("{}", pack::graph_text(m))?;
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
    if !m.transactional && !m.steps.is_empty() {
        eprintln!(
            "note: {} commits each DDL statement on its own: the plan is not all-or-nothing (apply keeps a journal and resumes)",
            m.dialect
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

pub async fn apply(engine: &Engine, a: ApplyArgs<'_>) -> Result<i32> {
    run_pack(engine, a, Direction::Up).await
}

/// `sluice rollback`: the pack's down.sql, through the same gates.
pub async fn rollback(engine: &Engine, a: ApplyArgs<'_>) -> Result<i32> {
    run_pack(engine, a, Direction::Down).await
}

async fn run_pack(engine: &Engine, a: ApplyArgs<'_>, direction: Direction) -> Result<i32> {
    let cmd = Command::RunPack {
        dir: a.dir.to_path_buf(),
        target: a.target.to_string(),
        gates: a.gates,
        options: ApplyOptions {
            lock_timeout: a.lock_timeout,
            statement_timeout: a.statement_timeout,
            dry_run: a.dry_run,
        },
        direction,
    };
    match drive(engine, cmd).await? {
        Output::RunPack {
            outcome,
            target,
            direction,
        } => Ok(print_outcome(&outcome, &target, direction)),
        o => Err(unexpected(o)),
    }
}

/// Prints how an apply ended; returns the exit code (8 when TARGET still differs beyond what
/// the person left out).
fn print_outcome(o: &apply::Outcome, target: &str, direction: Direction) -> i32 {
    let Some(report) = &o.report else {
        if !o.dry_run {
            eprintln!(
                "{} pack {} on {}: nothing to do.",
                match direction {
                    apply::Direction::Up => "every step is applied already:",
                    apply::Direction::Down => "TARGET is as it was before the plan:",
                },
                o.pack_id,
                target
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
        target,
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

/// `sluice history`: the applies recorded on this machine, and any line that could not be read.
pub async fn history_list(engine: &Engine, target: Option<&str>, json: bool) -> Result<i32> {
    let cmd = Command::History {
        target: target.map(str::to_string),
    };
    let h = match drive(engine, cmd).await? {
        Output::History(h) => h,
        o => return Err(unexpected(o)),
    };
    let entries = &h.entries;
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
    for e in entries {
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
