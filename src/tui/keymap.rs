//! Key bindings as data: `assets/default-keymap.toml`, patched by the user's `keymap.toml`. The
//! help overlay and the hint bar are generated from the same table, so a remapped key shows
//! everywhere. A duplicate binding, an unknown action or section, a key terminals cannot deliver
//! (Ctrl-M is Enter, Ctrl-I Tab, Ctrl-[ Esc, Ctrl-H Backspace, Ctrl-Enter) and an action reachable
//! only with Alt are errors naming the file and line.

use std::collections::BTreeMap;
use std::path::Path;

use crokey::KeyCombination;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The default bindings, compiled in.
pub const DEFAULT: &str = include_str!("../../assets/default-keymap.toml");

/// A screen's set of bindings; `Global` applies everywhere unless a screen binds the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    Global,
    Start,
    Compare,
    Plan,
    Apply,
}

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Global,
        Section::Start,
        Section::Compare,
        Section::Plan,
        Section::Apply,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Section::Global => "global",
            Section::Start => "start",
            Section::Compare => "compare",
            Section::Plan => "plan",
            Section::Apply => "apply",
        }
    }
}

/// Everything a key can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Quit,
    Help,
    Cancel,
    Back,
    Up,
    Down,
    Top,
    Bottom,
    PageDown,
    PageUp,
    PickSource,
    PickTarget,
    Edit,
    Check,
    Compare,
    Collapse,
    Expand,
    Open,
    NextPane,
    PrevPane,
    Filter,
    NextMatch,
    PrevMatch,
    StatusFilter,
    RiskFilter,
    ToggleView,
    ScrollLeft,
    ScrollRight,
    Plan,
    Toggle,
    IncludeDestructive,
    Levels,
    Write,
    Apply,
    Run,
}

/// (action, name in the file, what the help says, sections it belongs to).
const ACTIONS: &[(Action, &str, &str, &[Section])] = {
    use Section::*;
    &[
        (
            Action::Quit,
            "quit",
            "back, or quit on the first screen",
            &[Global],
        ),
        (Action::Help, "help", "this help", &[Global]),
        (
            Action::Cancel,
            "cancel",
            "cancel the running job; quit when none runs",
            &[Global],
        ),
        (Action::Back, "back", "back / clear the filter", &[Global]),
        (Action::Up, "up", "up", &[Start, Compare, Plan]),
        (Action::Down, "down", "down", &[Start, Compare, Plan]),
        (Action::Top, "top", "first line", &[Compare, Plan]),
        (Action::Bottom, "bottom", "last line", &[Compare, Plan]),
        (
            Action::PageDown,
            "page_down",
            "half a page down",
            &[Compare, Plan],
        ),
        (
            Action::PageUp,
            "page_up",
            "half a page up",
            &[Compare, Plan],
        ),
        (Action::PickSource, "pick_source", "use as SOURCE", &[Start]),
        (Action::PickTarget, "pick_target", "use as TARGET", &[Start]),
        (
            Action::Edit,
            "edit",
            "type a URL, sqlite:PATH or snapshot",
            &[Start],
        ),
        (Action::Check, "check", "check the connection", &[Start]),
        (
            Action::Compare,
            "compare",
            "compare SOURCE and TARGET",
            &[Start],
        ),
        (Action::Collapse, "collapse", "collapse", &[Compare]),
        (Action::Expand, "expand", "expand", &[Compare]),
        (Action::Open, "open", "open the SQL diff", &[Compare]),
        (Action::NextPane, "next_pane", "next pane", &[Compare]),
        (Action::PrevPane, "prev_pane", "previous pane", &[Compare]),
        (Action::Filter, "filter", "filter by name", &[Compare]),
        (Action::NextMatch, "next_match", "next match", &[Compare]),
        (
            Action::PrevMatch,
            "prev_match",
            "previous match",
            &[Compare],
        ),
        (
            Action::StatusFilter,
            "status_filter",
            "show + / - / ~ / all",
            &[Compare],
        ),
        (
            Action::RiskFilter,
            "risk_filter",
            "show danger / caution / all",
            &[Compare],
        ),
        (
            Action::ToggleView,
            "toggle_view",
            "side by side / unified",
            &[Compare],
        ),
        (
            Action::ScrollLeft,
            "scroll_left",
            "scroll the diff left",
            &[Compare],
        ),
        (
            Action::ScrollRight,
            "scroll_right",
            "scroll the diff right",
            &[Compare],
        ),
        (Action::Plan, "plan", "the plan", &[Compare]),
        (
            Action::Toggle,
            "toggle",
            "include / exclude the step",
            &[Plan],
        ),
        (
            Action::IncludeDestructive,
            "include_destructive",
            "include a destructive step",
            &[Plan],
        ),
        (Action::Levels, "levels", "dependency levels", &[Plan]),
        (Action::Write, "write", "write the pack", &[Plan]),
        (Action::Apply, "apply", "apply to TARGET", &[Plan]),
        (Action::Run, "run", "run", &[Apply]),
    ]
};

impl Action {
    pub fn name(self) -> &'static str {
        ACTIONS
            .iter()
            .find(|(a, ..)| *a == self)
            .map(|(_, n, ..)| *n)
            .unwrap_or("?")
    }

    pub fn describe(self) -> &'static str {
        ACTIONS
            .iter()
            .find(|(a, ..)| *a == self)
            .map(|(_, _, d, _)| *d)
            .unwrap_or("")
    }
}

/// The bindings in force.
#[derive(Debug, Clone)]
pub struct Keymap {
    keys: BTreeMap<Section, Vec<(Action, Vec<KeyCombination>)>>,
}

/// A binding file that cannot be used: where, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct KeymapError(pub String);

impl std::fmt::Display for KeymapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Keymap {
    /// The default bindings patched by `user` (the file's path and text), if any.
    pub fn load(user: Option<(&Path, &str)>) -> Result<Keymap, KeymapError> {
        let mut km = parse(Path::new("assets/default-keymap.toml"), DEFAULT, None)?;
        if let Some((path, text)) = user {
            km = parse(path, text, Some(km))?;
        }
        Ok(km)
    }

    /// The built-in bindings.
    pub fn default_keys() -> Keymap {
        // The compiled-in file is checked by a unit test; an empty map is the fallback.
        Keymap::load(None).unwrap_or(Keymap {
            keys: BTreeMap::new(),
        })
    }

    /// The action `key` asks for on a screen: the screen's own binding, else the global one.
    pub fn action(&self, section: Section, key: KeyEvent) -> Option<Action> {
        let k = normalize(KeyCombination::from(key));
        for s in [section, Section::Global] {
            if let Some(list) = self.keys.get(&s) {
                if let Some((a, _)) = list.iter().find(|(_, ks)| ks.contains(&k)) {
                    return Some(*a);
                }
            }
        }
        None
    }

    /// The keys of a screen (its own, then the global ones it does not override), for the hint
    /// bar and the help.
    pub fn entries(&self, section: Section) -> Vec<(Action, Vec<String>)> {
        let mut out = Vec::new();
        for s in [section, Section::Global] {
            for (a, ks) in self.keys.get(&s).into_iter().flatten() {
                if ks.is_empty() {
                    continue;
                }
                out.push((*a, ks.iter().map(|k| label(*k)).collect()));
            }
        }
        out
    }

    /// The first key of `action` on a screen, as people read it.
    pub fn key_of(&self, section: Section, action: Action) -> Option<String> {
        self.entries(section)
            .into_iter()
            .find(|(a, _)| *a == action)
            .and_then(|(_, ks)| ks.into_iter().next())
    }
}

/// How a key is written for people: `j`, `G`, `ctrl-d`, `enter`.
pub fn label(k: KeyCombination) -> String {
    let s = crokey::KeyCombinationFormat::default()
        .with_lowercase_modifiers()
        .with_implicit_shift()
        .to_string(k);
    s.replace("Space", "space")
}

/// Shift on a key that is not a letter is how the terminal typed it (`?` arrives as Shift-?):
/// it does not count.
fn normalize(k: KeyCombination) -> KeyCombination {
    let mut k = k.normalized();
    if let crokey::OneToThree::One(KeyCode::Char(c)) = k.codes {
        if !c.is_ascii_alphabetic() {
            k.modifiers.remove(KeyModifiers::SHIFT);
        }
    }
    k
}

/// A key a terminal sends as another one, or cannot send at all.
fn undeliverable(raw: &str, k: KeyCombination) -> Option<&'static str> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    if let crokey::OneToThree::One(code) = k.codes {
        match code {
            KeyCode::Char('m') | KeyCode::Char('M') if ctrl => return Some("Ctrl-M is Enter"),
            KeyCode::Char('i') | KeyCode::Char('I') if ctrl => return Some("Ctrl-I is Tab"),
            KeyCode::Char('[') if ctrl => return Some("Ctrl-[ is Esc"),
            KeyCode::Char('h') | KeyCode::Char('H') if ctrl => return Some("Ctrl-H is Backspace"),
            KeyCode::Enter if ctrl => return Some("terminals cannot send Ctrl-Enter"),
            _ => {}
        }
    } else {
        return Some("terminals cannot tell keys pressed together");
    }
    let _ = raw;
    None
}

fn parse(path: &Path, text: &str, base: Option<Keymap>) -> Result<Keymap, KeymapError> {
    let at = |line: usize, why: String| KeymapError(format!("{}:{line}: {why}", path.display()));
    let value: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
            .unwrap_or(1);
        at(line, format!("not TOML: {}", e.message()))
    })?;
    let line_of = |needle: &str| -> usize {
        text.lines()
            .position(|l| l.trim_start().starts_with(needle))
            .map(|i| i + 1)
            .unwrap_or(1)
    };
    let mut km = base.unwrap_or(Keymap {
        keys: BTreeMap::new(),
    });
    for (sname, v) in &value {
        let Some(section) = Section::ALL.iter().copied().find(|s| s.name() == sname) else {
            return Err(at(
                line_of(&format!("[{sname}]")),
                format!(
                    "unknown section [{sname}]: use {}",
                    Section::ALL.map(|s| s.name()).join(", ")
                ),
            ));
        };
        let Some(table) = v.as_table() else {
            return Err(at(line_of(sname), format!("[{sname}] is not a section")));
        };
        let entry = km.keys.entry(section).or_default();
        for (aname, keys) in table {
            let line = line_of(aname);
            let Some((action, ..)) = ACTIONS
                .iter()
                .find(|(_, n, _, secs)| n == aname && secs.contains(&section))
            else {
                return Err(at(line, format!("unknown action '{aname}' in [{sname}]")));
            };
            let Some(list) = keys.as_array() else {
                return Err(at(
                    line,
                    format!("{aname}: write a list of keys, e.g. [\"j\", \"down\"]"),
                ));
            };
            let mut combos = Vec::new();
            for k in list {
                let Some(raw) = k.as_str() else {
                    return Err(at(
                        line,
                        format!("{aname}: a key is a string, e.g. \"ctrl-d\""),
                    ));
                };
                let combo = crokey::parse(raw)
                    .map_err(|_| at(line, format!("{aname}: '{raw}' is not a key name")))?;
                if let Some(why) = undeliverable(raw, combo) {
                    return Err(at(line, format!("{aname}: '{raw}' cannot be used: {why}")));
                }
                combos.push(normalize(combo));
            }
            if !combos.is_empty()
                && combos
                    .iter()
                    .all(|c| c.modifiers.contains(KeyModifiers::ALT))
            {
                return Err(at(
                    line,
                    format!(
                        "{aname}: give it a key without Alt too (Alt is not delivered everywhere)"
                    ),
                ));
            }
            entry.retain(|(a, _)| a != action);
            entry.push((*action, combos));
        }
    }
    // No key may mean two things on one screen (its own bindings with the global ones).
    for section in Section::ALL {
        let mut seen: BTreeMap<String, Action> = BTreeMap::new();
        let own = km.keys.get(&section).cloned().unwrap_or_default();
        let global = if section == Section::Global {
            Vec::new()
        } else {
            km.keys.get(&Section::Global).cloned().unwrap_or_default()
        };
        for (a, ks) in own.iter().chain(global.iter()) {
            for k in ks {
                let l = label(*k);
                if let Some(other) = seen.get(&l) {
                    if other != a {
                        return Err(at(
                            line_of(a.name()),
                            format!(
                                "'{l}' is bound to both {} and {} in [{}]",
                                other.name(),
                                a.name(),
                                section.name()
                            ),
                        ));
                    }
                }
                seen.insert(l, *a);
            }
        }
    }
    Ok(km)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn key(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers: m,
            kind: KeyEventKind::Press,
            state: crossterm::event::KeyEventState::NONE,
        }
    }

    #[test]
    fn the_defaults_load_and_resolve() {
        let km = Keymap::load(None).expect("defaults");
        let none = KeyModifiers::NONE;
        assert_eq!(
            km.action(Section::Compare, key(KeyCode::Char('j'), none)),
            Some(Action::Down)
        );
        assert_eq!(
            km.action(
                Section::Compare,
                key(KeyCode::Char('G'), KeyModifiers::SHIFT)
            ),
            Some(Action::Bottom)
        );
        assert_eq!(
            km.action(
                Section::Compare,
                key(KeyCode::Char('?'), KeyModifiers::SHIFT)
            ),
            Some(Action::Help)
        );
        assert_eq!(
            km.action(
                Section::Plan,
                key(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Action::Cancel)
        );
        assert_eq!(
            km.action(Section::Plan, key(KeyCode::Char(' '), none)),
            Some(Action::Toggle)
        );
        assert_eq!(
            km.key_of(Section::Compare, Action::Bottom).as_deref(),
            Some("G")
        );
    }

    #[test]
    fn a_user_file_patches_and_bad_ones_say_where() {
        let p = Path::new("/home/dba/.config/sluice/keymap.toml");
        let km = Keymap::load(Some((p, "[compare]\ndown = [\"ctrl-n\"]\n"))).expect("patch");
        let none = KeyModifiers::NONE;
        assert_eq!(
            km.action(Section::Compare, key(KeyCode::Char('j'), none)),
            None
        );
        assert_eq!(
            km.action(
                Section::Compare,
                key(KeyCode::Char('n'), KeyModifiers::CONTROL)
            ),
            Some(Action::Down)
        );
        let bad = |t: &str| Keymap::load(Some((p, t))).expect_err(t).0;
        assert!(bad("[compare]\nfly = [\"x\"]\n").contains("keymap.toml:2: unknown action 'fly'"));
        assert!(bad("[compare]\nup = [\"ctrl-m\"]\n").contains("Ctrl-M is Enter"));
        assert!(bad("[compare]\nup = [\"ctrl-enter\"]\n").contains("Ctrl-Enter"));
        assert!(bad("[compare]\nup = [\"alt-k\"]\n").contains("without Alt"));
        assert!(bad("[compare]\nup = [\"j\"]\n").contains("'j' is bound to both"));
        assert!(bad("[compare]\nup = [\"q\"]\n").contains("bound to both"));
        assert!(bad("[nowhere]\n").contains("unknown section"));
        assert!(bad("[compare\n").contains("keymap.toml:1: not TOML"));
    }
}
