//! PostgreSQL 12+: introspection and type families.

pub mod apply;
pub mod array;
pub mod inspect;
pub mod probe;
pub mod render;
pub mod risk;
pub mod rows;
pub mod types;
