//! `CREATE INDEX`, `CREATE VIEW`, `CREATE TRIGGER` and `CREATE VIRTUAL TABLE`.

use super::{
    CreateIndex, CreateTrigger, CreateView, CreateVirtualTable, IndexItem, ParseError, ParseResult,
    Parser, TokenKind, unquote,
};

impl Parser<'_> {
    pub(super) fn create_index(&mut self) -> ParseResult<CreateIndex> {
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

    pub(super) fn create_view(&mut self) -> ParseResult<CreateView> {
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

    pub(super) fn create_trigger(&mut self) -> ParseResult<CreateTrigger> {
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

    pub(super) fn create_virtual_table(&mut self) -> ParseResult<CreateVirtualTable> {
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

#[cfg(test)]
mod tests {
    use super::super::*;

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
