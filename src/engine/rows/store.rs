//! The run directory: `<data dir>/runs/<run_id>/` with `manifest.json` (written once),
//! `checkpoint.json` (replaced atomically after every batch) and `diffs/NNNN.jsonl` (one file of
//! differences per table, appended to; the checkpoint records how much of it counts).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::rowdiff::{Checkpoint, RUN_FORMAT, RunManifest};

/// Where runs live: `$SLUICE_DATA_DIR/runs`, else the platform's data directory
/// (`~/.local/share/sluice/runs` on Linux).
pub fn runs_root() -> Result<PathBuf> {
    Ok(crate::config::data_dir()?.join("runs"))
}

/// A new run id: UTC time and a random suffix (`20261122-101500-3fa9c1`).
pub fn new_run_id() -> String {
    use sha2::{Digest, Sha256};
    let now = chrono::Utc::now();
    let mut h = Sha256::new();
    h.update(now.timestamp_nanos_opt().unwrap_or_default().to_be_bytes());
    h.update(std::process::id().to_be_bytes());
    let local = 0u8;
    h.update(format!("{:p}", &local).as_bytes());
    let suffix = hex::encode(&h.finalize()[..3]);
    format!("{}-{suffix}", now.format("%Y%m%d-%H%M%S"))
}

/// One run's directory.
#[derive(Debug, Clone)]
pub struct RunDir {
    pub id: String,
    pub path: PathBuf,
}

impl RunDir {
    /// Creates the directory of a new run.
    pub fn create(root: &Path, id: &str) -> Result<RunDir> {
        let path = root.join(id);
        // Runs hold key values: private to the user, whatever the umask.
        crate::files::private_dir(root)?;
        crate::files::private_dir(&path)?;
        crate::files::private_dir(&path.join("diffs"))?;
        Ok(RunDir {
            id: id.to_string(),
            path,
        })
    }

    /// Opens an existing run by id (a usage error names the runs directory when it is not there).
    pub fn open(root: &Path, id: &str) -> Result<RunDir> {
        if id.is_empty() || id.contains(['/', '\\']) || id.starts_with('.') {
            return Err(Error::usage(format!("'{id}' is not a run id")));
        }
        let path = root.join(id);
        if !path.join("manifest.json").is_file() {
            return Err(Error::usage(format!(
                "no run '{id}' in {} (see `sluice runs`)",
                root.display()
            )));
        }
        // A run killed mid-write left its temporary files: they go now.
        crate::files::clean_stale_temps(&path);
        Ok(RunDir {
            id: id.to_string(),
            path,
        })
    }

    pub fn manifest_path(&self) -> PathBuf {
        self.path.join("manifest.json")
    }

    pub fn checkpoint_path(&self) -> PathBuf {
        self.path.join("checkpoint.json")
    }

    /// The differences file of the table at `index` in the manifest.
    pub fn diff_path(&self, index: usize) -> PathBuf {
        self.path.join("diffs").join(format!("{index:04}.jsonl"))
    }

    /// Scratch space for a multiset table (removed when the table is done).
    pub fn scratch_path(&self, index: usize) -> PathBuf {
        self.path.join("scratch").join(format!("{index:04}"))
    }

    pub fn write_manifest(&self, m: &RunManifest) -> Result<()> {
        write_json_atomic(&self.manifest_path(), m)
    }

    pub fn write_checkpoint(&self, c: &Checkpoint) -> Result<()> {
        write_json_atomic(&self.checkpoint_path(), c)
    }

    pub fn manifest(&self) -> Result<RunManifest> {
        let m: RunManifest = read_json(&self.manifest_path())?;
        if m.format != "sluice-run" {
            return Err(Error::file(
                self.manifest_path(),
                "not a sluice run manifest",
            ));
        }
        if m.version > RUN_FORMAT {
            return Err(Error::file(
                self.manifest_path(),
                format!(
                    "run format {} is newer than this sluice knows ({RUN_FORMAT})",
                    m.version
                ),
            ));
        }
        Ok(m)
    }

    pub fn checkpoint(&self) -> Result<Checkpoint> {
        read_json(&self.checkpoint_path())
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::file(path, e))?;
    serde_json::from_str(&text).map_err(|e| {
        Error::file(
            path,
            format!("unreadable: {}", crate::error::one_line(&e.to_string())),
        )
    })
}

/// Writes JSON to a temporary file beside `path`, fsyncs it, renames it over `path` and fsyncs
/// the directory: a reader sees the old file or the new one, never a torn one.
pub fn write_json_atomic<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|e| Error::file(path, e))?;
    bytes.push(b'\n');
    crate::files::write_atomic(path, &bytes)
}

/// A run directory whose manifest cannot be read: listed, never silently left out.
#[derive(Debug, Clone)]
pub struct CorruptRun {
    pub id: String,
    /// The manifest that is missing or unreadable.
    pub path: PathBuf,
    /// What is wrong with it.
    pub problem: String,
}

/// The runs in a runs directory.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// Readable runs, newest first.
    pub runs: Vec<(RunDir, RunManifest, Option<Checkpoint>)>,
    /// Directories that should be runs but whose manifest is missing or unreadable, by id.
    pub corrupt: Vec<CorruptRun>,
}

/// Every run in `root`, newest first, and every directory there whose manifest is missing or
/// unreadable (files, and names starting with `.`, are not runs and are left out).
pub fn list(root: &Path) -> Listing {
    let mut out = Listing::default();
    let Ok(entries) = std::fs::read_dir(root) else {
        return out;
    };
    for e in entries.flatten() {
        if !e.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let Some(id) = e.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if id.starts_with('.') {
            continue;
        }
        let run = RunDir {
            id: id.clone(),
            path: e.path(),
        };
        let manifest = if run.manifest_path().is_file() {
            run.manifest()
        } else {
            Err(Error::file(
                run.manifest_path(),
                "missing (a run whose start failed, or one starting right now)",
            ))
        };
        match manifest {
            Ok(m) => {
                let c = run.checkpoint().ok();
                out.runs.push((run, m, c));
            }
            Err(err) => out.corrupt.push(CorruptRun {
                id,
                path: run.manifest_path(),
                problem: match err {
                    Error::File { message, .. } => message,
                    other => other.to_string(),
                },
            }),
        }
    }
    out.runs
        .sort_by(|a, b| (&b.1.created_at, &b.0.id).cmp(&(&a.1.created_at, &a.0.id)));
    out.corrupt.sort_by(|a, b| b.id.cmp(&a.id));
    out
}
