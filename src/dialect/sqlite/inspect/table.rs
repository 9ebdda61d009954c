//! One table: columns (with what only the `CREATE TABLE` statement tells), primary key, unique and
//! check constraints, indexes and foreign keys, with stable generated names.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::dialect::sqlite::parse::{self, CreateTable};
use crate::dialect::sqlite::types::family;
use crate::model::{
    CheckConstraint, Column, FkAction, ForeignKey, Generated, Identity, Index, IndexKey,
    PrimaryKey, QualifiedName, Table, UniqueConstraint, Unsupported,
};

use super::SCHEMA;
use super::build::{TableInfo, claim, eq_ci, lists_eq_ci, unsupported};
use super::read::{ColRow, FkRow, IdxRow, ObjectRow, TableListRow};

#[allow(clippy::too_many_arguments)]
pub(super) fn build_table(
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
