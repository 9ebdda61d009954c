//! PostgreSQL introspection against a real server: exact facts, asserted by name.

mod support;

use sluice::dialect::{Access, DbUrl};
use sluice::model::Filter;
use sluice::model::{
    Catalog, ColumnRef, FkAction, Identity, QualifiedName, RoutineKind, Schema, Snapshot, Table,
    TypeFamily,
};

async fn inspect_with(url: &str, filter: &Filter) -> Catalog {
    let db = DbUrl::parse(url)
        .expect("url")
        .connect(Access::ReadOnly)
        .await
        .expect("connect");
    let cat = sluice::dialect::inspect(&db, filter)
        .await
        .expect("inspect");
    db.close().await;
    cat
}

async fn inspect(url: &str) -> Catalog {
    inspect_with(url, &Filter::default()).await
}

fn schema<'a>(cat: &'a Catalog, name: &str) -> &'a Schema {
    cat.schema(name)
        .unwrap_or_else(|| panic!("schema {name} missing"))
}

fn table<'a>(cat: &'a Catalog, s: &str, t: &str) -> &'a Table {
    cat.table(s, t)
        .unwrap_or_else(|| panic!("table {s}.{t} missing"))
}

fn names<T>(items: &[T], f: impl Fn(&T) -> &str) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(|x| f(x).to_string()).collect();
    v.sort();
    v
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn roundtrip(cat: &Catalog) {
    let snap = Snapshot::new(cat.clone(), "test".into(), "2026-01-01T00:00:00Z".into());
    let json = snap.to_json();
    let back = Snapshot::from_json(&json).expect("snapshot parses");
    assert_eq!(
        &back.catalog, cat,
        "snapshot round trip changed the catalog"
    );
    assert_eq!(back.to_json(), json, "snapshot JSON is not stable");
}

#[tokio::test]
async fn chinook_postgres_exact_facts() {
    let Some(file) = support::fixture("chinook/postgres.sql") else {
        return;
    };
    let db = support::pg_db();
    db.load(&file);
    let cat = inspect(&db.url()).await;
    assert_eq!(cat.dialect, Some(sluice::model::Dialect::Postgres));
    assert_eq!(cat.default_schema, "public");
    let public = schema(&cat, "public");
    assert_eq!(
        names(&public.tables, |t| &t.name),
        strs(&[
            "album",
            "artist",
            "customer",
            "employee",
            "genre",
            "invoice",
            "invoice_line",
            "media_type",
            "playlist",
            "playlist_track",
            "track"
        ])
    );
    // Every primary key.
    let pks = [
        ("album", "album_pkey", vec!["album_id"]),
        ("artist", "artist_pkey", vec!["artist_id"]),
        ("customer", "customer_pkey", vec!["customer_id"]),
        ("employee", "employee_pkey", vec!["employee_id"]),
        ("genre", "genre_pkey", vec!["genre_id"]),
        ("invoice", "invoice_pkey", vec!["invoice_id"]),
        ("invoice_line", "invoice_line_pkey", vec!["invoice_line_id"]),
        ("media_type", "media_type_pkey", vec!["media_type_id"]),
        ("playlist", "playlist_pkey", vec!["playlist_id"]),
        (
            "playlist_track",
            "playlist_track_pkey",
            vec!["playlist_id", "track_id"],
        ),
        ("track", "track_pkey", vec!["track_id"]),
    ];
    for (t, name, cols) in pks {
        let pk = table(&cat, "public", t).primary_key.as_ref().expect("pk");
        assert_eq!(pk.name.as_deref(), Some(name), "{t}");
        assert_eq!(pk.columns, strs(&cols), "{t}");
    }
    // Every foreign key, with its actions.
    let fks = [
        (
            "album",
            "album_artist_id_fkey",
            "artist_id",
            "artist",
            "artist_id",
        ),
        (
            "customer",
            "customer_support_rep_id_fkey",
            "support_rep_id",
            "employee",
            "employee_id",
        ),
        (
            "employee",
            "employee_reports_to_fkey",
            "reports_to",
            "employee",
            "employee_id",
        ),
        (
            "invoice",
            "invoice_customer_id_fkey",
            "customer_id",
            "customer",
            "customer_id",
        ),
        (
            "invoice_line",
            "invoice_line_invoice_id_fkey",
            "invoice_id",
            "invoice",
            "invoice_id",
        ),
        (
            "invoice_line",
            "invoice_line_track_id_fkey",
            "track_id",
            "track",
            "track_id",
        ),
        (
            "playlist_track",
            "playlist_track_playlist_id_fkey",
            "playlist_id",
            "playlist",
            "playlist_id",
        ),
        (
            "playlist_track",
            "playlist_track_track_id_fkey",
            "track_id",
            "track",
            "track_id",
        ),
        (
            "track",
            "track_album_id_fkey",
            "album_id",
            "album",
            "album_id",
        ),
        (
            "track",
            "track_genre_id_fkey",
            "genre_id",
            "genre",
            "genre_id",
        ),
        (
            "track",
            "track_media_type_id_fkey",
            "media_type_id",
            "media_type",
            "media_type_id",
        ),
    ];
    let total_fks: usize = public.tables.iter().map(|t| t.foreign_keys.len()).sum();
    assert_eq!(total_fks, fks.len());
    for (t, name, col, rt, rc) in fks {
        let fk = table(&cat, "public", t)
            .foreign_key(name)
            .unwrap_or_else(|| panic!("fk {name}"));
        assert_eq!(fk.columns, strs(&[col]));
        assert_eq!(fk.ref_table, QualifiedName::new("public", rt));
        assert_eq!(fk.ref_columns, strs(&[rc]));
        assert_eq!(fk.on_delete, FkAction::NoAction);
        assert_eq!(fk.on_update, FkAction::NoAction);
        assert!(!fk.deferrable);
    }
    // Every index.
    let idx = [
        ("album", "album_artist_id_idx", "artist_id"),
        ("customer", "customer_support_rep_id_idx", "support_rep_id"),
        ("employee", "employee_reports_to_idx", "reports_to"),
        ("invoice", "invoice_customer_id_idx", "customer_id"),
        ("invoice_line", "invoice_line_invoice_id_idx", "invoice_id"),
        ("invoice_line", "invoice_line_track_id_idx", "track_id"),
        (
            "playlist_track",
            "playlist_track_playlist_id_idx",
            "playlist_id",
        ),
        ("playlist_track", "playlist_track_track_id_idx", "track_id"),
        ("track", "track_album_id_idx", "album_id"),
        ("track", "track_genre_id_idx", "genre_id"),
        ("track", "track_media_type_id_idx", "media_type_id"),
    ];
    let total_idx: usize = public.tables.iter().map(|t| t.indexes.len()).sum();
    assert_eq!(
        total_idx,
        idx.len(),
        "indexes backing primary keys are not listed as indexes"
    );
    for (t, name, col) in idx {
        let i = table(&cat, "public", t)
            .index(name)
            .unwrap_or_else(|| panic!("index {name}"));
        assert!(!i.unique);
        assert_eq!(i.method.as_deref(), Some("btree"));
        assert_eq!(i.keys.len(), 1);
        assert_eq!(i.keys[0].key, col);
        assert!(!i.keys[0].expression && !i.keys[0].descending);
    }
    // Column facts.
    let track = table(&cat, "public", "track");
    let price = track.column("unit_price").expect("unit_price");
    assert_eq!(price.data_type, "numeric(10,2)");
    assert_eq!(
        price.family,
        TypeFamily::Decimal {
            precision: Some(10),
            scale: Some(2)
        }
    );
    assert!(!price.nullable);
    let name = track.column("name").expect("name");
    assert_eq!(name.family, TypeFamily::text(Some(200)));
    assert_eq!(name.ordinal, 2);
    let composer = track.column("composer").expect("composer");
    assert!(composer.nullable);
    let birth = table(&cat, "public", "employee")
        .column("birth_date")
        .expect("birth_date");
    assert_eq!(birth.family, TypeFamily::Timestamp { tz: false });
    assert!(cat.unsupported.is_empty(), "{:?}", cat.unsupported);
    roundtrip(&cat);
}

#[tokio::test]
async fn pagila_exact_facts() {
    let Some(file) = support::fixture("pagila/schema.sql") else {
        return;
    };
    let db = support::pg_db();
    db.load(&file);
    let cat = inspect(&db.url()).await;
    let public = schema(&cat, "public");

    // Partitions of payment with their bounds.
    let payment = table(&cat, "public", "payment");
    assert_eq!(
        payment.partition_key.as_deref(),
        Some("RANGE (payment_date)")
    );
    assert_eq!(
        payment.primary_key.as_ref().map(|p| p.columns.clone()),
        Some(strs(&["payment_date", "payment_id"]))
    );
    let mut parts: Vec<(&str, &str)> = public
        .tables
        .iter()
        .filter_map(|t| {
            t.partition_of.as_ref().map(|p| {
                assert_eq!(p.parent, QualifiedName::new("public", "payment"));
                (t.name.as_str(), p.bound.as_str())
            })
        })
        .collect();
    parts.sort();
    let expected: Vec<(String, String)> = [
        ("01", "2022-01-01 00:00:00+00", "2022-02-01 00:00:00+00"),
        ("02", "2022-02-01 00:00:00+00", "2022-03-01 00:00:00+00"),
        ("03", "2022-03-01 00:00:00+00", "2022-04-01 00:00:00+00"),
        ("04", "2022-04-01 00:00:00+00", "2022-05-01 00:00:00+00"),
        ("05", "2022-05-01 00:00:00+00", "2022-06-01 00:00:00+00"),
        ("06", "2022-06-01 00:00:00+00", "2022-07-01 00:00:00+00"),
        ("07", "2022-07-01 00:00:00+00", "2022-08-01 00:00:00+00"),
    ]
    .iter()
    .map(|(m, from, to)| {
        (
            format!("payment_p2022_{m}"),
            format!("FOR VALUES FROM ('{from}') TO ('{to}')"),
        )
    })
    .collect();
    let got: Vec<(String, String)> = parts
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, expected);
    // A partition's FKs are its own; the inherited primary key is not repeated on it.
    let p1 = table(&cat, "public", "payment_p2022_01");
    assert!(p1.primary_key.is_none());
    assert_eq!(
        names(&p1.foreign_keys, |f| &f.name),
        strs(&[
            "payment_p2022_01_customer_id_fkey",
            "payment_p2022_01_rental_id_fkey",
            "payment_p2022_01_staff_id_fkey"
        ])
    );
    assert_eq!(
        names(&p1.indexes, |i| &i.name),
        strs(&[
            "idx_fk_payment_p2022_01_customer_id",
            "idx_fk_payment_p2022_01_staff_id",
            "payment_p2022_01_customer_id_idx"
        ])
    );

    // The enum with its labels, in order.
    assert_eq!(public.enums.len(), 1);
    assert_eq!(public.enums[0].name, "mpaa_rating");
    assert_eq!(
        public.enums[0].labels,
        strs(&["G", "PG", "PG-13", "R", "NC-17"])
    );
    let rating = table(&cat, "public", "film")
        .column("rating")
        .expect("rating");
    assert_eq!(rating.data_type, "public.mpaa_rating");
    assert!(
        matches!(&rating.family, TypeFamily::Enum { type_name: Some(n), values } if n == "public.mpaa_rating" && values.len() == 5)
    );

    // Both domains, one with a non-ASCII name.
    assert_eq!(
        names(&public.domains, |d| &d.name),
        strs(&["bıgınt", "year"])
    );
    let year = public
        .domains
        .iter()
        .find(|d| d.name == "year")
        .expect("year");
    assert_eq!(year.base_type, "integer");
    assert_eq!(year.checks.len(), 1);
    assert_eq!(year.checks[0].name, "year_check");
    assert_eq!(
        year.checks[0].expression,
        "(VALUE >= 1901) AND (VALUE <= 2155)"
    );
    let big = public
        .domains
        .iter()
        .find(|d| d.name == "bıgınt")
        .expect("bıgınt");
    assert_eq!(big.base_type, "bigint");
    let release = table(&cat, "public", "film")
        .column("release_year")
        .expect("release_year");
    assert_eq!(release.data_type, "public.year");
    assert_eq!(
        release.family,
        TypeFamily::int(32),
        "a domain column has its base type's family"
    );

    // Sequences, and the columns that draw from them.
    let seqs = [
        ("actor_actor_id_seq", "actor", "actor_id"),
        ("address_address_id_seq", "address", "address_id"),
        ("category_category_id_seq", "category", "category_id"),
        ("city_city_id_seq", "city", "city_id"),
        ("country_country_id_seq", "country", "country_id"),
        ("customer_customer_id_seq", "customer", "customer_id"),
        ("film_film_id_seq", "film", "film_id"),
        ("inventory_inventory_id_seq", "inventory", "inventory_id"),
        ("language_language_id_seq", "language", "language_id"),
        ("payment_payment_id_seq", "payment", "payment_id"),
        ("rental_rental_id_seq", "rental", "rental_id"),
        ("staff_staff_id_seq", "staff", "staff_id"),
        ("store_store_id_seq", "store", "store_id"),
    ];
    assert_eq!(public.sequences.len(), 13);
    for (seq, t, c) in seqs {
        let s = public
            .sequences
            .iter()
            .find(|s| s.name == seq)
            .unwrap_or_else(|| panic!("sequence {seq}"));
        assert_eq!(s.options.data_type, "bigint");
        assert_eq!(s.options.start, 1);
        assert_eq!(s.options.increment, 1);
        assert!(
            s.used_by.contains(&ColumnRef {
                schema: "public".into(),
                table: t.into(),
                column: c.into()
            }),
            "{seq} used by {t}.{c}: {:?}",
            s.used_by
        );
        let col = table(&cat, "public", t).column(c).expect("column");
        assert_eq!(
            col.default.as_deref(),
            Some(format!("nextval('public.{seq}'::regclass)").as_str())
        );
    }

    // The 7 views and the materialized view.
    let views: Vec<&str> = public
        .views
        .iter()
        .filter(|v| !v.materialized)
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(
        views,
        [
            "actor_info",
            "customer_list",
            "film_list",
            "nicer_but_slower_film_list",
            "sales_by_film_category",
            "sales_by_store",
            "staff_list"
        ]
    );
    let mv = public.view("rental_by_category").expect("matview");
    assert!(mv.materialized);
    assert_eq!(mv.columns, strs(&["category", "total_sales"]));
    assert_eq!(names(&mv.indexes, |i| &i.name), strs(&["rental_category"]));
    assert!(mv.indexes[0].unique);
    let actor_info = public.view("actor_info").expect("actor_info");
    assert!(actor_info.definition.contains("public.actor"));
    let deps: Vec<String> = actor_info
        .depends_on
        .iter()
        .map(|d| format!("{}.{}", d.schema, d.name))
        .collect();
    for t in [
        "public.actor",
        "public.film_actor",
        "public.film_category",
        "public.category",
        "public.film",
    ] {
        assert!(
            deps.contains(&t.to_string()),
            "actor_info depends on {t}: {deps:?}"
        );
    }
    assert!(
        deps.contains(&"public.group_concat".to_string()),
        "{deps:?}"
    );

    // Functions and the aggregate (supported, with a CREATE AGGREGATE of its own).
    let funcs: Vec<&str> = public
        .functions
        .iter()
        .filter(|f| f.kind == RoutineKind::Function)
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        funcs,
        [
            "_group_concat",
            "film_in_stock",
            "film_not_in_stock",
            "get_customer_balance",
            "inventory_held_by_customer",
            "inventory_in_stock",
            "last_day",
            "last_updated",
            "rewards_report"
        ]
    );
    let agg = public
        .functions
        .iter()
        .find(|f| f.kind == RoutineKind::Aggregate)
        .expect("aggregate");
    assert_eq!(agg.name, "group_concat");
    assert_eq!(agg.arguments, "text");
    assert_eq!(
        agg.definition,
        "CREATE AGGREGATE public.group_concat(text) (SFUNC = public._group_concat, STYPE = text)"
    );
    let balance = public
        .functions
        .iter()
        .find(|f| f.name == "get_customer_balance")
        .expect("get_customer_balance");
    assert_eq!(balance.language, "plpgsql");
    assert_eq!(balance.returns.as_deref(), Some("numeric"));
    assert!(
        balance
            .definition
            .starts_with("CREATE OR REPLACE FUNCTION public.get_customer_balance(")
    );

    // The 15 triggers.
    let mut trig: Vec<String> = public
        .tables
        .iter()
        .flat_map(|t| {
            t.triggers
                .iter()
                .map(move |g| format!("{}.{}", t.name, g.name))
        })
        .collect();
    trig.sort();
    let mut expected: Vec<String> = [
        "actor",
        "address",
        "category",
        "city",
        "country",
        "customer",
        "film",
        "film_actor",
        "film_category",
        "inventory",
        "language",
        "rental",
        "staff",
        "store",
    ]
    .iter()
    .map(|t| format!("{t}.last_updated"))
    .collect();
    expected.push("film.film_fulltext_trigger".into());
    expected.sort();
    assert_eq!(trig, expected);
    let ft = table(&cat, "public", "film")
        .trigger("film_fulltext_trigger")
        .expect("film_fulltext_trigger");
    assert_eq!(ft.timing, "BEFORE");
    assert_eq!(ft.events, strs(&["INSERT", "UPDATE"]));
    assert_eq!(ft.level, "ROW");
    assert_eq!(
        ft.function,
        Some(QualifiedName::new("pg_catalog", "tsvector_update_trigger"))
    );

    // Full-text and array columns, the GiST index.
    let film = table(&cat, "public", "film");
    assert_eq!(
        film.column("fulltext").map(|c| c.family.clone()),
        Some(TypeFamily::other("tsvector"))
    );
    assert_eq!(
        film.column("special_features").map(|c| c.family.clone()),
        Some(TypeFamily::Array {
            element: Box::new(TypeFamily::text(None))
        })
    );
    assert_eq!(
        film.index("film_fulltext_idx")
            .and_then(|i| i.method.clone()),
        Some("gist".into())
    );
    let rental = table(&cat, "public", "rental");
    let uniq = rental
        .index("idx_unq_rental_rental_date_inventory_id_customer_id")
        .expect("unique index");
    assert!(uniq.unique);
    assert_eq!(
        uniq.keys.iter().map(|k| k.key.as_str()).collect::<Vec<_>>(),
        ["rental_date", "inventory_id", "customer_id"]
    );
    let fk = table(&cat, "public", "address")
        .foreign_key("address_city_id_fkey")
        .expect("fk");
    assert_eq!(fk.on_update, FkAction::Cascade);
    assert_eq!(fk.on_delete, FkAction::Restrict);
    roundtrip(&cat);
}

const FEATURES: &str = r#"
CREATE SCHEMA sales;
CREATE SCHEMA "Ünïcode Schema";
CREATE TYPE sales.address AS (street text, zip varchar(10));
CREATE TABLE sales.region (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE public."Order Items" (
    "select" bigint GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 5) PRIMARY KEY,
    "Größe" numeric(8,3) DEFAULT 1.5 CHECK ("Größe" > 0),
    qty int NOT NULL DEFAULT 1,
    price numeric(10,2) NOT NULL,
    total numeric(12,2) GENERATED ALWAYS AS (qty * price) STORED,
    label text COLLATE "C",
    region_id int REFERENCES sales.region (id) ON DELETE SET NULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED,
    code text,
    ship_to sales.address,
    CONSTRAINT code_unique UNIQUE NULLS NOT DISTINCT (code)
);
COMMENT ON TABLE public."Order Items" IS 'line items';
COMMENT ON COLUMN public."Order Items".qty IS 'how many';
ALTER TABLE public."Order Items" ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;
CREATE TABLE public.by_default (id int GENERATED BY DEFAULT AS IDENTITY, s serial, note text);
CREATE INDEX items_expr ON public."Order Items" (lower(label) DESC NULLS LAST, qty) INCLUDE (price) WHERE qty > 1;
CREATE TABLE public.docs (id int PRIMARY KEY, owner text NOT NULL, body text);
ALTER TABLE public.docs ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.docs FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_only ON public.docs FOR SELECT TO PUBLIC USING (owner = current_user);
CREATE POLICY no_empty ON public.docs AS RESTRICTIVE FOR INSERT WITH CHECK (body <> '');
CREATE TABLE public.parent (id int, note text);
CREATE TABLE public.child (extra int) INHERITS (public.parent);
CREATE VIEW public.expensive AS SELECT "select", price FROM public."Order Items" WHERE price > 100 WITH LOCAL CHECK OPTION;
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER touch_qty BEFORE UPDATE OF qty, price ON public."Order Items" FOR EACH ROW WHEN (OLD.qty IS DISTINCT FROM NEW.qty) EXECUTE FUNCTION public.touch();
CREATE FUNCTION public.instead() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER view_ins INSTEAD OF INSERT ON public.expensive FOR EACH ROW EXECUTE FUNCTION public.instead();
ALTER TABLE public.docs DISABLE TRIGGER ALL;
CREATE PROCEDURE sales.noop(a int) LANGUAGE sql AS $$ SELECT 1 $$;
CREATE TABLE "Ünïcode Schema"."Tablé" (id int PRIMARY KEY, parent_id int REFERENCES "Ünïcode Schema"."Tablé" (id));
CREATE TABLE sales.booking (room int, during tsrange, EXCLUDE USING gist (room WITH =, during WITH &&));
CREATE RULE no_delete AS ON DELETE TO sales.region DO INSTEAD NOTHING;
CREATE UNLOGGED TABLE public.scratch (x int);
CREATE EXTENSION IF NOT EXISTS btree_gist;
"#;

#[tokio::test]
async fn postgres_feature_schema() {
    let db = support::pg_db();
    // btree_gist is needed for the exclusion constraint; create it first.
    db.exec("CREATE EXTENSION btree_gist");
    db.exec(&FEATURES.replace("CREATE EXTENSION IF NOT EXISTS btree_gist;", ""));
    let cat = inspect(&db.url()).await;

    assert_eq!(
        names(&cat.schemas, |s| &s.name),
        strs(&["public", "sales", "Ünïcode Schema"])
    );
    let items = table(&cat, "public", "Order Items");
    assert_eq!(items.comment.as_deref(), Some("line items"));
    let sel = items.column("select").expect("select");
    assert_eq!(sel.family, TypeFamily::int(64));
    match &sel.identity {
        Some(Identity::Always { sequence: Some(s) }) => {
            assert_eq!(s.start, 100);
            assert_eq!(s.increment, 5);
            assert_eq!(s.data_type, "bigint");
        }
        other => panic!("identity: {other:?}"),
    }
    let size = items.column("Größe").expect("Größe");
    assert_eq!(size.default.as_deref(), Some("1.5"));
    assert_eq!(
        size.family,
        TypeFamily::Decimal {
            precision: Some(8),
            scale: Some(3)
        }
    );
    let total = items.column("total").expect("total");
    let generated = total.generated.as_ref().expect("generated");
    assert!(generated.stored);
    assert_eq!(generated.expression, "((qty)::numeric * price)");
    assert!(total.default.is_none());
    assert_eq!(
        items.column("label").and_then(|c| c.collation.clone()),
        Some("\"C\"".into())
    );
    assert_eq!(
        items.column("qty").and_then(|c| c.comment.clone()),
        Some("how many".into())
    );
    assert_eq!(
        items.column("ship_to").map(|c| c.data_type.clone()),
        Some("sales.address".into())
    );
    let fk = &items.foreign_keys[0];
    assert_eq!(fk.ref_table, QualifiedName::new("sales", "region"));
    assert_eq!(fk.on_delete, FkAction::SetNull);
    assert_eq!(fk.on_update, FkAction::Cascade);
    assert!(fk.deferrable && fk.initially_deferred);
    let u = &items.uniques[0];
    assert_eq!(u.name, "code_unique");
    assert!(u.nulls_not_distinct);
    let qty_check = items
        .checks
        .iter()
        .find(|c| c.name == "qty_positive")
        .expect("check");
    assert_eq!(qty_check.expression, "qty > 0");
    assert!(!qty_check.validated);
    let size_check = items
        .checks
        .iter()
        .find(|c| c.name == "Order Items_Größe_check")
        .expect("column check");
    assert_eq!(size_check.expression, "\"Größe\" > (0)::numeric");
    assert!(size_check.validated);
    let ix = items.index("items_expr").expect("items_expr");
    assert_eq!(ix.keys.len(), 2);
    assert!(ix.keys[0].expression && ix.keys[0].descending);
    assert_eq!(ix.keys[0].key, "lower(label)");
    assert_eq!(ix.keys[0].nulls_first, Some(false));
    assert!(!ix.keys[1].expression);
    assert_eq!(ix.include, strs(&["price"]));
    assert_eq!(ix.predicate.as_deref(), Some("(qty > 1)"));
    let tr = items.trigger("touch_qty").expect("touch_qty");
    assert_eq!(tr.events, strs(&["UPDATE OF qty, price"]));
    assert_eq!(tr.when.as_deref(), Some("old.qty IS DISTINCT FROM new.qty"));

    let bd = table(&cat, "public", "by_default");
    assert!(matches!(
        bd.column("id").and_then(|c| c.identity.clone()),
        Some(Identity::ByDefault { .. })
    ));
    let s = bd.column("s").expect("serial");
    assert_eq!(
        s.owned_sequence,
        Some(QualifiedName::new("public", "by_default_s_seq"))
    );
    let public = schema(&cat, "public");
    let seq = public
        .sequences
        .iter()
        .find(|q| q.name == "by_default_s_seq")
        .expect("serial sequence");
    assert_eq!(
        seq.owned_by,
        Some(ColumnRef {
            schema: "public".into(),
            table: "by_default".into(),
            column: "s".into()
        })
    );
    assert!(
        public
            .sequences
            .iter()
            .all(|q| !q.name.contains("Order Items")),
        "identity sequences belong to their column, not the sequence list"
    );

    let docs = table(&cat, "public", "docs");
    assert!(docs.rls_enabled && docs.rls_forced);
    assert_eq!(
        names(&docs.policies, |p| &p.name),
        strs(&["no_empty", "owner_only"])
    );
    let owner_only = docs
        .policies
        .iter()
        .find(|p| p.name == "owner_only")
        .expect("policy");
    assert_eq!(owner_only.command, "SELECT");
    assert!(owner_only.permissive);
    assert_eq!(owner_only.roles, strs(&["public"]));
    assert_eq!(owner_only.using.as_deref(), Some("(owner = CURRENT_USER)"));
    let no_empty = docs
        .policies
        .iter()
        .find(|p| p.name == "no_empty")
        .expect("policy");
    assert!(!no_empty.permissive);
    assert_eq!(no_empty.command, "INSERT");
    assert!(no_empty.with_check.is_some());

    let child = table(&cat, "public", "child");
    assert_eq!(child.inherits, vec![QualifiedName::new("public", "parent")]);
    assert!(table(&cat, "public", "scratch").unlogged);

    let view = public.view("expensive").expect("view");
    assert_eq!(view.check_option.as_deref(), Some("LOCAL"));
    assert_eq!(view.columns, strs(&["select", "price"]));
    assert_eq!(view.triggers.len(), 1);
    assert_eq!(view.triggers[0].timing, "INSTEAD OF");

    let sales = schema(&cat, "sales");
    assert_eq!(sales.composite_types.len(), 1);
    assert_eq!(
        sales.composite_types[0].attributes,
        vec![
            ("street".to_string(), "text".to_string()),
            ("zip".to_string(), "character varying(10)".to_string())
        ]
    );
    let noop = sales
        .functions
        .iter()
        .find(|f| f.name == "noop")
        .expect("procedure");
    assert_eq!(noop.kind, RoutineKind::Procedure);
    assert_eq!(noop.returns, None);
    let uni = table(&cat, "Ünïcode Schema", "Tablé");
    assert_eq!(
        uni.foreign_keys[0].ref_table,
        QualifiedName::new("Ünïcode Schema", "Tablé")
    );
    // Objects we cannot describe are reported, not dropped.
    let unsupported: Vec<(String, String)> = cat
        .unsupported
        .iter()
        .map(|u| (u.kind.clone(), u.name.clone()))
        .collect();
    assert!(
        unsupported.contains(&("rule".into(), "no_delete".into())),
        "{unsupported:?}"
    );
    assert!(
        unsupported.contains(&(
            "exclusion constraint".into(),
            "booking_room_during_excl".into()
        )),
        "{unsupported:?}"
    );
    // Extension objects are not ours to list.
    assert!(cat.extensions.iter().any(|e| e.name == "btree_gist"));
    assert!(public.functions.iter().all(|f| !f.name.starts_with("gbt_")));
    roundtrip(&cat);

    // Inspecting again gives the same bytes.
    let again = inspect(&db.url()).await;
    assert_eq!(
        Snapshot::new(again, "x".into(), "t".into()).to_json(),
        Snapshot::new(cat, "x".into(), "t".into()).to_json()
    );
}

#[tokio::test]
async fn postgres_filters_include_and_exclude() {
    let db = support::pg_db();
    db.exec(
        "CREATE SCHEMA audit; CREATE TABLE audit.log (id int); \
         CREATE TABLE public.orders (id int PRIMARY KEY); CREATE TABLE public.orders_old (id int); \
         CREATE TABLE public.customers (id int); CREATE VIEW public.order_ids AS SELECT id FROM public.orders;",
    );
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let f = Filter::new(&[], &s(&["audit"]), &s(&["order*"]), &s(&["*_old"])).expect("filter");
    let cat = inspect_with(&db.url(), &f).await;
    assert!(cat.schema("audit").is_none());
    let public = schema(&cat, "public");
    assert_eq!(names(&public.tables, |t| &t.name), strs(&["orders"]));
    assert_eq!(names(&public.views, |v| &v.name), strs(&["order_ids"]));
}
