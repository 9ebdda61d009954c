//! Which tables and columns are compared, and by which key.
//!
//! Tables pair by schema and name (the default schemas pair with each other: `public`, the MySQL
//! database, `main`); across dialects names pair ignoring case and underscores, as the schema
//! diff does (`invoice_line` ↔ `InvoiceLine`). Columns pair the same way; the compared columns are
//! those on both sides, minus `--ignore-columns`. The key is the primary key when both sides have
//! the same one, else a unique key over NOT NULL columns that both sides have, else none (the
//! table is compared as a multiset).

use crate::engine::cross::portable_name;
use crate::error::{Error, Result};
use crate::model::rowdiff::{KeyKind, PairedColumn, TablePair};
use crate::model::rows::{comparison_family, key_family_supported};
use crate::model::{Catalog, Filter, QualifiedName, Table};

/// Tables compared, and those only one side has.
#[derive(Debug, Clone, Default)]
pub struct Pairing {
    pub tables: Vec<TablePair>,
    pub only_in_source: Vec<String>,
    pub only_in_target: Vec<String>,
}

/// SHA-256 of a table's definition as inspected: any change to its columns, keys, constraints
/// or indexes changes it.
pub fn table_fingerprint(t: &Table) -> String {
    use sha2::{Digest, Sha256};
    let mut t = t.clone();
    t.normalize_order();
    let json = serde_json::to_vec(&t).unwrap_or_default();
    hex::encode(Sha256::digest(&json))
}

/// An `--ignore-columns` entry: `table.column` or `schema.table.column`.
#[derive(Debug, Clone)]
struct IgnoreSpec {
    text: String,
    table: String,
    column: String,
    used: bool,
}

fn parse_ignores(list: &[String]) -> Result<Vec<IgnoreSpec>> {
    list.iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            let s = s.trim();
            match s.rsplit_once('.') {
                Some((t, c)) if !t.is_empty() && !c.is_empty() => Ok(IgnoreSpec {
                    text: s.to_string(),
                    table: t.to_string(),
                    column: c.to_string(),
                    used: false,
                }),
                _ => Err(Error::usage(format!(
                    "--ignore-columns '{s}': write TABLE.COLUMN (or SCHEMA.TABLE.COLUMN)"
                ))),
            }
        })
        .collect()
}

/// Pairs the tables of two catalogs. `filter` keeps a pair when it selects either side's name.
pub fn pair(
    source: &Catalog,
    target: &Catalog,
    filter: &Filter,
    ignore_columns: &[String],
) -> Result<Pairing> {
    let cross = source.dialect != target.dialect;
    let same = |a: &str, b: &str| {
        if cross {
            portable_name(a) == portable_name(b)
        } else {
            a == b
        }
    };
    let map_schema = |s: &str| -> String {
        if s == source.default_schema {
            target.default_schema.clone()
        } else {
            s.to_string()
        }
    };
    // Each side's names compare as its database compares them (MySQL and SQLite ignore case).
    let source_filter = filter.for_dialect(source.dialect);
    let target_filter = filter.for_dialect(target.dialect);
    let mut ignores = parse_ignores(ignore_columns)?;
    let mut out = Pairing::default();
    let mut target_used: Vec<(String, String)> = Vec::new();
    for (sschema, st) in source.tables() {
        let tschema = map_schema(sschema);
        let found = target
            .tables()
            .find(|(ts, tt)| *ts == tschema && same(&tt.name, &st.name));
        match found {
            Some((ts, tt)) => {
                if !source_filter.table_matches(sschema, &st.name)
                    && !target_filter.table_matches(ts, &tt.name)
                {
                    continue;
                }
                target_used.push((ts.to_string(), tt.name.clone()));
                out.tables
                    .push(pair_table(sschema, st, ts, tt, cross, &mut ignores)?);
            }
            None => {
                if source_filter.table_matches(sschema, &st.name) {
                    out.only_in_source.push(format!("{sschema}.{}", st.name));
                }
            }
        }
    }
    for (ts, tt) in target.tables() {
        if !target_used.iter().any(|(s, n)| s == ts && n == &tt.name)
            && target_filter.table_matches(ts, &tt.name)
        {
            out.only_in_target.push(format!("{ts}.{}", tt.name));
        }
    }
    if let Some(unused) = ignores.iter().find(|i| !i.used) {
        return Err(Error::usage(format!(
            "--ignore-columns '{}' matches no column of a compared table",
            unused.text
        )));
    }
    Ok(out)
}

fn pair_table(
    sschema: &str,
    st: &Table,
    tschema: &str,
    tt: &Table,
    cross: bool,
    ignores: &mut [IgnoreSpec],
) -> Result<TablePair> {
    let same = |a: &str, b: &str| {
        if cross {
            portable_name(a) == portable_name(b)
        } else {
            a == b
        }
    };
    let label = format!("{sschema}.{}", st.name);
    let mut columns = Vec::new();
    let mut only_s = Vec::new();
    let mut ignored = Vec::new();
    let mut notes = Vec::new();
    let mut matched_t = Vec::new();
    for sc in &st.columns {
        let Some(tc) = tt.columns.iter().find(|tc| same(&tc.name, &sc.name)) else {
            only_s.push(sc.name.clone());
            continue;
        };
        matched_t.push(tc.name.clone());
        let mut skip = false;
        for ig in ignores.iter_mut() {
            let table_hit = [
                st.name.as_str(),
                tt.name.as_str(),
                &label,
                &format!("{tschema}.{}", tt.name),
            ]
            .iter()
            .any(|n| n.eq_ignore_ascii_case(&ig.table));
            let col_hit = ig.column.eq_ignore_ascii_case(&sc.name)
                || ig.column.eq_ignore_ascii_case(&tc.name);
            if table_hit && col_hit {
                ig.used = true;
                skip = true;
            }
        }
        if skip {
            ignored.push(sc.name.clone());
            continue;
        }
        let compare_as = if sc.family == tc.family {
            sc.family.clone()
        } else {
            comparison_family(&sc.family, &tc.family)
        };
        if std::mem::discriminant(&sc.family) != std::mem::discriminant(&tc.family) {
            notes.push(format!(
                "column {}: {} in SOURCE, {} in TARGET; compared as {}",
                sc.name, sc.family, tc.family, compare_as
            ));
        }
        columns.push(PairedColumn {
            source: sc.name.clone(),
            target: tc.name.clone(),
            source_family: sc.family.clone(),
            target_family: tc.family.clone(),
            compare_as,
        });
    }
    let only_t: Vec<String> = tt
        .columns
        .iter()
        .filter(|c| !matched_t.contains(&c.name))
        .map(|c| c.name.clone())
        .collect();

    let (key, key_kind) = choose_key(st, tt, &columns, &ignored, &mut notes)?;
    if key_kind == KeyKind::Multiset {
        notes.push(
            "no primary key or unique NOT NULL key on both sides: rows compared as a multiset (hash and count); a changed row counts as one insert and one delete"
                .to_string(),
        );
    }
    Ok(TablePair {
        table: label,
        source: QualifiedName::new(sschema, &st.name),
        target: QualifiedName::new(tschema, &tt.name),
        columns,
        key,
        key_kind,
        columns_only_in_source: only_s,
        columns_only_in_target: only_t,
        ignored_columns: ignored,
        notes,
        source_fingerprint: table_fingerprint(st),
        target_fingerprint: table_fingerprint(tt),
    })
}

/// The key: positions in `columns` (SOURCE's order), and what kind it is.
fn choose_key(
    st: &Table,
    tt: &Table,
    columns: &[PairedColumn],
    ignored: &[String],
    notes: &mut Vec<String>,
) -> Result<(Vec<usize>, KeyKind)> {
    let pos_s = |name: &str| columns.iter().position(|c| c.source == name);
    let pos_t = |name: &str| columns.iter().position(|c| c.target == name);
    let usable = |k: &[usize]| {
        k.iter().all(|&i| {
            let c = &columns[i];
            key_family_supported(&c.compare_as)
                && key_family_supported(&c.source_family)
                && key_family_supported(&c.target_family)
        })
    };
    // Candidate keys on each side, as lists of column names: the primary key, then unique
    // constraints and plain unique indexes over NOT NULL columns.
    let candidates = |t: &Table| -> Vec<(Option<String>, Vec<String>)> {
        let mut c = Vec::new();
        if let Some(pk) = &t.primary_key {
            c.push((None, pk.columns.clone()));
        }
        let not_null = |cols: &[String]| {
            cols.iter()
                .all(|n| t.column(n).is_some_and(|col| !col.nullable))
        };
        for u in &t.uniques {
            if not_null(&u.columns) {
                c.push((Some(u.name.clone()), u.columns.clone()));
            }
        }
        for ix in &t.indexes {
            if ix.unique && ix.predicate.is_none() && ix.keys.iter().all(|k| !k.expression) {
                let cols: Vec<String> = ix.keys.iter().map(|k| k.key.clone()).collect();
                if not_null(&cols) {
                    c.push((Some(ix.name.clone()), cols));
                }
            }
        }
        c
    };
    let tc = candidates(tt);
    for (name, cols) in candidates(st) {
        if let Some(bad) = cols.iter().find(|c| ignored.contains(c)) {
            if name.is_none() {
                return Err(Error::usage(format!(
                    "--ignore-columns cannot leave out {bad}: it is part of the primary key of {}",
                    st.name
                )));
            }
            continue;
        }
        let Some(pos): Option<Vec<usize>> = cols.iter().map(|c| pos_s(c)).collect() else {
            continue;
        };
        let mut want: Vec<usize> = pos.clone();
        want.sort_unstable();
        let on_target = tc.iter().find(|(_, tcols)| {
            let p: Option<Vec<usize>> = tcols.iter().map(|c| pos_t(c)).collect();
            p.is_some_and(|mut p| {
                p.sort_unstable();
                p == want
            })
        });
        let Some((tname, _)) = on_target else {
            continue;
        };
        if !usable(&pos) {
            notes.push(format!(
                "key ({}) not usable: a key column's type cannot be ordered the same way on both sides",
                cols.join(", ")
            ));
            continue;
        }
        let kind = match (&name, tname) {
            (None, None) => KeyKind::PrimaryKey,
            (Some(n), _) | (None, Some(n)) => {
                if name.is_none() || tname.is_none() {
                    notes.push(format!(
                        "rows matched on ({}): a primary key on one side, a unique key on the other",
                        cols.join(", ")
                    ));
                }
                KeyKind::Unique { name: n.clone() }
            }
        };
        if let KeyKind::Unique { .. } = kind {
            if st.primary_key.is_some() || tt.primary_key.is_some() {
                notes.push("the primary keys differ: rows matched on a unique key".to_string());
            }
        }
        return Ok((pos, kind));
    }
    Ok((Vec::new(), KeyKind::Multiset))
}
