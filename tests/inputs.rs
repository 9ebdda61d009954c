//! Bad input through the `sluice` binary: every mistake is one line on stderr, `sluice: error: …`,
//! naming what is wrong and what to do, with the documented exit code — and nothing left behind.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn sluice(data_dir: &Path) -> Command {
    let mut c = support::sluice();
    c.env("SLUICE_DATA_DIR", data_dir);
    c
}

fn run(data_dir: &Path, args: &[&str]) -> Output {
    sluice(data_dir)
        .args(args)
        .output()
        .expect("run the sluice binary")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A failure is exactly one line on stderr, starting with `sluice: error:`, containing every
/// needle, and nothing on stdout.
fn assert_error(o: &Output, code: i32, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "exit code; stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err:?}");
    assert!(err.starts_with("sluice: error: "), "{err}");
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in {err:?}");
    }
    assert!(o.stdout.is_empty(), "stdout: {}", stdout(o));
}

/// The runs a data directory holds (none when it was never created).
fn runs_in(data_dir: &Path) -> Vec<String> {
    std::fs::read_dir(data_dir.join("runs"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", stdout(o), stderr(o)))
}

fn compared_tables(o: &Output) -> Vec<String> {
    json(o)["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .map(|t| t["table"].as_str().expect("table").to_string())
        .collect()
}

const ARTIST: &str = "CREATE TABLE Artist (ArtistId INT PRIMARY KEY, Name VARCHAR(120));
     CREATE TABLE Album (AlbumId INT PRIMARY KEY, Title VARCHAR(160), ArtistId INT);
     INSERT INTO Artist VALUES (1, 'AC/DC'), (2, 'Accept');";

// ------------------------------------------------------------------ 1. filters that match nothing

/// MySQL/MariaDB table names as people type them: `--tables artist` is Chinook's `Artist`; a
/// pattern that matches nothing is an error naming it and the nearest table, and leaves no run.
#[test]
fn data_diff_table_filter_mariadb() {
    let (s, t) = (support::mysql_db(), support::mysql_db());
    s.exec(ARTIST);
    t.exec(ARTIST);
    t.exec("UPDATE Artist SET Name = 'Accept!' WHERE ArtistId = 2");
    let data = tempfile::tempdir().expect("tempdir");
    let (su, tu) = (s.url(), t.url());
    let diff = |tables: &str| {
        run(
            data.path(),
            &[
                "data",
                "diff",
                &su,
                &tu,
                "--tables",
                tables,
                "--exit-code",
                "--format",
                "json",
            ],
        )
    };
    let o = diff("artist");
    assert_eq!(o.status.code(), Some(1), "one row differs: {}", stderr(&o));
    assert_eq!(compared_tables(&o), vec![format!("{}.Artist", s.name)]);
    let before = runs_in(data.path());
    let o = diff("artst");
    assert_error(
        &o,
        2,
        &["--tables 'artst'", "SOURCE or TARGET", "nearest: Artist"],
    );
    assert!(!stderr(&o).contains(support::MY_PASSWORD), "password shown");
    let o = diff("artist,nothing_like_it");
    assert_error(&o, 2, &["--tables 'nothing_like_it'", "check the spelling"]);
    assert_eq!(runs_in(data.path()), before, "a refused diff left a run");
}

/// PostgreSQL compares quoted names exactly: `artist` is not `"Artist"`, but the error says which
/// name is meant.
#[test]
fn data_diff_table_filter_postgres() {
    let (s, t) = (support::pg_db(), support::pg_db());
    let ddl = r#"CREATE TABLE "Artist" ("ArtistId" int PRIMARY KEY, "Name" text);
                 CREATE TABLE album (id int PRIMARY KEY);"#;
    s.exec(ddl);
    t.exec(ddl);
    let data = tempfile::tempdir().expect("tempdir");
    let (su, tu) = (s.url(), t.url());
    let o = run(
        data.path(),
        &[
            "data",
            "diff",
            &su,
            &tu,
            "--tables",
            "artist",
            "--exit-code",
        ],
    );
    assert_error(
        &o,
        2,
        &["--tables 'artist'", "nearest: Artist", "case-sensitive"],
    );
    assert!(runs_in(data.path()).is_empty(), "a refused diff left a run");
    let o = run(
        data.path(),
        &[
            "data", "diff", &su, &tu, "--tables", "Artist", "--format", "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(compared_tables(&o), vec!["public.Artist".to_string()]);
    // schema diff, plan, inspect and snapshot check their `--table`/`--schema` the same way.
    let o = run(data.path(), &["inspect", &su, "--table", "artist"]);
    assert_error(&o, 2, &["--table 'artist'", "nearest: Artist"]);
    let o = run(
        data.path(),
        &["schema", "diff", &su, &tu, "--schema", "pubic"],
    );
    assert_error(&o, 2, &["--schema 'pubic'", "nearest: public"]);
}

/// SQLite identifiers ignore case; every schema command refuses a pattern that selects nothing
/// (and writes nothing); exclude patterns need not match.
#[test]
fn schema_commands_table_filter_sqlite() {
    let (s, t) = (support::sqlite_db(), support::sqlite_db());
    let ddl = "CREATE TABLE Artist (ArtistId INTEGER PRIMARY KEY, Name TEXT);
               CREATE TABLE Album (AlbumId INTEGER PRIMARY KEY, Title TEXT);
               CREATE VIEW artist_names AS SELECT Name FROM Artist;";
    s.exec(ddl);
    t.exec(ddl);
    t.exec("DROP TABLE Album");
    let data = tempfile::tempdir().expect("tempdir");
    let (su, tu) = (s.url(), t.url());
    let out = tempfile::tempdir().expect("tempdir");
    let pack = out.path().join("pack");
    let snap = out.path().join("snap.json");
    let (pack_s, snap_s) = (
        pack.to_string_lossy().into_owned(),
        snap.to_string_lossy().into_owned(),
    );

    // Found ignoring case.
    let o = run(data.path(), &["inspect", &su, "--table", "ARTIST"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("table Artist"), "{}", stdout(&o));
    let o = run(
        data.path(),
        &[
            "data", "diff", &su, &tu, "--tables", "ARTIST", "--format", "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(compared_tables(&o), vec!["main.Artist".to_string()]);

    // Not found: one line, exit 2, nothing written.
    for (args, needles) in [
        (
            vec!["inspect", &su, "--table", "artst"],
            vec!["--table 'artst'", "nearest: Artist"],
        ),
        (
            vec!["snapshot", &su, "--out", &snap_s, "--table", "albun"],
            vec!["--table 'albun'", "nearest: Album"],
        ),
        (
            vec!["schema", "diff", &su, &tu, "--table", "Artist,trak"],
            vec!["--table 'trak'", "SOURCE or TARGET"],
        ),
        (
            vec![
                "schema",
                "diff",
                &su,
                &tu,
                "--exit-code",
                "--schema",
                "mian",
            ],
            vec!["--schema 'mian'", "nearest: main"],
        ),
        (
            vec![
                "schema", "plan", &su, &tu, "--out", &pack_s, "--table", "albums",
            ],
            vec!["--table 'albums'", "nearest: Album"],
        ),
        (
            vec!["data", "diff", &su, &tu, "--tables", "artist_names"],
            vec!["only the view main.artist_names"],
        ),
    ] {
        let o = run(data.path(), &args);
        assert_error(&o, 2, &needles);
    }
    assert!(!pack.exists(), "schema plan wrote a pack");
    assert!(!snap.exists(), "snapshot wrote a file");
    assert!(runs_in(data.path()).len() == 1, "a refused diff left a run");

    // A view is a match for schema work; excludes never need to match.
    let o = run(
        data.path(),
        &[
            "schema",
            "diff",
            &su,
            &tu,
            "--table",
            "artist_*",
            "--exit-code",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(
        data.path(),
        &[
            "schema",
            "diff",
            &su,
            &tu,
            "--exclude-table",
            "nothing",
            "--exclude-schema",
            "nowhere",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A snapshot is filtered (and checked) the same way.
    let o = run(data.path(), &["snapshot", &su, "--out", &snap_s]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(data.path(), &["inspect", &snap_s, "--table", "artist"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(data.path(), &["inspect", &snap_s, "--table", "artst"]);
    assert_error(&o, 2, &["--table 'artst'", "nearest: Artist"]);
}

// ------------------------------------------------------------------ 2. a closed stdout

/// Runs sluice with stdout a pipe whose reading end is already closed: every write fails with
/// EPIPE (what `sluice … | head -1` does once `head` has gone), deterministically.
fn run_into_closed_pipe(data_dir: &Path, args: &[&str]) -> Output {
    use std::os::fd::FromRawFd;
    let mut fds = [0i32; 2];
    // SAFETY: `pipe` fills two new descriptors; we own both and close the reading end at once.
    let write_end = unsafe {
        assert_eq!(libc::pipe(fds.as_mut_ptr()), 0, "pipe()");
        libc::close(fds[0]);
        std::os::fd::OwnedFd::from_raw_fd(fds[1])
    };
    sluice(data_dir)
        .args(args)
        .stdout(Stdio::from(write_end))
        .stderr(Stdio::piped())
        .output()
        .expect("run the sluice binary")
}

#[test]
fn a_closed_stdout_ends_quietly_with_141() {
    let (s, t) = (support::sqlite_db(), support::sqlite_db());
    s.exec("CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO a VALUES (1, 'x');");
    t.exec("CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE b (id INTEGER);");
    let data = tempfile::tempdir().expect("tempdir");
    let (su, tu) = (s.url(), t.url());
    let o = run(data.path(), &["data", "diff", &su, &tu, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let run_id = json(&o)["run_id"].as_str().expect("run_id").to_string();
    for args in [
        vec!["runs"],
        vec!["runs", "--format", "json"],
        vec!["inspect", &su],
        vec!["inspect", &su, "--format", "json"],
        vec!["schema", "diff", &su, &tu],
        vec!["schema", "diff", &su, &tu, "--format", "sql"],
        vec!["data", "diff", &su, &tu],
        vec!["data", "show", &run_id],
        vec!["history"],
    ] {
        let o = run_into_closed_pipe(data.path(), &args);
        assert_eq!(o.status.code(), Some(141), "{args:?}: {}", stderr(&o));
        assert!(o.stderr.is_empty(), "{args:?}: {}", stderr(&o));
    }
    // `--help` and `--version` as clap prints them: nothing to report either.
    let o = run_into_closed_pipe(data.path(), &["--help"]);
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
}

/// The demo writes to stdout while it works: a reader that goes away stops it quietly, and its
/// temporary directory is still removed.
#[test]
fn a_closed_stdout_stops_the_demo_and_cleans_up() {
    let data = tempfile::tempdir().expect("tempdir");
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = {
        use std::os::fd::FromRawFd;
        let mut fds = [0i32; 2];
        // SAFETY: as in `run_into_closed_pipe`.
        let write_end = unsafe {
            assert_eq!(libc::pipe(fds.as_mut_ptr()), 0, "pipe()");
            libc::close(fds[0]);
            std::os::fd::OwnedFd::from_raw_fd(fds[1])
        };
        sluice(data.path())
            .arg("demo")
            .env("TMPDIR", tmp.path())
            .stdout(Stdio::from(write_end))
            .output()
            .expect("run the sluice binary")
    };
    assert_eq!(o.status.code(), Some(141), "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("read tmp")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

// ------------------------------------------------------------------ 3. profiles

#[test]
fn profiles_mistakes_are_errors() {
    let data = tempfile::tempdir().expect("tempdir");
    let db = support::sqlite_db();
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY);");
    let dir = tempfile::tempdir().expect("tempdir");
    // $SLUICE_PROFILES naming a file that is not there.
    let missing = dir.path().join("nope.toml");
    let o = sluice(data.path())
        .args(["inspect", &db.url()])
        .env("SLUICE_PROFILES", &missing)
        .output()
        .expect("run");
    assert_error(
        &o,
        2,
        &[&missing.to_string_lossy(), "$SLUICE_PROFILES", "no such"],
    );
    // Both password_env and password_file.
    let profiles = dir.path().join("profiles.toml");
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "from-the-file\n").expect("write");
    std::fs::write(
        &profiles,
        format!(
            "[profiles.stage]\nurl = \"postgres://app@127.0.0.1:1/shop\"\npassword_env = \"SLUICE_TEST_BOTH_PW\"\npassword_file = \"{}\"\n",
            pw.display()
        ),
    )
    .expect("write profiles");
    for via_env in [false, true] {
        let mut c = sluice(data.path());
        if via_env {
            c.env("SLUICE_PROFILES", &profiles);
            c.args(["inspect", "stage"]);
        } else {
            c.args([
                "--profiles",
                &profiles.to_string_lossy(),
                "inspect",
                "stage",
            ]);
        }
        let o = c
            .env("SLUICE_TEST_BOTH_PW", "from-the-env")
            .output()
            .expect("run");
        assert_error(
            &o,
            2,
            &["profile 'stage'", "both password_env and password_file"],
        );
        assert!(!stderr(&o).contains("from-the"), "password shown");
    }
}

// ------------------------------------------------------------------ 4. URLs without host or database

#[test]
fn server_urls_without_host_or_database_are_usage_errors() {
    let data = tempfile::tempdir().expect("tempdir");
    for (url, needles) in [
        (
            "postgres://",
            vec!["names no host", "postgres://USER@HOST:5432/DATABASE"],
        ),
        (
            "postgresql://app:s3cret@127.0.0.1:5432",
            vec!["names no database", "postgresql://USER@HOST:5432/DATABASE"],
        ),
        (
            "postgres://app:s3cret@:5432/shop",
            vec!["names no host", "?host="],
        ),
        (
            "mysql://",
            vec!["names no host", "mysql://USER@HOST:3306/DATABASE"],
        ),
        (
            "mariadb://root:s3cret@127.0.0.1:3306/",
            vec!["names no database", "mariadb://USER@HOST:3306/DATABASE"],
        ),
    ] {
        let o = run(data.path(), &["inspect", url]);
        assert_error(&o, 2, &needles);
        assert!(!stderr(&o).contains("s3cret"), "password shown");
    }
}

// ------------------------------------------------------------------ 5. connection problems named right

#[test]
fn a_file_that_is_not_sqlite_cannot_be_connected_to() {
    let data = tempfile::tempdir().expect("tempdir");
    let dir = tempfile::tempdir().expect("tempdir");
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "just some notes, not a database\n").expect("write");
    let url = format!("sqlite:{}", text.display());
    let o = run(data.path(), &["inspect", &url]);
    assert_error(
        &o,
        3,
        &["cannot connect to sqlite:", "not a SQLite database"],
    );
    // The header is right but the rest is not: SQLite's own NOTADB, also at connect.
    let damaged = dir.path().join("damaged.db");
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend(std::iter::repeat_n(0xA5u8, 4096));
    std::fs::write(&damaged, bytes).expect("write");
    let url = format!("sqlite:{}", damaged.display());
    let o = run(data.path(), &["inspect", &url]);
    assert_error(
        &o,
        3,
        &["cannot connect to sqlite:", "not a SQLite database"],
    );
    // Neither file was touched.
    assert_eq!(
        std::fs::read_to_string(&text).expect("read"),
        "just some notes, not a database\n"
    );
}

/// Over the Unix socket (trust authentication) PostgreSQL says `role "x" does not exist`: that is
/// the user name, not the database name.
#[test]
fn an_unknown_postgres_role_is_hinted_as_the_user_name() {
    let db = support::pg_db();
    let server = support::pg();
    let data = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "postgres:///{}?host={}&port={}&user=no_such_role",
        db.name,
        server.dir.display(),
        server.port
    );
    let o = run(data.path(), &["inspect", &url]);
    assert_error(
        &o,
        3,
        &[
            "role \"no_such_role\" does not exist",
            "check the user name",
        ],
    );
    assert!(
        !stderr(&o).contains("check the database name"),
        "{}",
        stderr(&o)
    );
    // The same socket URL with a real user works (an empty host is fine with ?host=).
    let url = format!(
        "postgres:///{}?host={}&port={}&user=postgres",
        db.name,
        server.dir.display(),
        server.port
    );
    let o = run(data.path(), &["inspect", &url]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

// ------------------------------------------------------------------ 6. numbers out of range

#[test]
fn numeric_flags_are_bounded_at_parse_time() {
    let (s, t) = (support::pg_db(), support::pg_db());
    s.exec("CREATE TABLE a (id int PRIMARY KEY); INSERT INTO a VALUES (1), (2);");
    t.exec("CREATE TABLE a (id int PRIMARY KEY); INSERT INTO a VALUES (2), (3);");
    let data = tempfile::tempdir().expect("tempdir");
    let (su, tu) = (s.url(), t.url());
    for (flag, value) in [
        ("--batch-size", "18446744073709551615"),
        ("--batch-size", "0"),
        ("--batch-size", "1000001"),
        ("--statement-timeout", "18446744073709551615"),
        ("--statement-timeout", "0"),
    ] {
        let o = run(data.path(), &["data", "diff", &su, &tu, flag, value]);
        assert_error(
            &o,
            2,
            &[&format!("invalid value '{value}' for '{flag}"), "--help"],
        );
    }
    assert!(runs_in(data.path()).is_empty(), "a refused diff left a run");
    // Within bounds it runs (the largest batch the database is asked for is fine).
    let o = run(
        data.path(),
        &[
            "data",
            "diff",
            &su,
            &tu,
            "--batch-size",
            "1000000",
            "--statement-timeout",
            "604800",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let run_id = json(&o)["run_id"].as_str().expect("run_id").to_string();
    for args in [
        vec![
            "resume",
            &run_id,
            "--statement-timeout",
            "18446744073709551615",
        ],
        vec![
            "apply",
            "pack",
            "--target",
            &tu,
            "--lock-timeout",
            "18446744073709551615",
        ],
        vec![
            "apply",
            "pack",
            "--target",
            &tu,
            "--statement-timeout",
            "604801",
        ],
        vec!["bench", "data", "--rows", "18446744073709551615"],
    ] {
        let o = run(data.path(), &args);
        assert_error(&o, 2, &["invalid value", "is not in"]);
    }
    // Paging past the end with the largest offset there is: no overflow.
    for offset in ["18446744073709551615", "1"] {
        let o = run(
            data.path(),
            &[
                "data",
                "show",
                &run_id,
                "--offset",
                offset,
                "--limit",
                "18446744073709551615",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(o.stderr.is_empty(), "{}", stderr(&o));
    }
}

// ------------------------------------------------------------------ 7. clap's usage errors

#[test]
fn usage_errors_are_one_line() {
    let data = tempfile::tempdir().expect("tempdir");
    for (args, needles) in [
        (
            vec!["frobnicate"],
            vec!["unrecognized subcommand 'frobnicate'", "`sluice --help`"],
        ),
        (
            vec!["inspct", "x"],
            vec!["a similar subcommand exists: 'inspect'", "`sluice --help`"],
        ),
        (
            vec!["data", "diff", "a"],
            vec!["<TARGET>", "`sluice data diff --help`"],
        ),
        (
            vec!["inspect", "x", "--format", "yaml"],
            vec![
                "invalid value 'yaml'",
                "text, json",
                "`sluice inspect --help`",
            ],
        ),
        (
            vec!["schema", "diff", "a", "b", "--bogus"],
            vec![
                "unexpected argument '--bogus'",
                "`sluice schema diff --help`",
            ],
        ),
        (
            vec![],
            vec!["needs a command", "inspect", "`sluice --help`"],
        ),
        (
            vec!["schema"],
            vec!["needs a command: diff, plan", "`sluice schema --help`"],
        ),
    ] {
        let o = run(data.path(), &args);
        assert_error(&o, 2, &needles);
    }
    // --help and --version as clap prints them, on stdout, exit 0.
    let o = run(data.path(), &["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("Usage: sluice"), "{}", stdout(&o));
    assert!(o.stderr.is_empty());
    let o = run(data.path(), &["data", "diff", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("--batch-size"), "{}", stdout(&o));
    let o = run(data.path(), &["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("sluice "), "{}", stdout(&o));
}

// ------------------------------------------------------------------ 8. corrupt runs are listed

#[test]
fn runs_lists_a_corrupt_manifest() {
    let (s, t) = (support::sqlite_db(), support::sqlite_db());
    s.exec("CREATE TABLE a (id INTEGER PRIMARY KEY);");
    t.exec("CREATE TABLE a (id INTEGER PRIMARY KEY);");
    let data = tempfile::tempdir().expect("tempdir");
    let o = run(
        data.path(),
        &["data", "diff", &s.url(), &t.url(), "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let good = json(&o)["run_id"].as_str().expect("run_id").to_string();
    let bad = data.path().join("runs").join("20200101-000000-abcdef");
    std::fs::create_dir_all(&bad).expect("mkdir");
    let manifest = bad.join("manifest.json");
    std::fs::write(&manifest, "{\"format\": \"sluice-run\", trunc").expect("write");
    let o = run(data.path(), &["runs"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains(&good), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("20200101-000000-abcdef"))
        .unwrap_or_else(|| panic!("corrupt run not listed: {text}"));
    assert!(line.contains("corrupt"), "{line}");
    assert!(
        line.contains(&manifest.to_string_lossy().into_owned()),
        "{line}"
    );
    let o = run(data.path(), &["runs", "--format", "json"]);
    let v = json(&o);
    let list = v.as_array().expect("array");
    assert_eq!(list[0]["run_id"], good.as_str(), "readable runs come first");
    let c = list
        .iter()
        .find(|r| r["run_id"] == "20200101-000000-abcdef")
        .unwrap_or_else(|| panic!("corrupt run not listed: {v}"));
    assert_eq!(c["state"], "corrupt");
    assert_eq!(c["path"], manifest.to_string_lossy().as_ref());
    assert!(c["error"].as_str().is_some_and(|e| !e.is_empty()), "{c}");
}

// ------------------------------------------------------------------ 9. color only on a terminal

fn traced_inspect(db: &support::SqliteDb) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sluice"));
    c.args(["inspect", &db.url()])
        .env("SLUICE_LOG", "trace")
        .env_remove("NO_COLOR");
    c
}

#[test]
fn logs_are_colored_only_on_a_terminal_without_no_color() {
    let db = support::sqlite_db();
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY);");
    let dir = tempfile::tempdir().expect("tempdir");
    // stderr a file: no escape codes, whatever NO_COLOR says.
    let log = dir.path().join("stderr.log");
    let status = traced_inspect(&db)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("create"))
        .status()
        .expect("run");
    assert!(status.success());
    let text = std::fs::read_to_string(&log).expect("read");
    assert!(text.contains("TRACE"), "no log lines: {text}");
    assert!(!text.contains('\x1b'), "colored into a file: {text:?}");
    // stderr a terminal (a pty from `script`): colored, unless NO_COLOR is set to something.
    let on_pty = |no_color: Option<&str>| {
        let cmd = format!("'{}' inspect '{}'", env!("CARGO_BIN_EXE_sluice"), db.url());
        let mut c = Command::new("script");
        c.args(["-qefc", &cmd, "/dev/null"])
            .env("SLUICE_LOG", "trace")
            .env_remove("NO_COLOR")
            .stdin(Stdio::null());
        if let Some(v) = no_color {
            c.env("NO_COLOR", v);
        }
        let o = c.output().expect("run script (util-linux)");
        assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
        stdout(&o)
    };
    let out = on_pty(None);
    assert!(out.contains("TRACE"), "{out}");
    assert!(out.contains('\x1b'), "no color on a terminal: {out:?}");
    let out = on_pty(Some(""));
    assert!(out.contains('\x1b'), "an empty NO_COLOR turned color off");
    let out = on_pty(Some("1"));
    assert!(out.contains("TRACE"), "{out}");
    assert!(!out.contains('\x1b'), "colored under NO_COLOR: {out:?}");
}
