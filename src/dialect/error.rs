//! Database errors, classified once: the driver's error (which only `dialect/` sees) becomes an
//! [`Error`] carrying a [`DbErrorKind`], read from the SQLSTATE (PostgreSQL), the server's error
//! number (MySQL/MariaDB) or the result code (SQLite). The server's message is kept as it is
//! for people; nothing above this module tells kinds apart by their wording.
//!
//! Where one code covers several causes the message refines it: PostgreSQL's 57014 is both a
//! statement timeout and a cancel request, its 28000 both an unknown role and a `pg_hba.conf`
//! refusal; SQLite reports a missing table or column with the generic SQLITE_ERROR.

use sqlx::error::DatabaseError;
use sqlx::mysql::MySqlDatabaseError;
use sqlx::postgres::PgDatabaseError;
use sqlx::sqlite::SqliteError;

use crate::error::{DbErrorKind, Error, one_line};

/// Wraps a driver error with what we were doing, classified.
pub fn db(context: impl Into<String>, e: sqlx::Error) -> Error {
    Error::db_kind(context, kind(&e), e)
}

/// The server's own message (without sqlx's wrapping), on one line.
pub fn message(e: &sqlx::Error) -> String {
    match e.as_database_error() {
        Some(d) => one_line(d.message()),
        None => one_line(&e.to_string()),
    }
}

/// What kind of failure a driver error is.
pub fn kind(e: &sqlx::Error) -> DbErrorKind {
    match e {
        sqlx::Error::Database(d) => {
            if let Some(pg) = d.try_downcast_ref::<PgDatabaseError>() {
                postgres(pg.code(), pg.message())
            } else if let Some(my) = d.try_downcast_ref::<MySqlDatabaseError>() {
                mysql(my.number())
            } else if let Some(lite) = d.try_downcast_ref::<SqliteError>() {
                let code = lite
                    .code()
                    .and_then(|c| c.parse::<i32>().ok())
                    .unwrap_or_default();
                sqlite(code, lite.message())
            } else {
                DbErrorKind::Other
            }
        }
        sqlx::Error::Io(io) => io_kind(io),
        sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => DbErrorKind::Connection,
        _ => DbErrorKind::Other,
    }
}

fn io_kind(io: &std::io::Error) -> DbErrorKind {
    match io.kind() {
        std::io::ErrorKind::ConnectionRefused => DbErrorKind::ConnectionRefused,
        // A failed name lookup has no kind of its own (tokio reports it as `Other` or
        // uncategorized): the resolver's words are all there is.
        _ => {
            let m = io.to_string().to_ascii_lowercase();
            if m.contains("lookup address") || m.contains("name or service not known") {
                DbErrorKind::UnknownHost
            } else {
                DbErrorKind::Connection
            }
        }
    }
}

/// PostgreSQL, by SQLSTATE (<https://www.postgresql.org/docs/current/errcodes-appendix.html>).
pub fn postgres(sqlstate: &str, message: &str) -> DbErrorKind {
    match sqlstate {
        // query_canceled: a statement_timeout or a cancel request; only the message says which.
        "57014" if message.contains("statement timeout") => DbErrorKind::StatementTimeout,
        "57014" => DbErrorKind::Canceled,
        "55P03" => DbErrorKind::LockTimeout,
        "28P01" => DbErrorKind::Authentication,
        // invalid_authorization_specification: an unknown role, or pg_hba.conf / peer rules.
        "28000" if message.starts_with("role \"") && message.ends_with("does not exist") => {
            DbErrorKind::UnknownUser
        }
        "28000" => DbErrorKind::AccessRefused,
        "3D000" => DbErrorKind::UnknownDatabase,
        "42P01" | "42703" | "42704" | "42883" | "3F000" => DbErrorKind::UndefinedObject,
        "23505" => DbErrorKind::UniqueViolation,
        "23502" => DbErrorKind::NotNullViolation,
        "23514" => DbErrorKind::CheckViolation,
        // connection_exception, admin_shutdown, crash_shutdown, cannot_connect_now
        s if s.starts_with("08") => DbErrorKind::Connection,
        "57P01" | "57P02" | "57P03" => DbErrorKind::Connection,
        _ => DbErrorKind::Other,
    }
}

/// MySQL and MariaDB, by error number
/// (<https://mariadb.com/kb/en/mariadb-error-code-reference/>).
pub fn mysql(number: u16) -> DbErrorKind {
    match number {
        // ER_DBACCESS_DENIED_ERROR, ER_ACCESS_DENIED_ERROR, ER_ACCESS_DENIED_NO_PASSWORD_ERROR
        1044 | 1045 | 1698 => DbErrorKind::Authentication,
        // ER_BAD_DB_ERROR
        1049 => DbErrorKind::UnknownDatabase,
        // ER_LOCK_WAIT_TIMEOUT
        1205 => DbErrorKind::LockTimeout,
        // MySQL ER_QUERY_TIMEOUT (max_execution_time), MariaDB ER_STATEMENT_TIMEOUT
        // (max_statement_time)
        3024 | 1969 => DbErrorKind::StatementTimeout,
        // ER_QUERY_INTERRUPTED (KILL QUERY)
        1317 => DbErrorKind::Canceled,
        // ER_BAD_FIELD_ERROR, ER_NO_SUCH_TABLE, ER_KEY_DOES_NOT_EXITS
        1054 | 1146 | 1176 => DbErrorKind::UndefinedObject,
        // ER_DUP_ENTRY, ER_DUP_ENTRY_WITH_KEY_NAME
        1062 | 1586 => DbErrorKind::UniqueViolation,
        // ER_BAD_NULL_ERROR
        1048 => DbErrorKind::NotNullViolation,
        // MySQL ER_CHECK_CONSTRAINT_VIOLATED, MariaDB ER_CONSTRAINT_FAILED
        3819 | 4025 => DbErrorKind::CheckViolation,
        _ => DbErrorKind::Other,
    }
}

/// SQLite, by (extended) result code (<https://www.sqlite.org/rescode.html>).
pub fn sqlite(code: i32, message: &str) -> DbErrorKind {
    const SQLITE_ERROR: i32 = 1;
    const SQLITE_BUSY: i32 = 5;
    const SQLITE_LOCKED: i32 = 6;
    const SQLITE_INTERRUPT: i32 = 9;
    const SQLITE_NOTADB: i32 = 26;
    const SQLITE_CONSTRAINT_CHECK: i32 = 275;
    const SQLITE_CONSTRAINT_NOTNULL: i32 = 1299;
    const SQLITE_CONSTRAINT_PRIMARYKEY: i32 = 1555;
    const SQLITE_CONSTRAINT_UNIQUE: i32 = 2067;
    match code {
        SQLITE_CONSTRAINT_PRIMARYKEY | SQLITE_CONSTRAINT_UNIQUE => DbErrorKind::UniqueViolation,
        SQLITE_CONSTRAINT_NOTNULL => DbErrorKind::NotNullViolation,
        SQLITE_CONSTRAINT_CHECK => DbErrorKind::CheckViolation,
        _ => match code & 0xff {
            SQLITE_BUSY | SQLITE_LOCKED => DbErrorKind::LockTimeout,
            SQLITE_INTERRUPT => DbErrorKind::StatementTimeout,
            SQLITE_NOTADB => DbErrorKind::NotADatabase,
            // The generic code: `no such table`, `no such column`, … say it in words only.
            SQLITE_ERROR if message.starts_with("no such ") => DbErrorKind::UndefinedObject,
            _ => DbErrorKind::Other,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_codes() {
        assert_eq!(
            postgres("57014", "canceling statement due to statement timeout"),
            DbErrorKind::StatementTimeout
        );
        assert_eq!(
            postgres("57014", "canceling statement due to user request"),
            DbErrorKind::Canceled
        );
        assert_eq!(
            postgres("28000", r#"role "nobody" does not exist"#),
            DbErrorKind::UnknownUser
        );
        assert_eq!(
            postgres("28000", "no pg_hba.conf entry for host"),
            DbErrorKind::AccessRefused
        );
        assert_eq!(postgres("3D000", "x"), DbErrorKind::UnknownDatabase);
        assert_eq!(postgres("55P03", "x"), DbErrorKind::LockTimeout);
        assert_eq!(postgres("08006", "x"), DbErrorKind::Connection);
        assert_eq!(postgres("22012", "division by zero"), DbErrorKind::Other);
    }

    #[test]
    fn mysql_and_sqlite_codes() {
        assert_eq!(mysql(1969), DbErrorKind::StatementTimeout);
        assert_eq!(mysql(3024), DbErrorKind::StatementTimeout);
        assert_eq!(mysql(1205), DbErrorKind::LockTimeout);
        assert_eq!(mysql(1045), DbErrorKind::Authentication);
        assert_eq!(mysql(1049), DbErrorKind::UnknownDatabase);
        assert_eq!(sqlite(5, "database is locked"), DbErrorKind::LockTimeout);
        assert_eq!(sqlite(517, "database is locked"), DbErrorKind::LockTimeout);
        assert_eq!(sqlite(9, "interrupted"), DbErrorKind::StatementTimeout);
        assert_eq!(
            sqlite(26, "file is not a database"),
            DbErrorKind::NotADatabase
        );
        assert_eq!(
            sqlite(2067, "UNIQUE constraint failed: t.a"),
            DbErrorKind::UniqueViolation
        );
        assert_eq!(sqlite(1, "no such table: t"), DbErrorKind::UndefinedObject);
        assert_eq!(
            sqlite(1299, "NOT NULL constraint failed: t.a"),
            DbErrorKind::NotNullViolation
        );
        assert_eq!(
            sqlite(275, "CHECK constraint failed: c"),
            DbErrorKind::CheckViolation
        );
        assert_eq!(sqlite(1, "near \"x\": syntax error"), DbErrorKind::Other);
    }
}
