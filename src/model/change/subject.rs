//! What a change is about. One `match` over the variants ([`Change::subject`]) says it; the
//! grouping accessors ([`Change::schema`], [`Change::object`], [`Change::object_kind`],
//! [`Change::table`]) read from it, so they cannot disagree with each other.

use super::{Change, CommentTarget};
use crate::model::catalog::QualifiedName;

/// The object a change is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The kind of object (`table`, `column`, `index`, …; `comment` for any comment).
    pub kind: &'static str,
    /// The schema it belongs to (empty when there is none).
    pub schema: String,
    /// Its qualified name: `public`, `public.customer`, `public.customer.email`,
    /// `public.add(integer, integer)`.
    pub object: String,
    /// The table it is grouped under: the table itself, or the one its column, constraint, index,
    /// trigger or policy is on. Views, types, functions and schemas have none.
    pub table: Option<QualifiedName>,
}

impl Subject {
    /// An object named on its own (a schema, an extension): `name`, in `schema`.
    fn named(kind: &'static str, schema: &str, name: &str) -> Subject {
        Subject {
            kind,
            schema: schema.to_string(),
            object: name.to_string(),
            table: None,
        }
    }

    /// An object in a schema: `schema.name`.
    fn in_schema(kind: &'static str, schema: &str, name: &str) -> Subject {
        Subject {
            kind,
            schema: schema.to_string(),
            object: format!("{schema}.{name}"),
            table: None,
        }
    }

    /// A table itself: `schema.table`.
    fn of_table(kind: &'static str, table: QualifiedName) -> Subject {
        Subject {
            kind,
            schema: table.schema.clone(),
            object: table.to_string(),
            table: Some(table),
        }
    }

    /// Something on a table: `schema.table.name`.
    fn on_table(kind: &'static str, table: &QualifiedName, name: &str) -> Subject {
        Subject {
            kind,
            schema: table.schema.clone(),
            object: format!("{}.{}.{name}", table.schema, table.name),
            table: Some(table.clone()),
        }
    }
}

impl Change {
    /// What the change is about (see [`Subject`]).
    pub fn subject(&self) -> Subject {
        use Change::*;
        match self {
            CreateSchema { name } | DropSchema { name } => Subject::named("schema", name, name),
            CreateExtension { extension: e }
            | DropExtension { extension: e }
            | AlterExtension { to: e, .. } => Subject::named("extension", &e.schema, &e.name),
            // Types.
            CreateEnum {
                schema,
                enum_type: e,
            }
            | DropEnum {
                schema,
                enum_type: e,
            }
            | RebuildEnum { schema, to: e, .. } => Subject::in_schema("enum", schema, &e.name),
            AddEnumLabel { schema, name, .. } | RenameEnumLabel { schema, name, .. } => {
                Subject::in_schema("enum", schema, name)
            }
            CreateDomain { schema, domain: d }
            | DropDomain { schema, domain: d }
            | AlterDomain { schema, to: d, .. } => Subject::in_schema("domain", schema, &d.name),
            CreateCompositeType { schema, composite } | DropCompositeType { schema, composite } => {
                Subject::in_schema("type", schema, &composite.name)
            }
            CreateSequence {
                schema,
                sequence: q,
            }
            | DropSequence {
                schema,
                sequence: q,
            }
            | AlterSequence { schema, to: q, .. } => {
                Subject::in_schema("sequence", schema, &q.name)
            }
            // Tables.
            CreateTable { schema, table } | DropTable { schema, table } => {
                Subject::of_table("table", QualifiedName::new(schema, &table.name))
            }
            RenameTable { schema, to, .. } => {
                Subject::of_table("table", QualifiedName::new(schema, to))
            }
            AlterTableOptions { table, .. }
            | AttachPartition { table, .. }
            | DetachPartition { table, .. }
            | SetInherit { table, .. }
            | SetRowSecurity { table, .. }
            | SetLogged { table, .. }
            | RebuildTable { table, .. } => Subject::of_table("table", table.clone()),
            // On a table.
            AddColumn { table, column: c }
            | DropColumn { table, column: c }
            | AlterColumnType { table, to: c, .. }
            | AlterGenerated { table, to: c, .. } => Subject::on_table("column", table, &c.name),
            RenameColumn { table, to: c, .. }
            | SetNotNull { table, column: c }
            | DropNotNull { table, column: c }
            | SetDefault {
                table, column: c, ..
            }
            | AlterIdentity {
                table, column: c, ..
            } => Subject::on_table("column", table, c),
            AddPrimaryKey { table, primary_key } | DropPrimaryKey { table, primary_key } => {
                Subject::on_table(
                    "primary key",
                    table,
                    primary_key.name.as_deref().unwrap_or("primary key"),
                )
            }
            AddUnique { table, unique } | DropUnique { table, unique } => {
                Subject::on_table("unique constraint", table, &unique.name)
            }
            AddCheck { table, check } | DropCheck { table, check } => {
                Subject::on_table("check constraint", table, &check.name)
            }
            ValidateConstraint { table, name }
            | RenameConstraint {
                table, to: name, ..
            } => Subject::on_table("constraint", table, name),
            AddForeignKey { table, foreign_key } | DropForeignKey { table, foreign_key } => {
                Subject::on_table("foreign key", table, &foreign_key.name)
            }
            CreateIndex { table, index } | DropIndex { table, index } => {
                Subject::on_table("index", table, &index.name)
            }
            RenameIndex { table, to, .. } => Subject::on_table("index", table, to),
            CreateTrigger { table, trigger } | DropTrigger { table, trigger } => {
                Subject::on_table("trigger", table, &trigger.name)
            }
            SetTriggerEnabled { table, name, .. } => Subject::on_table("trigger", table, name),
            CreatePolicy { table, policy } | DropPolicy { table, policy } => {
                Subject::on_table("policy", table, &policy.name)
            }
            // Views and routines.
            CreateView { schema, view } | DropView { schema, view } => {
                let kind = if view.materialized {
                    "materialized view"
                } else {
                    "view"
                };
                Subject::in_schema(kind, schema, &view.name)
            }
            ReplaceView { schema, to, .. } => Subject::in_schema("view", schema, &to.name),
            CreateFunction {
                schema,
                function: f,
            }
            | DropFunction {
                schema,
                function: f,
            }
            | ReplaceFunction { schema, to: f, .. } => {
                Subject::in_schema("function", schema, &format!("{}({})", f.name, f.arguments))
            }
            SetComment { target, .. } => target.subject(),
            Unsupported { object, .. } => Subject {
                kind: "unsupported",
                schema: object.split('.').next().unwrap_or("").to_string(),
                object: object.clone(),
                table: None,
            },
        }
    }

    /// The schema the change belongs to, for grouping.
    pub fn schema(&self) -> String {
        self.subject().schema
    }

    /// The object the change is about, qualified: `public.customer`, `public.customer.email`,
    /// `public.customer.customer_email_key`.
    pub fn object(&self) -> String {
        self.subject().object
    }

    /// What kind of object the change is about (`table`, `column`, `index`, …), for grouping.
    pub fn object_kind(&self) -> &'static str {
        self.subject().kind
    }

    /// The table a change belongs to, if it belongs to one (for grouping under it).
    pub fn table(&self) -> Option<QualifiedName> {
        self.subject().table
    }
}

impl CommentTarget {
    /// A comment is about the object it is on; only comments on a table or its columns are
    /// grouped under the table.
    fn subject(&self) -> Subject {
        const K: &str = "comment";
        match self {
            CommentTarget::Schema { name } => Subject::named(K, name, name),
            CommentTarget::Table { table } => Subject::of_table(K, table.clone()),
            CommentTarget::Column { table, column } => Subject::on_table(K, table, column),
            CommentTarget::View { view: q, .. }
            | CommentTarget::Sequence { sequence: q }
            | CommentTarget::Type { name: q, .. } => Subject::in_schema(K, &q.schema, &q.name),
            CommentTarget::Index { schema, name } => Subject::in_schema(K, schema, name),
            CommentTarget::Function {
                schema,
                name,
                arguments,
                ..
            } => Subject::in_schema(K, schema, &format!("{name}({arguments})")),
            CommentTarget::Trigger { table, name } => Subject {
                table: None,
                ..Subject::on_table(K, table, name)
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::samples::every_variant;
    use super::*;

    fn subject_of(kind: &str, nth: usize) -> Subject {
        let all = every_variant();
        let mut it = all.iter().filter(|c| c.kind() == kind);
        match it.nth(nth) {
            Some(c) => c.subject(),
            None => panic!("no sample {kind} #{nth}"),
        }
    }

    #[test]
    fn subjects_name_the_object_qualified_and_its_table() {
        let customer = Some(QualifiedName::new("public", "customer"));
        let s = subject_of("add_column", 0);
        assert_eq!(
            (s.kind, s.schema.as_str(), s.object.as_str()),
            ("column", "public", "public.customer.email")
        );
        assert_eq!(s.table, customer);
        let s = subject_of("rename_table", 0);
        assert_eq!((s.kind, s.object.as_str()), ("table", "public.customer"));
        assert_eq!(s.table, customer);
        let s = subject_of("drop_primary_key", 0);
        assert_eq!(s.object, "public.customer.primary key");
        let s = subject_of("create_function", 0);
        assert_eq!(s.object, "public.add(integer, integer)");
        assert_eq!(s.table, None);
        let s = subject_of("drop_view", 0);
        assert_eq!((s.kind, s.table.as_ref()), ("materialized view", None));
        // Schemas and extensions are named on their own.
        let s = subject_of("create_extension", 0);
        assert_eq!(
            (s.schema.as_str(), s.object.as_str()),
            ("public", "pgcrypto")
        );
        assert_eq!(subject_of("create_schema", 0).object, "app");
        // What sluice cannot change: the schema is the first part of the name it reports.
        let s = subject_of("unsupported", 0);
        assert_eq!((s.schema.as_str(), s.kind), ("public", "unsupported"));
    }

    #[test]
    fn comments_are_about_their_object_and_only_table_comments_group_under_it() {
        let comments: Vec<Subject> = every_variant()
            .iter()
            .filter(|c| c.kind() == "set_comment")
            .map(Change::subject)
            .collect();
        let objects: Vec<(&str, bool)> = comments
            .iter()
            .map(|s| (s.object.as_str(), s.table.is_some()))
            .collect();
        assert_eq!(
            objects,
            [
                ("app", false),
                ("public.customer", true),
                ("public.customer.email", true),
                ("public.v", false),
                ("public.customer_email_idx", false),
                ("public.add(integer, integer)", false),
                ("public.s", false),
                ("public.mood", false),
                ("public.customer.audit", false),
            ]
        );
        assert!(comments.iter().all(|s| s.kind == "comment"));
    }

    #[test]
    fn the_accessors_read_the_subject() {
        for c in every_variant() {
            let s = c.subject();
            assert_eq!(c.schema(), s.schema);
            assert_eq!(c.object(), s.object);
            assert_eq!(c.object_kind(), s.kind);
            assert_eq!(c.table(), s.table);
        }
    }
}
