//! Type families for PostgreSQL types, from `format_type()` output.

use crate::model::TypeFamily;
use crate::model::types::split_type_modifiers;

/// The family of a built-in type as `format_type` writes it (`character varying(40)`,
/// `timestamp(3) with time zone`, `numeric(10,2)`, `integer[]`). User-defined types (enums,
/// domains) are resolved by the caller; unknown names become [`TypeFamily::Other`].
pub fn family(formatted: &str) -> TypeFamily {
    let t = formatted.trim();
    if let Some(elem) = t.strip_suffix("[]") {
        return TypeFamily::Array {
            element: Box::new(family(elem)),
        };
    }
    let (name, args, rest) = split_type_modifiers(t);
    let n = |i: usize| args.get(i).and_then(|a| a.trim().parse::<u64>().ok());
    // `format_type` puts modifiers inside for time types: `timestamp(3) with time zone`.
    let full = if rest.is_empty() {
        name.clone()
    } else {
        format!("{name} {rest}")
    };
    match full.as_str() {
        "boolean" | "bool" => TypeFamily::Boolean,
        "smallint" | "int2" | "smallserial" => TypeFamily::int(16),
        "integer" | "int" | "int4" | "serial" => TypeFamily::int(32),
        "bigint" | "int8" | "bigserial" => TypeFamily::int(64),
        "numeric" | "decimal" => TypeFamily::Decimal {
            precision: n(0).map(|v| v as u32),
            scale: n(0).map(|_| n(1).unwrap_or(0) as u32),
        },
        "real" | "float4" => TypeFamily::Float { bits: 32 },
        "double precision" | "float8" => TypeFamily::Float { bits: 64 },
        "float" => match n(0) {
            Some(p) if p <= 24 => TypeFamily::Float { bits: 32 },
            _ => TypeFamily::Float { bits: 64 },
        },
        "money" => TypeFamily::Decimal {
            precision: None,
            scale: Some(2),
        },
        "character varying" | "varchar" => TypeFamily::text(n(0)),
        "character" | "char" | "bpchar" => TypeFamily::Text {
            max_len: Some(n(0).unwrap_or(1)),
            fixed: true,
        },
        "\"char\"" => TypeFamily::Text {
            max_len: Some(1),
            fixed: true,
        },
        "text" | "name" | "citext" => TypeFamily::text(None),
        "bytea" => TypeFamily::Binary {
            max_len: None,
            fixed: false,
        },
        "date" => TypeFamily::Date,
        "time without time zone" | "time" => TypeFamily::Time { tz: false },
        "time with time zone" | "timetz" => TypeFamily::Time { tz: true },
        "timestamp without time zone" | "timestamp" => TypeFamily::Timestamp { tz: false },
        "timestamp with time zone" | "timestamptz" => TypeFamily::Timestamp { tz: true },
        "interval" => TypeFamily::Interval,
        "json" => TypeFamily::Json { binary: false },
        "jsonb" => TypeFamily::Json { binary: true },
        "uuid" => TypeFamily::Uuid,
        _ => TypeFamily::other(full),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        assert_eq!(family("integer"), TypeFamily::int(32));
        assert_eq!(family("character varying(40)"), TypeFamily::text(Some(40)));
        assert_eq!(family("character varying"), TypeFamily::text(None));
        assert_eq!(
            family("character(1)"),
            TypeFamily::Text {
                max_len: Some(1),
                fixed: true
            }
        );
        assert_eq!(
            family("numeric(10,2)"),
            TypeFamily::Decimal {
                precision: Some(10),
                scale: Some(2)
            }
        );
        assert_eq!(
            family("numeric"),
            TypeFamily::Decimal {
                precision: None,
                scale: None
            }
        );
        assert_eq!(
            family("timestamp(3) with time zone"),
            TypeFamily::Timestamp { tz: true }
        );
        assert_eq!(
            family("timestamp without time zone"),
            TypeFamily::Timestamp { tz: false }
        );
        assert_eq!(
            family("text[]"),
            TypeFamily::Array {
                element: Box::new(TypeFamily::text(None))
            }
        );
        assert_eq!(family("tsvector"), TypeFamily::other("tsvector"));
    }
}
