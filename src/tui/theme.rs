//! Styles. The 16 ANSI colors on the terminal's own background; under `NO_COLOR` no color at all
//! — only bold, reverse and underline, and every meaning also carried by a glyph. (crossterm 0.29
//! writes a bare reset for each color change under NO_COLOR, which cancels a reverse or bold set
//! just before it: so the NO_COLOR theme never names a color, not even a reset one.)

use ratatui::style::{Color, Modifier, Style};

use crate::model::RiskLevel;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Color unless `NO_COLOR` is set to anything non-empty.
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn plain(self) -> Style {
        Style::new()
    }

    pub fn added(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn removed(self) -> Style {
        self.fg(Color::Red)
    }

    pub fn changed(self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn renamed(self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// The selected line: reverse video, and a `>` marker drawn by the view.
    pub fn selection(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// A word that changed within a changed line.
    pub fn emphasis(self) -> Style {
        let s = Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
        if self.color {
            s.add_modifier(Modifier::REVERSED)
        } else {
            s
        }
    }

    pub fn risk(self, level: RiskLevel) -> Style {
        match level {
            RiskLevel::Danger => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            RiskLevel::Caution => self.fg(Color::Yellow),
            RiskLevel::Safe => self.fg(Color::Green),
        }
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn sign(self, sign: char) -> Style {
        match sign {
            '+' => self.added(),
            '-' => self.removed(),
            '→' => self.renamed(),
            _ => self.changed(),
        }
    }
}
