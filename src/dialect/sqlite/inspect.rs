//! SQLite 3.35+ introspection.
//!
//! One query per object kind (`queries/*.sql`): `sqlite_schema` joined with the table-valued pragma
//! functions gives columns, indexes and foreign keys of every table at once, all inside one read
//! transaction so that they describe the same moment. What the pragmas do not tell (constraint
//! names, CHECK expressions, collations, generated expressions, deferrability, partial-index
//! predicates, trigger parts) is read from the stored `CREATE` statements by [`super::parse`].
//!
//! Decisions, so that two catalogs compare the way a person expects:
//! - A rowid alias (`INTEGER PRIMARY KEY` of a rowid table) is `nullable = false`: the pragma says
//!   `notnull = 0`, but SQLite never stores NULL there. Other primary-key columns of rowid tables
//!   record what the pragma says (legacy SQLite accepts NULLs in them); WITHOUT ROWID tables
//!   enforce NOT NULL on their key and the pragma says so.
//! - Only `AUTOINCREMENT` is an identity; a bare rowid alias has none.
//! - Unnamed constraints get stable generated names: `<table>_<cols>_key` (UNIQUE),
//!   `<table>_<cols>_fkey` (foreign keys), `<table>_check_<n>` (CHECK, `n` counting the unnamed
//!   checks in order of appearance). A name used twice in one table gets `_2`, `_3`, … in order of
//!   declaration.
//! - Collations are recorded unless they are `BINARY`, SQLite's default.
//! - A foreign key's parent table and columns are given with the parent's own spelling when the
//!   parent exists (SQLite matches them case-insensitively); implicit parent columns are resolved
//!   to the parent's primary key.
//! - UNIQUE constraints are `uniques`, never `indexes`; their `sqlite_autoindex_*` indexes are not
//!   listed.
//! - Virtual tables (FTS5, R*Tree, …) are `unsupported`; their shadow tables are named in that
//!   entry and not reported as tables. A statement the parser cannot read is reported as
//!   `unsupported` too, next to what the pragmas could still tell.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use sqlx::Row;
use sqlx::sqlite::{SqliteConnection, SqlitePool, SqliteRow};

use super::parse::{self, CreateTable};
use super::types::family;
use crate::error::Result;
use crate::model::{
    Catalog, CheckConstraint, Column, Dialect, Filter, FkAction, ForeignKey, Generated, Identity,
    Index, IndexKey, PrimaryKey, QualifiedName, Schema, Table, Trigger, UniqueConstraint,
    Unsupported, View,
};

const SCHEMA: &str = "main";

mod q {
    pub const META: &str = include_str!("queries/meta.sql");
    pub const OBJECTS: &str = include_str!("queries/objects.sql");
    pub const TABLE_LIST: &str = include_str!("queries/table_list.sql");
    pub const COLUMNS: &str = include_str!("queries/columns.sql");
    pub const VIEW_COLUMNS: &str = include_str!("queries/view_columns.sql");
    pub const VIEW_COLUMNS_ONE: &str = include_str!("queries/view_columns_one.sql");
    pub const INDEXES: &str = include_str!("queries/indexes.sql");
    pub const FOREIGN_KEYS: &str = include_str!("queries/foreign_keys.sql");
}

/// Shadow-table suffixes of the virtual-table modules SQLite ships, for libraries older than 3.37
/// (no `pragma_table_list` to ask).
const SHADOW_SUFFIXES: &[&str] = &[
    "data", "idx", "content", "docsize", "config", "segments", "segdir", "stat", "node", "parent",
    "rowid",
];

/// Reads the catalog of the `main` database.
pub async fn inspect(pool: &SqlitePool, filter: &Filter) -> Result<Catalog> {
    let mut tx = pool
        .begin()
        .await
        .map_err(|e| crate::dialect::error::db("sqlite: starting a read transaction", e))?;
    let raw = read(&mut tx).await;
    // Nothing was written; ending the transaction cannot lose anything.
    tx.rollback().await.ok();
    let mut catalog = build(raw?, filter);
    catalog.normalize_order();
    Ok(catalog)
}

// ------------------------------------------------------------------------------------ reading

struct ObjectRow {
    kind: String,
    name: String,
    tbl_name: String,
    rootpage: i64,
    sql: Option<String>,
}

struct TableListRow {
    kind: String,
    without_rowid: bool,
    strict: bool,
}

struct ColRow {
    table: String,
    cid: i64,
    name: String,
    declared: String,
    notnull: bool,
    default: Option<String>,
    pk: i64,
    hidden: i64,
}

struct IdxRow {
    table: String,
    index: String,
    unique: bool,
    origin: String,
    partial: bool,
    seqno: i64,
    cid: i64,
    column: Option<String>,
    desc: bool,
    coll: Option<String>,
    key: bool,
}

struct FkRow {
    table: String,
    id: i64,
    seq: i64,
    parent: String,
    from: String,
    to: Option<String>,
    on_update: String,
    on_delete: String,
    match_type: String,
}

struct Raw {
    version: String,
    file: String,
    objects: Vec<ObjectRow>,
    table_list: Option<HashMap<String, TableListRow>>,
    columns: Vec<ColRow>,
    indexes: Vec<IdxRow>,
    foreign_keys: Vec<FkRow>,
    view_columns: HashMap<String, Vec<String>>,
}

/// A text column, NULL as `None`; bytes that are not UTF-8 are replaced rather than refused.
fn text(row: &SqliteRow, idx: usize) -> Result<Option<String>> {
    row.try_get_unchecked::<Option<Vec<u8>>, _>(idx)
        .map(|v| v.map(|b| String::from_utf8_lossy(&b).into_owned()))
        .map_err(|e| crate::dialect::error::db("sqlite: decoding a catalog row", e))
}

fn text_or_empty(row: &SqliteRow, idx: usize) -> Result<String> {
    Ok(text(row, idx)?.unwrap_or_default())
}

/// An integer column, NULL as 0.
fn int(row: &SqliteRow, idx: usize) -> Result<i64> {
    row.try_get_unchecked::<Option<i64>, _>(idx)
        .map(Option::unwrap_or_default)
        .map_err(|e| crate::dialect::error::db("sqlite: decoding a catalog row", e))
}

async fn fetch(conn: &mut SqliteConnection, sql: &str, what: &str) -> Result<Vec<SqliteRow>> {
    sqlx::query(sql)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| crate::dialect::error::db(format!("sqlite: reading {what}"), e))
}

async fn read(conn: &mut SqliteConnection) -> Result<Raw> {
    let meta = fetch(conn, q::META, "the library version").await?;
    let (version, file) = match meta.first() {
        Some(r) => (text_or_empty(r, 0)?, text_or_empty(r, 1)?),
        None => (String::new(), String::new()),
    };

    let mut objects = Vec::new();
    for r in fetch(conn, q::OBJECTS, "sqlite_schema").await? {
        objects.push(ObjectRow {
            kind: text_or_empty(&r, 0)?,
            name: text_or_empty(&r, 1)?,
            tbl_name: text_or_empty(&r, 2)?,
            rootpage: int(&r, 3)?,
            sql: text(&r, 4)?,
        });
    }

    // pragma_table_list exists from 3.37 on; older libraries fall back to the statements.
    let table_list = match sqlx::query(q::TABLE_LIST).fetch_all(&mut *conn).await {
        Ok(rows) => {
            let mut map = HashMap::new();
            for r in rows {
                map.insert(
                    text_or_empty(&r, 0)?,
                    TableListRow {
                        kind: text_or_empty(&r, 1)?,
                        without_rowid: int(&r, 2)? != 0,
                        strict: int(&r, 3)? != 0,
                    },
                );
            }
            Some(map)
        }
        Err(e) => {
            tracing::debug!("pragma_table_list is not available: {e}");
            None
        }
    };

    let mut columns = Vec::new();
    for r in fetch(conn, q::COLUMNS, "table columns").await? {
        columns.push(ColRow {
            table: text_or_empty(&r, 0)?,
            cid: int(&r, 1)?,
            name: text_or_empty(&r, 2)?,
            declared: text_or_empty(&r, 3)?,
            notnull: int(&r, 4)? != 0,
            default: text(&r, 5)?,
            pk: int(&r, 6)?,
            hidden: int(&r, 7)?,
        });
    }

    let mut indexes = Vec::new();
    for r in fetch(conn, q::INDEXES, "indexes").await? {
        indexes.push(IdxRow {
            table: text_or_empty(&r, 0)?,
            index: text_or_empty(&r, 1)?,
            unique: int(&r, 2)? != 0,
            origin: text_or_empty(&r, 3)?,
            partial: int(&r, 4)? != 0,
            seqno: int(&r, 5)?,
            cid: int(&r, 6)?,
            column: text(&r, 7)?,
            desc: int(&r, 8)? != 0,
            coll: text(&r, 9)?,
            key: int(&r, 10)? != 0,
        });
    }

    let mut foreign_keys = Vec::new();
    for r in fetch(conn, q::FOREIGN_KEYS, "foreign keys").await? {
        foreign_keys.push(FkRow {
            table: text_or_empty(&r, 0)?,
            id: int(&r, 1)?,
            seq: int(&r, 2)?,
            parent: text_or_empty(&r, 3)?,
            from: text_or_empty(&r, 4)?,
            to: text(&r, 5)?.filter(|s| !s.is_empty()),
            on_update: text_or_empty(&r, 6)?,
            on_delete: text_or_empty(&r, 7)?,
            match_type: text_or_empty(&r, 8)?,
        });
    }

    let view_columns = read_view_columns(conn, &objects).await?;

    Ok(Raw {
        version,
        file,
        objects,
        table_list,
        columns,
        indexes,
        foreign_keys,
        view_columns,
    })
}

/// View output columns in one query; when a view no longer compiles (a table it reads was
/// dropped) that query fails as a whole, and each view is asked alone so that only the broken
/// ones go without columns.
async fn read_view_columns(
    conn: &mut SqliteConnection,
    objects: &[ObjectRow],
) -> Result<HashMap<String, Vec<String>>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    match sqlx::query(q::VIEW_COLUMNS).fetch_all(&mut *conn).await {
        Ok(rows) => {
            for r in rows {
                out.entry(text_or_empty(&r, 0)?)
                    .or_default()
                    .push(text_or_empty(&r, 2)?);
            }
        }
        Err(e) => {
            tracing::debug!("reading all view columns at once failed ({e}); asking view by view");
            for v in objects.iter().filter(|o| o.kind == "view") {
                match sqlx::query(q::VIEW_COLUMNS_ONE)
                    .bind(&v.name)
                    .fetch_all(&mut *conn)
                    .await
                {
                    Ok(rows) => {
                        let cols = out.entry(v.name.clone()).or_default();
                        for r in rows {
                            cols.push(text_or_empty(&r, 1)?);
                        }
                    }
                    Err(e) => {
                        tracing::warn!("view {} does not compile: {e}", v.name);
                    }
                }
            }
        }
    }
    Ok(out)
}

// ------------------------------------------------------------------------------------ building

fn eq_ci(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Whether `name` starts with `prefix`, ASCII case folded (as SQLite compares names).
fn starts_with_ci(name: &str, prefix: &str) -> bool {
    name.len() >= prefix.len()
        && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn lists_eq_ci(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| eq_ci(x, y))
}

/// SQLite reserves names starting with `sqlite_` (any case) for itself.
fn is_internal(name: &str) -> bool {
    starts_with_ci(name, "sqlite_")
}

/// `name`, or `name_2`, `name_3`, … when it is taken.
fn claim(used: &mut HashSet<String>, name: String) -> String {
    if used.insert(name.clone()) {
        return name;
    }
    (2u32..)
        .map(|n| format!("{name}_{n}"))
        .find(|c| used.insert(c.clone()))
        .unwrap_or(name)
}

/// What other tables need to know about a table: its spelling, primary key and column names.
struct TableInfo {
    name: String,
    primary_key: Vec<String>,
    columns: Vec<String>,
}

fn unsupported(
    kind: &str,
    name: &str,
    parent: Option<&str>,
    reason: String,
    sql: &str,
) -> Unsupported {
    Unsupported {
        kind: kind.to_string(),
        schema: SCHEMA.to_string(),
        name: name.to_string(),
        parent: parent.map(str::to_string),
        reason,
        definition: Some(sql.to_string()),
    }
}

fn build(raw: Raw, filter: &Filter) -> Catalog {
    let mut catalog = Catalog {
        dialect: Some(Dialect::Sqlite),
        flavor: "sqlite".into(),
        server_version: raw.version.clone(),
        database: database_name(&raw.file),
        default_schema: SCHEMA.into(),
        ..Catalog::default()
    };
    if !filter.schema_matches(SCHEMA) {
        return catalog;
    }

    // Sort the objects out.
    let mut ordinary: Vec<&ObjectRow> = Vec::new();
    let mut virtuals: Vec<&ObjectRow> = Vec::new();
    let mut views: Vec<&ObjectRow> = Vec::new();
    let mut triggers: Vec<&ObjectRow> = Vec::new();
    let mut index_sql: HashMap<&str, &str> = HashMap::new();
    for o in &raw.objects {
        let sql = o.sql.as_deref().unwrap_or("");
        match o.kind.as_str() {
            "table" if is_internal(&o.name) => {}
            "table" if o.rootpage == 0 || parse::is_virtual_table(sql) => virtuals.push(o),
            "table" => ordinary.push(o),
            "view" => views.push(o),
            "trigger" => triggers.push(o),
            "index" => {
                index_sql.insert(o.name.as_str(), sql);
            }
            _ => {}
        }
    }

    let is_shadow = |name: &str| -> bool {
        match &raw.table_list {
            Some(tl) => tl.get(name).is_some_and(|r| r.kind == "shadow"),
            None => virtuals.iter().any(|v| {
                let prefix = format!("{}_", v.name);
                starts_with_ci(name, &prefix)
                    && SHADOW_SUFFIXES.iter().any(|s| {
                        name.len() == prefix.len() + s.len()
                            && name.as_bytes()[prefix.len()..].eq_ignore_ascii_case(s.as_bytes())
                    })
            }),
        }
    };
    let (shadows, tables): (Vec<&ObjectRow>, Vec<&ObjectRow>) =
        ordinary.into_iter().partition(|o| is_shadow(&o.name));

    // Group the pragma rows by table.
    let mut cols_by_table: HashMap<&str, Vec<&ColRow>> = HashMap::new();
    for c in &raw.columns {
        cols_by_table.entry(c.table.as_str()).or_default().push(c);
    }
    let mut idx_by_table: HashMap<&str, BTreeMap<&str, Vec<&IdxRow>>> = HashMap::new();
    for i in &raw.indexes {
        idx_by_table
            .entry(i.table.as_str())
            .or_default()
            .entry(i.index.as_str())
            .or_default()
            .push(i);
    }
    let mut fks_by_table: HashMap<&str, BTreeMap<i64, Vec<&FkRow>>> = HashMap::new();
    for f in &raw.foreign_keys {
        fks_by_table
            .entry(f.table.as_str())
            .or_default()
            .entry(f.id)
            .or_default()
            .push(f);
    }

    // Every table's key, filtered or not, for resolving foreign keys (by lower-cased name).
    let mut infos: HashMap<String, TableInfo> = HashMap::new();
    for t in &tables {
        let mut cols: Vec<&ColRow> = cols_by_table
            .get(t.name.as_str())
            .cloned()
            .unwrap_or_default();
        cols.sort_by_key(|c| c.cid);
        let mut pk: Vec<&ColRow> = cols.iter().copied().filter(|c| c.pk > 0).collect();
        pk.sort_by_key(|c| c.pk);
        infos.insert(
            t.name.to_ascii_lowercase(),
            TableInfo {
                name: t.name.clone(),
                primary_key: pk.iter().map(|c| c.name.clone()).collect(),
                columns: cols.iter().map(|c| c.name.clone()).collect(),
            },
        );
    }

    let mut schema = Schema {
        name: SCHEMA.into(),
        ..Schema::default()
    };

    for t in &tables {
        if !filter.table_matches(SCHEMA, &t.name) {
            continue;
        }
        let sql = t.sql.as_deref().unwrap_or("");
        let parsed = match parse::parse_create_table(sql) {
            Ok(p) => Some(p),
            Err(e) => {
                catalog.unsupported.push(unsupported(
                    "table definition",
                    &t.name,
                    None,
                    format!(
                        "cannot read its CREATE TABLE statement ({e}): constraint names, CHECK \
                         constraints, collations and generated expressions are missing"
                    ),
                    sql,
                ));
                None
            }
        };
        let empty_idx = BTreeMap::new();
        let empty_fks = BTreeMap::new();
        let table = build_table(
            t,
            parsed.as_ref(),
            cols_by_table
                .get(t.name.as_str())
                .map_or(&[][..], Vec::as_slice),
            idx_by_table.get(t.name.as_str()).unwrap_or(&empty_idx),
            fks_by_table.get(t.name.as_str()).unwrap_or(&empty_fks),
            raw.table_list.as_ref().and_then(|tl| tl.get(&t.name)),
            &index_sql,
            &infos,
            &mut catalog.unsupported,
        );
        schema.tables.push(table);
    }

    for v in &views {
        if !filter.table_matches(SCHEMA, &v.name) {
            continue;
        }
        let sql = v.sql.as_deref().unwrap_or("");
        let definition = match parse::parse_create_view(sql) {
            Ok(p) => p.select,
            Err(e) => {
                catalog.unsupported.push(unsupported(
                    "view definition",
                    &v.name,
                    None,
                    format!("cannot read its CREATE VIEW statement ({e}): the definition is the whole statement"),
                    sql,
                ));
                sql.to_string()
            }
        };
        schema.views.push(View {
            name: v.name.clone(),
            materialized: false,
            definition,
            columns: raw.view_columns.get(&v.name).cloned().unwrap_or_default(),
            check_option: None,
            options: Vec::new(),
            depends_on: Vec::new(),
            indexes: Vec::new(),
            triggers: Vec::new(),
            comment: None,
        });
    }

    for tr in &triggers {
        let sql = tr.sql.as_deref().unwrap_or("");
        let on = tr.tbl_name.as_str();
        if !filter.table_matches(SCHEMA, on) {
            continue;
        }
        let parsed = match parse::parse_create_trigger(sql) {
            Ok(p) => p,
            Err(e) => {
                catalog.unsupported.push(unsupported(
                    "trigger",
                    &tr.name,
                    Some(on),
                    format!("cannot read its CREATE TRIGGER statement ({e})"),
                    sql,
                ));
                continue;
            }
        };
        let event = if parsed.update_of.is_empty() {
            parsed.event.clone()
        } else {
            let cols: Vec<String> = parsed
                .update_of
                .iter()
                .map(|c| parse::display_ident(c))
                .collect();
            format!("{} OF {}", parsed.event, cols.join(", "))
        };
        let trigger = Trigger {
            name: tr.name.clone(),
            timing: parsed.timing,
            events: vec![event],
            level: "ROW".into(),
            when: parsed.when,
            function: None,
            body: Some(parsed.body),
            definition: sql.to_string(),
            enabled: true,
            comment: None,
        };
        if let Some(t) = schema.tables.iter_mut().find(|t| eq_ci(&t.name, on)) {
            t.triggers.push(trigger);
        } else if let Some(v) = schema.views.iter_mut().find(|v| eq_ci(&v.name, on)) {
            v.triggers.push(trigger);
        } else if !shadows.iter().any(|s| eq_ci(&s.name, on)) {
            catalog.unsupported.push(unsupported(
                "trigger",
                &tr.name,
                Some(on),
                format!("it is attached to {on}, which is neither a table nor a view sluice reads"),
                sql,
            ));
        }
    }

    for v in &virtuals {
        if !filter.table_matches(SCHEMA, &v.name) {
            continue;
        }
        let sql = v.sql.as_deref().unwrap_or("");
        let module = parse::parse_create_virtual_table(sql)
            .map(|p| p.module)
            .unwrap_or_else(|_| "an unknown module".into());
        let prefix = format!("{}_", v.name);
        let mut own: Vec<&str> = shadows
            .iter()
            .filter(|s| s.name.len() > prefix.len() && starts_with_ci(&s.name, &prefix))
            .map(|s| s.name.as_str())
            .collect();
        own.sort_unstable();
        let mut reason =
            format!("virtual table (USING {module}): sluice does not model virtual tables");
        if !own.is_empty() {
            reason.push_str(&format!(
                "; its shadow tables {} belong to it and are not reported as tables",
                own.join(", ")
            ));
        }
        catalog
            .unsupported
            .push(unsupported("virtual table", &v.name, None, reason, sql));
    }

    catalog.schemas.push(schema);
    catalog
}

fn database_name(file: &str) -> String {
    if file.is_empty() {
        return String::new();
    }
    let p = Path::new(file);
    p.file_stem()
        .or_else(|| p.file_name())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
fn build_table(
    obj: &ObjectRow,
    parsed: Option<&CreateTable>,
    cols: &[&ColRow],
    indexes: &BTreeMap<&str, Vec<&IdxRow>>,
    fks: &BTreeMap<i64, Vec<&FkRow>>,
    table_list: Option<&TableListRow>,
    index_sql: &HashMap<&str, &str>,
    infos: &HashMap<String, TableInfo>,
    unsupported_out: &mut Vec<Unsupported>,
) -> Table {
    let name = obj.name.as_str();
    let mut cols: Vec<&ColRow> = cols.to_vec();
    cols.sort_by_key(|c| c.cid);

    let without_rowid =
        parsed.is_some_and(|p| p.without_rowid) || table_list.is_some_and(|r| r.without_rowid);
    let strict = parsed.is_some_and(|p| p.strict) || table_list.is_some_and(|r| r.strict);

    let mut pk_cols: Vec<&ColRow> = cols.iter().copied().filter(|c| c.pk > 0).collect();
    pk_cols.sort_by_key(|c| c.pk);
    let has_pk_index = indexes
        .values()
        .any(|rows| rows.first().is_some_and(|r| r.origin == "pk"));
    // A rowid table whose primary key has no index of its own keys by the rowid itself.
    let rowid_alias = !without_rowid && pk_cols.len() == 1 && !has_pk_index;
    let parsed_pk = parsed.and_then(|p| p.primary_key.as_ref());
    let autoincrement = parsed_pk.is_some_and(|p| p.autoincrement);

    // The parsed definition of a column: by position when the lists line up, else by name.
    let aligned = parsed.is_some_and(|p| {
        p.columns.len() == cols.len()
            && p.columns
                .iter()
                .zip(&cols)
                .all(|(d, c)| eq_ci(&d.name, &c.name))
    });
    let def_of = |i: usize, c: &ColRow| {
        parsed.and_then(|p| {
            if aligned {
                p.columns.get(i)
            } else {
                p.columns.iter().find(|d| eq_ci(&d.name, &c.name))
            }
        })
    };

    let mut columns = Vec::new();
    let mut ordinal = 0u32;
    for (i, c) in cols.iter().enumerate() {
        // hidden = 1 marks the hidden columns of virtual tables; ordinary tables have none.
        if c.hidden == 1 {
            continue;
        }
        ordinal += 1;
        let def = def_of(i, c);
        // SQLite never stores NULL in a rowid alias, whatever the pragma's notnull says.
        let never_null = c.notnull || (rowid_alias && c.pk > 0);
        columns.push(Column {
            name: c.name.clone(),
            ordinal,
            data_type: c.declared.clone(),
            family: family(&c.declared),
            nullable: !never_null,
            default: c.default.clone(),
            identity: (autoincrement && rowid_alias && c.pk > 0).then_some(Identity::Autoincrement),
            owned_sequence: None,
            generated: match c.hidden {
                2 | 3 => Some(Generated {
                    expression: def
                        .and_then(|d| d.generated.as_ref())
                        .map(|g| g.expression.clone())
                        .unwrap_or_default(),
                    stored: c.hidden == 3,
                }),
                _ => None,
            },
            collation: def
                .and_then(|d| d.collation.clone())
                .filter(|c| !eq_ci(c, "BINARY")),
            charset: None,
            on_update: None,
            comment: None,
        });
    }

    let primary_key = (!pk_cols.is_empty()).then(|| PrimaryKey {
        name: parsed_pk.and_then(|p| p.name.clone()),
        columns: pk_cols.iter().map(|c| c.name.clone()).collect(),
    });

    // UNIQUE constraints: the autoindexes with origin 'u', in creation order, named from the
    // statement by their columns.
    let mut autoindexes: Vec<(&str, &Vec<&IdxRow>)> = indexes
        .iter()
        .filter(|(_, rows)| rows.first().is_some_and(|r| r.origin == "u"))
        .map(|(n, rows)| (*n, rows))
        .collect();
    autoindexes.sort_by_key(|(n, _)| {
        let num = n
            .rsplit('_')
            .next()
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(u64::MAX);
        (num, n.to_string())
    });
    let parsed_uniques = parsed.map_or(&[][..], |p| p.uniques.as_slice());
    let mut unique_used = vec![false; parsed_uniques.len()];
    let mut names_used = HashSet::new();
    let mut uniques = Vec::new();
    for (_, rows) in autoindexes {
        let columns = key_columns(rows);
        let found = parsed_uniques
            .iter()
            .enumerate()
            .find(|(i, u)| !unique_used[*i] && lists_eq_ci(&u.columns, &columns));
        let explicit = found.and_then(|(i, u)| {
            unique_used[i] = true;
            u.name.clone()
        });
        let cname = explicit.unwrap_or_else(|| format!("{name}_{}_key", columns.join("_")));
        uniques.push(UniqueConstraint {
            name: claim(&mut names_used, cname),
            columns,
            nulls_not_distinct: false,
            deferrable: false,
            initially_deferred: false,
        });
    }

    // CHECK constraints, from the statement only.
    let mut checks = Vec::new();
    let mut names_used = HashSet::new();
    let mut unnamed = 0;
    for c in parsed.map_or(&[][..], |p| p.checks.as_slice()) {
        let cname = match &c.name {
            Some(n) => n.clone(),
            None => {
                unnamed += 1;
                format!("{name}_check_{unnamed}")
            }
        };
        checks.push(CheckConstraint {
            name: claim(&mut names_used, cname),
            expression: c.expression.clone(),
            no_inherit: false,
            validated: true,
        });
    }

    // Foreign keys: SQLite numbers them in reverse order of declaration.
    let parsed_fks = parsed.map_or(&[][..], |p| p.foreign_keys.as_slice());
    let mut fk_used = vec![false; parsed_fks.len()];
    let mut names_used = HashSet::new();
    let mut foreign_keys = Vec::new();
    let groups: Vec<Vec<&FkRow>> = fks
        .values()
        .rev()
        .map(|rows| {
            let mut rows = rows.clone();
            rows.sort_by_key(|r| r.seq);
            rows
        })
        .collect();
    let positional = parsed_fks.len() == groups.len();
    for (pos, rows) in groups.iter().enumerate() {
        let Some(first) = rows.first() else { continue };
        let columns: Vec<String> = rows.iter().map(|r| r.from.clone()).collect();
        let written_to: Vec<String> = rows.iter().filter_map(|r| r.to.clone()).collect();
        let def_idx = (0..parsed_fks.len())
            .find(|&i| {
                let d = &parsed_fks[i];
                !fk_used[i]
                    && lists_eq_ci(&d.columns, &columns)
                    && eq_ci(&d.ref_table, &first.parent)
                    && lists_eq_ci(&d.ref_columns, &written_to)
            })
            .or_else(|| (positional && !fk_used[pos]).then_some(pos));
        let def = def_idx.map(|i| {
            fk_used[i] = true;
            &parsed_fks[i]
        });
        let parent = infos.get(&first.parent.to_ascii_lowercase());
        let ref_table = parent.map_or(first.parent.clone(), |p| p.name.clone());
        let ref_columns = if written_to.is_empty() {
            parent.map(|p| p.primary_key.clone()).unwrap_or_default()
        } else {
            written_to
                .iter()
                .map(|w| {
                    parent
                        .and_then(|p| p.columns.iter().find(|c| eq_ci(c, w)))
                        .cloned()
                        .unwrap_or_else(|| w.clone())
                })
                .collect()
        };
        let cname = def
            .and_then(|d| d.name.clone())
            .unwrap_or_else(|| format!("{name}_{}_fkey", columns.join("_")));
        foreign_keys.push(ForeignKey {
            name: claim(&mut names_used, cname),
            columns,
            ref_table: QualifiedName::new(SCHEMA, ref_table),
            ref_columns,
            on_delete: FkAction::parse(&first.on_delete).unwrap_or_default(),
            on_update: FkAction::parse(&first.on_update).unwrap_or_default(),
            deferrable: def.is_some_and(|d| d.deferrable),
            initially_deferred: def.is_some_and(|d| d.initially_deferred),
            // SQLite parses MATCH and ignores it; the pragma may not repeat it.
            match_full: eq_ci(&first.match_type, "FULL")
                || def.is_some_and(|d| d.match_type.as_deref() == Some("FULL")),
            validated: true,
        });
    }

    // Indexes created with CREATE INDEX.
    let mut table_indexes = Vec::new();
    for (iname, rows) in indexes {
        let Some(first) = rows.first() else { continue };
        if first.origin != "c" {
            continue;
        }
        let sql = index_sql.get(iname).copied().unwrap_or("");
        let parsed_idx = match parse::parse_create_index(sql) {
            Ok(p) => Some(p),
            Err(e) => {
                unsupported_out.push(unsupported(
                    "index definition",
                    iname,
                    Some(name),
                    format!(
                        "cannot read its CREATE INDEX statement ({e}): expression keys and the \
                         partial-index predicate are missing"
                    ),
                    sql,
                ));
                None
            }
        };
        let mut key_rows: Vec<&IdxRow> = rows.iter().copied().filter(|r| r.key).collect();
        key_rows.sort_by_key(|r| r.seqno);
        let keys = key_rows
            .iter()
            .map(|r| {
                let item = parsed_idx
                    .as_ref()
                    .and_then(|p| usize::try_from(r.seqno).ok().and_then(|s| p.items.get(s)));
                let (key, expression) = match r.cid {
                    -2 => (item.map(|i| i.expression.clone()).unwrap_or_default(), true),
                    -1 => (r.column.clone().unwrap_or_else(|| "rowid".into()), false),
                    _ => (r.column.clone().unwrap_or_default(), false),
                };
                IndexKey {
                    key,
                    expression,
                    descending: r.desc,
                    nulls_first: None,
                    opclass: None,
                    collation: r.coll.clone().filter(|c| !eq_ci(c, "BINARY")),
                    prefix_length: None,
                }
            })
            .collect();
        table_indexes.push(Index {
            name: iname.to_string(),
            unique: first.unique,
            method: None,
            keys,
            include: Vec::new(),
            predicate: if first.partial {
                parsed_idx.as_ref().and_then(|p| p.predicate.clone())
            } else {
                None
            },
            nulls_not_distinct: false,
            definition: (!sql.is_empty()).then(|| sql.to_string()),
            comment: None,
        });
    }

    Table {
        name: name.to_string(),
        columns,
        primary_key,
        uniques,
        checks,
        foreign_keys,
        indexes: table_indexes,
        without_rowid,
        strict,
        ..Table::default()
    }
}

/// The key columns of an index, in order (without the rowid/primary-key columns SQLite appends).
fn key_columns(rows: &[&IdxRow]) -> Vec<String> {
    let mut keys: Vec<&IdxRow> = rows.iter().copied().filter(|r| r.key).collect();
    keys.sort_by_key(|r| r.seqno);
    keys.iter()
        .map(|r| r.column.clone().unwrap_or_default())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(kind: &str, name: &str, rootpage: i64, sql: &str) -> ObjectRow {
        ObjectRow {
            kind: kind.into(),
            name: name.into(),
            tbl_name: name.into(),
            rootpage,
            sql: Some(sql.into()),
        }
    }

    fn column(table: &str, cid: i64, name: &str) -> ColRow {
        ColRow {
            table: table.into(),
            cid,
            name: name.into(),
            declared: "TEXT".into(),
            notnull: false,
            default: None,
            pk: 0,
            hidden: 0,
        }
    }

    /// Libraries before 3.37 have no pragma_table_list: shadow tables are recognized by the
    /// virtual table's name and the module's suffixes, and WITHOUT ROWID/STRICT come from the SQL.
    #[test]
    fn shadow_tables_without_pragma_table_list() {
        let raw = Raw {
            version: "3.35.0".into(),
            file: "/tmp/some.db".into(),
            objects: vec![
                object(
                    "table",
                    "docs",
                    0,
                    "CREATE VIRTUAL TABLE docs USING fts5(a)",
                ),
                object(
                    "table",
                    "docs_data",
                    2,
                    "CREATE TABLE 'docs_data'(id INTEGER PRIMARY KEY, block BLOB)",
                ),
                object(
                    "table",
                    "DOCS_config",
                    3,
                    "CREATE TABLE 'DOCS_config'(k PRIMARY KEY, v) WITHOUT ROWID",
                ),
                object(
                    "table",
                    "docs_notes",
                    4,
                    "CREATE TABLE docs_notes(a TEXT) STRICT",
                ),
                object(
                    "table",
                    "sqlite_sequence",
                    5,
                    "CREATE TABLE sqlite_sequence(name,seq)",
                ),
            ],
            table_list: None,
            columns: vec![
                column("docs_data", 0, "id"),
                column("DOCS_config", 0, "k"),
                column("docs_notes", 0, "a"),
            ],
            indexes: Vec::new(),
            foreign_keys: Vec::new(),
            view_columns: HashMap::new(),
        };
        let c = build(raw, &Filter::default());
        assert_eq!(c.database, "some");
        assert_eq!(c.server_version, "3.35.0");
        let tables: Vec<&str> = c.tables().map(|(_, t)| t.name.as_str()).collect();
        assert_eq!(tables, ["docs_notes"]);
        let t = &c.schemas[0].tables[0];
        assert!(t.strict && !t.without_rowid);
        assert_eq!(c.unsupported.len(), 1);
        assert!(
            c.unsupported[0].reason.contains("DOCS_config, docs_data"),
            "{}",
            c.unsupported[0].reason
        );
    }

    #[test]
    fn helpers() {
        assert!(is_internal("sqlite_stat1") && is_internal("SQLITE_x"));
        assert!(!is_internal("sqlite") && !is_internal("größe_sqlite_"));
        assert!(starts_with_ci("größe_data", "größe_") && !starts_with_ci("größ", "größe_"));
        let mut used = HashSet::new();
        assert_eq!(claim(&mut used, "a".into()), "a");
        assert_eq!(claim(&mut used, "a".into()), "a_2");
        assert_eq!(claim(&mut used, "a".into()), "a_3");
        assert_eq!(database_name("/x/y/shop.sqlite3"), "shop");
        assert_eq!(database_name(""), "");
    }
}
