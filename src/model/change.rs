//! Typed schema changes: what the differ emits, what risk rates, what dialects render.
//!
//! A change always reads "make TARGET look like SOURCE": `from` is TARGET's current object, `to`
//! is SOURCE's.

use serde::{Deserialize, Serialize};

use super::catalog::*;

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

    /// The change that undoes this one, or why none can (data a drop destroyed cannot come back).
    pub fn inverse(&self) -> Result<Vec<Change>, String> {
        use Change::*;
        let c = self.clone();
        Ok(vec![match c {
            CreateSchema { name } => DropSchema { name },
            DropSchema { name } => CreateSchema { name },
            CreateExtension { extension } => DropExtension { extension },
            DropExtension { extension } => CreateExtension { extension },
            AlterExtension { from, to } => AlterExtension { from: to, to: from },
            CreateEnum { schema, enum_type } => DropEnum { schema, enum_type },
            DropEnum { schema, enum_type } => CreateEnum { schema, enum_type },
            AddEnumLabel { label, .. } => {
                return Err(format!(
                    "an enum value ('{label}') cannot be removed without rebuilding the type"
                ));
            }
            RenameEnumLabel {
                schema,
                name,
                from,
                to,
            } => RenameEnumLabel {
                schema,
                name,
                from: to,
                to: from,
            },
            RebuildEnum {
                schema,
                from,
                to,
                columns,
            } => RebuildEnum {
                schema,
                from: to,
                to: from,
                columns,
            },
            CreateDomain { schema, domain } => DropDomain { schema, domain },
            DropDomain { schema, domain } => CreateDomain { schema, domain },
            AlterDomain { schema, from, to } => AlterDomain {
                schema,
                from: to,
                to: from,
            },
            CreateCompositeType { schema, composite } => DropCompositeType { schema, composite },
            DropCompositeType { schema, composite } => CreateCompositeType { schema, composite },
            CreateSequence { schema, sequence } => DropSequence { schema, sequence },
            DropSequence { sequence, .. } => {
                return Err(format!(
                    "sequence {} is dropped: its current position is lost",
                    sequence.name
                ));
            }
            AlterSequence { schema, from, to } => AlterSequence {
                schema,
                from: to,
                to: from,
            },
            CreateTable { schema, table } => DropTable { schema, table },
            DropTable { table, .. } => {
                return Err(format!("table {} is dropped with its rows", table.name));
            }
            RenameTable {
                schema,
                from,
                to,
                score,
            } => RenameTable {
                schema,
                from: to,
                to: from,
                score,
            },
            AlterTableOptions { table, from, to } => AlterTableOptions {
                table,
                from: to,
                to: from,
            },
            AddColumn { table, column } => DropColumn { table, column },
            DropColumn { column, .. } => {
                return Err(format!("column {} is dropped with its values", column.name));
            }
            RenameColumn {
                table,
                from,
                to,
                score,
            } => RenameColumn {
                table,
                from: to,
                to: from,
                score,
            },
            AlterColumnType { table, from, to } => {
                if from.family.narrows_to(&to.family) {
                    return Err(format!(
                        "column {}: {} → {} may have cut values that cannot be restored",
                        to.name, from.data_type, to.data_type
                    ));
                }
                AlterColumnType {
                    table,
                    from: to,
                    to: from,
                }
            }
            SetNotNull { table, column } => DropNotNull { table, column },
            DropNotNull { table, column } => SetNotNull { table, column },
            SetDefault {
                table,
                column,
                from,
                to,
            } => SetDefault {
                table,
                column,
                from: to,
                to: from,
            },
            AlterIdentity {
                table,
                column,
                from,
                to,
            } => AlterIdentity {
                table,
                column,
                from: to,
                to: from,
            },
            AlterGenerated { table, from, to } => AlterGenerated {
                table,
                from: to,
                to: from,
            },
            SetComment { target, from, to } => SetComment {
                target,
                from: to,
                to: from,
            },
            AddPrimaryKey { table, primary_key } => DropPrimaryKey { table, primary_key },
            DropPrimaryKey { table, primary_key } => AddPrimaryKey { table, primary_key },
            AddUnique { table, unique } => DropUnique { table, unique },
            DropUnique { table, unique } => AddUnique { table, unique },
            AddCheck { table, check } => DropCheck { table, check },
            DropCheck { table, check } => AddCheck { table, check },
            ValidateConstraint { .. } => return Ok(Vec::new()),
            RenameConstraint { table, from, to } => RenameConstraint {
                table,
                from: to,
                to: from,
            },
            RenameIndex { table, from, to } => RenameIndex {
                table,
                from: to,
                to: from,
            },
            AddForeignKey { table, foreign_key } => DropForeignKey { table, foreign_key },
            DropForeignKey { table, foreign_key } => AddForeignKey { table, foreign_key },
            CreateIndex { table, index } => DropIndex { table, index },
            DropIndex { table, index } => CreateIndex { table, index },
            CreateView { schema, view } => DropView { schema, view },
            DropView { schema, view } => CreateView { schema, view },
            ReplaceView { schema, from, to } => {
                if from.columns.len() < to.columns.len() {
                    // A view cannot lose columns in place.
                    return Ok(vec![
                        DropView {
                            schema: schema.clone(),
                            view: to,
                        },
                        CreateView { schema, view: from },
                    ]);
                }
                ReplaceView {
                    schema,
                    from: to,
                    to: from,
                }
            }
            CreateFunction { schema, function } => DropFunction { schema, function },
            DropFunction { schema, function } => CreateFunction { schema, function },
            ReplaceFunction { schema, from, to } => ReplaceFunction {
                schema,
                from: to,
                to: from,
            },
            CreateTrigger { table, trigger } => DropTrigger { table, trigger },
            DropTrigger { table, trigger } => CreateTrigger { table, trigger },
            SetTriggerEnabled {
                table,
                name,
                enabled,
            } => SetTriggerEnabled {
                table,
                name,
                enabled: !enabled,
            },
            AttachPartition {
                table,
                parent,
                bound,
            } => DetachPartition {
                table,
                parent,
                bound,
            },
            DetachPartition {
                table,
                parent,
                bound,
            } => AttachPartition {
                table,
                parent,
                bound,
            },
            SetInherit {
                table,
                parent,
                inherit,
            } => SetInherit {
                table,
                parent,
                inherit: !inherit,
            },
            SetRowSecurity {
                table,
                enabled,
                forced,
                from_enabled,
                from_forced,
            } => SetRowSecurity {
                table,
                enabled: from_enabled,
                forced: from_forced,
                from_enabled: enabled,
                from_forced: forced,
            },
            SetLogged { table, logged } => SetLogged {
                table,
                logged: !logged,
            },
            CreatePolicy { table, policy } => DropPolicy { table, policy },
            DropPolicy { table, policy } => CreatePolicy { table, policy },
            RebuildTable {
                table,
                from,
                to,
                renamed,
                replaces,
            } => {
                let mut back = Vec::new();
                for r in replaces.iter().rev() {
                    back.extend(r.inverse()?);
                }
                if self.is_destructive() {
                    return Err(format!(
                        "table {} is rebuilt without some of its data",
                        to.name
                    ));
                }
                RebuildTable {
                    table: QualifiedName::new(table.schema, from.name.clone()),
                    from: to,
                    to: from,
                    renamed: renamed.into_iter().map(|(a, b)| (b, a)).collect(),
                    replaces: back,
                }
            }
            Unsupported { .. } => return Ok(Vec::new()),
        }])
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

    /// The schema the change belongs to, for grouping.
    pub fn schema(&self) -> String {
        use Change::*;
        match self {
            CreateSchema { name } | DropSchema { name } => name.clone(),
            CreateExtension { extension } | DropExtension { extension } => extension.schema.clone(),
            AlterExtension { to, .. } => to.schema.clone(),
            CreateEnum { schema, .. }
            | DropEnum { schema, .. }
            | AddEnumLabel { schema, .. }
            | RenameEnumLabel { schema, .. }
            | RebuildEnum { schema, .. }
            | CreateDomain { schema, .. }
            | DropDomain { schema, .. }
            | AlterDomain { schema, .. }
            | CreateCompositeType { schema, .. }
            | DropCompositeType { schema, .. }
            | CreateSequence { schema, .. }
            | DropSequence { schema, .. }
            | AlterSequence { schema, .. }
            | CreateTable { schema, .. }
            | DropTable { schema, .. }
            | RenameTable { schema, .. }
            | CreateView { schema, .. }
            | DropView { schema, .. }
            | ReplaceView { schema, .. }
            | CreateFunction { schema, .. }
            | DropFunction { schema, .. }
            | ReplaceFunction { schema, .. } => schema.clone(),
            AddColumn { table, .. }
            | AlterTableOptions { table, .. }
            | DropColumn { table, .. }
            | RenameColumn { table, .. }
            | AlterColumnType { table, .. }
            | SetNotNull { table, .. }
            | DropNotNull { table, .. }
            | SetDefault { table, .. }
            | AlterIdentity { table, .. }
            | AlterGenerated { table, .. }
            | AddPrimaryKey { table, .. }
            | DropPrimaryKey { table, .. }
            | AddUnique { table, .. }
            | DropUnique { table, .. }
            | AddCheck { table, .. }
            | DropCheck { table, .. }
            | ValidateConstraint { table, .. }
            | RenameConstraint { table, .. }
            | RenameIndex { table, .. }
            | AddForeignKey { table, .. }
            | DropForeignKey { table, .. }
            | CreateIndex { table, .. }
            | DropIndex { table, .. }
            | CreateTrigger { table, .. }
            | DropTrigger { table, .. }
            | SetTriggerEnabled { table, .. }
            | AttachPartition { table, .. }
            | DetachPartition { table, .. }
            | SetInherit { table, .. }
            | SetRowSecurity { table, .. }
            | SetLogged { table, .. }
            | CreatePolicy { table, .. }
            | DropPolicy { table, .. }
            | RebuildTable { table, .. } => table.schema.clone(),
            SetComment { target, .. } => match target {
                CommentTarget::Schema { name } => name.clone(),
                CommentTarget::Table { table } | CommentTarget::Column { table, .. } => {
                    table.schema.clone()
                }
                CommentTarget::View { view, .. } => view.schema.clone(),
                CommentTarget::Index { schema, .. } | CommentTarget::Function { schema, .. } => {
                    schema.clone()
                }
                CommentTarget::Sequence { sequence } => sequence.schema.clone(),
                CommentTarget::Type { name, .. } => name.schema.clone(),
                CommentTarget::Trigger { table, .. } => table.schema.clone(),
            },
            Unsupported { object, .. } => object.split('.').next().unwrap_or("").to_string(),
        }
    }

    /// The object the change is about, qualified: `public.customer`, `public.customer.email`,
    /// `public.customer.customer_email_key`.
    pub fn object(&self) -> String {
        use Change::*;
        let q = |t: &QualifiedName, n: &str| format!("{}.{}.{}", t.schema, t.name, n);
        match self {
            CreateSchema { name } | DropSchema { name } => name.clone(),
            CreateExtension { extension } | DropExtension { extension } => extension.name.clone(),
            AlterExtension { to, .. } => to.name.clone(),
            CreateEnum { schema, enum_type } | DropEnum { schema, enum_type } => {
                format!("{schema}.{}", enum_type.name)
            }
            AddEnumLabel { schema, name, .. } | RenameEnumLabel { schema, name, .. } => {
                format!("{schema}.{name}")
            }
            RebuildEnum { schema, to, .. } => format!("{schema}.{}", to.name),
            CreateDomain { schema, domain } | DropDomain { schema, domain } => {
                format!("{schema}.{}", domain.name)
            }
            AlterDomain { schema, to, .. } => format!("{schema}.{}", to.name),
            CreateCompositeType { schema, composite } | DropCompositeType { schema, composite } => {
                format!("{schema}.{}", composite.name)
            }
            CreateSequence { schema, sequence } | DropSequence { schema, sequence } => {
                format!("{schema}.{}", sequence.name)
            }
            AlterSequence { schema, to, .. } => format!("{schema}.{}", to.name),
            CreateTable { schema, table } | DropTable { schema, table } => {
                format!("{schema}.{}", table.name)
            }
            RenameTable { schema, to, .. } => format!("{schema}.{to}"),
            AddColumn { table, column } | DropColumn { table, column } => q(table, &column.name),
            RenameColumn { table, to, .. } => q(table, to),
            AlterColumnType { table, to, .. } | AlterGenerated { table, to, .. } => {
                q(table, &to.name)
            }
            SetNotNull { table, column }
            | DropNotNull { table, column }
            | SetDefault { table, column, .. }
            | AlterIdentity { table, column, .. } => q(table, column),
            AddPrimaryKey { table, primary_key } | DropPrimaryKey { table, primary_key } => {
                q(table, primary_key.name.as_deref().unwrap_or("primary key"))
            }
            AddUnique { table, unique } | DropUnique { table, unique } => q(table, &unique.name),
            AddCheck { table, check } | DropCheck { table, check } => q(table, &check.name),
            ValidateConstraint { table, name } => q(table, name),
            RenameConstraint { table, to, .. } | RenameIndex { table, to, .. } => q(table, to),
            AddForeignKey { table, foreign_key } | DropForeignKey { table, foreign_key } => {
                q(table, &foreign_key.name)
            }
            CreateIndex { table, index } | DropIndex { table, index } => q(table, &index.name),
            CreateView { schema, view } | DropView { schema, view } => {
                format!("{schema}.{}", view.name)
            }
            ReplaceView { schema, to, .. } => format!("{schema}.{}", to.name),
            CreateFunction { schema, function } | DropFunction { schema, function } => {
                format!("{schema}.{}({})", function.name, function.arguments)
            }
            ReplaceFunction { schema, to, .. } => format!("{schema}.{}({})", to.name, to.arguments),
            CreateTrigger { table, trigger } | DropTrigger { table, trigger } => {
                q(table, &trigger.name)
            }
            SetTriggerEnabled { table, name, .. } => q(table, name),
            AttachPartition { table, .. }
            | AlterTableOptions { table, .. }
            | DetachPartition { table, .. }
            | SetInherit { table, .. }
            | SetRowSecurity { table, .. }
            | SetLogged { table, .. }
            | RebuildTable { table, .. } => table.to_string(),
            CreatePolicy { table, policy } | DropPolicy { table, policy } => q(table, &policy.name),
            SetComment { target, .. } => match target {
                CommentTarget::Schema { name } => name.clone(),
                CommentTarget::Table { table } => table.to_string(),
                CommentTarget::Column { table, column } => q(table, column),
                CommentTarget::View { view, .. } => view.to_string(),
                CommentTarget::Index { schema, name } => format!("{schema}.{name}"),
                CommentTarget::Function {
                    schema,
                    name,
                    arguments,
                    ..
                } => format!("{schema}.{name}({arguments})"),
                CommentTarget::Sequence { sequence } => sequence.to_string(),
                CommentTarget::Type { name, .. } => name.to_string(),
                CommentTarget::Trigger { table, name } => q(table, name),
            },
            Unsupported { object, .. } => object.clone(),
        }
    }

    /// What kind of object the change is about (`table`, `column`, `index`, …), for grouping.
    pub fn object_kind(&self) -> &'static str {
        use Change::*;
        match self {
            CreateSchema { .. } | DropSchema { .. } => "schema",
            CreateExtension { .. } | DropExtension { .. } | AlterExtension { .. } => "extension",
            CreateEnum { .. }
            | DropEnum { .. }
            | AddEnumLabel { .. }
            | RenameEnumLabel { .. }
            | RebuildEnum { .. } => "enum",
            CreateDomain { .. } | DropDomain { .. } | AlterDomain { .. } => "domain",
            CreateCompositeType { .. } | DropCompositeType { .. } => "type",
            CreateSequence { .. } | DropSequence { .. } | AlterSequence { .. } => "sequence",
            CreateTable { .. }
            | DropTable { .. }
            | RenameTable { .. }
            | AlterTableOptions { .. }
            | AttachPartition { .. }
            | DetachPartition { .. }
            | SetInherit { .. }
            | SetRowSecurity { .. }
            | SetLogged { .. }
            | RebuildTable { .. } => "table",
            AddColumn { .. }
            | DropColumn { .. }
            | RenameColumn { .. }
            | AlterColumnType { .. }
            | SetNotNull { .. }
            | DropNotNull { .. }
            | SetDefault { .. }
            | AlterIdentity { .. }
            | AlterGenerated { .. } => "column",
            AddPrimaryKey { .. } | DropPrimaryKey { .. } => "primary key",
            AddUnique { .. } | DropUnique { .. } => "unique constraint",
            AddCheck { .. } | DropCheck { .. } => "check constraint",
            ValidateConstraint { .. } | RenameConstraint { .. } => "constraint",
            RenameIndex { .. } => "index",
            AddForeignKey { .. } | DropForeignKey { .. } => "foreign key",
            CreateIndex { .. } | DropIndex { .. } => "index",
            CreateView { view, .. } | DropView { view, .. } => {
                if view.materialized {
                    "materialized view"
                } else {
                    "view"
                }
            }
            ReplaceView { .. } => "view",
            CreateFunction { .. } | DropFunction { .. } | ReplaceFunction { .. } => "function",
            CreateTrigger { .. } | DropTrigger { .. } | SetTriggerEnabled { .. } => "trigger",
            CreatePolicy { .. } | DropPolicy { .. } => "policy",
            SetComment { .. } => "comment",
            Unsupported { .. } => "unsupported",
        }
    }

    /// The table a change belongs to, if it belongs to one (for grouping under it).
    pub fn table(&self) -> Option<QualifiedName> {
        use Change::*;
        match self {
            CreateTable { schema, table } | DropTable { schema, table } => {
                Some(QualifiedName::new(schema.clone(), table.name.clone()))
            }
            RenameTable { schema, to, .. } => Some(QualifiedName::new(schema.clone(), to.clone())),
            AddColumn { table, .. }
            | AlterTableOptions { table, .. }
            | DropColumn { table, .. }
            | RenameColumn { table, .. }
            | AlterColumnType { table, .. }
            | SetNotNull { table, .. }
            | DropNotNull { table, .. }
            | SetDefault { table, .. }
            | AlterIdentity { table, .. }
            | AlterGenerated { table, .. }
            | AddPrimaryKey { table, .. }
            | DropPrimaryKey { table, .. }
            | AddUnique { table, .. }
            | DropUnique { table, .. }
            | AddCheck { table, .. }
            | DropCheck { table, .. }
            | ValidateConstraint { table, .. }
            | RenameConstraint { table, .. }
            | RenameIndex { table, .. }
            | AddForeignKey { table, .. }
            | DropForeignKey { table, .. }
            | CreateIndex { table, .. }
            | DropIndex { table, .. }
            | CreateTrigger { table, .. }
            | DropTrigger { table, .. }
            | SetTriggerEnabled { table, .. }
            | AttachPartition { table, .. }
            | DetachPartition { table, .. }
            | SetInherit { table, .. }
            | SetRowSecurity { table, .. }
            | SetLogged { table, .. }
            | CreatePolicy { table, .. }
            | DropPolicy { table, .. }
            | RebuildTable { table, .. } => Some(table.clone()),
            SetComment {
                target: CommentTarget::Table { table } | CommentTarget::Column { table, .. },
                ..
            } => Some(table.clone()),
            _ => None,
        }
    }

    /// A one-line description for people: `add column email varchar(200) NOT NULL`.
    pub fn describe(&self) -> String {
        use Change::*;
        let col = |c: &Column| {
            let mut s = format!("{} {}", c.name, c.data_type);
            if !c.nullable {
                s.push_str(" NOT NULL");
            }
            if let Some(d) = &c.default {
                s.push_str(&format!(" DEFAULT {d}"));
            }
            s
        };
        match self {
            CreateSchema { name } => format!("create schema {name}"),
            DropSchema { name } => format!("drop schema {name}"),
            CreateExtension { extension } => format!("create extension {}", extension.name),
            DropExtension { extension } => format!("drop extension {}", extension.name),
            AlterExtension { from, to } => format!(
                "update extension {} {} → {}",
                to.name, from.version, to.version
            ),
            CreateEnum { enum_type, .. } => format!(
                "create enum {} ({})",
                enum_type.name,
                enum_type.labels.join(", ")
            ),
            DropEnum { enum_type, .. } => format!("drop enum {}", enum_type.name),
            AddEnumLabel {
                name,
                label,
                before,
                ..
            } => match before {
                Some(b) => format!("enum {name}: add value '{label}' before '{b}'"),
                None => format!("enum {name}: add value '{label}'"),
            },
            RenameEnumLabel { name, from, to, .. } => {
                format!("enum {name}: rename value '{from}' → '{to}'")
            }
            RebuildEnum { from, to, .. } => format!(
                "enum {}: rebuild ({}) → ({})",
                to.name,
                from.labels.join(", "),
                to.labels.join(", ")
            ),
            CreateDomain { domain, .. } => {
                format!("create domain {} as {}", domain.name, domain.base_type)
            }
            DropDomain { domain, .. } => format!("drop domain {}", domain.name),
            AlterDomain { to, .. } => format!("alter domain {}", to.name),
            CreateCompositeType { composite, .. } => format!("create type {}", composite.name),
            DropCompositeType { composite, .. } => format!("drop type {}", composite.name),
            CreateSequence { sequence, .. } => format!("create sequence {}", sequence.name),
            DropSequence { sequence, .. } => format!("drop sequence {}", sequence.name),
            AlterSequence { to, .. } => format!("alter sequence {}", to.name),
            CreateTable { table, .. } => format!(
                "create table {} ({} columns)",
                table.name,
                table.columns.len()
            ),
            DropTable { table, .. } => format!("drop table {}", table.name),
            RenameTable {
                from, to, score, ..
            } => format!("rename table {from} → {to} (score {score})"),
            AlterTableOptions { from, to, .. } => {
                format!("table options: {}", from.delta(to))
            }
            AddColumn { column, .. } => format!("add column {}", col(column)),
            DropColumn { column, .. } => format!("drop column {}", column.name),
            RenameColumn {
                from, to, score, ..
            } => format!("rename column {from} → {to} (score {score})"),
            AlterColumnType { from, to, .. } => {
                let mut s = format!(
                    "column {}: type {} → {}",
                    to.name, from.data_type, to.data_type
                );
                if from.collation != to.collation {
                    s.push_str(&format!(
                        ", collation {} → {}",
                        from.collation.as_deref().unwrap_or("default"),
                        to.collation.as_deref().unwrap_or("default")
                    ));
                }
                s
            }
            SetNotNull { column, .. } => format!("column {column}: set NOT NULL"),
            DropNotNull { column, .. } => format!("column {column}: drop NOT NULL"),
            SetDefault {
                column, from, to, ..
            } => match to {
                Some(t) => format!(
                    "column {column}: default {} → {t}",
                    from.as_deref().unwrap_or("none")
                ),
                None => format!(
                    "column {column}: drop default {}",
                    from.as_deref().unwrap_or("")
                ),
            },
            AlterIdentity {
                column, from, to, ..
            } => format!(
                "column {column}: identity {} → {}",
                identity_word(from.as_ref()),
                identity_word(to.as_ref())
            ),
            AlterGenerated { to, .. } => match &to.generated {
                Some(g) => format!("column {}: generated as {}", to.name, g.expression),
                None => format!("column {}: no longer generated", to.name),
            },
            SetComment { to, .. } => match to {
                Some(c) => format!("comment: {c}"),
                None => "drop comment".to_string(),
            },
            AddPrimaryKey { primary_key, .. } => {
                format!("add primary key ({})", primary_key.columns.join(", "))
            }
            DropPrimaryKey { primary_key, .. } => {
                format!("drop primary key ({})", primary_key.columns.join(", "))
            }
            AddUnique { unique, .. } => {
                format!("add unique {} ({})", unique.name, unique.columns.join(", "))
            }
            DropUnique { unique, .. } => format!("drop unique {}", unique.name),
            AddCheck { check, .. } => format!("add check {} ({})", check.name, check.expression),
            DropCheck { check, .. } => format!("drop check {}", check.name),
            ValidateConstraint { name, .. } => format!("validate constraint {name}"),
            RenameConstraint { from, to, .. } => format!("rename constraint {from} → {to}"),
            RenameIndex { from, to, .. } => format!("rename index {from} → {to}"),
            AddForeignKey { foreign_key, .. } => format!(
                "add foreign key {} ({}) → {}({})",
                foreign_key.name,
                foreign_key.columns.join(", "),
                foreign_key.ref_table,
                foreign_key.ref_columns.join(", ")
            ),
            DropForeignKey { foreign_key, .. } => format!("drop foreign key {}", foreign_key.name),
            CreateIndex { index, .. } => {
                let keys: Vec<String> = index.keys.iter().map(|k| k.key.clone()).collect();
                format!(
                    "create {}index {} ({})",
                    if index.unique { "unique " } else { "" },
                    index.name,
                    keys.join(", ")
                )
            }
            DropIndex { index, .. } => format!("drop index {}", index.name),
            CreateView { view, .. } => format!(
                "create {}view {}",
                if view.materialized {
                    "materialized "
                } else {
                    ""
                },
                view.name
            ),
            DropView { view, .. } => format!(
                "drop {}view {}",
                if view.materialized {
                    "materialized "
                } else {
                    ""
                },
                view.name
            ),
            ReplaceView { to, .. } => format!("replace view {}", to.name),
            CreateFunction { function, .. } => format!(
                "create {} {}({})",
                routine_word(function.kind),
                function.name,
                function.arguments
            ),
            DropFunction { function, .. } => format!(
                "drop {} {}({})",
                routine_word(function.kind),
                function.name,
                function.arguments
            ),
            ReplaceFunction { to, .. } => format!(
                "replace {} {}({})",
                routine_word(to.kind),
                to.name,
                to.arguments
            ),
            CreateTrigger { trigger, .. } => format!(
                "create trigger {} {} {}",
                trigger.name,
                trigger.timing,
                trigger.events.join(" OR ")
            ),
            DropTrigger { trigger, .. } => format!("drop trigger {}", trigger.name),
            SetTriggerEnabled { name, enabled, .. } => format!(
                "{} trigger {name}",
                if *enabled { "enable" } else { "disable" }
            ),
            AttachPartition { parent, bound, .. } => {
                format!("attach as partition of {parent} {bound}")
            }
            DetachPartition { parent, .. } => format!("detach from partitioned table {parent}"),
            SetInherit {
                parent, inherit, ..
            } => format!(
                "{} {parent}",
                if *inherit {
                    "inherit from"
                } else {
                    "stop inheriting from"
                }
            ),
            SetRowSecurity {
                enabled, forced, ..
            } => format!(
                "row level security {}{}",
                if *enabled { "enabled" } else { "disabled" },
                if *forced { ", forced" } else { "" }
            ),
            SetLogged { logged, .. } => {
                if *logged {
                    "set logged".into()
                } else {
                    "set unlogged".into()
                }
            }
            CreatePolicy { policy, .. } => {
                format!("create policy {} for {}", policy.name, policy.command)
            }
            DropPolicy { policy, .. } => format!("drop policy {}", policy.name),
            RebuildTable {
                from, to, replaces, ..
            } => {
                let mut what: Vec<String> = replaces.iter().map(Change::describe).collect();
                if from.without_rowid != to.without_rowid {
                    what.push(
                        if to.without_rowid {
                            "WITHOUT ROWID"
                        } else {
                            "with rowid"
                        }
                        .into(),
                    );
                }
                if from.strict != to.strict {
                    what.push(if to.strict { "STRICT" } else { "not STRICT" }.into());
                }
                format!("rebuild table {} ({})", to.name, what.join("; "))
            }
            Unsupported {
                object_kind,
                detail,
                ..
            } => format!("unsupported {object_kind}: {detail}"),
        }
    }
}

fn identity_word(i: Option<&Identity>) -> &'static str {
    match i {
        None => "none",
        Some(Identity::Always { .. }) => "always",
        Some(Identity::ByDefault { .. }) => "by default",
        Some(Identity::AutoIncrement) => "auto_increment",
        Some(Identity::Autoincrement) => "autoincrement",
    }
}

fn routine_word(k: RoutineKind) -> &'static str {
    match k {
        RoutineKind::Function | RoutineKind::Window => "function",
        RoutineKind::Procedure => "procedure",
        RoutineKind::Aggregate => "aggregate",
    }
}
