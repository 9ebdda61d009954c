//! What the statements say: the parsed forms of `CREATE TABLE`, `INDEX`, `VIEW`, `TRIGGER` and
//! `VIRTUAL TABLE`. Expressions are kept as the source text, exactly as written.

/// What a `CREATE TABLE` statement says beyond what the pragmas report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateTable {
    pub name: String,
    pub columns: Vec<ColumnDef>,
    /// Column-level or table-level; at most one (SQLite rejects a second).
    pub primary_key: Option<PrimaryKeyDef>,
    /// Column-level and table-level UNIQUE constraints, in order of appearance.
    pub uniques: Vec<UniqueDef>,
    /// Column-level and table-level CHECK constraints, in order of appearance.
    pub checks: Vec<CheckDef>,
    /// Column-level `REFERENCES` and table-level `FOREIGN KEY`, in order of appearance.
    pub foreign_keys: Vec<ForeignKeyDef>,
    pub without_rowid: bool,
    pub strict: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ColumnDef {
    pub name: String,
    /// The type as written (may be empty).
    pub declared_type: String,
    pub not_null: bool,
    /// The DEFAULT as written (a parenthesized expression keeps its parentheses).
    pub default: Option<String>,
    /// `COLLATE x`, the name unquoted.
    pub collation: Option<String>,
    pub generated: Option<GeneratedDef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedDef {
    /// The expression inside `AS (…)`.
    pub expression: String,
    /// `STORED`; VIRTUAL (the default) otherwise.
    pub stored: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrimaryKeyDef {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub autoincrement: bool,
    /// Declared on the column (`id INTEGER PRIMARY KEY`) rather than as a table constraint.
    pub column_level: bool,
    /// Column-level `PRIMARY KEY DESC`.
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UniqueDef {
    pub name: Option<String>,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckDef {
    pub name: Option<String>,
    /// The expression inside `CHECK (…)`, as written.
    pub expression: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ForeignKeyDef {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub ref_table: String,
    /// Empty when the parent's primary key is meant.
    pub ref_columns: Vec<String>,
    /// `CASCADE`, `SET NULL`, … as written (upper-cased, one space); none when not given.
    pub on_delete: Option<String>,
    pub on_update: Option<String>,
    pub match_type: Option<String>,
    pub deferrable: bool,
    pub initially_deferred: bool,
}

/// A `CREATE INDEX` statement.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateIndex {
    pub name: String,
    pub unique: bool,
    pub table: String,
    pub items: Vec<IndexItem>,
    /// The `WHERE` predicate of a partial index, as written.
    pub predicate: Option<String>,
}

/// One indexed column or expression.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexItem {
    /// The expression (or column reference) as written, without `COLLATE …` and `ASC`/`DESC`.
    pub expression: String,
    /// Set when the item is a bare column name.
    pub column: Option<String>,
    pub collation: Option<String>,
    pub descending: bool,
}

/// A `CREATE VIEW` statement.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateView {
    pub name: String,
    /// The optional column list `CREATE VIEW v(a, b) AS …`.
    pub columns: Vec<String>,
    /// Everything after `AS`, as written.
    pub select: String,
}

/// A `CREATE TRIGGER` statement.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateTrigger {
    pub name: String,
    /// `BEFORE` (also when omitted), `AFTER` or `INSTEAD OF`.
    pub timing: String,
    /// `INSERT`, `UPDATE` or `DELETE`.
    pub event: String,
    /// The columns of `UPDATE OF a, b`.
    pub update_of: Vec<String>,
    pub table: String,
    pub for_each_row: bool,
    pub when: Option<String>,
    /// The statements between `BEGIN` and `END`, as written.
    pub body: String,
}

/// A `CREATE VIRTUAL TABLE` statement.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateVirtualTable {
    pub name: String,
    pub module: String,
}
