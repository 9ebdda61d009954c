//! Triggers of tables and views, what each view reads, functions, procedures and aggregates.

use crate::error::Result;
use crate::model::types::collapse_ws;
use crate::model::{
    Function, ObjectKind, ObjectRef, QualifiedName, RoutineKind, Trigger, Unsupported,
};

use super::constraints::strip_outer_parens;
use super::{Inspector, Slot, get};

const Q_TRIGGERS: &str = include_str!("../queries/triggers.sql");
const Q_VIEW_DEPS: &str = include_str!("../queries/view_deps.sql");
const Q_FUNCTIONS: &str = include_str!("../queries/functions.sql");

impl Inspector<'_> {
    /// Triggers of tables and views.
    pub(super) async fn triggers(&mut self) -> Result<()> {
        for row in self.fetch("triggers", Q_TRIGGERS).await? {
            let q = "triggers";
            let schema: String = get(&row, q, "schema")?;
            let table: String = get(&row, q, "table_name")?;
            let slot = self.slots.get(&(schema, table));
            if !matches!(slot, Some(Slot::Table(..)) | Some(Slot::View(..))) {
                continue;
            }
            let tgtype: i32 = get(&row, q, "tgtype")?;
            let update_columns: Vec<String> = get(&row, q, "update_columns")?;
            let definition: String = get(&row, q, "definition")?;
            let enabled: String = get(&row, q, "enabled")?;
            let timing = if tgtype & 64 != 0 {
                "INSTEAD OF"
            } else if tgtype & 2 != 0 {
                "BEFORE"
            } else {
                "AFTER"
            };
            let mut events = Vec::new();
            if tgtype & 4 != 0 {
                events.push("INSERT".to_string());
            }
            if tgtype & 16 != 0 {
                if update_columns.is_empty() {
                    events.push("UPDATE".to_string());
                } else {
                    events.push(format!("UPDATE OF {}", update_columns.join(", ")));
                }
            }
            if tgtype & 8 != 0 {
                events.push("DELETE".to_string());
            }
            if tgtype & 32 != 0 {
                events.push("TRUNCATE".to_string());
            }
            let trigger = Trigger {
                name: get(&row, q, "name")?,
                timing: timing.into(),
                events,
                level: if tgtype & 1 != 0 { "ROW" } else { "STATEMENT" }.into(),
                when: trigger_when(&definition),
                function: Some(QualifiedName::new(
                    get::<String>(&row, q, "function_schema")?,
                    get::<String>(&row, q, "function_name")?,
                )),
                body: None,
                definition,
                enabled: enabled != "D",
                comment: get(&row, q, "comment")?,
            };
            match slot {
                Some(Slot::Table(si, ti)) => {
                    self.cat.schemas[*si].tables[*ti].triggers.push(trigger)
                }
                Some(Slot::View(si, vi)) => self.cat.schemas[*si].views[*vi].triggers.push(trigger),
                _ => {}
            }
        }
        Ok(())
    }

    /// What each view reads.
    pub(super) async fn view_deps(&mut self) -> Result<()> {
        for row in self.fetch("view dependencies", Q_VIEW_DEPS).await? {
            let q = "view_deps";
            let schema: String = get(&row, q, "schema")?;
            let view: String = get(&row, q, "view_name")?;
            let Some(Slot::View(si, vi)) = self.slots.get(&(schema, view)) else {
                continue;
            };
            let ref_kind: String = get(&row, q, "ref_kind")?;
            let kind = match ref_kind.as_str() {
                "v" => ObjectKind::View,
                "m" => ObjectKind::MaterializedView,
                "f" => ObjectKind::Function,
                "S" => ObjectKind::Sequence,
                _ => ObjectKind::Table,
            };
            self.cat.schemas[*si].views[*vi].depends_on.push(ObjectRef {
                kind,
                schema: get(&row, q, "ref_schema")?,
                name: get(&row, q, "ref_name")?,
            });
        }
        Ok(())
    }

    /// Functions, procedures and aggregates (ordered-set aggregates are unsupported).
    pub(super) async fn functions(&mut self) -> Result<()> {
        for row in self.fetch("functions", Q_FUNCTIONS).await? {
            let q = "functions";
            let schema: String = get(&row, q, "schema")?;
            let Some(&si) = self.schema_index.get(&schema) else {
                continue;
            };
            let name: String = get(&row, q, "name")?;
            let kind: String = get(&row, q, "kind")?;
            let arguments: String = get(&row, q, "arguments")?;
            let (kind, definition) = match kind.as_str() {
                "a" => {
                    let agg_kind: Option<String> = get(&row, q, "agg_kind")?;
                    if agg_kind.as_deref() != Some("n") {
                        self.cat.unsupported.push(Unsupported {
                            kind: "ordered-set aggregate".into(),
                            schema,
                            name: format!("{name}({arguments})"),
                            parent: None,
                            reason:
                                "ordered-set and hypothetical-set aggregates are not modelled yet"
                                    .into(),
                            definition: None,
                        });
                        continue;
                    }
                    (
                        RoutineKind::Aggregate,
                        get::<Option<String>>(&row, q, "aggregate_definition")?.unwrap_or_default(),
                    )
                }
                k => (
                    match k {
                        "p" => RoutineKind::Procedure,
                        "w" => RoutineKind::Window,
                        _ => RoutineKind::Function,
                    },
                    get::<Option<String>>(&row, q, "definition")?
                        .unwrap_or_default()
                        .trim_end()
                        .to_string(),
                ),
            };
            let volatility: String = get(&row, q, "volatility")?;
            let returns: Option<String> = get(&row, q, "returns")?;
            self.cat.schemas[si].functions.push(Function {
                name,
                kind,
                arguments,
                returns: returns.filter(|r| !r.is_empty() && kind != RoutineKind::Procedure),
                language: get(&row, q, "language")?,
                definition,
                volatility: Some(
                    match volatility.as_str() {
                        "i" => "IMMUTABLE",
                        "s" => "STABLE",
                        _ => "VOLATILE",
                    }
                    .into(),
                ),
                security_definer: get(&row, q, "security_definer")?,
                depends_on: Vec::new(),
                comment: get(&row, q, "comment")?,
            });
        }
        Ok(())
    }
}

/// The `WHEN (…)` condition of a trigger definition, without the outer parentheses.
fn trigger_when(def: &str) -> Option<String> {
    let start = def.find(" WHEN (")? + " WHEN ".len();
    let bytes: Vec<char> = def[start..].chars().collect();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut end = None;
    for (i, &c) in bytes.iter().enumerate() {
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
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            },
        }
    }
    let end = end?;
    let cond: String = bytes[..=end].iter().collect();
    Some(collapse_ws(&strip_outer_parens(&cond)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_when_clause() {
        assert_eq!(
            trigger_when(
                "CREATE TRIGGER t BEFORE UPDATE ON public.x FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION f()"
            ),
            Some("old.* IS DISTINCT FROM new.*".to_string())
        );
        assert_eq!(
            trigger_when("CREATE TRIGGER t AFTER INSERT ON x EXECUTE FUNCTION f()"),
            None
        );
    }
}
