//! `sluice schema diff`, `schema plan` and `apply` on PostgreSQL, through the real binary.

mod support;

use std::process::Output;

use support::PgDb;

fn run(args: &[&str]) -> Output {
    support::sluice().args(args).output().expect("run sluice")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
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

const TARGET: &str = "
CREATE TABLE customer (id int PRIMARY KEY, name varchar(100) NOT NULL, legacy_code varchar(20), email text);
INSERT INTO customer VALUES (1, 'Ada', 'X1', 'ada@example.org'), (2, 'Linus', NULL, NULL);
CREATE TABLE old_orders (id int PRIMARY KEY, customer_id int REFERENCES customer (id), total numeric(10,2), placed date);
INSERT INTO old_orders VALUES (10, 1, 9.99, '2026-01-01'), (11, 2, 5.00, '2026-01-02');
";

const SOURCE: &str = "
CREATE TABLE customer (id int PRIMARY KEY, full_name varchar(100) NOT NULL, phone varchar(30), email text);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customer (id), total numeric(10,2), placed date);
CREATE INDEX orders_placed ON orders (placed);
";

#[test]
fn diff_formats_and_exit_code() {
    let (s, t) = pair(TARGET, SOURCE);
    let o = run(&["schema", "diff", &s.url(), &t.url(), "--exit-code"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let text = out(&o);
    assert!(text.contains("schema public"), "{text}");
    assert!(text.contains("rename column name → full_name"), "{text}");
    assert!(text.contains("rename table old_orders → orders"), "{text}");
    assert!(text.contains("drop column legacy_code"), "{text}");
    assert!(
        text.contains("add column phone character varying(30)"),
        "{text}"
    );
    assert!(!text.contains(support::PG_PASSWORD), "password in output");

    let o = run(&["schema", "diff", &s.url(), &t.url(), "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "without --exit-code differences still exit 0"
    );
    let v: serde_json::Value = serde_json::from_str(&out(&o)).expect("json");
    let changes = v["changes"].as_array().expect("changes");
    assert!(
        changes
            .iter()
            .all(|c| c["kind"].is_string() && c["object"].is_string())
    );
    assert!(
        changes
            .iter()
            .any(|c| c["kind"] == "rename_column" && c["object"] == "public.customer.full_name")
    );

    let o = run(&["schema", "diff", &s.url(), &t.url(), "--format", "sql"]);
    let sql = out(&o);
    assert!(
        sql.contains(
            "ALTER TABLE \"public\".\"customer\" RENAME COLUMN \"name\" TO \"full_name\";"
        ),
        "{sql}"
    );
    assert!(sql.contains("\nBEGIN;\n"), "{sql}");

    // The same database against itself: no differences, exit 0 even with --exit-code.
    let o = run(&["schema", "diff", &t.url(), &t.url(), "--exit-code"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(out(&o).contains("No differences."));
}

#[test]
fn renames_keep_data_and_can_be_turned_off() {
    let (s, t) = pair(TARGET, SOURCE);
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = dir.path().join("pack");
    let p = pack.to_string_lossy();
    let o = run(&[
        "schema",
        "plan",
        &s.url(),
        &t.url(),
        "--out",
        &p,
        "--allow-destructive",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = run(&[
        "apply",
        &p,
        "--target",
        &t.url(),
        "--yes",
        "--allow-destructive",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(err(&o).contains("TARGET now matches SOURCE"), "{}", err(&o));
    // Data followed the renames.
    assert_eq!(
        t.query("SELECT string_agg(full_name, ',' ORDER BY id) FROM customer"),
        "Ada,Linus"
    );
    assert_eq!(t.query("SELECT count(*) FROM orders"), "2");
    assert_eq!(t.query("SELECT count(email) FROM customer"), "1");
    // legacy_code → phone was not a rename: phone is new and empty.
    assert_eq!(t.query("SELECT count(phone) FROM customer"), "0");
    let o = run(&["schema", "diff", &s.url(), &t.url(), "--exit-code"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));

    // --no-renames: the same drift reads as drops and adds.
    let (s2, t2) = pair(TARGET, SOURCE);
    let o = run(&[
        "schema",
        "diff",
        &s2.url(),
        &t2.url(),
        "--format",
        "json",
        "--no-renames",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).expect("json");
    let kinds: Vec<&str> = v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["kind"].as_str())
        .collect();
    assert!(
        !kinds.contains(&"rename_column") && !kinds.contains(&"rename_table"),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"drop_column") && kinds.contains(&"drop_table"),
        "{kinds:?}"
    );
    // A threshold of 100 turns the similar-but-not-equal rename off too.
    let o = run(&[
        "schema",
        "diff",
        &s2.url(),
        &t2.url(),
        "--format",
        "json",
        "--rename-threshold",
        "100",
    ]);
    assert!(!out(&o).contains("rename_column"));
}

#[test]
fn rename_scores_are_shown() {
    let (s, t) = pair(TARGET, SOURCE);
    let o = run(&["schema", "diff", &s.url(), &t.url()]);
    let text = out(&o);
    let line = text
        .lines()
        .find(|l| l.contains("rename column name → full_name"))
        .expect("rename line");
    assert!(line.contains("(score "), "{line}");
}

#[test]
fn plans_are_byte_identical() {
    let Some(schema) = support::fixture("pagila/schema.sql") else {
        return;
    };
    let s = support::pg_db();
    s.load(&schema);
    let t = support::pg_db();
    t.exec(TARGET);
    let a = run(&["schema", "diff", &s.url(), &t.url(), "--format", "sql"]);
    let b = run(&["schema", "diff", &s.url(), &t.url(), "--format", "sql"]);
    assert_eq!(a.status.code(), Some(0), "{}", err(&a));
    assert!(out(&a).lines().count() > 100);
    assert_eq!(out(&a), out(&b), "two plans of the same pair differ");
    // The same schema in two other databases plans the same bytes too.
    let s2 = support::pg_db();
    s2.load(&schema);
    let t2 = support::pg_db();
    t2.exec(TARGET);
    let c = run(&["schema", "diff", &s2.url(), &t2.url(), "--format", "sql"]);
    // Only the header naming the two databases differs.
    let body = |o: &Output| {
        out(o)
            .lines()
            .filter(|l| !l.starts_with("-- SOURCE: ") && !l.starts_with("-- TARGET: "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&a), body(&c));
}

#[test]
fn destructive_steps_are_commented_out_and_refused_unless_allowed() {
    let (s, t) = pair(TARGET, SOURCE);
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = dir.path().join("pack");
    let p = pack.to_string_lossy();
    let o = run(&["schema", "plan", &s.url(), &t.url(), "--out", &p]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        err(&o).contains("destructive step(s) commented out"),
        "{}",
        err(&o)
    );
    let up = std::fs::read_to_string(pack.join("up.sql")).expect("up.sql");
    assert!(
        up.contains("-- ALTER TABLE \"public\".\"customer\" DROP COLUMN \"legacy_code\";"),
        "{up}"
    );
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pack.join("plan.json")).expect("plan.json"))
            .expect("json");
    assert_eq!(plan["format"], "sluice-plan");
    assert!(
        !plan.to_string().contains(support::PG_PASSWORD),
        "password in the pack"
    );
    // Planned commented out, it stays out at apply (even with --allow-destructive there): the
    // rest applies, and the summary says what was left out and that only that still differs.
    let o = run(&[
        "apply",
        &p,
        "--target",
        &t.url(),
        "--yes",
        "--allow-destructive",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(err(&o).contains("step(s) were left out"), "{}", err(&o));
    assert!(
        err(&o).contains("drop_column public.customer.legacy_code"),
        "{}",
        err(&o)
    );
    assert_eq!(
        t.query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'customer' AND column_name = 'legacy_code'"),
        "1"
    );
    // Without a terminal and without --yes: refused too.
    let (s2, t2) = pair(
        "CREATE TABLE a (id int);",
        "CREATE TABLE a (id int, b int);",
    );
    let pack2 = dir.path().join("pack2");
    let p2 = pack2.to_string_lossy();
    assert_eq!(
        run(&["schema", "plan", &s2.url(), &t2.url(), "--out", &p2])
            .status
            .code(),
        Some(0)
    );
    let o = run(&["apply", &p2, "--target", &t2.url()]);
    assert_eq!(o.status.code(), Some(4), "{}", err(&o));
    assert!(err(&o).contains("--yes"));
}

#[test]
fn stale_plan_is_refused() {
    let (s, t) = pair(
        "CREATE TABLE a (id int);",
        "CREATE TABLE a (id int, b int);",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    let p = p.to_string_lossy();
    assert_eq!(
        run(&["schema", "plan", &s.url(), &t.url(), "--out", &p])
            .status
            .code(),
        Some(0)
    );
    t.exec("CREATE TABLE sneaky (x int)");
    let o = run(&["apply", &p, "--target", &t.url(), "--yes"]);
    assert_eq!(o.status.code(), Some(4), "{}", err(&o));
    assert!(
        err(&o).contains("TARGET changed since the plan was made"),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("public.sneaky"), "{}", err(&o));
    assert_eq!(
        t.query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'a'"),
        "1"
    );
}

#[test]
fn failing_step_rolls_everything_back() {
    // The unique index in SOURCE cannot be built over TARGET's duplicated values.
    let (s, t) = pair(
        "CREATE TABLE a (id int PRIMARY KEY, email text); INSERT INTO a VALUES (1, 'x'), (2, 'x');",
        "CREATE TABLE a (id int PRIMARY KEY, email text, note text); CREATE UNIQUE INDEX a_email ON a (email); CREATE TABLE b (id int);",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    let p = p.to_string_lossy();
    assert_eq!(
        run(&["schema", "plan", &s.url(), &t.url(), "--out", &p])
            .status
            .code(),
        Some(0)
    );
    let o = run(&["apply", &p, "--target", &t.url(), "--yes"]);
    assert_eq!(o.status.code(), Some(5), "{}", err(&o));
    let e = err(&o);
    assert!(e.contains("rolled back, nothing changed"), "{e}");
    assert!(e.contains("a_email"), "names the step's object: {e}");
    assert_eq!(
        e.lines()
            .filter(|l| l.starts_with("sluice: error:"))
            .count(),
        1,
        "{e}"
    );
    assert!(
        e.trim_end()
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("sluice: error:")),
        "{e}"
    );
    // Nothing changed: no new column, no new table.
    assert_eq!(
        t.query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'a'"),
        "2"
    );
    assert_eq!(
        t.query("SELECT count(*) FROM information_schema.tables WHERE table_name = 'b'"),
        "0"
    );
}

#[test]
fn snapshot_as_source() {
    let (s, t) = pair(
        "CREATE TABLE a (id int);",
        "CREATE TABLE a (id int, b int NOT NULL DEFAULT 0);",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let snap = dir.path().join("s.json");
    assert_eq!(
        run(&["snapshot", &s.url(), "--out", &snap.to_string_lossy()])
            .status
            .code(),
        Some(0)
    );
    let p = dir.path().join("pack");
    let p = p.to_string_lossy();
    let o = run(&[
        "schema",
        "plan",
        &snap.to_string_lossy(),
        &t.url(),
        "--out",
        &p,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = run(&["apply", &p, "--target", &t.url(), "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = run(&[
        "schema",
        "diff",
        &snap.to_string_lossy(),
        &t.url(),
        "--exit-code",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    // A snapshot cannot be the target of apply.
    let o = run(&["apply", &p, "--target", &snap.to_string_lossy(), "--yes"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn owned_sequences_render_as_serial() {
    let (s, t) = pair(
        "SELECT 1;",
        "CREATE TABLE a (id serial PRIMARY KEY, big bigserial, n text);
         CREATE TABLE b (id integer NOT NULL);
         CREATE SEQUENCE b_custom_seq INCREMENT BY 5 OWNED BY b.id;
         ALTER TABLE b ALTER COLUMN id SET DEFAULT nextval('b_custom_seq');",
    );
    let o = run(&["schema", "diff", &s.url(), &t.url(), "--format", "sql"]);
    let sql = out(&o);
    assert!(sql.contains("\"id\" serial"), "{sql}");
    assert!(sql.contains("\"big\" bigserial"), "{sql}");
    assert!(
        !sql.contains("CREATE SEQUENCE \"public\".\"a_id_seq\""),
        "{sql}"
    );
    // A sequence that is not serial-shaped is created and owned explicitly.
    assert!(
        sql.contains("CREATE SEQUENCE \"public\".\"b_custom_seq\""),
        "{sql}"
    );
    assert!(sql.contains("OWNED BY \"public\".\"b\".\"id\""), "{sql}");
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    let p = p.to_string_lossy();
    assert_eq!(
        run(&["schema", "plan", &s.url(), &t.url(), "--out", &p])
            .status
            .code(),
        Some(0)
    );
    let o = run(&["apply", &p, "--target", &t.url(), "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        run(&["schema", "diff", &s.url(), &t.url(), "--exit-code"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn narrowing_fails_instead_of_truncating() {
    let (s, t) = pair(
        "CREATE TABLE a (id int PRIMARY KEY, code varchar(100)); INSERT INTO a VALUES (1, repeat('x', 80));",
        "CREATE TABLE a (id int PRIMARY KEY, code varchar(50));",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    let p = p.to_string_lossy();
    let o = run(&[
        "schema",
        "plan",
        &s.url(),
        &t.url(),
        "--out",
        &p,
        "--allow-destructive",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = run(&[
        "apply",
        &p,
        "--target",
        &t.url(),
        "--yes",
        "--allow-destructive",
    ]);
    assert_eq!(o.status.code(), Some(5), "{}", err(&o));
    assert!(err(&o).contains("value too long"), "{}", err(&o));
    assert_eq!(
        t.query("SELECT length(code) FROM a"),
        "80",
        "the value was cut"
    );
}

#[test]
fn risk_with_counts_from_the_target_in_diff_and_pack() {
    let (s, t) = pair(
        "CREATE TABLE customer (id int PRIMARY KEY, company text, email text);
         INSERT INTO customer VALUES (1, NULL, 'a@x'), (2, NULL, 'a@x'), (3, 'ACME', 'b@x');",
        "CREATE TABLE customer (id int PRIMARY KEY, company text NOT NULL, email text UNIQUE, note text);",
    );
    let o = run(&["schema", "diff", &s.url(), &t.url()]);
    let text = out(&o);
    assert!(text.contains("WILL FAIL"), "{text}");
    assert!(text.contains("2 rows are NULL"), "{text}");
    assert!(text.contains("risk score 100/100"), "{text}");
    assert!(
        text.lines().all(|l| l.chars().count() <= 80),
        "80 columns:\n{text}"
    );
    let o = run(&["schema", "diff", &s.url(), &t.url(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out(&o)).expect("json");
    let not_null = v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["kind"] == "set_not_null")
        .expect("set_not_null");
    assert_eq!(not_null["risk"], "danger");
    assert_eq!(not_null["certain_failure"], true);
    assert_eq!(not_null["counts"][0]["count"], 2);
    let add = v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["kind"] == "add_column")
        .expect("add_column");
    assert_eq!(add["risk"], "safe");
    assert_eq!(v["summary"]["score"], 100);
    // The pack carries the same verdicts.
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("pack");
    assert_eq!(
        run(&[
            "schema",
            "plan",
            &s.url(),
            &t.url(),
            "--out",
            &p.to_string_lossy()
        ])
        .status
        .code(),
        Some(0)
    );
    let up = std::fs::read_to_string(p.join("up.sql")).expect("up.sql");
    assert!(up.contains("-- risk score: 100/100"), "{up}");
    assert!(up.contains("risk: danger (certain to fail)"), "{up}");
    assert!(up.contains("data: "), "{up}");
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.join("plan.json")).expect("plan.json"))
            .expect("json");
    assert_eq!(plan["score"], 100);
}
