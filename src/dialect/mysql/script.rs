//! Splitting a script into statements as the `mysql` / `mariadb` client does: statements end at
//! the current delimiter (`;`, or what a `DELIMITER` line sets) outside quotes and comments.
//! Used when a person edited `up.sql` and apply runs it as edited.

/// The statements of `script`, without their delimiters, empty ones dropped.
pub fn statements(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut delim = ";".to_string();
    let mut cur = String::new();
    for line in script.split_inclusive('\n') {
        let trimmed = line.trim();
        if cur.trim().is_empty() {
            if let Some(rest) = strip_keyword(trimmed, "DELIMITER") {
                let d = rest.trim();
                if !d.is_empty() {
                    delim = d.to_string();
                }
                cur.clear();
                continue;
            }
        }
        cur.push_str(line);
        // Cut every complete statement out of what has been read so far.
        while let Some(end) = find_delimiter(&cur, &delim) {
            let stmt = cur[..end].trim().to_string();
            if !stmt.is_empty() {
                out.push(stmt);
            }
            cur = cur[end + delim.len()..].to_string();
        }
    }
    let rest = cur.trim();
    if !rest.is_empty() && !is_comment_only(rest) {
        out.push(rest.to_string());
    }
    out
}

fn strip_keyword<'a>(s: &'a str, kw: &str) -> Option<&'a str> {
    let head = s.get(..kw.len())?;
    let rest = &s[kw.len()..];
    (head.eq_ignore_ascii_case(kw) && rest.starts_with(char::is_whitespace)).then_some(rest)
}

fn is_comment_only(s: &str) -> bool {
    s.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with("--") || t.starts_with('#')
    })
}

/// Byte offset of the first `delim` outside quotes and comments.
fn find_delimiter(s: &str, delim: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < b.len() {
                    if b[i] == b'\\' && q != b'`' {
                        i += 2;
                        continue;
                    }
                    if b[i] == q {
                        // A doubled quote stands for itself.
                        if b.get(i + 1) == Some(&q) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'-' if b.get(i + 1) == Some(&b'-')
                && b.get(i + 2).is_none_or(|c| c.is_ascii_whitespace()) =>
            {
                i = skip_line(b, i);
            }
            b'#' => i = skip_line(b, i),
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            _ => {
                if s[i..].starts_with(delim) {
                    return Some(i);
                }
                i += 1;
            }
        }
    }
    None
}

fn skip_line(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i] != b'\n' {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_the_client() {
        let script = "ALTER TABLE `a` ADD COLUMN `b` int;\n\
                      -- a comment; not a statement\n\
                      INSERT INTO t VALUES ('x;y', \"it''s\");\n\
                      DELIMITER $$\n\
                      CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END$$\n\
                      DELIMITER ;\n\
                      DROP VIEW v;";
        let s = statements(script);
        assert_eq!(s.len(), 4, "{s:?}");
        assert_eq!(s[0], "ALTER TABLE `a` ADD COLUMN `b` int");
        assert!(s[1].contains("'x;y'"), "{s:?}");
        assert!(
            s[2].starts_with("CREATE TRIGGER") && s[2].ends_with("END"),
            "{s:?}"
        );
        assert_eq!(s[3], "DROP VIEW v");
        assert!(statements("-- nothing\n").is_empty());
    }
}
