//! Helpers for the row-diff tests: run a diff in-process, and compute the truth independently
//! with SQL `EXCEPT` in each dialect.
#![allow(dead_code)]

use std::path::Path;

use sluice::dialect::{Access, Db, DbUrl};
use sluice::engine::rows::{self, Hooks, RunOutcome};
use sluice::model::rowdiff::{Counts, DbRef, KeyKind, RunOptions, TablePair};

use crate::support;

pub fn options() -> RunOptions {
    RunOptions {
        tables: Vec::new(),
        ignore_columns: Vec::new(),
        batch_size: 1000,
        statement_timeout_secs: 60,
    }
}

pub fn db_ref(url: &str) -> DbRef {
    let u = DbUrl::parse(url).expect("url");
    DbRef {
        reference: u.display(),
        kind: "url".into(),
        dialect: u.dialect(),
        database: String::new(),
    }
}

pub async fn connect(url: &str) -> Db {
    DbUrl::parse(url)
        .expect("url")
        .connect(Access::ReadOnly)
        .await
        .expect("connect")
}

/// Runs a row diff in-process; runs are kept under `root`.
pub async fn diff_in(root: &Path, source: &str, target: &str, opts: RunOptions) -> RunOutcome {
    let s = connect(source).await;
    let t = connect(target).await;
    let out = rows::start(
        root,
        db_ref(source),
        db_ref(target),
        opts,
        &s,
        &t,
        &Hooks::default(),
    )
    .await
    .expect("row diff");
    s.close().await;
    t.close().await;
    out
}

pub async fn diff(source: &str, target: &str, opts: RunOptions) -> RunOutcome {
    let dir = tempfile::tempdir().expect("tempdir");
    diff_in(dir.path(), source, target, opts).await
}

/// The counts of table `label` (SOURCE's `schema.table`, or the bare name).
pub fn counts(o: &RunOutcome, label: &str) -> Counts {
    let i = o
        .manifest
        .tables
        .iter()
        .position(|t| t.table == label || t.source.name == label)
        .unwrap_or_else(|| {
            panic!(
                "table {label} not compared; compared: {:?}",
                o.manifest
                    .tables
                    .iter()
                    .map(|t| &t.table)
                    .collect::<Vec<_>>()
            )
        });
    o.checkpoint.tables[i].counts
}

pub fn pair<'a>(o: &'a RunOutcome, label: &str) -> &'a TablePair {
    o.manifest
        .tables
        .iter()
        .find(|t| t.table == label || t.source.name == label)
        .unwrap_or_else(|| panic!("table {label} not compared"))
}

fn num(s: &str) -> u64 {
    s.trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a count: {s:?}"))
}

/// The truth from the counts of four EXCEPT queries. `q(sql)` runs one count query; `key` and
/// `cols` are select lists; `src`/`tgt` the two relations.
fn truth(q: &dyn Fn(&str) -> u64, src: &str, tgt: &str, key: Option<&str>, cols: &str) -> Counts {
    let minus = |a: &str, b: &str| {
        q(&format!(
            "SELECT count(*) FROM (SELECT {cols} FROM {a} EXCEPT ALL SELECT {cols} FROM {b}) x"
        ))
    };
    truth_with(q, src, tgt, key, &minus)
}

/// Like [`truth`], with `minus(a, b)` counting the rows of `a` not in `b` (as a multiset).
fn truth_with(
    q: &dyn Fn(&str) -> u64,
    src: &str,
    tgt: &str,
    key: Option<&str>,
    minus: &dyn Fn(&str, &str) -> u64,
) -> Counts {
    let count = |sql: String| q(&sql);
    let source_rows = count(format!("SELECT count(*) FROM {src}"));
    let target_rows = count(format!("SELECT count(*) FROM {tgt}"));
    let s_minus = minus(src, tgt);
    let t_minus = minus(tgt, src);
    match key {
        Some(key) => {
            let insert = count(format!(
                "SELECT count(*) FROM (SELECT {key} FROM {src} EXCEPT SELECT {key} FROM {tgt}) x"
            ));
            let delete = count(format!(
                "SELECT count(*) FROM (SELECT {key} FROM {tgt} EXCEPT SELECT {key} FROM {src}) x"
            ));
            let conflict = s_minus - insert;
            assert_eq!(conflict, t_minus - delete, "EXCEPT both ways disagree");
            Counts {
                source_rows,
                target_rows,
                insert,
                delete,
                conflict,
                unchanged: source_rows - insert - conflict,
            }
        }
        None => Counts {
            source_rows,
            target_rows,
            insert: s_minus,
            delete: t_minus,
            conflict: 0,
            unchanged: source_rows - s_minus,
        },
    }
}

fn key_of(p: &TablePair, wrap: &dyn Fn(&str) -> String) -> Option<String> {
    if p.key_kind == KeyKind::Multiset {
        return None;
    }
    Some(
        p.key
            .iter()
            .map(|&i| wrap(&p.columns[i].source))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

fn cols_of(p: &TablePair, wrap: &dyn Fn(&str) -> String) -> String {
    p.columns
        .iter()
        .map(|c| wrap(&c.source))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Truth for SQLite: the target file is attached to the source's.
pub fn truth_sqlite(src: &support::SqliteDb, tgt: &support::SqliteDb, p: &TablePair) -> Counts {
    let wrap = |c: &str| format!("\"{}\" COLLATE BINARY", c.replace('"', "\"\""));
    let q = |sql: &str| num(&src.query(&format!("ATTACH '{}' AS tgt; {sql};", tgt.path.display())));
    let t = format!("\"{}\"", p.source.name);
    // SQLite has no EXCEPT ALL: number the copies of each row, then EXCEPT.
    let cols = cols_of(p, &wrap);
    let names = p
        .columns
        .iter()
        .map(|c| format!("\"{}\"", c.source.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(", ");
    let numbered = |rel: &str| {
        format!(
            "(SELECT {}, row_number() OVER (PARTITION BY {cols}) AS rn__ FROM {rel})",
            p.columns
                .iter()
                .map(|c| format!(
                    "{} AS \"{}\"",
                    wrap(&c.source),
                    c.source.replace('"', "\"\"")
                ))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let minus = |a: &str, b: &str| {
        q(&format!(
            "SELECT count(*) FROM (SELECT {names}, rn__ FROM {} EXCEPT SELECT {names}, rn__ FROM {})",
            numbered(a),
            numbered(b)
        ))
    };
    truth_with(
        &q,
        &format!("main.{t}"),
        &format!("tgt.{t}"),
        key_of(p, &wrap).as_deref(),
        &minus,
    )
}

/// Truth for MariaDB: both databases are on one server; character columns compare as bytes.
pub fn truth_mysql(src: &support::MyDb, tgt: &support::MyDb, p: &TablePair) -> Counts {
    let types = src.query(&format!(
        "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '{}' AND TABLE_NAME = '{}'",
        src.name, p.source.name
    ));
    let textual: Vec<String> = types
        .lines()
        .filter_map(|l| {
            let (c, t) = l.split_once('\t')?;
            matches!(
                t,
                "char"
                    | "varchar"
                    | "text"
                    | "tinytext"
                    | "mediumtext"
                    | "longtext"
                    | "enum"
                    | "set"
                    | "json"
            )
            .then(|| c.to_string())
        })
        .collect();
    let wrap = |c: &str| {
        let q = format!("`{}`", c.replace('`', "``"));
        if textual.iter().any(|t| t == c) {
            format!("CAST({q} AS BINARY)")
        } else {
            q
        }
    };
    let q = |sql: &str| num(&src.query(sql));
    truth(
        &q,
        &format!("`{}`.`{}`", src.name, p.source.name),
        &format!("`{}`.`{}`", tgt.name, p.target.name),
        key_of(p, &wrap).as_deref(),
        &cols_of(p, &wrap),
    )
}

/// A PostgreSQL database that sees SOURCE's and TARGET's `public` schemas as foreign schemas
/// `s` and `t` (postgres_fdw), for EXCEPT across databases. `setup` runs first (types the
/// foreign tables need, such as enums).
pub struct PgTruth {
    pub db: support::PgDb,
}

impl PgTruth {
    pub fn new(src: &support::PgDb, tgt: &support::PgDb, setup: &str) -> PgTruth {
        let db = support::pg_db();
        db.exec("CREATE EXTENSION postgres_fdw");
        if !setup.is_empty() {
            db.exec(setup);
        }
        for (name, side) in [("s", src), ("t", tgt)] {
            db.exec(&format!(
                "CREATE SERVER srv_{name} FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '{}', dbname '{}');
                 CREATE USER MAPPING FOR CURRENT_USER SERVER srv_{name} OPTIONS (user 'postgres', password '{}');
                 CREATE SCHEMA {name};
                 IMPORT FOREIGN SCHEMA public FROM SERVER srv_{name} INTO {name};",
                side.port,
                side.name,
                support::PG_PASSWORD
            ));
        }
        PgTruth { db }
    }

    pub fn truth(&self, p: &TablePair) -> Counts {
        let wrap = |c: &str| format!("\"{}\"", c.replace('"', "\"\""));
        let q = |sql: &str| num(&self.db.query(sql));
        truth(
            &q,
            &format!("s.\"{}\"", p.source.name),
            &format!("t.\"{}\"", p.target.name),
            key_of(p, &wrap).as_deref(),
            &cols_of(p, &wrap),
        )
    }
}

/// Asserts that every compared table's counts equal the truth.
pub fn assert_truth(o: &RunOutcome, truth: &dyn Fn(&TablePair) -> Counts) {
    let mut bad = Vec::new();
    for (p, prog) in o.manifest.tables.iter().zip(&o.checkpoint.tables) {
        let t = truth(p);
        if t != prog.counts {
            bad.push(format!(
                "{}: diff {:?}\n      truth {:?}",
                p.table, prog.counts, t
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "counts differ from EXCEPT:\n{}",
        bad.join("\n")
    );
}

pub fn total(o: &RunOutcome) -> u64 {
    o.differences()
}
