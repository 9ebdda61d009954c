//! Migration packs: a directory a person can read and a machine can check.
//!
//! `up.sql` (every step with a comment block; destructive steps commented out unless allowed),
//! `plan.json` (steps, dependencies, fingerprints, options, checksums) and the catalogs of SOURCE
//! and TARGET at plan time (`source.json`, `target.json`, snapshot format), so that apply can tell
//! what changed since. See `docs/formats.md`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::plan::Step;
use super::schema::SchemaPlan;
use crate::error::{Error, Result};
use crate::model::plan::DownStep;
use crate::model::{Catalog, Dialect, Snapshot};

pub const PACK_FORMAT: &str = "sluice-plan";
pub const PACK_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackOptions {
    pub renames: bool,
    pub rename_threshold: u8,
    /// Every destructive step is included (not commented out).
    pub allow_destructive: bool,
    /// Destructive steps of these kinds are included (`drop-column`, `narrow-type`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<String>,
}

impl PackOptions {
    /// Whether a destructive step of this kind is planned to run.
    pub fn allows(&self, kind: &str) -> bool {
        self.allow_destructive || self.allow.iter().any(|k| k == kind)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fingerprints {
    pub source: String,
    pub target: String,
}

/// `plan.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackManifest {
    pub format: String,
    pub version: u32,
    pub tool_version: String,
    pub created_at: String,
    /// Where SOURCE and TARGET were read from, without secrets.
    pub source: String,
    pub target: String,
    pub dialect: Dialect,
    pub transactional: bool,
    pub fingerprints: Fingerprints,
    pub options: PackOptions,
    /// The plan's risk score, 0–100 (100: something is certain to fail).
    pub score: u8,
    pub steps: Vec<PackStep>,
    /// The steps of `down.sql`: the undo of the enabled steps, in run order (see [`down_steps`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub down: Vec<DownStep>,
    /// SHA-256 of each SQL file, to detect edits made after planning.
    pub checksums: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackStep {
    pub number: usize,
    pub kind: String,
    pub object: String,
    pub description: String,
    pub destructive: bool,
    /// Whether `up.sql` runs it (destructive steps are commented out unless allowed).
    pub enabled: bool,
    pub sql: Vec<String>,
    pub after: Vec<usize>,
    /// The statements that undo it, or why it cannot be undone.
    pub reverse: super::plan::Reverse,
    /// Risk level, reason, suggestion and the target's data counts at plan time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<crate::model::Assessment>,
    pub change: crate::model::Change,
}

/// A pack read back from disk.
#[derive(Debug, Clone)]
pub struct Pack {
    pub dir: PathBuf,
    pub manifest: PackManifest,
    pub source: Catalog,
    pub target: Catalog,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The text of `up.sql`.
pub fn up_sql(manifest: &PackManifest) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "-- sluice migration pack: makes TARGET look like SOURCE");
    let _ = writeln!(s, "-- SOURCE: {}", manifest.source);
    let _ = writeln!(s, "-- TARGET: {}", manifest.target);
    let _ = writeln!(
        s,
        "-- {} steps, {}; planned {} by sluice {}",
        manifest.steps.len(),
        if manifest.transactional {
            "run as one transaction (all or nothing)"
        } else {
            "NOT transactional: each DDL statement commits on its own"
        },
        manifest.created_at,
        manifest.tool_version
    );
    let _ = writeln!(s, "-- risk score: {}/100", manifest.score);
    if manifest.steps.iter().any(|s| s.destructive && !s.enabled) {
        let _ = writeln!(
            s,
            "-- Destructive steps are commented out: plan with --allow-destructive to include them."
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

/// Builds the manifest for a plan.
#[allow(clippy::too_many_arguments)]
pub fn manifest(
    plan: &SchemaPlan,
    source: &Catalog,
    target: &Catalog,
    source_name: String,
    target_name: String,
    options: PackOptions,
    created_at: String,
) -> PackManifest {
    let steps = plan
        .steps
        .iter()
        .map(|s: &Step| {
            let destructive = s.change.is_destructive();
            PackStep {
                number: s.number,
                kind: s.change.kind().to_string(),
                object: s.change.object(),
                description: s.change.describe(),
                destructive,
                enabled: s
                    .change
                    .destructive_kind()
                    .is_none_or(|k| options.allows(k)),
                sql: s.sql.clone(),
                after: s.after.clone(),
                reverse: s.reverse.clone(),
                risk: s.risk.clone(),
                change: s.change.clone(),
            }
        })
        .collect();
    let mut m = PackManifest {
        format: PACK_FORMAT.into(),
        version: PACK_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        created_at,
        source: source_name,
        target: target_name,
        dialect: plan.dialect,
        transactional: plan.transactional,
        fingerprints: Fingerprints {
            source: source.fingerprint(),
            target: target.fingerprint(),
        },
        options,
        score: plan.score(),
        steps,
        down: Vec::new(),
        checksums: Default::default(),
    };
    m.down = down_steps(&m, source, target);
    m.checksums
        .insert("up.sql".into(), sha256_hex(up_sql(&m).as_bytes()));
    m.checksums
        .insert("down.sql".into(), sha256_hex(down_sql(&m).as_bytes()));
    m
}

// ------------------------------------------------------------------ down.sql

/// The steps of `down.sql`: the undo of every enabled step of `manifest` (disabled steps never
/// ran), ordered by the dependency graph from TARGET as the plan leaves it (`source`, the pack's
/// SOURCE catalog) back to TARGET before the plan (`target`). See `engine::down`. `manifest()`
/// stores them in `plan.json` (`down`); a pack without them (an older one) gets them from here.
pub fn down_steps(manifest: &PackManifest, source: &Catalog, target: &Catalog) -> Vec<DownStep> {
    let enabled: Vec<(usize, &crate::model::Change)> = manifest
        .steps
        .iter()
        .filter(|s| s.enabled)
        .map(|s| (s.number, &s.change))
        .collect();
    super::down::down_steps(&enabled, target, source)
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

// ------------------------------------------------------------------

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

fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::file(path, e))?;
    use std::io::Write;
    tmp.write_all(text.as_bytes())
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Error::file(path, e))?;
    tmp.persist(path).map_err(|e| Error::file(path, e.error))?;
    Ok(())
}

/// Writes the pack into `dir` (created if needed).
pub fn write(dir: &Path, m: &PackManifest, source: &Catalog, target: &Catalog) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::file(dir, e))?;
    write_atomic(&dir.join("up.sql"), &up_sql(m))?;
    write_atomic(&dir.join("down.sql"), &down_sql(m))?;
    write_atomic(&dir.join("changelog.md"), &changelog_md(m))?;
    write_atomic(&dir.join("graph.dot"), &graph_dot(m))?;
    let json = serde_json::to_string_pretty(m).unwrap_or_default() + "\n";
    write_atomic(&dir.join("plan.json"), &json)?;
    for (name, cat, src) in [
        ("source.json", source, &m.source),
        ("target.json", target, &m.target),
    ] {
        let snap = Snapshot::new(cat.clone(), src.clone(), m.created_at.clone());
        write_atomic(&dir.join(name), &snap.to_json())?;
    }
    Ok(())
}

/// Reads a pack and checks its format.
pub fn read(dir: &Path) -> Result<Pack> {
    let plan_path = dir.join("plan.json");
    let text = std::fs::read_to_string(&plan_path).map_err(|e| {
        Error::file(
            &plan_path,
            format!("not a sluice pack ({e}); write one with `sluice schema plan SOURCE TARGET --out DIR`"),
        )
    })?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::file(&plan_path, format!("not JSON: {e}")))?;
    if value.get("format").and_then(|f| f.as_str()) != Some(PACK_FORMAT) {
        return Err(Error::file(
            &plan_path,
            "not a sluice plan (no \"format\": \"sluice-plan\")",
        ));
    }
    let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
    if version == 0 || version > u64::from(PACK_VERSION) {
        return Err(Error::file(
            &plan_path,
            format!("plan version {version} is not one this sluice reads"),
        ));
    }
    let manifest: PackManifest = serde_json::from_value(value)
        .map_err(|e| Error::file(&plan_path, format!("malformed plan: {e}")))?;
    let source = super::source::read_snapshot(&dir.join("source.json"))?.catalog;
    let target = super::source::read_snapshot(&dir.join("target.json"))?.catalog;
    Ok(Pack {
        dir: dir.to_path_buf(),
        manifest,
        source,
        target,
    })
}

impl Pack {
    /// SQL files whose contents no longer match their checksum.
    pub fn edited_files(&self) -> Vec<String> {
        self.manifest
            .checksums
            .iter()
            .filter(|(name, sum)| {
                std::fs::read(self.dir.join(name))
                    .map(|b| sha256_hex(&b) != **sum)
                    .unwrap_or(true)
            })
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// The steps as the plan holds them.
    pub fn steps(&self) -> Vec<Step> {
        self.manifest
            .steps
            .iter()
            .map(|s| Step {
                number: s.number,
                change: s.change.clone(),
                sql: s.sql.clone(),
                after: s.after.clone(),
                reverse: s.reverse.clone(),
                risk: s.risk.clone(),
            })
            .collect()
    }
}

/// The steps as `up.sql` now reads (after a person edited it): each `-- step N:` block's
/// uncommented text is that step's SQL, run as written.
pub fn steps_from_up_sql(text: &str, manifest: &PackManifest) -> Result<Vec<Step>> {
    let mut chunks: std::collections::BTreeMap<usize, String> = Default::default();
    let mut current: Option<usize> = None;
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("-- step ") {
            current = rest
                .split(':')
                .next()
                .and_then(|n| n.trim().parse::<usize>().ok());
            if let Some(n) = current {
                chunks.entry(n).or_default();
            }
            continue;
        }
        if t.starts_with("--") {
            continue;
        }
        let upper = t.trim_end_matches(';').trim().to_ascii_uppercase();
        if upper == "BEGIN" || upper == "COMMIT" {
            continue;
        }
        if let Some(n) = current {
            let c = chunks.entry(n).or_default();
            c.push_str(line);
            c.push('\n');
        }
    }
    let mut out = Vec::new();
    for st in &manifest.steps {
        let sql = chunks
            .get(&st.number)
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        out.push(Step {
            number: st.number,
            change: st.change.clone(),
            sql: if sql.is_empty() {
                Vec::new()
            } else {
                vec![sql]
            },
            after: st.after.clone(),
            reverse: st.reverse.clone(),
            risk: st.risk.clone(),
        });
    }
    for n in chunks.keys() {
        if !manifest.steps.iter().any(|s| s.number == *n) {
            return Err(Error::Refused(format!(
                "up.sql has a step {n} that the plan does not have: plan again"
            )));
        }
    }
    Ok(out)
}

/// Statements no plan of ours writes unless it means to: `DROP DATABASE` and `DROP SCHEMA …
/// CASCADE`. Returns the first such statement in `sql` that the planned steps do not contain.
pub fn unplanned_mass_drop(sql: &str, manifest: &PackManifest) -> Option<String> {
    let planned: String = manifest
        .steps
        .iter()
        .filter(|s| s.enabled)
        .flat_map(|s| s.sql.iter())
        .map(|q| crate::model::normalize::sql(q))
        .collect::<Vec<_>>()
        .join("\n");
    for stmt in sql.split(';') {
        let n = crate::model::normalize::sql(stmt);
        let words: Vec<&str> = n.split_whitespace().collect();
        let drop_db = words.windows(2).any(|w| w == ["drop", "database"]);
        let drop_schema_cascade =
            words.windows(2).any(|w| w == ["drop", "schema"]) && words.contains(&"cascade");
        if (drop_db || drop_schema_cascade) && !planned.contains(&n) {
            return Some(stmt.trim().to_string());
        }
    }
    None
}
