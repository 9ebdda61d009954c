//! Migration packs: a directory a person can read and a machine can check.
//!
//! `up.sql` (every step with a comment block; destructive steps commented out unless allowed),
//! `plan.json` (steps, dependencies, fingerprints, options, checksums) and the catalogs of SOURCE
//! and TARGET at plan time (`source.json`, `target.json`, snapshot format), so that apply can tell
//! what changed since. See `docs/formats.md`.

use std::collections::{BTreeMap, BTreeSet};
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
/// 2: every file under `SHA256SUMS`, filters and TARGET's identity stored, steps left out.
pub const PACK_VERSION: u32 = 2;
/// The pack's integrity manifest: one `SHA-256  file` line per file (the format of
/// `sha256sum`, so `sha256sum -c SHA256SUMS` checks it too). Its own SHA-256 is the pack id.
pub const SUMS_FILE: &str = "SHA256SUMS";
/// Every file a pack holds besides `SHA256SUMS`; all of them are covered by it.
pub const PACK_FILES: [&str; 7] = [
    "changelog.md",
    "down.sql",
    "graph.dot",
    "plan.json",
    "source.json",
    "target.json",
    "up.sql",
];
/// How many hex digits of the pack id people see (as git shows commits).
pub const PACK_ID_SHOWN: usize = 12;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackOptions {
    pub renames: bool,
    pub rename_threshold: u8,
    /// Every destructive step is included (not commented out).
    pub allow_destructive: bool,
    /// Destructive steps of these kinds are included (`drop-column`, `narrow-type`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<String>,
    /// The include/exclude filters the plan was made with (`table:album`, `!schema:audit`; see
    /// [`crate::model::Filter::from_patterns`]): apply reads TARGET through the same filters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filter: Vec<String>,
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
    /// Which database TARGET was at plan time (absent when TARGET was a snapshot): apply refuses
    /// another one unless `--retarget`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_identity: Option<crate::model::TargetIdentity>,
    /// The steps of `down.sql`: the undo of the enabled steps, in run order (see [`down_steps`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub down: Vec<DownStep>,
}

impl PackManifest {
    /// The filters the plan was made with.
    pub fn filter(&self) -> Result<crate::model::Filter> {
        crate::model::Filter::from_patterns(&self.options.filter).map_err(|e| {
            Error::Refused(format!(
                "plan.json holds a filter sluice cannot read ({e}): plan again"
            ))
        })
    }

    /// The steps left out of the apply, with why.
    pub fn left_out(&self) -> impl Iterator<Item = (&PackStep, &LeftOut)> {
        self.steps
            .iter()
            .filter_map(|s| s.left_out.as_ref().map(|l| (s, l)))
    }
}

/// Why a step does not run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeftOut {
    /// A destructive step not planned to run (`--allow-destructive` / `--allow KIND` not given).
    Destructive { kind: String },
    /// A step that only makes sense together with a step left out (the drop of an index on a
    /// column whose drop is left out).
    With { step: usize },
}

impl LeftOut {
    pub fn describe(&self) -> String {
        match self {
            LeftOut::Destructive { kind } => format!(
                "destructive ({kind}), not planned to run: plan with --allow-destructive or --allow {kind} to include it"
            ),
            LeftOut::With { step } => format!("left out with step {step}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackStep {
    pub number: usize,
    pub kind: String,
    pub object: String,
    pub description: String,
    pub destructive: bool,
    /// Whether `up.sql` runs it (destructive steps, and the steps that only serve them, are
    /// commented out unless allowed).
    pub enabled: bool,
    /// Why it is commented out, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_out: Option<LeftOut>,
    pub sql: Vec<String>,
    pub after: Vec<usize>,
    /// Steps this one only makes sense together with (see `Step::with`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub with: Vec<usize>,
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
    /// What the integrity check found when the pack was read.
    pub integrity: Integrity,
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
    target_identity: Option<crate::model::TargetIdentity>,
) -> PackManifest {
    let left_out = left_out(&plan.steps, &options);
    let steps = plan
        .steps
        .iter()
        .map(|s: &Step| {
            let left_out = left_out.get(&s.number).cloned();
            PackStep {
                number: s.number,
                kind: s.change.kind().to_string(),
                object: s.change.object(),
                description: s.change.describe(),
                destructive: s.change.is_destructive(),
                enabled: left_out.is_none(),
                left_out,
                sql: s.sql.clone(),
                after: s.after.clone(),
                with: s.with.clone(),
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
        target_identity,
        down: Vec::new(),
    };
    m.down = down_steps(&m, source, target);
    m
}

/// The steps left out of a plan with these options: destructive steps not allowed, then, until
/// nothing changes, every step that only makes sense together with one left out.
pub fn left_out(steps: &[Step], options: &PackOptions) -> BTreeMap<usize, LeftOut> {
    let mut out: BTreeMap<usize, LeftOut> = steps
        .iter()
        .filter_map(|s| {
            let kind = s.change.destructive_kind()?;
            (!options.allows(kind)).then(|| {
                (
                    s.number,
                    LeftOut::Destructive {
                        kind: kind.to_string(),
                    },
                )
            })
        })
        .collect();
    loop {
        let more: Vec<(usize, usize)> = steps
            .iter()
            .filter(|s| !out.contains_key(&s.number))
            .filter_map(|s| {
                s.with
                    .iter()
                    .find(|w| out.contains_key(w))
                    .map(|w| (s.number, *w))
            })
            .collect();
        if more.is_empty() {
            return out;
        }
        for (n, w) in more {
            out.insert(n, LeftOut::With { step: w });
        }
    }
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

/// Writes the pack into `dir`: a new directory, an empty one, or (with `force`) an earlier pack.
/// The directory is made 0700 and every file 0600; `SHA256SUMS` is written last, so a pack
/// whose writing was cut short never passes its integrity check. Returns the pack id.
pub fn write(
    dir: &Path,
    m: &PackManifest,
    source: &Catalog,
    target: &Catalog,
    force: bool,
) -> Result<String> {
    check_out_dir(dir, force)?;
    super::files::private_dir(dir)?;
    // An earlier pack's manifest goes first: from here on the directory is not a valid pack
    // until the new one is complete.
    match std::fs::remove_file(dir.join(SUMS_FILE)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::file(dir.join(SUMS_FILE), e)),
    }
    let json = serde_json::to_string_pretty(m).unwrap_or_default() + "\n";
    let snap = |cat: &Catalog, name: &String| {
        Snapshot::new(cat.clone(), name.clone(), m.created_at.clone()).to_json()
    };
    let files: [(&str, String); 7] = [
        ("changelog.md", changelog_md(m)),
        ("down.sql", down_sql(m)),
        ("graph.dot", graph_dot(m)),
        ("plan.json", json),
        ("source.json", snap(source, &m.source)),
        ("target.json", snap(target, &m.target)),
        ("up.sql", up_sql(m)),
    ];
    let mut sums = String::new();
    for (name, text) in &files {
        super::files::write_atomic(&dir.join(name), text.as_bytes())?;
        let _ = writeln!(sums, "{}  {name}", sha256_hex(text.as_bytes()));
    }
    super::files::write_atomic(&dir.join(SUMS_FILE), sums.as_bytes())?;
    super::files::clean_stale_temps(dir);
    let id = sha256_hex(sums.as_bytes());
    register(dir, &id, &m.created_at)?;
    Ok(id)
}

/// `--out DIR` must be new, empty, or an earlier pack (replaced only with `--force`).
fn check_out_dir(dir: &Path, force: bool) -> Result<()> {
    let entries: Vec<String> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            return Err(Error::file(
                dir,
                "exists and is not a directory: choose another --out",
            ));
        }
        Err(e) => return Err(Error::file(dir, e)),
    };
    if entries.is_empty() {
        return Ok(());
    }
    let ours = |n: &str| {
        PACK_FILES.contains(&n)
            || n == SUMS_FILE
            || n == crate::dialect::journal::JOURNAL_FILE
            || n == crate::dialect::journal::ROLLBACK_JOURNAL_FILE
            || n.starts_with(".tmp")
    };
    let is_pack = entries.iter().any(|n| n == "plan.json" || n == SUMS_FILE)
        && std::fs::read_to_string(dir.join("plan.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .is_some_and(|v| v.get("format").and_then(|f| f.as_str()) == Some(PACK_FORMAT));
    if !is_pack {
        return Err(Error::usage(format!(
            "--out {} is a directory that holds other files (not a sluice pack): choose a new or empty directory",
            dir.display()
        )));
    }
    if let Some(stranger) = entries.iter().find(|n| !ours(n)) {
        return Err(Error::usage(format!(
            "--out {} holds a pack and other files ({stranger}): choose a new or empty directory",
            dir.display()
        )));
    }
    if !force {
        return Err(Error::usage(format!(
            "--out {} already holds a pack: give --force to replace it, or choose a new directory",
            dir.display()
        )));
    }
    Ok(())
}

/// The packs this user wrote on this machine: `packs.jsonl` in the data directory (0600), one
/// line per pack written — its directory and its id. `SHA256SUMS` proves a pack's files agree
/// with each other; this record proves `SHA256SUMS` is the one sluice wrote, so files changed
/// and the sums rewritten to match are caught without the person pinning `--pack-id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Written {
    dir: String,
    pack_id: String,
    at: String,
}

fn registry_path() -> Result<PathBuf> {
    Ok(super::history::data_dir()?.join("packs.jsonl"))
}

/// Records that the pack in `dir` with this id was written now.
pub fn register(dir: &Path, pack_id: &str, at: &str) -> Result<()> {
    let canon = std::fs::canonicalize(dir).map_err(|e| Error::file(dir, e))?;
    let path = registry_path()?;
    if let Some(parent) = path.parent() {
        super::files::private_dir(parent)?;
    }
    let line = serde_json::to_string(&Written {
        dir: canon.display().to_string(),
        pack_id: pack_id.to_string(),
        at: at.to_string(),
    })
    .unwrap_or_default();
    use std::io::Write;
    let mut f = super::files::open_append(&path)?;
    writeln!(f, "{line}")
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::file(&path, e))
}

/// Where a pack comes from, as this machine's record says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// sluice wrote this very pack here (at that time).
    Written { at: String },
    /// sluice wrote a pack in this directory, but not this one: its files were changed after.
    Replaced { pack_id: String, at: String },
    /// No record: planned on another machine or by another user (or the record was removed).
    Unknown,
}

/// What the record says of the pack in `dir` whose id is `pack_id`.
pub fn provenance(dir: &Path, pack_id: &str) -> Provenance {
    let Ok(path) = registry_path() else {
        return Provenance::Unknown;
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Provenance::Unknown;
    };
    let written: Vec<Written> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    if let Some(w) = written.iter().rev().find(|w| w.pack_id == pack_id) {
        return Provenance::Written { at: w.at.clone() };
    }
    let canon = std::fs::canonicalize(dir)
        .map(|c| c.display().to_string())
        .unwrap_or_default();
    match written.iter().rev().find(|w| w.dir == canon) {
        Some(w) => Provenance::Replaced {
            pack_id: w.pack_id.clone(),
            at: w.at.clone(),
        },
        None => Provenance::Unknown,
    }
}

/// What a pack's integrity check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integrity {
    /// SHA-256 of `SHA256SUMS`: names the pack as it was written (shown at plan time).
    pub pack_id: String,
    /// Files whose content no longer matches `SHA256SUMS`, by name.
    pub edited: Vec<String>,
}

impl Integrity {
    /// The pack id as people see it.
    pub fn short_id(&self) -> &str {
        &self.pack_id[..PACK_ID_SHOWN.min(self.pack_id.len())]
    }
}

/// Checks every file of the pack in `dir` against `SHA256SUMS`. A pack without it (written by an
/// older sluice), a manifest that does not parse or leaves a file out, and a missing file are
/// refused (exit 4); files whose content changed are returned for the caller to judge.
pub fn verify(dir: &Path) -> Result<Integrity> {
    let sums_path = dir.join(SUMS_FILE);
    let sums = match std::fs::read(&sums_path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !dir.join("plan.json").is_file() {
                return Err(Error::file(
                    dir,
                    "not a sluice pack (no plan.json); write one with `sluice schema plan SOURCE TARGET --out DIR`",
                ));
            }
            return Err(Error::Refused(format!(
                "{} has no {SUMS_FILE}: it was written by an older sluice (or the file was removed), so nothing proves it is what was reviewed: plan again",
                dir.display()
            )));
        }
        Err(e) => return Err(Error::file(&sums_path, e)),
    };
    let text = String::from_utf8_lossy(&sums);
    let mut listed: BTreeMap<String, String> = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let parsed = line.split_once("  ").filter(|(h, n)| {
            h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) && !n.is_empty()
        });
        let Some((hash, name)) = parsed else {
            return Err(Error::Refused(format!(
                "{} line {} is not `SHA-256  file`: the pack was tampered with: plan again",
                sums_path.display(),
                i + 1
            )));
        };
        listed.insert(name.to_string(), hash.to_ascii_lowercase());
    }
    if let Some(missing) = PACK_FILES.iter().find(|f| !listed.contains_key(**f)) {
        return Err(Error::Refused(format!(
            "{} does not cover {missing}: the pack was tampered with: plan again",
            sums_path.display()
        )));
    }
    let mut edited = Vec::new();
    for (name, hash) in &listed {
        if name.contains('/') || name.starts_with('.') {
            return Err(Error::Refused(format!(
                "{} names a file outside the pack ({name}): plan again",
                sums_path.display()
            )));
        }
        match std::fs::read(dir.join(name)) {
            Ok(b) if sha256_hex(&b) == *hash => {}
            Ok(_) => edited.push(name.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::Refused(format!(
                    "{name} is missing from the pack {}: plan again",
                    dir.display()
                )));
            }
            Err(e) => return Err(Error::file(dir.join(name), e)),
        }
    }
    Ok(Integrity {
        pack_id: sha256_hex(&sums),
        edited,
    })
}

/// Reads a pack: checks its integrity, its format and version, then reads the plan and both
/// catalogs. Files other than `up.sql` that changed since planning are refused (exit 4), naming
/// the file and, for `plan.json`, the step; an edited `up.sql` is reported in
/// `integrity.edited` for the caller to refuse or accept (`--accept-edits`).
pub fn read(dir: &Path) -> Result<Pack> {
    let integrity = verify(dir)?;
    let plan_path = dir.join("plan.json");
    let tampered: Vec<&String> = integrity.edited.iter().filter(|f| *f != "up.sql").collect();
    if !tampered.is_empty() {
        let which = tampered
            .iter()
            .map(|f| match f.as_str() {
                "plan.json" => match tampered_steps(dir, &integrity) {
                    Some(steps) => format!("plan.json ({steps})"),
                    None => "plan.json".to_string(),
                },
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        return Err(Error::Refused(format!(
            "{which} changed since planning ({}): what would run is not what was reviewed. Only up.sql may be edited (then apply with --accept-edits); plan again",
            dir.display()
        )));
    }
    let text = std::fs::read_to_string(&plan_path).map_err(|e| Error::file(&plan_path, e))?;
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
    if version < u64::from(PACK_VERSION) {
        return Err(Error::Refused(format!(
            "{} is a version {version} pack, from an older sluice: plan again",
            dir.display()
        )));
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
        integrity,
    })
}

/// Which steps of a changed `plan.json` no longer say what `up.sql` (still intact) shows: their
/// SQL, whether they run, or their order. `None` when that cannot be told.
fn tampered_steps(dir: &Path, integrity: &Integrity) -> Option<String> {
    if integrity.edited.iter().any(|f| f == "up.sql") {
        return None;
    }
    let plan: PackManifest =
        serde_json::from_str(&std::fs::read_to_string(dir.join("plan.json")).ok()?).ok()?;
    let up = std::fs::read_to_string(dir.join("up.sql")).ok()?;
    let shown = up_sql_blocks(&up);
    let mut bad: Vec<String> = Vec::new();
    for (i, st) in plan.steps.iter().enumerate() {
        let sql = if st.enabled {
            st.sql
                .iter()
                .map(|q| crate::dialect::script_statement(plan.dialect, q))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            String::new()
        };
        let differs = match shown.get(i) {
            Some((n, text)) => *n != st.number || squash(text) != squash(&sql),
            None => true,
        };
        if differs {
            bad.push(st.number.to_string());
        }
    }
    if shown.len() > plan.steps.len() {
        bad.push(format!("{} missing", shown.len() - plan.steps.len()));
    }
    match bad.len() {
        0 => Some("a step's plan data other than its SQL".to_string()),
        1 => Some(format!("step {}", bad[0])),
        _ => Some(format!("steps {}", bad.join(", "))),
    }
}

/// Whitespace does not count when comparing SQL texts.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `up.sql`'s step blocks in file order: each `-- step N:` block's uncommented text.
fn up_sql_blocks(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("-- step ") {
            if let Some(n) = rest.split(':').next().and_then(|n| n.trim().parse().ok()) {
                out.push((n, String::new()));
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
        if let Some((_, block)) = out.last_mut() {
            block.push_str(line);
            block.push('\n');
        }
    }
    out
}

impl Pack {
    /// The pack id as people see it.
    pub fn short_id(&self) -> &str {
        self.integrity.short_id()
    }

    /// Whether `up.sql` was edited after planning.
    pub fn up_sql_edited(&self) -> bool {
        self.integrity.edited.iter().any(|f| f == "up.sql")
    }

    /// The steps as the plan holds them (left-out steps with no SQL).
    pub fn steps(&self) -> Vec<Step> {
        self.manifest
            .steps
            .iter()
            .map(|s| step_of(s, if s.enabled { s.sql.clone() } else { Vec::new() }))
            .collect()
    }
}

fn step_of(s: &PackStep, sql: Vec<String>) -> Step {
    Step {
        number: s.number,
        change: s.change.clone(),
        sql,
        after: s.after.clone(),
        with: s.with.clone(),
        reverse: s.reverse.clone(),
        risk: s.risk.clone(),
    }
}

/// The steps as `up.sql` now reads (after a person edited it): each `-- step N:` block's
/// uncommented text is that step's SQL, run as written (on MySQL split into statements as the
/// `mysql` client would, `DELIMITER` lines included).
pub fn steps_from_up_sql(text: &str, manifest: &PackManifest) -> Result<Vec<Step>> {
    let mut chunks: BTreeMap<usize, String> = BTreeMap::new();
    for (n, block) in up_sql_blocks(text) {
        if !manifest.steps.iter().any(|s| s.number == n) {
            return Err(Error::Refused(format!(
                "up.sql has a step {n} that the plan does not have: plan again"
            )));
        }
        chunks.entry(n).or_default().push_str(&block);
    }
    Ok(manifest
        .steps
        .iter()
        .map(|st| {
            let text = chunks.get(&st.number).map(|s| s.trim()).unwrap_or_default();
            let sql = if text.is_empty() {
                Vec::new()
            } else if manifest.dialect == crate::model::Dialect::Mysql {
                crate::dialect::mysql::script::statements(text)
            } else {
                vec![text.to_string()]
            };
            step_of(st, sql)
        })
        .collect())
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
