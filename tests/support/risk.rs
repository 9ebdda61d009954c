//! What the three risk suites ask of a verdict.

use sluice::model::{Assessment, DataCount};

/// The data count of `a` that describes `what`; panics listing the counts there are.
pub fn find<'a>(a: &'a Assessment, what: &str) -> &'a DataCount {
    a.counts
        .iter()
        .find(|c| c.what == what)
        .unwrap_or_else(|| panic!("no count '{what}' in {:?}", a.counts))
}

pub fn count(a: &Assessment, what: &str) -> u64 {
    find(a, what).count
}

/// The reason says `text`.
pub fn has(a: &Assessment, text: &str) {
    assert!(
        a.reason.contains(text),
        "reason '{}' lacks '{text}'",
        a.reason
    );
}

/// The suggestion says `text`.
pub fn suggests(a: &Assessment, text: &str) {
    let s = a.suggestion.as_deref().unwrap_or("");
    assert!(s.contains(text), "suggestion '{s}' lacks '{text}'");
}
