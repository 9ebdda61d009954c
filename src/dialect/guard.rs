//! What keeps an apply to the right database and alone on it.
//!
//! - [`identity`]: which database this is, as the server names it — PostgreSQL's system
//!   identifier (from `pg_control_system()`, or the server's address where that is not granted),
//!   the database's name and OID; MySQL's `@@server_uuid` (MariaDB: `@@server_uid`, else host,
//!   port and server id) and the schema; a SQLite file's device, inode and path. Recorded at plan
//!   time; apply refuses another database unless told to retarget.
//! - [`lock_apply`]: one apply at a time per database, held for the whole apply — a PostgreSQL
//!   session-level advisory lock and a MySQL `GET_LOCK`, each on a connection of its own that
//!   names who holds it; an exclusive `flock` on a SQLite file (SQLite's own locks are `fcntl`
//!   locks, which `flock` does not disturb). A second apply is refused at once, naming the
//!   holder. The database drops the lock if the process dies.

use sqlx::pool::PoolConnection;
use sqlx::{Connection, Row};

use super::Db;
use crate::error::{Error, Result};
use crate::model::TargetIdentity;

/// The advisory lock's key on PostgreSQL (`pg_try_advisory_lock(int4, int4)`): "sluc", 1.
const PG_LOCK: (i32, i32) = (0x736c_7563, 1);

/// Which database `db` is.
pub async fn identity(db: &Db) -> Result<TargetIdentity> {
    let ctx = "reading TARGET's identity";
    match db {
        Db::Pg(pool) => {
            let row = sqlx::query(
                "SELECT current_database(), (SELECT oid::int8 FROM pg_database WHERE datname = current_database()), \
                 coalesce(host(inet_server_addr()), 'local') || ':' || coalesce(inet_server_port()::text, '')",
            )
            .fetch_one(pool)
            .await
            .map_err(|e| crate::dialect::error::db(ctx, e))?;
            let (name, oid, addr): (String, i64, String) = (
                row.try_get(0)
                    .map_err(|e| crate::dialect::error::db(ctx, e))?,
                row.try_get(1)
                    .map_err(|e| crate::dialect::error::db(ctx, e))?,
                row.try_get(2)
                    .map_err(|e| crate::dialect::error::db(ctx, e))?,
            );
            // The system identifier names the cluster; reading it may need pg_monitor.
            let system: Option<String> =
                sqlx::query_scalar("SELECT system_identifier::text FROM pg_control_system()")
                    .fetch_one(pool)
                    .await
                    .ok();
            Ok(match system {
                Some(sys) => TargetIdentity {
                    id: format!("postgres:{sys}:{name}:{oid}"),
                    describe: format!("PostgreSQL cluster {sys}, database {name}"),
                },
                None => TargetIdentity {
                    id: format!("postgres:{addr}:{name}:{oid}"),
                    describe: format!("PostgreSQL server {addr}, database {name}"),
                },
            })
        }
        Db::My(pool) => {
            let schema: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
                .fetch_one(pool)
                .await
                .map_err(|e| crate::dialect::error::db(ctx, e))?;
            let schema = schema.unwrap_or_default();
            let mut server = None;
            for q in [
                "SELECT CAST(@@server_uuid AS CHAR)",
                "SELECT CAST(@@server_uid AS CHAR)",
            ] {
                if let Ok(Some(v)) = sqlx::query_scalar::<_, Option<String>>(q)
                    .fetch_one(pool)
                    .await
                {
                    if !v.is_empty() {
                        server = Some(v);
                        break;
                    }
                }
            }
            let server = match server {
                Some(s) => s,
                None => sqlx::query_scalar::<_, String>(
                    "SELECT CONCAT(@@hostname, ':', @@port, ':', @@server_id)",
                )
                .fetch_one(pool)
                .await
                .map_err(|e| crate::dialect::error::db(ctx, e))?,
            };
            Ok(TargetIdentity {
                id: format!("mysql:{server}:{schema}"),
                describe: format!("MySQL/MariaDB server {server}, database {schema}"),
            })
        }
        Db::Lite(_) => {
            let path = super::rows::sqlite_path(db)
                .ok_or_else(|| Error::db(ctx, "the SQLite connection names no file"))?;
            let canon = std::fs::canonicalize(&path).map_err(|e| Error::file(&path, e))?;
            use std::os::unix::fs::MetadataExt;
            let meta = std::fs::metadata(&canon).map_err(|e| Error::file(&canon, e))?;
            Ok(TargetIdentity {
                id: format!("sqlite:{}:{}:{}", meta.dev(), meta.ino(), canon.display()),
                describe: format!("SQLite file {} (inode {})", canon.display(), meta.ino()),
            })
        }
    }
}

/// The lock an apply holds on its database; [`ApplyLock::release`] gives it back (so does the
/// database when the process ends).
pub struct ApplyLock {
    inner: Inner,
}

enum Inner {
    Pg(PoolConnection<sqlx::Postgres>),
    My(PoolConnection<sqlx::MySql>, String),
    Lite(std::fs::File),
}

/// Takes the apply lock on `db` for `who` (`user@host`), or refuses at once (exit 4) naming
/// who holds it.
pub async fn lock_apply(db: &Db, who: &str) -> Result<ApplyLock> {
    let ctx = "taking the apply lock";
    match db {
        Db::Pg(pool) => {
            let mut conn = pool
                .acquire()
                .await
                .map_err(|e| crate::dialect::error::db(ctx, e))?;
            let name: String = format!("sluice apply by {who}").chars().take(60).collect();
            sqlx::query("SELECT set_config('application_name', $1, false)")
                .bind(&name)
                .execute(&mut *conn)
                .await
                .map_err(|e| crate::dialect::error::db(ctx, e))?;
            let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
                .bind(PG_LOCK.0)
                .bind(PG_LOCK.1)
                .fetch_one(&mut *conn)
                .await
                .map_err(|e| crate::dialect::error::db(ctx, e))?;
            if got {
                return Ok(ApplyLock {
                    inner: Inner::Pg(conn),
                });
            }
            let holder = sqlx::query(
                "SELECT a.application_name, a.usename::text, coalesce(host(a.client_addr), 'local socket'), \
                 to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), a.pid \
                 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                 WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::oid AND l.objid = $2::oid \
                 AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            )
            .bind(PG_LOCK.0 as i64)
            .bind(PG_LOCK.1 as i64)
            .fetch_optional(&mut *conn)
            .await
            .ok()
            .flatten();
            let _ = conn.detach().close().await;
            let who = holder
                .map(|r| {
                    let app: String = r.try_get(0).unwrap_or_default();
                    let user: String = r.try_get(1).unwrap_or_default();
                    let addr: String = r.try_get(2).unwrap_or_default();
                    let since: String = r.try_get(3).unwrap_or_default();
                    let pid: i32 = r.try_get(4).unwrap_or_default();
                    let by = app
                        .strip_prefix("sluice apply by ")
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("{user}@{addr}"));
                    format!("since {since} by {by} (PostgreSQL user {user} from {addr}, pid {pid})")
                })
                .unwrap_or_else(|| "(the holder could not be read)".into());
            Err(Error::Refused(format!(
                "another apply holds TARGET {who}: wait for it to finish, then apply again"
            )))
        }
        Db::My(pool) => {
            let mut conn = pool
                .acquire()
                .await
                .map_err(|e| crate::dialect::error::db(ctx, e))?;
            let schema: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
                .fetch_one(&mut *conn)
                .await
                .map_err(|e| crate::dialect::error::db(ctx, e))?;
            let name: String = format!("sluice-apply:{}", schema.unwrap_or_default())
                .chars()
                .take(64)
                .collect();
            let got: Option<i64> = sqlx::query_scalar("SELECT GET_LOCK(?, 0)")
                .bind(&name)
                .fetch_one(&mut *conn)
                .await
                .map_err(|e| crate::dialect::error::db(ctx, e))?;
            if got == Some(1) {
                return Ok(ApplyLock {
                    inner: Inner::My(conn, name),
                });
            }
            let holder = sqlx::query(
                "SELECT CAST(p.USER AS CHAR), CAST(p.HOST AS CHAR), CAST(p.TIME AS SIGNED), p.ID \
                 FROM information_schema.PROCESSLIST p WHERE p.ID = IS_USED_LOCK(?)",
            )
            .bind(&name)
            .fetch_optional(&mut *conn)
            .await
            .ok()
            .flatten();
            drop(conn);
            let who = holder
                .map(|r| {
                    let user: String = r.try_get(0).unwrap_or_default();
                    let host: String = r.try_get(1).unwrap_or_default();
                    let secs: i64 = r.try_get(2).unwrap_or_default();
                    let id: u64 = r.try_get(3).unwrap_or_default();
                    let since = chrono::Utc::now() - chrono::Duration::seconds(secs);
                    format!(
                        "since {} by {user}@{host} (connection {id})",
                        since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    )
                })
                .unwrap_or_else(|| "(the holder could not be read)".into());
            Err(Error::Refused(format!(
                "another apply holds TARGET {who}: wait for it to finish, then apply again"
            )))
        }
        Db::Lite(_) => {
            let path = super::rows::sqlite_path(db)
                .ok_or_else(|| Error::db(ctx, "the SQLite connection names no file"))?;
            let file = std::fs::File::open(&path).map_err(|e| Error::file(&path, e))?;
            use std::os::fd::AsRawFd;
            // SAFETY: `flock` on a descriptor this `File` owns and keeps open; it touches no
            // memory of ours.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if rc == 0 {
                return Ok(ApplyLock {
                    inner: Inner::Lite(file),
                });
            }
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::WouldBlock {
                return Err(Error::Refused(format!(
                    "another apply holds TARGET ({}): wait for it to finish, then apply again",
                    path.display()
                )));
            }
            Err(Error::file(&path, e))
        }
    }
}

impl ApplyLock {
    /// Gives the lock back. The connection that held it is closed, not pooled.
    pub async fn release(self) {
        match self.inner {
            Inner::Pg(mut conn) => {
                let _ = sqlx::query("SELECT pg_advisory_unlock($1, $2)")
                    .bind(PG_LOCK.0)
                    .bind(PG_LOCK.1)
                    .execute(&mut *conn)
                    .await;
                let _ = conn.detach().close().await;
            }
            Inner::My(mut conn, name) => {
                let _ = sqlx::query("SELECT RELEASE_LOCK(?)")
                    .bind(&name)
                    .execute(&mut *conn)
                    .await;
                let _ = conn.detach().close().await;
            }
            // Closing the file drops its `flock`.
            Inner::Lite(file) => drop(file),
        }
    }
}
