//! Migration packs: a directory a person can read and a machine can check.
//!
//! `up.sql` (every step with a comment block; destructive steps commented out unless allowed),
//! `plan.json` (steps, dependencies, fingerprints, options, checksums) and the catalogs of SOURCE
//! and TARGET at plan time (`source.json`, `target.json`, snapshot format), so that apply can tell
//! what changed since. See `docs/formats.md`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::plan::Step;
use super::schema::SchemaPlan;
use crate::error::{Error, Result};
use crate::model::{Catalog, Dialect, Snapshot};

pub const PACK_FORMAT: &str = "sluice-plan";
pub const PACK_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackOptions {
    pub renames: bool,
    pub rename_threshold: u8,
    pub allow_destructive: bool,
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
    pub steps: Vec<PackStep>,
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
    if manifest.steps.iter().any(|s| s.destructive && !s.enabled) {
        let _ = writeln!(
            s,
            "-- Destructive steps are commented out: plan with --allow-destructive to include them."
        );
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
                enabled: !destructive || options.allow_destructive,
                sql: s.sql.clone(),
                after: s.after.clone(),
                reverse: s.reverse.clone(),
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
        steps,
        checksums: Default::default(),
    };
    let up = up_sql(&m);
    m.checksums
        .insert("up.sql".into(), sha256_hex(up.as_bytes()));
    m
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
            })
            .collect()
    }
}
