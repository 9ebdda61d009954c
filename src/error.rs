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
    Connect { target: String, message: String },
    /// A query failed after connecting (introspection, reading rows).
    #[error("{context}: {message}")]
    Database { context: String, message: String },
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

    /// Wraps a query error with what we were doing.
    pub fn db(context: impl Into<String>, err: impl std::fmt::Display) -> Self {
        Error::Database {
            context: context.into(),
            message: one_line(&err.to_string()),
        }
    }
}

/// Folds a multi-line message onto one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
