//! The catalog queries: `sqlite_schema` and the table-valued pragma functions, read into rows.

use std::collections::HashMap;

use sqlx::Row;
use sqlx::sqlite::{SqliteConnection, SqliteRow};

use crate::error::Result;

mod q {
    pub const META: &str = include_str!("../queries/meta.sql");
    pub const OBJECTS: &str = include_str!("../queries/objects.sql");
    pub const TABLE_LIST: &str = include_str!("../queries/table_list.sql");
    pub const COLUMNS: &str = include_str!("../queries/columns.sql");
    pub const VIEW_COLUMNS: &str = include_str!("../queries/view_columns.sql");
    pub const VIEW_COLUMNS_ONE: &str = include_str!("../queries/view_columns_one.sql");
    pub const INDEXES: &str = include_str!("../queries/indexes.sql");
    pub const FOREIGN_KEYS: &str = include_str!("../queries/foreign_keys.sql");
}

pub(super) struct ObjectRow {
    pub(super) kind: String,
    pub(super) name: String,
    pub(super) tbl_name: String,
    pub(super) rootpage: i64,
    pub(super) sql: Option<String>,
}

pub(super) struct TableListRow {
    pub(super) kind: String,
    pub(super) without_rowid: bool,
    pub(super) strict: bool,
}

pub(super) struct ColRow {
    pub(super) table: String,
    pub(super) cid: i64,
    pub(super) name: String,
    pub(super) declared: String,
    pub(super) notnull: bool,
    pub(super) default: Option<String>,
    pub(super) pk: i64,
    pub(super) hidden: i64,
}

pub(super) struct IdxRow {
    pub(super) table: String,
    pub(super) index: String,
    pub(super) unique: bool,
    pub(super) origin: String,
    pub(super) partial: bool,
    pub(super) seqno: i64,
    pub(super) cid: i64,
    pub(super) column: Option<String>,
    pub(super) desc: bool,
    pub(super) coll: Option<String>,
    pub(super) key: bool,
}

pub(super) struct FkRow {
    pub(super) table: String,
    pub(super) id: i64,
    pub(super) seq: i64,
    pub(super) parent: String,
    pub(super) from: String,
    pub(super) to: Option<String>,
    pub(super) on_update: String,
    pub(super) on_delete: String,
    pub(super) match_type: String,
}

pub(super) struct Raw {
    pub(super) version: String,
    pub(super) file: String,
    pub(super) objects: Vec<ObjectRow>,
    pub(super) table_list: Option<HashMap<String, TableListRow>>,
    pub(super) columns: Vec<ColRow>,
    pub(super) indexes: Vec<IdxRow>,
    pub(super) foreign_keys: Vec<FkRow>,
    pub(super) view_columns: HashMap<String, Vec<String>>,
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

pub(super) async fn read(conn: &mut SqliteConnection) -> Result<Raw> {
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
