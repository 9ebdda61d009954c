//! `update(&mut App, Msg) -> Vec<Effect>`: every key and every engine event, and nothing else.
//! Pure: no terminal, no database, no clock — the loop turns effects into jobs.

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{Event as CtEvent, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::app::{
    App, Confirming, Detail, Entry, Help, Job, JobKind, Pane, RiskFilter, Screen, StatusFilter,
};
use super::keymap::{Action, Section};
use super::msg::{Effect, Msg};
use super::tree::{self, Node};
use super::widgets::sidediff;
use crate::engine::apply::{Direction, Gates};
use crate::engine::pack::{self, PackOptions};
use crate::engine::protocol::{Command, Event, Output, PlanRequest};
use crate::model::plan::ApplyOptions;

pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Resize(w, h) => {
            app.width = w;
            app.height = h;
            Vec::new()
        }
        Msg::Tick => {
            app.ticks += 1;
            Vec::new()
        }
        Msg::Open { source, target } => {
            app.start.source = Some(source);
            app.start.target = Some(target);
            compare(app)
        }
        Msg::Engine(id, ev) => engine_event(app, id, ev),
        Msg::Key(k) => key(app, k),
    }
}

fn start_job(app: &mut App, kind: JobKind, command: Command) -> Vec<Effect> {
    let id = app.next_job;
    app.next_job += 1;
    app.job = Some(Job {
        id,
        kind: kind.clone(),
    });
    app.ticks = 0;
    vec![Effect::Start {
        id,
        kind,
        command: Box::new(command),
    }]
}

fn say(app: &mut App, error: bool, text: impl Into<String>) {
    app.message = Some((error, text.into()));
}

/// Starts the comparison of the chosen pair.
fn compare(app: &mut App) -> Vec<Effect> {
    let (Some(source), Some(target)) = (app.start.source.clone(), app.start.target.clone()) else {
        say(app, true, "pick a SOURCE (s) and a TARGET (t) first");
        return Vec::new();
    };
    app.screen = Screen::Compare;
    app.compare = Default::default();
    app.compare.loading = true;
    app.plan = Default::default();
    app.apply = Default::default();
    app.message = None;
    let mut fx = vec![Effect::SaveRecent {
        source: source.clone(),
        target: target.clone(),
    }];
    fx.extend(start_job(
        app,
        JobKind::Compare,
        Command::Compare {
            source,
            target,
            opts: Default::default(),
            filter: Default::default(),
        },
    ));
    fx
}

fn engine_event(app: &mut App, id: u64, ev: Event) -> Vec<Effect> {
    let Some(job) = app.job.clone().filter(|j| j.id == id) else {
        // A check finishing while something else runs, or an old job: only checks matter.
        if let Event::Finished(Ok(Output::Checked {
            name,
            version,
            millis,
        })) = ev
        {
            app.start
                .checks
                .insert(name, format!("{version} · {millis} ms"));
        }
        return Vec::new();
    };
    match ev {
        Event::SideReady { side, millis } => {
            if side == "SOURCE" {
                app.compare.source_ms = Some(millis);
            } else {
                app.compare.target_ms = Some(millis);
            }
        }
        Event::Progress(_) => {}
        Event::Notice(n) => app.apply.notices.push(notice_text(&n)),
        Event::Step {
            number,
            total,
            kind,
            object,
        } => app
            .apply
            .steps
            .push((number, total, format!("{kind} {object}"))),
        Event::Warning(w) => say(app, false, w),
        Event::Confirm(question, reply) => {
            app.confirming = Some(Confirming {
                question,
                input: Input::default(),
                reply: Some(reply),
            });
        }
        Event::Finished(result) => {
            app.job = None;
            finished(app, job.kind, result);
        }
    }
    Vec::new()
}

fn notice_text(n: &crate::engine::apply::Notice) -> String {
    use crate::engine::apply::Notice;
    match n {
        Notice::Pack {
            id, runs, skipped, ..
        } => format!(
            "pack {id}: integrity checked; {runs} step(s) to run, {} left out",
            skipped.len()
        ),
        Notice::IdentityUnchecked => {
            "TARGET's identity not recorded (snapshot): not checked".into()
        }
        Notice::Retargeted { planned, now } => format!("planned for {planned}; applying to {now}"),
        Notice::NotTransactional { dialect, .. } => format!(
            "{dialect} commits each DDL statement on its own: NOT all-or-nothing (journaled)"
        ),
        Notice::Resuming { applied, total } => format!("resuming after {applied} of {total}"),
        Notice::Recovered {
            step, took_effect, ..
        } => format!(
            "step {step} was in doubt: {}",
            if *took_effect {
                "it ran"
            } else {
                "it did not run"
            }
        ),
        Notice::DryRunShown { steps } => format!("dry run: {} steps shown", steps.len()),
    }
}

fn finished(app: &mut App, kind: JobKind, result: crate::Result<Output>) {
    match (kind, result) {
        (JobKind::Check(reference), r) => {
            let text = match r {
                Ok(Output::Checked {
                    version, millis, ..
                }) => format!("{version} · {millis} ms"),
                Ok(_) => "checked".into(),
                Err(e) => format!("✗ {}", crate::error::one_line(&e.to_string())),
            };
            app.start.checks.insert(reference, text);
        }
        (JobKind::Compare, Ok(Output::Compared(c))) => {
            app.compare.loading = false;
            let mut steps_of: std::collections::HashMap<String, Vec<usize>> = Default::default();
            for (i, st) in c.plan.steps.iter().enumerate() {
                let object = st.change.object();
                if let Some(t) = st.change.table() {
                    let table = format!("{}.{}", t.schema, t.name);
                    if table != object {
                        steps_of.entry(table).or_default().push(i);
                    }
                }
                steps_of.entry(object).or_default().push(i);
            }
            app.compare.steps_of = steps_of;
            app.compare.tree_cache = tree::Cache::default();
            app.compare.cmp = Some(Arc::new(*c));
            rebuild_tree(app);
            open_top(app);
            refresh_detail(app);
        }
        (JobKind::Compare, r) => {
            app.compare.loading = false;
            if let Err(e) = r {
                say(app, true, crate::error::one_line(&e.to_string()));
            }
        }
        (JobKind::WritePack(dir), Ok(Output::Planned(p))) => {
            let id = p.pack_id.get(..pack::PACK_ID_SHOWN).unwrap_or(&p.pack_id);
            say(
                app,
                false,
                format!("wrote the pack to {} (pack id {id})", dir.display()),
            );
            app.plan.written = Some((dir, id.to_string()));
        }
        (JobKind::WritePack(_), r) => {
            if let Err(e) = r {
                say(app, true, crate::error::one_line(&e.to_string()));
            }
        }
        (JobKind::Apply, r) => {
            app.apply.running = false;
            app.confirming = None;
            app.apply.outcome = Some(match r {
                Ok(Output::RunPack { outcome, .. }) => Ok(outcome),
                Ok(_) => Err("the engine answered otherwise".into()),
                Err(e) => Err(crate::error::one_line(&e.to_string())),
            });
        }
    }
}

/// Rebuilds the cached tree after the comparison or a filter changed, keeping the selection
/// when its line is still there.
pub fn rebuild_tree(app: &mut App) {
    let Some(cmp) = app.compare.cmp.clone() else {
        return;
    };
    let old = std::mem::replace(
        &mut app.compare.tree,
        tree::build(
            &cmp,
            &mut app.compare.tree_cache,
            &app.compare.filter,
            app.compare.status,
            app.compare.risk,
            app.theme,
        ),
    );
    // Freeing tens of thousands of lines takes longer than a frame: not on the key's time.
    if old.nodes.len() > 2_000 {
        std::thread::spawn(move || drop(old));
    }
    // With a name filter every match is shown: open its ancestors.
    if !app.compare.filter.is_empty() {
        let ancestors: std::collections::HashSet<&[String]> = app
            .compare
            .tree
            .matches
            .iter()
            .flat_map(|m| (1..m.len()).map(move |n| &m[..n]))
            .collect();
        let ancestors: Vec<Vec<String>> = ancestors.into_iter().map(<[String]>::to_vec).collect();
        for a in ancestors {
            app.compare.tree_state.open(a);
        }
    }
    let sel = app.compare.tree_state.selected().to_vec();
    if sel.is_empty() || !app.compare.tree.nodes.contains_key(sel.as_slice()) {
        let first = visible(app).into_iter().next();
        if let Some(first) = first {
            app.compare.tree_state.select(first);
        }
    }
}

/// Opens the schemas and kinds of a fresh comparison (objects stay closed), and selects the
/// first object.
fn open_top(app: &mut App) {
    let tops: Vec<Vec<String>> = app
        .compare
        .tree
        .order
        .iter()
        .filter(|p| p.len() <= 2)
        .map(|p| p.to_vec())
        .collect();
    for p in tops {
        app.compare.tree_state.open(p);
    }
    if let Some(first) = app.compare.tree.order.iter().find(|p| p.len() == 3) {
        app.compare.tree_state.select(first.to_vec());
    }
}

/// The lines shown, in order (tree order, under open nodes only).
pub fn visible(app: &App) -> Vec<Vec<String>> {
    app.compare
        .tree_state
        .flatten(&app.compare.tree.items)
        .into_iter()
        .map(|f| f.identifier)
        .collect()
}

fn move_selection(app: &mut App, by: isize, to: Option<bool>) {
    let lines = visible(app);
    if lines.is_empty() {
        return;
    }
    let cur = lines
        .iter()
        .position(|l| l.as_slice() == app.compare.tree_state.selected())
        .unwrap_or(0);
    let next = match to {
        Some(true) => 0,
        Some(false) => lines.len() - 1,
        None => (cur as isize + by).clamp(0, lines.len() as isize - 1) as usize,
    };
    app.compare.tree_state.select(lines[next].clone());
    refresh_detail(app);
}

fn page(app: &App) -> isize {
    (app.height.saturating_sub(6) / 2).max(1) as isize
}

/// The object a tree line stands for, with its changes.
fn object_of(app: &App, path: &[String]) -> Option<(String, String, Vec<usize>)> {
    match app.compare.tree.nodes.get(path)? {
        Node::Object {
            schema,
            name,
            changes,
        } => Some((schema.clone(), name.clone(), changes.clone())),
        Node::Member { .. } => object_of(app, &path[..path.len() - 1]),
        _ => None,
    }
}

/// The detail of the selected object: both definitions side by side, and the plan's steps for it.
pub fn refresh_detail(app: &mut App) {
    let Some(cmp) = app.compare.cmp.clone() else {
        return;
    };
    let sel = app.compare.tree_state.selected().to_vec();
    let Some((schema, name, changes)) = object_of(app, &sel) else {
        app.compare.detail = None;
        return;
    };
    let object = format!("{schema}.{name}");
    if app
        .compare
        .detail
        .as_ref()
        .is_some_and(|d| d.object == object)
    {
        return;
    }
    let source = crate::engine::schema::definition(&cmp.source, &schema, &name)
        .or_else(|| {
            // Across MySQL databases the schema is each side's own database.
            let s = cmp.source.default_schema.clone();
            crate::engine::schema::definition(&cmp.source, &s, &name)
        })
        .unwrap_or_default();
    let target = crate::engine::schema::definition(&cmp.target, &schema, &name).unwrap_or_default();
    let mut steps = Vec::new();
    let about = app
        .compare
        .steps_of
        .get(&object)
        .cloned()
        .unwrap_or_default();
    for st in about.iter().filter_map(|i| cmp.plan.steps.get(*i)) {
        let risk = st
            .risk
            .as_ref()
            .map(|r| format!(" · {}", tree::badge(r)))
            .unwrap_or_default();
        steps.push(format!(
            "step {} of {} · {} {}{risk}",
            st.number,
            cmp.plan.steps.len(),
            st.change.kind(),
            st.change.object()
        ));
        if let Some(r) = &st.risk {
            steps.push(format!("  {}", r.reason));
            if let Some(s) = &r.suggestion {
                steps.push(format!("  → {s}"));
            }
        }
        for q in &st.sql {
            steps.push(format!("  {}", q.lines().next().unwrap_or_default()));
        }
        match &st.reverse {
            crate::model::plan::Reverse::Sql(v) if !v.is_empty() => steps.push(format!(
                "  undo: {}",
                v[0].lines().next().unwrap_or_default()
            )),
            crate::model::plan::Reverse::Lossy { why, .. }
            | crate::model::plan::Reverse::Irreversible(why) => {
                steps.push(format!("  undo: IRREVERSIBLE — {why}"))
            }
            _ => {}
        }
    }
    if steps.is_empty() && !changes.is_empty() {
        steps.push("no step of the plan changes it (not compared or left as it is)".into());
    }
    app.compare.detail = Some(Detail {
        object,
        rows: sidediff::rows(&source, &target),
        steps,
        top: 0,
        left: 0,
    });
}

fn key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    if k.kind != crossterm::event::KeyEventKind::Press {
        return Vec::new();
    }
    // Ctrl-C always reaches the cancel action, even inside an input.
    let ctrl_c = k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl_c {
        return cancel_or_quit(app);
    }
    if app.confirming.is_some() {
        return confirm_key(app, k);
    }
    if let Some(h) = app.help.as_mut() {
        match k.code {
            KeyCode::Esc => app.help = None,
            KeyCode::Char('?') if h.filter.value().is_empty() => app.help = None,
            _ => {
                h.filter.handle_event(&CtEvent::Key(k));
            }
        }
        return Vec::new();
    }
    match app.screen {
        Screen::Start if app.start.input.is_some() => return start_input(app, k),
        Screen::Compare if app.compare.filter_input.is_some() => return filter_key(app, k),
        Screen::Plan if app.plan.dir_input.is_some() => return dir_key(app, k),
        _ => {}
    }
    let section = app.screen.section();
    let Some(action) = app.keymap.action(section, k) else {
        return Vec::new();
    };
    match action {
        Action::Help => {
            app.help = Some(Help::default());
            Vec::new()
        }
        Action::Cancel => cancel_or_quit(app),
        Action::Quit | Action::Back => back(app, action == Action::Quit),
        _ => match app.screen {
            Screen::Start => start_action(app, action),
            Screen::Compare => compare_action(app, action),
            Screen::Plan => plan_action(app, action),
            Screen::Apply => apply_action(app, action),
        },
    }
}

fn cancel_or_quit(app: &mut App) -> Vec<Effect> {
    if app.job.is_some() {
        if let Some(c) = app.confirming.as_mut() {
            if let Some(r) = c.reply.take() {
                let _ = r.send(Err(crate::Error::Refused("not confirmed".into())));
            }
        }
        app.confirming = None;
        say(app, false, "cancelling…");
        return vec![Effect::Cancel];
    }
    app.quit = true;
    vec![Effect::Quit]
}

fn back(app: &mut App, quit: bool) -> Vec<Effect> {
    match app.screen {
        Screen::Compare if !app.compare.filter.is_empty() && !quit => {
            app.compare.filter.clear();
            rebuild_tree(app);
        }
        Screen::Compare if app.compare.detail_open => app.compare.detail_open = false,
        Screen::Compare if app.compare.focus == Pane::Detail && !quit => {
            app.compare.focus = Pane::Tree
        }
        Screen::Apply if app.apply.running => say(app, false, "the apply runs: Ctrl-C cancels it"),
        Screen::Apply => app.screen = Screen::Plan,
        Screen::Plan => app.screen = Screen::Compare,
        Screen::Compare if app.job.is_none() => app.screen = Screen::Start,
        Screen::Compare => {}
        Screen::Start if quit => {
            app.quit = true;
            return vec![Effect::Quit];
        }
        Screen::Start => {}
    }
    Vec::new()
}

fn start_action(app: &mut App, action: Action) -> Vec<Effect> {
    let n = app.start.lines();
    match action {
        Action::Up => app.start.selected = app.start.selected.saturating_sub(1),
        Action::Down => app.start.selected = (app.start.selected + 1).min(n.saturating_sub(1)),
        Action::Edit => app.start.input = Some(Input::default()),
        Action::PickSource | Action::PickTarget | Action::Check => {
            let i = app.start.selected;
            if i < app.start.recent.len() {
                let (s, t) = app.start.recent[i].clone();
                app.start.source = Some(s);
                app.start.target = Some(t);
                return Vec::new();
            }
            let Some(e) = app.start.entries.get(i - app.start.recent.len()).cloned() else {
                return Vec::new();
            };
            match action {
                Action::PickSource => app.start.source = Some(e.reference),
                Action::PickTarget => app.start.target = Some(e.reference),
                _ => {
                    if app.job.is_some() {
                        say(app, true, "wait for the running job (Ctrl-C cancels it)");
                        return Vec::new();
                    }
                    app.start
                        .checks
                        .insert(e.reference.clone(), "checking…".into());
                    return start_job(
                        app,
                        JobKind::Check(e.reference.clone()),
                        Command::Check { db: e.reference },
                    );
                }
            }
        }
        Action::Compare => {
            let i = app.start.selected;
            if app.start.source.is_none() && i < app.start.recent.len() {
                let (s, t) = app.start.recent[i].clone();
                app.start.source = Some(s);
                app.start.target = Some(t);
            }
            return compare(app);
        }
        _ => {}
    }
    Vec::new()
}

fn start_input(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    let Some(input) = app.start.input.as_mut() else {
        return Vec::new();
    };
    match k.code {
        KeyCode::Esc => app.start.input = None,
        KeyCode::Enter => {
            let v = input.value().trim().to_string();
            app.start.input = None;
            if !v.is_empty() {
                app.start.entries.push(Entry {
                    label: format!("typed: {}", crate::engine::source::redacted(&v)),
                    reference: v,
                });
                app.start.selected = app.start.lines() - 1;
            }
        }
        _ => {
            input.handle_event(&CtEvent::Key(k));
        }
    }
    Vec::new()
}

fn filter_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    let Some(input) = app.compare.filter_input.as_mut() else {
        return Vec::new();
    };
    match k.code {
        KeyCode::Esc => {
            app.compare.filter_input = None;
            app.compare.filter.clear();
        }
        KeyCode::Enter => app.compare.filter_input = None,
        _ => {
            input.handle_event(&CtEvent::Key(k));
            app.compare.filter = input.value().to_string();
        }
    }
    rebuild_tree(app);
    if let Some(first) = app.compare.tree.matches.first().map(|m| m.to_vec()) {
        app.compare.tree_state.select(first);
    }
    refresh_detail(app);
    Vec::new()
}

fn jump_match(app: &mut App, forward: bool) {
    let matches = &app.compare.tree.matches;
    if matches.is_empty() {
        return;
    }
    let order: std::collections::HashMap<&[String], usize> = app
        .compare
        .tree
        .order
        .iter()
        .enumerate()
        .map(|(n, p)| (p.as_ref(), n))
        .collect();
    let pos = |p: &[String]| order.get(p).copied().unwrap_or(0);
    let cur = pos(app.compare.tree_state.selected());
    // Matches are in tree order already.
    let sorted: Vec<&tree::Path> = matches.iter().collect();
    let next = if forward {
        sorted.iter().find(|m| pos(m) > cur).or(sorted.first())
    } else {
        sorted.iter().rev().find(|m| pos(m) < cur).or(sorted.last())
    };
    if let Some(m) = next {
        let m = m.to_vec();
        for n in 1..m.len() {
            app.compare.tree_state.open(m[..n].to_vec());
        }
        app.compare.tree_state.select(m);
        refresh_detail(app);
    }
}

fn compare_action(app: &mut App, action: Action) -> Vec<Effect> {
    if app.compare.cmp.is_none() {
        return Vec::new();
    }
    let in_detail = app.compare.focus == Pane::Detail || app.compare.detail_open;
    if in_detail {
        if let Some(d) = app.compare.detail.as_mut() {
            let rows = if app.compare.unified.unwrap_or(app.width < 100) {
                sidediff::unified_len(&d.rows)
            } else {
                d.rows.len()
            };
            let step = (app.height.saturating_sub(8) / 2).max(1) as usize;
            match action {
                Action::Up => d.top = d.top.saturating_sub(1),
                Action::Down => d.top = (d.top + 1).min(rows.saturating_sub(1)),
                Action::PageDown => d.top = (d.top + step).min(rows.saturating_sub(1)),
                Action::PageUp => d.top = d.top.saturating_sub(step),
                Action::Top => d.top = 0,
                Action::Bottom => d.top = rows.saturating_sub(1),
                Action::ScrollLeft | Action::Collapse => d.left = d.left.saturating_sub(8),
                Action::ScrollRight | Action::Expand => d.left += 8,
                _ => {}
            }
        }
    }
    match action {
        Action::Up if !in_detail => move_selection(app, -1, None),
        Action::Down if !in_detail => move_selection(app, 1, None),
        Action::PageDown if !in_detail => move_selection(app, page(app), None),
        Action::PageUp if !in_detail => move_selection(app, -page(app), None),
        Action::Top if !in_detail => move_selection(app, 0, Some(true)),
        Action::Bottom if !in_detail => move_selection(app, 0, Some(false)),
        Action::Collapse if !in_detail => {
            let sel = app.compare.tree_state.selected().to_vec();
            if !app.compare.tree_state.close(&sel) && sel.len() > 1 {
                app.compare.tree_state.select(sel[..sel.len() - 1].to_vec());
                refresh_detail(app);
            }
        }
        Action::Expand if !in_detail => {
            let sel = app.compare.tree_state.selected().to_vec();
            app.compare.tree_state.open(sel);
        }
        Action::Open => {
            let sel = app.compare.tree_state.selected().to_vec();
            match app.compare.tree.nodes.get(sel.as_slice()) {
                Some(Node::Schema(_)) | Some(Node::Kind(..)) => {
                    app.compare.tree_state.toggle(sel);
                }
                _ => {
                    refresh_detail(app);
                    if app.width < 100 {
                        app.compare.detail_open = true;
                    } else {
                        app.compare.focus = Pane::Detail;
                    }
                }
            }
        }
        Action::NextPane | Action::PrevPane => {
            if app.width >= 100 {
                app.compare.focus = match app.compare.focus {
                    Pane::Tree => Pane::Detail,
                    Pane::Detail => Pane::Tree,
                };
            } else {
                app.compare.detail_open = !app.compare.detail_open;
            }
        }
        Action::Filter => {
            app.compare.filter_input = Some(Input::new(app.compare.filter.clone()));
        }
        Action::NextMatch => jump_match(app, true),
        Action::PrevMatch => jump_match(app, false),
        Action::StatusFilter => {
            app.compare.status = match app.compare.status {
                StatusFilter::All => StatusFilter::Added,
                StatusFilter::Added => StatusFilter::Removed,
                StatusFilter::Removed => StatusFilter::Changed,
                StatusFilter::Changed => StatusFilter::All,
            };
            rebuild_tree(app);
            refresh_detail(app);
        }
        Action::RiskFilter => {
            app.compare.risk = match app.compare.risk {
                RiskFilter::All => RiskFilter::Danger,
                RiskFilter::Danger => RiskFilter::Caution,
                RiskFilter::Caution => RiskFilter::All,
            };
            rebuild_tree(app);
            refresh_detail(app);
        }
        Action::ToggleView => {
            app.compare.unified = Some(app.side_by_side());
        }
        Action::Plan => {
            app.screen = Screen::Plan;
            app.compare.detail_open = false;
        }
        _ => {}
    }
    Vec::new()
}

/// The pack options the plan screen's choices stand for.
pub fn plan_options(app: &App) -> PackOptions {
    PackOptions {
        renames: true,
        rename_threshold: crate::engine::diff::rename::DEFAULT_THRESHOLD,
        include: app.plan.include.iter().cloned().collect(),
        exclude: app.plan.exclude.iter().cloned().collect(),
        ..Default::default()
    }
}

/// Which steps are left out now, by step number, with why.
pub fn left_out(app: &App) -> std::collections::BTreeMap<usize, pack::LeftOut> {
    match &app.compare.cmp {
        Some(c) => pack::left_out(&c.plan.steps, &plan_options(app)),
        None => Default::default(),
    }
}

fn plan_action(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(cmp) = app.compare.cmp.clone() else {
        return Vec::new();
    };
    let n = cmp.plan.steps.len();
    let half = page(app) as usize;
    match action {
        Action::Up => app.plan.selected = app.plan.selected.saturating_sub(1),
        Action::Down => app.plan.selected = (app.plan.selected + 1).min(n.saturating_sub(1)),
        Action::PageDown => app.plan.selected = (app.plan.selected + half).min(n.saturating_sub(1)),
        Action::PageUp => app.plan.selected = app.plan.selected.saturating_sub(half),
        Action::Top => app.plan.selected = 0,
        Action::Bottom => app.plan.selected = n.saturating_sub(1),
        Action::Levels => app.plan.levels = !app.plan.levels,
        Action::Toggle | Action::IncludeDestructive => {
            let Some(st) = cmp.plan.steps.get(app.plan.selected) else {
                return Vec::new();
            };
            let k = pack::step_key(st);
            let before = left_out(app);
            let destructive = st.change.is_destructive();
            if action == Action::IncludeDestructive {
                if !destructive {
                    say(
                        app,
                        false,
                        "only destructive steps are included one by one (D)",
                    );
                    return Vec::new();
                }
                if !app.plan.include.remove(&k) {
                    app.plan.include.insert(k);
                }
            } else if destructive && !app.plan.include.contains(&k) {
                say(
                    app,
                    false,
                    "a destructive step is left out until you include it with D",
                );
                return Vec::new();
            } else if !app.plan.exclude.remove(&k) {
                app.plan.exclude.insert(k);
                if destructive {
                    app.plan.include.remove(&pack::step_key(st));
                }
            }
            let after = left_out(app);
            let newly: Vec<usize> = after
                .keys()
                .filter(|n| !before.contains_key(n) && **n != st.number)
                .copied()
                .collect();
            app.plan.note = Some(if newly.is_empty() {
                format!(
                    "step {} {}",
                    st.number,
                    if after.contains_key(&st.number) {
                        "left out"
                    } else {
                        "included"
                    }
                )
            } else {
                format!(
                    "also excluded: {} step(s) that need it ({})",
                    newly.len(),
                    newly
                        .iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
        }
        Action::Write => {
            let default = app
                .plan
                .written
                .as_ref()
                .map(|(d, _)| d.display().to_string())
                .unwrap_or_else(|| "./sluice-pack".into());
            app.plan.dir_input = Some(Input::new(default));
        }
        Action::Apply => {
            if app.plan.written.is_none() {
                say(
                    app,
                    true,
                    "write the pack first (w): apply runs what was written",
                );
                return Vec::new();
            }
            app.screen = Screen::Apply;
            app.apply = Default::default();
        }
        _ => {}
    }
    Vec::new()
}

fn dir_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    let Some(input) = app.plan.dir_input.as_mut() else {
        return Vec::new();
    };
    match k.code {
        KeyCode::Esc => app.plan.dir_input = None,
        KeyCode::Enter => {
            let dir = PathBuf::from(input.value().trim());
            app.plan.dir_input = None;
            if app.job.is_some() {
                say(app, true, "wait for the running job (Ctrl-C cancels it)");
                return Vec::new();
            }
            let (Some(source), Some(target)) = (app.start.source.clone(), app.start.target.clone())
            else {
                return Vec::new();
            };
            // Writing again to the pack written here replaces it.
            let force = app.plan.written.as_ref().is_some_and(|(d, _)| *d == dir);
            let opts = plan_options(app);
            return start_job(
                app,
                JobKind::WritePack(dir.clone()),
                Command::SchemaPlan(PlanRequest {
                    source,
                    target,
                    out: dir,
                    force,
                    allow_destructive: false,
                    allow: Vec::new(),
                    opts: Default::default(),
                    filter: Default::default(),
                    include: opts.include,
                    exclude: opts.exclude,
                }),
            );
        }
        _ => {
            input.handle_event(&CtEvent::Key(k));
        }
    }
    Vec::new()
}

fn apply_action(app: &mut App, action: Action) -> Vec<Effect> {
    if action != Action::Run || app.apply.running || app.apply.outcome.is_some() {
        return Vec::new();
    }
    let (Some((dir, _)), Some(target)) = (app.plan.written.clone(), app.start.target.clone())
    else {
        return Vec::new();
    };
    app.apply.running = true;
    let destructive = !app.plan.include.is_empty();
    start_job(
        app,
        JobKind::Apply,
        Command::RunPack {
            dir,
            target,
            gates: Gates {
                allow_destructive: destructive,
                ..Gates::default()
            },
            options: ApplyOptions::default(),
            direction: Direction::Up,
        },
    )
}

fn confirm_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    let Some(c) = app.confirming.as_mut() else {
        return Vec::new();
    };
    match k.code {
        KeyCode::Esc => {
            if let Some(r) = c.reply.take() {
                let _ = r.send(Err(crate::Error::Refused("not confirmed".into())));
            }
            app.confirming = None;
        }
        KeyCode::Enter => {
            let typed = c.input.value().trim().to_string();
            let needs_name = c.question.danger > 0 || c.question.direction == Direction::Down;
            let ok = if needs_name {
                typed == c.question.database
            } else {
                matches!(typed.as_str(), "y" | "Y" | "yes")
            };
            if !ok {
                say(
                    app,
                    true,
                    if needs_name {
                        "type the database name exactly, or Esc to cancel"
                    } else {
                        "type y to apply, or Esc to cancel"
                    },
                );
                return Vec::new();
            }
            if let Some(r) = c.reply.take() {
                let _ = r.send(Ok(()));
            }
            app.confirming = None;
            app.message = None;
        }
        _ => {
            c.input.handle_event(&CtEvent::Key(k));
        }
    }
    Vec::new()
}

/// The help's lines for the current screen: (keys, action, what it does), filtered.
pub fn help_lines(app: &App) -> Vec<(String, &'static str, &'static str)> {
    let filter = app
        .help
        .as_ref()
        .map(|h| h.filter.value().to_lowercase())
        .unwrap_or_default();
    app.keymap
        .entries(app.screen.section())
        .into_iter()
        .map(|(a, keys)| (keys.join(" "), a.name(), a.describe()))
        .filter(|(k, n, d)| {
            filter.is_empty()
                || k.to_lowercase().contains(&filter)
                || n.contains(&filter)
                || d.to_lowercase().contains(&filter)
        })
        .collect()
}

/// What the hint bar offers on the current screen (first key of each, most used first).
pub fn hints(app: &App) -> Vec<(String, &'static str)> {
    let wanted: &[Action] = match app.screen {
        Screen::Start => &[
            Action::Down,
            Action::PickSource,
            Action::PickTarget,
            Action::Edit,
            Action::Check,
            Action::Compare,
        ],
        Screen::Compare if app.compare.detail_open => &[
            Action::Down,
            Action::ToggleView,
            Action::NextPane,
            Action::ScrollRight,
            Action::Back,
            Action::Plan,
        ],
        Screen::Compare => &[
            Action::Down,
            Action::Open,
            Action::Filter,
            Action::StatusFilter,
            Action::RiskFilter,
            Action::Plan,
        ],
        Screen::Plan => &[
            Action::Toggle,
            Action::IncludeDestructive,
            Action::Levels,
            Action::Write,
            Action::Apply,
        ],
        Screen::Apply if app.apply.running || app.apply.outcome.is_some() => &[],
        Screen::Apply => &[Action::Run],
    };
    let sec = app.screen.section();
    let mut out: Vec<(String, &'static str)> = wanted
        .iter()
        .filter_map(|a| {
            app.keymap
                .key_of(sec, *a)
                .or_else(|| app.keymap.key_of(Section::Global, *a))
                .map(|k| (k, a.name()))
        })
        .collect();
    for a in [Action::Help, Action::Quit] {
        if let Some(k) = app.keymap.key_of(Section::Global, a) {
            out.push((k, a.name()));
        }
    }
    out
}
