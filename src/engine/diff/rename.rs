//! Rename detection: objects that disappear on one side and appear on the other are scored, and
//! pairs above the threshold are reported as renames (with their score) instead of drop + add.
//!
//! Column score (0–100) = 50 × name similarity + 30 × type compatibility + 20 × position
//! similarity. Table score = 40 × name similarity + 60 × column overlap. The default threshold
//! is [`DEFAULT_THRESHOLD`]; `--rename-threshold` changes it and `--no-renames` turns detection off.

use crate::model::{Column, Table, TypeFamily};

/// Default minimum score for a rename.
pub const DEFAULT_THRESHOLD: u8 = 70;

/// Jaro-Winkler similarity of two names, case-insensitive, with credit for one name containing
/// the other (`name` → `full_name`) and for equal names apart from `_`.
pub fn name_similarity(a: &str, b: &str) -> f64 {
    let a = a.to_lowercase();
    let b = b.to_lowercase();
    if a == b {
        return 1.0;
    }
    let strip = |s: &str| s.replace('_', "");
    if strip(&a) == strip(&b) {
        return 0.95;
    }
    let jw = jaro_winkler(&a, &b);
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    let contains = if short.len() >= 3 && long.contains(short.as_str()) {
        0.8
    } else {
        0.0
    };
    jw.max(contains)
}

/// Jaro–Winkler with the prefix bonus always given and transpositions counted in halves. Not
/// `strsim::jaro_winkler`, which gives no bonus below 0.7 and counts whole transpositions: its
/// numbers differ (`qty` → `quantity`, `clients` → `customers`), and so would the scores people see.
fn jaro_winkler(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_match = vec![false; a.len()];
    let mut b_match = vec![false; b.len()];
    let mut matches = 0usize;
    for i in 0..a.len() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_match[j] && a[i] == b[j] {
                a_match[i] = true;
                b_match[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut k = 0usize;
    for i in 0..a.len() {
        if a_match[i] {
            while !b_match[k] {
                k += 1;
            }
            if a[i] != b[k] {
                transpositions += 1;
            }
            k += 1;
        }
    }
    let m = matches as f64;
    let jaro =
        (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64 / 2.0) / m) / 3.0;
    let prefix = a
        .iter()
        .zip(b.iter())
        .take(4)
        .take_while(|(x, y)| x == y)
        .count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// How well data of type `from` fits type `to`: 1 same type, 0.8 same family, 0.4 castable
/// family, 0 otherwise.
pub fn type_compatibility(from: &Column, to: &Column) -> f64 {
    if from.data_type == to.data_type {
        return 1.0;
    }
    let fam = |t: &TypeFamily| std::mem::discriminant(t);
    if fam(&from.family) == fam(&to.family) {
        return 0.8;
    }
    let numeric = |t: &TypeFamily| {
        matches!(
            t,
            TypeFamily::Integer { .. } | TypeFamily::Decimal { .. } | TypeFamily::Float { .. }
        )
    };
    if numeric(&from.family) && numeric(&to.family) {
        return 0.6;
    }
    if matches!(to.family, TypeFamily::Text { .. }) {
        return 0.4;
    }
    0.0
}

/// Score (0–100) for `from` (TARGET) having been renamed to `to` (SOURCE).
pub fn column_score(from: &Column, from_count: usize, to: &Column, to_count: usize) -> u8 {
    let name = name_similarity(&from.name, &to.name);
    let ty = type_compatibility(from, to);
    let pos = {
        let a = from.ordinal as f64 / from_count.max(1) as f64;
        let b = to.ordinal as f64 / to_count.max(1) as f64;
        1.0 - (a - b).abs().min(1.0)
    };
    let nullable = if from.nullable == to.nullable {
        1.0
    } else {
        0.9
    };
    ((50.0 * name + 30.0 * ty + 20.0 * pos) * nullable)
        .round()
        .clamp(0.0, 100.0) as u8
}

/// Score (0–100) for table `from` (TARGET) having been renamed to `to` (SOURCE).
pub fn table_score(from: &Table, to: &Table) -> u8 {
    let name = name_similarity(&from.name, &to.name);
    let cols = |t: &Table| -> Vec<(String, String)> {
        t.columns
            .iter()
            .map(|c| (c.name.to_lowercase(), c.family.describe()))
            .collect()
    };
    let a = cols(from);
    let b = cols(to);
    let common = a.iter().filter(|x| b.contains(x)).count() as f64;
    let union = (a.len() + b.len()) as f64 - common;
    let overlap = if union == 0.0 { 0.0 } else { common / union };
    (40.0 * name + 60.0 * overlap).round().clamp(0.0, 100.0) as u8
}

/// Picks renames greedily, best score first, each side used once. `scores` holds
/// `(from_index, to_index, score)`; the result is sorted by `from_index`.
pub fn assign(mut scores: Vec<(usize, usize, u8)>, threshold: u8) -> Vec<(usize, usize, u8)> {
    scores.retain(|s| s.2 >= threshold);
    scores.sort_by(|x, y| y.2.cmp(&x.2).then(x.0.cmp(&y.0)).then(x.1.cmp(&y.1)));
    let mut used_from = std::collections::HashSet::new();
    let mut used_to = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (f, t, s) in scores {
        if used_from.contains(&f) || used_to.contains(&t) {
            continue;
        }
        used_from.insert(f);
        used_to.insert(t);
        out.push((f, t, s));
    }
    out.sort();
    out
}

/// Renames among what only TARGET has (`gone`) and what only SOURCE has (`new`): the pairs that
/// `score` rates (`None`: never a rename) at `threshold` or more, assigned best first
/// ([`assign`]), in `gone`'s order. What is renamed is taken out of `gone` and `new`.
pub fn take_renames<'x, T>(
    gone: &mut Vec<&'x T>,
    new: &mut Vec<&'x T>,
    threshold: u8,
    score: impl Fn(&T, &T) -> Option<u8>,
) -> Vec<(&'x T, &'x T, u8)> {
    let mut scores = Vec::new();
    for (i, g) in gone.iter().enumerate() {
        for (j, n) in new.iter().enumerate() {
            if let Some(s) = score(g, n) {
                scores.push((i, j, s));
            }
        }
    }
    let chosen = assign(scores, threshold);
    let renames = chosen
        .iter()
        .map(|&(i, j, s)| (gone[i], new[j], s))
        .collect();
    let unchosen = |list: &[&'x T], side: fn(&(usize, usize, u8)) -> usize| -> Vec<&'x T> {
        let list = list.iter().enumerate();
        let left = list.filter(|(k, _)| !chosen.iter().any(|c| side(c) == *k));
        left.map(|(_, x)| *x).collect()
    };
    *gone = unchosen(gone, |c| c.0);
    *new = unchosen(new, |c| c.1);
    renames
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, ty: &str, fam: TypeFamily, ord: u32) -> Column {
        Column {
            name: name.into(),
            ordinal: ord,
            data_type: ty.into(),
            family: fam,
            nullable: true,
            ..Column::default()
        }
    }

    #[test]
    fn similar_names_score_high_unrelated_low() {
        let name = col("name", "varchar(100)", TypeFamily::text(Some(100)), 3);
        let full = col("full_name", "varchar(100)", TypeFamily::text(Some(100)), 3);
        assert!(column_score(&name, 6, &full, 7) >= DEFAULT_THRESHOLD);
        let legacy = col("legacy_code", "varchar(20)", TypeFamily::text(Some(20)), 6);
        let phone = col("phone", "varchar(30)", TypeFamily::text(Some(30)), 5);
        assert!(column_score(&legacy, 7, &phone, 6) < DEFAULT_THRESHOLD);
        let email = col("email", "text", TypeFamily::text(None), 2);
        let email_address = col("email_address", "text", TypeFamily::text(None), 2);
        assert!(column_score(&email, 4, &email_address, 4) >= DEFAULT_THRESHOLD);
    }

    #[test]
    fn greedy_assignment() {
        let got = assign(vec![(0, 0, 90), (0, 1, 80), (1, 1, 75), (1, 0, 95)], 70);
        assert_eq!(got, vec![(0, 1, 80), (1, 0, 95)]);
    }

    #[test]
    fn renames_are_taken_out_of_both_sides() {
        let (a, b, c) = ("a".to_string(), "b".to_string(), "c".to_string());
        let (x, y) = ("x".to_string(), "y".to_string());
        let mut gone = vec![&a, &b, &c];
        let mut new = vec![&x, &y];
        let score = |g: &String, n: &String| match (g.as_str(), n.as_str()) {
            ("a", _) => None,
            ("b", "y") => Some(90),
            ("c", "x") => Some(75),
            ("c", "y") => Some(95),
            _ => Some(10),
        };
        let renames = take_renames(&mut gone, &mut new, 70, score);
        // c takes y (95, the best); b's only good match is gone; nothing for a (never scored).
        assert_eq!(renames, vec![(&c, &y, 95)]);
        assert_eq!(gone, vec![&a, &b]);
        assert_eq!(new, vec![&x]);
    }
}
