//! [`Value`]: what a column value *means*, in one canonical form for every dialect, and how it
//! reads for people (text, JSON). Two values are equal exactly when their hash encodings are
//! ([`super::encode_value`]): NaN equals NaN, `-0.0` is `0.0`, JSON compares by its canonical text.

use super::hash::encode_value;
use super::parse::normalize_decimal;

/// A column value in canonical form. Two values are equal when their hash encodings are (so NaN
/// equals NaN, as in SQL's row comparisons on PostgreSQL).
#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    /// Every integer, signed or unsigned, of any width.
    Int(i128),
    /// An exact numeric, normalized by [`normalize_decimal`]: no leading zeros, no trailing zeros
    /// after the point, no point when whole, `0` never negative; `NaN`, `Infinity`, `-Infinity`.
    Decimal(String),
    /// A float, canonical: one NaN, `-0.0` is `0.0`. 32-bit floats are widened through their
    /// shortest decimal form (`0.1f32` is `0.1`).
    Float(f64),
    /// Character data, exactly (no trimming, no case folding).
    Text(String),
    Bytes(Vec<u8>),
    /// Days since 1970-01-01.
    Date(i32),
    /// Microseconds since midnight.
    Time(i64),
    /// A time with its zone offset (PostgreSQL `timetz`), as written.
    TimeTz {
        micros: i64,
        offset_secs: i32,
    },
    /// Microseconds since 1970-01-01 00:00, wall clock (no zone). `i64::MIN`/`MAX` are
    /// PostgreSQL's `-infinity`/`infinity`.
    Timestamp(i64),
    /// Microseconds since the Unix epoch, in UTC.
    TimestampTz(i64),
    Interval {
        months: i32,
        days: i32,
        micros: i64,
    },
    Uuid([u8; 16]),
    /// JSON text in canonical form: keys sorted, no whitespace, whole numbers without a fraction.
    Json(String),
    Array(Vec<Value>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        // Same-variant values whose encoding is their content compare directly; the rest
        // (floats, json, arrays, mixed variants) by their canonical encoding.
        match (self, other) {
            (Value::Null, Value::Null) => return true,
            (Value::Bool(a), Value::Bool(b)) => return a == b,
            (Value::Int(a), Value::Int(b)) => return a == b,
            (Value::Decimal(a), Value::Decimal(b))
            | (Value::Text(a), Value::Text(b))
            | (Value::Json(a), Value::Json(b)) => return a == b,
            (Value::Bytes(a), Value::Bytes(b)) => return a == b,
            (Value::Date(a), Value::Date(b)) => return a == b,
            (Value::Time(a), Value::Time(b))
            | (Value::Timestamp(a), Value::Timestamp(b))
            | (Value::TimestampTz(a), Value::TimestampTz(b)) => return a == b,
            (Value::Uuid(a), Value::Uuid(b)) => return a == b,
            _ => {}
        }
        let (mut a, mut b) = (Vec::new(), Vec::new());
        encode_value(self, &mut a);
        encode_value(other, &mut b);
        a == b
    }
}

impl Value {
    /// A float in canonical form.
    pub fn float(f: f64) -> Value {
        Value::Float(canonical_f64(f))
    }

    /// A 32-bit float, widened through its shortest decimal form.
    pub fn float32(f: f32) -> Value {
        if f.is_finite() {
            let wide = f.to_string().parse::<f64>().unwrap_or(f as f64);
            Value::float(wide)
        } else {
            Value::float(f as f64)
        }
    }

    /// A decimal from its text; `None` when the text is not a number.
    pub fn decimal(s: &str) -> Option<Value> {
        normalize_decimal(s).map(Value::Decimal)
    }

    /// JSON from its text, canonical; `None` when it does not parse.
    pub fn json(s: &str) -> Option<Value> {
        let v: serde_json::Value = serde_json::from_str(s).ok()?;
        let mut out = String::with_capacity(s.len());
        write_json(&v, &mut out);
        Some(Value::Json(out))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as text, as people (and SQL casts) read it: `2024-01-02 03:04:05.000006`,
    /// `\x0102` for bytes, hyphenated uuids. `None` for NULL.
    pub fn to_text(&self) -> Option<String> {
        Some(match self {
            Value::Null => return None,
            Value::Bool(b) => if *b { "true" } else { "false" }.to_string(),
            Value::Int(n) => n.to_string(),
            Value::Decimal(d) => d.clone(),
            Value::Float(f) => float_text(*f),
            Value::Text(t) => t.clone(),
            Value::Bytes(b) => format!("\\x{}", hex::encode(b)),
            Value::Date(d) => date_text(*d),
            Value::Time(t) => time_text(*t),
            Value::TimeTz {
                micros,
                offset_secs,
            } => format!("{}{}", time_text(*micros), offset_text(*offset_secs)),
            Value::Timestamp(m) => timestamp_text(*m),
            Value::TimestampTz(m) => format!("{}+00", timestamp_text(*m)),
            Value::Interval {
                months,
                days,
                micros,
            } => format!("{months} mons {days} days {micros} us"),
            Value::Uuid(u) => uuid::Uuid::from_bytes(*u).hyphenated().to_string(),
            Value::Json(j) => j.clone(),
            Value::Array(items) => {
                let parts: Vec<String> = items
                    .iter()
                    .map(|v| match v {
                        Value::Null => "NULL".to_string(),
                        other => serde_json::to_string(&other.to_text().unwrap_or_default())
                            .unwrap_or_default(),
                    })
                    .collect();
                format!("{{{}}}", parts.join(","))
            }
        })
    }

    /// The value as JSON for reports: numbers stay numbers where JSON can hold them exactly.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(n) => {
                if let Ok(i) = i64::try_from(*n) {
                    J::from(i)
                } else if let Ok(u) = u64::try_from(*n) {
                    J::from(u)
                } else {
                    J::String(n.to_string())
                }
            }
            Value::Array(items) => J::Array(items.iter().map(Value::to_json).collect()),
            other => J::String(other.to_text().unwrap_or_default()),
        }
    }
}

pub(super) fn canonical_f64(f: f64) -> f64 {
    if f.is_nan() {
        f64::NAN
    } else if f == 0.0 {
        0.0
    } else {
        f
    }
}

pub(super) fn float_text(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f == f64::INFINITY {
        "Infinity".into()
    } else if f == f64::NEG_INFINITY {
        "-Infinity".into()
    } else {
        f.to_string()
    }
}

/// Days from 0001-01-01 (day 1) to 1970-01-01.
pub(super) const EPOCH_DAYS_FROM_CE: i32 = 719_163;

pub(super) fn date_text(days: i32) -> String {
    match chrono::NaiveDate::from_num_days_from_ce_opt(days.saturating_add(EPOCH_DAYS_FROM_CE)) {
        Some(d) => d.format("%Y-%m-%d").to_string(),
        None => format!("day {days}"),
    }
}

fn time_text(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    if frac == 0 {
        format!("{h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}.{frac:06}")
    }
}

fn offset_text(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    if a % 60 == 0 {
        format!("{sign}{:02}:{:02}", a / 3600, (a / 60) % 60)
    } else {
        format!("{sign}{:02}:{:02}:{:02}", a / 3600, (a / 60) % 60, a % 60)
    }
}

pub(super) fn timestamp_text(micros: i64) -> String {
    if micros == i64::MAX {
        return "infinity".into();
    }
    if micros == i64::MIN {
        return "-infinity".into();
    }
    match chrono::DateTime::from_timestamp_micros(micros) {
        Some(t) => {
            let t = t.naive_utc();
            if micros.rem_euclid(1_000_000) == 0 {
                t.format("%Y-%m-%d %H:%M:%S").to_string()
            } else {
                t.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
            }
        }
        None => format!("{micros} us"),
    }
}

fn write_json(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value as J;
    match v {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else if let Some(u) = n.as_u64() {
                out.push_str(&u.to_string());
            } else if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    out.push_str(&(f as i64).to_string());
                } else {
                    out.push_str(&f.to_string());
                }
            } else {
                out.push_str(&n.to_string());
            }
        }
        J::String(s) => out.push_str(&serde_json::to_string(s).unwrap_or_default()),
        J::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(x, out);
            }
            out.push(']');
        }
        J::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                out.push(':');
                if let Some(x) = map.get(k) {
                    write_json(x, out);
                }
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rows::row_hash;

    #[test]
    fn floats_are_canonical() {
        assert_eq!(
            row_hash(&[Value::float(-0.0)]),
            row_hash(&[Value::float(0.0)])
        );
        assert_eq!(
            row_hash(&[Value::float(f64::NAN)]),
            row_hash(&[Value::float(-f64::NAN)])
        );
        assert_ne!(
            row_hash(&[Value::float(f64::INFINITY)]),
            row_hash(&[Value::float(f64::NEG_INFINITY)])
        );
        assert_eq!(Value::float32(0.1), Value::float(0.1));
        assert_eq!(Value::float32(f32::NAN), Value::float(f64::NAN));
    }

    #[test]
    fn json_is_canonical() {
        assert_eq!(
            Value::json("{ \"b\": 1, \"a\": [1.0, 2.5, \"x\"] }"),
            Value::json("{\"a\":[1,2.5,\"x\"],\"b\":1}")
        );
        assert_eq!(
            Value::json("{\"b\":1,\"a\":{\"d\":null,\"c\":true}}"),
            Some(Value::Json(
                "{\"a\":{\"c\":true,\"d\":null},\"b\":1}".into()
            ))
        );
        assert!(Value::json("{nope").is_none());
    }
}
