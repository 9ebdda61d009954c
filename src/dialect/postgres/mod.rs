//! PostgreSQL 12+: introspection and type families.

pub mod apply;
pub mod inspect;
pub mod render;
pub mod types;
