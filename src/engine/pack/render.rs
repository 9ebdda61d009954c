//! The pack's files for people: `up.sql`, `down.sql`, `changelog.md` and the dependency graph
//! (`graph.dot`, and as levels for a terminal).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{PackManifest, PackStep};

/// The text of `up.sql`.
pub fn up_sql(manifest: &PackManifest) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "-- sluice migration pack: makes TARGET look like SOURCE");
    let _ = writeln!(s, "-- SOURCE: {}", manifest.source);
    let _ = writeln!(s, "-- TARGET: {}", manifest.target);
    let _ = writeln!(
        s,
        "-- {} steps, {}; planned {}by sluice {}",
        manifest.steps.len(),
        if manifest.transactional {
            "run as one transaction (all or nothing)"
        } else {
            "NOT transactional: each DDL statement commits on its own"
        },
        if manifest.created_at.is_empty() {
            String::new()
        } else {
            format!("{} ", manifest.created_at)
        },
        manifest.tool_version
    );
    let _ = writeln!(s, "-- risk score: {}/100", manifest.score);
    if !manifest.options.filter.is_empty() {
        let _ = writeln!(
            s,
            "-- Only the objects these filters keep: {}",
            manifest.options.filter.join(", ")
        );
    }
    if manifest.steps.iter().any(|s| !s.enabled) {
        let _ = writeln!(
            s,
            "-- Destructive steps, and the steps that only serve them, are commented out: plan with --allow-destructive to include them."
        );
    }
    for p in crate::dialect::script_prologue(manifest.dialect) {
        let _ = writeln!(s, "\n{p};");
    }
    if manifest.transactional {
        let _ = writeln!(s, "\nBEGIN;");
    }
    for step in &manifest.steps {
        let _ = writeln!(
            s,
            "\n-- step {}: {} {}",
            step.number, step.kind, step.object
        );
        let _ = writeln!(s, "--   {}", step.description);
        if let Some(r) = &step.risk {
            let _ = writeln!(
                s,
                "--   risk: {}{} — {}",
                r.level.as_str(),
                if r.certain_failure {
                    " (certain to fail)"
                } else {
                    ""
                },
                r.reason
            );
            for c in &r.counts {
                let _ = writeln!(s, "--   data: {}", c.describe());
            }
            if let Some(sug) = &r.suggestion {
                let _ = writeln!(s, "--   suggestion: {sug}");
            }
        }
        if step.destructive {
            let _ = writeln!(s, "--   DESTRUCTIVE: can lose data");
        }
        if let Some(l) = &step.left_out {
            let _ = writeln!(s, "--   LEFT OUT: {}", l.describe());
        }
        if !step.after.is_empty() {
            let after: Vec<String> = step.after.iter().map(|n| n.to_string()).collect();
            let _ = writeln!(s, "--   after step {}", after.join(", "));
        }
        for sql in &step.sql {
            let sql = crate::dialect::script_statement(manifest.dialect, sql);
            if step.enabled {
                let _ = writeln!(s, "{sql}");
            } else {
                for line in sql.lines() {
                    let _ = writeln!(s, "-- {line}");
                }
            }
        }
    }
    if manifest.transactional {
        let _ = writeln!(s, "\nCOMMIT;");
    }
    s
}

/// The text of `down.sql`, from the manifest's down steps: each behind a comment naming the step
/// it undoes; an undo that restores the catalog but not the data says `IRREVERSIBLE: why`.
/// Written like `up.sql`: SQLite's prologue, one transaction where DDL is transactional, bodies
/// between `DELIMITER` lines for the MySQL client.
pub fn down_sql(manifest: &PackManifest) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "-- sluice reverse pack: undoes up.sql (the steps it runs), in dependency order"
    );
    let _ = writeln!(s, "-- TARGET: {}", manifest.target);
    let _ = writeln!(
        s,
        "-- {} steps, {}",
        manifest.down.len(),
        if manifest.transactional {
            "run as one transaction (all or nothing)"
        } else {
            "NOT transactional: each DDL statement commits on its own"
        },
    );
    let skipped = manifest.steps.iter().filter(|st| !st.enabled).count();
    if skipped > 0 {
        let _ = writeln!(
            s,
            "-- {skipped} step(s) commented out in up.sql never ran: they are not undone."
        );
    }
    let lossy: BTreeSet<usize> = manifest
        .down
        .iter()
        .filter(|d| d.irreversible.is_some())
        .map(|d| d.undoes)
        .collect();
    if !lossy.is_empty() {
        let list: Vec<String> = lossy.iter().map(|n| n.to_string()).collect();
        let _ = writeln!(
            s,
            "-- IRREVERSIBLE: the data of step(s) {} does not come back (see below); the schema does.",
            list.join(", ")
        );
    }
    for p in crate::dialect::script_prologue(manifest.dialect) {
        let _ = writeln!(s, "\n{p};");
    }
    if manifest.transactional {
        let _ = writeln!(s, "\nBEGIN;");
    }
    for d in &manifest.down {
        let undone = manifest.steps.iter().find(|st| st.number == d.undoes);
        let _ = writeln!(
            s,
            "\n-- down {}: undoes step {}{}",
            d.number,
            d.undoes,
            undone
                .map(|st| format!(" ({} {})", st.kind, st.object))
                .unwrap_or_default()
        );
        let _ = writeln!(s, "--   {}", d.change.describe());
        if let Some(why) = &d.irreversible {
            let _ = writeln!(s, "--   IRREVERSIBLE: {why}");
        }
        for q in &d.sql {
            let _ = writeln!(
                s,
                "{}",
                crate::dialect::script_statement(manifest.dialect, q)
            );
        }
    }
    if manifest.transactional {
        let _ = writeln!(s, "\nCOMMIT;");
    }
    s
}

/// The text of `changelog.md`: what the plan does, for people, grouped by object.
pub fn changelog_md(manifest: &PackManifest) -> String {
    use crate::model::RiskLevel;
    let mut s = String::new();
    let _ = writeln!(s, "# Migration plan\n");
    let _ = writeln!(s, "- SOURCE (desired state): `{}`", manifest.source);
    let _ = writeln!(s, "- TARGET (changes): `{}`", manifest.target);
    let _ = writeln!(
        s,
        "- Planned {} by sluice {}; {} steps; {}.",
        manifest.created_at,
        manifest.tool_version,
        manifest.steps.len(),
        if manifest.transactional {
            "runs as one transaction: all or nothing"
        } else {
            "NOT transactional: each DDL statement commits on its own; a failure leaves the steps before it applied (the journal resumes)"
        }
    );
    let risks: Vec<&crate::model::Assessment> = manifest
        .steps
        .iter()
        .filter_map(|s| s.risk.as_ref())
        .collect();
    let level = |l: RiskLevel| risks.iter().filter(|r| r.level == l).count();
    let certain = risks.iter().filter(|r| r.certain_failure).count();
    let _ = writeln!(
        s,
        "- Risk score **{}/100**: {} danger, {} caution, {} safe{}.",
        manifest.score,
        level(RiskLevel::Danger),
        level(RiskLevel::Caution),
        level(RiskLevel::Safe),
        if certain > 0 {
            format!("; **{certain} certain to fail** as TARGET's data stands")
        } else {
            String::new()
        }
    );
    let skipped = manifest.steps.iter().filter(|s| !s.enabled).count();
    if skipped > 0 {
        let _ = writeln!(
            s,
            "- {skipped} destructive step(s) commented out: plan with `--allow-destructive` or `--allow KIND` to include them."
        );
    }
    let mut groups: std::collections::BTreeMap<String, Vec<&PackStep>> = Default::default();
    for st in &manifest.steps {
        let key = match st.change.table() {
            Some(t) => format!("table {t}"),
            None => format!("{} {}", st.change.object_kind(), st.object),
        };
        groups.entry(key).or_default().push(st);
    }
    for (g, steps) in groups {
        let _ = writeln!(s, "\n## {g}\n");
        for st in steps {
            let risk = st
                .risk
                .as_ref()
                .map(|r| {
                    format!(
                        " — **{}**{}",
                        r.level.as_str(),
                        if r.certain_failure {
                            " (certain to fail)"
                        } else {
                            ""
                        }
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "- step {}: {}{}{}{}",
                st.number,
                st.description,
                risk,
                if st.destructive {
                    " — destructive"
                } else {
                    ""
                },
                if st.enabled {
                    ""
                } else {
                    " — *commented out*"
                }
            );
            if let Some(r) = &st.risk {
                if r.level != RiskLevel::Safe {
                    let _ = writeln!(s, "  - {}", r.reason);
                    for c in &r.counts {
                        let _ = writeln!(s, "  - data: {}", c.describe());
                    }
                    if let Some(sug) = &r.suggestion {
                        let _ = writeln!(s, "  - suggestion: {sug}");
                    }
                }
            }
        }
    }
    s
}

/// The dependency graph in Graphviz `dot`.
pub fn graph_dot(manifest: &PackManifest) -> String {
    let mut s = String::from(
        "digraph plan {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n",
    );
    for st in &manifest.steps {
        let label = format!("{}: {} {}", st.number, st.kind, st.object).replace('"', "\\\"");
        let _ = writeln!(s, "  s{} [label=\"{label}\"];", st.number);
    }
    for st in &manifest.steps {
        for a in &st.after {
            let _ = writeln!(s, "  s{a} -> s{};", st.number);
        }
    }
    s.push_str("}\n");
    s
}

/// The dependency graph as text for a terminal: steps by level (one more than the deepest step
/// they follow), each with the steps it follows; lines fit 80 columns.
pub fn graph_text(manifest: &PackManifest) -> String {
    let mut level: std::collections::BTreeMap<usize, usize> = Default::default();
    for st in &manifest.steps {
        let l = st
            .after
            .iter()
            .filter_map(|a| level.get(a))
            .max()
            .map(|m| m + 1)
            .unwrap_or(0);
        level.insert(st.number, l);
    }
    let max = level.values().max().copied().unwrap_or(0);
    let mut s = String::new();
    for l in 0..=max {
        let _ = writeln!(s, "level {l}");
        for st in manifest
            .steps
            .iter()
            .filter(|st| level.get(&st.number) == Some(&l))
        {
            let mut line = format!("  [{}] {} {}", st.number, st.kind, st.object);
            if !st.after.is_empty() {
                let after: Vec<String> = st.after.iter().map(|a| a.to_string()).collect();
                line.push_str(&format!("  <- {}", after.join(",")));
            }
            if line.chars().count() > 79 {
                line = line.chars().take(78).collect::<String>() + "…";
            }
            let _ = writeln!(s, "{line}");
        }
    }
    s
}
