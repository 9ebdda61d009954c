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
use crate::engine::risk;
use crate::engine::schema::{self, SchemaPlan};
use crate::engine::source::{self, Source};
use crate::error::{Error, Result, exit};
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
            print!(
                "{}",
                render_text(&src.display(), &tgt.display(), &changes, &risks)
            )
        }
        Format3::Json => {
            let risks = assess(&tgt, &changes, &target_cat, &source_cat).await?;
            let v = json!({
                "source": src.display(),
                "target": tgt.display(),
                "changes": changes.iter().zip(risks.iter()).map(|(c, r)| change_json(c, r)).collect::<Vec<_>>(),
                "summary": summary_json(&changes, &risks),
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
            let _ = writeln!(s, "{q};");
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
    if now.fingerprint() != pack.manifest.fingerprints.target {
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
    let report = apply::apply(&db, &steps, &opts).await;
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
