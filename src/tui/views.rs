//! Pure renders of the state: header, the screen, the hint bar, and overlays (help, the
//! confirmation, inputs). Nothing here changes the state (the tree widget's scroll offset lives
//! in its own render state).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use tui_tree_widget::Tree;

use super::app::{App, Pane, RiskFilter, Screen, StatusFilter};
use super::tree::badge;
use super::update::{help_lines, hints, left_out};
use super::widgets::sidediff;
use crate::engine::pack::LeftOut;
use crate::model::RiskLevel;

/// The smallest terminal the screens are drawn for.
pub const MIN: (u16, u16) = (80, 24);

const SPINNER: [char; 4] = ['|', '/', '-', '\\'];

pub fn draw(f: &mut Frame, app: &mut App) {
    let area = f.area();
    if area.width < MIN.0 || area.height < MIN.1 {
        let msg = format!(
            "make the terminal larger: {}×{} (now {}×{})",
            MIN.0, MIN.1, area.width, area.height
        );
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let [head, body, status, hint] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    header(f, app, head);
    match app.screen {
        Screen::Start => start(f, app, body),
        Screen::Compare => compare(f, app, body),
        Screen::Plan => plan(f, app, body),
        Screen::Apply => apply(f, app, body),
    }
    status_line(f, app, status);
    hint_bar(f, app, hint);
    if app.help.is_some() {
        help(f, app, body);
    }
    if app.confirming.is_some() {
        confirm(f, app, body);
    }
}

fn header(f: &mut Frame, app: &App, area: Rect) {
    let t = app.theme;
    let src = app
        .start
        .source
        .as_deref()
        .map(crate::engine::source::redacted);
    let tgt = app
        .start
        .target
        .as_deref()
        .map(crate::engine::source::redacted);
    let mut first = vec![Span::styled(" sluice ", t.title())];
    let names = match &app.compare.cmp {
        Some(c) => Some((c.source_name.clone(), c.target_name.clone())),
        None if src.is_some() || tgt.is_some() => Some((
            src.unwrap_or_else(|| "?".into()),
            tgt.unwrap_or_else(|| "?".into()),
        )),
        None => None,
    };
    if let Some((s, g)) = names {
        // Both names fit on the line: long ones lose their middle, never their ends.
        let room = (area.width as usize).saturating_sub(8 + " SOURCE  → TARGET ".chars().count());
        let half = room / 2;
        let (s, g) = if s.chars().count() + g.chars().count() <= room {
            (s, g)
        } else if s.chars().count() <= half {
            let rest = room - s.chars().count();
            (s, middle_ellipsis(&g, rest))
        } else if g.chars().count() <= half {
            let rest = room - g.chars().count();
            (middle_ellipsis(&s, rest), g)
        } else {
            (middle_ellipsis(&s, half), middle_ellipsis(&g, room - half))
        };
        first.push(Span::raw(format!(" SOURCE {s} → TARGET {g}")));
    }
    let mut second = Vec::new();
    if let Some(c) = &app.compare.cmp {
        let tt = &app.compare.tree.totals;
        second.push(Span::raw(format!(
            " {} changes: {} + {} - {} ~ · ",
            tt.changes, tt.added, tt.removed, tt.changed
        )));
        second.push(Span::styled(
            format!("{} danger ", tt.danger),
            t.risk(RiskLevel::Danger),
        ));
        second.push(Span::styled(
            format!("{} caution ", tt.caution),
            t.risk(RiskLevel::Caution),
        ));
        second.push(Span::styled(
            format!("{} safe", tt.safe),
            t.risk(RiskLevel::Safe),
        ));
        let mut filters = Vec::new();
        if !app.compare.filter.is_empty() {
            filters.push(format!("/{}", app.compare.filter));
        }
        if app.compare.status != StatusFilter::All {
            filters.push(format!("{:?}", app.compare.status).to_lowercase());
        }
        if app.compare.risk != RiskFilter::All {
            filters.push(format!("{:?}", app.compare.risk).to_lowercase());
        }
        if !filters.is_empty() {
            second.push(Span::styled(
                format!("  filter: {}", filters.join(" ")),
                t.dim(),
            ));
        }
        let _ = c;
    } else if app.job.is_some() {
        let spin = SPINNER[(app.ticks % 4) as usize];
        second.push(Span::raw(format!(
            " {spin} working {:.1}s",
            app.ticks as f64 / 10.0
        )));
    }
    let lines = vec![Line::from(first), Line::from(second)];
    f.render_widget(Paragraph::new(lines), area);
}

fn status_line(f: &mut Frame, app: &App, area: Rect) {
    let t = app.theme;
    let line = if let Some(i) = &app.compare.filter_input {
        Line::from(vec![
            Span::styled("/", t.key()),
            Span::raw(i.value().to_string()),
        ])
    } else if let Some(i) = &app.plan.dir_input {
        Line::from(vec![
            Span::styled("write the pack to: ", t.key()),
            Span::raw(i.value().to_string()),
        ])
    } else if let Some(i) = &app.start.input {
        Line::from(vec![
            Span::styled("URL, sqlite:PATH or snapshot: ", t.key()),
            Span::raw(i.value().to_string()),
        ])
    } else if let Some((err, m)) = &app.message {
        Line::from(Span::styled(
            format!(" {}{m}", if *err { "✗ " } else { "" }),
            if *err { t.error() } else { t.plain() },
        ))
    } else {
        Line::default()
    };
    f.render_widget(Paragraph::new(line), area);
}

fn hint_bar(f: &mut Frame, app: &App, area: Rect) {
    let t = app.theme;
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (k, name) in hints(app) {
        let piece = format!(" {k} {}", name.replace('_', " "));
        if used + piece.chars().count() > area.width as usize {
            break;
        }
        used += piece.chars().count();
        spans.push(Span::styled(format!(" {k}"), t.key()));
        spans.push(Span::raw(format!(" {}", name.replace('_', " "))));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn block(title: String, focused: bool, app: &App) -> Block<'static> {
    let b = Block::default().borders(Borders::ALL).title(title);
    if focused {
        b.border_style(app.theme.title())
    } else {
        b
    }
}

fn start(f: &mut Frame, app: &App, area: Rect) {
    let t = app.theme;
    let mut lines = vec![
        Line::from(vec![
            Span::styled("SOURCE ", t.title()),
            Span::raw(
                app.start
                    .source
                    .as_deref()
                    .map(crate::engine::source::redacted)
                    .unwrap_or_else(|| "— (s to pick)".into()),
            ),
        ]),
        Line::from(vec![
            Span::styled("TARGET ", t.title()),
            Span::raw(
                app.start
                    .target
                    .as_deref()
                    .map(crate::engine::source::redacted)
                    .unwrap_or_else(|| "— (t to pick)".into()),
            ),
        ]),
        Line::default(),
    ];
    let mut i = 0usize;
    let mut row = |label: String, extra: Option<&String>, lines: &mut Vec<Line<'static>>| {
        let sel = i == app.start.selected;
        let mut spans = vec![Span::raw(if sel { "> " } else { "  " }), Span::raw(label)];
        if let Some(e) = extra {
            spans.push(Span::styled(format!("  {e}"), t.dim()));
        }
        let mut l = Line::from(spans);
        if sel {
            l = l.style(t.selection());
        }
        lines.push(l);
        i += 1;
    };
    if !app.start.recent.is_empty() {
        lines.push(Line::from(Span::styled("recently compared", t.dim())));
        for (s, tg) in &app.start.recent {
            row(
                format!(
                    "{} → {}",
                    crate::engine::source::redacted(s),
                    crate::engine::source::redacted(tg)
                ),
                None,
                &mut lines,
            );
        }
    }
    lines.push(Line::from(Span::styled(
        "profiles and references (e types one in)",
        t.dim(),
    )));
    for e in &app.start.entries {
        row(
            e.label.clone(),
            app.start.checks.get(&e.reference),
            &mut lines,
        );
    }
    f.render_widget(
        Paragraph::new(lines).block(block(" Start ".into(), true, app)),
        area,
    );
}

fn compare(f: &mut Frame, app: &mut App, area: Rect) {
    let t = app.theme;
    if app.compare.cmp.is_none() {
        let spin = SPINNER[(app.ticks % 4) as usize];
        let side = |name: &str, ms: Option<u64>| match ms {
            Some(ms) => format!("{name} inspected in {:.1}s", ms as f64 / 1000.0),
            None => format!("{spin} inspecting {name}… {:.1}s", app.ticks as f64 / 10.0),
        };
        let lines = if app.compare.loading {
            vec![
                Line::raw(side("SOURCE", app.compare.source_ms)),
                Line::raw(side("TARGET", app.compare.target_ms)),
            ]
        } else {
            vec![Line::raw("nothing compared (Esc: back to the start)")]
        };
        f.render_widget(
            Paragraph::new(lines).block(block(" Compare ".into(), true, app)),
            area,
        );
        return;
    }
    if app.compare.tree.items.is_empty() {
        let text = if app.compare.tree.totals.changes == 0 {
            "No differences: TARGET matches SOURCE in everything compared."
        } else {
            "Nothing matches the filters (Esc clears the name filter; f and r cycle the others)."
        };
        f.render_widget(
            Paragraph::new(text).block(block(" Differences ".into(), true, app)),
            area,
        );
        return;
    }
    let wide = area.width >= 100;
    if !wide && app.compare.detail_open {
        detail(f, app, area, true);
        return;
    }
    let (tree_area, detail_area) = if wide {
        let [a, b] = Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)])
            .areas(area);
        (a, Some(b))
    } else {
        (area, None)
    };
    let focused = app.compare.focus == Pane::Tree;
    let title = format!(" Differences ({} objects) ", app.compare.tree.objects);
    if let Ok(tree) = Tree::new(&app.compare.tree.items) {
        let tree = tree
            .block(block(title, focused, app))
            .highlight_style(t.selection())
            .highlight_symbol(">")
            .node_closed_symbol("▸ ")
            .node_open_symbol("▾ ")
            .node_no_children_symbol("  ");
        f.render_stateful_widget(tree, tree_area, &mut app.compare.tree_state);
    }
    if let Some(d) = detail_area {
        detail(f, app, d, app.compare.focus == Pane::Detail);
    }
}

fn detail(f: &mut Frame, app: &App, area: Rect, focused: bool) {
    let t = app.theme;
    let Some(d) = &app.compare.detail else {
        f.render_widget(
            Paragraph::new("select an object").block(block(" Detail ".into(), focused, app)),
            area,
        );
        return;
    };
    let steps_h = (d.steps.len() as u16 + 2).min(area.height / 2).max(3);
    let [diff_area, steps_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(steps_h)]).areas(area);
    let inner_w = diff_area.width.saturating_sub(2) as usize;
    let inner_h = diff_area.height.saturating_sub(3) as usize;
    let sbs = app.side_by_side();
    let mut lines = Vec::new();
    if sbs {
        let col = inner_w.saturating_sub(3) / 2;
        lines.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(format!("{:<col$}", "SOURCE"), t.title()),
            Span::raw("│"),
            Span::styled("TARGET", t.title()),
        ]));
    } else {
        lines.push(Line::from(Span::styled(
            "- TARGET  + SOURCE (unified; v: side by side)",
            t.title(),
        )));
    }
    lines.extend(sidediff::render(
        &d.rows, inner_w, d.top, inner_h, d.left, sbs, t,
    ));
    f.render_widget(
        Paragraph::new(lines).block(block(format!(" {} ", d.object), focused, app)),
        diff_area,
    );
    let step_lines: Vec<Line> = d.steps.iter().map(|s| Line::raw(s.clone())).collect();
    f.render_widget(
        Paragraph::new(step_lines)
            .wrap(Wrap { trim: false })
            .block(block(" Plan steps ".into(), false, app)),
        steps_area,
    );
}

fn plan(f: &mut Frame, app: &App, area: Rect) {
    let t = app.theme;
    let Some(cmp) = &app.compare.cmp else {
        return;
    };
    let out = left_out(app);
    let runs = cmp.plan.steps.len() - out.len();
    let note_h = if app.plan.note.is_some() { 1 } else { 0 };
    let [list_area, foot] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(2 + note_h)]).areas(area);
    let h = list_area.height.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    if app.plan.levels {
        let m = crate::engine::pack::manifest(
            &cmp.plan,
            &cmp.source,
            &cmp.target,
            String::new(),
            String::new(),
            super::update::plan_options(app),
            String::new(),
            None,
        );
        for l in crate::engine::pack::graph_text(&m).lines().take(h) {
            lines.push(Line::raw(l.to_string()));
        }
    } else {
        let top = app.plan.selected.saturating_sub(h.saturating_sub(1));
        for (i, st) in cmp.plan.steps.iter().enumerate().skip(top).take(h) {
            let sel = i == app.plan.selected;
            let why = out.get(&st.number);
            let mark = match why {
                None => "[x]",
                Some(LeftOut::Excluded) => "[ ]",
                Some(LeftOut::Destructive { .. }) => "[!]",
                Some(LeftOut::With { .. }) => "[-]",
            };
            let mut spans = vec![
                Span::raw(if sel { ">" } else { " " }),
                Span::raw(format!("{mark} {:>3} ", st.number)),
                Span::raw(format!("{} {}", st.change.kind(), st.change.object())),
            ];
            if st.change.is_destructive() {
                spans.push(Span::styled(" DESTRUCTIVE", t.risk(RiskLevel::Danger)));
            }
            if let Some(r) = &st.risk {
                spans.push(Span::raw("  "));
                spans.push(Span::styled(badge(r), t.risk(r.level)));
            }
            if let Some(LeftOut::With { step }) = why {
                spans.push(Span::styled(format!("  (needs {step})"), t.dim()));
            }
            let mut l = Line::from(spans);
            if sel {
                l = l.style(t.selection());
            }
            if why.is_some() && !sel {
                l = l.style(t.dim().add_modifier(Modifier::CROSSED_OUT));
            }
            lines.push(l);
        }
    }
    let title = format!(
        " Plan: {runs} of {} steps run · {} ",
        cmp.plan.steps.len(),
        if cmp.plan.transactional {
            "all or nothing"
        } else {
            "NOT transactional"
        }
    );
    f.render_widget(
        Paragraph::new(lines).block(block(title, true, app)),
        list_area,
    );
    let mut foot_lines = Vec::new();
    if let Some(n) = &app.plan.note {
        foot_lines.push(Line::raw(n.clone()));
    }
    foot_lines.push(Line::from(Span::styled(
        "[x] runs [ ] left out by you [-] needs a left-out step [!] destructive: D",
        t.dim(),
    )));
    if let Some((dir, id)) = &app.plan.written {
        foot_lines.push(Line::raw(format!(
            "written: {} (pack {id}) — a applies it",
            dir.display()
        )));
    }
    f.render_widget(Paragraph::new(foot_lines), foot);
}

fn apply(f: &mut Frame, app: &App, area: Rect) {
    let t = app.theme;
    let mut lines = Vec::new();
    if let (Some(cmp), Some((dir, id))) = (&app.compare.cmp, &app.plan.written) {
        let out = left_out(app);
        let runs: Vec<_> = cmp
            .plan
            .steps
            .iter()
            .filter(|s| !out.contains_key(&s.number))
            .collect();
        let destructive = runs.iter().filter(|s| s.change.is_destructive()).count();
        lines.push(Line::raw(format!(
            "pack {id} in {}: {} step(s) run, {} left out, {destructive} destructive",
            dir.display(),
            runs.len(),
            out.len()
        )));
        lines.push(Line::raw(if cmp.plan.transactional {
            "one transaction: all or nothing; Ctrl-C cancels on the server and rolls back"
                .to_string()
        } else {
            "NOT transactional: each DDL statement commits on its own (a journal resumes)"
                .to_string()
        }));
        lines.push(Line::raw(format!("TARGET {}", cmp.target_name)));
        lines.push(Line::default());
    }
    for n in &app.apply.notices {
        lines.push(Line::from(Span::styled(n.clone(), t.dim())));
    }
    if let Some((n, total, what)) = app.apply.steps.last() {
        lines.push(Line::raw(format!("step {n} of {total}: {what}")));
    }
    match &app.apply.outcome {
        None if app.apply.running && app.confirming.is_some() => {
            lines.push(Line::raw("waiting for your confirmation: nothing has run"));
        }
        None if app.apply.running => {
            let spin = SPINNER[(app.ticks % 4) as usize];
            lines.push(Line::raw(format!(
                "{spin} applying… {:.1}s",
                app.ticks as f64 / 10.0
            )));
        }
        None => lines.push(Line::from(Span::styled(
            "Enter applies (you will be asked to confirm)",
            t.key(),
        ))),
        Some(Ok(o)) => {
            if let Some(r) = &o.report {
                lines.push(Line::raw(format!(
                    "applied {} step(s) in {:.1}s",
                    r.steps,
                    r.elapsed.as_secs_f64()
                )));
            }
            for s in &o.skipped {
                lines.push(Line::raw(format!(
                    "  left out: step {} {} {} — {}",
                    s.number, s.kind, s.object, s.why
                )));
            }
            if let Some(v) = &o.verdict {
                let style = if v.converged() { t.added() } else { t.error() };
                lines.push(Line::from(Span::styled(v.describe(), style)));
            }
        }
        Some(Err(e)) => lines.push(Line::from(Span::styled(format!("✗ {e}"), t.error()))),
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(" Apply ".into(), true, app)),
        area,
    );
}

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn help(f: &mut Frame, app: &App, area: Rect) {
    let t = app.theme;
    let r = centered(area, 70, area.height.saturating_sub(2));
    f.render_widget(Clear, r);
    let filter = app
        .help
        .as_ref()
        .map(|h| h.filter.value().to_string())
        .unwrap_or_default();
    let mut lines = vec![Line::from(vec![
        Span::styled("type to filter: ", t.dim()),
        Span::raw(filter),
    ])];
    for (keys, name, what) in help_lines(app) {
        lines.push(Line::from(vec![
            Span::styled(format!("{keys:<18}"), t.key()),
            Span::raw(format!("{:<20}", name.replace('_', " "))),
            Span::styled(what.to_string(), t.dim()),
        ]));
    }
    f.render_widget(
        Paragraph::new(lines).block(block(" Help (Esc closes) ".into(), true, app)),
        r,
    );
}

fn confirm(f: &mut Frame, app: &App, area: Rect) {
    let t = app.theme;
    let Some(c) = &app.confirming else {
        return;
    };
    let q = &c.question;
    let r = centered(area, 72, 8);
    f.render_widget(Clear, r);
    let needs_name = q.danger > 0 || q.direction == crate::engine::apply::Direction::Down;
    let ask = if needs_name {
        format!("Type the database name ({}) to continue:", q.database)
    } else {
        "Type y to continue:".to_string()
    };
    let text = Text::from(vec![
        Line::raw(format!(
            "Apply {} step(s){} of pack {} to",
            q.steps,
            if q.skipped > 0 {
                format!(" ({} left out)", q.skipped)
            } else {
                String::new()
            },
            q.pack_id
        )),
        Line::raw(q.target.clone()),
        Line::from(Span::styled(
            if q.danger > 0 {
                format!("{} danger step(s)", q.danger)
            } else {
                String::new()
            },
            t.risk(RiskLevel::Danger),
        )),
        Line::raw(ask),
        Line::from(vec![
            Span::styled("> ", t.key()),
            Span::raw(c.input.value().to_string()),
        ]),
        Line::from(Span::styled(
            "Enter confirms · Esc cancels (nothing runs)",
            t.dim(),
        )),
    ]);
    f.render_widget(
        Paragraph::new(text).block(block(" Confirm ".into(), true, app)),
        r,
    );
}

/// `text` in at most `max` characters: its start and its end, an ellipsis between.
pub fn middle_ellipsis(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        return text.to_string();
    }
    if max <= 1 {
        return "…".chars().take(max).collect();
    }
    let keep = max - 1;
    let head = keep / 2;
    let tail = keep - head;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(n - tail).collect();
    format!("{start}…{end}")
}
