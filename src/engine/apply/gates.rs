//! The gates an apply passes before it connects for writes: the pack is the one reviewed (its
//! id, its edits), destructive steps are allowed twice (at plan and at apply), no unplanned mass
//! drop. They decide which steps run and which are left out, and say why. (On databases that
//! cannot roll DDL back, no step may be certain to fail as TARGET's data stands at apply time:
//! that gate needs the database, see [`certain_failure`].)

use crate::engine::pack::{self, LeftOut, Pack};
use crate::error::{Error, Result};
use crate::model::plan::Step;

/// What a person allowed on the command line (or in the TUI).
#[derive(Debug, Clone, Default)]
pub struct Gates {
    /// Run destructive steps (they must also have been planned to run).
    pub allow_destructive: bool,
    /// Run destructive steps of these kinds.
    pub allow: Vec<String>,
    /// Run `up.sql` as edited after planning.
    pub accept_edits: bool,
    /// Apply to another database than the one the plan was made for.
    pub retarget: bool,
    /// On a database without transactional DDL, run a plan although a step is certain to fail.
    pub force_partial: bool,
    /// Refuse unless the pack's id starts with this (what the reviewer saw at plan time).
    pub pack_id: Option<String>,
    /// Do not ask for confirmation.
    pub yes: bool,
}

impl Gates {
    fn allows(&self, kind: &str) -> bool {
        self.allow_destructive || self.allow.iter().any(|k| k == kind)
    }
}

/// A step that does not run, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub number: usize,
    pub kind: String,
    pub object: String,
    pub why: String,
    pub change: crate::model::Change,
}

/// The plan's steps as an apply runs them: every step in plan order, those left out without SQL
/// (so step numbers and totals stay the plan's), and why each left-out step does not run.
#[derive(Debug, Clone)]
pub struct Chosen {
    pub steps: Vec<Step>,
    pub skipped: Vec<Skipped>,
}

impl Chosen {
    /// The steps that run.
    pub fn run(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| !s.sql.is_empty())
    }
}

/// The pack is the one reviewed: its id is the pinned one (`--pack-id`), and this machine's
/// record of the packs sluice wrote does not contradict it.
fn reviewed(pack: &Pack, g: &Gates) -> Result<()> {
    if let Some(want) = &g.pack_id {
        let want = want.trim().to_ascii_lowercase();
        if want.len() < 8 || !pack.integrity.pack_id.starts_with(&want) {
            return Err(Error::Refused(format!(
                "the pack in {} has id {}, not {want}: it is not the pack that was reviewed",
                pack.dir.display(),
                pack.short_id()
            )));
        }
    }
    if let pack::Provenance::Replaced { pack_id, at } =
        pack::provenance(&pack.dir, &pack.integrity.pack_id)
    {
        return Err(Error::Refused(format!(
            "the pack in {} is not the one sluice wrote there at {at} (pack id {}, now {}): its files were changed and SHA256SUMS rewritten to match: plan again",
            pack.dir.display(),
            &pack_id[..pack::PACK_ID_SHOWN.min(pack_id.len())],
            pack.short_id()
        )));
    }
    Ok(())
}

/// The steps of `down.sql` as a rollback runs them. Refused when `up.sql` was edited (what ran
/// is then not what the undo was planned for) and, unless `--allow-destructive`, when an undo
/// cannot bring data back (`IRREVERSIBLE`).
pub fn choose_down(pack: &Pack, g: &Gates) -> Result<Chosen> {
    reviewed(pack, g)?;
    let m = &pack.manifest;
    if pack.up_sql_edited() {
        return Err(Error::Refused(format!(
            "up.sql of {} was edited after planning, so down.sql does not undo what ran: undo it by hand",
            pack.dir.display()
        )));
    }
    let down = if m.down.is_empty() {
        pack::down_steps(m, &pack.source, &pack.target)
    } else {
        m.down.clone()
    };
    let lossy: Vec<String> = down
        .iter()
        .filter_map(|d| {
            d.irreversible
                .as_ref()
                .map(|why| format!("down {} (undoes step {}): {why}", d.number, d.undoes))
        })
        .collect();
    if !lossy.is_empty() && !g.allow_destructive {
        return Err(Error::Refused(format!(
            "down.sql cannot bring everything back — IRREVERSIBLE: {}: roll back with --allow-destructive to restore the schema without that data",
            lossy.join("; ")
        )));
    }
    Ok(Chosen {
        steps: down.iter().map(|d| d.step()).collect(),
        skipped: Vec::new(),
    })
}

/// Checks a pack against the gates; returns the steps to run.
pub fn choose(pack: &Pack, g: &Gates) -> Result<Chosen> {
    reviewed(pack, g)?;
    let m = &pack.manifest;
    let edited = pack.up_sql_edited();
    let steps = if edited {
        let path = pack.dir.join("up.sql");
        let text = std::fs::read_to_string(&path).map_err(|e| Error::file(&path, e))?;
        let steps = pack::steps_from_up_sql(&text, m)?;
        if !g.accept_edits {
            let changed: Vec<String> = steps
                .iter()
                .zip(pack.steps())
                .filter(|(now, planned)| squash(&now.sql) != squash(&planned.sql))
                .map(|(s, _)| s.number.to_string())
                .collect();
            let which = match changed.len() {
                0 => "its comments".to_string(),
                1 => format!("step {}", changed[0]),
                _ => format!("steps {}", changed.join(", ")),
            };
            return Err(Error::Refused(format!(
                "up.sql edited after planning ({which}; {}): review it and apply with --accept-edits to run it as edited, or plan again",
                pack.dir.display()
            )));
        }
        steps
    } else {
        pack.steps()
    };
    let mut run = Vec::new();
    let mut skipped = Vec::new();
    for (st, step) in m.steps.iter().zip(steps) {
        if step.sql.is_empty() {
            run.push(step);
            let why = match &st.left_out {
                Some(l) => l.describe(),
                None if edited => "removed from up.sql by hand".to_string(),
                None => "nothing to run".to_string(),
            };
            skipped.push(Skipped {
                number: st.number,
                kind: st.kind.clone(),
                object: st.object.clone(),
                why,
                change: st.change.clone(),
            });
            continue;
        }
        if let Some(kind) = st.change.destructive_kind() {
            if let Some(LeftOut::Destructive { .. }) = &st.left_out {
                return Err(Error::Refused(format!(
                    "step {} ({kind} {}) was uncommented by hand, but was not planned with --allow-destructive or --allow {kind}: plan again with it",
                    st.number, st.object
                )));
            }
            if !g.allows(kind) {
                return Err(Error::Refused(format!(
                    "step {} ({kind} {}) is destructive: apply with --allow-destructive or --allow {kind}",
                    st.number, st.object
                )));
            }
        }
        if let Some(LeftOut::With { step: with }) = &st.left_out {
            return Err(Error::Refused(format!(
                "step {} ({} {}) was uncommented by hand, but only makes sense with step {with}, which does not run: plan again",
                st.number, st.kind, st.object
            )));
        }
        run.push(step);
    }
    let all_sql: String = run
        .iter()
        .flat_map(|s| s.sql.iter())
        .map(|q| format!("{q};\n"))
        .collect();
    if let Some(stmt) = pack::unplanned_mass_drop(&all_sql, m) {
        return Err(Error::Refused(format!(
            "the pack runs `{stmt}`, which the plan did not produce: sluice will not run it"
        )));
    }
    Ok(Chosen {
        steps: run,
        skipped,
    })
}

fn squash(sql: &[String]) -> String {
    sql.iter()
        .flat_map(|s| s.split_whitespace())
        .map(|w| w.trim_end_matches(';'))
        .collect::<Vec<_>>()
        .join(" ")
}

/// On a database that commits each DDL statement on its own, the first of `pending` that is
/// certain to fail as TARGET's data stands now (counted again, not taken from the plan): the
/// steps before it would stay applied, so the apply is refused unless `--force-partial`.
pub async fn certain_failure(
    pending: &[&Step],
    now: &crate::model::Catalog,
    source: &crate::model::Catalog,
    db: &crate::dialect::Db,
) -> Result<()> {
    let changes: Vec<crate::model::Change> = pending.iter().map(|s| s.change.clone()).collect();
    let verdicts = crate::engine::risk::assess_with_data(&changes, now, source, Some(db)).await;
    match pending
        .iter()
        .zip(&verdicts)
        .find(|(_, a)| a.certain_failure)
    {
        Some((st, a)) => Err(Error::Refused(format!(
            "step {} ({} {}) is certain to fail ({}), and this database commits each DDL statement on its own: the steps before it would stay applied. Fix TARGET's data and apply again, or apply with --force-partial",
            st.number,
            st.change.kind(),
            st.change.object(),
            a.reason
        ))),
        None => Ok(()),
    }
}
