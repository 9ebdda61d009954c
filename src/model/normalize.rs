//! Normalization for comparison: two spellings the database treats as the same must compare equal.
//! These forms are only ever compared, never rendered.

/// Lowercases and collapses whitespace outside quotes; single-quoted literals and double-quoted
/// identifiers are kept byte for byte. Dollar-quote delimiters are treated as plain text, so a
/// function body's whitespace and keyword case do not count either. Trailing `;` are dropped.
pub fn sql(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
                while let Some(d) = chars.next() {
                    out.push(d);
                    if d == c {
                        if chars.peek() == Some(&c) {
                            out.push(c);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                // Line comment: skip to end of line.
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
                pending_space = true;
            }
            c if c.is_whitespace() => pending_space = true,
            c => {
                if pending_space && !out.is_empty() && needs_space(out.chars().last(), c) {
                    out.push(' ');
                }
                pending_space = false;
                out.extend(c.to_lowercase());
            }
        }
    }
    while out.ends_with(';') || out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Whitespace between these two characters matters (`a b` is not `ab`); around punctuation it
/// does not (`f( a )` is `f(a)`).
fn needs_space(prev: Option<char>, next: char) -> bool {
    let word =
        |c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == '.' || c == '\'' || c == '"';
    match prev {
        Some(p) => word(p) && word(next) || (is_op(p) && is_op(next)),
        None => false,
    }
}

fn is_op(c: char) -> bool {
    matches!(
        c,
        '+' | '-'
            | '*'
            | '/'
            | '<'
            | '>'
            | '='
            | '~'
            | '!'
            | '@'
            | '#'
            | '%'
            | '^'
            | '&'
            | '|'
            | '`'
            | '?'
    )
}

/// A default or check expression: [`sql`] plus the casts PostgreSQL adds to literals
/// (`'new'::character varying` → `'new'`), which change with the column type but mean the same.
pub fn expr(s: &str) -> String {
    let n = sql(s);
    strip_literal_casts(&n)
}

fn strip_literal_casts(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == '\'' {
            // Copy the literal.
            out.push(c);
            i += 1;
            while i < b.len() {
                out.push(b[i]);
                if b[i] == '\'' {
                    if i + 1 < b.len() && b[i + 1] == '\'' {
                        out.push('\'');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            i = skip_cast(&b, i);
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Skips a `::type` cast (with modifiers, array brackets and multi-word names) at `i`.
fn skip_cast(b: &[char], mut i: usize) -> usize {
    while i + 1 < b.len() && b[i] == ':' && b[i + 1] == ':' {
        let mut j = i + 2;
        if j < b.len() && b[j] == '"' {
            j += 1;
            while j < b.len() && b[j] != '"' {
                j += 1;
            }
            j += 1;
        }
        loop {
            while j < b.len() && (b[j].is_alphanumeric() || b[j] == '_' || b[j] == '.') {
                j += 1;
            }
            // Multi-word type names: `character varying`, `timestamp with time zone`.
            let rest: String = b[j..].iter().take(20).collect();
            let cont = [
                " varying",
                " with time zone",
                " without time zone",
                " precision",
            ]
            .iter()
            .find(|w| rest.starts_with(*w));
            match cont {
                Some(w) => j += w.chars().count(),
                None => break,
            }
        }
        if j < b.len() && b[j] == '(' {
            while j < b.len() && b[j] != ')' {
                j += 1;
            }
            j += 1;
        }
        while j + 1 < b.len() && b[j] == '[' && b[j + 1] == ']' {
            j += 2;
        }
        i = j.min(b.len());
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_and_case() {
        assert_eq!(sql("SELECT  a,\n  b FROM   t;"), sql("select a, b from t"));
        assert_eq!(sql("f( a )"), "f(a)");
        assert_ne!(sql("SELECT 'A'"), sql("SELECT 'a'"));
        assert_ne!(sql("SELECT \"A\""), sql("SELECT \"a\""));
        assert_eq!(
            sql("BEGIN\n  RETURN NEW; -- done\nEND"),
            sql("begin return new; end")
        );
    }

    #[test]
    fn literal_casts() {
        assert_eq!(expr("'new'::character varying"), "'new'");
        assert_eq!(expr("'new'::text"), "'new'");
        assert_eq!(expr("'{}'::jsonb"), "'{}'");
        assert_eq!(
            expr("'2020-01-01 00:00:00'::timestamp without time zone"),
            "'2020-01-01 00:00:00'"
        );
        assert_eq!(expr("now()"), "now()");
        assert_eq!(expr("'a'::character varying(10)"), "'a'");
        assert_eq!(expr("'{a}'::text[]"), "'{a}'");
    }
}
