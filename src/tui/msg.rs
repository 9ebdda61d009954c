//! What happens to the TUI (messages into `update`) and what it asks for (effects out of it).

use crossterm::event::KeyEvent;

use super::app::JobKind;
use crate::engine::protocol::{Command, Event};

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    /// A tenth of a second passed while something animates.
    Tick,
    /// An event of the job with this id.
    Engine(u64, Event),
    /// Start on this comparison (`sluice tui SOURCE TARGET`, the demo).
    Open {
        source: String,
        target: String,
    },
}

#[derive(Debug)]
pub enum Effect {
    /// Start `command` as job `id`.
    Start {
        id: u64,
        kind: JobKind,
        command: Box<Command>,
    },
    /// Cancel the running job (through its token: statement stopped on the server, rollback).
    Cancel,
    /// Remember a compared pair among the recent ones.
    SaveRecent { source: String, target: String },
    /// Leave the TUI.
    Quit,
}
