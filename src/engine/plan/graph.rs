//! The plan's order: edges from the declarations of `deps.rs`, then Kahn's algorithm with a
//! deterministic priority ([`phase`], then the object, then the change's index), so the same two
//! catalogs always give a byte-identical plan; a cycle is reported with its members.

use std::cmp::Reverse as Rev;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};

use petgraph::graph::{DiGraph, NodeIndex};

use super::deps::deps;
use super::keys::{Deps, Key, Known};
use super::{Cycle, Reverse, Step};
use crate::model::*;

/// Phase of a change: the order steps take when nothing else decides. Lower runs first.
pub fn phase(c: &Change) -> u32 {
    use Change::*;
    match c {
        DropTrigger { .. } | DropPolicy { .. } => 10,
        DropView { .. } => 11,
        DropForeignKey { .. } => 12,
        DropIndex { .. } => 13,
        DropCheck { .. } | DropUnique { .. } => 14,
        DropPrimaryKey { .. } => 15,
        DetachPartition { .. } | SetInherit { inherit: false, .. } => 16,
        CreateSchema { .. } => 20,
        CreateExtension { .. } | AlterExtension { .. } => 21,
        CreateEnum { .. } | AddEnumLabel { .. } | RenameEnumLabel { .. } => 22,
        CreateDomain { .. } | AlterDomain { .. } | CreateCompositeType { .. } => 23,
        CreateSequence { .. } => 24,
        CreateFunction { .. } | ReplaceFunction { .. } => 25,
        RenameTable { .. } => 30,
        AlterTableOptions { .. } => 35,
        RenameColumn { .. } => 31,
        CreateTable { .. } => 40,
        AddColumn { .. } => 41,
        SetDefault { to: None, .. } => 42,
        AlterIdentity { to: None, .. } => 43,
        DropNotNull { .. } => 44,
        AlterGenerated { .. } => 45,
        AlterColumnType { .. } | RebuildEnum { .. } => 46,
        SetDefault { to: Some(_), .. } => 47,
        SetNotNull { .. } => 48,
        AlterIdentity { .. } => 49,
        DropColumn { .. } => 50,
        AlterSequence { .. } => 51,
        RebuildTable { .. } => 55,
        AddPrimaryKey { .. } => 60,
        AddUnique { .. } | AddCheck { .. } | ValidateConstraint { .. } => 61,
        RenameConstraint { .. } | RenameIndex { .. } => 32,
        AttachPartition { .. } | SetInherit { .. } | SetLogged { .. } => 62,
        AddForeignKey { .. } => 63,
        CreateIndex { .. } => 64,
        CreateView { .. } | ReplaceView { .. } => 70,
        CreateTrigger { .. } | SetTriggerEnabled { .. } => 71,
        SetRowSecurity { .. } | CreatePolicy { .. } => 72,
        SetComment { .. } => 80,
        DropTable { .. } => 90,
        DropSequence { .. } => 91,
        DropFunction { .. } => 92,
        DropEnum { .. } | DropDomain { .. } | DropCompositeType { .. } => 93,
        DropExtension { .. } => 94,
        DropSchema { .. } => 95,
        Unsupported { .. } => 99,
    }
}

fn is_rename(c: &Change) -> bool {
    matches!(
        c,
        Change::RenameTable { .. }
            | Change::RenameColumn { .. }
            | Change::RenameConstraint { .. }
            | Change::RenameIndex { .. }
    )
}

/// What orders steps of one phase that nothing else orders: the object's name; columns that are
/// added at the end of their table (new ones, and generated ones PostgreSQL drops and adds again)
/// by their position in the catalog being made, so that the columns end up in its order.
fn order_key(c: &Change) -> String {
    match c {
        Change::AddColumn { table, column } => format!("{table}\u{1}{:010}", column.ordinal),
        Change::AlterGenerated { table, to, .. } => format!("{table}\u{1}{:010}", to.ordinal),
        other => other.object(),
    }
}

/// Orders changes into a plan. `render` turns one change into its SQL statements.
pub fn build(
    changes: &[Change],
    target: &Catalog,
    source: &Catalog,
    render: impl Fn(&Change) -> Vec<String>,
) -> Result<Vec<Step>, Cycle> {
    build_indexed(changes, target, source, render).map(|v| v.into_iter().map(|(_, s)| s).collect())
}

/// [`build`], each step with the index in `changes` of the change it makes.
pub fn build_indexed(
    changes: &[Change],
    target: &Catalog,
    source: &Catalog,
    render: impl Fn(&Change) -> Vec<String>,
) -> Result<Vec<(usize, Step)>, Cycle> {
    // Changes name SOURCE's objects in TARGET's default schema (two MySQL databases differ in name).
    let source = &crate::engine::diff::align_default_schema(target, source);
    let known = Known::new(&[target, source]);
    let all: Vec<Deps> = changes
        .iter()
        .map(|c| deps(c, target, source, &known))
        .collect();
    let mut g: DiGraph<usize, ()> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..changes.len()).map(|i| g.add_node(i)).collect();
    let mut providers: HashMap<&Key, Vec<usize>> = HashMap::new();
    let mut removers: HashMap<&Key, Vec<usize>> = HashMap::new();
    let mut touchers: HashMap<&Key, Vec<usize>> = HashMap::new();
    for (i, d) in all.iter().enumerate() {
        for k in &d.provides {
            providers.entry(k).or_default().push(i);
        }
        for k in &d.removes {
            removers.entry(k).or_default().push(i);
        }
        for k in &d.touches {
            touchers.entry(k).or_default().push(i);
        }
    }
    let mut edges: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut edge = |a: usize, b: usize| {
        if a != b {
            edges.insert((a, b));
        }
    };
    let empty: Vec<usize> = Vec::new();
    for (i, d) in all.iter().enumerate() {
        for k in &d.requires {
            let prov = providers.get(k).unwrap_or(&empty);
            for &p in prov {
                edge(p, i);
            }
            for &t in touchers.get(k).unwrap_or(&empty) {
                if !d.touches.contains(k) {
                    edge(t, i);
                }
            }
            if prov.is_empty() {
                for &r in removers.get(k).unwrap_or(&empty) {
                    edge(i, r);
                }
            }
        }
        for k in &d.needs {
            let prov = providers.get(k).unwrap_or(&empty);
            for &p in prov {
                edge(p, i);
            }
            if prov.is_empty() {
                for &r in removers.get(k).unwrap_or(&empty) {
                    edge(i, r);
                }
            }
        }
        for k in &d.old_refs {
            for &r in removers.get(k).unwrap_or(&empty) {
                edge(i, r);
            }
            // A drop goes before anything that changes what it referred to.
            if !d.removes.is_empty() && d.provides.is_empty() {
                for &t in touchers.get(k).unwrap_or(&empty) {
                    edge(i, t);
                }
                for &p in providers.get(k).unwrap_or(&empty) {
                    if !removers.get(k).unwrap_or(&empty).contains(&p) {
                        edge(i, p);
                    }
                }
            }
        }
        for k in &d.removes {
            for &p in providers.get(k).unwrap_or(&empty) {
                if p != i && !all[p].removes.contains(k) {
                    if is_rename(&changes[p]) {
                        // What a rename brings under the new name is dropped after it (a column of
                        // a renamed table), not before a re-creation.
                        edge(p, i);
                    } else {
                        edge(i, p);
                    }
                }
            }
        }
        for k in &d.provides {
            for &t in touchers.get(k).unwrap_or(&empty) {
                edge(i, t);
            }
        }
    }
    // Steps modifying the same object, in phase order.
    for (key, list) in &touchers {
        // A table's shape is touched by every column change; those need no order among
        // themselves (views simply wait for all of them).
        if matches!(key, Key::Shape(_)) {
            continue;
        }
        let mut l = list.clone();
        l.sort_by_key(|&i| (phase(&changes[i]), i));
        for w in l.windows(2) {
            if phase(&changes[w[0]]) != phase(&changes[w[1]]) || w[0] < w[1] {
                edges.insert((w[0], w[1]));
            }
        }
    }
    for (a, b) in &edges {
        g.add_edge(nodes[*a], nodes[*b], ());
    }

    // Kahn's algorithm with a deterministic priority: phase, then object, then change order.
    let prio = |i: usize| (phase(&changes[i]), order_key(&changes[i]), i);
    let mut indegree: Vec<usize> = nodes
        .iter()
        .map(|n| {
            g.neighbors_directed(*n, petgraph::Direction::Incoming)
                .count()
        })
        .collect();
    let mut ready: BinaryHeap<Rev<(u32, String, usize)>> = indegree
        .iter()
        .enumerate()
        .filter(|(_, d)| **d == 0)
        .map(|(i, _)| Rev(prio(i)))
        .collect();
    let mut order = Vec::with_capacity(changes.len());
    while let Some(Rev((_, _, i))) = ready.pop() {
        order.push(i);
        for n in g.neighbors_directed(nodes[i], petgraph::Direction::Outgoing) {
            let j = g[n];
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.push(Rev(prio(j)));
            }
        }
    }
    if order.len() < changes.len() {
        let sccs = petgraph::algo::tarjan_scc(&g);
        let cycle = sccs
            .into_iter()
            .find(|c| c.len() > 1)
            .map(|c| {
                let mut objs: Vec<String> = c
                    .iter()
                    .map(|n| {
                        let ch = &changes[g[*n]];
                        format!("{} {}", ch.kind(), ch.object())
                    })
                    .collect();
                objs.sort();
                objs
            })
            .unwrap_or_default();
        return Err(Cycle { objects: cycle });
    }
    let position: BTreeMap<usize, usize> = order
        .iter()
        .enumerate()
        .map(|(pos, &i)| (i, pos + 1))
        .collect();
    let with = together(&all, &providers, &removers, changes);
    Ok(order
        .iter()
        .enumerate()
        .map(|(pos, &i)| {
            let mut after: Vec<usize> = g
                .neighbors_directed(nodes[i], petgraph::Direction::Incoming)
                .map(|n| position[&g[n]])
                .collect();
            after.sort();
            after.dedup();
            let step = Step {
                number: pos + 1,
                change: changes[i].clone(),
                sql: render(&changes[i]),
                after,
                with: with[i].iter().map(|j| position[j]).collect(),
                reverse: Reverse::default(),
                risk: None,
            };
            (i, step)
        })
        .collect())
}

/// For each change, the changes it only makes sense together with: when one of those is left out
/// of an apply (a destructive step not allowed), this one is left out too. By change index.
/// - A pure drop (it removes and re-creates nothing) of an object whose old form refers to what
///   another change removes exists to serve that removal (the index and foreign key over a
///   dropped column): if the column stays, so do they.
/// - A change that creates a key another change removes re-creates it (drop, then create): the
///   two go together, both ways.
/// - A change that needs, in any form, what another change creates waits for it.
fn together(
    all: &[Deps],
    providers: &HashMap<&Key, Vec<usize>>,
    removers: &HashMap<&Key, Vec<usize>>,
    changes: &[Change],
) -> Vec<BTreeSet<usize>> {
    let empty: Vec<usize> = Vec::new();
    all.iter()
        .enumerate()
        .map(|(i, d)| {
            let mut with = BTreeSet::new();
            let pure_drop = !d.removes.is_empty()
                && d.provides.is_empty()
                && !d.removes.iter().any(|k| providers.contains_key(k));
            if pure_drop {
                for k in &d.old_refs {
                    with.extend(removers.get(k).unwrap_or(&empty).iter().copied());
                }
            }
            for k in &d.provides {
                for &r in removers.get(k).unwrap_or(&empty) {
                    if !is_rename(&changes[r]) && !is_rename(&changes[i]) {
                        with.insert(r);
                    }
                }
            }
            for k in &d.removes {
                for &p in providers.get(k).unwrap_or(&empty) {
                    if !is_rename(&changes[p]) && !is_rename(&changes[i]) {
                        with.insert(p);
                    }
                }
            }
            for k in d.requires.iter().chain(&d.needs).chain(&d.touches) {
                with.extend(providers.get(k).unwrap_or(&empty).iter().copied());
            }
            with.remove(&i);
            with
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(name: &str, reads: &str) -> View {
        View {
            name: name.into(),
            materialized: false,
            definition: format!("SELECT * FROM public.{reads}"),
            columns: vec!["x".into()],
            check_option: None,
            options: vec![],
            depends_on: vec![ObjectRef {
                kind: ObjectKind::View,
                schema: "public".into(),
                name: reads.into(),
            }],
            indexes: vec![],
            triggers: vec![],
            comment: None,
        }
    }

    #[test]
    fn a_cycle_is_reported_with_its_members() {
        let changes = vec![
            Change::CreateView {
                schema: "public".into(),
                view: view("a", "b"),
            },
            Change::CreateView {
                schema: "public".into(),
                view: view("b", "a"),
            },
            Change::CreateSchema {
                name: "other".into(),
            },
        ];
        let cat = Catalog::default();
        let err = build(&changes, &cat, &cat, |_| vec![]).expect_err("a cycle");
        assert_eq!(
            err.objects,
            vec![
                "create_view public.a".to_string(),
                "create_view public.b".to_string()
            ]
        );
        assert!(err.to_string().contains("cycle"));
    }

    #[test]
    fn creators_come_before_users_whatever_the_input_order() {
        let changes = vec![
            Change::CreateView {
                schema: "public".into(),
                view: view("b", "a"),
            },
            Change::CreateView {
                schema: "public".into(),
                view: view("a", "base"),
            },
        ];
        let cat = Catalog::default();
        let steps = build(&changes, &cat, &cat, |_| vec![]).expect("a plan");
        assert_eq!(steps[0].change.object(), "public.a");
        assert_eq!(steps[1].after, vec![1]);
    }

    #[test]
    fn a_column_of_a_renamed_table_is_dropped_after_the_rename() {
        let col = |n: &str| Column {
            name: n.into(),
            ordinal: 1,
            data_type: "integer".into(),
            nullable: true,
            ..Column::default()
        };
        let mut target = Catalog {
            default_schema: "public".into(),
            ..Catalog::default()
        };
        target.schema_mut("public").tables.push(Table {
            name: "clients".into(),
            columns: vec![col("id"), col("town")],
            ..Table::default()
        });
        let changes = vec![
            Change::DropColumn {
                table: QualifiedName::new("public", "client"),
                column: col("town"),
            },
            Change::RenameTable {
                schema: "public".into(),
                from: "clients".into(),
                to: "client".into(),
                score: 90,
            },
        ];
        let steps = build(&changes, &target, &Catalog::default(), |_| vec![]).expect("no cycle");
        assert_eq!(steps[0].change.kind(), "rename_table");
        assert_eq!(steps[1].after, vec![1]);
    }

    fn function(name: &str, kind: RoutineKind, definition: &str) -> Function {
        Function {
            name: name.into(),
            kind,
            arguments: "text, text".into(),
            returns: Some("text".into()),
            language: "sql".into(),
            definition: definition.into(),
            volatility: None,
            security_definer: false,
            depends_on: vec![],
            comment: None,
        }
    }

    /// An aggregate over state function `sfunc`, and a catalog with both.
    fn aggregate(sfunc: &str) -> (Function, Function, Catalog) {
        let f = function(sfunc, RoutineKind::Function, "CREATE FUNCTION …");
        let agg = function(
            "concat_all",
            RoutineKind::Aggregate,
            &format!(
                "CREATE AGGREGATE public.concat_all(text) (SFUNC = public.{sfunc}, STYPE = text)"
            ),
        );
        let mut cat = Catalog {
            default_schema: "public".into(),
            ..Catalog::default()
        };
        cat.schema_mut("public").functions = vec![f.clone(), agg.clone()];
        (f, agg, cat)
    }

    #[test]
    fn an_aggregate_is_dropped_before_its_state_function_and_created_after() {
        // Names that sort the other way round.
        let (f, agg, cat) = aggregate("_concat");
        let drops: Vec<Change> = [f, agg]
            .into_iter()
            .map(|function| Change::DropFunction {
                schema: "public".into(),
                function,
            })
            .collect();
        let steps = build(&drops, &cat, &Catalog::default(), |_| vec![]).expect("no cycle");
        assert_eq!(steps[0].change.object(), "public.concat_all(text, text)");
        let (f, agg, cat) = aggregate("zz_concat");
        let creates: Vec<Change> = [agg, f]
            .into_iter()
            .map(|function| Change::CreateFunction {
                schema: "public".into(),
                function,
            })
            .collect();
        let steps = build(&creates, &Catalog::default(), &cat, |_| vec![]).expect("no cycle");
        assert_eq!(steps[0].change.object(), "public.zz_concat(text, text)");
    }

    #[test]
    fn a_parents_column_is_dropped_before_an_inheritance_childs_copy() {
        let col = |n: &str| Column {
            name: n.into(),
            ordinal: 1,
            data_type: "integer".into(),
            nullable: true,
            ..Column::default()
        };
        let mut target = Catalog {
            default_schema: "public".into(),
            ..Catalog::default()
        };
        let parent = QualifiedName::new("public", "vehicles");
        let child = QualifiedName::new("public", "cars");
        target.schema_mut("public").tables = vec![
            Table {
                name: "vehicles".into(),
                columns: vec![col("vin")],
                ..Table::default()
            },
            Table {
                name: "cars".into(),
                columns: vec![col("vin")],
                inherits: vec![parent.clone()],
                ..Table::default()
            },
        ];
        let changes = vec![
            Change::DropColumn {
                table: child,
                column: col("vin"),
            },
            Change::DropColumn {
                table: parent,
                column: col("vin"),
            },
        ];
        let steps = build(&changes, &target, &Catalog::default(), |_| vec![]).expect("no cycle");
        assert_eq!(steps[0].change.object(), "public.vehicles.vin");
        assert_eq!(steps[1].after, vec![1]);
    }
}
