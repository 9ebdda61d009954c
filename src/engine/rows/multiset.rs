//! Tables without a usable key: rows compared as a multiset of hashes with counts.
//!
//! Both sides are scanned concurrently; each row's hash goes to one of N bucket files by its
//! first bytes (so memory holds one bucket at a time, never the table). Then, bucket by bucket,
//! the counts of each hash on both sides are compared: extra copies in SOURCE are inserts, extra
//! copies in TARGET deletes. A changed row is one insert and one delete: without a key there is no
//! telling it from two unrelated rows. The table is not resumable part-way: an interrupted
//! multiset table starts again.

use std::collections::HashMap;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use super::merge::{Counter, Spill};
use super::{Ctx, side_spec};
use crate::dialect::Db;
use crate::dialect::rows::{ReadSpec, RowConn};
use crate::error::{Error, Result};
use crate::model::rowdiff::{Counts, DiffClass, DiffRecord, TablePair, TableStatus};
use crate::model::rows::RowHash;

fn buckets_for(estimate: Option<u64>) -> usize {
    let n = estimate.unwrap_or(0) / 50_000;
    (n as usize).clamp(16, 4096).next_power_of_two()
}

struct Buckets {
    files: Vec<BufWriter<std::fs::File>>,
    paths: Vec<PathBuf>,
}

impl Buckets {
    fn create(dir: &Path, prefix: &str, n: usize) -> Result<Buckets> {
        let mut files = Vec::with_capacity(n);
        let mut paths = Vec::with_capacity(n);
        for i in 0..n {
            let p = dir.join(format!("{prefix}{i:04}"));
            use std::os::unix::fs::OpenOptionsExt;
            let f = std::fs::OpenOptions::new()
                .create(true)
                .write(true)
                .truncate(true)
                .mode(crate::files::FILE_MODE)
                .open(&p)
                .map_err(|e| Error::file(&p, e))?;
            files.push(BufWriter::with_capacity(8 * 1024, f));
            paths.push(p);
        }
        Ok(Buckets { files, paths })
    }

    fn put(&mut self, h: &RowHash) -> Result<()> {
        let i = u16::from_be_bytes([h[0], h[1]]) as usize % self.files.len();
        self.files[i]
            .write_all(h)
            .map_err(|e| Error::file(&self.paths[i], e))
    }

    fn finish(mut self) -> Result<Vec<PathBuf>> {
        for (f, p) in self.files.iter_mut().zip(&self.paths) {
            f.flush().map_err(|e| Error::file(p, e))?;
        }
        Ok(self.paths)
    }
}

#[allow(clippy::too_many_arguments)]
async fn scan_side(
    db: Db,
    spec: ReadSpec,
    dir: PathBuf,
    prefix: &'static str,
    n: usize,
    timeout: std::time::Duration,
    counter: Arc<Counter>,
    cancel: super::Cancel,
) -> Result<Vec<PathBuf>> {
    let mut buckets = Buckets::create(&dir, prefix, n)?;
    if let Some(local) = crate::dialect::rows::LocalReader::of(&db) {
        let task = tokio::task::spawn_blocking(move || {
            let mut each = |r: crate::dialect::rows::RowRec| -> Result<()> {
                buckets.put(&r.hash)?;
                if counter.rows.fetch_add(1, Ordering::Relaxed) % 1024 == 0 && cancel.is_cancelled()
                {
                    return Err(cancel.error());
                }
                Ok(())
            };
            local.scan(&spec, &mut each)?;
            buckets.finish()
        });
        return task
            .await
            .map_err(|e| Error::db("reading rows", format!("the reader failed: {e}")))?;
    }
    let mut conn = RowConn::open(&db, timeout).await?;
    let mut each = |r: crate::dialect::rows::RowRec| -> Result<()> {
        buckets.put(&r.hash)?;
        if counter.rows.fetch_add(1, Ordering::Relaxed) % 1024 == 0 && cancel.is_cancelled() {
            return Err(cancel.error());
        }
        Ok(())
    };
    conn.scan(&spec, &mut each).await?;
    buckets.finish()
}

fn read_hashes(path: &Path, each: &mut dyn FnMut(RowHash)) -> Result<()> {
    let f = std::fs::File::open(path).map_err(|e| Error::file(path, e))?;
    let mut r = BufReader::with_capacity(64 * 1024, f);
    let mut h = [0u8; 32];
    loop {
        match r.read_exact(&mut h) {
            Ok(()) => each(h),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(Error::file(path, e)),
        }
    }
}

pub(crate) async fn diff_multiset(ctx: &mut Ctx<'_>, idx: usize, pair: &TablePair) -> Result<()> {
    let opts = ctx.manifest.options.clone();
    let timeout = std::time::Duration::from_secs(opts.statement_timeout_secs.max(1));
    // Never resumed part-way: start the table again.
    let dir = ctx.run.scratch_path(idx);
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(parent) = dir.parent() {
        crate::files::private_dir(parent)?;
    }
    crate::files::private_dir(&dir)?;
    let mut spill = Spill::open(&ctx.run.diff_path(idx), 0)?;
    {
        let p = &mut ctx.checkpoint.tables[idx];
        p.counts = Counts::default();
        p.diff_bytes = 0;
        p.status = TableStatus::Running;
    }
    ctx.save()?;

    let s_spec = side_spec(pair, true);
    let t_spec = side_spec(pair, false);
    let estimate = {
        let mut c = RowConn::open(ctx.source, timeout).await?;
        c.estimate_rows(&s_spec).await
    };
    let n = buckets_for(estimate);
    let s_count = Arc::new(Counter::default());
    let t_count = Arc::new(Counter::default());
    if let Some(e) = estimate {
        s_count.estimate.store(e, Ordering::Relaxed);
        t_count.estimate.store(e, Ordering::Relaxed);
    }
    let started = Instant::now();
    let scans = async {
        tokio::try_join!(
            scan_side(
                ctx.source.clone(),
                s_spec,
                dir.clone(),
                "s",
                n,
                timeout,
                s_count.clone(),
                ctx.hooks.cancel.clone(),
            ),
            scan_side(
                ctx.target.clone(),
                t_spec,
                dir.clone(),
                "t",
                n,
                timeout,
                t_count.clone(),
                ctx.hooks.cancel.clone(),
            )
        )
    };
    let (s_files, t_files) = scans.await?;

    let mut counts = Counts::default();
    for (sf, tf) in s_files.iter().zip(&t_files) {
        let mut m: HashMap<RowHash, (u64, u64)> = HashMap::new();
        read_hashes(sf, &mut |h| m.entry(h).or_default().0 += 1)?;
        read_hashes(tf, &mut |h| m.entry(h).or_default().1 += 1)?;
        let mut entries: Vec<(RowHash, (u64, u64))> = m.into_iter().collect();
        entries.sort_unstable_by_key(|e| e.0);
        for (h, (cs, ct)) in entries {
            counts.source_rows += cs;
            counts.target_rows += ct;
            counts.unchanged += cs.min(ct);
            let (class, extra) = match cs.cmp(&ct) {
                std::cmp::Ordering::Greater => (DiffClass::Insert, cs - ct),
                std::cmp::Ordering::Less => (DiffClass::Delete, ct - cs),
                std::cmp::Ordering::Equal => continue,
            };
            let hash = Some(hex::encode(h));
            spill.write(&DiffRecord {
                class,
                key: serde_json::Value::Null,
                source_hash: if class == DiffClass::Insert {
                    hash.clone()
                } else {
                    None
                },
                target_hash: if class == DiffClass::Delete {
                    hash
                } else {
                    None
                },
                count: Some(extra),
            })?;
            if class == DiffClass::Insert {
                counts.insert += extra;
            } else {
                counts.delete += extra;
            }
        }
    }
    spill.sync()?;
    let _ = std::fs::remove_dir_all(&dir);
    {
        let p = &mut ctx.checkpoint.tables[idx];
        p.counts = counts;
        p.diff_bytes = spill.bytes;
        p.status = TableStatus::Complete;
    }
    ctx.save()?;
    ctx.report(idx, pair, &s_count, &t_count, (0, 0), started, true);
    Ok(())
}
