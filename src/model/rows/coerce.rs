//! Coercion: a value restated in the terms of a [`TypeFamily`] (SQLite's dynamic values, and the
//! other side's family when two dialects spell a column differently), and the family a pair of
//! columns is compared in. A value that does not convert is left as it is, so it compares unequal
//! to the converted form instead of being silently made equal.

use super::parse::{
    float_decimal_into, normalize_decimal, parse_date, parse_time, parse_timestamp,
    parse_timestamptz, parse_uuid,
};
use super::value::{Value, float_text};
use crate::model::types::TypeFamily;

/// Restates `v` in the terms of `family`, when it holds the same logical value in another form:
/// SQLite's dynamic values (an integer 0/1 in a BOOLEAN column, DATETIME text, a REAL in a
/// NUMERIC column, uuid text), and a value read under the other side's family. A value that does
/// not convert is left as it is (and so compares unequal to the converted form).
pub fn coerce(v: Value, family: &TypeFamily) -> Value {
    use TypeFamily as F;
    match (family, v) {
        (_, Value::Null) => Value::Null,
        (F::Boolean, Value::Int(0)) => Value::Bool(false),
        (F::Boolean, Value::Int(1)) => Value::Bool(true),
        (F::Boolean, Value::Text(t)) => match t.to_ascii_lowercase().as_str() {
            "true" | "t" => Value::Bool(true),
            "false" | "f" => Value::Bool(false),
            _ => Value::Text(t),
        },
        (F::Integer { .. }, Value::Text(t)) => match t.trim().parse::<i128>() {
            Ok(n) if t.trim() == n.to_string() => Value::Int(n),
            _ => Value::Text(t),
        },
        (F::Integer { .. }, Value::Bool(b)) => Value::Int(b as i128),
        (F::Decimal { .. }, Value::Int(n)) => Value::Decimal(n.to_string()),
        (F::Decimal { .. }, Value::Float(f)) => {
            let mut d = String::new();
            if float_decimal_into(f, &mut d) {
                Value::Decimal(d)
            } else {
                Value::Decimal(float_text(f))
            }
        }
        (F::Decimal { .. }, Value::Text(t)) => match normalize_decimal(&t) {
            Some(d) => Value::Decimal(d),
            None => Value::Text(t),
        },
        (F::Float { .. }, Value::Int(n)) => Value::float(n as f64),
        (F::Float { .. }, Value::Decimal(d)) => match d.parse::<f64>() {
            Ok(f) => Value::float(f),
            Err(_) => Value::Decimal(d),
        },
        (F::Float { .. }, Value::Text(t)) => match float_from_text(&t) {
            Some(f) => Value::float(f),
            None => Value::Text(t),
        },
        (F::Date, Value::Text(t)) => match parse_date(&t) {
            Some(d) => Value::Date(d),
            None => Value::Text(t),
        },
        (F::Time { tz: false }, Value::Text(t)) => match parse_time(&t) {
            Some(m) => Value::Time(m),
            None => Value::Text(t),
        },
        (F::Timestamp { tz: false }, Value::Text(t)) => match parse_timestamp(&t) {
            Some(m) => Value::Timestamp(m),
            None => Value::Text(t),
        },
        (F::Timestamp { tz: false }, Value::Date(d)) => Value::Timestamp(d as i64 * 86_400_000_000),
        (F::Timestamp { tz: false }, Value::TimestampTz(m)) => Value::Timestamp(m),
        (F::Timestamp { tz: true }, Value::Text(t)) => match parse_timestamptz(&t) {
            Some(m) => Value::TimestampTz(m),
            None => Value::Text(t),
        },
        (F::Timestamp { tz: true }, Value::Timestamp(m)) => Value::TimestampTz(m),
        (F::Timestamp { tz: true }, Value::Date(d)) => {
            Value::TimestampTz(d as i64 * 86_400_000_000)
        }
        (F::Uuid, Value::Text(t)) => match parse_uuid(&t) {
            Some(u) => Value::Uuid(u),
            None => Value::Text(t),
        },
        (F::Uuid, Value::Bytes(b)) if b.len() == 16 => {
            let mut u = [0u8; 16];
            u.copy_from_slice(&b);
            Value::Uuid(u)
        }
        (F::Json { .. }, Value::Text(t)) => Value::json(&t).unwrap_or(Value::Text(t)),
        (F::Json { .. }, Value::Bytes(b)) => {
            match std::str::from_utf8(&b).ok().and_then(Value::json) {
                Some(j) => j,
                None => Value::Bytes(b),
            }
        }
        (F::Text { fixed: true, .. }, Value::Text(t)) => {
            let trimmed = t.trim_end_matches(' ');
            if trimmed.len() == t.len() {
                Value::Text(t)
            } else {
                Value::Text(trimmed.to_string())
            }
        }
        (F::Binary { .. }, Value::Text(t)) => Value::Bytes(t.into_bytes()),
        (F::Array { element }, Value::Array(items)) => {
            Value::Array(items.into_iter().map(|x| coerce(x, element)).collect())
        }
        (_, v) => v,
    }
}

/// [`coerce`] of `Value::Text(s)` without building the text first when it converts.
pub fn coerce_str(s: &str, family: &TypeFamily) -> Value {
    use TypeFamily as F;
    let parsed = match family {
        F::Date => parse_date(s).map(Value::Date),
        F::Time { tz: false } => parse_time(s).map(Value::Time),
        F::Timestamp { tz: false } => parse_timestamp(s).map(Value::Timestamp),
        F::Timestamp { tz: true } => parse_timestamptz(s).map(Value::TimestampTz),
        F::Uuid => parse_uuid(s).map(Value::Uuid),
        F::Decimal { .. } => normalize_decimal(s).map(Value::Decimal),
        F::Json { .. } => Value::json(s),
        _ => None,
    };
    parsed.unwrap_or_else(|| coerce(Value::Text(s.to_string()), family))
}

fn float_from_text(t: &str) -> Option<f64> {
    match t.trim() {
        "NaN" | "nan" => Some(f64::NAN),
        "Infinity" | "inf" | "+Infinity" => Some(f64::INFINITY),
        "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
        other => other.parse::<f64>().ok(),
    }
}

/// The family two sides' values are compared in, when the two sides declare a column
/// differently (another dialect's spelling, SQLite's typeless columns). Both sides' values are
/// [`coerce`]d into it.
pub fn comparison_family(a: &TypeFamily, b: &TypeFamily) -> TypeFamily {
    use TypeFamily as F;
    let parsed_from_text = |f: &TypeFamily| {
        matches!(
            f,
            F::Uuid
                | F::Json { .. }
                | F::Date
                | F::Time { .. }
                | F::Timestamp { .. }
                | F::Decimal { .. }
                | F::Boolean
                | F::Integer { .. }
                | F::Float { .. }
                | F::Binary { .. }
        )
    };
    match (a, b) {
        (F::Any, x) | (x, F::Any) => x.clone(),
        (F::Text { fixed: fa, .. }, F::Text { fixed: fb, .. }) => F::Text {
            max_len: None,
            fixed: *fa || *fb,
        },
        (F::Text { .. }, x) | (x, F::Text { .. }) if parsed_from_text(x) => x.clone(),
        (F::Integer { .. }, F::Boolean) | (F::Boolean, F::Integer { .. }) => F::Boolean,
        (F::Integer { .. } | F::Float { .. }, F::Decimal { .. }) => b.clone(),
        (F::Decimal { .. }, F::Integer { .. } | F::Float { .. }) => a.clone(),
        (F::Integer { .. }, F::Float { .. }) => b.clone(),
        (F::Float { .. }, F::Integer { .. }) => a.clone(),
        (F::Timestamp { tz: ta }, F::Timestamp { tz: tb }) => F::Timestamp { tz: *ta || *tb },
        (F::Date, F::Timestamp { .. }) => b.clone(),
        (F::Timestamp { .. }, F::Date) => a.clone(),
        (F::Enum { .. } | F::Set { .. }, _) | (_, F::Enum { .. } | F::Set { .. }) => F::text(None),
        _ => a.clone(),
    }
}

/// Whether values read under `from` can change when [`coerce`]d into `to` (readers skip the
/// coercion when they cannot).
pub fn coercion_needed(from: &TypeFamily, to: &TypeFamily) -> bool {
    use TypeFamily as F;
    match (from, to) {
        (a, b) if a == b => false,
        (F::Integer { .. }, F::Integer { .. })
        | (F::Float { .. }, F::Float { .. })
        | (F::Decimal { .. }, F::Decimal { .. })
        | (F::Binary { .. }, F::Binary { .. })
        | (F::Json { .. }, F::Json { .. }) => false,
        (F::Text { fixed: a, .. }, F::Text { fixed: b, .. }) => *b && !*a,
        (F::Enum { .. } | F::Set { .. }, F::Text { fixed: false, .. }) => false,
        (F::Timestamp { tz: a }, F::Timestamp { tz: b }) => a != b,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rows::parse_uuid;

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn float_decimal_fast_path_matches_coerce() {
        let dec = TypeFamily::Decimal {
            precision: None,
            scale: None,
        };
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut samples = vec![
            0.1,
            0.01,
            1e15,
            1e16,
            1e17,
            1e-5,
            1e-6,
            123.45,
            -0.001,
            9007199254740993.0,
            1e300,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
        ];
        for k in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let f = f64::from_bits(x);
            if f.is_finite() {
                samples.push(f);
            }
            samples.push((k as f64) / 100.0 - 50.0);
        }
        for f in samples {
            let Value::Decimal(slow) = coerce(Value::float(f), &dec) else {
                panic!("{f}")
            };
            let mut fast = String::new();
            assert!(float_decimal_into(f, &mut fast), "{f}");
            assert_eq!(fast, slow, "{f:e}");
            assert_eq!(slow.parse::<f64>().ok(), Some(f), "{f:e} round-trips");
        }
        let mut none = String::new();
        assert!(!float_decimal_into(f64::NAN, &mut none));
        assert!(!float_decimal_into(f64::INFINITY, &mut none));
        assert!(none.is_empty());
    }

    #[test]
    fn coercions() {
        let ts = TypeFamily::Timestamp { tz: false };
        assert_eq!(
            coerce(t("2002-08-14 00:00:00"), &ts),
            coerce(t("2002-08-14T00:00:00"), &ts)
        );
        assert_eq!(
            coerce(Value::Int(1), &TypeFamily::Boolean),
            Value::Bool(true)
        );
        assert_eq!(coerce(Value::Int(2), &TypeFamily::Boolean), Value::Int(2));
        let u = "8f3e0d8a-1b2c-4d5e-8f9a-0b1c2d3e4f50";
        assert_eq!(
            coerce(t(&u.to_uppercase()), &TypeFamily::Uuid),
            Value::Uuid(parse_uuid(u).unwrap())
        );
        assert_eq!(
            coerce(
                t("ab  "),
                &TypeFamily::Text {
                    max_len: Some(4),
                    fixed: true
                }
            ),
            t("ab")
        );
        assert_eq!(coerce(t("x"), &ts), t("x"));
        for (text, fam) in [
            ("2002-08-14 00:00:00", ts.clone()),
            ("2002-08-14 00:00:00+02", TypeFamily::Timestamp { tz: true }),
            ("x", ts.clone()),
            (
                "12.50",
                TypeFamily::Decimal {
                    precision: None,
                    scale: None,
                },
            ),
            (
                "ab  ",
                TypeFamily::Text {
                    max_len: None,
                    fixed: true,
                },
            ),
        ] {
            assert_eq!(coerce_str(text, &fam), coerce(t(text), &fam), "{text}");
        }
        for f in [0.99, 1e21, 1e-7, -2.5, 5.0, -0.0, 123456.789] {
            let dec = TypeFamily::Decimal {
                precision: None,
                scale: None,
            };
            let Value::Decimal(d) = coerce(Value::float(f), &dec) else {
                panic!()
            };
            assert_eq!(Some(d.clone()), normalize_decimal(&d), "{f}");
            let mut fast = String::new();
            assert!(float_decimal_into(f, &mut fast));
            assert_eq!(fast, d, "{f}");
        }
        assert_eq!(coerce(Value::Null, &ts), Value::Null);
    }
}
