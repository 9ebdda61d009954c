//! Parsing the text forms databases send (decimals, dates, times, timestamps, offsets, uuids) into
//! the canonical values of [`super::Value`]. Every parser is total: `None` (or `false`) for text
//! that is not of its form, never a panic, whatever the database or a user stored.

use chrono::Datelike;

use super::value::{EPOCH_DAYS_FROM_CE, canonical_f64};

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

/// A uuid in its text form: any case, braces or not, hyphens anywhere or nowhere (PostgreSQL's
/// leniency, wider than the `uuid` crate's fixed layouts, which decodes the 32 digits).
pub fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    let t = s.trim().trim_start_matches('{').trim_end_matches('}');
    let mut simple = [0u8; 32];
    let mut n = 0;
    for b in t.bytes().filter(|b| *b != b'-') {
        *simple.get_mut(n)? = b;
        n += 1;
    }
    if n != simple.len() {
        return None;
    }
    uuid::Uuid::try_parse_ascii(&simple)
        .ok()
        .map(uuid::Uuid::into_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TypeFamily;
    use crate::model::rows::Value;
    use crate::model::rows::coerce;
    use crate::model::rows::value::{date_text, timestamp_text};

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
    fn uuids_parse_as_postgresql_reads_them() {
        let want = Some([
            0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38,
            0x0a, 0x11,
        ]);
        for s in [
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
            "{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}",
            "a0eebc999c0b4ef8bb6d6bb9bd380a11",
            "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
            " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 ",
        ] {
            assert_eq!(parse_uuid(s), want, "{s}");
        }
        for s in [
            "",
            "a0eebc99",
            "a0eebc999c0b4ef8bb6d6bb9bd380a1g",
            "a0eebc999c0b4ef8bb6d6bb9bd380a11a",
            "urn:uuid:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380aé",
        ] {
            assert_eq!(parse_uuid(s), None, "{s}");
        }
        let text = want.map(|u| Value::Uuid(u).to_text());
        assert_eq!(
            text.flatten().as_deref(),
            Some("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
        );
    }
}
