//! A small tokenizer and parser for the `CREATE` statements SQLite keeps in `sqlite_schema`.
//!
//! The pragmas tell us columns, keys and indexes, but not constraint names, CHECK expressions,
//! collations, generated-column expressions, deferrability, partial-index predicates or trigger
//! parts: those only exist in the stored SQL text. This module reads that text. It tokenizes first
//! (identifiers quoted as `"x"`, `[x]`, `` `x` `` or `'x'`, doubled quotes, `--` and `/* */`
//! comments, string and blob literals) and then walks the grammar of the statement. Expressions are
//! never interpreted: they are taken as the source text between their delimiters, exactly as
//! written.
//!
//! Files: this one (the errors, the cursor over the tokens every statement parser shares, the
//! entry points), `token.rs` (the tokenizer), `keywords.rs` (SQLite's keywords, `display_ident`),
//! `ast.rs` (the parsed statements), `table.rs` (`CREATE TABLE`), `objects.rs` (`CREATE INDEX`,
//! `VIEW`, `TRIGGER`, `VIRTUAL TABLE`).

use std::fmt;

/// Why a statement could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

pub type ParseResult<T> = Result<T, ParseError>;

mod ast;
mod keywords;
mod objects;
mod table;
mod token;

pub use ast::*;
pub use keywords::{display_ident, is_keyword};
pub use token::{Token, TokenKind, tokenize, unquote};

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> ParseResult<Self> {
        Ok(Parser {
            src,
            toks: tokenize(src)?,
            pos: 0,
        })
    }

    fn peek(&self) -> Option<Token> {
        self.toks.get(self.pos).copied()
    }

    fn peek_n(&self, n: usize) -> Option<Token> {
        self.toks.get(self.pos + n).copied()
    }

    fn text(&self, t: Token) -> &'a str {
        t.text(self.src)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    fn is_word(&self, t: Option<Token>, kw: &str) -> bool {
        matches!(t, Some(t) if t.kind == TokenKind::Word && self.text(t).eq_ignore_ascii_case(kw))
    }

    fn is_kw(&self, kw: &str) -> bool {
        self.is_word(self.peek(), kw)
    }

    fn is_kw_n(&self, n: usize, kw: &str) -> bool {
        self.is_word(self.peek_n(n), kw)
    }

    fn is_any_kw(&self, kws: &[&str]) -> bool {
        kws.iter().any(|k| self.is_kw(k))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_kw(&mut self, kw: &str) -> ParseResult<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.err(&format!("expected {kw}")))
        }
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Some(t) if t.kind == TokenKind::Punct && self.text(t) == p)
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        if self.is_punct(p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_punct(&mut self, p: &str) -> ParseResult<()> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(self.err(&format!("expected '{p}'")))
        }
    }

    fn err(&self, msg: &str) -> ParseError {
        match self.peek() {
            Some(t) => ParseError(format!("{msg} near '{}' (byte {})", self.text(t), t.start)),
            None => ParseError(format!("{msg} at the end of the statement")),
        }
    }

    /// An identifier: a bare word, a quoted name, or a string literal used as a name.
    fn ident(&mut self) -> ParseResult<String> {
        match self.peek() {
            Some(t)
                if matches!(
                    t.kind,
                    TokenKind::Word | TokenKind::QuotedIdent | TokenKind::String
                ) =>
            {
                self.pos += 1;
                Ok(unquote(self.text(t)))
            }
            _ => Err(self.err("expected a name")),
        }
    }

    /// `[schema.]name`, returning the name.
    fn object_name(&mut self) -> ParseResult<String> {
        let first = self.ident()?;
        if self.eat_punct(".") {
            self.ident()
        } else {
            Ok(first)
        }
    }

    fn skip_if_not_exists(&mut self) {
        if self.is_kw("IF") && self.is_kw_n(1, "NOT") && self.is_kw_n(2, "EXISTS") {
            self.pos += 3;
        }
    }

    /// At `(`: consumes through the matching `)`, returning the index of the `(` token and of the
    /// `)` token.
    fn group(&mut self) -> ParseResult<(usize, usize)> {
        if !self.is_punct("(") {
            return Err(self.err("expected '('"));
        }
        let open = self.pos;
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            if t.kind == TokenKind::Punct {
                match self.text(t) {
                    "(" => depth += 1,
                    ")" => {
                        depth -= 1;
                        if depth == 0 {
                            self.pos += 1;
                            return Ok((open, self.pos - 1));
                        }
                    }
                    _ => {}
                }
            }
            self.pos += 1;
        }
        Err(ParseError(format!(
            "unbalanced parentheses: '(' at byte {} is never closed",
            self.toks[open].start
        )))
    }

    /// The source text strictly between two token indexes, trimmed.
    fn between(&self, open: usize, close: usize) -> String {
        self.src[self.toks[open].end..self.toks[close].start]
            .trim()
            .to_string()
    }

    /// The source text from token `a` through token `b` inclusive.
    fn span(&self, a: usize, b: usize) -> String {
        self.src[self.toks[a].start..self.toks[b].end].to_string()
    }

    /// The source text after the previous token up to the end (comments included), without a
    /// trailing `;`, trimmed.
    fn rest(&self) -> String {
        let mut last = self.toks.len();
        while last > self.pos
            && self.toks[last - 1].kind == TokenKind::Punct
            && self.text(self.toks[last - 1]) == ";"
        {
            last -= 1;
        }
        if last <= self.pos {
            return String::new();
        }
        let start = match self.pos {
            0 => 0,
            p => self.toks[p - 1].end,
        };
        self.src[start..self.toks[last - 1].end].trim().to_string()
    }

    /// `( name, name, … )`.
    fn name_list(&mut self) -> ParseResult<Vec<String>> {
        self.expect_punct("(")?;
        let mut names = Vec::new();
        loop {
            names.push(self.ident()?);
            if self.eat_punct(",") {
                continue;
            }
            self.expect_punct(")")?;
            return Ok(names);
        }
    }

    /// `ON CONFLICT <resolution>`, if present.
    fn skip_conflict_clause(&mut self) -> ParseResult<()> {
        if self.is_kw("ON") && self.is_kw_n(1, "CONFLICT") {
            self.pos += 2;
            self.ident()?;
        }
        Ok(())
    }

    fn finish(&mut self) -> ParseResult<()> {
        while self.eat_punct(";") {}
        if self.at_end() {
            Ok(())
        } else {
            Err(self.err("unexpected text after the statement"))
        }
    }
}

pub fn parse_create_table(sql: &str) -> ParseResult<CreateTable> {
    Parser::new(sql)?.create_table()
}

pub fn parse_create_index(sql: &str) -> ParseResult<CreateIndex> {
    Parser::new(sql)?.create_index()
}

pub fn parse_create_view(sql: &str) -> ParseResult<CreateView> {
    Parser::new(sql)?.create_view()
}

pub fn parse_create_trigger(sql: &str) -> ParseResult<CreateTrigger> {
    Parser::new(sql)?.create_trigger()
}

pub fn parse_create_virtual_table(sql: &str) -> ParseResult<CreateVirtualTable> {
    Parser::new(sql)?.create_virtual_table()
}

/// Whether a stored statement creates a virtual table (`CREATE VIRTUAL TABLE …`).
pub fn is_virtual_table(sql: &str) -> bool {
    let Ok(p) = Parser::new(sql) else {
        return false;
    };
    p.is_kw("CREATE") && p.is_kw_n(1, "VIRTUAL")
}
