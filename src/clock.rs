//! The time sluice writes into its files and outputs: UTC, RFC 3339, `Z` for the zone. One
//! place, so that journals, history, snapshots and runs agree on the form.

use chrono::{SecondsFormat, Utc};

/// Now, to the second: `2026-11-22T10:15:00Z` (journals, history, snapshots, packs).
pub fn now_rfc3339() -> String {
    now_with(SecondsFormat::Secs)
}

/// Now, to the millisecond: `2026-11-22T10:15:00.123Z` (row-diff runs and checkpoints, which
/// may be written several times a second).
pub fn now_rfc3339_millis() -> String {
    now_with(SecondsFormat::Millis)
}

fn now_with(precision: SecondsFormat) -> String {
    Utc::now().to_rfc3339_opts(precision, true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn forms() {
        let s = super::now_rfc3339();
        assert!(
            s.ends_with('Z') && s.len() == "2026-11-22T10:15:00Z".len(),
            "{s}"
        );
        let m = super::now_rfc3339_millis();
        assert!(
            m.ends_with('Z') && m.len() == "2026-11-22T10:15:00.123Z".len(),
            "{m}"
        );
    }
}
