//! The command line end to end: the real binary against real servers and files.

mod support;

use std::process::Output;

use sluice::model::Snapshot;

fn run(args: &[&str]) -> Output {
    support::sluice()
        .args(args)
        .output()
        .expect("run the sluice binary")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A failure is exactly one line on stderr, starting with `sluice: error:`.
fn assert_one_line_error(o: &Output, code: i32, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "exit code; stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err:?}");
    assert!(err.starts_with("sluice: error: "), "{err}");
    assert!(err.contains(needle), "expected {needle:?} in {err:?}");
}

#[test]
fn unknown_url_scheme_is_a_usage_error() {
    let o = run(&["inspect", "oracle://scott:tiger@db/orcl"]);
    assert_one_line_error(&o, 2, "unknown database URL scheme 'oracle'");
    assert!(!stderr(&o).contains("tiger"), "password leaked");
}

#[test]
fn unreachable_host_is_a_connect_error() {
    // Nothing listens on this port: connection refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let url = format!("postgres://app:s3cret-pw@127.0.0.1:{port}/shop");
    let o = run(&["inspect", &url]);
    assert_one_line_error(&o, 3, "cannot connect to postgres://app@127.0.0.1");
    assert!(!stderr(&o).contains("s3cret-pw"), "password leaked");
    // A host name that does not resolve.
    let o = run(&[
        "inspect",
        "mysql://app:s3cret-pw@no-such-host.invalid:3306/shop",
    ]);
    assert_one_line_error(&o, 3, "cannot connect to mysql://app@no-such-host.invalid");
    assert!(!stderr(&o).contains("s3cret-pw"), "password leaked");
}

#[test]
fn wrong_password_postgres_is_a_connect_error() {
    let db = support::pg_db();
    let o = run(&["inspect", &db.url_with_password("not-the-password")]);
    assert_one_line_error(&o, 3, "password authentication failed");
    assert!(!stderr(&o).contains("not-the-password"), "password leaked");
}

#[test]
fn wrong_password_mariadb_is_a_connect_error() {
    let db = support::mysql_db();
    let o = run(&["inspect", &db.url_with_password("not-the-password")]);
    assert_one_line_error(&o, 3, "Access denied");
    assert!(!stderr(&o).contains("not-the-password"), "password leaked");
}

#[test]
fn missing_sqlite_file_is_not_created() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nope.db");
    let url = format!("sqlite:{}", path.display());
    let o = run(&["inspect", &url]);
    assert_one_line_error(&o, 3, "no such file");
    assert!(!path.exists(), "sluice created the SQLite file");
    let o = run(&[
        "snapshot",
        &url,
        "--out",
        &dir.path().join("s.json").to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(!path.exists(), "sluice created the SQLite file");
}

#[test]
fn a_file_that_is_not_a_snapshot_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("other.json");
    std::fs::write(&json, r#"{"hello": "world"}"#).expect("write");
    let o = run(&["inspect", &json.to_string_lossy()]);
    assert_one_line_error(&o, 2, "not a sluice snapshot");
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "just some notes\n").expect("write");
    let o = run(&["inspect", &text.to_string_lossy()]);
    assert_one_line_error(&o, 2, "not JSON");
    let newer = dir.path().join("newer.json");
    std::fs::write(&newer, r#"{"format": "sluice-snapshot", "version": 99}"#).expect("write");
    let o = run(&["inspect", &newer.to_string_lossy()]);
    assert_one_line_error(&o, 2, "version 99");
}

#[test]
fn a_name_that_is_nothing_is_a_usage_error() {
    let o = run(&["inspect", "staging"]);
    assert_one_line_error(
        &o,
        2,
        "'staging' is not a database URL, an existing snapshot file or a profile name",
    );
}

#[test]
fn bad_arguments_exit_2() {
    let o = run(&["snapshot"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["inspect", "sqlite:x.db", "--table", "a[b"]);
    assert_one_line_error(&o, 2, "bad name pattern 'a[b'");
}

#[test]
fn snapshot_then_inspect_the_snapshot_postgres() {
    let db = support::pg_db();
    db.exec(
        "CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL); CREATE INDEX t_name ON t (name);",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("snap.json");
    let o = run(&["snapshot", &db.url(), "--out", &out.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).expect("snapshot written");
    assert!(
        !text.contains(support::PG_PASSWORD),
        "password in the snapshot"
    );
    let snap = Snapshot::from_json(&text).expect("a snapshot");
    assert_eq!(snap.format, "sluice-snapshot");
    assert_eq!(snap.version, 1);
    let t = snap.catalog.table("public", "t").expect("table t");
    assert_eq!(t.indexes[0].name, "t_name");
    // The snapshot is accepted where a schema source is wanted.
    let o = run(&["inspect", &out.to_string_lossy(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let again = Snapshot::from_json(&String::from_utf8_lossy(&o.stdout)).expect("json output");
    assert_eq!(again.catalog, snap.catalog);
    // Text summary names the table.
    let o = run(&["inspect", &db.url()]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("table t"), "{text}");
    // Snapshot refuses a file as its input.
    let o = run(&["snapshot", &out.to_string_lossy(), "--out", "x.json"]);
    assert_one_line_error(&o, 2, "snapshot takes a live database");
}

#[test]
fn profiles_resolve_with_password_from_env() {
    let db = support::pg_db();
    db.exec("CREATE TABLE via_profile (id int)");
    let dir = tempfile::tempdir().expect("tempdir");
    let profiles = dir.path().join("profiles.toml");
    let url_without_password = db
        .url()
        .replace(&format!(":{}@", support::PG_PASSWORD), "@");
    std::fs::write(
        &profiles,
        format!("[profiles.stage]\nurl = \"{url_without_password}\"\npassword_env = \"SLUICE_TEST_STAGE_PW\"\n"),
    )
    .expect("write profiles");
    let o = support::sluice()
        .args([
            "--profiles",
            &profiles.to_string_lossy(),
            "inspect",
            "stage",
        ])
        .env("SLUICE_TEST_STAGE_PW", support::PG_PASSWORD)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("via_profile"));
    // Without the variable: a clear configuration error.
    let o = support::sluice()
        .args([
            "--profiles",
            &profiles.to_string_lossy(),
            "inspect",
            "stage",
        ])
        .env_remove("SLUICE_TEST_STAGE_PW")
        .output()
        .expect("run");
    assert_one_line_error(&o, 2, "$SLUICE_TEST_STAGE_PW, which is not set");
}
