//! PostgreSQL rendering: a [`Change`] becomes the SQL statements that make it, in order.
//! Every identifier passes through [`crate::dialect::quote`].
//!
//! [`render`] sends each change to the file of its group: `types.rs` (schemas, extensions, enum,
//! domain and composite types, sequences), `table.rs` (tables, partitions, inheritance, row
//! security, policies), `column.rs` (column definitions and every column change), `constraint.rs`
//! (keys, checks, foreign keys, indexes), `routine.rs` (views, functions, triggers); comments are
//! rendered here.

use crate::dialect::RenderCtx;
use crate::dialect::quote::pg::{id, lit, q2, qn};
use crate::model::change::CommentTarget;
use crate::model::*;

mod column;
mod constraint;
mod routine;
mod table;
mod types;

pub use column::{column_def, serial_kind};

/// The statements that make `change`, in order. Unsupported changes render to nothing.
pub fn render(change: &Change, ctx: &RenderCtx) -> Vec<String> {
    use Change::*;
    match change {
        CreateSchema { .. }
        | DropSchema { .. }
        | CreateExtension { .. }
        | DropExtension { .. }
        | AlterExtension { .. }
        | CreateEnum { .. }
        | DropEnum { .. }
        | AddEnumLabel { .. }
        | RenameEnumLabel { .. }
        | RebuildEnum { .. }
        | CreateDomain { .. }
        | DropDomain { .. }
        | AlterDomain { .. }
        | CreateCompositeType { .. }
        | DropCompositeType { .. }
        | CreateSequence { .. }
        | DropSequence { .. }
        | AlterSequence { .. } => types::render(change),
        CreateTable { .. }
        | DropTable { .. }
        | RenameTable { .. }
        | AttachPartition { .. }
        | DetachPartition { .. }
        | SetInherit { .. }
        | SetRowSecurity { .. }
        | SetLogged { .. }
        | CreatePolicy { .. }
        | DropPolicy { .. } => table::render(change, ctx),
        AddColumn { .. }
        | DropColumn { .. }
        | RenameColumn { .. }
        | AlterColumnType { .. }
        | SetNotNull { .. }
        | DropNotNull { .. }
        | SetDefault { .. }
        | AlterIdentity { .. }
        | AlterGenerated { .. } => column::render(change, ctx),
        AddPrimaryKey { .. }
        | DropPrimaryKey { .. }
        | AddUnique { .. }
        | DropUnique { .. }
        | AddCheck { .. }
        | DropCheck { .. }
        | ValidateConstraint { .. }
        | RenameConstraint { .. }
        | RenameIndex { .. }
        | AddForeignKey { .. }
        | DropForeignKey { .. }
        | CreateIndex { .. }
        | DropIndex { .. } => constraint::render(change),
        CreateView { .. }
        | DropView { .. }
        | ReplaceView { .. }
        | CreateFunction { .. }
        | ReplaceFunction { .. }
        | DropFunction { .. }
        | CreateTrigger { .. }
        | DropTrigger { .. }
        | SetTriggerEnabled { .. } => routine::render(change),
        SetComment { target, to, .. } => vec![comment(target, to.as_deref())],
        // A SQLite procedure and MySQL table options: PostgreSQL has neither.
        RebuildTable { .. } | AlterTableOptions { .. } | Unsupported { .. } => vec![],
    }
}

fn comment(target: &CommentTarget, text: Option<&str>) -> String {
    let what = match target {
        CommentTarget::Schema { name } => format!("SCHEMA {}", id(name)),
        CommentTarget::Table { table } => format!("TABLE {}", qn(table)),
        CommentTarget::Column { table, column } => format!("COLUMN {}.{}", qn(table), id(column)),
        CommentTarget::View { view, materialized } => format!(
            "{}VIEW {}",
            if *materialized { "MATERIALIZED " } else { "" },
            qn(view)
        ),
        CommentTarget::Index { schema, name } => format!("INDEX {}", q2(schema, name)),
        CommentTarget::Function {
            schema,
            name,
            arguments,
            kind,
        } => format!(
            "{} {}({arguments})",
            match kind {
                RoutineKind::Procedure => "PROCEDURE",
                RoutineKind::Aggregate => "AGGREGATE",
                _ => "FUNCTION",
            },
            q2(schema, name)
        ),
        CommentTarget::Sequence { sequence } => format!("SEQUENCE {}", qn(sequence)),
        CommentTarget::Type { name, domain } => {
            format!("{} {}", if *domain { "DOMAIN" } else { "TYPE" }, qn(name))
        }
        CommentTarget::Trigger { table, name } => format!("TRIGGER {} ON {}", id(name), qn(table)),
    };
    format!(
        "COMMENT ON {what} IS {}",
        text.map(lit).unwrap_or_else(|| "NULL".into())
    )
}
