//! How a change reads for people: one line, `add column email varchar(200) NOT NULL`. The words
//! are part of the output people and scripts read (text diffs, changelogs, JSON `description`):
//! change them deliberately.

use super::Change;
use crate::model::catalog::*;

impl Change {
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
