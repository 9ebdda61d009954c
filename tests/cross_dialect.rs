//! Schema comparison across dialects: Chinook in PostgreSQL, MariaDB and SQLite.

mod support;

use sluice::dialect::{Access, DbUrl};
use sluice::engine::diff::DiffOptions;
use sluice::engine::schema;
use sluice::model::{Catalog, Change, Filter};

async fn inspect(url: &str) -> Catalog {
    let db = DbUrl::parse(url)
        .expect("url")
        .connect(Access::ReadOnly)
        .await
        .expect("connect");
    let c = sluice::dialect::inspect(&db, &Filter::default())
        .await
        .expect("inspect");
    db.close().await;
    c
}

fn real(changes: Vec<Change>) -> Vec<String> {
    changes
        .into_iter()
        .filter(|c| !matches!(c, Change::Unsupported { .. }))
        .map(|c| format!("{} {}: {}", c.kind(), c.object(), c.describe()))
        .collect()
}

#[tokio::test]
async fn chinook_is_the_same_schema_in_every_dialect() {
    let (Some(pg_sql), Some(my_sql), Some(lite_sql)) = (
        support::fixture("chinook/postgres.sql"),
        support::fixture("chinook/mysql.sql"),
        support::fixture("chinook/sqlite.sql"),
    ) else {
        return;
    };
    let pg = support::pg_db();
    pg.load(&pg_sql);
    let my = support::mysql_db();
    my.load(&my_sql);
    let lite = support::sqlite_db();
    lite.load(&lite_sql);
    let cats = [
        ("postgres", inspect(&pg.url()).await),
        ("mariadb", inspect(&my.url()).await),
        ("sqlite", inspect(&lite.url()).await),
    ];
    let opts = DiffOptions::default();
    let mut problems = Vec::new();
    for (tn, t) in &cats {
        for (sn, s) in &cats {
            if tn == sn {
                continue;
            }
            let left = real(schema::changes(t, s, &opts));
            if !left.is_empty() {
                problems.push(format!("{sn} → {tn}:\n  {}", left.join("\n  ")));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // One real difference is found, in type-family terms.
    lite.exec("ALTER TABLE Genre ADD COLUMN Description TEXT;");
    let lite_cat = inspect(&lite.url()).await;
    let left = real(schema::changes(&cats[0].1, &lite_cat, &opts));
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(
        left[0].starts_with("add_column public.genre.Description"),
        "{left:?}"
    );

    // A narrower column in MariaDB is a type difference, in family terms.
    my.exec("ALTER TABLE Track MODIFY Composer VARCHAR(300)");
    let my_cat = inspect(&my.url()).await;
    let left = real(schema::changes(&my_cat, &cats[0].1, &opts));
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(
        left[0].contains("Composer: type varchar(300) → varchar(220)"),
        "{left:?}"
    );

    // Views are listed as not portable, never guessed at.
    pg.exec("CREATE VIEW long_tracks AS SELECT track_id FROM track WHERE milliseconds > 600000");
    let pg_cat = inspect(&pg.url()).await;
    let all = schema::changes(&lite_cat, &pg_cat, &opts);
    let view = all
        .iter()
        .find(
            |c| matches!(c, Change::Unsupported { object, .. } if object.ends_with("long_tracks")),
        )
        .expect("the view is reported");
    assert!(
        view.describe().contains("not portable"),
        "{}",
        view.describe()
    );
}

#[tokio::test]
async fn postgres_chinook_planned_into_an_empty_sqlite_database_converges() {
    let Some(pg_sql) = support::fixture("chinook/postgres.sql") else {
        return;
    };
    let pg = support::pg_db();
    pg.load(&pg_sql);
    let lite = support::sqlite_db();
    let source = inspect(&pg.url()).await;
    let target = inspect(&lite.url()).await;
    let opts = DiffOptions::default();
    let plan = schema::plan(&target, &source, &opts).expect("plan");
    assert!(plan.steps.len() >= 11, "{} steps", plan.steps.len());
    let db = DbUrl::parse(&lite.url())
        .expect("url")
        .connect(Access::ReadWrite)
        .await
        .expect("connect");
    support::client::apply(&db, &plan.steps, &Default::default())
        .await
        .unwrap_or_else(|e| panic!("apply: {e}"));
    db.close().await;
    let after = inspect(&lite.url()).await;
    let left = real(schema::changes(&after, &source, &opts));
    assert!(left.is_empty(), "not converged:\n{}", left.join("\n"));
    let second = schema::plan(&after, &source, &opts).expect("second plan");
    assert!(
        second.steps.iter().all(|s| s.sql.is_empty()),
        "second plan not empty"
    );
    // Types in SQLite's spelling, keys and foreign keys in place.
    assert_eq!(
        lite.query("SELECT type FROM pragma_table_info('track') WHERE name = 'unit_price'"),
        "NUMERIC(10,2)"
    );
    assert_eq!(
        lite.query("SELECT count(*) FROM pragma_foreign_key_list('track')"),
        "3"
    );
    // down.sql, planned across dialects, through sqlite3: the file is empty again.
    let (_m, _dir, down) = support::down_pack(&plan, &source, &target);
    lite.try_load(&down).unwrap_or_else(|e| {
        panic!(
            "down.sql failed: {e}\n{}",
            std::fs::read_to_string(&down).unwrap_or_default()
        )
    });
    assert_eq!(
        inspect(&lite.url()).await.fingerprint(),
        target.fingerprint()
    );
}
