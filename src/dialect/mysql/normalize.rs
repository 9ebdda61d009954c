//! Pure helpers that bring what MySQL 8 and MariaDB write in `information_schema` to one form.
//!
//! Column defaults are recorded as SQL expressions in one spelling for both servers:
//! - no default, and a default of `NULL`, are both recorded as no default (MySQL 8 cannot tell
//!   them apart; MariaDB writes the text `NULL`);
//! - string literals are single-quoted with quotes doubled and backslashes escaped (`'it''s'`),
//!   whether the server wrote them quoted (MariaDB) or bare (MySQL 8);
//! - numbers and bit literals are written bare (`42`, `0.00`, `b'101'`);
//! - `CURRENT_TIMESTAMP`, `now()`, `localtime`, `localtimestamp` and their precisions become
//!   `current_timestamp()` / `current_timestamp(6)` (MariaDB's spelling), also for `ON UPDATE`;
//! - other expressions are kept as the server prints them (`curdate()`, `(1 + 1)`), minus MySQL's
//!   character set introducers (`_utf8mb4'a'` → `'a'`).

use crate::dialect::quote;
use crate::model::Dialect;
use crate::model::types::{TypeFamily, unquote_literal};

use super::types::is_numeric;

/// Which server a catalog comes from; they write some catalog values differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Mysql,
    Mariadb,
}

impl Flavor {
    /// From `VERSION()`: MariaDB always says so (`10.11.6-MariaDB-0+deb12u1`).
    pub fn from_version(version: &str) -> Flavor {
        if version.to_ascii_lowercase().contains("mariadb") {
            Flavor::Mariadb
        } else {
            Flavor::Mysql
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Flavor::Mysql => "mysql",
            Flavor::Mariadb => "mariadb",
        }
    }
}

/// Normalizes `COLUMN_DEFAULT` (see the module docs). `extra` is `COLUMNS.EXTRA`.
pub fn column_default(
    flavor: Flavor,
    raw: Option<&str>,
    extra: &str,
    family: &TypeFamily,
) -> Option<String> {
    let raw = raw?;
    let t = raw.trim();
    match flavor {
        Flavor::Mariadb => {
            if t.eq_ignore_ascii_case("null") {
                None
            } else if is_single_literal(t) {
                Some(literal(&unquote_literal(t)))
            } else {
                Some(expression(t))
            }
        }
        Flavor::Mysql => {
            if extra.to_ascii_lowercase().contains("default_generated") {
                Some(expression(&strip_introducers(t)))
            } else if is_numeric(family) || is_bit_or_hex_literal(t) {
                Some(t.to_string())
            } else {
                // MySQL 8 writes literal defaults unquoted; take the text exactly as it is.
                Some(literal(raw))
            }
        }
    }
}

/// `ON UPDATE …` from `COLUMNS.EXTRA` (`on update current_timestamp(3)`, MySQL's
/// `DEFAULT_GENERATED on update CURRENT_TIMESTAMP`), normalized like a default.
pub fn on_update(extra: &str) -> Option<String> {
    let lower = extra.to_ascii_lowercase();
    let at = lower.find("on update ")?;
    let rest = extra.get(at + "on update ".len()..)?.trim();
    let expr = rest.split_whitespace().next()?;
    Some(expression(expr))
}

/// A default or `ON UPDATE` expression: the current-time synonyms become `current_timestamp()`.
pub fn expression(e: &str) -> String {
    let t = e.trim();
    let lower = t.to_ascii_lowercase();
    for name in ["current_timestamp", "now", "localtime", "localtimestamp"] {
        if let Some(rest) = lower.strip_prefix(name) {
            let rest = rest.trim();
            if rest.is_empty() || rest == "()" {
                return "current_timestamp()".to_string();
            }
            if let Some(inner) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
                let inner = inner.trim();
                if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
                    return if inner == "0" {
                        "current_timestamp()".to_string()
                    } else {
                        format!("current_timestamp({inner})")
                    };
                }
            }
        }
    }
    t.to_string()
}

/// A MySQL string literal: `'it''s'`, backslashes escaped.
pub fn literal(value: &str) -> String {
    quote::literal(Dialect::Mysql, value)
}

/// True when `s` is exactly one single-quoted literal (`'a''b'`, `'x\'y'`), not `'a' 'b'` or
/// `concat('a','b')`.
pub fn is_single_literal(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 2 || b[0] != b'\'' {
        return false;
    }
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'\'' if b.get(i + 1) == Some(&b'\'') => i += 2,
            b'\'' => return i == b.len() - 1,
            _ => i += 1,
        }
    }
    false
}

fn is_bit_or_hex_literal(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    (l.starts_with("b'") || l.starts_with("x'")) && l.ends_with('\'') || l.starts_with("0x")
}

/// Removes character set introducers before string literals (`_utf8mb4'a'` → `'a'`), which MySQL 8
/// prints in expression defaults, check clauses and generated columns.
pub fn strip_introducers(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' && q == '\'' {
                if let Some(n) = chars.get(i + 1) {
                    out.push(*n);
                    i += 1;
                }
            } else if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match c {
            '\'' | '"' | '`' => {
                quote = Some(c);
                out.push(c);
                i += 1;
            }
            '_' if i == 0 || !is_ident_char(chars[i - 1]) => {
                let mut j = i + 1;
                while j < chars.len() && chars[j].is_ascii_alphanumeric() {
                    j += 1;
                }
                if j > i + 1 && chars.get(j) == Some(&'\'') {
                    i = j; // drop `_charset`, keep the literal
                } else {
                    out.push(c);
                    i += 1;
                }
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Strips parentheses that enclose the whole expression (`((a > 0))` → `a > 0`), leaving
/// `(a) + (b)` alone. MySQL 8 wraps check clauses and generation expressions; MariaDB does not.
pub fn strip_outer_parens(s: &str) -> String {
    let mut t = s.trim();
    while t.starts_with('(') && t.ends_with(')') && closing_paren(t, 0) == Some(t.len() - 1) {
        t = t[1..t.len() - 1].trim();
    }
    t.to_string()
}

/// The byte index of the parenthesis closing the one at `open`, honouring quotes.
fn closing_paren(s: &str, open: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = open;
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == b'\\' && q == b'\'' {
                i += 1;
            } else if c == q {
                quote = None;
            }
        } else {
            match c {
                b'\'' | b'"' | b'`' => quote = Some(c),
                b'(' => depth += 1,
                b')' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    None
}

/// Removes the qualifier `` `schema`. `` from identifiers in a view definition, so that the same
/// view in two databases of different names reads the same. String literals are left alone.
pub fn strip_schema_qualifier(sql: &str, schema: &str) -> String {
    let quoted = quote::ident(Dialect::Mysql, schema);
    let prefix = format!("{quoted}.");
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(c) = rest.chars().next() {
        match c {
            '\'' | '"' => {
                let end = literal_end(rest, c);
                out.push_str(&rest[..end]);
                rest = &rest[end..];
            }
            '`' => {
                if rest.starts_with(&prefix) {
                    rest = &rest[prefix.len()..];
                } else {
                    let end = literal_end(rest, '`');
                    out.push_str(&rest[..end]);
                    rest = &rest[end..];
                }
            }
            _ => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// The byte length of the quoted token at the start of `s` (quote char `q`), doubled quotes and
/// (for `'`/`"`) backslash escapes included; the whole rest when unterminated.
fn literal_end(s: &str, q: char) -> usize {
    let mut it = s.char_indices().skip(1).peekable();
    while let Some((i, c)) = it.next() {
        if c == '\\' && q != '`' {
            it.next();
        } else if c == q {
            if let Some(&(_, n)) = it.peek() {
                if n == q {
                    it.next();
                    continue;
                }
            }
            return i + c.len_utf8();
        }
    }
    s.len()
}

/// The column a MariaDB `json_valid(`col`)` check validates (the check MariaDB adds for `JSON`).
pub fn json_valid_column(check_clause: &str) -> Option<String> {
    let t = strip_outer_parens(check_clause);
    let lower = t.to_ascii_lowercase();
    if !lower.starts_with("json_valid(") || !t.ends_with(')') {
        return None;
    }
    let inner = t["json_valid(".len()..t.len() - 1].trim();
    if let Some(q) = inner.strip_prefix('`').and_then(|s| s.strip_suffix('`')) {
        if q.replace("``", "").contains('`') {
            return None;
        }
        return Some(q.replace("``", "`"));
    }
    if !inner.is_empty() && inner.chars().all(is_ident_char) {
        return Some(inner.to_string());
    }
    None
}

/// The character set a collation belongs to, by its name (`utf8mb4_general_ci` → `utf8mb4`,
/// `binary` → `binary`): the fallback when `information_schema.COLLATIONS` does not list it.
pub fn charset_of_collation(collation: &str) -> String {
    match collation.split_once('_') {
        Some((cs, _)) => cs.to_string(),
        None => collation.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::mysql::types::family;

    fn maria(raw: Option<&str>, ty: &str) -> Option<String> {
        column_default(Flavor::Mariadb, raw, "", &family(ty))
    }

    fn mysql(raw: Option<&str>, extra: &str, ty: &str) -> Option<String> {
        column_default(Flavor::Mysql, raw, extra, &family(ty))
    }

    #[test]
    fn defaults_read_the_same_on_both_servers() {
        // no default / NULL
        assert_eq!(maria(None, "int(11)"), None);
        assert_eq!(maria(Some("NULL"), "int(11)"), None);
        assert_eq!(mysql(None, "", "int"), None);
        // strings
        assert_eq!(
            maria(Some("'it''s'"), "varchar(5)").as_deref(),
            Some("'it''s'")
        );
        assert_eq!(
            mysql(Some("it's"), "", "varchar(5)").as_deref(),
            Some("'it''s'")
        );
        assert_eq!(
            maria(Some("'NULL'"), "varchar(5)").as_deref(),
            Some("'NULL'")
        );
        assert_eq!(
            mysql(Some("NULL"), "", "varchar(5)").as_deref(),
            Some("'NULL'")
        );
        assert_eq!(maria(Some("''"), "varchar(5)").as_deref(), Some("''"));
        assert_eq!(mysql(Some(""), "", "varchar(5)").as_deref(), Some("''"));
        assert_eq!(maria(Some(r"'a\\b'"), "text").as_deref(), Some(r"'a\\b'"));
        assert_eq!(mysql(Some(r"a\b"), "", "text").as_deref(), Some(r"'a\\b'"));
        assert_eq!(
            maria(Some("'new'"), "enum('new')").as_deref(),
            Some("'new'")
        );
        assert_eq!(
            mysql(Some("new"), "", "enum('new')").as_deref(),
            Some("'new'")
        );
        assert_eq!(
            maria(Some("'2020-01-01 00:00:00'"), "datetime").as_deref(),
            Some("'2020-01-01 00:00:00'")
        );
        // numbers, bits
        assert_eq!(maria(Some("42"), "int(11)").as_deref(), Some("42"));
        assert_eq!(mysql(Some("42"), "", "int").as_deref(), Some("42"));
        assert_eq!(maria(Some("0.00"), "decimal(5,2)").as_deref(), Some("0.00"));
        assert_eq!(
            mysql(Some("0.00"), "", "decimal(5,2)").as_deref(),
            Some("0.00")
        );
        assert_eq!(maria(Some("b'101'"), "bit(3)").as_deref(), Some("b'101'"));
        assert_eq!(
            mysql(Some("b'101'"), "", "bit(3)").as_deref(),
            Some("b'101'")
        );
        // current time
        assert_eq!(
            maria(Some("current_timestamp()"), "timestamp").as_deref(),
            Some("current_timestamp()")
        );
        assert_eq!(
            mysql(Some("CURRENT_TIMESTAMP"), "DEFAULT_GENERATED", "timestamp").as_deref(),
            Some("current_timestamp()")
        );
        assert_eq!(
            mysql(
                Some("CURRENT_TIMESTAMP(3)"),
                "DEFAULT_GENERATED",
                "datetime(3)"
            )
            .as_deref(),
            Some("current_timestamp(3)")
        );
        // expressions
        assert_eq!(
            maria(Some("(curdate() + interval 1 day)"), "date").as_deref(),
            Some("(curdate() + interval 1 day)")
        );
        assert_eq!(
            mysql(
                Some("(curdate() + interval 1 day)"),
                "DEFAULT_GENERATED",
                "date"
            )
            .as_deref(),
            Some("(curdate() + interval 1 day)")
        );
        assert_eq!(
            maria(Some("concat('a','b')"), "varchar(5)").as_deref(),
            Some("concat('a','b')")
        );
        assert_eq!(
            mysql(
                Some("concat(_utf8mb4'a',_utf8mb4'b')"),
                "DEFAULT_GENERATED",
                "varchar(5)"
            )
            .as_deref(),
            Some("concat('a','b')")
        );
    }

    #[test]
    fn on_update_forms() {
        assert_eq!(
            on_update("on update current_timestamp()").as_deref(),
            Some("current_timestamp()")
        );
        assert_eq!(
            on_update("DEFAULT_GENERATED on update CURRENT_TIMESTAMP").as_deref(),
            Some("current_timestamp()")
        );
        assert_eq!(
            on_update("on update current_timestamp(3) INVISIBLE").as_deref(),
            Some("current_timestamp(3)")
        );
        assert_eq!(on_update("auto_increment"), None);
    }

    #[test]
    fn literals() {
        assert!(is_single_literal("'a'"));
        assert!(is_single_literal("'it''s'"));
        assert!(is_single_literal(r"'x\'y'"));
        assert!(!is_single_literal("'a' 'b'"));
        assert!(!is_single_literal("'a',b'"));
        assert!(!is_single_literal("concat('a')"));
        assert!(!is_single_literal("'"));
    }

    #[test]
    fn parens() {
        assert_eq!(strip_outer_parens("((`a` > 0))"), "`a` > 0");
        assert_eq!(strip_outer_parens("(a) + (b)"), "(a) + (b)");
        assert_eq!(strip_outer_parens("(`a)` > ')(')"), "`a)` > ')('");
        assert_eq!(strip_outer_parens("a"), "a");
    }

    #[test]
    fn introducers() {
        assert_eq!(strip_introducers("_utf8mb4'a' = `_x`"), "'a' = `_x`");
        assert_eq!(
            strip_introducers("my_fn('_latin1''x')"),
            "my_fn('_latin1''x')"
        );
    }

    #[test]
    fn schema_qualifiers() {
        assert_eq!(
            strip_schema_qualifier(
                "select `x1`.`Order Items`.`id` AS `id` from `x1`.`Order Items` where `b` = '`x1`.'",
                "x1"
            ),
            "select `Order Items`.`id` AS `id` from `Order Items` where `b` = '`x1`.'"
        );
        assert_eq!(
            strip_schema_qualifier("select `a``b`.`c` from `other`.`t`", "a`b"),
            "select `c` from `other`.`t`"
        );
        assert_eq!(
            strip_schema_qualifier("select 'größe'", "x"),
            "select 'größe'"
        );
    }

    #[test]
    fn json_checks() {
        assert_eq!(
            json_valid_column("json_valid(`doc`)").as_deref(),
            Some("doc")
        );
        assert_eq!(
            json_valid_column("(json_valid(`a``b`))").as_deref(),
            Some("a`b")
        );
        assert_eq!(json_valid_column("json_valid(`a`) and 1"), None);
        assert_eq!(json_valid_column("`a` > 0"), None);
    }

    #[test]
    fn collations() {
        assert_eq!(charset_of_collation("utf8mb4_general_ci"), "utf8mb4");
        assert_eq!(charset_of_collation("binary"), "binary");
        assert_eq!(
            Flavor::from_version("10.11.6-MariaDB-0+deb12u1"),
            Flavor::Mariadb
        );
        assert_eq!(Flavor::from_version("8.0.36"), Flavor::Mysql);
    }
}
