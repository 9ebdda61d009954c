//! What each change declares about the objects it works on: [`deps`] is one arm per variant,
//! read from the change and both catalogs (TARGET as it is, SOURCE as it will be). The graph
//! (`graph.rs`) turns the declarations into edges; nothing here orders anything.

use std::collections::BTreeSet;

use super::keys::*;
use crate::model::change::ColumnUse;
use crate::model::*;

/// The keys a change creates, drops, modifies, needs, and whose old form it refers to.
pub fn deps(change: &Change, target: &Catalog, source: &Catalog, known: &Known) -> Deps {
    use Change::*;
    let mut d = Deps::default();
    let schema = change.schema();
    if !schema.is_empty() && !matches!(change, CreateSchema { .. } | DropSchema { .. }) {
        if change.sign() == '-' {
            d.old_refs.push(Key::Schema(schema.clone()));
        } else {
            d.requires.push(Key::Schema(schema.clone()));
        }
    }
    let unique_target = |t: &QualifiedName, cols: &[String], cat: &Catalog| -> Option<Key> {
        let table = cat.table(&t.schema, &t.name)?;
        if let Some(pk) = &table.primary_key {
            if pk.columns == cols {
                return Some(Key::primary_key(t, pk));
            }
        }
        for u in &table.uniques {
            if u.columns == cols {
                return Some(Key::Constraint(t.clone(), u.name.clone()));
            }
        }
        for i in &table.indexes {
            let keys: Vec<String> = i.keys.iter().map(|k| k.key.clone()).collect();
            if i.unique && keys == cols {
                return Some(Key::Index(tq(&t.schema, &i.name)));
            }
        }
        None
    };
    match change {
        CreateSchema { name } => d.provides.push(Key::Schema(name.clone())),
        DropSchema { name } => d.removes.push(Key::Schema(name.clone())),
        CreateExtension { extension } => {
            d.provides.push(Key::Extension(extension.name.clone()));
            d.requires.push(Key::Schema(extension.schema.clone()));
        }
        DropExtension { extension } => d.removes.push(Key::Extension(extension.name.clone())),
        AlterExtension { to, .. } => d.touches.push(Key::Extension(to.name.clone())),
        CreateEnum { schema, enum_type } => d.provides.push(Key::Type(tq(schema, &enum_type.name))),
        DropEnum { schema, enum_type } => d.removes.push(Key::Type(tq(schema, &enum_type.name))),
        AddEnumLabel { schema, name, .. } | RenameEnumLabel { schema, name, .. } => {
            d.touches.push(Key::Type(tq(schema, name)))
        }
        RebuildEnum {
            schema,
            to,
            columns,
            ..
        } => {
            d.touches.push(Key::Type(tq(schema, &to.name)));
            for ColumnUse { table, column, .. } in columns {
                d.touches.push(Key::Column(table.clone(), column.clone()));
                d.touches.push(Key::Shape(table.clone()));
                d.requires.push(Key::Table(table.clone()));
            }
        }
        CreateDomain { schema, domain } => {
            d.provides.push(Key::Type(tq(schema, &domain.name)));
            d.requires.extend(refs_in(&domain.base_type, known));
            for c in &domain.checks {
                d.requires.extend(refs_in(&c.expression, known));
            }
        }
        DropDomain { schema, domain } => d.removes.push(Key::Type(tq(schema, &domain.name))),
        AlterDomain { schema, to, .. } => {
            d.touches.push(Key::Type(tq(schema, &to.name)));
            for c in &to.checks {
                d.requires.extend(refs_in(&c.expression, known));
            }
        }
        CreateCompositeType { schema, composite } => {
            d.provides.push(Key::Type(tq(schema, &composite.name)));
            for (_, t) in &composite.attributes {
                d.requires.extend(refs_in(t, known));
            }
        }
        DropCompositeType { schema, composite } => {
            d.removes.push(Key::Type(tq(schema, &composite.name)))
        }
        CreateSequence { schema, sequence } => {
            d.provides.push(Key::Sequence(tq(schema, &sequence.name)))
        }
        DropSequence { schema, sequence } => {
            d.removes.push(Key::Sequence(tq(schema, &sequence.name)))
        }
        AlterSequence { schema, to, from } => {
            d.touches.push(Key::Sequence(tq(schema, &to.name)));
            if let Some(o) = &to.owned_by {
                d.requires
                    .push(Key::Column(tq(&o.schema, &o.table), o.column.clone()));
            }
            if let Some(o) = &from.owned_by {
                d.old_refs
                    .push(Key::Column(tq(&o.schema, &o.table), o.column.clone()));
            }
        }
        CreateTable { schema, table } => {
            let t = tq(schema, &table.name);
            d.provides.push(Key::Table(t.clone()));
            d.provides.push(Key::Shape(t.clone()));
            for c in &table.columns {
                d.provides.push(Key::Column(t.clone(), c.name.clone()));
                d.refs(column_refs(c, known));
            }
            if let Some(pk) = &table.primary_key {
                d.provides.push(Key::primary_key(&t, pk));
            }
            for u in &table.uniques {
                d.provides.push(Key::Constraint(t.clone(), u.name.clone()));
            }
            for c in &table.checks {
                d.provides.push(Key::Constraint(t.clone(), c.name.clone()));
                d.requires.extend(refs_in(&c.expression, known));
            }
            if let Some(p) = &table.partition_of {
                d.requires.push(Key::Table(p.parent.clone()));
                d.requires.push(Key::Shape(p.parent.clone()));
            }
            for p in &table.inherits {
                d.requires.push(Key::Table(p.clone()));
                d.requires.push(Key::Shape(p.clone()));
            }
        }
        DropTable { schema, table } => {
            let t = tq(schema, &table.name);
            d.removes.push(Key::Table(t.clone()));
            d.removes.push(Key::Shape(t.clone()));
            for c in &table.columns {
                d.removes.push(Key::Column(t.clone(), c.name.clone()));
                d.old_refs.extend(column_refs(c, known));
            }
            if let Some(pk) = &table.primary_key {
                d.removes.push(Key::primary_key(&t, pk));
            }
            for u in &table.uniques {
                d.removes.push(Key::Constraint(t.clone(), u.name.clone()));
            }
            if let Some(p) = &table.partition_of {
                d.old_refs.push(Key::Table(p.parent.clone()));
            }
            for p in &table.inherits {
                d.old_refs.push(Key::Table(p.clone()));
            }
        }
        RenameTable {
            schema, from, to, ..
        } => {
            let (f, t) = (tq(schema, from), tq(schema, to));
            d.removes.push(Key::Table(f.clone()));
            d.provides.push(Key::Table(t.clone()));
            d.touches.push(Key::Shape(t.clone()));
            if let Some(old) = target.table(schema, from) {
                for c in &old.columns {
                    d.removes.push(Key::Column(f.clone(), c.name.clone()));
                    d.provides.push(Key::Column(t.clone(), c.name.clone()));
                }
            }
        }
        AlterTableOptions { table, from, to } => {
            d.requires.push(Key::Table(table.clone()));
            d.touches.push(Key::Shape(table.clone()));
            // A new default character set or collation is given to the columns that inherit it
            // (MySQL): they must exist under their final names first.
            if from.charset != to.charset || from.collation != to.collation {
                if let Some(t) = source.table(&table.schema, &table.name) {
                    for c in t.columns.iter().filter(|c| c.collation.is_none()) {
                        d.requires.push(Key::Column(table.clone(), c.name.clone()));
                    }
                }
            }
        }
        AddColumn { table, column } => {
            d.requires.push(Key::Table(table.clone()));
            d.provides
                .push(Key::Column(table.clone(), column.name.clone()));
            d.touches.push(Key::Shape(table.clone()));
            d.refs(column_refs(column, known));
            d.requires.extend(generated_reads(table, column, source));
        }
        DropColumn { table, column } => {
            d.requires.push(Key::Table(table.clone()));
            d.removes
                .push(Key::Column(table.clone(), column.name.clone()));
            d.touches.push(Key::Shape(table.clone()));
            d.old_refs.extend(column_refs(column, known));
            // A generated column goes before the columns it reads change.
            d.old_refs.extend(generated_reads(table, column, target));
            // An inheritance child's copy of the column can be dropped only once the parent's is
            // gone (PostgreSQL refuses to drop an inherited column): this drop goes first.
            for (s, t) in target.tables() {
                if t.inherits.contains(table) && t.column(&column.name).is_some() {
                    d.old_refs
                        .push(Key::Column(tq(s, &t.name), column.name.clone()));
                }
            }
        }
        RenameColumn {
            table, from, to, ..
        } => {
            d.requires.push(Key::Table(table.clone()));
            d.removes.push(Key::Column(table.clone(), from.clone()));
            d.provides.push(Key::Column(table.clone(), to.clone()));
            d.touches.push(Key::Shape(table.clone()));
        }
        AlterColumnType { table, from, to } => {
            d.requires.push(Key::Table(table.clone()));
            d.touches.push(Key::Column(table.clone(), to.name.clone()));
            d.touches.push(Key::Shape(table.clone()));
            d.refs(column_refs(to, known));
            d.old_refs.extend(column_refs(from, known));
        }
        SetNotNull { table, column } | DropNotNull { table, column } => {
            d.requires.push(Key::Table(table.clone()));
            d.touches.push(Key::Column(table.clone(), column.clone()));
        }
        SetDefault {
            table,
            column,
            from,
            to,
        } => {
            d.requires.push(Key::Table(table.clone()));
            d.touches.push(Key::Column(table.clone(), column.clone()));
            if let Some(t) = to {
                d.refs(refs_in(t, known));
            }
            if let Some(f) = from {
                d.old_refs.extend(refs_in(f, known));
            }
        }
        AlterIdentity {
            table,
            column,
            from,
            to,
        } => {
            d.requires.push(Key::Table(table.clone()));
            d.touches.push(Key::Column(table.clone(), column.clone()));
            // The identity's own sequence takes the name `serial` would use: it is gone once the
            // identity is dropped, and must be free before one is added.
            let implicit =
                Key::Sequence(tq(&table.schema, &format!("{}_{column}_seq", table.name)));
            let is_id = |i: &Option<Identity>| {
                matches!(
                    i,
                    Some(Identity::Always { .. } | Identity::ByDefault { .. })
                )
            };
            if is_id(from) && !is_id(to) {
                d.removes.push(implicit);
            } else if !is_id(from) && is_id(to) {
                d.provides.push(implicit);
            }
        }
        AlterGenerated { table, from, to } => {
            d.requires.push(Key::Table(table.clone()));
            d.touches.push(Key::Column(table.clone(), to.name.clone()));
            d.touches.push(Key::Shape(table.clone()));
            d.refs(column_refs(to, known));
            d.requires.extend(generated_reads(table, to, source));
            d.old_refs.extend(column_refs(from, known));
            d.old_refs.extend(generated_reads(table, from, target));
        }
        SetComment { target: t, .. } => {
            use crate::model::change::CommentTarget as C;
            match t {
                C::Schema { name } => d.requires.push(Key::Schema(name.clone())),
                C::Table { table } => d.requires.push(Key::Table(table.clone())),
                C::Column { table, column } => {
                    d.requires.push(Key::Column(table.clone(), column.clone()))
                }
                C::View { view, .. } => d.requires.push(Key::View(view.clone())),
                C::Index { schema, name } => d.requires.push(Key::Index(tq(schema, name))),
                C::Function { schema, name, .. } => {
                    d.requires.push(Key::Function(tq(schema, name)))
                }
                C::Sequence { sequence } => d.requires.push(Key::Sequence(sequence.clone())),
                C::Type { name, .. } => d.requires.push(Key::Type(name.clone())),
                C::Trigger { table, name } => {
                    d.requires.push(Key::Trigger(table.clone(), name.clone()))
                }
            }
        }
        AddPrimaryKey { table, primary_key } => {
            d.requires.push(Key::Table(table.clone()));
            for c in &primary_key.columns {
                d.requires.push(Key::Column(table.clone(), c.clone()));
            }
            d.provides.push(Key::primary_key(table, primary_key));
        }
        DropPrimaryKey { table, primary_key } => {
            d.requires.push(Key::Table(table.clone()));
            d.removes.push(Key::primary_key(table, primary_key));
            for c in &primary_key.columns {
                d.old_refs.push(Key::Column(table.clone(), c.clone()));
            }
        }
        AddUnique { table, unique } => {
            d.requires.push(Key::Table(table.clone()));
            for c in &unique.columns {
                d.requires.push(Key::Column(table.clone(), c.clone()));
            }
            d.provides
                .push(Key::Constraint(table.clone(), unique.name.clone()));
        }
        DropUnique { table, unique } => {
            d.requires.push(Key::Table(table.clone()));
            d.removes
                .push(Key::Constraint(table.clone(), unique.name.clone()));
            for c in &unique.columns {
                d.old_refs.push(Key::Column(table.clone(), c.clone()));
            }
        }
        AddCheck { table, check } => {
            d.requires.push(Key::Table(table.clone()));
            d.requires.push(Key::Shape(table.clone()));
            d.requires.extend(refs_in(&check.expression, known));
            d.provides
                .push(Key::Constraint(table.clone(), check.name.clone()));
        }
        DropCheck { table, check } => {
            d.requires.push(Key::Table(table.clone()));
            d.removes
                .push(Key::Constraint(table.clone(), check.name.clone()));
            d.old_refs.extend(refs_in(&check.expression, known));
        }
        RenameConstraint { table, from, to } => {
            d.requires.push(Key::Table(table.clone()));
            d.removes.push(Key::Constraint(table.clone(), from.clone()));
            d.provides.push(Key::Constraint(table.clone(), to.clone()));
        }
        RenameIndex { table, from, to } => {
            d.requires.push(relation_key(table, source));
            d.removes.push(Key::Index(tq(&table.schema, from)));
            d.provides.push(Key::Index(tq(&table.schema, to)));
        }
        ValidateConstraint { table, name } => {
            d.requires.push(Key::Table(table.clone()));
            d.touches.push(Key::Constraint(table.clone(), name.clone()));
        }
        AddForeignKey { table, foreign_key } => {
            d.requires.push(Key::Table(table.clone()));
            for c in &foreign_key.columns {
                d.requires.push(Key::Column(table.clone(), c.clone()));
            }
            d.requires.push(Key::Table(foreign_key.ref_table.clone()));
            for c in &foreign_key.ref_columns {
                d.requires
                    .push(Key::Column(foreign_key.ref_table.clone(), c.clone()));
            }
            if let Some(k) = unique_target(&foreign_key.ref_table, &foreign_key.ref_columns, source)
            {
                d.requires.push(k);
            }
            // An index that can serve the foreign key comes first (MySQL would otherwise create
            // one of its own, named after the constraint).
            d.requires
                .extend(supporting_keys(table, &foreign_key.columns, source));
            d.provides
                .push(Key::Constraint(table.clone(), foreign_key.name.clone()));
        }
        DropForeignKey { table, foreign_key } => {
            d.requires.push(Key::Table(table.clone()));
            d.removes
                .push(Key::Constraint(table.clone(), foreign_key.name.clone()));
            d.old_refs.push(Key::Table(foreign_key.ref_table.clone()));
            for c in &foreign_key.columns {
                d.old_refs.push(Key::Column(table.clone(), c.clone()));
            }
            for c in &foreign_key.ref_columns {
                d.old_refs
                    .push(Key::Column(foreign_key.ref_table.clone(), c.clone()));
            }
            if let Some(k) = unique_target(&foreign_key.ref_table, &foreign_key.ref_columns, target)
            {
                d.old_refs.push(k);
            }
            // MySQL refuses to drop an index a foreign key still uses.
            d.old_refs
                .extend(supporting_keys(table, &foreign_key.columns, target));
        }
        CreateIndex { table, index } => {
            d.requires.push(relation_key(table, source));
            for k in &index.keys {
                if k.expression {
                    d.requires.extend(refs_in(&k.key, known));
                    d.requires.push(Key::Shape(table.clone()));
                } else {
                    d.requires.push(Key::Column(table.clone(), k.key.clone()));
                }
            }
            for c in &index.include {
                d.requires.push(Key::Column(table.clone(), c.clone()));
            }
            if index.predicate.is_some() {
                d.requires.push(Key::Shape(table.clone()));
            }
            d.provides.push(Key::Index(tq(&table.schema, &index.name)));
        }
        DropIndex { table, index } => {
            d.removes.push(Key::Index(tq(&table.schema, &index.name)));
            d.old_refs.push(relation_key(table, target));
            for k in &index.keys {
                if !k.expression {
                    d.old_refs.push(Key::Column(table.clone(), k.key.clone()));
                }
            }
            let _ = table;
        }
        CreateView { schema, view }
        | ReplaceView {
            schema, to: view, ..
        } => {
            let v = tq(schema, &view.name);
            if matches!(change, CreateView { .. }) {
                d.provides.push(Key::View(v));
            } else {
                d.touches.push(Key::View(v));
            }
            d.requires.extend(view_reads(view, known));
        }
        DropView { schema, view } => {
            d.removes.push(Key::View(tq(schema, &view.name)));
            d.old_refs.extend(view_reads(view, known));
        }
        CreateFunction { schema, function } => {
            d.provides.push(Key::Function(tq(schema, &function.name)));
            let sig = format!(
                "{} {}",
                function.arguments,
                function.returns.as_deref().unwrap_or("")
            );
            d.requires.extend(refs_in(&sig, known));
            if function.kind == RoutineKind::Aggregate {
                d.requires
                    .extend(aggregate_refs(&function.definition, known));
            }
            // A function returning a table's row type needs the table.
            if let Some(r) = &function.returns {
                for (s, t) in source.tables() {
                    let q = format!("{s}.{}", t.name);
                    if r.contains(&q) {
                        d.requires.push(Key::Table(tq(s, &t.name)));
                    }
                }
            }
        }
        ReplaceFunction { schema, to, .. } => d.touches.push(Key::Function(tq(schema, &to.name))),
        DropFunction { schema, function } => {
            d.removes.push(Key::Function(tq(schema, &function.name)));
            let sig = format!(
                "{} {}",
                function.arguments,
                function.returns.as_deref().unwrap_or("")
            );
            d.old_refs.extend(refs_in(&sig, known));
            // An aggregate goes before its state and final functions.
            if function.kind == RoutineKind::Aggregate {
                d.old_refs
                    .extend(aggregate_refs(&function.definition, known));
            }
            // A function returning a table's row type goes before the table.
            if let Some(r) = &function.returns {
                for (s, t) in target.tables() {
                    if r.contains(&format!("{s}.{}", t.name)) {
                        d.old_refs.push(Key::Table(tq(s, &t.name)));
                    }
                }
            }
        }
        CreateTrigger { table, trigger } => {
            d.requires.push(relation_key(table, source));
            d.requires.push(Key::Shape(table.clone()));
            if let Some(f) = &trigger.function {
                d.requires.push(Key::Function(f.clone()));
            }
            d.provides
                .push(Key::Trigger(table.clone(), trigger.name.clone()));
        }
        DropTrigger { table, trigger } => {
            d.removes
                .push(Key::Trigger(table.clone(), trigger.name.clone()));
            if let Some(f) = &trigger.function {
                d.old_refs.push(Key::Function(f.clone()));
            }
            d.old_refs.push(relation_key(table, target));
        }
        SetTriggerEnabled { table, name, .. } => {
            d.touches.push(Key::Trigger(table.clone(), name.clone()))
        }
        AttachPartition { table, parent, .. } => {
            d.requires.push(Key::Table(table.clone()));
            d.requires.push(Key::Table(parent.clone()));
            d.requires.push(Key::Shape(table.clone()));
            d.requires.push(Key::Shape(parent.clone()));
            d.touches.push(Key::Table(table.clone()));
        }
        DetachPartition { table, parent, .. } => {
            d.requires.push(Key::Table(table.clone()));
            d.old_refs.push(Key::Table(parent.clone()));
            d.touches.push(Key::Table(table.clone()));
        }
        SetInherit {
            table,
            parent,
            inherit,
        } => {
            d.requires.push(Key::Table(table.clone()));
            if *inherit {
                d.requires.push(Key::Table(parent.clone()));
                d.requires.push(Key::Shape(parent.clone()));
                d.requires.push(Key::Shape(table.clone()));
            } else {
                d.old_refs.push(Key::Table(parent.clone()));
            }
        }
        SetRowSecurity { table, .. } | SetLogged { table, .. } => {
            d.requires.push(Key::Table(table.clone()))
        }
        CreatePolicy { table, policy } => {
            d.requires.push(Key::Table(table.clone()));
            d.requires.push(Key::Shape(table.clone()));
            d.provides
                .push(Key::Policy(table.clone(), policy.name.clone()));
            for e in [&policy.using, &policy.with_check].into_iter().flatten() {
                d.requires.extend(refs_in(e, known));
            }
        }
        DropPolicy { table, policy } => {
            d.removes
                .push(Key::Policy(table.clone(), policy.name.clone()));
            d.requires.push(Key::Table(table.clone()));
            for e in [&policy.using, &policy.with_check].into_iter().flatten() {
                d.old_refs.extend(refs_in(e, known));
            }
        }
        RebuildTable {
            table, from, to, ..
        } => rebuild_deps(&mut d, table, from, to, known),
        Unsupported { .. } => {}
    }
    d
}

/// A rebuilt table (SQLite): renamed when its name changes; columns, constraints, indexes and
/// triggers it keeps are touched, the ones it gains provided, the ones it loses removed. Foreign
/// keys need nothing: SQLite checks them only when rows change, and apply turns them off.
fn rebuild_deps(d: &mut Deps, table: &QualifiedName, from: &Table, to: &Table, known: &Known) {
    let old = tq(&table.schema, &from.name);
    d.touches.push(Key::Table(table.clone()));
    d.touches.push(Key::Shape(table.clone()));
    if old == *table {
        d.requires.push(Key::Table(table.clone()));
    } else {
        d.removes.push(Key::Table(old.clone()));
        d.provides.push(Key::Table(table.clone()));
    }
    let parts = |t: &Table, q: &QualifiedName| -> BTreeSet<Key> {
        let mut k = BTreeSet::new();
        for c in &t.columns {
            k.insert(Key::Column(q.clone(), c.name.clone()));
        }
        if let Some(pk) = &t.primary_key {
            k.insert(Key::primary_key(q, pk));
        }
        let names = t.uniques.iter().map(|u| &u.name);
        let names = names.chain(t.checks.iter().map(|c| &c.name));
        for n in names.chain(t.foreign_keys.iter().map(|f| &f.name)) {
            k.insert(Key::Constraint(q.clone(), n.clone()));
        }
        for i in &t.indexes {
            k.insert(Key::Index(tq(&q.schema, &i.name)));
        }
        for tr in &t.triggers {
            k.insert(Key::Trigger(q.clone(), tr.name.clone()));
        }
        k
    };
    let before = parts(from, &old);
    let after = parts(to, table);
    for k in before.difference(&after) {
        d.removes.push(k.clone());
    }
    for k in after.difference(&before) {
        d.provides.push(k.clone());
    }
    for k in after.intersection(&before) {
        d.touches.push(k.clone());
    }
    for c in &to.columns {
        d.refs(column_refs(c, known));
    }
    for c in &from.columns {
        d.old_refs.extend(column_refs(c, known));
    }
}
