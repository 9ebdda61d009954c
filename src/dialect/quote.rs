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

/// One dialect's shorthands for renderers and probes (`use crate::dialect::quote::pg::*`): the
/// same functions as above with the dialect fixed, so no module writes its own copy.
macro_rules! shorthands {
    ($module:ident, $dialect:expr, $doc:literal) => {
        #[doc = $doc]
        pub mod $module {
            use crate::model::{Dialect, QualifiedName};

            const D: Dialect = $dialect;

            /// [`super::ident`].
            pub fn id(s: &str) -> String {
                super::ident(D, s)
            }

            /// [`super::qualified`], of a [`QualifiedName`].
            pub fn qn(q: &QualifiedName) -> String {
                super::qualified(D, &q.schema, &q.name)
            }

            /// [`super::qualified`].
            pub fn q2(schema: &str, name: &str) -> String {
                super::qualified(D, schema, name)
            }

            /// [`super::literal`].
            pub fn lit(s: &str) -> String {
                super::literal(D, s)
            }

            /// A column list: `"a", "b"`.
            pub fn cols(c: &[String]) -> String {
                c.iter().map(|x| id(x)).collect::<Vec<_>>().join(", ")
            }
        }
    };
}

shorthands!(pg, Dialect::Postgres, "PostgreSQL: double quotes.");
shorthands!(
    my,
    Dialect::Mysql,
    "MySQL/MariaDB: backticks; backslashes escaped in literals."
);
shorthands!(lite, Dialect::Sqlite, "SQLite: double quotes.");

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
        assert_eq!(my::cols(&["a".into(), "b`".into()]), "`a`, `b```");
        assert_eq!(
            pg::qn(&crate::model::QualifiedName::new("s", "t")),
            "\"s\".\"t\""
        );
        assert_eq!(lite::lit("it's"), "'it''s'");
    }
}
