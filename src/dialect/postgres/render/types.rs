//! Schemas, extensions, enum, domain and composite types, sequences.

use crate::dialect::quote::pg::{id, lit, q2, qn};
use crate::model::change::ColumnUse;
use crate::model::*;

/// A schema, extension, type or sequence change.
pub(super) fn render(change: &Change) -> Vec<String> {
    use Change::*;
    match change {
        CreateSchema { name } => vec![format!("CREATE SCHEMA {}", id(name))],
        DropSchema { name } => vec![format!("DROP SCHEMA {}", id(name))],
        CreateExtension { extension } => vec![format!(
            "CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}",
            id(&extension.name),
            id(&extension.schema)
        )],
        DropExtension { extension } => vec![format!("DROP EXTENSION {}", id(&extension.name))],
        AlterExtension { to, .. } => vec![format!(
            "ALTER EXTENSION {} UPDATE TO {}",
            id(&to.name),
            lit(&to.version)
        )],
        CreateEnum { schema, enum_type } => vec![create_enum(schema, enum_type)],
        DropEnum { schema, enum_type } => {
            vec![format!("DROP TYPE {}", q2(schema, &enum_type.name))]
        }
        AddEnumLabel {
            schema,
            name,
            label,
            before,
        } => vec![match before {
            Some(b) => format!(
                "ALTER TYPE {} ADD VALUE {} BEFORE {}",
                q2(schema, name),
                lit(label),
                lit(b)
            ),
            None => format!("ALTER TYPE {} ADD VALUE {}", q2(schema, name), lit(label)),
        }],
        RenameEnumLabel {
            schema,
            name,
            from,
            to,
        } => vec![format!(
            "ALTER TYPE {} RENAME VALUE {} TO {}",
            q2(schema, name),
            lit(from),
            lit(to)
        )],
        RebuildEnum {
            schema,
            to,
            columns,
            ..
        } => rebuild_enum(schema, to, columns),
        CreateDomain { schema, domain } => vec![create_domain(schema, domain)],
        DropDomain { schema, domain } => vec![format!("DROP DOMAIN {}", q2(schema, &domain.name))],
        AlterDomain { schema, from, to } => alter_domain(schema, from, to),
        CreateCompositeType { schema, composite } => {
            let attrs: Vec<String> = composite
                .attributes
                .iter()
                .map(|(n, t)| format!("{} {t}", id(n)))
                .collect();
            vec![format!(
                "CREATE TYPE {} AS ({})",
                q2(schema, &composite.name),
                attrs.join(", ")
            )]
        }
        DropCompositeType { schema, composite } => {
            vec![format!("DROP TYPE {}", q2(schema, &composite.name))]
        }
        CreateSequence { schema, sequence } => vec![format!(
            "CREATE SEQUENCE {} {}",
            q2(schema, &sequence.name),
            sequence_options(&sequence.options, false)
        )],
        DropSequence { schema, sequence } => {
            vec![format!("DROP SEQUENCE {}", q2(schema, &sequence.name))]
        }
        AlterSequence { schema, from, to } => alter_sequence(schema, from, to),
        _ => unreachable!("render() sends only schema, extension, type and sequence changes here"),
    }
}

/// Sequence options as `CREATE SEQUENCE` and identity clauses take them.
pub(super) fn sequence_options(o: &SequenceOptions, identity: bool) -> String {
    let mut parts = Vec::new();
    if !identity {
        parts.push(format!("AS {}", o.data_type));
    }
    parts.push(format!("INCREMENT BY {}", o.increment));
    parts.push(format!("MINVALUE {}", o.min_value));
    parts.push(format!("MAXVALUE {}", o.max_value));
    parts.push(format!("START WITH {}", o.start));
    parts.push(format!("CACHE {}", o.cache));
    parts.push(if o.cycle {
        "CYCLE".into()
    } else {
        "NO CYCLE".into()
    });
    parts.join(" ")
}

fn create_enum(schema: &str, e: &EnumType) -> String {
    let labels: Vec<String> = e.labels.iter().map(|l| lit(l)).collect();
    format!(
        "CREATE TYPE {} AS ENUM ({})",
        q2(schema, &e.name),
        labels.join(", ")
    )
}

fn rebuild_enum(schema: &str, to: &EnumType, columns: &[ColumnUse]) -> Vec<String> {
    let old_name = format!("{}__sluice_old", to.name);
    let mut v = vec![
        format!(
            "ALTER TYPE {} RENAME TO {}",
            q2(schema, &to.name),
            id(&old_name)
        ),
        create_enum(schema, to),
    ];
    let new_type = q2(schema, &to.name);
    for c in columns {
        let array = c.data_type.ends_with("[]");
        if c.default.is_some() {
            v.push(format!(
                "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT",
                qn(&c.table),
                id(&c.column)
            ));
        }
        let (ty, using) = if array {
            (
                format!("{new_type}[]"),
                format!("{}::text[]::{new_type}[]", id(&c.column)),
            )
        } else {
            (
                new_type.clone(),
                format!("{}::text::{new_type}", id(&c.column)),
            )
        };
        v.push(format!(
            "ALTER TABLE {} ALTER COLUMN {} TYPE {ty} USING {using}",
            qn(&c.table),
            id(&c.column)
        ));
        if let Some(d) = &c.default {
            v.push(format!(
                "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {d}",
                qn(&c.table),
                id(&c.column)
            ));
        }
    }
    v.push(format!("DROP TYPE {}", q2(schema, &old_name)));
    v
}

fn create_domain(schema: &str, d: &Domain) -> String {
    let mut s = format!("CREATE DOMAIN {} AS {}", q2(schema, &d.name), d.base_type);
    if let Some(c) = &d.collation {
        s.push_str(&format!(" COLLATE {c}"));
    }
    if let Some(def) = &d.default {
        s.push_str(&format!(" DEFAULT {def}"));
    }
    if !d.nullable {
        s.push_str(" NOT NULL");
    }
    for c in &d.checks {
        s.push_str(&format!(
            " CONSTRAINT {} CHECK ({})",
            id(&c.name),
            c.expression
        ));
    }
    s
}

fn alter_domain(schema: &str, from: &Domain, to: &Domain) -> Vec<String> {
    let name = q2(schema, &to.name);
    let mut v = Vec::new();
    if from.base_type != to.base_type || from.collation != to.collation {
        // A domain's type cannot be altered: it is dropped and created again (which fails, rolled
        // back, if columns use it).
        v.push(format!("DROP DOMAIN {name}"));
        v.push(create_domain(schema, to));
        return v;
    }
    if from.default != to.default {
        v.push(match &to.default {
            Some(d) => format!("ALTER DOMAIN {name} SET DEFAULT {d}"),
            None => format!("ALTER DOMAIN {name} DROP DEFAULT"),
        });
    }
    if from.nullable != to.nullable {
        v.push(format!(
            "ALTER DOMAIN {name} {} NOT NULL",
            if to.nullable { "DROP" } else { "SET" }
        ));
    }
    let norm = crate::model::normalize::expr;
    for c in &from.checks {
        let same = to
            .checks
            .iter()
            .any(|d| d.name == c.name && norm(&d.expression) == norm(&c.expression));
        if !same {
            v.push(format!(
                "ALTER DOMAIN {name} DROP CONSTRAINT {}",
                id(&c.name)
            ));
        }
    }
    for c in &to.checks {
        let same = from
            .checks
            .iter()
            .any(|d| d.name == c.name && norm(&d.expression) == norm(&c.expression));
        if !same {
            v.push(format!(
                "ALTER DOMAIN {name} ADD CONSTRAINT {} CHECK ({})",
                id(&c.name),
                c.expression
            ));
        }
    }
    v
}

fn alter_sequence(schema: &str, from: &Sequence, to: &Sequence) -> Vec<String> {
    let name = q2(schema, &to.name);
    let mut v = Vec::new();
    let (a, b) = (&from.options, &to.options);
    let mut parts = Vec::new();
    if a.data_type != b.data_type {
        parts.push(format!("AS {}", b.data_type));
    }
    if a.increment != b.increment {
        parts.push(format!("INCREMENT BY {}", b.increment));
    }
    if a.min_value != b.min_value || a.data_type != b.data_type {
        parts.push(format!("MINVALUE {}", b.min_value));
    }
    if a.max_value != b.max_value || a.data_type != b.data_type {
        parts.push(format!("MAXVALUE {}", b.max_value));
    }
    if a.start != b.start {
        parts.push(format!("START WITH {}", b.start));
    }
    if a.cache != b.cache {
        parts.push(format!("CACHE {}", b.cache));
    }
    if a.cycle != b.cycle {
        parts.push(if b.cycle {
            "CYCLE".into()
        } else {
            "NO CYCLE".into()
        });
    }
    if !parts.is_empty() {
        v.push(format!("ALTER SEQUENCE {name} {}", parts.join(" ")));
    }
    if from.owned_by != to.owned_by {
        v.push(match &to.owned_by {
            Some(o) => format!(
                "ALTER SEQUENCE {name} OWNED BY {}.{}",
                q2(&o.schema, &o.table),
                id(&o.column)
            ),
            None => format!("ALTER SEQUENCE {name} OWNED BY NONE"),
        });
    }
    v
}
