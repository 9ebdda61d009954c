//! Undoing a plan (`down.sql`, and `rollback` after it): the changes that take TARGET back from
//! where a plan's enabled steps left it to where it was before, ordered by the same dependency
//! graph as any plan, rendered for TARGET's dialect.
//!
//! Each enabled step is undone by the inverse of its change ([`undo`]). Where the data cannot come
//! back but the catalog can (a dropped table or column, a dropped sequence, a narrowed type, removed
//! enum values), the inverse still restores the catalog — the table created again empty, the column
//! added again (on PostgreSQL a NOT NULL column without default first gets a placeholder default,
//! dropped again at once), the type widened back — so that what depends on it (an index or a
//! foreign key over the column) can be restored after it; such an undo is *lossy* and says why.
//!
//! The undo changes are not simply the steps' reverses, last first: a reverse rendered alone does
//! not know what the reverses around it do. They are ordered by [`plan::build`] with the catalogs
//! the other way round (the state the plan leaves is the one the undo starts from, TARGET before
//! the plan is its goal), so that views are dropped before the columns they read change back and
//! created again after, an index follows the column it needs, and so on.

use std::collections::BTreeSet;

use super::{cross, diff, plan};
use crate::dialect::{self, RenderCtx, quote};
use crate::model::change::ColumnUse;
use crate::model::plan::{DownStep, Reverse};
use crate::model::*;

/// What undoes one change.
#[derive(Debug, Clone, PartialEq)]
pub enum Undo {
    /// Changes that undo it completely, catalog and data.
    Exact(Vec<Change>),
    /// Changes that restore the catalog but not the data; `why` says what does not come back.
    Lossy { changes: Vec<Change>, why: String },
    /// Nothing can undo it.
    Irreversible(String),
}

/// The catalogs an undo is worked out against.
pub struct UndoCtx<'a> {
    pub dialect: Dialect,
    /// TARGET before the plan ran: what the undo restores.
    pub before: &'a Catalog,
    /// TARGET as the plan leaves it: SOURCE, its default schema named as TARGET's.
    pub after: &'a Catalog,
    /// The changes of the plan's enabled steps (a dropped table's foreign keys may be steps of
    /// their own, undone on their own).
    pub plan: &'a [Change],
}

impl UndoCtx<'_> {
    /// Undo changes render with the catalogs the other way round: what they make is TARGET's.
    pub fn render_ctx(&self) -> RenderCtx<'_> {
        RenderCtx {
            source: self.before,
            target: self.after,
        }
    }

    fn render(&self, changes: &[Change]) -> Vec<String> {
        let ctx = self.render_ctx();
        changes
            .iter()
            .flat_map(|c| dialect::render(self.dialect, c, &ctx))
            .collect()
    }
}

/// TARGET before and after the plan, as the plan saw them: across dialects SOURCE restated in
/// TARGET's terms (`engine::cross`), and SOURCE's default schema named as TARGET's.
pub fn catalogs(target: &Catalog, source: &Catalog) -> (Catalog, Catalog) {
    if cross::is_cross(target, source) {
        let a = cross::align(target, source);
        let after = diff::align_default_schema(&a.target, &a.source);
        (a.target, after)
    } else {
        (target.clone(), diff::align_default_schema(target, source))
    }
}

/// The changes that undo `change`, or why none can.
pub fn undo(change: &Change, cx: &UndoCtx) -> Undo {
    use Change::*;
    match change {
        DropTable { schema, table } => Undo::Lossy {
            changes: recreate_table(schema, table, cx),
            why: format!(
                "table {} is dropped with its rows: it is created again empty",
                table.name
            ),
        },
        DropColumn { table, column } => {
            let (changes, filler) = re_add_column(table, column, cx);
            if column.generated.is_some() {
                // Its values are computed: nothing is lost.
                return Undo::Exact(changes);
            }
            Undo::Lossy {
                changes,
                why: match filler {
                    Some(f) => format!(
                        "column {} is dropped with its values: it is added again with {f} in every row",
                        column.name
                    ),
                    None => format!(
                        "column {} is dropped with its values: it is added again empty",
                        column.name
                    ),
                },
            }
        }
        DropSequence { schema, sequence } => {
            let mut bare = sequence.clone();
            bare.owned_by = None;
            let mut changes = vec![CreateSequence {
                schema: schema.clone(),
                sequence: bare.clone(),
            }];
            if sequence.owned_by.is_some() {
                changes.push(AlterSequence {
                    schema: schema.clone(),
                    from: bare,
                    to: sequence.clone(),
                });
            }
            Undo::Lossy {
                changes,
                why: format!(
                    "sequence {} is dropped: it is created again at its start, its position is lost",
                    sequence.name
                ),
            }
        }
        AlterColumnType { table, from, to } if from.family.narrows_to(&to.family) => Undo::Lossy {
            changes: vec![AlterColumnType {
                table: table.clone(),
                from: to.clone(),
                to: from.clone(),
            }],
            why: format!(
                "column {}: {} → {} may have cut or converted values: the type is put back, the values are not",
                to.name, from.data_type, to.data_type
            ),
        },
        RebuildEnum {
            schema,
            from,
            to,
            columns,
        } if change.is_destructive() => {
            let removed: Vec<String> = from
                .labels
                .iter()
                .filter(|l| !to.labels.contains(l))
                .map(|l| format!("'{l}'"))
                .collect();
            Undo::Lossy {
                changes: vec![RebuildEnum {
                    schema: schema.clone(),
                    from: to.clone(),
                    to: from.clone(),
                    columns: columns.clone(),
                }],
                why: format!(
                    "enum {}: values {} were removed: the type gets them back, rows that held them do not",
                    to.name,
                    removed.join(", ")
                ),
            }
        }
        AddEnumLabel {
            schema,
            name,
            label,
            ..
        } => match remove_enum_labels(schema, name, cx) {
            Some(c) => Undo::Exact(vec![c]),
            None => Undo::Irreversible(format!(
                "an enum value ('{label}') cannot be removed without rebuilding the type"
            )),
        },
        RebuildTable { .. } if change.is_destructive() => rebuild_back(change, cx),
        RenameTable {
            schema,
            from,
            to,
            score,
        } if cx.dialect == Dialect::Sqlite => {
            Undo::Exact(rename_back_sqlite(schema, from, to, *score, cx))
        }
        other => match other.inverse() {
            Ok(v) => Undo::Exact(v),
            Err(why) => Undo::Irreversible(why),
        },
    }
}

/// The step's own reverse (`plan.json`'s `reverse`): its undo rendered on its own.
pub fn reverse(change: &Change, cx: &UndoCtx) -> Reverse {
    match undo(change, cx) {
        Undo::Exact(v) => Reverse::Sql(cx.render(&v)),
        Undo::Lossy { changes, why } => Reverse::Lossy {
            sql: cx.render(&changes),
            why,
        },
        Undo::Irreversible(why) => Reverse::Irreversible(why),
    }
}

/// A SQLite table renamed back. SQLite rewrites the statements of a renamed table's indexes (with
/// the new name quoted): those the plan leaves alone are made again as TARGET wrote them, so that
/// the catalog is TARGET's to the letter.
fn rename_back_sqlite(schema: &str, from: &str, to: &str, score: u8, cx: &UndoCtx) -> Vec<Change> {
    let mut v = vec![Change::RenameTable {
        schema: schema.into(),
        from: to.into(),
        to: from.into(),
        score,
    }];
    let (Some(was), Some(now)) = (cx.before.table(schema, from), cx.after.table(schema, to)) else {
        return v;
    };
    let planned = |name: &str| {
        cx.plan.iter().any(|c| match c {
            Change::CreateIndex { index, .. } | Change::DropIndex { index, .. } => {
                index.name == name
            }
            Change::RenameIndex { from, to, .. } => from == name || to == name,
            _ => false,
        })
    };
    let table = QualifiedName::new(schema, from);
    for i in was.indexes.iter().filter(|i| i.definition.is_some()) {
        let Some(j) = now.index(&i.name) else {
            continue;
        };
        if planned(&i.name) {
            continue;
        }
        v.push(Change::DropIndex {
            table: table.clone(),
            index: j.clone(),
        });
        v.push(Change::CreateIndex {
            table: table.clone(),
            index: i.clone(),
        });
    }
    v
}

/// A dropped table created again as TARGET had it: the table, its indexes, triggers, policies,
/// comments, and the foreign keys that are not steps of their own.
fn recreate_table(schema: &str, table: &Table, cx: &UndoCtx) -> Vec<Change> {
    let q = QualifiedName::new(schema, &table.name);
    let own_step = |fk: &ForeignKey| {
        cx.plan.iter().any(|c| {
            matches!(c, Change::DropForeignKey { table: t, foreign_key }
                if *t == q && foreign_key.name == fk.name)
        })
    };
    let mut changes: Vec<Change> = diff::create_table_changes(schema, table)
        .into_iter()
        .filter(
            |c| !matches!(c, Change::AddForeignKey { foreign_key, .. } if own_step(foreign_key)),
        )
        .collect();
    match cx.dialect {
        // Foreign keys exist only inside CREATE TABLE.
        Dialect::Sqlite => {
            let mut fks = Vec::new();
            changes.retain(|c| match c {
                Change::AddForeignKey { foreign_key, .. } => {
                    fks.push(foreign_key.clone());
                    false
                }
                _ => true,
            });
            for c in &mut changes {
                if let Change::CreateTable { table, .. } = c {
                    table.foreign_keys = fks.clone();
                }
            }
            changes
        }
        // An AUTO_INCREMENT column's index is made with the table; an index comment with its index.
        Dialect::Mysql => dialect::prepare(Dialect::Mysql, changes, &cx.render_ctx()),
        Dialect::Postgres => changes,
    }
}

/// A dropped column added again as TARGET had it. On PostgreSQL a NOT NULL column without a
/// default cannot be added to a table with rows: it is added with a placeholder default, dropped
/// again at once (returned second). MySQL fills such a column with its type's implicit default.
fn re_add_column(
    table: &QualifiedName,
    column: &Column,
    cx: &UndoCtx,
) -> (Vec<Change>, Option<String>) {
    let needs_filler = cx.dialect == Dialect::Postgres
        && !column.nullable
        && column.default.is_none()
        && column.generated.is_none()
        && column.identity.is_none();
    if needs_filler {
        if let Some(p) = placeholder(&column.family) {
            let mut c = column.clone();
            c.default = Some(p.clone());
            return (
                vec![
                    Change::AddColumn {
                        table: table.clone(),
                        column: c,
                    },
                    Change::SetDefault {
                        table: table.clone(),
                        column: column.name.clone(),
                        from: Some(p.clone()),
                        to: None,
                    },
                ],
                Some(p),
            );
        }
    }
    (
        vec![Change::AddColumn {
            table: table.clone(),
            column: column.clone(),
        }],
        None,
    )
}

/// A PostgreSQL literal of a type's family that a NOT NULL column can hold: zero, empty, false, the
/// epoch, the first enum label. `None` for types without an obvious one.
pub fn placeholder(f: &TypeFamily) -> Option<String> {
    use TypeFamily::*;
    let lit = |s: &str| quote::literal(Dialect::Postgres, s);
    Some(match f {
        Boolean => "false".into(),
        Integer { .. } | Decimal { .. } | Float { .. } => "0".into(),
        Text { .. } | Binary { .. } => "''".into(),
        Date => lit("1970-01-01"),
        Time { .. } => lit("00:00:00"),
        Timestamp { .. } => lit("1970-01-01 00:00:00+00"),
        Interval => lit("0"),
        Json { .. } => lit("{}"),
        Uuid => lit("00000000-0000-0000-0000-000000000000"),
        Enum { values, .. } => lit(values.first()?),
        Array { .. } => lit("{}"),
        Set { .. } | Other { .. } | Any => return None,
    })
}

/// Undoing added enum labels: the type rebuilt with TARGET's labels, the columns that use it (as
/// the plan leaves them) converted.
fn remove_enum_labels(schema: &str, name: &str, cx: &UndoCtx) -> Option<Change> {
    let find = |cat: &Catalog| {
        cat.schema(schema)?
            .enums
            .iter()
            .find(|e| e.name == name)
            .cloned()
    };
    let (now, was) = (find(cx.after)?, find(cx.before)?);
    let qualified = format!("{schema}.{name}");
    let mut columns = Vec::new();
    for (s, t) in cx.after.tables() {
        for c in &t.columns {
            if diff::family_uses_enum(&c.family, &qualified) {
                columns.push(ColumnUse {
                    table: QualifiedName::new(s, t.name.clone()),
                    column: c.name.clone(),
                    default: c.default.clone(),
                    data_type: c.data_type.clone(),
                });
            }
        }
    }
    Some(Change::RebuildEnum {
        schema: schema.into(),
        from: now,
        to: was,
        columns,
    })
}

/// A SQLite rebuild that lost data, rebuilt back: the table as TARGET had it, the surviving rows
/// copied, the lost columns empty.
fn rebuild_back(change: &Change, cx: &UndoCtx) -> Undo {
    let Change::RebuildTable {
        table,
        from,
        to,
        renamed,
        replaces,
    } = change
    else {
        return Undo::Irreversible(String::new());
    };
    let mut back = Vec::new();
    let mut lost = Vec::new();
    for r in replaces.iter().rev() {
        match undo(r, cx) {
            Undo::Exact(v) => back.extend(v),
            Undo::Lossy { changes, why } => {
                back.extend(changes);
                lost.push(why);
            }
            Undo::Irreversible(why) => lost.push(why),
        }
    }
    let dropped: Vec<&str> = from
        .columns
        .iter()
        .filter(|c| {
            c.generated.is_none()
                && to.column(&c.name).is_none()
                && !renamed.iter().any(|(o, _)| *o == c.name)
        })
        .map(|c| c.name.as_str())
        .collect();
    if lost.is_empty() && !dropped.is_empty() {
        lost.push(format!(
            "columns {} are dropped with their values: they are added again empty",
            dropped.join(", ")
        ));
    }
    Undo::Lossy {
        changes: vec![Change::RebuildTable {
            table: QualifiedName::new(table.schema.clone(), from.name.clone()),
            from: to.clone(),
            to: from.clone(),
            renamed: renamed
                .iter()
                .map(|(a, b)| (b.clone(), a.clone()))
                .collect(),
            replaces: back,
        }],
        why: format!("table {} is rebuilt: {}", to.name, lost.join("; ")),
    }
}

/// One change of the undo plan and where it comes from.
struct Entry {
    undoes: usize,
    change: Change,
    why: Option<String>,
}

/// Leaves out undo changes that only modify an object the undo drops anyway: the plan created a
/// sequence and then made a column own it, or created a trigger disabled.
fn drop_moot(entries: &mut Vec<Entry>) {
    let dropped = |pred: &dyn Fn(&Change) -> bool| entries.iter().any(|e| pred(&e.change));
    let moot: Vec<bool> = entries
        .iter()
        .map(|e| match &e.change {
            Change::AlterSequence { schema, to, .. } => dropped(&|c| {
                matches!(c, Change::DropSequence { schema: s, sequence } if s == schema && sequence.name == to.name)
            }),
            Change::SetTriggerEnabled { table, name, .. } => dropped(&|c| match c {
                Change::DropTrigger { table: t, trigger } => t == table && trigger.name == *name,
                Change::DropTable { schema, table: t } => {
                    *schema == table.schema && t.name == table.name
                }
                _ => false,
            }),
            _ => false,
        })
        .collect();
    let mut i = 0;
    entries.retain(|_| {
        i += 1;
        !moot[i - 1]
    });
}

/// The steps of `down.sql`: the undo of every step in `steps` (the plan's *enabled* steps, by
/// number; steps that never ran are not undone), ordered by the dependency graph for TARGET as the
/// plan leaves it (`source`, the plan's SOURCE) going back to TARGET before (`target`). A step
/// that cannot be undone at all gets a step without SQL saying why; a step whose undo is empty
/// gets none. Deterministic: the same plan and catalogs give the same steps.
pub fn down_steps(steps: &[(usize, &Change)], target: &Catalog, source: &Catalog) -> Vec<DownStep> {
    let (before, after) = catalogs(target, source);
    let Some(dialect) = before.dialect.or(after.dialect) else {
        return Vec::new();
    };
    let plan_changes: Vec<Change> = steps.iter().map(|(_, c)| (*c).clone()).collect();
    let cx = UndoCtx {
        dialect,
        before: &before,
        after: &after,
        plan: &plan_changes,
    };
    let mut entries: Vec<Entry> = Vec::new();
    let mut notes: Vec<DownStep> = Vec::new();
    // Several labels added to one enum: one rebuild takes them all away.
    let mut rebuilt_enums: BTreeSet<String> = BTreeSet::new();
    for (n, c) in steps {
        let (changes, why) = match undo(c, &cx) {
            Undo::Exact(v) => (v, None),
            Undo::Lossy { changes, why } => (changes, Some(why)),
            Undo::Irreversible(why) => {
                notes.push(DownStep {
                    number: 0,
                    undoes: *n,
                    change: Change::Unsupported {
                        object_kind: c.object_kind().into(),
                        object: c.object(),
                        detail: format!("cannot be undone: {why}"),
                    },
                    sql: Vec::new(),
                    irreversible: Some(why),
                });
                continue;
            }
        };
        for ch in changes {
            if matches!(c, Change::AddEnumLabel { .. }) && !rebuilt_enums.insert(ch.object()) {
                continue;
            }
            entries.push(Entry {
                undoes: *n,
                change: ch,
                why: why.clone(),
            });
        }
    }
    drop_moot(&mut entries);
    let ctx = cx.render_ctx();
    let render = |c: &Change| dialect::render(dialect, c, &ctx);
    let changes: Vec<Change> = entries.iter().map(|e| e.change.clone()).collect();
    let ordered: Vec<(usize, Vec<String>)> =
        match plan::build_indexed(&changes, &after, &before, render) {
            Ok(built) => built.into_iter().map(|(i, s)| (i, s.sql)).collect(),
            // The undo cannot be ordered by the graph: the steps' undos, last step first.
            Err(_) => {
                let mut idx: Vec<usize> = (0..entries.len()).collect();
                idx.sort_by_key(|&i| std::cmp::Reverse(entries[i].undoes));
                idx.into_iter()
                    .map(|i| (i, dialect::render(dialect, &entries[i].change, &ctx)))
                    .collect()
            }
        };
    let mut out: Vec<DownStep> = ordered
        .into_iter()
        .filter(|(i, sql)| !sql.is_empty() || entries[*i].why.is_some())
        .map(|(i, sql)| DownStep {
            number: 0,
            undoes: entries[i].undoes,
            change: entries[i].change.clone(),
            sql,
            irreversible: entries[i].why.clone(),
        })
        .collect();
    out.extend(notes);
    for (i, s) in out.iter_mut().enumerate() {
        s.number = i + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::diff::DiffOptions;
    use crate::engine::schema;
    use serde_json::json;

    fn col(name: &str, ordinal: u32, ty: &str, family: serde_json::Value) -> serde_json::Value {
        json!({"name": name, "ordinal": ordinal, "data_type": ty, "family": family, "nullable": true})
    }

    fn int(name: &str, ordinal: u32) -> serde_json::Value {
        col(
            name,
            ordinal,
            "integer",
            json!({"family": "integer", "bits": 32}),
        )
    }

    fn text(name: &str, ordinal: u32) -> serde_json::Value {
        col(name, ordinal, "text", json!({"family": "text"}))
    }

    fn pg(tables: serde_json::Value, views: serde_json::Value) -> Catalog {
        serde_json::from_value(json!({
            "dialect": "postgres", "flavor": "postgres", "default_schema": "public",
            "schemas": [{"name": "public", "tables": tables, "views": views}]
        }))
        .expect("catalog")
    }

    fn view_over(columns: &[&str]) -> serde_json::Value {
        let list: Vec<String> = columns.iter().map(|c| format!("t.{c}")).collect();
        json!([{
            "name": "v",
            "definition": format!(" SELECT {}\n   FROM public.t;", list.join(", ")),
            "columns": columns,
            "depends_on": [{"kind": "table", "schema": "public", "name": "t"}]
        }])
    }

    /// Plans `target` → `source` and undoes every step.
    fn up_and_down(target: &Catalog, source: &Catalog) -> (schema::SchemaPlan, Vec<DownStep>) {
        let plan = schema::plan(target, source, &DiffOptions::default()).expect("plan");
        let steps: Vec<(usize, &Change)> =
            plan.steps.iter().map(|s| (s.number, &s.change)).collect();
        let down = down_steps(&steps, target, source);
        (plan, down)
    }

    fn position(down: &[DownStep], kind: &str) -> usize {
        down.iter()
            .position(|d| d.change.kind() == kind)
            .unwrap_or_else(|| panic!("no {kind} in {down:#?}"))
    }

    #[test]
    fn a_view_over_a_renamed_column_is_dropped_before_the_rename_is_undone_and_made_after() {
        let target = pg(
            json!([{"name": "t", "columns": [int("id", 1), text("name", 2)]}]),
            view_over(&["id", "name"]),
        );
        let source = pg(
            json!([{"name": "t", "columns": [int("id", 1), text("full_name", 2)]}]),
            view_over(&["id", "full_name"]),
        );
        let (plan, down) = up_and_down(&target, &source);
        assert!(
            plan.changes.iter().any(|c| c.kind() == "rename_column"),
            "{:#?}",
            plan.changes
        );
        let (drop, rename, create) = (
            position(&down, "drop_view"),
            position(&down, "rename_column"),
            position(&down, "create_view"),
        );
        assert!(drop < rename && rename < create, "{down:#?}");
        assert!(down[create].sql[0].contains("t.name"), "{down:#?}");
        assert!(down.iter().all(|d| d.irreversible.is_none()));
        // Numbered in run order; each names the step it undoes.
        for (i, d) in down.iter().enumerate() {
            assert_eq!(d.number, i + 1);
            let undone = &plan.steps[d.undoes - 1];
            assert_eq!(undone.number, d.undoes);
        }
        // The same plan and catalogs: the same down steps.
        assert_eq!(up_and_down(&target, &source).1, down);
    }

    #[test]
    fn a_dropped_not_null_column_comes_back_with_a_placeholder_before_its_index() {
        let mut code = text("code", 2);
        code["nullable"] = json!(false);
        let target = pg(
            json!([{"name": "t", "columns": [int("id", 1), code],
                    "indexes": [{"name": "t_code", "unique": false, "keys": [{"key": "code"}]}]}]),
            json!([]),
        );
        let source = pg(json!([{"name": "t", "columns": [int("id", 1)]}]), json!([]));
        let (plan, down) = up_and_down(&target, &source);
        let dropped = plan
            .steps
            .iter()
            .find(|s| s.change.kind() == "drop_column")
            .expect("a drop");
        let add = position(&down, "add_column");
        let default = position(&down, "set_default");
        let index = position(&down, "create_index");
        assert!(add < default && add < index, "{down:#?}");
        assert_eq!(down[add].undoes, dropped.number);
        assert_eq!(
            down[add].sql,
            vec![r#"ALTER TABLE "public"."t" ADD COLUMN "code" text DEFAULT '' NOT NULL"#]
        );
        assert_eq!(
            down[default].sql,
            vec![r#"ALTER TABLE "public"."t" ALTER COLUMN "code" DROP DEFAULT"#]
        );
        let why = down[add].irreversible.as_deref().expect("lossy");
        assert!(
            why.contains("column code is dropped with its values"),
            "{why}"
        );
        assert!(down[index].irreversible.is_none());
        // The step's own reverse says the same.
        match &dropped.reverse {
            Reverse::Lossy { sql, why } => {
                assert_eq!(sql.len(), 2);
                assert!(why.contains("''"), "{why}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_the_steps_given_are_undone() {
        let target = pg(
            json!([{"name": "t", "columns": [int("id", 1), text("legacy", 2)]}]),
            json!([]),
        );
        let source = pg(
            json!([{"name": "t", "columns": [int("id", 1), text("note", 2)]}]),
            json!([]),
        );
        let no_renames = DiffOptions {
            renames: false,
            ..DiffOptions::default()
        };
        let plan = schema::plan(&target, &source, &no_renames).expect("plan");
        // The destructive drop did not run.
        let ran: Vec<(usize, &Change)> = plan
            .steps
            .iter()
            .filter(|s| !s.change.is_destructive())
            .map(|s| (s.number, &s.change))
            .collect();
        assert!(ran.len() < plan.steps.len(), "{:#?}", plan.changes);
        let down = down_steps(&ran, &target, &source);
        assert!(!down.is_empty());
        assert!(
            down.iter()
                .all(|d| ran.iter().any(|(n, _)| *n == d.undoes) && d.irreversible.is_none()),
            "{down:#?}"
        );
        assert!(
            !down
                .iter()
                .any(|d| d.sql.iter().any(|q| q.contains("legacy")))
        );
    }

    #[test]
    fn a_dropped_generated_column_loses_nothing() {
        let mut g = int("twice", 2);
        g["generated"] = json!({"expression": "(id * 2)", "stored": true});
        let target = pg(
            json!([{"name": "t", "columns": [int("id", 1), g]}]),
            json!([]),
        );
        let source = pg(json!([{"name": "t", "columns": [int("id", 1)]}]), json!([]));
        let (_, down) = up_and_down(&target, &source);
        assert_eq!(down.len(), 1, "{down:#?}");
        assert_eq!(down[0].irreversible, None);
        assert!(down[0].sql[0].contains("GENERATED ALWAYS AS ((id * 2)) STORED"));
    }

    #[test]
    fn placeholders_fit_their_types() {
        use TypeFamily::*;
        assert_eq!(placeholder(&Boolean).as_deref(), Some("false"));
        assert_eq!(
            placeholder(&Integer {
                bits: 64,
                unsigned: false
            })
            .as_deref(),
            Some("0")
        );
        assert_eq!(
            placeholder(&Enum {
                type_name: None,
                values: vec!["it's".into(), "b".into()]
            })
            .as_deref(),
            Some("'it''s'")
        );
        assert_eq!(
            placeholder(&Enum {
                type_name: None,
                values: vec![]
            }),
            None
        );
        assert_eq!(
            placeholder(&Other {
                name: "inet".into()
            }),
            None
        );
    }

    #[test]
    fn reverse_keeps_its_json_shapes() {
        let shapes = [
            (
                Reverse::Sql(vec!["DROP TABLE a".into()]),
                json!({"sql": ["DROP TABLE a"]}),
            ),
            (
                Reverse::Lossy {
                    sql: vec!["ALTER TABLE a ADD COLUMN b int".into()],
                    why: "b's values".into(),
                },
                json!({"lossy": {"sql": ["ALTER TABLE a ADD COLUMN b int"], "why": "b's values"}}),
            ),
            (
                Reverse::Irreversible("gone".into()),
                json!({"irreversible": "gone"}),
            ),
        ];
        for (r, want) in shapes {
            assert_eq!(serde_json::to_value(&r).expect("json"), want);
            let back: Reverse = serde_json::from_value(want).expect("read back");
            assert_eq!(back, r);
        }
    }

    fn pack_down_sql(target: &Catalog, source: &Catalog) -> String {
        let plan = schema::plan(target, source, &DiffOptions::default()).expect("plan");
        let options = crate::engine::pack::PackOptions {
            renames: true,
            rename_threshold: 70,
            allow_destructive: true,
            allow: Vec::new(),
            filter: Vec::new(),
            ..Default::default()
        };
        let m = crate::engine::pack::manifest(
            &plan,
            source,
            target,
            "s".into(),
            "t".into(),
            options,
            "2026-01-01T00:00:00Z".into(),
            None,
        );
        crate::engine::pack::down_sql(&m)
    }

    #[test]
    fn mysql_down_sql_wraps_bodies_for_the_client_and_says_it_is_not_transactional() {
        let cat = |db: &str, triggers: serde_json::Value| -> Catalog {
            serde_json::from_value(json!({
                "dialect": "mysql", "flavor": "mariadb", "default_schema": db,
                "schemas": [{"name": db, "tables": [{
                    "name": "t",
                    "columns": [col("id", 1, "int(11)", json!({"family": "integer", "bits": 32}))],
                    "triggers": triggers
                }]}]
            }))
            .expect("catalog")
        };
        let body = "BEGIN SET NEW.id = 1; SET NEW.id = NEW.id + 1; END";
        let target = cat(
            "a",
            json!([{"name": "t_bi", "timing": "BEFORE", "events": ["INSERT"], "level": "ROW",
                    "body": body, "definition": ""}]),
        );
        let source = cat("b", json!([]));
        let sql = pack_down_sql(&target, &source);
        assert!(sql.contains("NOT transactional"), "{sql}");
        assert!(!sql.contains("BEGIN;"), "{sql}");
        assert!(
            sql.contains(&format!(
                "DELIMITER $$\nCREATE TRIGGER `t_bi` BEFORE INSERT ON `t` FOR EACH ROW {body}$$\nDELIMITER ;"
            )),
            "{sql}"
        );
    }

    #[test]
    fn sqlite_down_sql_turns_foreign_keys_off_then_runs_as_one_transaction() {
        let cat = |columns: serde_json::Value| -> Catalog {
            serde_json::from_value(json!({
                "dialect": "sqlite", "flavor": "sqlite", "default_schema": "main",
                "schemas": [{"name": "main", "tables": [{"name": "t", "columns": columns}]}]
            }))
            .expect("catalog")
        };
        let target = cat(json!([int("id", 1)]));
        let source = cat(json!([int("id", 1), text("note", 2)]));
        let sql = pack_down_sql(&target, &source);
        let (pragma, begin, drop, commit) = (
            sql.find("PRAGMA foreign_keys = OFF;").expect("prologue"),
            sql.find("\nBEGIN;").expect("BEGIN"),
            sql.find("ALTER TABLE \"t\" DROP COLUMN \"note\";")
                .expect("the undo"),
            sql.find("\nCOMMIT;").expect("COMMIT"),
        );
        assert!(pragma < begin && begin < drop && drop < commit, "{sql}");
        assert!(
            sql.contains("-- down 1: undoes step 1 (add_column main.t.note)"),
            "{sql}"
        );
    }
}
