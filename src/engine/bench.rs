//! `sluice bench data`: throughput and memory of the row diff against the physical bound.
//!
//! For each dialect a pair of databases is generated with N rows of (`id bigint`, an int, ~30
//! characters of text, a timestamp with zone, a `numeric(12,2)`), where 0.1 % of the rows differ,
//! spread evenly through the key range: a third deleted from TARGET, a third added to TARGET, a
//! third updated. Then, with a warm cache:
//! - the *read bound*: both tables read completely, in key order, in parallel, through the same
//!   driver and connections, touching every value without decoding or hashing;
//! - the row diff (in-process, its own run directory), checked against the known drift;
//! - peak memory during the diff (`VmHWM`, reset before through `/proc/self/clear_refs`);
//! - for SQLite, `sqldiff` on the same files when it is installed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::dialect::rows::{ColSpec, LocalReader, ReadSpec, RowConn, count_on_one_connection};
use crate::dialect::{Access, Db, DbUrl};
use crate::engine::rows::{self, Hooks};
use crate::error::{Error, Result};
use crate::model::rowdiff::{DbRef, RunOptions};
use crate::model::{Dialect, TypeFamily};

/// Measurements of each kind; the best is reported.
const ROUNDS: usize = 5;

/// What one dialect measured.
#[derive(Debug, Clone)]
pub struct BenchResult {
    pub dialect: String,
    pub rows: u64,
    pub read_bound: Duration,
    pub diff: Duration,
    pub peak_rss_kib: Option<u64>,
    pub differences: (u64, u64, u64),
    pub expected: (u64, u64, u64),
    /// The same counted by SQL EXCEPT on the generated tables.
    pub except: (u64, u64, u64),
    pub sqldiff: Option<Duration>,
}

impl BenchResult {
    pub fn ratio(&self) -> f64 {
        self.diff.as_secs_f64() / self.read_bound.as_secs_f64().max(1e-9)
    }

    pub fn rows_per_sec(&self) -> f64 {
        (2 * self.rows) as f64 / self.diff.as_secs_f64().max(1e-9)
    }
}

/// The drift: ids ≡ 0 (mod 3000) deleted from TARGET, ≡ 1000 updated, and N/3000 new ids in
/// TARGET. Returns (insert, delete, conflict) as the diff must count them.
pub fn expected(n: u64) -> (u64, u64, u64) {
    let deleted = n / 3000;
    let updated = (n + 2000) / 3000;
    let added = n / 3000;
    (deleted, added, updated)
}

fn generate_sql(d: Dialect, n: u64, target: bool) -> String {
    let extra = n / 3000;
    match d {
        Dialect::Postgres => {
            let mut s = format!(
                "DROP TABLE IF EXISTS bench;
                 CREATE TABLE bench (id bigint PRIMARY KEY, n int NOT NULL, t text NOT NULL,
                     ts timestamptz NOT NULL, amount numeric(12,2) NOT NULL);
                 INSERT INTO bench SELECT g, (g::int8 * 7919) % 100000, substr(md5(g::text), 1, 30),
                     timestamptz '2020-01-01 00:00:00+00' + g * interval '1 second', (g % 100000) / 100.0
                 FROM generate_series(1, {n}) g;"
            );
            if target {
                s.push_str(&format!(
                    "DELETE FROM bench WHERE id % 3000 = 0;
                     UPDATE bench SET amount = amount + 1 WHERE id % 3000 = 1000;
                     INSERT INTO bench SELECT {n} + g, g, 'added', timestamptz '2030-01-01 00:00:00+00', 1 FROM generate_series(1, {extra}) g;"
                ));
            }
            s.push_str("VACUUM ANALYZE bench;");
            s
        }
        Dialect::Mysql => {
            let mut s = format!(
                "DROP TABLE IF EXISTS bench;
                 CREATE TABLE bench (id BIGINT PRIMARY KEY, n INT NOT NULL, t VARCHAR(40) NOT NULL,
                     ts TIMESTAMP NOT NULL, amount DECIMAL(12,2) NOT NULL) ENGINE=InnoDB;
                 INSERT INTO bench SELECT seq, (seq * 7919) % 100000, SUBSTR(MD5(seq), 1, 30),
                     TIMESTAMP('2020-01-01') + INTERVAL seq SECOND, (seq % 100000) / 100.0
                 FROM seq_1_to_{n};"
            );
            if target {
                s.push_str(&format!(
                    "DELETE FROM bench WHERE id % 3000 = 0;
                     UPDATE bench SET amount = amount + 1 WHERE id % 3000 = 1000;
                     INSERT INTO bench SELECT {n} + seq, seq, 'added', NOW(), 1 FROM seq_1_to_{extra};"
                ));
            }
            s.push_str("ANALYZE TABLE bench;");
            s
        }
        Dialect::Sqlite => {
            let mut s = format!(
                "DROP TABLE IF EXISTS bench;
                 CREATE TABLE bench (id INTEGER PRIMARY KEY, n INT NOT NULL, t TEXT NOT NULL,
                     ts TIMESTAMPTZ NOT NULL, amount NUMERIC(12,2) NOT NULL);
                 WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < {n})
                 INSERT INTO bench SELECT x, (x * 7919) % 100000, substr(hex(randomblob(15)), 1, 30),
                     datetime('2020-01-01', '+' || x || ' seconds') || '+00:00', (x % 100000) / 100.0 FROM g;"
            );
            if target {
                s.push_str(&format!(
                    "DELETE FROM bench WHERE id % 3000 = 0;
                     UPDATE bench SET amount = amount + 1 WHERE id % 3000 = 1000;
                     WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < {extra})
                     INSERT INTO bench SELECT {n} + x, x, 'added', datetime('now'), 1 FROM g;"
                ));
            }
            s
        }
    }
}

/// The differences as SQL counts them, with EXCEPT: (insert, delete, conflict) between tables
/// `s` (SOURCE) and `t` (TARGET) that one connection can read.
async fn truth(db: &Db, prelude: Option<&str>, s: &str, t: &str) -> Result<(u64, u64, u64)> {
    let queries = [
        // NOT EXISTS, not NOT IN: an anti-join, never a subplan re-run per row.
        format!(
            "SELECT COUNT(*) FROM {s} a WHERE NOT EXISTS (SELECT 1 FROM {t} b WHERE b.id = a.id)"
        ),
        format!(
            "SELECT COUNT(*) FROM {t} a WHERE NOT EXISTS (SELECT 1 FROM {s} b WHERE b.id = a.id)"
        ),
        format!(
            "SELECT COUNT(*) FROM (SELECT * FROM {s} EXCEPT SELECT * FROM {t}) x \
             WHERE EXISTS (SELECT 1 FROM {t} b WHERE b.id = x.id)"
        ),
    ];
    // One connection for the prelude (SQLite's ATTACH) and the counts.
    let out =
        count_on_one_connection(db, "counting the truth with EXCEPT", prelude, &queries).await?;
    let n = |i: usize| out.get(i).copied().unwrap_or_default();
    Ok((n(0), n(1), n(2)))
}

fn spec(d: Dialect) -> ReadSpec {
    let col = |name: &str, family: TypeFamily| ColSpec {
        name: name.into(),
        family: family.clone(),
        canon: family,
    };
    let decimal = TypeFamily::Decimal {
        precision: Some(12),
        scale: Some(2),
    };
    ReadSpec {
        schema: match d {
            Dialect::Sqlite => "main".into(),
            _ => String::new(),
        },
        table: "bench".into(),
        columns: vec![
            col("id", TypeFamily::int(64)),
            col("n", TypeFamily::int(32)),
            col("t", TypeFamily::text(None)),
            col("ts", TypeFamily::Timestamp { tz: true }),
            col("amount", decimal),
        ],
        key: vec![0],
    }
}

/// VmHWM of this process, in KiB.
pub fn peak_rss() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    text.lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Hands freed heap back to the system (what earlier phases left in the allocator's arenas is
/// not the diff's memory), then resets VmHWM to the current resident size.
pub fn reset_peak_rss() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory of the allocator's own arenas to the system.
    unsafe {
        libc::malloc_trim(0);
    }
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

async fn read_bound(source: &Db, target: &Db, schema_s: &str, schema_t: &str) -> Result<Duration> {
    let d = source.dialect();
    let mut ss = spec(d);
    ss.schema = schema_s.to_string();
    let mut ts = spec(d);
    ts.schema = schema_t.to_string();
    if let (Some(pa), Some(pb)) = (LocalReader::of(source), LocalReader::of(target)) {
        let start = Instant::now();
        let ta = tokio::task::spawn_blocking(move || pa.read_bound(&ss));
        let tb = tokio::task::spawn_blocking(move || pb.read_bound(&ts));
        let (a, b) = tokio::join!(ta, tb);
        let fail = |e: tokio::task::JoinError| Error::db("reading rows", e);
        a.map_err(fail)??;
        b.map_err(fail)??;
        return Ok(start.elapsed());
    }
    let timeout = Duration::from_secs(3600);
    let mut a = RowConn::open(source, timeout).await?;
    let mut b = RowConn::open(target, timeout).await?;
    let start = Instant::now();
    tokio::try_join!(a.read_bound(&ss), b.read_bound(&ts))?;
    Ok(start.elapsed())
}

/// One dialect: `source` and `target` are fresh, empty databases this bench may fill.
pub async fn run_pair(
    dialect_name: &str,
    source_url: &str,
    target_url: &str,
    n: u64,
    batch_size: usize,
    sqlite_files: Option<(&Path, &Path)>,
) -> Result<BenchResult> {
    let su = DbUrl::parse(source_url)?;
    let tu = DbUrl::parse(target_url)?;
    let d = su.dialect();
    match (d, sqlite_files) {
        (Dialect::Sqlite, Some((a, b))) => {
            // SOURCE is generated, TARGET is a copy of it with the drift applied.
            let _ = std::fs::remove_file(a);
            let _ = std::fs::remove_file(b);
            crate::dialect::db::create_sqlite_from_script(a, "PRAGMA user_version = 0;").await?;
            let s = su.connect(Access::ReadWrite).await?;
            crate::dialect::rows::exec_script(&s, &generate_sql(d, n, false)).await?;
            s.close().await;
            std::fs::copy(a, b).map_err(|e| Error::file(b, e))?;
            let t = tu.connect(Access::ReadWrite).await?;
            let all = generate_sql(d, n, true);
            let drift = all
                .split_once("FROM g;")
                .map(|(_, rest)| rest.to_string())
                .unwrap_or_default();
            crate::dialect::rows::exec_script(&t, &drift).await?;
            t.close().await;
        }
        _ => {
            let s = su.connect(Access::ReadWrite).await?;
            let t = tu.connect(Access::ReadWrite).await?;
            let (gs, gt) = (generate_sql(d, n, false), generate_sql(d, n, true));
            tokio::try_join!(
                crate::dialect::rows::exec_script(&s, &gs),
                crate::dialect::rows::exec_script(&t, &gt)
            )?;
            s.close().await;
            t.close().await;
        }
    }
    // The truth, by EXCEPT on one connection: PostgreSQL gets TARGET's table again beside
    // SOURCE's (same deterministic script), MariaDB reads across databases, SQLite attaches.
    let except = match d {
        Dialect::Postgres => {
            let s = su.connect(Access::ReadWrite).await?;
            let script = generate_sql(d, n, true)
                .replace(
                    "DROP TABLE IF EXISTS bench;",
                    "DROP TABLE IF EXISTS bench_truth;",
                )
                .replace("TABLE bench ", "TABLE bench_truth ")
                .replace("INTO bench ", "INTO bench_truth ")
                .replace("FROM bench WHERE", "FROM bench_truth WHERE")
                .replace("UPDATE bench ", "UPDATE bench_truth ")
                .replace("ANALYZE bench;", "ANALYZE bench_truth;");
            crate::dialect::rows::exec_script(&s, &script).await?;
            let r = truth(&s, None, "bench", "bench_truth").await;
            let _ = crate::dialect::rows::exec_script(&s, "DROP TABLE bench_truth").await;
            s.close().await;
            r?
        }
        Dialect::Mysql => {
            let s = su.connect(Access::ReadOnly).await?;
            let q = |url: &str| crate::dialect::quote::ident(d, &db_name(url));
            let r = truth(
                &s,
                None,
                &format!("{}.bench", q(source_url)),
                &format!("{}.bench", q(target_url)),
            )
            .await;
            s.close().await;
            r?
        }
        Dialect::Sqlite => {
            let s = su.connect(Access::ReadWrite).await?;
            let attach = match sqlite_files {
                Some((_, b)) => format!(
                    "ATTACH DATABASE '{}' AS tgt",
                    b.display().to_string().replace('\'', "''")
                ),
                None => return Err(Error::usage("SQLite bench without files")),
            };
            let r = truth(&s, Some(&attach), "main.bench", "tgt.bench").await;
            s.close().await;
            r?
        }
    };
    let s = su.connect(Access::ReadOnly).await?;
    let t = tu.connect(Access::ReadOnly).await?;
    let (ss, ts) = match d {
        Dialect::Postgres => ("public".to_string(), "public".to_string()),
        Dialect::Sqlite => ("main".to_string(), "main".to_string()),
        Dialect::Mysql => (db_name(source_url), db_name(target_url)),
    };
    // Warm the cache, then measure the bound, the diff (and sqldiff) ROUNDS times each,
    // alternating: the machine is shared, so the best of each is the figure.
    read_bound(&s, &t, &ss, &ts).await?;
    let runs = tempfile::tempdir().map_err(|e| Error::file(std::env::temp_dir(), e))?;
    let r = |u: &DbUrl| DbRef {
        reference: u.display(),
        kind: "url".into(),
        dialect: u.dialect(),
        database: String::new(),
    };
    let options = RunOptions {
        tables: vec!["bench".into()],
        ignore_columns: Vec::new(),
        batch_size,
        statement_timeout_secs: 3600,
    };
    let mut bound = Duration::MAX;
    let mut diff = Duration::MAX;
    let mut peak: Option<u64> = None;
    let mut outcome = None;
    let mut sqldiff: Option<Duration> = None;
    let mut sqldiff_ok = sqlite_files.is_some();
    for _ in 0..ROUNDS {
        bound = bound.min(read_bound(&s, &t, &ss, &ts).await?);
        let can_reset = reset_peak_rss();
        let start = Instant::now();
        let o = rows::start(
            runs.path(),
            r(&su),
            r(&tu),
            options.clone(),
            &s,
            &t,
            &Hooks::default(),
        )
        .await?;
        diff = diff.min(start.elapsed());
        if can_reset {
            peak = peak.max(peak_rss());
        }
        outcome = Some(o);
        // sqldiff right after the diff, so both see the same machine.
        if let (Some((a, b)), true) = (sqlite_files, sqldiff_ok) {
            match time_sqldiff(a, b) {
                Some(t) => sqldiff = Some(sqldiff.map_or(t, |best| best.min(t))),
                None => sqldiff_ok = false,
            }
        }
    }
    s.close().await;
    t.close().await;
    let outcome = outcome.ok_or_else(|| Error::usage("no run"))?;
    let c = outcome
        .checkpoint
        .tables
        .first()
        .map(|p| p.counts)
        .unwrap_or_default();
    let sqldiff = sqldiff.filter(|_| sqldiff_ok);
    Ok(BenchResult {
        dialect: dialect_name.to_string(),
        rows: n,
        read_bound: bound,
        diff,
        peak_rss_kib: peak,
        differences: (c.insert, c.delete, c.conflict),
        expected: expected(n),
        except,
        sqldiff,
    })
}

fn db_name(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .map(|u| u.path().trim_start_matches('/').to_string())
        .unwrap_or_default()
}

/// `sqldiff --table bench` on the same files, once; `None` when it is not installed or fails.
fn time_sqldiff(a: &Path, b: &Path) -> Option<Duration> {
    let start = Instant::now();
    let status = std::process::Command::new("sqldiff")
        .arg("--table")
        .arg("bench")
        .arg(a)
        .arg(b)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    status.success().then(|| start.elapsed())
}

/// `admin_url` with its database replaced by `name`.
pub fn with_database(admin_url: &str, name: &str) -> Result<String> {
    let mut u = url::Url::parse(admin_url).map_err(|e| {
        Error::usage(format!(
            "bad URL {}: {e}",
            crate::dialect::db::redact_url(admin_url)
        ))
    })?;
    u.set_path(&format!("/{name}"));
    Ok(u.to_string())
}

/// Creates (or re-creates) the two bench databases on a server, through `admin_url`.
pub async fn create_databases(admin_url: &str, names: [&str; 2]) -> Result<()> {
    let u = DbUrl::parse(admin_url)?;
    let db = u.connect(Access::ReadWrite).await?;
    let q = |n: &str| crate::dialect::quote::ident(u.dialect(), n);
    let sql: String = names
        .iter()
        .map(|n| format!("DROP DATABASE IF EXISTS {0}; CREATE DATABASE {0};", q(n)))
        .collect();
    crate::dialect::rows::exec_script(&db, &sql).await?;
    db.close().await;
    Ok(())
}

/// Paths of the SQLite bench files in `dir`.
pub fn sqlite_files(dir: &Path) -> (PathBuf, PathBuf) {
    (dir.join("bench-source.db"), dir.join("bench-target.db"))
}
