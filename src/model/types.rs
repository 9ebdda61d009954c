//! Type families: a column's type reduced to what it means, so that `int4`, `integer` and
//! `INT(11)` compare equal, and types can be compared across dialects.

use serde::{Deserialize, Serialize};

/// The meaning of a column type, independent of how a dialect spells it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "snake_case")]
pub enum TypeFamily {
    Boolean,
    /// Whole numbers of the given width in bits (8, 16, 24, 32, 64).
    Integer {
        bits: u8,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        unsigned: bool,
    },
    /// Exact numerics. `None` precision means unbounded (`numeric` with no modifier).
    Decimal {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        precision: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scale: Option<u32>,
    },
    /// Binary floating point of 32 or 64 bits.
    Float {
        bits: u8,
    },
    /// Character data. `max_len` None means unbounded; `fixed` for `char(n)`.
    Text {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_len: Option<u64>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        fixed: bool,
    },
    Binary {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_len: Option<u64>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        fixed: bool,
    },
    Date,
    Time {
        tz: bool,
    },
    Timestamp {
        tz: bool,
    },
    Interval,
    Json {
        /// `jsonb` (stored parsed) rather than `json` (stored as text).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        binary: bool,
    },
    Uuid,
    /// An enumeration: a PostgreSQL enum type (by name) or a MySQL inline `ENUM(…)`.
    Enum {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        type_name: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        values: Vec<String>,
    },
    /// MySQL `SET(…)`.
    Set {
        values: Vec<String>,
    },
    Array {
        element: Box<TypeFamily>,
    },
    /// Anything else, by its normalized name (`tsvector`, `inet`, a domain, `geometry`, …).
    Other {
        name: String,
    },
    /// SQLite columns declared with no type at all.
    #[default]
    Any,
}

impl TypeFamily {
    pub fn other(name: impl Into<String>) -> Self {
        TypeFamily::Other { name: name.into() }
    }

    pub fn text(max_len: Option<u64>) -> Self {
        TypeFamily::Text {
            max_len,
            fixed: false,
        }
    }

    pub fn int(bits: u8) -> Self {
        TypeFamily::Integer {
            bits,
            unsigned: false,
        }
    }

    /// A short description for people: `integer(32)`, `text(50)`, `decimal(10,2)`.
    pub fn describe(&self) -> String {
        match self {
            TypeFamily::Boolean => "boolean".into(),
            TypeFamily::Integer { bits, unsigned } => {
                format!(
                    "{}integer({bits})",
                    if *unsigned { "unsigned " } else { "" }
                )
            }
            TypeFamily::Decimal { precision, scale } => match (precision, scale) {
                (Some(p), Some(s)) => format!("decimal({p},{s})"),
                (Some(p), None) => format!("decimal({p})"),
                _ => "decimal".into(),
            },
            TypeFamily::Float { bits } => format!("float({bits})"),
            TypeFamily::Text { max_len, fixed } => {
                let base = if *fixed { "char" } else { "text" };
                match max_len {
                    Some(n) => format!("{base}({n})"),
                    None => base.into(),
                }
            }
            TypeFamily::Binary { max_len, fixed } => {
                let base = if *fixed { "binary" } else { "bytes" };
                match max_len {
                    Some(n) => format!("{base}({n})"),
                    None => base.into(),
                }
            }
            TypeFamily::Date => "date".into(),
            TypeFamily::Time { tz } => if *tz { "time with zone" } else { "time" }.into(),
            TypeFamily::Timestamp { tz } => if *tz {
                "timestamp with zone"
            } else {
                "timestamp"
            }
            .into(),
            TypeFamily::Interval => "interval".into(),
            TypeFamily::Json { binary } => if *binary { "jsonb" } else { "json" }.into(),
            TypeFamily::Uuid => "uuid".into(),
            TypeFamily::Enum { type_name, values } => match type_name {
                Some(n) => format!("enum {n}"),
                None => format!("enum({})", values.join(",")),
            },
            TypeFamily::Set { values } => format!("set({})", values.join(",")),
            TypeFamily::Array { element } => format!("{}[]", element.describe()),
            TypeFamily::Other { name } => name.clone(),
            TypeFamily::Any => "any".into(),
        }
    }
}

impl std::fmt::Display for TypeFamily {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Splits `name(a, b) rest` into `("name", ["a","b"], "rest")`, lowercasing the name and collapsing
/// inner whitespace. Used by every dialect's type parser.
pub fn split_type_modifiers(declared: &str) -> (String, Vec<String>, String) {
    let s = declared.trim();
    let Some(open) = s.find('(') else {
        return (
            collapse_ws(&s.to_ascii_lowercase()),
            Vec::new(),
            String::new(),
        );
    };
    // Find the matching close paren, honouring quotes (MySQL enum labels may contain parens).
    let bytes = s.as_bytes();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut close = None;
    let mut i = open;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) => {
                if c == q {
                    if i + 1 < bytes.len() && bytes[i + 1] == q {
                        i += 1;
                    } else {
                        quote = None;
                    }
                } else if c == b'\\' && q == b'\'' {
                    i += 1;
                }
            }
            None => match c {
                b'\'' | b'"' => quote = Some(c),
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(i);
                        break;
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    let Some(close) = close else {
        return (
            collapse_ws(&s.to_ascii_lowercase()),
            Vec::new(),
            String::new(),
        );
    };
    let name = collapse_ws(&s[..open].to_ascii_lowercase());
    let inner = &s[open + 1..close];
    let args = split_top_level_commas(inner)
        .into_iter()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    let rest = collapse_ws(&s[close + 1..].to_ascii_lowercase());
    (name, args, rest)
}

/// Splits on commas that are not inside quotes or parentheses.
pub fn split_top_level_commas(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                cur.push(c);
                if c == q {
                    if chars.peek() == Some(&q) {
                        cur.push(q);
                        chars.next();
                    } else {
                        quote = None;
                    }
                } else if c == '\\' && q == '\'' {
                    if let Some(n) = chars.next() {
                        cur.push(n);
                    }
                }
            }
            None => match c {
                '\'' | '"' | '`' => {
                    quote = Some(c);
                    cur.push(c);
                }
                '(' => {
                    depth += 1;
                    cur.push(c);
                }
                ')' => {
                    depth -= 1;
                    cur.push(c);
                }
                ',' if depth == 0 => out.push(std::mem::take(&mut cur)),
                _ => cur.push(c),
            },
        }
    }
    if !cur.trim().is_empty() || !out.is_empty() {
        out.push(cur);
    }
    out
}

/// Unquotes a single-quoted SQL string literal (`'it''s'` → `it's`); returns the input when it is
/// not one.
pub fn unquote_literal(s: &str) -> String {
    let t = s.trim();
    if t.len() >= 2 && t.starts_with('\'') && t.ends_with('\'') {
        let inner = &t[1..t.len() - 1];
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' && chars.peek() == Some(&'\'') {
                chars.next();
                out.push('\'');
            } else if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('0') => out.push('\0'),
                    Some(other) => out.push(other),
                    None => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        out
    } else {
        t.to_string()
    }
}

pub fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_modifiers() {
        assert_eq!(
            split_type_modifiers("numeric(10, 2)"),
            (
                "numeric".into(),
                vec!["10".into(), "2".into()],
                String::new()
            )
        );
        assert_eq!(
            split_type_modifiers("int(10) unsigned"),
            ("int".into(), vec!["10".into()], "unsigned".into())
        );
        assert_eq!(
            split_type_modifiers("enum('a,b','c)')"),
            (
                "enum".into(),
                vec!["'a,b'".into(), "'c)'".into()],
                String::new()
            )
        );
        assert_eq!(
            split_type_modifiers("timestamp(6) with time zone"),
            (
                "timestamp".into(),
                vec!["6".into()],
                "with time zone".into()
            )
        );
    }

    #[test]
    fn unquotes() {
        assert_eq!(unquote_literal("'it''s'"), "it's");
        assert_eq!(unquote_literal("plain"), "plain");
    }
}

impl TypeFamily {
    /// Whether converting values of `self` into `to` can lose or reject data: a shorter text or
    /// binary limit, a smaller integer, less decimal precision or scale, a float to an integer or
    /// decimal, or a change of family (text to integer, anything to date, …). Same-family widening
    /// and anything into unbounded text are not narrowing.
    pub fn narrows_to(&self, to: &TypeFamily) -> bool {
        use TypeFamily::*;
        match (self, to) {
            (a, b) if a == b => false,
            (_, Text { max_len: None, .. }) => false,
            (Text { max_len: a, .. }, Text { max_len: b, .. })
            | (Binary { max_len: a, .. }, Binary { max_len: b, .. }) => match (a, b) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some(x), Some(y)) => y < x,
            },
            (
                Integer {
                    bits: a,
                    unsigned: ua,
                },
                Integer {
                    bits: b,
                    unsigned: ub,
                },
            ) => b < a || (ua != ub && b == a),
            (Integer { bits, .. }, Decimal { precision, scale }) => match precision {
                None => false,
                Some(p) => {
                    let digits = match bits {
                        8 => 3,
                        16 => 5,
                        24 => 8,
                        32 => 10,
                        _ => 19,
                    };
                    p.saturating_sub(scale.unwrap_or(0)) < digits
                }
            },
            (Integer { .. }, Float { .. }) => false,
            (
                Decimal {
                    precision: p1,
                    scale: s1,
                },
                Decimal {
                    precision: p2,
                    scale: s2,
                },
            ) => match (p1, p2) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some(p1), Some(p2)) => {
                    let (s1, s2) = (s1.unwrap_or(0), s2.unwrap_or(0));
                    s2 < s1 || p2.saturating_sub(s2) < p1.saturating_sub(s1)
                }
            },
            (Float { bits: a }, Float { bits: b }) => b < a,
            (Timestamp { .. }, Timestamp { .. }) | (Time { .. }, Time { .. }) => false,
            (Date, Timestamp { .. }) => false,
            (Json { .. }, Json { .. }) => false,
            (Enum { values: a, .. }, Enum { values: b, .. }) => a.iter().any(|v| !b.contains(v)),
            (Set { values: a }, Set { values: b }) => a.iter().any(|v| !b.contains(v)),
            _ => true,
        }
    }
}

#[cfg(test)]
mod narrowing_tests {
    use super::*;

    #[test]
    fn narrowing() {
        assert!(!TypeFamily::int(32).narrows_to(&TypeFamily::int(64)));
        assert!(TypeFamily::int(64).narrows_to(&TypeFamily::int(32)));
        assert!(TypeFamily::text(Some(200)).narrows_to(&TypeFamily::text(Some(50))));
        assert!(!TypeFamily::text(Some(50)).narrows_to(&TypeFamily::text(None)));
        assert!(TypeFamily::text(None).narrows_to(&TypeFamily::int(32)));
        let d = |p, s| TypeFamily::Decimal {
            precision: Some(p),
            scale: Some(s),
        };
        assert!(!d(8, 2).narrows_to(&d(12, 2)));
        assert!(d(12, 2).narrows_to(&d(8, 2)));
        assert!(d(8, 2).narrows_to(&d(8, 1)));
        assert!(!TypeFamily::int(32).narrows_to(&d(12, 2)));
    }
}
