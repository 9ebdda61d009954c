//! `CREATE TABLE`: column definitions and their constraints, table constraints, the table options
//! (`WITHOUT ROWID`, `STRICT`).

use super::{
    CheckDef, ColumnDef, CreateTable, ForeignKeyDef, GeneratedDef, ParseResult, Parser,
    PrimaryKeyDef, TokenKind, UniqueDef,
};

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

impl Parser<'_> {
    pub(super) fn create_table(&mut self) -> ParseResult<CreateTable> {
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
}

#[cfg(test)]
mod tests {
    use super::super::*;

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
}
