//! Files sluice writes for itself (packs, runs, history, journals, snapshots): private to the user
//! whatever the umask — directories 0700, files 0600 — and replaced atomically (temporary file,
//! fsync, rename, fsync of the directory), so a reader never sees half a file. Every layer writes
//! through here (it sits beside `error.rs`, so `dialect/` may use it too). Temporary files a killed process left behind are
//! named `.tmp…` and removed by [`clean_stale_temps`] the next time the directory is used.

use std::fs::{DirBuilder, OpenOptions, Permissions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::error::{Error, Result};

pub const DIR_MODE: u32 = 0o700;
pub const FILE_MODE: u32 = 0o600;

/// The prefix of our temporary files (tempfile's default).
const TMP_PREFIX: &str = ".tmp";

/// Creates `dir` (and missing parents) as 0700; an existing `dir` is made 0700 too.
pub fn private_dir(dir: &Path) -> Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
        .map_err(|e| Error::file(dir, e))?;
    std::fs::set_permissions(dir, Permissions::from_mode(DIR_MODE)).map_err(|e| Error::file(dir, e))
}

/// Replaces `path` with `bytes`, atomically, as a 0600 file: a temporary file beside it, fsynced,
/// renamed over it, and the directory fsynced so that the rename itself survives a crash.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(TMP_PREFIX)
        .permissions(Permissions::from_mode(FILE_MODE))
        .tempfile_in(dir)
        .map_err(|e| Error::file(path, e))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Error::file(path, e))?;
    tmp.persist(path).map_err(|e| Error::file(path, e.error))?;
    // The rename is durable once the directory is. Some filesystems refuse to sync a directory:
    // the file itself is safe by then, so that is not an error.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Opens `path` for appending, created 0600; an existing file is made 0600 (an older sluice, or
/// a wide umask, may have left it readable by others).
pub fn open_append(path: &Path) -> Result<std::fs::File> {
    let f = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(FILE_MODE)
        .open(path)
        .map_err(|e| Error::file(path, e))?;
    f.set_permissions(Permissions::from_mode(FILE_MODE))
        .map_err(|e| Error::file(path, e))?;
    Ok(f)
}

/// Removes `.tmp…` files in `dir` that a killed process left behind. Only files older than a
/// minute go, so a writer at work in the same directory keeps its file.
pub fn clean_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for e in entries.flatten() {
        let name = e.file_name();
        if !name.to_string_lossy().starts_with(TMP_PREFIX) {
            continue;
        }
        let stale = e
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .and_then(|m| m.modified().ok())
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > Duration::from_secs(60));
        if stale {
            if let Err(err) = std::fs::remove_file(e.path()) {
                tracing::debug!("removing {}: {err}", e.path().display());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_whatever_the_umask() {
        let dir = tempfile::tempdir().expect("tempdir");
        // SAFETY: umask only changes this process's file creation mask; tests in this module
        // restore it before returning.
        let old = unsafe { libc::umask(0) };
        let d = dir.path().join("a/b");
        let r1 = private_dir(&d);
        let f = d.join("x.json");
        let r2 = write_atomic(&f, b"{}");
        let r3 = open_append(&d.join("h.jsonl"));
        unsafe { libc::umask(old) };
        r1.expect("dir");
        r2.expect("file");
        r3.expect("append");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&d), 0o700);
        assert_eq!(mode(&f), 0o600);
        assert_eq!(mode(&d.join("h.jsonl")), 0o600);
    }

    #[test]
    fn stale_temps_go_fresh_ones_stay() {
        let dir = tempfile::tempdir().expect("tempdir");
        let old = dir.path().join(".tmpOLD");
        let fresh = dir.path().join(".tmpNEW");
        let keep = dir.path().join("plan.json");
        for p in [&old, &fresh, &keep] {
            std::fs::write(p, "x").expect("write");
        }
        let past = SystemTime::now() - Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&old)
            .and_then(|f| f.set_modified(past))
            .expect("age");
        std::fs::File::options()
            .write(true)
            .open(&keep)
            .and_then(|f| f.set_modified(past))
            .expect("age");
        clean_stale_temps(dir.path());
        assert!(!old.exists());
        assert!(fresh.exists());
        assert!(keep.exists());
    }
}
