//! Row values in one canonical form for every dialect, the row hash, and the order-preserving key
//! encoding the row merge compares.
//!
//! - [`Value`] is what a column value *means*: each dialect's reader decodes its concrete row type
//!   into it, and [`coerce`] restates a value in the terms of a column's [`TypeFamily`] (SQLite's
//!   dynamic values, and the other side's family when two dialects spell a column differently).
//! - [`row_hash`] is SHA-256 over a versioned, typed, length-prefixed encoding with an explicit NULL
//!   tag ([`HASH_FORMAT`]): NULL and `'NULL'`, `'a|b'` and `('a','b')`, `1` and `'1'` never encode
//!   alike.
//! - [`encode_key`] writes a key so that comparing the bytes gives the order the databases are
//!   asked for (integers numerically, text and binary in byte order, uuids by their 16 bytes); the
//!   merge never trusts two servers' collations, only these bytes. [`decode_key`] reads it back.
//!
//! The cross-dialect equivalences are listed in `docs/formats.md` ("Row values").

use sha2::{Digest, Sha256};

use super::types::TypeFamily;

/// Version of the row hash encoding. Recorded in every run; a run made with another version is
/// never resumed.
pub const HASH_FORMAT: u32 = 2;

/// A hash as stored: 32 bytes of SHA-256.
pub type RowHash = [u8; 32];

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
            Value::Uuid(u) => uuid_text(u),
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

fn canonical_f64(f: f64) -> f64 {
    if f.is_nan() {
        f64::NAN
    } else if f == 0.0 {
        0.0
    } else {
        f
    }
}

fn float_text(f: f64) -> String {
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

const EPOCH_DAYS_FROM_CE: i32 = 719_163;

fn date_text(days: i32) -> String {
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

fn timestamp_text(micros: i64) -> String {
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

fn uuid_text(u: &[u8; 16]) -> String {
    let h = hex::encode(u);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

// ---------------------------------------------------------------- parsing helpers

/// Normalizes a decimal's text: `+001.500` → `1.5`, `-0.00` → `0`, `1.2E+3` → `1200`,
/// `nan` → `NaN`, `-inf` → `-Infinity`. `None` when it is not a number.
pub fn normalize_decimal(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len() + 2);
    normalize_decimal_into(s, &mut out).then_some(out)
}

/// [`normalize_decimal`] appending to `out` without allocating; false (and `out` unchanged)
/// when `s` is not a number.
pub fn normalize_decimal_into(s: &str, out: &mut String) -> bool {
    if plain_decimal_into(s, out) {
        return true;
    }
    let s = s.trim();
    if s.len() <= 9
        && s.bytes()
            .any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E')
    {
        let special = if s.eq_ignore_ascii_case("nan") {
            "NaN"
        } else if ["infinity", "+infinity", "inf", "+inf"]
            .iter()
            .any(|w| s.eq_ignore_ascii_case(w))
        {
            "Infinity"
        } else if ["-infinity", "-inf"]
            .iter()
            .any(|w| s.eq_ignore_ascii_case(w))
        {
            "-Infinity"
        } else {
            return false;
        };
        out.push_str(special);
        return true;
    }
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (mant, exp) = match rest.find(['e', 'E']) {
        Some(i) => match rest[i + 1..].parse::<i64>() {
            Ok(e) => (&rest[..i], e),
            Err(_) => return false,
        },
        None => (rest, 0),
    };
    if exp.abs() > 100_000 {
        return false;
    }
    let (int, frac) = match mant.find('.') {
        Some(i) => (&mant[..i], &mant[i + 1..]),
        None => (mant, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return false;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    // value = 0.D × 10^point, D the digits of int and frac without leading and trailing zeros.
    let digit = |k: usize| -> u8 {
        if k < int.len() {
            int.as_bytes()[k]
        } else {
            frac.as_bytes()[k - int.len()]
        }
    };
    let total = int.len() + frac.len();
    let lead = (0..total).take_while(|&k| digit(k) == b'0').count();
    if lead == total {
        out.push('0');
        return true;
    }
    let trail = (lead..total)
        .rev()
        .take_while(|&k| digit(k) == b'0')
        .count();
    let (first, end) = (lead, total - trail);
    let len = (end - first) as i64;
    let point = int.len() as i64 + exp - lead as i64;
    let push_digits = |out: &mut String, from: usize, to: usize| {
        for k in from..to {
            out.push(char::from(digit(k)));
        }
    };
    if neg {
        out.push('-');
    }
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        push_digits(out, first, end);
    } else if point >= len {
        push_digits(out, first, end);
        out.extend(std::iter::repeat_n('0', (point - len) as usize));
    } else {
        let mid = first + point as usize;
        push_digits(out, first, mid);
        out.push('.');
        push_digits(out, mid, end);
    }
    true
}

/// The common spelling, `[-+]digits[.digits]` as databases send decimals, in one pass; false
/// (and `out` unchanged) for anything else.
fn plain_decimal_into(s: &str, out: &mut String) -> bool {
    let b = s.as_bytes();
    let (neg, start) = match b.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let mut dot = None;
    for (k, &c) in b.iter().enumerate().skip(start) {
        if c == b'.' && dot.is_none() {
            dot = Some(k);
        } else if !c.is_ascii_digit() {
            return false;
        }
    }
    let (int, frac) = match dot {
        Some(d) => (&s[start..d], &s[d + 1..]),
        None => (&s[start..], ""),
    };
    if int.is_empty() && frac.is_empty() {
        return false;
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    if int.is_empty() && frac.is_empty() {
        out.push('0');
        return true;
    }
    if neg {
        out.push('-');
    }
    out.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    true
}

/// A float restated as a normalized decimal (what [`coerce`] makes of a float compared as a
/// decimal), appended to `out` through `scratch`; false for NaN and infinities.
pub fn float_decimal_into(f: f64, out: &mut String) -> bool {
    if !f.is_finite() {
        return false;
    }
    // The shortest round-trip digits (ryu; where two are equally close, the even one), maybe
    // with an exponent, which normalizing spells out.
    let mut buf = ryu::Buffer::new();
    normalize_decimal_into(buf.format_finite(canonical_f64(f)), out)
}

/// `YYYY-MM-DD` (also with a time part that is midnight) as days since 1970-01-01.
pub fn parse_date(s: &str) -> Option<i32> {
    let s = s.trim();
    let d = ymd_days(s.get(..10)?)?;
    let rest = s.get(10..).unwrap_or("");
    if !rest.is_empty() {
        let t = rest.trim_start_matches(['T', ' ']);
        if parse_time(t)? != 0 {
            return None;
        }
    }
    i32::try_from(d).ok()
}

/// `YYYY-MM-DD` as days since 1970-01-01 (a valid calendar date only).
fn ymd_days(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        // Other shapes (five-digit years, signs) through chrono.
        let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
        return Some((d.num_days_from_ce() - EPOCH_DAYS_FROM_CE) as i64);
    }
    let y = digits(&b[0..4])? as i64;
    let m = digits(&b[5..7])? as i64;
    let d = digits(&b[8..10])? as i64;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_len = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if d < 1 || d > month_len {
        return None;
    }
    // Days from civil (H. Hinnant).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// ASCII digits as a number (no sign, not empty).
fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as u32;
    }
    Some(v)
}

use chrono::Datelike;

/// `HH:MM[:SS[.ffffff]]` as microseconds since midnight (up to `24:00:00`).
pub fn parse_time(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let colon = b.iter().position(|c| *c == b':')?;
    let h = digits(&b[..colon])? as i64;
    let rest = &b[colon + 1..];
    let (m, rest) = match rest.iter().position(|c| *c == b':') {
        Some(i) => (digits(&rest[..i])? as i64, Some(&rest[i + 1..])),
        None => (digits(rest)? as i64, None),
    };
    let (sec, frac) = match rest {
        Some(x) => match x.iter().position(|c| *c == b'.') {
            Some(i) => (
                digits(&x[..i])? as i64,
                frac_micros(std::str::from_utf8(&x[i + 1..]).ok()?)?,
            ),
            None => (digits(x)? as i64, 0),
        },
        None => (0, 0),
    };
    if !(0..=24).contains(&h) || !(0..60).contains(&m) || !(0..=60).contains(&sec) {
        return None;
    }
    Some(((h * 60 + m) * 60 + sec) * 1_000_000 + frac)
}

/// The digits after a decimal point as microseconds; `None` when they hold anything finer.
fn frac_micros(f: &str) -> Option<i64> {
    if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (head, tail) = f.split_at(f.len().min(6));
    if !tail.bytes().all(|b| b == b'0') {
        return None;
    }
    let mut v: i64 = head.parse().ok()?;
    for _ in head.len()..6 {
        v *= 10;
    }
    Some(v)
}

/// A wall-clock timestamp (`2024-01-02 03:04:05.123`, `T` or space, or a bare date) as
/// microseconds since 1970-01-01.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    match s {
        "infinity" | "+infinity" => return Some(i64::MAX),
        "-infinity" => return Some(i64::MIN),
        _ => {}
    }
    let days = ymd_days(s.get(..10)?)?;
    let rest = s.get(10..).unwrap_or("");
    let micros = if rest.is_empty() {
        0
    } else {
        let r = rest.strip_prefix(['T', ' '])?;
        parse_time(r)?
    };
    days.checked_mul(86_400_000_000)?.checked_add(micros)
}

/// A timestamp with an offset (`…+02`, `…+02:00`, `…Z`; none means UTC) as microseconds since
/// the epoch in UTC.
pub fn parse_timestamptz(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Some(body) = s.strip_suffix(['Z', 'z']) {
        return parse_timestamp(body);
    }
    // An offset starts at the last sign after the date.
    match s.get(11..).and_then(|t| t.rfind(['+', '-'])) {
        Some(i) => {
            let (body, off) = s.split_at(i + 11);
            let secs = parse_offset(off)?;
            parse_timestamp(body)?.checked_sub(secs as i64 * 1_000_000)
        }
        None => parse_timestamp(s),
    }
}

/// `+HH`, `+HH:MM`, `+HHMM`, `+HH:MM:SS` as seconds east of UTC.
pub fn parse_offset(s: &str) -> Option<i32> {
    let (neg, rest) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => return None,
    };
    let mut nums: [&str; 3] = ["", "", ""];
    let mut count = 0;
    if rest.contains(':') {
        for part in rest.split(':') {
            if count == 3 {
                return None;
            }
            nums[count] = part;
            count += 1;
        }
    } else if rest.len() == 4 {
        nums = [&rest[..2], &rest[2..], ""];
        count = 2;
    } else {
        nums[0] = rest;
        count = 1;
    }
    let mut secs = 0i32;
    for (i, n) in nums.iter().take(count).enumerate() {
        if n.is_empty() || n.len() > 2 {
            return None;
        }
        let v: i32 = n.parse().ok()?;
        secs += v * [3600, 60, 1][i];
    }
    Some(if neg { -secs } else { secs })
}

/// A uuid in its text form (any case, with or without hyphens or braces).
pub fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    let t: String = s
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .chars()
        .filter(|c| *c != '-')
        .collect();
    if t.len() != 32 {
        return None;
    }
    let v = hex::decode(t).ok()?;
    v.try_into().ok()
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

// ---------------------------------------------------------------- coercion

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

// ---------------------------------------------------------------- hash encoding

mod tag {
    pub const NULL: u8 = 0x00;
    pub const BOOL: u8 = 0x01;
    pub const INT: u8 = 0x02;
    pub const DECIMAL: u8 = 0x03;
    pub const FLOAT: u8 = 0x04;
    pub const DATE: u8 = 0x05;
    pub const TIME: u8 = 0x06;
    pub const TIMESTAMP: u8 = 0x07;
    pub const TIMESTAMPTZ: u8 = 0x08;
    pub const UUID: u8 = 0x09;
    pub const TEXT: u8 = 0x0A;
    pub const BYTES: u8 = 0x0B;
    pub const TIMETZ: u8 = 0x0C;
    pub const INTERVAL: u8 = 0x0D;
    pub const JSON: u8 = 0x0E;
    pub const ARRAY: u8 = 0x0F;
    pub const INT64: u8 = 0x10;
}

/// A length: u32 big-endian, or `FFFFFFFF` and a u64 for 4 GiB and more.
fn put_len(out: &mut Vec<u8>, n: usize) {
    match u32::try_from(n) {
        Ok(small) if small != u32::MAX => out.extend_from_slice(&small.to_be_bytes()),
        _ => {
            out.extend_from_slice(&u32::MAX.to_be_bytes());
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
}

/// Appends the hash encoding of one value: a type tag, then a fixed-width payload or a length
/// and the bytes. NULL is its own tag with no payload. An integer that fits 64 bits is written in
/// 8 bytes under its own tag, any other in 16: each integer has exactly one encoding.
pub fn encode_value(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.push(tag::NULL),
        Value::Bool(b) => {
            out.push(tag::BOOL);
            out.push(*b as u8);
        }
        Value::Int(n) => match i64::try_from(*n) {
            Ok(small) => {
                out.push(tag::INT64);
                out.extend_from_slice(&small.to_be_bytes());
            }
            Err(_) => {
                out.push(tag::INT);
                out.extend_from_slice(&n.to_be_bytes());
            }
        },
        Value::Decimal(d) => {
            out.push(tag::DECIMAL);
            put_len(out, d.len());
            out.extend_from_slice(d.as_bytes());
        }
        Value::Float(f) => {
            out.push(tag::FLOAT);
            out.extend_from_slice(&canonical_f64(*f).to_bits().to_be_bytes());
        }
        Value::Text(t) => {
            out.push(tag::TEXT);
            put_len(out, t.len());
            out.extend_from_slice(t.as_bytes());
        }
        Value::Bytes(b) => {
            out.push(tag::BYTES);
            put_len(out, b.len());
            out.extend_from_slice(b);
        }
        Value::Date(d) => {
            out.push(tag::DATE);
            out.extend_from_slice(&d.to_be_bytes());
        }
        Value::Time(t) => {
            out.push(tag::TIME);
            out.extend_from_slice(&t.to_be_bytes());
        }
        Value::TimeTz {
            micros,
            offset_secs,
        } => {
            out.push(tag::TIMETZ);
            out.extend_from_slice(&micros.to_be_bytes());
            out.extend_from_slice(&offset_secs.to_be_bytes());
        }
        Value::Timestamp(m) => {
            out.push(tag::TIMESTAMP);
            out.extend_from_slice(&m.to_be_bytes());
        }
        Value::TimestampTz(m) => {
            out.push(tag::TIMESTAMPTZ);
            out.extend_from_slice(&m.to_be_bytes());
        }
        Value::Interval {
            months,
            days,
            micros,
        } => {
            // Intervals compare as PostgreSQL compares them: by their span, with a month of 30
            // days and a day of 24 hours ('1 day' = '24 hours').
            out.push(tag::INTERVAL);
            out.extend_from_slice(&interval_span(*months, *days, *micros).to_be_bytes());
        }
        Value::Uuid(u) => {
            out.push(tag::UUID);
            out.extend_from_slice(u);
        }
        Value::Json(j) => {
            out.push(tag::JSON);
            put_len(out, j.len());
            out.extend_from_slice(j.as_bytes());
        }
        Value::Array(items) => {
            out.push(tag::ARRAY);
            put_len(out, items.len());
            for x in items {
                encode_value(x, out);
            }
        }
    }
}

/// An interval's span in microseconds (30-day months, 24-hour days).
pub fn interval_span(months: i32, days: i32, micros: i64) -> i128 {
    const DAY: i128 = 86_400_000_000;
    (months as i128 * 30 + days as i128) * DAY + micros as i128
}

/// Builds row hashes, reusing one buffer.
#[derive(Default)]
pub struct RowHasher {
    buf: Vec<u8>,
    count: u32,
}

impl RowHasher {
    pub fn new() -> Self {
        RowHasher::default()
    }

    /// Starts a row.
    pub fn begin(&mut self) {
        self.buf.clear();
        self.buf.extend_from_slice(&HASH_FORMAT.to_be_bytes());
        self.count = 0;
    }

    pub fn push(&mut self, v: &Value) {
        encode_value(v, &mut self.buf);
        self.count += 1;
    }

    /// The same as pushing `Value::Text(s)`, without building the value.
    pub fn push_text(&mut self, s: &str) {
        self.push_text_bytes(s.as_bytes());
    }

    /// Text as its UTF-8 bytes (the caller knows they are UTF-8).
    pub fn push_text_bytes(&mut self, b: &[u8]) {
        self.buf.push(tag::TEXT);
        put_len(&mut self.buf, b.len());
        self.buf.extend_from_slice(b);
        self.count += 1;
    }

    /// The same as pushing `Value::Decimal(d)` for a normalized `d`.
    pub fn push_decimal(&mut self, d: &str) {
        self.buf.push(tag::DECIMAL);
        put_len(&mut self.buf, d.len());
        self.buf.extend_from_slice(d.as_bytes());
        self.count += 1;
    }

    /// The same as pushing `Value::Bytes(b)`.
    pub fn push_bytes(&mut self, b: &[u8]) {
        self.buf.push(tag::BYTES);
        put_len(&mut self.buf, b.len());
        self.buf.extend_from_slice(b);
        self.count += 1;
    }

    /// Ends the row: the number of values is part of what is hashed.
    pub fn finish(&mut self) -> RowHash {
        self.buf.extend_from_slice(&self.count.to_be_bytes());
        Sha256::digest(&self.buf).into()
    }
}

/// SHA-256 of a row's values (format [`HASH_FORMAT`]).
pub fn row_hash(values: &[Value]) -> RowHash {
    let mut h = RowHasher::new();
    h.begin();
    for v in values {
        h.push(v);
    }
    h.finish()
}

// ---------------------------------------------------------------- key encoding

/// Whether values of a family can be a merge key: their byte encoding orders as the databases
/// order them when asked for a binary collation.
pub fn key_family_supported(f: &TypeFamily) -> bool {
    use TypeFamily as F;
    matches!(
        f,
        F::Boolean
            | F::Integer { .. }
            | F::Decimal { .. }
            | F::Float { .. }
            | F::Text { .. }
            | F::Binary { .. }
            | F::Date
            | F::Time { tz: false }
            | F::Timestamp { .. }
            | F::Uuid
            | F::Enum { .. }
            | F::Any
    )
}

fn put_escaped(out: &mut Vec<u8>, b: &[u8]) {
    for &x in b {
        if x == 0 {
            out.extend_from_slice(&[0, 0xFF]);
        } else {
            out.push(x);
        }
    }
    out.extend_from_slice(&[0, 0]);
}

fn flip64(v: i64) -> [u8; 8] {
    ((v as u64) ^ (1 << 63)).to_be_bytes()
}

/// Appends the order-preserving encoding of key values: comparing two encodings byte by byte
/// gives the order of the keys (integers and decimals numerically, text and binary by bytes,
/// uuids by their 16 bytes, dates and times chronologically). Reversible ([`decode_key`]).
pub fn encode_key(values: &[Value], out: &mut Vec<u8>) {
    for v in values {
        match v {
            Value::Null => out.push(tag::NULL),
            Value::Bool(b) => {
                out.push(tag::BOOL);
                out.push(*b as u8);
            }
            Value::Int(n) => {
                out.push(tag::INT);
                out.extend_from_slice(&((*n as u128) ^ (1 << 127)).to_be_bytes());
            }
            Value::Decimal(d) => {
                out.push(tag::DECIMAL);
                encode_decimal_key(d, out);
            }
            Value::Float(f) => {
                out.push(tag::FLOAT);
                let bits = canonical_f64(*f).to_bits();
                let k = if bits >> 63 == 1 {
                    !bits
                } else {
                    bits | (1 << 63)
                };
                out.extend_from_slice(&k.to_be_bytes());
            }
            Value::Date(d) => {
                out.push(tag::DATE);
                out.extend_from_slice(&((*d as u32) ^ (1 << 31)).to_be_bytes());
            }
            Value::Time(t) => {
                out.push(tag::TIME);
                out.extend_from_slice(&flip64(*t));
            }
            Value::Timestamp(m) => {
                out.push(tag::TIMESTAMP);
                out.extend_from_slice(&flip64(*m));
            }
            Value::TimestampTz(m) => {
                out.push(tag::TIMESTAMPTZ);
                out.extend_from_slice(&flip64(*m));
            }
            Value::Uuid(u) => {
                out.push(tag::UUID);
                out.extend_from_slice(u);
            }
            Value::Text(t) => {
                out.push(tag::TEXT);
                put_escaped(out, t.as_bytes());
            }
            Value::Bytes(b) => {
                out.push(tag::BYTES);
                put_escaped(out, b);
            }
            // Not orderable keys: encoded unambiguously (escaped hash encoding), never compared
            // for order by a database.
            other => {
                out.push(0xF0);
                let mut tmp = Vec::new();
                encode_value(other, &mut tmp);
                put_escaped(out, &tmp);
            }
        }
    }
}

/// Decimal key: a class byte (−∞, negative, zero, positive, +∞, NaN), then for finite non-zero
/// values the decimal exponent and the digits, complemented for negatives.
fn encode_decimal_key(d: &str, out: &mut Vec<u8>) {
    match d {
        "-Infinity" => return out.push(1),
        "Infinity" => return out.push(5),
        "NaN" => return out.push(6),
        "0" => return out.push(3),
        _ => {}
    }
    let (neg, abs) = match d.strip_prefix('-') {
        Some(a) => (true, a),
        None => (false, d),
    };
    let (int, frac) = abs.split_once('.').unwrap_or((abs, ""));
    let int = int.trim_start_matches('0');
    let (exp, digits): (i32, String) = if int.is_empty() {
        let lead = frac.bytes().take_while(|b| *b == b'0').count();
        (-(lead as i32), frac[lead..].to_string())
    } else {
        (int.len() as i32, format!("{int}{frac}"))
    };
    let digits = digits.trim_end_matches('0');
    let mut body = Vec::with_capacity(digits.len() + 5);
    body.extend_from_slice(&((exp as u32) ^ (1 << 31)).to_be_bytes());
    body.extend_from_slice(digits.as_bytes());
    body.push(0);
    if neg {
        out.push(2);
        out.extend(body.iter().map(|b| !b));
    } else {
        out.push(4);
        out.extend_from_slice(&body);
    }
}

fn take_escaped(b: &[u8], pos: &mut usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let x = *b.get(*pos)?;
        *pos += 1;
        if x == 0 {
            let next = *b.get(*pos)?;
            *pos += 1;
            match next {
                0 => return Some(out),
                0xFF => out.push(0),
                _ => return None,
            }
        } else {
            out.push(x);
        }
    }
}

fn take<const N: usize>(b: &[u8], pos: &mut usize) -> Option<[u8; N]> {
    let s = b.get(*pos..*pos + N)?;
    *pos += N;
    s.try_into().ok()
}

/// Reads key values back from [`encode_key`]'s bytes.
pub fn decode_key(b: &[u8]) -> Option<Vec<Value>> {
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < b.len() {
        let t = b[pos];
        pos += 1;
        let v = match t {
            tag::NULL => Value::Null,
            tag::BOOL => Value::Bool(take::<1>(b, &mut pos)?[0] != 0),
            tag::INT => Value::Int((u128::from_be_bytes(take(b, &mut pos)?) ^ (1 << 127)) as i128),
            tag::DECIMAL => Value::Decimal(decode_decimal_key(b, &mut pos)?),
            tag::FLOAT => {
                let k = u64::from_be_bytes(take(b, &mut pos)?);
                let bits = if k >> 63 == 1 { k & !(1 << 63) } else { !k };
                Value::Float(f64::from_bits(bits))
            }
            tag::DATE => Value::Date((u32::from_be_bytes(take(b, &mut pos)?) ^ (1 << 31)) as i32),
            tag::TIME => Value::Time(unflip64(take(b, &mut pos)?)),
            tag::TIMESTAMP => Value::Timestamp(unflip64(take(b, &mut pos)?)),
            tag::TIMESTAMPTZ => Value::TimestampTz(unflip64(take(b, &mut pos)?)),
            tag::UUID => Value::Uuid(take(b, &mut pos)?),
            tag::TEXT => Value::Text(String::from_utf8(take_escaped(b, &mut pos)?).ok()?),
            tag::BYTES => Value::Bytes(take_escaped(b, &mut pos)?),
            0xF0 => {
                let raw = take_escaped(b, &mut pos)?;
                let (v, used) = decode_value(&raw)?;
                if used != raw.len() {
                    return None;
                }
                v
            }
            _ => return None,
        };
        out.push(v);
    }
    Some(out)
}

fn unflip64(b: [u8; 8]) -> i64 {
    (u64::from_be_bytes(b) ^ (1 << 63)) as i64
}

fn decode_decimal_key(b: &[u8], pos: &mut usize) -> Option<String> {
    let class = *b.get(*pos)?;
    *pos += 1;
    match class {
        1 => return Some("-Infinity".into()),
        3 => return Some("0".into()),
        5 => return Some("Infinity".into()),
        6 => return Some("NaN".into()),
        2 | 4 => {}
        _ => return None,
    }
    let neg = class == 2;
    let get = |i: usize| b.get(i).map(|x| if neg { !x } else { *x });
    let mut e = [0u8; 4];
    for (k, slot) in e.iter_mut().enumerate() {
        *slot = get(*pos + k)?;
    }
    *pos += 4;
    let exp = (u32::from_be_bytes(e) ^ (1 << 31)) as i32;
    let mut digits = String::new();
    loop {
        let x = get(*pos)?;
        *pos += 1;
        if x == 0 {
            break;
        }
        digits.push(x as char);
    }
    let text = if exp <= 0 {
        format!("0.{}{}", "0".repeat((-exp) as usize), digits)
    } else if exp as usize >= digits.len() {
        format!("{digits}{}", "0".repeat(exp as usize - digits.len()))
    } else {
        format!("{}.{}", &digits[..exp as usize], &digits[exp as usize..])
    };
    normalize_decimal(&if neg { format!("-{text}") } else { text })
}

/// Reads one value of the hash encoding; returns it and the bytes it took.
pub fn decode_value(b: &[u8]) -> Option<(Value, usize)> {
    let mut pos = 1;
    let len = |pos: &mut usize| -> Option<usize> {
        let n = u32::from_be_bytes(take(b, pos)?);
        if n != u32::MAX {
            return usize::try_from(n).ok();
        }
        usize::try_from(u64::from_be_bytes(take(b, pos)?)).ok()
    };
    let bytes = |pos: &mut usize| -> Option<Vec<u8>> {
        let n = len(pos)?;
        let s = b.get(*pos..pos.checked_add(n)?)?.to_vec();
        *pos += n;
        Some(s)
    };
    let v = match *b.first()? {
        tag::NULL => Value::Null,
        tag::BOOL => Value::Bool(take::<1>(b, &mut pos)?[0] != 0),
        tag::INT => Value::Int(i128::from_be_bytes(take(b, &mut pos)?)),
        tag::INT64 => Value::Int(i64::from_be_bytes(take(b, &mut pos)?) as i128),
        tag::DECIMAL => Value::Decimal(String::from_utf8(bytes(&mut pos)?).ok()?),
        tag::FLOAT => Value::Float(f64::from_bits(u64::from_be_bytes(take(b, &mut pos)?))),
        tag::TEXT => Value::Text(String::from_utf8(bytes(&mut pos)?).ok()?),
        tag::BYTES => Value::Bytes(bytes(&mut pos)?),
        tag::DATE => Value::Date(i32::from_be_bytes(take(b, &mut pos)?)),
        tag::TIME => Value::Time(i64::from_be_bytes(take(b, &mut pos)?)),
        tag::TIMETZ => Value::TimeTz {
            micros: i64::from_be_bytes(take(b, &mut pos)?),
            offset_secs: i32::from_be_bytes(take(b, &mut pos)?),
        },
        tag::TIMESTAMP => Value::Timestamp(i64::from_be_bytes(take(b, &mut pos)?)),
        tag::TIMESTAMPTZ => Value::TimestampTz(i64::from_be_bytes(take(b, &mut pos)?)),
        tag::INTERVAL => {
            let span = i128::from_be_bytes(take(b, &mut pos)?);
            Value::Interval {
                months: 0,
                days: 0,
                micros: i64::try_from(span).ok()?,
            }
        }
        tag::UUID => Value::Uuid(take(b, &mut pos)?),
        tag::JSON => Value::Json(String::from_utf8(bytes(&mut pos)?).ok()?),
        tag::ARRAY => {
            let n = len(&mut pos)?;
            let mut items = Vec::with_capacity(n.min(1024));
            for _ in 0..n {
                let (x, used) = decode_value(b.get(pos..)?)?;
                pos += used;
                items.push(x);
            }
            Value::Array(items)
        }
        _ => return None,
    };
    Some((v, pos))
}

/// Key values for people: a JSON array.
pub fn key_json(b: &[u8]) -> serde_json::Value {
    match decode_key(b) {
        Some(vals) => serde_json::Value::Array(vals.iter().map(Value::to_json).collect()),
        None => serde_json::Value::String(hex::encode(b)),
    }
}

// ---------------------------------------------------------------- PostgreSQL array literals

/// Parses PostgreSQL's array output (`{1,2,NULL}`, `{{"a b",c},{d,e}}`, `[0:1]={x,y}`) into
/// nested arrays of element texts (`Value::Text`) and NULLs; the caller coerces the elements into
/// the element family. `None` when the text is not an array literal.
pub fn parse_pg_array(s: &str) -> Option<Value> {
    let s = s.trim();
    let s = match s.find('=') {
        Some(i) if s.starts_with('[') => &s[i + 1..],
        _ => s,
    };
    let b = s.as_bytes();
    let mut pos = 0;
    let v = parse_pg_array_at(b, &mut pos)?;
    (pos == b.len()).then_some(v)
}

fn parse_pg_array_at(b: &[u8], pos: &mut usize) -> Option<Value> {
    if b.get(*pos) != Some(&b'{') {
        return None;
    }
    *pos += 1;
    let mut items = Vec::new();
    if b.get(*pos) == Some(&b'}') {
        *pos += 1;
        return Some(Value::Array(items));
    }
    loop {
        match b.get(*pos)? {
            b'{' => items.push(parse_pg_array_at(b, pos)?),
            b'"' => {
                *pos += 1;
                let mut out = Vec::new();
                loop {
                    match *b.get(*pos)? {
                        b'\\' => {
                            out.push(*b.get(*pos + 1)?);
                            *pos += 2;
                        }
                        b'"' => {
                            *pos += 1;
                            break;
                        }
                        x => {
                            out.push(x);
                            *pos += 1;
                        }
                    }
                }
                items.push(Value::Text(String::from_utf8(out).ok()?));
            }
            _ => {
                let start = *pos;
                while !matches!(b.get(*pos)?, b',' | b'}') {
                    *pos += 1;
                }
                let raw = std::str::from_utf8(&b[start..*pos]).ok()?.trim();
                if raw.eq_ignore_ascii_case("NULL") {
                    items.push(Value::Null);
                } else {
                    items.push(Value::Text(raw.to_string()));
                }
            }
        }
        match b.get(*pos)? {
            b',' => *pos += 1,
            b'}' => {
                *pos += 1;
                return Some(Value::Array(items));
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn null_and_the_text_null_differ() {
        assert_ne!(row_hash(&[Value::Null]), row_hash(&[t("NULL")]));
        assert_ne!(row_hash(&[Value::Null]), row_hash(&[t("")]));
        assert_ne!(row_hash(&[t("")]), row_hash(&[Value::Bytes(vec![])]));
        assert_ne!(row_hash(&[Value::Null]), row_hash(&[Value::Int(0)]));
        assert_ne!(
            row_hash(&[Value::Null, t("a")]),
            row_hash(&[t("a"), Value::Null])
        );
    }

    #[test]
    fn separators_inside_values_do_not_collide() {
        // concat_ws('|', …) would hash all of these alike.
        assert_ne!(row_hash(&[t("a|b")]), row_hash(&[t("a"), t("b")]));
        assert_ne!(row_hash(&[t("a|b"), t("c")]), row_hash(&[t("a"), t("b|c")]));
        assert_ne!(
            row_hash(&[t("ab"), Value::Null]),
            row_hash(&[t("a"), t("b")])
        );
        assert_ne!(row_hash(&[t("ab"), t("")]), row_hash(&[t(""), t("ab")]));
        // concat() without a separator.
        assert_ne!(row_hash(&[t("1"), t("23")]), row_hash(&[t("12"), t("3")]));
        assert_ne!(
            row_hash(&[Value::Int(1), Value::Int(23)]),
            row_hash(&[Value::Int(12), Value::Int(3)])
        );
        // Big and small integers, and a length that looks like the escape for long ones.
        assert_ne!(row_hash(&[Value::Int(1 << 70)]), row_hash(&[Value::Int(1)]));
        let v = Value::Int(-(1 << 70));
        let mut b = Vec::new();
        encode_value(&v, &mut b);
        assert_eq!(decode_value(&b), Some((v, b.len())));
        // A value that looks like an encoded length or tag.
        assert_ne!(
            row_hash(&[t("\u{0}\u{0}"), t("")]),
            row_hash(&[t(""), t("\u{0}\u{0}")])
        );
    }

    #[test]
    fn types_do_not_collide() {
        assert_ne!(row_hash(&[Value::Int(1)]), row_hash(&[t("1")]));
        assert_ne!(row_hash(&[Value::Int(1)]), row_hash(&[Value::Bool(true)]));
        assert_ne!(
            row_hash(&[Value::Decimal("1".into())]),
            row_hash(&[Value::Int(1)])
        );
        assert_ne!(row_hash(&[t("{}")]), row_hash(&[Value::Json("{}".into())]));
        assert_ne!(
            row_hash(&[Value::Array(vec![t("a"), t("b")])]),
            row_hash(&[t("a"), t("b")])
        );
        assert_ne!(
            row_hash(&[Value::Array(vec![])]),
            row_hash(&[Value::Array(vec![Value::Null])])
        );
        assert_ne!(row_hash(&[]), row_hash(&[Value::Null]));
        let iv = |months, days, micros| Value::Interval {
            months,
            days,
            micros,
        };
        assert_eq!(
            row_hash(&[iv(0, 1, 0)]),
            row_hash(&[iv(0, 0, 86_400_000_000)])
        );
        assert_eq!(row_hash(&[iv(1, 0, 0)]), row_hash(&[iv(0, 30, 0)]));
        assert_ne!(row_hash(&[iv(0, 1, 0)]), row_hash(&[iv(0, 1, 1)]));
    }

    #[test]
    fn borrowed_pushes_equal_values() {
        let mut h = RowHasher::new();
        h.begin();
        h.push_text("a|b");
        h.push_bytes(&[0, 1]);
        assert_eq!(h.finish(), row_hash(&[t("a|b"), Value::Bytes(vec![0, 1])]));
    }

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
    fn decimals_normalize() {
        let n = |s: &str| normalize_decimal(s).unwrap();
        assert_eq!(n("1.50"), "1.5");
        assert_eq!(n("001.500"), "1.5");
        assert_eq!(n("-0.00"), "0");
        assert_eq!(n("-0"), "0");
        assert_eq!(n("+12"), "12");
        assert_eq!(n("100"), "100");
        assert_eq!(n("100.000"), "100");
        assert_eq!(n("0.0100"), "0.01");
        assert_eq!(n(".5"), "0.5");
        assert_eq!(n("1.2E+3"), "1200");
        assert_eq!(n("1.25e-2"), "0.0125");
        assert_eq!(n("nan"), "NaN");
        assert_eq!(n("-Infinity"), "-Infinity");
        assert!(normalize_decimal("1.2.3").is_none());
        assert!(normalize_decimal("abc").is_none());
        assert!(normalize_decimal("").is_none());
        assert_eq!(
            coerce(
                Value::float(0.99),
                &TypeFamily::Decimal {
                    precision: Some(10),
                    scale: Some(2)
                }
            ),
            Value::Decimal("0.99".into())
        );
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

    #[test]
    fn times_parse() {
        assert_eq!(parse_timestamp("1970-01-01 00:00:01"), Some(1_000_000));
        assert_eq!(parse_timestamp("1970-01-01T00:00:00.5"), Some(500_000));
        assert_eq!(parse_timestamp("1970-01-02"), Some(86_400_000_000));
        assert_eq!(parse_timestamptz("1970-01-01 02:00:00+02"), Some(0));
        assert_eq!(parse_timestamptz("1970-01-01 02:00:00+02:00"), Some(0));
        assert_eq!(parse_timestamptz("1969-12-31 22:30:00-01:30"), Some(0));
        assert_eq!(parse_timestamptz("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_timestamptz("1970-01-01 00:00:00"), Some(0));
        assert_eq!(parse_date("2000-03-01"), Some(11_017));
        assert_eq!(parse_time("12:30:00.25"), Some(45_000_250_000));
        assert!(parse_timestamp("1970-01-01 00:00:00.0000001").is_none());
        assert_eq!(
            timestamp_text(parse_timestamp("2024-02-29 23:59:59.000001").unwrap()),
            "2024-02-29 23:59:59.000001"
        );
        assert_eq!(date_text(11_017), "2000-03-01");
        for d in [
            "1970-01-01",
            "1969-12-31",
            "2000-02-29",
            "2100-03-01",
            "0001-01-01",
            "9999-12-31",
        ] {
            let days = parse_date(d).unwrap();
            assert_eq!(date_text(days), d);
        }
        assert!(parse_date("2001-02-29").is_none());
        assert!(parse_date("2001-13-01").is_none());
        assert!(parse_date("0000-00-00").is_none());
        assert!(parse_timestamptz("infinity") == Some(i64::MAX));
        assert_eq!(parse_time("24:00:00"), Some(86_400_000_000));
        assert!(parse_time("12:3x").is_none());
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

    #[test]
    fn keys_order_as_bytes_and_round_trip() {
        let keys: Vec<Vec<Value>> = vec![
            vec![Value::Int(-1_000_000_000_000)],
            vec![Value::Int(-5)],
            vec![Value::Int(0)],
            vec![Value::Int(7)],
            vec![Value::Int(u64::MAX as i128)],
        ];
        check_order(&keys);
        let texts = [
            "", "A", "Z", "a", "a\u{0}", "a\u{0}b", "ab", "b", "É", "é", "日本",
        ];
        check_order(&texts.iter().map(|s| vec![t(s)]).collect::<Vec<_>>());
        let decs = [
            "-Infinity",
            "-100",
            "-10.5",
            "-10",
            "-9.99",
            "-0.5",
            "-0.05",
            "0",
            "0.05",
            "0.5",
            "1",
            "1.5",
            "9.99",
            "10",
            "10.5",
            "100",
            "Infinity",
            "NaN",
        ];
        check_order(
            &decs
                .iter()
                .map(|s| vec![Value::Decimal(s.to_string())])
                .collect::<Vec<_>>(),
        );
        let floats = [
            f64::NEG_INFINITY,
            -2.5,
            -1e-9,
            0.0,
            1e-9,
            3.25,
            f64::INFINITY,
            f64::NAN,
        ];
        check_order(
            &floats
                .iter()
                .map(|f| vec![Value::float(*f)])
                .collect::<Vec<_>>(),
        );
        // Composite: first column decides, then the second.
        check_order(&[
            vec![Value::Int(1), t("b")],
            vec![Value::Int(1), t("ba")],
            vec![Value::Int(2), t("")],
            vec![Value::Int(2), t("a")],
        ]);
        check_order(&[
            vec![t("a"), Value::Int(9)],
            vec![t("a\u{0}"), Value::Int(1)],
            vec![t("ab"), Value::Int(0)],
        ]);
    }

    fn check_order(keys: &[Vec<Value>]) {
        let enc: Vec<Vec<u8>> = keys
            .iter()
            .map(|k| {
                let mut b = Vec::new();
                encode_key(k, &mut b);
                b
            })
            .collect();
        for w in enc.windows(2) {
            assert!(
                w[0] < w[1],
                "{:?} !< {:?}",
                decode_key(&w[0]),
                decode_key(&w[1])
            );
        }
        for (k, e) in keys.iter().zip(&enc) {
            let back = decode_key(e).unwrap();
            assert_eq!(format!("{back:?}"), format!("{k:?}"));
        }
    }

    #[test]
    fn values_round_trip_through_the_hash_encoding() {
        let v = Value::Array(vec![
            Value::Null,
            t("x"),
            Value::Interval {
                months: 0,
                days: 0,
                micros: 3,
            },
            Value::Array(vec![Value::Json("{}".into())]),
        ]);
        let mut b = Vec::new();
        encode_value(&v, &mut b);
        assert_eq!(decode_value(&b), Some((v, b.len())));
    }

    #[test]
    fn pg_arrays_parse() {
        assert_eq!(
            parse_pg_array("{1,NULL,\"a b\",\"q\\\"x\"}"),
            Some(Value::Array(vec![t("1"), Value::Null, t("a b"), t("q\"x")]))
        );
        assert_eq!(
            parse_pg_array("{{1,2},{3,4}}"),
            Some(Value::Array(vec![
                Value::Array(vec![t("1"), t("2")]),
                Value::Array(vec![t("3"), t("4")])
            ]))
        );
        assert_eq!(parse_pg_array("{}"), Some(Value::Array(vec![])));
        assert_eq!(
            parse_pg_array("[0:1]={x,\"NULL\"}"),
            Some(Value::Array(vec![t("x"), t("NULL")]))
        );
        assert!(parse_pg_array("{1,2").is_none());
    }
}
