//! What a database reference on the command line names: a live database (URL or profile) or a
//! snapshot file, and how its catalog is obtained.

use std::path::{Path, PathBuf};

use crate::config::Profiles;
use crate::config::profiles::expose;
use crate::dialect::{self, Access, DbUrl, db::looks_like_url};
use crate::error::{Error, Result};
use crate::model::filter::Relations;
use crate::model::{Catalog, Filter, Snapshot};

/// A resolved database reference.
#[derive(Debug, Clone)]
pub enum Source {
    Live(DbUrl),
    Snapshot(PathBuf),
}

impl Source {
    /// Resolves a reference: a URL; else an existing file (a snapshot); else a profile name.
    pub fn resolve(reference: &str, profiles: &Profiles) -> Result<Source> {
        if looks_like_url(reference) {
            return Ok(Source::Live(DbUrl::parse(reference)?));
        }
        let path = Path::new(reference);
        if path.is_file() {
            return Ok(Source::Snapshot(path.to_path_buf()));
        }
        if let Some(url) = profiles.url_for(reference)? {
            return DbUrl::parse(expose(&url))
                .map(Source::Live)
                .map_err(|e| match e {
                    Error::Usage(m) => Error::usage(format!("profile '{reference}': {m}")),
                    other => other,
                });
        }
        let where_profiles = profiles
            .path
            .as_ref()
            .map(|p| format!(" (profiles file: {})", p.display()))
            .unwrap_or_default();
        Err(Error::usage(format!(
            "'{reference}' is not a database URL, an existing snapshot file or a profile name{where_profiles}: \
             give postgres://…, mysql://…, mariadb://…, sqlite:PATH, a snapshot .json or a profile"
        )))
    }

    /// How the reference is shown: URL without password, or the snapshot's path.
    pub fn display(&self) -> String {
        match self {
            Source::Live(u) => u.display(),
            Source::Snapshot(p) => format!("snapshot {}", p.display()),
        }
    }

    pub fn live(&self) -> Option<&DbUrl> {
        match self {
            Source::Live(u) => Some(u),
            Source::Snapshot(_) => None,
        }
    }

    /// The catalog: inspected from the live database, or read from the snapshot (the filter applies
    /// to both).
    pub async fn catalog(&self, filter: &Filter) -> Result<Catalog> {
        match self {
            Source::Live(url) => {
                let db = url.connect(Access::ReadOnly).await?;
                let result = dialect::inspect(&db, filter).await;
                db.close().await;
                result
            }
            Source::Snapshot(path) => {
                let snap = read_snapshot(path)?;
                let mut cat = snap.catalog;
                if !filter.is_empty() {
                    apply_filter(&mut cat, filter);
                }
                Ok(cat)
            }
        }
    }
}

/// Refuses a filter with an include pattern (`--schema`, `--table`) that selects no schema, table
/// or view in any of `sides` (each given with the catalog the filter produced): a typo must not
/// quietly compare nothing. The error names the pattern and the nearest names, read from each
/// side's complete catalog (inspected again only when a pattern missed).
pub async fn check_filter(filter: &Filter, sides: &[(&Source, &Catalog)]) -> Result<()> {
    if filter.is_empty() {
        return Ok(());
    }
    let filtered: Vec<&Catalog> = sides.iter().map(|(_, c)| *c).collect();
    if filter
        .unmatched(&filtered, Relations::TablesAndViews)
        .is_none()
    {
        return Ok(());
    }
    let everything = Filter::default();
    let complete =
        futures::future::try_join_all(sides.iter().map(|(s, _)| s.catalog(&everything))).await?;
    let complete: Vec<&Catalog> = complete.iter().collect();
    let place = match sides {
        [(one, _)] => one.display(),
        _ => "SOURCE or TARGET".to_string(),
    };
    match filter.unmatched(&complete, Relations::TablesAndViews) {
        None => Ok(()),
        Some(u) => Err(Error::usage(u.message("--table", &place))),
    }
}

/// Inspects two sources at the same time.
pub async fn catalogs(a: &Source, b: &Source, filter: &Filter) -> Result<(Catalog, Catalog)> {
    tokio::try_join!(a.catalog(filter), b.catalog(filter))
}

/// Reads and checks a snapshot file.
pub fn read_snapshot(path: &Path) -> Result<Snapshot> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::file(
            path,
            format!(
                "cannot read it as a snapshot: {}",
                crate::error::one_line(&e.to_string())
            ),
        )
    })?;
    Snapshot::from_json(&text).map_err(|e| {
        Error::file(
            path,
            format!("is not a usable sluice snapshot: {e}; write one with `sluice snapshot DB --out FILE`"),
        )
    })
}

/// Writes a snapshot atomically (temporary file, fsync, rename: [`crate::files::write_atomic`]).
pub fn write_snapshot(snapshot: &Snapshot, path: &Path) -> Result<()> {
    crate::files::write_atomic(path, snapshot.to_json().as_bytes())
}

/// Keeps only what the filter selects (for snapshots, which hold everything).
fn apply_filter(cat: &mut Catalog, filter: &Filter) {
    let filter = &filter.for_dialect(cat.dialect);
    cat.schemas.retain(|s| filter.schema_matches(&s.name));
    for s in &mut cat.schemas {
        let name = s.name.clone();
        s.tables.retain(|t| filter.table_matches(&name, &t.name));
        s.views.retain(|v| filter.table_matches(&name, &v.name));
        s.sequences.retain(|q| {
            q.owned_by
                .as_ref()
                .is_none_or(|o| filter.table_matches(&o.schema, &o.table))
        });
    }
    cat.unsupported.retain(|u| {
        (u.schema.is_empty() || filter.schema_matches(&u.schema))
            && u.parent
                .as_ref()
                .is_none_or(|p| filter.table_matches(&u.schema, p))
    });
}

/// A reference as it may be shown: a URL without its password; anything else as given.
pub fn redacted(reference: &str) -> String {
    crate::dialect::db::redact_url(reference)
}
