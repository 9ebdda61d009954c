//! Views, stored functions and procedures, triggers: written as SOURCE's server printed them.

use crate::dialect::RenderCtx;
use crate::dialect::quote::my::id;
use crate::model::*;

use super::tbl;

pub(super) fn create_view(v: &View, replace: bool) -> String {
    let body = v.definition.trim().trim_end_matches(';').trim();
    let mut s = String::from(if replace {
        "CREATE OR REPLACE"
    } else {
        "CREATE"
    });
    for o in &v.options {
        match o.split_once('=') {
            Some(("algorithm", a)) => s.push_str(&format!(" ALGORITHM={}", a.to_ascii_uppercase())),
            Some(("sql_security", x)) => {
                s.push_str(&format!(" SQL SECURITY {}", x.to_ascii_uppercase()))
            }
            _ => {}
        }
    }
    s.push_str(&format!(" VIEW {} AS {body}", id(&v.name)));
    if let Some(c) = &v.check_option {
        s.push_str(&format!(" WITH {c} CHECK OPTION"));
    }
    s
}

/// MariaDB replaces a routine in place; MySQL drops it and creates it again.
pub(super) fn replace_function(ctx: &RenderCtx, from: &Function, to: &Function) -> Vec<String> {
    if ctx.target.flavor == "mariadb" {
        let def = routine_definition(to);
        let replaced = def
            .strip_prefix("CREATE ")
            .map(|rest| format!("CREATE OR REPLACE {rest}"))
            .unwrap_or(def);
        vec![replaced]
    } else {
        vec![drop_routine(from), routine_definition(to)]
    }
}

pub(super) fn routine_word(k: RoutineKind) -> &'static str {
    match k {
        RoutineKind::Procedure => "PROCEDURE",
        _ => "FUNCTION",
    }
}

pub(super) fn routine_definition(f: &Function) -> String {
    f.definition
        .trim()
        .trim_end_matches(';')
        .trim_end()
        .to_string()
}

pub(super) fn drop_routine(f: &Function) -> String {
    format!("DROP {} {}", routine_word(f.kind), id(&f.name))
}

pub(super) fn create_trigger(table: &QualifiedName, t: &Trigger) -> String {
    let body = t.body.as_deref().unwrap_or("").trim().trim_end_matches(';');
    format!(
        "CREATE TRIGGER {} {} {} ON {} FOR EACH ROW {body}",
        id(&t.name),
        t.timing,
        t.events.join(" OR "),
        tbl(table)
    )
}
