//! Functions, procedures and aggregates, paired by signature (`name(arguments)`: overloads are
//! different objects). A changed body is replaced in place when the kind and return type stay;
//! otherwise the routine is dropped and created again, and what depends on it (views, triggers)
//! follows.

use super::Differ;
use super::matching::{Matched, by_name};
use crate::model::change::CommentTarget;
use crate::model::normalize;
use crate::model::*;

impl Differ<'_> {
    pub(super) fn functions(&mut self, schema: &str, t: &Schema, s: &Schema) {
        let comment_on = |f: &Function| CommentTarget::Function {
            schema: schema.into(),
            name: f.name.clone(),
            arguments: f.arguments.clone(),
            kind: f.kind,
        };
        let routines = by_name(&t.functions, &s.functions, |f| {
            format!("{}({})", f.name, f.arguments)
        });
        for m in routines.in_change_order() {
            match m {
                Matched::Create(new) => self.out.push(Change::CreateFunction {
                    schema: schema.into(),
                    function: new.clone(),
                }),
                Matched::Alter(old, new) => {
                    if normalize::sql(&old.definition) != normalize::sql(&new.definition) {
                        let replaceable = old.kind == new.kind
                            && old.kind != RoutineKind::Aggregate
                            && old.returns == new.returns;
                        if replaceable {
                            self.out.push(Change::ReplaceFunction {
                                schema: schema.into(),
                                from: old.clone(),
                                to: new.clone(),
                            });
                        } else {
                            self.recreated_functions
                                .insert(QualifiedName::new(schema, &new.name));
                            self.out.push(Change::DropFunction {
                                schema: schema.into(),
                                function: old.clone(),
                            });
                            self.out.push(Change::CreateFunction {
                                schema: schema.into(),
                                function: new.clone(),
                            });
                        }
                    }
                    self.comment(comment_on(new), &old.comment, &new.comment);
                }
                Matched::Drop(old) => self.out.push(Change::DropFunction {
                    schema: schema.into(),
                    function: old.clone(),
                }),
            }
        }
        // Comments of new routines come after the drops.
        for m in routines.all() {
            if let Matched::Create(new) = m {
                if new.comment.is_some() {
                    self.comment(comment_on(new), &None, &new.comment);
                }
            }
        }
    }
}
