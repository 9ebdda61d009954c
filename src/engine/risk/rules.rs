//! The static rules: a `match` on the typed [`Change`] (never on SQL text), with both catalogs for
//! context. What they say about locks and alternatives comes from TARGET's dialect's
//! [`Words`] (`dialect::risk::words`).

use super::subject::subject;
use crate::dialect::risk::{Affinity, Words, int_digits, words};
use crate::error::one_line;
use crate::model::*;

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
        let w = self.words;
        // PostgreSQL only (unlogged tables): other dialects say it in their `Words`.
        let pg = words(Dialect::Postgres);
        let s = subject(change);
        let safe = |why: &str| Assessment::safe(format!("{s}: {why}")).into();
        let caution =
            |why: &str, hint: &str| Rule::from(Assessment::caution(format!("{s}: {why}"), hint));
        let danger =
            |why: &str, hint: &str| Rule::from(Assessment::danger(format!("{s}: {why}"), hint));
        let dependent = |why: &str, hint: &str, clean: &str| Rule {
            assessment: Assessment::danger(format!("{s}: {why}"), hint),
            if_clean: Some(clean.to_string()),
        };
        match change {
            CreateSchema { .. }
            | CreateExtension { .. }
            | CreateEnum { .. }
            | CreateDomain { .. }
            | CreateCompositeType { .. }
            | CreateSequence { .. }
            | CreateFunction { .. } => safe("creates something new; nothing existing changes"),
            CreateView { view, .. } => {
                if view.materialized {
                    safe("creates a new materialized view (runs its query once to fill it)")
                } else {
                    safe("creates something new; nothing existing changes")
                }
            }
            CreateTable { table, .. } => match &table.partition_of {
                Some(p) => caution(
                    &format!(
                        "adding a partition locks {} and fails if its default partition holds rows for the new range",
                        p.parent
                    ),
                    "check the default partition for rows in the new range first; run it at a quiet time",
                ),
                None => safe("creates a new table; nothing existing changes"),
            },
            SetComment { .. } => safe("only a comment changes"),
            SetDefault { .. } => {
                safe("only new rows see the new default; existing rows keep their values")
            }
            DropNotNull { .. } => safe("relaxes a constraint; nothing is scanned or lost"),
            AddEnumLabel { .. } => safe("adds a value; stored values do not change"),

            DropSchema { .. } => caution(
                "drops the schema (fails if anything is left in it; its contents are rated on their own lines)",
                "check nothing outside this plan lives in the schema; keep a backup",
            ),
            DropExtension { .. } => caution(
                "drops the extension with its types and functions (fails while columns, indexes or functions use them)",
                "check nothing still uses the extension's types or functions",
            ),
            AlterExtension { .. } => caution(
                "runs the extension's upgrade scripts, which may rewrite or lock objects",
                "read the extension's release notes and try the update on a copy first",
            ),
            DropEnum { .. } | DropDomain { .. } | DropCompositeType { .. } => caution(
                "drops a type (fails while a column, function or view still uses it)",
                "make sure nothing uses the type any more",
            ),
            RenameEnumLabel { from, .. } => caution(
                &format!(
                    "stored values change; queries and clients comparing to '{from}' stop matching"
                ),
                &format!("update code that uses '{from}' in the same release"),
            ),
            RebuildEnum {
                from, to, columns, ..
            } => {
                let removed: Vec<&str> = from
                    .labels
                    .iter()
                    .filter(|l| !to.labels.contains(l))
                    .map(String::as_str)
                    .collect();
                if removed.is_empty() {
                    caution(
                        &format!(
                            "labels are reordered: {} column(s) are converted, each a table rewrite under an ACCESS EXCLUSIVE lock; ordering comparisons change",
                            columns.len()
                        ),
                        "run it at a quiet time; check ORDER BY and < > comparisons on the type",
                    )
                } else {
                    dependent(
                        &format!(
                            "removes label(s) {}: fails if any row uses them, and rewrites {} column(s) under ACCESS EXCLUSIVE locks",
                            removed.join(", "),
                            columns.len()
                        ),
                        "move rows off the removed labels first (UPDATE … SET col = 'other' WHERE col = 'old'); run it at a quiet time",
                        &format!(
                            "no row uses the removed label(s) now; still rewrites {} column(s) under ACCESS EXCLUSIVE locks",
                            columns.len()
                        ),
                    )
                }
            }
            AlterDomain { from, to, .. } => {
                if from.base_type != to.base_type || from.collation != to.collation {
                    danger(
                        "the domain is dropped and created again: fails while any column uses it",
                        "convert the columns to the base type first, or change the domain by hand",
                    )
                } else {
                    caution(
                        "a new NOT NULL or check is validated against every column using the domain (fails on violating values)",
                        "count violating values in the columns that use the domain first",
                    )
                }
            }
            DropSequence { .. } => caution(
                "its current position is lost (re-creating it restarts numbering)",
                "keep the current value (SELECT last_value) if it may be re-created; make sure no default uses it",
            ),
            AlterSequence { .. } => caution(
                "changes how new values are numbered; lower limits fail if the current position is outside them",
                "check the current value (SELECT last_value) against the new limits",
            ),

            DropTable { .. } => danger("its rows are lost", w.drop_table_hint),
            DropColumn { .. } => danger(
                "its values are lost",
                "keep a backup of the column (CREATE TABLE … AS SELECT key, col …); stop clients using it first; rename instead if unsure",
            ),
            RenameTable { score, .. } | RenameColumn { score, .. } => {
                let mut why = "breaks clients and code that use the old name".to_string();
                if *score < 100 {
                    why.push_str(&format!(
                        " (detected as a rename, score {score}: check it is not a drop and a create)"
                    ));
                }
                caution(
                    &why,
                    "deploy clients that use the new name first, or keep a view under the old name for a while",
                )
            }
            AddColumn { table, column } => self.add_column(&s, table, column),
            AlterColumnType { table, from, to } => self.type_change(&s, table, from, to),
            SetNotNull { .. } => dependent(w.not_null, w.not_null_hint, w.not_null_clean),
            AlterIdentity { to, .. } => match to {
                None => caution(
                    "the column stops numbering itself: inserts that leave it out get NULL or fail",
                    "make sure every insert gives the column a value, or set a default",
                ),
                Some(_) => caution(
                    "changes how new values are numbered",
                    "make sure the sequence continues after the largest value in use",
                ),
            },
            AlterGenerated { from, to, .. } => match (&from.generated, &to.generated) {
                (None, Some(_)) => danger(
                    "the column is dropped and added again as generated: its stored values are replaced by computed ones (a table rewrite)",
                    "keep a copy of the column's values if they matter; run it at a quiet time",
                ),
                (Some(_), None) => caution(
                    "the column keeps its values but stops being computed: writers must set it from now on",
                    "make sure the application sets the column",
                ),
                _ => caution(
                    &format!(
                        "the column is dropped and added again: every row is recomputed ({})",
                        w.rewrite
                    ),
                    w.rewrite_hint,
                ),
            },

            AddPrimaryKey { table, .. } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else {
                    caution(w.primary_key, w.primary_key_hint)
                }
            }
            AddUnique { table, .. } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else {
                    caution(w.unique, w.unique_hint)
                }
            }
            CreateIndex { table, index } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else if index.unique {
                    caution(w.unique_index, w.unique_index_hint)
                } else {
                    caution(w.index, w.index_hint)
                }
            }
            AddForeignKey { table, foreign_key } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else if !foreign_key.validated {
                    safe("NOT VALID: existing rows are not checked")
                } else {
                    caution(w.foreign_key, w.foreign_key_hint)
                }
            }
            AddCheck { table, check } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else if !check.validated {
                    safe("NOT VALID: existing rows are not checked")
                } else {
                    caution(w.check, w.check_hint)
                }
            }
            AlterTableOptions { .. } => caution(
                "a new engine or character set rewrites every row; writers wait while it copies",
                "run it when writes can wait; check that every value converts to the new character set first",
            ),
            RebuildTable { replaces, .. } => {
                let parts: Vec<Assessment> =
                    replaces.iter().map(|r| self.rule(r).assessment).collect();
                self.carried(&s, &parts).into()
            }
            RenameConstraint { .. } | RenameIndex { .. } => {
                safe("a rename of the constraint or index only: no data is read or rewritten")
            }
            ValidateConstraint { .. } => caution(
                "scans the table (writes go on); fails if existing rows violate the constraint",
                "count and fix violating rows first",
            ),
            DropPrimaryKey { .. } => caution(
                w.drop_primary_key,
                "drop or move referencing foreign keys first; check replication needs",
            ),
            DropUnique { .. } => caution(w.drop_unique, w.drop_unique_hint),
            DropCheck { .. } => caution(
                "values it kept out can be written from now on",
                "make sure the application enforces the rule, or that it is replaced",
            ),
            DropForeignKey { .. } => caution(
                "rows may point to missing parents from now on; cascades stop",
                "make sure the application keeps references consistent",
            ),
            DropIndex { index, .. } => caution(
                &format!(
                    "queries that use it get slower{}; {}",
                    if index.unique {
                        ", and uniqueness is no longer enforced"
                    } else {
                        ""
                    },
                    w.drop_index
                ),
                w.drop_index_hint,
            ),

            DropView { view, .. } => {
                if view.materialized {
                    caution(
                        "clients reading it break; its stored rows are lost (a refresh recomputes them)",
                        "check nothing reads it (views, functions, application code)",
                    )
                } else {
                    caution(
                        "clients and functions reading it break",
                        "check nothing reads it (views, functions, application code)",
                    )
                }
            }
            ReplaceView { .. } => caution(
                "changes what every reader of the view gets",
                "check the clients of the view with the new definition",
            ),
            DropFunction { .. } => caution(
                "callers (triggers, defaults, views, application) break",
                w.drop_function_hint,
            ),
            ReplaceFunction { .. } => caution(
                "changes behaviour for every caller",
                "test the callers with the new definition",
            ),
            CreateTrigger { table, .. } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else {
                    caution(
                        "runs on writes to an existing table from now on; can slow or reject them",
                        "test it on a copy with representative writes",
                    )
                }
            }
            DropTrigger { .. } => caution(
                "the logic it ran on writes stops (audit, derived values, checks)",
                "make sure nothing relies on it",
            ),
            SetTriggerEnabled { table, enabled, .. } => {
                if *enabled {
                    if self.is_new(table) {
                        safe("on a table new in this plan")
                    } else {
                        caution(
                            "runs on writes from now on; can slow or reject them",
                            "test it on a copy with representative writes",
                        )
                    }
                } else {
                    caution(
                        "the logic it runs on writes stops (audit, derived values, checks)",
                        "make sure nothing relies on it while it is disabled",
                    )
                }
            }
            AttachPartition { .. } => caution(
                "scans the partition to check its bound (unless a matching CHECK exists) and fails on rows outside it",
                "add a CHECK matching the bound (NOT VALID, then VALIDATE) before attaching",
            ),
            DetachPartition { .. } => caution(
                "its rows leave the partitioned table: queries on the parent stop seeing them",
                "DETACH PARTITION … CONCURRENTLY (PostgreSQL 14+); check readers of the parent",
            ),
            SetInherit { inherit, .. } => caution(
                if *inherit {
                    "queries on the parent start including this table's rows"
                } else {
                    "queries on the parent stop including this table's rows"
                },
                "check readers of the parent table",
            ),
            SetRowSecurity {
                enabled,
                forced,
                from_enabled,
                from_forced,
                table,
            } => {
                if *from_enabled && !*enabled {
                    danger(
                        "disables row level security: every role with privileges on the table sees and changes all rows",
                        "make sure this is intended; keep the policies until access is checked",
                    )
                } else if *from_forced && !*forced && *enabled {
                    danger(
                        "stops forcing row level security: the table's owner bypasses the policies again",
                        "make sure the owner role is not used by clients that must be restricted",
                    )
                } else if self.is_new(table) {
                    safe("on a table new in this plan")
                } else {
                    caution(
                        "roles without a matching policy stop seeing rows",
                        "create the policies before enabling, and check each client role (SET ROLE …)",
                    )
                }
            }
            SetLogged { logged, .. } => {
                if *logged {
                    caution(
                        &format!("writes the table to the WAL: {}", pg.rewrite),
                        pg.rewrite_hint,
                    )
                } else {
                    danger(
                        &format!(
                            "an unlogged table is emptied after a crash and is not replicated; {}",
                            pg.rewrite
                        ),
                        "keep the table logged unless its rows can be rebuilt",
                    )
                }
            }
            CreatePolicy { table, .. } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else {
                    caution(
                        "changes which rows roles can see or write",
                        "check it with each affected role (SET ROLE …) before relying on it",
                    )
                }
            }
            DropPolicy { policy, .. } => {
                if policy.permissive {
                    danger(
                        "changes who sees which rows: roles it let in lose access, and with no policy left only the owner sees rows",
                        "check every role's access after the change; replace the policy first if it is being reworked",
                    )
                } else {
                    danger(
                        "opens data: the restriction it applied is lifted for every role",
                        "make sure the restriction is enforced elsewhere, or replace the policy first",
                    )
                }
            }
            Unsupported { detail, .. } => caution(
                &one_line(detail),
                "compare this object by hand and change it outside sluice",
            ),
        }
    }

    fn add_column(&self, s: &str, table: &QualifiedName, c: &Column) -> Rule {
        let w = self.words;
        let caution =
            |why: &str, hint: &str| Rule::from(Assessment::caution(format!("{s}: {why}"), hint));
        if let Some(g) = &c.generated {
            if g.stored {
                return caution(
                    &format!(
                        "a stored generated column is computed for every row: {}",
                        w.rewrite
                    ),
                    w.rewrite_hint,
                );
            }
            return Assessment::safe(format!("{s}: a virtual generated column stores nothing"))
                .into();
        }
        if c.identity.is_some() {
            return caution(
                &format!(
                    "an identity column numbers every existing row: {}",
                    w.rewrite
                ),
                "add it nullable, backfill in batches, then add the identity; or run it at a quiet time",
            );
        }
        match &c.default {
            Some(d) if self.volatile(d) => caution(
                &format!(
                    "default {d} is computed for every existing row: {}",
                    w.rewrite
                ),
                "add the column without a default (or with a constant one), backfill in batches, then set the default",
            ),
            Some(_) => Assessment::safe(format!(
                "{s}: the default is evaluated once and stored; no rewrite{}",
                match self.dialect {
                    Dialect::Postgres => " (PostgreSQL 11+)",
                    Dialect::Mysql => " (ALGORITHM=INSTANT)",
                    Dialect::Sqlite => "",
                }
            ))
            .into(),
            None if !c.nullable => {
                if self.is_new(table) {
                    return Assessment::safe(format!("{s}: on a table new in this plan")).into();
                }
                if self.dialect == Dialect::Mysql {
                    // MySQL fills the column in rather than failing.
                    return caution(
                        "NOT NULL without a default: existing rows get the type's implicit default (0, '' or a zero date)",
                        "add it with an explicit DEFAULT, or nullable, backfill, then make it NOT NULL",
                    );
                }
                Rule {
                    assessment: Assessment::danger(
                        format!("{s}: NOT NULL without a default fails on a table that has rows"),
                        "add it with a DEFAULT, or nullable, backfill, then SET NOT NULL",
                    ),
                    if_clean: Some(
                        "NOT NULL without a default works only while the table is empty (it is now)"
                            .into(),
                    ),
                }
            }
            None => Assessment::safe(format!(
                "{s}: a nullable column without a default changes no row"
            ))
            .into(),
        }
    }

    fn type_change(&self, s: &str, table: &QualifiedName, from: &Column, to: &Column) -> Rule {
        let mut v = if from.data_type == to.data_type {
            Verdict::caution(
                "the collation changes: indexes on the column are rebuilt and sort order changes",
                "run it at a quiet time; check ORDER BY and unique behaviour under the new collation",
            )
        } else if self.dialect == Dialect::Sqlite {
            let strict = |c: &Catalog, t: &QualifiedName| {
                c.table(&t.schema, &t.name).is_some_and(|t| t.strict)
            };
            let target_strict = strict(self.target, &self.names.target_table(table));
            sqlite_type_change(from, to, target_strict, strict(self.source, table))
        } else {
            family_change(&from.family, &to.family, self.words, self.dialect)
        };
        // A domain's NOT NULL and checks are tested on every value converted into it.
        if let Some(d) = self.domain(&to.data_type) {
            if (!d.nullable || !d.checks.is_empty()) && v.level < RiskLevel::Danger {
                v = Verdict::dependent(
                    "values must pass the domain's NOT NULL and checks, or the change fails",
                    "count values that break the domain's rules first",
                    "values are converted into the domain; every one is checked",
                );
            }
        }
        let reason = format!("{s}: {}", v.why);
        let mut a = match v.level {
            RiskLevel::Safe => Assessment::safe(reason),
            RiskLevel::Caution => Assessment::caution(reason, v.hint),
            RiskLevel::Danger => Assessment::danger(reason, v.hint),
        };
        if a.level == RiskLevel::Safe {
            a.suggestion = None;
        }
        Rule {
            assessment: a,
            if_clean: v.if_clean,
        }
    }

    /// SOURCE's domain named `schema.name` (as `format_type` writes it).
    fn domain(&self, data_type: &str) -> Option<&Domain> {
        let (schema, name) = data_type.split_once('.')?;
        let unquote = |x: &str| x.trim_matches('"').replace("\"\"", "\"");
        let (schema, name) = (unquote(schema), unquote(name));
        self.source
            .schema(&schema)?
            .domains
            .iter()
            .find(|d| d.name == name)
    }
}

/// A verdict on a type change, from the two families.
struct Verdict {
    level: RiskLevel,
    why: String,
    hint: &'static str,
    if_clean: Option<String>,
}

const NARROW_HINT: &str =
    "count and fix the values that do not fit first; or add a new column, backfill it, and swap";
const CONVERT_HINT: &str =
    "add a new column, backfill it with an explicit conversion, check it, then swap";

impl Verdict {
    fn safe(why: impl Into<String>) -> Self {
        Verdict {
            level: RiskLevel::Safe,
            why: why.into(),
            hint: "",
            if_clean: None,
        }
    }

    fn caution(why: impl Into<String>, hint: &'static str) -> Self {
        Verdict {
            level: RiskLevel::Caution,
            why: why.into(),
            hint,
            if_clean: None,
        }
    }

    fn rewrite(what: &str, w: &Words) -> Self {
        Verdict::caution(format!("{what}: {}", w.rewrite), w.rewrite_hint)
    }

    /// Dangerous for what the data may hold; caution (`clean`) when counts show nothing.
    fn dependent(why: impl Into<String>, hint: &'static str, clean: impl Into<String>) -> Self {
        Verdict {
            level: RiskLevel::Danger,
            why: why.into(),
            hint,
            if_clean: Some(clean.into()),
        }
    }

    fn narrowing(what: &str, w: &Words) -> Self {
        Verdict::dependent(
            format!("{what}: values that do not fit make it fail; {}", w.rewrite),
            NARROW_HINT,
            format!("every value fits now; {}", w.still),
        )
    }

    fn lossy(what: &str, w: &Words) -> Self {
        Verdict::dependent(
            format!("{what}: values lose precision; {}", w.rewrite),
            NARROW_HINT,
            format!("no value changes now; {}", w.still),
        )
    }

    fn cross(w: &Words) -> Self {
        Verdict::dependent(
            format!("values that do not convert make it fail; {}", w.rewrite),
            CONVERT_HINT,
            format!("every value converts now; {}", w.still),
        )
    }
}

/// SQLite: a type change is a rebuild that gives the column a new affinity. Lengths, ranges and
/// precision are never enforced; text that reads as a number becomes a number under a numeric
/// affinity; only a STRICT table refuses values its type cannot hold.
fn sqlite_type_change(from: &Column, to: &Column, strict_from: bool, strict_to: bool) -> Verdict {
    let w = words(Dialect::Sqlite);
    let a = Affinity::of(&from.data_type, strict_from);
    let b = Affinity::of(&to.data_type, strict_to);
    let any = to.data_type.trim().eq_ignore_ascii_case("ANY");
    if strict_to && !any {
        return Verdict::dependent(
            format!(
                "the STRICT table refuses values its new type cannot hold: they make the rebuild fail; {}",
                w.rewrite
            ),
            CONVERT_HINT,
            format!("every value can be stored now; {}", w.still),
        );
    }
    if b.numeric() && !a.numeric() {
        return Verdict::dependent(
            format!(
                "text that reads as a number is stored as a number ('007' becomes 7), other values are kept as they are; {}",
                w.rewrite
            ),
            "check codes and identifiers stored as text first (leading zeros, signs and spacing are lost); or keep a text type",
            format!("no value changes its form now; {}", w.still),
        );
    }
    if b == Affinity::Real && matches!(a, Affinity::Integer | Affinity::Numeric) {
        return Verdict::dependent(
            format!("integers beyond 2^53 are rounded as REAL; {}", w.rewrite),
            NARROW_HINT,
            format!("no value changes now; {}", w.still),
        );
    }
    let why = if a == b {
        "only the declared type changes: SQLite does not enforce lengths, ranges or precision, and stored values keep their form"
    } else if b == Affinity::Text {
        "numbers are stored as text from now on (comparisons and sorting change)"
    } else {
        "the column's affinity changes; stored values keep their form"
    };
    Verdict::caution(format!("{why}; {}", w.rewrite), w.rewrite_hint)
}

/// MySQL ENUM and SET: removing a value fails on rows that use it (strict `sql_mode`); adding
/// values at the end changes only the metadata; anything else remaps stored values.
fn mysql_values_change(from: &[String], to: &[String], w: &Words) -> Verdict {
    let removed: Vec<String> = from
        .iter()
        .filter(|v| !to.contains(v))
        .map(|v| format!("'{v}'"))
        .collect();
    if !removed.is_empty() {
        Verdict::dependent(
            format!(
                "removes value(s) {}: rows using them make it fail (strict sql_mode); {}",
                removed.join(", "),
                w.rewrite
            ),
            "move rows off the removed values first (UPDATE … SET col = … WHERE col = 'old')",
            format!("no row uses the removed value(s) now; {}", w.still),
        )
    } else if to.starts_with(from) {
        Verdict::safe("adds values at the end: only the metadata changes (ALGORITHM=INSTANT)")
    } else {
        Verdict::caution(
            format!(
                "reorders the values: stored values are remapped and sort order changes; {}",
                w.rewrite
            ),
            w.rewrite_hint,
        )
    }
}

/// Bits of mantissa: the integers a float holds exactly.
fn float_exact_bits(bits: u8) -> u8 {
    if bits <= 32 { 24 } else { 53 }
}

/// How risky it is to convert a column from one family to another, in TARGET's dialect `d`
/// (PostgreSQL widens `varchar` and `numeric` precision without rewriting the table).
fn family_change(from: &TypeFamily, to: &TypeFamily, w: &Words, d: Dialect) -> Verdict {
    use TypeFamily as F;
    let pg = d == Dialect::Postgres;
    match (from, to) {
        (F::Enum { values: a, .. }, F::Enum { values: b, .. })
        | (F::Set { values: a }, F::Set { values: b })
            if d == Dialect::Mysql && a != b =>
        {
            mysql_values_change(a, b, w)
        }
        _ if from == to => {
            // Families that do not record every modifier (timestamp precision, bit length, …).
            let partial = matches!(
                from,
                F::Time { .. }
                    | F::Timestamp { .. }
                    | F::Interval
                    | F::Binary { .. }
                    | F::Other { .. }
                    | F::Array { .. }
                    | F::Set { .. }
            );
            if partial {
                Verdict::caution(
                    if pg {
                        "the type's modifiers change (precision, length): values may be rounded or cut, and the table may be rewritten under an ACCESS EXCLUSIVE lock".to_string()
                    } else {
                        format!(
                            "the type's modifiers change (precision, length): values may be rounded or cut, and the table {}",
                            w.rewrite
                        )
                    },
                    "compare the old and new type modifiers and check a few values on a copy",
                )
            } else if pg {
                Verdict::safe("same kind of type, spelled differently; no rewrite")
            } else {
                Verdict::caution(
                    "same kind of type, spelled differently; the table may be rebuilt",
                    w.rewrite_hint,
                )
            }
        }
        (
            F::Text {
                max_len: a,
                fixed: fa,
            },
            F::Text {
                max_len: b,
                fixed: fb,
            },
        ) => {
            let wider = match (a, b) {
                (_, None) => true,
                (None, Some(_)) => false,
                (Some(a), Some(b)) => b >= a,
            };
            match (wider, fa == fb && !fa) {
                (true, true) if pg => Verdict::safe("widens text: no rewrite in PostgreSQL"),
                (true, true) => Verdict::rewrite("widens text", w),
                (true, false) => Verdict::rewrite(
                    "changes between fixed and variable length text (trailing spaces change)",
                    w,
                ),
                (false, _) => Verdict::narrowing("narrows the text", w),
            }
        }
        (
            F::Integer {
                bits: a,
                unsigned: ua,
            },
            F::Integer {
                bits: b,
                unsigned: ub,
            },
        ) => {
            if ua != ub || b < a {
                Verdict::narrowing("narrows the type", w)
            } else {
                Verdict::rewrite("widens the type", w)
            }
        }
        (
            F::Decimal {
                precision: p,
                scale: s,
            },
            F::Decimal {
                precision: p2,
                scale: s2,
            },
        ) => {
            let (s, s2) = (s.unwrap_or(0), s2.unwrap_or(0));
            match (p, p2) {
                (_, None) if pg => {
                    Verdict::safe("removes the numeric's limit: no rewrite in PostgreSQL")
                }
                (_, None) => Verdict::rewrite("removes the numeric's limit", w),
                (None, Some(_)) => Verdict::narrowing("limits the numeric", w),
                (Some(p), Some(p2)) => {
                    if s2 < s {
                        Verdict::lossy(
                            &format!(
                                "lowers the scale to {s2} decimal places (values are rounded)"
                            ),
                            w,
                        )
                    } else if p2.saturating_sub(s2) < p.saturating_sub(s) {
                        Verdict::narrowing("narrows the type", w)
                    } else if s2 == s && pg {
                        Verdict::safe("widens the numeric's precision: no rewrite in PostgreSQL")
                    } else {
                        Verdict::rewrite("widens the type", w)
                    }
                }
            }
        }
        (F::Float { bits: a }, F::Float { bits: b }) => {
            if b >= a {
                Verdict::rewrite("widens the type", w)
            } else {
                Verdict::lossy("narrows the type", w)
            }
        }
        (F::Integer { bits, .. }, F::Decimal { precision, scale }) => {
            let whole = precision.map(|p| p.saturating_sub(scale.unwrap_or(0)));
            if whole.is_none_or(|w| w >= int_digits(*bits)) {
                Verdict::rewrite("converts the type (every value fits)", w)
            } else {
                Verdict::narrowing("converts the type", w)
            }
        }
        (F::Integer { bits: a, .. }, F::Float { bits: b }) => {
            if *a <= float_exact_bits(*b) {
                Verdict::rewrite("converts the type (exactly)", w)
            } else {
                Verdict::lossy("converts the type", w)
            }
        }
        (F::Decimal { .. } | F::Float { .. }, F::Integer { .. }) => Verdict::dependent(
            format!(
                "fractions are rounded and values out of range make it fail; {}",
                w.rewrite
            ),
            NARROW_HINT,
            format!("every value is whole and in range now; {}", w.still),
        ),
        (_, F::Text { max_len: None, .. }) => {
            Verdict::rewrite("converts to text (clients see strings)", w)
        }
        (F::Date, F::Timestamp { .. }) => {
            Verdict::rewrite("converts date to timestamp (midnight)", w)
        }
        (F::Timestamp { tz: a }, F::Timestamp { tz: b }) if a != b => {
            Verdict::caution(w.time_zone, w.time_zone_hint)
        }
        (F::Time { .. }, F::Time { .. }) => Verdict::rewrite("changes the time's zone handling", w),
        (F::Timestamp { .. }, F::Date) => {
            Verdict::lossy("converts timestamp to date (the time of day is dropped)", w)
        }
        (F::Json { .. }, F::Json { .. }) => Verdict::rewrite(
            "converts between json and jsonb (duplicate keys, key order and whitespace are not kept by jsonb)",
            w,
        ),
        (F::Array { element: a }, F::Array { element: b }) => {
            let mut v = family_change(a, b, w, Dialect::Sqlite);
            v.why = format!("array elements: {}", v.why);
            if v.level == RiskLevel::Safe {
                v = Verdict::rewrite(&v.why, w);
            }
            v
        }
        (F::Any, _) | (_, F::Any) => Verdict::rewrite("changes the declared type", w),
        _ => Verdict::cross(w),
    }
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
    fn type_families() {
        let t = |a: TypeFamily, b: TypeFamily| {
            family_change(&a, &b, words(Dialect::Postgres), Dialect::Postgres).level
        };
        assert_eq!(
            t(TypeFamily::text(Some(50)), TypeFamily::text(Some(200))),
            RiskLevel::Safe
        );
        assert_eq!(
            t(TypeFamily::text(Some(50)), TypeFamily::text(None)),
            RiskLevel::Safe
        );
        assert_eq!(
            t(TypeFamily::text(Some(200)), TypeFamily::text(Some(50))),
            RiskLevel::Danger
        );
        assert_eq!(
            t(TypeFamily::int(32), TypeFamily::int(64)),
            RiskLevel::Caution
        );
        assert_eq!(
            t(TypeFamily::int(64), TypeFamily::int(16)),
            RiskLevel::Danger
        );
        assert_eq!(
            t(TypeFamily::text(None), TypeFamily::int(32)),
            RiskLevel::Danger
        );
        assert_eq!(t(TypeFamily::int(32), TypeFamily::Date), RiskLevel::Danger);
        let dec = |p, s| TypeFamily::Decimal {
            precision: Some(p),
            scale: Some(s),
        };
        assert_eq!(t(dec(10, 2), dec(12, 2)), RiskLevel::Safe);
        assert_eq!(t(dec(10, 2), dec(12, 3)), RiskLevel::Caution);
        assert_eq!(t(dec(10, 2), dec(8, 2)), RiskLevel::Danger);
        assert_eq!(t(dec(10, 2), dec(10, 1)), RiskLevel::Danger);
        assert_eq!(
            t(TypeFamily::int(32), TypeFamily::text(None)),
            RiskLevel::Caution
        );
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
