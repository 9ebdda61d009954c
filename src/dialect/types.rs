//! Type families across dialects: which families are equivalent, and how a family is spelled in
//! each dialect. Used when SOURCE and TARGET are different databases.

use crate::model::{Dialect, TypeFamily};

/// Whether a column of family `a` (in dialect `da`) and one of family `b` (in `db`) hold the same
/// values, by the equivalences documented in `docs/architecture.md`:
/// - the same family with the same parameters;
/// - SQLite stores every integer in 64 bits and every float in 64 bits: any integer width (any
///   float width) on a SQLite side matches;
/// - unbounded text matches text limited to 65,535 or more (MySQL's TEXT types have byte limits);
///   likewise binary;
/// - `json` matches `jsonb`; a PostgreSQL enum type matches an inline enum with the same labels;
/// - SQLite's typeless columns (`any`) match anything.
pub fn equivalent(a: &TypeFamily, da: Dialect, b: &TypeFamily, dbb: Dialect) -> bool {
    use TypeFamily::*;
    let lite = da == Dialect::Sqlite || dbb == Dialect::Sqlite;
    let big = |n: &Option<u64>| n.is_none_or(|n| n >= 65_535);
    match (a, b) {
        (x, y) if x == y => true,
        (Any, _) | (_, Any) => true,
        (
            Integer {
                bits: ba,
                unsigned: ua,
            },
            Integer {
                bits: bb,
                unsigned: ub,
            },
        ) => lite || (ba == bb && ua == ub),
        (Float { .. }, Float { .. }) => lite,
        (
            Text {
                max_len: la,
                fixed: fa,
            },
            Text {
                max_len: lb,
                fixed: fb,
            },
        ) => (la == lb && fa == fb) || (big(la) && big(lb)),
        (Binary { max_len: la, .. }, Binary { max_len: lb, .. }) => {
            la == lb || (big(la) && big(lb))
        }
        (Json { .. }, Json { .. }) => true,
        (Enum { values: va, .. }, Enum { values: vb, .. }) => va == vb,
        (Timestamp { tz: ta }, Timestamp { tz: tb }) => ta == tb,
        _ => false,
    }
}

/// How `family` is declared in `dialect`.
pub fn spell(dialect: Dialect, family: &TypeFamily) -> String {
    use TypeFamily::*;
    match dialect {
        Dialect::Postgres => match family {
            Boolean => "boolean".into(),
            Integer { bits, .. } => match bits {
                0..=16 => "smallint".into(),
                17..=32 => "integer".into(),
                _ => "bigint".into(),
            },
            Decimal {
                precision: Some(p),
                scale,
            } => format!("numeric({p},{})", scale.unwrap_or(0)),
            Decimal { .. } => "numeric".into(),
            Float { bits } if *bits <= 32 => "real".into(),
            Float { .. } => "double precision".into(),
            Text {
                max_len: Some(n),
                fixed: true,
            } => format!("character({n})"),
            Text {
                max_len: Some(n), ..
            } if *n <= 10_485_760 => format!("character varying({n})"),
            Text { .. } => "text".into(),
            Binary { .. } => "bytea".into(),
            Date => "date".into(),
            Time { tz: true } => "time with time zone".into(),
            Time { tz: false } => "time without time zone".into(),
            Timestamp { tz: true } => "timestamp with time zone".into(),
            Timestamp { tz: false } => "timestamp without time zone".into(),
            Interval => "interval".into(),
            Json { binary: true } => "jsonb".into(),
            Json { binary: false } => "json".into(),
            Uuid => "uuid".into(),
            Enum { .. } | Set { .. } | Any => "text".into(),
            Array { element } => format!("{}[]", spell(dialect, element)),
            Other { name } => name.clone(),
        },
        Dialect::Mysql => match family {
            Boolean => "tinyint(1)".into(),
            Integer { bits, unsigned } => {
                let base = match bits {
                    0..=8 => "tinyint",
                    9..=16 => "smallint",
                    17..=24 => "mediumint",
                    25..=32 => "int",
                    _ => "bigint",
                };
                if *unsigned {
                    format!("{base} unsigned")
                } else {
                    base.into()
                }
            }
            Decimal {
                precision: Some(p),
                scale,
            } => format!("decimal({p},{})", scale.unwrap_or(0)),
            Decimal { .. } => "decimal(65,30)".into(),
            Float { bits } if *bits <= 32 => "float".into(),
            Float { .. } => "double".into(),
            Text {
                max_len: Some(n),
                fixed: true,
            } if *n <= 255 => format!("char({n})"),
            Text {
                max_len: Some(n), ..
            } if *n <= 16_383 => format!("varchar({n})"),
            Text { .. } => "longtext".into(),
            Binary {
                max_len: Some(n), ..
            } if *n <= 65_535 => format!("varbinary({n})"),
            Binary { .. } => "longblob".into(),
            Date => "date".into(),
            Time { .. } => "time".into(),
            Timestamp { tz: true } => "timestamp".into(),
            Timestamp { tz: false } => "datetime".into(),
            Interval => "varchar(64)".into(),
            Json { .. } | Array { .. } => "json".into(),
            Uuid => "char(36)".into(),
            Enum { values, .. } => format!("enum({})", quoted(values)),
            Set { values } => format!("set({})", quoted(values)),
            Other { .. } | Any => "longtext".into(),
        },
        Dialect::Sqlite => match family {
            Boolean => "BOOLEAN".into(),
            Integer { .. } => "INTEGER".into(),
            Decimal {
                precision: Some(p),
                scale,
            } => format!("NUMERIC({p},{})", scale.unwrap_or(0)),
            Decimal { .. } => "NUMERIC".into(),
            Float { .. } => "REAL".into(),
            Text {
                max_len: Some(n),
                fixed: true,
            } => format!("CHAR({n})"),
            Text {
                max_len: Some(n), ..
            } => format!("VARCHAR({n})"),
            Text { .. } | Enum { .. } | Set { .. } | Interval | Other { .. } => "TEXT".into(),
            Binary { .. } => "BLOB".into(),
            Date => "DATE".into(),
            Time { .. } => "TIME".into(),
            Timestamp { .. } => "DATETIME".into(),
            Json { .. } | Array { .. } => "JSON".into(),
            Uuid => "UUID".into(),
            Any => String::new(),
        },
    }
}

fn quoted(values: &[String]) -> String {
    values
        .iter()
        .map(|v| super::quote::my::lit(v))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalences() {
        let pg = Dialect::Postgres;
        let lite = Dialect::Sqlite;
        let my = Dialect::Mysql;
        assert!(equivalent(
            &TypeFamily::int(32),
            pg,
            &TypeFamily::int(64),
            lite
        ));
        assert!(!equivalent(
            &TypeFamily::int(32),
            pg,
            &TypeFamily::int(64),
            my
        ));
        assert!(equivalent(
            &TypeFamily::text(None),
            pg,
            &TypeFamily::text(Some(65_535)),
            my
        ));
        assert!(!equivalent(
            &TypeFamily::text(Some(40)),
            pg,
            &TypeFamily::text(Some(50)),
            my
        ));
        assert!(!equivalent(
            &TypeFamily::int(32),
            pg,
            &TypeFamily::text(None),
            lite
        ));
    }

    #[test]
    fn spelling() {
        let f = TypeFamily::Decimal {
            precision: Some(10),
            scale: Some(2),
        };
        assert_eq!(spell(Dialect::Postgres, &f), "numeric(10,2)");
        assert_eq!(spell(Dialect::Mysql, &f), "decimal(10,2)");
        assert_eq!(spell(Dialect::Sqlite, &f), "NUMERIC(10,2)");
        assert_eq!(
            spell(Dialect::Postgres, &TypeFamily::Timestamp { tz: false }),
            "timestamp without time zone"
        );
    }
}
