//! Rows → catalog: the objects sorted out (tables, shadow tables of virtual tables, views,
//! triggers), each table built by `table.rs`, views, triggers and virtual tables here.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use crate::dialect::sqlite::parse;
use crate::model::{Catalog, Dialect, Filter, Schema, Trigger, Unsupported, View};

use super::SCHEMA;
use super::read::{ColRow, FkRow, IdxRow, ObjectRow, Raw};
use super::table::build_table;

/// Shadow-table suffixes of the virtual-table modules SQLite ships, for libraries older than 3.37
/// (no `pragma_table_list` to ask).
const SHADOW_SUFFIXES: &[&str] = &[
    "data", "idx", "content", "docsize", "config", "segments", "segdir", "stat", "node", "parent",
    "rowid",
];

pub(super) fn eq_ci(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Whether `name` starts with `prefix`, ASCII case folded (as SQLite compares names).
fn starts_with_ci(name: &str, prefix: &str) -> bool {
    name.len() >= prefix.len()
        && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

pub(super) fn lists_eq_ci(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| eq_ci(x, y))
}

/// SQLite reserves names starting with `sqlite_` (any case) for itself.
fn is_internal(name: &str) -> bool {
    starts_with_ci(name, "sqlite_")
}

/// `name`, or `name_2`, `name_3`, … when it is taken.
pub(super) fn claim(used: &mut HashSet<String>, name: String) -> String {
    if used.insert(name.clone()) {
        return name;
    }
    (2u32..)
        .map(|n| format!("{name}_{n}"))
        .find(|c| used.insert(c.clone()))
        .unwrap_or(name)
}

/// What other tables need to know about a table: its spelling, primary key and column names.
pub(super) struct TableInfo {
    pub(super) name: String,
    pub(super) primary_key: Vec<String>,
    pub(super) columns: Vec<String>,
}

pub(super) fn unsupported(
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

pub(super) fn build(raw: Raw, filter: &Filter) -> Catalog {
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
