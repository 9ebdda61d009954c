//! mysql: introspection, type families, rendering and apply for MySQL 8 and MariaDB 10.6+.

pub mod apply;
pub mod inspect;
pub mod normalize;
pub mod prepare;
pub mod probe;
pub mod render;
pub mod risk;
pub mod rows;
pub mod script;
pub mod types;
