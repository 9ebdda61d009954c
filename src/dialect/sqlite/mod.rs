//! SQLite 3.35+: introspection, the CREATE-statement parser it relies on, type families, and
//! plans: `prepare` (what becomes a table rebuild), `render` (SQL) and `apply` (one transaction).

pub mod apply;
pub mod ffi;
pub mod inspect;
pub mod parse;
pub mod prepare;
pub mod probe;
pub mod render;
pub mod risk;
pub mod rows;
pub mod types;
