//! MySQL/MariaDB introspection against a real MariaDB server started by the harness.

mod support;

use sluice::dialect::{Access, Db, DbUrl};
use sluice::model::{
    Catalog, Filter, FkAction, Generated, Identity, QualifiedName, RoutineKind, Snapshot, Table,
    TypeFamily,
};

async fn connect(db: &support::MyDb) -> Db {
    DbUrl::parse(&db.url())
        .expect("parse URL")
        .connect(Access::ReadOnly)
        .await
        .expect("connect")
}

async fn inspect(db: &support::MyDb, filter: &Filter) -> Catalog {
    let conn = connect(db).await;
    let catalog = sluice::dialect::inspect(&conn, filter)
        .await
        .expect("inspect");
    conn.close().await;
    catalog
}

fn table<'c>(c: &'c Catalog, name: &str) -> &'c Table {
    c.table(&c.default_schema, name)
        .unwrap_or_else(|| panic!("table {name} is missing"))
}

fn names<T>(items: &[T], name: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|i| name(i).to_string()).collect()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn chinook() -> Option<support::MyDb> {
    let path = support::fixture("chinook/mysql.sql")?;
    let db = support::mysql_db();
    db.load(&path);
    Some(db)
}

const CHINOOK_TABLES: [&str; 11] = [
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
    "Track",
];

#[tokio::test]
async fn chinook_facts() {
    let Some(db) = chinook() else { return };
    let c = inspect(&db, &Filter::default()).await;

    assert_eq!(c.dialect, Some(sluice::model::Dialect::Mysql));
    assert_eq!(c.flavor, "mariadb");
    assert!(c.server_version.contains("MariaDB"), "{}", c.server_version);
    assert_eq!(c.database, db.name);
    assert_eq!(c.default_schema, db.name);
    assert_eq!(c.schemas.len(), 1);
    let s = &c.schemas[0];
    assert_eq!(s.name, db.name);
    assert_eq!(names(&s.tables, |t| &t.name), strings(&CHINOOK_TABLES));
    assert!(s.views.is_empty() && s.functions.is_empty());
    assert!(c.unsupported.is_empty(), "{:?}", c.unsupported);

    // Primary keys, all named PRIMARY by the server and recorded without a name.
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
        let pk = table(&c, t).primary_key.as_ref().expect("primary key");
        assert_eq!(pk.name, None, "{t}");
        assert_eq!(pk.columns, strings(cols), "{t}");
    }

    // Every foreign key of the fixture, each backed by its IFK_* index.
    let fixture = std::fs::read_to_string(support::fixture("chinook/mysql.sql").unwrap()).unwrap();
    assert_eq!(fixture.matches("FOREIGN KEY").count(), 11);
    let fks = [
        (
            "Album",
            "FK_AlbumArtistId",
            "ArtistId",
            "Artist",
            "ArtistId",
        ),
        (
            "Customer",
            "FK_CustomerSupportRepId",
            "SupportRepId",
            "Employee",
            "EmployeeId",
        ),
        (
            "Employee",
            "FK_EmployeeReportsTo",
            "ReportsTo",
            "Employee",
            "EmployeeId",
        ),
        (
            "Invoice",
            "FK_InvoiceCustomerId",
            "CustomerId",
            "Customer",
            "CustomerId",
        ),
        (
            "InvoiceLine",
            "FK_InvoiceLineInvoiceId",
            "InvoiceId",
            "Invoice",
            "InvoiceId",
        ),
        (
            "InvoiceLine",
            "FK_InvoiceLineTrackId",
            "TrackId",
            "Track",
            "TrackId",
        ),
        (
            "PlaylistTrack",
            "FK_PlaylistTrackPlaylistId",
            "PlaylistId",
            "Playlist",
            "PlaylistId",
        ),
        (
            "PlaylistTrack",
            "FK_PlaylistTrackTrackId",
            "TrackId",
            "Track",
            "TrackId",
        ),
        ("Track", "FK_TrackAlbumId", "AlbumId", "Album", "AlbumId"),
        ("Track", "FK_TrackGenreId", "GenreId", "Genre", "GenreId"),
        (
            "Track",
            "FK_TrackMediaTypeId",
            "MediaTypeId",
            "MediaType",
            "MediaTypeId",
        ),
    ];
    let total_fks: usize = c.tables().map(|(_, t)| t.foreign_keys.len()).sum();
    assert_eq!(total_fks, fks.len());
    for (t, name, col, ref_table, ref_col) in fks {
        let fk = table(&c, t)
            .foreign_key(name)
            .unwrap_or_else(|| panic!("{t}.{name} is missing"));
        assert_eq!(fk.columns, strings(&[col]), "{name}");
        assert_eq!(
            fk.ref_table,
            QualifiedName::new(&db.name, ref_table),
            "{name}"
        );
        assert_eq!(fk.ref_columns, strings(&[ref_col]), "{name}");
        assert_eq!(fk.on_delete, FkAction::NoAction, "{name}");
        assert_eq!(fk.on_update, FkAction::NoAction, "{name}");
        assert!(!fk.deferrable && fk.validated);

        // The fixture's index on the FK column, and no other index on the table for it.
        let ifk = format!("I{name}");
        let idx = table(&c, t)
            .index(&ifk)
            .unwrap_or_else(|| panic!("{t}.{ifk} is missing"));
        assert!(!idx.unique);
        assert_eq!(idx.method.as_deref(), Some("BTREE"));
        assert_eq!(idx.keys.len(), 1);
        assert_eq!(idx.keys[0].key, col);
        assert!(!idx.keys[0].descending && !idx.keys[0].expression);
        assert_eq!(idx.keys[0].prefix_length, None);
    }
    // Exactly the IFK_* indexes, and no unique constraints.
    let mut all_indexes: Vec<String> = c
        .tables()
        .flat_map(|(_, t)| t.indexes.iter().map(|i| i.name.clone()))
        .collect();
    all_indexes.sort();
    let mut expected: Vec<String> = fks.iter().map(|f| format!("I{}", f.1)).collect();
    expected.sort();
    assert_eq!(all_indexes, expected);
    assert!(
        c.tables()
            .all(|(_, t)| t.uniques.is_empty() && t.checks.is_empty() && t.triggers.is_empty())
    );

    // Tables and some columns.
    for t in CHINOOK_TABLES {
        let t = table(&c, t);
        assert_eq!(t.engine.as_deref(), Some("InnoDB"));
        assert_eq!(t.charset.as_deref(), Some("utf8mb4"));
        assert_eq!(t.collation.as_deref(), Some("utf8mb4_general_ci"));
        assert_eq!(t.comment, None);
    }
    let track = table(&c, "Track");
    assert_eq!(
        names(&track.columns, |c| &c.name),
        strings(&[
            "TrackId",
            "Name",
            "AlbumId",
            "MediaTypeId",
            "GenreId",
            "Composer",
            "Milliseconds",
            "Bytes",
            "UnitPrice"
        ])
    );
    assert_eq!(
        track.columns.iter().map(|c| c.ordinal).collect::<Vec<_>>(),
        (1..=9).collect::<Vec<u32>>()
    );
    let price = track.column("UnitPrice").unwrap();
    assert_eq!(price.data_type, "decimal(10,2)");
    assert!(!price.nullable);
    assert_eq!(
        price.family,
        TypeFamily::Decimal {
            precision: Some(10),
            scale: Some(2)
        }
    );
    assert_eq!(price.default, None);
    let id = track.column("TrackId").unwrap();
    assert_eq!(id.data_type, "int(11)");
    assert_eq!(id.family, TypeFamily::int(32));
    assert!(!id.nullable);
    assert_eq!(id.identity, None);
    let album_id = track.column("AlbumId").unwrap();
    assert!(album_id.nullable);
    assert_eq!(album_id.default, None);
    // NVARCHAR is varchar in the national character set (utf8mb3), which differs from the table's.
    let name = track.column("Name").unwrap();
    assert_eq!(name.data_type, "varchar(200)");
    assert_eq!(name.family, TypeFamily::text(Some(200)));
    assert!(!name.nullable);
    assert_eq!(name.charset.as_deref(), Some("utf8mb3"));
    assert_eq!(name.collation.as_deref(), Some("utf8mb3_general_ci"));
    let date = table(&c, "Invoice").column("InvoiceDate").unwrap();
    assert_eq!(date.data_type, "datetime");
    assert_eq!(date.family, TypeFamily::Timestamp { tz: false });
    assert!(!date.nullable);
    let birth = table(&c, "Employee").column("BirthDate").unwrap();
    assert!(birth.nullable);
    assert_eq!(birth.family, TypeFamily::Timestamp { tz: false });
    let total = table(&c, "Invoice").column("Total").unwrap();
    assert_eq!(total.data_type, "decimal(10,2)");

    let summary = c.summary();
    assert_eq!(summary.tables, 11);
    assert_eq!(summary.primary_keys, 11);
    assert_eq!(summary.foreign_keys, 11);
    assert_eq!(summary.indexes, 11);
    assert_eq!(summary.columns, 64);
}

#[tokio::test]
async fn chinook_snapshot_round_trip_and_stable_output() {
    let Some(db) = chinook() else { return };
    let first = inspect(&db, &Filter::default()).await;
    let second = inspect(&db, &Filter::default()).await;

    let snap = Snapshot::new(first.clone(), "x".into(), "t".into());
    let json = snap.to_json();
    let back = Snapshot::from_json(&json).expect("read the snapshot back");
    assert_eq!(back.catalog, first);
    assert_eq!(back, snap);
    assert_eq!(back.to_json(), json);

    let json2 = Snapshot::new(second, "x".into(), "t".into()).to_json();
    assert_eq!(
        json, json2,
        "two inspections must serialize to the same bytes"
    );
}

/// A schema that exercises everything the inspector reads.
const RICH: &str = r#"
CREATE TABLE parent (
  id int unsigned NOT NULL AUTO_INCREMENT,
  code varchar(20) NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT uq_parent_code UNIQUE (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='the parents';

CREATE TABLE `Order Items` (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `a``b` int DEFAULT 42,
  `größe` varchar(10) CHARACTER SET latin1 COLLATE latin1_swedish_ci DEFAULT 'it''s',
  status enum('new','paid','it''s') NOT NULL DEFAULT 'new',
  tags set('x','y''z') DEFAULT NULL,
  qty smallint unsigned NOT NULL DEFAULT 1,
  price decimal(10,2) NOT NULL DEFAULT 0.00,
  total decimal(12,2) AS (qty * price) VIRTUAL,
  total_s decimal(12,2) AS (qty * price) STORED COMMENT 'stored total',
  created timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  changed datetime(3) NULL DEFAULT NULL ON UPDATE NOW(3),
  ddate date DEFAULT (curdate() + interval 1 day),
  note text,
  nullable_def varchar(5) DEFAULT NULL,
  literal_null varchar(5) DEFAULT 'NULL',
  path varchar(20) DEFAULT 'C:\\dir',
  empty_s varchar(5) NOT NULL DEFAULT '',
  doc json,
  flag tinyint(1) NOT NULL DEFAULT 0,
  small tinyint(4) DEFAULT -1,
  parent_id int unsigned,
  parent_code varchar(20),
  body text COLLATE utf8mb4_bin,
  price2 double CHECK (price2 >= 0),
  secret varchar(10) INVISIBLE,
  CONSTRAINT chk_qty CHECK (qty > 0),
  KEY idx_prefix (`größe`(5)),
  KEY idx_desc (qty DESC, price),
  KEY idx_commented (created) COMMENT 'by time',
  KEY idx_ignored (price) IGNORED,
  FULLTEXT KEY ft_note (note),
  UNIQUE KEY uk_ab (`a``b`, qty),
  UNIQUE KEY uk_prefix (body(10)),
  CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id)
    ON DELETE CASCADE ON UPDATE SET NULL,
  CONSTRAINT fk_parent_code FOREIGN KEY (parent_code) REFERENCES parent (code)
    ON DELETE SET NULL ON UPDATE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='items';

CREATE TABLE logs (
  id int NOT NULL,
  at date NOT NULL,
  PRIMARY KEY (id, at)
) ENGINE=InnoDB PARTITION BY RANGE (year(at)) (
  PARTITION p0 VALUES LESS THAN (2020),
  PARTITION p1 VALUES LESS THAN MAXVALUE
);

CREATE TABLE history (x int) WITH SYSTEM VERSIONING;

CREATE SEQUENCE seq_orders;

CREATE VIEW v_items AS SELECT id, qty FROM `Order Items` WHERE qty > 0 WITH CASCADED CHECK OPTION;

CREATE SQL SECURITY INVOKER VIEW `v größe` AS
  SELECT `größe`, 'x`y' AS lit FROM `Order Items` WITH LOCAL CHECK OPTION;

CREATE TRIGGER trg_items_bi BEFORE INSERT ON `Order Items`
  FOR EACH ROW SET NEW.qty = GREATEST(NEW.qty, 1);

CREATE TRIGGER trg_items_bi2 BEFORE INSERT ON `Order Items`
  FOR EACH ROW FOLLOWS trg_items_bi SET NEW.note = COALESCE(NEW.note, 'none');

DELIMITER //
CREATE PROCEDURE add_item(IN p_qty int, OUT p_id bigint)
  SQL SECURITY INVOKER
  COMMENT 'adds'
BEGIN
  INSERT INTO `Order Items` (qty) VALUES (p_qty);
  SET p_id = LAST_INSERT_ID();
END//
CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC
BEGIN
  RETURN x * 2;
END//
DELIMITER ;

CREATE EVENT ev_cleanup ON SCHEDULE EVERY 1 DAY DO DELETE FROM `Order Items` WHERE qty = 0;
CREATE EVENT ev_once ON SCHEDULE AT '2037-01-01 00:00:00' DO SET @x = 1;
"#;

fn rich() -> support::MyDb {
    let db = support::mysql_db();
    db.exec(RICH);
    db
}

#[tokio::test]
async fn rich_schema() {
    let db = rich();
    let c = inspect(&db, &Filter::default()).await;
    let s = c.schema(&db.name).expect("the schema");
    assert_eq!(
        names(&s.tables, |t| &t.name),
        strings(&["Order Items", "history", "logs", "parent"])
    );

    // ---- the table
    let t = table(&c, "Order Items");
    assert_eq!(t.engine.as_deref(), Some("InnoDB"));
    assert_eq!(t.charset.as_deref(), Some("utf8mb4"));
    assert_eq!(t.collation.as_deref(), Some("utf8mb4_unicode_ci"));
    assert_eq!(t.comment.as_deref(), Some("items"));
    assert_eq!(
        names(&t.columns, |c| &c.name),
        strings(&[
            "id",
            "a`b",
            "größe",
            "status",
            "tags",
            "qty",
            "price",
            "total",
            "total_s",
            "created",
            "updated",
            "changed",
            "ddate",
            "note",
            "nullable_def",
            "literal_null",
            "path",
            "empty_s",
            "doc",
            "flag",
            "small",
            "parent_id",
            "parent_code",
            "body",
            "price2",
            "secret",
        ])
    );
    let col = |n: &str| t.column(n).unwrap_or_else(|| panic!("column {n}"));

    let id = col("id");
    assert_eq!(id.data_type, "bigint(20)");
    assert_eq!(id.family, TypeFamily::int(64));
    assert_eq!(id.identity, Some(Identity::AutoIncrement));
    assert!(!id.nullable);
    assert_eq!(id.default, None);

    let ab = col("a`b");
    assert_eq!(ab.default.as_deref(), Some("42"));
    assert!(ab.nullable);

    let g = col("größe");
    assert_eq!(g.data_type, "varchar(10)");
    assert_eq!(g.default.as_deref(), Some("'it''s'"));
    assert_eq!(g.charset.as_deref(), Some("latin1"));
    assert_eq!(g.collation.as_deref(), Some("latin1_swedish_ci"));

    let status = col("status");
    assert_eq!(status.data_type, "enum('new','paid','it''s')");
    assert_eq!(
        status.family,
        TypeFamily::Enum {
            type_name: None,
            values: strings(&["new", "paid", "it's"])
        }
    );
    assert_eq!(status.default.as_deref(), Some("'new'"));
    assert!(!status.nullable);
    // Same charset and collation as the table: not repeated.
    assert_eq!(status.charset, None);
    assert_eq!(status.collation, None);

    let tags = col("tags");
    assert_eq!(
        tags.family,
        TypeFamily::Set {
            values: strings(&["x", "y'z"])
        }
    );
    assert_eq!(tags.default, None);

    let qty = col("qty");
    assert_eq!(qty.data_type, "smallint(5) unsigned");
    assert_eq!(
        qty.family,
        TypeFamily::Integer {
            bits: 16,
            unsigned: true
        }
    );
    assert_eq!(qty.default.as_deref(), Some("1"));
    assert_eq!(col("price").default.as_deref(), Some("0.00"));

    assert_eq!(
        col("total").generated,
        Some(Generated {
            expression: "`qty` * `price`".into(),
            stored: false
        })
    );
    assert_eq!(col("total").default, None);
    let total_s = col("total_s");
    assert_eq!(
        total_s.generated,
        Some(Generated {
            expression: "`qty` * `price`".into(),
            stored: true
        })
    );
    assert_eq!(total_s.comment.as_deref(), Some("stored total"));

    let created = col("created");
    assert_eq!(created.family, TypeFamily::Timestamp { tz: true });
    assert_eq!(created.default.as_deref(), Some("current_timestamp()"));
    assert_eq!(created.on_update, None);
    let updated = col("updated");
    assert_eq!(updated.default.as_deref(), Some("current_timestamp()"));
    assert_eq!(updated.on_update.as_deref(), Some("current_timestamp()"));
    let changed = col("changed");
    assert_eq!(changed.family, TypeFamily::Timestamp { tz: false });
    assert_eq!(changed.default, None);
    assert_eq!(changed.on_update.as_deref(), Some("current_timestamp(3)"));
    assert!(changed.nullable);

    assert_eq!(
        col("ddate").default.as_deref(),
        Some("(curdate() + interval 1 day)")
    );
    assert_eq!(col("note").default, None);
    assert_eq!(col("nullable_def").default, None);
    assert_eq!(col("literal_null").default.as_deref(), Some("'NULL'"));
    assert_eq!(col("path").default.as_deref(), Some(r"'C:\\dir'"));
    assert_eq!(col("empty_s").default.as_deref(), Some("''"));

    // MariaDB's JSON: longtext + json_valid() check, family JSON.
    let doc = col("doc");
    assert_eq!(doc.data_type, "longtext");
    assert_eq!(doc.family, TypeFamily::Json { binary: false });
    assert_eq!(doc.collation.as_deref(), Some("utf8mb4_bin"));
    assert_eq!(doc.charset, None);

    assert_eq!(col("flag").family, TypeFamily::Boolean);
    assert_eq!(col("flag").default.as_deref(), Some("0"));
    assert_eq!(col("small").family, TypeFamily::int(8));
    assert_eq!(col("small").default.as_deref(), Some("-1"));
    let body = col("body");
    assert_eq!(body.collation.as_deref(), Some("utf8mb4_bin"));
    assert_eq!(body.charset, None);
    assert_eq!(body.family, TypeFamily::text(Some(65_535)));
    assert_eq!(col("price2").family, TypeFamily::Float { bits: 64 });

    // ---- keys and constraints
    let pk = t.primary_key.as_ref().unwrap();
    assert_eq!(
        (pk.name.as_deref(), pk.columns.clone()),
        (None, strings(&["id"]))
    );
    assert_eq!(names(&t.uniques, |u| &u.name), strings(&["uk_ab"]));
    assert_eq!(t.uniques[0].columns, strings(&["a`b", "qty"]));

    assert_eq!(
        names(&t.checks, |c| &c.name),
        strings(&["chk_qty", "doc", "price2"])
    );
    let check = |n: &str| t.checks.iter().find(|c| c.name == n).unwrap();
    assert_eq!(check("chk_qty").expression, "`qty` > 0");
    assert_eq!(check("price2").expression, "`price2` >= 0");
    assert_eq!(check("doc").expression, "json_valid(`doc`)");

    assert_eq!(
        names(&t.foreign_keys, |f| &f.name),
        strings(&["fk_parent", "fk_parent_code"])
    );
    let fk = t.foreign_key("fk_parent").unwrap();
    assert_eq!(fk.columns, strings(&["parent_id"]));
    assert_eq!(fk.ref_table, QualifiedName::new(&db.name, "parent"));
    assert_eq!(fk.ref_columns, strings(&["id"]));
    assert_eq!(fk.on_delete, FkAction::Cascade);
    assert_eq!(fk.on_update, FkAction::SetNull);
    let fk = t.foreign_key("fk_parent_code").unwrap();
    assert_eq!(fk.ref_columns, strings(&["code"]));
    assert_eq!(fk.on_delete, FkAction::SetNull);
    assert_eq!(fk.on_update, FkAction::Restrict);

    // Indexes: not the PK, not uk_ab (a constraint); the FK indexes MariaDB made are kept; a unique
    // index with a prefix is an index, not a constraint.
    assert_eq!(
        names(&t.indexes, |i| &i.name),
        strings(&[
            "fk_parent",
            "fk_parent_code",
            "ft_note",
            "idx_commented",
            "idx_desc",
            "idx_ignored",
            "idx_prefix",
            "uk_prefix",
        ])
    );
    let idx = |n: &str| t.index(n).unwrap();
    let prefix = idx("idx_prefix");
    assert_eq!(prefix.keys.len(), 1);
    assert_eq!(prefix.keys[0].key, "größe");
    assert_eq!(prefix.keys[0].prefix_length, Some(5));
    assert!(!prefix.unique);
    let desc = idx("idx_desc");
    assert_eq!(
        desc.keys
            .iter()
            .map(|k| (k.key.as_str(), k.descending))
            .collect::<Vec<_>>(),
        vec![("qty", true), ("price", false)]
    );
    assert_eq!(desc.method.as_deref(), Some("BTREE"));
    let ft = idx("ft_note");
    assert_eq!(ft.method.as_deref(), Some("FULLTEXT"));
    assert_eq!(ft.keys[0].key, "note");
    assert_eq!(ft.keys[0].prefix_length, None);
    assert_eq!(idx("idx_commented").comment.as_deref(), Some("by time"));
    let up = idx("uk_prefix");
    assert!(up.unique);
    assert_eq!(up.keys[0].key, "body");
    assert_eq!(up.keys[0].prefix_length, Some(10));
    assert_eq!(idx("fk_parent").keys[0].key, "parent_id");

    // Trigger
    assert_eq!(
        names(&t.triggers, |t| &t.name),
        strings(&["trg_items_bi", "trg_items_bi2"])
    );
    let trg = &t.triggers[0];
    assert_eq!(trg.name, "trg_items_bi");
    assert_eq!(trg.timing, "BEFORE");
    assert_eq!(trg.events, strings(&["INSERT"]));
    assert_eq!(trg.level, "ROW");
    assert_eq!(
        trg.body.as_deref(),
        Some("SET NEW.qty = GREATEST(NEW.qty, 1)")
    );
    assert_eq!(
        trg.definition,
        "CREATE TRIGGER `trg_items_bi` BEFORE INSERT ON `Order Items` FOR EACH ROW \
         SET NEW.qty = GREATEST(NEW.qty, 1)"
    );

    // ---- the other tables
    let parent = table(&c, "parent");
    assert_eq!(parent.comment.as_deref(), Some("the parents"));
    assert_eq!(
        names(&parent.uniques, |u| &u.name),
        strings(&["uq_parent_code"])
    );
    assert_eq!(parent.uniques[0].columns, strings(&["code"]));
    assert!(parent.indexes.is_empty(), "{:?}", parent.indexes);
    assert_eq!(
        parent.column("id").unwrap().family,
        TypeFamily::Integer {
            bits: 32,
            unsigned: true
        }
    );
    assert_eq!(
        table(&c, "logs").primary_key.as_ref().unwrap().columns,
        strings(&["id", "at"])
    );

    // ---- views
    assert_eq!(
        names(&s.views, |v| &v.name),
        strings(&["v größe", "v_items"])
    );
    let v = s.view("v_items").unwrap();
    assert_eq!(
        v.definition,
        "select `Order Items`.`id` AS `id`,`Order Items`.`qty` AS `qty` from `Order Items` \
         where `Order Items`.`qty` > 0"
    );
    assert!(!v.definition.contains(&db.name));
    assert_eq!(v.columns, strings(&["id", "qty"]));
    assert_eq!(v.check_option.as_deref(), Some("CASCADED"));
    assert!(v.options.is_empty());
    let v = s.view("v größe").unwrap();
    assert_eq!(v.columns, strings(&["größe", "lit"]));
    assert_eq!(v.check_option.as_deref(), Some("LOCAL"));
    assert_eq!(v.options, strings(&["sql_security=invoker"]));
    assert!(v.definition.contains("'x`y' AS `lit`"), "{}", v.definition);

    // ---- routines
    assert_eq!(
        names(&s.functions, |f| &f.name),
        strings(&["add_item", "twice"])
    );
    let p = &s.functions[0];
    assert_eq!(p.kind, RoutineKind::Procedure);
    assert_eq!(p.arguments, "IN p_qty int(11), OUT p_id bigint(20)");
    assert_eq!(p.returns, None);
    assert_eq!(p.language, "SQL");
    assert!(!p.security_definer);
    assert_eq!(p.comment.as_deref(), Some("adds"));
    assert_eq!(
        p.definition,
        "CREATE PROCEDURE `add_item`(IN `p_qty` int(11), OUT `p_id` bigint(20))\n    \
         LANGUAGE SQL\n    NOT DETERMINISTIC\n    CONTAINS SQL\n    SQL SECURITY INVOKER\n    \
         COMMENT 'adds'\nBEGIN\n  INSERT INTO `Order Items` (qty) VALUES (p_qty);\n  \
         SET p_id = LAST_INSERT_ID();\nEND"
    );
    let f = &s.functions[1];
    assert_eq!(f.kind, RoutineKind::Function);
    assert_eq!(f.arguments, "x int(11)");
    assert_eq!(f.returns.as_deref(), Some("int(11)"));
    assert!(f.security_definer);
    assert_eq!(f.volatility.as_deref(), Some("DETERMINISTIC"));
    assert!(
        f.definition
            .starts_with("CREATE FUNCTION `twice`(`x` int(11)) RETURNS int(11)\n"),
        "{}",
        f.definition
    );
    assert!(f.definition.ends_with("BEGIN\n  RETURN x * 2;\nEND"));

    // ---- what the model cannot say yet, reported
    let unsupported: Vec<(String, String, Option<String>)> = c
        .unsupported
        .iter()
        .map(|u| (u.kind.clone(), u.name.clone(), u.parent.clone()))
        .collect();
    let own =
        |k: &str, n: &str, p: Option<&str>| (k.to_string(), n.to_string(), p.map(String::from));
    assert_eq!(
        unsupported,
        vec![
            own("event", "ev_cleanup", None),
            own("event", "ev_once", None),
            own("invisible column", "secret", Some("Order Items")),
            own("invisible index", "idx_ignored", Some("Order Items")),
            own("partitioning", "logs", Some("logs")),
            own("sequence", "seq_orders", None),
            own("system versioning", "history", Some("history")),
            own("trigger order", "trg_items_bi2", Some("Order Items")),
        ]
    );
    assert!(
        c.unsupported
            .iter()
            .all(|u| u.schema == db.name && !u.reason.is_empty())
    );
    let ev = c.unsupported.iter().find(|u| u.name == "ev_once").unwrap();
    assert_eq!(
        ev.definition.as_deref(),
        Some(
            "CREATE EVENT `ev_once` ON SCHEDULE AT '2037-01-01 00:00:00' ON COMPLETION NOT \
             PRESERVE ENABLE DO SET @x = 1"
        )
    );
    let ev = c.unsupported.iter().find(|u| u.kind == "event").unwrap();
    assert_eq!(
        ev.definition.as_deref(),
        Some(
            "CREATE EVENT `ev_cleanup` ON SCHEDULE EVERY 1 DAY ON COMPLETION NOT PRESERVE ENABLE \
             DO DELETE FROM `Order Items` WHERE qty = 0"
        )
    );

    // Stable, and it survives a snapshot.
    let again = inspect(&db, &Filter::default()).await;
    let a = Snapshot::new(c.clone(), "x".into(), "t".into()).to_json();
    let b = Snapshot::new(again, "x".into(), "t".into()).to_json();
    assert_eq!(a, b);
    assert_eq!(Snapshot::from_json(&a).unwrap().catalog, c);
}

#[tokio::test]
async fn filters_apply_to_tables_views_and_their_parts() {
    let db = rich();
    let v = |x: &[&str]| strings(x);

    // Include only `Order Items` (bare name) and the views matching v_*.
    let f = Filter::new(&[], &[], &v(&["Order Items", "v_*"]), &[]).unwrap();
    let c = inspect(&db, &f).await;
    let s = c.schema(&db.name).unwrap();
    assert_eq!(names(&s.tables, |t| &t.name), v(&["Order Items"]));
    assert_eq!(names(&s.views, |v| &v.name), v(&["v_items"]));
    let t = table(&c, "Order Items");
    assert_eq!(t.triggers.len(), 2);
    assert_eq!(t.foreign_keys.len(), 2, "FKs to excluded tables are kept");
    // Routines and events are not tables: only the schema filter applies to them.
    assert_eq!(s.functions.len(), 2);
    let kinds: Vec<&str> = c.unsupported.iter().map(|u| u.kind.as_str()).collect();
    assert_eq!(
        kinds,
        vec![
            "event",
            "event",
            "invisible column",
            "invisible index",
            "trigger order"
        ]
    );

    // Exclude by qualified name and by glob.
    let f = Filter::new(
        &[],
        &[],
        &[],
        &[format!("{}.Order Items", db.name), "v*".into(), "h*".into()],
    )
    .unwrap();
    let c = inspect(&db, &f).await;
    let s = c.schema(&db.name).unwrap();
    assert_eq!(names(&s.tables, |t| &t.name), v(&["logs", "parent"]));
    assert!(s.views.is_empty());
    assert!(c.tables().all(|(_, t)| t.triggers.is_empty()));

    // Excluding the schema leaves nothing but the server facts.
    let f = Filter::new(&[], std::slice::from_ref(&db.name), &[], &[]).unwrap();
    let c = inspect(&db, &f).await;
    assert!(c.schemas.is_empty());
    assert!(c.unsupported.is_empty());
    assert_eq!(c.database, db.name);
    assert_eq!(c.default_schema, db.name);

    // Chinook: include two tables, with their indexes and foreign keys.
    let Some(db) = chinook() else { return };
    let f = Filter::new(&[], &[], &v(&["Album", "Track"]), &[]).unwrap();
    let c = inspect(&db, &f).await;
    assert_eq!(
        c.tables().map(|(_, t)| t.name.clone()).collect::<Vec<_>>(),
        v(&["Album", "Track"])
    );
    assert_eq!(table(&c, "Track").foreign_keys.len(), 3);
    assert_eq!(table(&c, "Track").indexes.len(), 3);
    let f = Filter::new(&[], &[], &[], &v(&["Invoice*", "Playlist*"])).unwrap();
    let c = inspect(&db, &f).await;
    assert_eq!(
        c.tables().map(|(_, t)| t.name.clone()).collect::<Vec<_>>(),
        v(&[
            "Album",
            "Artist",
            "Customer",
            "Employee",
            "Genre",
            "MediaType",
            "Track"
        ])
    );
}

#[tokio::test]
async fn read_only_connections_cannot_write() {
    let db = support::mysql_db();
    db.exec("CREATE TABLE t (id int)");
    let conn = connect(&db).await;
    let Db::My(pool) = &conn else {
        panic!("not a MySQL pool")
    };
    let err = sqlx::query("INSERT INTO t VALUES (1)")
        .execute(pool)
        .await
        .expect_err("a read-only session refuses writes");
    assert!(
        err.to_string().to_lowercase().contains("read only"),
        "{err}"
    );
    conn.close().await;
    assert_eq!(db.query("SELECT count(*) FROM t"), "0");
}
