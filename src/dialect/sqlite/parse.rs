//! A small tokenizer and parser for the `CREATE` statements SQLite keeps in `sqlite_schema`.
//!
//! The pragmas tell us columns, keys and indexes, but not constraint names, CHECK expressions,
//! collations, generated-column expressions, deferrability, partial-index predicates or trigger
//! parts: those only exist in the stored SQL text. This module reads that text. It tokenizes first
//! (identifiers quoted as `"x"`, `[x]`, `` `x` `` or `'x'`, doubled quotes, `--` and `/* */`
//! comments, string and blob literals) and then walks the grammar of the statement. Expressions are
//! never interpreted: they are taken as the source text between their delimiters, exactly as
//! written.

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

// ------------------------------------------------------------------------------------ tokenizer

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

// ------------------------------------------------------------------------------------ statements

/// What a `CREATE TABLE` statement says beyond what the pragmas report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateTable {
    pub name: String,
    pub columns: Vec<ColumnDef>,
    /// Column-level or table-level; at most one (SQLite rejects a second).
    pub primary_key: Option<PrimaryKeyDef>,
    /// Column-level and table-level UNIQUE constraints, in order of appearance.
    pub uniques: Vec<UniqueDef>,
    /// Column-level and table-level CHECK constraints, in order of appearance.
    pub checks: Vec<CheckDef>,
    /// Column-level `REFERENCES` and table-level `FOREIGN KEY`, in order of appearance.
    pub foreign_keys: Vec<ForeignKeyDef>,
    pub without_rowid: bool,
    pub strict: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ColumnDef {
    pub name: String,
    /// The type as written (may be empty).
    pub declared_type: String,
    pub not_null: bool,
    /// The DEFAULT as written (a parenthesized expression keeps its parentheses).
    pub default: Option<String>,
    /// `COLLATE x`, the name unquoted.
    pub collation: Option<String>,
    pub generated: Option<GeneratedDef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedDef {
    /// The expression inside `AS (…)`.
    pub expression: String,
    /// `STORED`; VIRTUAL (the default) otherwise.
    pub stored: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrimaryKeyDef {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub autoincrement: bool,
    /// Declared on the column (`id INTEGER PRIMARY KEY`) rather than as a table constraint.
    pub column_level: bool,
    /// Column-level `PRIMARY KEY DESC`.
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UniqueDef {
    pub name: Option<String>,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckDef {
    pub name: Option<String>,
    /// The expression inside `CHECK (…)`, as written.
    pub expression: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ForeignKeyDef {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub ref_table: String,
    /// Empty when the parent's primary key is meant.
    pub ref_columns: Vec<String>,
    /// `CASCADE`, `SET NULL`, … as written (upper-cased, one space); none when not given.
    pub on_delete: Option<String>,
    pub on_update: Option<String>,
    pub match_type: Option<String>,
    pub deferrable: bool,
    pub initially_deferred: bool,
}

/// A `CREATE INDEX` statement.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateIndex {
    pub name: String,
    pub unique: bool,
    pub table: String,
    pub items: Vec<IndexItem>,
    /// The `WHERE` predicate of a partial index, as written.
    pub predicate: Option<String>,
}

/// One indexed column or expression.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexItem {
    /// The expression (or column reference) as written, without `COLLATE …` and `ASC`/`DESC`.
    pub expression: String,
    /// Set when the item is a bare column name.
    pub column: Option<String>,
    pub collation: Option<String>,
    pub descending: bool,
}

/// A `CREATE VIEW` statement.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateView {
    pub name: String,
    /// The optional column list `CREATE VIEW v(a, b) AS …`.
    pub columns: Vec<String>,
    /// Everything after `AS`, as written.
    pub select: String,
}

/// A `CREATE TRIGGER` statement.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateTrigger {
    pub name: String,
    /// `BEFORE` (also when omitted), `AFTER` or `INSTEAD OF`.
    pub timing: String,
    /// `INSERT`, `UPDATE` or `DELETE`.
    pub event: String,
    /// The columns of `UPDATE OF a, b`.
    pub update_of: Vec<String>,
    pub table: String,
    pub for_each_row: bool,
    pub when: Option<String>,
    /// The statements between `BEGIN` and `END`, as written.
    pub body: String,
}

/// A `CREATE VIRTUAL TABLE` statement.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateVirtualTable {
    pub name: String,
    pub module: String,
}

/// Words that end a column's type name and start a column constraint.
const COLUMN_CONSTRAINT_WORDS: &[&str] = &[
    "CONSTRAINT",
    "PRIMARY",
    "NOT",
    "NULL",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "REFERENCES",
    "GENERATED",
    "AS",
];

/// Words that start a table constraint when they open an element of the definition list.
const TABLE_CONSTRAINT_WORDS: &[&str] = &["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"];

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

    // -------------------------------------------------------------------- CREATE TABLE

    fn create_table(&mut self) -> ParseResult<CreateTable> {
        self.expect_kw("CREATE")?;
        if !self.eat_kw("TEMP") {
            self.eat_kw("TEMPORARY");
        }
        self.expect_kw("TABLE")?;
        self.skip_if_not_exists();
        let mut t = CreateTable {
            name: self.object_name()?,
            ..CreateTable::default()
        };
        if self.is_kw("AS") {
            return Err(self.err("CREATE TABLE … AS SELECT has no column definitions"));
        }
        self.expect_punct("(")?;
        let mut in_constraints = false;
        // SQLite names a CHECK after the last CONSTRAINT name seen since the last comma.
        let mut check_name: Option<String> = None;
        loop {
            if self.is_any_kw(TABLE_CONSTRAINT_WORDS) {
                in_constraints = true;
                self.table_constraint(&mut t, &mut check_name)?;
            } else if in_constraints {
                return Err(self.err("expected a table constraint"));
            } else {
                self.column_def(&mut t)?;
            }
            if self.eat_punct(",") {
                check_name = None;
                continue;
            }
            if self.is_punct(")") {
                break;
            }
            // SQLite lets table constraints follow each other without a comma.
            if in_constraints && self.is_any_kw(TABLE_CONSTRAINT_WORDS) {
                continue;
            }
            return Err(self.err("expected ',' or ')'"));
        }
        self.expect_punct(")")?;
        loop {
            if self.eat_kw("WITHOUT") {
                self.expect_kw("ROWID")?;
                t.without_rowid = true;
            } else if self.eat_kw("STRICT") {
                t.strict = true;
            } else {
                break;
            }
            if !self.eat_punct(",") {
                break;
            }
        }
        self.finish()?;
        Ok(t)
    }

    fn column_def(&mut self, t: &mut CreateTable) -> ParseResult<()> {
        let name = self.ident()?;
        // The type: words (or quoted words), optionally followed by `(n)` or `(p, s)`.
        let mut first = None;
        let mut last = None;
        while let Some(tok) = self.peek() {
            let is_name = matches!(
                tok.kind,
                TokenKind::Word | TokenKind::QuotedIdent | TokenKind::String
            );
            if !is_name || self.is_any_kw(COLUMN_CONSTRAINT_WORDS) {
                break;
            }
            first.get_or_insert(self.pos);
            last = Some(self.pos);
            self.pos += 1;
        }
        if first.is_some() && self.is_punct("(") {
            let (_, close) = self.group()?;
            last = Some(close);
        }
        let declared_type = match (first, last) {
            (Some(a), Some(b)) => self.span(a, b),
            _ => String::new(),
        };
        let mut col = ColumnDef {
            name: name.clone(),
            declared_type,
            ..ColumnDef::default()
        };

        // A CONSTRAINT name belongs to the constraint right after it; SQLite also names every
        // later CHECK of the same column after it.
        let mut pending: Option<String> = None;
        let mut check_name: Option<String> = None;
        loop {
            if self.at_end() || self.is_punct(",") || self.is_punct(")") {
                break;
            }
            if self.eat_kw("CONSTRAINT") {
                let n = self.ident()?;
                pending = Some(n.clone());
                check_name = Some(n);
                continue;
            }
            let cname = pending.take();
            if self.eat_kw("PRIMARY") {
                self.expect_kw("KEY")?;
                let descending = self.eat_kw("DESC");
                if !descending {
                    self.eat_kw("ASC");
                }
                self.skip_conflict_clause()?;
                let autoincrement = self.eat_kw("AUTOINCREMENT");
                if t.primary_key.is_some() {
                    return Err(self.err("a second PRIMARY KEY"));
                }
                t.primary_key = Some(PrimaryKeyDef {
                    name: cname,
                    columns: vec![name.clone()],
                    autoincrement,
                    column_level: true,
                    descending,
                });
            } else if self.eat_kw("NOT") {
                self.expect_kw("NULL")?;
                self.skip_conflict_clause()?;
                col.not_null = true;
            } else if self.eat_kw("NULL") {
                self.skip_conflict_clause()?;
            } else if self.eat_kw("UNIQUE") {
                self.skip_conflict_clause()?;
                t.uniques.push(UniqueDef {
                    name: cname,
                    columns: vec![name.clone()],
                });
            } else if self.eat_kw("CHECK") {
                let (open, close) = self.group()?;
                t.checks.push(CheckDef {
                    name: cname.or_else(|| check_name.clone()),
                    expression: self.between(open, close),
                });
            } else if self.eat_kw("DEFAULT") {
                col.default = Some(self.default_value()?);
            } else if self.eat_kw("COLLATE") {
                col.collation = Some(self.ident()?);
            } else if self.eat_kw("REFERENCES") {
                let mut fk = self.fk_clause()?;
                fk.name = cname;
                fk.columns = vec![name.clone()];
                t.foreign_keys.push(fk);
            } else if self.is_kw("GENERATED") || self.is_kw("AS") {
                if self.eat_kw("GENERATED") {
                    self.expect_kw("ALWAYS")?;
                }
                self.expect_kw("AS")?;
                let (open, close) = self.group()?;
                let expression = self.between(open, close);
                let stored = self.eat_kw("STORED");
                if !stored {
                    self.eat_kw("VIRTUAL");
                }
                col.generated = Some(GeneratedDef { expression, stored });
            } else {
                return Err(self.err(&format!("unexpected text in column {name}")));
            }
        }
        t.columns.push(col);
        Ok(())
    }

    fn default_value(&mut self) -> ParseResult<String> {
        if self.is_punct("(") {
            let (open, close) = self.group()?;
            return Ok(self.span(open, close));
        }
        let start = self.pos;
        if self.is_punct("+") || self.is_punct("-") {
            self.pos += 1;
        }
        match self.peek() {
            Some(t) if t.kind != TokenKind::Punct => {
                self.pos += 1;
                Ok(self.span(start, self.pos - 1))
            }
            _ => Err(self.err("expected a DEFAULT value")),
        }
    }

    /// After `REFERENCES`: `table [(cols)] [ON DELETE|UPDATE action | MATCH name]…
    /// [[NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]]`.
    fn fk_clause(&mut self) -> ParseResult<ForeignKeyDef> {
        let mut fk = ForeignKeyDef {
            ref_table: self.ident()?,
            ..ForeignKeyDef::default()
        };
        if self.is_punct("(") {
            fk.ref_columns = self.name_list()?;
        }
        loop {
            if self.is_kw("ON") && (self.is_kw_n(1, "DELETE") || self.is_kw_n(1, "UPDATE")) {
                let delete = self.is_kw_n(1, "DELETE");
                self.pos += 2;
                let action = self.fk_action()?;
                if delete {
                    fk.on_delete = Some(action);
                } else {
                    fk.on_update = Some(action);
                }
            } else if self.eat_kw("MATCH") {
                fk.match_type = Some(self.ident()?.to_ascii_uppercase());
            } else if self.is_kw("NOT") && self.is_kw_n(1, "DEFERRABLE") {
                self.pos += 2;
                self.initially()?;
                fk.deferrable = false;
                fk.initially_deferred = false;
            } else if self.eat_kw("DEFERRABLE") {
                fk.deferrable = true;
                fk.initially_deferred = self.initially()?;
            } else {
                return Ok(fk);
            }
        }
    }

    /// `[INITIALLY DEFERRED|IMMEDIATE]`; true for DEFERRED.
    fn initially(&mut self) -> ParseResult<bool> {
        if self.eat_kw("INITIALLY") {
            if self.eat_kw("DEFERRED") {
                return Ok(true);
            }
            self.expect_kw("IMMEDIATE")?;
        }
        Ok(false)
    }

    fn fk_action(&mut self) -> ParseResult<String> {
        if self.eat_kw("SET") {
            if self.eat_kw("NULL") {
                return Ok("SET NULL".into());
            }
            self.expect_kw("DEFAULT")?;
            return Ok("SET DEFAULT".into());
        }
        if self.eat_kw("CASCADE") {
            return Ok("CASCADE".into());
        }
        if self.eat_kw("RESTRICT") {
            return Ok("RESTRICT".into());
        }
        if self.eat_kw("NO") {
            self.expect_kw("ACTION")?;
            return Ok("NO ACTION".into());
        }
        Err(self.err("expected a foreign key action"))
    }

    fn table_constraint(
        &mut self,
        t: &mut CreateTable,
        check_name: &mut Option<String>,
    ) -> ParseResult<()> {
        let name = if self.eat_kw("CONSTRAINT") {
            let n = self.ident()?;
            *check_name = Some(n.clone());
            if self.is_punct(",") || self.is_punct(")") {
                // A name with no constraint after it: SQLite accepts it.
                return Ok(());
            }
            Some(n)
        } else {
            None
        };
        if self.eat_kw("PRIMARY") {
            self.expect_kw("KEY")?;
            let (columns, autoincrement) = self.indexed_columns(true)?;
            self.skip_conflict_clause()?;
            if t.primary_key.is_some() {
                return Err(self.err("a second PRIMARY KEY"));
            }
            t.primary_key = Some(PrimaryKeyDef {
                name,
                columns,
                autoincrement,
                column_level: false,
                descending: false,
            });
        } else if self.eat_kw("UNIQUE") {
            let (columns, _) = self.indexed_columns(false)?;
            self.skip_conflict_clause()?;
            t.uniques.push(UniqueDef { name, columns });
        } else if self.eat_kw("CHECK") {
            let (open, close) = self.group()?;
            t.checks.push(CheckDef {
                name: name.or_else(|| check_name.clone()),
                expression: self.between(open, close),
            });
            self.skip_conflict_clause()?;
        } else if self.eat_kw("FOREIGN") {
            self.expect_kw("KEY")?;
            let columns = self.name_list()?;
            self.expect_kw("REFERENCES")?;
            let mut fk = self.fk_clause()?;
            fk.name = name;
            fk.columns = columns;
            t.foreign_keys.push(fk);
        } else {
            return Err(self.err("expected PRIMARY KEY, UNIQUE, CHECK or FOREIGN KEY"));
        }
        Ok(())
    }

    /// `( col [COLLATE x] [ASC|DESC], … [AUTOINCREMENT] )` of a PRIMARY KEY or UNIQUE constraint.
    fn indexed_columns(&mut self, allow_autoinc: bool) -> ParseResult<(Vec<String>, bool)> {
        self.expect_punct("(")?;
        let mut cols = Vec::new();
        let mut autoinc = false;
        loop {
            cols.push(self.ident()?);
            if self.eat_kw("COLLATE") {
                self.ident()?;
            }
            if !self.eat_kw("ASC") {
                self.eat_kw("DESC");
            }
            if allow_autoinc && self.eat_kw("AUTOINCREMENT") {
                autoinc = true;
            }
            if self.eat_punct(",") {
                continue;
            }
            self.expect_punct(")")?;
            return Ok((cols, autoinc));
        }
    }

    // -------------------------------------------------------------------- CREATE INDEX

    fn create_index(&mut self) -> ParseResult<CreateIndex> {
        self.expect_kw("CREATE")?;
        let unique = self.eat_kw("UNIQUE");
        self.expect_kw("INDEX")?;
        self.skip_if_not_exists();
        let name = self.object_name()?;
        self.expect_kw("ON")?;
        let table = self.ident()?;
        let (open, close) = self.group()?;
        let items = self.index_items(open, close)?;
        let predicate = if self.eat_kw("WHERE") {
            let p = self.rest();
            if p.is_empty() {
                return Err(self.err("WHERE without a predicate"));
            }
            Some(p)
        } else {
            self.finish()?;
            None
        };
        Ok(CreateIndex {
            name,
            unique,
            table,
            items,
            predicate,
        })
    }

    /// Splits the tokens strictly between `open` and `close` at top-level commas.
    fn split_items(&self, open: usize, close: usize) -> Vec<(usize, usize)> {
        let mut items = Vec::new();
        let mut depth = 0i32;
        let mut start = open + 1;
        for i in open + 1..close {
            let t = self.toks[i];
            if t.kind != TokenKind::Punct {
                continue;
            }
            match self.text(t) {
                "(" => depth += 1,
                ")" => depth -= 1,
                "," if depth == 0 => {
                    items.push((start, i));
                    start = i + 1;
                }
                _ => {}
            }
        }
        items.push((start, close));
        items
    }

    fn index_items(&self, open: usize, close: usize) -> ParseResult<Vec<IndexItem>> {
        let mut out = Vec::new();
        for (a, mut b) in self.split_items(open, close) {
            let mut item = IndexItem::default();
            if b > a && self.is_word(Some(self.toks[b - 1]), "DESC") {
                item.descending = true;
                b -= 1;
            } else if b > a && self.is_word(Some(self.toks[b - 1]), "ASC") {
                b -= 1;
            }
            if b >= a + 2 && self.is_word(Some(self.toks[b - 2]), "COLLATE") {
                item.collation = Some(unquote(self.text(self.toks[b - 1])));
                b -= 2;
            }
            if b <= a {
                return Err(ParseError(format!(
                    "empty indexed column near byte {}",
                    self.toks[a.min(close)].start
                )));
            }
            item.expression = self.span(a, b - 1);
            if b == a + 1
                && matches!(
                    self.toks[a].kind,
                    TokenKind::Word | TokenKind::QuotedIdent | TokenKind::String
                )
            {
                item.column = Some(unquote(self.text(self.toks[a])));
            }
            out.push(item);
        }
        Ok(out)
    }

    // -------------------------------------------------------------------- CREATE VIEW

    fn create_view(&mut self) -> ParseResult<CreateView> {
        self.expect_kw("CREATE")?;
        if !self.eat_kw("TEMP") {
            self.eat_kw("TEMPORARY");
        }
        self.expect_kw("VIEW")?;
        self.skip_if_not_exists();
        let name = self.object_name()?;
        let columns = if self.is_punct("(") {
            self.name_list()?
        } else {
            Vec::new()
        };
        self.expect_kw("AS")?;
        let select = self.rest();
        if select.is_empty() {
            return Err(self.err("a view without a SELECT"));
        }
        Ok(CreateView {
            name,
            columns,
            select,
        })
    }

    // -------------------------------------------------------------------- CREATE TRIGGER

    fn create_trigger(&mut self) -> ParseResult<CreateTrigger> {
        self.expect_kw("CREATE")?;
        if !self.eat_kw("TEMP") {
            self.eat_kw("TEMPORARY");
        }
        self.expect_kw("TRIGGER")?;
        self.skip_if_not_exists();
        let name = self.object_name()?;
        let timing = if self.eat_kw("BEFORE") {
            "BEFORE"
        } else if self.eat_kw("AFTER") {
            "AFTER"
        } else if self.eat_kw("INSTEAD") {
            self.expect_kw("OF")?;
            "INSTEAD OF"
        } else {
            "BEFORE"
        };
        let mut update_of = Vec::new();
        let event = if self.eat_kw("INSERT") {
            "INSERT"
        } else if self.eat_kw("DELETE") {
            "DELETE"
        } else if self.eat_kw("UPDATE") {
            if self.eat_kw("OF") {
                loop {
                    update_of.push(self.ident()?);
                    if !self.eat_punct(",") {
                        break;
                    }
                }
            }
            "UPDATE"
        } else {
            return Err(self.err("expected INSERT, UPDATE or DELETE"));
        };
        self.expect_kw("ON")?;
        let table = self.object_name()?;
        let mut for_each_row = false;
        if self.eat_kw("FOR") {
            self.expect_kw("EACH")?;
            self.expect_kw("ROW")?;
            for_each_row = true;
        }
        let when = if self.eat_kw("WHEN") {
            let start = self.pos;
            let mut depth = 0i32;
            loop {
                match self.peek() {
                    None => return Err(self.err("expected BEGIN")),
                    Some(t) if t.kind == TokenKind::Punct && self.text(t) == "(" => depth += 1,
                    Some(t) if t.kind == TokenKind::Punct && self.text(t) == ")" => depth -= 1,
                    Some(_) if depth == 0 && self.is_kw("BEGIN") => break,
                    Some(_) => {}
                }
                self.pos += 1;
            }
            if self.pos == start {
                return Err(self.err("WHEN without a condition"));
            }
            Some(self.span(start, self.pos - 1).trim().to_string())
        } else {
            None
        };
        self.expect_kw("BEGIN")?;
        let begin = self.pos - 1;
        let end = (begin + 1..self.toks.len())
            .rev()
            .find(|&i| self.is_word(Some(self.toks[i]), "END"))
            .ok_or_else(|| self.err("expected END"))?;
        let body = self.between(begin, end);
        self.pos = end + 1;
        self.finish()?;
        Ok(CreateTrigger {
            name,
            timing: timing.into(),
            event: event.into(),
            update_of,
            table,
            for_each_row,
            when,
            body,
        })
    }

    // -------------------------------------------------------------------- CREATE VIRTUAL TABLE

    fn create_virtual_table(&mut self) -> ParseResult<CreateVirtualTable> {
        self.expect_kw("CREATE")?;
        self.expect_kw("VIRTUAL")?;
        self.expect_kw("TABLE")?;
        self.skip_if_not_exists();
        let name = self.object_name()?;
        self.expect_kw("USING")?;
        let module = self.ident()?;
        Ok(CreateVirtualTable { name, module })
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

/// SQLite's keywords (<https://www.sqlite.org/lang_keywords.html>), upper case, sorted.
const KEYWORDS: &[&str] = &[
    "ABORT",
    "ACTION",
    "ADD",
    "AFTER",
    "ALL",
    "ALTER",
    "ALWAYS",
    "ANALYZE",
    "AND",
    "AS",
    "ASC",
    "ATTACH",
    "AUTOINCREMENT",
    "BEFORE",
    "BEGIN",
    "BETWEEN",
    "BY",
    "CASCADE",
    "CASE",
    "CAST",
    "CHECK",
    "COLLATE",
    "COLUMN",
    "COMMIT",
    "CONFLICT",
    "CONSTRAINT",
    "CREATE",
    "CROSS",
    "CURRENT",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "DATABASE",
    "DEFAULT",
    "DEFERRABLE",
    "DEFERRED",
    "DELETE",
    "DESC",
    "DETACH",
    "DISTINCT",
    "DO",
    "DROP",
    "EACH",
    "ELSE",
    "END",
    "ESCAPE",
    "EXCEPT",
    "EXCLUDE",
    "EXCLUSIVE",
    "EXISTS",
    "EXPLAIN",
    "FAIL",
    "FILTER",
    "FIRST",
    "FOLLOWING",
    "FOR",
    "FOREIGN",
    "FROM",
    "FULL",
    "GENERATED",
    "GLOB",
    "GROUP",
    "GROUPS",
    "HAVING",
    "IF",
    "IGNORE",
    "IMMEDIATE",
    "IN",
    "INDEX",
    "INDEXED",
    "INITIALLY",
    "INNER",
    "INSERT",
    "INSTEAD",
    "INTERSECT",
    "INTO",
    "IS",
    "ISNULL",
    "JOIN",
    "KEY",
    "LAST",
    "LEFT",
    "LIKE",
    "LIMIT",
    "MATCH",
    "MATERIALIZED",
    "NATURAL",
    "NO",
    "NOT",
    "NOTHING",
    "NOTNULL",
    "NULL",
    "NULLS",
    "OF",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "OTHERS",
    "OUTER",
    "OVER",
    "PARTITION",
    "PLAN",
    "PRAGMA",
    "PRECEDING",
    "PRIMARY",
    "QUERY",
    "RAISE",
    "RANGE",
    "RECURSIVE",
    "REFERENCES",
    "REGEXP",
    "REINDEX",
    "RELEASE",
    "RENAME",
    "REPLACE",
    "RESTRICT",
    "RETURNING",
    "RIGHT",
    "ROLLBACK",
    "ROW",
    "ROWS",
    "SAVEPOINT",
    "SELECT",
    "SET",
    "TABLE",
    "TEMP",
    "TEMPORARY",
    "THEN",
    "TIES",
    "TO",
    "TRANSACTION",
    "TRIGGER",
    "UNBOUNDED",
    "UNION",
    "UNIQUE",
    "UPDATE",
    "USING",
    "VACUUM",
    "VALUES",
    "VIEW",
    "VIRTUAL",
    "WHEN",
    "WHERE",
    "WINDOW",
    "WITH",
    "WITHOUT",
];

/// Whether `word` is an SQLite keyword (any case).
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS
        .binary_search(&word.to_ascii_uppercase().as_str())
        .is_ok()
}

/// A name as SQL text: bare when it is a plain word that is not a keyword, else double-quoted.
pub fn display_ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !is_keyword(name);
    if plain {
        name.to_string()
    } else {
        crate::dialect::quote::lite::id(name)
    }
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

    #[test]
    fn chinook_style_table() {
        let t = parse_create_table(
            "CREATE TABLE [Album]\n(\n    [AlbumId] INTEGER  NOT NULL,\n    [Title] NVARCHAR(160)  NOT NULL,\n    \
             [ArtistId] INTEGER  NOT NULL,\n    CONSTRAINT [PK_Album] PRIMARY KEY  ([AlbumId]),\n    \
             FOREIGN KEY ([ArtistId]) REFERENCES [Artist] ([ArtistId]) \n\t\tON DELETE NO ACTION ON UPDATE NO ACTION\n)",
        )
        .unwrap();
        assert_eq!(t.name, "Album");
        assert_eq!(
            t.columns
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            ["AlbumId", "Title", "ArtistId"]
        );
        assert_eq!(t.columns[1].declared_type, "NVARCHAR(160)");
        assert!(t.columns[1].not_null);
        let pk = t.primary_key.unwrap();
        assert_eq!(pk.name.as_deref(), Some("PK_Album"));
        assert_eq!(pk.columns, ["AlbumId"]);
        assert!(!pk.column_level);
        assert_eq!(t.foreign_keys.len(), 1);
        let fk = &t.foreign_keys[0];
        assert_eq!(fk.name, None);
        assert_eq!(fk.columns, ["ArtistId"]);
        assert_eq!(fk.ref_table, "Artist");
        assert_eq!(fk.ref_columns, ["ArtistId"]);
        assert_eq!(fk.on_delete.as_deref(), Some("NO ACTION"));
        assert_eq!(fk.on_update.as_deref(), Some("NO ACTION"));
    }

    #[test]
    fn quoted_unicode_and_reserved_names() {
        let t = parse_create_table(
            "CREATE TABLE \"Order Items\" (\"order\" INTEGER PRIMARY KEY, \"select\" TEXT, \
             \"a\"\"b\" INT, [größe] REAL, `x``y` BLOB, 'lit' TEXT, größe2 NUMERIC(10, 2))",
        )
        .unwrap();
        assert_eq!(t.name, "Order Items");
        assert_eq!(
            t.columns
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            ["order", "select", "a\"b", "größe", "x`y", "lit", "größe2"]
        );
        assert_eq!(t.columns[6].declared_type, "NUMERIC(10, 2)");
        assert_eq!(t.primary_key.unwrap().columns, ["order"]);
    }

    #[test]
    fn checks_with_nested_parens_strings_and_comments() {
        let t = parse_create_table(
            "CREATE TABLE t (\n  a INT CHECK (a > (1 + (2))) -- the ) in a comment\n, \
             b TEXT CONSTRAINT b_ok CHECK (b <> ')' /* ( */ AND length(b) < 10),\n  \
             CHECK ((a)), CONSTRAINT two CHECK (a != 2)\n)",
        )
        .unwrap();
        assert_eq!(t.checks.len(), 4);
        assert_eq!(t.checks[0].name, None);
        assert_eq!(t.checks[0].expression, "a > (1 + (2))");
        assert_eq!(t.checks[1].name.as_deref(), Some("b_ok"));
        assert_eq!(
            t.checks[1].expression,
            "b <> ')' /* ( */ AND length(b) < 10"
        );
        assert_eq!(t.checks[2].expression, "(a)");
        assert_eq!(t.checks[3].name.as_deref(), Some("two"));
    }

    #[test]
    fn column_constraints() {
        let t = parse_create_table(
            "CREATE TABLE s (id INTEGER CONSTRAINT s_pk PRIMARY KEY ASC ON CONFLICT ROLLBACK AUTOINCREMENT, \
             name TEXT NOT NULL COLLATE NOCASE DEFAULT 'x''y' UNIQUE, \
             n INT DEFAULT -1 NULL, d TEXT DEFAULT (datetime('now')), e DEFAULT CURRENT_TIMESTAMP, \
             g INT GENERATED ALWAYS AS (id * 2) VIRTUAL, h TEXT AS (upper(name)) STORED, \
             k INT AS (n+1), \
             p INT CONSTRAINT p_fk REFERENCES parent ON DELETE SET NULL NOT NULL, \
             q INT REFERENCES parent(x, y) MATCH FULL DEFERRABLE INITIALLY DEFERRED) STRICT, WITHOUT ROWID;",
        )
        .unwrap();
        assert!(t.strict && t.without_rowid);
        let pk = t.primary_key.clone().unwrap();
        assert_eq!(pk.name.as_deref(), Some("s_pk"));
        assert!(pk.autoincrement && pk.column_level && !pk.descending);
        let c = |n: &str| t.columns.iter().find(|c| c.name == n).unwrap().clone();
        assert_eq!(c("name").collation.as_deref(), Some("NOCASE"));
        assert_eq!(c("name").default.as_deref(), Some("'x''y'"));
        assert!(c("name").not_null);
        assert_eq!(c("n").default.as_deref(), Some("-1"));
        assert!(!c("n").not_null);
        assert_eq!(c("d").default.as_deref(), Some("(datetime('now'))"));
        assert_eq!(c("e").declared_type, "");
        assert_eq!(c("e").default.as_deref(), Some("CURRENT_TIMESTAMP"));
        assert_eq!(
            c("g").generated,
            Some(GeneratedDef {
                expression: "id * 2".into(),
                stored: false
            })
        );
        assert_eq!(c("g").declared_type, "INT");
        assert_eq!(
            c("h").generated,
            Some(GeneratedDef {
                expression: "upper(name)".into(),
                stored: true
            })
        );
        assert!(!c("k").generated.unwrap().stored);
        assert!(c("p").not_null);
        assert_eq!(t.uniques.len(), 1);
        assert_eq!(t.uniques[0].columns, ["name"]);
        assert_eq!(t.foreign_keys.len(), 2);
        let p = &t.foreign_keys[0];
        assert_eq!(p.name.as_deref(), Some("p_fk"));
        assert_eq!(p.columns, ["p"]);
        assert!(p.ref_columns.is_empty());
        assert_eq!(p.on_delete.as_deref(), Some("SET NULL"));
        assert!(!p.deferrable);
        let q = &t.foreign_keys[1];
        assert_eq!(q.ref_columns, ["x", "y"]);
        assert_eq!(q.match_type.as_deref(), Some("FULL"));
        assert!(q.deferrable && q.initially_deferred);
    }

    #[test]
    fn table_constraints() {
        let t = parse_create_table(
            "CREATE TABLE IF NOT EXISTS main.t (a, b, c,
               CONSTRAINT pk PRIMARY KEY (a COLLATE NOCASE DESC, b) ON CONFLICT ABORT
               CONSTRAINT u1 UNIQUE (b, c), UNIQUE (c),
               CONSTRAINT fk FOREIGN KEY (a, b) REFERENCES \"p q\" ([x], \"y\") ON UPDATE CASCADE
                 NOT DEFERRABLE INITIALLY DEFERRED,
               FOREIGN KEY (c) REFERENCES r DEFERRABLE,
               CONSTRAINT lonely)",
        )
        .unwrap();
        assert_eq!(t.name, "t");
        let pk = t.primary_key.unwrap();
        assert_eq!(pk.name.as_deref(), Some("pk"));
        assert_eq!(pk.columns, ["a", "b"]);
        assert_eq!(
            t.uniques,
            vec![
                UniqueDef {
                    name: Some("u1".into()),
                    columns: vec!["b".into(), "c".into()]
                },
                UniqueDef {
                    name: None,
                    columns: vec!["c".into()]
                }
            ]
        );
        let fk = &t.foreign_keys[0];
        assert_eq!(fk.name.as_deref(), Some("fk"));
        assert_eq!(fk.ref_table, "p q");
        assert_eq!(fk.ref_columns, ["x", "y"]);
        assert_eq!(fk.on_update.as_deref(), Some("CASCADE"));
        assert!(!fk.deferrable && !fk.initially_deferred);
        let fk = &t.foreign_keys[1];
        assert!(fk.deferrable && !fk.initially_deferred);
    }

    #[test]
    fn check_names_carry_over_like_sqlite() {
        // SQLite reports "CHECK constraint failed: c1" for a = 0 and "n1" for b = 0.
        let t = parse_create_table(
            "CREATE TABLE t (a INT CONSTRAINT c1 NOT NULL CHECK (a > 0), b INT CHECK (b > 0), \
             c INT, CONSTRAINT n1 UNIQUE (c) CHECK (b < 9), CHECK (c < 10))",
        )
        .unwrap();
        let names: Vec<Option<&str>> = t.checks.iter().map(|c| c.name.as_deref()).collect();
        assert_eq!(names, [Some("c1"), None, Some("n1"), None]);
        assert_eq!(t.uniques[0].name.as_deref(), Some("n1"));
        assert_eq!(t.primary_key, None);
    }

    #[test]
    fn table_level_autoincrement_and_keyword_names() {
        let t = parse_create_table(
            "CREATE TABLE t(id INTEGER, key TEXT, action INT, PRIMARY KEY(id AUTOINCREMENT))",
        )
        .unwrap();
        assert!(t.primary_key.unwrap().autoincrement);
        assert_eq!(t.columns[1].name, "key");
        assert_eq!(t.columns[2].name, "action");
    }

    #[test]
    fn bad_tables_are_errors() {
        assert!(parse_create_table("CREATE TABLE t (a INT").is_err());
        assert!(parse_create_table("CREATE TABLE t (a INT CHECK (a > 1)").is_err());
        assert!(parse_create_table("CREATE TABLE t AS SELECT 1").is_err());
        assert!(parse_create_table("CREATE TABLE t (PRIMARY KEY (a), b INT)").is_err());
        assert!(parse_create_table("CREATE TABLE t (a) garbage").is_err());
    }

    #[test]
    fn indexes() {
        let i = parse_create_index(
            "CREATE UNIQUE INDEX \"ix one\" ON \"Order Items\" (lower(name) COLLATE NOCASE DESC, [qty] ASC, \"a\"\"b\", x + (y, z)) WHERE qty > 0 AND (name <> ')');",
        )
        .unwrap();
        assert!(i.unique);
        assert_eq!(i.name, "ix one");
        assert_eq!(i.table, "Order Items");
        assert_eq!(i.items.len(), 4);
        assert_eq!(i.items[0].expression, "lower(name)");
        assert_eq!(i.items[0].collation.as_deref(), Some("NOCASE"));
        assert!(i.items[0].descending);
        assert_eq!(i.items[0].column, None);
        assert_eq!(i.items[1].column.as_deref(), Some("qty"));
        assert!(!i.items[1].descending);
        assert_eq!(i.items[2].column.as_deref(), Some("a\"b"));
        assert_eq!(i.items[3].expression, "x + (y, z)");
        assert_eq!(i.predicate.as_deref(), Some("qty > 0 AND (name <> ')')"));
        let i = parse_create_index("CREATE INDEX i ON t(a)").unwrap();
        assert_eq!(i.predicate, None);
        assert!(!i.unique);
    }

    #[test]
    fn views() {
        let v = parse_create_view("CREATE VIEW \"v x\"(a, [b]) AS\n  SELECT 1, 2 ;").unwrap();
        assert_eq!(v.name, "v x");
        assert_eq!(v.columns, ["a", "b"]);
        assert_eq!(v.select, "SELECT 1, 2");
        let v = parse_create_view("CREATE VIEW v AS /* c */ SELECT * FROM t").unwrap();
        assert_eq!(v.select, "/* c */ SELECT * FROM t");
    }

    #[test]
    fn triggers() {
        let t = parse_create_trigger(
            "CREATE TRIGGER trg AFTER UPDATE OF qty, \"unit price\" ON \"Order Items\" FOR EACH ROW \
             WHEN new.qty > (SELECT 1) AND old.note <> 'BEGIN' BEGIN\n  UPDATE t SET x = CASE WHEN 1 THEN 2 END;\n  SELECT 'END';\nEND",
        )
        .unwrap();
        assert_eq!(t.name, "trg");
        assert_eq!(t.timing, "AFTER");
        assert_eq!(t.event, "UPDATE");
        assert_eq!(t.update_of, ["qty", "unit price"]);
        assert_eq!(t.table, "Order Items");
        assert!(t.for_each_row);
        assert_eq!(
            t.when.as_deref(),
            Some("new.qty > (SELECT 1) AND old.note <> 'BEGIN'")
        );
        assert_eq!(
            t.body,
            "UPDATE t SET x = CASE WHEN 1 THEN 2 END;\n  SELECT 'END';"
        );
        let t = parse_create_trigger(
            "CREATE TRIGGER v_ins INSTEAD OF INSERT ON v BEGIN INSERT INTO t VALUES (new.a); END",
        )
        .unwrap();
        assert_eq!(t.timing, "INSTEAD OF");
        assert_eq!(t.event, "INSERT");
        assert_eq!(t.when, None);
        assert!(!t.for_each_row);
        let t = parse_create_trigger("CREATE TRIGGER d DELETE ON t BEGIN SELECT 1; END;").unwrap();
        assert_eq!(t.timing, "BEFORE");
        assert_eq!(t.event, "DELETE");
    }

    #[test]
    fn keywords_and_display() {
        assert!(
            KEYWORDS.windows(2).all(|w| w[0] < w[1]),
            "KEYWORDS must stay sorted"
        );
        assert!(is_keyword("select") && is_keyword("Order") && !is_keyword("qty"));
        assert_eq!(display_ident("qty"), "qty");
        assert_eq!(display_ident("select"), "\"select\"");
        assert_eq!(display_ident("unit price"), "\"unit price\"");
        assert_eq!(display_ident("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn virtual_tables() {
        let v =
            parse_create_virtual_table("CREATE VIRTUAL TABLE \"docs\"   using fts5(a, b)").unwrap();
        assert_eq!(v.name, "docs");
        assert_eq!(v.module, "fts5");
        assert!(is_virtual_table(
            "CREATE VIRTUAL TABLE x USING rtree(id, a, b)"
        ));
        assert!(!is_virtual_table("CREATE TABLE \"virtual\"(a)"));
    }
}
