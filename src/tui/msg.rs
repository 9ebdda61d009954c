//! What happens to the TUI (messages into `update`) and what it asks for (effects out of it).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};

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

impl Msg {
    /// A key pressed with these modifiers.
    pub fn press(code: KeyCode, modifiers: KeyModifiers) -> Msg {
        Msg::Key(KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        })
    }

    /// A character typed as a terminal sends it: an uppercase letter carries Shift.
    pub fn typed(c: char) -> Msg {
        let m = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        Msg::press(KeyCode::Char(c), m)
    }
}

/// The id of the comparison job these effects start, if they start one.
pub fn compare_job(effects: &[Effect]) -> Option<u64> {
    effects.iter().find_map(|e| match e {
        Effect::Start {
            id,
            kind: JobKind::Compare,
            ..
        } => Some(*id),
        _ => None,
    })
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
