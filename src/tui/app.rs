//! The TUI's state: everything a view draws and `update` changes. No I/O here: results arrive as
//! messages, requests leave as effects.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::oneshot;
use tui_input::Input;
use tui_tree_widget::TreeState;

use super::keymap::{Keymap, Section};
use super::theme::Theme;
use super::tree::Tree;
use super::widgets::sidediff::Row;
use crate::engine::apply::{Confirm, Outcome};
use crate::engine::protocol::Comparison;

/// Which screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Start,
    Compare,
    Plan,
    Apply,
}

impl Screen {
    pub fn section(self) -> Section {
        match self {
            Screen::Start => Section::Start,
            Screen::Compare => Section::Compare,
            Screen::Plan => Section::Plan,
            Screen::Apply => Section::Apply,
        }
    }
}

/// What a running job is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobKind {
    /// A connection check of this reference.
    Check(String),
    Compare,
    WritePack(PathBuf),
    Apply,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: u64,
    pub kind: JobKind,
}

/// A line on the start screen: a profile, a recent pair's side, or what was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub label: String,
    pub reference: String,
}

#[derive(Debug, Default)]
pub struct StartState {
    pub entries: Vec<Entry>,
    /// Recently compared pairs (SOURCE, TARGET), newest first.
    pub recent: Vec<(String, String)>,
    pub selected: usize,
    pub source: Option<String>,
    pub target: Option<String>,
    /// Typing a reference.
    pub input: Option<Input>,
    /// Connection checks: reference → what the check said.
    pub checks: BTreeMap<String, String>,
}

impl StartState {
    /// The selectable lines: recent pairs first (as one line each), then profiles and typed
    /// references.
    pub fn lines(&self) -> usize {
        self.recent.len() + self.entries.len()
    }
}

/// Which changes the tree shows by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    #[default]
    All,
    Added,
    Removed,
    Changed,
}

/// Which changes the tree shows by risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RiskFilter {
    #[default]
    All,
    Danger,
    Caution,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Tree,
    Detail,
}

/// The side-by-side diff of one object.
#[derive(Debug, Clone, Default)]
pub struct Detail {
    /// `schema.name` of the object.
    pub object: String,
    pub rows: Vec<Row>,
    /// The plan's steps about this object, as text lines.
    pub steps: Vec<String>,
    pub top: usize,
    pub left: usize,
}

#[derive(Debug, Default)]
pub struct CompareState {
    /// Inspecting: how long each side took once ready (ms).
    pub loading: bool,
    pub source_ms: Option<u64>,
    pub target_ms: Option<u64>,
    pub cmp: Option<Arc<Comparison>>,
    /// The plan's steps by the object they are about (`schema.name`), indexes into its steps.
    pub steps_of: std::collections::HashMap<String, Vec<usize>>,
    /// What tree builds reuse while only the name filter changes.
    pub tree_cache: crate::tui::tree::Cache,
    pub tree: Tree,
    pub tree_state: TreeState<String>,
    pub filter: String,
    pub filter_input: Option<Input>,
    pub status: StatusFilter,
    pub risk: RiskFilter,
    pub focus: Pane,
    /// The detail shown (full screen below 100 columns when `detail_open`).
    pub detail: Option<Detail>,
    pub detail_open: bool,
    /// Unified view forced on (`Some(true)`) or off; `None`: by width.
    pub unified: Option<bool>,
}

#[derive(Debug, Default)]
pub struct PlanState {
    pub selected: usize,
    /// Steps left out by choice, and destructive steps let in one by one (`kind object`).
    pub exclude: BTreeSet<String>,
    pub include: BTreeSet<String>,
    /// The last toggle's consequence, said under the list.
    pub note: Option<String>,
    pub levels: bool,
    /// Asking where to write the pack.
    pub dir_input: Option<Input>,
    /// The pack written: its directory and short id.
    pub written: Option<(PathBuf, String)>,
}

#[derive(Debug, Default)]
pub struct ApplyState {
    pub running: bool,
    /// The steps that started, newest last: (number, total, what).
    pub steps: Vec<(usize, usize, String)>,
    pub notices: Vec<String>,
    pub outcome: Option<Result<Box<Outcome>, String>>,
}

/// The engine asks the person to confirm; the answer goes back on `reply`.
#[derive(Debug)]
pub struct Confirming {
    pub question: Confirm,
    pub input: Input,
    pub reply: Option<oneshot::Sender<crate::Result<()>>>,
}

/// The help overlay, filtered by what is typed.
#[derive(Debug, Default)]
pub struct Help {
    pub filter: Input,
}

#[derive(Debug)]
pub struct App {
    pub screen: Screen,
    pub keymap: Keymap,
    pub theme: Theme,
    pub width: u16,
    pub height: u16,
    pub help: Option<Help>,
    pub job: Option<Job>,
    pub next_job: u64,
    /// Ticks since the job started (spinner, elapsed time at 10 a second).
    pub ticks: u64,
    /// The last thing said in the status line; `true` for an error.
    pub message: Option<(bool, String)>,
    pub quit: bool,
    pub start: StartState,
    pub compare: CompareState,
    pub plan: PlanState,
    pub apply: ApplyState,
    pub confirming: Option<Confirming>,
}

impl App {
    pub fn new(keymap: Keymap, theme: Theme, width: u16, height: u16) -> App {
        App {
            screen: Screen::Start,
            keymap,
            theme,
            width,
            height,
            help: None,
            job: None,
            next_job: 1,
            ticks: 0,
            message: None,
            quit: false,
            start: StartState::default(),
            compare: CompareState::default(),
            plan: PlanState::default(),
            apply: ApplyState::default(),
            confirming: None,
        }
    }

    /// Something animates (a spinner, elapsed time): the loop ticks only then.
    pub fn animating(&self) -> bool {
        self.job.is_some()
    }

    /// Side by side when the detail has room (100 columns and up), unless toggled.
    pub fn side_by_side(&self) -> bool {
        match self.compare.unified {
            Some(u) => !u,
            None => self.width >= 100,
        }
    }
}
