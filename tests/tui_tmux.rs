//! The TUI in a real terminal: tmux runs the real binary (a private tmux server per test), keys
//! go in with `send-keys`, the screen comes back with `capture-pane` (with `-e`, its escape codes).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SLUICE: &str = env!("CARGO_BIN_EXE_sluice");

/// A private tmux server running one session `s` whose only pane runs a command.
struct Tmux {
    socket: String,
    dir: tempfile::TempDir,
}

impl Tmux {
    /// Starts `sluice ARGS` at W×H in a fresh directory (its cwd, data and config dirs). When
    /// sluice ends, the pane records its exit code and the terminal's mode (`stty -a`), then
    /// waits: the screen stays readable.
    fn start(w: u16, h: u16, args: &[&str], env: &[(&str, &str)]) -> Tmux {
        let dir = tempfile::tempdir().expect("tempdir");
        let socket = format!(
            "sluice-test-{}-{}",
            std::process::id(),
            dir.path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        std::fs::create_dir_all(dir.path().join("data")).expect("data dir");
        std::fs::create_dir_all(dir.path().join("config")).expect("config dir");
        let mut cmd = format!(
            "cd {d} && env -u NO_COLOR SLUICE_DATA_DIR={d}/data SLUICE_CONFIG_DIR={d}/config",
            d = sh(dir.path())
        );
        for (k, v) in env {
            cmd.push_str(&format!(" {k}={}", sh(Path::new(v))));
        }
        cmd.push_str(&format!(" {}", sh(Path::new(SLUICE))));
        for a in args {
            cmd.push_str(&format!(" {}", sh(Path::new(a))));
        }
        cmd.push_str(&format!(
            "; echo $? > {d}/exit; stty -a > {d}/stty; sleep 600",
            d = sh(dir.path())
        ));
        let t = Tmux { socket, dir };
        t.tmux(&[
            "new-session",
            "-d",
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
            "-s",
            "s",
            &cmd,
        ]);
        t
    }

    fn tmux(&self, args: &[&str]) -> String {
        let o = Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux is installed (.ci/run installs it)");
        assert!(
            o.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Keys by tmux's names (`Enter`, `Escape`, `Space`, `C-c`, `j`).
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "s", k]);
            std::thread::sleep(Duration::from_millis(80));
        }
    }

    /// Text typed as is.
    fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "s", "-l", text]);
        std::thread::sleep(Duration::from_millis(80));
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "s"])
    }

    fn screen_escapes(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-e", "-t", "s"])
    }

    fn display(&self, format: &str) -> String {
        self.tmux(&["display", "-p", "-t", "s", format])
            .trim()
            .to_string()
    }

    /// Waits until the screen shows `needle`; returns the screen.
    fn wait_for(&self, needle: &str, secs: u64) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "the screen never showed {needle:?}:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until sluice has ended; its exit code.
    fn wait_exit(&self, secs: u64) -> i32 {
        let f = self.dir().join("exit");
        let start = Instant::now();
        loop {
            if let Ok(t) = std::fs::read_to_string(&f) {
                if let Ok(code) = t.trim().parse() {
                    // stty runs just after.
                    std::thread::sleep(Duration::from_millis(200));
                    return code;
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "sluice never ended:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

fn sh(p: &Path) -> String {
    format!("'{}'", p.to_string_lossy().replace('\'', "'\\''"))
}

/// Whether `word` appears on screen right after an escape sequence that turns reverse video on
/// (the inline diff's emphasis: bold, underline and reverse).
fn emphasized(screen: &str, word: &str) -> bool {
    screen.match_indices(word).any(|(i, _)| {
        // The escape sequences just before the word.
        let before = &screen[..i];
        let mut codes = Vec::new();
        let mut rest = before;
        while rest.ends_with('m') {
            let Some(start) = rest.rfind("\u{1b}[") else {
                break;
            };
            codes.push(rest[start + 2..rest.len() - 1].to_string());
            rest = &rest[..start];
        }
        codes
            .iter()
            .any(|c| c.split(';').any(|p| p == "7") && !c.is_empty())
    })
}

fn sluice(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(SLUICE)
        .current_dir(dir)
        .env("SLUICE_DATA_DIR", dir.join("data"))
        .env("SLUICE_CONFIG_DIR", dir.join("config"))
        .args(args)
        .output()
        .expect("sluice")
}

#[test]
fn the_demo_from_diff_to_apply_in_a_real_terminal() {
    let t = Tmux::start(80, 24, &["demo", "--dir", "demo"], &[]);
    let demo = t.dir().join("demo");
    let s = t.wait_for("17 changes", 60);
    assert_eq!(t.display("#{alternate_on}"), "1", "the TUI owns the screen");
    // The first object, customers, is selected; it will fail on the NULL email.
    assert!(s.contains("customers  ! WILL FAIL · 1 row is NULL"), "{s}");
    // Its SQL diff: the renamed column's changed word is emphasized.
    t.keys(&["Enter"]);
    t.wait_for("main.customers", 10);
    let e = t.screen_escapes();
    assert!(
        emphasized(&e, "\"full_name\""),
        "full_name not emphasized:\n{e}"
    );
    assert!(emphasized(&e, "\"name\""), "name not emphasized:\n{e}");
    assert!(
        !emphasized(&e, "\"country\""),
        "an unchanged line emphasized"
    );
    // The DBA fixes the NULL row in another terminal meanwhile.
    let fix = Command::new("sqlite3")
        .arg(demo.join("target.db"))
        .arg("UPDATE customers SET email = 'fixed@example.com' WHERE email IS NULL")
        .status()
        .expect("sqlite3");
    assert!(fix.success());
    // The plan; exclude create_table reviews: the index on it goes too, and is listed.
    t.keys(&["Escape", "p"]);
    t.wait_for("Plan:", 10);
    t.keys(&["j", "Space"]);
    let s = t.wait_for("also excluded", 10);
    assert!(
        s.contains("also excluded: 1 step(s) that need it (7)"),
        "{s}"
    );
    assert!(
        s.contains("[-]   7 create_index main.reviews.idx_reviews_product"),
        "{s}"
    );
    // Destructive steps are left out until included one by one.
    assert!(
        s.contains("[!]   4 rebuild_table main.order_lines DESTRUCTIVE"),
        "{s}"
    );
    t.keys(&["j", "j", "D", "j", "D"]);
    let s = t.wait_for("step 5 included", 10);
    assert!(s.contains("Plan: 6 of 8 steps run"), "{s}");
    // Write the pack where the prompt proposes.
    t.keys(&["w"]);
    t.wait_for("write the pack to: ./sluice-pack", 10);
    t.keys(&["Enter"]);
    t.wait_for("wrote the pack to ./sluice-pack", 30);
    let plan = std::fs::read_to_string(t.dir().join("sluice-pack/plan.json")).expect("plan.json");
    assert!(plan.contains("create_table"), "{plan}");
    // Apply: a danger step, so the database's name must be typed.
    t.keys(&["a"]);
    t.wait_for("Enter applies", 10);
    t.keys(&["Enter"]);
    t.wait_for("Type the database name (target)", 30);
    t.type_text("targ");
    t.keys(&["Enter"]);
    // A wrong name does not apply.
    std::thread::sleep(Duration::from_millis(300));
    assert!(!t.screen().contains("applied"), "{}", t.screen());
    t.type_text("et");
    t.keys(&["Enter"]);
    let s = t.wait_for("TARGET matches SOURCE except", 60);
    assert!(s.contains("applied 6 step(s)"), "{s}");
    assert!(s.contains("create_table main.reviews (step 2)"), "{s}");
    // q goes back a screen at a time (apply, plan, compare, start), then quits.
    t.keys(&["q", "q", "q", "q"]);
    assert_eq!(t.wait_exit(20), 0);
    assert_eq!(t.display("#{alternate_on}"), "0");
    // On the two files, what is left is exactly the excluded change.
    let src = format!("sqlite:{}", demo.join("source.db").display());
    let tgt = format!("sqlite:{}", demo.join("target.db").display());
    let o = sluice(
        t.dir(),
        &[
            "schema",
            "diff",
            &src,
            &tgt,
            "--exit-code",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let text = v.to_string();
    let mut kinds: Vec<String> = changes(&v);
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "add_foreign_key main.reviews.reviews_customer_id_fkey",
            "add_foreign_key main.reviews.reviews_product_id_fkey",
            "create_index main.reviews.idx_reviews_product",
            "create_table main.reviews",
        ],
        "{text}"
    );
}

/// `kind object` of each change in `schema diff --format json`.
fn changes(v: &serde_json::Value) -> Vec<String> {
    v["changes"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    format!(
                        "{} {}",
                        c["kind"].as_str().unwrap_or("?"),
                        c["object"].as_str().unwrap_or("?")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Two SQLite files of `n` tables each, 10 % of them different: inspection takes a moment.
fn big_pair(dir: &Path, n: usize) -> (PathBuf, PathBuf) {
    let mut a = String::from("BEGIN;");
    let mut b = String::from("BEGIN;");
    for i in 0..n {
        a.push_str(&format!(
            "CREATE TABLE t{i} (id INTEGER PRIMARY KEY, name TEXT NOT NULL, v INTEGER);\
             CREATE INDEX t{i}_name ON t{i} (name);"
        ));
        if i % 10 == 0 {
            b.push_str(&format!(
                "CREATE TABLE t{i} (id INTEGER PRIMARY KEY, name TEXT, w REAL);"
            ));
        } else {
            b.push_str(&format!(
                "CREATE TABLE t{i} (id INTEGER PRIMARY KEY, name TEXT NOT NULL, v INTEGER);\
                 CREATE INDEX t{i}_name ON t{i} (name);"
            ));
        }
    }
    a.push_str("COMMIT;");
    b.push_str("COMMIT;");
    let (pa, pb) = (dir.join("a.db"), dir.join("b.db"));
    for (p, sql) in [(&pa, &a), (&pb, &b)] {
        let mut child = Command::new("sqlite3")
            .arg(p)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("sqlite3");
        if let Some(mut stdin) = child.stdin.take() {
            use std::io::Write;
            stdin.write_all(sql.as_bytes()).expect("sqlite3 stdin");
        }
        assert!(child.wait().expect("sqlite3").success());
    }
    (pa, pb)
}

#[test]
fn a_resize_storm_while_the_diff_loads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = big_pair(dir.path(), 1500);
    let (a, b) = (
        format!("sqlite:{}", a.display()),
        format!("sqlite:{}", b.display()),
    );
    let t = Tmux::start(80, 24, &["tui", &a, &b], &[]);
    let sizes = [
        (60, 20),
        (200, 60),
        (80, 24),
        (61, 19),
        (120, 40),
        (79, 23),
        (150, 50),
        (100, 30),
    ];
    let mut small_seen = false;
    for round in 0..4 {
        for (w, h) in sizes {
            t.tmux(&[
                "resize-window",
                "-t",
                "s",
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
            ]);
            std::thread::sleep(Duration::from_millis(if round == 0 { 60 } else { 20 }));
            if w < 80 && !small_seen {
                std::thread::sleep(Duration::from_millis(150));
                small_seen = t.screen().contains("make the terminal larger");
            }
        }
    }
    assert!(small_seen, "below 80×24 the TUI asks for a larger terminal");
    // The last size is 100×30: once the diff is there, the frame fills exactly that.
    let s = t.wait_for("changes:", 120);
    std::thread::sleep(Duration::from_millis(300));
    let s = if s.lines().count() == 30 {
        t.screen()
    } else {
        s
    };
    assert!(!t.dir().join("exit").exists(), "sluice ended:\n{s}");
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.len(), 30, "{s}");
    let border = lines
        .iter()
        .find(|l| l.starts_with("┌ Differences"))
        .unwrap_or_else(|| panic!("no tree:\n{s}"));
    assert_eq!(border.chars().count(), 100, "{s}");
    assert!(border.ends_with('┐'), "{s}");
    assert!(s.contains("600 changes"), "{s}");
    t.keys(&["q", "q"]);
    assert_eq!(t.wait_exit(20), 0);
}

#[test]
fn a_panic_gives_the_terminal_back() {
    let t = Tmux::start(
        80,
        24,
        &["demo"],
        &[("SLUICE_TUI_TEST_PANIC", "1"), ("RUST_BACKTRACE", "0")],
    );
    let code = t.wait_exit(60);
    assert_eq!(code, 101, "a panic's exit code");
    assert_eq!(
        t.display("#{alternate_on}"),
        "0",
        "still on the alternate screen"
    );
    let stty = std::fs::read_to_string(t.dir().join("stty")).expect("stty -a");
    // Cooked mode: canonical input, echo, signals.
    for flag in ["icanon", "echo", "isig"] {
        assert!(
            stty.split_whitespace().any(|w| w == flag),
            "{flag} is off after the panic:\n{stty}"
        );
    }
    let s = t.screen();
    assert!(
        s.contains("SLUICE_TUI_TEST_PANIC"),
        "the panic is shown:\n{s}"
    );
}

#[test]
fn ctrl_c_during_an_apply_on_postgres_cancels_on_the_server_and_rolls_back() {
    let tgt = support::pg_db();
    let src = support::pg_db();
    tgt.exec("CREATE TABLE a (id int); CREATE TABLE c (id int);");
    src.exec("CREATE TABLE a (id int, b int); CREATE TABLE c (id int, d int);");
    let t = Tmux::start(100, 30, &["tui", &src.url(), &tgt.url()], &[]);
    t.wait_for("changes:", 60);
    t.keys(&["p"]);
    t.wait_for("Plan:", 10);
    t.keys(&["w"]);
    t.wait_for("write the pack to", 10);
    t.keys(&["Enter"]);
    t.wait_for("wrote the pack", 30);
    // Another session holds table c: the apply's second statement waits on the server.
    let mut holder = tgt
        .psql()
        .arg("-c")
        .arg("BEGIN; LOCK TABLE c IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT;")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("psql");
    let held = "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation \
                WHERE c.relname = 'c' AND l.mode = 'AccessExclusiveLock' AND l.granted \
                AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())";
    let start = Instant::now();
    while tgt.query(held) == "0" {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the lock was never granted"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let waiting = || {
        tgt.query(&format!(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name = 'sluice' AND datname = '{}'",
            tgt.name
        )) != "0"
    };
    t.keys(&["a"]);
    t.wait_for("Enter applies", 10);
    t.keys(&["Enter"]);
    t.wait_for("Type y to continue", 30);
    t.keys(&["y", "Enter"]);
    let start = Instant::now();
    while !waiting() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the apply never waited on the lock:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Ctrl-C cancels the job, not the TUI.
    t.keys(&["C-c"]);
    let s = t.wait_for("interrupted", 20);
    assert!(!t.dir().join("exit").exists(), "Ctrl-C quit the TUI:\n{s}");
    let ours = || {
        tgt.query(&format!(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'sluice%' AND state <> 'idle' AND datname = '{}'",
            tgt.name
        ))
    };
    let start = Instant::now();
    while ours() != "0" {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "a statement of ours still runs"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(
        tgt.query(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND table_name IN ('a', 'c')"
        ),
        "2",
        "TARGET changed"
    );
    // Nothing runs now: Ctrl-C quits.
    t.keys(&["C-c"]);
    assert_eq!(t.wait_exit(20), 0);
}
