//! The risk engine against real PostgreSQL databases: TARGET and SOURCE are two fresh databases,
//! TARGET holds rows; the plan's changes are assessed with counts made on TARGET.

mod support;

use support::client::connect;
use support::risk::{count, has, suggests};

use sluice::dialect::Access;
use sluice::engine::diff::{DiffOptions, diff};
use sluice::engine::risk::{
    ProbeOptions, assess, assess_plan, assess_with_data, assess_with_data_opts,
};
use sluice::model::{Assessment, Catalog, Change, CountEffect, Filter, RiskLevel, plan_score};

struct Outcome {
    changes: Vec<Change>,
    assessments: Vec<Assessment>,
    target: Catalog,
    source: Catalog,
}

impl Outcome {
    /// The assessment of the only change of `kind` (`set_not_null`, …).
    fn one(&self, kind: &str) -> &Assessment {
        let found: Vec<usize> = (0..self.changes.len())
            .filter(|&i| self.changes[i].kind() == kind)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one {kind} change, got:\n{}",
            self.dump()
        );
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
                    "  {} [{}] {} | {:?}\n",
                    c.kind(),
                    a.level,
                    a.reason,
                    a.counts
                )
            })
            .collect()
    }

    fn score(&self) -> u8 {
        plan_score(&self.assessments)
    }
}

/// Builds TARGET and SOURCE from SQL, diffs them and assesses the plan with counts on TARGET.
async fn run(target_sql: &str, source_sql: &str) -> Outcome {
    run_opts(target_sql, source_sql, &ProbeOptions::default()).await
}

async fn run_opts(target_sql: &str, source_sql: &str, opts: &ProbeOptions) -> Outcome {
    let t = support::pg_db();
    let s = support::pg_db();
    t.exec(target_sql);
    s.exec(source_sql);
    let tdb = connect(&t.url(), Access::ReadWrite).await;
    let sdb = connect(&s.url(), Access::ReadWrite).await;
    let target = sluice::dialect::inspect(&tdb, &Filter::default())
        .await
        .expect("inspect target");
    let source = sluice::dialect::inspect(&sdb, &Filter::default())
        .await
        .expect("inspect source");
    let changes = diff(&target, &source, &DiffOptions::default());
    let assessments = assess_with_data_opts(&changes, &target, &source, Some(&tdb), opts).await;
    tdb.close().await;
    sdb.close().await;
    if std::env::var("RISK_DUMP").is_ok() {
        for (c, a) in changes.iter().zip(&assessments) {
            eprintln!(
                "{} [{}] {}\n     -> {:?} {:?}",
                c.kind(),
                a.level,
                a.reason,
                a.suggestion,
                a.notes
            );
        }
    }
    let out = Outcome {
        changes,
        assessments,
        target,
        source,
    };
    for a in &out.assessments {
        assert!(!a.reason.is_empty() && !a.reason.contains('\n'), "{a:?}");
        if a.level != RiskLevel::Safe {
            assert!(a.suggestion.is_some(), "no suggestion: {a:?}");
        }
    }
    out
}

const CUSTOMER: &str = "CREATE TABLE customer (id int PRIMARY KEY, company text);";

// ------------------------------------------------------------------ NOT NULL

#[tokio::test]
async fn set_not_null_counts_nulls() {
    let o = run(
        &format!(
            "{CUSTOMER} INSERT INTO customer SELECT g, CASE WHEN g <= 12 THEN NULL ELSE 'c' || g END FROM generate_series(1, 20) g;"
        ),
        "CREATE TABLE customer (id int PRIMARY KEY, company text NOT NULL);",
    )
    .await;
    let a = o.one("set_not_null");
    assert_eq!(a.level, RiskLevel::Danger);
    assert!(a.certain_failure);
    assert_eq!(
        a.reason,
        "SET NOT NULL on public.customer.company: 12 rows are NULL"
    );
    assert_eq!(count(a, "rows are NULL"), 12);
    assert_eq!(count(a, "rows are in the table"), 20);
    let c = a.counts.iter().find(|c| c.what == "rows are NULL").unwrap();
    assert_eq!(
        c.describe(),
        "SET NOT NULL on public.customer.company: 12 rows are NULL"
    );
    suggests(a, "NOT VALID");
    suggests(a, "VALIDATE");
    assert_eq!(o.score(), 100);
}

#[tokio::test]
async fn set_not_null_without_nulls_is_not_certain_to_fail() {
    let o = run(
        &format!("{CUSTOMER} INSERT INTO customer SELECT g, 'c' FROM generate_series(1, 20) g;"),
        "CREATE TABLE customer (id int PRIMARY KEY, company text NOT NULL);",
    )
    .await;
    let a = o.one("set_not_null");
    assert!(!a.certain_failure);
    assert_eq!(count(a, "rows are NULL"), 0);
    // No NULLs: what is left is the scan under an ACCESS EXCLUSIVE lock.
    assert_eq!(a.level, RiskLevel::Caution);
    has(a, "ACCESS EXCLUSIVE");
    assert!(o.score() < 100);
}

#[tokio::test]
async fn static_verdict_without_a_connection() {
    let o = run(
        &format!("{CUSTOMER} INSERT INTO customer VALUES (1, NULL);"),
        "CREATE TABLE customer (id int PRIMARY KEY, company text NOT NULL);",
    )
    .await;
    let plain = assess_plan(&o.changes, &o.target, &o.source);
    let nodb = assess_with_data(&o.changes, &o.target, &o.source, None).await;
    assert_eq!(plain, nodb);
    let i = o
        .changes
        .iter()
        .position(|c| c.kind() == "set_not_null")
        .unwrap();
    assert_eq!(plain[i].level, RiskLevel::Danger);
    assert!(!plain[i].certain_failure);
    assert!(plain[i].counts.is_empty());
    assert_eq!(assess(&o.changes[i], &o.target, &o.source), plain[i]);
}

// ------------------------------------------------------------------ add column

#[tokio::test]
async fn add_not_null_column_without_default() {
    let o = run(
        &format!("{CUSTOMER} INSERT INTO customer SELECT g, 'c' FROM generate_series(1, 3) g;"),
        "CREATE TABLE customer (id int PRIMARY KEY, company text, region text NOT NULL);",
    )
    .await;
    let a = o.one("add_column");
    assert_eq!(a.level, RiskLevel::Danger);
    assert!(a.certain_failure);
    assert_eq!(count(a, "rows are in the table"), 3);
    has(
        a,
        "ADD COLUMN public.customer.region: 3 rows are in the table",
    );
    suggests(a, "DEFAULT");
}

#[tokio::test]
async fn add_not_null_column_to_empty_table() {
    let o = run(
        CUSTOMER,
        "CREATE TABLE customer (id int PRIMARY KEY, company text, region text NOT NULL);",
    )
    .await;
    let a = o.one("add_column");
    assert!(!a.certain_failure);
    assert_eq!(count(a, "rows are in the table"), 0);
    assert_eq!(a.level, RiskLevel::Caution);
}

#[tokio::test]
async fn add_column_variants() {
    let o = run(
        &format!("{CUSTOMER} INSERT INTO customer VALUES (1, 'a');"),
        "CREATE TABLE customer (id int PRIMARY KEY, company text,
            note text,
            region text NOT NULL DEFAULT 'eu',
            token uuid NOT NULL DEFAULT gen_random_uuid(),
            seen timestamptz DEFAULT now(),
            total int GENERATED ALWAYS AS (id * 2) STORED);",
    )
    .await;
    let note = o.find("add_column", "note");
    assert_eq!(note.level, RiskLevel::Safe);
    let region = o.find("add_column", "region");
    assert_eq!(region.level, RiskLevel::Safe);
    assert!(region.counts.is_empty());
    let token = o.find("add_column", "token");
    assert_eq!(token.level, RiskLevel::Caution);
    has(token, "rewrites");
    let seen = o.find("add_column", "seen");
    assert_eq!(seen.level, RiskLevel::Safe, "now() is stable: no rewrite");
    let total = o.find("add_column", "total");
    assert_eq!(total.level, RiskLevel::Caution);
}

// ------------------------------------------------------------------ drops

#[tokio::test]
async fn drop_table_counts_rows() {
    let o = run(
        &format!("{CUSTOMER} CREATE TABLE orders (id int); INSERT INTO orders SELECT generate_series(1, 2345);"),
        CUSTOMER,
    )
    .await;
    let a = o.one("drop_table");
    assert_eq!(a.level, RiskLevel::Danger);
    assert!(!a.certain_failure);
    assert_eq!(
        a.reason,
        "DROP TABLE public.orders: 2 345 rows would be lost"
    );
    assert_eq!(count(a, "rows would be lost"), 2345);
    suggests(a, "backup");
    suggests(a, "rename");
    assert_eq!(o.score(), 30);
}

#[tokio::test]
async fn drop_column_counts_values() {
    let o = run(
        "CREATE TABLE customer (id int PRIMARY KEY, company text, fax text);
         INSERT INTO customer SELECT g, 'c', CASE WHEN g % 2 = 0 THEN 'f' END FROM generate_series(1, 10) g;",
        CUSTOMER,
    )
    .await;
    let a = o.one("drop_column");
    assert_eq!(a.level, RiskLevel::Danger);
    assert_eq!(count(a, "values would be lost"), 5);
    has(a, "DROP COLUMN public.customer.fax: 5 values would be lost");
}

#[tokio::test]
async fn drops_of_other_objects() {
    let o = run(
        "CREATE EXTENSION IF NOT EXISTS pg_trgm;
         CREATE SCHEMA old_stuff;
         CREATE TYPE mood AS ENUM ('sad', 'ok');
         CREATE DOMAIN posint AS int CHECK (VALUE > 0);
         CREATE SEQUENCE counter;
         CREATE TABLE t (id int PRIMARY KEY, a int, b int CONSTRAINT b_pos CHECK (b > 0), c int UNIQUE);
         CREATE INDEX t_a ON t (a);
         CREATE VIEW v AS SELECT id FROM t;
         CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();
         ALTER TABLE t ENABLE ROW LEVEL SECURITY;
         CREATE POLICY p_all ON t USING (true);
         CREATE TABLE u (id int PRIMARY KEY, t_id int REFERENCES t (id));",
        "CREATE TABLE t (id int PRIMARY KEY, a int, b int, c int);
         CREATE TABLE u (id int PRIMARY KEY, t_id int);",
    )
    .await;
    for kind in [
        "drop_extension",
        "drop_schema",
        "drop_enum",
        "drop_domain",
        "drop_sequence",
        "drop_index",
        "drop_view",
        "drop_function",
        "drop_trigger",
        "drop_check",
        "drop_unique",
        "drop_foreign_key",
    ] {
        assert_eq!(
            o.one(kind).level,
            RiskLevel::Caution,
            "{kind}: {}",
            o.dump()
        );
    }
    let p = o.one("drop_policy");
    assert_eq!(p.level, RiskLevel::Danger);
    let rls = o.one("set_row_security");
    assert_eq!(rls.level, RiskLevel::Danger);
    has(rls, "sees and changes all rows");
    suggests(o.one("drop_index"), "CONCURRENTLY");
}

// ------------------------------------------------------------------ type changes

#[tokio::test]
async fn narrowing_varchar_counts_long_values() {
    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, name varchar(100));
         INSERT INTO t SELECT g, repeat('x', CASE WHEN g <= 7 THEN 60 ELSE 50 END) FROM generate_series(1, 30) g;",
        "CREATE TABLE t (id int PRIMARY KEY, name varchar(50));",
    )
    .await;
    let a = o.one("alter_column_type");
    assert_eq!(a.level, RiskLevel::Danger);
    assert!(a.certain_failure);
    assert_eq!(count(a, "values are longer than 50 characters"), 7);
    has(a, "7 values are longer than 50 characters");
}

#[tokio::test]
async fn narrowing_varchar_that_fits() {
    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, name varchar(100));
         INSERT INTO t SELECT g, repeat('x', 50) FROM generate_series(1, 30) g;",
        "CREATE TABLE t (id int PRIMARY KEY, name varchar(50));",
    )
    .await;
    let a = o.one("alter_column_type");
    assert!(!a.certain_failure);
    assert_eq!(count(a, "values are longer than 50 characters"), 0);
    assert_eq!(a.level, RiskLevel::Caution);
}

#[tokio::test]
async fn widenings() {
    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, a varchar(50), b varchar(50), c int, d numeric(10,2), e numeric(10,2), f real);
         INSERT INTO t VALUES (1, 'x', 'y', 1, 1.5, 2.5, 1);",
        "CREATE TABLE t (id int PRIMARY KEY, a varchar(200), b text, c bigint, d numeric(12,2), e numeric(12,4), f double precision);",
    )
    .await;
    let level = |col: &str| o.find("alter_column_type", &format!("column {col}:")).level;
    assert_eq!(level("a"), RiskLevel::Safe, "{}", o.dump());
    assert_eq!(level("b"), RiskLevel::Safe);
    assert_eq!(level("c"), RiskLevel::Caution);
    assert_eq!(level("d"), RiskLevel::Safe);
    assert_eq!(level("e"), RiskLevel::Caution);
    assert_eq!(level("f"), RiskLevel::Caution);
    has(o.find("alter_column_type", "column c:"), "rewrites");
    assert!(o.assessments.iter().all(|a| !a.certain_failure));
}

#[tokio::test]
async fn narrowing_numbers() {
    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, small bigint, price numeric(10,2), rate numeric(10,4));
         INSERT INTO t SELECT g, CASE WHEN g <= 4 THEN 100000 ELSE g END,
                              CASE WHEN g <= 3 THEN 123456.78 ELSE 12.5 END,
                              CASE WHEN g <= 6 THEN 1.2345 ELSE 1.5 END
         FROM generate_series(1, 10) g;",
        "CREATE TABLE t (id int PRIMARY KEY, small smallint, price numeric(6,2), rate numeric(10,2));",
    )
    .await;
    let small = o.find("alter_column_type", "column small:");
    assert!(small.certain_failure);
    assert_eq!(count(small, "values are out of range for smallint"), 4);
    let price = o.find("alter_column_type", "column price:");
    assert!(price.certain_failure);
    assert_eq!(count(price, "values are too large for numeric(6,2)"), 3);
    let rate = o.find("alter_column_type", "column rate:");
    assert!(!rate.certain_failure);
    assert_eq!(rate.level, RiskLevel::Danger);
    assert_eq!(
        count(rate, "values would be rounded to 2 decimal places"),
        6
    );
    has(rate, "6 values would be rounded");
}

#[tokio::test]
async fn cross_family_text_to_int() {
    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, code text, born text);
         INSERT INTO t VALUES (1, '12', '2020-01-01'), (2, ' -7 ', 'x'), (3, 'abc', NULL),
                              (4, '1.5', NULL), (5, '99999999999', NULL), (6, NULL, NULL);",
        "CREATE TABLE t (id int PRIMARY KEY, code integer, born date);",
    )
    .await;
    let code = o.find("alter_column_type", "column code:");
    assert_eq!(code.level, RiskLevel::Danger);
    assert!(code.certain_failure);
    assert_eq!(count(code, "values do not convert to integer"), 3);
    let born = o.find("alter_column_type", "column born:");
    assert_eq!(born.level, RiskLevel::Danger);
    assert!(!born.certain_failure);
    // PostgreSQL 15 has no pg_input_is_valid: the count is not made, and that is said.
    assert!(
        born.notes.iter().any(|n| n.starts_with("not counted")),
        "{born:?}"
    );
}

#[tokio::test]
async fn cross_family_text_to_int_that_converts() {
    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, code text);
         INSERT INTO t VALUES (1, '12'), (2, ' -7 '), (3, NULL);",
        "CREATE TABLE t (id int PRIMARY KEY, code integer);",
    )
    .await;
    let a = o.one("alter_column_type");
    assert!(!a.certain_failure);
    assert_eq!(count(a, "values do not convert to integer"), 0);
    assert_eq!(a.level, RiskLevel::Caution);
}

#[tokio::test]
async fn cross_family_text_to_uuid_boolean_numeric() {
    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, u text, b text, n text);
         INSERT INTO t VALUES
           (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'yes', '12.5'),
           (2, '{a0eebc999c0b4ef8bb6d6bb9bd380a11}', ' OFF ', '-1e2'),
           (3, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1', 'maybe', 'NaN'),
           (4, 'not a uuid', 'o', '1234.5'),
           (5, NULL, 'TR', 'x1');",
        "CREATE TABLE t (id int PRIMARY KEY, u uuid, b boolean, n numeric(5,2));",
    )
    .await;
    // Each count is what PostgreSQL's own input functions reject.
    assert_eq!(
        count(
            o.find("alter_column_type", "column u:"),
            "values do not convert to uuid"
        ),
        2
    );
    assert_eq!(
        count(
            o.find("alter_column_type", "column b:"),
            "values do not convert to boolean"
        ),
        2,
        "'maybe' and the ambiguous 'o'"
    );
    assert_eq!(
        count(
            o.find("alter_column_type", "column n:"),
            "values do not convert to numeric(5,2)"
        ),
        2,
        "1234.5 does not fit, x1 is not a number"
    );
}

// ------------------------------------------------------------------ keys and indexes

const USERS: &str = "CREATE TABLE users (id int PRIMARY KEY, email text);
    INSERT INTO users VALUES (1, 'a'), (2, 'a'), (3, 'b'), (4, 'b'), (5, 'b'), (6, 'c'), (7, 'c'),
                             (8, 'd'), (9, NULL), (10, NULL);";

#[tokio::test]
async fn add_unique_counts_duplicates() {
    let o = run(
        USERS,
        "CREATE TABLE users (id int PRIMARY KEY, email text CONSTRAINT users_email_key UNIQUE);",
    )
    .await;
    let a = o.one("add_unique");
    assert!(a.certain_failure);
    assert_eq!(count(a, "values of email are duplicated"), 3);
    has(a, "3 values of email are duplicated");
    suggests(a, "CONCURRENTLY");
    suggests(a, "USING INDEX");
}

#[tokio::test]
async fn add_unique_nulls_not_distinct_counts_nulls() {
    let o = run(
        USERS,
        "CREATE TABLE users (id int PRIMARY KEY, email text CONSTRAINT users_email_key UNIQUE NULLS NOT DISTINCT);",
    )
    .await;
    assert_eq!(
        count(o.one("add_unique"), "values of email are duplicated"),
        4
    );
}

#[tokio::test]
async fn unique_index_counts_duplicates() {
    let o = run(
        USERS,
        "CREATE TABLE users (id int PRIMARY KEY, email text);
         CREATE UNIQUE INDEX users_email ON users (lower(email));
         CREATE UNIQUE INDEX users_email_partial ON users (email) WHERE id > 4;",
    )
    .await;
    let a = o.find("create_index", "users_email ");
    assert!(a.certain_failure, "{}", o.dump());
    assert_eq!(a.counts[0].count, 3);
    let p = o.find("create_index", "users_email_partial");
    assert_eq!(
        p.counts[0].count, 1,
        "rows with id > 4: only 'c' is duplicated"
    );
}

#[tokio::test]
async fn add_unique_without_duplicates() {
    let o = run(
        "CREATE TABLE users (id int PRIMARY KEY, email text);
         INSERT INTO users VALUES (1, 'a'), (2, 'b'), (3, NULL), (4, NULL);",
        "CREATE TABLE users (id int PRIMARY KEY, email text CONSTRAINT users_email_key UNIQUE);",
    )
    .await;
    let a = o.one("add_unique");
    assert!(!a.certain_failure);
    assert_eq!(a.level, RiskLevel::Caution);
    assert_eq!(count(a, "values of email are duplicated"), 0);
}

#[tokio::test]
async fn plain_index_is_caution() {
    let o = run(
        USERS,
        "CREATE TABLE users (id int PRIMARY KEY, email text); CREATE INDEX users_email ON users (email);",
    )
    .await;
    let a = o.one("create_index");
    assert_eq!(a.level, RiskLevel::Caution);
    assert!(a.counts.is_empty());
    has(a, "blocks writes");
    suggests(a, "CREATE INDEX CONCURRENTLY");
}

#[tokio::test]
async fn add_primary_key_counts_nulls_and_duplicates() {
    let o = run(
        "CREATE TABLE t (code text); INSERT INTO t VALUES ('a'), ('a'), ('b'), (NULL), (NULL);",
        "CREATE TABLE t (code text PRIMARY KEY);",
    )
    .await;
    let a = o.one("add_primary_key");
    assert!(a.certain_failure, "{}", o.dump());
    assert_eq!(count(a, "rows are NULL in code"), 2);
    assert_eq!(count(a, "values of code are duplicated"), 1);
    has(a, "2 rows are NULL in code; 1 value of code is duplicated");
}

#[tokio::test]
async fn add_primary_key_clean() {
    let o = run(
        "CREATE TABLE t (code text NOT NULL); INSERT INTO t VALUES ('a'), ('b');",
        "CREATE TABLE t (code text PRIMARY KEY);",
    )
    .await;
    let a = o.one("add_primary_key");
    assert_eq!(a.level, RiskLevel::Caution);
    assert!(!a.certain_failure);
    suggests(a, "USING INDEX");
}

const PARENT_CHILD: &str = "CREATE TABLE parent (id int PRIMARY KEY);
    INSERT INTO parent VALUES (1), (2), (3);
    CREATE TABLE child (id int PRIMARY KEY, parent_id int);";

#[tokio::test]
async fn add_foreign_key_counts_orphans() {
    let o = run(
        &format!(
            "{PARENT_CHILD} INSERT INTO child SELECT g, CASE WHEN g <= 5 THEN 100 + g WHEN g <= 8 THEN 1 ELSE NULL END FROM generate_series(1, 10) g;"
        ),
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));",
    )
    .await;
    let a = o.one("add_foreign_key");
    assert!(a.certain_failure);
    assert_eq!(count(a, "rows are orphaned (no match in public.parent)"), 5);
    has(a, "5 rows are orphaned");
    suggests(a, "NOT VALID");
}

#[tokio::test]
async fn add_foreign_key_without_orphans() {
    let o = run(
        &format!("{PARENT_CHILD} INSERT INTO child VALUES (1, 1), (2, NULL);"),
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));",
    )
    .await;
    let a = o.one("add_foreign_key");
    assert!(!a.certain_failure);
    assert_eq!(a.level, RiskLevel::Caution);
}

#[tokio::test]
async fn add_foreign_key_match_full_counts_partial_keys() {
    let o = run(
        "CREATE TABLE parent (a int, b int, PRIMARY KEY (a, b));
         INSERT INTO parent VALUES (1, 1);
         CREATE TABLE child (id int PRIMARY KEY, a int, b int);
         INSERT INTO child VALUES (1, 1, 1), (2, 1, NULL), (3, NULL, NULL), (4, 2, 2);",
        "CREATE TABLE parent (a int, b int, PRIMARY KEY (a, b));
         CREATE TABLE child (id int PRIMARY KEY, a int, b int, FOREIGN KEY (a, b) REFERENCES parent MATCH FULL);",
    )
    .await;
    let a = o.one("add_foreign_key");
    assert_eq!(a.counts[0].count, 2, "(1, NULL) and (2, 2)");
}

#[tokio::test]
async fn foreign_key_to_a_table_new_in_the_plan() {
    let o = run(
        "CREATE TABLE child (id int PRIMARY KEY, parent_id int); INSERT INTO child VALUES (1, 7);",
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));",
    )
    .await;
    let a = o.one("add_foreign_key");
    assert!(a.counts.is_empty(), "no probe on a table the plan creates");
    assert!(!a.certain_failure);
    assert_eq!(o.one("create_table").level, RiskLevel::Safe);
}

#[tokio::test]
async fn constraints_on_a_new_table_are_safe() {
    let o = run(
        "CREATE TABLE parent (id int PRIMARY KEY);",
        "CREATE TABLE parent (id int PRIMARY KEY);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id), CHECK (id > 0));
         CREATE INDEX child_parent ON child (parent_id);",
    )
    .await;
    assert!(
        o.assessments.iter().all(|a| a.level == RiskLevel::Safe),
        "{}",
        o.dump()
    );
    assert_eq!(o.score(), 0);
}

#[tokio::test]
async fn add_check_counts_violations() {
    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, qty int);
         INSERT INTO t VALUES (1, 5), (2, -1), (3, -2), (4, NULL);",
        "CREATE TABLE t (id int PRIMARY KEY, qty int CONSTRAINT qty_pos CHECK (qty >= 0));",
    )
    .await;
    let a = o.one("add_check");
    assert!(a.certain_failure);
    assert_eq!(count(a, "rows are rejected by the check"), 2);
    has(
        a,
        "ADD CHECK qty_pos on public.t: 2 rows are rejected by the check",
    );
    suggests(a, "NOT VALID");
}

#[tokio::test]
async fn add_check_not_valid_is_safe() {
    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, qty int); INSERT INTO t VALUES (1, -1);",
        "CREATE TABLE t (id int PRIMARY KEY, qty int);
         ALTER TABLE t ADD CONSTRAINT qty_pos CHECK (qty >= 0) NOT VALID;",
    )
    .await;
    let a = o.one("add_check");
    assert_eq!(a.level, RiskLevel::Safe);
    assert!(a.counts.is_empty());
}

#[tokio::test]
async fn a_probe_that_fails_is_reported_not_fatal() {
    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, a int, b int); INSERT INTO t VALUES (1, 0, 1);",
        "CREATE TABLE t (id int PRIMARY KEY, a int, b int, CONSTRAINT ratio CHECK (b / a > 0));",
    )
    .await;
    let a = o.one("add_check");
    assert!(a.counts.is_empty());
    assert!(!a.certain_failure);
    assert_eq!(a.level, RiskLevel::Caution);
    assert!(
        a.notes
            .iter()
            .any(|n| n.starts_with("could not count: division by zero")),
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
         INSERT INTO t SELECT g, g FROM generate_series(1, 200000) g;",
        "CREATE TABLE t (id int PRIMARY KEY, a int,
            CONSTRAINT slow CHECK (a > 0 AND length(repeat(a::text, 50)) > 0));",
        &opts,
    )
    .await;
    let a = o.one("add_check");
    assert!(!a.certain_failure);
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("could not count") && n.contains("statement timeout")),
        "{:?}",
        a.notes
    );
}

// ------------------------------------------------------------------ renames

#[tokio::test]
async fn renames_are_caution_and_counts_follow_them() {
    // A renamed table: the count asks TARGET under the old name.
    let o = run(
        "CREATE TABLE customer (id int PRIMARY KEY, company text, city text);
         INSERT INTO customer VALUES (1, NULL, 'x'), (2, NULL, 'y'), (3, 'c', 'z');",
        "CREATE TABLE customers (id int PRIMARY KEY, company text NOT NULL, city text);",
    )
    .await;
    let t = o.one("rename_table");
    assert_eq!(t.level, RiskLevel::Caution);
    has(t, "old name");
    let nn = o.one("set_not_null");
    assert!(nn.certain_failure, "{}", o.dump());
    assert_eq!(count(nn, "rows are NULL"), 2);
    has(
        nn,
        "SET NOT NULL on public.customers.company: 2 rows are NULL",
    );

    // A renamed column: the same.
    let o = run(
        "CREATE TABLE customer (id int PRIMARY KEY, company text, city text);
         INSERT INTO customer VALUES (1, NULL, 'x'), (2, NULL, 'y'), (3, 'c', 'z');",
        "CREATE TABLE customer (id int PRIMARY KEY, company_name text NOT NULL, city text);",
    )
    .await;
    assert_eq!(o.one("rename_column").level, RiskLevel::Caution);
    let nn = o.one("set_not_null");
    assert!(nn.certain_failure, "{}", o.dump());
    assert_eq!(count(nn, "rows are NULL"), 2);
    has(
        nn,
        "SET NOT NULL on public.customer.company_name: 2 rows are NULL",
    );
}

// ------------------------------------------------------------------ enums

#[tokio::test]
async fn enum_changes() {
    let o = run(
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
         CREATE TYPE size AS ENUM ('s', 'm');
         CREATE TYPE color AS ENUM ('red', 'green');
         CREATE TABLE t (id int PRIMARY KEY, m mood, s size, c color);
         INSERT INTO t VALUES (1, 'sad', 's', 'red'), (2, 'sad', 'm', 'red'), (3, 'ok', 'm', 'green'),
                              (4, 'sad', NULL, NULL), (5, 'sad', NULL, NULL), (6, 'happy', NULL, NULL);",
        "CREATE TYPE mood AS ENUM ('ok', 'happy');
         CREATE TYPE size AS ENUM ('s', 'm', 'l');
         CREATE TYPE color AS ENUM ('rouge', 'green');
         CREATE TABLE t (id int PRIMARY KEY, m mood, s size, c color);",
    )
    .await;
    assert_eq!(o.one("add_enum_label").level, RiskLevel::Safe);
    assert_eq!(o.one("rename_enum_label").level, RiskLevel::Caution);
    let r = o.one("rebuild_enum");
    assert!(r.certain_failure);
    assert_eq!(count(r, "rows of public.t.m are set to a removed label"), 4);
}

#[tokio::test]
async fn enum_rebuild_without_rows_on_removed_labels() {
    let o = run(
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
         CREATE TABLE t (id int PRIMARY KEY, m mood);
         INSERT INTO t VALUES (1, 'ok'), (2, 'happy');",
        "CREATE TYPE mood AS ENUM ('ok', 'happy');
         CREATE TABLE t (id int PRIMARY KEY, m mood);",
    )
    .await;
    let r = o.one("rebuild_enum");
    assert!(!r.certain_failure);
    assert_eq!(r.level, RiskLevel::Caution);
}

// ------------------------------------------------------------------ safe and caution odds and ends

#[tokio::test]
async fn creates_defaults_and_comments_are_safe() {
    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, a int DEFAULT 1, b int NOT NULL);",
        "CREATE SCHEMA extra;
         CREATE TYPE mood AS ENUM ('ok');
         CREATE SEQUENCE counter;
         CREATE TABLE t (id int PRIMARY KEY, a int DEFAULT 2, b int);
         COMMENT ON TABLE t IS 'hello';
         CREATE TABLE n (id int);
         CREATE VIEW v AS SELECT id FROM t;
         CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
    )
    .await;
    assert!(
        o.assessments.iter().all(|a| a.level == RiskLevel::Safe),
        "{}",
        o.dump()
    );
    assert_eq!(o.score(), 0);
}

#[tokio::test]
async fn replacements_and_alterations_are_caution() {
    let o = run(
        "CREATE SEQUENCE counter MAXVALUE 1000;
         SELECT setval('counter', 500);
         CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, a int,
                         g int GENERATED ALWAYS AS (a * 2) STORED);
         CREATE TABLE w (id int, a int);
         CREATE VIEW v AS SELECT id FROM w;
         CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "CREATE SEQUENCE counter MAXVALUE 100;
         CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a int,
                         g int GENERATED ALWAYS AS (a * 3) STORED);
         CREATE TABLE w (id int, a int);
         CREATE VIEW v AS SELECT id, a FROM w;
         CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2';",
    )
    .await;
    assert_eq!(o.one("replace_view").level, RiskLevel::Caution);
    assert_eq!(o.one("replace_function").level, RiskLevel::Caution);
    assert_eq!(o.one("alter_identity").level, RiskLevel::Caution);
    assert_eq!(o.one("alter_generated").level, RiskLevel::Caution);
    // The sequence stands at 500: a MAXVALUE of 100 makes ALTER SEQUENCE fail.
    let seq = o.one("alter_sequence");
    assert!(seq.certain_failure, "{}", o.dump());
    assert_eq!(seq.counts[0].count, 1);
}

#[tokio::test]
async fn partitions_are_caution() {
    let o = run(
        "CREATE TABLE m (id int, at date) PARTITION BY RANGE (at);
         CREATE TABLE m_2023 PARTITION OF m FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
         CREATE TABLE m_2024 (id int, at date);",
        "CREATE TABLE m (id int, at date) PARTITION BY RANGE (at);
         CREATE TABLE m_2023 (id int, at date);
         CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
    )
    .await;
    assert_eq!(
        o.one("detach_partition").level,
        RiskLevel::Caution,
        "{}",
        o.dump()
    );
    assert_eq!(o.one("attach_partition").level, RiskLevel::Caution);
}

#[tokio::test]
async fn unsupported_is_caution_with_its_detail() {
    let o = run(
        "CREATE TABLE p (a int, b int) PARTITION BY RANGE (a);",
        "CREATE TABLE p (a int, b int) PARTITION BY RANGE (b);",
    )
    .await;
    let a = o.one("unsupported");
    assert_eq!(a.level, RiskLevel::Caution);
    has(a, "partition key differs");
}

#[tokio::test]
async fn row_security_and_policies() {
    let o = run(
        "CREATE TABLE t (id int PRIMARY KEY, owner text);
         CREATE TABLE u (id int PRIMARY KEY);
         ALTER TABLE u ENABLE ROW LEVEL SECURITY;
         CREATE POLICY only_mine ON u AS RESTRICTIVE USING (id > 0);",
        "CREATE TABLE t (id int PRIMARY KEY, owner text);
         ALTER TABLE t ENABLE ROW LEVEL SECURITY;
         CREATE POLICY mine ON t USING (owner = current_user);
         CREATE TABLE u (id int PRIMARY KEY);
         ALTER TABLE u ENABLE ROW LEVEL SECURITY;",
    )
    .await;
    assert_eq!(o.one("set_row_security").level, RiskLevel::Caution);
    assert_eq!(o.one("create_policy").level, RiskLevel::Caution);
    let d = o.one("drop_policy");
    assert_eq!(d.level, RiskLevel::Danger);
    has(d, "opens data");
}

// ------------------------------------------------------------------ plan score

#[tokio::test]
async fn plan_scores() {
    // Only cautions: low.
    let o = run(
        USERS,
        "CREATE TABLE users (id int PRIMARY KEY, email text);
         CREATE INDEX users_email ON users (email);
         CREATE INDEX users_email2 ON users (email, id);",
    )
    .await;
    assert_eq!(o.score(), 10, "{}", o.dump());
    // A danger and a caution.
    let o = run(
        &format!("{USERS} CREATE TABLE old (id int);"),
        "CREATE TABLE users (id int PRIMARY KEY, email text);
         CREATE INDEX users_email ON users (email);",
    )
    .await;
    assert_eq!(o.score(), 35, "{}", o.dump());
    // A certain failure: 100 whatever else.
    let o = run(
        USERS,
        "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);",
    )
    .await;
    assert_eq!(o.score(), 100, "{}", o.dump());
    // Counts are kept apart from the score: a clean SET NOT NULL is a caution.
    let kinds: Vec<CountEffect> = o
        .one("set_not_null")
        .counts
        .iter()
        .map(|c| c.effect)
        .collect();
    assert_eq!(kinds, vec![CountEffect::Fails, CountEffect::Info]);
}
