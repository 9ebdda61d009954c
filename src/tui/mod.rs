//! The terminal UI: a client of the engine protocol (it runs no SQL and imports no database
//! crate). One loop `select!`s over the terminal's events, the running jobs' events, the process's
//! cancellation (a signal) and a tick while something animates; each message goes through the
//! pure `update`, whose effects start or cancel engine jobs; the screen is redrawn only when a
//! message changed something. The terminal is restored on exit, on error and on panic
//! (ratatui's `init`/`restore` install the hook); while the TUI runs nothing is printed — logs go
//! to a file in the data directory.

pub mod app;
pub mod keymap;
pub mod msg;
pub mod theme;
pub mod tree;
pub mod update;
pub mod views;
pub mod widgets;

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{Event as CtEvent, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc;

use self::app::{App, Entry};
use self::keymap::Keymap;
use self::msg::{Effect, Msg};
use self::theme::Theme;
use crate::cancel::{Cancel, Interrupt};
use crate::engine::jobs::Engine;
use crate::error::{Error, Result, exit};

/// How the TUI starts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Open straight on this comparison.
    pub pair: Option<(String, String)>,
    /// Mouse capture (off by default: over SSH people select text with the mouse).
    pub mouse: bool,
}

/// The keymap: the defaults patched by `keymap.toml` in the config directory.
pub fn load_keymap() -> Result<Keymap> {
    let user = crate::config::config_dir().map(|d| d.join("keymap.toml"));
    match user {
        Some(p) if p.exists() => {
            let text = std::fs::read_to_string(&p).map_err(|e| Error::file(&p, e))?;
            Keymap::load(Some((&p, &text))).map_err(|e| Error::usage(e.0))
        }
        _ => Keymap::load(None).map_err(|e| Error::usage(e.0)),
    }
}

fn recent_path() -> Option<PathBuf> {
    crate::config::data_dir()
        .ok()
        .map(|d| d.join("recent.json"))
}

/// Recently compared pairs (no secrets: URLs are kept without password).
fn load_recent() -> Vec<(String, String)> {
    recent_path()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn save_recent(recent: &[(String, String)]) {
    let Some(p) = recent_path() else {
        return;
    };
    if let Some(dir) = p.parent() {
        if crate::files::private_dir(dir).is_err() {
            return;
        }
    }
    let text = serde_json::to_string_pretty(recent).unwrap_or_default();
    if let Err(e) = crate::files::write_atomic(&p, text.as_bytes()) {
        tracing::warn!("saving the recent pairs: {e}");
    }
}

/// The state a fresh TUI starts from: profiles and recent pairs on the start screen.
pub fn initial(engine: &Engine, keymap: Keymap, theme: Theme, w: u16, h: u16) -> App {
    let mut app = App::new(keymap, theme, w, h);
    app.start.recent = load_recent();
    app.start.entries = engine
        .profile_names()
        .into_iter()
        .map(|n| Entry {
            label: format!("profile {n}"),
            reference: n,
        })
        .collect();
    app
}

/// Runs the TUI until the person quits (or a signal asks it to stop); returns the exit code.
/// `process` is the process's token (signals cancel it).
pub async fn run(engine: Engine, opts: Options, process: Cancel) -> Result<i32> {
    let keymap = load_keymap()?;
    let theme = Theme::from_env();
    let mut terminal = ratatui::init();
    // Restores the terminal however this function ends: return, error, or the future dropped.
    let _restore = Restore { mouse: opts.mouse };
    if opts.mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    }
    let size = terminal.size().unwrap_or_default();
    let mut app = initial(&engine, keymap, theme, size.width, size.height);
    event_loop(&mut terminal, &mut app, &engine, opts.pair, &process).await
}

/// Gives the terminal back (cooked mode, main screen, mouse off) when dropped.
struct Restore {
    mouse: bool,
}

impl Drop for Restore {
    fn drop(&mut self) {
        if self.mouse {
            let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
        }
        ratatui::restore();
    }
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    engine: &Engine,
    pair: Option<(String, String)>,
    process: &Cancel,
) -> Result<i32> {
    let mut keys = EventStream::new();
    let (job_tx, mut job_rx) = mpsc::unbounded_channel::<(u64, crate::engine::protocol::Event)>();
    let mut running: Option<Cancel> = None;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut first = pair.map(|(source, target)| Msg::Open { source, target });
    let mut dirty = true;
    loop {
        if dirty {
            terminal
                .draw(|f| views::draw(f, app))
                .map_err(|e| Error::usage(format!("drawing the screen: {e}")))?;
            dirty = false;
            // Test builds only: a panic on demand, to prove the terminal is given back.
            #[cfg(debug_assertions)]
            if std::env::var_os("SLUICE_TUI_TEST_PANIC").is_some() {
                panic!("SLUICE_TUI_TEST_PANIC: a panic injected by a test");
            }
        }
        let msg = if let Some(m) = first.take() {
            m
        } else {
            tokio::select! {
                ev = keys.next() => match ev {
                    Some(Ok(CtEvent::Key(k))) => Msg::Key(k),
                    Some(Ok(CtEvent::Resize(w, h))) => Msg::Resize(w, h),
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => return Err(Error::usage(format!("reading the terminal: {e}"))),
                    None => return Ok(exit::OK),
                },
                Some((id, ev)) = job_rx.recv() => Msg::Engine(id, ev),
                _ = tick.tick(), if app.animating() => Msg::Tick,
                _ = process.cancelled() => {
                    // SIGTERM / SIGHUP: stop what runs, let it roll back, then leave.
                    if let Some(c) = &running {
                        c.cancel(process.reason());
                        let wait = async {
                            while let Some((_, ev)) = job_rx.recv().await {
                                if matches!(ev, crate::engine::protocol::Event::Finished(_)) {
                                    break;
                                }
                            }
                        };
                        let _ = tokio::time::timeout(Duration::from_secs(15), wait).await;
                    }
                    return Err(process.error());
                }
            }
        };
        for fx in update::update(app, msg) {
            match fx {
                Effect::Start { id, command, .. } => {
                    let cancel = Cancel::default();
                    let mut job = engine.start(*command, cancel.clone());
                    running = Some(cancel);
                    let tx = job_tx.clone();
                    tokio::spawn(async move {
                        while let Some(e) = job.events.recv().await {
                            if tx.send((id, e)).is_err() {
                                break;
                            }
                        }
                    });
                }
                Effect::Cancel => {
                    if let Some(c) = &running {
                        c.cancel(Interrupt::Int);
                    }
                }
                Effect::SaveRecent { source, target } => {
                    let s = crate::engine::source::redacted(&source);
                    let t = crate::engine::source::redacted(&target);
                    app.start.recent.retain(|p| *p != (s.clone(), t.clone()));
                    app.start.recent.insert(0, (s, t));
                    app.start.recent.truncate(10);
                    save_recent(&app.start.recent);
                }
                Effect::Quit => return Ok(exit::OK),
            }
        }
        if app.job.is_none() {
            running = None;
        }
        dirty = true;
    }
}
