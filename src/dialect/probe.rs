//! The skeleton the dialects' probes share (`<db>/probe.rs`): the probes every database writes
//! alike ([`common`]: rows of a dropped table, values of a dropped column, NULLs under a new
//! NOT NULL, values a generated expression replaces), the key and foreign-key probes PostgreSQL
//! and MySQL write alike, and the SQL every dialect counts with (duplicates, orphans, rows a
//! check rejects).
//!
//! A dialect says how it finds, in TARGET, what a change names as SOURCE does ([`Resolve`]);
//! everything else here is the same text for every database.

use crate::dialect::quote;
use crate::model::*;

/// A relation of TARGET that a probe counts in.
pub(crate) trait Relation {
    /// Its quoted name, for `FROM`.
    fn sql(&self) -> &str;
    /// Whether it has a column of this name (TARGET's name).
    fn has_column(&self, name: &str) -> bool;
}

/// How a dialect finds in TARGET what a change names as SOURCE does.
pub(crate) trait Resolve {
    type Rel: Relation;
    const DIALECT: Dialect;

    /// TARGET's relation for a SOURCE-named one; `None` when TARGET has none (the plan creates
    /// it: a new table is empty, nothing to count).
    fn rel(&self, source: &QualifiedName) -> Option<Self::Rel>;

    /// TARGET's quoted name for a SOURCE-named column of `rel`, if TARGET has it.
    fn col(&self, rel: &Self::Rel, column: &str) -> Option<String>;

    /// TARGET's quoted names for SOURCE-named columns, if TARGET has them all.
    fn cols(&self, rel: &Self::Rel, columns: &[String]) -> Option<Vec<String>> {
        columns.iter().map(|c| self.col(rel, c)).collect()
    }
}

/// The probes every dialect writes alike. Returns whether `change` was one of them (then the
/// dialect adds nothing of its own).
pub(crate) fn common<R: Resolve>(r: &R, change: &Change, out: &mut Probes) -> bool {
    use Change::*;
    let id = |s: &str| quote::ident(R::DIALECT, s);
    match change {
        DropTable { schema, table } => {
            let t = QualifiedName::new(schema.clone(), table.name.clone());
            if let Some(rel) = r.rel(&t) {
                out.push(
                    "rows would be lost",
                    format!("SELECT count(*) FROM {}", rel.sql()),
                    CountEffect::Loses,
                );
            }
        }
        DropColumn { table, column } => {
            // The column is named as TARGET names it (it is gone from SOURCE).
            if let Some(rel) = r.rel(table).filter(|rel| rel.has_column(&column.name)) {
                out.push(
                    "values would be lost",
                    format!(
                        "SELECT count(*) FROM {} WHERE {} IS NOT NULL",
                        rel.sql(),
                        id(&column.name)
                    ),
                    CountEffect::Loses,
                );
            }
        }
        SetNotNull { table, column } => {
            if let Some(rel) = r.rel(table) {
                if let Some(c) = r.col(&rel, column) {
                    out.push(
                        "rows are NULL",
                        format!("SELECT count(*) FROM {} WHERE {c} IS NULL", rel.sql()),
                        CountEffect::Fails,
                    );
                    out.push(
                        "rows are in the table",
                        format!("SELECT count(*) FROM {}", rel.sql()),
                        CountEffect::Info,
                    );
                }
            }
        }
        AlterGenerated { table, from, to }
            if from.generated.is_none() && to.generated.is_some() =>
        {
            if let Some(rel) = r.rel(table).filter(|rel| rel.has_column(&from.name)) {
                out.push(
                    "values would be replaced by computed ones",
                    format!(
                        "SELECT count(*) FROM {} WHERE {} IS NOT NULL",
                        rel.sql(),
                        id(&from.name)
                    ),
                    CountEffect::Loses,
                );
            }
        }
        _ => return false,
    }
    true
}

/// Whether a new column fills itself in for the rows already there.
pub(crate) fn fills_itself(column: &Column) -> bool {
    column.default.is_some() || column.identity.is_some() || column.generated.is_some()
}

/// The rows of `rel`, counted as `what` (a NOT NULL column without a default added to it).
pub(crate) fn rows_of(rel: &impl Relation, what: &str, effect: CountEffect, out: &mut Probes) {
    out.push(what, format!("SELECT count(*) FROM {}", rel.sql()), effect);
}

/// A new primary key (PostgreSQL, MySQL): NULLs in each of its columns, and duplicates.
pub(crate) fn primary_key<R: Resolve>(r: &R, rel: &R::Rel, columns: &[String], out: &mut Probes) {
    for c in columns {
        if let Some(qc) = r.col(rel, c) {
            out.push(
                format!("rows are NULL in {c}"),
                format!("SELECT count(*) FROM {} WHERE {qc} IS NULL", rel.sql()),
                CountEffect::Fails,
            );
        }
    }
    if let Some(keys) = r.cols(rel, columns) {
        out.push(
            dup_what(columns),
            duplicates(rel.sql(), &keys, false, None),
            CountEffect::Fails,
        );
    }
}

/// Rows of `table` whose foreign key has no match (PostgreSQL, MySQL), for a key named as
/// SOURCE names it. `match_full`: a partly NULL key fails too.
pub(crate) fn orphans<R: Resolve>(
    r: &R,
    table: &QualifiedName,
    fk: &ForeignKey,
    match_full: bool,
    out: &mut Probes,
) {
    let Some(child) = r.rel(table) else { return };
    let Some(parent) = r.rel(&fk.ref_table) else {
        // The referenced table is new in this plan (or unknown to TARGET): nothing to count.
        return;
    };
    let (Some(cols), Some(refs)) = (
        r.cols(&child, &fk.columns),
        r.cols(&parent, &fk.ref_columns),
    ) else {
        return;
    };
    out.push(
        format!("rows are orphaned (no match in {})", fk.ref_table),
        orphan_sql(child.sql(), &cols, parent.sql(), &refs, match_full),
        CountEffect::Fails,
    );
}

/// `values of a are duplicated`, `values of (a, b) are duplicated`.
pub(crate) fn dup_what(columns: &[String]) -> String {
    if columns.len() == 1 {
        format!("values of {} are duplicated", columns[0])
    } else {
        format!("values of ({}) are duplicated", columns.join(", "))
    }
}

/// The number of key values held by more than one row. Rows with a NULL key are distinct from
/// each other (and so never duplicates) unless `nulls_not_distinct`.
pub(crate) fn duplicates(
    table: &str,
    keys: &[String],
    nulls_not_distinct: bool,
    predicate: Option<&str>,
) -> String {
    let mut conds: Vec<String> = Vec::new();
    if !nulls_not_distinct {
        conds.extend(keys.iter().map(|k| format!("{k} IS NOT NULL")));
    }
    if let Some(p) = predicate {
        conds.push(format!("({p})"));
    }
    let filter = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    format!(
        "SELECT count(*) FROM (SELECT 1 FROM {table}{filter} GROUP BY {} HAVING count(*) > 1) d",
        keys.join(", ")
    )
}

/// Rows whose key points nowhere. With MATCH SIMPLE a row with any NULL key column is not
/// checked; with MATCH FULL a key that is partly NULL fails too.
pub(crate) fn orphan_sql(
    child: &str,
    cols: &[String],
    parent: &str,
    refs: &[String],
    match_full: bool,
) -> String {
    let all_set: Vec<String> = cols.iter().map(|c| format!("c.{c} IS NOT NULL")).collect();
    let join: Vec<String> = cols
        .iter()
        .zip(refs)
        .map(|(c, r)| format!("p.{r} = c.{c}"))
        .collect();
    let missing = format!(
        "NOT EXISTS (SELECT 1 FROM {parent} p WHERE {})",
        join.join(" AND ")
    );
    let cond = if match_full && cols.len() > 1 {
        let all_null: Vec<String> = cols.iter().map(|c| format!("c.{c} IS NULL")).collect();
        format!(
            "NOT ({}) AND (NOT ({}) OR {missing})",
            all_null.join(" AND "),
            all_set.join(" AND ")
        )
    } else {
        format!("{} AND {missing}", all_set.join(" AND "))
    };
    format!("SELECT count(*) FROM {child} c WHERE {cond}")
}

/// Rows a check rejects (a NULL result passes a check).
pub(crate) fn violations(table: &str, expression: &str) -> String {
    format!("SELECT count(*) FROM {table} WHERE NOT ({expression})")
}

/// The range of an integer of `bits` (signed or not); `None` for a width no integer has.
pub(crate) fn int_range(bits: u8, unsigned: bool) -> Option<(i128, i128)> {
    if bits == 0 || bits > 64 {
        return None;
    }
    Some(if unsigned {
        (0, (1i128 << bits) - 1)
    } else {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    })
}

/// Decimal digits an integer of `bits` may need.
pub fn int_digits(bits: u8) -> u32 {
    match bits {
        0..=8 => 3,
        9..=16 => 5,
        17..=24 => 8,
        25..=32 => 10,
        _ => 19,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_sql() {
        assert_eq!(
            duplicates(
                "\"s\".\"t\"",
                &["\"a\"".into(), "\"b\"".into()],
                false,
                None
            ),
            "SELECT count(*) FROM (SELECT 1 FROM \"s\".\"t\" WHERE \"a\" IS NOT NULL AND \"b\" IS NOT NULL GROUP BY \"a\", \"b\" HAVING count(*) > 1) d"
        );
        assert_eq!(
            duplicates("t", &["\"a\"".into()], true, Some("a > 0")),
            "SELECT count(*) FROM (SELECT 1 FROM t WHERE (a > 0) GROUP BY \"a\" HAVING count(*) > 1) d"
        );
    }

    #[test]
    fn orphan_sql_match_full() {
        let s = orphan_sql(
            "c",
            &["\"a\"".into(), "\"b\"".into()],
            "p",
            &["\"x\"".into(), "\"y\"".into()],
            true,
        );
        assert!(
            s.contains("NOT (c.\"a\" IS NULL AND c.\"b\" IS NULL)"),
            "{s}"
        );
    }

    #[test]
    fn ranges() {
        assert_eq!(int_range(8, false), Some((-128, 127)));
        assert_eq!(int_range(24, true), Some((0, 16_777_215)));
        assert_eq!(int_range(64, true), Some((0, 18_446_744_073_709_551_615)));
        assert_eq!(
            int_range(16, false),
            Some((i16::MIN.into(), i16::MAX.into()))
        );
        assert_eq!(int_range(0, false), None);
    }
}
