//! Primary keys, uniques, checks and foreign keys, and indexes (a partition's inherited ones kept
//! aside in `from_parent`).

use crate::error::Result;
use crate::model::{
    CheckConstraint, FkAction, ForeignKey, Index, IndexKey, PrimaryKey, QualifiedName, Table,
    UniqueConstraint, Unsupported,
};

use super::{Inspector, Slot, get};

const Q_CONSTRAINTS: &str = include_str!("../queries/constraints.sql");
const Q_INDEXES: &str = include_str!("../queries/indexes.sql");

impl Inspector<'_> {
    /// Primary keys, uniques, checks and foreign keys (a partition's inherited ones kept aside,
    /// in `from_parent`).
    pub(super) async fn constraints(&mut self) -> Result<()> {
        let mut inherited_parts: std::collections::BTreeMap<(usize, usize), Table> =
            std::collections::BTreeMap::new();
        for row in self.fetch("constraints", Q_CONSTRAINTS).await? {
            let q = "constraints";
            let schema: String = get(&row, q, "schema")?;
            let table: String = get(&row, q, "table_name")?;
            let Some(Slot::Table(si, ti)) = self.slots.get(&(schema.clone(), table.clone())) else {
                continue;
            };
            let inherited: bool = get(&row, q, "inherited")?;
            let t = &mut self.cat.schemas[*si].tables[*ti];
            // Inherited constraints are collected aside: a detached partition keeps them as its own.
            let t = if inherited {
                inherited_parts.entry((*si, *ti)).or_default()
            } else {
                t
            };
            let name: String = get(&row, q, "name")?;
            let contype: String = get(&row, q, "contype")?;
            let columns: Vec<String> = get(&row, q, "columns")?;
            let definition: String = get(&row, q, "definition")?;
            let deferrable: bool = get(&row, q, "deferrable")?;
            let deferred: bool = get(&row, q, "deferred")?;
            let validated: bool = get(&row, q, "validated")?;
            match contype.as_str() {
                "p" => {
                    t.primary_key = Some(PrimaryKey {
                        name: Some(name),
                        columns,
                    })
                }
                "u" => t.uniques.push(UniqueConstraint {
                    name,
                    columns,
                    nulls_not_distinct: definition.contains("NULLS NOT DISTINCT"),
                    deferrable,
                    initially_deferred: deferred,
                }),
                "c" => {
                    let expr: Option<String> = get(&row, q, "check_expr")?;
                    let expression = match expr {
                        Some(e) => strip_outer_parens(&e),
                        None => check_from_definition(&definition).0,
                    };
                    t.checks.push(CheckConstraint {
                        name,
                        expression,
                        no_inherit: get(&row, q, "no_inherit")?,
                        validated,
                    });
                }
                "f" => {
                    let on_delete: String = get(&row, q, "on_delete")?;
                    let on_update: String = get(&row, q, "on_update")?;
                    let match_type: String = get(&row, q, "match_type")?;
                    t.foreign_keys.push(ForeignKey {
                        name,
                        columns,
                        ref_table: QualifiedName::new(
                            get::<Option<String>>(&row, q, "ref_schema")?.unwrap_or_default(),
                            get::<Option<String>>(&row, q, "ref_table")?.unwrap_or_default(),
                        ),
                        ref_columns: get(&row, q, "ref_columns")?,
                        on_delete: FkAction::parse(&on_delete).unwrap_or_default(),
                        on_update: FkAction::parse(&on_update).unwrap_or_default(),
                        deferrable,
                        initially_deferred: deferred,
                        match_full: match_type == "f",
                        validated,
                    });
                }
                _ => self.cat.unsupported.push(Unsupported {
                    kind: "exclusion constraint".into(),
                    schema,
                    name,
                    parent: Some(table),
                    reason: "exclusion constraints are not modelled yet".into(),
                    definition: Some(definition),
                }),
            }
        }

        for ((si, ti), t) in inherited_parts {
            let parts = self.cat.schemas[si].tables[ti]
                .from_parent
                .get_or_insert_with(Default::default);
            parts.primary_key = t.primary_key;
            parts.uniques = t.uniques;
            parts.checks = t.checks;
            parts.foreign_keys = t.foreign_keys;
        }
        Ok(())
    }

    /// Indexes of tables (inherited ones in `from_parent`) and materialized views.
    pub(super) async fn indexes(&mut self) -> Result<()> {
        for row in self.fetch("indexes", Q_INDEXES).await? {
            let q = "indexes";
            let schema: String = get(&row, q, "schema")?;
            let table: String = get(&row, q, "table_name")?;
            let slot = self.slots.get(&(schema, table));
            if !matches!(slot, Some(Slot::Table(..)) | Some(Slot::View(..))) {
                continue;
            }
            let key_count = get::<i32>(&row, q, "key_count")?.max(0) as usize;
            let parts: Vec<String> = get(&row, q, "parts")?;
            let is_expr: Vec<bool> = get(&row, q, "is_expression")?;
            let options: Vec<i32> = get(&row, q, "options")?;
            let opclasses: Vec<Option<String>> = get(&row, q, "opclasses")?;
            let collations: Vec<Option<String>> = get(&row, q, "collations")?;
            let mut keys = Vec::new();
            let mut include = Vec::new();
            for (i, part) in parts.into_iter().enumerate() {
                if i >= key_count {
                    include.push(part);
                    continue;
                }
                let opt = options.get(i).copied().unwrap_or(0);
                let descending = opt & 1 != 0;
                let nulls_first = opt & 2 != 0;
                keys.push(IndexKey {
                    key: part,
                    expression: is_expr.get(i).copied().unwrap_or(false),
                    descending,
                    nulls_first: (nulls_first != descending).then_some(nulls_first),
                    opclass: opclasses.get(i).cloned().flatten(),
                    collation: collations.get(i).cloned().flatten(),
                    prefix_length: None,
                });
            }
            let definition: String = get(&row, q, "definition")?;
            let index = Index {
                name: get(&row, q, "name")?,
                unique: get(&row, q, "is_unique")?,
                method: get(&row, q, "method")?,
                keys,
                include,
                predicate: get(&row, q, "predicate")?,
                nulls_not_distinct: definition.contains("NULLS NOT DISTINCT"),
                definition: Some(definition),
                comment: get(&row, q, "comment")?,
            };
            let inherited: bool = get(&row, q, "inherited")?;
            match slot {
                Some(Slot::Table(si, ti)) if inherited => self.cat.schemas[*si].tables[*ti]
                    .from_parent
                    .get_or_insert_with(Default::default)
                    .indexes
                    .push(index),
                Some(Slot::Table(si, ti)) => self.cat.schemas[*si].tables[*ti].indexes.push(index),
                Some(Slot::View(si, vi)) => self.cat.schemas[*si].views[*vi].indexes.push(index),
                _ => {}
            }
        }
        Ok(())
    }
}

/// `CHECK ((a > 0)) NOT VALID` → (`a > 0`, false).
pub(super) fn check_from_definition(def: &str) -> (String, bool) {
    let mut d = def.trim();
    let mut validated = true;
    if let Some(x) = d.strip_suffix("NOT VALID") {
        d = x.trim_end();
        validated = false;
    }
    if let Some(x) = d.strip_suffix("NO INHERIT") {
        d = x.trim_end();
    }
    let d = d.strip_prefix("CHECK").unwrap_or(d).trim();
    (strip_outer_parens(d), validated)
}

/// Removes parentheses that enclose the whole expression (as many layers as there are).
pub fn strip_outer_parens(s: &str) -> String {
    let mut t = s.trim();
    loop {
        if !(t.starts_with('(') && t.ends_with(')')) {
            return t.to_string();
        }
        // Do the first '(' and the last ')' match each other?
        let mut depth = 0i32;
        let mut quote: Option<char> = None;
        let mut closes_at_end = true;
        let chars: Vec<char> = t.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            match quote {
                Some(q) => {
                    if c == q {
                        quote = None;
                    }
                }
                None => match c {
                    '\'' | '"' => quote = Some(c),
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 && i != chars.len() - 1 {
                            closes_at_end = false;
                            break;
                        }
                    }
                    _ => {}
                },
            }
        }
        if !closes_at_end {
            return t.to_string();
        }
        t = t[1..t.len() - 1].trim();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_parens() {
        assert_eq!(strip_outer_parens("((a > 0))"), "a > 0");
        assert_eq!(
            strip_outer_parens("(a > 0) AND (b < 1)"),
            "(a > 0) AND (b < 1)"
        );
        assert_eq!(strip_outer_parens("(')')"), "')'");
    }

    #[test]
    fn checks_from_definitions() {
        assert_eq!(
            check_from_definition("CHECK (((VALUE >= 1901) AND (VALUE <= 2155)))"),
            ("(VALUE >= 1901) AND (VALUE <= 2155)".to_string(), true)
        );
        assert_eq!(
            check_from_definition("CHECK ((a > 0)) NOT VALID"),
            ("a > 0".to_string(), false)
        );
    }
}
