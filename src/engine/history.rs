//! The apply history: `history.jsonl` in the data directory (`$SLUICE_DATA_DIR`, else the user's
//! data directory), 0600 in a 0700 directory. Never holds a secret.
//!
//! Every apply writes its intent before it changes anything (`"event": "started"`), a line as
//! soon as its transaction has committed (`"committed"`) and its outcome at the end
//! (`"finished"`); each line is fsynced. An apply killed with SIGKILL therefore still shows: after
//! COMMIT as committed with no outcome, before it as an apply that ended without one. Lines of
//! an older sluice (one complete entry per line, no `event`) are read as they are. A line that
//! does not parse is listed as corrupt with its place, never skipped in silence.

use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One apply (or rollback), as `sluice history` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Joins an apply's lines.
    #[serde(default)]
    pub id: String,
    /// `apply` or `rollback`.
    #[serde(default = "apply_kind")]
    pub kind: String,
    /// RFC 3339, UTC: when it started.
    pub time: String,
    /// The pack: its directory, its id (SHA-256 of `SHA256SUMS`) and the SHA-256 of its plan.json.
    pub pack: String,
    #[serde(default)]
    pub pack_id: String,
    pub plan_sha256: String,
    /// The target, without password.
    pub target: String,
    pub dialect: String,
    pub steps: usize,
    /// `applied`, `applied, differs`, `dry-run`, `rolled back`, `partial`, `refused`,
    /// `interrupted`, `failed`; for an apply that recorded no outcome: `running`,
    /// `committed, no outcome` or `ended, no outcome`.
    pub result: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub duration_ms: u64,
    pub user: String,
    pub host: String,
    #[serde(default)]
    pub pid: u32,
}

fn apply_kind() -> String {
    "apply".into()
}

/// A line of the history that could not be read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Corrupt {
    pub path: String,
    pub line: usize,
    pub reason: String,
}

/// The history as read: applies oldest first, and the lines that did not parse.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub entries: Vec<Entry>,
    pub corrupt: Vec<Corrupt>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
enum Line {
    Started(Box<Entry>),
    Committed {
        id: String,
        time: String,
    },
    Finished {
        id: String,
        result: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        duration_ms: u64,
    },
}

fn path() -> Result<PathBuf> {
    Ok(crate::config::data_dir()?.join("history.jsonl"))
}

/// Who and where, for the record.
pub fn who() -> (String, String) {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(login_name)
        .unwrap_or_else(|| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".into());
    (user, host)
}

/// The name of the user this process runs as, from the password database.
fn login_name() -> Option<String> {
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: a zeroed passwd is a valid out-parameter; getpwuid_r writes into it and into `buf`
    // (whose length it is given) and sets `result` to it or to null. Nothing is read unless
    // `result` is non-null, and then `pw_name` points into `buf`, which outlives the read.
    unsafe {
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(
            libc::getuid(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        );
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        Some(
            std::ffi::CStr::from_ptr(pwd.pw_name)
                .to_string_lossy()
                .into_owned(),
        )
    }
}

fn append_line(line: &Line) -> Result<()> {
    let p = path()?;
    if let Some(dir) = p.parent() {
        crate::files::private_dir(dir)?;
    }
    let mut f = crate::files::open_append(&p)?;
    let text = serde_json::to_string(line).unwrap_or_default();
    writeln!(f, "{text}")
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::file(&p, e))
}

/// An apply being recorded: its intent is on disk; [`Record::committed`] and
/// [`Record::finish`] add the rest.
#[derive(Debug, Clone)]
pub struct Record {
    id: String,
}

/// Records the intent of an apply (`entry.result` and the duration are ignored).
pub fn start(entry: &Entry) -> Result<Record> {
    let mut e = entry.clone();
    if e.id.is_empty() {
        e.id = new_id();
    }
    e.result = String::new();
    e.error = None;
    e.duration_ms = 0;
    e.pid = std::process::id();
    let id = e.id.clone();
    append_line(&Line::Started(Box::new(e)))?;
    Ok(Record { id })
}

impl Record {
    /// The transaction committed: TARGET has the changes, whatever happens next.
    pub fn committed(&self) -> Result<()> {
        append_line(&Line::Committed {
            id: self.id.clone(),
            time: crate::clock::now_rfc3339(),
        })
    }

    /// The outcome.
    pub fn finish(&self, result: &str, error: Option<String>, duration_ms: u64) -> Result<()> {
        append_line(&Line::Finished {
            id: self.id.clone(),
            result: result.to_string(),
            error,
            duration_ms,
        })
    }
}

fn new_id() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let t = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    format!(
        "{t}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Every apply, oldest first, with the lines that could not be read.
pub fn read() -> Result<History> {
    let p = path()?;
    let text = match std::fs::read(&p) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(History::default()),
        Err(e) => return Err(Error::file(&p, e)),
    };
    Ok(parse(&text, &p.display().to_string()))
}

fn parse(text: &str, path: &str) -> History {
    let mut h = History::default();
    let mut committed: std::collections::BTreeSet<String> = Default::default();
    let mut finished: std::collections::BTreeSet<String> = Default::default();
    for (i, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = match serde_json::from_str(raw) {
            Ok(v) => v,
            Err(e) => {
                h.corrupt.push(Corrupt {
                    path: path.to_string(),
                    line: i + 1,
                    reason: format!("not JSON ({e})"),
                });
                continue;
            }
        };
        let parsed: std::result::Result<Option<Line>, String> = if value.get("event").is_none() {
            // An older sluice: one complete entry per line.
            serde_json::from_value::<Entry>(value)
                .map(|e| {
                    h.entries.push(e);
                    None
                })
                .map_err(|e| e.to_string())
        } else {
            serde_json::from_value::<Line>(value)
                .map(Some)
                .map_err(|e| e.to_string())
        };
        match parsed {
            Ok(None) => {}
            Ok(Some(Line::Started(e))) => h.entries.push(*e),
            Ok(Some(Line::Committed { id, .. })) => {
                committed.insert(id);
            }
            Ok(Some(Line::Finished {
                id,
                result,
                error,
                duration_ms,
            })) => {
                match h.entries.iter_mut().rev().find(|e| e.id == id) {
                    Some(e) => {
                        e.result = result;
                        e.error = error;
                        e.duration_ms = duration_ms;
                    }
                    None => h.corrupt.push(Corrupt {
                        path: path.to_string(),
                        line: i + 1,
                        reason: format!("an outcome for apply {id}, whose start is not recorded"),
                    }),
                }
                finished.insert(id);
            }
            Err(e) => h.corrupt.push(Corrupt {
                path: path.to_string(),
                line: i + 1,
                reason: format!("not a history entry ({e})"),
            }),
        }
    }
    let (_, host) = who();
    for e in &mut h.entries {
        if !e.result.is_empty() || finished.contains(&e.id) {
            continue;
        }
        let alive = e.host == host
            && e.pid != 0
            && std::path::Path::new(&format!("/proc/{}", e.pid)).exists();
        if committed.contains(&e.id) {
            e.result = "committed, no outcome".into();
            e.error = Some(
                "the process ended after COMMIT before it recorded its outcome (killed?): TARGET has the changes; `sluice schema diff` shows where it stands".into(),
            );
        } else if alive {
            e.result = "running".into();
        } else {
            e.result = "ended, no outcome".into();
            e.error = Some(
                "the process ended without recording an outcome (killed?): PostgreSQL and SQLite rolled back what had not committed; on MySQL the pack's journal.json says what ran".into(),
            );
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> Entry {
        Entry {
            id: id.into(),
            kind: "apply".into(),
            time: "2026-12-02T10:00:00Z".into(),
            pack: "./p".into(),
            pack_id: "ab".into(),
            plan_sha256: "cd".into(),
            target: "postgres://u@h/db".into(),
            dialect: "postgres".into(),
            steps: 3,
            result: String::new(),
            error: None,
            duration_ms: 0,
            user: "u".into(),
            host: "nowhere-else".into(),
            pid: 1,
        }
    }

    #[test]
    fn lines_join_into_applies_and_killed_ones_still_show() {
        let lines = [
            serde_json::to_string(&Line::Started(Box::new(entry("a")))).expect("json"),
            serde_json::to_string(&Line::Finished {
                id: "a".into(),
                result: "applied".into(),
                error: None,
                duration_ms: 12,
            })
            .expect("json"),
            serde_json::to_string(&Line::Started(Box::new(entry("b")))).expect("json"),
            serde_json::to_string(&Line::Committed {
                id: "b".into(),
                time: "t".into(),
            })
            .expect("json"),
            serde_json::to_string(&Line::Started(Box::new(entry("c")))).expect("json"),
            "{\"time\": \"2026-11-22T10:00:00Z\", \"pack\": \"./old\", \"plan_sha256\": \"x\", \"target\": \"t\", \"dialect\": \"postgres\", \"steps\": 1, \"result\": \"applied\", \"duration_ms\": 5, \"user\": \"u\", \"host\": \"h\"}".to_string(),
            "{\"event\": \"started\", \"id\": \"d\", \"tim".to_string(),
        ];
        let h = parse(&lines.join("\n"), "/x/history.jsonl");
        let results: Vec<&str> = h.entries.iter().map(|e| e.result.as_str()).collect();
        assert_eq!(
            results,
            [
                "applied",
                "committed, no outcome",
                "ended, no outcome",
                "applied"
            ]
        );
        assert_eq!(h.entries[0].duration_ms, 12);
        assert_eq!(h.corrupt.len(), 1);
        assert_eq!(h.corrupt[0].line, 7);
        assert_eq!(h.corrupt[0].path, "/x/history.jsonl");
    }
}
