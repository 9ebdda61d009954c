//! A minimal, safe wrapper over the SQLite C API (the `libsqlite3-sys` that sqlx already links),
//! for reading rows fast: sqlx's SQLite driver sends every row through a worker thread and copies
//! every value, which costs several microseconds a row. Read-only connections, prepared
//! statements, bound parameters, and column access; nothing else.

use std::ffi::{CStr, CString, c_int};
use std::path::Path;
use std::ptr;

use libsqlite3_sys as ffi;

/// A read-only connection.
pub struct Conn {
    db: *mut ffi::sqlite3,
}

// The connection is used by one thread at a time (it moves into a reader thread).
unsafe impl Send for Conn {}

impl Drop for Conn {
    fn drop(&mut self) {
        // SAFETY: `db` came from sqlite3_open_v2 and is closed once; statements borrow the
        // connection and are finalized before it is dropped.
        unsafe {
            ffi::sqlite3_close(self.db);
        }
    }
}

/// What a column holds in the current row.
pub enum Col<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a [u8]),
    Blob(&'a [u8]),
}

impl Conn {
    pub fn open_read_only(path: &Path) -> Result<Conn, String> {
        let c = CString::new(path.to_string_lossy().as_bytes())
            .map_err(|_| "the path holds a NUL byte".to_string())?;
        let mut db = ptr::null_mut();
        // SAFETY: valid C string and out pointer; the handle is closed by Drop even on error.
        let rc = unsafe {
            ffi::sqlite3_open_v2(
                c.as_ptr(),
                &mut db,
                ffi::SQLITE_OPEN_READONLY | ffi::SQLITE_OPEN_NOMUTEX,
                ptr::null(),
            )
        };
        let conn = Conn { db };
        if rc != ffi::SQLITE_OK {
            return Err(conn.error());
        }
        // SAFETY: open handle.
        unsafe {
            ffi::sqlite3_busy_timeout(conn.db, 10_000);
        }
        Ok(conn)
    }

    fn error(&self) -> String {
        if self.db.is_null() {
            return "cannot open the database".to_string();
        }
        // SAFETY: sqlite3_errmsg returns a NUL-terminated string owned by the connection.
        unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.db)) }
            .to_string_lossy()
            .into_owned()
    }

    pub fn prepare(&self, sql: &str) -> Result<Stmt<'_>, String> {
        let mut st = ptr::null_mut();
        let len = c_int::try_from(sql.len()).map_err(|_| "statement too long".to_string())?;
        // SAFETY: `sql` is valid for `len` bytes; the statement is finalized by Drop.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(self.db, sql.as_ptr().cast(), len, &mut st, ptr::null_mut())
        };
        if rc != ffi::SQLITE_OK {
            return Err(self.error());
        }
        Ok(Stmt { conn: self, st })
    }
}

/// A prepared statement.
pub struct Stmt<'c> {
    conn: &'c Conn,
    st: *mut ffi::sqlite3_stmt,
}

impl Drop for Stmt<'_> {
    fn drop(&mut self) {
        // SAFETY: finalized once.
        unsafe {
            ffi::sqlite3_finalize(self.st);
        }
    }
}

impl Stmt<'_> {
    fn check(&self, rc: c_int) -> Result<(), String> {
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(self.conn.error())
        }
    }

    /// Binds parameter `i` (1-based).
    pub fn bind_int(&mut self, i: c_int, v: i64) -> Result<(), String> {
        // SAFETY: live statement.
        self.check(unsafe { ffi::sqlite3_bind_int64(self.st, i, v) })
    }

    pub fn bind_real(&mut self, i: c_int, v: f64) -> Result<(), String> {
        // SAFETY: live statement.
        self.check(unsafe { ffi::sqlite3_bind_double(self.st, i, v) })
    }

    pub fn bind_text(&mut self, i: c_int, v: &str) -> Result<(), String> {
        let len = c_int::try_from(v.len()).map_err(|_| "value too long".to_string())?;
        // SAFETY: SQLITE_TRANSIENT makes SQLite copy the bytes before returning.
        self.check(unsafe {
            ffi::sqlite3_bind_text(self.st, i, v.as_ptr().cast(), len, ffi::SQLITE_TRANSIENT())
        })
    }

    pub fn bind_blob(&mut self, i: c_int, v: &[u8]) -> Result<(), String> {
        let len = c_int::try_from(v.len()).map_err(|_| "value too long".to_string())?;
        // SAFETY: as for text.
        self.check(unsafe {
            ffi::sqlite3_bind_blob(self.st, i, v.as_ptr().cast(), len, ffi::SQLITE_TRANSIENT())
        })
    }

    /// Advances to the next row: true when there is one.
    pub fn step(&mut self) -> Result<bool, String> {
        // SAFETY: live statement.
        match unsafe { ffi::sqlite3_step(self.st) } {
            ffi::SQLITE_ROW => Ok(true),
            ffi::SQLITE_DONE => Ok(false),
            _ => Err(self.conn.error()),
        }
    }

    /// Column `i` (0-based) of the current row; valid until the next `step`.
    pub fn col(&self, i: c_int) -> Col<'_> {
        // SAFETY: called between a successful step and the next one; the returned slices point
        // into memory SQLite keeps valid until then (the borrow of `self` enforces it, as `step`
        // takes `&mut self`). Type is read first, then the value in that type, as the SQLite
        // documentation prescribes, so no conversion invalidates the pointer.
        unsafe {
            match ffi::sqlite3_column_type(self.st, i) {
                ffi::SQLITE_INTEGER => Col::Int(ffi::sqlite3_column_int64(self.st, i)),
                ffi::SQLITE_FLOAT => Col::Real(ffi::sqlite3_column_double(self.st, i)),
                ffi::SQLITE_TEXT => {
                    let p = ffi::sqlite3_column_text(self.st, i);
                    let n = ffi::sqlite3_column_bytes(self.st, i);
                    Col::Text(slice(p, n))
                }
                ffi::SQLITE_BLOB => {
                    let p = ffi::sqlite3_column_blob(self.st, i).cast::<u8>();
                    let n = ffi::sqlite3_column_bytes(self.st, i);
                    Col::Blob(slice(p, n))
                }
                _ => Col::Null,
            }
        }
    }
}

/// SAFETY: `p` must point to `n` readable bytes (or be null with `n == 0`).
unsafe fn slice<'a>(p: *const u8, n: c_int) -> &'a [u8] {
    match usize::try_from(n) {
        Ok(n) if !p.is_null() && n > 0 => unsafe { std::slice::from_raw_parts(p, n) },
        _ => &[],
    }
}
