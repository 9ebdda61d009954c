//! The CLI as a client of the engine protocol: it starts a job, prints its events on stderr
//! (progress as one redrawn line when stderr is a terminal, notices, warnings), answers its
//! confirmation on the terminal, and hands the result back to the command to print.

use std::io::IsTerminal;

use crate::engine::apply::{self, Direction, Notice};
use crate::engine::jobs::Engine;
use crate::engine::protocol::{Command, Event, Output};
use crate::error::{Error, Result};

/// Runs `cmd` on the engine with the process's cancellation token (signals cancel it) and
/// returns its result.
pub async fn drive(engine: &Engine, cmd: Command) -> Result<Output> {
    let mut job = engine.start(cmd, super::process_cancel());
    let progress = Progress::new();
    while let Some(ev) = job.events.recv().await {
        match ev {
            Event::Progress(p) => progress.draw(&super::data::progress_line(&p)),
            Event::Notice(n) => {
                progress.clear();
                notice(n);
            }
            Event::Step {
                number,
                total,
                kind,
                object,
            } => progress.draw(&format!("step {number} of {total}: {kind} {object}")),
            Event::SideReady { side, millis } => progress.draw(&format!(
                "{side} inspected in {:.1}s",
                millis as f64 / 1000.0
            )),
            Event::Warning(w) => {
                progress.clear();
                eprintln!("sluice: {w}");
            }
            Event::Confirm(q, reply) => {
                progress.clear();
                let _ = reply.send(confirm(&q));
            }
            Event::Finished(r) => {
                progress.clear();
                return r;
            }
        }
    }
    Err(Error::usage("the engine stopped without a result"))
}

/// One progress line on stderr, redrawn in place, only when stderr is a terminal (cut to its
/// width: a wrapped line would not be redrawn).
struct Progress {
    width: Option<usize>,
    shown: std::cell::Cell<bool>,
}

impl Progress {
    fn new() -> Progress {
        let width = std::io::stderr().is_terminal().then(|| {
            crossterm::terminal::size()
                .ok()
                .map(|(w, _)| w as usize)
                .filter(|w| *w > 1)
                .unwrap_or(80)
        });
        Progress {
            width,
            shown: std::cell::Cell::new(false),
        }
    }

    fn draw(&self, line: &str) {
        if let Some(w) = self.width {
            let line: String = line.chars().take(w - 1).collect();
            eprint!("\r\x1b[2K{line}");
            self.shown.set(true);
        }
    }

    fn clear(&self) {
        if self.shown.replace(false) {
            eprint!("\r\x1b[2K");
        }
    }
}

/// What an apply or rollback tells the person as it goes.
fn notice(n: Notice) {
    match n {
        Notice::Pack {
            id,
            runs,
            skipped,
            written_here,
            pinned,
        } => {
            eprintln!(
                "pack {id}: integrity checked (SHA256SUMS); {runs} step(s) to run{}",
                if skipped.is_empty() {
                    String::new()
                } else {
                    format!(", {} left out", skipped.len())
                }
            );
            if !written_here && !pinned {
                eprintln!(
                    "note: pack {id} was not planned on this machine: compare its id with the one shown when it was planned, or pin it with --pack-id"
                );
            }
        }
        Notice::IdentityUnchecked => eprintln!(
            "note: the plan was made from a snapshot of TARGET, so which database it was made for is not known: not checked"
        ),
        Notice::Retargeted { planned, now } => {
            eprintln!("--retarget: the plan was made for {planned}; applying it to {now}")
        }
        Notice::NotTransactional { dialect, journal } => eprintln!(
            "TARGET ({dialect}) commits every DDL statement on its own: this apply is NOT transactional. \
             Steps run one at a time; if one fails, the steps before it stay applied, {} records \
             them, and running this apply again resumes at the failed step.",
            journal.display()
        ),
        Notice::Resuming { applied, total } => eprintln!(
            "resuming: {applied} of {total} steps were applied by an earlier run; starting at step {}.",
            applied + 1
        ),
        Notice::Recovered {
            step,
            statement,
            took_effect,
        } => eprintln!(
            "an earlier run of this pack ended while statement {statement} of step {step} ran; TARGET shows it {}",
            if took_effect {
                "took effect: going on after it"
            } else {
                "did not take effect: running it again"
            }
        ),
        Notice::DryRunShown { steps } => dry_run_report(&steps),
    }
}

/// Asks on the terminal: the database name typed back for a rollback or when the pack holds
/// danger steps, `y` otherwise. No terminal: refused (use `--yes`).
fn confirm(q: &apply::Confirm) -> Result<()> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::Refused(
            "apply changes the database: confirm with --yes (no terminal to ask on)".into(),
        ));
    }
    let left = if q.skipped > 0 {
        format!(" ({} left out)", q.skipped)
    } else {
        String::new()
    };
    let mut answer = String::new();
    let typed_back = match q.direction {
        Direction::Down => {
            eprint!(
                "Roll back pack {} on {} ({} undo steps)? Type the database name ({}) to continue: ",
                q.pack_id, q.target, q.steps, q.database
            );
            true
        }
        Direction::Up if q.danger > 0 => {
            eprint!(
                "Pack {} holds {} danger step(s). Apply {} steps{left} to {}? Type the database name ({}) to continue: ",
                q.pack_id, q.danger, q.steps, q.target, q.database
            );
            true
        }
        Direction::Up => {
            eprint!(
                "Apply {} steps{left} of pack {} to {}? [y/N] ",
                q.steps, q.pack_id, q.target
            );
            false
        }
    };
    let _ = std::io::stdin().read_line(&mut answer);
    let yes = if typed_back {
        answer.trim() == q.database
    } else {
        matches!(answer.trim(), "y" | "Y" | "yes")
    };
    if yes {
        Ok(())
    } else {
        Err(Error::Refused("not confirmed".into()))
    }
}

/// A dry run where DDL cannot be rolled back (MySQL): every step's SQL, with what the plan's checks
/// found in TARGET's data, and nothing run.
fn dry_run_report(steps: &[crate::model::plan::Step]) {
    let mut fails = 0;
    for st in steps {
        eprintln!(
            "step {}: {} {}",
            st.number,
            st.change.kind(),
            st.change.object()
        );
        for q in &st.sql {
            eprintln!("    {q};");
        }
        if let Some(r) = &st.risk {
            eprintln!("    risk: {} — {}", r.level.as_str(), r.reason);
            for c in &r.counts {
                eprintln!("    data: {}", c.describe());
            }
            if r.certain_failure {
                fails += 1;
                eprintln!("    WILL FAIL as TARGET's data stands");
            }
        }
    }
    eprintln!(
        "dry run: {} steps shown, nothing run (this database commits DDL as it goes, so a dry run cannot try them){}",
        steps.len(),
        if fails > 0 {
            format!("; {fails} step(s) will fail as the data stands")
        } else {
            String::new()
        }
    );
}
