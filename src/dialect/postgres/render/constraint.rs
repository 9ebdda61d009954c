//! Primary keys, unique and check constraints, foreign keys and indexes.

use crate::dialect::quote::pg::{cols, id, q2, qn};
use crate::model::*;

/// A key, constraint or index change.
pub(super) fn render(change: &Change) -> Vec<String> {
    use Change::*;
    match change {
        AddPrimaryKey { table, primary_key } => vec![format!(
            "ALTER TABLE {} ADD {}PRIMARY KEY ({})",
            qn(table),
            primary_key
                .name
                .as_ref()
                .map(|n| format!("CONSTRAINT {} ", id(n)))
                .unwrap_or_default(),
            cols(&primary_key.columns)
        )],
        DropPrimaryKey { table, primary_key } => match &primary_key.name {
            Some(n) => vec![format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                qn(table),
                id(n)
            )],
            None => vec![],
        },
        AddUnique { table, unique } => vec![format!(
            "ALTER TABLE {} ADD {}",
            qn(table),
            unique_clause(unique)
        )],
        DropUnique { table, unique } => vec![format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            qn(table),
            id(&unique.name)
        )],
        AddCheck { table, check } => vec![format!(
            "ALTER TABLE {} ADD {}",
            qn(table),
            check_clause(check, true)
        )],
        DropCheck { table, check } => vec![format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            qn(table),
            id(&check.name)
        )],
        ValidateConstraint { table, name } => vec![format!(
            "ALTER TABLE {} VALIDATE CONSTRAINT {}",
            qn(table),
            id(name)
        )],
        RenameConstraint { table, from, to } => vec![format!(
            "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
            qn(table),
            id(from),
            id(to)
        )],
        RenameIndex { table, from, to } => vec![format!(
            "ALTER INDEX {} RENAME TO {}",
            q2(&table.schema, from),
            id(to)
        )],
        AddForeignKey { table, foreign_key } => vec![format!(
            "ALTER TABLE {} ADD {}",
            qn(table),
            fk_clause(foreign_key)
        )],
        DropForeignKey { table, foreign_key } => vec![format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            qn(table),
            id(&foreign_key.name)
        )],
        CreateIndex { table, index } => vec![create_index(table, index)],
        DropIndex { table, index } => {
            vec![format!("DROP INDEX {}", q2(&table.schema, &index.name))]
        }
        _ => unreachable!("render() sends only key, constraint and index changes here"),
    }
}

pub(super) fn unique_clause(u: &UniqueConstraint) -> String {
    let mut s = format!(
        "CONSTRAINT {} UNIQUE {}({})",
        id(&u.name),
        if u.nulls_not_distinct {
            "NULLS NOT DISTINCT "
        } else {
            ""
        },
        cols(&u.columns)
    );
    if u.deferrable {
        s.push_str(" DEFERRABLE");
        if u.initially_deferred {
            s.push_str(" INITIALLY DEFERRED");
        }
    }
    s
}

pub(super) fn check_clause(c: &CheckConstraint, allow_not_valid: bool) -> String {
    let mut s = format!("CONSTRAINT {} CHECK ({})", id(&c.name), c.expression);
    if c.no_inherit {
        s.push_str(" NO INHERIT");
    }
    if allow_not_valid && !c.validated {
        s.push_str(" NOT VALID");
    }
    s
}

fn fk_clause(f: &ForeignKey) -> String {
    let mut s = format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
        id(&f.name),
        cols(&f.columns),
        qn(&f.ref_table),
        cols(&f.ref_columns)
    );
    if f.match_full {
        s.push_str(" MATCH FULL");
    }
    if f.on_update != FkAction::NoAction {
        s.push_str(&format!(" ON UPDATE {}", f.on_update.sql()));
    }
    if f.on_delete != FkAction::NoAction {
        s.push_str(&format!(" ON DELETE {}", f.on_delete.sql()));
    }
    if f.deferrable {
        s.push_str(" DEFERRABLE");
        if f.initially_deferred {
            s.push_str(" INITIALLY DEFERRED");
        }
    }
    if !f.validated {
        s.push_str(" NOT VALID");
    }
    s
}

fn create_index(table: &QualifiedName, i: &Index) -> String {
    if let Some(def) = &i.definition {
        if def.starts_with("CREATE ") {
            return def.clone();
        }
    }
    let keys: Vec<String> = i
        .keys
        .iter()
        .map(|k| {
            let mut s = if k.expression {
                format!("({})", k.key)
            } else {
                id(&k.key)
            };
            if let Some(c) = &k.collation {
                s.push_str(&format!(" COLLATE {c}"));
            }
            if let Some(o) = &k.opclass {
                s.push_str(&format!(" {o}"));
            }
            if k.descending {
                s.push_str(" DESC");
            }
            match k.nulls_first {
                Some(true) => s.push_str(" NULLS FIRST"),
                Some(false) => s.push_str(" NULLS LAST"),
                None => {}
            }
            s
        })
        .collect();
    let mut s = format!(
        "CREATE {}INDEX {} ON {}{} ({})",
        if i.unique { "UNIQUE " } else { "" },
        id(&i.name),
        qn(table),
        i.method
            .as_ref()
            .map(|m| format!(" USING {m}"))
            .unwrap_or_default(),
        keys.join(", ")
    );
    if !i.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", cols(&i.include)));
    }
    if i.nulls_not_distinct {
        s.push_str(" NULLS NOT DISTINCT");
    }
    if let Some(p) = &i.predicate {
        s.push_str(&format!(" WHERE {p}"));
    }
    s
}
