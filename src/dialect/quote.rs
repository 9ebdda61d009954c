//! Identifier quoting. Every identifier that reaches SQL passes through here.

use crate::model::Dialect;

/// Quotes an identifier for `dialect`, always (quoting is never wrong, and a reserved word or a
/// mixed-case name is never missed).
pub fn ident(dialect: Dialect, name: &str) -> String {
    match dialect {
        Dialect::Mysql => format!("`{}`", name.replace('`', "``")),
        Dialect::Postgres | Dialect::Sqlite => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}

/// `schema.name`, both parts quoted.
pub fn qualified(dialect: Dialect, schema: &str, name: &str) -> String {
    format!("{}.{}", ident(dialect, schema), ident(dialect, name))
}

/// A string literal (`'it''s'`). MySQL also escapes backslashes, which it otherwise reads as escapes.
pub fn literal(dialect: Dialect, value: &str) -> String {
    match dialect {
        Dialect::Mysql => format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''")),
        Dialect::Postgres | Dialect::Sqlite => format!("'{}'", value.replace('\'', "''")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes() {
        assert_eq!(
            ident(Dialect::Postgres, "Order \"Items\""),
            "\"Order \"\"Items\"\"\""
        );
        assert_eq!(ident(Dialect::Mysql, "a`b"), "`a``b`");
        assert_eq!(literal(Dialect::Mysql, "a\\'b"), "'a\\\\''b'");
        assert_eq!(qualified(Dialect::Sqlite, "main", "t"), "\"main\".\"t\"");
    }
}
