//! Test harness: throwaway PostgreSQL and MariaDB servers started from the installed binaries, once
//! per test binary, on free loopback ports in temporary directories; a fresh database per test;
//! temporary SQLite files.
//!
//! A server is stopped, and its directory removed, by a small watchdog process as soon as the test
//! binary exits, however it exits. A missing binary is a failure that says what to install: no test
//! is ever skipped because a server is missing.
#![allow(dead_code)]
// Servers and their watchdogs outlive the handles on purpose: the watchdog reaps them at exit.
#![allow(clippy::zombie_processes)]

pub mod client;
pub mod converge;
pub mod risk;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub const PG_PASSWORD: &str = "sluice-test-pw";
pub const MY_USER: &str = "sluice";
pub const MY_PASSWORD: &str = "sluice-test-pw";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique_name(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a free loopback port");
    l.local_addr().expect("local addr").port()
}

fn is_root() -> bool {
    static ROOT: OnceLock<bool> = OnceLock::new();
    *ROOT.get_or_init(|| {
        run_capture(Command::new("id").arg("-u"))
            .map(|s| s.trim() == "0")
            .unwrap_or(false)
    })
}

fn run_capture(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{cmd:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// A temporary directory that the watchdog removes; readable by other users (the server user).
fn server_dir(prefix: &str) -> PathBuf {
    let base = std::env::temp_dir().join(unique_name(prefix));
    std::fs::create_dir_all(&base).expect("create server dir");
    set_mode(&base, 0o755);
    base
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
}

/// Starts a detached watchdog that runs `cleanup` once this test process has exited.
fn watchdog(cleanup: &str) {
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.3; done; {cleanup}",
        pid = std::process::id()
    );
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
    cmd.spawn().expect("start the server watchdog");
}

fn wait_until(what: &str, log: &Path, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if ready() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = std::fs::read_to_string(log).unwrap_or_default();
    panic!("{what} did not become ready in {timeout:?}; its log:\n{log}");
}

// ---------------------------------------------------------------- PostgreSQL

pub struct PgServer {
    pub port: u16,
    pub bindir: PathBuf,
    pub dir: PathBuf,
}

fn pg_bindir() -> PathBuf {
    if let Ok(d) = std::env::var("SLUICE_PG_BINDIR") {
        return PathBuf::from(d);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    if let Some((_, bin)) = found.pop() {
        return bin;
    }
    if let Ok(out) = run_capture(Command::new("pg_config").arg("--bindir")) {
        let p = PathBuf::from(out.trim());
        if p.join("initdb").exists() {
            return p;
        }
    }
    panic!(
        "PostgreSQL server binaries (initdb, postgres) not found: install them with \
         `apt-get install -y postgresql` or set SLUICE_PG_BINDIR"
    );
}

/// Runs a command as the unprivileged `postgres` user when we are root (initdb refuses root).
fn as_pg_user(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.arg("-u").arg("postgres").arg("--").arg(program);
        c
    } else {
        Command::new(program)
    }
}

pub fn pg() -> &'static PgServer {
    static PG: OnceLock<PgServer> = OnceLock::new();
    PG.get_or_init(start_pg)
}

fn start_pg() -> PgServer {
    let bindir = pg_bindir();
    let dir = server_dir("sluice-pg");
    let data = dir.join("data");
    let pwfile = dir.join("pw");
    std::fs::write(&pwfile, PG_PASSWORD).expect("write pwfile");
    let root = is_root();
    if root {
        let uid = run_capture(Command::new("id").arg("-u").arg("postgres")).unwrap_or_else(|_| {
            panic!(
                "running as root, but there is no `postgres` system user to run the server as: \
                 `apt-get install -y postgresql` creates it"
            )
        });
        let gid = run_capture(Command::new("id").arg("-g").arg("postgres")).expect("gid");
        let (uid, gid): (u32, u32) = (
            uid.trim().parse().expect("uid"),
            gid.trim().parse().expect("gid"),
        );
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).expect("chown server dir");
        std::os::unix::fs::chown(&pwfile, Some(uid), Some(gid)).expect("chown pwfile");
    }
    run_capture(
        as_pg_user(&bindir.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"])
            .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
            .arg(format!("--pwfile={}", pwfile.display())),
    )
    .unwrap_or_else(|e| panic!("initdb failed: {e}"));

    let log = dir.join("postgres.log");
    let mut last_err = String::new();
    for _ in 0..3 {
        let port = free_port();
        let logf = std::fs::File::create(&log).expect("log file");
        let child = as_pg_user(&bindir.join("postgres"))
            .arg("-D")
            .arg(&data)
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args(["-p", &port.to_string()])
            .arg("-k")
            .arg(&dir)
            .args(["-c", "fsync=off", "-c", "full_page_writes=off"])
            .args(["-c", "synchronous_commit=off", "-c", "max_connections=200"])
            .args(["-c", "shared_buffers=128MB"])
            .stdin(Stdio::null())
            .stdout(logf.try_clone().expect("log"))
            .stderr(logf)
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => panic!("cannot start postgres: {e}"),
        };
        let pg_ctl = bindir.join("pg_ctl");
        let stop = if root {
            format!(
                "runuser -u postgres -- {} stop -D {} -m immediate -w >/dev/null 2>&1; rm -rf {}",
                pg_ctl.display(),
                data.display(),
                dir.display()
            )
        } else {
            format!(
                "{} stop -D {} -m immediate -w >/dev/null 2>&1; rm -rf {}",
                pg_ctl.display(),
                data.display(),
                dir.display()
            )
        };
        let isready = bindir.join("pg_isready");
        let start = Instant::now();
        let mut up = false;
        while start.elapsed() < Duration::from_secs(60) {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            let ok = Command::new(&isready)
                .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-q"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ok {
                up = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if up {
            watchdog(&stop);
            return PgServer { port, bindir, dir };
        }
        let _ = child.kill();
        last_err = std::fs::read_to_string(&log).unwrap_or_default();
    }
    panic!("postgres did not start; its log:\n{last_err}");
}

/// A fresh, empty database of its own for one test.
pub struct PgDb {
    pub name: String,
    pub port: u16,
}

impl PgDb {
    pub fn url(&self) -> String {
        format!(
            "postgres://postgres:{PG_PASSWORD}@127.0.0.1:{}/{}",
            self.port, self.name
        )
    }

    /// The URL with a wrong password.
    pub fn url_with_password(&self, pw: &str) -> String {
        format!(
            "postgres://postgres:{pw}@127.0.0.1:{}/{}",
            self.port, self.name
        )
    }

    pub fn psql(&self) -> Command {
        let mut c = Command::new("psql");
        c.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"])
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                &self.name,
            ])
            .env("PGPASSWORD", PG_PASSWORD)
            .env("PGOPTIONS", "-c client_min_messages=warning");
        c
    }

    /// Runs SQL through psql; panics with psql's message on error.
    pub fn exec(&self, sql: &str) {
        run_capture(self.psql().arg("-c").arg(sql))
            .unwrap_or_else(|e| panic!("SQL failed on {}: {e}", self.name));
    }

    /// Loads a SQL file through psql (COPY … FROM stdin works).
    pub fn load(&self, file: &Path) {
        run_capture(self.psql().arg("-f").arg(file))
            .unwrap_or_else(|e| panic!("loading {} failed: {e}", file.display()));
    }

    /// Runs a SQL file through `psql -v ON_ERROR_STOP=1`; psql's message when it fails.
    pub fn try_load(&self, file: &Path) -> Result<(), String> {
        run_capture(self.psql().arg("-f").arg(file)).map(|_| ())
    }

    /// Runs a query and returns psql's unaligned, tuples-only output.
    pub fn query(&self, sql: &str) -> String {
        run_capture(self.psql().args(["-A", "-t", "-c"]).arg(sql))
            .unwrap_or_else(|e| panic!("query failed on {}: {e}", self.name))
            .trim()
            .to_string()
    }
}

pub fn pg_db() -> PgDb {
    let server = pg();
    let name = unique_name("t");
    let db = PgDb {
        name: "postgres".into(),
        port: server.port,
    };
    db.exec(&format!("CREATE DATABASE \"{name}\""));
    PgDb {
        name,
        port: server.port,
    }
}

// ---------------------------------------------------------------- MariaDB

pub struct MyServer {
    pub port: u16,
    pub socket: PathBuf,
    pub dir: PathBuf,
}

fn find_bin(names: &[&str], dirs: &[&str]) -> Option<PathBuf> {
    for n in names {
        for d in dirs {
            let p = Path::new(d).join(n);
            if p.exists() {
                return Some(p);
            }
        }
        if let Ok(out) = run_capture(Command::new("sh").arg("-c").arg(format!("command -v {n}"))) {
            let p = PathBuf::from(out.trim());
            if p.exists() {
                return Some(p);
            }
        }
    }
    None
}

pub fn mariadb() -> &'static MyServer {
    static MY: OnceLock<MyServer> = OnceLock::new();
    MY.get_or_init(start_mariadb)
}

fn mariadb_client() -> PathBuf {
    find_bin(&["mariadb", "mysql"], &["/usr/bin", "/usr/local/bin"]).unwrap_or_else(|| {
        panic!("the mariadb client is missing: install it with `apt-get install -y mariadb-server`")
    })
}

fn start_mariadb() -> MyServer {
    let missing =
        "MariaDB is not installed: install it with `apt-get install -y mariadb-server` (10.6+)";
    let server = find_bin(
        &["mariadbd", "mysqld"],
        &["/usr/sbin", "/usr/bin", "/usr/local/bin"],
    )
    .unwrap_or_else(|| panic!("{missing}"));
    let install = find_bin(
        &["mariadb-install-db", "mysql_install_db"],
        &["/usr/bin", "/usr/local/bin", "/usr/sbin"],
    )
    .unwrap_or_else(|| panic!("{missing}"));
    let dir = server_dir("sluice-my");
    let data = dir.join("data");
    let user = if is_root() {
        "root".to_string()
    } else {
        std::env::var("USER").unwrap_or_else(|_| "nobody".into())
    };
    run_capture(
        Command::new(&install)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--user={user}"))
            .arg("--auth-root-authentication-method=normal")
            .arg("--skip-test-db"),
    )
    .unwrap_or_else(|e| panic!("mariadb-install-db failed: {e}"));

    let socket = dir.join("mysqld.sock");
    let log = dir.join("mariadb.log");
    let pidfile = dir.join("mariadb.pid");
    let mut last_err = String::new();
    for _ in 0..3 {
        let port = free_port();
        let mut child = Command::new(&server)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--user={user}"))
            .arg(format!("--port={port}"))
            .arg("--bind-address=127.0.0.1")
            .arg(format!("--socket={}", socket.display()))
            .arg(format!("--pid-file={}", pidfile.display()))
            .arg(format!("--log-error={}", log.display()))
            .args([
                "--skip-name-resolve",
                "--skip-log-bin",
                "--innodb-flush-log-at-trx-commit=0",
                "--innodb-buffer-pool-size=256M",
                "--innodb-doublewrite=0",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_general_ci",
                "--max-connections=300",
                "--skip-ssl",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start mariadbd: {e}"));
        let client = mariadb_client();
        let start = Instant::now();
        let mut up = false;
        while start.elapsed() < Duration::from_secs(60) {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            if socket.exists()
                && Command::new(&client)
                    .arg("--no-defaults")
                    .arg(format!("--socket={}", socket.display()))
                    .args(["-u", "root", "-e", "SELECT 1"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .map(|s| s.success())
                    .unwrap_or(false)
            {
                up = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if up {
            watchdog(&format!(
                "kill -9 $(cat {pid}) 2>/dev/null; sleep 0.5; rm -rf {dir}",
                pid = pidfile.display(),
                dir = dir.display()
            ));
            let srv = MyServer { port, socket, dir };
            srv.root_exec(&format!(
                "CREATE USER '{MY_USER}'@'127.0.0.1' IDENTIFIED BY '{MY_PASSWORD}'; \
                 GRANT ALL PRIVILEGES ON *.* TO '{MY_USER}'@'127.0.0.1' WITH GRANT OPTION;"
            ));
            return srv;
        }
        let _ = child.kill();
        last_err = std::fs::read_to_string(&log).unwrap_or_default();
    }
    let _ = std::fs::remove_dir_all(&dir);
    panic!("mariadbd did not start; its log:\n{last_err}");
}

impl MyServer {
    /// Runs SQL as root over the socket.
    pub fn root_exec(&self, sql: &str) {
        run_capture(
            Command::new(mariadb_client())
                .arg("--no-defaults")
                .arg(format!("--socket={}", self.socket.display()))
                .args(["-u", "root", "-e", sql]),
        )
        .unwrap_or_else(|e| panic!("SQL as root failed: {e}"));
    }
}

pub struct MyDb {
    pub name: String,
    pub port: u16,
}

impl MyDb {
    pub fn url(&self) -> String {
        format!(
            "mysql://{MY_USER}:{MY_PASSWORD}@127.0.0.1:{}/{}",
            self.port, self.name
        )
    }

    pub fn url_with_password(&self, pw: &str) -> String {
        format!(
            "mysql://{MY_USER}:{pw}@127.0.0.1:{}/{}",
            self.port, self.name
        )
    }

    pub fn client(&self) -> Command {
        let mut c = Command::new(mariadb_client());
        c.arg("--no-defaults")
            .args(["-h", "127.0.0.1", "-P", &self.port.to_string()])
            .args(["-u", MY_USER])
            .env("MYSQL_PWD", MY_PASSWORD)
            .arg("--default-character-set=utf8mb4")
            .arg(&self.name);
        c
    }

    pub fn exec(&self, sql: &str) {
        run_capture(self.client().arg("-e").arg(sql))
            .unwrap_or_else(|e| panic!("SQL failed on {}: {e}", self.name));
    }

    pub fn load(&self, file: &Path) {
        if let Err(e) = self.try_load(file) {
            panic!("loading {} failed: {e}", file.display());
        }
    }

    /// Runs a SQL file through the `mariadb` client; its message when it fails.
    pub fn try_load(&self, file: &Path) -> Result<(), String> {
        let f = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let out = self
            .client()
            .stdin(f)
            .output()
            .map_err(|e| format!("running the mariadb client: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// Runs a query and returns tab-separated rows without headers.
    pub fn query(&self, sql: &str) -> String {
        run_capture(self.client().args(["-N", "-B", "-e"]).arg(sql))
            .unwrap_or_else(|e| panic!("query failed on {}: {e}", self.name))
            .trim()
            .to_string()
    }
}

pub fn mysql_db() -> MyDb {
    let server = mariadb();
    let name = unique_name("t");
    server.root_exec(&format!(
        "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
    ));
    MyDb {
        name,
        port: server.port,
    }
}

// ---------------------------------------------------------------- SQLite

pub struct SqliteDb {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl SqliteDb {
    pub fn url(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }

    fn shell(&self) -> Command {
        let mut c = Command::new("sqlite3");
        c.arg("-bail").arg(&self.path);
        c
    }

    pub fn exec(&self, sql: &str) {
        run_capture(self.shell().arg(sql))
            .unwrap_or_else(|e| panic!("SQL failed on {}: {e}", self.path.display()));
    }

    pub fn load(&self, file: &Path) {
        if let Err(e) = self.try_load(file) {
            panic!("loading {} failed: {e}", file.display());
        }
    }

    /// Runs a SQL file through `sqlite3 -bail`; its message when it fails.
    pub fn try_load(&self, file: &Path) -> Result<(), String> {
        let f = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let out = self
            .shell()
            .stdin(f)
            .output()
            .map_err(|e| format!("running sqlite3: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    pub fn query(&self, sql: &str) -> String {
        run_capture(self.shell().arg(sql))
            .unwrap_or_else(|e| panic!("query failed on {}: {e}", self.path.display()))
            .trim()
            .to_string()
    }
}

/// A new, empty SQLite database file in its own temporary directory.
pub fn sqlite_db() -> SqliteDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("test.db");
    let db = SqliteDb { dir, path };
    db.exec("PRAGMA user_version = 0;");
    db
}

// ---------------------------------------------------------------- fixtures

/// `../shared/fixtures/<rel>`. Outside CI a missing folder skips the test (with a message);
/// under CI (`CI=true`) it fails.
pub fn fixture(rel: &str) -> Option<PathBuf> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join("fixtures");
    let path = base.join(rel);
    if path.exists() {
        return Some(path);
    }
    let ci = std::env::var("CI")
        .map(|v| v == "true" || v == "1")
        .unwrap_or(false);
    if ci {
        panic!(
            "fixture {} is missing: CI needs ../shared/fixtures beside the checkout",
            path.display()
        );
    }
    eprintln!(
        "SKIPPED: fixture {} is missing (put ../shared beside the checkout)",
        path.display()
    );
    None
}

/// Our own fixture under `tests/fixtures`.
pub fn own_fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(rel)
}

/// A data directory of this test binary's own (runs, history), never the user's.
pub fn data_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("data dir"))
        .path()
}

/// The `sluice` binary built for this test run, with its own data directory.
pub fn sluice() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sluice"));
    c.env("NO_COLOR", "1")
        .env("SLUICE_LOG", "warn")
        .env("SLUICE_DATA_DIR", data_dir());
    c
}

// ---------------------------------------------------------------- down.sql

/// The pack manifest of `plan` with every step enabled (as `--allow-destructive` plans it) and
/// its `down.sql` written into a temporary directory (kept alive by the returned handle).
pub fn down_pack(
    plan: &sluice::engine::schema::SchemaPlan,
    source: &sluice::model::Catalog,
    target: &sluice::model::Catalog,
) -> (
    sluice::engine::pack::PackManifest,
    tempfile::TempDir,
    PathBuf,
) {
    use sluice::engine::pack;
    let m = pack::manifest(
        plan,
        source,
        target,
        "source".into(),
        "target".into(),
        pack::PackOptions {
            renames: true,
            rename_threshold: 70,
            allow_destructive: true,
            allow: Vec::new(),
            filter: Vec::new(),
            ..Default::default()
        },
        "2026-01-01T00:00:00Z".into(),
        None,
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("down.sql");
    std::fs::write(&file, pack::down_sql(&m)).expect("write down.sql");
    (m, dir, file)
}

/// Where two catalogs' canonical JSON first differ (a few lines of each), for a failure message.
pub fn catalog_difference(a: &sluice::model::Catalog, b: &sluice::model::Catalog) -> String {
    let text = |c: &sluice::model::Catalog| {
        let mut c = c.clone();
        c.server_version.clear();
        c.database.clear();
        c.normalize_order();
        serde_json::to_string_pretty(&c).unwrap_or_default()
    };
    let (ta, tb) = (text(a), text(b));
    let (la, lb): (Vec<&str>, Vec<&str>) = (ta.lines().collect(), tb.lines().collect());
    let Some(i) = (0..la.len().max(lb.len())).find(|&i| la.get(i) != lb.get(i)) else {
        return "no difference".into();
    };
    let from = i.saturating_sub(6);
    let show = |l: &[&str]| {
        l.iter()
            .skip(from)
            .take(12)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "first difference at line {}:\n--- restored\n{}\n--- expected\n{}",
        i + 1,
        show(&la),
        show(&lb)
    )
}
