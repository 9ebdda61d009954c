//! Migration packs: a directory a person can read and a machine can check.
//!
//! `up.sql` (every step with a comment block; destructive steps, and the steps that only serve
//! them, commented out unless allowed), `down.sql`, `plan.json` (steps, dependencies, the steps
//! left out, fingerprints, options and filters, TARGET's identity, the undo) and the catalogs of
//! SOURCE and TARGET at plan time (`source.json`, `target.json`, snapshot format), all under
//! `SHA256SUMS`, whose hash is the pack id. This module holds the data and builds it;
//! `render` writes the files people read, `store` writes and reads packs on disk. See
//! `docs/formats.md`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::plan::Step;
use super::schema::SchemaPlan;
use crate::error::{Error, Result};
use crate::model::plan::DownStep;
use crate::model::{Catalog, Dialect};

mod render;
mod store;

pub use render::{changelog_md, down_sql, graph_dot, graph_text, up_sql};
use store::up_sql_blocks;
pub use store::{Integrity, Provenance, provenance, read, register, verify, write};

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

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PackOptions {
    pub renames: bool,
    pub rename_threshold: u8,
    /// Every destructive step is included (not commented out).
    pub allow_destructive: bool,
    /// Destructive steps of these kinds are included (`drop-column`, `narrow-type`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<String>,
    /// Destructive steps included one by one (`kind object`, see [`step_key`]), as a person does
    /// in the TUI.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// Steps a person chose to leave out (`kind object`); the steps that need them go too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
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
    /// column whose drop is left out), or that needs a step the person left out.
    With { step: usize },
    /// A step the person chose to leave out.
    Excluded,
}

impl LeftOut {
    pub fn describe(&self) -> String {
        match self {
            LeftOut::Destructive { kind } => format!(
                "destructive ({kind}), not planned to run: plan with --allow-destructive or --allow {kind} to include it"
            ),
            LeftOut::With { step } => format!("left out with step {step}"),
            LeftOut::Excluded => "left out by choice".to_string(),
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

/// How a step is named across plans of the same two catalogs: `kind object`.
pub fn step_key(step: &Step) -> String {
    format!("{} {}", step.change.kind(), step.change.object())
}

/// The steps left out of a plan with these options: destructive steps not allowed (unless
/// included one by one) and the steps the person excluded; then, until nothing changes, every
/// step that only makes sense together with one left out, and every step that must follow one
/// the person excluded (it needs it).
pub fn left_out(steps: &[Step], options: &PackOptions) -> BTreeMap<usize, LeftOut> {
    let mut out: BTreeMap<usize, LeftOut> = BTreeMap::new();
    // Steps whose followers go with them: the person's exclusions and what they pulled in.
    let mut chosen: std::collections::BTreeSet<usize> = Default::default();
    for s in steps {
        let key = step_key(s);
        if options.exclude.contains(&key) {
            out.insert(s.number, LeftOut::Excluded);
            chosen.insert(s.number);
        } else if let Some(kind) = s.change.destructive_kind() {
            if !options.allows(kind) && !options.include.contains(&key) {
                out.insert(
                    s.number,
                    LeftOut::Destructive {
                        kind: kind.to_string(),
                    },
                );
            }
        }
    }
    loop {
        let more: Vec<(usize, usize, bool)> = steps
            .iter()
            .filter(|s| !out.contains_key(&s.number))
            .filter_map(|s| {
                if let Some(a) = s.after.iter().find(|a| chosen.contains(a)) {
                    return Some((s.number, *a, true));
                }
                s.with
                    .iter()
                    .find(|w| out.contains_key(w))
                    .map(|w| (s.number, *w, chosen.contains(w)))
            })
            .collect();
        if more.is_empty() {
            return out;
        }
        for (n, w, by_choice) in more {
            out.insert(n, LeftOut::With { step: w });
            if by_choice {
                chosen.insert(n);
            }
        }
    }
}

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
            } else {
                crate::dialect::script_statements(manifest.dialect, text)
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
