//! Configuration: connection profiles (TOML) and where sluice keeps its files.

pub mod profiles;

use std::path::PathBuf;

use crate::error::{Error, Result};

pub use profiles::{Profile, Profiles};

/// Where sluice keeps its own files (row-diff runs, the apply history, `packs.jsonl`):
/// `$SLUICE_DATA_DIR` when set, else the platform's data directory (`~/.local/share/sluice` on
/// Linux).
pub fn data_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os("SLUICE_DATA_DIR") {
        return Ok(PathBuf::from(d));
    }
    directories::ProjectDirs::from("", "", "sluice")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| {
            Error::usage(
                "no data directory for this user: set SLUICE_DATA_DIR to a directory sluice may write",
            )
        })
}
