//! Row values in one canonical form for every dialect, the row hash, and the order-preserving key
//! encoding the row merge compares.
//!
//! - [`Value`] is what a column value *means*: each dialect's reader decodes its concrete row type
//!   into it, and [`coerce`] restates a value in the terms of a column's
//!   [`TypeFamily`](crate::model::TypeFamily) (SQLite's dynamic values, and the other side's
//!   family when two dialects spell a column differently).
//! - [`row_hash`] is SHA-256 over a versioned, typed, length-prefixed encoding with an explicit NULL
//!   tag ([`HASH_FORMAT`]): NULL and `'NULL'`, `'a|b'` and `('a','b')`, `1` and `'1'` never encode
//!   alike.
//! - [`encode_key`] writes a key so that comparing the bytes gives the order the databases are
//!   asked for (integers numerically, text and binary in byte order, uuids by their 16 bytes); the
//!   merge never trusts two servers' collations, only these bytes. [`decode_key`] reads it back.
//!
//! The cross-dialect equivalences are listed in `docs/formats.md` ("Row values").
//!
//! Files: `value.rs` ([`Value`] and its text and JSON forms), `parse.rs` (the text forms databases
//! send), `coerce.rs` (restating values across families), `hash.rs` (the row hash and the value
//! encoding under it), `key.rs` (the merge key encoding). Parsing a dialect's own formats (such as
//! PostgreSQL array literals) belongs to that dialect.

mod coerce;
mod hash;
mod key;
mod parse;
mod value;

pub use coerce::{coerce, coerce_str, coercion_needed, comparison_family};
pub use hash::{
    HASH_FORMAT, RowHash, RowHasher, decode_value, encode_value, interval_span, row_hash,
};
pub use key::{decode_key, encode_key, key_family_supported, key_json};
pub use parse::{
    float_decimal_into, normalize_decimal, normalize_decimal_into, parse_date, parse_offset,
    parse_time, parse_timestamp, parse_timestamptz, parse_uuid,
};
pub use value::Value;
