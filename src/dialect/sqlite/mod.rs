//! sqlite: introspection and type families.

pub mod inspect;
pub mod types;
