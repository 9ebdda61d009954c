//! The row hash: SHA-256 over a versioned, typed, length-prefixed encoding with an explicit NULL
//! tag ([`HASH_FORMAT`]). NULL and `'NULL'`, `'a|b'` and `('a','b')`, `1` and `'1'` never encode
//! alike; each value has exactly one encoding. Changing the encoding means a new
//! [`HASH_FORMAT`] (runs record it, and a run of another format is never resumed).

use sha2::{Digest, Sha256};

use super::value::{Value, canonical_f64};

/// Version of the row hash encoding. Recorded in every run; a run made with another version is
/// never resumed.
pub const HASH_FORMAT: u32 = 2;

/// A hash as stored: 32 bytes of SHA-256.
pub type RowHash = [u8; 32];

/// The type tags of the hash encoding (the key encoding shares them).
pub(super) mod tag {
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
pub(super) fn put_len(out: &mut Vec<u8>, n: usize) {
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

/// `N` bytes at `pos`, moving past them; `None` past the end.
pub(super) fn take<const N: usize>(b: &[u8], pos: &mut usize) -> Option<[u8; N]> {
    let s = b.get(*pos..*pos + N)?;
    *pos += N;
    s.try_into().ok()
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
