//! The merge key encoding: key values written so that comparing the bytes gives the order the
//! databases are asked for (integers and decimals numerically, text and binary in byte order,
//! uuids by their 16 bytes, dates and times chronologically). The merge never trusts two servers'
//! collations, only these bytes. Reversible: [`decode_key`] reads a key back.

use super::hash::{decode_value, encode_value, tag, take};
use super::parse::normalize_decimal;
use super::value::{Value, canonical_f64};
use crate::model::types::TypeFamily;

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

/// Key values for people: a JSON array.
pub fn key_json(b: &[u8]) -> serde_json::Value {
    match decode_key(b) {
        Some(vals) => serde_json::Value::Array(vals.iter().map(Value::to_json).collect()),
        None => serde_json::Value::String(hex::encode(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Value {
        Value::Text(s.into())
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
}
