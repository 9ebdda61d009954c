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

/// Where the user's own configuration lives (`profiles.toml`, `keymap.toml`):
/// `$SLUICE_CONFIG_DIR` when set, else the platform's config directory
/// (`~/.config/sluice` on Linux, `$XDG_CONFIG_HOME` honoured).
pub fn config_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("SLUICE_CONFIG_DIR").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(d));
    }
    directories::ProjectDirs::from("", "", "sluice").map(|d| d.config_dir().to_path_buf())
}
