//! The TUI without a terminal: `update()` for every screen's keys and the engine's events, and
//! every screen rendered into ratatui's `TestBackend` at 80×24 and 120×40, with and without
//! color (insta snapshots of the text; styles asserted from the buffer).

mod support;

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use sluice::cancel::Cancel;
use sluice::engine::jobs::Engine;
use sluice::engine::protocol::{Command, Comparison, Event, Events, Output};
use sluice::tui::app::{App, JobKind, Screen};
use sluice::tui::keymap::Keymap;
use sluice::tui::msg::{Effect, Msg};
use sluice::tui::theme::Theme;
use sluice::tui::update::update;
use sluice::tui::views;

/// The demo pair compared by the engine (no terminal, no TUI loop), with stable names.
fn demo_comparison() -> Comparison {
    static CMP: std::sync::OnceLock<Comparison> = std::sync::OnceLock::new();
    CMP.get_or_init(|| {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async {
            let dir = tempfile::tempdir().expect("tempdir");
            let pair = sluice::engine::demo::build(dir.path()).await.expect("demo");
            let out = Engine::default()
                .run(
                    Command::Compare {
                        source: pair.source_url(),
                        target: pair.target_url(),
                        opts: Default::default(),
                        filter: Default::default(),
                    },
                    &Events::discard(),
                    &Cancel::default(),
                )
                .await
                .expect("compare");
            let Output::Compared(mut c) = out else {
                panic!("not a comparison");
            };
            c.source_name = "sqlite:shop-v2.db".into();
            c.target_name = "sqlite:shop-v1.db".into();
            *c
        })
    })
    .clone()
}

fn key(c: KeyCode) -> Msg {
    key_with(c, KeyModifiers::NONE)
}

fn key_with(c: KeyCode, m: KeyModifiers) -> Msg {
    Msg::press(c, m)
}

fn ch(c: char) -> Msg {
    Msg::typed(c)
}

/// An app on the compare screen with the demo comparison arrived.
fn compared(color: bool, w: u16, h: u16) -> App {
    let mut app = App::new(Keymap::default_keys(), Theme { color }, w, h);
    let fx = update(
        &mut app,
        Msg::Open {
            source: "sqlite:shop-v2.db".into(),
            target: "sqlite:shop-v1.db".into(),
        },
    );
    let id = sluice::tui::msg::compare_job(&fx).expect("a compare job");
    assert_eq!(app.screen, Screen::Compare);
    assert!(app.compare.loading);
    update(
        &mut app,
        Msg::Engine(
            id,
            Event::SideReady {
                side: "SOURCE",
                millis: 12,
            },
        ),
    );
    assert_eq!(app.compare.source_ms, Some(12));
    update(
        &mut app,
        Msg::Engine(
            id,
            Event::Finished(Ok(Output::Compared(Box::new(demo_comparison())))),
        ),
    );
    assert!(app.job.is_none());
    app
}

fn render(app: &mut App) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(app.width, app.height)).expect("terminal");
    t.draw(|f| views::draw(f, app)).expect("draw");
    t.backend().buffer().clone()
}

fn text(b: &Buffer) -> String {
    let mut s = String::new();
    for y in 0..b.area.height {
        for x in 0..b.area.width {
            s.push_str(b[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

/// The cell where `needle` starts on some line.
fn find(b: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let t = text(b);
    for (y, line) in t.lines().enumerate() {
        if let Some(i) = line.find(needle) {
            let x = line[..i].chars().count();
            return Some((x as u16, y as u16));
        }
    }
    None
}

#[test]
fn the_tree_shows_every_change_with_glyphs_and_risks() {
    let mut app = compared(true, 80, 24);
    let b = render(&mut app);
    let t = text(&b);
    assert!(t.contains("17 changes: 10 + 3 - 4 ~"), "{t}");
    assert!(t.contains("> ") || t.contains(">"), "selection marker: {t}");
    assert!(t.contains("~ customers"), "{t}");
    assert!(t.contains("+ reviews"), "{t}");
    assert!(t.contains("! WILL FAIL · 1 row is NULL"), "{t}");
    // The danger badge is red.
    let (x, y) = find(&b, "! WILL FAIL").expect("badge");
    assert_eq!(b[(x, y)].fg, Color::Red);
    insta::assert_snapshot!("compare_80x24_color", t);
}

#[test]
fn no_color_keeps_the_selection_and_every_status_readable() {
    let mut app = compared(false, 80, 24);
    let b = render(&mut app);
    for y in 0..b.area.height {
        for x in 0..b.area.width {
            assert_eq!(
                b[(x, y)].fg,
                Color::Reset,
                "a color under NO_COLOR at {x},{y}"
            );
        }
    }
    // The selected line is reversed and marked with `>`.
    let (x, y) = find(&b, ">").expect("marker");
    assert!(b[(x + 3, y)].modifier.contains(Modifier::REVERSED));
    insta::assert_snapshot!("compare_80x24_no_color", text(&b));
}

#[test]
fn the_detail_puts_both_definitions_side_by_side_and_emphasizes_changed_words() {
    let mut app = compared(true, 120, 40);
    update(&mut app, key(KeyCode::Enter));
    let b = render(&mut app);
    let t = text(&b);
    assert!(t.contains("SOURCE") && t.contains("TARGET"), "{t}");
    assert!(t.contains("step 3 of 8"), "{t}");
    let (x, y) = find(&b, "full_name").expect("the renamed column");
    assert!(
        b[(x, y)].modifier.contains(Modifier::UNDERLINED),
        "the changed word is emphasized"
    );
    insta::assert_snapshot!("compare_detail_120x40_color", t);
    // Narrow: full screen, unified.
    let mut narrow = compared(false, 80, 24);
    update(&mut narrow, key(KeyCode::Enter));
    assert!(narrow.compare.detail_open);
    let t = text(&render(&mut narrow));
    assert!(t.contains("unified"), "{t}");
    insta::assert_snapshot!("compare_detail_80x24_no_color", t);
    // v toggles the view; Esc goes back to the tree.
    update(&mut narrow, ch('v'));
    assert!(text(&render(&mut narrow)).contains("│"), "side by side");
    update(&mut narrow, key(KeyCode::Esc));
    assert!(!narrow.compare.detail_open);
}

#[test]
fn moving_filtering_and_collapsing() {
    let mut app = compared(true, 80, 24);
    let start = app.compare.tree_state.selected().to_vec();
    update(&mut app, ch('j'));
    assert_ne!(app.compare.tree_state.selected(), start.as_slice());
    update(&mut app, ch('G'));
    let last = app.compare.tree_state.selected().to_vec();
    update(&mut app, ch('g'));
    assert_ne!(app.compare.tree_state.selected(), last.as_slice());
    // `/` filters by name, as one types; n jumps between matches; Esc clears.
    update(&mut app, ch('/'));
    for c in "legacy".chars() {
        update(&mut app, ch(c));
    }
    assert_eq!(app.compare.filter, "legacy");
    assert!(text(&render(&mut app)).contains("products"));
    let t = text(&render(&mut app));
    assert!(!t.contains("reviews"), "{t}");
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, ch('n'));
    update(&mut app, key(KeyCode::Esc));
    assert!(app.compare.filter.is_empty());
    // f cycles the status filter: only additions.
    update(&mut app, ch('f'));
    let t = text(&render(&mut app));
    assert!(t.contains("+ reviews") && !t.contains("drop column"), "{t}");
    update(&mut app, ch('f'));
    update(&mut app, ch('f'));
    update(&mut app, ch('f'));
    // r: only danger.
    update(&mut app, ch('r'));
    let t = text(&render(&mut app));
    assert!(t.contains("customers") && !t.contains("reviews"), "{t}");
    update(&mut app, ch('r'));
    update(&mut app, ch('r'));
    // h on an object's member goes up; h on an open kind closes it.
    update(&mut app, ch('g'));
    update(&mut app, ch('h'));
    assert!(app.compare.tree_state.selected().len() <= 2);
}

#[test]
fn the_plan_excludes_with_dependents_and_writes_and_applies_through_the_engine() {
    let mut app = compared(true, 80, 24);
    update(&mut app, ch('p'));
    assert_eq!(app.screen, Screen::Plan);
    insta::assert_snapshot!("plan_80x24_color", text(&render(&mut app)));
    // Step 2 creates reviews; step 7 indexes it: excluding 2 excludes 7, and says so.
    update(&mut app, ch('j'));
    update(&mut app, key(KeyCode::Char(' ')));
    let note = app.plan.note.clone().unwrap_or_default();
    assert!(
        note.contains("also excluded: 1 step(s) that need it (7)"),
        "{note}"
    );
    // A destructive step needs D to be included; Space alone does not.
    update(&mut app, ch('j'));
    update(&mut app, ch('j'));
    update(&mut app, key(KeyCode::Char(' ')));
    assert!(
        app.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("with D"))
    );
    update(&mut app, ch('D'));
    assert!(!app.plan.include.is_empty());
    // Apply needs a written pack.
    update(&mut app, ch('a'));
    assert_eq!(app.screen, Screen::Plan);
    update(&mut app, ch('w'));
    assert!(app.plan.dir_input.is_some());
    let fx = update(&mut app, key(KeyCode::Enter));
    let Some(Effect::Start { id, command, .. }) = fx.into_iter().next() else {
        panic!("no job");
    };
    let Command::SchemaPlan(req) = *command else {
        panic!("not a plan");
    };
    assert!(
        req.exclude.iter().any(|e| e.starts_with("create_table")),
        "{:?}",
        req.exclude
    );
    assert_eq!(req.include.len(), 1);
    // The engine answers; then the apply screen asks for a typed confirmation.
    let planned = sluice::engine::protocol::Planned {
        manifest: sluice::engine::pack::manifest(
            &demo_comparison().plan,
            &demo_comparison().source,
            &demo_comparison().target,
            String::new(),
            String::new(),
            Default::default(),
            String::new(),
            None,
        ),
        dir: "./sluice-pack".into(),
        pack_id: "ab".repeat(32),
    };
    update(
        &mut app,
        Msg::Engine(id, Event::Finished(Ok(Output::Planned(Box::new(planned))))),
    );
    assert!(app.plan.written.is_some());
    update(&mut app, ch('a'));
    assert_eq!(app.screen, Screen::Apply);
    let fx = update(&mut app, key(KeyCode::Enter));
    let Some(Effect::Start { id, .. }) = fx.into_iter().next() else {
        panic!("no apply job");
    };
    let (tx, mut rx) = tokio::sync::oneshot::channel();
    let q = sluice::engine::apply::Confirm {
        pack_id: "abababababab".into(),
        steps: 5,
        skipped: 3,
        danger: 1,
        target: "sqlite:shop-v1.db".into(),
        database: "main".into(),
        direction: sluice::engine::apply::Direction::Up,
    };
    update(&mut app, Msg::Engine(id, Event::Confirm(q, tx)));
    insta::assert_snapshot!("apply_confirm_80x24_color", text(&render(&mut app)));
    // "y" is not enough with a danger step: the database name is.
    update(&mut app, ch('y'));
    update(&mut app, key(KeyCode::Enter));
    assert!(app.confirming.is_some());
    update(&mut app, key(KeyCode::Backspace));
    for c in "main".chars() {
        update(&mut app, ch(c));
    }
    update(&mut app, key(KeyCode::Enter));
    assert!(app.confirming.is_none());
    assert!(matches!(rx.try_recv(), Ok(Ok(()))));
    // Ctrl-C while it runs cancels the job rather than quitting.
    let fx = update(
        &mut app,
        key_with(KeyCode::Char('c'), KeyModifiers::CONTROL),
    );
    assert!(matches!(fx.as_slice(), [Effect::Cancel]));
    assert!(!app.quit);
    update(
        &mut app,
        Msg::Engine(
            id,
            Event::Finished(Err(sluice::Error::Interrupted(
                sluice::cancel::Interrupt::Int,
            ))),
        ),
    );
    assert!(app.apply.outcome.as_ref().is_some_and(|o| o.is_err()));
    // Nothing runs now: Ctrl-C quits.
    let fx = update(
        &mut app,
        key_with(KeyCode::Char('c'), KeyModifiers::CONTROL),
    );
    assert!(matches!(fx.as_slice(), [Effect::Quit]));
}

#[test]
fn the_start_screen_the_help_and_small_terminals() {
    let mut app = App::new(Keymap::default_keys(), Theme { color: true }, 80, 24);
    app.start.entries.push(sluice::tui::app::Entry {
        label: "profile staging".into(),
        reference: "staging".into(),
    });
    app.start
        .recent
        .push(("sqlite:a.db".into(), "sqlite:b.db".into()));
    insta::assert_snapshot!("start_80x24_color", text(&render(&mut app)));
    // e types a reference; q inside it is a letter, not quit.
    update(&mut app, ch('e'));
    for c in "sqlite:q.db".chars() {
        update(&mut app, ch(c));
    }
    assert!(!app.quit);
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        app.start.entries.last().map(|e| e.reference.as_str()),
        Some("sqlite:q.db")
    );
    update(&mut app, ch('s'));
    assert_eq!(app.start.source.as_deref(), Some("sqlite:q.db"));
    // c checks the selected reference through the engine.
    let fx = update(&mut app, ch('c'));
    assert!(matches!(
        fx.as_slice(),
        [Effect::Start {
            kind: JobKind::Check(_),
            ..
        }]
    ));
    // ? opens the help, generated from the keymap, filterable by typing.
    update(&mut app, ch('?'));
    for c in "pick".chars() {
        update(&mut app, ch(c));
    }
    let t = text(&render(&mut app));
    assert!(
        t.contains("pick source") && t.contains("pick target"),
        "{t}"
    );
    assert!(!t.contains("check the connection"), "{t}");
    update(&mut app, key(KeyCode::Esc));
    assert!(app.help.is_none());
    // Smaller than 80×24: one line says so.
    let mut small = App::new(Keymap::default_keys(), Theme { color: true }, 60, 20);
    let t = text(&render(&mut small));
    assert!(t.contains("make the terminal larger"), "{t}");
    // q on the start screen quits.
    update(&mut app, ch('q'));
    assert!(app.quit);
    let _ = Arc::new(());
}

#[test]
fn screens_at_120x40_without_color() {
    let mut app = compared(false, 120, 40);
    insta::assert_snapshot!("compare_120x40_no_color", text(&render(&mut app)));
    update(&mut app, ch('p'));
    insta::assert_snapshot!("plan_120x40_no_color", text(&render(&mut app)));
}

/// `sluice bench tui` runs in the suite, small (the figures are for `--release`, on purpose):
/// the tree holds exactly the drifted tables, a name filter finds the one it names, and every
/// figure is printed.
#[test]
fn bench_tui_small_runs_and_reports_every_figure() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = support::sluice()
        .args(["bench", "tui", "--tables", "200", "--drift", "10", "--dir"])
        .arg(dir.path())
        .output()
        .expect("sluice bench tui");
    let out = String::from_utf8_lossy(&o.stdout);
    println!("{out}");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("200 tables, 20 drifted (10 %), 80×24: 20 objects"),
        "{out}"
    );
    for figure in [
        "first frame after the diff",
        "keypress to frame",
        "filter, per key",
        "peak memory (process)",
    ] {
        assert!(out.contains(figure), "{figure} missing:\n{out}");
    }
}
