//! Type families for SQLite declared types.
//!
//! SQLite stores values by *affinity*, derived from the declared type by substring rules
//! (<https://www.sqlite.org/datatype3.html#determination_of_column_affinity>). Those rules lose what
//! the schema author meant, which is what a comparison with another dialect needs: `NVARCHAR(160)`
//! should compare equal to PostgreSQL's `character varying(160)`. So well-known type names are
//! mapped precisely, keeping declared widths and lengths, and only unknown names fall back to the
//! affinity rules.
//!
//! Integer widths follow the declared name, not SQLite's storage (always up to 64 bits):
//! `INTEGER`/`BIGINT`/`INT8` 64, `INT`/`INT4`/`MEDIUMINT`… see [`family`]. `REAL`, `DOUBLE` and
//! `FLOAT` are 64-bit (SQLite has no other float); `FLOAT4` and `FLOAT(p ≤ 24)` are 32-bit as
//! declared.

use crate::model::types::{TypeFamily, collapse_ws, split_type_modifiers};

/// The family of a declared column type (`pragma_table_xinfo.type`).
pub fn family(declared: &str) -> TypeFamily {
    let declared = declared.trim();
    if declared.is_empty() {
        return TypeFamily::Any;
    }
    let (name, args, rest) = split_type_modifiers(declared);
    let nums: Vec<Option<u64>> = args.iter().map(|a| a.trim().parse::<u64>().ok()).collect();
    let first = nums.first().copied().flatten();
    let second = nums.get(1).copied().flatten();
    // `INT UNSIGNED`, `UNSIGNED BIG INT`: unsigned wherever the word appears.
    let mut words: Vec<&str> = name.split_whitespace().collect();
    words.extend(rest.split_whitespace());
    let unsigned = words.contains(&"unsigned");
    words.retain(|w| *w != "unsigned" && *w != "signed");
    let base = words.join(" ");

    let int = |bits: u8| TypeFamily::Integer { bits, unsigned };
    let text = |max_len: Option<u64>, fixed: bool| TypeFamily::Text { max_len, fixed };

    match base.as_str() {
        "integer" | "bigint" | "int8" | "big int" | "long" => int(64),
        "int" | "int4" => int(32),
        "mediumint" | "int3" => int(24),
        "smallint" | "int2" => int(16),
        "tinyint" | "int1" => int(8),
        "boolean" | "bool" => TypeFamily::Boolean,
        "varchar"
        | "nvarchar"
        | "character varying"
        | "char varying"
        | "varying character"
        | "national character varying"
        | "national char varying"
        | "nchar varying"
        | "varchar2"
        | "nvarchar2"
        | "string" => text(first, false),
        "char" | "character" | "nchar" | "native character" | "national character"
        | "national char" => text(Some(first.unwrap_or(1)), true),
        "text" | "clob" | "ntext" | "tinytext" | "mediumtext" | "longtext" => text(None, false),
        "blob" | "bytea" | "tinyblob" | "mediumblob" | "longblob" => TypeFamily::Binary {
            max_len: None,
            fixed: false,
        },
        "varbinary" => TypeFamily::Binary {
            max_len: first,
            fixed: false,
        },
        "binary" => TypeFamily::Binary {
            max_len: Some(first.unwrap_or(1)),
            fixed: true,
        },
        "real" | "double" | "double precision" | "float8" => TypeFamily::Float { bits: 64 },
        "float4" => TypeFamily::Float { bits: 32 },
        "float" => TypeFamily::Float {
            bits: match first {
                Some(p) if p <= 24 => 32,
                _ => 64,
            },
        },
        "numeric" | "decimal" | "dec" | "number" => TypeFamily::Decimal {
            precision: first.and_then(|p| u32::try_from(p).ok()),
            scale: match (first, second) {
                (Some(_), None) => Some(0),
                (_, s) => s.and_then(|s| u32::try_from(s).ok()),
            },
        },
        "date" => TypeFamily::Date,
        "datetime"
        | "timestamp"
        | "timestamp without time zone"
        | "datetime2"
        | "smalldatetime" => TypeFamily::Timestamp { tz: false },
        "timestamptz" | "timestamp with time zone" | "datetimeoffset" => {
            TypeFamily::Timestamp { tz: true }
        }
        "time" | "time without time zone" => TypeFamily::Time { tz: false },
        "timetz" | "time with time zone" => TypeFamily::Time { tz: true },
        "interval" => TypeFamily::Interval,
        "json" => TypeFamily::Json { binary: false },
        "jsonb" => TypeFamily::Json { binary: true },
        "uuid" | "uniqueidentifier" => TypeFamily::Uuid,
        // STRICT tables: a column that takes any value.
        "any" => TypeFamily::Any,
        _ => by_affinity(&base, declared),
    }
}

/// SQLite's affinity rules 1–4, applied in SQLite's order to a name we do not know. Rule 5
/// (NUMERIC affinity for everything else) says nothing about meaning, so those stay `Other`.
fn by_affinity(base: &str, declared: &str) -> TypeFamily {
    if base.contains("int") {
        TypeFamily::int(64)
    } else if base.contains("char") || base.contains("clob") || base.contains("text") {
        TypeFamily::text(None)
    } else if base.contains("blob") {
        TypeFamily::Binary {
            max_len: None,
            fixed: false,
        }
    } else if base.contains("real") || base.contains("floa") || base.contains("doub") {
        TypeFamily::Float { bits: 64 }
    } else {
        TypeFamily::other(collapse_ws(&declared.to_ascii_lowercase()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(bits: u8) -> TypeFamily {
        TypeFamily::int(bits)
    }

    #[test]
    fn integers_keep_declared_widths() {
        assert_eq!(family("INTEGER"), int(64));
        assert_eq!(family("integer"), int(64));
        assert_eq!(family("BIGINT"), int(64));
        assert_eq!(family("INT"), int(32));
        assert_eq!(family("INT(11)"), int(32));
        assert_eq!(family("MEDIUMINT"), int(24));
        assert_eq!(family("SMALLINT"), int(16));
        assert_eq!(family("INT2"), int(16));
        assert_eq!(family("TINYINT"), int(8));
        assert_eq!(family("INT8"), int(64));
        assert_eq!(
            family("UNSIGNED BIG INT"),
            TypeFamily::Integer {
                bits: 64,
                unsigned: true
            }
        );
        assert_eq!(
            family("int unsigned"),
            TypeFamily::Integer {
                bits: 32,
                unsigned: true
            }
        );
    }

    #[test]
    fn text_types() {
        assert_eq!(family("NVARCHAR(160)"), TypeFamily::text(Some(160)));
        assert_eq!(family("VARCHAR(255)"), TypeFamily::text(Some(255)));
        assert_eq!(family("varchar ( 20 )"), TypeFamily::text(Some(20)));
        assert_eq!(family("VARCHAR"), TypeFamily::text(None));
        assert_eq!(
            family("VARYING CHARACTER(255)"),
            TypeFamily::text(Some(255))
        );
        assert_eq!(
            family("CHARACTER(20)"),
            TypeFamily::Text {
                max_len: Some(20),
                fixed: true
            }
        );
        assert_eq!(
            family("NCHAR(55)"),
            TypeFamily::Text {
                max_len: Some(55),
                fixed: true
            }
        );
        assert_eq!(
            family("NATIVE CHARACTER(70)"),
            TypeFamily::Text {
                max_len: Some(70),
                fixed: true
            }
        );
        assert_eq!(
            family("CHAR"),
            TypeFamily::Text {
                max_len: Some(1),
                fixed: true
            }
        );
        assert_eq!(family("TEXT"), TypeFamily::text(None));
        assert_eq!(family("CLOB"), TypeFamily::text(None));
    }

    #[test]
    fn other_known_types() {
        assert_eq!(
            family("BLOB"),
            TypeFamily::Binary {
                max_len: None,
                fixed: false
            }
        );
        assert_eq!(family("REAL"), TypeFamily::Float { bits: 64 });
        assert_eq!(family("DOUBLE"), TypeFamily::Float { bits: 64 });
        assert_eq!(family("DOUBLE PRECISION"), TypeFamily::Float { bits: 64 });
        assert_eq!(family("FLOAT"), TypeFamily::Float { bits: 64 });
        assert_eq!(family("FLOAT(10)"), TypeFamily::Float { bits: 32 });
        assert_eq!(
            family("NUMERIC(10,2)"),
            TypeFamily::Decimal {
                precision: Some(10),
                scale: Some(2)
            }
        );
        assert_eq!(
            family("DECIMAL(5)"),
            TypeFamily::Decimal {
                precision: Some(5),
                scale: Some(0)
            }
        );
        assert_eq!(
            family("NUMERIC"),
            TypeFamily::Decimal {
                precision: None,
                scale: None
            }
        );
        assert_eq!(family("BOOLEAN"), TypeFamily::Boolean);
        assert_eq!(family("DATE"), TypeFamily::Date);
        assert_eq!(family("DATETIME"), TypeFamily::Timestamp { tz: false });
        assert_eq!(family("TIMESTAMP"), TypeFamily::Timestamp { tz: false });
        assert_eq!(family("TIME"), TypeFamily::Time { tz: false });
        assert_eq!(family("JSON"), TypeFamily::Json { binary: false });
        assert_eq!(family("UUID"), TypeFamily::Uuid);
        assert_eq!(family(""), TypeFamily::Any);
        assert_eq!(family("  "), TypeFamily::Any);
        assert_eq!(family("ANY"), TypeFamily::Any);
    }

    #[test]
    fn unknown_names_follow_affinity() {
        // Rule 1 wins even where it surprises: SQLite gives "FLOATING POINT" INTEGER affinity.
        assert_eq!(family("FLOATING POINT"), int(64));
        assert_eq!(family("BIGSERIAL INT"), int(64));
        assert_eq!(family("MYCHARS"), TypeFamily::text(None));
        assert_eq!(
            family("binaryblob"),
            TypeFamily::Binary {
                max_len: None,
                fixed: false
            }
        );
        assert_eq!(family("DOUBLE TROUBLE"), TypeFamily::Float { bits: 64 });
        assert_eq!(family("Geometry"), TypeFamily::other("geometry"));
        assert_eq!(family("MONEY(4)"), TypeFamily::other("money(4)"));
    }
}
