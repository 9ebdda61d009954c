//! One error type for the whole crate, each variant mapped to a documented exit code.

use std::path::PathBuf;

/// Exit codes, the same for every command (README, `docs/architecture.md`).
pub mod exit {
    pub const OK: i32 = 0;
    pub const DIFFERENCES: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const CONNECT: i32 = 3;
    pub const REFUSED: i32 = 4;
    pub const ROLLED_BACK: i32 = 5;
    pub const PARTIAL: i32 = 6;
    pub const DATABASE: i32 = 7;
    /// The apply ran, but TARGET still differs from SOURCE beyond what the person left out.
    pub const NOT_CONVERGED: i32 = 8;
    /// SIGINT (Ctrl-C); SIGTERM is 143 and SIGHUP 129 (see [`crate::cancel::Interrupt`]).
    pub const INTERRUPTED: i32 = 130;
    /// stdout was closed before everything was written (`sluice runs | head -1`): 128 + SIGPIPE,
    /// what a shell reports for a program killed by SIGPIPE. Nothing is printed.
    pub const BROKEN_PIPE: i32 = 141;
}

/// What went wrong with a database, as the dialect that saw it classified it (from SQLSTATE,
/// the server's error number or SQLite's result code: `dialect::error`), so that nobody
/// above `dialect/` reads a server's wording to tell a timeout from a lock wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DbErrorKind {
    /// Nothing more specific: the server's message says what.
    #[default]
    Other,
    /// The connection could not be made or broke (I/O, TLS, protocol, pool timed out or closed).
    Connection,
    /// Nothing listens at that host and port.
    ConnectionRefused,
    /// The host name does not resolve.
    UnknownHost,
    /// Wrong user name or password (PostgreSQL 28P01; MySQL 1044, 1045, 1698).
    Authentication,
    /// The user does not exist (PostgreSQL 28000 `role "…" does not exist`).
    UnknownUser,
    /// The server's access rules refused the connection (PostgreSQL 28000 otherwise:
    /// `pg_hba.conf`, peer authentication).
    AccessRefused,
    /// No such database (PostgreSQL 3D000; MySQL 1049).
    UnknownDatabase,
    /// The file is not a SQLite database (SQLITE_NOTADB).
    NotADatabase,
    /// The statement ran past the statement limit (PostgreSQL 57014 `statement timeout`;
    /// MySQL 3024 `max_execution_time`; MariaDB 1969 `max_statement_time`; SQLite INTERRUPT,
    /// which only sluice's own progress handler raises).
    StatementTimeout,
    /// The statement was cancelled from elsewhere (PostgreSQL 57014 otherwise; MySQL 1317
    /// `KILL QUERY`).
    Canceled,
    /// A lock was not granted in time (PostgreSQL 55P03; MySQL 1205; SQLite BUSY, LOCKED).
    LockTimeout,
    /// A table, column, type, function, … the statement names does not exist (PostgreSQL
    /// 42P01, 42703, 42704, 42883, 3F000; MySQL 1054, 1146, 1176; SQLite `no such …`).
    UndefinedObject,
    /// A unique or primary key would hold a value twice (PostgreSQL 23505; MySQL 1062, 1586;
    /// SQLite CONSTRAINT_UNIQUE, CONSTRAINT_PRIMARYKEY).
    UniqueViolation,
    /// A NOT NULL column would hold a NULL (PostgreSQL 23502; MySQL 1048; SQLite
    /// CONSTRAINT_NOTNULL).
    NotNullViolation,
    /// A CHECK constraint refuses a row (PostgreSQL 23514; MySQL 3819, MariaDB 4025; SQLite
    /// CONSTRAINT_CHECK).
    CheckViolation,
}

impl DbErrorKind {
    /// What to check, for a connection that failed this way: appended to the server's words.
    pub fn connect_hint(self) -> Option<&'static str> {
        Some(match self {
            DbErrorKind::Authentication => "check the user name and password",
            DbErrorKind::ConnectionRefused => "is the server running, and on this host and port?",
            DbErrorKind::UnknownHost => "check the host name",
            DbErrorKind::UnknownUser => "check the user name",
            DbErrorKind::NotADatabase => "not a SQLite database: check the path",
            DbErrorKind::UnknownDatabase => "check the database name",
            _ => return None,
        })
    }

    /// A limit of ours stopped the statement (a statement timeout, or a cancel that counts as
    /// one where the server does not say which it was).
    pub fn is_statement_timeout(self) -> bool {
        self == DbErrorKind::StatementTimeout
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad arguments or configuration.
    #[error("{0}")]
    Usage(String),
    /// A file we were asked to read or write.
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    /// The database could not be reached, opened or authenticated against. `target` never holds
    /// a password.
    #[error("cannot connect to {target}: {message}")]
    Connect {
        target: String,
        message: String,
        kind: DbErrorKind,
    },
    /// A query failed after connecting (introspection, reading rows).
    #[error("{context}: {message}")]
    Database {
        context: String,
        message: String,
        kind: DbErrorKind,
    },
    /// A safety gate refused to go on.
    #[error("refused: {0}")]
    Refused(String),
    /// A step of an apply failed and everything was rolled back: TARGET is as it was.
    #[error("step {step} of {total} failed ({object}): {message}; rolled back, nothing changed")]
    ApplyRolledBack {
        step: usize,
        total: usize,
        object: String,
        message: String,
    },
    /// A step failed after earlier steps had committed (databases whose DDL commits implicitly).
    #[error(
        "step {step} of {total} failed ({object}): {message}; {applied} of {total} steps applied (see the journal); fix the cause and run apply again to resume"
    )]
    ApplyPartial {
        step: usize,
        total: usize,
        applied: usize,
        object: String,
        message: String,
    },
    /// Stopped by a signal (or a client's cancel): the job stopped its statement and rolled back
    /// or checkpointed first.
    #[error("interrupted ({0})")]
    Interrupted(crate::cancel::Interrupt),
    /// stdout is a pipe whose reader has gone: the command stops quietly.
    #[error("stdout was closed")]
    BrokenPipe,
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::File { .. } => exit::USAGE,
            Error::Connect { .. } => exit::CONNECT,
            Error::Database { .. } => exit::DATABASE,
            Error::Refused(_) => exit::REFUSED,
            Error::ApplyRolledBack { .. } => exit::ROLLED_BACK,
            Error::ApplyPartial { .. } => exit::PARTIAL,
            Error::Interrupted(by) => by.exit_code(),
            Error::BrokenPipe => exit::BROKEN_PIPE,
        }
    }

    pub fn usage(msg: impl Into<String>) -> Self {
        Error::Usage(msg.into())
    }

    pub fn file(path: impl Into<PathBuf>, message: impl std::fmt::Display) -> Self {
        Error::File {
            path: path.into(),
            message: message.to_string(),
        }
    }

    /// Wraps a query error with what we were doing. A driver's error goes through
    /// `dialect::error::db` instead, which classifies it; this one is [`DbErrorKind::Other`].
    pub fn db(context: impl Into<String>, err: impl std::fmt::Display) -> Self {
        Error::db_kind(context, DbErrorKind::Other, err)
    }

    /// [`Error::db`] with the kind the dialect found.
    pub fn db_kind(
        context: impl Into<String>,
        kind: DbErrorKind,
        err: impl std::fmt::Display,
    ) -> Self {
        Error::Database {
            context: context.into(),
            message: one_line(&err.to_string()),
            kind,
        }
    }

    /// The database's kind of failure, for the errors that come from one.
    pub fn db_error_kind(&self) -> Option<DbErrorKind> {
        match self {
            Error::Connect { kind, .. } | Error::Database { kind, .. } => Some(*kind),
            _ => None,
        }
    }
}

/// Folds a multi-line message onto one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
