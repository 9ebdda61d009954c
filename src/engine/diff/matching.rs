//! Pairing TARGET's objects with SOURCE's. Two ways:
//! - [`by_name`]: every name once, with what each side has under it — to create (only SOURCE),
//!   to alter (both) or to drop (only TARGET). Every object kind the differ compares by name goes
//!   through it; the differ then writes the changes of that kind.
//! - [`by_definition`]: constraints and indexes, where an object with the same definition under
//!   another name is a rename, not a drop and an add.
//!
//! Both are deterministic: names in order, whatever order the catalogs list them in.

use std::collections::BTreeMap;

/// What one name has on each side.
#[derive(Debug, PartialEq)]
pub(crate) enum Matched<'x, T> {
    /// Only SOURCE has it: to create.
    Create(&'x T),
    /// Both have it (TARGET's, SOURCE's): to alter where they differ.
    Alter(&'x T, &'x T),
    /// Only TARGET has it: to drop.
    Drop(&'x T),
}

impl<T> Clone for Matched<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Matched<'_, T> {}

impl<'x, T> Matched<'x, T> {
    /// TARGET's object, if TARGET has one.
    pub(crate) fn target(self) -> Option<&'x T> {
        match self {
            Matched::Alter(t, _) | Matched::Drop(t) => Some(t),
            Matched::Create(_) => None,
        }
    }

    /// SOURCE's object, if SOURCE has one.
    pub(crate) fn source(self) -> Option<&'x T> {
        match self {
            Matched::Create(s) | Matched::Alter(_, s) => Some(s),
            Matched::Drop(_) => None,
        }
    }
}

/// TARGET's and SOURCE's objects paired by name (see [`by_name`]).
#[derive(Debug)]
pub(crate) struct Matching<'x, T> {
    /// Every name once, in name order.
    entries: Vec<Matched<'x, T>>,
}

impl<'x, T> Matching<'x, T> {
    /// Every name once, in name order.
    pub(crate) fn all(&self) -> impl Iterator<Item = Matched<'x, T>> + '_ {
        self.entries.iter().copied()
    }

    /// The order the differ writes changes in: creates and alters in name order, then drops in
    /// name order.
    pub(crate) fn in_change_order(&self) -> impl Iterator<Item = Matched<'x, T>> + '_ {
        let kept = self.all().filter(|m| m.source().is_some());
        kept.chain(self.all().filter(|m| m.source().is_none()))
    }
}

/// Pairs TARGET's objects with SOURCE's by the name `name` gives them (any ordered key: a name,
/// a `name(arguments)` signature, a tuple). Should one side list two objects under one name, the
/// later one counts.
pub(crate) fn by_name<'x, T, K: Ord>(
    target: &'x [T],
    source: &'x [T],
    name: impl Fn(&'x T) -> K,
) -> Matching<'x, T> {
    let mut sides: BTreeMap<K, (Option<&'x T>, Option<&'x T>)> = BTreeMap::new();
    for t in target {
        sides.entry(name(t)).or_default().0 = Some(t);
    }
    for s in source {
        sides.entry(name(s)).or_default().1 = Some(s);
    }
    let entries = sides
        .into_values()
        .filter_map(|sides| match sides {
            (None, Some(s)) => Some(Matched::Create(s)),
            (Some(t), Some(s)) => Some(Matched::Alter(t, s)),
            (Some(t), None) => Some(Matched::Drop(t)),
            (None, None) => None,
        })
        .collect();
    Matching { entries }
}

/// What pairing by definition found.
pub(crate) struct ByDefinition<'x, T> {
    /// Only TARGET has an object of this name and definition: to drop.
    pub(crate) drops: Vec<&'x T>,
    /// Only SOURCE has an object of this name and definition: to add.
    pub(crate) adds: Vec<&'x T>,
    /// The same definition under another name: renamed (`(old, new)`).
    pub(crate) renames: Vec<(String, String)>,
}

/// Pairs two named lists by definition (`eq`, TARGET's object first): same name and equal is
/// nothing; a dropped object equal to an added one is a rename when neither name is taken on the
/// other side. Lists keep their catalog order.
pub(crate) fn by_definition<'x, T>(
    old: &'x [T],
    new: &'x [T],
    name: impl Fn(&T) -> &str,
    eq: impl Fn(&T, &T) -> bool,
) -> ByDefinition<'x, T> {
    let mut drops: Vec<&T> = Vec::new();
    let mut adds: Vec<&T> = Vec::new();
    for o in old {
        if !new.iter().any(|n| name(n) == name(o) && eq(o, n)) {
            drops.push(o);
        }
    }
    for n in new {
        if !old.iter().any(|o| name(n) == name(o) && eq(o, n)) {
            adds.push(n);
        }
    }
    let mut renames = Vec::new();
    let mut i = 0;
    while i < drops.len() {
        let o = drops[i];
        let taken_new = |n: &T| new.iter().any(|x| std::ptr::eq(x, n));
        let candidate = adds.iter().position(|n| {
            eq(o, n)
                && taken_new(n)
                && !old.iter().any(|x| name(x) == name(n))
                && !new.iter().any(|x| name(x) == name(o))
        });
        match candidate {
            Some(j) => {
                renames.push((name(o).to_string(), name(adds[j]).to_string()));
                adds.remove(j);
                drops.remove(i);
            }
            None => i += 1,
        }
    }
    ByDefinition {
        drops,
        adds,
        renames,
    }
}

#[cfg(test)]
mod tests {
    use super::Matched::*;
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Obj {
        name: &'static str,
        def: u32,
    }

    const fn o(name: &'static str, def: u32) -> Obj {
        Obj { name, def }
    }

    #[test]
    fn names_pair_into_creates_alters_and_drops_in_name_order() {
        let target = [o("c", 1), o("a", 1), o("d", 1)];
        let source = [o("b", 2), o("d", 2), o("a", 2)];
        let m = by_name(&target, &source, |x| x.name);
        let all: Vec<Matched<Obj>> = m.all().collect();
        assert_eq!(
            all,
            [
                Alter(&target[1], &source[2]),
                Create(&source[0]),
                Drop(&target[0]),
                Alter(&target[2], &source[1]),
            ]
        );
        let order: Vec<&str> = m
            .in_change_order()
            .map(|m| match m {
                Create(s) => s.name,
                Alter(_, s) => s.name,
                Drop(t) => t.name,
            })
            .collect();
        // Creates and alters first (a, b, d), then drops (c).
        assert_eq!(order, ["a", "b", "d", "c"]);
        assert_eq!(all[0].target(), Some(&target[1]));
        assert_eq!(all[1].target(), None);
        assert_eq!(all[2].source(), None);
    }

    #[test]
    fn keys_may_be_anything_ordered_and_the_later_duplicate_counts() {
        let target = [o("f", 1), o("f", 2)];
        let source = [o("f", 2)];
        let m = by_name(&target, &source, |x| (x.name, x.def));
        let all: Vec<Matched<Obj>> = m.all().collect();
        assert_eq!(all, [Drop(&target[0]), Alter(&target[1], &source[0])]);
        let m = by_name(&target, &source, |x| x.name);
        let all: Vec<Matched<Obj>> = m.all().collect();
        assert_eq!(all, [Alter(&target[1], &source[0])]);
        let empty: [Obj; 0] = [];
        assert_eq!(by_name(&empty, &empty, |x| x.name).all().count(), 0);
    }

    #[test]
    fn the_same_definition_under_another_name_is_a_rename() {
        let old = [o("k1", 1), o("k2", 2), o("k3", 3)];
        let new = [o("k1", 1), o("k2", 20), o("key3", 3)];
        let eq = |a: &Obj, b: &Obj| a.def == b.def;
        let d = by_definition(&old, &new, |x| x.name, eq);
        assert_eq!(d.drops, [&old[1]]);
        assert_eq!(d.adds, [&new[1]]);
        assert_eq!(d.renames, [("k3".to_string(), "key3".to_string())]);
        // Not a rename when the new name is taken in TARGET (or the old one in SOURCE).
        let old = [o("a", 1), o("b", 2)];
        let new = [o("b", 1)];
        let d = by_definition(&old, &new, |x| x.name, eq);
        assert!(d.renames.is_empty());
        assert_eq!(d.drops, [&old[0], &old[1]]);
        assert_eq!(d.adds, [&new[0]]);
    }
}
