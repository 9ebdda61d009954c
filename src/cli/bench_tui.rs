//! `sluice bench tui`: how fast the TUI answers on a large comparison. Generates two SQLite
//! files of N tables (drift in a share of them), compares them through the engine, then drives
//! the TUI's own `update` and `draw` into ratatui's `TestBackend` — the same code the terminal
//! runs, minus the terminal's I/O — and times the first frame, each keypress to its frame, and
//! each key of a name filter. Peak memory is the process's (engine and TUI together).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::cancel::Cancel;
use crate::engine::jobs::Engine;
use crate::engine::protocol::{Command, Event, Events, Output};
use crate::error::{Error, Result, exit};
use crate::tui::app::App;
use crate::tui::keymap::Keymap;
use crate::tui::msg::{self, Msg};
use crate::tui::theme::Theme;
use crate::tui::{update, views};

/// The targets the figures are held against.
const FIRST_FRAME_MS: f64 = 50.0;
const KEY_MS: f64 = 10.0;
const FILTER_KEY_MS: f64 = 20.0;
const PEAK_MB: f64 = 100.0;

pub struct Spec {
    pub tables: usize,
    pub drift_percent: u8,
    pub width: u16,
    pub height: u16,
    pub dir: Option<PathBuf>,
}

pub async fn run(spec: Spec) -> Result<i32> {
    let tmp;
    let dir = match &spec.dir {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(|e| Error::file(d, e))?;
            d.clone()
        }
        None => {
            tmp = tempfile::tempdir().map_err(|e| Error::file(std::env::temp_dir(), e))?;
            tmp.path().to_path_buf()
        }
    };
    eprintln!(
        "tui: generating 2 × {} tables, {} % drifted …",
        spec.tables, spec.drift_percent
    );
    let (source, target, drifted, last) = generate(&dir, spec.tables, spec.drift_percent).await?;
    // The generator's memory is not the TUI's: count from here.
    crate::engine::bench::reset_peak_rss();
    let started = Instant::now();
    let out = Engine::default()
        .run(
            Command::Compare {
                source: source.clone(),
                target: target.clone(),
                opts: Default::default(),
                filter: Default::default(),
            },
            &Events::discard(),
            &Cancel::default(),
        )
        .await?;
    let compare = started.elapsed();
    let compare_peak = crate::engine::bench::peak_rss().map(|k| k as f64 / 1024.0);
    let Output::Compared(cmp) = out else {
        return Err(Error::usage(
            "bench tui: the engine did not answer a comparison",
        ));
    };

    let mut app = App::new(
        Keymap::default_keys(),
        Theme { color: true },
        spec.width,
        spec.height,
    );
    let mut term = Terminal::new(TestBackend::new(spec.width, spec.height))
        .map_err(|e| Error::usage(format!("bench tui: {e}")))?;
    let fx = update::update(&mut app, Msg::Open { source, target });
    let id = msg::compare_job(&fx)
        .ok_or_else(|| Error::usage("bench tui: the TUI started no comparison"))?;
    frame(&mut term, &mut app)?;
    // The diff arrives: update, then the first frame that shows it.
    let t = Instant::now();
    update::update(
        &mut app,
        Msg::Engine(id, Event::Finished(Ok(Output::Compared(cmp)))),
    );
    frame(&mut term, &mut app)?;
    let first = t.elapsed();
    let nodes = app.compare.tree.nodes.len();
    let objects = app
        .compare
        .tree
        .nodes
        .values()
        .filter(|n| matches!(n, crate::tui::tree::Node::Object { .. }))
        .count();

    // Keys a person presses while reading the tree and the detail.
    let mut keys: Vec<Msg> = Vec::new();
    keys.extend((0..60).map(|_| ch('j')));
    keys.extend([ch('l'), ch('j'), ch('h'), ch('h')]);
    keys.extend((0..20).map(|_| ctrl('d')));
    // Top, then down to the first object (schema, kind, object) and open its detail.
    keys.extend([
        ch('G'),
        ch('g'),
        ch('j'),
        ch('j'),
        key(KeyCode::Enter),
        ch('j'),
    ]);
    keys.extend([ch('v'), ch('v')]);
    keys.extend([key(KeyCode::Esc), ch('f'), ch('f'), ch('f'), ch('f')]);
    keys.extend([ch('r'), ch('r'), ch('r')]);
    keys.extend((0..30).map(|_| ch('k')));
    let mut per_key = Vec::with_capacity(keys.len());
    for k in keys {
        let t = Instant::now();
        update::update(&mut app, k);
        frame(&mut term, &mut app)?;
        per_key.push(t.elapsed());
    }
    if app.screen != crate::tui::app::Screen::Compare || app.compare.detail_open {
        return Err(Error::usage(
            "bench tui: the keys did not leave the TUI on the tree (the keymap changed?)",
        ));
    }
    // A name filter typed key by key, then next match and clear.
    let needle = format!("t{last}");
    let mut per_filter = Vec::new();
    let mut filter_keys = vec![ch('/')];
    filter_keys.extend(needle.chars().map(ch));
    filter_keys.extend([
        key(KeyCode::Backspace),
        key(KeyCode::Enter),
        ch('n'),
        ch('N'),
    ]);
    filter_keys.extend([ch('/'), key(KeyCode::Esc)]);
    for k in filter_keys {
        let t = Instant::now();
        update::update(&mut app, k);
        frame(&mut term, &mut app)?;
        per_filter.push(t.elapsed());
        if app.compare.filter == needle && app.compare.tree.objects != 1 {
            return Err(Error::usage(format!(
                "bench tui: filtering on {needle} shows {} objects, not 1",
                app.compare.tree.objects
            )));
        }
    }
    let peak = crate::engine::bench::peak_rss().map(|k| k as f64 / 1024.0);

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let stats = |v: &mut Vec<Duration>| {
        v.sort();
        let p = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
        (ms(p(0.5)), ms(p(0.95)), ms(v[v.len() - 1]))
    };
    let (k50, k95, kmax) = stats(&mut per_key);
    let (f50, f95, fmax) = stats(&mut per_filter);
    let mark = |v: f64, target: f64| if v < target { "ok" } else { "OVER" };
    let first_ms = ms(first);
    outln!(
        "tui       {} tables, {} drifted ({} %), {}×{}: {} objects, {} tree nodes; compare {:.2} s",
        spec.tables,
        drifted,
        spec.drift_percent,
        spec.width,
        spec.height,
        objects,
        nodes,
        compare.as_secs_f64()
    )?;
    outln!(
        "  first frame after the diff   {first_ms:.1} ms   (target < {FIRST_FRAME_MS} ms: {})",
        mark(first_ms, FIRST_FRAME_MS)
    )?;
    outln!(
        "  keypress to frame            p50 {k50:.2} ms  p95 {k95:.2} ms  max {kmax:.2} ms   (target < {KEY_MS} ms: {})",
        mark(k95, KEY_MS)
    )?;
    outln!(
        "  filter, per key              p50 {f50:.2} ms  p95 {f95:.2} ms  max {fmax:.2} ms   (target < {FILTER_KEY_MS} ms: {})",
        mark(fmax, FILTER_KEY_MS)
    )?;
    match peak {
        Some(p) => outln!(
            "  peak memory (process)        {p:.1} MB, {:.1} MB of it by the comparison   (target < {PEAK_MB} MB: {})",
            compare_peak.unwrap_or(0.0),
            mark(p, PEAK_MB)
        )?,
        None => outln!("  peak memory (process)        n/a")?,
    }
    // The tree holds exactly the drifted tables (they are the only differences).
    Ok(if objects == drifted {
        exit::OK
    } else {
        outln!("  WRONG: {drifted} tables drifted, the tree shows {objects} objects")?;
        exit::DIFFERENCES
    })
}

fn frame(term: &mut Terminal<TestBackend>, app: &mut App) -> Result<()> {
    term.draw(|f| views::draw(f, app))
        .map(|_| ())
        .map_err(|e| Error::usage(format!("bench tui: drawing: {e}")))
}

fn key(code: KeyCode) -> Msg {
    Msg::press(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> Msg {
    Msg::press(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn ch(c: char) -> Msg {
    Msg::typed(c)
}

/// Two SQLite files: N tables of eight columns and two indexes each; in the drifted share,
/// TARGET has a column of another type, a column missing, one too many, a default changed, an
/// index missing and one too many. Returns both references, how many tables drifted and the
/// number of the last one.
async fn generate(
    dir: &Path,
    tables: usize,
    drift_percent: u8,
) -> Result<(String, String, usize, usize)> {
    let every = if drift_percent == 0 {
        usize::MAX
    } else {
        (100 / drift_percent as usize).max(1)
    };
    let mut s = String::new();
    let mut t = String::new();
    let mut drifted = 0;
    let mut last = 0;
    for i in 0..tables {
        s.push_str(&format!(
            "CREATE TABLE t{i} (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b TEXT, c REAL, \
             d TEXT DEFAULT 'x', e INTEGER, f TEXT, g BLOB);\
             CREATE INDEX t{i}_a ON t{i} (a); CREATE INDEX t{i}_bc ON t{i} (b, c);"
        ));
        if i % every == 0 {
            drifted += 1;
            last = i;
            t.push_str(&format!(
                "CREATE TABLE t{i} (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b VARCHAR(10), \
                 c REAL, d TEXT DEFAULT 'y', f TEXT, g BLOB, z INTEGER);\
                 CREATE INDEX t{i}_bc ON t{i} (b, c); CREATE INDEX t{i}_old ON t{i} (f);"
            ));
        } else {
            t.push_str(&format!(
                "CREATE TABLE t{i} (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b TEXT, c REAL, \
                 d TEXT DEFAULT 'x', e INTEGER, f TEXT, g BLOB);\
                 CREATE INDEX t{i}_a ON t{i} (a); CREATE INDEX t{i}_bc ON t{i} (b, c);"
            ));
        }
    }
    let mut refs = Vec::new();
    for (name, sql) in [("source.db", s), ("target.db", t)] {
        let path = dir.join(name);
        if path.exists() {
            std::fs::remove_file(&path).map_err(|e| Error::file(&path, e))?;
        }
        // An empty file is an empty SQLite database (sluice never creates one by itself).
        std::fs::File::create(&path).map_err(|e| Error::file(&path, e))?;
        let url = format!("sqlite:{}", path.display());
        let u = crate::dialect::DbUrl::parse(&url)?;
        let db = u.connect(crate::dialect::Access::ReadWrite).await?;
        let r = crate::dialect::rows::exec_in_transaction(&db, &sql).await;
        db.close().await;
        r?;
        refs.push(url);
    }
    let target = refs.pop().unwrap_or_default();
    let source = refs.pop().unwrap_or_default();
    Ok((source, target, drifted, last))
}
