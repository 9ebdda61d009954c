//! Views (plain and materialized), functions, procedures and aggregates, triggers: written as
//! SOURCE's server printed them.

use crate::dialect::quote::pg::{id, q2, qn};
use crate::model::*;

/// A view, routine or trigger change.
pub(super) fn render(change: &Change) -> Vec<String> {
    use Change::*;
    match change {
        CreateView { schema, view } => vec![create_view(schema, view, false)],
        DropView { schema, view } => vec![format!(
            "DROP {}VIEW {}",
            if view.materialized {
                "MATERIALIZED "
            } else {
                ""
            },
            q2(schema, &view.name)
        )],
        ReplaceView { schema, to, .. } => vec![create_view(schema, to, true)],
        CreateFunction { function, .. } | ReplaceFunction { to: function, .. } => {
            vec![
                function
                    .definition
                    .trim_end()
                    .trim_end_matches(';')
                    .to_string(),
            ]
        }
        DropFunction { schema, function } => vec![format!(
            "DROP {} {}({})",
            match function.kind {
                RoutineKind::Procedure => "PROCEDURE",
                RoutineKind::Aggregate => "AGGREGATE",
                _ => "FUNCTION",
            },
            q2(schema, &function.name),
            function.arguments
        )],
        CreateTrigger { trigger, .. } => vec![trigger.definition.trim_end_matches(';').to_string()],
        DropTrigger { table, trigger } => vec![format!(
            "DROP TRIGGER {} ON {}",
            id(&trigger.name),
            qn(table)
        )],
        SetTriggerEnabled {
            table,
            name,
            enabled,
        } => vec![format!(
            "ALTER TABLE {} {} TRIGGER {}",
            qn(table),
            if *enabled { "ENABLE" } else { "DISABLE" },
            id(name)
        )],
        _ => unreachable!("render() sends only view, routine and trigger changes here"),
    }
}

fn create_view(schema: &str, v: &View, replace: bool) -> String {
    let body = v.definition.trim().trim_end_matches(';').trim();
    let name = q2(schema, &v.name);
    if v.materialized {
        return format!("CREATE MATERIALIZED VIEW {name} AS\n{body}\nWITH DATA");
    }
    let mut s = format!(
        "CREATE {}VIEW {name}",
        if replace { "OR REPLACE " } else { "" }
    );
    if !v.options.is_empty() {
        s.push_str(&format!(" WITH ({})", v.options.join(", ")));
    }
    s.push_str(&format!(" AS\n{body}"));
    if let Some(c) = &v.check_option {
        s.push_str(&format!("\nWITH {c} CHECK OPTION"));
    }
    s
}
