//! Schema comparison across dialects (PostgreSQL ↔ MySQL/MariaDB ↔ SQLite).
//!
//! Before the ordinary differ runs, SOURCE is restated in TARGET's terms:
//! - the default schemas are paired (`public` ↔ the MySQL database ↔ `main`);
//! - tables and columns pair by name ignoring case and underscores (`invoice_line` ↔ `InvoiceLine`),
//!   and SOURCE takes TARGET's spelling;
//! - column types compare by family ([`dialect::types::equivalent`]); equivalent columns take
//!   TARGET's declaration, others are declared in TARGET's dialect ([`dialect::types::spell`]);
//! - what only one dialect has (collations, charsets, engines, comments, index methods and
//!   operator classes, identity spellings) is taken from TARGET, or dropped for new objects;
//! - views, functions, triggers, sequences and types are not portable: they are set aside and
//!   listed as `unsupported` changes ("not portable") rather than guessed at.
//!
//! After the diff, renames of constraints and indexes are dropped: their names follow each
//! dialect's conventions and are not compared.

use std::collections::HashMap;

use crate::dialect::types::{equivalent, spell};
use crate::model::*;

/// A name as compared across dialects: lowercased, without underscores.
pub fn portable_name(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '_')
        .flat_map(|c| c.to_lowercase())
        .collect()
}

/// SOURCE restated in TARGET's dialect and spelling, TARGET with its non-portable objects set
/// aside, and the "not portable" changes to report.
pub struct Aligned {
    pub source: Catalog,
    pub target: Catalog,
    pub not_portable: Vec<Change>,
}

pub fn is_cross(target: &Catalog, source: &Catalog) -> bool {
    matches!((target.dialect, source.dialect), (Some(a), Some(b)) if a != b)
}

pub fn align(target: &Catalog, source: &Catalog) -> Aligned {
    let td = target.dialect.unwrap_or(Dialect::Postgres);
    let sd = source.dialect.unwrap_or(Dialect::Postgres);
    let mut src = source.clone();
    let mut tgt = target.clone();
    let mut not_portable = Vec::new();
    let note = |kind: &str, object: String, detail: String| Change::Unsupported {
        object_kind: kind.into(),
        object,
        detail,
    };
    // Non-portable objects, set aside on both sides; SOURCE's are reported.
    for s in &mut src.schemas {
        for v in s.views.drain(..) {
            not_portable.push(note(
                if v.materialized {
                    "materialized view"
                } else {
                    "view"
                },
                format!("{}.{}", s.name, v.name),
                format!("not portable from {sd} to {td}: compare and create it by hand"),
            ));
        }
        for f in s.functions.drain(..) {
            not_portable.push(note(
                "function",
                format!("{}.{}", s.name, f.name),
                format!("not portable from {sd} to {td}"),
            ));
        }
        for t in &mut s.tables {
            for tr in t.triggers.drain(..) {
                not_portable.push(note(
                    "trigger",
                    format!("{}.{}.{}", s.name, t.name, tr.name),
                    format!("not portable from {sd} to {td}"),
                ));
            }
            t.policies.clear();
            t.rls_enabled = false;
            t.rls_forced = false;
        }
        s.sequences.clear();
        s.enums.clear();
        s.domains.clear();
        s.composite_types.clear();
    }
    src.extensions.clear();
    src.unsupported.clear();
    for s in &mut tgt.schemas {
        s.views.clear();
        s.functions.clear();
        s.sequences.clear();
        s.enums.clear();
        s.domains.clear();
        s.composite_types.clear();
        for t in &mut s.tables {
            t.triggers.clear();
            t.policies.clear();
            t.rls_enabled = false;
            t.rls_forced = false;
        }
    }
    tgt.extensions.clear();
    tgt.unsupported.clear();
    align_target_actions(&mut tgt);

    // Default schemas pair up; other SOURCE schemas keep their names (and are created if the
    // target dialect has schemas).
    let (sdef, tdef) = (src.default_schema.clone(), tgt.default_schema.clone());
    if !sdef.is_empty() && !tdef.is_empty() && sdef != tdef {
        for s in &mut src.schemas {
            if s.name == sdef {
                s.name = tdef.clone();
            }
            for t in &mut s.tables {
                for fk in &mut t.foreign_keys {
                    if fk.ref_table.schema == sdef {
                        fk.ref_table.schema = tdef.clone();
                    }
                }
                if let Some(p) = &mut t.partition_of {
                    if p.parent.schema == sdef {
                        p.parent.schema = tdef.clone();
                    }
                }
            }
        }
        src.default_schema = tdef.clone();
    }
    if td != Dialect::Postgres {
        // Only one schema in MySQL (the database) and SQLite (`main`).
        let (keep, others): (Vec<Schema>, Vec<Schema>) =
            src.schemas.drain(..).partition(|s| s.name == tdef);
        for o in others {
            not_portable.push(note(
                "schema",
                o.name.clone(),
                format!("{td} has one schema per database: its tables are not compared"),
            ));
        }
        src.schemas = keep;
    }

    // Table and column names: SOURCE takes TARGET's spelling where they match portably.
    let mut table_names: HashMap<QualifiedName, QualifiedName> = HashMap::new();
    let mut column_names: HashMap<QualifiedName, HashMap<String, String>> = HashMap::new();
    for s in &mut src.schemas {
        let Some(ts) = tgt.schema(&s.name) else {
            continue;
        };
        for t in &mut s.tables {
            let matches: Vec<&Table> = ts
                .tables
                .iter()
                .filter(|x| portable_name(&x.name) == portable_name(&t.name))
                .collect();
            let Some(tt) = matches.first().filter(|_| matches.len() == 1) else {
                continue;
            };
            let old = QualifiedName::new(&s.name, &t.name);
            let new = QualifiedName::new(&s.name, &tt.name);
            let mut cols = HashMap::new();
            for c in &mut t.columns {
                let m: Vec<&Column> = tt
                    .columns
                    .iter()
                    .filter(|x| portable_name(&x.name) == portable_name(&c.name))
                    .collect();
                if let Some(tc) = m.first().filter(|_| m.len() == 1) {
                    cols.insert(c.name.clone(), tc.name.clone());
                    c.name = tc.name.clone();
                }
            }
            t.name = tt.name.clone();
            table_names.insert(old.clone(), new.clone());
            column_names.insert(old, cols);
        }
    }
    let rename_cols = |t: &QualifiedName, cols: &mut Vec<String>| {
        if let Some(m) = column_names.get(t) {
            for c in cols.iter_mut() {
                if let Some(n) = m.get(c) {
                    *c = n.clone();
                }
            }
        }
    };
    for s in &mut src.schemas {
        for t in &mut s.tables {
            // This table's own column lists, under its old (SOURCE) name.
            let own = table_names
                .iter()
                .find(|(_, v)| v.schema == s.name && v.name == t.name)
                .map(|(k, _)| k.clone())
                .unwrap_or_else(|| QualifiedName::new(&s.name, &t.name));
            if let Some(pk) = &mut t.primary_key {
                rename_cols(&own, &mut pk.columns);
            }
            for u in &mut t.uniques {
                rename_cols(&own, &mut u.columns);
            }
            for i in &mut t.indexes {
                let mut keys: Vec<String> = i.keys.iter().map(|k| k.key.clone()).collect();
                rename_cols(&own, &mut keys);
                for (k, n) in i.keys.iter_mut().zip(keys) {
                    if !k.expression {
                        k.key = n;
                    }
                }
                rename_cols(&own, &mut i.include);
            }
            for fk in &mut t.foreign_keys {
                rename_cols(&own, &mut fk.columns);
                let rt = fk.ref_table.clone();
                rename_cols(&rt, &mut fk.ref_columns);
                if let Some(n) = table_names.get(&rt) {
                    fk.ref_table = n.clone();
                }
            }
        }
    }

    // Types, defaults and dialect-only attributes.
    for s in &mut src.schemas {
        let ts = tgt.schema(&s.name).cloned();
        s.comment = ts.as_ref().and_then(|x| x.comment.clone());
        for t in &mut s.tables {
            let tt = ts.as_ref().and_then(|x| x.table(&t.name)).cloned();
            align_table(t, tt.as_ref(), sd, td);
        }
    }
    for s in &mut tgt.schemas {
        for t in &mut s.tables {
            for i in &mut t.indexes {
                plain_index(i);
            }
        }
    }
    Aligned {
        source: src,
        target: tgt,
        not_portable,
    }
}

fn plain_index(i: &mut Index) {
    if i.method
        .as_deref()
        .is_some_and(|m| m.eq_ignore_ascii_case("btree"))
    {
        i.method = None;
    }
    i.definition = None;
    i.comment = None;
    for k in &mut i.keys {
        k.opclass = None;
        k.collation = None;
        k.nulls_first = None;
    }
}

/// A default as compared across dialects.
fn portable_default(d: &str) -> String {
    let n = normalize::expr(d);
    match n.as_str() {
        "now()" | "current_timestamp" | "current_timestamp()" | "localtimestamp" => {
            "current_timestamp".into()
        }
        "current_date" | "curdate()" => "current_date".into(),
        "true" => "1".into(),
        "false" => "0".into(),
        other => other.trim_matches(|c| c == '(' || c == ')').to_string(),
    }
}

fn align_table(t: &mut Table, tt: Option<&Table>, sd: Dialect, td: Dialect) {
    t.comment = tt.and_then(|x| x.comment.clone());
    t.engine = tt.and_then(|x| x.engine.clone());
    t.charset = tt.and_then(|x| x.charset.clone());
    t.collation = tt.and_then(|x| x.collation.clone());
    t.without_rowid = tt.is_some_and(|x| x.without_rowid);
    t.strict = tt.is_some_and(|x| x.strict);
    t.unlogged = tt.is_some_and(|x| x.unlogged);
    t.partition_key = None;
    t.partition_of = None;
    t.from_parent = None;
    t.inherits.clear();
    for c in &mut t.columns {
        let tc = tt.and_then(|x| x.column(&c.name));
        let same_type = tc.is_some_and(|tc| equivalent(&c.family, sd, &tc.family, td));
        match (tc, same_type) {
            (Some(tc), true) => {
                c.data_type = tc.data_type.clone();
                c.family = tc.family.clone();
            }
            _ => {
                c.data_type = spell(td, &c.family);
            }
        }
        c.collation = tc.and_then(|x| x.collation.clone());
        c.charset = tc.and_then(|x| x.charset.clone());
        c.comment = tc.and_then(|x| x.comment.clone());
        c.on_update = tc.and_then(|x| x.on_update.clone());
        // Auto-numbering: the same in TARGET's spelling when both sides have it.
        let auto = |col: &Column| col.identity.is_some() || col.owned_sequence.is_some();
        let source_auto = auto(c);
        c.identity = match tc {
            Some(x) if auto(x) == source_auto => x.identity.clone(),
            _ if !source_auto => None,
            _ => match td {
                Dialect::Mysql => Some(Identity::AutoIncrement),
                Dialect::Postgres => Some(Identity::ByDefault { sequence: None }),
                Dialect::Sqlite => None,
            },
        };
        c.owned_sequence = None;
        // Defaults: equal when they mean the same; else nextval() and the like do not travel.
        c.default = match (&c.default, tc.and_then(|x| x.default.as_ref())) {
            (Some(a), Some(b)) if portable_default(a) == portable_default(b) => Some(b.clone()),
            (Some(a), _) if a.contains("nextval(") => None,
            (Some(a), _) => Some(match portable_default(a).as_str() {
                "current_timestamp" => "CURRENT_TIMESTAMP".to_string(),
                "current_date" => "CURRENT_DATE".to_string(),
                _ => normalize::expr(a),
            }),
            (None, _) => None,
        };
        if let Some(g) = &c.generated {
            if let Some(tg) = tc.and_then(|x| x.generated.as_ref()) {
                if g.stored == tg.stored {
                    c.generated = Some(tg.clone());
                }
            }
        }
    }
    // Constraint and index details that do not travel.
    for i in &mut t.indexes {
        plain_index(i);
    }
    for fk in &mut t.foreign_keys {
        // NO ACTION and RESTRICT behave alike outside deferred checks; MariaDB reports an
        // unspecified action as RESTRICT.
        for a in [&mut fk.on_delete, &mut fk.on_update] {
            if *a == FkAction::Restrict {
                *a = FkAction::NoAction;
            }
        }
        fk.validated = true;
    }
    if let Some(tt) = tt {
        if let (Some(pk), Some(tpk)) = (&mut t.primary_key, &tt.primary_key) {
            if pk.columns == tpk.columns {
                pk.name = tpk.name.clone();
            }
        }
    }
}

/// Restates the FK actions of TARGET the same way, so that both sides compare alike.
pub fn align_target_actions(target: &mut Catalog) {
    for s in &mut target.schemas {
        for t in &mut s.tables {
            for fk in &mut t.foreign_keys {
                for a in [&mut fk.on_delete, &mut fk.on_update] {
                    if *a == FkAction::Restrict {
                        *a = FkAction::NoAction;
                    }
                }
                fk.validated = true;
            }
        }
    }
}

/// Drops what does not count across dialects: renames of constraints and indexes.
pub fn keep(change: &Change) -> bool {
    !matches!(
        change,
        Change::RenameConstraint { .. } | Change::RenameIndex { .. }
    )
}
