//! The built-in demo: two versions of a small shop database, built into fresh SQLite files.

use std::path::{Path, PathBuf};

use crate::dialect::db::create_sqlite_from_script;
use crate::error::Result;

/// SOURCE: the desired state (version 2 of the shop).
pub const SOURCE_SQL: &str = include_str!("../../assets/demo/source.sql");
/// TARGET: the database that changes (version 1).
pub const TARGET_SQL: &str = include_str!("../../assets/demo/target.sql");

#[derive(Debug, Clone)]
pub struct DemoPair {
    pub source: PathBuf,
    pub target: PathBuf,
}

impl DemoPair {
    pub fn source_url(&self) -> String {
        format!("sqlite:{}", self.source.display())
    }

    pub fn target_url(&self) -> String {
        format!("sqlite:{}", self.target.display())
    }
}

/// Builds `source.db` and `target.db` in `dir` (which must not already hold them).
pub async fn build(dir: &Path) -> Result<DemoPair> {
    let pair = DemoPair {
        source: dir.join("source.db"),
        target: dir.join("target.db"),
    };
    tokio::try_join!(
        create_sqlite_from_script(&pair.source, SOURCE_SQL),
        create_sqlite_from_script(&pair.target, TARGET_SQL)
    )?;
    Ok(pair)
}
