//! SQLite data probes: for one change, the `SELECT count(*) …` queries that count, on TARGET, the
//! rows or values that would make it fail or that it would lose.
//!
//! What SQLite enforces decides what a count means:
//! - NOT NULL, UNIQUE, PRIMARY KEY, CHECK and (after a rebuild, `PRAGMA foreign_key_check`)
//!   foreign keys are enforced: offending rows make the change fail. A PRIMARY KEY of an
//!   ordinary rowid table admits NULLs (a known SQLite quirk), an INTEGER PRIMARY KEY numbers a
//!   NULL itself, and a CHECK passes when its expression is NULL.
//! - Declared lengths, integer ranges and decimal precision are not enforced: values that exceed
//!   them are kept as they are, and are counted for information only.
//! - A type change changes the column's affinity: text that reads as a number is stored as a
//!   number (`'007'` becomes `7`), other values are kept as they are; only a STRICT table refuses
//!   values its column type cannot hold.
//!
//! A [`Change::RebuildTable`] is probed as the union of the changes it carries out, each count
//! attributed to its change ([`Probe::part`]). Constraint probes of a rebuild count on the rows as
//! the rebuild will write them: a derived table that shows TARGET's rows under SOURCE's column
//! names, with new columns at their defaults, so that renamed and added columns are counted too.

use super::render::rowid_alias;
use crate::dialect::probe::{
    self, Relation, Resolve, dup_what, duplicates, int_range, orphan_sql, violations,
};
use crate::dialect::quote::lite::{id, qn};
use crate::model::*;

/// The probes for `change`, with the names of the plan it belongs to.
pub fn plan(change: &Change, target: &Catalog, names: &PlanNames) -> Probes {
    let mut out = Probes::default();
    match change {
        Change::RebuildTable {
            table,
            from,
            to,
            renamed,
            replaces,
        } => {
            let cx = Cx {
                target,
                names,
                rebuild: Some(Rebuild {
                    table,
                    from,
                    to,
                    renamed,
                }),
            };
            for (i, r) in replaces.iter().enumerate() {
                let mut part = Probes::default();
                cx.change(r, &mut part);
                out.extend_part(i, part);
            }
        }
        other => Cx {
            target,
            names,
            rebuild: None,
        }
        .change(other, &mut out),
    }
    out
}

/// The rebuild a change is part of.
struct Rebuild<'a> {
    /// As SOURCE names it.
    table: &'a QualifiedName,
    /// TARGET's table, under TARGET's names.
    from: &'a Table,
    /// SOURCE's table: what the rebuild writes.
    to: &'a Table,
    /// (TARGET column, SOURCE column).
    renamed: &'a [(String, String)],
}

struct Cx<'a> {
    target: &'a Catalog,
    names: &'a PlanNames,
    rebuild: Option<Rebuild<'a>>,
}

/// What a count reads: a table, or a derived table and the name it goes by.
struct Rows {
    sql: String,
    alias: Option<String>,
}

impl Rows {
    /// For `FROM …`.
    fn named(&self) -> String {
        match &self.alias {
            Some(a) => format!("{} AS {a}", self.sql),
            None => self.sql.clone(),
        }
    }
}

/// A table of TARGET: its quoted name, its columns, and whether it is the one being rebuilt.
struct Rel<'a> {
    sql: String,
    source: QualifiedName,
    table: &'a Table,
    rebuilt: bool,
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
    const DIALECT: Dialect = Dialect::Sqlite;

    /// TARGET's table for a SOURCE-named one.
    fn rel(&self, source: &QualifiedName) -> Option<Rel<'a>> {
        if let Some(rb) = &self.rebuild {
            if rb.table == source {
                return Some(Rel {
                    sql: qn(&QualifiedName::new(&source.schema, &rb.from.name)),
                    source: source.clone(),
                    table: rb.from,
                    rebuilt: true,
                });
            }
        }
        let t = self.names.target_table(source);
        let table = self.target.table(&t.schema, &t.name)?;
        Some(Rel {
            sql: qn(&t),
            source: source.clone(),
            table,
            rebuilt: false,
        })
    }

    fn col(&self, rel: &Rel, column: &str) -> Option<String> {
        self.col_name(rel, column).map(|c| id(&c))
    }
}

impl<'a> Cx<'a> {
    /// TARGET's name for a SOURCE-named column, if TARGET has it.
    fn col_name(&self, rel: &Rel, column: &str) -> Option<String> {
        let mut name = self.names.target_column(&rel.source, column);
        if rel.rebuilt && name == column {
            if let Some(rb) = &self.rebuild {
                if let Some((old, _)) = rb.renamed.iter().find(|(_, new)| new == column) {
                    name = old.clone();
                }
            }
        }
        rel.table.column(&name).map(|c| c.name.clone())
    }

    /// Whether the table as it will be is STRICT.
    fn strict(&self, rel: &Rel) -> bool {
        match &self.rebuild {
            Some(rb) if rel.rebuilt => rb.to.strict,
            _ => rel.table.strict,
        }
    }

    /// The table as it will be, when the change is part of its rebuild.
    fn new_table(&self, rel: &Rel) -> Option<&'a Table> {
        match &self.rebuild {
            Some(rb) if rel.rebuilt => Some(rb.to),
            _ => None,
        }
    }

    /// The rows the rebuild writes, under SOURCE's column names: `(SELECT … FROM "main"."t")`.
    /// New columns take their default (NULL without one; a new INTEGER PRIMARY KEY the rowid, as
    /// the rebuild does); generated columns are computed.
    fn new_rows(&self, rel: &Rel) -> Option<String> {
        let rb = self.rebuild.as_ref().filter(|_| rel.rebuilt)?;
        let alias = rowid_alias(rb.to);
        let mut base = Vec::new();
        let mut generated = Vec::new();
        for c in &rb.to.columns {
            if let Some(g) = &c.generated {
                generated.push(format!("({}) AS {}", g.expression, id(&c.name)));
                continue;
            }
            let value = match self.col_name(rel, &c.name) {
                Some(old) => id(&old),
                None if alias == Some(c.name.as_str()) && !rb.from.without_rowid => {
                    "rowid".to_string()
                }
                None => match &c.default {
                    Some(d) => format!("({d})"),
                    None => "NULL".to_string(),
                },
            };
            base.push(format!("{value} AS {}", id(&c.name)));
        }
        if base.is_empty() {
            return None;
        }
        let inner = format!("SELECT {} FROM {}", base.join(", "), rel.sql);
        Some(if generated.is_empty() {
            format!("({inner})")
        } else {
            format!("(SELECT *, {} FROM ({inner}))", generated.join(", "))
        })
    }

    /// Where a constraint of SOURCE-named columns is checked: the rows the rebuild writes (its
    /// columns under SOURCE's names), or TARGET's table (its columns mapped to TARGET's names).
    fn keyed(&self, rel: &Rel, columns: &[String]) -> Option<(Rows, Vec<String>)> {
        if let (Some(sql), Some(to)) = (self.new_rows(rel), self.new_table(rel)) {
            let cols = columns
                .iter()
                .map(|c| to.column(c).map(|_| id(c)))
                .collect::<Option<Vec<_>>>()?;
            let alias = Some(id(&to.name));
            return Some((Rows { sql, alias }, cols));
        }
        let cols = columns
            .iter()
            .map(|c| self.col(rel, c))
            .collect::<Option<Vec<_>>>()?;
        let rows = Rows {
            sql: rel.sql.clone(),
            alias: None,
        };
        Some((rows, cols))
    }

    fn change(&self, change: &Change, out: &mut Probes) {
        use Change::*;
        if probe::common(self, change, out) {
            return;
        }
        match change {
            AddColumn { table, column } => {
                let Some(r) = self.rel(table) else { return };
                // A new INTEGER PRIMARY KEY takes the rows' rowids.
                let numbered = self
                    .new_table(&r)
                    .and_then(rowid_alias)
                    .is_some_and(|a| a == column.name);
                if !column.nullable && !probe::fills_itself(column) && !numbered {
                    probe::rows_of(&r, "rows are in the table", CountEffect::Fails, out);
                }
            }
            AlterColumnType { table, from, to } => {
                if let Some(r) = self.rel(table) {
                    if r.table.column(&from.name).is_some() {
                        let c = id(&from.name);
                        let strict = (r.table.strict, self.strict(&r));
                        type_probes(&r.sql, &c, from, to, strict, out);
                    }
                }
            }
            AddPrimaryKey { table, primary_key } => {
                let Some(r) = self.rel(table) else { return };
                let Some((rows, keys)) = self.keyed(&r, &primary_key.columns) else {
                    return;
                };
                let new = self.new_table(&r).unwrap_or(r.table);
                let alias = rowid_alias(new).filter(|_| primary_key.columns.len() == 1);
                for (c, k) in primary_key.columns.iter().zip(&keys) {
                    let (what, effect) = if alias.is_some() {
                        (
                            format!("rows are NULL in {c} (numbered as new rowids)"),
                            CountEffect::Info,
                        )
                    } else if new.strict || new.without_rowid {
                        (format!("rows are NULL in {c}"), CountEffect::Fails)
                    } else {
                        (
                            format!("rows are NULL in {c} (SQLite admits NULL in this key)"),
                            CountEffect::Info,
                        )
                    };
                    out.push(
                        what,
                        format!("SELECT count(*) FROM {} WHERE {k} IS NULL", rows.named()),
                        effect,
                    );
                    if alias.is_some() {
                        out.push(
                            format!("values of {c} are not integers"),
                            format!(
                                "SELECT count(*) FROM {} WHERE {k} IS NOT NULL AND NOT ({})",
                                rows.named(),
                                stores_as(k, Strict::Integer)
                            ),
                            CountEffect::Fails,
                        );
                    }
                }
                out.push(
                    dup_what(&primary_key.columns),
                    duplicates(&rows.named(), &keys, false, None),
                    CountEffect::Fails,
                );
            }
            AddUnique { table, unique } => {
                let Some(r) = self.rel(table) else { return };
                if let Some((rows, keys)) = self.keyed(&r, &unique.columns) {
                    out.push(
                        dup_what(&unique.columns),
                        duplicates(&rows.named(), &keys, false, None),
                        CountEffect::Fails,
                    );
                }
            }
            CreateIndex { table, index } if index.unique => {
                let Some(r) = self.rel(table) else { return };
                let plain: Vec<String> = index
                    .keys
                    .iter()
                    .filter(|k| !k.expression)
                    .map(|k| k.key.clone())
                    .collect();
                let Some((rows, cols)) = self.keyed(&r, &plain) else {
                    return;
                };
                let rebuilt = rows.alias.is_some();
                let needs_source_names =
                    index.keys.iter().any(|k| k.expression) || index.predicate.is_some();
                if needs_source_names && !rebuilt && self.names.renames_in(table) {
                    // Expressions name SOURCE's columns; TARGET's differ.
                    out.notes.push(format!(
                        "not counted: duplicates of index {} (its expressions name renamed columns)",
                        index.name
                    ));
                    return;
                }
                let mut cols = cols.into_iter();
                let mut keys = Vec::new();
                for k in &index.keys {
                    if k.expression {
                        keys.push(format!("({})", k.key));
                    } else if let Some(c) = cols.next() {
                        keys.push(c);
                    }
                }
                let shown: Vec<String> = index.keys.iter().map(|k| k.key.clone()).collect();
                out.push(
                    dup_what(&shown),
                    duplicates(&rows.named(), &keys, false, index.predicate.as_deref()),
                    CountEffect::Fails,
                );
            }
            AddForeignKey { table, foreign_key } => self.orphans(table, foreign_key, out),
            AddCheck { table, check } => {
                let Some(r) = self.rel(table) else { return };
                let Some((rows, _)) = self.keyed(&r, &[]) else {
                    return;
                };
                out.push(
                    "rows are rejected by the check",
                    violations(&rows.named(), &check.expression),
                    CountEffect::Fails,
                );
            }
            _ => {}
        }
    }

    /// Rows whose foreign key has no match (SQLite ignores MATCH FULL: a key with a NULL column
    /// is not checked). After a rebuild, `PRAGMA foreign_key_check` makes them fail it.
    fn orphans(&self, table: &QualifiedName, fk: &ForeignKey, out: &mut Probes) {
        let Some(child) = self.rel(table) else { return };
        let Some(parent) = self.rel(&fk.ref_table) else {
            // The referenced table is new in this plan (or unknown to TARGET): nothing to count.
            return;
        };
        // `REFERENCES parent` without columns means the parent's primary key.
        let ref_columns = if fk.ref_columns.is_empty() {
            match self
                .new_table(&parent)
                .unwrap_or(parent.table)
                .primary_key
                .as_ref()
            {
                Some(pk) => pk.columns.clone(),
                None => return,
            }
        } else {
            fk.ref_columns.clone()
        };
        let (Some((child_rows, cols)), Some((parent_rows, refs))) = (
            self.keyed(&child, &fk.columns),
            self.keyed(&parent, &ref_columns),
        ) else {
            return;
        };
        out.push(
            format!("rows are orphaned (no match in {})", fk.ref_table),
            orphan_sql(&child_rows.sql, &cols, &parent_rows.sql, &refs, false),
            CountEffect::Fails,
        );
    }
}

/// A column's affinity, from its declared type (<https://www.sqlite.org/datatype3.html>).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affinity {
    Integer,
    Text,
    /// BLOB, or no type: values are stored as given.
    Blob,
    Real,
    Numeric,
}

impl Affinity {
    pub fn of(declared: &str, strict: bool) -> Affinity {
        let u = declared.to_ascii_uppercase();
        if u.contains("INT") {
            Affinity::Integer
        } else if u.contains("CHAR") || u.contains("CLOB") || u.contains("TEXT") {
            Affinity::Text
        } else if u.contains("BLOB") || u.trim().is_empty() || (strict && u.trim() == "ANY") {
            Affinity::Blob
        } else if u.contains("REAL") || u.contains("FLOA") || u.contains("DOUB") {
            Affinity::Real
        } else {
            Affinity::Numeric
        }
    }

    pub fn numeric(self) -> bool {
        matches!(self, Affinity::Integer | Affinity::Real | Affinity::Numeric)
    }
}

/// The column types of a STRICT table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strict {
    Integer,
    Real,
    Text,
    Blob,
    Any,
}

impl Strict {
    fn of(declared: &str) -> Strict {
        match declared.trim().to_ascii_uppercase().as_str() {
            "INT" | "INTEGER" => Strict::Integer,
            "REAL" => Strict::Real,
            "TEXT" => Strict::Text,
            "BLOB" => Strict::Blob,
            _ => Strict::Any,
        }
    }
}

/// True for a value that numeric affinity turns into a number: compared with a NUMERIC-affinity
/// expression, a text operand is given numeric affinity, so it equals its own `CAST` exactly when
/// it is a well-formed number.
fn converts(c: &str) -> String {
    format!("{c} = CAST({c} AS NUMERIC)")
}

/// True for a non-NULL value a STRICT column of this type (or an INTEGER PRIMARY KEY) stores.
fn stores_as(c: &str, t: Strict) -> String {
    let num = format!("CAST({c} AS NUMERIC)");
    match t {
        Strict::Integer => format!(
            "typeof({c}) = 'integer' OR (typeof({c}) IN ('real', 'text') AND {} AND typeof({num}) = 'integer')",
            converts(c)
        ),
        Strict::Real => format!(
            "typeof({c}) IN ('integer', 'real') OR (typeof({c}) = 'text' AND {})",
            converts(c)
        ),
        Strict::Text => format!("typeof({c}) <> 'blob'"),
        Strict::Blob => format!("typeof({c}) = 'blob'"),
        Strict::Any => "1".to_string(),
    }
}

/// What a type change would break, lose or leave unconverted. `strict`: whether TARGET's table
/// and the rebuilt one are STRICT.
fn type_probes(
    t: &str,
    c: &str,
    from: &Column,
    to: &Column,
    strict: (bool, bool),
    out: &mut Probes,
) {
    use TypeFamily as F;
    let to_type = &to.data_type;
    let count_where =
        |cond: &str| format!("SELECT count(*) FROM {t} WHERE {c} IS NOT NULL AND ({cond})");
    let unenforced = "(not enforced by SQLite)";
    // Declared limits: SQLite keeps what does not fit.
    match (&from.family, &to.family) {
        (
            F::Text { max_len: a, .. },
            F::Text {
                max_len: Some(m), ..
            },
        ) if a.is_none_or(|a| a > *m) => out.push(
            format!("values are longer than {m} characters {unenforced}"),
            count_where(&format!("length({c}) > {m}")),
            CountEffect::Info,
        ),
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
                    format!("values are out of range for {to_type} {unenforced}"),
                    count_where(&format!(
                        "typeof({c}) IN ('integer', 'real') AND {c} NOT BETWEEN {lo} AND {hi}"
                    )),
                    CountEffect::Info,
                );
            }
        }
        (
            F::Integer { .. } | F::Decimal { .. } | F::Float { .. },
            F::Decimal {
                precision: Some(p),
                scale,
            },
        ) => {
            let whole = p.saturating_sub(scale.unwrap_or(0));
            out.push(
                format!("values are too large for {to_type} {unenforced}"),
                count_where(&format!(
                    "typeof({c}) IN ('integer', 'real') AND abs({c}) >= 1e{whole}"
                )),
                CountEffect::Info,
            );
        }
        _ => {}
    }
    let (from_strict, to_strict) = strict;
    let a = Affinity::of(&from.data_type, from_strict);
    let b = Affinity::of(&to.data_type, to_strict);
    if b.numeric() && !a.numeric() {
        out.push(
            "values are stored as numbers in another form (e.g. '007' becomes 7)",
            count_where(&format!(
                "typeof({c}) = 'text' AND {} AND CAST(CAST({c} AS NUMERIC) AS TEXT) <> {c}",
                converts(c)
            )),
            CountEffect::Loses,
        );
    }
    if to_strict {
        let s = Strict::of(to_type);
        if s != Strict::Any {
            out.push(
                format!("values cannot be stored as {to_type}"),
                count_where(&format!("NOT ({})", stores_as(c, s))),
                CountEffect::Fails,
            );
        }
        return;
    }
    if b.numeric() && !a.numeric() {
        out.push(
            "values are left unconverted (not numbers)",
            count_where(&format!(
                "typeof({c}) = 'blob' OR (typeof({c}) = 'text' AND NOT ({}))",
                converts(c)
            )),
            CountEffect::Info,
        );
    }
    if b == Affinity::Real && matches!(a, Affinity::Integer | Affinity::Numeric) {
        out.push(
            "values are rounded as REAL (integers beyond 2^53)",
            count_where(&format!(
                "typeof({c}) = 'integer' AND abs({c}) > 9007199254740992"
            )),
            CountEffect::Loses,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affinities() {
        assert_eq!(Affinity::of("VARCHAR(20)", false), Affinity::Text);
        assert_eq!(Affinity::of("BIGINT", false), Affinity::Integer);
        assert_eq!(Affinity::of("NUMERIC(10,2)", false), Affinity::Numeric);
        assert_eq!(Affinity::of("DOUBLE PRECISION", false), Affinity::Real);
        assert_eq!(Affinity::of("", false), Affinity::Blob);
        assert_eq!(Affinity::of("ANY", false), Affinity::Numeric);
        assert_eq!(Affinity::of("ANY", true), Affinity::Blob);
        // "POINT" has "INT" in it: SQLite's rule, not ours.
        assert_eq!(Affinity::of("POINT", false), Affinity::Integer);
    }

    #[test]
    fn rebuild_probes_are_attributed_and_use_target_names() {
        let col = |name: &str, ty: &str, nullable: bool| Column {
            name: name.into(),
            ordinal: 1,
            data_type: ty.into(),
            family: crate::dialect::sqlite::types::family(ty),
            nullable,
            ..Column::default()
        };
        let from = Table {
            name: "customer".into(),
            columns: vec![col("id", "INTEGER", false), col("name", "TEXT", true)],
            ..Table::default()
        };
        let to = Table {
            name: "customers".into(),
            columns: vec![col("id", "INTEGER", false), col("full_name", "TEXT", false)],
            ..Table::default()
        };
        let mut target = Catalog {
            dialect: Some(Dialect::Sqlite),
            default_schema: "main".into(),
            ..Catalog::default()
        };
        target.schema_mut("main").tables.push(from.clone());
        let q = QualifiedName::new("main", "customers");
        let replaces = vec![
            Change::RenameTable {
                schema: "main".into(),
                from: "customer".into(),
                to: "customers".into(),
                score: 100,
            },
            Change::RenameColumn {
                table: q.clone(),
                from: "name".into(),
                to: "full_name".into(),
                score: 100,
            },
            Change::SetNotNull {
                table: q.clone(),
                column: "full_name".into(),
            },
        ];
        let rebuild = Change::RebuildTable {
            table: q,
            from: Box::new(from),
            to: Box::new(to),
            renamed: vec![("name".into(), "full_name".into())],
            replaces,
        };
        // Without the plan's names too: the rebuild knows its own.
        let p = plan(&rebuild, &target, &PlanNames::default());
        assert_eq!(p.probes.len(), 2, "{p:?}");
        assert_eq!(p.probes[0].part, Some(2));
        assert_eq!(
            p.probes[0].sql,
            "SELECT count(*) FROM \"main\".\"customer\" WHERE \"name\" IS NULL"
        );
    }
}
