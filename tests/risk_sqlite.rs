//! The risk engine against real SQLite files: TARGET and SOURCE are two fresh files, TARGET holds
//! rows; the plan (with its table rebuilds) is assessed with counts made on TARGET. Where it
//! matters, the plan is also run on TARGET (a dry run, rolled back) to show that a change the
//! counts call certain to fail does fail, and that one they clear does not.

mod support;

use support::client::connect;
use support::risk::{count, find, has, suggests};

use sluice::dialect::Access;
use sluice::engine::apply::ApplyOptions;
use sluice::engine::diff::DiffOptions;
use sluice::engine::plan::Step;
use sluice::engine::risk::{ProbeOptions, assess_plan, assess_with_data_opts};
use sluice::engine::schema;
use sluice::model::{Assessment, Catalog, Change, CountEffect, Filter, RiskLevel};
use support::client::apply;

struct Outcome {
    changes: Vec<Change>,
    steps: Vec<Step>,
    assessments: Vec<Assessment>,
    target: Catalog,
    source: Catalog,
    target_url: String,
    _dbs: (support::SqliteDb, support::SqliteDb),
}

impl Outcome {
    /// The assessment of the only change of `kind` (`rebuild_table`, `drop_table`, …).
    fn one(&self, kind: &str) -> &Assessment {
        let found: Vec<usize> = (0..self.changes.len())
            .filter(|&i| self.changes[i].kind() == kind)
            .collect();
        assert_eq!(found.len(), 1, "expected one {kind}, got:\n{}", self.dump());
        &self.assessments[found[0]]
    }

    /// The assessment of the rebuild of `table` (as SOURCE names it).
    fn rebuild(&self, table: &str) -> &Assessment {
        let i = (0..self.changes.len())
            .find(|&i| {
                matches!(&self.changes[i], Change::RebuildTable { table: t, .. } if t.name == table)
            })
            .unwrap_or_else(|| panic!("no rebuild of {table} in:\n{}", self.dump()));
        &self.assessments[i]
    }

    fn dump(&self) -> String {
        self.changes
            .iter()
            .zip(&self.assessments)
            .map(|(c, a)| {
                format!(
                    "  {} [{}] {} | {:?} | {:?}\n",
                    c.kind(),
                    a.level,
                    a.reason,
                    a.counts,
                    a.notes
                )
            })
            .collect()
    }

    fn score(&self) -> u8 {
        sluice::model::plan_score(&self.assessments)
    }

    /// Runs the plan on TARGET and rolls it back: what SQLite itself says.
    async fn dry_run(&self) -> Result<(), String> {
        let db = connect(&self.target_url, Access::ReadWrite).await;
        let opts = ApplyOptions {
            dry_run: true,
            ..ApplyOptions::default()
        };
        let r = apply(&db, &self.steps, &opts).await;
        db.close().await;
        r.map(|_| ()).map_err(|e| e.to_string())
    }

    /// Every reason and suggestion speaks SQLite, not PostgreSQL.
    fn speaks_sqlite(&self) {
        for a in &self.assessments {
            let text = format!("{} {}", a.reason, a.suggestion.as_deref().unwrap_or(""));
            for pg in ["ACCESS EXCLUSIVE", "CONCURRENTLY", "NOT VALID", "pg_"] {
                assert!(!text.contains(pg), "PostgreSQL wording '{pg}' in: {text}");
            }
        }
    }
}

async fn run(target_sql: &str, source_sql: &str) -> Outcome {
    run_opts(target_sql, source_sql, &ProbeOptions::default()).await
}

async fn run_opts(target_sql: &str, source_sql: &str, opts: &ProbeOptions) -> Outcome {
    let t = support::sqlite_db();
    let s = support::sqlite_db();
    t.exec(target_sql);
    s.exec(source_sql);
    assess_files(t, s, opts).await
}

async fn assess_files(t: support::SqliteDb, s: support::SqliteDb, opts: &ProbeOptions) -> Outcome {
    let tdb = connect(&t.url(), Access::ReadOnly).await;
    let sdb = connect(&s.url(), Access::ReadOnly).await;
    let target = sluice::dialect::inspect(&tdb, &Filter::default())
        .await
        .expect("inspect target");
    let source = sluice::dialect::inspect(&sdb, &Filter::default())
        .await
        .expect("inspect source");
    let plan = schema::plan(&target, &source, &DiffOptions::default()).expect("plan");
    let assessments =
        assess_with_data_opts(&plan.changes, &target, &source, Some(&tdb), opts).await;
    tdb.close().await;
    sdb.close().await;
    let out = Outcome {
        changes: plan.changes,
        steps: plan.steps,
        assessments,
        target,
        source,
        target_url: t.url(),
        _dbs: (t, s),
    };
    if std::env::var("RISK_DUMP").is_ok() {
        eprintln!("{}", out.dump());
    }
    for a in &out.assessments {
        assert!(!a.reason.is_empty() && !a.reason.contains('\n'), "{a:?}");
        if a.level != RiskLevel::Safe {
            assert!(a.suggestion.is_some(), "no suggestion: {a:?}");
        }
    }
    out.speaks_sqlite();
    out
}

/// `n` rows numbered 1..=n, as `g.x`: `WITH RECURSIVE g(x) AS (…)`.
fn series(n: u32) -> String {
    format!("WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < {n})")
}

const CUSTOMER: &str = "CREATE TABLE customer (id INTEGER PRIMARY KEY, company TEXT);";

// ------------------------------------------------------------------ NOT NULL (in a rebuild)

#[tokio::test]
async fn set_not_null_in_a_rebuild_counts_nulls() {
    let o = run(
        &format!(
            "{CUSTOMER} {} INSERT INTO customer SELECT x, CASE WHEN x <= 12 THEN NULL ELSE 'c' || x END FROM g;",
            series(20)
        ),
        "CREATE TABLE customer (id INTEGER PRIMARY KEY, company TEXT NOT NULL);",
    )
    .await;
    let a = o.rebuild("customer");
    assert_eq!(a.level, RiskLevel::Danger);
    assert!(a.certain_failure, "{}", o.dump());
    assert_eq!(
        a.reason,
        "SET NOT NULL on main.customer.company: 12 rows are NULL"
    );
    let nulls = find(a, "rows are NULL");
    assert_eq!(nulls.count, 12);
    assert_eq!(nulls.subject, "SET NOT NULL on main.customer.company");
    assert_eq!(nulls.effect, CountEffect::Fails);
    assert_eq!(count(a, "rows are in the table"), 20);
    suggests(a, "UPDATE the NULL rows");
    assert_eq!(o.score(), 100);
    let err = o.dry_run().await.expect_err("SQLite refuses the NULLs too");
    assert!(err.contains("NOT NULL"), "{err}");
}

#[tokio::test]
async fn set_not_null_without_nulls_is_not_certain_to_fail() {
    let o = run(
        &format!(
            "{CUSTOMER} {} INSERT INTO customer SELECT x, 'c' FROM g;",
            series(20)
        ),
        "CREATE TABLE customer (id INTEGER PRIMARY KEY, company TEXT NOT NULL);",
    )
    .await;
    let a = o.rebuild("customer");
    assert!(!a.certain_failure);
    assert_eq!(count(a, "rows are NULL"), 0);
    assert_eq!(a.level, RiskLevel::Caution, "{}", o.dump());
    has(a, "rebuilds the table");
    assert!(o.score() < 100);
    o.dry_run().await.expect("clean data: the rebuild works");
}

#[tokio::test]
async fn static_verdict_of_a_rebuild() {
    let o = run(
        &format!("{CUSTOMER} INSERT INTO customer VALUES (1, NULL);"),
        "CREATE TABLE customer (id INTEGER PRIMARY KEY, company TEXT NOT NULL);",
    )
    .await;
    let plain = assess_plan(&o.changes, &o.target, &o.source);
    let i = o
        .changes
        .iter()
        .position(|c| c.kind() == "rebuild_table")
        .unwrap();
    assert_eq!(plain[i].level, RiskLevel::Danger);
    assert!(!plain[i].certain_failure);
    has(
        &plain[i],
        "SET NOT NULL on main.customer.company: fails if any row is NULL",
    );
}

#[tokio::test]
async fn add_not_null_column_without_default() {
    let src = "CREATE TABLE customer (id INTEGER PRIMARY KEY, company TEXT, region TEXT NOT NULL);";
    let o = run(
        &format!("{CUSTOMER} INSERT INTO customer VALUES (1, 'a'), (2, 'b'), (3, 'c');"),
        src,
    )
    .await;
    let a = o.rebuild("customer");
    assert!(a.certain_failure, "{}", o.dump());
    assert_eq!(count(a, "rows are in the table"), 3);
    has(
        a,
        "ADD COLUMN main.customer.region: 3 rows are in the table",
    );
    assert!(o.dry_run().await.is_err());

    let o = run(CUSTOMER, src).await;
    let a = o.rebuild("customer");
    assert!(!a.certain_failure);
    assert_eq!(count(a, "rows are in the table"), 0);
    assert_eq!(a.level, RiskLevel::Caution);
    o.dry_run().await.expect("an empty table takes the column");
}

// ------------------------------------------------------------------ drops

#[tokio::test]
async fn drops_count_rows_and_values() {
    let o = run(
        &format!(
            "CREATE TABLE customer (id INTEGER PRIMARY KEY, company TEXT, fax TEXT);
             {} INSERT INTO customer SELECT x, 'c', CASE WHEN x % 2 = 0 THEN 'f' END FROM g;
             CREATE TABLE orders (id INTEGER);
             {} INSERT INTO orders SELECT x FROM g;",
            series(10),
            series(2345)
        ),
        CUSTOMER,
    )
    .await;
    let t = o.one("drop_table");
    assert_eq!(t.level, RiskLevel::Danger);
    assert_eq!(t.reason, "DROP TABLE main.orders: 2 345 rows would be lost");
    suggests(t, "copy of the database file");
    let c = o.one("drop_column");
    assert_eq!(count(c, "values would be lost"), 5);
    has(c, "DROP COLUMN main.customer.fax: 5 values would be lost");
}

// ------------------------------------------------------------------ type changes

#[tokio::test]
async fn narrowing_is_counted_but_not_enforced() {
    let o = run(
        &format!(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(100), qty BIGINT, price NUMERIC(10,2));
             {} INSERT INTO t SELECT x, substr('ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé', 1, CASE WHEN x <= 7 THEN 60 ELSE 50 END),
                                   CASE WHEN x <= 4 THEN 100000 ELSE x END,
                                   CASE WHEN x <= 3 THEN 123456.78 ELSE 12.5 END FROM g;",
            series(30)
        ),
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(50), qty SMALLINT, price NUMERIC(6,2));",
    )
    .await;
    let a = o.rebuild("t");
    // length() counts characters: 'é' is one.
    assert_eq!(
        count(
            a,
            "values are longer than 50 characters (not enforced by SQLite)"
        ),
        7
    );
    assert_eq!(
        count(
            a,
            "values are out of range for SMALLINT (not enforced by SQLite)"
        ),
        4
    );
    assert_eq!(
        count(
            a,
            "values are too large for NUMERIC(6,2) (not enforced by SQLite)"
        ),
        3
    );
    assert!(a.counts.iter().all(|c| c.effect == CountEffect::Info));
    assert!(!a.certain_failure);
    assert_eq!(a.level, RiskLevel::Caution, "{}", o.dump());
    o.dry_run()
        .await
        .expect("SQLite keeps values that exceed the declared type");
}

#[tokio::test]
async fn text_to_integer_converts_what_reads_as_a_number() {
    let o = run(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT);
         INSERT INTO t VALUES (1, '12'), (2, ' -7 '), (3, 'abc'), (4, '007'), (5, '1.5'),
                              (6, NULL), (7, x'3132');",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code INTEGER);",
    )
    .await;
    let a = o.rebuild("t");
    // ' -7 ' and '007' change their form; 'abc' and the blob stay as they are.
    assert_eq!(
        count(
            a,
            "values are stored as numbers in another form (e.g. '007' becomes 7)"
        ),
        2
    );
    assert_eq!(count(a, "values are left unconverted (not numbers)"), 2);
    assert!(!a.certain_failure);
    assert_eq!(a.level, RiskLevel::Danger, "{}", o.dump());
    has(a, "2 values are stored as numbers in another form");
    o.dry_run()
        .await
        .expect("a non-STRICT table takes any value");

    let o = run(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT); INSERT INTO t VALUES (1, '12'), (2, '-7'), (3, 'x');",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code INTEGER);",
    )
    .await;
    let a = o.rebuild("t");
    assert_eq!(a.level, RiskLevel::Caution, "{}", o.dump());
    assert_eq!(count(a, "values are left unconverted (not numbers)"), 1);
}

#[tokio::test]
async fn strict_tables_refuse_what_their_type_cannot_hold() {
    let o = run(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT, amount TEXT) STRICT;
         INSERT INTO t VALUES (1, '12', '1.5'), (2, ' -7 ', 'x'), (3, 'abc', '2'), (4, '1.5', NULL),
                              (5, '99999999999999999999', NULL), (6, '3.0', NULL), (7, NULL, NULL);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code INTEGER, amount REAL) STRICT;",
    )
    .await;
    let a = o.rebuild("t");
    assert!(a.certain_failure, "{}", o.dump());
    let refused: Vec<(String, u64)> = a
        .counts
        .iter()
        .filter(|c| c.effect == CountEffect::Fails)
        .map(|c| (c.what.clone(), c.count))
        .collect();
    assert_eq!(
        refused,
        vec![
            ("values cannot be stored as INTEGER".to_string(), 3),
            ("values cannot be stored as REAL".to_string(), 1),
        ],
        "'abc', '1.5', '9999…'; 'x'"
    );
    assert!(o.dry_run().await.is_err());

    let o = run(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT) STRICT;
         INSERT INTO t VALUES (1, '12'), (2, ' -7 '), (3, '3.0'), (4, NULL);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code INTEGER) STRICT;",
    )
    .await;
    let a = o.rebuild("t");
    assert!(!a.certain_failure);
    assert_eq!(count(a, "values cannot be stored as INTEGER"), 0);
    o.dry_run().await.expect("every value converts");
}

// ------------------------------------------------------------------ keys and indexes

const USERS: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
    INSERT INTO users VALUES (1, 'a'), (2, 'a'), (3, 'b'), (4, 'b'), (5, 'b'), (6, 'c'), (7, 'c'),
                             (8, 'd'), (9, NULL), (10, NULL);";

#[tokio::test]
async fn add_unique_counts_duplicates() {
    let o = run(
        USERS,
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE);",
    )
    .await;
    let a = o.rebuild("users");
    assert!(a.certain_failure, "{}", o.dump());
    assert_eq!(count(a, "values of email are duplicated"), 3);
    has(a, "3 values of email are duplicated");
    suggests(a, "remove duplicates");
    assert!(o.dry_run().await.is_err());
}

#[tokio::test]
async fn unique_index_counts_duplicates() {
    let o = run(
        &format!("{USERS} INSERT INTO users VALUES (11, 'A');"),
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
         CREATE UNIQUE INDEX users_email ON users (lower(email));
         CREATE UNIQUE INDEX users_email_partial ON users (email) WHERE id > 4;",
    )
    .await;
    let idx = |name: &str| {
        let i = (0..o.changes.len())
            .find(|&i| matches!(&o.changes[i], Change::CreateIndex { index, .. } if index.name == name))
            .unwrap_or_else(|| panic!("no index {name}:\n{}", o.dump()));
        &o.assessments[i]
    };
    let a = idx("users_email");
    assert!(a.certain_failure);
    assert_eq!(a.counts[0].count, 3, "'a' and 'A' collide under lower()");
    suggests(a, "remove duplicates first");
    assert_eq!(idx("users_email_partial").counts[0].count, 1);
}

#[tokio::test]
async fn add_primary_key_counts_what_sqlite_refuses() {
    // A rowid table admits NULL in its key: only the duplicate fails.
    let o = run(
        "CREATE TABLE t (code TEXT); INSERT INTO t VALUES ('a'), ('a'), ('b'), (NULL), (NULL);",
        "CREATE TABLE t (code TEXT PRIMARY KEY);",
    )
    .await;
    let a = o.rebuild("t");
    assert!(a.certain_failure, "{}", o.dump());
    assert_eq!(count(a, "values of code are duplicated"), 1);
    let nulls = find(a, "rows are NULL in code (SQLite admits NULL in this key)");
    assert_eq!((nulls.count, nulls.effect), (2, CountEffect::Info));
    assert_eq!(
        a.reason,
        "ADD PRIMARY KEY on main.t (code): 1 value of code is duplicated"
    );
    assert!(o.dry_run().await.is_err());

    // NULLs alone: SQLite takes them.
    let o = run(
        "CREATE TABLE t (code TEXT); INSERT INTO t VALUES ('a'), ('b'), (NULL), (NULL);",
        "CREATE TABLE t (code TEXT PRIMARY KEY);",
    )
    .await;
    assert!(!o.rebuild("t").certain_failure, "{}", o.dump());
    o.dry_run().await.expect("NULLs in a rowid table's key");

    // WITHOUT ROWID refuses them.
    let o = run(
        "CREATE TABLE t (code TEXT); INSERT INTO t VALUES ('a'), ('b'), (NULL);",
        "CREATE TABLE t (code TEXT PRIMARY KEY) WITHOUT ROWID;",
    )
    .await;
    let a = o.rebuild("t");
    assert!(a.certain_failure, "{}", o.dump());
    assert_eq!(count(a, "rows are NULL in code"), 1);
    assert!(o.dry_run().await.is_err());
}

const PARENT_CHILD: &str = "CREATE TABLE parent (id INTEGER PRIMARY KEY);
    INSERT INTO parent VALUES (1), (2), (3);
    CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER);";
const WITH_FK: &str = "CREATE TABLE parent (id INTEGER PRIMARY KEY);
    CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));";

#[tokio::test]
async fn add_foreign_key_counts_orphans() {
    let o = run(
        &format!(
            "{PARENT_CHILD} {} INSERT INTO child SELECT x, CASE WHEN x <= 5 THEN 100 + x WHEN x <= 8 THEN 1 ELSE NULL END FROM g;",
            series(10)
        ),
        WITH_FK,
    )
    .await;
    let a = o.rebuild("child");
    assert!(a.certain_failure, "{}", o.dump());
    assert_eq!(count(a, "rows are orphaned (no match in main.parent)"), 5);
    has(a, "5 rows are orphaned");
    suggests(a, "orphan rows");
    let err = o.dry_run().await.expect_err("foreign_key_check finds them");
    assert!(
        err.contains("5 row(s) of child would point to no row"),
        "{err}"
    );

    let o = run(
        &format!("{PARENT_CHILD} INSERT INTO child VALUES (1, 1), (2, NULL);"),
        WITH_FK,
    )
    .await;
    let a = o.rebuild("child");
    assert!(!a.certain_failure);
    assert_eq!(count(a, "rows are orphaned (no match in main.parent)"), 0);
    o.dry_run().await.expect("no orphans");
}

#[tokio::test]
async fn foreign_key_to_a_new_table_and_to_itself() {
    let o = run(
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER); INSERT INTO child VALUES (1, 7);",
        WITH_FK,
    )
    .await;
    let a = o.rebuild("child");
    assert!(a.counts.is_empty(), "no probe on a table the plan creates");
    assert!(!a.certain_failure);

    // A self-reference is checked against the rebuilt rows themselves.
    let o = run(
        "CREATE TABLE cat (id INTEGER PRIMARY KEY, parent INTEGER);
         INSERT INTO cat VALUES (1, NULL), (2, 1), (3, 9);",
        "CREATE TABLE cat (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES cat (id));",
    )
    .await;
    let a = o.rebuild("cat");
    assert_eq!(count(a, "rows are orphaned (no match in main.cat)"), 1);
    assert!(o.dry_run().await.is_err());
}

#[tokio::test]
async fn add_check_counts_violations() {
    let src =
        "CREATE TABLE t (id INTEGER PRIMARY KEY, qty INTEGER CONSTRAINT qty_pos CHECK (qty >= 0));";
    let o = run(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, qty INTEGER);
         INSERT INTO t VALUES (1, 5), (2, -1), (3, -2), (4, NULL);",
        src,
    )
    .await;
    let a = o.rebuild("t");
    assert!(a.certain_failure, "{}", o.dump());
    assert_eq!(count(a, "rows are rejected by the check"), 2, "NULL passes");
    has(
        a,
        "ADD CHECK qty_pos on main.t: 2 rows are rejected by the check",
    );
    assert!(o.dry_run().await.is_err());

    let o = run(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, qty INTEGER); INSERT INTO t VALUES (1, 5), (2, NULL);",
        src,
    )
    .await;
    let a = o.rebuild("t");
    assert!(!a.certain_failure);
    assert_eq!(count(a, "rows are rejected by the check"), 0);
    o.dry_run().await.expect("no violation");
}

#[tokio::test]
async fn constraints_on_renamed_and_new_columns_count_the_rebuilt_rows() {
    // The check names SOURCE's columns: a renamed one, and a new one at its default.
    let o = run(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, qty INTEGER);
         INSERT INTO t VALUES (1, 5), (2, -1), (3, 7);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, quantity INTEGER, cap INTEGER DEFAULT 6,
                         CONSTRAINT under_cap CHECK (quantity <= cap), UNIQUE (cap));",
    )
    .await;
    let a = o.rebuild("t");
    assert!(a.certain_failure, "{}", o.dump());
    assert_eq!(count(a, "rows are rejected by the check"), 1, "7 > 6");
    assert_eq!(
        count(a, "values of cap are duplicated"),
        1,
        "every row gets cap = 6"
    );
    assert!(o.dry_run().await.is_err());
}

// ------------------------------------------------------------------ renames, errors, timeouts

#[tokio::test]
async fn counts_follow_renames_into_the_rebuild() {
    // A renamed table: counted under TARGET's name.
    let o = run(
        "CREATE TABLE customer (id INTEGER PRIMARY KEY, company TEXT, city TEXT);
         INSERT INTO customer VALUES (1, NULL, 'x'), (2, NULL, 'y'), (3, 'c', 'z');",
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, company TEXT NOT NULL, city TEXT);",
    )
    .await;
    let a = o.rebuild("customers");
    assert!(a.certain_failure, "{}", o.dump());
    assert_eq!(count(a, "rows are NULL"), 2);
    has(a, "SET NOT NULL on main.customers.company: 2 rows are NULL");
    assert!(o.dry_run().await.is_err());

    // A renamed column: the same.
    let o = run(
        "CREATE TABLE customer (id INTEGER PRIMARY KEY, company TEXT, city TEXT);
         INSERT INTO customer VALUES (1, NULL, 'x'), (2, NULL, 'y'), (3, 'c', 'z');",
        "CREATE TABLE customer (id INTEGER PRIMARY KEY, company_name TEXT NOT NULL, city TEXT);",
    )
    .await;
    let a = o.rebuild("customer");
    assert!(a.certain_failure, "{}", o.dump());
    assert_eq!(count(a, "rows are NULL"), 2);
    has(
        a,
        "SET NOT NULL on main.customer.company_name: 2 rows are NULL",
    );
}

#[tokio::test]
async fn a_probe_that_fails_is_reported_not_fatal() {
    let o = run(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER);
         INSERT INTO t VALUES (1, -9223372036854775807 - 1);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, CONSTRAINT size CHECK (abs(a) >= 0));",
    )
    .await;
    let a = o.rebuild("t");
    assert!(a.counts.is_empty());
    assert!(!a.certain_failure);
    assert!(
        a.notes
            .iter()
            .any(|n| n.starts_with("could not count: integer overflow")),
        "{:?}",
        a.notes
    );
}

#[tokio::test]
async fn statement_timeout_is_reported() {
    let opts = ProbeOptions {
        statement_timeout: std::time::Duration::from_millis(1),
        ..ProbeOptions::default()
    };
    let o = run_opts(
        &format!(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER); {} INSERT INTO t SELECT x, x FROM g;",
            series(300_000)
        ),
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER,
            CONSTRAINT slow CHECK (a > 0 AND length(replace(hex(zeroblob(100)), '0', 'ab')) > 0));",
        &opts,
    )
    .await;
    let a = o.rebuild("t");
    assert!(!a.certain_failure);
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("could not count: interrupted") && n.contains("limit")),
        "{:?}",
        a.notes
    );
}

// ------------------------------------------------------------------ the demo

#[tokio::test]
async fn demo_email_not_null_is_certain_to_fail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pair = sluice::engine::demo::build(dir.path())
        .await
        .expect("build demo");
    let as_db = |path: &std::path::Path| support::SqliteDb {
        dir: tempfile::tempdir().expect("tempdir"),
        path: path.to_path_buf(),
    };
    let o = assess_files(
        as_db(&pair.target),
        as_db(&pair.source),
        &ProbeOptions::default(),
    )
    .await;
    let a = o.rebuild("customers");
    assert!(a.certain_failure, "{}", o.dump());
    assert_eq!(a.level, RiskLevel::Danger);
    let email = find(a, "rows are NULL");
    assert_eq!(email.subject, "SET NOT NULL on main.customers.email");
    assert_eq!(email.count, 1, "Grace Hopper has no email");
    assert_eq!(
        a.reason,
        "SET NOT NULL on main.customers.email: 1 row is NULL"
    );
    assert_eq!(o.score(), 100);
    // The other rebuilds: the dropped legacy_code loses 3 values; the new checks pass.
    let p = o.rebuild("products");
    assert!(!p.certain_failure, "{}", o.dump());
    assert_eq!(count(p, "values would be lost"), 3);
    assert_eq!(count(p, "rows are rejected by the check"), 0);
    let l = o.rebuild("order_lines");
    assert!(!l.certain_failure, "{}", o.dump());
    assert_eq!(count(l, "rows are rejected by the check"), 0);
    assert!(o.dry_run().await.is_err(), "SQLite agrees: the plan fails");
}
