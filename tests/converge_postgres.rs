//! Convergence on PostgreSQL: for every case in `tests/fixtures/postgres/<case>/{a.sql,b.sql}`
//! (a = TARGET before, b = SOURCE), plan, apply to A, inspect again: the diff against B is empty,
//! a second plan is empty, and no data is lost (row counts of every surviving table and non-null
//! counts of every surviving or renamed column are unchanged).

mod support;

use support::client::{apply, connect, inspect};
use support::converge::{Counts, describe};

use std::collections::BTreeMap;
use std::path::Path;

use futures::StreamExt;
use sluice::dialect::{Access, Db, quote};
use sluice::engine::apply::ApplyOptions;
use sluice::engine::diff::DiffOptions;
use sluice::engine::schema;
use sluice::model::{Catalog, Change, Dialect, QualifiedName};

/// Row count and per-column non-null counts of every table (`FROM ONLY`: partitions and
/// inheritance children are counted on their own).
async fn counts(db: &Db, cat: &Catalog) -> Result<Counts, String> {
    let Db::Pg(pool) = db else {
        return Err("not postgres".into());
    };
    let mut out = Counts::new();
    for (schema, t) in cat.tables() {
        if t.partition_key.is_some() {
            continue;
        }
        let cols: Vec<String> = t
            .columns
            .iter()
            .map(|c| format!("count({})", quote::ident(Dialect::Postgres, &c.name)))
            .collect();
        let sql = format!(
            "SELECT count(*){}{} FROM ONLY {}",
            if cols.is_empty() { "" } else { ", " },
            cols.join(", "),
            quote::qualified(Dialect::Postgres, schema, &t.name)
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
async fn converge(a: &support::PgDb, b: &support::PgDb) -> Result<Upped, String> {
    let adb = connect(&a.url(), Access::ReadWrite).await;
    let bdb = connect(&b.url(), Access::ReadWrite).await;
    let target = inspect(&adb).await?;
    let source = inspect(&bdb).await?;
    let before = counts(&adb, &target).await?;
    let opts = DiffOptions::default();
    let plan = schema::plan(&target, &source, &opts).map_err(|e| format!("plan: {e}"))?;
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
    support::converge::check_data_kept(&before, &after, &plan.changes, |from, _to| {
        from.generated.is_some()
    })?;
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

/// `down.sql` of the plan (every step enabled), run through `psql -v ON_ERROR_STOP=1` after the
/// plan was applied: TARGET's catalog comes back exactly (the same fingerprint, column order
/// included) with every row and value, unless a step says its data cannot come back
/// (`IRREVERSIBLE`); then the catalog still comes back (the diff is empty). Says whether one did.
async fn down(a: &support::PgDb, up: Upped) -> Result<bool, String> {
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
    let a = support::pg_db();
    let b = support::pg_db();
    a.load(&dir.join("a.sql"));
    b.load(&dir.join("b.sql"));
    let up = converge(&a, &b).await?;
    down(&a, up).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_postgres_fixture_converges() {
    let root = support::own_fixture("postgres");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/fixtures/postgres")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("a.sql").exists() && p.join("b.sql").exists())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 35,
        "at least 35 cases, found {}",
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

#[tokio::test]
async fn pagila_from_an_empty_database() {
    let Some(schema_sql) = support::fixture("pagila/schema.sql") else {
        return;
    };
    let a = support::pg_db();
    let b = support::pg_db();
    b.load(&schema_sql);
    let up = converge(&a, &b).await.unwrap_or_else(|e| panic!("{e}"));
    down(&a, up).await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn pagila_to_pagila_with_drift_of_every_kind() {
    let (Some(schema_sql), Some(data_sql)) = (
        support::fixture("pagila/schema.sql"),
        support::fixture("pagila/data.sql"),
    ) else {
        return;
    };
    let a = support::pg_db();
    let b = support::pg_db();
    a.load(&schema_sql);
    a.load(&data_sql);
    b.load(&schema_sql);
    b.load(&support::own_fixture("postgres-pagila/drift.sql"));
    let up = converge(&a, &b).await.unwrap_or_else(|e| panic!("{e}"));
    // The rename kept its data.
    assert_eq!(
        a.query("SELECT count(*) FROM customer WHERE is_active"),
        a.query("SELECT count(*) FROM customer WHERE is_active IS TRUE")
    );
    assert_ne!(a.query("SELECT count(*) FROM customer"), "0");
    down(&a, up).await.unwrap_or_else(|e| panic!("{e}"));
}
