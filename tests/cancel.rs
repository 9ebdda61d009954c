//! Every long job, driven through the engine's protocol, stops when its token is cancelled: the
//! statement it ran is stopped on the server, and what it leaves (TARGET, the journal, the run's
//! checkpoint) is exact.

mod support;

use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sluice::cancel::{Cancel, Interrupt};
use sluice::engine::apply::{Direction, Gates};
use sluice::engine::jobs::{Engine, Job};
use sluice::engine::protocol::{Command, Event, Output};
use sluice::model::plan::ApplyOptions;
use sluice::model::rowdiff::RunOptions;
use sluice::{Error, Result};

/// The engine keeps its history in the data directory: this binary's own, never the user's.
fn engine() -> Engine {
    static DATA: OnceLock<()> = OnceLock::new();
    DATA.get_or_init(|| {
        // SAFETY: set once, before any job of this binary reads it; every test sets the same.
        unsafe { std::env::set_var("SLUICE_DATA_DIR", support::data_dir()) };
    });
    Engine::default()
}

/// The job's result, answering any confirmation with yes.
async fn finish(mut job: Job, on: impl Fn(&Event)) -> Result<Output> {
    while let Some(e) = job.events.recv().await {
        on(&e);
        match e {
            Event::Finished(r) => return r,
            Event::Confirm(_, reply) => {
                let _ = reply.send(Ok(()));
            }
            _ => {}
        }
    }
    panic!("the job ended without a result");
}

fn interrupted(r: Result<Output>) {
    match r {
        Err(Error::Interrupted(Interrupt::Term)) => {}
        other => panic!("not interrupted: {other:?}"),
    }
}

async fn wait_until(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < Duration::from_secs(secs), "{what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn plan(source: &str, target: &str, dir: &Path) {
    let o = support::sluice()
        .args([
            "schema",
            "plan",
            source,
            target,
            "--out",
            &dir.to_string_lossy(),
        ])
        .output()
        .expect("sluice");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn run_pack(dir: &Path, target: &str) -> Command {
    Command::RunPack {
        dir: dir.to_path_buf(),
        target: target.to_string(),
        gates: Gates {
            yes: true,
            ..Gates::default()
        },
        options: ApplyOptions {
            lock_timeout: Duration::from_secs(60),
            ..ApplyOptions::default()
        },
        direction: Direction::Up,
    }
}

/// Another session holding `table` in ACCESS EXCLUSIVE mode; returns once the lock is granted
/// (psql takes a moment to start: a job started before would not wait on it).
fn pg_lock(t: &support::PgDb, table: &str) -> Child {
    let child = t
        .psql()
        .arg("-c")
        .arg(format!(
            "BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT;"
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("psql");
    let held = format!(
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation \
         WHERE c.relname = '{table}' AND l.mode = 'AccessExclusiveLock' AND l.granted \
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    );
    let start = Instant::now();
    while t.query(&held) == "0" {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the lock on {table} was never granted"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

fn pg_ours_active(t: &support::PgDb) -> String {
    t.query(&format!(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'sluice%' AND state <> 'idle' AND datname = '{}'",
        t.name
    ))
}

fn pg_waiting(t: &support::PgDb) -> bool {
    t.query(&format!(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name = 'sluice' AND datname = '{}'",
        t.name
    )) != "0"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspect_ends_when_cancelled() {
    let t = support::pg_db();
    t.exec("CREATE TABLE a (id int PRIMARY KEY)");
    let cancel = Cancel::default();
    let job = engine().start(
        Command::Inspect {
            db: t.url(),
            filter: Default::default(),
        },
        cancel.clone(),
    );
    cancel.cancel(Interrupt::Term);
    // It may have finished first; either way nothing of ours runs afterwards.
    match finish(job, |_| {}).await {
        Ok(Output::Catalog { .. }) | Err(Error::Interrupted(Interrupt::Term)) => {}
        other => panic!("{other:?}"),
    }
    wait_until("a statement of ours still runs", 5, || {
        pg_ours_active(&t) == "0"
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_on_postgres_stops_on_the_server_and_rolls_back() {
    let t = support::pg_db();
    let s = support::pg_db();
    t.exec("CREATE TABLE a (id int); CREATE TABLE c (id int);");
    s.exec("CREATE TABLE a (id int, b int); CREATE TABLE c (id int, d int);");
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    plan(&s.url(), &t.url(), &p);
    let mut holder = pg_lock(&t, "c");
    let cancel = Cancel::default();
    let job = engine().start(run_pack(&p, &t.url()), cancel.clone());
    wait_until("the apply never waited on the lock", 20, || pg_waiting(&t)).await;
    cancel.cancel(Interrupt::Term);
    interrupted(finish(job, |_| {}).await);
    wait_until("a statement of ours still runs", 5, || {
        pg_ours_active(&t) == "0"
    })
    .await;
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(
        t.query("SELECT count(*) FROM information_schema.columns WHERE table_name IN ('a', 'c')"),
        "2",
        "TARGET changed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_on_mariadb_stops_on_the_server_and_the_journal_is_exact() {
    let t = support::mysql_db();
    let s = support::mysql_db();
    t.exec("CREATE TABLE a (id int NOT NULL PRIMARY KEY); CREATE TABLE c (id int NOT NULL PRIMARY KEY);");
    s.exec("CREATE TABLE a (id int NOT NULL PRIMARY KEY, b int); CREATE TABLE c (id int NOT NULL PRIMARY KEY, d int);");
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    plan(&s.url(), &t.url(), &p);
    let mut holder = t
        .client()
        .arg("-e")
        .arg("START TRANSACTION; SELECT * FROM c; SELECT SLEEP(60); COMMIT;")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("mariadb");
    let waiting = "SELECT count(*) FROM information_schema.processlist WHERE db = DATABASE() AND state LIKE 'Waiting for table metadata lock%'";
    wait_until("the holder did not start", 15, || {
        t.query("SELECT count(*) FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP%' AND db = DATABASE()") != "0"
    })
    .await;
    let cancel = Cancel::default();
    let job = engine().start(run_pack(&p, &t.url()), cancel.clone());
    wait_until("the apply never waited on the lock", 20, || {
        t.query(waiting) != "0"
    })
    .await;
    cancel.cancel(Interrupt::Term);
    interrupted(finish(job, |_| {}).await);
    wait_until("a statement of ours still runs", 5, || {
        t.query(waiting) == "0"
    })
    .await;
    let _ = holder.kill();
    let _ = holder.wait();
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.join("journal.json")).expect("journal"))
            .expect("json");
    let run = j["targets"]
        .as_object()
        .and_then(|o| o.values().next())
        .cloned()
        .expect("a run");
    assert_eq!(run["status"], "stopped", "{run}");
    assert_eq!(
        run["applied"], 1,
        "the step on `a` ran, the one on `c` did not: {run}"
    );
    assert_eq!(run["in_flight"]["step"], 2, "{run}");
    assert_eq!(
        t.query("SELECT group_concat(column_name ORDER BY column_name) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name IN ('a', 'c')"),
        "b,id,id"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_on_sqlite_interrupts_the_statement_and_rolls_back() {
    let t = support::sqlite_db();
    let s = support::sqlite_db();
    // A rebuild copies every row: with two million rows it runs long enough to be cancelled.
    t.exec(
        "CREATE TABLE big (id integer PRIMARY KEY, v text);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000)
         INSERT INTO big SELECT i, 'value ' || i FROM n;",
    );
    s.exec("CREATE TABLE big (id integer PRIMARY KEY, v text NOT NULL, w int DEFAULT 0);");
    let before = t.query("SELECT sql FROM sqlite_schema");
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    plan(&s.url(), &t.url(), &p);
    let cancel = Cancel::default();
    let c2 = cancel.clone();
    let job = engine().start(run_pack(&p, &t.url()), cancel.clone());
    // Cancel as soon as the step starts running.
    let r = finish(job, move |e| {
        if matches!(e, Event::Step { .. }) {
            let c = c2.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                c.cancel(Interrupt::Term);
            });
        }
    })
    .await;
    interrupted(r);
    assert_eq!(
        t.query("SELECT sql FROM sqlite_schema"),
        before,
        "TARGET changed"
    );
    assert_eq!(t.query("SELECT count(*) FROM big"), "2000000");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_diff_stops_its_readers_on_the_server_and_resumes_exactly() {
    let s = support::pg_db();
    let t = support::pg_db();
    let table = "CREATE TABLE r (id int PRIMARY KEY, v text); INSERT INTO r SELECT i, 'v' || i FROM generate_series(1, 300000) i;";
    s.exec(table);
    t.exec(table);
    t.exec("UPDATE r SET v = 'changed' WHERE id % 1000 = 0; DELETE FROM r WHERE id = 7;");
    let _ = engine();
    let runs = support::data_dir().join("runs");
    let cancel = Cancel::default();
    let cmd = Command::DataDiff {
        source: s.url(),
        target: t.url(),
        options: RunOptions {
            tables: Vec::new(),
            ignore_columns: Vec::new(),
            batch_size: 500,
            statement_timeout_secs: 300,
        },
        runs_root: Some(runs.clone()),
    };
    let job = engine().start(cmd, cancel.clone());
    // Once rows flow, another session locks TARGET's table: the next page waits on the server.
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let locker = {
        let t2 = support::PgDb {
            name: t.name.clone(),
            port: t.port,
        };
        std::thread::spawn(move || {
            let _ = rx.recv();
            pg_lock(&t2, "r")
        })
    };
    let r = finish(job, move |e| {
        if matches!(e, Event::Progress(_)) {
            let _ = tx.send(());
        }
    });
    let waited = async {
        wait_until("the reader never waited on the lock", 60, || pg_waiting(&t)).await;
        cancel.cancel(Interrupt::Term);
        Instant::now()
    };
    let (r, sent) = tokio::join!(r, waited);
    interrupted(r);
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "took {:?}",
        sent.elapsed()
    );
    // The reader's statement was stopped on the server: none of ours waits on the lock.
    wait_until("a reader of ours still waits on the server", 5, || {
        !pg_waiting(&t)
    })
    .await;
    let mut holder = locker.join().expect("locker");
    let _ = holder.kill();
    let _ = holder.wait();
    // The holder's backend sleeps on after its client is gone: end it, releasing the lock.
    t.query(&format!(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{}' AND query LIKE 'BEGIN; LOCK TABLE%'",
        t.name
    ));
    // The checkpoint is exact: resuming finds exactly the drift.
    let run_id = std::fs::read_dir(&runs)
        .expect("runs")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .next()
        .expect("a run");
    let cp: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(runs.join(&run_id).join("checkpoint.json")).expect("checkpoint"),
    )
    .expect("json");
    assert_eq!(cp["state"], "interrupted", "{cp}");
    let job = engine().start(
        Command::Resume {
            run_id,
            source: Some(s.url()),
            target: Some(t.url()),
            statement_timeout: None,
        },
        Cancel::default(),
    );
    let Ok(Output::Rows(out)) = finish(job, |_| {}).await else {
        panic!("the resume did not finish");
    };
    let c = &out.checkpoint.tables[0].counts;
    assert_eq!((c.insert, c.delete, c.conflict), (1, 0, 300), "{c:?}");
    assert_eq!(c.source_rows, 300_000);
    assert_eq!(c.target_rows, 299_999);
}
