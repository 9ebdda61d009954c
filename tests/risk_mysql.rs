//! The risk engine against real MariaDB databases (the harness's 10.11 server): TARGET and SOURCE
//! are two fresh databases, TARGET holds rows; the diff's changes are assessed with counts made
//! on TARGET. Where it matters, the ALTER the change stands for is run on TARGET afterwards, to
//! show that what the counts call certain to fail does fail (strict sql_mode), and what they
//! clear does not.

mod support;

use support::client::connect;
use support::risk::{count, find, has, suggests};

use sluice::dialect::{Access, Db};
use sluice::engine::diff::{DiffOptions, diff};
use sluice::engine::risk::{ProbeOptions, assess_with_data_opts};
use sluice::model::{Assessment, Catalog, Change, CountEffect, Filter, RiskLevel};

struct Outcome {
    changes: Vec<Change>,
    assessments: Vec<Assessment>,
    target: Catalog,
    target_db: support::MyDb,
}

impl Outcome {
    /// The assessment of the only change of `kind` (`set_not_null`, …).
    fn one(&self, kind: &str) -> &Assessment {
        let found: Vec<usize> = (0..self.changes.len())
            .filter(|&i| self.changes[i].kind() == kind)
            .collect();
        assert_eq!(found.len(), 1, "expected one {kind}, got:\n{}", self.dump());
        &self.assessments[found[0]]
    }

    /// The assessment of the change of `kind` whose description contains `text`.
    fn find(&self, kind: &str, text: &str) -> &Assessment {
        let i = (0..self.changes.len())
            .find(|&i| self.changes[i].kind() == kind && self.changes[i].describe().contains(text))
            .unwrap_or_else(|| panic!("no {kind} change with '{text}' in:\n{}", self.dump()));
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

    /// `db.t` as subjects name TARGET's tables.
    fn table(&self, t: &str) -> String {
        format!("{}.{t}", self.target.default_schema)
    }

    /// Runs a statement on TARGET: what the server itself says.
    async fn alter(&self, sql: &str) -> Result<(), String> {
        let db = connect(&self.target_db.url(), Access::ReadWrite).await;
        let Db::My(pool) = &db else {
            panic!("not MySQL")
        };
        let r = sqlx::raw_sql(sql).execute(pool).await;
        db.close().await;
        r.map(|_| ()).map_err(|e| e.to_string())
    }

    /// Every reason and suggestion speaks MySQL, not PostgreSQL.
    fn speaks_mysql(&self) {
        for a in &self.assessments {
            let text = format!("{} {}", a.reason, a.suggestion.as_deref().unwrap_or(""));
            for pg in ["ACCESS EXCLUSIVE", "CONCURRENTLY", "NOT VALID", "pg_"] {
                assert!(!text.contains(pg), "PostgreSQL wording '{pg}' in: {text}");
            }
            if a.certain_failure {
                assert!(text.contains("DDL commits at once"), "{text}");
            }
        }
    }
}

async fn run(target_sql: &str, source_sql: &str) -> Outcome {
    run_opts(target_sql, source_sql, &ProbeOptions::default()).await
}

async fn run_opts(target_sql: &str, source_sql: &str, opts: &ProbeOptions) -> Outcome {
    let t = support::mysql_db();
    let s = support::mysql_db();
    t.exec(target_sql);
    s.exec(source_sql);
    let tdb = connect(&t.url(), Access::ReadOnly).await;
    let sdb = connect(&s.url(), Access::ReadOnly).await;
    let target = sluice::dialect::inspect(&tdb, &Filter::default())
        .await
        .expect("inspect target");
    let source = sluice::dialect::inspect(&sdb, &Filter::default())
        .await
        .expect("inspect source");
    let changes = diff(&target, &source, &DiffOptions::default());
    let assessments = assess_with_data_opts(&changes, &target, &source, Some(&tdb), opts).await;
    // The counts' session settings were put back on the connections they used.
    if let Db::My(pool) = &tdb {
        let restored: i64 = sqlx::query_scalar(
            "SELECT @@session.max_statement_time = @@global.max_statement_time
                AND @@session.lock_wait_timeout = @@global.lock_wait_timeout",
        )
        .fetch_one(pool)
        .await
        .expect("read session settings");
        assert_eq!(restored, 1, "probe settings leaked into the pool");
    }
    tdb.close().await;
    sdb.close().await;
    let out = Outcome {
        changes,
        assessments,
        target,
        target_db: t,
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
    out.speaks_mysql();
    out
}

const CUSTOMER: &str = "CREATE TABLE customer (id int PRIMARY KEY, company varchar(50));";
const CUSTOMER_NOT_NULL: &str =
    "CREATE TABLE customer (id int PRIMARY KEY, company varchar(50) NOT NULL);";

// ------------------------------------------------------------------ NOT NULL

#[tokio::test]
async fn set_not_null_counts_nulls() {
    let o = run(
        &format!(
            "{CUSTOMER} INSERT INTO customer SELECT seq, IF(seq <= 12, NULL, concat('c', seq)) FROM seq_1_to_20;"
        ),
        CUSTOMER_NOT_NULL,
    )
    .await;
    let a = o.one("set_not_null");
    assert_eq!(a.level, RiskLevel::Danger);
    assert!(a.certain_failure);
    assert_eq!(
        a.reason,
        format!(
            "SET NOT NULL on {}.company: 12 rows are NULL",
            o.table("customer")
        )
    );
    assert_eq!(count(a, "rows are NULL"), 12);
    assert_eq!(count(a, "rows are in the table"), 20);
    suggests(a, "UPDATE the NULL rows");
    suggests(a, "ALGORITHM=INPLACE");
    assert_eq!(o.score(), 100);
    let err = o
        .alter("ALTER TABLE customer MODIFY company varchar(50) NOT NULL")
        .await
        .expect_err("strict mode refuses the NULLs");
    assert!(err.contains("Data truncated"), "{err}");
}

#[tokio::test]
async fn set_not_null_without_nulls_is_not_certain_to_fail() {
    let o = run(
        &format!("{CUSTOMER} INSERT INTO customer SELECT seq, 'c' FROM seq_1_to_20;"),
        CUSTOMER_NOT_NULL,
    )
    .await;
    let a = o.one("set_not_null");
    assert!(!a.certain_failure);
    assert_eq!(count(a, "rows are NULL"), 0);
    assert_eq!(a.level, RiskLevel::Caution);
    has(a, "rebuilds the table (in place: writes go on)");
    o.alter("ALTER TABLE customer MODIFY company varchar(50) NOT NULL")
        .await
        .expect("no NULLs");
}

#[tokio::test]
async fn add_not_null_column_without_default_fills_rows_in() {
    let o = run(
        &format!("{CUSTOMER} INSERT INTO customer VALUES (1, 'a'), (2, 'b'), (3, 'c');"),
        "CREATE TABLE customer (id int PRIMARY KEY, company varchar(50), region varchar(10) NOT NULL);",
    )
    .await;
    let a = o.one("add_column");
    let rows = find(
        a,
        "rows are filled with the type's implicit default (0, '' or a zero date)",
    );
    assert_eq!((rows.count, rows.effect), (3, CountEffect::Info));
    assert!(!a.certain_failure);
    assert_eq!(a.level, RiskLevel::Caution);
    has(a, "implicit default");
    o.alter("ALTER TABLE customer ADD region varchar(10) NOT NULL")
        .await
        .expect("MariaDB fills the column with ''");
}

// ------------------------------------------------------------------ drops

#[tokio::test]
async fn drops_count_rows_and_values() {
    let o = run(
        "CREATE TABLE customer (id int PRIMARY KEY, company varchar(50), fax varchar(20));
         INSERT INTO customer SELECT seq, 'c', IF(seq % 2 = 0, 'f', NULL) FROM seq_1_to_10;
         CREATE TABLE orders (id int);
         INSERT INTO orders SELECT seq FROM seq_1_to_2345;",
        CUSTOMER,
    )
    .await;
    let t = o.one("drop_table");
    assert_eq!(t.level, RiskLevel::Danger);
    assert_eq!(
        t.reason,
        format!("DROP TABLE {}: 2 345 rows would be lost", o.table("orders"))
    );
    suggests(t, "mysqldump");
    let c = o.one("drop_column");
    assert_eq!(count(c, "values would be lost"), 5);
    assert_eq!(o.score(), 60);
}

// ------------------------------------------------------------------ type changes

#[tokio::test]
async fn narrowing_text_counts_characters() {
    let src = "CREATE TABLE t (id int PRIMARY KEY, name varchar(50), code char(3));";
    // 'é' is two bytes and one character; trailing spaces do not count for CHAR.
    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, name varchar(100), code varchar(10));
         INSERT INTO t SELECT seq, repeat('é', IF(seq <= 7, 51, 50)), IF(seq <= 2, 'abcd', 'ab      ')
         FROM seq_1_to_30;",
        src,
    )
    .await;
    let name = o.find("alter_column_type", "column name:");
    assert!(name.certain_failure, "{}", o.dump());
    assert_eq!(count(name, "values are longer than 50 characters"), 7);
    has(name, "7 values are longer than 50 characters");
    let code = o.find("alter_column_type", "column code:");
    assert_eq!(count(code, "values are longer than 3 characters"), 2);
    let err = o
        .alter("ALTER TABLE t MODIFY name varchar(50)")
        .await
        .expect_err("too long");
    assert!(err.contains("Data too long"), "{err}");

    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, name varchar(100), code varchar(10));
         INSERT INTO t SELECT seq, repeat('é', 50), 'ab      ' FROM seq_1_to_30;",
        src,
    )
    .await;
    for a in &o.assessments {
        assert!(!a.certain_failure, "{}", o.dump());
        assert_eq!(a.level, RiskLevel::Caution);
    }
    o.alter("ALTER TABLE t MODIFY name varchar(50), MODIFY code char(3)")
        .await
        .expect("everything fits");
}

#[tokio::test]
async fn narrowing_numbers() {
    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, small bigint, price decimal(10,2), rate decimal(10,4), n int);
         INSERT INTO t SELECT seq, IF(seq <= 4, 100000, seq), IF(seq <= 3, 123456.78, 12.5),
                              IF(seq <= 6, 1.2345, 1.5), IF(seq <= 2, -seq, seq)
         FROM seq_1_to_10;",
        "CREATE TABLE t (id int PRIMARY KEY, small smallint, price decimal(6,2), rate decimal(10,2), n int unsigned);",
    )
    .await;
    let small = o.find("alter_column_type", "column small:");
    assert!(small.certain_failure);
    assert_eq!(count(small, "values are out of range for smallint(6)"), 4);
    let price = o.find("alter_column_type", "column price:");
    assert!(price.certain_failure);
    assert_eq!(count(price, "values are too large for decimal(6,2)"), 3);
    let rate = o.find("alter_column_type", "column rate:");
    assert!(!rate.certain_failure);
    assert_eq!(rate.level, RiskLevel::Danger);
    assert_eq!(
        count(rate, "values would be rounded to 2 decimal places"),
        6
    );
    let n = o.find("alter_column_type", "column n:");
    assert_eq!(count(n, "values are out of range for int(10) unsigned"), 2);
    for (col, ty) in [
        ("small", "smallint"),
        ("price", "decimal(6,2)"),
        ("n", "int unsigned"),
    ] {
        assert!(
            o.alter(&format!("ALTER TABLE t MODIFY {col} {ty}"))
                .await
                .is_err(),
            "{col}"
        );
    }
    o.alter("ALTER TABLE t MODIFY rate decimal(10,2)")
        .await
        .expect("rounding is silent");
}

#[tokio::test]
async fn text_to_numbers_and_dates() {
    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, code varchar(20), born varchar(30), amount varchar(20));
         INSERT INTO t VALUES
           (1, '12', '2020-01-01', '12.5'),
           (2, ' -7 ', 'x', '-1e2'),
           (3, 'abc', '2020-02-30', '1234.5'),
           (4, '1.5', '2020-01-01 12:00:00', 'x1'),
           (5, '99999999999', '2020-01-01x', '.5'),
           (6, NULL, NULL, NULL);",
        "CREATE TABLE t (id int PRIMARY KEY, code int, born date, amount decimal(5,2));",
    )
    .await;
    let code = o.find("alter_column_type", "column code:");
    assert!(code.certain_failure, "{}", o.dump());
    assert_eq!(count(code, "values cannot be converted to int(11)"), 3);
    let born = o.find("alter_column_type", "column born:");
    assert_eq!(
        count(born, "values cannot be converted to date"),
        3,
        "'x', '2020-02-30', '2020-01-01x'"
    );
    let amount = o.find("alter_column_type", "column amount:");
    assert_eq!(
        count(amount, "values cannot be converted to decimal(5,2)"),
        2,
        "1234.5 does not fit, x1 is not a number"
    );
    for (col, ty) in [
        ("code", "int"),
        ("born", "date"),
        ("amount", "decimal(5,2)"),
    ] {
        assert!(
            o.alter(&format!("ALTER TABLE t MODIFY {col} {ty}"))
                .await
                .is_err(),
            "{col}"
        );
    }

    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, code varchar(20), born varchar(30), amount varchar(20));
         INSERT INTO t VALUES (1, '12', '2020-01-01', '12.5'), (2, ' -7 ', '2020-1-1', '-1e2'),
                              (3, '+3', '2020-01-01 12:00:00', '.5'), (4, NULL, NULL, NULL);",
        "CREATE TABLE t (id int PRIMARY KEY, code int, born date, amount decimal(5,2));",
    )
    .await;
    for a in &o.assessments {
        assert!(!a.certain_failure, "{}", o.dump());
        assert_eq!(a.level, RiskLevel::Caution);
    }
    o.alter("ALTER TABLE t MODIFY code int, MODIFY born date, MODIFY amount decimal(5,2)")
        .await
        .expect("every value converts");
}

#[tokio::test]
async fn enum_and_set_values() {
    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, size enum('s','m','l'), tags set('x','y','z'),
                         mood enum('ok','sad'));
         INSERT INTO t VALUES (1, 's', 'x,z', 'ok'), (2, 'l', 'z', 'sad'), (3, 'l', 'x,y', 'ok'),
                              (4, 'm', '', 'ok'), (5, NULL, NULL, NULL);",
        "CREATE TABLE t (id int PRIMARY KEY, size enum('s','m'), tags set('x','y'),
                         mood enum('ok','sad','happy'));",
    )
    .await;
    let size = o.find("alter_column_type", "column size:");
    assert!(size.certain_failure, "{}", o.dump());
    assert_eq!(count(size, "rows are using a removed value ('l')"), 2);
    has(size, "2 rows are using a removed value ('l')");
    let tags = o.find("alter_column_type", "column tags:");
    assert_eq!(count(tags, "rows are using a removed value ('z')"), 2);
    let mood = o.find("alter_column_type", "column mood:");
    assert_eq!(mood.level, RiskLevel::Safe, "{}", o.dump());
    has(mood, "ALGORITHM=INSTANT");
    for (col, ty) in [("size", "enum('s','m')"), ("tags", "set('x','y')")] {
        assert!(
            o.alter(&format!("ALTER TABLE t MODIFY {col} {ty}"))
                .await
                .is_err(),
            "{col}"
        );
    }

    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, size enum('s','m','l'));
         INSERT INTO t VALUES (1, 's'), (2, 'm');",
        "CREATE TABLE t (id int PRIMARY KEY, size enum('s','m'));",
    )
    .await;
    let a = o.one("alter_column_type");
    assert!(!a.certain_failure);
    assert_eq!(a.level, RiskLevel::Caution);
    has(a, "no row uses the removed value(s) now");
}

// ------------------------------------------------------------------ keys and indexes

/// utf8mb4_general_ci: 'A' and 'a' are one value, and so are 'b' and 'b ' (PAD SPACE).
const USERS: &str = "CREATE TABLE users (id int PRIMARY KEY, email varchar(50));
    INSERT INTO users VALUES (1, 'a'), (2, 'A'), (3, 'b'), (4, 'b '), (5, 'b'), (6, 'c'), (7, 'c'),
                             (8, 'd'), (9, NULL), (10, NULL);";

#[tokio::test]
async fn add_unique_counts_duplicates_under_the_collation() {
    let o = run(
        USERS,
        "CREATE TABLE users (id int PRIMARY KEY, email varchar(50), UNIQUE KEY users_email (email));",
    )
    .await;
    let (i, a) = o
        .changes
        .iter()
        .zip(&o.assessments)
        .enumerate()
        .find(|(_, (c, _))| matches!(c.kind(), "add_unique" | "create_index"))
        .map(|(i, (_, a))| (i, a))
        .unwrap_or_else(|| panic!("no unique key:\n{}", o.dump()));
    assert!(a.certain_failure, "{}", o.dump());
    assert_eq!(a.counts[0].count, 3, "{:?}", o.changes[i]);
    suggests(a, "remove duplicates first");
    assert!(
        o.alter("ALTER TABLE users ADD UNIQUE KEY users_email (email)")
            .await
            .is_err()
    );

    // A prefix key is unique on its first characters only.
    let o = run(
        "CREATE TABLE users (id int PRIMARY KEY, email varchar(50));
         INSERT INTO users VALUES (1, 'ann@x'), (2, 'anna@y'), (3, 'bob@z');",
        "CREATE TABLE users (id int PRIMARY KEY, email varchar(50), UNIQUE KEY users_email (email(3)));",
    )
    .await;
    let a = o
        .assessments
        .iter()
        .find(|a| !a.counts.is_empty())
        .unwrap_or_else(|| panic!("no count:\n{}", o.dump()));
    assert_eq!(a.counts[0].count, 1, "'ann' twice");
}

#[tokio::test]
async fn add_primary_key_counts_nulls_and_duplicates() {
    let o = run(
        "CREATE TABLE t (code varchar(5)); INSERT INTO t VALUES ('a'), ('a'), ('b'), (NULL), (NULL);",
        "CREATE TABLE t (code varchar(5) PRIMARY KEY);",
    )
    .await;
    let a = o.one("add_primary_key");
    assert!(a.certain_failure, "{}", o.dump());
    assert_eq!(count(a, "rows are NULL in code"), 2);
    assert_eq!(count(a, "values of code are duplicated"), 1);
    assert!(
        o.alter("ALTER TABLE t ADD PRIMARY KEY (code)")
            .await
            .is_err()
    );

    let o = run(
        "CREATE TABLE t (code varchar(5) NOT NULL); INSERT INTO t VALUES ('a'), ('b');",
        "CREATE TABLE t (code varchar(5) PRIMARY KEY);",
    )
    .await;
    let a = o.one("add_primary_key");
    assert!(!a.certain_failure);
    assert_eq!(a.level, RiskLevel::Caution);
    suggests(a, "ALGORITHM=INPLACE, LOCK=NONE");
    o.alter("ALTER TABLE t ADD PRIMARY KEY (code)")
        .await
        .expect("clean key");
}

const PARENT_CHILD: &str = "CREATE TABLE parent (id int PRIMARY KEY);
    INSERT INTO parent VALUES (1), (2), (3);
    CREATE TABLE child (id int PRIMARY KEY, parent_id int);";
const WITH_FK: &str = "CREATE TABLE parent (id int PRIMARY KEY);
    CREATE TABLE child (id int PRIMARY KEY, parent_id int,
                        CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id));";

#[tokio::test]
async fn add_foreign_key_counts_orphans() {
    let o = run(
        &format!(
            "{PARENT_CHILD} INSERT INTO child SELECT seq, IF(seq <= 5, 100 + seq, IF(seq <= 8, 1, NULL)) FROM seq_1_to_10;"
        ),
        WITH_FK,
    )
    .await;
    let a = o.one("add_foreign_key");
    assert!(a.certain_failure, "{}", o.dump());
    let what = format!("rows are orphaned (no match in {})", o.table("parent"));
    assert_eq!(count(a, &what), 5);
    suggests(a, "orphan rows");
    let fk = "ALTER TABLE child ADD CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id)";
    assert!(o.alter(fk).await.is_err());

    let o = run(
        &format!("{PARENT_CHILD} INSERT INTO child VALUES (1, 1), (2, NULL);"),
        WITH_FK,
    )
    .await;
    let a = o.one("add_foreign_key");
    assert!(!a.certain_failure);
    assert_eq!(a.level, RiskLevel::Caution);
    o.alter(fk).await.expect("no orphans");

    // The parent is new in the plan: nothing to count.
    let o = run(
        "CREATE TABLE child (id int PRIMARY KEY, parent_id int); INSERT INTO child VALUES (1, 7);",
        WITH_FK,
    )
    .await;
    let a = o.one("add_foreign_key");
    assert!(a.counts.is_empty());
    assert!(!a.certain_failure);
}

#[tokio::test]
async fn add_check_counts_violations() {
    let src = "CREATE TABLE t (id int PRIMARY KEY, qty int, CONSTRAINT qty_pos CHECK (qty >= 0));";
    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, qty int);
         INSERT INTO t VALUES (1, 5), (2, -1), (3, -2), (4, NULL);",
        src,
    )
    .await;
    let a = o.one("add_check");
    assert!(a.certain_failure, "{}", o.dump());
    assert_eq!(count(a, "rows are rejected by the check"), 2, "NULL passes");
    has(
        a,
        &format!(
            "ADD CHECK qty_pos on {}: 2 rows are rejected by the check",
            o.table("t")
        ),
    );
    let add = "ALTER TABLE t ADD CONSTRAINT qty_pos CHECK (qty >= 0)";
    assert!(o.alter(add).await.is_err());

    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, qty int); INSERT INTO t VALUES (1, 5), (2, NULL);",
        src,
    )
    .await;
    let a = o.one("add_check");
    assert!(!a.certain_failure);
    o.alter(add).await.expect("no violation");
}

// ------------------------------------------------------------------ renames, errors, timeouts

#[tokio::test]
async fn counts_follow_renames() {
    let o = run(
        "CREATE TABLE customer (id int PRIMARY KEY, company varchar(50), city varchar(50));
         INSERT INTO customer VALUES (1, NULL, 'x'), (2, NULL, 'y'), (3, 'c', 'z');",
        "CREATE TABLE customers (id int PRIMARY KEY, company varchar(50) NOT NULL, city varchar(50));",
    )
    .await;
    assert_eq!(o.one("rename_table").level, RiskLevel::Caution);
    let nn = o.one("set_not_null");
    assert!(nn.certain_failure, "{}", o.dump());
    assert_eq!(count(nn, "rows are NULL"), 2);
}

#[tokio::test]
async fn a_probe_that_fails_is_reported_not_fatal() {
    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, a bigint); INSERT INTO t VALUES (1, 9223372036854775807);",
        "CREATE TABLE t (id int PRIMARY KEY, a bigint, CONSTRAINT grows CHECK (a + 1 > 0));",
    )
    .await;
    let a = o.one("add_check");
    assert!(a.counts.is_empty());
    assert!(!a.certain_failure);
    assert_eq!(a.level, RiskLevel::Caution);
    assert!(
        a.notes
            .iter()
            .any(|n| n.starts_with("could not count: BIGINT value is out of range")),
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
        "CREATE TABLE t (id int PRIMARY KEY, a int);
         INSERT INTO t SELECT seq, seq FROM seq_1_to_300000;",
        "CREATE TABLE t (id int PRIMARY KEY, a int,
            CONSTRAINT slow CHECK (a > 0 AND length(repeat(a, 50)) > 0));",
        &opts,
    )
    .await;
    let a = o.one("add_check");
    assert!(!a.certain_failure);
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("could not count") && n.contains("max_statement_time")),
        "{:?}",
        a.notes
    );
}

#[tokio::test]
async fn indexes_are_online() {
    let o = run(
        USERS,
        "CREATE TABLE users (id int PRIMARY KEY, email varchar(50), KEY users_email (email));",
    )
    .await;
    let a = o.one("create_index");
    assert_eq!(a.level, RiskLevel::Caution);
    assert!(a.counts.is_empty());
    has(a, "writes go on");
    suggests(a, "LOCK=NONE");
}
