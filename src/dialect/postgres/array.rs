//! PostgreSQL array literals as the server prints them (`{1,2,NULL}`, `{{"a b",c},{d,e}}`,
//! `[0:1]={x,y}`), read into nested [`Value::Array`]s of element texts. Dialect knowledge: the
//! model only knows the canonical [`Value`]; the reader coerces the elements into the element
//! family.

use crate::model::rows::Value;

/// Parses PostgreSQL's array output (`{1,2,NULL}`, `{{"a b",c},{d,e}}`, `[0:1]={x,y}`) into
/// nested arrays of element texts (`Value::Text`) and NULLs; the caller coerces the elements into
/// the element family. `None` when the text is not an array literal.
pub fn parse_pg_array(s: &str) -> Option<Value> {
    let s = s.trim();
    let s = match s.find('=') {
        Some(i) if s.starts_with('[') => &s[i + 1..],
        _ => s,
    };
    let b = s.as_bytes();
    let mut pos = 0;
    let v = parse_pg_array_at(b, &mut pos)?;
    (pos == b.len()).then_some(v)
}

fn parse_pg_array_at(b: &[u8], pos: &mut usize) -> Option<Value> {
    if b.get(*pos) != Some(&b'{') {
        return None;
    }
    *pos += 1;
    let mut items = Vec::new();
    if b.get(*pos) == Some(&b'}') {
        *pos += 1;
        return Some(Value::Array(items));
    }
    loop {
        match b.get(*pos)? {
            b'{' => items.push(parse_pg_array_at(b, pos)?),
            b'"' => {
                *pos += 1;
                let mut out = Vec::new();
                loop {
                    match *b.get(*pos)? {
                        b'\\' => {
                            out.push(*b.get(*pos + 1)?);
                            *pos += 2;
                        }
                        b'"' => {
                            *pos += 1;
                            break;
                        }
                        x => {
                            out.push(x);
                            *pos += 1;
                        }
                    }
                }
                items.push(Value::Text(String::from_utf8(out).ok()?));
            }
            _ => {
                let start = *pos;
                while !matches!(b.get(*pos)?, b',' | b'}') {
                    *pos += 1;
                }
                let raw = std::str::from_utf8(&b[start..*pos]).ok()?.trim();
                if raw.eq_ignore_ascii_case("NULL") {
                    items.push(Value::Null);
                } else {
                    items.push(Value::Text(raw.to_string()));
                }
            }
        }
        match b.get(*pos)? {
            b',' => *pos += 1,
            b'}' => {
                *pos += 1;
                return Some(Value::Array(items));
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn pg_arrays_parse() {
        assert_eq!(
            parse_pg_array("{1,NULL,\"a b\",\"q\\\"x\"}"),
            Some(Value::Array(vec![t("1"), Value::Null, t("a b"), t("q\"x")]))
        );
        assert_eq!(
            parse_pg_array("{{1,2},{3,4}}"),
            Some(Value::Array(vec![
                Value::Array(vec![t("1"), t("2")]),
                Value::Array(vec![t("3"), t("4")])
            ]))
        );
        assert_eq!(parse_pg_array("{}"), Some(Value::Array(vec![])));
        assert_eq!(
            parse_pg_array("[0:1]={x,\"NULL\"}"),
            Some(Value::Array(vec![t("x"), t("NULL")]))
        );
        assert!(parse_pg_array("{1,2").is_none());
    }
}
