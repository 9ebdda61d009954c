//! MySQL/MariaDB data probes: for one change, the `SELECT count(*) …` queries that count, on
//! TARGET, the rows or values that would make it fail or that it would lose.
//!
//! Counts follow what the server enforces in its default, strict `sql_mode`
//! (`STRICT_TRANS_TABLES`): `ALTER TABLE` refuses a value that does not fit its new column (too
//! long, out of range, not a number or date, not a label of the ENUM/SET) and a NULL under a new
//! NOT NULL or primary key; it rounds decimals silently; it fills a new NOT NULL column without a
//! default with the type's implicit default (0, `''`, a zero date) instead of failing. Unique keys
//! treat NULLs as distinct and compare under the column's collation (as `GROUP BY` does); foreign
//! keys skip a key with a NULL column; a CHECK passes when its expression is NULL.
//!
//! Every identifier passes through [`crate::dialect::quote`]; expressions (check bodies, index
//! keys) are used as the catalog stores them.

use crate::dialect::probe::{self, Relation, Resolve, dup_what, duplicates, int_digits, int_range};
use crate::dialect::quote::my::{id, lit, qn};
use crate::model::*;

/// The probes for `change`, with the names of the plan it belongs to.
pub fn plan(change: &Change, target: &Catalog, names: &PlanNames) -> Probes {
    let mut out = Probes::default();
    Cx { target, names }.change(change, &mut out);
    out
}

struct Cx<'a> {
    target: &'a Catalog,
    names: &'a PlanNames,
}

/// A table of TARGET: its quoted name and columns.
struct Rel<'a> {
    sql: String,
    source: QualifiedName,
    table: &'a Table,
}

impl Relation for Rel<'_> {
    fn sql(&self) -> &str {
        &self.sql
    }

    fn has_column(&self, name: &str) -> bool {
        self.table.column(name).is_some()
    }
}

impl<'a> Resolve for Cx<'a> {
    type Rel = Rel<'a>;
    const DIALECT: Dialect = Dialect::Mysql;

    fn rel(&self, source: &QualifiedName) -> Option<Rel<'a>> {
        let t = self.names.target_table(source);
        let table = self.target.table(&t.schema, &t.name)?;
        Some(Rel {
            sql: qn(&t),
            source: source.clone(),
            table,
        })
    }

    fn col(&self, rel: &Rel, column: &str) -> Option<String> {
        let name = self.names.target_column(&rel.source, column);
        rel.table.column(&name).map(|c| id(&c.name))
    }
}

impl Cx<'_> {
    fn change(&self, change: &Change, out: &mut Probes) {
        use Change::*;
        if probe::common(self, change, out) {
            return;
        }
        match change {
            AddColumn { table, column } if !column.nullable && !probe::fills_itself(column) => {
                if let Some(r) = self.rel(table) {
                    // Not a failure: the server fills the column in.
                    probe::rows_of(
                        &r,
                        "rows are filled with the type's implicit default (0, '' or a zero date)",
                        CountEffect::Info,
                        out,
                    );
                }
            }
            AlterColumnType { table, from, to } => {
                if let Some(r) = self.rel(table) {
                    if r.table.column(&from.name).is_some() {
                        type_probes(&r.sql, &id(&from.name), from, to, out);
                    }
                }
            }
            AddPrimaryKey { table, primary_key } => {
                let Some(r) = self.rel(table) else { return };
                probe::primary_key(self, &r, &primary_key.columns, out);
            }
            AddUnique { table, unique } => {
                let Some(r) = self.rel(table) else { return };
                if let Some(keys) = self.cols(&r, &unique.columns) {
                    out.push(
                        dup_what(&unique.columns),
                        duplicates(&r.sql, &keys, false, None),
                        CountEffect::Fails,
                    );
                }
            }
            CreateIndex { table, index } if index.unique => {
                let Some(r) = self.rel(table) else { return };
                let mut keys = Vec::new();
                let mut shown = Vec::new();
                for k in &index.keys {
                    if k.expression {
                        keys.push(format!("({})", k.key));
                    } else {
                        let Some(c) = self.col(&r, &k.key) else {
                            return;
                        };
                        // A prefix key is unique on its first characters only.
                        keys.push(match k.prefix_length {
                            Some(n) => format!("LEFT({c}, {n})"),
                            None => c,
                        });
                    }
                    shown.push(k.key.clone());
                }
                out.push(
                    dup_what(&shown),
                    duplicates(&r.sql, &keys, false, None),
                    CountEffect::Fails,
                );
            }
            // InnoDB parses MATCH but checks every key as MATCH SIMPLE: a key with a NULL column
            // is not checked.
            AddForeignKey { table, foreign_key } => {
                probe::orphans(self, table, foreign_key, false, out)
            }
            AddCheck { table, check } => {
                if let Some(r) = self.rel(table) {
                    out.push(
                        "rows are rejected by the check",
                        probe::violations(&r.sql, &check.expression),
                        CountEffect::Fails,
                    );
                }
            }
            _ => {}
        }
    }
}

/// `1000` for 3: an exact decimal literal. (DECIMAL has at most 65 digits: a larger number from
/// a damaged snapshot is capped, not spelled out.)
fn power_of_ten(digits: u32) -> String {
    format!("1{}", "0".repeat(digits.min(66) as usize))
}

/// TINYTEXT, TEXT, MEDIUMTEXT, LONGTEXT: limits in bytes, not characters.
fn byte_limited(data_type: &str) -> bool {
    let t = data_type.trim().to_ascii_lowercase();
    ["tinytext", "text", "mediumtext", "longtext"]
        .iter()
        .any(|k| t == *k || t.starts_with(&format!("{k}(")) || t.starts_with(&format!("{k} ")))
}

/// Whether every value of `from` fits a text column of `m` (characters, or bytes when `bytes`).
fn text_fits(from: &Column, m: u64, bytes: bool) -> bool {
    match &from.family {
        TypeFamily::Text {
            max_len: Some(a), ..
        } => {
            let from_bytes = byte_limited(&from.data_type);
            match (from_bytes, bytes) {
                (false, true) => a.saturating_mul(4) <= m,
                (true, false) => false,
                _ => *a <= m,
            }
        }
        _ => false,
    }
}

/// What a type change would break, or lose, on the values present.
fn type_probes(t: &str, c: &str, from: &Column, to: &Column, out: &mut Probes) {
    use TypeFamily as F;
    let to_type = &to.data_type;
    let count_where =
        |cond: &str| format!("SELECT count(*) FROM {t} WHERE {c} IS NOT NULL AND ({cond})");
    match (&from.family, &to.family) {
        (
            _,
            F::Text {
                max_len: Some(m),
                fixed,
            },
        ) => {
            let bytes = byte_limited(to_type);
            if text_fits(from, *m, bytes) {
                return;
            }
            // CHAR drops trailing spaces without complaint; VARCHAR refuses them.
            let v = if *fixed {
                format!("TRIM(TRAILING ' ' FROM {c})")
            } else {
                c.to_string()
            };
            let (len, unit) = if bytes {
                ("LENGTH", "bytes")
            } else {
                ("CHAR_LENGTH", "characters")
            };
            out.push(
                format!("values are longer than {m} {unit}"),
                count_where(&format!("{len}({v}) > {m}")),
                CountEffect::Fails,
            );
        }
        (
            F::Integer {
                bits: a,
                unsigned: ua,
            },
            F::Integer {
                bits: b,
                unsigned: ub,
            },
        ) if b < a || ua != ub => {
            if let Some((lo, hi)) = int_range(*b, *ub) {
                out.push(
                    format!("values are out of range for {to_type}"),
                    count_where(&format!("{c} NOT BETWEEN {lo} AND {hi}")),
                    CountEffect::Fails,
                );
            }
        }
        (F::Decimal { .. } | F::Float { .. }, F::Integer { bits, unsigned }) => {
            if let Some((lo, hi)) = int_range(*bits, *unsigned) {
                out.push(
                    format!("values are out of range for {to_type}"),
                    count_where(&format!("ROUND({c}) NOT BETWEEN {lo} AND {hi}")),
                    CountEffect::Fails,
                );
            }
            out.push(
                "values would be rounded to whole numbers",
                count_where(&format!("{c} <> ROUND({c})")),
                CountEffect::Loses,
            );
        }
        (
            from_f @ (F::Integer { .. } | F::Decimal { .. } | F::Float { .. }),
            F::Decimal {
                precision: Some(p),
                scale,
            },
        ) => {
            let s = scale.unwrap_or(0);
            let whole = p.saturating_sub(s);
            let needed = match from_f {
                F::Integer { bits, .. } => Some(int_digits(*bits)),
                F::Decimal {
                    precision: Some(fp),
                    scale: fs,
                } => Some(fp.saturating_sub(fs.unwrap_or(0))),
                _ => None,
            };
            if needed.is_none_or(|n| n > whole) {
                out.push(
                    format!("values are too large for {to_type}"),
                    count_where(&format!("ABS(ROUND({c}, {s})) >= {}", power_of_ten(whole))),
                    CountEffect::Fails,
                );
            }
            let finer = match from_f {
                F::Integer { .. } => false,
                F::Decimal { scale: fs, .. } => fs.is_none_or(|fs| fs > s),
                _ => true,
            };
            if finer {
                out.push(
                    format!("values would be rounded to {s} decimal places"),
                    count_where(&format!("{c} <> ROUND({c}, {s})")),
                    CountEffect::Loses,
                );
            }
        }
        (F::Float { bits: 64 }, F::Float { bits: 32 }) => out.push(
            "values would lose precision",
            count_where(&format!("{c} <> CAST({c} AS FLOAT)")),
            CountEffect::Loses,
        ),
        (F::Timestamp { .. }, F::Date) => out.push(
            "values would lose their time of day",
            count_where(&format!("TIME({c}) <> '00:00:00'")),
            CountEffect::Loses,
        ),
        (F::Enum { values: a, .. }, F::Enum { values: b, .. })
        | (F::Set { values: a }, F::Set { values: b }) => {
            let removed: Vec<&String> = a.iter().filter(|v| !b.contains(v)).collect();
            if removed.is_empty() {
                return;
            }
            let set = matches!(to.family, F::Set { .. });
            let cond: Vec<String> = removed
                .iter()
                .map(|v| {
                    if set {
                        format!("FIND_IN_SET({}, {c}) > 0", lit(v))
                    } else {
                        format!("{c} = {}", lit(v))
                    }
                })
                .collect();
            let shown: Vec<String> = removed.iter().map(|v| format!("'{v}'")).collect();
            out.push(
                format!("rows are using a removed value ({})", shown.join(", ")),
                count_where(&cond.join(" OR ")),
                CountEffect::Fails,
            );
        }
        (_, F::Text { max_len: None, .. }) => {}
        (F::Text { .. }, F::Enum { values, .. }) if !values.is_empty() => {
            let labels: Vec<String> = values.iter().map(|l| lit(l)).collect();
            out.push(
                format!("values are not in {to_type}"),
                count_where(&format!("{c} NOT IN ({})", labels.join(", "))),
                CountEffect::Fails,
            );
        }
        (F::Text { .. }, to_f) => match text_check(c, to_f) {
            Some(cond) => out.push(
                format!("values cannot be converted to {to_type}"),
                count_where(&cond),
                CountEffect::Fails,
            ),
            None => out
                .notes
                .push(format!("not counted: which values convert to {to_type}")),
        },
        _ => {}
    }
}

/// A condition true for text values that strict mode refuses to convert to `to` (checked
/// against MariaDB 10.11: surrounding whitespace is accepted, anything else that is not a number
/// or a date is refused, numbers must fit).
fn text_check(c: &str, to: &TypeFamily) -> Option<String> {
    use TypeFamily as F;
    const INT: &str = "'^[[:space:]]*[-+]?[0-9]+[[:space:]]*$'";
    const NUM: &str =
        "'^[[:space:]]*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?[[:space:]]*$'";
    const TEMPORAL: &str = "'^[[:space:]]*[0-9][0-9[:space:]:./T-]*$'";
    let temporal = |ty: &str| format!("NOT ({c} REGEXP {TEMPORAL}) OR CAST({c} AS {ty}) IS NULL");
    match to {
        F::Integer { bits, unsigned } => {
            let (lo, hi) = int_range(*bits, *unsigned)?;
            Some(format!(
                "NOT ({c} REGEXP {INT}) OR CAST(TRIM({c}) AS DECIMAL(65,0)) NOT BETWEEN {lo} AND {hi}"
            ))
        }
        F::Boolean => Some(format!(
            "NOT ({c} REGEXP {INT}) OR CAST(TRIM({c}) AS DECIMAL(65,0)) NOT BETWEEN -128 AND 127"
        )),
        F::Decimal { precision, scale } => {
            let fits = match precision {
                Some(p) => {
                    let s = scale.unwrap_or(0).min(30);
                    format!(
                        " OR ABS(CAST(TRIM({c}) AS DECIMAL(65,{s}))) >= {}",
                        power_of_ten(p.saturating_sub(s))
                    )
                }
                None => String::new(),
            };
            Some(format!("NOT ({c} REGEXP {NUM}){fits}"))
        }
        F::Float { .. } => Some(format!("NOT ({c} REGEXP {NUM})")),
        F::Json { .. } => Some(format!("NOT JSON_VALID({c})")),
        F::Date => Some(temporal("DATE")),
        F::Timestamp { .. } => Some(temporal("DATETIME")),
        F::Time { .. } => Some(temporal("TIME")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_limits() {
        assert_eq!(power_of_ten(3), "1000");
        assert!(byte_limited("TINYTEXT") && byte_limited("text") && !byte_limited("varchar(20)"));
    }

    #[test]
    fn quoted_names() {
        let mut target = Catalog {
            dialect: Some(Dialect::Mysql),
            default_schema: "shop".into(),
            ..Catalog::default()
        };
        target.schema_mut("shop").tables.push(Table {
            name: "Odd`T".into(),
            columns: vec![Column {
                name: "c;x".into(),
                ordinal: 1,
                data_type: "varchar(10)".into(),
                family: TypeFamily::text(Some(10)),
                nullable: true,
                ..Column::default()
            }],
            ..Table::default()
        });
        let p = plan(
            &Change::SetNotNull {
                table: QualifiedName::new("shop", "Odd`T"),
                column: "c;x".into(),
            },
            &target,
            &PlanNames::default(),
        )
        .probes;
        assert_eq!(
            p[0].sql,
            "SELECT count(*) FROM `shop`.`Odd``T` WHERE `c;x` IS NULL"
        );
    }
}
