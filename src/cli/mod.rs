//! The command line: a thin client of the engine. Parses arguments, calls the engine, prints.
//!
//! Everything for stdout goes through [`out!`]/[`outln!`] (module `out`), which turn a closed pipe
//! into an error instead of a panic; `print!` is refused by clippy here.
#![deny(clippy::print_stdout)]

#[macro_use]
mod out;

pub mod bench;
mod bench_tui;
mod commands;
pub mod data;
mod drive;
pub mod schema;
pub mod summary;

use std::path::PathBuf;

use std::io::IsTerminal;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::{Error, exit};
use crate::model::Filter;

#[derive(Debug, Parser)]
#[command(
    name = "sluice",
    version,
    about = "Show exactly how two live databases have drifted apart — schema and rows — and bring one in line with the other, safely.",
    after_help = "Database references: postgres://…, postgresql://…, mysql://…, mariadb://…, sqlite:PATH, a profile name, or (for schema work) a snapshot .json.\nExit codes: 0 ok / no differences, 1 differences, 2 usage or configuration, 3 cannot connect, 4 refused by a safety gate, 5 apply rolled back, 6 apply stopped part-way, 7 database error, 8 applied but TARGET still differs, 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP, 141 stdout closed early."
)]
pub struct Cli {
    /// Profiles file (default: $SLUICE_PROFILES or ~/.config/sluice/profiles.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub profiles: Option<PathBuf>,
    /// No command: the TUI's start screen (on a terminal).
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a database's schema to a snapshot file, usable later wherever a schema source is wanted.
    Snapshot {
        /// The database: a URL or a profile name.
        db: String,
        /// Where to write the snapshot (JSON).
        #[arg(long, short)]
        out: PathBuf,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Summarize a database's schema (live or snapshot).
    Inspect {
        /// The database: a URL, a profile name or a snapshot file.
        db: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Compare schemas and plan migrations.
    Schema {
        #[command(subcommand)]
        command: SchemaCommand,
    },
    /// Apply a migration pack to TARGET (all or nothing where the database allows it).
    Apply {
        #[command(flatten)]
        run: RunPackArgs,
        /// Run destructive steps of these kinds (they must also have been planned to run).
        #[arg(long, value_name = "KIND", value_delimiter = ',', value_enum)]
        allow: Vec<AllowKind>,
        /// Run up.sql as edited after planning (it is refused otherwise). Every other file of the
        /// pack must be as planned.
        #[arg(long)]
        accept_edits: bool,
    },
    /// Undo an applied pack on TARGET: runs its down.sql through the same gates as apply (the
    /// pack's integrity, TARGET's identity, one at a time, confirmation, history), after checking
    /// TARGET is as the apply left it.
    Rollback {
        #[command(flatten)]
        run: RunPackArgs,
    },
    /// List the applies recorded on this machine.
    History {
        /// Only applies to targets whose (password-free) URL contains this.
        #[arg(long)]
        target: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Compare rows of live databases; page through stored row differences.
    Data {
        #[command(subcommand)]
        command: data::DataCommand,
    },
    /// List row-diff runs (id, databases, tables, progress, state).
    Runs {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Continue an interrupted row diff exactly where its checkpoint stands.
    Resume {
        run_id: String,
        /// SOURCE again (URL with password, or profile), when the run's stored reference (which
        /// never holds a password) is not enough; must be the run's database.
        #[arg(long)]
        source: Option<String>,
        /// TARGET again, likewise.
        #[arg(long)]
        target: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit with 1 when any row differs.
        #[arg(long)]
        exit_code: bool,
        /// Server-side limit for each query (seconds, 1 to 604800) from here on; the run's own
        /// by default.
        #[arg(long, value_name = "SECS", value_parser = seconds())]
        statement_timeout: Option<u64>,
    },
    /// Benchmarks (throughput and memory figures; not tests).
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
    /// Build the built-in demo databases (two versions of a shop, in SQLite) and show what sluice does with them.
    Demo {
        /// Build the demo in this (new or empty) directory and keep it, instead of a temporary one.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Print the walkthrough instead of opening the TUI (the default off a terminal).
        #[arg(long)]
        print: bool,
        /// Mouse capture in the TUI (off by default, so text can be selected over SSH).
        #[arg(long)]
        mouse: bool,
    },
    /// Open the terminal UI: on the comparison of SOURCE and TARGET, or on the start screen.
    Tui {
        /// The desired state: URL, profile or snapshot file.
        source: Option<String>,
        /// The database that would change: URL, profile or snapshot file.
        target: Option<String>,
        /// Mouse capture (off by default, so text can be selected over SSH).
        #[arg(long)]
        mouse: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Show how TARGET's schema differs from SOURCE's (what a plan would change).
    Diff {
        /// The desired state: URL, profile or snapshot file.
        source: String,
        /// The database that would change: URL, profile or snapshot file.
        target: String,
        #[arg(long, value_enum, default_value_t = Format3::Text)]
        format: Format3,
        /// Exit with 1 when anything differs (for CI).
        #[arg(long)]
        exit_code: bool,
        #[command(flatten)]
        renames: RenameArgs,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Write a migration pack (up.sql, plan.json) that makes TARGET look like SOURCE.
    Plan {
        source: String,
        target: String,
        /// The pack directory to write: new, empty, or an earlier pack with --force.
        #[arg(long, short)]
        out: PathBuf,
        /// Replace the pack already in --out.
        #[arg(long)]
        force: bool,
        /// Include destructive steps (drops, narrowing type changes) instead of commenting them out.
        #[arg(long)]
        allow_destructive: bool,
        /// Include destructive steps of these kinds only.
        #[arg(long, value_name = "KIND", value_delimiter = ',', value_enum)]
        allow: Vec<AllowKind>,
        /// Also print the dependency graph of the steps.
        #[arg(long)]
        graph: bool,
        #[command(flatten)]
        renames: RenameArgs,
        #[command(flatten)]
        filter: FilterArgs,
    },
}

/// A kind of destructive step, as `--allow` names it (`model::change::DESTRUCTIVE_KINDS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AllowKind {
    DropTable,
    DropColumn,
    DropSchema,
    DropSequence,
    DropExtension,
    NarrowType,
    RemoveEnumValue,
}

impl AllowKind {
    /// The kinds as the engine names them.
    pub fn names(kinds: &[AllowKind]) -> Vec<String> {
        kinds
            .iter()
            .filter_map(|k| k.to_possible_value())
            .map(|v| v.get_name().to_string())
            .collect()
    }
}

/// What `apply` and `rollback` share: the pack, TARGET, and the gates a person opens.
#[derive(Debug, Clone, Args)]
pub struct RunPackArgs {
    /// The pack directory written by `sluice schema plan`.
    pub dir: PathBuf,
    /// The database to change (URL or profile); must be the one the plan was made for.
    #[arg(long)]
    pub target: String,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// Apply: run destructive steps (they must also have been planned to run). Rollback: run undo
    /// steps that cannot bring data back (IRREVERSIBLE in down.sql): the schema is restored, that
    /// data is not.
    #[arg(long)]
    pub allow_destructive: bool,
    /// Run on another database than the one the plan was made for (refused otherwise).
    #[arg(long)]
    pub retarget: bool,
    /// MySQL/MariaDB: run although a step is certain to fail (the steps before it stay applied;
    /// refused otherwise).
    #[arg(long)]
    pub force_partial: bool,
    /// Refuse unless the pack's id (shown at plan time) starts with this.
    #[arg(long, value_name = "ID")]
    pub pack_id: Option<String>,
    /// Run every step inside a transaction and roll it back: reports what would fail (MySQL:
    /// shows the SQL and the plan's checks, runs nothing).
    #[arg(long)]
    pub dry_run: bool,
    /// How long a statement may wait for a lock (seconds, 1 to 604800).
    #[arg(long, default_value_t = 10, value_name = "SECS", value_parser = seconds())]
    pub lock_timeout: u64,
    /// How long one statement may run (seconds, 1 to 604800).
    #[arg(long, default_value_t = 300, value_name = "SECS", value_parser = seconds())]
    pub statement_timeout: u64,
}

/// Rename detection.
#[derive(Debug, Clone, Args)]
pub struct RenameArgs {
    /// Never report renames: a missing and a new name are a drop and an add.
    #[arg(long)]
    pub no_renames: bool,
    /// Minimum score (0-100) for a disappeared and an appeared table or column to count as a rename.
    #[arg(long, default_value_t = crate::engine::diff::rename::DEFAULT_THRESHOLD, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub rename_threshold: u8,
}

impl RenameArgs {
    pub fn options(&self) -> crate::engine::diff::DiffOptions {
        crate::engine::diff::DiffOptions {
            renames: !self.no_renames,
            rename_threshold: self.rename_threshold,
        }
    }
}

/// Bounds of the numeric flags, checked while parsing: a value past them would overflow where it
/// becomes milliseconds or a SQL literal, or fail on the server after a run has started.
pub mod bounds {
    /// `--batch-size`: rows per page and per checkpoint.
    pub const BATCH_SIZE: std::ops::RangeInclusive<u64> = 1..=1_000_000;
    /// Timeouts in seconds: at least one, at most a week (PostgreSQL's `statement_timeout` and
    /// `lock_timeout` stop at 2^31 - 1 ms, about 24 days).
    pub const SECONDS: std::ops::RangeInclusive<u64> = 1..=604_800;
    /// `sluice bench data --rows`.
    pub const BENCH_ROWS: std::ops::RangeInclusive<u64> = 3_000..=1_000_000_000;
}

/// `--batch-size N`, within [`bounds::BATCH_SIZE`].
pub(crate) fn batch_size() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(bounds::BATCH_SIZE)
}

/// A timeout in seconds, within [`bounds::SECONDS`].
pub(crate) fn seconds() -> clap::builder::RangedU64ValueParser<u64> {
    clap::builder::RangedU64ValueParser::<u64>::new().range(bounds::SECONDS)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format3 {
    Text,
    Json,
    Sql,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Include/exclude filters (glob patterns; repeat the flag or separate with commas).
#[derive(Debug, Clone, Default, Args)]
pub struct FilterArgs {
    /// Only these schemas.
    #[arg(long = "schema", value_name = "GLOB", value_delimiter = ',')]
    pub schemas: Vec<String>,
    /// Leave out these schemas.
    #[arg(long = "exclude-schema", value_name = "GLOB", value_delimiter = ',')]
    pub exclude_schemas: Vec<String>,
    /// Only these tables and views (`orders`, `order_*`, `sales.*`).
    #[arg(long = "table", value_name = "GLOB", value_delimiter = ',')]
    pub tables: Vec<String>,
    /// Leave out these tables and views.
    #[arg(long = "exclude-table", value_name = "GLOB", value_delimiter = ',')]
    pub exclude_tables: Vec<String>,
}

impl FilterArgs {
    pub fn build(&self) -> Result<Filter, Error> {
        Filter::new(
            &self.schemas,
            &self.exclude_schemas,
            &self.tables,
            &self.exclude_tables,
        )
        .map_err(Error::Usage)
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(c) => c,
        // `--help`, `--version`: as clap prints them, on stdout.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return exit::OK;
        }
        Err(e) => {
            report(&usage_error(&e, &args));
            return exit::USAGE;
        }
    };
    // While the TUI owns the terminal nothing may be printed: logs go to a file.
    let tui = match &cli.command {
        None | Some(Command::Tui { .. }) => true,
        Some(Command::Demo { print, .. }) => !*print && std::io::stdout().is_terminal(),
        _ => false,
    };
    init_logging(tui);
    // An interactive session holds a comparison for as long as a person reads it: fewer malloc
    // arenas keep what the runtime's threads freed from staying resident (about a fifth of the
    // peak on a 2,000-table comparison).
    let bench_tui = matches!(
        &cli.command,
        Some(Command::Bench {
            command: bench::BenchCommand::Tui { .. }
        })
    );
    if tui || bench_tui {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: mallopt only changes the allocator's tuning; glibc takes its own lock.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sluice: error: cannot start the async runtime: {e}");
            return exit::USAGE;
        }
    };
    // Jobs that stop cleanly on cancel (roll back, checkpoint) get a moment to do so; any other
    // command simply ends when a signal arrives, as it would without handlers.
    let graceful = tui
        || matches!(
            cli.command,
            Some(
                Command::Apply { .. }
                    | Command::Rollback { .. }
                    | Command::Data { .. }
                    | Command::Resume { .. }
            )
        );
    let cancel = process_cancel();
    let outcome = runtime.block_on(async {
        if let Err(e) = cancel.on_signals() {
            tracing::warn!("cannot listen for signals: {e}");
        }
        tokio::select! {
            r = commands::run(cli) => r,
            _ = async {
                cancel.cancelled().await;
                if graceful {
                    tokio::time::sleep(STOP_GRACE).await;
                }
            } => Err(cancel.error()),
        }
    });
    let result = outcome.and_then(|code| out::flush().map(|()| code));
    match result {
        Ok(code) => code,
        // Whoever read stdout has gone (`sluice runs | head -1`): nothing more to say.
        Err(Error::BrokenPipe) => exit::BROKEN_PIPE,
        Err(e) => {
            report(&e.to_string());
            e.exit_code()
        }
    }
}

/// How long a job that handles cancellation may take to stop its statement, roll back or
/// checkpoint after a signal before the process ends regardless.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(20);

/// The process's cancellation token: signals cancel it (see [`crate::cancel`]).
pub(crate) fn process_cancel() -> crate::cancel::Cancel {
    static CANCEL: std::sync::OnceLock<crate::cancel::Cancel> = std::sync::OnceLock::new();
    CANCEL.get_or_init(Default::default).clone()
}

/// clap's usage error as one line, with where to read more: clap writes several (the error, an
/// indented detail, a tip, the usage, a pointer to `--help`).
fn usage_error(e: &clap::Error, args: &[std::ffi::OsString]) -> String {
    use clap::CommandFactory;
    use clap::error::ErrorKind;
    // The (sub)command the arguments name, e.g. `sluice data diff`.
    let mut cmd = Cli::command();
    let mut path = vec![cmd.get_name().to_string()];
    for a in args.iter().skip(1) {
        let a = a.to_string_lossy();
        if a == "--" {
            break;
        }
        if a.starts_with('-') {
            continue;
        }
        let Some(sub) = cmd.find_subcommand(a.as_ref()).cloned() else {
            continue;
        };
        path.push(sub.get_name().to_string());
        cmd = sub;
    }
    let path = path.join(" ");
    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let subs: Vec<&str> = cmd
            .get_subcommands()
            .map(|c| c.get_name())
            .filter(|n| *n != "help")
            .collect();
        return if subs.is_empty() {
            format!("`{path}` needs arguments; see `{path} --help`")
        } else {
            format!(
                "`{path}` needs a command: {}; see `{path} --help`",
                subs.join(", ")
            )
        };
    }
    // clap's own wording, without styles, folded onto one line.
    let text = e.render().to_string();
    let mut parts: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if line.is_empty() {
            continue;
        }
        let line = line.strip_prefix("error:").map(str::trim).unwrap_or(line);
        parts.push(match line.strip_prefix("tip:") {
            Some(tip) => format!("({})", tip.trim()),
            None => line.to_string(),
        });
    }
    format!("{}; see `{path} --help`", parts.join(" "))
}

/// The one line an error gets on stderr (never a panic, even when stderr is closed).
fn report(message: &str) {
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "sluice: error: {}",
        crate::error::one_line(message)
    );
}

pub(crate) use crate::clock::now_rfc3339;

/// Logs go to stderr, at the level in `SLUICE_LOG` (default: warnings only), in color only when
/// stderr is a terminal and `NO_COLOR` is unset or empty.
fn init_logging(to_file: bool) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("SLUICE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    if to_file {
        // The TUI's log: `sluice.log` in the data directory (0600).
        let file = crate::config::data_dir().ok().and_then(|d| {
            crate::files::private_dir(&d).ok()?;
            crate::files::open_append(&d.join("sluice.log")).ok()
        });
        if let Some(f) = file {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::sync::Mutex::new(f))
                .with_ansi(false)
                .try_init();
        }
        return;
    }
    let color = std::io::stderr().is_terminal() && !no_color(std::env::var_os("NO_COLOR"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color)
        .with_target(false)
        .try_init();
}

/// `NO_COLOR` set to anything but the empty string turns color off (<https://no-color.org>).
pub(crate) fn no_color(value: Option<std::ffi::OsString>) -> bool {
    value.is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod allow_kind_tests {
    use super::AllowKind;
    use clap::ValueEnum;

    #[test]
    fn every_kind_is_one_the_engine_knows_and_back() {
        let names = AllowKind::names(AllowKind::value_variants());
        let mut known: Vec<String> = crate::model::change::DESTRUCTIVE_KINDS
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut ours = names.clone();
        known.sort();
        ours.sort();
        assert_eq!(ours, known);
    }
}
