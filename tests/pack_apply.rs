//! Migration packs and safe apply on PostgreSQL: pack contents, gates, all-or-nothing, dry run,
//! timeouts, Ctrl-C, history.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::PgDb;

fn run(args: &[&str]) -> Output {
    support::sluice().args(args).output().expect("run sluice")
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn pair(target_sql: &str, source_sql: &str) -> (PgDb, PgDb) {
    let t = support::pg_db();
    let s = support::pg_db();
    t.exec(target_sql);
    s.exec(source_sql);
    (s, t)
}

fn plan(s: &PgDb, t: &PgDb, dir: &Path, extra: &[&str]) -> Output {
    let p = dir.to_string_lossy().into_owned();
    let (su, tu) = (s.url(), t.url());
    let mut args = vec!["schema", "plan", &su, &tu, "--out", &p];
    args.extend_from_slice(extra);
    let args: Vec<String> = args.into_iter().map(String::from).collect();
    support::sluice().args(&args).output().expect("run sluice")
}

/// The schema and every row of TARGET, as one string to compare before and after.
fn state(t: &PgDb) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let snap = dir.path().join("s.json");
    let o = run(&["snapshot", &t.url(), "--out", &snap.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&snap).expect("snapshot")).expect("json");
    let rows = t.query(
        "SELECT string_agg(format('%s:%s', table_name, (xpath('/row/c/text()', query_to_xml(format('select count(*) as c from %I.%I', table_schema, table_name), false, true, '')))[1]::text), ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    format!("{}\n{rows}", v["catalog"])
}

const TARGET: &str = "
CREATE TABLE customer (id int PRIMARY KEY, name text NOT NULL, legacy text, email text);
INSERT INTO customer VALUES (1, 'Ada', 'x', 'a@x'), (2, 'Linus', NULL, 'a@x');
CREATE TABLE orders (id int PRIMARY KEY, customer_id int, total numeric(10,2));
INSERT INTO orders VALUES (10, 1, 5.00);
";

const SOURCE: &str = "
CREATE TABLE customer (id int PRIMARY KEY, full_name text NOT NULL, email text, phone text);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customer (id), total numeric(12,2), note text);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
";

#[test]
fn pack_contents_destructive_steps_checksums_and_graph() {
    let (s, t) = pair(TARGET, SOURCE);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    let o = plan(&s, &t, &p, &["--graph"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    // --graph prints the dependency levels on stdout, within 80 columns.
    let graph = String::from_utf8_lossy(&o.stdout);
    assert!(graph.starts_with("level 0"), "{graph}");
    assert!(graph.contains("add_foreign_key"), "{graph}");
    assert!(graph.lines().all(|l| l.chars().count() <= 80));
    for f in [
        "up.sql",
        "down.sql",
        "changelog.md",
        "plan.json",
        "graph.dot",
        "source.json",
        "target.json",
    ] {
        assert!(p.join(f).is_file(), "{f} missing");
    }
    let up = std::fs::read_to_string(p.join("up.sql")).expect("up.sql");
    // Destructive: commented out by default.
    assert!(
        up.contains("-- ALTER TABLE \"public\".\"customer\" DROP COLUMN \"legacy\";"),
        "{up}"
    );
    assert!(up.contains("--   DESTRUCTIVE: can lose data"), "{up}");
    assert!(up.contains("-- step 1:"), "{up}");
    assert!(up.contains("--   risk: "), "{up}");
    // SHA256SUMS covers every file, in sha256sum's format; its own hash is the pack id the
    // plan printed.
    let sums = std::fs::read_to_string(p.join("SHA256SUMS")).expect("SHA256SUMS");
    for f in sluice::engine::pack::PACK_FILES {
        let bytes = std::fs::read(p.join(f)).expect("file");
        let line = format!("{}  {f}", sluice::engine::pack::sha256_hex(&bytes));
        assert!(sums.lines().any(|l| l == line), "{f}: {sums}");
    }
    let id = sluice::engine::pack::sha256_hex(sums.as_bytes());
    assert!(
        err(&o).contains(&format!("pack id {}", &id[..12])),
        "{}",
        err(&o)
    );
    // changelog: counts by risk and the score.
    let log = std::fs::read_to_string(p.join("changelog.md")).expect("changelog");
    assert!(log.contains("Risk score **"), "{log}");
    assert!(log.contains("## table public.customer"), "{log}");
    assert!(log.contains("commented out"), "{log}");
    let dot = std::fs::read_to_string(p.join("graph.dot")).expect("dot");
    assert!(
        dot.starts_with("digraph plan {") && dot.contains("->"),
        "{dot}"
    );
    // With the flag the step is active; per kind likewise.
    let p2 = dir.path().join("pack2");
    assert_eq!(plan_code(&s, &t, &p2, &["--allow-destructive"]), 0);
    let up2 = std::fs::read_to_string(p2.join("up.sql")).expect("up.sql");
    assert!(
        up2.contains("\nALTER TABLE \"public\".\"customer\" DROP COLUMN \"legacy\";"),
        "{up2}"
    );
    let p3 = dir.path().join("pack3");
    assert_eq!(plan_code(&s, &t, &p3, &["--allow", "drop-column"]), 0);
    let up3 = std::fs::read_to_string(p3.join("up.sql")).expect("up.sql");
    assert!(up3.contains("\nALTER TABLE \"public\".\"customer\" DROP COLUMN \"legacy\";"));
    // An unknown kind is a usage error.
    let p4 = dir.path().join("pack4");
    assert_eq!(plan_code(&s, &t, &p4, &["--allow", "drop-everything"]), 2);
    // Applying the per-kind pack needs the kind allowed at apply too.
    let o = run(&[
        "apply",
        &p3.to_string_lossy(),
        "--target",
        &t.url(),
        "--yes",
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", err(&o));
    assert!(err(&o).contains("--allow drop-column"), "{}", err(&o));
    let o = run(&[
        "apply",
        &p3.to_string_lossy(),
        "--target",
        &t.url(),
        "--yes",
        "--allow",
        "drop-column",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(err(&o).contains("TARGET now matches SOURCE"), "{}", err(&o));
}

fn plan_code(s: &PgDb, t: &PgDb, dir: &Path, extra: &[&str]) -> i32 {
    plan(s, t, dir, extra).status.code().unwrap_or(-1)
}

#[test]
fn down_sql_after_up_sql_restores_the_target() {
    // A reversible plan: nothing dropped.
    let (s, t) = pair(
        "CREATE TABLE a (id int PRIMARY KEY, name text); INSERT INTO a VALUES (1, 'x');",
        "CREATE TABLE a (id int PRIMARY KEY, full_name text, note text); CREATE INDEX a_note ON a (note);
         CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));
         CREATE VIEW v AS SELECT id, full_name FROM a;",
    );
    let before = state(&t);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    assert_eq!(plan_code(&s, &t, &p, &[]), 0);
    let o = run(&["apply", &p.to_string_lossy(), "--target", &t.url(), "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_ne!(state(&t), before);
    t.load(&p.join("down.sql"));
    assert_eq!(state(&t), before, "down.sql did not restore TARGET");
}

/// Only the steps up.sql runs are undone: with the destructive step commented out, up.sql and then
/// down.sql through psql give back TARGET exactly (schema and rows).
#[test]
fn down_sql_undoes_only_the_steps_that_ran() {
    let (s, t) = pair(TARGET, SOURCE);
    let before = state(&t);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    assert_eq!(plan_code(&s, &t, &p, &[]), 0);
    let down = std::fs::read_to_string(p.join("down.sql")).expect("down.sql");
    assert!(down.contains("never ran: they are not undone"), "{down}");
    assert!(!down.contains("ADD COLUMN \"legacy\""), "{down}");
    assert!(!down.contains("IRREVERSIBLE"), "{down}");
    // apply refuses a pack with a step commented out: a person runs up.sql by hand.
    t.load(&p.join("up.sql"));
    assert_ne!(state(&t), before);
    assert_eq!(t.query("SELECT count(legacy) FROM customer"), "1");
    t.load(&p.join("down.sql"));
    assert_eq!(
        state(&t),
        before,
        "down.sql did not restore TARGET:\n{down}"
    );
}

/// With the destructive step run, down.sql still runs: the dropped column comes back (empty, said
/// IRREVERSIBLE) before anything that needs it, and TARGET's schema is back.
#[test]
fn down_sql_after_a_destructive_plan_restores_the_schema_and_says_what_is_lost() {
    let (s, t) = pair(
        &format!("{TARGET} CREATE INDEX customer_legacy ON customer (legacy);"),
        SOURCE,
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let snap = dir.path().join("before.json");
    let o = run(&["snapshot", &t.url(), "--out", &snap.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let p = dir.path().join("pack");
    assert_eq!(plan_code(&s, &t, &p, &["--allow-destructive"]), 0);
    let down = std::fs::read_to_string(p.join("down.sql")).expect("down.sql");
    assert!(
        down.contains("--   IRREVERSIBLE: column legacy is dropped with its values"),
        "{down}"
    );
    let add = down
        .find("ADD COLUMN \"legacy\"")
        .expect("legacy added back");
    let index = down
        .find("CREATE INDEX customer_legacy")
        .expect("index made again");
    assert!(add < index, "{down}");
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.join("plan.json")).expect("json"))
            .expect("json");
    let lossy = plan["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["kind"] == "drop_column")
        .expect("the drop");
    assert!(
        lossy["reverse"]["lossy"]["sql"][0]
            .as_str()
            .is_some_and(|q| q.contains("ADD COLUMN")),
        "{lossy}"
    );
    assert!(plan["down"].as_array().is_some_and(|d| !d.is_empty()));
    let o = run(&[
        "apply",
        &p.to_string_lossy(),
        "--target",
        &t.url(),
        "--yes",
        "--allow-destructive",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    t.load(&p.join("down.sql"));
    let o = run(&[
        "schema",
        "diff",
        &snap.to_string_lossy(),
        &t.url(),
        "--exit-code",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "TARGET's schema is not back: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(
        t.query("SELECT count(*) FROM customer WHERE legacy IS NULL"),
        "2"
    );
}

#[test]
fn edited_pack_is_refused_unless_accepted_and_mass_drops_never_run() {
    let (s, t) = pair(
        "CREATE TABLE a (id int);",
        "CREATE TABLE a (id int, b int, c text);",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    assert_eq!(plan_code(&s, &t, &p, &[]), 0);
    let up_path = p.join("up.sql");
    let up = std::fs::read_to_string(&up_path).expect("up.sql");
    // The reviewer changes a step: column c becomes varchar(20).
    let edited = up.replace("ADD COLUMN \"c\" text", "ADD COLUMN \"c\" varchar(20)");
    assert_ne!(edited, up);
    std::fs::write(&up_path, &edited).expect("write");
    let o = run(&["apply", &p.to_string_lossy(), "--target", &t.url(), "--yes"]);
    assert_eq!(o.status.code(), Some(4), "{}", err(&o));
    assert!(
        err(&o).contains("up.sql edited after planning"),
        "{}",
        err(&o)
    );
    assert_eq!(
        t.query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'a'"),
        "1"
    );
    let o = run(&[
        "apply",
        &p.to_string_lossy(),
        "--target",
        &t.url(),
        "--yes",
        "--accept-edits",
    ]);
    // The edit ran, and TARGET now differs from SOURCE where it was edited: said, exit 8.
    assert_eq!(o.status.code(), Some(8), "{}", err(&o));
    assert!(
        err(&o).contains("TARGET still differs from SOURCE in 1 place(s)")
            && err(&o).contains("alter_column_type public.a.c"),
        "{}",
        err(&o)
    );
    assert_eq!(
        t.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'a' AND column_name = 'c'"),
        "character varying",
        "the edited SQL ran"
    );
    // An edit that adds a mass drop is refused even when edits are accepted.
    let (s2, t2) = pair(
        "CREATE TABLE a (id int);",
        "CREATE TABLE a (id int, b int);",
    );
    let p2 = dir.path().join("pack2");
    assert_eq!(plan_code(&s2, &t2, &p2, &[]), 0);
    let up2 = std::fs::read_to_string(p2.join("up.sql")).expect("up.sql");
    let evil = up2.replace(
        "ADD COLUMN \"b\" integer;",
        "ADD COLUMN \"b\" integer;\nDROP SCHEMA public CASCADE;",
    );
    assert_ne!(evil, up2);
    std::fs::write(p2.join("up.sql"), evil).expect("write");
    let o = run(&[
        "apply",
        &p2.to_string_lossy(),
        "--target",
        &t2.url(),
        "--yes",
        "--accept-edits",
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", err(&o));
    assert!(
        err(&o).contains("DROP SCHEMA public CASCADE"),
        "{}",
        err(&o)
    );
    assert_eq!(
        t2.query("SELECT count(*) FROM information_schema.tables WHERE table_name = 'a'"),
        "1"
    );
}

/// A plan of 9 steps whose 5th fails (a unique index over duplicated data).
fn failing_pair() -> (PgDb, PgDb) {
    pair(
        "CREATE TABLE a (id int PRIMARY KEY, email text); INSERT INTO a VALUES (1, 'x'), (2, 'x');
         CREATE TABLE z (id int PRIMARY KEY); INSERT INTO z VALUES (1), (2), (3);",
        "CREATE SCHEMA s1; CREATE TABLE s1.t1 (id int);
         CREATE TABLE a (id int PRIMARY KEY, email text, note text, extra int DEFAULT 0);
         CREATE UNIQUE INDEX a_email ON a (email);
         CREATE TABLE z (id int PRIMARY KEY, label text);
         CREATE INDEX z_label ON z (label);
         CREATE VIEW v AS SELECT id, note FROM a;
         CREATE TABLE b (id int);",
    )
}

#[test]
fn a_failing_middle_step_leaves_schema_and_rows_unchanged() {
    let (s, t) = failing_pair();
    let before = state(&t);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    assert_eq!(plan_code(&s, &t, &p, &[]), 0);
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.join("plan.json")).expect("json"))
            .expect("json");
    let steps = plan["steps"].as_array().expect("steps");
    let failing = steps
        .iter()
        .position(|st| st["object"] == "public.a.a_email")
        .expect("the unique index step");
    assert!(
        failing > 0 && failing + 1 < steps.len(),
        "steps run before and after it"
    );
    let o = run(&["apply", &p.to_string_lossy(), "--target", &t.url(), "--yes"]);
    assert_eq!(o.status.code(), Some(5), "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains(&format!("step {} of {}", failing + 1, steps.len())),
        "{e}"
    );
    assert!(e.contains("rolled back, nothing changed"), "{e}");
    assert_eq!(state(&t), before, "TARGET changed");
}

#[test]
fn dry_run_reports_the_failing_step_and_changes_nothing() {
    let (s, t) = failing_pair();
    let before = state(&t);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    assert_eq!(plan_code(&s, &t, &p, &[]), 0);
    let o = run(&[
        "apply",
        &p.to_string_lossy(),
        "--target",
        &t.url(),
        "--dry-run",
    ]);
    assert_eq!(o.status.code(), Some(5), "{}", err(&o));
    assert!(err(&o).contains("a_email"), "{}", err(&o));
    assert_eq!(state(&t), before);
    // A plan that works: the dry run says so, and still changes nothing.
    t.exec("DELETE FROM a WHERE id = 2");
    let before = state(&t);
    let p2 = dir.path().join("pack2");
    assert_eq!(plan_code(&s, &t, &p2, &[]), 0);
    let o = run(&[
        "apply",
        &p2.to_string_lossy(),
        "--target",
        &t.url(),
        "--dry-run",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(err(&o).contains("dry run"), "{}", err(&o));
    assert_eq!(state(&t), before);
}

/// Holds an ACCESS EXCLUSIVE lock on `table` in another session for `secs` seconds.
fn hold_lock(t: &PgDb, table: &str, secs: u32) -> std::process::Child {
    Command::new("psql")
        .args([
            "-X",
            "-q",
            "-h",
            "127.0.0.1",
            "-p",
            &t.port.to_string(),
            "-U",
            "postgres",
            "-d",
            &t.name,
        ])
        .env("PGPASSWORD", support::PG_PASSWORD)
        .arg("-c")
        .arg(format!(
            "BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep({secs}); COMMIT;"
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("psql")
}

fn wait_for_lock(t: &PgDb) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        // pg_locks is server-wide: only locks in this database count.
        if t.query("SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND relation IS NOT NULL AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") != "0" {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the other session did not take its lock");
}

#[test]
fn a_step_blocked_by_a_lock_fails_within_the_lock_timeout() {
    let (s, t) = pair(
        "CREATE TABLE a (id int);",
        "CREATE TABLE a (id int, b int);",
    );
    let before = state(&t);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    assert_eq!(plan_code(&s, &t, &p, &[]), 0);
    let mut holder = hold_lock(&t, "a", 20);
    wait_for_lock(&t);
    let start = Instant::now();
    let o = run(&[
        "apply",
        &p.to_string_lossy(),
        "--target",
        &t.url(),
        "--yes",
        "--lock-timeout",
        "1",
    ]);
    let took = start.elapsed();
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(o.status.code(), Some(5), "{}", err(&o));
    assert!(err(&o).contains("lock timeout"), "{}", err(&o));
    assert!(
        err(&o).contains("another session holds a lock"),
        "{}",
        err(&o)
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(state(&t), before);
}

#[test]
fn ctrl_c_cancels_the_statement_and_rolls_back() {
    let (s, t) = pair(
        "CREATE TABLE a (id int); CREATE TABLE c (id int);",
        "CREATE TABLE a (id int, b int); CREATE TABLE c (id int, d int); CREATE TABLE n (id int);",
    );
    let before = state(&t);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    assert_eq!(plan_code(&s, &t, &p, &[]), 0);
    let mut holder = hold_lock(&t, "c", 30);
    wait_for_lock(&t);
    let child = support::sluice()
        .args([
            "apply",
            &p.to_string_lossy(),
            "--target",
            &t.url(),
            "--yes",
            "--lock-timeout",
            "60",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sluice");
    // Wait until sluice is blocked on the lock, then interrupt it.
    let start = Instant::now();
    // pg_stat_activity is server-wide and other tests run sluice too: only this database counts.
    let waiting = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name = 'sluice' AND datname = '{}'",
        t.name
    );
    while t.query(&waiting) == "0" {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "sluice never waited on the lock"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = child.id().to_string();
    let _ = Command::new("kill").args(["-INT", &pid]).status();
    let o = child.wait_with_output().expect("wait");
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(o.status.code(), Some(130), "{}", err(&o));
    // The statement was cancelled on the server: nothing of ours is left waiting.
    assert_eq!(
        t.query(&format!(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sluice' AND state = 'active' AND datname = '{}'",
            t.name
        )),
        "0"
    );
    assert_eq!(state(&t), before);
}

#[test]
fn history_records_successful_and_failed_applies() {
    let (s, t) = failing_pair();
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    assert_eq!(plan_code(&s, &t, &p, &[]), 0);
    assert_eq!(
        run(&["apply", &p.to_string_lossy(), "--target", &t.url(), "--yes"])
            .status
            .code(),
        Some(5)
    );
    t.exec("DELETE FROM a WHERE id = 2");
    let p2 = dir.path().join("pack2");
    assert_eq!(plan_code(&s, &t, &p2, &[]), 0);
    assert_eq!(
        run(&[
            "apply",
            &p2.to_string_lossy(),
            "--target",
            &t.url(),
            "--yes"
        ])
        .status
        .code(),
        Some(0)
    );
    let o = run(&["history", "--target", &t.name, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let all: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let v = &all["entries"];
    assert_eq!(all["corrupt"].as_array().map(Vec::len), Some(0), "{all}");
    let results: Vec<&str> = v
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["result"].as_str())
        .collect();
    assert_eq!(results, ["rolled back", "applied"], "{v}");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        !text.contains(support::PG_PASSWORD),
        "password in the history"
    );
    let first = &v[0];
    assert!(
        first["error"]
            .as_str()
            .is_some_and(|e| e.contains("a_email"))
    );
    assert!(first["steps"].as_u64().is_some_and(|n| n > 0));
    assert!(!first["user"].as_str().unwrap_or("").is_empty());
    let o = run(&["history", "--target", &t.name]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("rolled back") && text.contains("applied"),
        "{text}"
    );
}
