//! Convergence on MySQL/MariaDB: for every case in `tests/fixtures/mysql/<case>/{a.sql,b.sql}`
//! (a = TARGET before, b = SOURCE), plan, apply to A, inspect again: the diff against B is empty,
//! a second plan is empty, and no data is lost (row counts of every surviving table and non-null
//! counts of every surviving or renamed column are unchanged); down.sql, run through the mariadb
//! client, brings TARGET back. Chinook from nothing and with drift of every kind too. And a pack that fails
//! part-way: exit 6, the journal says how far it got, and the same pack run again after the cause
//! is fixed applies only the rest.

mod support;

use support::client::{apply, connect, inspect};
use support::converge::{Counts, describe};

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use futures::StreamExt;
use sluice::dialect::{Access, Db, quote};
use sluice::engine::apply::ApplyOptions;
use sluice::engine::diff::DiffOptions;
use sluice::engine::schema;
use sluice::model::{Catalog, Change, Dialect, QualifiedName};

/// Row count and per-column non-null counts of every table.
async fn counts(db: &Db, cat: &Catalog) -> Result<Counts, String> {
    let Db::My(pool) = db else {
        return Err("not mysql".into());
    };
    let mut out = Counts::new();
    for (schema, t) in cat.tables() {
        let cols: Vec<String> = t
            .columns
            .iter()
            .map(|c| format!("count({})", quote::ident(Dialect::Mysql, &c.name)))
            .collect();
        let sql = format!(
            "SELECT count(*){}{} FROM {}",
            if cols.is_empty() { "" } else { ", " },
            cols.join(", "),
            quote::ident(Dialect::Mysql, &t.name)
        );
        let row = sqlx::query(&sql)
            .fetch_one(pool)
            .await
            .map_err(|e| format!("counting {schema}.{}: {e}", t.name))?;
        use sqlx::Row;
        let rows: i64 = row.try_get(0).map_err(|e| e.to_string())?;
        let mut per = BTreeMap::new();
        for (i, c) in t.columns.iter().enumerate() {
            let n: i64 = row.try_get(i + 1).map_err(|e| e.to_string())?;
            per.insert(c.name.clone(), n);
        }
        out.insert(QualifiedName::new(schema, &t.name), (rows, per));
    }
    Ok(out)
}

/// Runs one convergence case. `a` and `b` are loaded by the caller.
async fn converge(a: &support::MyDb, b: &support::MyDb) -> Result<Upped, String> {
    let adb = connect(&a.url(), Access::ReadWrite).await;
    let bdb = connect(&b.url(), Access::ReadWrite).await;
    let target = inspect(&adb).await?;
    let source = inspect(&bdb).await?;
    let before = counts(&adb, &target).await?;
    let opts = DiffOptions::default();
    let plan = schema::plan(&target, &source, &opts).map_err(|e| format!("plan: {e}"))?;
    if plan.transactional {
        return Err("a MySQL plan says it is transactional".into());
    }
    let sql: Vec<String> = plan
        .steps
        .iter()
        .flat_map(|s| s.sql.iter().map(move |q| format!("{:>3}. {q}", s.number)))
        .collect();
    apply(&adb, &plan.steps, &ApplyOptions::default())
        .await
        .map_err(|e| format!("apply: {e}\n  plan:\n{}", sql.join("\n")))?;
    let after_cat = inspect(&adb).await?;
    let left = schema::changes(&after_cat, &source, &opts);
    let left: Vec<Change> = left
        .into_iter()
        .filter(|c| !matches!(c, Change::Unsupported { .. }))
        .collect();
    if !left.is_empty() {
        return Err(format!(
            "not converged; still differs:\n    {}\n  plan was:\n{}",
            describe(&left),
            sql.join("\n")
        ));
    }
    let second =
        schema::plan(&after_cat, &source, &opts).map_err(|e| format!("second plan: {e}"))?;
    if second.steps.iter().any(|s| !s.sql.is_empty()) {
        return Err(format!(
            "second plan not empty:\n    {}",
            describe(&second.changes)
        ));
    }
    let after = counts(&adb, &after_cat).await?;
    support::converge::check_data_kept(&before, &after, &plan.changes, |_from, to| {
        to.generated.is_some()
    })
    .map_err(|e| format!("{e}\n  plan was:\n{}", sql.join("\n")))?;
    bdb.close().await;
    Ok(Upped {
        adb,
        plan,
        source,
        target,
        before,
    })
}

/// TARGET after a converged plan, for [`down`].
struct Upped {
    adb: Db,
    plan: schema::SchemaPlan,
    source: Catalog,
    target: Catalog,
    before: Counts,
}

/// `down.sql` of the plan (every step enabled), run through the database's own client after the
/// plan was applied: TARGET's catalog comes back exactly (the same fingerprint, column order
/// included) with every row and value, unless a step says its data cannot come back
/// (`IRREVERSIBLE`); then the catalog still comes back (the diff is empty). Says whether one did.
async fn down(a: &support::MyDb, up: Upped) -> Result<bool, String> {
    let Upped {
        adb,
        plan,
        source,
        target,
        before,
    } = up;
    let (adb, plan, source, target, before) = (&adb, &plan, &source, &target, &before);
    let (m, _dir, file) = support::down_pack(plan, source, target);
    let text = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
    a.try_load(&file)
        .map_err(|e| format!("down.sql failed: {e}\n  down.sql was:\n{text}"))?;
    let restored = inspect(adb).await?;
    let left: Vec<Change> = schema::changes(&restored, target, &DiffOptions::default())
        .into_iter()
        .filter(|c| !matches!(c, Change::Unsupported { .. }))
        .collect();
    if !left.is_empty() {
        return Err(format!(
            "down.sql did not restore TARGET; still differs:\n    {}\n  down.sql was:\n{text}",
            describe(&left)
        ));
    }
    if m.down.iter().all(|d| d.irreversible.is_none()) {
        if restored.fingerprint() != target.fingerprint() {
            return Err(format!(
                "down.sql restored TARGET with another fingerprint: {}\n  down.sql was:\n{text}",
                support::catalog_difference(&restored, target)
            ));
        }
        let now = counts(adb, &restored).await?;
        if now != *before {
            return Err(format!(
                "down.sql lost data: {before:?} before, {now:?} after\n  down.sql was:\n{text}"
            ));
        }
    }
    let lossy = m.down.iter().any(|d| d.irreversible.is_some());
    adb.close().await;
    Ok(lossy)
}

async fn run_case(dir: &Path) -> Result<bool, String> {
    let a = support::mysql_db();
    let b = support::mysql_db();
    a.load(&dir.join("a.sql"));
    b.load(&dir.join("b.sql"));
    let up = converge(&a, &b).await?;
    down(&a, up).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_mysql_fixture_converges() {
    let root = support::own_fixture("mysql");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/fixtures/mysql")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("a.sql").exists() && p.join("b.sql").exists())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 25,
        "at least 25 cases, found {}",
        cases.len()
    );
    let only = std::env::var("SLUICE_CASE").ok();
    let results: Vec<(String, Result<bool, String>)> = futures::stream::iter(cases.iter())
        .filter(|p| {
            let keep = only.as_ref().is_none_or(|o| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().contains(o.as_str()))
            });
            async move { keep }
        })
        .map(|p| async move {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, run_case(p).await)
        })
        .buffer_unordered(4)
        .collect()
        .await;
    let mut failures: Vec<String> = results
        .iter()
        .filter_map(|(n, r)| r.as_ref().err().map(|e| format!("── {n}: {e}")))
        .collect();
    failures.sort();
    let mut lossy: Vec<&str> = results
        .iter()
        .filter(|(_, r)| r.as_ref().is_ok_and(|l| *l))
        .map(|(n, _)| n.as_str())
        .collect();
    lossy.sort();
    eprintln!(
        "down.sql restored {} of {} cases exactly; with IRREVERSIBLE steps (catalog only): {}",
        results.len() - failures.len() - lossy.len(),
        results.len(),
        lossy.join(", ")
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases did not converge:\n{}",
        failures.len(),
        results.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chinook_from_an_empty_database() {
    let Some(chinook) = support::fixture("chinook/mysql.sql") else {
        return;
    };
    let a = support::mysql_db();
    let b = support::mysql_db();
    b.load(&chinook);
    let up = converge(&a, &b).await.unwrap_or_else(|e| panic!("{e}"));
    down(&a, up).await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chinook_to_chinook_with_drift_of_every_kind() {
    let Some(chinook) = support::fixture("chinook/mysql.sql") else {
        return;
    };
    let a = support::mysql_db();
    let b = support::mysql_db();
    a.load(&chinook);
    b.load(&chinook);
    b.load(&support::own_fixture("mysql-chinook/drift.sql"));
    let before = a.query("SELECT count(*), count(`BirthDate`) FROM `Employee`");
    let up = converge(&a, &b).await.unwrap_or_else(|e| panic!("{e}"));
    // The renames kept their data.
    assert_eq!(
        a.query("SELECT count(*), count(`Birth_Date`) FROM `Employee`"),
        before
    );
    assert_ne!(a.query("SELECT count(*) FROM `MediaTypes`"), "0");
    // The generated column computes over the rows that were there.
    assert_eq!(
        a.query("SELECT count(*) FROM `InvoiceLine` WHERE `LineTotal` = `UnitPrice` * `Quantity`"),
        a.query("SELECT count(*) FROM `InvoiceLine`")
    );
    down(&a, up).await.unwrap_or_else(|e| panic!("{e}"));
}

// ------------------------------------------------------------------ a pack that stops part-way

fn run(args: &[&str]) -> Output {
    support::sluice().args(args).output().expect("run sluice")
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn journal(pack: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(pack.join("journal.json")).expect("journal.json");
    serde_json::from_str(&text).expect("journal JSON")
}

/// The one target's run in a journal.
fn the_run(j: &serde_json::Value) -> serde_json::Value {
    let targets = j["targets"].as_object().expect("targets");
    assert_eq!(targets.len(), 1, "{j}");
    targets.values().next().cloned().expect("a run")
}

#[test]
fn a_failing_step_stops_the_apply_and_a_rerun_resumes_after_the_fix() {
    let t = support::mysql_db();
    let s = support::mysql_db();
    t.exec(
        "CREATE TABLE a (id int NOT NULL PRIMARY KEY, email varchar(100));
         INSERT INTO a VALUES (1, 'x@example.org'), (2, 'x@example.org'), (3, 'y@example.org');",
    );
    s.exec(
        "CREATE TABLE a (id int NOT NULL PRIMARY KEY, email varchar(100), note varchar(20),
             CONSTRAINT a_email UNIQUE (email));
         CREATE TABLE b (id int NOT NULL PRIMARY KEY);
         CREATE VIEW a_notes AS SELECT id, note FROM a;",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = dir.path().join("pack");
    let p = pack.to_string_lossy();
    let o = run(&["schema", "plan", &s.url(), &t.url(), "--out", &p]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let up = std::fs::read_to_string(pack.join("up.sql")).expect("up.sql");
    assert!(up.contains("NOT transactional"), "{up}");
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pack.join("plan.json")).expect("plan"))
            .expect("json");
    assert_eq!(plan["transactional"], false);
    let steps = plan["steps"].as_array().expect("steps");
    let n = steps.len();
    let k = steps
        .iter()
        .position(|s| s["kind"] == "add_unique")
        .expect("a unique step")
        + 1;
    assert!(
        k > 1 && k < n,
        "the failing step is in the middle: {k} of {n}"
    );

    // The plan knows step k is certain to fail: on a database that commits each DDL statement
    // at once the whole apply is refused up front, and nothing runs.
    let tables_before =
        t.query("SELECT count(*) FROM information_schema.columns WHERE table_schema = DATABASE()");
    let o = run(&["apply", &p, "--target", &t.url(), "--yes"]);
    assert_eq!(o.status.code(), Some(4), "{}", err(&o));
    assert!(
        err(&o).contains(&format!("step {k} (add_unique"))
            && err(&o).contains("certain to fail")
            && err(&o).contains("--force-partial"),
        "{}",
        err(&o)
    );
    assert_eq!(
        t.query("SELECT count(*) FROM information_schema.columns WHERE table_schema = DATABASE()"),
        tables_before
    );
    // Forced: fails at step k: exit 6, k-1 of n applied, the step named; the journal says the same.
    let o = run(&[
        "apply",
        &p,
        "--target",
        &t.url(),
        "--yes",
        "--force-partial",
    ]);
    assert_eq!(o.status.code(), Some(6), "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains("NOT transactional"),
        "says so before applying: {e}"
    );
    assert!(
        e.contains(&format!("step {k} of {n} failed")),
        "names the failed step: {e}"
    );
    assert!(e.contains("a_email"), "names the object: {e}");
    assert!(
        e.contains(&format!("{} of {n} steps applied", k - 1)),
        "{e}"
    );
    assert!(!e.contains(support::MY_PASSWORD), "password in output");
    let j = journal(&pack);
    assert_eq!(j["format"], "sluice-journal");
    assert!(
        !j.to_string().contains(support::MY_PASSWORD),
        "password in the journal"
    );
    let r = the_run(&j);
    assert_eq!(r["status"], "stopped", "{r}");
    assert_eq!(r["applied"], k - 1, "{r}");
    assert_eq!(r["total"], n, "{r}");
    assert_eq!(r["failure"]["step"], k, "{r}");
    assert!(
        r["failure"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Duplicate")),
        "{r}"
    );
    let first_steps = r["steps"].as_array().expect("steps").clone();
    assert_eq!(first_steps.len(), k, "steps 1..=k started: {r}");
    // The steps before k did happen.
    assert_eq!(
        t.query("SELECT count(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'a'"),
        "3"
    );

    // TARGET changed in its rows only (not its schema): the same pack resumes at step k.
    t.exec("DELETE FROM a WHERE id = 2");
    let o = run(&["apply", &p, "--target", &t.url(), "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains(&format!("starting at step {k}")),
        "resumes where it stopped: {e}"
    );
    assert!(
        e.contains(&format!("applied {} steps", n - k + 1)),
        "only the rest ran: {e}"
    );
    assert!(e.contains("TARGET now matches SOURCE"), "{e}");
    let r = the_run(&journal(&pack));
    assert_eq!(r["status"], "complete", "{r}");
    assert_eq!(r["applied"], n, "{r}");
    let steps_now = r["steps"].as_array().expect("steps");
    assert_eq!(steps_now.len(), n, "{r}");
    // The earlier steps' records are the ones the first run wrote: they were not run again.
    for (before, after) in first_steps.iter().zip(steps_now).take(k - 1) {
        assert_eq!(before, after);
    }
    let o = run(&["schema", "diff", &s.url(), &t.url(), "--exit-code"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(t.query("SELECT count(*) FROM a"), "2");

    // Once more: nothing to do.
    let o = run(&["apply", &p, "--target", &t.url(), "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(err(&o).contains("nothing to do"), "{}", err(&o));
}

#[test]
fn dry_run_on_mysql_shows_the_sql_and_checks_and_runs_nothing() {
    let t = support::mysql_db();
    let s = support::mysql_db();
    t.exec("CREATE TABLE a (id int NOT NULL PRIMARY KEY)");
    s.exec("CREATE TABLE a (id int NOT NULL PRIMARY KEY, b int)");
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = dir.path().join("pack");
    let p = pack.to_string_lossy();
    assert_eq!(
        run(&["schema", "plan", &s.url(), &t.url(), "--out", &p])
            .status
            .code(),
        Some(0)
    );
    let o = run(&["apply", &p, "--target", &t.url(), "--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let e = err(&o);
    assert!(e.contains("NOT transactional"), "{e}");
    assert!(e.contains("ADD COLUMN `b`"), "{e}");
    assert!(e.contains("nothing run"), "{e}");
    assert_eq!(
        t.query("SELECT count(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'a'"),
        "1"
    );
}

#[test]
fn a_step_waiting_on_a_lock_gives_up_at_the_lock_timeout() {
    let t = support::mysql_db();
    let s = support::mysql_db();
    t.exec("CREATE TABLE a (id int NOT NULL PRIMARY KEY); INSERT INTO a VALUES (1);");
    s.exec("CREATE TABLE a (id int NOT NULL PRIMARY KEY, b int)");
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = dir.path().join("pack");
    let p = pack.to_string_lossy();
    assert_eq!(
        run(&["schema", "plan", &s.url(), &t.url(), "--out", &p])
            .status
            .code(),
        Some(0)
    );
    // Another session holds a metadata lock on `a` (an open transaction that read it).
    let holder = support::MyDb {
        name: t.name.clone(),
        port: t.port,
    };
    let held = std::thread::spawn(move || {
        holder.exec("START TRANSACTION; SELECT * FROM a; SELECT SLEEP(6); COMMIT;");
    });
    let waited = std::time::Instant::now();
    while t.query(
        "SELECT count(*) FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP%' AND db = DATABASE()",
    ) != "1"
    {
        assert!(
            waited.elapsed().as_secs() < 10,
            "the lock holder never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let started = std::time::Instant::now();
    let o = run(&[
        "apply",
        &p,
        "--target",
        &t.url(),
        "--yes",
        "--lock-timeout",
        "1",
    ]);
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(6), "{}", err(&o));
    assert!(err(&o).contains("Lock wait timeout"), "{}", err(&o));
    assert!(err(&o).contains("0 of 1 steps applied"), "{}", err(&o));
    assert!(
        took.as_secs() < 5,
        "gave up after {took:?}, not at the lock timeout"
    );
    held.join().expect("the lock holder");
    // Once the lock is gone, the same pack runs.
    let o = run(&["apply", &p, "--target", &t.url(), "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(err(&o).contains("TARGET now matches SOURCE"), "{}", err(&o));
}

#[tokio::test]
async fn a_step_stopped_part_way_resumes_at_its_failed_statement() {
    use sluice::dialect::journal::{self, JournalSpec};
    use sluice::engine::plan::{Reverse, Step};
    let t = support::mysql_db();
    t.exec(
        "CREATE TABLE a (id int NOT NULL PRIMARY KEY, v int); INSERT INTO a VALUES (1, 1), (2, 1);",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("plan.json"), "{}").expect("plan.json");
    let spec = JournalSpec::for_pack(
        dir.path(),
        journal::JOURNAL_FILE,
        "mysql://test@db/a".into(),
        Default::default(),
    )
    .expect("spec");
    let step = |n: usize, sql: &[&str]| Step {
        number: n,
        change: Change::Unsupported {
            object_kind: "test".into(),
            object: format!("step{n}"),
            detail: String::new(),
        },
        sql: sql.iter().map(|s| s.to_string()).collect(),
        after: Vec::new(),
        with: Vec::new(),
        reverse: Reverse::default(),
        risk: None,
    };
    // Step 2's first statement runs, its second fails on the duplicate; a re-run of the first
    // would fail too ("already exists"), so a resume must start at the second.
    let steps = vec![
        step(1, &["CREATE TABLE b (id int)"]),
        step(
            2,
            &[
                "CREATE TABLE c (id int)",
                "ALTER TABLE a ADD UNIQUE KEY a_v (v)",
                "CREATE TABLE d (id int)",
            ],
        ),
        step(3, &["CREATE TABLE e (id int)"]),
    ];
    let db = connect(&t.url(), Access::ReadWrite).await;
    let e = sluice::dialect::apply(
        &db,
        &steps,
        &ApplyOptions::default(),
        Some(&spec),
        &Default::default(),
        &|_| {},
    )
    .await
    .expect_err("step 2 fails");
    assert!(
        e.to_string().contains("step 2 of 3 failed")
            && e.to_string().contains("1 of 3 steps applied"),
        "{e}"
    );
    assert_eq!(e.exit_code(), 6);
    let run = journal::run_for(&spec).expect("journal").expect("a run");
    assert_eq!((run.applied, run.statements_done), (1, 1));
    assert_eq!(
        run.failure.as_ref().map(|f| (f.step, f.statement)),
        Some((2, 2))
    );
    t.exec("UPDATE a SET v = 2 WHERE id = 2");
    let report = sluice::dialect::apply(
        &db,
        &steps,
        &ApplyOptions::default(),
        Some(&spec),
        &Default::default(),
        &|_| {},
    )
    .await
    .expect("resumed");
    assert_eq!((report.steps, report.statements), (2, 3));
    let run = journal::run_for(&spec).expect("journal").expect("a run");
    assert_eq!(run.applied, 3);
    assert_eq!(
        t.query("SELECT group_concat(table_name ORDER BY table_name) FROM information_schema.tables WHERE table_schema = DATABASE()"),
        "a,b,c,d,e"
    );
    db.close().await;
}

#[test]
fn ctrl_c_stops_the_statement_on_the_server_and_the_pack_resumes() {
    let t = support::mysql_db();
    let s = support::mysql_db();
    t.exec("CREATE TABLE a (id int NOT NULL PRIMARY KEY); INSERT INTO a VALUES (1);");
    s.exec("CREATE TABLE a (id int NOT NULL PRIMARY KEY, b int)");
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = dir.path().join("pack");
    let p = pack.to_string_lossy();
    assert_eq!(
        run(&["schema", "plan", &s.url(), &t.url(), "--out", &p])
            .status
            .code(),
        Some(0)
    );
    let holder = support::MyDb {
        name: t.name.clone(),
        port: t.port,
    };
    let held = std::thread::spawn(move || {
        holder.exec("START TRANSACTION; SELECT * FROM a; SELECT SLEEP(8); COMMIT;");
    });
    let in_db = |what: &str| {
        format!(
            "SELECT count(*) FROM information_schema.processlist WHERE {what} AND db = DATABASE()"
        )
    };
    let waited = std::time::Instant::now();
    while t.query(&in_db("info LIKE 'SELECT SLEEP%'")) != "1" {
        assert!(
            waited.elapsed().as_secs() < 10,
            "the lock holder never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let child = support::sluice()
        .args([
            "apply",
            &p,
            "--target",
            &t.url(),
            "--yes",
            "--lock-timeout",
            "60",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("sluice");
    while t.query(&in_db("info LIKE 'ALTER TABLE%'")) != "1" {
        assert!(
            waited.elapsed().as_secs() < 15,
            "sluice never waited on the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(130), "{}", err(&o));
    // Stopped on the server, not left waiting there.
    assert_eq!(t.query(&in_db("info LIKE 'ALTER TABLE%'")), "0");
    held.join().expect("the lock holder");
    assert_eq!(
        t.query("SELECT count(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'a'"),
        "1"
    );
    // The same pack runs to the end afterwards.
    let o = run(&["apply", &p, "--target", &t.url(), "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        t.query("SELECT count(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'a'"),
        "2"
    );
}
