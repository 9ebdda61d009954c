//! What a change is, in a few words: the start of every reason and count.

use crate::model::change::CommentTarget;
use crate::model::*;

/// What a change is, in a few words, as reasons and counts start: `SET NOT NULL on
/// public.customer.company`, `DROP TABLE public.orders`.
pub fn subject(change: &Change) -> String {
    use Change::*;
    let col = |t: &QualifiedName, c: &str| format!("{t}.{c}");
    let list = |c: &[String]| c.join(", ");
    match change {
        RebuildTable { table, .. } => format!("REBUILD TABLE {table}"),
        AlterTableOptions { table, from, to } => {
            format!("ALTER TABLE {table} ({})", from.delta(to))
        }
        CreateSchema { name } => format!("CREATE SCHEMA {name}"),
        DropSchema { name } => format!("DROP SCHEMA {name}"),
        CreateExtension { extension } => format!("CREATE EXTENSION {}", extension.name),
        DropExtension { extension } => format!("DROP EXTENSION {}", extension.name),
        AlterExtension { to, .. } => format!("ALTER EXTENSION {} UPDATE", to.name),
        CreateEnum { schema, enum_type } => format!("CREATE TYPE {schema}.{}", enum_type.name),
        DropEnum { schema, enum_type } => format!("DROP TYPE {schema}.{}", enum_type.name),
        AddEnumLabel {
            schema,
            name,
            label,
            ..
        } => format!("ADD VALUE '{label}' to {schema}.{name}"),
        RenameEnumLabel {
            schema,
            name,
            from,
            to,
        } => format!("RENAME VALUE '{from}' TO '{to}' in {schema}.{name}"),
        RebuildEnum { schema, to, .. } => format!("rebuild of enum {schema}.{}", to.name),
        CreateDomain { schema, domain } => format!("CREATE DOMAIN {schema}.{}", domain.name),
        DropDomain { schema, domain } => format!("DROP DOMAIN {schema}.{}", domain.name),
        AlterDomain { schema, to, .. } => format!("ALTER DOMAIN {schema}.{}", to.name),
        CreateCompositeType { schema, composite } => {
            format!("CREATE TYPE {schema}.{}", composite.name)
        }
        DropCompositeType { schema, composite } => {
            format!("DROP TYPE {schema}.{}", composite.name)
        }
        CreateSequence { schema, sequence } => {
            format!("CREATE SEQUENCE {schema}.{}", sequence.name)
        }
        DropSequence { schema, sequence } => format!("DROP SEQUENCE {schema}.{}", sequence.name),
        AlterSequence { schema, to, .. } => format!("ALTER SEQUENCE {schema}.{}", to.name),
        CreateTable { schema, table } => format!("CREATE TABLE {schema}.{}", table.name),
        DropTable { schema, table } => format!("DROP TABLE {schema}.{}", table.name),
        RenameTable {
            schema, from, to, ..
        } => format!("RENAME TABLE {schema}.{from} TO {to}"),
        AddColumn { table, column } => format!("ADD COLUMN {}", col(table, &column.name)),
        DropColumn { table, column } => format!("DROP COLUMN {}", col(table, &column.name)),
        RenameColumn {
            table, from, to, ..
        } => format!("RENAME COLUMN {} TO {to}", col(table, from)),
        AlterColumnType { table, from, to } => format!(
            "TYPE of {} {} → {}",
            col(table, &to.name),
            from.data_type,
            to.data_type
        ),
        SetNotNull { table, column } => format!("SET NOT NULL on {}", col(table, column)),
        DropNotNull { table, column } => format!("DROP NOT NULL on {}", col(table, column)),
        SetDefault {
            table, column, to, ..
        } => match to {
            Some(_) => format!("SET DEFAULT on {}", col(table, column)),
            None => format!("DROP DEFAULT on {}", col(table, column)),
        },
        AlterIdentity { table, column, .. } => format!("identity of {}", col(table, column)),
        AlterGenerated { table, to, .. } => {
            format!("generated expression of {}", col(table, &to.name))
        }
        SetComment { target, .. } => format!("COMMENT on {}", comment_target(target)),
        AddPrimaryKey { table, primary_key } => {
            format!(
                "ADD PRIMARY KEY on {table} ({})",
                list(&primary_key.columns)
            )
        }
        DropPrimaryKey { table, .. } => format!("DROP PRIMARY KEY on {table}"),
        AddUnique { table, unique } => format!(
            "ADD UNIQUE {} on {table} ({})",
            unique.name,
            list(&unique.columns)
        ),
        DropUnique { table, unique } => format!("DROP UNIQUE {} on {table}", unique.name),
        AddCheck { table, check } => format!("ADD CHECK {} on {table}", check.name),
        DropCheck { table, check } => format!("DROP CHECK {} on {table}", check.name),
        ValidateConstraint { table, name } => format!("VALIDATE CONSTRAINT {name} on {table}"),
        RenameConstraint { table, from, to } => {
            format!("RENAME CONSTRAINT {from} TO {to} on {table}")
        }
        RenameIndex { table, from, to } => format!("RENAME INDEX {from} TO {to} on {table}"),
        AddForeignKey { table, foreign_key } => format!(
            "FOREIGN KEY {} on {table} ({}) → {}",
            foreign_key.name,
            list(&foreign_key.columns),
            foreign_key.ref_table
        ),
        DropForeignKey { table, foreign_key } => {
            format!("DROP FOREIGN KEY {} on {table}", foreign_key.name)
        }
        CreateIndex { table, index } => format!(
            "CREATE {}INDEX {} on {table}",
            if index.unique { "UNIQUE " } else { "" },
            index.name
        ),
        DropIndex { table, index } => format!("DROP INDEX {}.{}", table.schema, index.name),
        CreateView { schema, view } => format!(
            "CREATE {}VIEW {schema}.{}",
            if view.materialized {
                "MATERIALIZED "
            } else {
                ""
            },
            view.name
        ),
        DropView { schema, view } => format!(
            "DROP {}VIEW {schema}.{}",
            if view.materialized {
                "MATERIALIZED "
            } else {
                ""
            },
            view.name
        ),
        ReplaceView { schema, to, .. } => format!("REPLACE VIEW {schema}.{}", to.name),
        CreateFunction { schema, function } => {
            format!(
                "CREATE FUNCTION {schema}.{}({})",
                function.name, function.arguments
            )
        }
        DropFunction { schema, function } => {
            format!(
                "DROP FUNCTION {schema}.{}({})",
                function.name, function.arguments
            )
        }
        ReplaceFunction { schema, to, .. } => {
            format!("REPLACE FUNCTION {schema}.{}({})", to.name, to.arguments)
        }
        CreateTrigger { table, trigger } => format!("CREATE TRIGGER {} on {table}", trigger.name),
        DropTrigger { table, trigger } => format!("DROP TRIGGER {} on {table}", trigger.name),
        SetTriggerEnabled {
            table,
            name,
            enabled,
        } => format!(
            "{} TRIGGER {name} on {table}",
            if *enabled { "ENABLE" } else { "DISABLE" }
        ),
        AttachPartition { table, parent, .. } => format!("ATTACH PARTITION {table} to {parent}"),
        DetachPartition { table, parent, .. } => format!("DETACH PARTITION {table} from {parent}"),
        SetInherit {
            table,
            parent,
            inherit,
        } => format!(
            "{}INHERIT {parent} on {table}",
            if *inherit { "" } else { "NO " }
        ),
        SetRowSecurity { table, .. } => format!("ROW LEVEL SECURITY on {table}"),
        SetLogged { table, logged } => format!(
            "SET {} on {table}",
            if *logged { "LOGGED" } else { "UNLOGGED" }
        ),
        CreatePolicy { table, policy } => format!("CREATE POLICY {} on {table}", policy.name),
        DropPolicy { table, policy } => format!("DROP POLICY {} on {table}", policy.name),
        Unsupported {
            object_kind,
            object,
            ..
        } => format!("{object_kind} {object}"),
    }
}

fn comment_target(t: &CommentTarget) -> String {
    match t {
        CommentTarget::Schema { name } => format!("schema {name}"),
        CommentTarget::Table { table } => format!("table {table}"),
        CommentTarget::Column { table, column } => format!("column {table}.{column}"),
        CommentTarget::View { view, .. } => format!("view {view}"),
        CommentTarget::Index { schema, name } => format!("index {schema}.{name}"),
        CommentTarget::Function {
            schema,
            name,
            arguments,
            ..
        } => format!("function {schema}.{name}({arguments})"),
        CommentTarget::Sequence { sequence } => format!("sequence {sequence}"),
        CommentTarget::Type { name, .. } => format!("type {name}"),
        CommentTarget::Trigger { table, name } => format!("trigger {name} on {table}"),
    }
}
