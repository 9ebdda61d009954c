//! `sluice demo` on a fresh directory: it builds both databases and shows them.

mod support;

#[test]
fn demo_builds_the_pair_and_summarizes_both_catalogs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keep = dir.path().join("demo");
    let out = support::sluice()
        .args(["demo", "--dir", &keep.to_string_lossy()])
        .output()
        .expect("run sluice demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(keep.join("source.db").is_file() && keep.join("target.db").is_file());
    // Both catalogs, with the drift visible in the summaries.
    assert!(stdout.contains("SOURCE"), "{stdout}");
    assert!(stdout.contains("TARGET"), "{stdout}");
    assert!(
        stdout.contains("table reviews"),
        "SOURCE has the new table: {stdout}"
    );
    let summary_lines = stdout
        .lines()
        .filter(|l| l.starts_with("    table reviews"))
        .count();
    assert_eq!(summary_lines, 1, "only SOURCE's summary has it: {stdout}");
    assert!(stdout.contains("view  order_totals"), "{stdout}");
    // The schema diff of the pair: renames, drops, retypes and additions.
    assert!(
        stdout.contains("rename column name → full_name"),
        "{stdout}"
    );
    assert!(
        stdout.contains("drop column legacy_code [destructive]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("column price: type REAL → NUMERIC(10,2)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("create index idx_orders_customer_placed"),
        "{stdout}"
    );
    assert!(stdout.contains("+ create table reviews"), "{stdout}");
    // The plan that would bring TARGET in line: what SQLite cannot alter in place is a rebuild.
    assert!(
        stdout.contains("BEGIN;") && stdout.contains("COMMIT;"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("-- step ") && l.ends_with("rebuild_table main.products")),
        "{stdout}"
    );
    // As in up.sql, a destructive step is commented out, with why.
    assert!(
        stdout.contains("LEFT OUT: destructive (drop-column)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("-- ALTER TABLE \"products__sluice_new\" RENAME TO \"products\";"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ALTER TABLE \"customers\" RENAME COLUMN \"name\" TO \"full_name\";"),
        "{stdout}"
    );
    // The demo databases are real SQLite files with the expected rows.
    let target = support::SqliteDb {
        path: keep.join("target.db"),
        dir: tempfile::tempdir().expect("tempdir"),
    };
    assert_eq!(target.query("SELECT count(*) FROM customers"), "5");
    assert_eq!(
        target.query("SELECT name FROM customers WHERE id = 4"),
        "Zoë Ålander"
    );
    // The pack is written and the way to apply it shown.
    assert!(stdout.contains("Migration pack:"), "{stdout}");
    for f in [
        "up.sql",
        "down.sql",
        "changelog.md",
        "plan.json",
        "graph.dot",
    ] {
        assert!(keep.join("pack").join(f).is_file(), "pack/{f} missing");
    }
    assert!(stdout.contains("sluice apply "), "{stdout}");
    // Running it again into the same directory refuses to overwrite.
    let again = support::sluice()
        .args(["demo", "--dir", &keep.to_string_lossy()])
        .output()
        .expect("run sluice demo");
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn demo_in_a_temporary_directory_cleans_up() {
    let out = support::sluice()
        .arg("demo")
        .output()
        .expect("run sluice demo");
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let path = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("SOURCE (desired state)"))
        .map(|p| p.trim().trim_start_matches("sqlite:").to_string())
        .expect("source path printed");
    assert!(
        !std::path::Path::new(&path).exists(),
        "temporary demo left behind"
    );
}
