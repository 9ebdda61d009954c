//! Enums, domains and composite types (read first: columns need enum labels), sequences (an
//! identity or serial sequence attaches to its column).

use crate::error::Result;
use crate::model::{
    CheckConstraint, ColumnRef, CompositeType, Domain, EnumType, Identity, QualifiedName, Sequence,
    SequenceOptions, Unsupported,
};

use super::constraints::check_from_definition;
use super::{Inspector, Slot, get};

const Q_TYPES: &str = include_str!("../queries/types.sql");
const Q_SEQUENCES: &str = include_str!("../queries/sequences.sql");

impl Inspector<'_> {
    /// Enums, domains and composite types (first: columns need enum labels); range and base
    /// types are unsupported.
    pub(super) async fn types(&mut self) -> Result<()> {
        for row in self.fetch("types", Q_TYPES).await? {
            let q = "types";
            let schema: String = get(&row, q, "schema")?;
            let name: String = get(&row, q, "name")?;
            let typtype: String = get(&row, q, "typtype")?;
            let comment: Option<String> = get(&row, q, "comment")?;
            if typtype == "e" {
                let labels: Vec<String> = get(&row, q, "labels")?;
                self.enum_labels
                    .insert((schema.clone(), name.clone()), labels.clone());
                if let Some(&si) = self.schema_index.get(&schema) {
                    self.cat.schemas[si].enums.push(EnumType {
                        name,
                        labels,
                        comment,
                    });
                }
                continue;
            }
            let Some(&si) = self.schema_index.get(&schema) else {
                continue;
            };
            match typtype.as_str() {
                "d" => {
                    let names: Vec<String> = get(&row, q, "check_names")?;
                    let defs: Vec<String> = get(&row, q, "check_defs")?;
                    let checks = names
                        .into_iter()
                        .zip(defs)
                        .map(|(name, def)| {
                            let (expression, validated) = check_from_definition(&def);
                            CheckConstraint {
                                name,
                                expression,
                                no_inherit: false,
                                validated,
                            }
                        })
                        .collect();
                    let not_null: bool = get(&row, q, "not_null")?;
                    self.cat.schemas[si].domains.push(Domain {
                        name,
                        base_type: get::<Option<String>>(&row, q, "base_type")?.unwrap_or_default(),
                        nullable: !not_null,
                        default: get(&row, q, "default_expr")?,
                        collation: get(&row, q, "collation")?,
                        checks,
                        comment,
                    });
                }
                "c" => {
                    let attrs: Vec<String> = get(&row, q, "attributes")?;
                    let attributes = attrs
                        .into_iter()
                        .map(|a| match a.split_once(' ') {
                            Some((n, t)) => (n.to_string(), t.to_string()),
                            None => (a, String::new()),
                        })
                        .collect();
                    self.cat.schemas[si].composite_types.push(CompositeType {
                        name,
                        attributes,
                        comment,
                    });
                }
                other => self.cat.unsupported.push(Unsupported {
                    kind: if other == "r" {
                        "range type"
                    } else {
                        "base type"
                    }
                    .into(),
                    schema,
                    name,
                    parent: None,
                    reason: "user-defined range and base types are not modelled yet".into(),
                    definition: None,
                }),
            }
        }
        Ok(())
    }

    /// Sequences; an identity sequence attaches to its column instead.
    pub(super) async fn sequences(&mut self) -> Result<()> {
        for row in self.fetch("sequences", Q_SEQUENCES).await? {
            let q = "sequences";
            let schema: String = get(&row, q, "schema")?;
            let name: String = get(&row, q, "name")?;
            let options = SequenceOptions {
                data_type: get(&row, q, "data_type")?,
                start: get(&row, q, "start_value")?,
                increment: get(&row, q, "increment")?,
                min_value: get(&row, q, "min_value")?,
                max_value: get(&row, q, "max_value")?,
                cache: get(&row, q, "cache")?,
                cycle: get(&row, q, "cycle")?,
            };
            let owner_kind: Option<String> = get(&row, q, "owner_kind")?;
            let owner = match (
                get::<Option<String>>(&row, q, "owner_schema")?,
                get::<Option<String>>(&row, q, "owner_table")?,
                get::<Option<String>>(&row, q, "owner_column")?,
            ) {
                (Some(s), Some(t), Some(c)) => Some(ColumnRef {
                    schema: s,
                    table: t,
                    column: c,
                }),
                _ => None,
            };
            let owner_slot = owner
                .as_ref()
                .and_then(|o| self.slots.get(&(o.schema.clone(), o.table.clone())));
            if owner_kind.as_deref() == Some("i") {
                if let (Some(Slot::Table(si, ti)), Some(o)) = (owner_slot, &owner) {
                    let t = &mut self.cat.schemas[*si].tables[*ti];
                    if let Some(c) = t.columns.iter_mut().find(|c| c.name == o.column) {
                        match &mut c.identity {
                            Some(Identity::Always { sequence })
                            | Some(Identity::ByDefault { sequence }) => {
                                *sequence = Some(options);
                            }
                            _ => {}
                        }
                    }
                }
                continue;
            }
            if matches!(owner_slot, Some(Slot::Skipped)) {
                continue;
            }
            let Some(&si) = self.schema_index.get(&schema) else {
                continue;
            };
            if let (Some(Slot::Table(tsi, tti)), Some(o)) = (owner_slot, &owner) {
                let t = &mut self.cat.schemas[*tsi].tables[*tti];
                if let Some(c) = t.columns.iter_mut().find(|c| c.name == o.column) {
                    let seq = QualifiedName::new(schema.clone(), name.clone());
                    if c.default
                        .as_deref()
                        .is_some_and(|d| default_uses_sequence(d, &seq))
                    {
                        c.owned_sequence = Some(seq);
                    }
                }
            }
            let user_schemas: Vec<String> = get(&row, q, "user_schemas")?;
            let user_tables: Vec<String> = get(&row, q, "user_tables")?;
            let user_columns: Vec<String> = get(&row, q, "user_columns")?;
            let used_by = user_schemas
                .into_iter()
                .zip(user_tables)
                .zip(user_columns)
                .map(|((schema, table), column)| ColumnRef {
                    schema,
                    table,
                    column,
                })
                .collect();
            self.cat.schemas[si].sequences.push(Sequence {
                name,
                options,
                owned_by: owner,
                used_by,
                comment: get(&row, q, "comment")?,
            });
        }
        Ok(())
    }
}

/// Whether a column default is `nextval('<seq>'::regclass)` for this sequence.
fn default_uses_sequence(default: &str, seq: &QualifiedName) -> bool {
    let Some(inner) = default
        .strip_prefix("nextval('")
        .and_then(|s| s.strip_suffix("'::regclass)"))
    else {
        return false;
    };
    let inner = inner.replace("''", "'");
    let quote = |s: &str| {
        if s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !s.starts_with(|c: char| c.is_ascii_digit())
        {
            s.to_string()
        } else {
            format!("\"{}\"", s.replace('"', "\"\""))
        }
    };
    inner == format!("{}.{}", quote(&seq.schema), quote(&seq.name))
        || inner == format!("{}.{}", seq.schema, seq.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_defaults() {
        let seq = QualifiedName::new("public", "actor_actor_id_seq");
        assert!(default_uses_sequence(
            "nextval('public.actor_actor_id_seq'::regclass)",
            &seq
        ));
        let seq = QualifiedName::new("Sales", "Order Seq");
        assert!(default_uses_sequence(
            "nextval('\"Sales\".\"Order Seq\"'::regclass)",
            &seq
        ));
    }
}
