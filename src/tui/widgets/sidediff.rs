//! The side-by-side SQL diff: SOURCE's text left, TARGET's right, lines aligned (similar's line
//! diff), changed lines marked with `~` (`+` only in SOURCE, `-` only in TARGET) and the changed
//! words within them emphasized (similar's inline diff). Narrower than ~100 columns it is shown
//! unified: TARGET's line (`-`) over SOURCE's (`+`).

use ratatui::text::{Line, Span};
use similar::{ChangeTag, DiffOp, TextDiff};

use crate::tui::theme::Theme;

/// A piece of a line and whether it differs from the other side.
pub type Segment = (String, bool);

/// One aligned row: what each side shows there (`None`: nothing on that side).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub source: Option<Vec<Segment>>,
    pub target: Option<Vec<Segment>>,
}

impl Row {
    /// `' '` same, `~` changed, `+` only in SOURCE, `-` only in TARGET.
    pub fn mark(&self) -> char {
        match (&self.source, &self.target) {
            (Some(s), Some(t)) if s.iter().any(|x| x.1) || t.iter().any(|x| x.1) => '~',
            (Some(_), Some(_)) => ' ',
            (Some(_), None) => '+',
            (None, Some(_)) => '-',
            (None, None) => ' ',
        }
    }
}

/// The rows of SOURCE's text against TARGET's.
pub fn rows(source: &str, target: &str) -> Vec<Row> {
    let diff = TextDiff::from_lines(target, source);
    let mut out = Vec::new();
    for op in diff.ops() {
        let mut dels: Vec<Vec<Segment>> = Vec::new();
        let mut ins: Vec<Vec<Segment>> = Vec::new();
        let mut same: Vec<Vec<Segment>> = Vec::new();
        for change in diff.iter_inline_changes(op) {
            let segs: Vec<Segment> = change
                .iter_strings_lossy()
                .map(|(emph, s)| (s.trim_end_matches(['\n', '\r']).to_string(), emph))
                .collect();
            match change.tag() {
                ChangeTag::Equal => same.push(segs),
                ChangeTag::Delete => dels.push(segs),
                ChangeTag::Insert => ins.push(segs),
            }
        }
        if matches!(op, DiffOp::Equal { .. }) {
            out.extend(same.into_iter().map(|s| Row {
                source: Some(s.clone()),
                target: Some(s),
            }));
            continue;
        }
        let n = dels.len().max(ins.len());
        let (mut d, mut i) = (dels.into_iter(), ins.into_iter());
        for _ in 0..n {
            let (t, s) = (d.next(), i.next());
            // A line only on one side is all "changed"; paired lines keep their word marks.
            out.push(Row {
                source: s,
                target: t,
            });
        }
    }
    out
}

/// Drops `skip` characters from the left of the segments (horizontal scroll).
fn scrolled(segs: &[Segment], mut skip: usize) -> Vec<Segment> {
    let mut out = Vec::new();
    for (s, e) in segs {
        let n = s.chars().count();
        if skip >= n {
            skip -= n;
            continue;
        }
        out.push((s.chars().skip(skip).collect(), *e));
        skip = 0;
    }
    out
}

fn fit(segs: &[Segment], width: usize, theme: Theme, side_mark: char) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let mut used = 0;
    for (s, emph) in segs {
        if used >= width {
            break;
        }
        let room = width - used;
        let text: String = s.chars().take(room).collect();
        used += text.chars().count();
        let style = if *emph {
            theme.emphasis().patch(theme.sign(side_mark))
        } else {
            theme.plain()
        };
        spans.push(Span::styled(text, style));
    }
    if used < width {
        spans.push(Span::raw(" ".repeat(width - used)));
    }
    spans
}

/// The rows as lines for a pane `width` wide, from row `top`, `height` of them, scrolled `left`
/// characters: side by side when `side_by_side`, else unified.
pub fn render(
    rows: &[Row],
    width: usize,
    top: usize,
    height: usize,
    left: usize,
    side_by_side: bool,
    theme: Theme,
) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if side_by_side {
        // "m " + left + "│" + right
        let col = width.saturating_sub(3) / 2;
        for r in rows.iter().skip(top).take(height) {
            let mark = r.mark();
            let mut spans = vec![Span::styled(format!("{mark} "), theme.sign(mark))];
            let empty: Vec<Segment> = Vec::new();
            let s = scrolled(r.source.as_ref().unwrap_or(&empty), left);
            let t = scrolled(r.target.as_ref().unwrap_or(&empty), left);
            spans.extend(fit(&s, col, theme, '+'));
            spans.push(Span::styled("│", theme.dim()));
            spans.extend(fit(&t, col, theme, '-'));
            out.push(Line::from(spans));
        }
        return out;
    }
    // Unified: a changed row becomes TARGET's line then SOURCE's.
    let mut lines: Vec<(char, &Vec<Segment>)> = Vec::new();
    for r in rows {
        match (&r.source, &r.target) {
            (Some(s), Some(t)) if r.mark() == '~' => {
                lines.push(('-', t));
                lines.push(('+', s));
            }
            (Some(s), Some(_)) => lines.push((' ', s)),
            (Some(s), None) => lines.push(('+', s)),
            (None, Some(t)) => lines.push(('-', t)),
            (None, None) => {}
        }
    }
    for (mark, segs) in lines.into_iter().skip(top).take(height) {
        let mut spans = vec![Span::styled(format!("{mark} "), theme.sign(mark))];
        spans.extend(fit(
            &scrolled(segs, left),
            width.saturating_sub(2),
            theme,
            mark,
        ));
        out.push(Line::from(spans));
    }
    out
}

/// How many lines `rows` take unified.
pub fn unified_len(rows: &[Row]) -> usize {
    rows.iter()
        .map(|r| if r.mark() == '~' { 2 } else { 1 })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_align_and_changed_words_are_marked() {
        let target = "CREATE TABLE c (\n  id integer,\n  name text,\n  legacy int\n);";
        let source = "CREATE TABLE c (\n  id integer,\n  full_name text,\n  phone text\n);";
        let r = rows(source, target);
        let marks: String = r.iter().map(Row::mark).collect();
        assert_eq!(marks, "  ~~ ", "{r:?}");
        let changed = &r[2];
        let emph: Vec<&str> = changed
            .source
            .as_ref()
            .expect("source")
            .iter()
            .filter(|s| s.1)
            .map(|s| s.0.as_str())
            .collect();
        assert!(emph.contains(&"full_name"), "{emph:?}");
        let added = rows("a\nb\n", "a\n");
        assert_eq!(added.iter().map(Row::mark).collect::<String>(), " +");
    }

    #[test]
    fn side_by_side_and_unified_fit_their_width() {
        let r = rows("a\nnew line here\n", "a\nold line here\n");
        let t = Theme { color: false };
        for (w, sbs) in [(80, true), (40, false), (7, true)] {
            for l in render(&r, w, 0, 10, 0, sbs, t) {
                assert!(l.width() <= w, "{w}: {l:?}");
            }
        }
        assert_eq!(unified_len(&r), 3);
        let scrolled_view = render(&r, 40, 0, 10, 4, false, t);
        assert!(scrolled_view[1].to_string().contains("line here"));
    }
}
