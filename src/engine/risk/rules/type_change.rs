//! A column's type change: by type family (PostgreSQL and MySQL, including ENUM and SET values),
//! by affinity (SQLite), and through a domain's NOT NULL and checks.

use super::{Rule, Rules};
use crate::dialect::risk::{Affinity, Words, int_digits, words};
use crate::model::*;

impl Rules<'_> {
    pub(super) fn type_change(
        &self,
        s: &str,
        table: &QualifiedName,
        from: &Column,
        to: &Column,
    ) -> Rule {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
