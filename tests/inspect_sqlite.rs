mod support;

use sluice::dialect::{Access, Db, DbUrl};
use sluice::model::{
    Catalog, FkAction, ForeignKey, Generated, Identity, QualifiedName, Snapshot, Table, TypeFamily,
};
use sluice::model::{Filter, View};

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn connect(db: &support::SqliteDb) -> sluice::Result<Db> {
    DbUrl::parse(&db.url())?.connect(Access::ReadOnly).await
}

async fn inspect(db: &support::SqliteDb, filter: &Filter) -> sluice::Result<Catalog> {
    let conn = connect(db).await?;
    let catalog = sluice::dialect::inspect(&conn, filter).await;
    conn.close().await;
    catalog
}

fn table<'a>(c: &'a Catalog, name: &str) -> &'a Table {
    c.table("main", name)
        .unwrap_or_else(|| panic!("table {name} is missing"))
}

fn view<'a>(c: &'a Catalog, name: &str) -> &'a View {
    c.schema("main")
        .and_then(|s| s.view(name))
        .unwrap_or_else(|| panic!("view {name} is missing"))
}

fn fk<'a>(t: &'a Table, name: &str) -> &'a ForeignKey {
    t.foreign_key(name).unwrap_or_else(|| {
        panic!(
            "foreign key {name} is missing on {}; have {:?}",
            t.name,
            t.foreign_keys.iter().map(|f| &f.name).collect::<Vec<_>>()
        )
    })
}

fn names<T>(items: &[T], f: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|i| f(i).to_string()).collect()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn chinook() -> Option<support::SqliteDb> {
    let path = support::fixture("chinook/sqlite.sql")?;
    let db = support::sqlite_db();
    db.load(&path);
    Some(db)
}

// ------------------------------------------------------------------------------------ Chinook

#[tokio::test]
async fn chinook_tables_keys_and_indexes() -> TestResult {
    let Some(db) = chinook() else { return Ok(()) };
    let c = inspect(&db, &Filter::default()).await?;

    assert_eq!(c.dialect, Some(sluice::model::Dialect::Sqlite));
    assert_eq!(c.flavor, "sqlite");
    assert_eq!(c.default_schema, "main");
    assert_eq!(c.database, "test");
    assert!(c.server_version.starts_with("3."), "{}", c.server_version);
    assert!(c.unsupported.is_empty(), "{:?}", c.unsupported);
    assert_eq!(c.schemas.len(), 1);
    let s = &c.schemas[0];
    assert_eq!(s.name, "main");
    assert_eq!(
        names(&s.tables, |t| &t.name),
        strings(&[
            "Album",
            "Artist",
            "Customer",
            "Employee",
            "Genre",
            "Invoice",
            "InvoiceLine",
            "MediaType",
            "Playlist",
            "PlaylistTrack",
            "Track"
        ])
    );
    assert!(s.views.is_empty());

    // Primary keys: every one named in the fixture, in key order.
    for (t, cols) in [
        ("Album", &["AlbumId"][..]),
        ("Artist", &["ArtistId"]),
        ("Customer", &["CustomerId"]),
        ("Employee", &["EmployeeId"]),
        ("Genre", &["GenreId"]),
        ("Invoice", &["InvoiceId"]),
        ("InvoiceLine", &["InvoiceLineId"]),
        ("MediaType", &["MediaTypeId"]),
        ("Playlist", &["PlaylistId"]),
        ("PlaylistTrack", &["PlaylistId", "TrackId"]),
        ("Track", &["TrackId"]),
    ] {
        let pk = table(&c, t)
            .primary_key
            .as_ref()
            .unwrap_or_else(|| panic!("{t} has no primary key"));
        assert_eq!(pk.columns, strings(cols), "{t}");
        assert_eq!(pk.name.as_deref(), Some(format!("PK_{t}").as_str()), "{t}");
        assert!(table(&c, t).uniques.is_empty(), "{t}");
        assert!(table(&c, t).checks.is_empty(), "{t}");
        assert!(!table(&c, t).without_rowid && !table(&c, t).strict);
    }

    // Foreign keys: 11, unnamed in the fixture, so generated names.
    let fks: Vec<(&str, &str, &str, &str, &str)> = vec![
        (
            "Album",
            "Album_ArtistId_fkey",
            "ArtistId",
            "Artist",
            "ArtistId",
        ),
        (
            "Customer",
            "Customer_SupportRepId_fkey",
            "SupportRepId",
            "Employee",
            "EmployeeId",
        ),
        (
            "Employee",
            "Employee_ReportsTo_fkey",
            "ReportsTo",
            "Employee",
            "EmployeeId",
        ),
        (
            "Invoice",
            "Invoice_CustomerId_fkey",
            "CustomerId",
            "Customer",
            "CustomerId",
        ),
        (
            "InvoiceLine",
            "InvoiceLine_InvoiceId_fkey",
            "InvoiceId",
            "Invoice",
            "InvoiceId",
        ),
        (
            "InvoiceLine",
            "InvoiceLine_TrackId_fkey",
            "TrackId",
            "Track",
            "TrackId",
        ),
        (
            "PlaylistTrack",
            "PlaylistTrack_PlaylistId_fkey",
            "PlaylistId",
            "Playlist",
            "PlaylistId",
        ),
        (
            "PlaylistTrack",
            "PlaylistTrack_TrackId_fkey",
            "TrackId",
            "Track",
            "TrackId",
        ),
        ("Track", "Track_AlbumId_fkey", "AlbumId", "Album", "AlbumId"),
        ("Track", "Track_GenreId_fkey", "GenreId", "Genre", "GenreId"),
        (
            "Track",
            "Track_MediaTypeId_fkey",
            "MediaTypeId",
            "MediaType",
            "MediaTypeId",
        ),
    ];
    assert_eq!(c.summary().foreign_keys, 11);
    for (t, name, col, parent, pcol) in fks {
        let f = fk(table(&c, t), name);
        assert_eq!(f.columns, strings(&[col]), "{name}");
        assert_eq!(f.ref_table, QualifiedName::new("main", parent), "{name}");
        assert_eq!(f.ref_columns, strings(&[pcol]), "{name}");
        assert_eq!(f.on_delete, FkAction::NoAction, "{name}");
        assert_eq!(f.on_update, FkAction::NoAction, "{name}");
        assert!(
            !f.deferrable && !f.initially_deferred && !f.match_full,
            "{name}"
        );
    }

    // Indexes: the eleven IFK_ ones; the composite key's autoindex is not an index.
    let idx: Vec<(&str, &str, &str)> = vec![
        ("Album", "IFK_AlbumArtistId", "ArtistId"),
        ("Customer", "IFK_CustomerSupportRepId", "SupportRepId"),
        ("Employee", "IFK_EmployeeReportsTo", "ReportsTo"),
        ("Invoice", "IFK_InvoiceCustomerId", "CustomerId"),
        ("InvoiceLine", "IFK_InvoiceLineInvoiceId", "InvoiceId"),
        ("InvoiceLine", "IFK_InvoiceLineTrackId", "TrackId"),
        ("PlaylistTrack", "IFK_PlaylistTrackPlaylistId", "PlaylistId"),
        ("PlaylistTrack", "IFK_PlaylistTrackTrackId", "TrackId"),
        ("Track", "IFK_TrackAlbumId", "AlbumId"),
        ("Track", "IFK_TrackGenreId", "GenreId"),
        ("Track", "IFK_TrackMediaTypeId", "MediaTypeId"),
    ];
    assert_eq!(c.summary().indexes, 11);
    for (t, name, col) in idx {
        let i = table(&c, t)
            .index(name)
            .unwrap_or_else(|| panic!("index {name} missing"));
        assert!(!i.unique, "{name}");
        assert_eq!(i.keys.len(), 1, "{name}");
        assert_eq!(i.keys[0].key, col, "{name}");
        assert!(!i.keys[0].expression && !i.keys[0].descending);
        assert_eq!(i.keys[0].collation, None);
        assert_eq!(i.predicate, None);
        assert_eq!(
            i.definition.as_deref(),
            Some(format!("CREATE INDEX [{name}] ON [{t}] ([{col}])").as_str())
        );
    }
    assert_eq!(
        names(&table(&c, "PlaylistTrack").indexes, |i| &i.name),
        strings(&["IFK_PlaylistTrackPlaylistId", "IFK_PlaylistTrackTrackId"])
    );
    Ok(())
}

#[tokio::test]
async fn chinook_columns() -> TestResult {
    let Some(db) = chinook() else { return Ok(()) };
    let c = inspect(&db, &Filter::default()).await?;

    let album = table(&c, "Album");
    assert_eq!(
        names(&album.columns, |c| &c.name),
        strings(&["AlbumId", "Title", "ArtistId"])
    );
    let title = album.column("Title").unwrap();
    assert_eq!(title.ordinal, 2);
    assert_eq!(title.data_type, "NVARCHAR(160)");
    assert_eq!(title.family, TypeFamily::text(Some(160)));
    assert!(!title.nullable);
    assert_eq!(title.default, None);
    assert_eq!(title.collation, None);
    // The rowid alias: never NULL, and no identity without AUTOINCREMENT.
    let id = album.column("AlbumId").unwrap();
    assert_eq!(id.data_type, "INTEGER");
    assert_eq!(id.family, TypeFamily::int(64));
    assert!(!id.nullable);
    assert_eq!(id.identity, None);

    let total = table(&c, "Invoice").column("Total").unwrap();
    assert_eq!(total.data_type, "NUMERIC(10,2)");
    assert_eq!(
        total.family,
        TypeFamily::Decimal {
            precision: Some(10),
            scale: Some(2)
        }
    );
    assert!(!total.nullable);
    let company = table(&c, "Customer").column("Company").unwrap();
    assert!(company.nullable);
    assert_eq!(company.family, TypeFamily::text(Some(80)));
    let birth = table(&c, "Employee").column("BirthDate").unwrap();
    assert_eq!(birth.family, TypeFamily::Timestamp { tz: false });
    assert!(birth.nullable);
    let bytes = table(&c, "Track").column("Bytes").unwrap();
    assert!(bytes.nullable);
    assert_eq!(bytes.ordinal, 8);
    let pt = table(&c, "PlaylistTrack");
    assert!(pt.columns.iter().all(|c| !c.nullable));
    assert_eq!(c.summary().columns, 64);
    Ok(())
}

#[tokio::test]
async fn chinook_snapshot_round_trip_and_stable_output() -> TestResult {
    let Some(db) = chinook() else { return Ok(()) };
    let first = inspect(&db, &Filter::default()).await?;
    let second = inspect(&db, &Filter::default()).await?;
    let json = Snapshot::new(first.clone(), "x".into(), "t".into()).to_json();
    let again = Snapshot::new(second, "x".into(), "t".into()).to_json();
    assert_eq!(json, again, "two inspections must serialize identically");
    let back = Snapshot::from_json(&json)?;
    assert_eq!(back.catalog, first);
    assert_eq!(back.to_json(), json);
    Ok(())
}

// ------------------------------------------------------------------------------------ features

const FEATURES: &str = r#"
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name VARCHAR(100)
);
CREATE TABLE products (
    code TEXT NOT NULL,
    variant INT,
    title TEXT,
    PRIMARY KEY (code, variant)
) WITHOUT ROWID;
CREATE TABLE strict_t (id INTEGER PRIMARY KEY, v ANY, n INT NOT NULL) STRICT;
CREATE TABLE legacy (code TEXT PRIMARY KEY, note);
CREATE TABLE "Order Items" (
    "order" INTEGER PRIMARY KEY AUTOINCREMENT,
    "select" TEXT NOT NULL COLLATE NOCASE,
    "a""b" INT DEFAULT 0,
    [größe] REAL DEFAULT (1.5 * 2),
    qty INTEGER NOT NULL DEFAULT 1 CHECK (qty > 0),
    price NUMERIC(10,2) CONSTRAINT price_positive CHECK (price >= (0)),
    total REAL GENERATED ALWAYS AS (qty * price) VIRTUAL,
    label TEXT AS (upper("select")) STORED,
    customer_id INTEGER REFERENCES customers ON DELETE CASCADE,
    product_code TEXT,
    product_variant INT,
    sku TEXT COLLATE BINARY,
    CONSTRAINT sku_unique UNIQUE (sku),
    UNIQUE ("select", qty),
    CHECK (length("select") < 100), -- a comment (with a paren
    CONSTRAINT oi_product FOREIGN KEY (product_code, product_variant)
        REFERENCES products (code, variant) ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE "order" ("select" INTEGER PRIMARY KEY, "from" TEXT);
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    order_ref INTEGER REFERENCES "ORDER" ON DELETE SET NULL,
    FOREIGN KEY (id) REFERENCES Customers (ID) MATCH FULL
);
CREATE INDEX oi_partial ON "Order Items" (qty) WHERE qty > 10;
CREATE INDEX oi_expr ON "Order Items" (lower("select"), qty DESC);
CREATE UNIQUE INDEX oi_desc ON "Order Items" (price DESC, [größe] COLLATE NOCASE);
CREATE INDEX oi_select ON "Order Items" ("select");
CREATE VIEW big_orders AS SELECT "order", qty FROM "Order Items" WHERE qty > 10;
CREATE TRIGGER oi_audit AFTER UPDATE OF qty, "select" ON "Order Items"
FOR EACH ROW WHEN new.qty > old.qty
BEGIN
    UPDATE customers SET name = name WHERE id = new.customer_id;
END;
CREATE TRIGGER big_orders_ins INSTEAD OF INSERT ON big_orders
BEGIN
    INSERT INTO "Order Items" ("select", qty) VALUES ('x', new.qty);
END;
CREATE VIRTUAL TABLE docs USING fts5(title, body);
"#;

fn features_db() -> support::SqliteDb {
    let db = support::sqlite_db();
    db.exec(FEATURES);
    db
}

#[tokio::test]
async fn features_tables_and_columns() -> TestResult {
    let db = features_db();
    let c = inspect(&db, &Filter::default()).await?;
    let s = c.schema("main").unwrap();
    assert_eq!(
        names(&s.tables, |t| &t.name),
        strings(&[
            "Order Items",
            "customers",
            "legacy",
            "notes",
            "order",
            "products",
            "strict_t"
        ])
    );

    // Rowid alias without AUTOINCREMENT; a column UNIQUE gets a generated name.
    let cu = table(&c, "customers");
    assert!(!cu.column("id").unwrap().nullable);
    assert_eq!(cu.column("id").unwrap().identity, None);
    assert_eq!(cu.primary_key.as_ref().unwrap().name, None);
    assert_eq!(
        names(&cu.uniques, |u| &u.name),
        strings(&["customers_email_key"])
    );
    assert_eq!(cu.uniques[0].columns, strings(&["email"]));
    assert!(cu.indexes.is_empty(), "autoindexes are not indexes");

    // WITHOUT ROWID: key columns are NOT NULL even when not declared so.
    let p = table(&c, "products");
    assert!(p.without_rowid && !p.strict);
    assert_eq!(
        p.primary_key.as_ref().unwrap().columns,
        strings(&["code", "variant"])
    );
    assert!(!p.column("variant").unwrap().nullable);
    assert!(p.column("title").unwrap().nullable);
    assert!(p.indexes.is_empty());

    let st = table(&c, "strict_t");
    assert!(st.strict && !st.without_rowid);
    assert_eq!(st.column("v").unwrap().family, TypeFamily::Any);
    assert_eq!(st.column("n").unwrap().family, TypeFamily::int(32));

    // Legacy rowid table with a TEXT key: SQLite lets it hold NULL, so it says nullable.
    let lg = table(&c, "legacy");
    assert!(lg.column("code").unwrap().nullable);
    assert_eq!(lg.column("note").unwrap().data_type, "");
    assert_eq!(lg.column("note").unwrap().family, TypeFamily::Any);
    assert!(lg.indexes.is_empty() && lg.uniques.is_empty());

    let oi = table(&c, "Order Items");
    assert!(!oi.without_rowid && !oi.strict);
    assert_eq!(
        names(&oi.columns, |c| &c.name),
        strings(&[
            "order",
            "select",
            "a\"b",
            "größe",
            "qty",
            "price",
            "total",
            "label",
            "customer_id",
            "product_code",
            "product_variant",
            "sku"
        ])
    );
    for (i, col) in oi.columns.iter().enumerate() {
        assert_eq!(col.ordinal as usize, i + 1, "{}", col.name);
    }
    let order = oi.column("order").unwrap();
    assert_eq!(order.identity, Some(Identity::Autoincrement));
    assert!(!order.nullable);
    assert_eq!(
        oi.primary_key.as_ref().unwrap().columns,
        strings(&["order"])
    );
    let select = oi.column("select").unwrap();
    assert_eq!(select.collation.as_deref(), Some("NOCASE"));
    assert!(!select.nullable);
    assert_eq!(
        oi.column("sku").unwrap().collation,
        None,
        "BINARY is the default"
    );
    assert_eq!(oi.column("a\"b").unwrap().default.as_deref(), Some("0"));
    assert_eq!(oi.column("a\"b").unwrap().family, TypeFamily::int(32));
    assert_eq!(
        oi.column("größe").unwrap().default.as_deref(),
        Some("1.5 * 2")
    );
    assert_eq!(
        oi.column("größe").unwrap().family,
        TypeFamily::Float { bits: 64 }
    );
    assert_eq!(oi.column("qty").unwrap().default.as_deref(), Some("1"));
    let total = oi.column("total").unwrap();
    assert_eq!(total.data_type, "REAL");
    assert_eq!(
        total.generated,
        Some(Generated {
            expression: "qty * price".into(),
            stored: false
        })
    );
    assert_eq!(total.ordinal, 7);
    let label = oi.column("label").unwrap();
    assert_eq!(
        label.generated,
        Some(Generated {
            expression: "upper(\"select\")".into(),
            stored: true
        })
    );
    assert_eq!(oi.column("qty").unwrap().generated, None);
    Ok(())
}

#[tokio::test]
async fn features_constraints() -> TestResult {
    let db = features_db();
    let c = inspect(&db, &Filter::default()).await?;
    let oi = table(&c, "Order Items");

    // Uniques: named and unnamed, sorted by name.
    assert_eq!(
        names(&oi.uniques, |u| &u.name),
        strings(&["Order Items_select_qty_key", "sku_unique"])
    );
    assert_eq!(oi.uniques[0].columns, strings(&["select", "qty"]));
    assert_eq!(oi.uniques[1].columns, strings(&["sku"]));

    // Checks: named from CONSTRAINT, else numbered in order of appearance; no CHECK ( ) wrapper.
    let checks: Vec<(String, String)> = oi
        .checks
        .iter()
        .map(|c| (c.name.clone(), c.expression.clone()))
        .collect();
    assert_eq!(
        checks,
        vec![
            ("Order Items_check_1".to_string(), "qty > 0".to_string()),
            (
                "Order Items_check_2".to_string(),
                "length(\"select\") < 100".to_string()
            ),
            ("price_positive".to_string(), "price >= (0)".to_string()),
        ]
    );

    // Foreign keys.
    assert_eq!(
        names(&oi.foreign_keys, |f| &f.name),
        strings(&["Order Items_customer_id_fkey", "oi_product"])
    );
    let f = fk(oi, "Order Items_customer_id_fkey");
    assert_eq!(f.columns, strings(&["customer_id"]));
    assert_eq!(f.ref_table, QualifiedName::new("main", "customers"));
    assert_eq!(
        f.ref_columns,
        strings(&["id"]),
        "implicit parent key resolved"
    );
    assert_eq!(f.on_delete, FkAction::Cascade);
    assert_eq!(f.on_update, FkAction::NoAction);
    assert!(!f.deferrable && !f.initially_deferred);
    let f = fk(oi, "oi_product");
    assert_eq!(f.columns, strings(&["product_code", "product_variant"]));
    assert_eq!(f.ref_table, QualifiedName::new("main", "products"));
    assert_eq!(f.ref_columns, strings(&["code", "variant"]));
    assert_eq!(f.on_update, FkAction::Cascade);
    assert_eq!(f.on_delete, FkAction::NoAction);
    assert!(f.deferrable && f.initially_deferred);

    // Parent names as the parent spells them; implicit key of a reserved-word table.
    let notes = table(&c, "notes");
    let f = fk(notes, "notes_order_ref_fkey");
    assert_eq!(f.ref_table, QualifiedName::new("main", "order"));
    assert_eq!(f.ref_columns, strings(&["select"]));
    assert_eq!(f.on_delete, FkAction::SetNull);
    let f = fk(notes, "notes_id_fkey");
    assert_eq!(f.ref_table, QualifiedName::new("main", "customers"));
    assert_eq!(f.ref_columns, strings(&["id"]));
    assert!(f.match_full);
    assert_eq!(notes.foreign_keys.len(), 2);
    Ok(())
}

#[tokio::test]
async fn features_indexes_views_triggers_and_unsupported() -> TestResult {
    let db = features_db();
    let c = inspect(&db, &Filter::default()).await?;
    let oi = table(&c, "Order Items");

    assert_eq!(
        names(&oi.indexes, |i| &i.name),
        strings(&["oi_desc", "oi_expr", "oi_partial", "oi_select"])
    );
    let partial = oi.index("oi_partial").unwrap();
    assert_eq!(partial.predicate.as_deref(), Some("qty > 10"));
    assert!(!partial.unique);
    assert_eq!(partial.keys.len(), 1);
    assert_eq!(partial.keys[0].key, "qty");
    assert_eq!(
        partial.definition.as_deref(),
        Some("CREATE INDEX oi_partial ON \"Order Items\" (qty) WHERE qty > 10")
    );

    let expr = oi.index("oi_expr").unwrap();
    assert_eq!(expr.keys.len(), 2);
    assert_eq!(expr.keys[0].key, "lower(\"select\")");
    assert!(expr.keys[0].expression && !expr.keys[0].descending);
    assert_eq!(expr.keys[1].key, "qty");
    assert!(!expr.keys[1].expression && expr.keys[1].descending);
    assert_eq!(expr.predicate, None);

    let desc = oi.index("oi_desc").unwrap();
    assert!(desc.unique);
    assert_eq!(desc.keys[0].key, "price");
    assert!(desc.keys[0].descending);
    assert_eq!(desc.keys[0].collation, None);
    assert_eq!(desc.keys[1].key, "größe");
    assert_eq!(desc.keys[1].collation.as_deref(), Some("NOCASE"));
    // The column's own collation carries over to a plain index on it.
    let sel = oi.index("oi_select").unwrap();
    assert_eq!(sel.keys[0].collation.as_deref(), Some("NOCASE"));

    // Triggers on a table.
    assert_eq!(names(&oi.triggers, |t| &t.name), strings(&["oi_audit"]));
    let t = &oi.triggers[0];
    assert_eq!(t.timing, "AFTER");
    assert_eq!(t.events, strings(&["UPDATE OF qty, \"select\""]));
    assert_eq!(t.level, "ROW");
    assert_eq!(t.when.as_deref(), Some("new.qty > old.qty"));
    assert_eq!(
        t.body.as_deref(),
        Some("UPDATE customers SET name = name WHERE id = new.customer_id;")
    );
    assert!(
        t.definition
            .starts_with("CREATE TRIGGER oi_audit AFTER UPDATE OF")
    );
    assert!(t.enabled);

    // The view, and its INSTEAD OF trigger.
    let s = c.schema("main").unwrap();
    assert_eq!(names(&s.views, |v| &v.name), strings(&["big_orders"]));
    let v = view(&c, "big_orders");
    assert_eq!(
        v.definition,
        "SELECT \"order\", qty FROM \"Order Items\" WHERE qty > 10"
    );
    assert_eq!(v.columns, strings(&["order", "qty"]));
    assert!(!v.materialized);
    assert_eq!(
        names(&v.triggers, |t| &t.name),
        strings(&["big_orders_ins"])
    );
    let vt = &v.triggers[0];
    assert_eq!(vt.timing, "INSTEAD OF");
    assert_eq!(vt.events, strings(&["INSERT"]));
    assert_eq!(vt.when, None);
    assert_eq!(
        vt.body.as_deref(),
        Some("INSERT INTO \"Order Items\" (\"select\", qty) VALUES ('x', new.qty);")
    );

    // The FTS5 table is reported, its shadow tables are not tables.
    assert_eq!(c.unsupported.len(), 1, "{:?}", c.unsupported);
    let u = &c.unsupported[0];
    assert_eq!(u.kind, "virtual table");
    assert_eq!(u.name, "docs");
    assert_eq!(u.schema, "main");
    assert!(u.reason.contains("fts5"), "{}", u.reason);
    assert!(u.reason.contains("docs_data"), "{}", u.reason);
    assert_eq!(
        u.definition.as_deref(),
        Some("CREATE VIRTUAL TABLE docs USING fts5(title, body)")
    );
    assert!(c.tables().all(|(_, t)| !t.name.starts_with("docs")));

    // Internal tables stay out (AUTOINCREMENT created sqlite_sequence).
    assert!(c.tables().all(|(_, t)| !t.name.starts_with("sqlite_")));
    Ok(())
}

#[tokio::test]
async fn features_json_is_stable() -> TestResult {
    let db = features_db();
    let a = inspect(&db, &Filter::default()).await?;
    let b = inspect(&db, &Filter::default()).await?;
    let ja = Snapshot::new(a.clone(), "x".into(), "t".into()).to_json();
    let jb = Snapshot::new(b, "x".into(), "t".into()).to_json();
    assert_eq!(ja, jb);
    assert_eq!(Snapshot::from_json(&ja)?.catalog, a);
    Ok(())
}

// ------------------------------------------------------------------------------------ robustness

#[tokio::test]
async fn unknown_modules_and_broken_views_do_not_stop_inspection() -> TestResult {
    let db = support::sqlite_db();
    db.exec(
        "CREATE TABLE gone (a INT); CREATE VIEW stale AS SELECT a FROM gone; \
         CREATE TABLE kept (a INT); CREATE VIEW fine AS SELECT a AS b FROM kept;",
    );
    db.exec("DROP TABLE gone;");
    // A virtual table whose module this library does not have.
    db.exec(
        "PRAGMA writable_schema = ON; \
         INSERT INTO sqlite_schema VALUES ('table', 'mystery', 'mystery', 0, \
         'CREATE VIRTUAL TABLE mystery USING no_such_module(x)');",
    );
    let c = inspect(&db, &Filter::default()).await?;
    assert_eq!(
        names(&c.schema("main").unwrap().tables, |t| &t.name),
        strings(&["kept"])
    );
    assert_eq!(view(&c, "fine").columns, strings(&["b"]));
    let stale = view(&c, "stale");
    assert!(stale.columns.is_empty());
    assert_eq!(stale.definition, "SELECT a FROM gone");
    assert_eq!(c.unsupported.len(), 1);
    assert_eq!(c.unsupported[0].name, "mystery");
    assert!(c.unsupported[0].reason.contains("no_such_module"));
    Ok(())
}

#[tokio::test]
async fn include_and_exclude_filters() -> TestResult {
    let db = features_db();
    let s = |v: &[&str]| strings(v);

    // SQLite identifiers ignore case, and so do patterns on SQLite: `Order*` is also `order`.
    let only = Filter::new(&[], &[], &s(&["Order*", "customers"]), &[])?;
    let c = inspect(&db, &only).await?;
    assert_eq!(
        names(&c.schema("main").unwrap().tables, |t| &t.name),
        strings(&["Order Items", "customers", "order"])
    );
    assert!(c.schema("main").unwrap().views.is_empty());
    assert!(c.unsupported.is_empty());
    // A foreign key to a table left out still names it.
    let f = fk(table(&c, "Order Items"), "oi_product");
    assert_eq!(f.ref_table, QualifiedName::new("main", "products"));
    assert_eq!(f.ref_columns, strings(&["code", "variant"]));

    let without = Filter::new(&[], &[], &[], &s(&["main.Order*", "docs", "big_*"]))?;
    let c = inspect(&db, &without).await?;
    let tables = names(&c.schema("main").unwrap().tables, |t| &t.name);
    assert!(!tables.contains(&"Order Items".to_string()));
    assert!(tables.contains(&"customers".to_string()));
    assert!(c.schema("main").unwrap().views.is_empty());
    assert!(c.unsupported.is_empty(), "docs was excluded");

    let no_main = Filter::new(&[], &s(&["main"]), &[], &[])?;
    let c = inspect(&db, &no_main).await?;
    assert_eq!(c.summary().tables, 0);
    assert!(c.unsupported.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_missing_file_is_a_connect_error_and_is_not_created() -> TestResult {
    let err = DbUrl::parse("sqlite:/nope/x.db")?
        .connect(Access::ReadOnly)
        .await
        .err()
        .ok_or("connecting to a missing file must fail")?;
    assert_eq!(err.exit_code(), 3);
    assert!(!std::path::Path::new("/nope/x.db").exists());

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("x.db");
    let err = DbUrl::parse(&format!("sqlite:{}", path.display()))?
        .connect(Access::ReadOnly)
        .await
        .err()
        .ok_or("connecting to a missing file must fail")?;
    assert_eq!(err.exit_code(), 3);
    assert!(!path.exists(), "the file must not be created");
    Ok(())
}
