//! Undoing a change exactly: [`Change::inverse`] gives the changes that take SOURCE's object back
//! to TARGET's, or says why none can (what a drop destroyed, values a narrowing cut, a label
//! PostgreSQL cannot remove). The engine's undo (`engine/down.rs`) starts from these and, with
//! both catalogs at hand, makes lossy inverses where exact ones are refused.
//!
//! Three groups: a create, add or attach and its drop, remove or detach are each other's
//! opposites ([`Change::opposite`]); a change that states both sides (`from`/`to`, a flag) is
//! undone by the same change with its sides exchanged ([`Change::exchange`]); the rest are the
//! special cases in [`Change::inverse`]. A new variant that can be undone needs an arm in one of
//! them (the tests run the inverse of one change of every variant).

use std::mem::swap;

use super::Change;
use crate::model::catalog::QualifiedName;

impl Change {
    /// The change that undoes this one, or why none can (data a drop destroyed cannot come back).
    pub fn inverse(&self) -> Result<Vec<Change>, String> {
        use Change::*;
        match self {
            AddEnumLabel { label, .. } => Err(format!(
                "an enum value ('{label}') cannot be removed without rebuilding the type"
            )),
            DropSequence { sequence, .. } => Err(format!(
                "sequence {} is dropped: its current position is lost",
                sequence.name
            )),
            DropTable { table, .. } => {
                Err(format!("table {} is dropped with its rows", table.name))
            }
            DropColumn { column, .. } => {
                Err(format!("column {} is dropped with its values", column.name))
            }
            AlterColumnType { from, to, .. } if from.family.narrows_to(&to.family) => Err(format!(
                "column {}: {} → {} may have cut values that cannot be restored",
                to.name, from.data_type, to.data_type
            )),
            ValidateConstraint { .. } | Unsupported { .. } => Ok(Vec::new()),
            // A view cannot lose columns in place.
            ReplaceView { schema, from, to } if from.columns.len() < to.columns.len() => Ok(vec![
                DropView {
                    schema: schema.clone(),
                    view: to.clone(),
                },
                CreateView {
                    schema: schema.clone(),
                    view: from.clone(),
                },
            ]),
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
                Ok(vec![RebuildTable {
                    table: QualifiedName::new(table.schema.clone(), from.name.clone()),
                    from: to.clone(),
                    to: from.clone(),
                    renamed: renamed
                        .iter()
                        .map(|(a, b)| (b.clone(), a.clone()))
                        .collect(),
                    replaces: back,
                }])
            }
            other => Ok(vec![other.clone().opposite()]),
        }
    }

    /// A create, add or attach becomes its drop, remove or detach and the other way round; any
    /// other change is [`exchange`](Change::exchange)d.
    fn opposite(self) -> Change {
        use Change::*;
        match self {
            CreateSchema { name } => DropSchema { name },
            DropSchema { name } => CreateSchema { name },
            CreateExtension { extension } => DropExtension { extension },
            DropExtension { extension } => CreateExtension { extension },
            CreateEnum { schema, enum_type } => DropEnum { schema, enum_type },
            DropEnum { schema, enum_type } => CreateEnum { schema, enum_type },
            CreateDomain { schema, domain } => DropDomain { schema, domain },
            DropDomain { schema, domain } => CreateDomain { schema, domain },
            CreateCompositeType { schema, composite } => DropCompositeType { schema, composite },
            DropCompositeType { schema, composite } => CreateCompositeType { schema, composite },
            CreateSequence { schema, sequence } => DropSequence { schema, sequence },
            CreateTable { schema, table } => DropTable { schema, table },
            AddColumn { table, column } => DropColumn { table, column },
            SetNotNull { table, column } => DropNotNull { table, column },
            DropNotNull { table, column } => SetNotNull { table, column },
            AddPrimaryKey { table, primary_key } => DropPrimaryKey { table, primary_key },
            DropPrimaryKey { table, primary_key } => AddPrimaryKey { table, primary_key },
            AddUnique { table, unique } => DropUnique { table, unique },
            DropUnique { table, unique } => AddUnique { table, unique },
            AddCheck { table, check } => DropCheck { table, check },
            DropCheck { table, check } => AddCheck { table, check },
            AddForeignKey { table, foreign_key } => DropForeignKey { table, foreign_key },
            DropForeignKey { table, foreign_key } => AddForeignKey { table, foreign_key },
            CreateIndex { table, index } => DropIndex { table, index },
            DropIndex { table, index } => CreateIndex { table, index },
            CreateView { schema, view } => DropView { schema, view },
            DropView { schema, view } => CreateView { schema, view },
            CreateFunction { schema, function } => DropFunction { schema, function },
            DropFunction { schema, function } => CreateFunction { schema, function },
            CreateTrigger { table, trigger } => DropTrigger { table, trigger },
            DropTrigger { table, trigger } => CreateTrigger { table, trigger },
            CreatePolicy { table, policy } => DropPolicy { table, policy },
            DropPolicy { table, policy } => CreatePolicy { table, policy },
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
            mut other => {
                other.exchange();
                other
            }
        }
    }

    /// Exchanges the two sides a change states: `from` and `to` (a rename's names, a type's old
    /// and new definitions, a default, a comment), or a flag it sets (row security, a trigger's
    /// enabled state, inheritance, logging). Nothing for a change that states only one side.
    fn exchange(&mut self) {
        use Change::*;
        match self {
            RenameEnumLabel { from, to, .. }
            | RenameTable { from, to, .. }
            | RenameColumn { from, to, .. }
            | RenameConstraint { from, to, .. }
            | RenameIndex { from, to, .. } => swap(from, to),
            AlterExtension { from, to } => swap(from, to),
            RebuildEnum { from, to, .. } => swap(from, to),
            AlterDomain { from, to, .. } => swap(from, to),
            AlterSequence { from, to, .. } => swap(from, to),
            AlterTableOptions { from, to, .. } => swap(from, to),
            AlterColumnType { from, to, .. } | AlterGenerated { from, to, .. } => swap(from, to),
            SetDefault { from, to, .. } | SetComment { from, to, .. } => swap(from, to),
            AlterIdentity { from, to, .. } => swap(from, to),
            ReplaceView { from, to, .. } => swap(from, to),
            ReplaceFunction { from, to, .. } => swap(from, to),
            SetRowSecurity {
                enabled,
                forced,
                from_enabled,
                from_forced,
                ..
            } => {
                swap(enabled, from_enabled);
                swap(forced, from_forced);
            }
            SetTriggerEnabled { enabled: on, .. }
            | SetInherit { inherit: on, .. }
            | SetLogged { logged: on, .. } => *on = !*on,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::samples::every_variant;
    use super::*;

    /// A create (add, attach, set) and the drop (remove, detach) that undoes it.
    const OPPOSITES: &[(&str, &str)] = &[
        ("create_schema", "drop_schema"),
        ("create_extension", "drop_extension"),
        ("create_enum", "drop_enum"),
        ("create_domain", "drop_domain"),
        ("create_composite_type", "drop_composite_type"),
        ("create_sequence", "drop_sequence"),
        ("create_table", "drop_table"),
        ("add_column", "drop_column"),
        ("set_not_null", "drop_not_null"),
        ("add_primary_key", "drop_primary_key"),
        ("add_unique", "drop_unique"),
        ("add_check", "drop_check"),
        ("add_foreign_key", "drop_foreign_key"),
        ("create_index", "drop_index"),
        ("create_view", "drop_view"),
        ("create_function", "drop_function"),
        ("create_trigger", "drop_trigger"),
        ("create_policy", "drop_policy"),
        ("attach_partition", "detach_partition"),
    ];

    /// Changes that state both sides, undone by themselves with the sides exchanged.
    const EXCHANGED: &[&str] = &[
        "alter_extension",
        "rename_enum_label",
        "rebuild_enum",
        "alter_domain",
        "alter_sequence",
        "rename_table",
        "alter_table_options",
        "rename_column",
        "alter_column_type",
        "set_default",
        "alter_identity",
        "alter_generated",
        "set_comment",
        "rename_constraint",
        "rename_index",
        "replace_view",
        "replace_function",
        "set_trigger_enabled",
        "set_inherit",
        "set_row_security",
        "set_logged",
    ];

    /// What cannot come back, whatever the catalogs say.
    const REFUSED: &[&str] = &[
        "add_enum_label",
        "drop_sequence",
        "drop_table",
        "drop_column",
    ];

    fn opposite_kind(kind: &str) -> Option<&'static str> {
        OPPOSITES.iter().find_map(|(a, b)| match kind {
            k if k == *a => Some(*b),
            k if k == *b => Some(*a),
            _ => None,
        })
    }

    #[test]
    fn every_variant_is_sampled_and_in_one_group() {
        let all = every_variant();
        let kinds: std::collections::BTreeSet<&str> = all.iter().map(Change::kind).collect();
        // One sample of every variant (63): a new variant needs a sample and a group here.
        assert_eq!(kinds.len(), 63);
        for k in kinds {
            let groups = [
                opposite_kind(k).is_some() && !REFUSED.contains(&k),
                EXCHANGED.contains(&k),
                REFUSED.contains(&k),
                ["validate_constraint", "unsupported", "rebuild_table"].contains(&k),
            ];
            assert_eq!(groups.iter().filter(|g| **g).count(), 1, "{k}");
        }
    }

    #[test]
    fn creates_and_drops_undo_each_other() {
        for c in every_variant() {
            let Some(want) = opposite_kind(c.kind()) else {
                continue;
            };
            if REFUSED.contains(&c.kind()) {
                continue;
            }
            let back = c
                .inverse()
                .expect("a create or an exact drop can be undone");
            assert_eq!(back.len(), 1, "{c:?}");
            assert_eq!(back[0].kind(), want, "{c:?}");
            assert_eq!(back[0].object(), c.object(), "{c:?}");
            // Undoing the undo gives the change again, where the drop keeps what it drops.
            if let Ok(again) = back[0].inverse() {
                assert_eq!(again, vec![c.clone()]);
            }
        }
    }

    #[test]
    fn changes_of_both_sides_are_exchanged() {
        for c in every_variant() {
            if !EXCHANGED.contains(&c.kind()) {
                continue;
            }
            let Ok(back) = c.inverse() else {
                // A narrowing type change: refused (below).
                continue;
            };
            if back.len() == 2 {
                // A view that gained columns (below).
                continue;
            }
            assert_eq!(back.len(), 1, "{c:?}");
            assert_eq!(back[0].kind(), c.kind(), "{c:?}");
            assert_ne!(back[0], c, "{c:?}");
            match back[0].inverse() {
                Ok(again) => assert_eq!(again, vec![c.clone()]),
                // A widening's undo narrows: that one cannot be undone in turn.
                Err(_) => assert_eq!(c.kind(), "alter_column_type"),
            }
        }
        let rename = Change::RenameColumn {
            table: QualifiedName::new("public", "t"),
            from: "mail".into(),
            to: "email".into(),
            score: 80,
        };
        let Ok(back) = rename.inverse() else {
            panic!("a rename can be undone")
        };
        assert!(matches!(
            &back[..],
            [Change::RenameColumn { from, to, score: 80, .. }] if from == "email" && to == "mail"
        ));
        let security = Change::SetRowSecurity {
            table: QualifiedName::new("public", "t"),
            enabled: true,
            forced: false,
            from_enabled: false,
            from_forced: true,
        };
        let Ok(back) = security.inverse() else {
            panic!("row security can be undone")
        };
        assert!(matches!(
            &back[..],
            [Change::SetRowSecurity {
                enabled: false,
                forced: true,
                from_enabled: true,
                from_forced: false,
                ..
            }]
        ));
    }

    #[test]
    fn what_cannot_come_back_is_refused() {
        for c in every_variant() {
            let narrows = matches!(&c, Change::AlterColumnType { from, to, .. }
                if from.family.narrows_to(&to.family));
            if REFUSED.contains(&c.kind()) || narrows {
                let why = c.inverse().expect_err("refused");
                assert!(!why.is_empty(), "{c:?}");
            }
        }
        let widening = every_variant()
            .into_iter()
            .filter(|c| c.kind() == "alter_column_type")
            .filter(|c| c.inverse().is_ok())
            .count();
        assert_eq!(widening, 1, "the sample widening is undone by a narrowing");
    }

    #[test]
    fn nothing_to_undo() {
        for c in every_variant() {
            if matches!(
                c,
                Change::ValidateConstraint { .. } | Change::Unsupported { .. }
            ) {
                assert_eq!(c.inverse(), Ok(Vec::new()), "{c:?}");
            }
        }
    }

    #[test]
    fn a_view_that_gained_columns_is_dropped_and_created_again() {
        for c in every_variant() {
            let Change::ReplaceView { schema, from, to } = &c else {
                continue;
            };
            let back = c.inverse().expect("a view can be put back");
            if from.columns.len() < to.columns.len() {
                assert_eq!(
                    back,
                    vec![
                        Change::DropView {
                            schema: schema.clone(),
                            view: to.clone()
                        },
                        Change::CreateView {
                            schema: schema.clone(),
                            view: from.clone()
                        },
                    ]
                );
            } else {
                assert_eq!(back.len(), 1);
                assert_eq!(back[0].kind(), "replace_view");
            }
        }
    }

    #[test]
    fn a_rebuild_is_undone_by_the_opposite_rebuild_unless_it_loses_data() {
        let Some(rebuild) = every_variant()
            .into_iter()
            .find(|c| c.kind() == "rebuild_table")
        else {
            panic!("a rebuild sample")
        };
        let Ok(back) = rebuild.inverse() else {
            panic!("a rebuild that keeps every column can be undone")
        };
        let [
            Change::RebuildTable {
                table,
                from,
                to,
                renamed,
                replaces,
            },
        ] = &back[..]
        else {
            panic!("{back:?}")
        };
        // Back under TARGET's name, the renames reversed, its parts undone.
        assert_eq!(table, &QualifiedName::new("public", "client"));
        assert_eq!(
            (from.name.as_str(), to.name.as_str()),
            ("customer", "client")
        );
        assert_eq!(renamed, &vec![("email".to_string(), "mail".to_string())]);
        assert_eq!(replaces.len(), 1);
        assert_eq!(replaces[0].kind(), "drop_not_null");
        assert_eq!(back[0].inverse(), Ok(vec![rebuild.clone()]));
        // A rebuild that leaves a column behind loses its values.
        let Change::RebuildTable {
            table,
            from,
            mut to,
            ..
        } = rebuild
        else {
            unreachable!()
        };
        to.columns.retain(|c| c.name == "id");
        let lossy = Change::RebuildTable {
            table,
            from,
            to,
            renamed: Vec::new(),
            replaces: Vec::new(),
        };
        assert!(lossy.inverse().is_err());
    }
}
