//! Database references and connections: the one place URLs are parsed and pools are opened.
//!
//! Passwords never leave this module in a printable form: [`DbUrl::display`] is the only way a
//! reference is shown, and it never includes the password.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{ConnectOptions, Connection};

use crate::error::{DbErrorKind, Error, Result, one_line};
use crate::model::Dialect;

/// Statements slower than this are logged, at debug level only (long row pages are expected).
const SLOW_STATEMENT: Duration = Duration::from_secs(1);

/// How long we wait for a server to accept a connection before giving up.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// A parsed database URL. Holds the password (inside the connect options) but never prints it.
#[derive(Clone)]
pub enum DbUrl {
    Postgres {
        options: Box<PgConnectOptions>,
        display: String,
    },
    Mysql {
        options: Box<MySqlConnectOptions>,
        display: String,
        /// The URL said `mariadb://`.
        mariadb: bool,
    },
    Sqlite {
        path: PathBuf,
    },
}

impl std::fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never derive Debug here: sqlx's options print the password.
        write!(f, "DbUrl({})", self.display())
    }
}

/// Whether `s` looks like a URL of some scheme (so it is not a file name or profile).
pub fn looks_like_url(s: &str) -> bool {
    if s.starts_with("sqlite:") {
        return true;
    }
    match s.find("://") {
        Some(i) => {
            let scheme = &s[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
        }
        None => false,
    }
}

impl DbUrl {
    /// Parses `postgres://`, `postgresql://`, `mysql://`, `mariadb://` or `sqlite:PATH`.
    pub fn parse(s: &str) -> Result<DbUrl> {
        let s = s.trim();
        if let Some(rest) = s.strip_prefix("sqlite:") {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            let path = rest.split('?').next().unwrap_or(rest);
            if path.is_empty() {
                return Err(Error::usage(
                    "sqlite URL has no path: write sqlite:PATH, e.g. sqlite:./shop.db",
                ));
            }
            return Ok(DbUrl::Sqlite {
                path: PathBuf::from(path),
            });
        }
        let Some(idx) = s.find("://") else {
            return Err(Error::usage(format!(
                "'{}' is not a database URL: use postgres://, mysql://, mariadb:// or sqlite:PATH",
                redact_url(s)
            )));
        };
        let scheme = s[..idx].to_ascii_lowercase();
        match scheme.as_str() {
            "postgres" | "postgresql" | "mysql" | "mariadb" => require_host_and_database(s)?,
            _ => {}
        }
        match scheme.as_str() {
            "postgres" | "postgresql" => {
                let display = redact_url(s);
                let options = PgConnectOptions::from_str(s).map_err(|e| {
                    Error::usage(format!("bad PostgreSQL URL {display}: {}", scrub(&e, s)))
                })?;
                Ok(DbUrl::Postgres {
                    options: Box::new(options.application_name("sluice")),
                    display,
                })
            }
            "mysql" | "mariadb" => {
                let normalized = format!("mysql{}", &s[idx..]);
                let display = redact_url(s);
                let options = MySqlConnectOptions::from_str(&normalized).map_err(|e| {
                    Error::usage(format!("bad MySQL URL {display}: {}", scrub(&e, s)))
                })?;
                Ok(DbUrl::Mysql {
                    options: Box::new(options),
                    display,
                    mariadb: scheme == "mariadb",
                })
            }
            other => Err(Error::usage(format!(
                "unknown database URL scheme '{other}' in {}: use postgres://, postgresql://, mysql://, mariadb:// or sqlite:PATH",
                redact_url(s)
            ))),
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            DbUrl::Postgres { .. } => Dialect::Postgres,
            DbUrl::Mysql { .. } => Dialect::Mysql,
            DbUrl::Sqlite { .. } => Dialect::Sqlite,
        }
    }

    /// The URL without its password, for messages, logs, manifests and packs.
    pub fn display(&self) -> String {
        match self {
            DbUrl::Postgres { display, .. } | DbUrl::Mysql { display, .. } => display.clone(),
            DbUrl::Sqlite { path } => format!("sqlite:{}", path.display()),
        }
    }

    /// Opens a pool. The first connection is made eagerly so that a bad host, port, password or
    /// path is reported at once with the server's own reason.
    pub async fn connect(&self, access: Access) -> Result<Db> {
        let fail = |e: sqlx::Error| {
            let kind = super::error::kind(&e);
            Error::Connect {
                target: self.display(),
                message: connect_hint(&one_line(&e.to_string()), kind),
                kind,
            }
        };
        let timed_out = |_| Error::Connect {
            target: self.display(),
            message: "timed out".to_string(),
            kind: DbErrorKind::Connection,
        };
        match self {
            DbUrl::Postgres { options, .. } => {
                let mut opts = (**options).clone();
                if access == Access::ReadOnly {
                    opts = opts.options([("default_transaction_read_only", "on")]);
                }
                let opts = opts
                    .log_statements(tracing::log::LevelFilter::Trace)
                    .log_slow_statements(tracing::log::LevelFilter::Debug, SLOW_STATEMENT);
                let conn = tokio::time::timeout(CONNECT_TIMEOUT, opts.connect())
                    .await
                    .map_err(timed_out)?
                    .map_err(fail)?;
                conn.close().await.ok();
                let pool = PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect_lazy_with(opts);
                Ok(Db::Pg(pool))
            }
            DbUrl::Mysql { options, .. } => {
                let opts = (**options)
                    .clone()
                    .log_statements(tracing::log::LevelFilter::Trace)
                    .log_slow_statements(tracing::log::LevelFilter::Debug, SLOW_STATEMENT);
                let conn = tokio::time::timeout(CONNECT_TIMEOUT, opts.connect())
                    .await
                    .map_err(timed_out)?
                    .map_err(fail)?;
                conn.close().await.ok();
                let mut pool = MySqlPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(CONNECT_TIMEOUT);
                if access == Access::ReadOnly {
                    pool = pool.after_connect(|conn, _meta| {
                        Box::pin(async move {
                            sqlx::Executor::execute(conn, "SET SESSION TRANSACTION READ ONLY")
                                .await
                                .map(|_| ())
                        })
                    });
                }
                Ok(Db::My(pool.connect_lazy_with(opts)))
            }
            DbUrl::Sqlite { path } => {
                if !path.is_file() {
                    return Err(Error::Connect {
                        target: self.display(),
                        message: if path.exists() {
                            "not a file".to_string()
                        } else {
                            "no such file (sluice never creates a database: check the path)"
                                .to_string()
                        },
                        kind: DbErrorKind::Other,
                    });
                }
                if let Some((problem, kind)) = sqlite_header_problem(path) {
                    return Err(Error::Connect {
                        target: self.display(),
                        message: problem,
                        kind,
                    });
                }
                let opts = sqlite_options(path, access);
                let mut conn = opts.connect().await.map_err(fail)?;
                // SQLite reads the file on the first statement: a damaged one fails here, as a
                // connection problem, not later as a query error.
                sqlx::raw_sql("PRAGMA schema_version")
                    .execute(&mut conn)
                    .await
                    .map_err(fail)?;
                conn.close().await.ok();
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect_lazy_with(opts);
                Ok(Db::Lite(pool))
            }
        }
    }
}

/// A server URL must say which server and which database: an empty host would quietly mean
/// `localhost` (or the default socket), an empty database the user's name or none at all.
fn require_host_and_database(s: &str) -> Result<()> {
    let scheme = s
        .split("://")
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let postgres = scheme.starts_with("postgres");
    let (form, socket) = if postgres {
        (
            format!("{scheme}://USER@HOST:5432/DATABASE"),
            "?host=/socket/dir",
        )
    } else {
        (
            format!("{scheme}://USER@HOST:3306/DATABASE"),
            "?socket=/path/to/mysqld.sock",
        )
    };
    let no_host = || {
        Error::usage(format!(
            "{} names no host: write {form} (or {socket} for a Unix socket)",
            redact_url(s)
        ))
    };
    let u = match url::Url::parse(s) {
        Ok(u) => u,
        Err(url::ParseError::EmptyHost) => return Err(no_host()),
        Err(_) => return Ok(()), // the driver's parser says what is wrong
    };
    let param = |names: &[&str]| {
        u.query_pairs()
            .any(|(k, v)| names.contains(&k.as_ref()) && !v.is_empty())
    };
    let has_host = u.host_str().is_some_and(|h| !h.is_empty())
        || param(if postgres {
            &["host", "hostaddr"]
        } else {
            &["socket"]
        });
    if !has_host {
        return Err(no_host());
    }
    let has_database = !u.path().trim_matches('/').is_empty() || (postgres && param(&["dbname"]));
    if !has_database {
        return Err(Error::usage(format!(
            "{} names no database: write {form}",
            redact_url(s)
        )));
    }
    Ok(())
}

/// Why a file is not a SQLite database, if it is not: every database file starts with the 16
/// bytes `SQLite format 3\0` (an empty file is an empty database to SQLite). SQLite itself only
/// notices on the first query, as a database error.
fn sqlite_header_problem(path: &Path) -> Option<(String, DbErrorKind)> {
    use std::io::Read;
    const HEADER: &[u8; 16] = b"SQLite format 3\0";
    let mut head = Vec::with_capacity(16);
    let read = std::fs::File::open(path).and_then(|f| f.take(16).read_to_end(&mut head));
    match read {
        Err(e) => Some((format!("cannot read the file: {e}"), DbErrorKind::Other)),
        Ok(0) => None,
        Ok(_) if head.as_slice() == HEADER => None,
        Ok(_) => Some((
            "not a SQLite database (the file does not start with the SQLite header): check the path"
                .to_string(),
            DbErrorKind::NotADatabase,
        )),
    }
}

/// Options for an existing SQLite file: never created, foreign keys enforced.
pub fn sqlite_options(path: &Path, access: Access) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .read_only(access == Access::ReadOnly)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .log_statements(tracing::log::LevelFilter::Trace)
        .log_slow_statements(tracing::log::LevelFilter::Debug, SLOW_STATEMENT)
}

/// What a connection is for. Inspection and row reading connect read-only where the database
/// lets us say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    ReadWrite,
}

/// An open connection pool to one database.
#[derive(Clone, Debug)]
pub enum Db {
    Pg(PgPool),
    My(MySqlPool),
    Lite(SqlitePool),
}

impl Db {
    pub fn dialect(&self) -> Dialect {
        match self {
            Db::Pg(_) => Dialect::Postgres,
            Db::My(_) => Dialect::Mysql,
            Db::Lite(_) => Dialect::Sqlite,
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Pg(p) => p.close().await,
            Db::My(p) => p.close().await,
            Db::Lite(p) => p.close().await,
        }
    }
}

/// The server's words, and what to check for this kind of failure.
fn connect_hint(msg: &str, kind: DbErrorKind) -> String {
    match kind.connect_hint() {
        Some(hint) => format!("{msg} ({hint})"),
        None => msg.to_string(),
    }
}

/// Removes anything of the original URL's password from an error message.
fn scrub(e: &dyn std::fmt::Display, url: &str) -> String {
    let mut msg = one_line(&e.to_string());
    if let Ok(u) = url::Url::parse(url) {
        if let Some(pw) = u.password() {
            if !pw.is_empty() {
                msg = msg.replace(pw, "***");
                if let Ok(decoded) = percent_encoding::percent_decode_str(pw).decode_utf8() {
                    if !decoded.is_empty() {
                        msg = msg.replace(decoded.as_ref(), "***");
                    }
                }
            }
        }
    }
    msg
}

/// A URL with any password removed: `postgres://app@db:5432/shop`. Strings that do not parse as
/// URLs lose everything between `://` and the last `@`.
pub fn redact_url(s: &str) -> String {
    match url::Url::parse(s) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(None);
            }
            // Query parameters may carry passwords too (`?password=`).
            if u.query().is_some() {
                let kept: Vec<(String, String)> = u
                    .query_pairs()
                    .filter(|(k, _)| {
                        let k = k.to_ascii_lowercase();
                        !(k.contains("password") || k.contains("secret") || k == "pass")
                    })
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                if kept.is_empty() {
                    u.set_query(None);
                } else {
                    u.query_pairs_mut().clear().extend_pairs(kept);
                }
            }
            u.to_string()
        }
        Err(_) => match (s.find("://"), s.rfind('@')) {
            (Some(i), Some(j)) if j > i => format!("{}://***{}", &s[..i], &s[j..]),
            _ => s.to_string(),
        },
    }
}

/// Creates a new SQLite database file from a SQL script (for the built-in demo and for tests).
/// Refuses to touch a file that already exists.
pub async fn create_sqlite_from_script(path: &Path, script: &str) -> Result<()> {
    if path.exists() {
        return Err(Error::file(
            path,
            "already exists; refusing to overwrite it",
        ));
    }
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .foreign_keys(true);
    let mut conn = opts
        .connect()
        .await
        .map_err(|e| Error::file(path, format!("cannot create SQLite database: {e}")))?;
    sqlx::raw_sql(script)
        .execute(&mut conn)
        .await
        .map_err(|e| crate::dialect::error::db(format!("building {}", path.display()), e))?;
    conn.close().await.ok();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/shop"),
            "postgres://app@db:5432/shop"
        );
        assert_eq!(
            redact_url("mysql://root:pw@127.0.0.1/x?password=pw&ssl-mode=disabled"),
            "mysql://root@127.0.0.1/x?ssl-mode=disabled"
        );
        assert!(!redact_url("weird://u:p@@@x").contains(":p"));
    }

    #[test]
    fn parses_schemes() {
        assert_eq!(
            DbUrl::parse("postgresql://a:b@h/d").unwrap().dialect(),
            Dialect::Postgres
        );
        assert_eq!(
            DbUrl::parse("mariadb://a:b@h/d").unwrap().dialect(),
            Dialect::Mysql
        );
        assert_eq!(
            DbUrl::parse("sqlite:./x.db").unwrap().display(),
            "sqlite:./x.db"
        );
        let e = DbUrl::parse("oracle://a:secret@h/d").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.to_string()
                .contains("unknown database URL scheme 'oracle'")
        );
        assert!(!e.to_string().contains("secret"));
        let dbg = format!("{:?}", DbUrl::parse("postgres://a:hunter2@h/d").unwrap());
        assert!(!dbg.contains("hunter2"));
    }

    #[test]
    fn server_urls_name_a_host_and_a_database() {
        for (url, needle) in [
            (
                "postgres://",
                "names no host: write postgres://USER@HOST:5432/DATABASE",
            ),
            ("postgresql://u:pw@:5432/d", "names no host"),
            ("postgres://u:pw@h", "names no database: write postgres://"),
            ("postgres://u@h:5432/", "names no database"),
            (
                "mysql://",
                "names no host: write mysql://USER@HOST:3306/DATABASE",
            ),
            (
                "mariadb://root:pw@127.0.0.1:3306",
                "names no database: write mariadb://",
            ),
        ] {
            let e = DbUrl::parse(url).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{url}");
            assert!(e.to_string().contains(needle), "{url}: {e}");
            assert!(!e.to_string().contains("pw@"), "password shown: {e}");
        }
        // A Unix socket or a database given as a parameter is enough.
        assert!(DbUrl::parse("postgres:///shop?host=/run/postgresql").is_ok());
        assert!(DbUrl::parse("postgres://u@h?dbname=shop").is_ok());
        assert!(DbUrl::parse("mysql://u@localhost/shop?socket=/run/mysqld/mysqld.sock").is_ok());
    }

    #[test]
    fn connect_hints() {
        let role = r#"role "nobody" does not exist"#;
        assert!(
            connect_hint(role, super::super::error::postgres("28000", role))
                .ends_with("(check the user name)")
        );
        let db = r#"database "nope" does not exist"#;
        assert!(
            connect_hint(db, super::super::error::postgres("3D000", db))
                .ends_with("(check the database name)")
        );
        assert_eq!(connect_hint("x", DbErrorKind::Other), "x");
    }
}
