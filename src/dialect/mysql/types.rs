//! Type families for MySQL and MariaDB column types, parsed from `COLUMN_TYPE` as the server writes
//! it (`int(11) unsigned`, `varchar(40)`, `enum('a','b')`, `decimal(10,2)`).
//!
//! Decisions:
//! - `tinyint(1)` is MySQL's spelling of `BOOLEAN`, so it is [`TypeFamily::Boolean`]; any other
//!   `tinyint` (including `tinyint(1) unsigned`, `tinyint(4)`, MySQL 8's bare `tinyint`) is an
//!   8-bit integer.
//! - Display widths (`int(11)`) and `zerofill` are ignored: they do not change what is stored.
//! - `timestamp` is `Timestamp { tz: true }`: the server stores it in UTC and converts from and to
//!   the session time zone, which is what "with time zone" means elsewhere. `datetime` is a plain
//!   wall-clock value, `Timestamp { tz: false }`.
//! - `year` is a 16-bit integer (it holds 1901..=2155).
//! - `json` is `Json { binary: false }` on both servers, so that a MySQL `json` and a MariaDB
//!   `json` (an alias of `longtext` with a `json_valid` check, which the inspector maps to JSON)
//!   compare equal.
//! - Text and blob limits are the type's byte limits (`text` = 65535, `longtext` = 4294967295).
//! - `bit(n)`, the spatial types, `inet4`/`inet6`, `vector(n)` and anything unknown are
//!   [`TypeFamily::Other`] by their lowercased name (with the width for `bit`, which changes what
//!   is stored).

use crate::model::types::{TypeFamily, collapse_ws, split_type_modifiers, unquote_literal};

/// The family of a MySQL/MariaDB column type as `information_schema.COLUMNS.COLUMN_TYPE` writes it.
pub fn family(column_type: &str) -> TypeFamily {
    let (name, args, rest) = split_type_modifiers(column_type);
    let unsigned = rest.split_whitespace().any(|w| w == "unsigned");
    let num = |i: usize| args.get(i).and_then(|a| a.trim().parse::<u64>().ok());
    let int = |bits: u8| TypeFamily::Integer { bits, unsigned };
    match name.as_str() {
        "bool" | "boolean" => TypeFamily::Boolean,
        "tinyint" | "int1" => {
            if num(0) == Some(1) && !unsigned {
                TypeFamily::Boolean
            } else {
                int(8)
            }
        }
        "smallint" | "int2" => int(16),
        "mediumint" | "int3" | "middleint" => int(24),
        "int" | "integer" | "int4" => int(32),
        "bigint" | "int8" => int(64),
        // SERIAL is BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE; COLUMN_TYPE never says it, but
        // a declared type might.
        "serial" => TypeFamily::Integer {
            bits: 64,
            unsigned: true,
        },
        "decimal" | "numeric" | "dec" | "fixed" => TypeFamily::Decimal {
            // MySQL's defaults: DECIMAL = DECIMAL(10,0), DECIMAL(p) = DECIMAL(p,0).
            precision: Some(num(0).map_or(10, |p| p as u32)),
            scale: Some(num(1).map_or(0, |s| s as u32)),
        },
        "float" | "float4" => match (num(0), args.len()) {
            // FLOAT(p): 0..=24 is single precision, 25..=53 double. FLOAT(m,d) is single.
            (Some(p), 1) if p > 24 => TypeFamily::Float { bits: 64 },
            _ => TypeFamily::Float { bits: 32 },
        },
        "double" | "double precision" | "real" | "float8" => TypeFamily::Float { bits: 64 },
        "char" | "nchar" | "national char" | "character" => TypeFamily::Text {
            max_len: Some(num(0).unwrap_or(1)),
            fixed: true,
        },
        "varchar" | "nvarchar" | "national varchar" | "character varying" | "varchar2" => {
            TypeFamily::text(num(0))
        }
        "tinytext" => TypeFamily::text(Some(255)),
        "text" => TypeFamily::text(Some(num(0).unwrap_or(65_535))),
        "mediumtext" | "long" | "long varchar" => TypeFamily::text(Some(16_777_215)),
        "longtext" => TypeFamily::text(Some(4_294_967_295)),
        "binary" => TypeFamily::Binary {
            max_len: Some(num(0).unwrap_or(1)),
            fixed: true,
        },
        "varbinary" => TypeFamily::Binary {
            max_len: num(0),
            fixed: false,
        },
        "tinyblob" => binary(255),
        "blob" => binary(num(0).unwrap_or(65_535)),
        "mediumblob" | "long varbinary" => binary(16_777_215),
        "longblob" => binary(4_294_967_295),
        "date" => TypeFamily::Date,
        "time" => TypeFamily::Time { tz: false },
        "datetime" => TypeFamily::Timestamp { tz: false },
        "timestamp" => TypeFamily::Timestamp { tz: true },
        "year" => TypeFamily::int(16),
        "json" => TypeFamily::Json { binary: false },
        "uuid" => TypeFamily::Uuid,
        "enum" => TypeFamily::Enum {
            type_name: None,
            values: args.iter().map(|a| unquote_literal(a)).collect(),
        },
        "set" => TypeFamily::Set {
            values: args.iter().map(|a| unquote_literal(a)).collect(),
        },
        "bit" => TypeFamily::other(format!("bit({})", num(0).unwrap_or(1))),
        "geometry" | "point" | "linestring" | "polygon" | "multipoint" | "multilinestring"
        | "multipolygon" | "geometrycollection" | "geomcollection" | "inet4" | "inet6" => {
            TypeFamily::other(name)
        }
        _ => TypeFamily::other(collapse_ws(&column_type.trim().to_ascii_lowercase())),
    }
}

fn binary(max: u64) -> TypeFamily {
    TypeFamily::Binary {
        max_len: Some(max),
        fixed: false,
    }
}

/// Whether literals of this family are written bare (numbers) rather than quoted.
pub(crate) fn is_numeric(f: &TypeFamily) -> bool {
    matches!(
        f,
        TypeFamily::Boolean
            | TypeFamily::Integer { .. }
            | TypeFamily::Decimal { .. }
            | TypeFamily::Float { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(bits: u8, unsigned: bool) -> TypeFamily {
        TypeFamily::Integer { bits, unsigned }
    }

    #[test]
    fn integers() {
        assert_eq!(family("tinyint(1)"), TypeFamily::Boolean);
        assert_eq!(family("TINYINT(1)"), TypeFamily::Boolean);
        assert_eq!(family("boolean"), TypeFamily::Boolean);
        assert_eq!(family("tinyint(1) unsigned"), int(8, true));
        assert_eq!(family("tinyint(4)"), int(8, false));
        assert_eq!(family("tinyint"), int(8, false));
        assert_eq!(family("smallint(5) unsigned"), int(16, true));
        assert_eq!(family("mediumint(9)"), int(24, false));
        assert_eq!(family("int(11)"), int(32, false));
        assert_eq!(family("int"), int(32, false));
        assert_eq!(family("int(10) unsigned zerofill"), int(32, true));
        assert_eq!(family("bigint(20) unsigned"), int(64, true));
        assert_eq!(family("bigint"), int(64, false));
        assert_eq!(family("year(4)"), int(16, false));
        assert_eq!(family("year"), int(16, false));
    }

    #[test]
    fn numbers() {
        assert_eq!(
            family("decimal(10,2)"),
            TypeFamily::Decimal {
                precision: Some(10),
                scale: Some(2)
            }
        );
        assert_eq!(
            family("decimal(12,4) unsigned"),
            TypeFamily::Decimal {
                precision: Some(12),
                scale: Some(4)
            }
        );
        assert_eq!(
            family("numeric"),
            TypeFamily::Decimal {
                precision: Some(10),
                scale: Some(0)
            }
        );
        assert_eq!(family("float"), TypeFamily::Float { bits: 32 });
        assert_eq!(family("float(7,3)"), TypeFamily::Float { bits: 32 });
        assert_eq!(family("float(30)"), TypeFamily::Float { bits: 64 });
        assert_eq!(family("double"), TypeFamily::Float { bits: 64 });
        assert_eq!(
            family("double(8,2) unsigned"),
            TypeFamily::Float { bits: 64 }
        );
    }

    #[test]
    fn text_and_binary() {
        assert_eq!(
            family("char(3)"),
            TypeFamily::Text {
                max_len: Some(3),
                fixed: true
            }
        );
        assert_eq!(family("varchar(40)"), TypeFamily::text(Some(40)));
        assert_eq!(family("tinytext"), TypeFamily::text(Some(255)));
        assert_eq!(family("text"), TypeFamily::text(Some(65_535)));
        assert_eq!(family("mediumtext"), TypeFamily::text(Some(16_777_215)));
        assert_eq!(family("longtext"), TypeFamily::text(Some(4_294_967_295)));
        assert_eq!(
            family("binary(16)"),
            TypeFamily::Binary {
                max_len: Some(16),
                fixed: true
            }
        );
        assert_eq!(
            family("varbinary(255)"),
            TypeFamily::Binary {
                max_len: Some(255),
                fixed: false
            }
        );
        assert_eq!(
            family("blob"),
            TypeFamily::Binary {
                max_len: Some(65_535),
                fixed: false
            }
        );
        assert_eq!(
            family("longblob"),
            TypeFamily::Binary {
                max_len: Some(4_294_967_295),
                fixed: false
            }
        );
    }

    #[test]
    fn temporal() {
        assert_eq!(family("date"), TypeFamily::Date);
        assert_eq!(family("time(3)"), TypeFamily::Time { tz: false });
        assert_eq!(family("datetime"), TypeFamily::Timestamp { tz: false });
        assert_eq!(family("datetime(6)"), TypeFamily::Timestamp { tz: false });
        assert_eq!(family("timestamp"), TypeFamily::Timestamp { tz: true });
        assert_eq!(family("timestamp(6)"), TypeFamily::Timestamp { tz: true });
    }

    #[test]
    fn enums_sets_and_others() {
        assert_eq!(
            family("enum('new','paid','it''s','a,b','c)')"),
            TypeFamily::Enum {
                type_name: None,
                values: vec![
                    "new".into(),
                    "paid".into(),
                    "it's".into(),
                    "a,b".into(),
                    "c)".into()
                ]
            }
        );
        assert_eq!(
            family("set('x','y''z')"),
            TypeFamily::Set {
                values: vec!["x".into(), "y'z".into()]
            }
        );
        assert_eq!(family("json"), TypeFamily::Json { binary: false });
        assert_eq!(family("uuid"), TypeFamily::Uuid);
        assert_eq!(family("bit(1)"), TypeFamily::other("bit(1)"));
        assert_eq!(family("bit(64)"), TypeFamily::other("bit(64)"));
        assert_eq!(family("inet6"), TypeFamily::other("inet6"));
        assert_eq!(family("point"), TypeFamily::other("point"));
        assert_eq!(family("geometry"), TypeFamily::other("geometry"));
        assert_eq!(family("vector(3)"), TypeFamily::other("vector(3)"));
    }

    #[test]
    fn numeric_families() {
        assert!(is_numeric(&family("int(11)")));
        assert!(is_numeric(&family("tinyint(1)")));
        assert!(!is_numeric(&family("varchar(3)")));
        assert!(!is_numeric(&family("bit(3)")));
    }
}
