//! Include/exclude filters on schema and table names (glob patterns).
//!
//! Names compare as the database compares them: case-insensitively on MySQL/MariaDB (table names
//! as people type them) and SQLite (identifiers ignore case), exactly on PostgreSQL (a quoted name
//! keeps its case). [`Filter::for_dialect`] gives the filter for one side; [`Filter::unmatched`]
//! finds an include pattern that selects nothing, with the nearest names, so that a typo is an
//! error instead of an empty comparison.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use super::catalog::{Catalog, Dialect};

/// One list of patterns, compiled twice: as written and ignoring case.
#[derive(Debug, Clone)]
struct Patterns {
    text: Vec<String>,
    exact: GlobSet,
    folded: GlobSet,
}

impl Patterns {
    fn set(&self, fold_case: bool) -> &GlobSet {
        if fold_case { &self.folded } else { &self.exact }
    }
}

/// Which schemas and tables an introspection keeps. Empty include lists mean "everything".
///
/// Table patterns match the bare name (`orders`, `order_*`) or the qualified name (`public.orders`,
/// `sales.*`).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    include_schemas: Option<Patterns>,
    exclude_schemas: Option<Patterns>,
    include_tables: Option<Patterns>,
    exclude_tables: Option<Patterns>,
    patterns: Vec<String>,
    /// Names compare ignoring case (see [`Filter::for_dialect`]).
    fold_case: bool,
}

/// What an include pattern must find for [`Filter::unmatched`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relations {
    /// Tables only (the row diff compares tables).
    Tables,
    /// Tables and views, materialized or not (schema work).
    TablesAndViews,
}

/// Which flag a pattern came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternKind {
    Schema,
    Table,
}

/// An include pattern that selects nothing, with the names nearest to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    pub kind: PatternKind,
    pub pattern: String,
    pub relations: Relations,
    /// Up to three names, nearest first.
    pub nearest: Vec<String>,
    /// A nearest name differs from the pattern only in case, on a side that compares names
    /// exactly (PostgreSQL).
    pub case_differs: bool,
    /// Schema patterns were given too (they narrow where table patterns look).
    pub schema_filtered: bool,
    /// Only tables were wanted, and the pattern matches views: these.
    pub views: Vec<String>,
}

impl Unmatched {
    /// One line for the user: `table_flag` is how the command spells its table pattern flag
    /// (`--table`, `--tables`), `place` where nothing was found (`SOURCE or TARGET`, a URL).
    pub fn message(&self, table_flag: &str, place: &str) -> String {
        let (flag, what) = match (self.kind, self.relations) {
            (PatternKind::Schema, _) => ("--schema", "schema"),
            (PatternKind::Table, Relations::Tables) => (table_flag, "table"),
            (PatternKind::Table, Relations::TablesAndViews) => (table_flag, "table or view"),
        };
        let scope = if self.kind == PatternKind::Table && self.schema_filtered {
            " (in the schemas selected)"
        } else {
            ""
        };
        let mut s = format!(
            "{flag} '{}' matches no {what} in {place}{scope}",
            self.pattern
        );
        if !self.views.is_empty() {
            s.push_str(&format!(
                ", only the view{} {}: rows are compared in tables",
                if self.views.len() == 1 { "" } else { "s" },
                self.views.join(", ")
            ));
            return s;
        }
        if self.nearest.is_empty() {
            s.push_str(", and no name is close to it: check the spelling (`sluice inspect` lists the names)");
        } else {
            s.push_str("; nearest: ");
            s.push_str(&self.nearest.join(", "));
            if self.case_differs {
                s.push_str(" (PostgreSQL names are case-sensitive)");
            }
        }
        s
    }
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
            fold_case: false,
        })
    }

    /// The filter as `dialect` compares names: ignoring case on MySQL/MariaDB and SQLite, exactly
    /// on PostgreSQL (and when the dialect is not known).
    pub fn for_dialect(&self, dialect: Option<Dialect>) -> Filter {
        Filter {
            fold_case: folds_case(dialect),
            ..self.clone()
        }
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
        schema_matches(self, schema, self.fold_case)
    }

    /// Whether a table (or view, or other relation) is kept.
    pub fn table_matches(&self, schema: &str, name: &str) -> bool {
        if !self.schema_matches(schema) {
            return false;
        }
        let qualified = format!("{schema}.{name}");
        if let Some(ex) = &self.exclude_tables {
            let ex = ex.set(self.fold_case);
            if ex.is_match(name) || ex.is_match(&qualified) {
                return false;
            }
        }
        match &self.include_tables {
            Some(inc) => {
                let inc = inc.set(self.fold_case);
                inc.is_match(name) || inc.is_match(&qualified)
            }
            None => true,
        }
    }

    /// The first include pattern (schemas first, then tables, in the order given) that selects
    /// nothing in any of `catalogs`, each compared as its dialect compares names. A table pattern
    /// looks in the schemas the schema patterns keep; exclude patterns are not consulted (a
    /// pattern whose every match is excluded did match). `None` when every pattern finds
    /// something. The catalogs may be filtered already (then a miss is only a hint: what the
    /// filter left out is not there to be found) or complete (then a miss is certain, and the
    /// nearest names are the best there are).
    pub fn unmatched(&self, catalogs: &[&Catalog], relations: Relations) -> Option<Unmatched> {
        if let Some(inc) = &self.include_schemas {
            for (i, pattern) in inc.text.iter().enumerate() {
                let found = catalogs.iter().any(|c| {
                    let set = inc.set(folds_case(c.dialect));
                    c.schemas.iter().any(|s| set.matches(&s.name).contains(&i))
                });
                if !found {
                    let names = catalogs
                        .iter()
                        .flat_map(|c| c.schemas.iter().map(|s| s.name.clone()));
                    return Some(self.miss(
                        PatternKind::Schema,
                        pattern,
                        relations,
                        names,
                        catalogs,
                    ));
                }
            }
        }
        if let Some(inc) = &self.include_tables {
            for (i, pattern) in inc.text.iter().enumerate() {
                let found = catalogs.iter().any(|c| {
                    let fold = folds_case(c.dialect);
                    let set = inc.set(fold);
                    relation_names(c, relations).any(|(schema, name)| {
                        schema_matches(self, schema, fold)
                            && (set.matches(name).contains(&i)
                                || set.matches(format!("{schema}.{name}")).contains(&i))
                    })
                });
                if !found {
                    let views = if relations == Relations::Tables {
                        self.views_matching(i, catalogs)
                    } else {
                        Vec::new()
                    };
                    let qualified = pattern.contains('.');
                    let names: Vec<String> = catalogs
                        .iter()
                        .flat_map(|c| relation_names(c, relations))
                        .map(|(schema, name)| {
                            if qualified {
                                format!("{schema}.{name}")
                            } else {
                                name.to_string()
                            }
                        })
                        .collect();
                    let mut miss = self.miss(
                        PatternKind::Table,
                        pattern,
                        relations,
                        names.into_iter(),
                        catalogs,
                    );
                    miss.views = views;
                    return Some(miss);
                }
            }
        }
        None
    }

    /// The views (qualified, up to three) that table pattern `i` matches.
    fn views_matching(&self, i: usize, catalogs: &[&Catalog]) -> Vec<String> {
        let Some(inc) = &self.include_tables else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for c in catalogs {
            let fold = folds_case(c.dialect);
            let set = inc.set(fold);
            for s in &c.schemas {
                if !schema_matches(self, &s.name, fold) {
                    continue;
                }
                for v in &s.views {
                    let q = format!("{}.{}", s.name, v.name);
                    if (set.matches(&v.name).contains(&i) || set.matches(&q).contains(&i))
                        && !out.contains(&q)
                        && out.len() < 3
                    {
                        out.push(q);
                    }
                }
            }
        }
        out
    }

    fn miss(
        &self,
        kind: PatternKind,
        pattern: &str,
        relations: Relations,
        names: impl Iterator<Item = String>,
        catalogs: &[&Catalog],
    ) -> Unmatched {
        let nearest = nearest(pattern, names);
        let exact_side = catalogs.iter().any(|c| !folds_case(c.dialect));
        let case_differs = exact_side && nearest.iter().any(|n| glob_ignoring_case(pattern, n));
        Unmatched {
            kind,
            pattern: pattern.to_string(),
            relations,
            nearest,
            case_differs,
            schema_filtered: self.include_schemas.is_some() || self.exclude_schemas.is_some(),
            views: Vec::new(),
        }
    }
}

fn folds_case(dialect: Option<Dialect>) -> bool {
    matches!(dialect, Some(Dialect::Mysql | Dialect::Sqlite))
}

fn schema_matches(f: &Filter, schema: &str, fold_case: bool) -> bool {
    if let Some(ex) = &f.exclude_schemas {
        if ex.set(fold_case).is_match(schema) {
            return false;
        }
    }
    match &f.include_schemas {
        Some(inc) => inc.set(fold_case).is_match(schema),
        None => true,
    }
}

/// Every table (and view, when asked) of a catalog with its schema.
fn relation_names(c: &Catalog, relations: Relations) -> impl Iterator<Item = (&str, &str)> {
    c.schemas.iter().flat_map(move |s| {
        let views = s
            .views
            .iter()
            .filter(move |_| relations == Relations::TablesAndViews)
            .map(|v| v.name.as_str());
        s.tables
            .iter()
            .map(|t| t.name.as_str())
            .chain(views)
            .map(move |n| (s.name.as_str(), n))
    })
}

fn glob_ignoring_case(pattern: &str, name: &str) -> bool {
    GlobBuilder::new(pattern)
        .case_insensitive(true)
        .build()
        .is_ok_and(|g| g.compile_matcher().is_match(name))
}

/// Up to three names nearest to `pattern`: those it matches ignoring case first, then those
/// containing it (or contained in it), then those a few edits away; ties by name.
fn nearest(pattern: &str, names: impl Iterator<Item = String>) -> Vec<String> {
    let p = pattern.to_lowercase();
    let plen = p.chars().count();
    let max_edits = match plen {
        0..=4 => 1,
        5..=8 => 2,
        _ => 3,
    };
    let mut scored: Vec<(usize, String)> = Vec::new();
    for name in names {
        let n = name.to_lowercase();
        let score = if glob_ignoring_case(pattern, &name) {
            0
        } else if plen >= 3 && (n.contains(&p) || p.contains(&n)) {
            1
        } else {
            let d = edit_distance(&p, &n);
            if d > max_edits {
                continue;
            }
            1 + d
        };
        scored.push((score, name));
    }
    scored.sort();
    let mut out: Vec<String> = Vec::new();
    for (_, name) in scored {
        if !out.contains(&name) {
            out.push(name);
        }
        if out.len() == 3 {
            break;
        }
    }
    out
}

/// Edit distance over characters: insertions, deletions, substitutions and transpositions of
/// neighbours (`mian` is one edit from `main`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between a[..i] and b[..j].
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

fn build(patterns: &[String]) -> Result<Option<Patterns>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut exact = GlobSetBuilder::new();
    let mut folded = GlobSetBuilder::new();
    for p in patterns {
        let bad = |e: globset::Error| format!("bad name pattern '{p}': {e}");
        exact.add(Glob::new(p).map_err(bad)?);
        folded.add(
            GlobBuilder::new(p)
                .case_insensitive(true)
                .build()
                .map_err(bad)?,
        );
    }
    let set = |b: GlobSetBuilder| b.build().map_err(|e| format!("bad name pattern: {e}"));
    Ok(Some(Patterns {
        text: patterns.to_vec(),
        exact: set(exact)?,
        folded: set(folded)?,
    }))
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

    fn catalog(dialect: Dialect, schema: &str, tables: &[&str]) -> Catalog {
        let mut c = Catalog {
            dialect: Some(dialect),
            ..Catalog::default()
        };
        let s = c.schema_mut(schema);
        for t in tables {
            s.tables.push(crate::model::Table {
                name: t.to_string(),
                ..Default::default()
            });
        }
        c
    }

    #[test]
    fn case_follows_the_dialect() {
        let f = Filter::new(&[], &[], &s(&["artist"]), &[]).unwrap();
        assert!(!f.table_matches("public", "Artist"));
        assert!(
            !f.for_dialect(Some(Dialect::Postgres))
                .table_matches("public", "Artist")
        );
        assert!(
            f.for_dialect(Some(Dialect::Mysql))
                .table_matches("chinook", "Artist")
        );
        assert!(
            f.for_dialect(Some(Dialect::Sqlite))
                .table_matches("main", "ARTIST")
        );
    }

    #[test]
    fn an_include_pattern_that_selects_nothing_names_the_nearest() {
        let pg = catalog(Dialect::Postgres, "public", &["Artist", "Album", "Track"]);
        let my = catalog(Dialect::Mysql, "chinook", &["Artist", "Album"]);
        let f = Filter::new(&[], &[], &s(&["artist"]), &[]).unwrap();
        // MySQL compares table names ignoring case: found.
        assert_eq!(f.unmatched(&[&my], Relations::Tables), None);
        // PostgreSQL does not: an error that suggests the name as spelled.
        let u = f.unmatched(&[&pg], Relations::Tables).unwrap();
        assert_eq!(u.nearest, vec!["Artist".to_string()]);
        assert!(u.case_differs);
        let m = u.message("--tables", "SOURCE or TARGET");
        assert!(
            m.starts_with(
                "--tables 'artist' matches no table in SOURCE or TARGET; nearest: Artist"
            ),
            "{m}"
        );
        // Either side finding it is enough.
        assert_eq!(f.unmatched(&[&pg, &my], Relations::Tables), None);
        // Typos: edit distance; a pattern with a schema suggests qualified names.
        let f = Filter::new(&[], &[], &s(&["Album", "trak", "public.Albun"]), &[]).unwrap();
        let u = f.unmatched(&[&pg], Relations::Tables).unwrap();
        assert_eq!(
            (u.pattern.as_str(), u.nearest.clone()),
            ("trak", vec!["Track".to_string()])
        );
        let f = Filter::new(&[], &[], &s(&["public.Albun"]), &[]).unwrap();
        let u = f.unmatched(&[&pg], Relations::Tables).unwrap();
        assert_eq!(u.nearest, vec!["public.Album".to_string()]);
        // Nothing close.
        let f = Filter::new(&[], &[], &s(&["zzzzzz"]), &[]).unwrap();
        let u = f.unmatched(&[&pg], Relations::Tables).unwrap();
        assert!(u.nearest.is_empty());
        assert!(u.message("--table", "x").contains("no name is close"));
        // Schema patterns are checked, and narrow where table patterns look.
        let f = Filter::new(&s(&["pubic"]), &[], &[], &[]).unwrap();
        let u = f.unmatched(&[&pg], Relations::TablesAndViews).unwrap();
        assert_eq!(u.kind, PatternKind::Schema);
        assert_eq!(u.nearest, vec!["public".to_string()]);
        let f = Filter::new(&s(&["public"]), &[], &s(&["Track"]), &[]).unwrap();
        assert_eq!(f.unmatched(&[&pg, &my], Relations::Tables), None);
        let f = Filter::new(&s(&["chinook"]), &[], &s(&["Track"]), &[]).unwrap();
        let u = f.unmatched(&[&pg, &my], Relations::Tables).unwrap();
        assert!(
            u.message("--table", "x")
                .contains("(in the schemas selected)")
        );
        // Exclusions are not consulted, and no include pattern means nothing to check.
        let f = Filter::new(&[], &[], &s(&["A*"]), &s(&["Artist", "Album"])).unwrap();
        assert_eq!(f.unmatched(&[&pg], Relations::Tables), None);
        let f = Filter::new(&[], &s(&["nope"]), &[], &s(&["nope"])).unwrap();
        assert_eq!(f.unmatched(&[&pg], Relations::Tables), None);
        // A view is something to schema work, nothing to the row diff.
        let mut v = catalog(Dialect::Sqlite, "main", &["t"]);
        let view: crate::model::View =
            serde_json::from_str(r#"{"name": "v_t", "definition": "SELECT 1"}"#).unwrap();
        v.schema_mut("main").views.push(view);
        let f = Filter::new(&[], &[], &s(&["V_T"]), &[]).unwrap();
        assert_eq!(f.unmatched(&[&v], Relations::TablesAndViews), None);
        let u = f.unmatched(&[&v], Relations::Tables).unwrap();
        assert!(
            u.message("--tables", "x")
                .ends_with("only the view main.v_t: rows are compared in tables"),
            "{}",
            u.message("--tables", "x")
        );
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("ünï", "uni"), 2);
        assert_eq!(edit_distance("mian", "main"), 1);
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
