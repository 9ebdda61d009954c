//! mysql: introspection and type families for MySQL 8 and MariaDB 10.6+.

pub mod inspect;
pub mod normalize;
pub mod probe;
pub mod types;
