//! Typed schema changes: what the differ emits, what risk rates, what dialects render.
//!
//! A change always reads "make TARGET look like SOURCE": `from` is TARGET's current object, `to`
//! is SOURCE's. A change names objects as SOURCE does (a renamed table's other changes use its new
//! name).
//!
//! Files: this one (the variants, their kind words, what is destructive, the `+`/`-`/`~` sign),
//! `subject.rs` (what a change is about: schema, object, kind, table — one `match`),
//! `describe.rs` (the one-line description people read), `inverse.rs` (the exact undo).

use serde::{Deserialize, Serialize};

use super::catalog::*;

mod describe;
mod inverse;
#[cfg(test)]
mod samples;
mod subject;

pub use subject::Subject;

/// One difference between TARGET and SOURCE, as the operation that removes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    CreateSchema {
        name: String,
    },
    DropSchema {
        name: String,
    },
    CreateExtension {
        extension: Extension,
    },
    DropExtension {
        extension: Extension,
    },
    AlterExtension {
        from: Extension,
        to: Extension,
    },
    CreateEnum {
        schema: String,
        enum_type: EnumType,
    },
    DropEnum {
        schema: String,
        enum_type: EnumType,
    },
    /// `ALTER TYPE … ADD VALUE 'x' [BEFORE 'y']`.
    AddEnumLabel {
        schema: String,
        name: String,
        label: String,
        before: Option<String>,
    },
    RenameEnumLabel {
        schema: String,
        name: String,
        from: String,
        to: String,
    },
    /// Labels removed or reordered: the type is rebuilt and the columns using it converted.
    RebuildEnum {
        schema: String,
        from: EnumType,
        to: EnumType,
        /// Columns of the type (with their current default), converted through text.
        columns: Vec<ColumnUse>,
    },
    CreateDomain {
        schema: String,
        domain: Domain,
    },
    DropDomain {
        schema: String,
        domain: Domain,
    },
    AlterDomain {
        schema: String,
        from: Domain,
        to: Domain,
    },
    CreateCompositeType {
        schema: String,
        composite: CompositeType,
    },
    DropCompositeType {
        schema: String,
        composite: CompositeType,
    },
    CreateSequence {
        schema: String,
        sequence: Sequence,
    },
    DropSequence {
        schema: String,
        sequence: Sequence,
    },
    AlterSequence {
        schema: String,
        from: Sequence,
        to: Sequence,
    },
    /// Creates the table with its columns, primary key, unique and check constraints. Foreign keys,
    /// indexes, triggers and policies come as changes of their own.
    CreateTable {
        schema: String,
        table: Table,
    },
    DropTable {
        schema: String,
        table: Table,
    },
    RenameTable {
        schema: String,
        from: String,
        to: String,
        /// Rename-detection score, 0–100.
        score: u8,
    },
    /// MySQL table options: storage engine, default character set and collation.
    AlterTableOptions {
        table: QualifiedName,
        from: TableOptions,
        to: TableOptions,
    },
    AddColumn {
        table: QualifiedName,
        column: Column,
    },
    DropColumn {
        table: QualifiedName,
        column: Column,
    },
    RenameColumn {
        table: QualifiedName,
        from: String,
        to: String,
        score: u8,
    },
    /// Type (or collation) change. `from` and `to` are the whole columns so the renderer can carry
    /// the default across.
    AlterColumnType {
        table: QualifiedName,
        from: Column,
        to: Column,
    },
    SetNotNull {
        table: QualifiedName,
        column: String,
    },
    DropNotNull {
        table: QualifiedName,
        column: String,
    },
    /// Sets (`to: Some`) or drops (`to: None`) a default.
    SetDefault {
        table: QualifiedName,
        column: String,
        from: Option<String>,
        to: Option<String>,
    },
    AlterIdentity {
        table: QualifiedName,
        column: String,
        from: Option<Identity>,
        to: Option<Identity>,
    },
    /// The generated expression changed, or a column became (or stopped being) generated.
    AlterGenerated {
        table: QualifiedName,
        from: Column,
        to: Column,
    },
    SetComment {
        target: CommentTarget,
        from: Option<String>,
        to: Option<String>,
    },
    AddPrimaryKey {
        table: QualifiedName,
        primary_key: PrimaryKey,
    },
    DropPrimaryKey {
        table: QualifiedName,
        primary_key: PrimaryKey,
    },
    AddUnique {
        table: QualifiedName,
        unique: UniqueConstraint,
    },
    DropUnique {
        table: QualifiedName,
        unique: UniqueConstraint,
    },
    AddCheck {
        table: QualifiedName,
        check: CheckConstraint,
    },
    DropCheck {
        table: QualifiedName,
        check: CheckConstraint,
    },
    ValidateConstraint {
        table: QualifiedName,
        name: String,
    },
    /// Same definition under another name: renamed in place (dependent objects keep working).
    RenameConstraint {
        table: QualifiedName,
        from: String,
        to: String,
    },
    RenameIndex {
        table: QualifiedName,
        from: String,
        to: String,
    },
    AddForeignKey {
        table: QualifiedName,
        foreign_key: ForeignKey,
    },
    DropForeignKey {
        table: QualifiedName,
        foreign_key: ForeignKey,
    },
    /// On a table, or on a materialized view (`on_view`).
    CreateIndex {
        table: QualifiedName,
        index: Index,
    },
    DropIndex {
        table: QualifiedName,
        index: Index,
    },
    CreateView {
        schema: String,
        view: View,
    },
    DropView {
        schema: String,
        view: View,
    },
    /// `CREATE OR REPLACE VIEW`: only when the new view keeps the old columns first, in order.
    ReplaceView {
        schema: String,
        from: View,
        to: View,
    },
    CreateFunction {
        schema: String,
        function: Function,
    },
    DropFunction {
        schema: String,
        function: Function,
    },
    ReplaceFunction {
        schema: String,
        from: Function,
        to: Function,
    },
    /// On a table or a view.
    CreateTrigger {
        table: QualifiedName,
        trigger: Trigger,
    },
    DropTrigger {
        table: QualifiedName,
        trigger: Trigger,
    },
    SetTriggerEnabled {
        table: QualifiedName,
        name: String,
        enabled: bool,
    },
    AttachPartition {
        table: QualifiedName,
        parent: QualifiedName,
        bound: String,
    },
    DetachPartition {
        table: QualifiedName,
        parent: QualifiedName,
        /// The bound it had, so that the step can be reversed.
        bound: String,
    },
    SetInherit {
        table: QualifiedName,
        parent: QualifiedName,
        inherit: bool,
    },
    SetRowSecurity {
        table: QualifiedName,
        enabled: bool,
        forced: bool,
        from_enabled: bool,
        from_forced: bool,
    },
    SetLogged {
        table: QualifiedName,
        logged: bool,
    },
    CreatePolicy {
        table: QualifiedName,
        policy: Policy,
    },
    DropPolicy {
        table: QualifiedName,
        policy: Policy,
    },
    /// SQLite: a table rebuilt by the documented procedure (new table with SOURCE's definition,
    /// rows copied, old table dropped, new one renamed, indexes and triggers recreated), because
    /// what `replaces` asks for cannot be done in place. `from` is TARGET's table, `to` SOURCE's;
    /// `renamed` maps TARGET column names to SOURCE's (a table rename is `from.name` → `to.name`).
    RebuildTable {
        table: QualifiedName,
        from: Box<Table>,
        to: Box<Table>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        renamed: Vec<(String, String)>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        replaces: Vec<Change>,
    },
    /// An object that only one side can describe, or that sluice cannot change: reported, never acted on.
    Unsupported {
        object_kind: String,
        object: String,
        detail: String,
    },
}

/// Every kind `--allow` accepts.
pub const DESTRUCTIVE_KINDS: &[&str] = &[
    "drop-table",
    "drop-column",
    "drop-schema",
    "drop-sequence",
    "drop-extension",
    "narrow-type",
    "remove-enum-value",
];

/// The table options a MySQL table carries (`ENGINE=…, DEFAULT CHARSET=…, COLLATE=…`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TableOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
}

impl TableOptions {
    pub fn of(t: &Table) -> TableOptions {
        TableOptions {
            engine: t.engine.clone(),
            charset: t.charset.clone(),
            collation: t.collation.clone(),
        }
    }

    /// What changes from `self` to `to`: `engine InnoDB → Aria, collation a → b`.
    pub fn delta(&self, to: &TableOptions) -> String {
        let mut parts = Vec::new();
        let d = |o: &Option<String>| o.clone().unwrap_or_else(|| "default".into());
        for (what, a, b) in [
            ("engine", &self.engine, &to.engine),
            ("charset", &self.charset, &to.charset),
            ("collation", &self.collation, &to.collation),
        ] {
            if a != b {
                parts.push(format!("{what} {} → {}", d(a), d(b)));
            }
        }
        parts.join(", ")
    }
}

/// A column of a given type, with its default (which must be dropped and re-set around a retype).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnUse {
    pub table: QualifiedName,
    pub column: String,
    pub default: Option<String>,
    /// The column's declared type (`public.mood` or `public.mood[]`).
    pub data_type: String,
}

/// What a comment is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum CommentTarget {
    Schema {
        name: String,
    },
    Table {
        table: QualifiedName,
    },
    Column {
        table: QualifiedName,
        column: String,
    },
    View {
        view: QualifiedName,
        materialized: bool,
    },
    Index {
        schema: String,
        name: String,
    },
    Function {
        schema: String,
        name: String,
        arguments: String,
        kind: RoutineKind,
    },
    Sequence {
        sequence: QualifiedName,
    },
    Type {
        name: QualifiedName,
        domain: bool,
    },
    Trigger {
        table: QualifiedName,
        name: String,
    },
}

impl Change {
    /// The change's kind as a stable snake_case word (`add_column`), as in JSON output.
    pub fn kind(&self) -> &'static str {
        use Change::*;
        match self {
            CreateSchema { .. } => "create_schema",
            DropSchema { .. } => "drop_schema",
            CreateExtension { .. } => "create_extension",
            DropExtension { .. } => "drop_extension",
            AlterExtension { .. } => "alter_extension",
            CreateEnum { .. } => "create_enum",
            DropEnum { .. } => "drop_enum",
            AddEnumLabel { .. } => "add_enum_label",
            RenameEnumLabel { .. } => "rename_enum_label",
            RebuildEnum { .. } => "rebuild_enum",
            CreateDomain { .. } => "create_domain",
            DropDomain { .. } => "drop_domain",
            AlterDomain { .. } => "alter_domain",
            CreateCompositeType { .. } => "create_composite_type",
            DropCompositeType { .. } => "drop_composite_type",
            CreateSequence { .. } => "create_sequence",
            DropSequence { .. } => "drop_sequence",
            AlterSequence { .. } => "alter_sequence",
            CreateTable { .. } => "create_table",
            DropTable { .. } => "drop_table",
            RenameTable { .. } => "rename_table",
            AlterTableOptions { .. } => "alter_table_options",
            AddColumn { .. } => "add_column",
            DropColumn { .. } => "drop_column",
            RenameColumn { .. } => "rename_column",
            AlterColumnType { .. } => "alter_column_type",
            SetNotNull { .. } => "set_not_null",
            DropNotNull { .. } => "drop_not_null",
            SetDefault { .. } => "set_default",
            AlterIdentity { .. } => "alter_identity",
            AlterGenerated { .. } => "alter_generated",
            SetComment { .. } => "set_comment",
            AddPrimaryKey { .. } => "add_primary_key",
            DropPrimaryKey { .. } => "drop_primary_key",
            AddUnique { .. } => "add_unique",
            DropUnique { .. } => "drop_unique",
            AddCheck { .. } => "add_check",
            DropCheck { .. } => "drop_check",
            ValidateConstraint { .. } => "validate_constraint",
            RenameConstraint { .. } => "rename_constraint",
            RenameIndex { .. } => "rename_index",
            AddForeignKey { .. } => "add_foreign_key",
            DropForeignKey { .. } => "drop_foreign_key",
            CreateIndex { .. } => "create_index",
            DropIndex { .. } => "drop_index",
            CreateView { .. } => "create_view",
            DropView { .. } => "drop_view",
            ReplaceView { .. } => "replace_view",
            CreateFunction { .. } => "create_function",
            DropFunction { .. } => "drop_function",
            ReplaceFunction { .. } => "replace_function",
            CreateTrigger { .. } => "create_trigger",
            DropTrigger { .. } => "drop_trigger",
            SetTriggerEnabled { .. } => "set_trigger_enabled",
            AttachPartition { .. } => "attach_partition",
            DetachPartition { .. } => "detach_partition",
            SetInherit { .. } => "set_inherit",
            SetRowSecurity { .. } => "set_row_security",
            SetLogged { .. } => "set_logged",
            CreatePolicy { .. } => "create_policy",
            DropPolicy { .. } => "drop_policy",
            RebuildTable { .. } => "rebuild_table",
            Unsupported { .. } => "unsupported",
        }
    }

    /// Whether running the change can destroy data: dropping a table, column, schema, sequence or
    /// extension, narrowing a column's type, or removing enum labels. Such steps are commented out
    /// in packs and refused at apply unless explicitly allowed.
    pub fn is_destructive(&self) -> bool {
        self.destructive_kind().is_some()
    }

    /// The kind of destruction, as `--allow` names it: `drop-table`, `drop-column`,
    /// `drop-schema`, `drop-sequence`, `drop-extension`, `narrow-type`, `remove-enum-value`.
    pub fn destructive_kind(&self) -> Option<&'static str> {
        use Change::*;
        match self {
            DropTable { .. } => Some("drop-table"),
            DropColumn { .. } => Some("drop-column"),
            DropSchema { .. } => Some("drop-schema"),
            DropSequence { .. } => Some("drop-sequence"),
            DropExtension { .. } => Some("drop-extension"),
            AlterColumnType { from, to, .. } if from.family.narrows_to(&to.family) => {
                Some("narrow-type")
            }
            RebuildEnum { from, to, .. } if from.labels.iter().any(|l| !to.labels.contains(l)) => {
                Some("remove-enum-value")
            }
            RebuildTable {
                from,
                to,
                renamed,
                replaces,
                ..
            } => replaces
                .iter()
                .find_map(Change::destructive_kind)
                .or_else(|| {
                    from.columns
                        .iter()
                        .any(|c| {
                            c.generated.is_none()
                                && to.column(&c.name).is_none()
                                && !renamed.iter().any(|(o, _)| *o == c.name)
                        })
                        .then_some("drop-column")
                }),
            _ => None,
        }
    }

    /// `+` (something added), `-` (removed) or `~` (changed).
    pub fn sign(&self) -> char {
        use Change::*;
        match self {
            CreateSchema { .. }
            | CreateExtension { .. }
            | CreateEnum { .. }
            | AddEnumLabel { .. }
            | CreateDomain { .. }
            | CreateCompositeType { .. }
            | CreateSequence { .. }
            | CreateTable { .. }
            | AddColumn { .. }
            | AddPrimaryKey { .. }
            | AddUnique { .. }
            | AddCheck { .. }
            | AddForeignKey { .. }
            | CreateIndex { .. }
            | CreateView { .. }
            | CreateFunction { .. }
            | CreateTrigger { .. }
            | AttachPartition { .. }
            | CreatePolicy { .. } => '+',
            DropSchema { .. }
            | DropExtension { .. }
            | DropEnum { .. }
            | DropDomain { .. }
            | DropCompositeType { .. }
            | DropSequence { .. }
            | DropTable { .. }
            | DropColumn { .. }
            | DropPrimaryKey { .. }
            | DropUnique { .. }
            | DropCheck { .. }
            | DropForeignKey { .. }
            | DropIndex { .. }
            | DropView { .. }
            | DropFunction { .. }
            | DropTrigger { .. }
            | DetachPartition { .. }
            | DropPolicy { .. } => '-',
            _ => '~',
        }
    }
}
