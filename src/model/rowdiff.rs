//! The row diff as data: which tables are compared and how, a run's manifest and checkpoint, and
//! the results. Everything here is serialized into the run directory (`docs/formats.md`, "Runs").

use serde::{Deserialize, Serialize};

use super::catalog::{Dialect, QualifiedName};
use super::types::TypeFamily;

/// Version of the run files (manifest, checkpoint, differences).
pub const RUN_FORMAT: u32 = 1;

/// A compared column: its name on each side, its families and the family values are compared in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedColumn {
    pub source: String,
    pub target: String,
    pub source_family: TypeFamily,
    pub target_family: TypeFamily,
    pub compare_as: TypeFamily,
}

/// How rows of a table are matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum KeyKind {
    /// The primary key (the same columns on both sides).
    PrimaryKey,
    /// A unique constraint or index over NOT NULL columns, present on both sides.
    Unique { name: String },
    /// No usable key: rows are compared as a multiset (hash and count); inserts and deletes are
    /// counted, conflicts cannot be told from an insert plus a delete.
    Multiset,
}

/// One table compared on both sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TablePair {
    /// How the table is named in reports: SOURCE's `schema.table`.
    pub table: String,
    pub source: QualifiedName,
    pub target: QualifiedName,
    /// The compared columns, in hash order.
    pub columns: Vec<PairedColumn>,
    /// Positions in `columns` of the key, in key order; empty for a multiset.
    pub key: Vec<usize>,
    pub key_kind: KeyKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns_only_in_source: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns_only_in_target: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored_columns: Vec<String>,
    /// Why the table is compared the way it is (other key, types that differ, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// SHA-256 of each side's table definition when the run started.
    pub source_fingerprint: String,
    pub target_fingerprint: String,
}

impl TablePair {
    pub fn key_columns(&self) -> Vec<String> {
        self.key
            .iter()
            .filter_map(|&i| self.columns.get(i).map(|c| c.source.clone()))
            .collect()
    }

    pub fn mode(&self) -> &'static str {
        match self.key_kind {
            KeyKind::Multiset => "multiset",
            _ => "keyed",
        }
    }
}

/// A database as a run records it: never a password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DbRef {
    /// The URL without password, or the profile name.
    pub reference: String,
    /// `url` or `profile`.
    pub kind: String,
    pub dialect: Dialect,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub database: String,
}

/// The options that decide a run's result; resume refuses when they change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunOptions {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_columns: Vec<String>,
    pub batch_size: usize,
    pub statement_timeout_secs: u64,
}

/// `manifest.json`: what a run compares. Written once, when the run starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunManifest {
    pub format: String,
    pub version: u32,
    pub run_id: String,
    pub created_at: String,
    pub tool_version: String,
    /// [`crate::model::rows::HASH_FORMAT`] of the row hashes this run stores.
    pub hash_format: u32,
    pub source: DbRef,
    pub target: DbRef,
    pub options: RunOptions,
    pub tables: Vec<TablePair>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only_in_source: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only_in_target: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Running,
    Interrupted,
    Failed,
    Complete,
}

impl RunState {
    pub fn name(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Interrupted => "interrupted",
            RunState::Failed => "failed",
            RunState::Complete => "complete",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableStatus {
    #[default]
    Pending,
    Running,
    Complete,
}

impl TableStatus {
    pub fn name(self) -> &'static str {
        match self {
            TableStatus::Pending => "pending",
            TableStatus::Running => "running",
            TableStatus::Complete => "complete",
        }
    }
}

/// Counts of one table, so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counts {
    pub source_rows: u64,
    pub target_rows: u64,
    pub insert: u64,
    pub delete: u64,
    pub conflict: u64,
    pub unchanged: u64,
}

impl Counts {
    pub fn differences(&self) -> u64 {
        self.insert + self.delete + self.conflict
    }
}

/// Where one table stands.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TableProgress {
    pub table: String,
    pub status: TableStatus,
    #[serde(flatten)]
    pub counts: Counts,
    /// The key of the last SOURCE row merged (hex of the key encoding, as SOURCE stores it):
    /// the next page starts after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_after: Option<String>,
    /// The last key merged, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_key: Option<serde_json::Value>,
    /// Length of the table's differences file covered by this checkpoint; anything after it
    /// (written after the checkpoint, before a crash) is cut off on resume.
    pub diff_bytes: u64,
}

/// `checkpoint.json`: how far a run got. Replaced atomically after every batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub format: String,
    pub version: u32,
    pub run_id: String,
    pub state: RunState,
    pub updated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub tables: Vec<TableProgress>,
}

/// Which class a difference is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffClass {
    /// Only in SOURCE.
    Insert,
    /// Only in TARGET.
    Delete,
    /// Same key, different values.
    Conflict,
}

impl DiffClass {
    pub fn name(self) -> &'static str {
        match self {
            DiffClass::Insert => "insert",
            DiffClass::Delete => "delete",
            DiffClass::Conflict => "conflict",
        }
    }

    pub fn parse(s: &str) -> Option<DiffClass> {
        match s {
            "insert" => Some(DiffClass::Insert),
            "delete" => Some(DiffClass::Delete),
            "conflict" => Some(DiffClass::Conflict),
            _ => None,
        }
    }
}

/// One line of a table's differences file (`diffs/NNNN.jsonl`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffRecord {
    pub class: DiffClass,
    /// The key values (JSON array); null for a multiset table.
    pub key: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_hash: Option<String>,
    /// Multiset tables: how many more copies of this row one side has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
}
