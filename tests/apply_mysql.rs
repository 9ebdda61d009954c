//! Apply on MariaDB, where DDL commits at once: signals stop the statement on the server and
//! leave an exact journal, one apply at a time, and a run killed with SIGKILL at any point is
//! finished by running the same pack again — which first finds out whether the statement it
//! was killed in took effect.

mod support;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::MyDb;

fn run(args: &[&str]) -> Output {
    support::sluice().args(args).output().expect("run sluice")
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn journal_run(pack: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(pack.join("journal.json")).unwrap_or_default();
    let j: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    j["targets"]
        .as_object()
        .and_then(|t| t.values().next().cloned())
        .unwrap_or_default()
}

fn wait_until(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < Duration::from_secs(secs), "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// TARGET before: five tables; SOURCE: each with a new column and an index — ten steps, each
/// one statement, on tables `a` to `e`.
fn pair() -> (MyDb, MyDb) {
    let t = support::mysql_db();
    let s = support::mysql_db();
    for n in ["a", "b", "c", "d", "e"] {
        t.exec(&format!(
            "CREATE TABLE {n} (id int NOT NULL PRIMARY KEY); INSERT INTO {n} VALUES (1), (2);"
        ));
        s.exec(&format!(
            "CREATE TABLE {n} (id int NOT NULL PRIMARY KEY, v int); CREATE INDEX {n}_v ON {n} (v);"
        ));
    }
    (s, t)
}

fn plan(s: &MyDb, t: &MyDb, pack: &Path) {
    let p = pack.to_string_lossy();
    let o = run(&["schema", "plan", &s.url(), &t.url(), "--out", &p]);
    assert_eq!(code(&o), 0, "{}", err(&o));
}

fn spawn_apply(pack: &Path, t: &MyDb, extra: &[&str]) -> Child {
    support::sluice()
        .args([
            "apply",
            &pack.to_string_lossy(),
            "--target",
            &t.url(),
            "--yes",
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sluice")
}

/// Another session holding a metadata lock on `table` (an open transaction that read it).
fn hold(t: &MyDb, table: &str) -> Child {
    let c = t
        .client()
        .arg("-e")
        .arg(format!(
            "START TRANSACTION; SELECT * FROM {table}; SELECT SLEEP(120); COMMIT;"
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("mariadb");
    wait_until("the holder did not start", 15, || {
        t.query("SELECT count(*) FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP%' AND db = DATABASE()") != "0"
    });
    c
}

/// sluice's connections waiting on a metadata lock in this database.
fn waiting(t: &MyDb) -> String {
    t.query(
        "SELECT count(*) FROM information_schema.processlist WHERE db = DATABASE() AND state LIKE 'Waiting for table metadata lock%' AND info LIKE 'ALTER TABLE%'",
    )
}

fn converged(s: &MyDb, t: &MyDb) {
    let o = run(&["schema", "diff", &s.url(), &t.url(), "--exit-code"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    for n in ["a", "b", "c", "d", "e"] {
        assert_eq!(
            t.query(&format!("SELECT count(*) FROM {n}")),
            "2",
            "rows of {n}"
        );
    }
}

#[test]
fn signals_stop_the_statement_on_the_server_and_the_pack_resumes() {
    for (signal, exit) in [("TERM", 143), ("HUP", 129)] {
        let (s, t) = pair();
        let dir = tempfile::tempdir().expect("tempdir");
        let pack = dir.path().join("pack");
        plan(&s, &t, &pack);
        let mut holder = hold(&t, "c");
        let child = spawn_apply(&pack, &t, &["--lock-timeout", "60"]);
        wait_until("sluice never waited on the lock", 30, || waiting(&t) != "0");
        let sent = Instant::now();
        let _ = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status();
        let o = child.wait_with_output().expect("wait");
        assert_eq!(code(&o), exit, "{}", err(&o));
        // Within 5 s nothing of ours runs or waits on the server any more.
        wait_until("a statement of ours still runs", 5, || {
            t.query(&format!(
                "SELECT count(*) FROM information_schema.processlist WHERE db = '{}' AND user = '{}' AND command <> 'Sleep' AND id <> CONNECTION_ID() AND coalesce(info, '') NOT LIKE 'SELECT SLEEP%'",
                t.name,
                support::MY_USER
            )) == "0"
        });
        assert!(sent.elapsed() < Duration::from_secs(8));
        // The journal is exact: the steps before the blocked one are applied, the blocked one is
        // in doubt (stopped on the server).
        let r = journal_run(&pack);
        assert_eq!(r["status"], "stopped", "{r}");
        let applied = r["applied"].as_u64().expect("applied");
        assert!(applied >= 1, "{r}");
        assert_eq!(r["in_flight"]["step"], applied + 1, "{r}");
        let h = run(&["history", "--target", &t.name, "--format", "json"]);
        let h: serde_json::Value = serde_json::from_slice(&h.stdout).expect("json");
        let last = h["entries"]
            .as_array()
            .and_then(|a| a.last())
            .cloned()
            .expect("entry");
        assert_eq!(last["result"], "interrupted", "{h}");
        let _ = holder.kill();
        let _ = holder.wait();
        // The same pack finishes the job.
        let o = run(&[
            "apply",
            &pack.to_string_lossy(),
            "--target",
            &t.url(),
            "--yes",
        ]);
        assert_eq!(code(&o), 0, "{}", err(&o));
        assert!(
            err(&o).contains("did not take effect: running it again"),
            "{}",
            err(&o)
        );
        converged(&s, &t);
    }
}

#[test]
fn one_apply_at_a_time_on_mariadb() {
    let (s, t) = pair();
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = dir.path().join("pack");
    plan(&s, &t, &pack);
    let mut holder = hold(&t, "c");
    let first = spawn_apply(&pack, &t, &["--lock-timeout", "60"]);
    wait_until("sluice never waited on the lock", 30, || waiting(&t) != "0");
    let o = run(&[
        "apply",
        &pack.to_string_lossy(),
        "--target",
        &t.url(),
        "--yes",
    ]);
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(
        err(&o).contains("another apply holds TARGET since ")
            && err(&o).contains(&format!("by {}@", support::MY_USER)),
        "{}",
        err(&o)
    );
    let _ = holder.kill();
    let _ = holder.wait();
    let o = first.wait_with_output().expect("wait");
    assert_eq!(code(&o), 0, "{}", err(&o));
    converged(&s, &t);
}

#[test]
fn killed_between_statements_at_any_point_the_same_pack_finishes() {
    for k in [1u64, 4, 7] {
        let (s, t) = pair();
        let dir = tempfile::tempdir().expect("tempdir");
        let pack = dir.path().join("pack");
        plan(&s, &t, &pack);
        let mut child = spawn_apply(&pack, &t, &[]);
        // Kill as soon as the journal says k steps are applied.
        let start = Instant::now();
        loop {
            let r = journal_run(&pack);
            if r["applied"].as_u64().unwrap_or(0) >= k || r["status"] == "complete" {
                let _ = child.kill();
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "never reached step {k}"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        let _ = child.wait();
        let o = run(&[
            "apply",
            &pack.to_string_lossy(),
            "--target",
            &t.url(),
            "--yes",
        ]);
        assert_eq!(code(&o), 0, "k={k}: {}", err(&o));
        let r = journal_run(&pack);
        assert_eq!(r["status"], "complete", "{r}");
        assert!(r["in_flight"].is_null(), "{r}");
        converged(&s, &t);
    }
}

#[test]
fn killed_while_a_statement_ran_the_next_run_finds_out_whether_it_took_effect() {
    // Not run: killed while its statement waited on a lock. The next run stops the orphaned
    // statement on the server (MariaDB may already have), sees its change still to do, and runs
    // it again.
    let (s, t) = pair();
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = dir.path().join("pack");
    plan(&s, &t, &pack);
    let mut holder = hold(&t, "c");
    let mut child = spawn_apply(&pack, &t, &["--lock-timeout", "60"]);
    wait_until("sluice never waited on the lock", 30, || waiting(&t) != "0");
    let _ = child.kill(); // SIGKILL: no chance to say anything
    let _ = child.wait();
    let r = journal_run(&pack);
    assert_eq!(r["status"], "running", "{r}");
    let stale = r["in_flight"]["connection"].as_u64().expect("in flight");
    let in_doubt = r["in_flight"]["step"].as_u64().expect("step");
    let next = spawn_apply(&pack, &t, &["--lock-timeout", "60"]);
    wait_until("the orphaned statement was not stopped", 30, || {
        t.query(&format!(
            "SELECT count(*) FROM information_schema.processlist WHERE id = {stale} AND info LIKE 'ALTER%'"
        )) == "0"
    });
    std::thread::sleep(Duration::from_millis(300));
    let _ = holder.kill();
    let _ = holder.wait();
    let o = next.wait_with_output().expect("wait");
    assert_eq!(code(&o), 0, "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains(&format!(
            "step {in_doubt} ran; TARGET shows it did not take effect: running it again"
        )),
        "{e}"
    );
    converged(&s, &t);

    // Run: the server carried out the statement, but the client was killed before the journal
    // could say so (the journal is written before and after every statement). The next run sees
    // the change done and goes on after it — running it twice would fail ("Duplicate column").
    let (s, t) = pair();
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = dir.path().join("pack");
    plan(&s, &t, &pack);
    let mut child = spawn_apply(&pack, &t, &[]);
    let start = Instant::now();
    loop {
        let r = journal_run(&pack);
        if r["applied"].as_u64().unwrap_or(0) >= 3 || r["status"] == "complete" {
            let _ = child.kill();
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "never reached step 3"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.wait();
    let text = std::fs::read_to_string(pack.join("journal.json")).expect("journal");
    let mut j: serde_json::Value = serde_json::from_str(&text).expect("json");
    let key = j["targets"]
        .as_object()
        .and_then(|t| t.keys().next().cloned())
        .expect("a target");
    let r = &mut j["targets"][&key];
    if r["status"] == "complete" {
        panic!("the apply finished before it could be killed");
    }
    let applied = r["applied"].as_u64().expect("applied");
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pack.join("plan.json")).expect("plan"))
            .expect("json");
    let step = &plan["steps"][usize::try_from(applied).expect("index")];
    let sql = step["sql"][0].as_str().expect("sql");
    t.exec(sql);
    r["in_flight"] = serde_json::json!({
        "step": applied + 1, "statement": 1, "connection": 999_999_999u64,
        "sent_at": "2026-12-02T00:00:00Z"
    });
    r["statements_done"] = 0.into();
    std::fs::write(pack.join("journal.json"), j.to_string()).expect("write");
    let o = run(&[
        "apply",
        &pack.to_string_lossy(),
        "--target",
        &t.url(),
        "--yes",
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains(&format!(
            "step {} ran; TARGET shows it took effect: going on after it",
            applied + 1
        )),
        "{e}"
    );
    converged(&s, &t);
}

#[test]
fn rollback_on_mariadb_restores_the_catalog() {
    let (s, t) = pair();
    let show = |t: &MyDb| {
        ["a", "b", "c", "d", "e"]
            .iter()
            .map(|n| t.query(&format!("SHOW CREATE TABLE {n}")))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let before = show(&t);
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = dir.path().join("pack");
    plan(&s, &t, &pack);
    let p = pack.to_string_lossy().into_owned();
    let o = run(&["apply", &p, "--target", &t.url(), "--yes"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_ne!(show(&t), before);
    let o = run(&["rollback", &p, "--target", &t.url(), "--yes"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).contains("NOT transactional"), "{}", err(&o));
    assert_eq!(
        show(&t),
        before,
        "SHOW CREATE TABLE differs after the rollback"
    );
    assert!(pack.join("rollback-journal.json").is_file());
}

#[test]
fn a_pack_is_for_the_mariadb_database_it_was_planned_for() {
    let (s, t) = pair();
    let (_, other) = pair();
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = dir.path().join("pack");
    plan(&s, &t, &pack);
    let p = pack.to_string_lossy().into_owned();
    let o = run(&["apply", &p, "--target", &other.url(), "--yes"]);
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(
        err(&o).contains("TARGET is not the database this pack was planned for")
            && err(&o).contains(&t.name)
            && err(&o).contains(&other.name),
        "{}",
        err(&o)
    );
    assert!(!pack.join("journal.json").exists(), "nothing ran");
    let o = run(&["apply", &p, "--target", &other.url(), "--yes", "--retarget"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    converged(&s, &other);
}
