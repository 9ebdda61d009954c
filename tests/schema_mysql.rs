//! `sluice schema diff`, `schema plan` and `apply` on MySQL/MariaDB, through the real binary.

mod support;

use std::process::Output;

use support::MyDb;

fn run(args: &[&str]) -> Output {
    support::sluice().args(args).output().expect("run sluice")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// (SOURCE, TARGET)
fn pair(target_sql: &str, source_sql: &str) -> (MyDb, MyDb) {
    let t = support::mysql_db();
    let s = support::mysql_db();
    t.exec(target_sql);
    s.exec(source_sql);
    (s, t)
}

const TARGET: &str = "
CREATE TABLE customer (id int NOT NULL PRIMARY KEY, name varchar(100) NOT NULL, legacy_code varchar(20), email text);
INSERT INTO customer VALUES (1, 'Ada', 'X1', 'ada@example.org'), (2, 'Linus', NULL, NULL);
CREATE TABLE old_orders (id int NOT NULL PRIMARY KEY, customer_id int, total decimal(10,2), placed date,
    CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customer (id));
INSERT INTO old_orders VALUES (10, 1, 9.99, '2026-01-01'), (11, 2, 5.00, '2026-01-02');
";

const SOURCE: &str = "
CREATE TABLE customer (id int NOT NULL PRIMARY KEY, full_name varchar(100) NOT NULL, phone varchar(30), email text);
CREATE TABLE orders (id int NOT NULL PRIMARY KEY, customer_id int, total decimal(10,2), placed date,
    CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customer (id));
CREATE INDEX orders_placed ON orders (placed);
";

#[test]
fn diff_as_sql_is_not_one_transaction() {
    let (s, t) = pair(TARGET, SOURCE);
    let o = run(&["schema", "diff", &s.url(), &t.url(), "--format", "sql"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let sql = out(&o);
    assert!(
        sql.contains("ALTER TABLE `customer` RENAME COLUMN `name` TO `full_name`;"),
        "{sql}"
    );
    assert!(
        sql.contains("ALTER TABLE `old_orders` RENAME TO `orders`;"),
        "{sql}"
    );
    assert!(!sql.contains("BEGIN;") && !sql.contains("COMMIT;"), "{sql}");
    assert!(
        !sql.contains(&format!("`{}`", t.name)),
        "names are unqualified: {sql}"
    );
}

#[test]
fn plan_and_apply_keep_data_through_renames() {
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
    let up = std::fs::read_to_string(pack.join("up.sql")).expect("up.sql");
    assert!(up.contains("NOT transactional"), "{up}");
    assert!(!up.contains("BEGIN;"), "{up}");
    assert!(
        !up.contains(support::MY_PASSWORD),
        "password in the pack: {up}"
    );
    let o = run(&[
        "apply",
        &p,
        "--target",
        &t.url(),
        "--yes",
        "--allow-destructive",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let e = err(&o);
    assert!(e.contains("NOT transactional"), "{e}");
    assert!(e.contains("TARGET now matches SOURCE"), "{e}");
    assert_eq!(
        t.query("SELECT group_concat(full_name ORDER BY id) FROM customer"),
        "Ada,Linus"
    );
    assert_eq!(t.query("SELECT count(*) FROM orders"), "2");
    assert_eq!(t.query("SELECT count(email) FROM customer"), "1");
    assert_eq!(t.query("SELECT count(phone) FROM customer"), "0");
    let o = run(&["schema", "diff", &s.url(), &t.url(), "--exit-code"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let journal = std::fs::read_to_string(pack.join("journal.json")).expect("journal.json");
    assert!(journal.contains("\"status\": \"complete\""), "{journal}");
}

#[test]
fn destructive_and_stale_plans_are_refused() {
    let (s, t) = pair(TARGET, SOURCE);
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = dir.path().join("pack");
    let p = pack.to_string_lossy();
    assert_eq!(
        run(&["schema", "plan", &s.url(), &t.url(), "--out", &p])
            .status
            .code(),
        Some(0)
    );
    let up = std::fs::read_to_string(pack.join("up.sql")).expect("up.sql");
    assert!(
        up.contains("-- ALTER TABLE `customer` DROP COLUMN `legacy_code`;"),
        "{up}"
    );
    // Planned commented out, the drop stays out; the rest applies and the summary says so.
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
    assert!(err(&o).contains("drop_column"), "{}", err(&o));
    assert_eq!(
        t.query("SELECT count(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'customer' AND column_name = 'legacy_code'"),
        "1"
    );

    let (s2, t2) = pair(
        "CREATE TABLE a (id int NOT NULL PRIMARY KEY);",
        "CREATE TABLE a (id int NOT NULL PRIMARY KEY, b int);",
    );
    let pack2 = dir.path().join("pack2");
    let p2 = pack2.to_string_lossy();
    assert_eq!(
        run(&["schema", "plan", &s2.url(), &t2.url(), "--out", &p2])
            .status
            .code(),
        Some(0)
    );
    t2.exec("CREATE TABLE sneaky (x int)");
    let o = run(&["apply", &p2, "--target", &t2.url(), "--yes"]);
    assert_eq!(o.status.code(), Some(4), "{}", err(&o));
    assert!(
        err(&o).contains("TARGET changed since the plan was made"),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("sneaky"), "{}", err(&o));
    assert!(!pack2.join("journal.json").exists(), "nothing ran");
}

#[test]
fn snapshot_as_source() {
    let (s, t) = pair(
        "CREATE TABLE a (id int NOT NULL PRIMARY KEY); INSERT INTO a VALUES (1);",
        "CREATE TABLE a (id int NOT NULL PRIMARY KEY, b int NOT NULL DEFAULT 0, c varchar(10) COLLATE utf8mb4_bin);",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let snap = dir.path().join("s.json");
    let snap = snap.to_string_lossy();
    assert_eq!(
        run(&["snapshot", &s.url(), "--out", &snap]).status.code(),
        Some(0)
    );
    let p = dir.path().join("pack");
    let p = p.to_string_lossy();
    let o = run(&["schema", "plan", &snap, &t.url(), "--out", &p]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = run(&["apply", &p, "--target", &t.url(), "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = run(&["schema", "diff", &snap, &t.url(), "--exit-code"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert_eq!(t.query("SELECT b FROM a"), "0");
}

#[test]
fn up_sql_runs_through_the_mariadb_client() {
    let (s, t) = pair(
        "CREATE TABLE acct (id int NOT NULL PRIMARY KEY, balance int NOT NULL DEFAULT 0);
         INSERT INTO acct VALUES (1, 10);",
        "CREATE TABLE acct (id int NOT NULL PRIMARY KEY, balance int NOT NULL DEFAULT 0, note varchar(20) DEFAULT 'a;b');
         DELIMITER //
         CREATE TRIGGER acct_bi BEFORE INSERT ON acct FOR EACH ROW
         BEGIN
             IF NEW.balance < 0 THEN SET NEW.balance = 0; END IF;
             SET NEW.note = 'x;y';
         END//
         CREATE PROCEDURE reset_all() BEGIN UPDATE acct SET balance = 0; UPDATE acct SET note = NULL; END//
         DELIMITER ;",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = dir.path().join("pack");
    let p = pack.to_string_lossy();
    let o = run(&["schema", "plan", &s.url(), &t.url(), "--out", &p]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let up = std::fs::read_to_string(pack.join("up.sql")).expect("up.sql");
    assert!(up.contains("DELIMITER $$"), "{up}");
    t.load(&pack.join("up.sql"));
    let o = run(&["schema", "diff", &s.url(), &t.url(), "--exit-code"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
}
