//! The catalog: everything sluice knows about one database's schema.
//!
//! Pure data. Every list is kept in a fixed order (see [`Catalog::normalize_order`]) so that two
//! introspections of the same database serialize to the same bytes.

use serde::{Deserialize, Serialize};

use super::types::TypeFamily;

fn is_false(b: &bool) -> bool {
    !*b
}

/// Which database family a catalog came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Postgres,
    /// MySQL and MariaDB share one dialect; [`Catalog::flavor`] tells them apart.
    Mysql,
    Sqlite,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
        }
    }
}

impl std::fmt::Display for Dialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A schema-qualified name. For SQLite the schema is `main`; for MySQL it is the database.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName {
            schema: schema.into(),
            name: name.into(),
        }
    }
}

impl std::fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

/// The whole schema of one database.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Catalog {
    pub dialect: Option<Dialect>,
    /// `postgres`, `mysql`, `mariadb` or `sqlite`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub flavor: String,
    /// The server's version string as it reports it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub server_version: String,
    /// The database name (never a URL, host or user).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub database: String,
    /// The schema unqualified names resolve to: `public`, the MySQL database, or `main`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub default_schema: String,
    pub schemas: Vec<Schema>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<Extension>,
    /// Objects that exist but that the model cannot describe yet: reported, never dropped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsupported: Vec<Unsupported>,
}

impl Catalog {
    pub fn schema(&self, name: &str) -> Option<&Schema> {
        self.schemas.iter().find(|s| s.name == name)
    }

    pub fn schema_mut(&mut self, name: &str) -> &mut Schema {
        if let Some(i) = self.schemas.iter().position(|s| s.name == name) {
            &mut self.schemas[i]
        } else {
            self.schemas.push(Schema {
                name: name.to_string(),
                ..Schema::default()
            });
            self.schemas.last_mut().expect("just pushed")
        }
    }

    pub fn table(&self, schema: &str, name: &str) -> Option<&Table> {
        self.schema(schema)?.tables.iter().find(|t| t.name == name)
    }

    /// Every table with its schema name, in catalog order.
    pub fn tables(&self) -> impl Iterator<Item = (&str, &Table)> {
        self.schemas
            .iter()
            .flat_map(|s| s.tables.iter().map(move |t| (s.name.as_str(), t)))
    }

    /// Sort every list into its canonical order. Introspection calls this last; so does loading a
    /// snapshot, so hand-edited snapshots compare equal to fresh ones.
    pub fn normalize_order(&mut self) {
        self.schemas.sort_by(|a, b| a.name.cmp(&b.name));
        for s in &mut self.schemas {
            s.normalize_order();
        }
        self.extensions.sort_by(|a, b| a.name.cmp(&b.name));
        self.unsupported.sort_by(|a, b| {
            (&a.schema, &a.kind, &a.name, &a.parent).cmp(&(&b.schema, &b.kind, &b.name, &b.parent))
        });
        self.unsupported.dedup();
    }

    /// A SHA-256 fingerprint of the schema: the same for two catalogs that describe the same schema,
    /// whatever server, database name or version they came from.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut c = self.clone();
        c.server_version.clear();
        c.database.clear();
        c.normalize_order();
        let json = serde_json::to_vec(&c).unwrap_or_default();
        hex::encode(Sha256::digest(&json))
    }

    /// Counts of each object kind, for summaries.
    pub fn summary(&self) -> CatalogSummary {
        let mut s = CatalogSummary {
            schemas: self.schemas.len(),
            extensions: self.extensions.len(),
            unsupported: self.unsupported.len(),
            ..CatalogSummary::default()
        };
        for sc in &self.schemas {
            s.tables += sc.tables.len();
            s.views += sc.views.iter().filter(|v| !v.materialized).count();
            s.materialized_views += sc.views.iter().filter(|v| v.materialized).count();
            s.functions += sc.functions.len();
            s.sequences += sc.sequences.len();
            s.enums += sc.enums.len();
            s.domains += sc.domains.len();
            s.composite_types += sc.composite_types.len();
            for t in &sc.tables {
                s.columns += t.columns.len();
                s.indexes += t.indexes.len();
                s.foreign_keys += t.foreign_keys.len();
                s.checks += t.checks.len();
                s.uniques += t.uniques.len();
                s.triggers += t.triggers.len();
                s.policies += t.policies.len();
                if t.primary_key.is_some() {
                    s.primary_keys += 1;
                }
            }
            for v in &sc.views {
                s.indexes += v.indexes.len();
                s.triggers += v.triggers.len();
            }
        }
        s
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CatalogSummary {
    pub schemas: usize,
    pub tables: usize,
    pub columns: usize,
    pub primary_keys: usize,
    pub foreign_keys: usize,
    pub uniques: usize,
    pub checks: usize,
    pub indexes: usize,
    pub views: usize,
    pub materialized_views: usize,
    pub functions: usize,
    pub triggers: usize,
    pub sequences: usize,
    pub enums: usize,
    pub domains: usize,
    pub composite_types: usize,
    pub policies: usize,
    pub extensions: usize,
    pub unsupported: usize,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Schema {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Table>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub views: Vec<View>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<Function>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sequences: Vec<Sequence>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enums: Vec<EnumType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<Domain>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub composite_types: Vec<CompositeType>,
}

impl Schema {
    pub fn normalize_order(&mut self) {
        self.tables.sort_by(|a, b| a.name.cmp(&b.name));
        for t in &mut self.tables {
            t.normalize_order();
        }
        self.views.sort_by(|a, b| a.name.cmp(&b.name));
        for v in &mut self.views {
            v.indexes.sort_by(|a, b| a.name.cmp(&b.name));
            v.triggers.sort_by(|a, b| a.name.cmp(&b.name));
            v.depends_on.sort();
            v.depends_on.dedup();
        }
        self.functions
            .sort_by(|a, b| (&a.name, &a.arguments).cmp(&(&b.name, &b.arguments)));
        for f in &mut self.functions {
            f.depends_on.sort();
            f.depends_on.dedup();
        }
        self.sequences.sort_by(|a, b| a.name.cmp(&b.name));
        for q in &mut self.sequences {
            q.used_by.sort();
            q.used_by.dedup();
        }
        self.enums.sort_by(|a, b| a.name.cmp(&b.name));
        self.domains.sort_by(|a, b| a.name.cmp(&b.name));
        for d in &mut self.domains {
            d.checks.sort_by(|a, b| a.name.cmp(&b.name));
        }
        self.composite_types.sort_by(|a, b| a.name.cmp(&b.name));
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    pub fn view(&self, name: &str) -> Option<&View> {
        self.views.iter().find(|v| v.name == name)
    }
}

/// A base table (PostgreSQL: also a partitioned table or a partition).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<PrimaryKey>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uniques: Vec<UniqueConstraint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckConstraint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKey>,
    /// Indexes that do not merely back a primary key or unique constraint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,

    // PostgreSQL
    /// `PARTITION BY …` of a partitioned table, as `pg_get_partkeydef` writes it (`RANGE (payment_date)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_key: Option<String>,
    /// Set when this table is a partition of another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<PartitionOf>,
    /// What a partition (or inheritance child) has from its parent: constraints and indexes that
    /// follow from the parent's and are not changed on their own, but that a detached partition keeps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_parent: Option<Box<ParentParts>>,
    /// Parents of a table that uses classic inheritance (not partitioning), in inheritance order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<QualifiedName>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub rls_enabled: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub rls_forced: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<Policy>,
    /// `UNLOGGED` tables.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unlogged: bool,

    // MySQL / MariaDB
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,

    // SQLite
    #[serde(default, skip_serializing_if = "is_false")]
    pub without_rowid: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub strict: bool,
}

impl Table {
    pub fn normalize_order(&mut self) {
        self.columns.sort_by_key(|c| c.ordinal);
        self.uniques.sort_by(|a, b| a.name.cmp(&b.name));
        self.checks.sort_by(|a, b| a.name.cmp(&b.name));
        self.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        self.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        self.triggers.sort_by(|a, b| a.name.cmp(&b.name));
        self.policies.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(p) = &mut self.from_parent {
            p.uniques.sort_by(|a, b| a.name.cmp(&b.name));
            p.checks.sort_by(|a, b| a.name.cmp(&b.name));
            p.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
            p.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes.iter().find(|i| i.name == name)
    }

    pub fn foreign_key(&self, name: &str) -> Option<&ForeignKey> {
        self.foreign_keys.iter().find(|f| f.name == name)
    }

    pub fn trigger(&self, name: &str) -> Option<&Trigger> {
        self.triggers.iter().find(|t| t.name == name)
    }
}

/// Constraints and indexes a table has because its parent has them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ParentParts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<PrimaryKey>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uniques: Vec<UniqueConstraint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckConstraint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKey>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
}

impl Table {
    /// The table as it stands once detached from its parent: what it inherited becomes its own.
    pub fn detached(&self) -> Table {
        let mut t = self.clone();
        if let Some(p) = t.from_parent.take() {
            if t.primary_key.is_none() {
                t.primary_key = p.primary_key;
            }
            t.uniques.extend(p.uniques);
            t.checks.extend(p.checks);
            t.foreign_keys.extend(p.foreign_keys);
            t.indexes.extend(p.indexes);
            t.normalize_order();
        }
        t.partition_of = None;
        t
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionOf {
    pub parent: QualifiedName,
    /// As `pg_get_expr(relpartbound)` writes it: `FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')`.
    pub bound: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    /// 1-based position among the table's live columns.
    pub ordinal: u32,
    /// The type as the database writes it (`character varying(40)`, `int(10) unsigned`, `NVARCHAR(120)`).
    pub data_type: String,
    /// The type reduced to a family that compares across spellings and dialects.
    pub family: TypeFamily,
    pub nullable: bool,
    /// The default expression as the database writes it (`nextval('actor_actor_id_seq'::regclass)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// PostgreSQL `serial`: the sequence this column owns and takes its default from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_sequence: Option<QualifiedName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<Generated>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// MySQL: the column's character set when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    /// MySQL: `ON UPDATE CURRENT_TIMESTAMP` and the like.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_update: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// How a column numbers itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Identity {
    /// PostgreSQL `GENERATED ALWAYS AS IDENTITY`.
    Always {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sequence: Option<SequenceOptions>,
    },
    /// PostgreSQL `GENERATED BY DEFAULT AS IDENTITY`.
    ByDefault {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sequence: Option<SequenceOptions>,
    },
    /// MySQL `AUTO_INCREMENT`.
    AutoIncrement,
    /// SQLite `INTEGER PRIMARY KEY AUTOINCREMENT` (a plain `INTEGER PRIMARY KEY` is a rowid alias and
    /// is recorded as no identity).
    Autoincrement,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    pub expression: String,
    /// STORED (computed on write) or VIRTUAL (computed on read).
    pub stored: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryKey {
    /// The constraint name (`actor_pkey`); SQLite and MySQL primary keys have none or `PRIMARY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UniqueConstraint {
    pub name: String,
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deferrable: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub initially_deferred: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckConstraint {
    /// Generated for SQLite checks that have no name (`<table>_check_<n>`).
    pub name: String,
    /// The boolean expression, without the surrounding `CHECK (…)`.
    pub expression: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_inherit: bool,
    /// PostgreSQL: `NOT VALID` constraints are recorded with `validated = false`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub validated: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FkAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }

    /// Parses the spellings catalogs use: `CASCADE`, `SET NULL`, PostgreSQL's one-letter codes.
    pub fn parse(s: &str) -> Option<FkAction> {
        match s.trim().to_ascii_uppercase().as_str() {
            "NO ACTION" | "A" | "" => Some(FkAction::NoAction),
            "RESTRICT" | "R" => Some(FkAction::Restrict),
            "CASCADE" | "C" => Some(FkAction::Cascade),
            "SET NULL" | "N" => Some(FkAction::SetNull),
            "SET DEFAULT" | "D" => Some(FkAction::SetDefault),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKey {
    /// Generated for SQLite foreign keys that have no name (`<table>_<cols>_fkey`).
    pub name: String,
    pub columns: Vec<String>,
    pub ref_table: QualifiedName,
    pub ref_columns: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deferrable: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub initially_deferred: bool,
    /// `MATCH FULL` (PostgreSQL, SQLite parse-only).
    #[serde(default, skip_serializing_if = "is_false")]
    pub match_full: bool,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub validated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub name: String,
    pub unique: bool,
    /// Access method: `btree`, `hash`, `gin`, `gist`, … (PostgreSQL); `BTREE`, `HASH`, `FULLTEXT`,
    /// `SPATIAL` (MySQL); none for SQLite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    pub keys: Vec<IndexKey>,
    /// `INCLUDE (…)` columns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// Partial index predicate, without `WHERE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    /// The complete statement the database would use to create it, where it can tell us.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexKey {
    /// A column name, or an expression when `expression` is set.
    pub key: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub expression: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub descending: bool,
    /// PostgreSQL `NULLS FIRST`/`NULLS LAST` when it differs from the default for the direction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nulls_first: Option<bool>,
    /// PostgreSQL operator class when it is not the type's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opclass: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// MySQL prefix length (`KEY (name(10))`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix_length: Option<u32>,
}

impl IndexKey {
    pub fn column(name: impl Into<String>) -> Self {
        IndexKey {
            key: name.into(),
            expression: false,
            descending: false,
            nulls_first: None,
            opclass: None,
            collation: None,
            prefix_length: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub name: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub materialized: bool,
    /// The SELECT as the database stores it.
    pub definition: String,
    /// Output column names in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// `LOCAL` or `CASCADED` for `WITH CHECK OPTION` views.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_option: Option<String>,
    /// PostgreSQL `security_barrier`/`security_invoker` and similar reloptions, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Tables, views and functions this view reads, where the database records it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<ObjectRef>,
    /// Indexes on a materialized view.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    /// Triggers on the view (`INSTEAD OF`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A reference from one object to another, for dependency ordering.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ObjectRef {
    pub kind: ObjectKind,
    pub schema: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Schema,
    Table,
    View,
    MaterializedView,
    Function,
    Sequence,
    Type,
    Extension,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutineKind {
    Function,
    Procedure,
    Aggregate,
    Window,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    pub name: String,
    pub kind: RoutineKind,
    /// The identity arguments (`integer, text`), which with the name identify an overload.
    pub arguments: String,
    /// The return type; none for procedures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns: Option<String>,
    pub language: String,
    /// The complete `CREATE …` statement as the database reconstructs it.
    pub definition: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volatility: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub security_definer: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<ObjectRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    pub name: String,
    /// `BEFORE`, `AFTER` or `INSTEAD OF`.
    pub timing: String,
    /// `INSERT`, `UPDATE`, `UPDATE OF a, b`, `DELETE`, `TRUNCATE`, in that order.
    pub events: Vec<String>,
    /// `ROW` or `STATEMENT`.
    pub level: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// PostgreSQL: the function it calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<QualifiedName>,
    /// MySQL/SQLite: the trigger body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The complete statement as the database writes it.
    pub definition: String,
    /// PostgreSQL `ALTER TABLE … DISABLE TRIGGER`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceOptions {
    /// `smallint`, `integer` or `bigint`.
    pub data_type: String,
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    pub cycle: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    pub name: String,
    #[serde(flatten)]
    pub options: SequenceOptions,
    /// The column that owns it (`serial` columns and `OWNED BY`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<ColumnRef>,
    /// Columns whose default draws from it (`nextval(…)`), owned or not; sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub used_by: Vec<ColumnRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ColumnRef {
    pub schema: String,
    pub table: String,
    pub column: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumType {
    pub name: String,
    /// Labels in their sort order.
    pub labels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    pub name: String,
    pub base_type: String,
    pub nullable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckConstraint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositeType {
    pub name: String,
    /// `(name, type)` pairs in order.
    pub attributes: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub name: String,
    /// `ALL`, `SELECT`, `INSERT`, `UPDATE` or `DELETE`.
    pub command: String,
    pub permissive: bool,
    /// Role names, sorted; `public` for everyone.
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_check: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub name: String,
    pub version: String,
    pub schema: String,
}

/// An object that exists in the database but that sluice cannot describe yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unsupported {
    /// `aggregate`, `event`, `foreign table`, `rule`, …
    pub kind: String,
    pub schema: String,
    pub name: String,
    /// The table it belongs to, for table-level objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub reason: String,
    /// The definition, when the database can give one, so that a person can still compare it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
}
