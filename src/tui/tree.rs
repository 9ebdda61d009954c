//! The object tree of differences: schema → kind → object → member, each line with a status glyph
//! that reads without color (`+` added, `-` removed, `~` changed, `→` renamed, `?` not compared),
//! a risk badge and the data count. Built once per comparison and filter (tui-tree-widget
//! flattens the open nodes each frame; the items themselves are cached here).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use ratatui::text::{Line, Span};
use tui_tree_widget::TreeItem;

use super::app::{RiskFilter, StatusFilter};
use super::theme::Theme;
use crate::engine::protocol::Comparison;
use crate::model::{Assessment, Change, RiskLevel};

/// What a line of the tree stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Schema(String),
    Kind(String, String),
    /// An object, with the indexes of its changes (its own and its members').
    Object {
        schema: String,
        name: String,
        changes: Vec<usize>,
    },
    /// One change of an object (a column, index, constraint, trigger…); the object is the
    /// line above.
    Member {
        change: usize,
    },
}

/// A line's path from the root: shared, so the tree, its order and its matches hold one copy
/// (looked up with a `&[String]`, as tui-tree-widget's selection gives it).
pub type Path = Arc<[String]>;

/// Counts for the header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub changes: usize,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub danger: usize,
    pub caution: usize,
    pub safe: usize,
}

#[derive(Debug, Default)]
pub struct Tree {
    pub items: Vec<TreeItem<'static, String>>,
    pub nodes: HashMap<Path, Node>,
    /// Every line's path in tree order (open or not), for `n`/`N` and for keeping a selection.
    pub order: Vec<Path>,
    /// Paths of the lines the name filter matches, in tree order.
    pub matches: Vec<Path>,
    pub totals: Totals,
    /// Objects shown.
    pub objects: usize,
}

/// The glyph of a change: `+`, `-`, `~`, `→` (rename), `?` (not compared).
pub fn glyph(c: &Change) -> char {
    if c.kind().starts_with("rename") {
        '→'
    } else if matches!(c, Change::Unsupported { .. }) {
        '?'
    } else {
        c.sign()
    }
}

/// A glyph and the space after it, without allocating.
fn glyph_text(g: char) -> &'static str {
    match g {
        '+' => "+ ",
        '-' => "- ",
        '→' => "→ ",
        '?' => "? ",
        _ => "~ ",
    }
}

/// Whether a change is about a table as a whole (it stands on the table's own line).
fn table_level(c: &Change) -> bool {
    matches!(
        c,
        Change::CreateTable { .. }
            | Change::DropTable { .. }
            | Change::RenameTable { .. }
            | Change::AlterTableOptions { .. }
            | Change::RebuildTable { .. }
    )
}

/// Where a change goes: (schema, kind group, object name, whether it is the object's own).
fn place(c: &Change) -> (String, String, String, bool) {
    if let Change::Unsupported { .. } = c {
        return (c.schema(), "not compared".into(), c.object(), true);
    }
    if let Some(t) = c.table() {
        return (c.schema(), "tables".into(), t.name, table_level(c));
    }
    let schema = c.schema();
    let object = c.object();
    let name = object
        .strip_prefix(&format!("{schema}."))
        .unwrap_or(&object)
        .to_string();
    (schema, format!("{}s", c.object_kind()), name, true)
}

/// The badge of a verdict: `! danger · 1 row is NULL`, `caution`, `safe`.
pub fn badge(r: &Assessment) -> String {
    let mut s = match r.level {
        RiskLevel::Danger if r.certain_failure => "! WILL FAIL".to_string(),
        RiskLevel::Danger => "! danger".to_string(),
        l => l.as_str().to_string(),
    };
    if let Some(c) = r.counts.iter().find(|c| c.count > 0) {
        s.push_str(&format!(" · {}", c.phrase()));
    }
    s
}

fn worst<'a>(risks: impl Iterator<Item = &'a Assessment>) -> Option<&'a Assessment> {
    risks.max_by_key(|r| (r.level, r.certain_failure))
}

fn keep(c: &Change, r: Option<&Assessment>, status: StatusFilter, risk: RiskFilter) -> bool {
    let by_status = match status {
        StatusFilter::All => true,
        StatusFilter::Added => c.sign() == '+',
        StatusFilter::Removed => c.sign() == '-',
        StatusFilter::Changed => c.sign() == '~',
    };
    let level = r.map(|r| r.level).unwrap_or(RiskLevel::Safe);
    let by_risk = match risk {
        RiskFilter::All => true,
        RiskFilter::Danger => level == RiskLevel::Danger,
        RiskFilter::Caution => level >= RiskLevel::Caution,
    };
    by_status && by_risk
}

#[derive(Debug, Default)]
pub struct Obj {
    own: Vec<usize>,
    members: Vec<usize>,
}

/// Builds the tree of `cmp`'s changes that pass the filters (a name filter keeps an object whose
/// name, or one of whose changes, contains it, ignoring case). `search`: each change's line in
/// lower case (see `search_texts`), so that a filter key skips what it does not match cheaply.
pub fn build(
    cmp: &Comparison,
    cache: &mut Cache,
    filter: &str,
    status: StatusFilter,
    risk: RiskFilter,
    theme: Theme,
) -> Tree {
    let mut t = Tree::default();
    for (i, c) in cmp.changes.iter().enumerate() {
        t.totals.changes += 1;
        match c.sign() {
            '+' => t.totals.added += 1,
            '-' => t.totals.removed += 1,
            _ => t.totals.changed += 1,
        }
        match cmp.risks.get(i).map(|r| r.level) {
            Some(RiskLevel::Danger) => t.totals.danger += 1,
            Some(RiskLevel::Caution) => t.totals.caution += 1,
            _ => t.totals.safe += 1,
        }
    }
    let needle = filter.to_lowercase();
    let (search, grouped) = cache.get(cmp, status, risk);
    let risk_of = |i: usize| cmp.risks.get(i);
    for (schema, kinds) in grouped.iter() {
        let sid = format!("s:{schema}");
        let spath: Path = Arc::from(vec![sid.clone()]);
        let mut kind_items = Vec::new();
        // Tree order, built bottom-up: each level's lines after its own line.
        let mut schema_order: Vec<Path> = Vec::new();
        let mut schema_matches: Vec<Path> = Vec::new();
        for (kind, objects) in kinds {
            let kid = format!("k:{kind}");
            let kpath: Path = Arc::from(vec![sid.clone(), kid.clone()]);
            let mut kind_order: Vec<Path> = Vec::new();
            let mut obj_items = Vec::new();
            for (name, obj) in objects {
                let all: Vec<usize> = obj.own.iter().chain(&obj.members).copied().collect();
                let name_hit = !needle.is_empty() && name.to_lowercase().contains(&needle);
                // `search` holds each change's line in lower case, made once per comparison.
                let member_hit = |i: usize| {
                    !needle.is_empty()
                        && match search.get(i) {
                            Some(text) => text.contains(&needle),
                            None => cmp.changes[i].describe().to_lowercase().contains(&needle),
                        }
                };
                if !needle.is_empty() && !name_hit && !obj.members.iter().any(|i| member_hit(*i)) {
                    continue;
                }
                let described: Vec<(usize, String)> = obj
                    .members
                    .iter()
                    .map(|i| (*i, cmp.changes[*i].describe()))
                    .collect();
                let oid = format!("o:{name}");
                let opath: Path = Arc::from(vec![sid.clone(), kid.clone(), oid.clone()]);
                // One glyph for the object: its own changes' if they agree (a view dropped and
                // created again is changed, not removed).
                let mut own_glyphs = obj.own.iter().map(|i| glyph(&cmp.changes[*i]));
                let sign = match own_glyphs.next() {
                    Some(g) if own_glyphs.all(|o| o == g) => g,
                    _ => '~',
                };
                let w = worst(all.iter().filter_map(|i| risk_of(*i)));
                let mut spans = vec![
                    Span::styled(glyph_text(sign), theme.sign(sign)),
                    Span::raw(name.clone()),
                ];
                if let Some(w) = w {
                    spans.push(Span::raw("  "));
                    spans.push(Span::styled(badge(w), theme.risk(w.level)));
                }
                kind_order.push(opath.clone());
                if name_hit {
                    schema_matches.push(opath.clone());
                }
                let mut members = Vec::with_capacity(described.len());
                for (i, text) in described {
                    let c = &cmp.changes[i];
                    let mid = format!("m:{i}");
                    let mpath: Path =
                        Arc::from(vec![sid.clone(), kid.clone(), oid.clone(), mid.clone()]);
                    let g = glyph(c);
                    let hit = member_hit(i);
                    let mut ms = vec![Span::styled(glyph_text(g), theme.sign(g)), Span::raw(text)];
                    if let Some(r) = risk_of(i) {
                        ms.push(Span::raw("  "));
                        ms.push(Span::styled(badge(r), theme.risk(r.level)));
                    }
                    if hit {
                        schema_matches.push(mpath.clone());
                    }
                    kind_order.push(mpath.clone());
                    t.nodes.insert(mpath, Node::Member { change: i });
                    members.push(TreeItem::new_leaf(mid, Line::from(ms)));
                }
                t.nodes.insert(
                    opath,
                    Node::Object {
                        schema: schema.clone(),
                        name: name.clone(),
                        changes: all,
                    },
                );
                t.objects += 1;
                let item = if members.is_empty() {
                    TreeItem::new_leaf(oid, Line::from(spans))
                } else {
                    match TreeItem::new(oid.clone(), Line::from(spans.clone()), members) {
                        Ok(it) => it,
                        Err(_) => TreeItem::new_leaf(oid, Line::from(spans)),
                    }
                };
                obj_items.push(item);
            }
            if obj_items.is_empty() {
                continue;
            }
            let label = Line::from(vec![
                Span::styled(kind.clone(), theme.title()),
                Span::styled(format!(" ({})", obj_items.len()), theme.dim()),
            ]);
            t.nodes
                .insert(kpath.clone(), Node::Kind(schema.clone(), kind.clone()));
            schema_order.push(kpath);
            schema_order.append(&mut kind_order);
            if let Ok(it) = TreeItem::new(kid, label, obj_items) {
                kind_items.push(it);
            }
        }
        if kind_items.is_empty() {
            continue;
        }
        let count: usize = kind_items.iter().map(|k| k.children().len()).sum();
        let label = Line::from(vec![
            Span::styled(format!("schema {schema}"), theme.title()),
            Span::styled(format!(" ({count})"), theme.dim()),
        ]);
        t.nodes.insert(spath.clone(), Node::Schema(schema.clone()));
        t.order.push(spath);
        t.order.append(&mut schema_order);
        t.matches.append(&mut schema_matches);
        if let Ok(it) = TreeItem::new(sid, label, kind_items) {
            t.items.push(it);
        }
    }
    t
}

/// Changes grouped by schema, kind and object.
type Grouped = BTreeMap<String, BTreeMap<String, BTreeMap<String, Obj>>>;

/// What a tree build needs that does not change while a name filter is typed: each change's line
/// in lower case, and the changes grouped for the current status and risk filters. Made again
/// only when the comparison or those filters change.
#[derive(Debug, Default)]
pub struct Cache {
    search: Vec<String>,
    groups: Option<((StatusFilter, RiskFilter), Grouped)>,
}

impl Cache {
    fn get(
        &mut self,
        cmp: &Comparison,
        status: StatusFilter,
        risk: RiskFilter,
    ) -> (&[String], &Grouped) {
        if self.search.len() != cmp.changes.len() {
            self.search = cmp
                .changes
                .iter()
                .map(|c| c.describe().to_lowercase())
                .collect();
            self.groups = None;
        }
        if self.groups.as_ref().map(|(k, _)| *k) != Some((status, risk)) {
            self.groups = None;
        }
        let (_, groups) = self
            .groups
            .get_or_insert_with(|| ((status, risk), group(cmp, status, risk)));
        (&self.search, groups)
    }
}

fn group(cmp: &Comparison, status: StatusFilter, risk: RiskFilter) -> Grouped {
    let mut grouped = Grouped::new();
    for (i, c) in cmp.changes.iter().enumerate() {
        if !keep(c, cmp.risks.get(i), status, risk) {
            continue;
        }
        let (schema, kind, name, own) = place(c);
        let obj = grouped
            .entry(schema)
            .or_default()
            .entry(kind)
            .or_default()
            .entry(name)
            .or_default();
        if own {
            obj.own.push(i);
        } else {
            obj.members.push(i);
        }
    }
    grouped
}
