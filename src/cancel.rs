//! Cancellation: one token per command, cancelled by the signal that asked us to stop.
//!
//! `main` turns SIGINT, SIGTERM and SIGHUP into [`Cancel::cancel`]; long jobs (apply, row diffs)
//! watch the token, stop their statement on the server, roll back or checkpoint, and return
//! [`crate::Error::Interrupted`] carrying the signal, whose exit code is the shell's convention
//! (128 + the signal's number: 130, 143, 129). A client that holds the terminal in raw mode (the
//! TUI) cancels the same token from a key instead.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use tokio_util::sync::CancellationToken;

/// What asked a job to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupt {
    /// SIGINT (Ctrl-C), or a person's cancel key.
    Int,
    /// SIGTERM.
    Term,
    /// SIGHUP: the terminal (an SSH session) went away.
    Hup,
}

impl Interrupt {
    /// The signal's name.
    pub fn name(self) -> &'static str {
        match self {
            Interrupt::Int => "SIGINT",
            Interrupt::Term => "SIGTERM",
            Interrupt::Hup => "SIGHUP",
        }
    }

    /// 128 + the signal's number.
    pub fn exit_code(self) -> i32 {
        match self {
            Interrupt::Int => 130,
            Interrupt::Term => 143,
            Interrupt::Hup => 129,
        }
    }

    fn code(self) -> u8 {
        match self {
            Interrupt::Int => 1,
            Interrupt::Term => 2,
            Interrupt::Hup => 3,
        }
    }

    fn from_code(c: u8) -> Option<Interrupt> {
        match c {
            1 => Some(Interrupt::Int),
            2 => Some(Interrupt::Term),
            3 => Some(Interrupt::Hup),
            _ => None,
        }
    }
}

impl std::fmt::Display for Interrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A cancellation token that remembers why it was cancelled. Clones share one state.
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    token: CancellationToken,
    by: Arc<AtomicU8>,
}

impl Cancel {
    /// Asks every job holding this token to stop. The first reason given is kept.
    pub fn cancel(&self, by: Interrupt) {
        let _ = self
            .by
            .compare_exchange(0, by.code(), Ordering::SeqCst, Ordering::SeqCst);
        self.token.cancel();
    }

    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Resolves once the token is cancelled.
    pub async fn cancelled(&self) {
        self.token.cancelled().await
    }

    /// Why it was cancelled (SIGINT when cancelled without a reason).
    pub fn reason(&self) -> Interrupt {
        Interrupt::from_code(self.by.load(Ordering::SeqCst)).unwrap_or(Interrupt::Int)
    }

    /// The error a job returns when it stopped because of this token.
    pub fn error(&self) -> crate::Error {
        crate::Error::Interrupted(self.reason())
    }

    /// Cancels this token when the process receives SIGINT, SIGTERM or SIGHUP (from a task on
    /// the current tokio runtime). Installing the handlers replaces the default action of those
    /// signals, so the caller must make sure the job in hand ends when the token is cancelled.
    pub fn on_signals(&self) -> std::io::Result<()> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        let mut hup = signal(SignalKind::hangup())?;
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                let by = tokio::select! {
                    _ = int.recv() => Interrupt::Int,
                    _ = term.recv() => Interrupt::Term,
                    _ = hup.recv() => Interrupt::Hup,
                };
                me.cancel(by);
            }
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_reason_wins_and_maps_to_its_exit_code() {
        let c = Cancel::default();
        assert!(!c.is_cancelled());
        let other = c.clone();
        other.cancel(Interrupt::Term);
        other.cancel(Interrupt::Int);
        assert!(c.is_cancelled());
        assert_eq!(c.reason(), Interrupt::Term);
        assert_eq!(c.error().exit_code(), 143);
        assert_eq!(Interrupt::Hup.exit_code(), 129);
        assert_eq!(Interrupt::Int.exit_code(), 130);
    }
}
