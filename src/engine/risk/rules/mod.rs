//! The static rules: a `match` on the typed [`Change`] (never on SQL text), with both catalogs for
//! context. What they say about locks and alternatives comes from TARGET's dialect's
//! [`Words`] (`dialect::risk::words`).
//!
//! Files: this one ([`Rules`], the dispatcher [`Rules::rule`], the verdict makers, the scanner for
//! volatile defaults), one per group of changes: `types.rs` (schemas, extensions, types,
//! sequences), `table.rs` (tables and columns, partitions, row security, policies),
//! `type_change.rs` (a column's type change, by type family and dialect), `constraint.rs` (keys,
//! constraints, indexes), `routine.rs` (views, functions, triggers).

use super::subject::subject;
use crate::dialect::risk::{Words, words};
use crate::error::one_line;
use crate::model::*;

mod constraint;
mod routine;
mod table;
mod type_change;
mod types;

/// A static verdict, and (for a change that is dangerous only because of what the data might
/// hold) the caution reason that applies when counts show nothing offending.
pub(super) struct Rule {
    pub(super) assessment: Assessment,
    pub(super) if_clean: Option<String>,
}

impl From<Assessment> for Rule {
    fn from(assessment: Assessment) -> Self {
        Rule {
            assessment,
            if_clean: None,
        }
    }
}

/// Functions whose result changes from row to row: a default that calls one is computed for every
/// existing row when the column is added (a table rewrite).
const VOLATILE_BUILTINS: &[&str] = &[
    "nextval",
    "random",
    "random_normal",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "uuidv4",
    "uuidv7",
    "clock_timestamp",
    "timeofday",
    "txid_current",
    "pg_current_xact_id",
    "uuid",
    "rand",
    "randomblob",
];

pub(super) struct Rules<'a> {
    target: &'a Catalog,
    source: &'a Catalog,
    names: &'a PlanNames,
    dialect: Dialect,
    /// TARGET's dialect's phrases.
    pub(super) words: &'static Words,
}

impl<'a> Rules<'a> {
    pub(super) fn new(target: &'a Catalog, source: &'a Catalog, names: &'a PlanNames) -> Self {
        let dialect = target
            .dialect
            .or(source.dialect)
            .unwrap_or(Dialect::Postgres);
        Rules {
            target,
            source,
            names,
            dialect,
            words: words(dialect),
        }
    }

    /// The verdict on a change that carries out others (a SQLite rebuild), from theirs: certain
    /// to fail when any of them is (every failing reason is kept), else the worst of them when it
    /// is a danger, else a caution for the rebuild itself (every row copied under a write lock).
    pub(super) fn carried(&self, s: &str, parts: &[Assessment]) -> Assessment {
        let failing: Vec<&Assessment> = parts.iter().filter(|a| a.certain_failure).collect();
        if let Some(first) = failing.first() {
            let mut a = (*first).clone();
            let reasons: Vec<&str> = failing.iter().map(|f| f.reason.as_str()).collect();
            a.reason = reasons.join("; ");
            return a;
        }
        let worst = parts
            .iter()
            .rev()
            .max_by_key(|a| a.level)
            .filter(|a| a.level > RiskLevel::Caution);
        match worst {
            Some(a) => Assessment {
                counts: Vec::new(),
                notes: Vec::new(),
                ..a.clone()
            },
            None => Assessment::caution(
                format!(
                    "{s}: rebuilds the table (new table, copy every row, drop, rename): writers wait until it commits"
                ),
                "run it when writes can wait; the rebuild is one transaction, all or nothing",
            ),
        }
    }

    /// Whether a (SOURCE-named) table or view is new in this plan: then it is empty, and whatever
    /// is built on it locks nothing anyone uses.
    fn is_new(&self, t: &QualifiedName) -> bool {
        if self.names.creates(t) {
            return true;
        }
        let tt = self.names.target_table(t);
        if let Some(s) = self.target.schema(&tt.schema) {
            if s.table(&tt.name).is_some() || s.view(&tt.name).is_some() {
                return false;
            }
        }
        if self.names.whole_plan() {
            return true;
        }
        // Outside a plan a missing table may be a rename nobody told us about: new only if no
        // table of TARGET's schema is missing from SOURCE.
        let Some(ts) = self.target.schema(&t.schema) else {
            return true;
        };
        ts.tables
            .iter()
            .all(|x| self.source.table(&t.schema, &x.name).is_some())
    }

    /// Whether an expression calls a function that returns a new value for every row.
    fn volatile(&self, expr: &str) -> bool {
        called_functions(expr).iter().any(|f| {
            VOLATILE_BUILTINS.contains(&f.as_str())
                || self.source.schemas.iter().any(|s| {
                    s.functions.iter().any(|g| {
                        g.name.eq_ignore_ascii_case(f)
                            && g.volatility
                                .as_deref()
                                .is_some_and(|v| v.eq_ignore_ascii_case("volatile"))
                    })
                })
        })
    }
    pub(super) fn rule(&self, change: &Change) -> Rule {
        use Change::*;
        let s = subject(change);
        let (safe, caution, _, _) = verdicts(&s);
        match change {
            CreateSchema { .. }
            | CreateExtension { .. }
            | CreateEnum { .. }
            | CreateDomain { .. }
            | CreateCompositeType { .. }
            | CreateSequence { .. }
            | AddEnumLabel { .. }
            | DropSchema { .. }
            | DropExtension { .. }
            | AlterExtension { .. }
            | DropEnum { .. }
            | DropDomain { .. }
            | DropCompositeType { .. }
            | RenameEnumLabel { .. }
            | RebuildEnum { .. }
            | AlterDomain { .. }
            | DropSequence { .. }
            | AlterSequence { .. } => self.types(change, &s),
            CreateTable { .. }
            | SetDefault { .. }
            | DropNotNull { .. }
            | DropTable { .. }
            | DropColumn { .. }
            | RenameTable { .. }
            | RenameColumn { .. }
            | AddColumn { .. }
            | AlterColumnType { .. }
            | SetNotNull { .. }
            | AlterIdentity { .. }
            | AlterGenerated { .. }
            | AlterTableOptions { .. }
            | RebuildTable { .. }
            | AttachPartition { .. }
            | DetachPartition { .. }
            | SetInherit { .. }
            | SetRowSecurity { .. }
            | SetLogged { .. }
            | CreatePolicy { .. }
            | DropPolicy { .. } => self.tables(change, &s),
            AddPrimaryKey { .. }
            | AddUnique { .. }
            | CreateIndex { .. }
            | AddForeignKey { .. }
            | AddCheck { .. }
            | RenameConstraint { .. }
            | RenameIndex { .. }
            | ValidateConstraint { .. }
            | DropPrimaryKey { .. }
            | DropUnique { .. }
            | DropCheck { .. }
            | DropForeignKey { .. }
            | DropIndex { .. } => self.constraints(change, &s),
            CreateFunction { .. }
            | CreateView { .. }
            | DropView { .. }
            | ReplaceView { .. }
            | DropFunction { .. }
            | ReplaceFunction { .. }
            | CreateTrigger { .. }
            | DropTrigger { .. }
            | SetTriggerEnabled { .. } => self.routines(change, &s),
            SetComment { .. } => safe("only a comment changes"),
            Unsupported { detail, .. } => caution(
                &one_line(detail),
                "compare this object by hand and change it outside sluice",
            ),
        }
    }
}

/// The verdicts a rule gives, each reason starting with the change's subject `s`: safe, caution,
/// danger, and dependent (a danger for what the data may hold, with the caution reason that
/// applies when counts show nothing offending). Closures, so that the rules call them as words.
#[allow(clippy::type_complexity)]
fn verdicts(
    s: &str,
) -> (
    impl Fn(&str) -> Rule,
    impl Fn(&str, &str) -> Rule,
    impl Fn(&str, &str) -> Rule,
    impl Fn(&str, &str, &str) -> Rule,
) {
    let safe = move |why: &str| Assessment::safe(format!("{s}: {why}")).into();
    let caution =
        move |why: &str, hint: &str| Rule::from(Assessment::caution(format!("{s}: {why}"), hint));
    let danger =
        move |why: &str, hint: &str| Rule::from(Assessment::danger(format!("{s}: {why}"), hint));
    let dependent = move |why: &str, hint: &str, clean: &str| Rule {
        assessment: Assessment::danger(format!("{s}: {why}"), hint),
        if_clean: Some(clean.to_string()),
    };
    (safe, caution, danger, dependent)
}

/// Names of the functions an expression calls (`nextval` of `nextval('s'::regclass)`, `my_fn` of
/// `public.my_fn(1)`), lowercased, outside string literals. A small scanner, not a parser.
fn called_functions(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_string = false;
    let mut gap = false;
    for ch in expr.chars() {
        if in_string {
            if ch == '\'' {
                in_string = false;
            }
            continue;
        }
        match ch {
            '\'' => {
                in_string = true;
                word.clear();
            }
            '(' => {
                if !word.is_empty() {
                    let name = word.rsplit('.').next().unwrap_or(&word);
                    out.push(name.trim_matches('"').to_ascii_lowercase());
                }
                word.clear();
                gap = false;
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' || c == '.' || c == '"' => {
                if gap {
                    word.clear();
                    gap = false;
                }
                word.push(c);
            }
            c if c.is_whitespace() => gap = !word.is_empty(),
            _ => {
                word.clear();
                gap = false;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{assess, assess_plan};
    use super::*;

    fn col(name: &str, data_type: &str, family: TypeFamily) -> Column {
        Column {
            name: name.into(),
            ordinal: 1,
            data_type: data_type.into(),
            family,
            nullable: true,
            ..Column::default()
        }
    }

    fn pg() -> Catalog {
        let mut c = Catalog {
            dialect: Some(Dialect::Postgres),
            ..Catalog::default()
        };
        c.schema_mut("public").tables.push(Table {
            name: "t".into(),
            columns: vec![col("a", "integer", TypeFamily::int(32))],
            ..Table::default()
        });
        c
    }

    #[test]
    fn scans_function_calls() {
        assert_eq!(
            called_functions("nextval('x(y)'::regclass)"),
            vec!["nextval"]
        );
        assert_eq!(
            called_functions("(public.\"MyFn\"(1) + lower ('a'))"),
            vec!["myfn", "lower"]
        );
        assert!(called_functions("'random()'").is_empty());
    }

    #[test]
    fn every_non_safe_rule_has_a_suggestion() {
        let target = pg();
        let source = pg();
        let t = QualifiedName::new("public", "t");
        let changes = vec![
            Change::DropTable {
                schema: "public".into(),
                table: Table {
                    name: "t".into(),
                    ..Table::default()
                },
            },
            Change::SetNotNull {
                table: t.clone(),
                column: "a".into(),
            },
            Change::Unsupported {
                object_kind: "rule".into(),
                object: "public.r".into(),
                detail: "rules are not supported\nyet".into(),
            },
        ];
        for a in assess_plan(&changes, &target, &source) {
            assert!(!a.reason.contains('\n'));
            if a.level != RiskLevel::Safe {
                assert!(a.suggestion.is_some(), "{a:?}");
            }
        }
    }

    #[test]
    fn volatile_defaults() {
        let target = pg();
        let source = pg();
        let add = |d: &str| Change::AddColumn {
            table: QualifiedName::new("public", "t"),
            column: Column {
                default: Some(d.into()),
                ..col("b", "uuid", TypeFamily::Uuid)
            },
        };
        assert_eq!(
            assess(&add("gen_random_uuid()"), &target, &source).level,
            RiskLevel::Caution
        );
        assert_eq!(
            assess(&add("now()"), &target, &source).level,
            RiskLevel::Safe
        );
    }
}
