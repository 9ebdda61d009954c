//! The row diff through the `sluice` binary: JSON output and exit codes, `data show`, `runs`,
//! killing and resuming, Ctrl-C, refusals, and memory that does not grow with the table.

mod support;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn sluice(data_dir: &Path) -> Command {
    let mut c = support::sluice();
    c.env("SLUICE_DATA_DIR", data_dir);
    c
}

fn run(data_dir: &Path, args: &[&str]) -> Output {
    sluice(data_dir)
        .args(args)
        .output()
        .expect("run the sluice binary")
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// A SOURCE/TARGET pair of SQLite files with drift in three tables (integer key, text key, no
/// key), `n` rows in the biggest.
fn sqlite_pair(n: u64) -> (support::SqliteDb, support::SqliteDb) {
    let setup = format!(
        "CREATE TABLE a (id INTEGER PRIMARY KEY, t TEXT, r REAL, ts DATETIME);
         WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < {n})
         INSERT INTO a SELECT x, 'row ' || x || ' ünï', x / 7.0, datetime('2020-01-01', '+' || x || ' minutes') FROM g;
         CREATE TABLE b (k TEXT PRIMARY KEY, v INT);
         WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < {m})
         INSERT INTO b SELECT printf('%s-%06d', CASE x % 3 WHEN 0 THEN 'Key' WHEN 1 THEN 'key' ELSE 'kéy' END, x), x FROM g;
         CREATE TABLE c (v INT, w TEXT);
         WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 2000)
         INSERT INTO c SELECT x % 500, 'w' || (x % 50) FROM g;",
        m = n / 2
    );
    let s = support::sqlite_db();
    s.exec(&setup);
    let t = support::sqlite_db();
    std::fs::copy(&s.path, &t.path).expect("copy");
    t.exec(
        "DELETE FROM a WHERE id % 101 = 0; UPDATE a SET t = t || '!' WHERE id % 103 = 0;
         INSERT INTO a VALUES (-1, 'new', 0.5, NULL);
         DELETE FROM b WHERE v % 97 = 0; UPDATE b SET v = -v WHERE v % 89 = 0;
         DELETE FROM c WHERE v = 7; INSERT INTO c VALUES (1000, 'x');",
    );
    (s, t)
}

fn counts_of(v: &serde_json::Value) -> Vec<(String, Vec<u64>)> {
    v["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .map(|t| {
            let n = |k: &str| t[k].as_u64().unwrap_or_else(|| panic!("{k} in {t}"));
            (
                t["table"].as_str().expect("table").to_string(),
                vec![
                    n("source_rows"),
                    n("target_rows"),
                    n("insert"),
                    n("delete"),
                    n("conflict"),
                    n("unchanged"),
                ],
            )
        })
        .collect()
}

/// Every stored difference of a run, sorted (to compare two runs).
fn differences(data: &Path, run_id: &str) -> Vec<String> {
    let o = run(
        data,
        &[
            "data",
            "show",
            run_id,
            "--limit",
            "100000000",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut out: Vec<String> = json(&o)["differences"]
        .as_array()
        .expect("differences")
        .iter()
        .map(|d| d.to_string())
        .collect();
    out.sort();
    out
}

fn latest_run(data: &Path) -> Option<String> {
    let o = run(data, &["runs", "--format", "json"]);
    json(&o)
        .as_array()
        .and_then(|a| a.first().cloned())
        .and_then(|r| r["run_id"].as_str().map(str::to_string))
}

#[test]
fn json_output_exit_code_show_and_runs() {
    let (s, t) = sqlite_pair(2000);
    let data = tempfile::tempdir().expect("tempdir");
    let o = run(
        data.path(),
        &[
            "data",
            "diff",
            &s.url(),
            &t.url(),
            "--format",
            "json",
            "--exit-code",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        o.stderr.is_empty(),
        "no progress bar when stderr is not a terminal: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json(&o);
    let run_id = v["run_id"].as_str().expect("run_id").to_string();
    assert_eq!(v["state"], "complete");
    let tables = counts_of(&v);
    assert_eq!(
        tables.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
        ["main.a", "main.b", "main.c"]
    );
    // main.a: 19 deleted (ids 101…1919), 19 updated but 0 overlap, 1 inserted in TARGET.
    assert_eq!(tables[0].1, vec![2000, 1982, 19, 1, 19, 1962]);
    for t in v["tables"].as_array().expect("tables") {
        assert_eq!(t["status"], "complete");
    }
    assert_eq!(v["tables"][2]["mode"], "multiset");

    // The same pair without --exit-code exits 0; an identical pair exits 0 with --exit-code.
    let o = run(data.path(), &["data", "diff", &s.url(), &t.url()]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("main.c") && text.contains("(multiset)"),
        "{text}"
    );
    let o = run(
        data.path(),
        &["data", "diff", &s.url(), &s.url(), "--exit-code"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );

    // data show pages through stored differences.
    let o = run(
        data.path(),
        &[
            "data", "show", &run_id, "--table", "main.a", "--class", "conflict", "--format",
            "json", "--limit", "5",
        ],
    );
    let v = json(&o);
    assert_eq!(v["total"], 19);
    let d = v["differences"].as_array().expect("differences");
    assert_eq!(d.len(), 5);
    assert_eq!(d[0]["class"], "conflict");
    assert_eq!(d[0]["key"], serde_json::json!([103]));
    assert_eq!(d[0]["source_hash"].as_str().map(str::len), Some(64));
    let o = run(
        data.path(),
        &[
            "data", "show", &run_id, "--class", "insert", "--offset", "1", "--limit", "2",
        ],
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("insert   main.a  (id) = [202]"), "{text}");

    // runs lists all three runs, newest first.
    let o = run(data.path(), &["runs", "--format", "json"]);
    let runs = json(&o);
    assert_eq!(runs.as_array().map(Vec::len), Some(3));
    assert_eq!(runs[2]["run_id"], run_id.as_str());
    assert_eq!(runs[2]["state"], "complete");
    assert_eq!(runs[2]["tables_complete"], 3);

    // Resuming a complete run prints its result again.
    let o = run(data.path(), &["resume", &run_id, "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(counts_of(&json(&o)), tables);

    // Usage errors.
    let o = run(data.path(), &["data", "show", "no-such-run"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(
        data.path(),
        &[
            "data",
            "diff",
            &s.url(),
            &t.url(),
            "--ignore-columns",
            "a.nope",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("a.nope"));
    let o = run(
        data.path(),
        &[
            "data",
            "diff",
            &s.url(),
            &t.url(),
            "--ignore-columns",
            "a.id",
        ],
    );
    assert_eq!(o.status.code(), Some(2));

    // Ignoring the changed column leaves only inserts and deletes in main.a.
    let o = run(
        data.path(),
        &[
            "data",
            "diff",
            &s.url(),
            &t.url(),
            "--format",
            "json",
            "--ignore-columns",
            "a.t",
            "--tables",
            "a",
        ],
    );
    let v = json(&o);
    assert_eq!(
        counts_of(&v),
        vec![("main.a".to_string(), vec![2000, 1982, 19, 1, 0, 1981])]
    );
    assert_eq!(v["tables"][0]["ignored_columns"], serde_json::json!(["t"]));
}

/// Pseudo-random numbers without a crate: xorshift seeded by the clock (printed on failure).
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// Rows merged so far by the newest run in `dir`, from its checkpoint.
fn merged_rows(dir: &Path) -> u64 {
    let Ok(runs) = std::fs::read_dir(dir.join("runs")) else {
        return 0;
    };
    runs.flatten()
        .filter_map(|r| std::fs::read_to_string(r.path().join("checkpoint.json")).ok())
        .filter_map(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .map(|c| {
            c["tables"]
                .as_array()
                .map(|ts| {
                    ts.iter()
                        .map(|t| {
                            t["source_rows"].as_u64().unwrap_or(0)
                                + t["target_rows"].as_u64().unwrap_or(0)
                        })
                        .sum::<u64>()
                })
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0)
}

/// SIGKILLs `child` once the checkpoint shows `rows` merged rows (or lets it finish).
fn kill_at(mut child: Child, dir: &Path, rows: u64) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if merged_rows(dir) >= rows {
            let _ = child.kill();
            let _ = child.wait();
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.kill();
    let _ = child.wait();
    true
}

#[test]
fn killed_and_resumed_runs_equal_an_uninterrupted_run() {
    let (s, t) = sqlite_pair(30_000);
    let data = tempfile::tempdir().expect("tempdir");
    let args = [
        "data",
        "diff",
        &s.url(),
        &t.url(),
        "--batch-size",
        "50",
        "--format",
        "json",
    ];
    // The truth: one run without interruption.
    let o = run(data.path(), &args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let whole = json(&o);
    let whole_id = whole["run_id"].as_str().expect("id").to_string();
    let expected = (counts_of(&whole), differences(data.path(), &whole_id));
    let total: u64 = expected.0.iter().map(|(_, c)| c[0] + c[1]).sum();

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1)
        | 1;
    let mut rng = Rng(seed);
    let mut kills = 0;
    for round in 0..2 {
        let runs_dir = tempfile::tempdir().expect("tempdir");
        let dir = runs_dir.path();
        // Kill points at random, increasing through the run: the start, then three resumes.
        let mut points: Vec<u64> = (0..4)
            .map(|_| total / 20 + rng.next(total * 9 / 10))
            .collect();
        points.sort_unstable();
        let child = sluice(dir)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        kills += kill_at(child, dir, points[0]) as u32;
        let id = latest_run(dir).expect("a run was written before the first checkpoint");
        // Resume, and kill again, several times in a row.
        for p in &points[1..] {
            let child = sluice(dir)
                .args(["resume", &id])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn");
            kills += kill_at(child, dir, *p) as u32;
        }
        let o = run(dir, &["resume", &id, "--format", "json"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "round {round}, seed {seed}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let got = (counts_of(&json(&o)), differences(dir, &id));
        assert_eq!(got.0, expected.0, "round {round}, seed {seed}: counts");
        assert!(
            got.1 == expected.1,
            "round {round}, seed {seed}: stored differences differ"
        );
    }
    assert!(
        kills >= 4,
        "most runs were killed part-way ({kills} of 8), seed {seed}"
    );
}

#[test]
fn ctrl_c_exits_130_and_leaves_a_resumable_checkpoint() {
    let (s, t) = sqlite_pair(30_000);
    let data = tempfile::tempdir().expect("tempdir");
    let child = sluice(data.path())
        .args([
            "data",
            "diff",
            &s.url(),
            &t.url(),
            "--batch-size",
            "20",
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Wait for the first checkpoint, then interrupt.
    let start = Instant::now();
    loop {
        let id = latest_run(data.path());
        let ready = id.is_some_and(|id| {
            let cp = data.path().join("runs").join(&id).join("checkpoint.json");
            std::fs::read_to_string(cp).is_ok_and(|t| t.contains("\"source_after\""))
        });
        if ready || start.elapsed() > Duration::from_secs(30) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let pid = child.id().to_string();
    Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill -INT");
    let o = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{err}");
    let id = latest_run(data.path()).expect("run");
    assert!(err.contains(&format!("sluice resume {id}")), "{err}");
    let runs = json(&run(data.path(), &["runs", "--format", "json"]));
    assert_eq!(runs[0]["state"], "interrupted");
    let o = run(data.path(), &["resume", &id, "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let resumed = counts_of(&json(&o));
    let whole = counts_of(&json(&run(
        data.path(),
        &["data", "diff", &s.url(), &t.url(), "--format", "json"],
    )));
    assert_eq!(resumed, whole);
}

#[test]
fn resume_refuses_after_a_schema_change_or_another_database() {
    let (s, t) = sqlite_pair(30_000);
    let data = tempfile::tempdir().expect("tempdir");
    let child = sluice(data.path())
        .args(["data", "diff", &s.url(), &t.url(), "--batch-size", "50"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    assert!(kill_at(child, data.path(), 20_000), "killed part-way");
    let id = latest_run(data.path()).expect("run");
    // Another database as TARGET is refused.
    let other = support::sqlite_db();
    let o = run(data.path(), &["resume", &id, "--target", &other.url()]);
    assert_eq!(
        o.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not the TARGET of run"));
    // A compared table changed.
    t.exec("ALTER TABLE b ADD COLUMN extra TEXT");
    let o = run(data.path(), &["resume", &id]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(
        err.contains("the schema of table main.b in TARGET changed since the run started"),
        "{err}"
    );
}

/// Peak resident memory of a child (VmHWM), polled until it exits.
fn peak_rss_kib(mut child: Child) -> (u64, bool) {
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status) {
            if let Some(v) = text
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
            {
                peak = peak.max(v);
            }
        }
        if let Ok(Some(st)) = child.try_wait() {
            return (peak, st.success());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn memory_does_not_grow_with_the_table() {
    let mut peaks = Vec::new();
    for n in [100_000u64, 1_000_000] {
        let s = support::sqlite_db();
        s.exec(&format!(
            "CREATE TABLE big (id INTEGER PRIMARY KEY, t TEXT, v INT);
             WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < {n})
             INSERT INTO big SELECT x, printf('row %d with some text', x), x % 1000 FROM g;"
        ));
        let t = support::sqlite_db();
        std::fs::copy(&s.path, &t.path).expect("copy");
        // 1 % of the rows differ: memory must not follow them either (they go to disk).
        t.exec("UPDATE big SET v = -1 WHERE id % 100 = 0");
        let data = tempfile::tempdir().expect("tempdir");
        let child = sluice(data.path())
            .args(["data", "diff", &s.url(), &t.url()])
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn");
        let (kib, ok) = peak_rss_kib(child);
        assert!(ok, "the diff of {n} rows failed");
        peaks.push(kib);
    }
    eprintln!(
        "peak RSS: 100k rows {} KiB, 1M rows {} KiB",
        peaks[0], peaks[1]
    );
    assert!(
        peaks[1] < peaks[0] + peaks[0] / 2 && peaks[1] < 64 * 1024,
        "peak RSS grew with the table: {peaks:?} KiB"
    );
}

#[test]
fn demo_shows_the_row_diff_of_the_pair() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keep = dir.path().join("demo");
    let o = sluice(dir.path())
        .args(["demo", "--dir", &keep.to_string_lossy()])
        .output()
        .expect("run sluice demo");
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let rows = out.split("Row diff —").nth(1).expect("a row diff section");
    assert!(
        rows.contains("main.orders                4          4        1        1        2          1  complete"),
        "{rows}"
    );
    assert!(
        rows.contains("5 to insert, 4 to delete, 6 in conflict, in 5 of 5 tables"),
        "{rows}"
    );
    assert!(
        keep.join("runs").is_dir(),
        "the demo keeps its run beside the databases"
    );
}

/// On a terminal (a pty from `script`) the diff draws a progress line on stderr — per side, rows
/// read and rows/s — redrawn in place and never wider than the terminal; off a terminal it draws
/// nothing (`json_output_exit_code_show_and_runs`).
#[test]
fn progress_bar_on_a_terminal() {
    let (s, t) = sqlite_pair(40_000);
    let data = tempfile::tempdir().expect("tempdir");
    let cmd = format!(
        "'{}' data diff '{}' '{}' --batch-size 200",
        env!("CARGO_BIN_EXE_sluice"),
        s.url(),
        t.url()
    );
    let o = Command::new("script")
        .args(["-qefc", &cmd, "/dev/null"])
        .env("SLUICE_DATA_DIR", data.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run script (util-linux)");
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let frames: Vec<&str> = out
        .split("\r\x1b[2K")
        .skip(1)
        .map(|f| f.split(['\r', '\n']).next().unwrap_or(""))
        .filter(|f| f.contains("rows/s"))
        .collect();
    assert!(!frames.is_empty(), "no progress line drawn: {out:?}");
    assert!(
        frames
            .iter()
            .any(|f| f.contains("SOURCE") && f.contains("TARGET") && f.contains("rows/s")),
        "{frames:?}"
    );
    for f in &frames {
        assert!(f.chars().count() < 80, "wider than the terminal: {f:?}");
    }
    // The report follows on a clean line.
    assert!(out.contains("main.a"), "{out}");
}

/// Waits until `check` holds (a lock taken by another session), for at most 30 s.
fn wait_until(what: &str, check: impl Fn() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A blocked read ends at the server-side statement timeout with a one-line error naming it
/// (exit 7) and a checkpoint that `sluice resume --statement-timeout` continues.
fn statement_timeout_case(
    source: &str,
    target: &str,
    lock: impl FnOnce() -> Child,
    unlock: impl FnOnce(),
) {
    let data = tempfile::tempdir().expect("tempdir");
    let mut locker = lock();
    let start = Instant::now();
    let o = run(
        data.path(),
        &[
            "data",
            "diff",
            source,
            target,
            "--statement-timeout",
            "1",
            "--format",
            "json",
        ],
    );
    let elapsed = start.elapsed();
    // End the locking session on the server (a killed client's sleep would go on holding it).
    unlock();
    let _ = locker.kill();
    let _ = locker.wait();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(7), "{err}");
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("statement timeout"), "{err}");
    assert!(err.contains("--statement-timeout"), "{err}");
    assert!(!err.contains("pw") && !err.contains("secret"), "{err}");
    let run_id = latest_run(data.path()).expect("a run");
    let o = run(
        data.path(),
        &[
            "resume",
            &run_id,
            "--source",
            source,
            "--target",
            target,
            "--statement-timeout",
            "30",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json(&o);
    assert_eq!(counts_of(&v)[0].1, vec![500, 500, 0, 0, 1, 499]);
}

const TIMEOUT_SETUP: &str = "CREATE TABLE big (id INT PRIMARY KEY, v VARCHAR(20));";

#[test]
fn statement_timeout_on_postgres() {
    let (s, t) = (support::pg_db(), support::pg_db());
    for d in [&s, &t] {
        d.exec(TIMEOUT_SETUP);
        d.exec("INSERT INTO big SELECT g, 'v' || g FROM generate_series(1, 500) g");
    }
    t.exec("UPDATE big SET v = 'changed' WHERE id = 250");
    statement_timeout_case(
        &s.url(),
        &t.url(),
        || {
            let child = t
                .psql()
                .args([
                    "-c",
                    "BEGIN; LOCK TABLE big IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60);",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("psql");
            wait_until("the lock", || {
                t.query(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation \
                 WHERE c.relname = 'big' AND l.mode = 'AccessExclusiveLock' AND l.granted",
                ) == "1"
            });
            child
        },
        || {
            t.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()",
            );
        },
    );
}

#[test]
fn statement_timeout_on_mariadb() {
    let (s, t) = (support::mysql_db(), support::mysql_db());
    for d in [&s, &t] {
        d.exec(TIMEOUT_SETUP);
        d.exec("INSERT INTO big SELECT seq, CONCAT('v', seq) FROM seq_1_to_500");
    }
    t.exec("UPDATE big SET v = 'changed' WHERE id = 250");
    statement_timeout_case(
        &s.url(),
        &t.url(),
        || {
            let child = t
                .client()
                .args(["-e", "LOCK TABLES big WRITE; SELECT SLEEP(60);"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("mariadb client");
            wait_until("the lock", || {
                t.query(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO = 'SELECT SLEEP(60)'",
            ) == "1"
            });
            child
        },
        || {
            let id = t.query(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO = 'SELECT SLEEP(60)'",
            );
            t.exec(&format!("KILL {id}"));
        },
    );
}
