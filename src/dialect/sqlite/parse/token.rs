//! The tokenizer: identifiers quoted as `"x"`, `[x]`, `` `x` `` or `'x'`, doubled quotes, `--` and
//! `/* */` comments, string and blob literals, numbers, variables and punctuation, each a kind and
//! a byte span of the source.

use super::{ParseError, ParseResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A bare word: a keyword or an unquoted identifier.
    Word,
    /// `"x"`, `[x]` or `` `x` ``.
    QuotedIdent,
    /// `'x'`: a string literal, or an identifier where SQLite expects one.
    String,
    /// `x'00ff'`.
    Blob,
    Number,
    /// `?1`, `:name`, `@name`, `$name`.
    Variable,
    /// Punctuation and operators: `(`, `)`, `,`, `;`, `.`, `||`, `<=`, …
    Punct,
}

/// A token: its kind and its byte span in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn text(self, src: &str) -> &str {
        &src[self.start..self.end]
    }
}

fn is_id_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_id_char(c: u8) -> bool {
    is_id_start(c) || c.is_ascii_digit() || c == b'$'
}

/// Index just past the closing quote `q` of a literal starting at `i`; a doubled quote is an
/// escaped quote.
fn quoted_end(b: &[u8], i: usize, q: u8) -> ParseResult<usize> {
    let mut j = i + 1;
    loop {
        match b.get(j) {
            None => {
                return Err(ParseError(format!(
                    "unterminated {} starting at byte {i}",
                    if q == b'\'' { "string" } else { "quoted name" }
                )));
            }
            Some(&c) if c == q => {
                if b.get(j + 1) == Some(&q) {
                    j += 2;
                } else {
                    return Ok(j + 1);
                }
            }
            Some(_) => j += 1,
        }
    }
}

/// Splits SQL into tokens, dropping whitespace and comments. Only ever splits at ASCII bytes, so
/// spans are always valid `str` boundaries.
pub fn tokenize(src: &str) -> ParseResult<Vec<Token>> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => {
                i += 1;
                continue;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                // SQLite accepts a comment left open at the end of the input.
                let mut j = i + 2;
                while j < b.len() && !(b[j] == b'*' && b.get(j + 1) == Some(&b'/')) {
                    j += 1;
                }
                i = (j + 2).min(b.len());
                continue;
            }
            b'\'' => {
                i = quoted_end(b, i, b'\'')?;
                TokenKind::String
            }
            b'"' | b'`' => {
                i = quoted_end(b, i, c)?;
                TokenKind::QuotedIdent
            }
            b'[' => match b[i + 1..].iter().position(|&x| x == b']') {
                Some(p) => {
                    i += p + 2;
                    TokenKind::QuotedIdent
                }
                None => {
                    return Err(ParseError(format!(
                        "unterminated [name] starting at byte {i}"
                    )));
                }
            },
            b'x' | b'X' if b.get(i + 1) == Some(&b'\'') => {
                i = quoted_end(b, i + 1, b'\'')?;
                TokenKind::Blob
            }
            b'0'..=b'9' => {
                i = number_end(b, i);
                TokenKind::Number
            }
            b'.' if b.get(i + 1).is_some_and(|d| d.is_ascii_digit()) => {
                i = number_end(b, i);
                TokenKind::Number
            }
            b'?' => {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                TokenKind::Variable
            }
            b':' | b'@' | b'$' if b.get(i + 1).is_some_and(|&d| is_id_char(d)) => {
                i += 1;
                while i < b.len() && is_id_char(b[i]) {
                    i += 1;
                }
                TokenKind::Variable
            }
            c if is_id_start(c) => {
                while i < b.len() && is_id_char(b[i]) {
                    i += 1;
                }
                TokenKind::Word
            }
            _ => {
                let rest = &b[i..];
                let len = if rest.starts_with(b"->>") {
                    3
                } else if [
                    &b"||"[..],
                    b"<=",
                    b">=",
                    b"<>",
                    b"!=",
                    b"==",
                    b"<<",
                    b">>",
                    b"->",
                ]
                .iter()
                .any(|op| rest.starts_with(op))
                {
                    2
                } else {
                    // One character, however many bytes it takes.
                    src[i..].chars().next().map_or(1, char::len_utf8)
                };
                i += len;
                TokenKind::Punct
            }
        };
        out.push(Token {
            kind,
            start,
            end: i,
        });
    }
    Ok(out)
}

fn number_end(b: &[u8], mut i: usize) -> usize {
    let hex = b[i] == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X'));
    while i < b.len() {
        let c = b[i];
        let exponent_sign =
            !hex && (c == b'+' || c == b'-') && i > 0 && matches!(b[i - 1], b'e' | b'E');
        if c.is_ascii_alphanumeric() || c == b'.' || c == b'_' || exponent_sign {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// The name an identifier token stands for: quotes removed, doubled quotes undoubled.
pub fn unquote(raw: &str) -> String {
    let bytes = raw.as_bytes();
    if raw.len() >= 2 {
        let (first, last) = (bytes[0], bytes[raw.len() - 1]);
        let inner = &raw[1..raw.len() - 1];
        match (first, last) {
            (b'"', b'"') => return inner.replace("\"\"", "\""),
            (b'`', b'`') => return inner.replace("``", "`"),
            (b'\'', b'\'') => return inner.replace("''", "'"),
            (b'[', b']') => return inner.to_string(),
            _ => {}
        }
    }
    raw.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str) -> Vec<(TokenKind, String)> {
        tokenize(sql)
            .unwrap()
            .into_iter()
            .map(|t| (t.kind, t.text(sql).to_string()))
            .collect()
    }

    #[test]
    fn tokenizes_quotes_comments_and_literals() {
        use TokenKind::*;
        let sql = "a \"b\"\"c\" [d e] `f``g` 'h''i' x'0A' 1.5e-3 0x1E+5 -- tail\n/* c */ || <= ?1 :n größe";
        assert_eq!(
            kinds(sql),
            vec![
                (Word, "a".into()),
                (QuotedIdent, "\"b\"\"c\"".into()),
                (QuotedIdent, "[d e]".into()),
                (QuotedIdent, "`f``g`".into()),
                (String, "'h''i'".into()),
                (Blob, "x'0A'".into()),
                (Number, "1.5e-3".into()),
                (Number, "0x1E".into()),
                (Punct, "+".into()),
                (Number, "5".into()),
                (Punct, "||".into()),
                (Punct, "<=".into()),
                (Variable, "?1".into()),
                (Variable, ":n".into()),
                (Word, "größe".into()),
            ]
        );
        assert_eq!(unquote("\"b\"\"c\""), "b\"c");
        assert_eq!(unquote("[d e]"), "d e");
        assert_eq!(unquote("`f``g`"), "f`g");
        assert_eq!(unquote("'h''i'"), "h'i");
        assert!(tokenize("'open").is_err());
        assert!(tokenize("[open").is_err());
        assert!(tokenize("\"open").is_err());
        // A comment left open at the end is accepted, as SQLite does.
        assert_eq!(kinds("a /* open").len(), 1);
    }
}
