//! SQLite 3.35+: introspection, the CREATE-statement parser it relies on, and type families.

pub mod ffi;
pub mod inspect;
pub mod parse;
pub mod rows;
pub mod types;
