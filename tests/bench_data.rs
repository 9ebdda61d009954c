//! `sluice bench data` against throwaway PostgreSQL and MariaDB servers and SQLite files.
//! Not part of the suite (ignored): run it on purpose, in release mode, for figures:
//!
//! ```text
//! SLUICE_BENCH_ROWS=1000000 cargo test --release --test bench_data -- --ignored --nocapture
//! ```

mod support;

#[test]
#[ignore = "a benchmark, not a test: run with --ignored --release"]
fn bench_data() {
    let rows = std::env::var("SLUICE_BENCH_ROWS").unwrap_or_else(|_| "1000000".into());
    let pg = support::pg_db();
    let my = support::mysql_db();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = support::sluice()
        .args(["bench", "data", "--rows", &rows, "--sqlite"])
        .args(["--postgres", &pg.url(), "--mysql", &my.url()])
        .arg("--dir")
        .arg(dir.path())
        .output()
        .expect("run sluice bench");
    println!("{}", String::from_utf8_lossy(&out.stdout));
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0));
}

/// The benchmark itself runs in CI, small: on every dialect the diff finds exactly the drift
/// that SQL EXCEPT counts, the figures are printed, and peak memory is under the 64 MB target.
#[test]
fn bench_data_small_runs_and_is_exact() {
    let pg = support::pg_db();
    let my = support::mysql_db();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = support::sluice()
        .args(["bench", "data", "--rows", "30000", "--sqlite"])
        .args(["--postgres", &pg.url(), "--mysql", &my.url()])
        .arg("--dir")
        .arg(dir.path())
        .output()
        .expect("run sluice bench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("rows/table"))
        .collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    for (line, dialect) in lines.iter().zip(["postgres", "mariadb", "sqlite"]) {
        assert!(line.starts_with(dialect), "{line}");
        assert!(
            line.contains("differences 10/10/10 (EXCEPT 10/10/10) ok"),
            "{line}"
        );
        let peak: f64 = line
            .split("peak ")
            .nth(1)
            .and_then(|r| r.split(" MB").next())
            .and_then(|m| m.parse().ok())
            .unwrap_or_else(|| panic!("no peak figure: {line}"));
        assert!(peak > 1.0 && peak < 64.0, "{line}");
    }
}
