//! PostgreSQL 12+: introspection and type families.

pub mod inspect;
pub mod render;
pub mod types;
