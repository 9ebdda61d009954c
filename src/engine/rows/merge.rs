//! Keyed tables: both sides read concurrently, page by page, and merged in key order.
//!
//! Each side has a reader task with its own connection that fetches keyset pages ahead of the
//! merge (a bounded channel of two pages: memory stays at a few pages whatever the table's size).
//! The merge compares canonical key bytes — never a server's collation — and checks that every
//! side really delivers strictly increasing keys, so a database that orders a key differently
//! stops the diff with a reason instead of inventing differences. Differences go to the table's
//! differences file; after every batch the file is synced and the checkpoint replaced.

use std::cmp::Ordering as CmpOrdering;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{Ctx, side_spec};
use crate::dialect::Db;
use crate::dialect::rows::{LocalReader, ReadSpec, RowConn, RowRec};
use crate::error::{Error, Result};
use crate::model::rowdiff::{DiffClass, DiffRecord, TablePair, TableStatus};
use crate::model::rows::key_json;

/// Rows per query at most (ten batches, unless a batch is larger): each page streams in
/// batches.
const PAGE_ROWS: usize = 100_000;

pub(crate) enum Msg {
    Page(Vec<RowRec>),
    End,
}

/// Aborts a reader task when the merge stops early.
pub(crate) struct Reader {
    pub handle: JoinHandle<()>,
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// Row counters a reader task shares with the merge (for progress).
#[derive(Default)]
pub(crate) struct Counter {
    pub rows: AtomicU64,
    /// The database's estimate of the row count; 0 when unknown.
    pub estimate: AtomicU64,
    /// The reader's connection as the server names it (0: unknown, or no server).
    pub server: AtomicU64,
}

pub(crate) fn spawn_reader(
    db: Db,
    spec: ReadSpec,
    after: Option<Vec<u8>>,
    batch: usize,
    timeout: std::time::Duration,
    counter: Arc<Counter>,
) -> (mpsc::Receiver<Result<Msg>>, Reader) {
    let (tx, rx) = mpsc::channel(2);
    let page_rows = batch.saturating_mul(10).min(PAGE_ROWS.max(batch));
    if let Some(local) = LocalReader::of(&db) {
        // Read in this process, in a blocking thread (SQLite).
        let handle = tokio::task::spawn_blocking(move || {
            let mut sink = |rows: Vec<RowRec>| {
                counter.rows.fetch_add(rows.len() as u64, Ordering::Relaxed);
                tx.blocking_send(Ok(Msg::Page(rows))).is_ok()
            };
            let r = local.read_pages(&spec, after, page_rows, batch, &mut sink);
            let _ = match r {
                Ok(true) => tx.blocking_send(Ok(Msg::End)),
                Ok(false) => Ok(()),
                Err(e) => tx.blocking_send(Err(e)),
            };
        });
        return (rx, Reader { handle });
    }
    let handle = tokio::spawn(async move {
        let mut conn = match RowConn::open(&db, timeout).await {
            Ok(c) => c,
            Err(e) => {
                let _ = tx.send(Err(e)).await;
                return;
            }
        };
        if let Some(id) = conn.server_id().await {
            counter.server.store(id, Ordering::Relaxed);
        }
        if let Some(n) = conn.estimate_rows(&spec).await {
            counter.estimate.store(n, Ordering::Relaxed);
        }
        let mut after = after;
        // Pages are larger than batches: a page streams in chunks of `batch` rows, so fewer
        // queries start while memory still holds only a few chunks.
        let c = counter.clone();
        let sender = tx.clone();
        let mut sink = move |rows: Vec<RowRec>| -> futures::future::BoxFuture<'static, bool> {
            c.rows.fetch_add(rows.len() as u64, Ordering::Relaxed);
            let tx = sender.clone();
            Box::pin(async move { tx.send(Ok(Msg::Page(rows))).await.is_ok() })
        };
        loop {
            match conn
                .page(&spec, after.as_deref(), page_rows, batch, &mut sink)
                .await
            {
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
                Ok(end) if end.stopped => return,
                Ok(end) => {
                    if end.last.is_some() {
                        after = end.last;
                    }
                    if end.rows < page_rows {
                        let _ = tx.send(Ok(Msg::End)).await;
                        return;
                    }
                }
            }
        }
    });
    (rx, Reader { handle })
}

/// One side of the merge: the current page and how far it has been consumed.
struct Cursor {
    side: &'static str,
    table: String,
    rx: mpsc::Receiver<Result<Msg>>,
    page: Vec<RowRec>,
    pos: usize,
    ended: bool,
    /// Raw and canonical key of the last row consumed before the current page.
    prev_raw: Option<Vec<u8>>,
    prev_key: Option<Vec<u8>>,
}

impl Cursor {
    /// Makes sure there is a current row, fetching the next page if needed; false at the end.
    async fn ensure(&mut self) -> Result<bool> {
        while self.pos >= self.page.len() {
            if self.ended {
                return Ok(false);
            }
            match self.rx.recv().await {
                Some(Ok(Msg::Page(rows))) => {
                    self.check_order(&rows)?;
                    if let Some(last) = self.page.last() {
                        self.prev_raw = Some(last.resume_key().to_vec());
                        self.prev_key = Some(last.key.to_vec());
                    }
                    self.page = rows;
                    self.pos = 0;
                }
                Some(Ok(Msg::End)) => self.ended = true,
                Some(Err(e)) => return Err(e),
                None => {
                    return Err(Error::db(
                        format!("reading rows of {} from {}", self.table, self.side),
                        "the reader stopped before the end of the table",
                    ));
                }
            }
        }
        Ok(true)
    }

    fn check_order(&self, rows: &[RowRec]) -> Result<()> {
        let prev: Option<&[u8]> = self
            .page
            .last()
            .map(|r| r.key.as_slice())
            .or(self.prev_key.as_deref());
        let mut last = prev;
        for r in rows {
            if let Some(l) = last {
                if l >= r.key.as_slice() {
                    return Err(Error::db(
                        format!("reading rows of {} from {}", self.table, self.side),
                        format!(
                            "the database returned key {} after {}: it does not order this key in byte order, or the key is not unique; sluice cannot merge it",
                            key_json(&r.key),
                            key_json(l)
                        ),
                    ));
                }
            }
            last = Some(r.key.as_slice());
        }
        Ok(())
    }

    fn head(&self) -> &RowRec {
        &self.page[self.pos]
    }

    fn advance(&mut self) {
        self.pos += 1;
    }

    /// The raw key of the last row consumed: the next page of a resumed run starts after it.
    fn consumed_raw(&self) -> Option<Vec<u8>> {
        if self.pos > 0 {
            Some(self.page[self.pos - 1].resume_key().to_vec())
        } else {
            self.prev_raw.clone()
        }
    }

    fn consumed_key(&self) -> Option<&[u8]> {
        if self.pos > 0 {
            Some(&self.page[self.pos - 1].key)
        } else {
            self.prev_key.as_deref()
        }
    }
}

/// The table's differences file, appended to; `bytes` is how much of it is written.
pub(crate) struct Spill {
    w: BufWriter<std::fs::File>,
    pub bytes: u64,
    path: std::path::PathBuf,
}

impl Spill {
    /// Opens the file and cuts it to `keep` bytes (what the checkpoint covers).
    pub fn open(path: &Path, keep: u64) -> Result<Spill> {
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .mode(crate::files::FILE_MODE)
            .open(path)
            .map_err(|e| Error::file(path, e))?;
        f.set_len(keep).map_err(|e| Error::file(path, e))?;
        f.seek(SeekFrom::Start(keep))
            .map_err(|e| Error::file(path, e))?;
        Ok(Spill {
            w: BufWriter::with_capacity(64 * 1024, f),
            bytes: keep,
            path: path.to_path_buf(),
        })
    }

    pub fn write(&mut self, rec: &DiffRecord) -> Result<()> {
        let mut line = serde_json::to_vec(rec).map_err(|e| Error::file(&self.path, e))?;
        line.push(b'\n');
        self.w
            .write_all(&line)
            .map_err(|e| Error::file(&self.path, e))?;
        self.bytes += line.len() as u64;
        Ok(())
    }

    /// Flushes and fsyncs: what the next checkpoint records is on disk.
    pub fn sync(&mut self) -> Result<()> {
        self.w.flush().map_err(|e| Error::file(&self.path, e))?;
        self.w
            .get_ref()
            .sync_data()
            .map_err(|e| Error::file(&self.path, e))
    }
}

fn decode_hex(s: &Option<String>) -> Result<Option<Vec<u8>>> {
    match s {
        None => Ok(None),
        Some(h) => hex::decode(h)
            .map(Some)
            .map_err(|_| Error::usage("the checkpoint holds a key that is not hex")),
    }
}

/// Diffs one keyed table from where its progress stands.
pub(crate) async fn diff_keyed(ctx: &mut Ctx<'_>, idx: usize, pair: &TablePair) -> Result<()> {
    let opts = ctx.manifest.options.clone();
    let batch = opts.batch_size.max(1);
    let timeout = std::time::Duration::from_secs(opts.statement_timeout_secs.max(1));
    let prog = ctx.checkpoint.tables[idx].clone();
    let s_after = decode_hex(&prog.source_after)?;
    let t_after = decode_hex(&prog.target_after)?;
    let mut spill = Spill::open(&ctx.run.diff_path(idx), prog.diff_bytes)?;
    let s_count = Arc::new(Counter::default());
    let t_count = Arc::new(Counter::default());
    let (s_rx, _s_reader) = spawn_reader(
        ctx.source.clone(),
        side_spec(pair, true),
        s_after.clone(),
        batch,
        timeout,
        s_count.clone(),
    );
    let (t_rx, _t_reader) = spawn_reader(
        ctx.target.clone(),
        side_spec(pair, false),
        t_after.clone(),
        batch,
        timeout,
        t_count.clone(),
    );
    let mk = |side, rx, after: Option<Vec<u8>>| Cursor {
        side,
        table: pair.table.clone(),
        rx,
        page: Vec::new(),
        pos: 0,
        ended: false,
        prev_raw: after,
        prev_key: None,
    };
    let mut s = mk("SOURCE", s_rx, s_after);
    let mut t = mk("TARGET", t_rx, t_after);
    let mut counts = prog.counts;
    let base = (counts.source_rows, counts.target_rows);
    let started = Instant::now();
    let mut since_cp = 0usize;
    ctx.checkpoint.tables[idx].status = TableStatus::Running;

    loop {
        if since_cp % 256 == 0 && ctx.hooks.cancel.is_cancelled() {
            checkpoint(ctx, idx, &s, &t, &mut spill, counts, false)?;
            return Err(ctx.hooks.cancel.error());
        }
        // A cancel also reaches a reader waiting on the server (a lock, a slow page): its
        // statement is stopped there, and the checkpoint is what the merge has done.
        let next = tokio::select! {
            r = async { Ok::<_, Error>((s.ensure().await?, t.ensure().await?)) } => Some(r?),
            _ = ctx.hooks.cancel.cancelled() => None,
        };
        let Some((hs, ht)) = next else {
            for (db, c) in [(&ctx.source, &s_count), (&ctx.target, &t_count)] {
                let id = c.server.load(Ordering::Relaxed);
                if id != 0 {
                    crate::dialect::rows::stop_statement(db, id).await;
                }
            }
            checkpoint(ctx, idx, &s, &t, &mut spill, counts, false)?;
            return Err(ctx.hooks.cancel.error());
        };
        let class = match (hs, ht) {
            (false, false) => break,
            (true, false) => Some(DiffClass::Insert),
            (false, true) => Some(DiffClass::Delete),
            (true, true) => match s.head().key.cmp(&t.head().key) {
                CmpOrdering::Less => Some(DiffClass::Insert),
                CmpOrdering::Greater => Some(DiffClass::Delete),
                CmpOrdering::Equal if s.head().hash == t.head().hash => None,
                CmpOrdering::Equal => Some(DiffClass::Conflict),
            },
        };
        match class {
            None => {
                counts.unchanged += 1;
                counts.source_rows += 1;
                counts.target_rows += 1;
                s.advance();
                t.advance();
            }
            Some(DiffClass::Insert) => {
                let r = s.head();
                spill.write(&DiffRecord {
                    class: DiffClass::Insert,
                    key: key_json(&r.key),
                    source_hash: Some(hex::encode(r.hash)),
                    target_hash: None,
                    count: None,
                })?;
                counts.insert += 1;
                counts.source_rows += 1;
                s.advance();
            }
            Some(DiffClass::Delete) => {
                let r = t.head();
                spill.write(&DiffRecord {
                    class: DiffClass::Delete,
                    key: key_json(&r.key),
                    source_hash: None,
                    target_hash: Some(hex::encode(r.hash)),
                    count: None,
                })?;
                counts.delete += 1;
                counts.target_rows += 1;
                t.advance();
            }
            Some(DiffClass::Conflict) => {
                spill.write(&DiffRecord {
                    class: DiffClass::Conflict,
                    key: key_json(&s.head().key),
                    source_hash: Some(hex::encode(s.head().hash)),
                    target_hash: Some(hex::encode(t.head().hash)),
                    count: None,
                })?;
                counts.conflict += 1;
                counts.source_rows += 1;
                counts.target_rows += 1;
                s.advance();
                t.advance();
            }
        }
        since_cp += 1;
        if since_cp >= batch {
            since_cp = 0;
            checkpoint(ctx, idx, &s, &t, &mut spill, counts, false)?;
            ctx.report(idx, pair, &s_count, &t_count, base, started, false);
        }
    }
    checkpoint(ctx, idx, &s, &t, &mut spill, counts, true)?;
    ctx.report(idx, pair, &s_count, &t_count, base, started, true);
    Ok(())
}

fn checkpoint(
    ctx: &mut Ctx<'_>,
    idx: usize,
    s: &Cursor,
    t: &Cursor,
    spill: &mut Spill,
    counts: crate::model::rowdiff::Counts,
    done: bool,
) -> Result<()> {
    spill.sync()?;
    let last = match (s.consumed_key(), t.consumed_key()) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let p = &mut ctx.checkpoint.tables[idx];
    p.counts = counts;
    p.source_after = s.consumed_raw().map(hex::encode);
    p.target_after = t.consumed_raw().map(hex::encode);
    if let Some(k) = last {
        p.last_key = Some(key_json(k));
    }
    p.diff_bytes = spill.bytes;
    p.status = if done {
        TableStatus::Complete
    } else {
        TableStatus::Running
    };
    ctx.save()
}
