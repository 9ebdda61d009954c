//! Triggers, stored functions and procedures (with their parameters), and events (unsupported).

use std::collections::BTreeMap;

use crate::dialect::mysql::normalize;
use crate::dialect::quote;
use crate::error::Result;
use crate::model::{Dialect, Function, RoutineKind, Trigger, Unsupported};

use super::{Cells, Inspector, non_empty};

const TRIGGERS: &str = include_str!("../queries/triggers.sql");
const ROUTINES: &str = include_str!("../queries/routines.sql");
const PARAMETERS: &str = include_str!("../queries/parameters.sql");
const EVENTS: &str = include_str!("../queries/events.sql");

impl Inspector<'_> {
    pub(super) async fn triggers(&mut self) -> Result<()> {
        for row in self.fetch(TRIGGERS, "triggers").await? {
            let r = Cells::new(&row, "triggers");
            let name = r.req(0)?;
            let table = r.req(1)?;
            let Some(state) = self.tables.get_mut(&table) else {
                continue;
            };
            let timing = r.req(2)?.trim().to_ascii_uppercase();
            let event = r.req(3)?.trim().to_ascii_uppercase();
            let level = r
                .text(4)?
                .map(|l| l.trim().to_ascii_uppercase())
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| "ROW".to_string());
            let body = r.text(5)?.unwrap_or_default().trim().to_string();
            if r.num(6)?.unwrap_or(1) > 1 {
                self.unsupported.push(Unsupported {
                    kind: "trigger order".to_string(),
                    schema: self.schema.clone(),
                    name: name.clone(),
                    parent: Some(table.clone()),
                    reason: format!(
                        "several triggers fire {timing} {event} on this table; their order \
                         (FOLLOWS/PRECEDES) is not modelled"
                    ),
                    definition: None,
                });
            }
            let definition = format!(
                "CREATE TRIGGER {} {timing} {event} ON {} FOR EACH {level} {body}",
                quote::ident(Dialect::Mysql, &name),
                quote::ident(Dialect::Mysql, &table),
            );
            state.table.triggers.push(Trigger {
                name,
                timing,
                events: vec![event],
                level,
                when: None,
                function: None,
                body: Some(body),
                definition,
                enabled: true,
                comment: None,
            });
        }
        Ok(())
    }

    pub(super) async fn routines(&mut self) -> Result<()> {
        // (routine name, routine type) -> parameters in order
        let mut params: BTreeMap<(String, String), Vec<Param>> = BTreeMap::new();
        for row in self.fetch(PARAMETERS, "routine parameters").await? {
            let r = Cells::new(&row, "routine parameters");
            let routine = r.req(0)?;
            let kind = r.req(1)?.to_ascii_uppercase();
            let mode = non_empty(r.text(3)?).map(|m| m.to_ascii_uppercase());
            let name = r.text(4)?.unwrap_or_default();
            let ty = r.text(5)?.unwrap_or_default();
            params
                .entry((routine, kind))
                .or_default()
                .push(Param { mode, name, ty });
        }
        for row in self.fetch(ROUTINES, "routines").await? {
            let r = Cells::new(&row, "routines");
            let name = r.req(0)?;
            let kind_text = r.req(1)?.trim().to_ascii_uppercase();
            let kind = match kind_text.as_str() {
                "FUNCTION" => RoutineKind::Function,
                "PROCEDURE" => RoutineKind::Procedure,
                other => {
                    let kind = other.to_ascii_lowercase();
                    self.unsupported(&kind, &name, None, "this kind of routine is not modelled");
                    continue;
                }
            };
            let Some(body) = r.text(4)? else {
                self.unsupported(
                    &kind_text.to_ascii_lowercase(),
                    &name,
                    None,
                    "its body is not readable by this user (it needs to be the definer, or hold \
                     SHOW_ROUTINE / SELECT on mysql.proc)",
                );
                continue;
            };
            let returns = match kind {
                RoutineKind::Function => non_empty(r.text(2)?),
                _ => None,
            };
            let language = non_empty(r.text(3)?)
                .map(|l| l.to_ascii_uppercase())
                .unwrap_or_else(|| "SQL".to_string());
            let deterministic = r.text(5)?.is_some_and(|d| d.eq_ignore_ascii_case("YES"));
            let data_access = non_empty(r.text(6)?).map(|d| d.to_ascii_uppercase());
            let security_definer = !r
                .text(7)?
                .is_some_and(|s| s.eq_ignore_ascii_case("INVOKER"));
            let comment = non_empty(r.text(8)?);

            let ps = params
                .get(&(name.clone(), kind_text.clone()))
                .map(Vec::as_slice)
                .unwrap_or_default();
            let arg = |quoted: bool, p: &Param| {
                let pname = if quoted {
                    quote::ident(Dialect::Mysql, &p.name)
                } else {
                    p.name.clone()
                };
                match (kind, &p.mode) {
                    (RoutineKind::Procedure, Some(m)) => format!("{m} {pname} {}", p.ty),
                    _ => format!("{pname} {}", p.ty),
                }
            };
            let arguments = ps
                .iter()
                .map(|p| arg(false, p))
                .collect::<Vec<_>>()
                .join(", ");
            let signature = ps
                .iter()
                .map(|p| arg(true, p))
                .collect::<Vec<_>>()
                .join(", ");

            let mut definition = format!(
                "CREATE {kind_text} {}({signature})",
                quote::ident(Dialect::Mysql, &name)
            );
            if let Some(ret) = &returns {
                definition.push_str(&format!(" RETURNS {ret}"));
            }
            let volatility = if deterministic {
                "DETERMINISTIC"
            } else {
                "NOT DETERMINISTIC"
            };
            definition.push_str(&format!("\n    LANGUAGE {language}\n    {volatility}"));
            if let Some(access) = &data_access {
                definition.push_str(&format!("\n    {access}"));
            }
            definition.push_str(&format!(
                "\n    SQL SECURITY {}",
                if security_definer {
                    "DEFINER"
                } else {
                    "INVOKER"
                }
            ));
            if let Some(c) = &comment {
                definition.push_str(&format!("\n    COMMENT {}", normalize::literal(c)));
            }
            definition.push('\n');
            definition.push_str(body.trim());

            self.functions.push(Function {
                name,
                kind,
                arguments,
                returns,
                language,
                definition,
                volatility: Some(volatility.to_string()),
                security_definer,
                depends_on: Vec::new(),
                comment,
            });
        }
        Ok(())
    }

    pub(super) async fn events(&mut self) -> Result<()> {
        for row in self.fetch(EVENTS, "events").await? {
            let r = Cells::new(&row, "events");
            let name = r.req(0)?;
            let body = r.text(1)?.unwrap_or_default();
            let kind = r.text(2)?.unwrap_or_default().to_ascii_uppercase();
            let schedule = if kind == "ONE TIME" {
                format!("AT '{}'", r.text(3)?.unwrap_or_default())
            } else {
                format!(
                    "EVERY {} {}",
                    r.text(4)?.unwrap_or_default(),
                    r.text(5)?.unwrap_or_default()
                )
            };
            let completion = r
                .text(6)?
                .unwrap_or_else(|| "NOT PRESERVE".to_string())
                .to_ascii_uppercase();
            let status = match r.text(7)?.unwrap_or_default().to_ascii_uppercase().as_str() {
                "DISABLED" => "DISABLE".to_string(),
                "SLAVESIDE_DISABLED" | "REPLICA_SIDE_DISABLED" => "DISABLE ON SLAVE".to_string(),
                _ => "ENABLE".to_string(),
            };
            let mut definition = format!(
                "CREATE EVENT {} ON SCHEDULE {schedule} ON COMPLETION {completion} {status}",
                quote::ident(Dialect::Mysql, &name)
            );
            if let Some(c) = non_empty(r.text(8)?) {
                definition.push_str(&format!(" COMMENT {}", normalize::literal(&c)));
            }
            definition.push_str(&format!(" DO {}", body.trim()));
            self.unsupported.push(Unsupported {
                kind: "event".to_string(),
                schema: self.schema.clone(),
                name,
                parent: None,
                reason: "scheduled events are not modelled yet".to_string(),
                definition: Some(definition),
            });
        }
        Ok(())
    }
}

/// A routine parameter: `IN`/`OUT`/`INOUT` (procedures only), name, type as declared.
struct Param {
    mode: Option<String>,
    name: String,
    ty: String,
}
