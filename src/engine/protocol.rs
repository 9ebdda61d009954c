//! The engine's one protocol: a client (the CLI, the TUI) sends a [`Command`], and receives
//! [`Event`]s while the job runs — progress, notices, a confirmation to answer — ending with
//! exactly one [`Event::Finished`] that carries the result as data (or the error as a typed
//! value). Jobs run on tokio tasks ([`super::jobs::Engine::start`]) and stop when their
//! [`Cancel`](crate::cancel::Cancel) token is cancelled: they stop their statement on the server,
//! roll back or flush their checkpoint/journal, and finish with `Error::Interrupted`.
//!
//! Nothing here prints: how a result looks (text, JSON, SQL, a screen) is the client's business.

use std::path::PathBuf;

use tokio::sync::{mpsc, oneshot};

use super::apply::{self, Direction, Gates};
use super::diff::DiffOptions;
use super::history::History;
use super::pack::PackManifest;
use super::rows::{Progress, RunOutcome};
use crate::error::{Error, Result};
use crate::model::plan::ApplyOptions;
use crate::model::rowdiff::{DiffClass, DiffRecord, RunOptions, RunState};
use crate::model::{Assessment, Catalog, Change, Filter};

/// What a client asks of the engine. Database references are as a person gives them: a URL, a
/// profile name, or (for schema work) a snapshot file.
#[derive(Debug, Clone)]
pub enum Command {
    /// One database's catalog.
    Inspect { db: String, filter: Filter },
    /// One live database's catalog written to a snapshot file.
    Snapshot {
        db: String,
        out: PathBuf,
        filter: Filter,
    },
    /// What differs between SOURCE and TARGET's schemas, each change with its risk (counted on
    /// TARGET's data when `counts` and TARGET is live).
    SchemaDiff {
        source: String,
        target: String,
        opts: DiffOptions,
        filter: Filter,
        counts: bool,
    },
    /// Both sides inspected (each side announced as it is ready), diffed, risk-rated with counts
    /// from TARGET's data, and planned: everything the TUI's comparison shows.
    Compare {
        source: String,
        target: String,
        opts: DiffOptions,
        filter: Filter,
    },
    /// Whether a database answers: its server version and how long connecting took.
    Check { db: String },
    /// The plan as `up.sql` would show it (nothing destructive allowed), without writing a pack.
    SchemaScript {
        source: String,
        target: String,
        opts: DiffOptions,
        filter: Filter,
    },
    /// A migration pack written to `out`.
    SchemaPlan(PlanRequest),
    /// A pack applied (`Direction::Up`) or rolled back (`Direction::Down`).
    RunPack {
        dir: PathBuf,
        target: String,
        gates: Gates,
        options: ApplyOptions,
        direction: Direction,
    },
    /// A row diff: a new run.
    DataDiff {
        source: String,
        target: String,
        options: RunOptions,
        /// Where to keep the run, when not in the data directory's `runs/` (the demo's own).
        runs_root: Option<PathBuf>,
    },
    /// An interrupted run continued where its checkpoint stands.
    Resume {
        run_id: String,
        source: Option<String>,
        target: Option<String>,
        statement_timeout: Option<u64>,
    },
    /// A page of a run's stored differences (no database).
    DataShow {
        run_id: String,
        table: Option<String>,
        class: Option<DiffClass>,
        offset: usize,
        limit: usize,
    },
    /// The runs in the data directory.
    Runs,
    /// The applies recorded on this machine, optionally only those to targets containing this.
    History { target: Option<String> },
}

/// `schema plan`'s options.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    pub source: String,
    pub target: String,
    pub out: PathBuf,
    pub force: bool,
    pub allow_destructive: bool,
    pub allow: Vec<String>,
    pub opts: DiffOptions,
    pub filter: Filter,
    /// Destructive steps included one by one, and steps left out by choice (`kind object`,
    /// [`super::pack::step_key`]).
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// What the engine tells its client while a job runs.
#[derive(Debug)]
pub enum Event {
    /// Row-diff progress (rows read per side, rows/s, ETA), at most ten times a second.
    Progress(Progress),
    /// What an apply or rollback is doing and deciding (integrity checked, resuming, …).
    Notice(apply::Notice),
    /// A step of a plan starts to run (steps left out are not run and not told).
    Step {
        number: usize,
        total: usize,
        kind: String,
        object: String,
    },
    /// One side of a comparison is inspected (`"SOURCE"` or `"TARGET"`), in this many ms.
    SideReady { side: &'static str, millis: u64 },
    /// Something the person should know that does not stop the job.
    Warning(String),
    /// The person must confirm before anything changes: answer `Ok(())` to go on, or the error
    /// that stops the job (usually `Error::Refused`).
    Confirm(apply::Confirm, oneshot::Sender<Result<()>>),
    /// The job ended: its result, or why it did not finish.
    Finished(Result<Output>),
}

/// A job's result, as data.
#[derive(Debug, Clone)]
pub enum Output {
    Catalog {
        /// Where it came from, without password.
        name: String,
        catalog: Box<Catalog>,
    },
    SnapshotWritten {
        from: String,
        out: PathBuf,
        catalog: Box<Catalog>,
    },
    Diff(Box<DiffReport>),
    Compared(Box<Comparison>),
    Checked {
        /// Without password.
        name: String,
        version: String,
        millis: u64,
    },
    Script(String),
    Planned(Box<Planned>),
    RunPack {
        outcome: Box<apply::Outcome>,
        target: String,
        direction: Direction,
    },
    Rows(Box<RunOutcome>),
    Differences(Box<Page>),
    Runs {
        root: PathBuf,
        listing: Box<super::rows::store::Listing>,
    },
    History(Box<History>),
}

/// A schema diff.
#[derive(Debug, Clone)]
pub struct DiffReport {
    pub source: String,
    pub target: String,
    pub changes: Vec<Change>,
    /// One per change, in the same order.
    pub risks: Vec<Assessment>,
}

/// Two catalogs compared: what the TUI's comparison screens show.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub source_name: String,
    pub target_name: String,
    pub source: Catalog,
    pub target: Catalog,
    pub changes: Vec<Change>,
    /// One per change, counted on TARGET's data where it is live.
    pub risks: Vec<Assessment>,
    /// The ordered steps (each with its risk), in TARGET's dialect.
    pub plan: super::schema::SchemaPlan,
}

/// A pack written.
#[derive(Debug, Clone)]
pub struct Planned {
    pub manifest: PackManifest,
    pub dir: PathBuf,
    /// SHA-256 of `SHA256SUMS`.
    pub pack_id: String,
}

/// A page of stored row differences.
#[derive(Debug, Clone)]
pub struct Page {
    pub run_id: String,
    pub state: RunState,
    /// Differences matching the filters, in all.
    pub total: usize,
    pub offset: usize,
    /// (table, key columns, record).
    pub rows: Vec<(String, Vec<String>, DiffRecord)>,
}

/// The sending side of a job's events, as the engine's code sees it. Unbounded: events are few
/// (progress is sent at most ten times a second), and a job never waits on a slow client.
#[derive(Debug, Clone)]
pub struct Events {
    tx: mpsc::UnboundedSender<Event>,
}

impl Events {
    pub fn new(tx: mpsc::UnboundedSender<Event>) -> Events {
        Events { tx }
    }

    /// Events nobody listens to (tools and tests that call the engine directly).
    pub fn discard() -> Events {
        let (tx, _) = mpsc::unbounded_channel();
        Events { tx }
    }

    /// Sends an event; a client that stopped listening is not an error of the job.
    pub fn send(&self, e: Event) {
        let _ = self.tx.send(e);
    }

    pub fn notice(&self, n: apply::Notice) {
        self.send(Event::Notice(n));
    }

    /// Asks the client to confirm; refused when it says no or is gone.
    pub async fn confirm(&self, q: apply::Confirm) -> Result<()> {
        let (tx, rx) = oneshot::channel();
        self.send(Event::Confirm(q, tx));
        match rx.await {
            Ok(answer) => answer,
            Err(_) => Err(Error::Refused("not confirmed".into())),
        }
    }
}
