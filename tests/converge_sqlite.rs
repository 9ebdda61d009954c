//! Convergence on SQLite, as on PostgreSQL: for every case in
//! `tests/fixtures/sqlite/<case>/{a.sql,b.sql}` (a = TARGET before, with rows; b = SOURCE), plan,
//! apply to A, inspect again: the diff against B is empty, a second plan is empty, and no data is
//! lost (row counts of every surviving table and non-null counts of every surviving or renamed
//! column are unchanged). down.sql, run through sqlite3, must give TARGET back. Chinook with
//! drift of every kind converges too, and a plan whose middle step fails changes nothing.

mod support;

use support::client::{apply, connect, inspect};
use support::converge::{Counts, describe};

use std::collections::BTreeMap;
use std::path::Path;

use sluice::dialect::{Access, Db, quote};
use sluice::engine::apply::ApplyOptions;
use sluice::engine::diff::DiffOptions;
use sluice::engine::plan::{Reverse, Step};
use sluice::engine::schema;
use sluice::model::{Catalog, Change, Dialect, QualifiedName};

/// Row count and per-column non-null counts of every table.
async fn counts(db: &Db, cat: &Catalog) -> Result<Counts, String> {
    let Db::Lite(pool) = db else {
        return Err("not sqlite".into());
    };
    let mut out = Counts::new();
    for (schema, t) in cat.tables() {
        let cols: Vec<String> = t
            .columns
            .iter()
            .map(|c| format!("count({})", quote::ident(Dialect::Sqlite, &c.name)))
            .collect();
        let sql = format!(
            "SELECT count(*){}{} FROM {}",
            if cols.is_empty() { "" } else { ", " },
            cols.join(", "),
            quote::ident(Dialect::Sqlite, &t.name)
        );
        let row = sqlx::query(&sql)
            .fetch_one(pool)
            .await
            .map_err(|e| format!("counting {}: {e}", t.name))?;
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

fn numbered(steps: &[Step]) -> String {
    steps
        .iter()
        .flat_map(|s| s.sql.iter().map(move |q| format!("{:>3}. {q}", s.number)))
        .collect::<Vec<_>>()
        .join("\n")
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
async fn down(a: &support::SqliteDb, up: Upped) -> Result<bool, String> {
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

/// Runs one convergence case on two loaded files; returns the plan that was applied, for `down`.
async fn converge(a: &support::SqliteDb, b: &support::SqliteDb) -> Result<Upped, String> {
    let adb = connect(&a.url(), Access::ReadWrite).await;
    let bdb = connect(&b.url(), Access::ReadWrite).await;
    let target = inspect(&adb).await?;
    let source = inspect(&bdb).await?;
    let before = counts(&adb, &target).await?;
    let opts = DiffOptions::default();
    let plan = schema::plan(&target, &source, &opts).map_err(|e| format!("plan: {e}"))?;
    let sql = numbered(&plan.steps);
    apply(&adb, &plan.steps, &ApplyOptions::default())
        .await
        .map_err(|e| format!("apply: {e}\n  plan:\n{sql}"))?;
    let after_cat = inspect(&adb).await?;
    let left: Vec<Change> = schema::changes(&after_cat, &source, &opts)
        .into_iter()
        .filter(|c| !matches!(c, Change::Unsupported { .. }))
        .collect();
    if !left.is_empty() {
        return Err(format!(
            "not converged; still differs:\n    {}\n  plan was:\n{sql}",
            describe(&left)
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
    support::converge::check_data_kept(&before, &after, &plan.changes, |from, to| {
        from.generated.is_some() || to.generated.is_some()
    })
    .map_err(|e| format!("{e}\n  plan was:\n{sql}"))?;
    bdb.close().await;
    Ok(Upped {
        adb,
        plan,
        source,
        target,
        before,
    })
}

async fn run_case(dir: &Path) -> Result<bool, String> {
    let a = support::sqlite_db();
    let b = support::sqlite_db();
    a.load(&dir.join("a.sql"));
    b.load(&dir.join("b.sql"));
    let up = converge(&a, &b).await?;
    down(&a, up).await
}

fn cases() -> Vec<std::path::PathBuf> {
    let root = support::own_fixture("sqlite");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/fixtures/sqlite")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("a.sql").exists() && p.join("b.sql").exists())
        .collect();
    cases.sort();
    cases
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sqlite_fixture_converges() {
    let cases = cases();
    assert!(
        cases.len() >= 25,
        "at least 25 cases, found {}",
        cases.len()
    );
    let only = std::env::var("SLUICE_CASE").ok();
    let mut failures = Vec::new();
    let mut lossy = Vec::new();
    let mut ran = 0;
    for p in &cases {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
            continue;
        }
        ran += 1;
        match run_case(p).await {
            Ok(true) => lossy.push(name),
            Ok(false) => {}
            Err(e) => failures.push(format!("── {name}: {e}")),
        }
    }
    eprintln!(
        "down.sql restored {} of {ran} cases exactly; with IRREVERSIBLE steps (catalog only): {}",
        ran - failures.len() - lossy.len(),
        lossy.join(", ")
    );
    assert!(
        failures.is_empty(),
        "{} of {ran} cases did not converge:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every case has its README, and the plans do what the READMEs promise about rebuilds.
#[tokio::test]
async fn rebuilds_happen_only_where_sqlite_needs_them() {
    let expect_rebuild: &[(&str, &[&str])] = &[
        ("01_add_column_in_place", &[]),
        ("02_add_column_by_rebuild", &["events", "products", "tags"]),
        ("03_drop_column_in_place", &[]),
        ("05_rename_column", &[]),
        ("06_rename_table", &[]),
        ("15_partial_and_expression_indexes", &[]),
        ("16_rebuild_referenced_table", &["customers"]),
        ("26_rename_and_rebuild", &["clients"]),
        ("27_views_and_triggers_change", &[]),
        ("28_identical", &[]),
    ];
    for p in cases() {
        assert!(
            p.join("README.md").exists(),
            "{} has no README.md",
            p.display()
        );
    }
    for (case, tables) in expect_rebuild {
        let dir = support::own_fixture("sqlite").join(case);
        let a = support::sqlite_db();
        let b = support::sqlite_db();
        a.load(&dir.join("a.sql"));
        b.load(&dir.join("b.sql"));
        let target = inspect(&connect(&a.url(), Access::ReadWrite).await)
            .await
            .expect("inspect a");
        let source = inspect(&connect(&b.url(), Access::ReadWrite).await)
            .await
            .expect("inspect b");
        let plan = schema::plan(&target, &source, &DiffOptions::default()).expect("plan");
        let mut rebuilt: Vec<String> = plan
            .changes
            .iter()
            .filter_map(|c| match c {
                Change::RebuildTable { table, .. } => Some(table.name.clone()),
                _ => None,
            })
            .collect();
        rebuilt.sort();
        assert_eq!(rebuilt, *tables, "{case}: {}", describe(&plan.changes));
    }
}

/// A rebuilt parent keeps every child row, although the children's foreign keys cascade on delete.
#[tokio::test]
async fn rebuilding_a_referenced_table_deletes_no_child_row() {
    let dir = support::own_fixture("sqlite/16_rebuild_referenced_table");
    let a = support::sqlite_db();
    let b = support::sqlite_db();
    a.load(&dir.join("a.sql"));
    b.load(&dir.join("b.sql"));
    let rows = |db: &support::SqliteDb| {
        db.query(
            "SELECT (SELECT group_concat(id || ':' || customer_id) FROM orders) || ' / ' || \
             (SELECT group_concat(order_id || '.' || line || '=' || ifnull(sku, '-')) FROM order_lines) || ' / ' || \
             (SELECT group_concat(id || '<' || ifnull(referred_by, '-')) FROM customers)",
        )
    };
    let before = rows(&a);
    let plan = converge(&a, &b)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .plan;
    assert!(
        plan.changes
            .iter()
            .any(|c| matches!(c, Change::RebuildTable { table, .. } if table.name == "customers")),
        "{}",
        describe(&plan.changes)
    );
    assert_eq!(rows(&a), before, "children and self-references kept");
    // The children still point at `customers` (the legacy rename rewrote nothing else).
    let child_sql = a.query("SELECT sql FROM sqlite_schema WHERE name = 'orders'");
    assert!(child_sql.contains("REFERENCES customers"), "{child_sql}");
    assert_eq!(a.query("PRAGMA foreign_key_check"), "");
    // Foreign keys are enforced again on later connections, and cascade as before.
    a.exec("PRAGMA foreign_keys = ON; DELETE FROM customers WHERE id = 3;");
    assert_eq!(
        a.query("SELECT count(*) FROM orders WHERE customer_id = 3"),
        "0"
    );
}

/// AUTOINCREMENT keeps counting where it was, through a rebuild.
#[tokio::test]
async fn autoincrement_survives_a_rebuild() {
    let dir = support::own_fixture("sqlite/19_autoincrement");
    let a = support::sqlite_db();
    let b = support::sqlite_db();
    a.load(&dir.join("a.sql"));
    b.load(&dir.join("b.sql"));
    converge(&a, &b).await.unwrap_or_else(|e| panic!("{e}"));
    a.exec("INSERT INTO tickets (title) VALUES ('e'); INSERT INTO jobs (name) VALUES ('z');");
    assert_eq!(
        a.query("SELECT max(id) FROM tickets"),
        "5",
        "4 was used once"
    );
    assert_eq!(a.query("SELECT max(id) FROM jobs"), "10");
}

#[tokio::test]
async fn chinook_to_chinook_with_drift_of_every_kind() {
    let Some(chinook) = support::fixture("chinook/sqlite.sql") else {
        return;
    };
    let a = support::sqlite_db();
    let b = support::sqlite_db();
    a.load(&chinook);
    b.load(&chinook);
    b.load(&support::own_fixture("sqlite-chinook/drift.sql"));
    let invoices = a.query("SELECT count(*) FROM Invoice");
    let lines = a.query("SELECT count(*) FROM InvoiceLine");
    let up = converge(&a, &b).await.unwrap_or_else(|e| panic!("{e}"));
    let plan = up.plan.clone();
    let kinds: Vec<&str> = plan.changes.iter().map(Change::kind).collect();
    for k in [
        "rebuild_table",
        "rename_table",
        "rename_column",
        "add_column",
        "drop_column",
        "create_table",
        "drop_table",
        "create_index",
        "drop_index",
        "create_view",
        "create_trigger",
    ] {
        assert!(
            kinds.contains(&k),
            "no {k} in the plan: {}",
            describe(&plan.changes)
        );
    }
    // Invoice was rebuilt while InvoiceLine references it: every line is still there.
    assert_eq!(a.query("SELECT count(*) FROM Invoice"), invoices);
    assert_eq!(a.query("SELECT count(*) FROM InvoiceLine"), lines);
    assert_eq!(a.query("PRAGMA foreign_key_check"), "");
    assert_eq!(
        a.query("SELECT count(*) FROM Employee WHERE PhoneNumber IS NOT NULL"),
        "8"
    );
    down(&a, up).await.unwrap_or_else(|e| panic!("{e}"));
}

/// A plan whose middle step fails (a unique index over duplicate values) leaves the file as it
/// was: same schema, same rows; through the CLI, exit code 5.
#[test]
fn a_failing_step_rolls_everything_back() {
    let a = support::sqlite_db();
    let b = support::sqlite_db();
    a.exec(
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT, name TEXT);
         CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
         CREATE TABLE orders (id INTEGER PRIMARY KEY, account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE, total REAL);
         INSERT INTO accounts VALUES (1, 'same@x', 'Ada'), (2, 'same@x', 'Bob');
         INSERT INTO notes VALUES (1, 'n');
         INSERT INTO orders VALUES (1, 1, 5), (2, 2, 7);",
    );
    b.exec(
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT, name TEXT NOT NULL);
         CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, author TEXT);
         CREATE TABLE orders (id INTEGER PRIMARY KEY, account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE, total REAL CHECK (total > 0));
         CREATE UNIQUE INDEX accounts_email ON accounts (email);
         CREATE TABLE audit (at TEXT);",
    );
    let dump = |db: &support::SqliteDb| {
        (
            db.query("SELECT type || ' ' || name || ': ' || sql FROM sqlite_schema ORDER BY name"),
            db.query(
                "SELECT group_concat(id || email || name) FROM accounts; \
                 SELECT group_concat(id || body) FROM notes; \
                 SELECT group_concat(id || account_id || total) FROM orders",
            ),
        )
    };
    let before = dump(&a);
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = dir.path().join("pack");
    let out = support::sluice()
        .args(["schema", "plan", &b.url(), &a.url(), "--out"])
        .arg(&pack)
        .output()
        .expect("run sluice schema plan");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let up = std::fs::read_to_string(pack.join("up.sql")).expect("up.sql");
    // The failing index comes after steps that already changed things.
    let index_at = up
        .find("CREATE UNIQUE INDEX accounts_email")
        .expect("index step");
    let first_change = up
        .find("ALTER TABLE \"notes\" ADD COLUMN")
        .or_else(|| up.find("CREATE TABLE \"audit\""))
        .expect("an earlier step");
    assert!(first_change < index_at, "{up}");
    assert!(up.contains("rebuild_table"), "{up}");
    // Run by hand, the script turns foreign keys off before its transaction, as apply does.
    let off = up
        .find("PRAGMA foreign_keys = OFF;")
        .expect("foreign keys off");
    assert!(off < up.find("BEGIN;").expect("BEGIN"), "{up}");
    let out = support::sluice()
        .args(["apply"])
        .arg(&pack)
        .args(["--target", &a.url(), "--yes"])
        .output()
        .expect("run sluice apply");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.contains("rolled back, nothing changed"), "{err}");
    assert!(err.contains("UNIQUE constraint failed"), "{err}");
    assert_eq!(dump(&a), before, "schema and rows unchanged");
    // The connection setting was not left behind in the file either: a fresh plan still applies
    // once the duplicate is gone.
    a.exec("UPDATE accounts SET email = 'other@x' WHERE id = 2;");
    let out = support::sluice()
        .args(["schema", "plan", &b.url(), &a.url(), "--out"])
        .arg(dir.path().join("pack2"))
        .output()
        .expect("plan again");
    assert_eq!(out.status.code(), Some(0));
    let out = support::sluice()
        .args(["apply"])
        .arg(dir.path().join("pack2"))
        .args(["--target", &a.url(), "--yes"])
        .output()
        .expect("apply again");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(a.query("SELECT count(*) FROM orders"), "2");
}

/// A rebuild that would leave a child row without its parent is refused before COMMIT.
#[tokio::test]
async fn a_rebuild_that_breaks_a_foreign_key_is_rolled_back() {
    let a = support::sqlite_db();
    let b = support::sqlite_db();
    a.exec(
        "CREATE TABLE parents (id INTEGER PRIMARY KEY, code TEXT);
         CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_code TEXT);
         INSERT INTO parents VALUES (1, 'a'), (2, 'b');
         INSERT INTO kids VALUES (1, 'a'), (2, 'zz');",
    );
    b.exec(
        "CREATE TABLE parents (id INTEGER PRIMARY KEY, code TEXT UNIQUE);
         CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_code TEXT REFERENCES parents (code));",
    );
    let Err(err) = converge(&a, &b).await else {
        panic!("not refused")
    };
    assert!(err.contains("rolled back, nothing changed"), "{err}");
    assert!(err.contains("would point to no row of parents"), "{err}");
    assert_eq!(
        a.query("SELECT sql FROM sqlite_schema WHERE name = 'kids'"),
        "CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_code TEXT)"
    );
}

/// SQLite has no server-side statement timeout: apply interrupts a statement that runs past it,
/// and rolls back. A dry run runs everything and keeps nothing.
#[tokio::test]
async fn statement_timeout_and_dry_run() {
    let a = support::sqlite_db();
    a.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'x');");
    let db = connect(&a.url(), Access::ReadWrite).await;
    let step = |n: usize, sql: &str| Step {
        number: n,
        change: Change::Unsupported {
            object_kind: "test".into(),
            object: "main.t".into(),
            detail: String::new(),
        },
        sql: vec![sql.to_string()],
        after: Vec::new(),
        with: Vec::new(),
        reverse: Reverse::default(),
        risk: None,
    };
    let slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c";
    let steps = vec![step(1, "ALTER TABLE t ADD COLUMN w TEXT"), step(2, slow)];
    let opts = ApplyOptions {
        statement_timeout: std::time::Duration::from_millis(200),
        ..ApplyOptions::default()
    };
    let started = std::time::Instant::now();
    let err = apply(&db, &steps, &opts).await.expect_err("interrupted");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let msg = err.to_string();
    assert!(
        msg.contains("step 2 of 2") && msg.contains("statement timeout"),
        "{msg}"
    );
    assert_eq!(err.exit_code(), 5);
    assert_eq!(a.query("SELECT count(*) FROM pragma_table_info('t')"), "2");
    let dry = ApplyOptions {
        dry_run: true,
        ..ApplyOptions::default()
    };
    let report = apply(&db, &steps[..1], &dry).await.expect("dry run");
    assert!(report.rolled_back);
    assert_eq!(a.query("SELECT count(*) FROM pragma_table_info('t')"), "2");
    // Foreign keys are on again for the pool's next connection.
    let Db::Lite(pool) = &db else {
        panic!("sqlite")
    };
    let on: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(pool)
        .await
        .expect("pragma");
    assert_eq!(on, 1);
    db.close().await;
}

#[test]
fn ctrl_c_interrupts_a_rebuild_and_nothing_changes() {
    let t = support::sqlite_db();
    let s = support::sqlite_db();
    t.exec(
        "CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT, n INTEGER);
         WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500000)
         INSERT INTO big SELECT x, 'row number ' || x, x FROM c;",
    );
    // A new CHECK makes SQLite rebuild the table: every row is copied.
    s.exec("CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT, n INTEGER CHECK (n > 0));");
    let dir = tempfile::tempdir().expect("tempdir");
    let pack = dir.path().join("pack");
    let p = pack.to_string_lossy();
    let o = support::sluice()
        .args(["schema", "plan", &s.url(), &t.url(), "--out", &p])
        .output()
        .expect("plan");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let before = t.query("SELECT sql FROM sqlite_schema WHERE name = 'big'");
    let child = support::sluice()
        .args(["apply", &p, "--target", &t.url(), "--yes"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("sluice");
    // The write transaction has begun once SQLite's rollback journal exists.
    let journal = t.path.with_extension("db-journal");
    let start = std::time::Instant::now();
    while !journal.exists() {
        assert!(
            start.elapsed().as_secs() < 30,
            "the apply never started writing"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let o = child.wait_with_output().expect("wait");
    assert_eq!(
        o.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        t.query("SELECT sql FROM sqlite_schema WHERE name = 'big'"),
        before
    );
    assert_eq!(t.query("SELECT count(*) FROM big"), "1500000");
}
