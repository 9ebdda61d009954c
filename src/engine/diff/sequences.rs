//! Sequences: created bare and given their owner once the column exists; a sequence that a new
//! column makes by itself (a PostgreSQL `serial`) is left to the column.

use super::Differ;
use super::matching::{Matched, by_name};
use crate::dialect;
use crate::model::change::CommentTarget;
use crate::model::*;

impl Differ<'_> {
    pub(super) fn sequences(&mut self, schema: &str, t: &Schema, s: &Schema) {
        for m in by_name(&t.sequences, &s.sequences, |q| &q.name).in_change_order() {
            match m {
                Matched::Create(new) => {
                    if self.made_by_its_column(schema, new) {
                        continue;
                    }
                    let mut bare = new.clone();
                    bare.owned_by = None;
                    self.out.push(Change::CreateSequence {
                        schema: schema.into(),
                        sequence: bare.clone(),
                    });
                    // Ownership is set once the column exists.
                    if new.owned_by.is_some() {
                        self.out.push(Change::AlterSequence {
                            schema: schema.into(),
                            from: bare,
                            to: new.clone(),
                        });
                    }
                }
                Matched::Alter(old, new) => {
                    if old.options != new.options || old.owned_by != new.owned_by {
                        self.out.push(Change::AlterSequence {
                            schema: schema.into(),
                            from: old.clone(),
                            to: new.clone(),
                        });
                    }
                    self.comment(
                        CommentTarget::Sequence {
                            sequence: QualifiedName::new(schema, &new.name),
                        },
                        &old.comment,
                        &new.comment,
                    );
                }
                Matched::Drop(old) => self.out.push(Change::DropSequence {
                    schema: schema.into(),
                    sequence: old.clone(),
                }),
            }
        }
    }

    /// A sequence that the new column owning it creates by itself (SOURCE's dialect decides:
    /// [`dialect::column_makes_sequence`]).
    fn made_by_its_column(&self, schema: &str, seq: &Sequence) -> bool {
        let Some(d) = self.source.dialect else {
            return false;
        };
        let Some(o) = &seq.owned_by else {
            return false;
        };
        let column_is_new = self
            .target
            .table(&o.schema, &o.table)
            .is_none_or(|t| t.column(&o.column).is_none());
        let Some(col) = self
            .source
            .table(&o.schema, &o.table)
            .and_then(|t| t.column(&o.column))
        else {
            return false;
        };
        column_is_new && dialect::column_makes_sequence(d, schema, &o.table, col, seq)
    }
}
