//! Packs on disk: written into a private directory with `SHA256SUMS` last, recorded in this
//! machine's `packs.jsonl`, read back only after every file passed its integrity check.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::render::{changelog_md, down_sql, graph_dot, up_sql};
use super::{
    PACK_FILES, PACK_FORMAT, PACK_ID_SHOWN, PACK_VERSION, Pack, PackManifest, SUMS_FILE, sha256_hex,
};
use crate::error::{Error, Result};
use crate::model::{Catalog, Snapshot};

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
    crate::files::private_dir(dir)?;
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
        crate::files::write_atomic(&dir.join(name), text.as_bytes())?;
        let _ = writeln!(sums, "{}  {name}", sha256_hex(text.as_bytes()));
    }
    crate::files::write_atomic(&dir.join(SUMS_FILE), sums.as_bytes())?;
    crate::files::clean_stale_temps(dir);
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
    Ok(crate::config::data_dir()?.join("packs.jsonl"))
}

/// Records that the pack in `dir` with this id was written now.
pub fn register(dir: &Path, pack_id: &str, at: &str) -> Result<()> {
    let canon = std::fs::canonicalize(dir).map_err(|e| Error::file(dir, e))?;
    let path = registry_path()?;
    if let Some(parent) = path.parent() {
        crate::files::private_dir(parent)?;
    }
    let line = serde_json::to_string(&Written {
        dir: canon.display().to_string(),
        pack_id: pack_id.to_string(),
        at: at.to_string(),
    })
    .unwrap_or_default();
    use std::io::Write;
    let mut f = crate::files::open_append(&path)?;
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
    let source = crate::engine::source::read_snapshot(&dir.join("source.json"))?.catalog;
    let target = crate::engine::source::read_snapshot(&dir.join("target.json"))?.catalog;
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
pub(super) fn up_sql_blocks(text: &str) -> Vec<(usize, String)> {
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
