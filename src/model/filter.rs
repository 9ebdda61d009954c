//! Include/exclude filters on schema and table names (glob patterns).

use globset::{Glob, GlobSet, GlobSetBuilder};

/// Which schemas and tables an introspection keeps. Empty include lists mean "everything".
///
/// Table patterns match the bare name (`orders`, `order_*`) or the qualified name (`public.orders`,
/// `sales.*`).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    include_schemas: Option<GlobSet>,
    exclude_schemas: Option<GlobSet>,
    include_tables: Option<GlobSet>,
    exclude_tables: Option<GlobSet>,
    patterns: Vec<String>,
}

impl Filter {
    /// Builds a filter; returns a message naming the bad pattern when one does not parse.
    pub fn new(
        include_schemas: &[String],
        exclude_schemas: &[String],
        include_tables: &[String],
        exclude_tables: &[String],
    ) -> Result<Filter, String> {
        let mut patterns = Vec::new();
        for (label, list) in [
            ("schema", include_schemas),
            ("!schema", exclude_schemas),
            ("table", include_tables),
            ("!table", exclude_tables),
        ] {
            for p in list {
                patterns.push(format!("{label}:{p}"));
            }
        }
        Ok(Filter {
            include_schemas: build(include_schemas)?,
            exclude_schemas: build(exclude_schemas)?,
            include_tables: build(include_tables)?,
            exclude_tables: build(exclude_tables)?,
            patterns,
        })
    }

    /// True when no pattern was given.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The patterns as given, for manifests and messages (`table:album`, `!schema:audit`).
    pub fn describe(&self) -> &[String] {
        &self.patterns
    }

    /// The filter [`Filter::describe`] described.
    pub fn from_patterns(patterns: &[String]) -> Result<Filter, String> {
        let (mut s, mut xs, mut t, mut xt) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for p in patterns {
            let (list, rest) = if let Some(r) = p.strip_prefix("!schema:") {
                (&mut xs, r)
            } else if let Some(r) = p.strip_prefix("schema:") {
                (&mut s, r)
            } else if let Some(r) = p.strip_prefix("!table:") {
                (&mut xt, r)
            } else if let Some(r) = p.strip_prefix("table:") {
                (&mut t, r)
            } else {
                return Err(format!("'{p}' is not a filter pattern"));
            };
            list.push(rest.to_string());
        }
        Filter::new(&s, &xs, &t, &xt)
    }

    pub fn schema_matches(&self, schema: &str) -> bool {
        if let Some(ex) = &self.exclude_schemas {
            if ex.is_match(schema) {
                return false;
            }
        }
        match &self.include_schemas {
            Some(inc) => inc.is_match(schema),
            None => true,
        }
    }

    /// Whether a table (or view, or other relation) is kept.
    pub fn table_matches(&self, schema: &str, name: &str) -> bool {
        if !self.schema_matches(schema) {
            return false;
        }
        let qualified = format!("{schema}.{name}");
        if let Some(ex) = &self.exclude_tables {
            if ex.is_match(name) || ex.is_match(&qualified) {
                return false;
            }
        }
        match &self.include_tables {
            Some(inc) => inc.is_match(name) || inc.is_match(&qualified),
            None => true,
        }
    }
}

fn build(patterns: &[String]) -> Result<Option<GlobSet>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let g = Glob::new(p).map_err(|e| format!("bad name pattern '{p}': {e}"))?;
        b.add(g);
    }
    b.build()
        .map(Some)
        .map_err(|e| format!("bad name pattern: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn include_and_exclude() {
        let f = Filter::new(&s(&["public"]), &[], &s(&["order*"]), &s(&["*_old"])).unwrap();
        assert!(f.table_matches("public", "orders"));
        assert!(!f.table_matches("public", "orders_old"));
        assert!(!f.table_matches("sales", "orders"));
        assert!(!f.table_matches("public", "customer"));
        let f = Filter::new(&[], &s(&["audit"]), &s(&["public.*"]), &[]).unwrap();
        assert!(f.table_matches("public", "x"));
        assert!(!f.table_matches("other", "x"));
        assert!(!f.schema_matches("audit"));
    }

    #[test]
    fn patterns_round_trip() {
        let f = Filter::new(&s(&["public"]), &s(&["audit"]), &s(&["a*"]), &s(&["*_old"])).unwrap();
        let g = Filter::from_patterns(f.describe()).unwrap();
        assert_eq!(g.describe(), f.describe());
        assert!(g.table_matches("public", "album") && !g.table_matches("public", "album_old"));
        assert!(Filter::from_patterns(&s(&["bogus"])).is_err());
    }

    #[test]
    fn bad_pattern_is_an_error() {
        assert!(Filter::new(&s(&["a[b"]), &[], &[], &[]).is_err());
    }
}
