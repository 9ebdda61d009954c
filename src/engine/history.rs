//! The apply history: one JSON line per apply in `history.jsonl` in the data directory
//! (`$SLUICE_DATA_DIR`, else the user's data directory). Never holds a secret.

use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// RFC 3339, UTC.
    pub time: String,
    /// The pack: its directory and the SHA-256 of its plan.json.
    pub pack: String,
    pub plan_sha256: String,
    /// The target, without password.
    pub target: String,
    pub dialect: String,
    pub steps: usize,
    /// `applied`, `dry-run`, `rolled back`, `partial`, `refused`, `interrupted`, `failed`.
    pub result: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub duration_ms: u64,
    pub user: String,
    pub host: String,
}

/// Where sluice keeps runs and history.
pub fn data_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os("SLUICE_DATA_DIR") {
        return Ok(PathBuf::from(d));
    }
    directories::ProjectDirs::from("", "", "sluice")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| Error::usage("no data directory for this user: set SLUICE_DATA_DIR"))
}

fn path() -> Result<PathBuf> {
    Ok(data_dir()?.join("history.jsonl"))
}

/// Who and where, for the record.
pub fn who() -> (String, String) {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".into());
    (user, host)
}

/// Appends one entry (creating the directory and file as needed).
pub fn append(entry: &Entry) -> Result<()> {
    let p = path()?;
    if let Some(dir) = p.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::file(dir, e))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&p)
        .map_err(|e| Error::file(&p, e))?;
    let line = serde_json::to_string(entry).unwrap_or_default();
    writeln!(f, "{line}")
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::file(&p, e))
}

/// Every entry, oldest first; lines that do not parse are skipped.
pub fn read() -> Result<Vec<Entry>> {
    let p = path()?;
    match std::fs::read_to_string(&p) {
        Ok(text) => Ok(text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::file(&p, e)),
    }
}
