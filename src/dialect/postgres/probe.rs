//! PostgreSQL data probes: for one change, the `SELECT count(*) …` queries that count, on TARGET,
//! the rows or values that would make it fail or that it would lose.
//!
//! Probes only read. Every identifier passes through [`crate::dialect::quote`]; expressions (check
//! bodies, index keys and predicates) are used as the catalog stores them. Changes name tables and
//! columns as SOURCE does; [`PlanNames`] maps them back to TARGET's names. A probe whose table or
//! column does not exist in TARGET (created by the plan) is not written: a new table is empty.

use crate::dialect::probe::{
    self, Relation, Resolve, dup_what, duplicates, int_digits, orphan_sql, violations,
};
use crate::dialect::quote::pg::{id, lit, q2, qn};
use crate::model::change::ColumnUse;
use crate::model::*;

/// The probes for `change`, with the names of the plan it belongs to (outside any plan:
/// `PlanNames::default()`, and a table or column missing from TARGET under SOURCE's name is
/// skipped).
pub fn plan(change: &Change, target: &Catalog, names: &PlanNames) -> Probes {
    let mut out = Probes::default();
    let cx = Cx { target, names };
    cx.change(change, &mut out);
    out
}

/// The server's major version (`15` of `15.5 (Debian …)`).
pub fn major_version(server_version: &str) -> Option<u32> {
    let digits: String = server_version
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

struct Cx<'a> {
    target: &'a Catalog,
    names: &'a PlanNames,
}

/// A relation of TARGET: its quoted name and its column names.
struct Rel {
    sql: String,
    source: QualifiedName,
    columns: Vec<String>,
}

impl Relation for Rel {
    fn sql(&self) -> &str {
        &self.sql
    }

    fn has_column(&self, name: &str) -> bool {
        self.columns.iter().any(|c| c == name)
    }
}

impl Resolve for Cx<'_> {
    type Rel = Rel;
    const DIALECT: Dialect = Dialect::Postgres;

    /// TARGET's table (or materialized view) for a SOURCE-named one.
    fn rel(&self, source: &QualifiedName) -> Option<Rel> {
        let t = self.names.target_table(source);
        let schema = self.target.schema(&t.schema)?;
        let columns = if let Some(tab) = schema.table(&t.name) {
            tab.columns.iter().map(|c| c.name.clone()).collect()
        } else {
            schema.view(&t.name)?.columns.clone()
        };
        Some(Rel {
            sql: qn(&t),
            source: source.clone(),
            columns,
        })
    }

    fn col(&self, rel: &Rel, column: &str) -> Option<String> {
        let name = self.names.target_column(&rel.source, column);
        rel.columns.contains(&name).then(|| id(&name))
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
                    probe::rows_of(&r, "rows are in the table", CountEffect::Fails, out);
                }
            }
            AlterColumnType { table, from, to } => {
                if let Some(r) = self.rel(table) {
                    if r.columns.contains(&from.name) {
                        let v = self.target.server_version.as_str();
                        type_probes(&r.sql, &id(&from.name), from, to, major_version(v), out);
                    }
                }
            }
            AddPrimaryKey { table, primary_key } => {
                if let Some(r) = self.rel(table) {
                    probe::primary_key(self, &r, &primary_key.columns, out);
                }
            }
            AddUnique { table, unique } => {
                if let Some(r) = self.rel(table) {
                    if let Some(keys) = self.cols(&r, &unique.columns) {
                        out.push(
                            dup_what(&unique.columns),
                            duplicates(&r.sql, &keys, unique.nulls_not_distinct, None),
                            CountEffect::Fails,
                        );
                    }
                }
            }
            CreateIndex { table, index } if index.unique => {
                if let Some(r) = self.rel(table) {
                    let mut keys = Vec::new();
                    let mut shown = Vec::new();
                    for k in &index.keys {
                        if k.expression {
                            keys.push(format!("({})", k.key));
                        } else {
                            match self.col(&r, &k.key) {
                                Some(c) => keys.push(c),
                                None => return,
                            }
                        }
                        shown.push(k.key.clone());
                    }
                    out.push(
                        dup_what(&shown),
                        duplicates(
                            &r.sql,
                            &keys,
                            index.nulls_not_distinct,
                            index.predicate.as_deref(),
                        ),
                        CountEffect::Fails,
                    );
                }
            }
            AddForeignKey { table, foreign_key } if foreign_key.validated => {
                probe::orphans(self, table, foreign_key, foreign_key.match_full, out);
            }
            AddCheck { table, check } if check.validated => {
                if let Some(r) = self.rel(table) {
                    out.push(
                        "rows are rejected by the check",
                        violations(&r.sql, &check.expression),
                        CountEffect::Fails,
                    );
                }
            }
            ValidateConstraint { table, name } => {
                let t = self.names.target_table(table);
                let Some(tab) = self.target.table(&t.schema, &t.name) else {
                    return;
                };
                if let Some(ch) = tab.checks.iter().find(|c| c.name == *name) {
                    out.push(
                        "rows are rejected by the check",
                        violations(&qn(&t), &ch.expression),
                        CountEffect::Fails,
                    );
                } else if let Some(fk) = tab.foreign_keys.iter().find(|f| f.name == *name) {
                    // TARGET's own constraint: its names are TARGET's already.
                    self.orphans_in(&qn(&t), &fk.columns, fk, &fk.ref_columns, out);
                }
            }
            RebuildEnum {
                from, to, columns, ..
            } => {
                let removed: Vec<&String> = from
                    .labels
                    .iter()
                    .filter(|l| !to.labels.contains(l))
                    .collect();
                if removed.is_empty() {
                    return;
                }
                // The differ lists TARGET's columns of the type, under TARGET's names.
                for u in columns {
                    if self.target.table(&u.table.schema, &u.table.name).is_some() {
                        out.push(
                            format!(
                                "rows of {}.{} are set to a removed label",
                                u.table, u.column
                            ),
                            removed_labels(u, &removed),
                            CountEffect::Fails,
                        );
                    }
                }
            }
            AlterSequence { schema, from, to } => {
                let (a, b) = (&from.options, &to.options);
                let narrower = b.max_value < a.max_value || b.min_value > a.min_value;
                let exists = self
                    .target
                    .schema(schema)
                    .is_some_and(|s| s.sequences.iter().any(|q| q.name == from.name));
                if narrower && exists {
                    out.push(
                        format!(
                            "current values are outside the new range {}..{}",
                            b.min_value, b.max_value
                        ),
                        format!(
                            "SELECT count(*) FROM {} WHERE last_value > {} OR last_value < {}",
                            q2(schema, &from.name),
                            b.max_value,
                            b.min_value
                        ),
                        CountEffect::Fails,
                    );
                }
            }
            _ => {}
        }
    }

    /// The same, for a key already in TARGET (its names are TARGET's).
    fn orphans_in(
        &self,
        child: &str,
        columns: &[String],
        fk: &ForeignKey,
        ref_columns: &[String],
        out: &mut Probes,
    ) {
        let r = &fk.ref_table;
        if self.target.table(&r.schema, &r.name).is_none() {
            return;
        }
        let cols: Vec<String> = columns.iter().map(|c| id(c)).collect();
        let refs: Vec<String> = ref_columns.iter().map(|c| id(c)).collect();
        out.push(
            format!("rows are orphaned (no match in {r})"),
            orphan_sql(child, &cols, &qn(r), &refs, fk.match_full),
            CountEffect::Fails,
        );
    }
}

fn removed_labels(u: &ColumnUse, removed: &[&String]) -> String {
    let labels: Vec<String> = removed.iter().map(|l| lit(l)).collect();
    let c = id(&u.column);
    let cond = if u.data_type.ends_with("[]") {
        format!("{c}::text[] && ARRAY[{}]::text[]", labels.join(", "))
    } else {
        format!("{c}::text IN ({})", labels.join(", "))
    };
    format!("SELECT count(*) FROM {} WHERE {cond}", qn(&u.table))
}

fn int_range(bits: u8) -> Option<(i128, i128)> {
    match bits {
        16 => Some((i16::MIN.into(), i16::MAX.into())),
        32 => Some((i32::MIN.into(), i32::MAX.into())),
        64 => Some((i64::MIN.into(), i64::MAX.into())),
        _ => None,
    }
}

/// What a type change would break, or lose, on the values present.
fn type_probes(t: &str, c: &str, from: &Column, to: &Column, major: Option<u32>, out: &mut Probes) {
    use TypeFamily as F;
    let to_type = &to.data_type;
    let nonnull = format!("{c} IS NOT NULL");
    let count_where = |cond: &str| format!("SELECT count(*) FROM {t} WHERE {nonnull} AND {cond}");
    // PostgreSQL 16 can ask the type's own input function.
    let input_valid = major.is_some_and(|m| m >= 16);
    match (&from.family, &to.family) {
        (
            F::Text { max_len: a, .. },
            F::Text {
                max_len: Some(m), ..
            },
        ) if a.is_none_or(|a| a > *m) => {
            out.push(
                format!("values are longer than {m} characters"),
                count_where(&format!("length({c}) > {m}")),
                CountEffect::Fails,
            );
        }
        // Text that fits whatever it holds.
        (F::Text { .. }, F::Text { .. }) => {}
        (
            _,
            F::Text {
                max_len: Some(m), ..
            },
        ) => out.push(
            format!("values are longer than {m} characters"),
            count_where(&format!("length({c}::text) > {m}")),
            CountEffect::Fails,
        ),
        (F::Integer { bits: a, .. }, F::Integer { bits: b, .. }) if b < a => {
            if let Some((lo, hi)) = int_range(*b) {
                out.push(
                    format!("values are out of range for {to_type}"),
                    count_where(&format!("{c} NOT BETWEEN {lo} AND {hi}")),
                    CountEffect::Fails,
                );
            }
        }
        (F::Decimal { .. } | F::Float { .. }, F::Integer { bits, .. }) => {
            if let Some((lo, hi)) = int_range(*bits) {
                out.push(
                    format!("values are out of range for {to_type}"),
                    count_where(&format!("round({c}) NOT BETWEEN {lo} AND {hi}")),
                    CountEffect::Fails,
                );
            }
            out.push(
                "values would be rounded to whole numbers",
                count_where(&format!("{c} <> round({c})")),
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
                    count_where(&format!(
                        "abs(round({c}::numeric, {s})) >= 10::numeric ^ {whole}"
                    )),
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
                    count_where(&format!("{c}::numeric <> round({c}::numeric, {s})")),
                    CountEffect::Loses,
                );
            }
        }
        (F::Float { bits: 64 }, F::Float { bits: 32 }) => out.push(
            "values would lose precision",
            count_where(&format!("{c} <> {c}::real::double precision")),
            CountEffect::Loses,
        ),
        (F::Timestamp { .. }, F::Date) => out.push(
            "values would lose their time of day",
            count_where(&format!("{c} <> date_trunc('day', {c})")),
            CountEffect::Loses,
        ),
        (F::Text { .. } | F::Enum { .. }, F::Enum { values, .. }) if !values.is_empty() => {
            let labels: Vec<String> = values.iter().map(|l| lit(l)).collect();
            out.push(
                format!("values are not labels of {to_type}"),
                count_where(&format!("{c}::text NOT IN ({})", labels.join(", "))),
                CountEffect::Fails,
            );
        }
        (F::Text { .. }, to_f) => {
            let what = format!("values do not convert to {to_type}");
            if input_valid {
                out.push(
                    what,
                    count_where(&format!("NOT pg_input_is_valid({c}, {})", lit(to_type))),
                    CountEffect::Fails,
                );
                return;
            }
            match text_check(c, to_f) {
                Some(cond) => out.push(what, count_where(&cond), CountEffect::Fails),
                None => out.notes.push(format!(
                    "not counted: which values convert to {to_type} (needs PostgreSQL 16's pg_input_is_valid)"
                )),
            }
        }
        _ => {}
    }
}

/// For PostgreSQL before 16: a condition true for text values that the type's input function
/// rejects, for the types whose input syntax is simple enough to check exactly.
fn text_check(c: &str, to: &TypeFamily) -> Option<String> {
    use TypeFamily as F;
    // The whitespace `isspace` accepts around numbers and booleans.
    const WS: &str = "' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)";
    match to {
        F::Integer { bits, .. } => {
            let (lo, hi) = int_range(*bits)?;
            Some(format!(
                "CASE WHEN {c} ~ '^\\s*[-+]?[0-9]+\\s*$' THEN btrim({c}, {WS})::numeric NOT BETWEEN {lo} AND {hi} ELSE true END"
            ))
        }
        F::Decimal { precision, scale } => {
            let pattern = "'^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$'";
            let fits = match precision {
                Some(p) => {
                    let s = scale.unwrap_or(0);
                    format!(
                        "abs(round(btrim({c}, {WS})::numeric, {s})) >= 10::numeric ^ {}",
                        p.saturating_sub(s)
                    )
                }
                None => "false".into(),
            };
            Some(format!(
                "CASE WHEN lower(btrim({c}, {WS})) = 'nan' THEN false WHEN {c} ~ {pattern} THEN {fits} ELSE true END"
            ))
        }
        F::Boolean => Some(format!(
            "lower(btrim({c}, {WS})) NOT IN ('t', 'tr', 'tru', 'true', 'f', 'fa', 'fal', 'fals', 'false', 'y', 'ye', 'yes', 'n', 'no', 'on', 'of', 'off', '1', '0')"
        )),
        F::Uuid => Some(format!(
            "{c} !~* '^([{{][0-9a-f]{{4}}(-?[0-9a-f]{{4}}){{7}}[}}]|[0-9a-f]{{4}}(-?[0-9a-f]{{4}}){{7}})$'"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(major_version("15.5 (Debian 15.5-1.pgdg120+1)"), Some(15));
        assert_eq!(major_version("16beta1"), Some(16));
        assert_eq!(major_version(""), None);
    }

    #[test]
    fn quoted_names() {
        let mut target = Catalog::default();
        target.schema_mut("public").tables.push(Table {
            name: "Odd \"T\"".into(),
            columns: vec![Column {
                name: "c;x".into(),
                ordinal: 1,
                data_type: "text".into(),
                family: TypeFamily::text(None),
                nullable: true,
                ..Column::default()
            }],
            ..Table::default()
        });
        let p = plan(
            &Change::SetNotNull {
                table: QualifiedName::new("public", "Odd \"T\""),
                column: "c;x".into(),
            },
            &target,
            &PlanNames::default(),
        )
        .probes;
        assert_eq!(
            p[0].sql,
            "SELECT count(*) FROM \"public\".\"Odd \"\"T\"\"\" WHERE \"c;x\" IS NULL"
        );
        // A table TARGET does not have gives no probe.
        let none = plan(
            &Change::SetNotNull {
                table: QualifiedName::new("public", "new"),
                column: "c".into(),
            },
            &target,
            &PlanNames::default(),
        )
        .probes;
        assert!(none.is_empty());
    }
}
