//! The snapshot file: a catalog written to JSON by `sluice snapshot`, readable wherever a schema
//! source is wanted. The format is versioned; see `docs/formats.md`.

use serde::{Deserialize, Serialize};

use super::catalog::Catalog;

/// The value of the `format` field that marks a file as a sluice snapshot.
pub const SNAPSHOT_FORMAT: &str = "sluice-snapshot";
/// The newest snapshot version this build writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub format: String,
    pub version: u32,
    /// The sluice version that wrote it.
    pub tool_version: String,
    /// RFC 3339 time of writing (UTC).
    pub created_at: String,
    /// Where it was taken from, without secrets (`postgres://app@db1:5432/shop`).
    pub source: String,
    pub catalog: Catalog,
}

impl Snapshot {
    pub fn new(catalog: Catalog, source: String, created_at: String) -> Snapshot {
        Snapshot {
            format: SNAPSHOT_FORMAT.to_string(),
            version: SNAPSHOT_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            created_at,
            source,
            catalog,
        }
    }

    pub fn to_json(&self) -> String {
        // Serializing plain data with string keys cannot fail.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Parses a snapshot, telling "not a snapshot at all" from "a snapshot we cannot read".
    pub fn from_json(text: &str) -> Result<Snapshot, SnapshotError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| SnapshotError::NotJson(e.to_string()))?;
        let format = value.get("format").and_then(|f| f.as_str());
        if format != Some(SNAPSHOT_FORMAT) {
            return Err(SnapshotError::NotASnapshot);
        }
        let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
        if version == 0 || version > u64::from(SNAPSHOT_VERSION) {
            return Err(SnapshotError::UnknownVersion(version));
        }
        let mut snap: Snapshot =
            serde_json::from_value(value).map_err(|e| SnapshotError::Malformed(e.to_string()))?;
        snap.catalog.normalize_order();
        Ok(snap)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    #[error("not JSON ({0})")]
    NotJson(String),
    #[error("JSON, but not a sluice snapshot (no \"format\": \"sluice-snapshot\")")]
    NotASnapshot,
    #[error("snapshot version {0} is not one this sluice reads (it reads 1..={SNAPSHOT_VERSION})")]
    UnknownVersion(u64),
    #[error("a sluice snapshot, but malformed: {0}")]
    Malformed(String),
}
