//! Everything the command line prints to stdout goes through here ([`out!`] and [`outln!`]), so
//! that a closed stdout is an error the command returns instead of a panic.
//!
//! `print!` panics when stdout is a pipe whose reader has gone (`sluice runs | head -1`). Rust
//! ignores SIGPIPE, and sluice must not restore its default action process-wide (it would kill the
//! process in the middle of a database conversation), so a write fails with `BrokenPipe`; it
//! becomes [`Error::BrokenPipe`], which unwinds the command normally (temporary files removed,
//! connections closed) and ends the process quietly with exit code 141, as if killed by SIGPIPE
//! (`crate::error::exit::BROKEN_PIPE`). `clippy::print_stdout` is denied in the `cli` module, so a
//! new `print!` does not slip past.

use std::io::Write;

use crate::error::{Error, Result};

/// `out!("…", args)`: like `print!`, but returns `Result<()>`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::out::write(format_args!($($arg)*), false)
    };
}

/// `outln!("…", args)`: like `println!`, but returns `Result<()>`.
macro_rules! outln {
    () => {
        $crate::cli::out::write(format_args!(""), true)
    };
    ($($arg:tt)*) => {
        $crate::cli::out::write(format_args!($($arg)*), true)
    };
}

/// Writes to stdout (and a newline when `newline`), mapping a write error to an [`Error`].
pub fn write(args: std::fmt::Arguments<'_>, newline: bool) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_fmt(args)
        .and_then(|()| {
            if newline {
                stdout.write_all(b"\n")
            } else {
                Ok(())
            }
        })
        .map_err(from_io)
}

/// Flushes stdout (what is left in its buffer when the command ends).
pub fn flush() -> Result<()> {
    std::io::stdout().flush().map_err(from_io)
}

/// A closed pipe is [`Error::BrokenPipe`]; any other failure names stdout.
pub fn from_io(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Error::BrokenPipe
    } else {
        Error::file("stdout", format!("cannot write: {e}"))
    }
}
