//! The risk engine: how dangerous each change is, why, and what to do instead.
//!
//! Two layers:
//! - **static rules** ([`assess`], [`assess_plan`]): a `match` on the typed [`Change`] (never on
//!   SQL text), using TARGET and SOURCE catalogs for context (is the table new? does a default
//!   call a volatile function? is a type change a widening within its family?);
//! - **data counts** ([`assess_with_data`]): the dialect's probes (`dialect::<db>::probe`) count
//!   on TARGET what would make a change fail or what it would lose, each in its own read-only
//!   transaction with a statement and lock timeout. A count that makes failure certain raises
//!   the level to danger and sets `certain_failure`; a change that is dangerous only because of
//!   what the data *might* hold drops to caution when the counts show nothing offending.
//!
//! Decisions worth knowing:
//! - Dropping a sequence is *caution*: its position is lost but can be recomputed
//!   (`setval(…, max(col))`); dropping a table or column is *danger* (rows are gone).
//! - Dropping a materialized view is *caution* (its rows are recomputed by a refresh).
//! - Widening `varchar(n)`, `varchar → text` and `numeric(p,s) → numeric(p',s)` (p' ≥ p) is *safe*
//!   on PostgreSQL: none of them rewrites the table (checked: the relfilenode stays). Other
//!   widenings (int → bigint, real → double, scale increases) rewrite it: *caution*.
//! - Lossless conversions across families (int → numeric wide enough, anything → unbounded text,
//!   date → timestamp) are *caution* (rewrite); every other cross-family change is *danger*.

use std::time::{Duration, Instant};

use sqlx::mysql::MySqlPool;
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use crate::dialect::sqlite::probe::Affinity;
use crate::dialect::{Db, mysql, postgres, sqlite};
use crate::error::one_line;
use crate::model::change::CommentTarget;
use crate::model::*;

/// How long one count may run on the target before it is cancelled.
pub const PROBE_STATEMENT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one count may wait for a lock (a count needs only ACCESS SHARE, but waits behind an
/// ACCESS EXCLUSIVE request).
pub const PROBE_LOCK_TIMEOUT: Duration = Duration::from_secs(2);

/// Limits for the counts made on the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeOptions {
    pub statement_timeout: Duration,
    pub lock_timeout: Duration,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            statement_timeout: PROBE_STATEMENT_TIMEOUT,
            lock_timeout: PROBE_LOCK_TIMEOUT,
        }
    }
}

/// The static verdict on one change, outside any plan (no renames known).
pub fn assess(change: &Change, target: &Catalog, source: &Catalog) -> Assessment {
    Rules::new(target, source, &PlanNames::default())
        .rule(change)
        .assessment
}

/// The static verdicts on a plan's changes, in order, knowing the plan's renames and creations.
pub fn assess_plan(changes: &[Change], target: &Catalog, source: &Catalog) -> Vec<Assessment> {
    let names = PlanNames::from_changes(changes);
    let rules = Rules::new(target, source, &names);
    changes.iter().map(|c| rules.rule(c).assessment).collect()
}

/// The verdicts on a plan's changes, made concrete by counting on the target (`db`, a connection
/// to TARGET). Without `db`, or for a dialect without probes yet, the static verdicts.
pub async fn assess_with_data(
    changes: &[Change],
    target: &Catalog,
    source: &Catalog,
    db: Option<&Db>,
) -> Vec<Assessment> {
    assess_with_data_opts(changes, target, source, db, &ProbeOptions::default()).await
}

/// [`assess_with_data`] with explicit limits.
pub async fn assess_with_data_opts(
    changes: &[Change],
    target: &Catalog,
    source: &Catalog,
    db: Option<&Db>,
    opts: &ProbeOptions,
) -> Vec<Assessment> {
    let names = PlanNames::from_changes(changes);
    let rules = Rules::new(target, source, &names);
    let mut runner = db.map(|db| Runner {
        db,
        opts: *opts,
        broken: None,
        mariadb: None,
    });
    let mut out = Vec::with_capacity(changes.len());
    for change in changes {
        let rule = rules.rule(change);
        let Some(runner) = runner.as_mut() else {
            out.push(rule.assessment);
            continue;
        };
        let planned = probe_plan(runner.db, change, target, &names);
        if planned.probes.is_empty() && planned.notes.is_empty() {
            out.push(rule.assessment);
            continue;
        }
        // A change that carries out others (a SQLite rebuild) has its counts attributed to them.
        let parts: &[Change] = match change {
            Change::RebuildTable { replaces, .. } => replaces,
            _ => &[],
        };
        let subj = subject(change);
        let mut counts = Vec::new();
        let mut notes: Vec<(Option<usize>, String)> =
            planned.notes.into_iter().map(|n| (None, n)).collect();
        let mut incomplete: Vec<Option<usize>> = Vec::new();
        for p in &planned.probes {
            let part = p.part.filter(|i| *i < parts.len());
            match runner.count(&p.sql).await {
                Ok(count) => counts.push((
                    part,
                    DataCount {
                        subject: part.map_or_else(|| subj.clone(), |i| subject(&parts[i])),
                        what: p.what.clone(),
                        count,
                        effect: p.effect,
                    },
                )),
                Err(msg) => {
                    if p.effect != CountEffect::Info {
                        incomplete.push(part);
                    }
                    notes.push((part, format!("could not count: {msg} ({})", p.what)));
                }
            }
        }
        if counts.iter().all(|(p, _)| p.is_none()) && notes.iter().all(|(p, _)| p.is_none()) {
            let counts = counts.into_iter().map(|(_, c)| c).collect();
            let notes = notes.into_iter().map(|(_, n)| n).collect();
            let complete = incomplete.is_empty();
            out.push(with_counts(
                rule,
                &subj,
                counts,
                notes,
                complete,
                rules.words,
            ));
            continue;
        }
        // Each part judged on its own counts, then the rebuild as its worst part.
        let judged: Vec<Assessment> = parts
            .iter()
            .enumerate()
            .map(|(i, part)| {
                let mine = |p: &Option<usize>| *p == Some(i);
                let c = counts
                    .iter()
                    .filter(|(p, _)| mine(p))
                    .map(|(_, c)| c.clone());
                let n = notes
                    .iter()
                    .filter(|(p, _)| mine(p))
                    .map(|(_, n)| n.clone());
                with_counts(
                    rules.rule(part),
                    &subject(part),
                    c.collect(),
                    n.collect(),
                    !incomplete.contains(&Some(i)),
                    rules.words,
                )
            })
            .collect();
        let mut a = rules.carried(&subj, &judged);
        a.counts = counts.into_iter().map(|(_, c)| c).collect();
        a.notes = notes.into_iter().map(|(_, n)| n).collect();
        out.push(a);
    }
    out
}

/// The probes a dialect writes for a change. Adding a dialect's counts = adding its `probe.rs`
/// and one arm here.
fn probe_plan(db: &Db, change: &Change, target: &Catalog, names: &PlanNames) -> Probes {
    match db {
        Db::Pg(_) => postgres::probe::plan(change, target, names),
        Db::My(_) => mysql::probe::plan(change, target, names),
        Db::Lite(_) => sqlite::probe::plan(change, target, names),
    }
}

/// Runs counts on the target, one read-only transaction each.
struct Runner<'a> {
    db: &'a Db,
    opts: ProbeOptions,
    /// Set when the target cannot be reached: later counts are not attempted.
    broken: Option<String>,
    /// Whether a MySQL-protocol target is MariaDB (asked once).
    mariadb: Option<bool>,
}

impl Runner<'_> {
    async fn count(&mut self, sql: &str) -> Result<u64, String> {
        if let Some(b) = &self.broken {
            return Err(b.clone());
        }
        let r = match self.db {
            Db::Pg(pool) => pg_count(pool, sql, &self.opts).await,
            Db::My(pool) => my_count(pool, sql, &self.opts, &mut self.mariadb).await,
            Db::Lite(pool) => lite_count(pool, sql, &self.opts).await,
        };
        match r {
            Ok(n) => Ok(n),
            Err(CountError::Query(m)) => Err(m),
            Err(CountError::Connection(m)) => {
                self.broken = Some(m.clone());
                Err(m)
            }
        }
    }
}

enum CountError {
    /// The query failed (timeout, permission, bad expression): the next one may work.
    Query(String),
    /// No connection: nothing else will work either.
    Connection(String),
}

fn sqlx_message(e: &sqlx::Error) -> String {
    match e.as_database_error() {
        Some(d) => one_line(d.message()),
        None => one_line(&e.to_string()),
    }
}

fn classify(e: sqlx::Error) -> CountError {
    let m = sqlx_message(&e);
    match e {
        sqlx::Error::Database(_) => CountError::Query(m),
        _ => CountError::Connection(m),
    }
}

/// A failed count, with the limit named when the statement timeout cut it short.
fn count_error(
    e: sqlx::Error,
    timed_out: impl Fn(&str) -> bool,
    opts: &ProbeOptions,
) -> CountError {
    let m = sqlx_message(&e);
    if timed_out(&m) {
        CountError::Query(format!(
            "{m} (limit {}s)",
            opts.statement_timeout.as_secs_f32()
        ))
    } else {
        classify(e)
    }
}

async fn pg_count(pool: &PgPool, sql: &str, opts: &ProbeOptions) -> Result<u64, CountError> {
    let mut tx = pool
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await
        .map_err(classify)?;
    let ms = |d: Duration| format!("{}ms", d.as_millis().max(1));
    sqlx::query(
        "SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true)",
    )
    .bind(ms(opts.statement_timeout))
    .bind(ms(opts.lock_timeout))
    .execute(&mut *tx)
    .await
    .map_err(classify)?;
    let n: Result<i64, sqlx::Error> = sqlx::query_scalar(sql)
        .persistent(false)
        .fetch_one(&mut *tx)
        .await;
    // Read-only: nothing to keep. A failed rollback only means the connection is gone.
    let _ = tx.rollback().await;
    let n = n.map_err(|e| count_error(e, |m| m.contains("statement timeout"), opts))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// MySQL/MariaDB: the session's statement limit (`max_statement_time` on MariaDB, in seconds;
/// `max_execution_time` on MySQL, in milliseconds) and `lock_wait_timeout` are set, the count
/// runs in a `START TRANSACTION READ ONLY`, and the settings are put back (a connection that
/// cannot be put back is closed instead of returning to the pool).
async fn my_count(
    pool: &MySqlPool,
    sql: &str,
    opts: &ProbeOptions,
    mariadb: &mut Option<bool>,
) -> Result<u64, CountError> {
    let mut conn = pool.acquire().await.map_err(classify)?;
    let maria = match *mariadb {
        Some(m) => m,
        None => {
            let v: String = sqlx::query_scalar("SELECT VERSION()")
                .fetch_one(&mut *conn)
                .await
                .map_err(classify)?;
            let m = v.to_ascii_lowercase().contains("mariadb");
            *mariadb = Some(m);
            m
        }
    };
    // lock_wait_timeout counts whole seconds.
    let lock = opts.lock_timeout.as_secs().max(1);
    let (set, reset) = if maria {
        (
            format!(
                "SET SESSION max_statement_time = {:.3}, lock_wait_timeout = {lock}",
                opts.statement_timeout.as_secs_f64().max(0.001)
            ),
            "SET SESSION max_statement_time = DEFAULT, lock_wait_timeout = DEFAULT",
        )
    } else {
        (
            format!(
                "SET SESSION max_execution_time = {}, lock_wait_timeout = {lock}",
                opts.statement_timeout.as_millis().max(1)
            ),
            "SET SESSION max_execution_time = DEFAULT, lock_wait_timeout = DEFAULT",
        )
    };
    let result = async {
        sqlx::raw_sql(&set)
            .execute(&mut *conn)
            .await
            .map_err(classify)?;
        sqlx::raw_sql("START TRANSACTION READ ONLY")
            .execute(&mut *conn)
            .await
            .map_err(classify)?;
        let n: Result<i64, sqlx::Error> = sqlx::query_scalar(sql)
            .persistent(false)
            .fetch_one(&mut *conn)
            .await;
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
        n.map_err(|e| count_error(e, |m| m.contains("interrupted"), opts))
    }
    .await;
    if sqlx::raw_sql(reset).execute(&mut *conn).await.is_err() {
        conn.close_on_drop();
    }
    Ok(u64::try_from(result?).unwrap_or(0))
}

/// SQLite: the pool's connections are read-only when opened for reading; the count also runs
/// with `query_only` on, inside a deferred transaction, with `busy_timeout` as the lock limit
/// and a progress handler as the statement limit (SQLite has no server-side timeout). The
/// connection's settings are put back, or it is closed instead of returning to the pool.
async fn lite_count(pool: &SqlitePool, sql: &str, opts: &ProbeOptions) -> Result<u64, CountError> {
    let mut conn = pool.acquire().await.map_err(classify)?;
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(&mut *conn)
        .await
        .map_err(classify)?;
    let query_only: i64 = sqlx::query_scalar("PRAGMA query_only")
        .fetch_one(&mut *conn)
        .await
        .map_err(classify)?;
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1);
    let deadline = Instant::now() + opts.statement_timeout;
    match conn.lock_handle().await {
        Ok(mut h) => h.set_progress_handler(1_000, move || Instant::now() < deadline),
        Err(e) => return Err(classify(e)),
    }
    let result = async {
        sqlx::raw_sql(&format!(
            "PRAGMA busy_timeout = {}; PRAGMA query_only = ON; BEGIN",
            ms(opts.lock_timeout)
        ))
        .execute(&mut *conn)
        .await
        .map_err(classify)?;
        let n: Result<i64, sqlx::Error> = sqlx::query_scalar(sql)
            .persistent(false)
            .fetch_one(&mut *conn)
            .await;
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
        n.map_err(|e| count_error(e, |m| m.contains("interrupted"), opts))
    }
    .await;
    let mut restored = match conn.lock_handle().await {
        Ok(mut h) => {
            h.remove_progress_handler();
            true
        }
        Err(_) => false,
    };
    restored &= sqlx::raw_sql(&format!(
        "PRAGMA query_only = {}; PRAGMA busy_timeout = {}",
        if query_only != 0 { "ON" } else { "OFF" },
        busy.max(0)
    ))
    .execute(&mut *conn)
    .await
    .is_ok();
    if !restored {
        conn.close_on_drop();
    }
    Ok(u64::try_from(result?).unwrap_or(0))
}

/// Folds counts into a static verdict.
fn with_counts(
    rule: Rule,
    subject: &str,
    counts: Vec<DataCount>,
    notes: Vec<String>,
    complete: bool,
    words: &Words,
) -> Assessment {
    let mut a = rule.assessment;
    a.counts = counts;
    a.notes.extend(notes);
    let failures: Vec<String> = a
        .counts
        .iter()
        .filter(|c| c.is_failure())
        .map(DataCount::phrase)
        .collect();
    if !failures.is_empty() {
        a.level = RiskLevel::Danger;
        a.certain_failure = true;
        a.reason = format!("{subject}: {}", failures.join("; "));
        let first = format!(
            "fix or remove the offending rows first{}",
            words.failure_note
        );
        a.suggestion = Some(match a.suggestion.take() {
            Some(then) => format!("{first}; then: {then}"),
            None => first,
        });
        return a;
    }
    let losses: Vec<&DataCount> = a
        .counts
        .iter()
        .filter(|c| c.effect == CountEffect::Loses)
        .collect();
    if losses.iter().any(|c| c.count > 0) {
        let l: Vec<String> = losses
            .iter()
            .filter(|c| c.count > 0)
            .map(|c| c.phrase())
            .collect();
        a.reason = format!("{subject}: {}", l.join("; "));
        return a;
    }
    let checked = a.counts.iter().any(|c| c.effect != CountEffect::Info);
    if let Some(clean) = rule.if_clean {
        if checked && complete && a.level == RiskLevel::Danger {
            a.level = RiskLevel::Caution;
            a.reason = format!("{subject}: {clean}");
            return a;
        }
    }
    if !losses.is_empty() {
        let l: Vec<String> = losses.iter().map(|c| c.phrase()).collect();
        a.reason = format!("{subject}: {}", l.join("; "));
    }
    a
}

/// What a change is, in a few words, as reasons and counts start: `SET NOT NULL on
/// public.customer.company`, `DROP TABLE public.orders`.
pub fn subject(change: &Change) -> String {
    use Change::*;
    let col = |t: &QualifiedName, c: &str| format!("{t}.{c}");
    let list = |c: &[String]| c.join(", ");
    match change {
        RebuildTable { table, .. } => format!("REBUILD TABLE {table}"),
        AlterTableOptions { table, from, to } => {
            format!("ALTER TABLE {table} ({})", from.delta(to))
        }
        CreateSchema { name } => format!("CREATE SCHEMA {name}"),
        DropSchema { name } => format!("DROP SCHEMA {name}"),
        CreateExtension { extension } => format!("CREATE EXTENSION {}", extension.name),
        DropExtension { extension } => format!("DROP EXTENSION {}", extension.name),
        AlterExtension { to, .. } => format!("ALTER EXTENSION {} UPDATE", to.name),
        CreateEnum { schema, enum_type } => format!("CREATE TYPE {schema}.{}", enum_type.name),
        DropEnum { schema, enum_type } => format!("DROP TYPE {schema}.{}", enum_type.name),
        AddEnumLabel {
            schema,
            name,
            label,
            ..
        } => format!("ADD VALUE '{label}' to {schema}.{name}"),
        RenameEnumLabel {
            schema,
            name,
            from,
            to,
        } => format!("RENAME VALUE '{from}' TO '{to}' in {schema}.{name}"),
        RebuildEnum { schema, to, .. } => format!("rebuild of enum {schema}.{}", to.name),
        CreateDomain { schema, domain } => format!("CREATE DOMAIN {schema}.{}", domain.name),
        DropDomain { schema, domain } => format!("DROP DOMAIN {schema}.{}", domain.name),
        AlterDomain { schema, to, .. } => format!("ALTER DOMAIN {schema}.{}", to.name),
        CreateCompositeType { schema, composite } => {
            format!("CREATE TYPE {schema}.{}", composite.name)
        }
        DropCompositeType { schema, composite } => {
            format!("DROP TYPE {schema}.{}", composite.name)
        }
        CreateSequence { schema, sequence } => {
            format!("CREATE SEQUENCE {schema}.{}", sequence.name)
        }
        DropSequence { schema, sequence } => format!("DROP SEQUENCE {schema}.{}", sequence.name),
        AlterSequence { schema, to, .. } => format!("ALTER SEQUENCE {schema}.{}", to.name),
        CreateTable { schema, table } => format!("CREATE TABLE {schema}.{}", table.name),
        DropTable { schema, table } => format!("DROP TABLE {schema}.{}", table.name),
        RenameTable {
            schema, from, to, ..
        } => format!("RENAME TABLE {schema}.{from} TO {to}"),
        AddColumn { table, column } => format!("ADD COLUMN {}", col(table, &column.name)),
        DropColumn { table, column } => format!("DROP COLUMN {}", col(table, &column.name)),
        RenameColumn {
            table, from, to, ..
        } => format!("RENAME COLUMN {} TO {to}", col(table, from)),
        AlterColumnType { table, from, to } => format!(
            "TYPE of {} {} → {}",
            col(table, &to.name),
            from.data_type,
            to.data_type
        ),
        SetNotNull { table, column } => format!("SET NOT NULL on {}", col(table, column)),
        DropNotNull { table, column } => format!("DROP NOT NULL on {}", col(table, column)),
        SetDefault {
            table, column, to, ..
        } => match to {
            Some(_) => format!("SET DEFAULT on {}", col(table, column)),
            None => format!("DROP DEFAULT on {}", col(table, column)),
        },
        AlterIdentity { table, column, .. } => format!("identity of {}", col(table, column)),
        AlterGenerated { table, to, .. } => {
            format!("generated expression of {}", col(table, &to.name))
        }
        SetComment { target, .. } => format!("COMMENT on {}", comment_target(target)),
        AddPrimaryKey { table, primary_key } => {
            format!(
                "ADD PRIMARY KEY on {table} ({})",
                list(&primary_key.columns)
            )
        }
        DropPrimaryKey { table, .. } => format!("DROP PRIMARY KEY on {table}"),
        AddUnique { table, unique } => format!(
            "ADD UNIQUE {} on {table} ({})",
            unique.name,
            list(&unique.columns)
        ),
        DropUnique { table, unique } => format!("DROP UNIQUE {} on {table}", unique.name),
        AddCheck { table, check } => format!("ADD CHECK {} on {table}", check.name),
        DropCheck { table, check } => format!("DROP CHECK {} on {table}", check.name),
        ValidateConstraint { table, name } => format!("VALIDATE CONSTRAINT {name} on {table}"),
        RenameConstraint { table, from, to } => {
            format!("RENAME CONSTRAINT {from} TO {to} on {table}")
        }
        RenameIndex { table, from, to } => format!("RENAME INDEX {from} TO {to} on {table}"),
        AddForeignKey { table, foreign_key } => format!(
            "FOREIGN KEY {} on {table} ({}) → {}",
            foreign_key.name,
            list(&foreign_key.columns),
            foreign_key.ref_table
        ),
        DropForeignKey { table, foreign_key } => {
            format!("DROP FOREIGN KEY {} on {table}", foreign_key.name)
        }
        CreateIndex { table, index } => format!(
            "CREATE {}INDEX {} on {table}",
            if index.unique { "UNIQUE " } else { "" },
            index.name
        ),
        DropIndex { table, index } => format!("DROP INDEX {}.{}", table.schema, index.name),
        CreateView { schema, view } => format!(
            "CREATE {}VIEW {schema}.{}",
            if view.materialized {
                "MATERIALIZED "
            } else {
                ""
            },
            view.name
        ),
        DropView { schema, view } => format!(
            "DROP {}VIEW {schema}.{}",
            if view.materialized {
                "MATERIALIZED "
            } else {
                ""
            },
            view.name
        ),
        ReplaceView { schema, to, .. } => format!("REPLACE VIEW {schema}.{}", to.name),
        CreateFunction { schema, function } => {
            format!(
                "CREATE FUNCTION {schema}.{}({})",
                function.name, function.arguments
            )
        }
        DropFunction { schema, function } => {
            format!(
                "DROP FUNCTION {schema}.{}({})",
                function.name, function.arguments
            )
        }
        ReplaceFunction { schema, to, .. } => {
            format!("REPLACE FUNCTION {schema}.{}({})", to.name, to.arguments)
        }
        CreateTrigger { table, trigger } => format!("CREATE TRIGGER {} on {table}", trigger.name),
        DropTrigger { table, trigger } => format!("DROP TRIGGER {} on {table}", trigger.name),
        SetTriggerEnabled {
            table,
            name,
            enabled,
        } => format!(
            "{} TRIGGER {name} on {table}",
            if *enabled { "ENABLE" } else { "DISABLE" }
        ),
        AttachPartition { table, parent, .. } => format!("ATTACH PARTITION {table} to {parent}"),
        DetachPartition { table, parent, .. } => format!("DETACH PARTITION {table} from {parent}"),
        SetInherit {
            table,
            parent,
            inherit,
        } => format!(
            "{}INHERIT {parent} on {table}",
            if *inherit { "" } else { "NO " }
        ),
        SetRowSecurity { table, .. } => format!("ROW LEVEL SECURITY on {table}"),
        SetLogged { table, logged } => format!(
            "SET {} on {table}",
            if *logged { "LOGGED" } else { "UNLOGGED" }
        ),
        CreatePolicy { table, policy } => format!("CREATE POLICY {} on {table}", policy.name),
        DropPolicy { table, policy } => format!("DROP POLICY {} on {table}", policy.name),
        Unsupported {
            object_kind,
            object,
            ..
        } => format!("{object_kind} {object}"),
    }
}

fn comment_target(t: &CommentTarget) -> String {
    match t {
        CommentTarget::Schema { name } => format!("schema {name}"),
        CommentTarget::Table { table } => format!("table {table}"),
        CommentTarget::Column { table, column } => format!("column {table}.{column}"),
        CommentTarget::View { view, .. } => format!("view {view}"),
        CommentTarget::Index { schema, name } => format!("index {schema}.{name}"),
        CommentTarget::Function {
            schema,
            name,
            arguments,
            ..
        } => format!("function {schema}.{name}({arguments})"),
        CommentTarget::Sequence { sequence } => format!("sequence {sequence}"),
        CommentTarget::Type { name, .. } => format!("type {name}"),
        CommentTarget::Trigger { table, name } => format!("trigger {name} on {table}"),
    }
}

/// A static verdict, and (for a change that is dangerous only because of what the data might
/// hold) the caution reason that applies when counts show nothing offending.
struct Rule {
    assessment: Assessment,
    if_clean: Option<String>,
}

impl From<Assessment> for Rule {
    fn from(assessment: Assessment) -> Self {
        Rule {
            assessment,
            if_clean: None,
        }
    }
}

/// PostgreSQL only (unlogged tables, enum rebuilds): other dialects say it in their [`Words`].
const REWRITE: &str = PG_WORDS.rewrite;
const REWRITE_HINT: &str = PG_WORDS.rewrite_hint;

/// What the static rules say that depends on TARGET's dialect: how a table is rewritten and
/// locked, and what to do instead. One table per dialect.
struct Words {
    /// What rewriting a table costs (`…: rewrites the whole table under an ACCESS EXCLUSIVE lock`).
    rewrite: &'static str,
    rewrite_hint: &'static str,
    /// What is left of a rewrite once the counts show nothing in the way (`…; still …`).
    still: &'static str,
    not_null: &'static str,
    not_null_hint: &'static str,
    not_null_clean: &'static str,
    primary_key: &'static str,
    primary_key_hint: &'static str,
    unique: &'static str,
    unique_hint: &'static str,
    unique_index: &'static str,
    unique_index_hint: &'static str,
    index: &'static str,
    index_hint: &'static str,
    foreign_key: &'static str,
    foreign_key_hint: &'static str,
    check: &'static str,
    check_hint: &'static str,
    drop_table_hint: &'static str,
    /// After `queries that use it get slower`.
    drop_index: &'static str,
    drop_index_hint: &'static str,
    drop_primary_key: &'static str,
    drop_unique: &'static str,
    drop_unique_hint: &'static str,
    drop_function_hint: &'static str,
    time_zone: &'static str,
    time_zone_hint: &'static str,
    /// After `fix or remove the offending rows first`.
    failure_note: &'static str,
}

const NOT_VALID_HINT: &str =
    "add it NOT VALID, then VALIDATE CONSTRAINT in a separate step (that does not block writes)";

const PG_WORDS: Words = Words {
    rewrite: "rewrites the whole table under an ACCESS EXCLUSIVE lock",
    rewrite_hint: "run it at a quiet time; for a big table add a new column, backfill it in batches and swap",
    still: "still rewrites the whole table under an ACCESS EXCLUSIVE lock",
    not_null: "fails if any row is NULL, and scans the whole table under an ACCESS EXCLUSIVE lock",
    not_null_hint: "ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT, then SET NOT NULL (PostgreSQL 12+ skips the scan), then drop the check",
    not_null_clean: "no row is NULL now; still scans the whole table under an ACCESS EXCLUSIVE lock",
    primary_key: "builds a unique index and sets NOT NULL under an ACCESS EXCLUSIVE lock; fails on NULLs or duplicates",
    primary_key_hint: "CREATE UNIQUE INDEX CONCURRENTLY …, then ALTER TABLE … ADD PRIMARY KEY USING INDEX …",
    unique: "builds a unique index while blocking writes; fails on duplicates",
    unique_hint: "CREATE UNIQUE INDEX CONCURRENTLY …, then ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX …",
    unique_index: "blocks writes to the table while it builds; fails on duplicates",
    unique_index_hint: "CREATE UNIQUE INDEX CONCURRENTLY (outside a transaction)",
    index: "blocks writes to the table while it builds",
    index_hint: "CREATE INDEX CONCURRENTLY (outside a transaction)",
    foreign_key: "checks every row under locks on both tables; fails on rows without a match",
    foreign_key_hint: NOT_VALID_HINT,
    check: "checks every row under an ACCESS EXCLUSIVE lock; fails on rows it rejects",
    check_hint: NOT_VALID_HINT,
    drop_table_hint: "keep a backup (pg_dump -t …); rename the table instead if unsure",
    drop_index: "DROP INDEX locks the table",
    drop_index_hint: "check pg_stat_user_indexes.idx_scan first; use DROP INDEX CONCURRENTLY",
    drop_primary_key: "rows lose their identity: foreign keys, replication (REPLICA IDENTITY) and ORMs that rely on it break",
    drop_unique: "duplicates can be written from now on; foreign keys or ON CONFLICT clauses relying on it break",
    drop_unique_hint: "check no foreign key or ON CONFLICT uses it",
    drop_function_hint: "check nothing calls it (pg_depend, application code)",
    time_zone: "values are reinterpreted in the session's TimeZone (no rewrite in PostgreSQL 12+ when it is UTC)",
    time_zone_hint: "SET TimeZone explicitly (e.g. 'UTC') for the migration and check a few values",
    failure_note: "",
};

/// MySQL 8 and MariaDB (InnoDB): online DDL where the server allows it, and DDL that commits at
/// once (a failing step is not rolled back, and the steps before it stay applied).
const MY_WORDS: Words = Words {
    rewrite: "may copy the whole table (ALGORITHM=COPY), blocking writes until it finishes",
    rewrite_hint: "try ALGORITHM=INPLACE, LOCK=NONE first (the server refuses it when it cannot); for a big table use an online schema change tool (gh-ost, pt-online-schema-change)",
    still: "the table may still be copied (ALGORITHM=COPY), blocking writes",
    not_null: "fails if any row is NULL (in strict sql_mode; otherwise NULLs silently become 0 or ''), and rebuilds the table (ALGORITHM=INPLACE: writes go on)",
    not_null_hint: "UPDATE the NULL rows first; then MODIFY the column NOT NULL with ALGORITHM=INPLACE, LOCK=NONE",
    not_null_clean: "no row is NULL now; still rebuilds the table (in place: writes go on)",
    primary_key: "rebuilds the table around the new key (ALGORITHM=INPLACE, LOCK=NONE keeps writes going); fails on NULLs or duplicates",
    primary_key_hint: "remove NULLs and duplicates first; add it with ALGORITHM=INPLACE, LOCK=NONE",
    unique: "builds a unique index (ALGORITHM=INPLACE, LOCK=NONE keeps writes going); fails on duplicates",
    unique_hint: "remove duplicates first; add it with ALGORITHM=INPLACE, LOCK=NONE",
    unique_index: "builds a unique index (ALGORITHM=INPLACE, LOCK=NONE keeps writes going); fails on duplicates",
    unique_index_hint: "remove duplicates first; CREATE UNIQUE INDEX … ALGORITHM=INPLACE, LOCK=NONE",
    index: "builds an index: online (writes go on with LOCK=NONE), but it loads the server",
    index_hint: "CREATE INDEX … ALGORITHM=INPLACE, LOCK=NONE, at a quiet time",
    foreign_key: "with foreign_key_checks on, copies the table (ALGORITHM=COPY) and checks every row; fails on rows without a match",
    foreign_key_hint: "delete or fix the orphan rows first; with foreign_key_checks = 0 it is added in place, but existing rows are never checked",
    check: "checks every row while it copies the table (ALGORITHM=COPY); fails on rows it rejects",
    check_hint: "fix the rows it rejects first; run it at a quiet time",
    drop_table_hint: "keep a backup (mysqldump db table); rename the table instead if unsure",
    drop_index: "the drop itself is quick (in place)",
    drop_index_hint: "check its use first (sys.schema_unused_indexes on MySQL, index statistics on MariaDB); make it INVISIBLE (MySQL) or IGNORED (MariaDB) for a while before dropping it",
    drop_primary_key: "rows lose their identity: foreign keys, row-based replication and ORMs that rely on it break; InnoDB rebuilds the table on a hidden key",
    drop_unique: "duplicates can be written from now on; foreign keys or INSERT … ON DUPLICATE KEY UPDATE relying on it break",
    drop_unique_hint: "check no foreign key or ON DUPLICATE KEY UPDATE uses it",
    drop_function_hint: "check nothing calls it (triggers, views, events, application code)",
    time_zone: "values are reinterpreted in the session's time_zone (TIMESTAMP is stored in UTC, DATETIME as written)",
    time_zone_hint: "SET time_zone explicitly (e.g. '+00:00') for the migration and check a few values",
    failure_note: " (DDL commits at once: the steps before a failing one stay applied)",
};

/// SQLite: most table changes are a rebuild (new table, copy every row, drop, rename) inside one
/// transaction that holds the write lock.
const LITE_WORDS: Words = Words {
    rewrite: "rebuilds the table: every row is copied and writers wait until it commits",
    rewrite_hint: "run it when writes can wait; the rebuild is one transaction, all or nothing",
    still: "still rebuilds the table (every row is copied)",
    not_null: "fails if any row is NULL; the table is rebuilt (every row copied, writers wait until it commits)",
    not_null_hint: "UPDATE the NULL rows first (… SET col = … WHERE col IS NULL)",
    not_null_clean: "no row is NULL now; still rebuilds the table (every row is copied)",
    primary_key: "the table is rebuilt around the new key (writers wait until it commits); fails on duplicates, and on NULLs where SQLite refuses them",
    primary_key_hint: "remove duplicates and NULLs first; run it when writes can wait",
    unique: "the table is rebuilt with the new constraint (writers wait until it commits); fails on duplicates",
    unique_hint: "remove duplicates first; a UNIQUE INDEX does the same without a rebuild",
    unique_index: "CREATE UNIQUE INDEX blocks writers until it commits; fails on duplicates",
    unique_index_hint: "remove duplicates first; run it when writes can wait",
    index: "CREATE INDEX blocks writers until it commits",
    index_hint: "run it when writes can wait",
    foreign_key: "the rebuilt table is checked with PRAGMA foreign_key_check: rows without a match roll it back",
    foreign_key_hint: "delete or fix the orphan rows first",
    check: "every row is checked as the table is rebuilt: rows it rejects roll it back",
    check_hint: "fix the rows it rejects first",
    drop_table_hint: "keep a copy of the database file (or .dump the table); rename the table instead if unsure",
    drop_index: "the drop itself is quick",
    drop_index_hint: "check the query plans that use it first (EXPLAIN QUERY PLAN)",
    drop_primary_key: "rows lose their identity: foreign keys and ORMs that rely on it break",
    drop_unique: PG_WORDS.drop_unique,
    drop_unique_hint: PG_WORDS.drop_unique_hint,
    drop_function_hint: "check nothing calls it (application code)",
    time_zone: "values are reinterpreted by a time zone",
    time_zone_hint: "check a few values after the change",
    failure_note: "",
};

impl Words {
    fn of(d: Dialect) -> &'static Words {
        match d {
            Dialect::Postgres => &PG_WORDS,
            Dialect::Mysql => &MY_WORDS,
            Dialect::Sqlite => &LITE_WORDS,
        }
    }
}

/// Functions whose result changes from row to row: a default that calls one is computed for every
/// existing row when the column is added (a table rewrite).
const VOLATILE_BUILTINS: &[&str] = &[
    "nextval",
    "random",
    "random_normal",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "uuidv4",
    "uuidv7",
    "clock_timestamp",
    "timeofday",
    "txid_current",
    "pg_current_xact_id",
    "uuid",
    "rand",
    "randomblob",
];

struct Rules<'a> {
    target: &'a Catalog,
    source: &'a Catalog,
    names: &'a PlanNames,
    dialect: Dialect,
    /// TARGET's dialect's phrases.
    words: &'static Words,
}

impl<'a> Rules<'a> {
    fn new(target: &'a Catalog, source: &'a Catalog, names: &'a PlanNames) -> Self {
        let dialect = target
            .dialect
            .or(source.dialect)
            .unwrap_or(Dialect::Postgres);
        Rules {
            target,
            source,
            names,
            dialect,
            words: Words::of(dialect),
        }
    }

    /// The verdict on a change that carries out others (a SQLite rebuild), from theirs: certain
    /// to fail when any of them is (every failing reason is kept), else the worst of them when it
    /// is a danger, else a caution for the rebuild itself (every row copied under a write lock).
    fn carried(&self, s: &str, parts: &[Assessment]) -> Assessment {
        let failing: Vec<&Assessment> = parts.iter().filter(|a| a.certain_failure).collect();
        if let Some(first) = failing.first() {
            let mut a = (*first).clone();
            let reasons: Vec<&str> = failing.iter().map(|f| f.reason.as_str()).collect();
            a.reason = reasons.join("; ");
            return a;
        }
        let worst = parts
            .iter()
            .rev()
            .max_by_key(|a| a.level)
            .filter(|a| a.level > RiskLevel::Caution);
        match worst {
            Some(a) => Assessment {
                counts: Vec::new(),
                notes: Vec::new(),
                ..a.clone()
            },
            None => Assessment::caution(
                format!(
                    "{s}: rebuilds the table (new table, copy every row, drop, rename): writers wait until it commits"
                ),
                "run it when writes can wait; the rebuild is one transaction, all or nothing",
            ),
        }
    }

    /// Whether a (SOURCE-named) table or view is new in this plan: then it is empty, and whatever
    /// is built on it locks nothing anyone uses.
    fn is_new(&self, t: &QualifiedName) -> bool {
        if self.names.creates(t) {
            return true;
        }
        let tt = self.names.target_table(t);
        if let Some(s) = self.target.schema(&tt.schema) {
            if s.table(&tt.name).is_some() || s.view(&tt.name).is_some() {
                return false;
            }
        }
        if self.names.whole_plan() {
            return true;
        }
        // Outside a plan a missing table may be a rename nobody told us about: new only if no
        // table of TARGET's schema is missing from SOURCE.
        let Some(ts) = self.target.schema(&t.schema) else {
            return true;
        };
        ts.tables
            .iter()
            .all(|x| self.source.table(&t.schema, &x.name).is_some())
    }

    /// Whether an expression calls a function that returns a new value for every row.
    fn volatile(&self, expr: &str) -> bool {
        called_functions(expr).iter().any(|f| {
            VOLATILE_BUILTINS.contains(&f.as_str())
                || self.source.schemas.iter().any(|s| {
                    s.functions.iter().any(|g| {
                        g.name.eq_ignore_ascii_case(f)
                            && g.volatility
                                .as_deref()
                                .is_some_and(|v| v.eq_ignore_ascii_case("volatile"))
                    })
                })
        })
    }

    fn rule(&self, change: &Change) -> Rule {
        use Change::*;
        let w = self.words;
        let s = subject(change);
        let safe = |why: &str| Assessment::safe(format!("{s}: {why}")).into();
        let caution =
            |why: &str, hint: &str| Rule::from(Assessment::caution(format!("{s}: {why}"), hint));
        let danger =
            |why: &str, hint: &str| Rule::from(Assessment::danger(format!("{s}: {why}"), hint));
        let dependent = |why: &str, hint: &str, clean: &str| Rule {
            assessment: Assessment::danger(format!("{s}: {why}"), hint),
            if_clean: Some(clean.to_string()),
        };
        match change {
            CreateSchema { .. }
            | CreateExtension { .. }
            | CreateEnum { .. }
            | CreateDomain { .. }
            | CreateCompositeType { .. }
            | CreateSequence { .. }
            | CreateFunction { .. } => safe("creates something new; nothing existing changes"),
            CreateView { view, .. } => {
                if view.materialized {
                    safe("creates a new materialized view (runs its query once to fill it)")
                } else {
                    safe("creates something new; nothing existing changes")
                }
            }
            CreateTable { table, .. } => match &table.partition_of {
                Some(p) => caution(
                    &format!(
                        "adding a partition locks {} and fails if its default partition holds rows for the new range",
                        p.parent
                    ),
                    "check the default partition for rows in the new range first; run it at a quiet time",
                ),
                None => safe("creates a new table; nothing existing changes"),
            },
            SetComment { .. } => safe("only a comment changes"),
            SetDefault { .. } => {
                safe("only new rows see the new default; existing rows keep their values")
            }
            DropNotNull { .. } => safe("relaxes a constraint; nothing is scanned or lost"),
            AddEnumLabel { .. } => safe("adds a value; stored values do not change"),

            DropSchema { .. } => caution(
                "drops the schema (fails if anything is left in it; its contents are rated on their own lines)",
                "check nothing outside this plan lives in the schema; keep a backup",
            ),
            DropExtension { .. } => caution(
                "drops the extension with its types and functions (fails while columns, indexes or functions use them)",
                "check nothing still uses the extension's types or functions",
            ),
            AlterExtension { .. } => caution(
                "runs the extension's upgrade scripts, which may rewrite or lock objects",
                "read the extension's release notes and try the update on a copy first",
            ),
            DropEnum { .. } | DropDomain { .. } | DropCompositeType { .. } => caution(
                "drops a type (fails while a column, function or view still uses it)",
                "make sure nothing uses the type any more",
            ),
            RenameEnumLabel { from, .. } => caution(
                &format!(
                    "stored values change; queries and clients comparing to '{from}' stop matching"
                ),
                &format!("update code that uses '{from}' in the same release"),
            ),
            RebuildEnum {
                from, to, columns, ..
            } => {
                let removed: Vec<&str> = from
                    .labels
                    .iter()
                    .filter(|l| !to.labels.contains(l))
                    .map(String::as_str)
                    .collect();
                if removed.is_empty() {
                    caution(
                        &format!(
                            "labels are reordered: {} column(s) are converted, each a table rewrite under an ACCESS EXCLUSIVE lock; ordering comparisons change",
                            columns.len()
                        ),
                        "run it at a quiet time; check ORDER BY and < > comparisons on the type",
                    )
                } else {
                    dependent(
                        &format!(
                            "removes label(s) {}: fails if any row uses them, and rewrites {} column(s) under ACCESS EXCLUSIVE locks",
                            removed.join(", "),
                            columns.len()
                        ),
                        "move rows off the removed labels first (UPDATE … SET col = 'other' WHERE col = 'old'); run it at a quiet time",
                        &format!(
                            "no row uses the removed label(s) now; still rewrites {} column(s) under ACCESS EXCLUSIVE locks",
                            columns.len()
                        ),
                    )
                }
            }
            AlterDomain { from, to, .. } => {
                if from.base_type != to.base_type || from.collation != to.collation {
                    danger(
                        "the domain is dropped and created again: fails while any column uses it",
                        "convert the columns to the base type first, or change the domain by hand",
                    )
                } else {
                    caution(
                        "a new NOT NULL or check is validated against every column using the domain (fails on violating values)",
                        "count violating values in the columns that use the domain first",
                    )
                }
            }
            DropSequence { .. } => caution(
                "its current position is lost (re-creating it restarts numbering)",
                "keep the current value (SELECT last_value) if it may be re-created; make sure no default uses it",
            ),
            AlterSequence { .. } => caution(
                "changes how new values are numbered; lower limits fail if the current position is outside them",
                "check the current value (SELECT last_value) against the new limits",
            ),

            DropTable { .. } => danger("its rows are lost", w.drop_table_hint),
            DropColumn { .. } => danger(
                "its values are lost",
                "keep a backup of the column (CREATE TABLE … AS SELECT key, col …); stop clients using it first; rename instead if unsure",
            ),
            RenameTable { score, .. } | RenameColumn { score, .. } => {
                let mut why = "breaks clients and code that use the old name".to_string();
                if *score < 100 {
                    why.push_str(&format!(
                        " (detected as a rename, score {score}: check it is not a drop and a create)"
                    ));
                }
                caution(
                    &why,
                    "deploy clients that use the new name first, or keep a view under the old name for a while",
                )
            }
            AddColumn { table, column } => self.add_column(&s, table, column),
            AlterColumnType { table, from, to } => self.type_change(&s, table, from, to),
            SetNotNull { .. } => dependent(w.not_null, w.not_null_hint, w.not_null_clean),
            AlterIdentity { to, .. } => match to {
                None => caution(
                    "the column stops numbering itself: inserts that leave it out get NULL or fail",
                    "make sure every insert gives the column a value, or set a default",
                ),
                Some(_) => caution(
                    "changes how new values are numbered",
                    "make sure the sequence continues after the largest value in use",
                ),
            },
            AlterGenerated { from, to, .. } => match (&from.generated, &to.generated) {
                (None, Some(_)) => danger(
                    "the column is dropped and added again as generated: its stored values are replaced by computed ones (a table rewrite)",
                    "keep a copy of the column's values if they matter; run it at a quiet time",
                ),
                (Some(_), None) => caution(
                    "the column keeps its values but stops being computed: writers must set it from now on",
                    "make sure the application sets the column",
                ),
                _ => caution(
                    &format!(
                        "the column is dropped and added again: every row is recomputed ({})",
                        w.rewrite
                    ),
                    w.rewrite_hint,
                ),
            },

            AddPrimaryKey { table, .. } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else {
                    caution(w.primary_key, w.primary_key_hint)
                }
            }
            AddUnique { table, .. } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else {
                    caution(w.unique, w.unique_hint)
                }
            }
            CreateIndex { table, index } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else if index.unique {
                    caution(w.unique_index, w.unique_index_hint)
                } else {
                    caution(w.index, w.index_hint)
                }
            }
            AddForeignKey { table, foreign_key } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else if !foreign_key.validated {
                    safe("NOT VALID: existing rows are not checked")
                } else {
                    caution(w.foreign_key, w.foreign_key_hint)
                }
            }
            AddCheck { table, check } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else if !check.validated {
                    safe("NOT VALID: existing rows are not checked")
                } else {
                    caution(w.check, w.check_hint)
                }
            }
            AlterTableOptions { .. } => caution(
                "a new engine or character set rewrites every row; writers wait while it copies",
                "run it when writes can wait; check that every value converts to the new character set first",
            ),
            RebuildTable { replaces, .. } => {
                let parts: Vec<Assessment> =
                    replaces.iter().map(|r| self.rule(r).assessment).collect();
                self.carried(&s, &parts).into()
            }
            RenameConstraint { .. } | RenameIndex { .. } => {
                safe("a rename of the constraint or index only: no data is read or rewritten")
            }
            ValidateConstraint { .. } => caution(
                "scans the table (writes go on); fails if existing rows violate the constraint",
                "count and fix violating rows first",
            ),
            DropPrimaryKey { .. } => caution(
                w.drop_primary_key,
                "drop or move referencing foreign keys first; check replication needs",
            ),
            DropUnique { .. } => caution(w.drop_unique, w.drop_unique_hint),
            DropCheck { .. } => caution(
                "values it kept out can be written from now on",
                "make sure the application enforces the rule, or that it is replaced",
            ),
            DropForeignKey { .. } => caution(
                "rows may point to missing parents from now on; cascades stop",
                "make sure the application keeps references consistent",
            ),
            DropIndex { index, .. } => caution(
                &format!(
                    "queries that use it get slower{}; {}",
                    if index.unique {
                        ", and uniqueness is no longer enforced"
                    } else {
                        ""
                    },
                    w.drop_index
                ),
                w.drop_index_hint,
            ),

            DropView { view, .. } => {
                if view.materialized {
                    caution(
                        "clients reading it break; its stored rows are lost (a refresh recomputes them)",
                        "check nothing reads it (views, functions, application code)",
                    )
                } else {
                    caution(
                        "clients and functions reading it break",
                        "check nothing reads it (views, functions, application code)",
                    )
                }
            }
            ReplaceView { .. } => caution(
                "changes what every reader of the view gets",
                "check the clients of the view with the new definition",
            ),
            DropFunction { .. } => caution(
                "callers (triggers, defaults, views, application) break",
                w.drop_function_hint,
            ),
            ReplaceFunction { .. } => caution(
                "changes behaviour for every caller",
                "test the callers with the new definition",
            ),
            CreateTrigger { table, .. } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else {
                    caution(
                        "runs on writes to an existing table from now on; can slow or reject them",
                        "test it on a copy with representative writes",
                    )
                }
            }
            DropTrigger { .. } => caution(
                "the logic it ran on writes stops (audit, derived values, checks)",
                "make sure nothing relies on it",
            ),
            SetTriggerEnabled { table, enabled, .. } => {
                if *enabled {
                    if self.is_new(table) {
                        safe("on a table new in this plan")
                    } else {
                        caution(
                            "runs on writes from now on; can slow or reject them",
                            "test it on a copy with representative writes",
                        )
                    }
                } else {
                    caution(
                        "the logic it runs on writes stops (audit, derived values, checks)",
                        "make sure nothing relies on it while it is disabled",
                    )
                }
            }
            AttachPartition { .. } => caution(
                "scans the partition to check its bound (unless a matching CHECK exists) and fails on rows outside it",
                "add a CHECK matching the bound (NOT VALID, then VALIDATE) before attaching",
            ),
            DetachPartition { .. } => caution(
                "its rows leave the partitioned table: queries on the parent stop seeing them",
                "DETACH PARTITION … CONCURRENTLY (PostgreSQL 14+); check readers of the parent",
            ),
            SetInherit { inherit, .. } => caution(
                if *inherit {
                    "queries on the parent start including this table's rows"
                } else {
                    "queries on the parent stop including this table's rows"
                },
                "check readers of the parent table",
            ),
            SetRowSecurity {
                enabled,
                forced,
                from_enabled,
                from_forced,
                table,
            } => {
                if *from_enabled && !*enabled {
                    danger(
                        "disables row level security: every role with privileges on the table sees and changes all rows",
                        "make sure this is intended; keep the policies until access is checked",
                    )
                } else if *from_forced && !*forced && *enabled {
                    danger(
                        "stops forcing row level security: the table's owner bypasses the policies again",
                        "make sure the owner role is not used by clients that must be restricted",
                    )
                } else if self.is_new(table) {
                    safe("on a table new in this plan")
                } else {
                    caution(
                        "roles without a matching policy stop seeing rows",
                        "create the policies before enabling, and check each client role (SET ROLE …)",
                    )
                }
            }
            SetLogged { logged, .. } => {
                if *logged {
                    caution(
                        &format!("writes the table to the WAL: {REWRITE}"),
                        REWRITE_HINT,
                    )
                } else {
                    danger(
                        &format!(
                            "an unlogged table is emptied after a crash and is not replicated; {REWRITE}"
                        ),
                        "keep the table logged unless its rows can be rebuilt",
                    )
                }
            }
            CreatePolicy { table, .. } => {
                if self.is_new(table) {
                    safe("on a table new in this plan")
                } else {
                    caution(
                        "changes which rows roles can see or write",
                        "check it with each affected role (SET ROLE …) before relying on it",
                    )
                }
            }
            DropPolicy { policy, .. } => {
                if policy.permissive {
                    danger(
                        "changes who sees which rows: roles it let in lose access, and with no policy left only the owner sees rows",
                        "check every role's access after the change; replace the policy first if it is being reworked",
                    )
                } else {
                    danger(
                        "opens data: the restriction it applied is lifted for every role",
                        "make sure the restriction is enforced elsewhere, or replace the policy first",
                    )
                }
            }
            Unsupported { detail, .. } => caution(
                &one_line(detail),
                "compare this object by hand and change it outside sluice",
            ),
        }
    }

    fn add_column(&self, s: &str, table: &QualifiedName, c: &Column) -> Rule {
        let w = self.words;
        let caution =
            |why: &str, hint: &str| Rule::from(Assessment::caution(format!("{s}: {why}"), hint));
        if let Some(g) = &c.generated {
            if g.stored {
                return caution(
                    &format!(
                        "a stored generated column is computed for every row: {}",
                        w.rewrite
                    ),
                    w.rewrite_hint,
                );
            }
            return Assessment::safe(format!("{s}: a virtual generated column stores nothing"))
                .into();
        }
        if c.identity.is_some() {
            return caution(
                &format!(
                    "an identity column numbers every existing row: {}",
                    w.rewrite
                ),
                "add it nullable, backfill in batches, then add the identity; or run it at a quiet time",
            );
        }
        match &c.default {
            Some(d) if self.volatile(d) => caution(
                &format!(
                    "default {d} is computed for every existing row: {}",
                    w.rewrite
                ),
                "add the column without a default (or with a constant one), backfill in batches, then set the default",
            ),
            Some(_) => Assessment::safe(format!(
                "{s}: the default is evaluated once and stored; no rewrite{}",
                match self.dialect {
                    Dialect::Postgres => " (PostgreSQL 11+)",
                    Dialect::Mysql => " (ALGORITHM=INSTANT)",
                    Dialect::Sqlite => "",
                }
            ))
            .into(),
            None if !c.nullable => {
                if self.is_new(table) {
                    return Assessment::safe(format!("{s}: on a table new in this plan")).into();
                }
                if self.dialect == Dialect::Mysql {
                    // MySQL fills the column in rather than failing.
                    return caution(
                        "NOT NULL without a default: existing rows get the type's implicit default (0, '' or a zero date)",
                        "add it with an explicit DEFAULT, or nullable, backfill, then make it NOT NULL",
                    );
                }
                Rule {
                    assessment: Assessment::danger(
                        format!("{s}: NOT NULL without a default fails on a table that has rows"),
                        "add it with a DEFAULT, or nullable, backfill, then SET NOT NULL",
                    ),
                    if_clean: Some(
                        "NOT NULL without a default works only while the table is empty (it is now)"
                            .into(),
                    ),
                }
            }
            None => Assessment::safe(format!(
                "{s}: a nullable column without a default changes no row"
            ))
            .into(),
        }
    }

    fn type_change(&self, s: &str, table: &QualifiedName, from: &Column, to: &Column) -> Rule {
        let mut v = if from.data_type == to.data_type {
            Verdict::caution(
                "the collation changes: indexes on the column are rebuilt and sort order changes",
                "run it at a quiet time; check ORDER BY and unique behaviour under the new collation",
            )
        } else if self.dialect == Dialect::Sqlite {
            let strict = |c: &Catalog, t: &QualifiedName| {
                c.table(&t.schema, &t.name).is_some_and(|t| t.strict)
            };
            let target_strict = strict(self.target, &self.names.target_table(table));
            sqlite_type_change(from, to, target_strict, strict(self.source, table))
        } else {
            family_change(&from.family, &to.family, self.words, self.dialect)
        };
        // A domain's NOT NULL and checks are tested on every value converted into it.
        if let Some(d) = self.domain(&to.data_type) {
            if (!d.nullable || !d.checks.is_empty()) && v.level < RiskLevel::Danger {
                v = Verdict::dependent(
                    "values must pass the domain's NOT NULL and checks, or the change fails",
                    "count values that break the domain's rules first",
                    "values are converted into the domain; every one is checked",
                );
            }
        }
        let reason = format!("{s}: {}", v.why);
        let mut a = match v.level {
            RiskLevel::Safe => Assessment::safe(reason),
            RiskLevel::Caution => Assessment::caution(reason, v.hint),
            RiskLevel::Danger => Assessment::danger(reason, v.hint),
        };
        if a.level == RiskLevel::Safe {
            a.suggestion = None;
        }
        Rule {
            assessment: a,
            if_clean: v.if_clean,
        }
    }

    /// SOURCE's domain named `schema.name` (as `format_type` writes it).
    fn domain(&self, data_type: &str) -> Option<&Domain> {
        let (schema, name) = data_type.split_once('.')?;
        let unquote = |x: &str| x.trim_matches('"').replace("\"\"", "\"");
        let (schema, name) = (unquote(schema), unquote(name));
        self.source
            .schema(&schema)?
            .domains
            .iter()
            .find(|d| d.name == name)
    }
}

/// A verdict on a type change, from the two families.
struct Verdict {
    level: RiskLevel,
    why: String,
    hint: &'static str,
    if_clean: Option<String>,
}

const NARROW_HINT: &str =
    "count and fix the values that do not fit first; or add a new column, backfill it, and swap";
const CONVERT_HINT: &str =
    "add a new column, backfill it with an explicit conversion, check it, then swap";

impl Verdict {
    fn safe(why: impl Into<String>) -> Self {
        Verdict {
            level: RiskLevel::Safe,
            why: why.into(),
            hint: "",
            if_clean: None,
        }
    }

    fn caution(why: impl Into<String>, hint: &'static str) -> Self {
        Verdict {
            level: RiskLevel::Caution,
            why: why.into(),
            hint,
            if_clean: None,
        }
    }

    fn rewrite(what: &str, w: &Words) -> Self {
        Verdict::caution(format!("{what}: {}", w.rewrite), w.rewrite_hint)
    }

    /// Dangerous for what the data may hold; caution (`clean`) when counts show nothing.
    fn dependent(why: impl Into<String>, hint: &'static str, clean: impl Into<String>) -> Self {
        Verdict {
            level: RiskLevel::Danger,
            why: why.into(),
            hint,
            if_clean: Some(clean.into()),
        }
    }

    fn narrowing(what: &str, w: &Words) -> Self {
        Verdict::dependent(
            format!("{what}: values that do not fit make it fail; {}", w.rewrite),
            NARROW_HINT,
            format!("every value fits now; {}", w.still),
        )
    }

    fn lossy(what: &str, w: &Words) -> Self {
        Verdict::dependent(
            format!("{what}: values lose precision; {}", w.rewrite),
            NARROW_HINT,
            format!("no value changes now; {}", w.still),
        )
    }

    fn cross(w: &Words) -> Self {
        Verdict::dependent(
            format!("values that do not convert make it fail; {}", w.rewrite),
            CONVERT_HINT,
            format!("every value converts now; {}", w.still),
        )
    }
}

/// SQLite: a type change is a rebuild that gives the column a new affinity. Lengths, ranges and
/// precision are never enforced; text that reads as a number becomes a number under a numeric
/// affinity; only a STRICT table refuses values its type cannot hold.
fn sqlite_type_change(from: &Column, to: &Column, strict_from: bool, strict_to: bool) -> Verdict {
    let w = &LITE_WORDS;
    let a = Affinity::of(&from.data_type, strict_from);
    let b = Affinity::of(&to.data_type, strict_to);
    let any = to.data_type.trim().eq_ignore_ascii_case("ANY");
    if strict_to && !any {
        return Verdict::dependent(
            format!(
                "the STRICT table refuses values its new type cannot hold: they make the rebuild fail; {}",
                w.rewrite
            ),
            CONVERT_HINT,
            format!("every value can be stored now; {}", w.still),
        );
    }
    if b.numeric() && !a.numeric() {
        return Verdict::dependent(
            format!(
                "text that reads as a number is stored as a number ('007' becomes 7), other values are kept as they are; {}",
                w.rewrite
            ),
            "check codes and identifiers stored as text first (leading zeros, signs and spacing are lost); or keep a text type",
            format!("no value changes its form now; {}", w.still),
        );
    }
    if b == Affinity::Real && matches!(a, Affinity::Integer | Affinity::Numeric) {
        return Verdict::dependent(
            format!("integers beyond 2^53 are rounded as REAL; {}", w.rewrite),
            NARROW_HINT,
            format!("no value changes now; {}", w.still),
        );
    }
    let why = if a == b {
        "only the declared type changes: SQLite does not enforce lengths, ranges or precision, and stored values keep their form"
    } else if b == Affinity::Text {
        "numbers are stored as text from now on (comparisons and sorting change)"
    } else {
        "the column's affinity changes; stored values keep their form"
    };
    Verdict::caution(format!("{why}; {}", w.rewrite), w.rewrite_hint)
}

/// MySQL ENUM and SET: removing a value fails on rows that use it (strict `sql_mode`); adding
/// values at the end changes only the metadata; anything else remaps stored values.
fn mysql_values_change(from: &[String], to: &[String], w: &Words) -> Verdict {
    let removed: Vec<String> = from
        .iter()
        .filter(|v| !to.contains(v))
        .map(|v| format!("'{v}'"))
        .collect();
    if !removed.is_empty() {
        Verdict::dependent(
            format!(
                "removes value(s) {}: rows using them make it fail (strict sql_mode); {}",
                removed.join(", "),
                w.rewrite
            ),
            "move rows off the removed values first (UPDATE … SET col = … WHERE col = 'old')",
            format!("no row uses the removed value(s) now; {}", w.still),
        )
    } else if to.starts_with(from) {
        Verdict::safe("adds values at the end: only the metadata changes (ALGORITHM=INSTANT)")
    } else {
        Verdict::caution(
            format!(
                "reorders the values: stored values are remapped and sort order changes; {}",
                w.rewrite
            ),
            w.rewrite_hint,
        )
    }
}

/// Decimal digits an integer of `bits` may need.
fn int_digits(bits: u8) -> u32 {
    match bits {
        0..=8 => 3,
        9..=16 => 5,
        17..=24 => 8,
        25..=32 => 10,
        _ => 19,
    }
}

/// Bits of mantissa: the integers a float holds exactly.
fn float_exact_bits(bits: u8) -> u8 {
    if bits <= 32 { 24 } else { 53 }
}

/// How risky it is to convert a column from one family to another, in TARGET's dialect `d`
/// (PostgreSQL widens `varchar` and `numeric` precision without rewriting the table).
fn family_change(from: &TypeFamily, to: &TypeFamily, w: &Words, d: Dialect) -> Verdict {
    use TypeFamily as F;
    let pg = d == Dialect::Postgres;
    match (from, to) {
        (F::Enum { values: a, .. }, F::Enum { values: b, .. })
        | (F::Set { values: a }, F::Set { values: b })
            if d == Dialect::Mysql && a != b =>
        {
            mysql_values_change(a, b, w)
        }
        _ if from == to => {
            // Families that do not record every modifier (timestamp precision, bit length, …).
            let partial = matches!(
                from,
                F::Time { .. }
                    | F::Timestamp { .. }
                    | F::Interval
                    | F::Binary { .. }
                    | F::Other { .. }
                    | F::Array { .. }
                    | F::Set { .. }
            );
            if partial {
                Verdict::caution(
                    if pg {
                        "the type's modifiers change (precision, length): values may be rounded or cut, and the table may be rewritten under an ACCESS EXCLUSIVE lock".to_string()
                    } else {
                        format!(
                            "the type's modifiers change (precision, length): values may be rounded or cut, and the table {}",
                            w.rewrite
                        )
                    },
                    "compare the old and new type modifiers and check a few values on a copy",
                )
            } else if pg {
                Verdict::safe("same kind of type, spelled differently; no rewrite")
            } else {
                Verdict::caution(
                    "same kind of type, spelled differently; the table may be rebuilt",
                    w.rewrite_hint,
                )
            }
        }
        (
            F::Text {
                max_len: a,
                fixed: fa,
            },
            F::Text {
                max_len: b,
                fixed: fb,
            },
        ) => {
            let wider = match (a, b) {
                (_, None) => true,
                (None, Some(_)) => false,
                (Some(a), Some(b)) => b >= a,
            };
            match (wider, fa == fb && !fa) {
                (true, true) if pg => Verdict::safe("widens text: no rewrite in PostgreSQL"),
                (true, true) => Verdict::rewrite("widens text", w),
                (true, false) => Verdict::rewrite(
                    "changes between fixed and variable length text (trailing spaces change)",
                    w,
                ),
                (false, _) => Verdict::narrowing("narrows the text", w),
            }
        }
        (
            F::Integer {
                bits: a,
                unsigned: ua,
            },
            F::Integer {
                bits: b,
                unsigned: ub,
            },
        ) => {
            if ua != ub || b < a {
                Verdict::narrowing("narrows the type", w)
            } else {
                Verdict::rewrite("widens the type", w)
            }
        }
        (
            F::Decimal {
                precision: p,
                scale: s,
            },
            F::Decimal {
                precision: p2,
                scale: s2,
            },
        ) => {
            let (s, s2) = (s.unwrap_or(0), s2.unwrap_or(0));
            match (p, p2) {
                (_, None) if pg => {
                    Verdict::safe("removes the numeric's limit: no rewrite in PostgreSQL")
                }
                (_, None) => Verdict::rewrite("removes the numeric's limit", w),
                (None, Some(_)) => Verdict::narrowing("limits the numeric", w),
                (Some(p), Some(p2)) => {
                    if s2 < s {
                        Verdict::lossy(
                            &format!(
                                "lowers the scale to {s2} decimal places (values are rounded)"
                            ),
                            w,
                        )
                    } else if p2.saturating_sub(s2) < p.saturating_sub(s) {
                        Verdict::narrowing("narrows the type", w)
                    } else if s2 == s && pg {
                        Verdict::safe("widens the numeric's precision: no rewrite in PostgreSQL")
                    } else {
                        Verdict::rewrite("widens the type", w)
                    }
                }
            }
        }
        (F::Float { bits: a }, F::Float { bits: b }) => {
            if b >= a {
                Verdict::rewrite("widens the type", w)
            } else {
                Verdict::lossy("narrows the type", w)
            }
        }
        (F::Integer { bits, .. }, F::Decimal { precision, scale }) => {
            let whole = precision.map(|p| p.saturating_sub(scale.unwrap_or(0)));
            if whole.is_none_or(|w| w >= int_digits(*bits)) {
                Verdict::rewrite("converts the type (every value fits)", w)
            } else {
                Verdict::narrowing("converts the type", w)
            }
        }
        (F::Integer { bits: a, .. }, F::Float { bits: b }) => {
            if *a <= float_exact_bits(*b) {
                Verdict::rewrite("converts the type (exactly)", w)
            } else {
                Verdict::lossy("converts the type", w)
            }
        }
        (F::Decimal { .. } | F::Float { .. }, F::Integer { .. }) => Verdict::dependent(
            format!(
                "fractions are rounded and values out of range make it fail; {}",
                w.rewrite
            ),
            NARROW_HINT,
            format!("every value is whole and in range now; {}", w.still),
        ),
        (_, F::Text { max_len: None, .. }) => {
            Verdict::rewrite("converts to text (clients see strings)", w)
        }
        (F::Date, F::Timestamp { .. }) => {
            Verdict::rewrite("converts date to timestamp (midnight)", w)
        }
        (F::Timestamp { tz: a }, F::Timestamp { tz: b }) if a != b => {
            Verdict::caution(w.time_zone, w.time_zone_hint)
        }
        (F::Time { .. }, F::Time { .. }) => Verdict::rewrite("changes the time's zone handling", w),
        (F::Timestamp { .. }, F::Date) => {
            Verdict::lossy("converts timestamp to date (the time of day is dropped)", w)
        }
        (F::Json { .. }, F::Json { .. }) => Verdict::rewrite(
            "converts between json and jsonb (duplicate keys, key order and whitespace are not kept by jsonb)",
            w,
        ),
        (F::Array { element: a }, F::Array { element: b }) => {
            let mut v = family_change(a, b, w, Dialect::Sqlite);
            v.why = format!("array elements: {}", v.why);
            if v.level == RiskLevel::Safe {
                v = Verdict::rewrite(&v.why, w);
            }
            v
        }
        (F::Any, _) | (_, F::Any) => Verdict::rewrite("changes the declared type", w),
        _ => Verdict::cross(w),
    }
}

/// Names of the functions an expression calls (`nextval` of `nextval('s'::regclass)`, `my_fn` of
/// `public.my_fn(1)`), lowercased, outside string literals. A small scanner, not a parser.
fn called_functions(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_string = false;
    let mut gap = false;
    for ch in expr.chars() {
        if in_string {
            if ch == '\'' {
                in_string = false;
            }
            continue;
        }
        match ch {
            '\'' => {
                in_string = true;
                word.clear();
            }
            '(' => {
                if !word.is_empty() {
                    let name = word.rsplit('.').next().unwrap_or(&word);
                    out.push(name.trim_matches('"').to_ascii_lowercase());
                }
                word.clear();
                gap = false;
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' || c == '.' || c == '"' => {
                if gap {
                    word.clear();
                    gap = false;
                }
                word.push(c);
            }
            c if c.is_whitespace() => gap = !word.is_empty(),
            _ => {
                word.clear();
                gap = false;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, data_type: &str, family: TypeFamily) -> Column {
        Column {
            name: name.into(),
            ordinal: 1,
            data_type: data_type.into(),
            family,
            nullable: true,
            ..Column::default()
        }
    }

    fn pg() -> Catalog {
        let mut c = Catalog {
            dialect: Some(Dialect::Postgres),
            ..Catalog::default()
        };
        c.schema_mut("public").tables.push(Table {
            name: "t".into(),
            columns: vec![col("a", "integer", TypeFamily::int(32))],
            ..Table::default()
        });
        c
    }

    #[test]
    fn scans_function_calls() {
        assert_eq!(
            called_functions("nextval('x(y)'::regclass)"),
            vec!["nextval"]
        );
        assert_eq!(
            called_functions("(public.\"MyFn\"(1) + lower ('a'))"),
            vec!["myfn", "lower"]
        );
        assert!(called_functions("'random()'").is_empty());
    }

    #[test]
    fn type_families() {
        let t = |a: TypeFamily, b: TypeFamily| {
            family_change(&a, &b, &PG_WORDS, Dialect::Postgres).level
        };
        assert_eq!(
            t(TypeFamily::text(Some(50)), TypeFamily::text(Some(200))),
            RiskLevel::Safe
        );
        assert_eq!(
            t(TypeFamily::text(Some(50)), TypeFamily::text(None)),
            RiskLevel::Safe
        );
        assert_eq!(
            t(TypeFamily::text(Some(200)), TypeFamily::text(Some(50))),
            RiskLevel::Danger
        );
        assert_eq!(
            t(TypeFamily::int(32), TypeFamily::int(64)),
            RiskLevel::Caution
        );
        assert_eq!(
            t(TypeFamily::int(64), TypeFamily::int(16)),
            RiskLevel::Danger
        );
        assert_eq!(
            t(TypeFamily::text(None), TypeFamily::int(32)),
            RiskLevel::Danger
        );
        assert_eq!(t(TypeFamily::int(32), TypeFamily::Date), RiskLevel::Danger);
        let dec = |p, s| TypeFamily::Decimal {
            precision: Some(p),
            scale: Some(s),
        };
        assert_eq!(t(dec(10, 2), dec(12, 2)), RiskLevel::Safe);
        assert_eq!(t(dec(10, 2), dec(12, 3)), RiskLevel::Caution);
        assert_eq!(t(dec(10, 2), dec(8, 2)), RiskLevel::Danger);
        assert_eq!(t(dec(10, 2), dec(10, 1)), RiskLevel::Danger);
        assert_eq!(
            t(TypeFamily::int(32), TypeFamily::text(None)),
            RiskLevel::Caution
        );
    }

    #[test]
    fn every_non_safe_rule_has_a_suggestion() {
        let target = pg();
        let source = pg();
        let t = QualifiedName::new("public", "t");
        let changes = vec![
            Change::DropTable {
                schema: "public".into(),
                table: Table {
                    name: "t".into(),
                    ..Table::default()
                },
            },
            Change::SetNotNull {
                table: t.clone(),
                column: "a".into(),
            },
            Change::Unsupported {
                object_kind: "rule".into(),
                object: "public.r".into(),
                detail: "rules are not supported\nyet".into(),
            },
        ];
        for a in assess_plan(&changes, &target, &source) {
            assert!(!a.reason.contains('\n'));
            if a.level != RiskLevel::Safe {
                assert!(a.suggestion.is_some(), "{a:?}");
            }
        }
    }

    #[test]
    fn volatile_defaults() {
        let target = pg();
        let source = pg();
        let add = |d: &str| Change::AddColumn {
            table: QualifiedName::new("public", "t"),
            column: Column {
                default: Some(d.into()),
                ..col("b", "uuid", TypeFamily::Uuid)
            },
        };
        assert_eq!(
            assess(&add("gen_random_uuid()"), &target, &source).level,
            RiskLevel::Caution
        );
        assert_eq!(
            assess(&add("now()"), &target, &source).level,
            RiskLevel::Safe
        );
    }
}
