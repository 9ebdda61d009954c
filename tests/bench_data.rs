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
