//! One change of every variant (and of every comment target), for the tests of this module.

use serde_json::{Value as J, json};

use super::Change;

fn change(v: J) -> Change {
    match serde_json::from_value(v.clone()) {
        Ok(c) => c,
        Err(e) => panic!("sample {v}: {e}"),
    }
}

fn table_name() -> J {
    json!({"schema": "public", "name": "customer"})
}

fn column(name: &str, data_type: &str, family: J) -> J {
    json!({"name": name, "ordinal": 2, "data_type": data_type, "family": family, "nullable": true})
}

fn email() -> J {
    column("email", "text", json!({"family": "text"}))
}

fn int() -> J {
    json!({"family": "integer", "bits": 32})
}

fn bigint() -> J {
    json!({"family": "integer", "bits": 64})
}

fn table(name: &str) -> J {
    json!({"name": name, "columns": [column("id", "integer", int()), email()]})
}

fn view(materialized: bool, columns: &[&str]) -> J {
    let definition = format!("SELECT {}", columns.join(", "));
    json!({"name": "v", "materialized": materialized, "definition": definition, "columns": columns})
}

fn sequence(max: i64) -> J {
    json!({"name": "s", "data_type": "bigint", "start": 1, "increment": 1, "min_value": 1,
           "max_value": max, "cache": 1, "cycle": false})
}

fn function(body: &str) -> J {
    json!({"name": "add", "kind": "function", "arguments": "integer, integer", "returns": "integer",
           "language": "sql", "definition": body})
}

fn trigger() -> J {
    json!({"name": "audit", "timing": "AFTER", "events": ["INSERT"], "level": "ROW",
           "definition": "CREATE TRIGGER audit …"})
}

/// Every variant at least once; changes that come in pairs (create/drop) both.
pub(super) fn every_variant() -> Vec<Change> {
    let t = table_name();
    let ext = |v: &str| json!({"name": "pgcrypto", "version": v, "schema": "public"});
    let mood = |labels: &[&str]| json!({"name": "mood", "labels": labels});
    let domain =
        |nullable: bool| json!({"name": "posint", "base_type": "integer", "nullable": nullable});
    let pk = |name: Option<&str>| json!({"name": name, "columns": ["id"]});
    let unique = json!({"name": "customer_email_key", "columns": ["email"]});
    let check = json!({"name": "customer_id_check", "expression": "id > 0"});
    let fk = json!({"name": "customer_store_fkey", "columns": ["store_id"],
                    "ref_table": {"schema": "public", "name": "store"}, "ref_columns": ["id"],
                    "on_delete": "cascade", "on_update": "no_action"});
    let index = json!({"name": "customer_email_idx", "unique": false, "keys": [{"key": "email"}]});
    let policy = json!({"name": "own", "command": "ALL", "permissive": true, "roles": ["public"]});
    let comment = |on: J| json!({"kind": "set_comment", "target": on, "from": null, "to": "hello"});
    [
        json!({"kind": "create_schema", "name": "app"}),
        json!({"kind": "drop_schema", "name": "app"}),
        json!({"kind": "create_extension", "extension": ext("1.3")}),
        json!({"kind": "drop_extension", "extension": ext("1.3")}),
        json!({"kind": "alter_extension", "from": ext("1.2"), "to": ext("1.3")}),
        json!({"kind": "create_enum", "schema": "public", "enum_type": mood(&["sad", "ok"])}),
        json!({"kind": "drop_enum", "schema": "public", "enum_type": mood(&["sad", "ok"])}),
        json!({"kind": "add_enum_label", "schema": "public", "name": "mood", "label": "happy",
               "before": null}),
        json!({"kind": "rename_enum_label", "schema": "public", "name": "mood", "from": "ok",
               "to": "fine"}),
        json!({"kind": "rebuild_enum", "schema": "public", "from": mood(&["sad", "ok"]),
               "to": mood(&["ok", "sad"]),
               "columns": [{"table": t, "column": "m", "default": null,
                            "data_type": "public.mood"}]}),
        json!({"kind": "create_domain", "schema": "public", "domain": domain(true)}),
        json!({"kind": "drop_domain", "schema": "public", "domain": domain(true)}),
        json!({"kind": "alter_domain", "schema": "public", "from": domain(true),
               "to": domain(false)}),
        json!({"kind": "create_composite_type", "schema": "public",
               "composite": {"name": "pair", "attributes": [["a", "integer"]]}}),
        json!({"kind": "drop_composite_type", "schema": "public",
               "composite": {"name": "pair", "attributes": [["a", "integer"]]}}),
        json!({"kind": "create_sequence", "schema": "public", "sequence": sequence(100)}),
        json!({"kind": "drop_sequence", "schema": "public", "sequence": sequence(100)}),
        json!({"kind": "alter_sequence", "schema": "public", "from": sequence(100),
               "to": sequence(200)}),
        json!({"kind": "create_table", "schema": "public", "table": table("customer")}),
        json!({"kind": "drop_table", "schema": "public", "table": table("customer")}),
        json!({"kind": "rename_table", "schema": "public", "from": "client", "to": "customer",
               "score": 90}),
        json!({"kind": "alter_table_options", "table": t, "from": {"engine": "MyISAM"},
               "to": {"engine": "InnoDB"}}),
        json!({"kind": "add_column", "table": t, "column": email()}),
        json!({"kind": "drop_column", "table": t, "column": email()}),
        json!({"kind": "rename_column", "table": t, "from": "mail", "to": "email", "score": 80}),
        json!({"kind": "alter_column_type", "table": t, "from": column("n", "integer", int()),
               "to": column("n", "bigint", bigint())}),
        json!({"kind": "alter_column_type", "table": t, "from": column("n", "bigint", bigint()),
               "to": column("n", "integer", int())}),
        json!({"kind": "set_not_null", "table": t, "column": "email"}),
        json!({"kind": "drop_not_null", "table": t, "column": "email"}),
        json!({"kind": "set_default", "table": t, "column": "n", "from": null, "to": "0"}),
        json!({"kind": "alter_identity", "table": t, "column": "id", "from": null,
               "to": {"kind": "always"}}),
        json!({"kind": "alter_generated", "table": t, "from": column("n", "integer", int()),
               "to": {"name": "n", "ordinal": 2, "data_type": "integer", "family": int(),
                      "nullable": true, "generated": {"expression": "id * 2", "stored": true}}}),
        comment(json!({"on": "schema", "name": "app"})),
        comment(json!({"on": "table", "table": t})),
        comment(json!({"on": "column", "table": t, "column": "email"})),
        comment(
            json!({"on": "view", "view": {"schema": "public", "name": "v"},
                       "materialized": false}),
        ),
        comment(json!({"on": "index", "schema": "public", "name": "customer_email_idx"})),
        comment(json!({"on": "function", "schema": "public", "name": "add",
                       "arguments": "integer, integer", "kind": "function"})),
        comment(json!({"on": "sequence", "sequence": {"schema": "public", "name": "s"}})),
        comment(
            json!({"on": "type", "name": {"schema": "public", "name": "mood"},
                       "domain": false}),
        ),
        comment(json!({"on": "trigger", "table": t, "name": "audit"})),
        json!({"kind": "add_primary_key", "table": t, "primary_key": pk(Some("customer_pkey"))}),
        json!({"kind": "drop_primary_key", "table": t, "primary_key": pk(None)}),
        json!({"kind": "add_unique", "table": t, "unique": unique}),
        json!({"kind": "drop_unique", "table": t, "unique": unique}),
        json!({"kind": "add_check", "table": t, "check": check}),
        json!({"kind": "drop_check", "table": t, "check": check}),
        json!({"kind": "validate_constraint", "table": t, "name": "customer_id_check"}),
        json!({"kind": "rename_constraint", "table": t, "from": "c1", "to": "customer_id_check"}),
        json!({"kind": "rename_index", "table": t, "from": "i1", "to": "customer_email_idx"}),
        json!({"kind": "add_foreign_key", "table": t, "foreign_key": fk}),
        json!({"kind": "drop_foreign_key", "table": t, "foreign_key": fk}),
        json!({"kind": "create_index", "table": t, "index": index}),
        json!({"kind": "drop_index", "table": t, "index": index}),
        json!({"kind": "create_view", "schema": "public", "view": view(false, &["a"])}),
        json!({"kind": "drop_view", "schema": "public", "view": view(true, &["a"])}),
        json!({"kind": "replace_view", "schema": "public", "from": view(false, &["a"]),
               "to": view(false, &["a", "b"])}),
        json!({"kind": "replace_view", "schema": "public", "from": view(false, &["a", "b"]),
               "to": {"name": "v", "definition": "SELECT 2 AS a, 3 AS b", "columns": ["a", "b"]}}),
        json!({"kind": "create_function", "schema": "public", "function": function("SELECT 1")}),
        json!({"kind": "drop_function", "schema": "public", "function": function("SELECT 1")}),
        json!({"kind": "replace_function", "schema": "public", "from": function("SELECT 1"),
               "to": function("SELECT 2")}),
        json!({"kind": "create_trigger", "table": t, "trigger": trigger()}),
        json!({"kind": "drop_trigger", "table": t, "trigger": trigger()}),
        json!({"kind": "set_trigger_enabled", "table": t, "name": "audit", "enabled": false}),
        json!({"kind": "attach_partition", "table": t,
               "parent": {"schema": "public", "name": "people"}, "bound": "DEFAULT"}),
        json!({"kind": "detach_partition", "table": t,
               "parent": {"schema": "public", "name": "people"}, "bound": "DEFAULT"}),
        json!({"kind": "set_inherit", "table": t, "parent": {"schema": "public", "name": "people"},
               "inherit": true}),
        json!({"kind": "set_row_security", "table": t, "enabled": true, "forced": false,
               "from_enabled": false, "from_forced": true}),
        json!({"kind": "set_logged", "table": t, "logged": false}),
        json!({"kind": "create_policy", "table": t, "policy": policy}),
        json!({"kind": "drop_policy", "table": t, "policy": policy}),
        json!({"kind": "rebuild_table", "table": t, "from": table("client"),
               "to": table("customer"),
               "renamed": [["mail", "email"]],
               "replaces": [{"kind": "set_not_null", "table": t, "column": "email"}]}),
        json!({"kind": "unsupported", "object_kind": "rule", "object": "public.customer.r",
               "detail": "only in SOURCE"}),
    ]
    .into_iter()
    .map(change)
    .collect()
}
