//! The apply gates on PostgreSQL and SQLite, tried as a new user and as an attacker would: every
//! file of a pack under its integrity check, plans with filters and with destructive steps left
//! out that still apply, exit codes that never say success when TARGET differs, signals that
//! cancel on the server, one apply at a time, the right target, file modes.

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

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn pg_pair(target_sql: &str, source_sql: &str) -> (PgDb, PgDb) {
    let t = support::pg_db();
    let s = support::pg_db();
    t.exec(target_sql);
    s.exec(source_sql);
    (s, t)
}

fn plan(source: &str, target: &str, dir: &Path, extra: &[&str]) -> Output {
    let p = dir.to_string_lossy().into_owned();
    let mut args = vec!["schema", "plan", source, target, "--out", &p];
    args.extend_from_slice(extra);
    run(&args)
}

fn apply(dir: &Path, target: &str, extra: &[&str]) -> Output {
    let p = dir.to_string_lossy().into_owned();
    let mut args = vec!["apply", &p, "--target", target, "--yes"];
    args.extend_from_slice(extra);
    run(&args)
}

/// TARGET's schema as PostgreSQL itself prints it (independent of sluice's model).
fn pg_schema(t: &PgDb) -> String {
    t.query(
        "SELECT string_agg(x, E'\\n' ORDER BY x) FROM (
           SELECT format('%s.%s %s %s %s', table_schema, table_name, column_name, data_type, is_nullable) AS x
             FROM information_schema.columns WHERE table_schema = 'public'
           UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
           UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
             WHERE connamespace = 'public'::regnamespace
           UNION ALL SELECT 'table ' || tablename FROM pg_tables WHERE schemaname = 'public') s",
    )
}

const TARGET: &str = "
CREATE TABLE customer (id int PRIMARY KEY, name text NOT NULL, legacy_id int UNIQUE, email text);
CREATE TABLE legacy (id int PRIMARY KEY);
INSERT INTO legacy VALUES (1), (2);
ALTER TABLE customer ADD CONSTRAINT customer_legacy_fk FOREIGN KEY (legacy_id) REFERENCES legacy (id);
CREATE INDEX customer_legacy_idx ON customer (legacy_id, email);
INSERT INTO customer VALUES (1, 'Ada', 1, 'a@x'), (2, 'Linus', 2, 'l@x');
CREATE TABLE orders (id int PRIMARY KEY, customer_id int, total numeric(10,2));
";

const SOURCE: &str = "
CREATE TABLE customer (id int PRIMARY KEY, name text NOT NULL, email text, phone text);
CREATE TABLE legacy (id int PRIMARY KEY);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customer (id), total numeric(12,2));
CREATE INDEX orders_customer ON orders (customer_id);
";

fn plan_json(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("plan.json")).expect("plan.json"))
        .expect("json")
}

fn write_json(dir: &Path, v: &serde_json::Value) {
    std::fs::write(
        dir.join("plan.json"),
        serde_json::to_string_pretty(v).expect("json") + "\n",
    )
    .expect("write plan.json");
}

/// A fresh copy of a pack directory.
fn copy_pack(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read pack").flatten() {
        std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
    }
}

#[test]
fn every_pack_file_is_under_the_integrity_check() {
    let (s, t) = pg_pair(TARGET, SOURCE);
    let before = pg_schema(&t);
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("good");
    let o = plan(&s.url(), &t.url(), &good, &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let id_line = err(&o);
    let m = plan_json(&good);
    let steps = m["steps"].as_array().expect("steps").clone();
    let destructive = steps
        .iter()
        .position(|st| st["destructive"] == true)
        .expect("a destructive step");
    let live = steps
        .iter()
        .position(|st| st["enabled"] == true && st["sql"].as_array().is_some_and(|a| !a.is_empty()))
        .expect("a step that runs");
    type Tamper = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Tamper, &str)> = vec![
        (
            "plan.json: a destructive step switched on",
            Box::new(move |p: &Path| {
                let mut v = plan_json(p);
                v["steps"][destructive]["enabled"] = true.into();
                v["steps"][destructive]["left_out"] = serde_json::Value::Null;
                write_json(p, &v);
            }),
            "plan.json (step",
        ),
        (
            "plan.json: an invented statement",
            Box::new(move |p: &Path| {
                let mut v = plan_json(p);
                v["steps"][live]["sql"] = serde_json::json!(["CREATE TABLE invented (id int)"]);
                write_json(p, &v);
            }),
            &*Box::leak(format!("plan.json (step {})", live + 1).into_boxed_str()),
        ),
        (
            "plan.json: steps reordered",
            Box::new(|p: &Path| {
                let mut v = plan_json(p);
                let arr = v["steps"].as_array_mut().expect("steps");
                arr.swap(0, 1);
                write_json(p, &v);
            }),
            "plan.json (steps",
        ),
        (
            "up.sql",
            Box::new(|p: &Path| {
                let up = std::fs::read_to_string(p.join("up.sql")).expect("up.sql");
                std::fs::write(p.join("up.sql"), up + "\nCREATE TABLE invented (id int);\n")
                    .expect("write");
            }),
            "up.sql edited after planning",
        ),
        (
            "down.sql",
            Box::new(|p: &Path| {
                std::fs::write(p.join("down.sql"), "DROP TABLE customer;\n").expect("write");
            }),
            "down.sql changed since planning",
        ),
        (
            "source.json",
            Box::new(|p: &Path| {
                let t = std::fs::read_to_string(p.join("source.json")).expect("read");
                std::fs::write(p.join("source.json"), t.replace("phone", "phony")).expect("write");
            }),
            "source.json changed since planning",
        ),
        (
            "target.json",
            Box::new(|p: &Path| {
                let t = std::fs::read_to_string(p.join("target.json")).expect("read");
                std::fs::write(p.join("target.json"), t + " ").expect("write");
            }),
            "target.json changed since planning",
        ),
        (
            "SHA256SUMS removed",
            Box::new(|p: &Path| std::fs::remove_file(p.join("SHA256SUMS")).expect("rm")),
            "has no SHA256SUMS",
        ),
    ];
    for (i, (what, tamper, says)) in cases.iter().enumerate() {
        let p = dir.path().join(format!("t{i}"));
        copy_pack(&good, &p);
        tamper(&p);
        // The pinned id is what a reviewer saw at plan time.
        let id = id_line
            .split("pack id ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .expect("pack id printed at plan time")
            .to_string();
        for extra in [vec![], vec!["--accept-edits", "--pack-id", id.as_str()]] {
            if *what == "up.sql" && !extra.is_empty() {
                continue; // an accepted up.sql edit runs (below)
            }
            let o = apply(&p, &t.url(), &extra);
            assert_eq!(code(&o), 4, "{what} {extra:?}: {}", err(&o));
            assert!(err(&o).contains(says), "{what}: {}", err(&o));
            assert_eq!(pg_schema(&t), before, "{what}: TARGET changed");
        }
    }
    // Files changed in place and SHA256SUMS rewritten to match: the pack agrees with itself, but
    // not with what sluice wrote there (this machine's record), nor with the id the reviewer saw.
    let rewrite = |p: &Path| {
        let mut v = plan_json(p);
        v["steps"][live]["sql"] = serde_json::json!(["CREATE TABLE invented (id int)"]);
        write_json(p, &v);
        let sums = std::fs::read_to_string(p.join("SHA256SUMS")).expect("sums");
        let bytes = std::fs::read(p.join("plan.json")).expect("plan");
        let fixed: String = sums
            .lines()
            .map(|l| {
                if l.ends_with("  plan.json") {
                    format!("{}  plan.json\n", sluice::engine::pack::sha256_hex(&bytes))
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        std::fs::write(p.join("SHA256SUMS"), fixed).expect("write");
    };
    let in_place = dir.path().join("in-place");
    let o = plan(&s.url(), &t.url(), &in_place, &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    rewrite(&in_place);
    let o = apply(&in_place, &t.url(), &[]);
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(
        err(&o).contains("is not the one sluice wrote there"),
        "{}",
        err(&o)
    );
    // A copy elsewhere has no record to contradict it: the id pinned at review time catches it.
    let elsewhere = dir.path().join("elsewhere");
    copy_pack(&good, &elsewhere);
    rewrite(&elsewhere);
    let id = id_line
        .split("pack id ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("pack id")
        .to_string();
    let o = apply(&elsewhere, &t.url(), &["--pack-id", &id]);
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(
        err(&o).contains("it is not the pack that was reviewed"),
        "{}",
        err(&o)
    );
    assert_eq!(pg_schema(&t), before, "TARGET changed");
    // What the reviewer saw still applies, and the invented table never exists.
    let o = apply(&good, &t.url(), &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        t.query("SELECT count(*) FROM pg_tables WHERE tablename = 'invented'"),
        "0"
    );
    // An accepted up.sql edit is what runs.
    let (s2, t2) = pg_pair(
        "CREATE TABLE a (id int);",
        "CREATE TABLE a (id int, b int);",
    );
    let p2 = dir.path().join("edited");
    assert_eq!(code(&plan(&s2.url(), &t2.url(), &p2, &[])), 0);
    let up = std::fs::read_to_string(p2.join("up.sql")).expect("up.sql");
    std::fs::write(
        p2.join("up.sql"),
        up.replace("\"b\" integer", "\"b\" bigint"),
    )
    .expect("edit");
    let o = apply(&p2, &t2.url(), &["--accept-edits"]);
    assert_eq!(code(&o), 8, "{}", err(&o));
    assert_eq!(
        t2.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'a' AND column_name = 'b'"),
        "bigint"
    );
}

#[test]
fn a_filtered_plan_applies_and_is_checked_on_its_objects_only() {
    let (s, t) = pg_pair(
        "CREATE TABLE album (id int PRIMARY KEY); CREATE TABLE artist (id int PRIMARY KEY);
         CREATE TABLE track (id int PRIMARY KEY, name text);",
        "CREATE TABLE album (id int PRIMARY KEY, title text); CREATE TABLE artist (id int PRIMARY KEY, name text);
         CREATE TABLE track (id int PRIMARY KEY, name text, ms int); CREATE TABLE genre (id int PRIMARY KEY);",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    let o = plan(&s.url(), &t.url(), &p, &["--table", "a*"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let up = std::fs::read_to_string(p.join("up.sql")).expect("up.sql");
    assert!(up.contains("table:a*"), "{up}");
    assert!(!up.contains("track") && !up.contains("genre"), "{up}");
    let o = apply(&p, &t.url(), &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let e = err(&o);
    assert!(e.contains("TARGET now matches SOURCE (only the objects the plan's filters keep were compared: table:a*)"), "{e}");
    // The filtered objects converged; the rest was not touched.
    let o = run(&[
        "schema",
        "diff",
        &s.url(),
        &t.url(),
        "--table",
        "a*",
        "--exit-code",
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(
        t.query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'track'"),
        "2"
    );
}

#[test]
fn destructive_steps_left_out_with_what_serves_them_and_the_rest_applies() {
    let (s, t) = pg_pair(TARGET, SOURCE);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    let o = plan(&s.url(), &t.url(), &p, &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let m = plan_json(&p);
    let by_object = |kind: &str, object: &str| {
        m["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .find(|st| st["kind"] == kind && st["object"] == object)
            .cloned()
            .unwrap_or_else(|| panic!("no {kind} {object} in {m}"))
    };
    let drop_col = by_object("drop_column", "public.customer.legacy_id");
    let n = drop_col["number"].as_u64().expect("number");
    assert_eq!(drop_col["enabled"], false);
    assert_eq!(drop_col["left_out"]["destructive"]["kind"], "drop-column");
    // The foreign key, the unique key and the index over the column exist only to let it go:
    // each is left out with the drop (directly, or through one that is).
    let serving = [
        ("drop_foreign_key", "public.customer.customer_legacy_fk"),
        ("drop_unique", "public.customer.customer_legacy_id_key"),
        ("drop_index", "public.customer.customer_legacy_idx"),
    ];
    for (kind, object) in serving {
        let mut st = by_object(kind, object);
        assert_eq!(st["enabled"], false, "{st}");
        let mut hops = 0;
        while let Some(w) = st["left_out"]["with"]["step"].as_u64() {
            st = m["steps"][usize::try_from(w).expect("step") - 1].clone();
            hops += 1;
            assert!(hops < 5, "{m}");
        }
        assert_eq!(
            st["number"], n,
            "{kind} {object} is not left out with the drop: {m}"
        );
    }
    // Nothing else is left out: the orders changes run.
    let left: usize = m["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter(|st| st["enabled"] == false)
        .count();
    assert_eq!(left, 4, "{m}");
    // up.sql shows them commented out, with why.
    let up = std::fs::read_to_string(p.join("up.sql")).expect("up.sql");
    assert!(
        up.contains(&format!("LEFT OUT: left out with step {n}")),
        "{up}"
    );
    assert!(up.contains("-- DROP INDEX"), "{up}");
    // `schema diff --format sql` prints the same gate: nothing destructive is live.
    let o = run(&["schema", "diff", &s.url(), &t.url(), "--format", "sql"]);
    let sql = String::from_utf8_lossy(&o.stdout);
    for line in sql.lines().filter(|l| !l.starts_with("--")) {
        assert!(
            !line.contains("DROP COLUMN"),
            "live destructive SQL: {line}"
        );
        assert!(!line.contains("DROP INDEX"), "live serving SQL: {line}");
    }
    assert!(
        sql.contains("-- ALTER TABLE \"public\".\"customer\" DROP COLUMN \"legacy_id\";"),
        "{sql}"
    );
    // The rest applies; the summary lists what was left out, and the check names exactly those.
    let o = apply(&p, &t.url(), &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let e = err(&o);
    assert!(e.contains("4 step(s) were left out"), "{e}");
    assert!(
        e.contains("TARGET matches SOURCE except what the 4 step(s) left out would change: "),
        "{e}"
    );
    for what in [
        "drop_column public.customer.legacy_id",
        "drop_foreign_key public.customer.customer_legacy_fk",
        "drop_unique public.customer.customer_legacy_id_key",
        "drop_index public.customer.customer_legacy_idx",
    ] {
        assert!(e.contains(what), "{what}: {e}");
    }
    assert_eq!(
        t.query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'customer' AND column_name IN ('legacy_id', 'phone')"),
        "2"
    );
    assert_eq!(
        t.query("SELECT count(*) FROM customer WHERE legacy_id IS NOT NULL"),
        "2"
    );
}

#[test]
fn an_apply_that_does_not_converge_exits_8_and_says_what_differs() {
    // Chinook from SQLite into an empty PostgreSQL database: whatever the cross-dialect plan
    // cannot express, the apply's own check finds — and the exit code says what it says.
    if let Some(chinook) = support::fixture("chinook/sqlite.sql") {
        let src = support::sqlite_db();
        src.load(&chinook);
        let t = support::pg_db();
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("pack");
        let o = plan(&src.url(), &t.url(), &p, &[]);
        assert_eq!(code(&o), 0, "{}", err(&o));
        let o = apply(&p, &t.url(), &[]);
        let e = err(&o);
        eprintln!("Chinook SQLite → PostgreSQL: exit {}: {e}", code(&o));
        let diff = run(&["schema", "diff", &src.url(), &t.url(), "--exit-code"]);
        match code(&o) {
            0 => {
                assert!(e.contains("TARGET now matches SOURCE"), "{e}");
                assert_eq!(code(&diff), 0, "{}", String::from_utf8_lossy(&diff.stdout));
            }
            8 => {
                assert!(e.contains("TARGET still differs from SOURCE in "), "{e}");
                assert_eq!(code(&diff), 1, "the check and `schema diff` disagree");
            }
            c => panic!("exit {c}: {e}"),
        }
    }
    // And a plan edited so that it cannot converge is reported as such.
    let dir = tempfile::tempdir().expect("tempdir");
    let (s2, t2) = pg_pair(
        "CREATE TABLE a (id int);",
        "CREATE TABLE a (id int, b int, c text);",
    );
    let p2 = dir.path().join("p2");
    assert_eq!(code(&plan(&s2.url(), &t2.url(), &p2, &[])), 0);
    let up = std::fs::read_to_string(p2.join("up.sql")).expect("up.sql");
    let cut: String = up
        .lines()
        .filter(|l| !l.contains("ADD COLUMN \"c\""))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(p2.join("up.sql"), cut).expect("edit");
    // A step removed by hand is the person's choice: left out, named, and not a failure.
    let o = apply(&p2, &t2.url(), &["--accept-edits"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let e = err(&o);
    assert!(e.contains("1 step(s) were left out"), "{e}");
    assert!(e.contains("removed from up.sql by hand"), "{e}");
    assert!(e.contains("TARGET matches SOURCE except what the 1 step(s) left out would change: add_column public.a.c"), "{e}");
}

/// Holds an ACCESS EXCLUSIVE lock on `table` in another session for `secs` seconds.
fn hold_lock(t: &PgDb, table: &str, secs: u32) -> std::process::Child {
    t.psql()
        .arg("-c")
        .arg(format!(
            "BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep({secs}); COMMIT;"
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("psql")
}

fn wait_until(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < Duration::from_secs(secs), "{what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Starts `sluice apply` against a pack whose second table is locked by another session, and
/// waits until sluice waits on that lock.
fn blocked_apply(t: &PgDb, p: &Path) -> std::process::Child {
    let child = support::sluice()
        .args(["apply", &p.to_string_lossy(), "--target", &t.url(), "--yes"])
        .args(["--lock-timeout", "60"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sluice");
    let waiting = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name = 'sluice' AND datname = '{}'",
        t.name
    );
    wait_until("sluice never waited on the lock", 20, || {
        t.query(&waiting) != "0"
    });
    child
}

fn history_json(db: &str) -> serde_json::Value {
    let o = run(&["history", "--target", db, "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    serde_json::from_slice(&o.stdout).expect("json")
}

#[test]
fn sigterm_and_sighup_cancel_on_the_server_roll_back_and_are_recorded() {
    for (signal, exit) in [("TERM", 143), ("HUP", 129), ("INT", 130)] {
        let (s, t) = pg_pair(
            "CREATE TABLE a (id int); CREATE TABLE c (id int);",
            "CREATE TABLE a (id int, b int); CREATE TABLE c (id int, d int); CREATE TABLE n (id int);",
        );
        let before = pg_schema(&t);
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("pack");
        assert_eq!(code(&plan(&s.url(), &t.url(), &p, &[])), 0);
        let mut holder = hold_lock(&t, "c", 60);
        wait_until("the other session did not take its lock", 10, || {
            t.query("SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND granted AND relation IS NOT NULL AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") != "0"
        });
        let child = blocked_apply(&t, &p);
        let sent = Instant::now();
        let _ = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status();
        let o = child.wait_with_output().expect("wait");
        assert_eq!(code(&o), exit, "SIG{signal}: {}", err(&o));
        assert!(
            err(&o).contains(&format!("interrupted (SIG{signal})")),
            "{}",
            err(&o)
        );
        // Within 5 s no backend of ours is left in this database, while the other session still
        // holds its lock.
        wait_until("a backend of ours is still there", 5, || {
            t.query(&format!(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'sluice%' AND datname = '{}'",
                t.name
            )) == "0"
        });
        assert!(
            sent.elapsed() < Duration::from_secs(8),
            "took {:?}",
            sent.elapsed()
        );
        let _ = holder.kill();
        let _ = holder.wait();
        assert_eq!(pg_schema(&t), before, "SIG{signal}: TARGET changed");
        let h = history_json(&t.name);
        let last = h["entries"]
            .as_array()
            .and_then(|a| a.last())
            .cloned()
            .expect("an entry");
        assert_eq!(last["result"], "interrupted", "{h}");
        assert!(
            last["error"]
                .as_str()
                .is_some_and(|e| e.contains(&format!("SIG{signal}"))),
            "{h}"
        );
    }
}

#[test]
fn one_apply_at_a_time_the_second_is_refused_naming_the_holder() {
    let (s, t) = pg_pair(
        "CREATE TABLE a (id int); CREATE TABLE c (id int);",
        "CREATE TABLE a (id int, b int); CREATE TABLE c (id int, d int);",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    assert_eq!(code(&plan(&s.url(), &t.url(), &p, &[])), 0);
    let mut holder = hold_lock(&t, "c", 60);
    wait_until("no lock", 10, || {
        t.query("SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND granted AND relation IS NOT NULL AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") != "0"
    });
    let first = blocked_apply(&t, &p);
    let started = Instant::now();
    let o = apply(&p, &t.url(), &[]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "not refused at once"
    );
    assert_eq!(code(&o), 4, "{}", err(&o));
    let e = err(&o);
    assert!(e.contains("another apply holds TARGET since "), "{e}");
    let user = String::from_utf8_lossy(&Command::new("id").arg("-un").output().expect("id").stdout)
        .trim()
        .to_string();
    assert!(e.contains(&format!(" by {user}@")), "{e}");
    // The first one goes on once the other session lets go, and converges.
    let _ = holder.kill();
    let _ = holder.wait();
    let o = first.wait_with_output().expect("wait");
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).contains("TARGET now matches SOURCE"), "{}", err(&o));
    // SQLite: the same, with a file lock.
    let src = support::sqlite_db();
    let tgt = support::sqlite_db();
    tgt.exec("CREATE TABLE a (id integer);");
    src.exec("CREATE TABLE a (id integer, b text);");
    let p2 = dir.path().join("lite");
    assert_eq!(code(&plan(&src.url(), &tgt.url(), &p2, &[])), 0);
    let f = std::fs::File::open(&tgt.path).expect("open");
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor we own, as a second apply would.
    assert_eq!(
        unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) },
        0
    );
    let o = apply(&p2, &tgt.url(), &[]);
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(
        err(&o).contains("another apply holds TARGET"),
        "{}",
        err(&o)
    );
    drop(f);
    let o = apply(&p2, &tgt.url(), &[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
}

#[test]
fn a_pack_is_for_the_database_it_was_planned_for() {
    let schema = "CREATE TABLE a (id int);";
    let (s, t) = pg_pair(schema, "CREATE TABLE a (id int, b int);");
    let other = support::pg_db();
    other.exec(schema);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    assert_eq!(code(&plan(&s.url(), &t.url(), &p, &[])), 0);
    let o = apply(&p, &other.url(), &[]);
    assert_eq!(code(&o), 4, "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains("TARGET is not the database this pack was planned for"),
        "{e}"
    );
    assert!(
        e.contains(&format!("database {}", t.name)) && e.contains(&other.name),
        "{e}"
    );
    assert!(e.contains("--retarget"), "{e}");
    let o = apply(&p, &other.url(), &["--retarget"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    // SQLite: a copy of the file is another database.
    let src = support::sqlite_db();
    let tgt = support::sqlite_db();
    tgt.exec("CREATE TABLE a (id integer);");
    src.exec("CREATE TABLE a (id integer, b text);");
    let p2 = dir.path().join("lite");
    assert_eq!(code(&plan(&src.url(), &tgt.url(), &p2, &[])), 0);
    let copy = dir.path().join("copy.db");
    std::fs::copy(&tgt.path, &copy).expect("copy");
    let o = apply(&p2, &format!("sqlite:{}", copy.display()), &[]);
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(err(&o).contains("SQLite file"), "{}", err(&o));
}

#[test]
fn files_are_private_whatever_the_umask_and_out_dirs_are_checked() {
    let src = support::sqlite_db();
    let tgt = support::sqlite_db();
    tgt.exec("CREATE TABLE a (id integer PRIMARY KEY, v text); INSERT INTO a VALUES (1, 'x');");
    src.exec("CREATE TABLE a (id integer PRIMARY KEY, v text, b text); INSERT INTO a VALUES (1, 'y', NULL);");
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let under_umask_000 = |args: &[&str]| -> Output {
        let mut script = String::from("umask 000; exec \"$0\"");
        for (i, _) in args.iter().enumerate() {
            script.push_str(&format!(" \"${}\"", i + 1));
        }
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(env!("CARGO_BIN_EXE_sluice"))
            .args(args)
            .env("NO_COLOR", "1")
            .env("SLUICE_DATA_DIR", &data)
            .output()
            .expect("sh")
    };
    let p = dir.path().join("pack");
    let ps = p.to_string_lossy().into_owned();
    let o = under_umask_000(&["schema", "plan", &src.url(), &tgt.url(), "--out", &ps]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = under_umask_000(&["apply", &ps, "--target", &tgt.url(), "--yes"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = under_umask_000(&["data", "diff", &src.url(), &tgt.url()]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    let mut checked = 0;
    let mut walk = vec![p.clone(), data.clone()];
    while let Some(d) = walk.pop() {
        assert_eq!(mode(&d), 0o700, "{}", d.display());
        checked += 1;
        for e in std::fs::read_dir(&d).expect("read").flatten() {
            let path = e.path();
            if path.is_dir() {
                walk.push(path);
            } else {
                assert_eq!(mode(&path), 0o600, "{}", path.display());
                checked += 1;
            }
        }
    }
    assert!(data.join("history.jsonl").is_file());
    assert!(checked > 12, "only {checked} files seen");
    // A run killed mid-write leaves a temporary file: it goes the next time the run is opened.
    let run_dir = std::fs::read_dir(data.join("runs"))
        .expect("runs")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.is_dir())
        .expect("a run");
    let stale = run_dir.join(".tmpKILLED");
    std::fs::write(&stale, "{").expect("write");
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .and_then(|f| f.set_modified(std::time::SystemTime::now() - Duration::from_secs(3600)))
        .expect("age");
    let id = run_dir
        .file_name()
        .expect("id")
        .to_string_lossy()
        .into_owned();
    let o = under_umask_000(&["data", "show", &id]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(!stale.exists(), "the stale temporary file is still there");
    // A truncated history line is listed as corrupt, not hidden.
    use std::io::Write as _;
    std::fs::OpenOptions::new()
        .append(true)
        .open(data.join("history.jsonl"))
        .and_then(|mut f| f.write_all(b"{\"event\": \"started\", \"id\": \"x\", \"ti"))
        .expect("append");
    let o = under_umask_000(&["history"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("corrupt: ") && text.contains("history.jsonl line "),
        "{text}"
    );
    assert!(text.contains("applied"), "{text}");
    // --out: a pack is not overwritten without --force, and another directory never.
    let o = run(&["schema", "plan", &src.url(), &tgt.url(), "--out", &ps]);
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(
        err(&o).contains("already holds a pack: give --force"),
        "{}",
        err(&o)
    );
    let o = run(&[
        "schema",
        "plan",
        &src.url(),
        &tgt.url(),
        "--out",
        &ps,
        "--force",
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let other = dir.path().join("other");
    std::fs::create_dir(&other).expect("mkdir");
    std::fs::write(other.join("notes.txt"), "mine").expect("write");
    let os = other.to_string_lossy().into_owned();
    let (a, b) = (src.url(), tgt.url());
    for extra in [vec![], vec!["--force"]] {
        let mut args = vec!["schema", "plan", &a, &b, "--out", &os];
        args.extend(extra);
        let o = run(&args);
        assert_eq!(code(&o), 2, "{}", err(&o));
        assert!(err(&o).contains("not a sluice pack"), "{}", err(&o));
    }
    assert_eq!(
        std::fs::read_to_string(other.join("notes.txt")).expect("kept"),
        "mine"
    );
}

#[test]
fn an_apply_killed_after_commit_is_still_recognised_in_the_history() {
    // Many tables make the after-apply inspection take a while, so the kill lands after COMMIT.
    let mut target_sql = String::new();
    let mut source_sql = String::new();
    for i in 0..150 {
        target_sql.push_str(&format!("CREATE TABLE t{i} (id int PRIMARY KEY, v text);"));
        source_sql.push_str(&format!(
            "CREATE TABLE t{i} (id int PRIMARY KEY, v text, w int); CREATE INDEX t{i}_w ON t{i} (w);"
        ));
    }
    for attempt in 0..4 {
        let (s, t) = pg_pair(&target_sql, &source_sql);
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("pack");
        assert_eq!(code(&plan(&s.url(), &t.url(), &p, &[])), 0);
        let history = support::data_dir().join("history.jsonl");
        let mut child = support::sluice()
            .args(["apply", &p.to_string_lossy(), "--target", &t.url(), "--yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sluice");
        let mut killed = false;
        let start = Instant::now();
        // Other tests of this binary write the same history: follow this apply's own lines.
        let mut id = None;
        while start.elapsed() < Duration::from_secs(60) {
            let text = std::fs::read_to_string(&history).unwrap_or_default();
            let lines: Vec<serde_json::Value> = text
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect();
            if id.is_none() {
                id = lines
                    .iter()
                    .find(|l| {
                        l["event"] == "started"
                            && l["target"]
                                .as_str()
                                .is_some_and(|t2| t2.ends_with(&format!("/{}", t.name)))
                    })
                    .and_then(|l| l["id"].as_str().map(str::to_string));
            }
            let mine = |event: &str| {
                lines
                    .iter()
                    .any(|l| l["event"] == event && id.as_deref().is_some_and(|i| l["id"] == i))
            };
            if mine("committed") {
                let _ = child.kill();
                killed = !mine("finished");
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let _ = child.wait();
        if !killed {
            eprintln!("attempt {attempt}: the apply finished before the kill; again");
            continue;
        }
        let h = history_json(&t.name);
        let last = h["entries"]
            .as_array()
            .and_then(|a| a.last())
            .cloned()
            .expect("entry");
        assert_eq!(last["result"], "committed, no outcome", "{h}");
        assert!(
            last["error"]
                .as_str()
                .is_some_and(|e| e.contains("TARGET has the changes")),
            "{h}"
        );
        assert_eq!(
            t.query("SELECT count(*) FROM information_schema.columns WHERE column_name = 'w' AND table_schema = 'public'"),
            "150",
            "committed before the kill"
        );
        return;
    }
    panic!("the apply always finished before it could be killed after COMMIT");
}

#[test]
fn rollback_runs_down_sql_through_the_same_gates() {
    let (s, t) = pg_pair(
        "CREATE TABLE a (id int PRIMARY KEY, name text, legacy int); INSERT INTO a VALUES (1, 'x', 7);
         CREATE INDEX a_legacy ON a (legacy);",
        "CREATE TABLE a (id int PRIMARY KEY, full_name text, note text); CREATE INDEX a_note ON a (note);
         CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));
         CREATE VIEW v AS SELECT id, full_name FROM a;",
    );
    let before = pg_schema(&t);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    let ps = p.to_string_lossy().into_owned();
    assert_eq!(
        code(&plan(&s.url(), &t.url(), &p, &["--allow-destructive"])),
        0
    );
    // Nothing applied yet: nothing to roll back.
    let o = run(&[
        "rollback",
        &ps,
        "--target",
        &t.url(),
        "--yes",
        "--allow-destructive",
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).contains("nothing to do"), "{}", err(&o));
    let o = apply(&p, &t.url(), &["--allow-destructive"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_ne!(pg_schema(&t), before);
    // The dropped column's data cannot come back: refused unless allowed, nothing changed.
    let applied = pg_schema(&t);
    let o = run(&["rollback", &ps, "--target", &t.url(), "--yes"]);
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(
        err(&o).contains("IRREVERSIBLE") && err(&o).contains("--allow-destructive"),
        "{}",
        err(&o)
    );
    assert_eq!(pg_schema(&t), applied);
    // Another database is refused, as for apply.
    let other = support::pg_db();
    let o = run(&[
        "rollback",
        &ps,
        "--target",
        &other.url(),
        "--yes",
        "--allow-destructive",
    ]);
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(
        err(&o).contains("not the database this pack was planned for"),
        "{}",
        err(&o)
    );
    // TARGET changed since the apply: refused.
    t.exec("CREATE TABLE sneaky (id int)");
    let o = run(&[
        "rollback",
        &ps,
        "--target",
        &t.url(),
        "--yes",
        "--allow-destructive",
    ]);
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(
        err(&o).contains("not as the apply of this pack left it"),
        "{}",
        err(&o)
    );
    t.exec("DROP TABLE sneaky");
    // Allowed: the schema comes back exactly (the column's values do not).
    let o = run(&[
        "rollback",
        &ps,
        "--target",
        &t.url(),
        "--yes",
        "--allow-destructive",
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(
        err(&o).contains("TARGET now matches what it was before the plan"),
        "{}",
        err(&o)
    );
    assert_eq!(pg_schema(&t), before);
    assert_eq!(t.query("SELECT name FROM a"), "x");
    let h = history_json(&t.name);
    let kinds: Vec<(String, String)> = h["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or("").into(),
                e["result"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("rollback".into(), "applied".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("rollback".into(), "refused".into())),
        "{kinds:?}"
    );
    // SQLite, reversible: back to the very same file schema.
    let src = support::sqlite_db();
    let tgt = support::sqlite_db();
    tgt.exec("CREATE TABLE a (id integer PRIMARY KEY, v text); INSERT INTO a VALUES (1, 'x');");
    src.exec("CREATE TABLE a (id integer PRIMARY KEY, v text NOT NULL, w int); CREATE INDEX a_w ON a (w);");
    // SQLite's own account of the schema (a rebuilt table's statement is spelled anew, so the
    // columns, keys and indexes as SQLite reads them are compared, not the text).
    let lite_schema = |db: &support::SqliteDb| {
        db.query(
            "SELECT (SELECT group_concat(type || ':' || name, ',') FROM sqlite_schema) || ' | ' ||
                    (SELECT group_concat(name || ' ' || type || ' ' || \"notnull\" || ' ' || coalesce(dflt_value, '-') || ' ' || pk, ',') FROM pragma_table_xinfo('a'))",
        )
    };
    let lite_before = lite_schema(&tgt);
    let p2 = dir.path().join("lite");
    let p2s = p2.to_string_lossy().into_owned();
    assert_eq!(code(&plan(&src.url(), &tgt.url(), &p2, &[])), 0);
    assert_eq!(code(&apply(&p2, &tgt.url(), &[])), 0);
    let o = run(&["rollback", &p2s, "--target", &tgt.url(), "--yes"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(lite_schema(&tgt), lite_before);
    assert_eq!(tgt.query("SELECT v FROM a"), "x");
}
