//! `sluice bench data`: the row diff's throughput and memory, against the read bound;
//! `sluice bench tui` (in `bench_tui.rs`): the TUI's response times on a large comparison.

use std::path::PathBuf;

use clap::Subcommand;

use crate::engine::bench::{self, BenchResult};
use crate::error::{Error, Result, exit};

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Generate a table pair where 0.1 % of the rows differ, then time the row diff against
    /// reading both tables in key order (the read bound) and report peak memory. Creates (and
    /// drops) databases `sluice_bench_source` and `sluice_bench_target` on the servers given.
    Data {
        /// Rows per table (3000 to 1000000000).
        #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(super::bounds::BENCH_ROWS))]
        rows: u64,
        /// A PostgreSQL server (URL of any database there; the user may create databases).
        #[arg(long, value_name = "URL")]
        postgres: Option<String>,
        /// A MySQL or MariaDB server (likewise).
        #[arg(long, value_name = "URL")]
        mysql: Option<String>,
        /// Also SQLite (the default when no server is given), files in --dir.
        #[arg(long)]
        sqlite: bool,
        /// Where the SQLite files go (default: a temporary directory).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Rows per page (and per checkpoint), 1 to 1000000.
        #[arg(long, default_value_t = 10_000, value_parser = super::batch_size())]
        batch_size: usize,
        /// Keep the generated databases.
        #[arg(long)]
        keep: bool,
    },
    /// Generate two SQLite files of N tables with drift in a share of them, compare them, then
    /// time the TUI (its own update and drawing, into an off-screen buffer): the first frame
    /// after the diff arrives, each keypress to its frame, each key of a name filter; and peak
    /// memory.
    Tui {
        /// Tables per side (10 to 100000).
        #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(10..=100_000))]
        tables: u64,
        /// Share of the tables that differ, in percent (1 to 100).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u8).range(1..=100))]
        drift: u8,
        /// Terminal size, COLSxROWS.
        #[arg(long, default_value = "80x24", value_parser = size)]
        size: (u16, u16),
        /// Where the SQLite files go (default: a temporary directory).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

fn size(s: &str) -> std::result::Result<(u16, u16), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("{s:?}: write the size as COLSxROWS, e.g. 80x24"))?;
    let n = |v: &str| {
        v.trim()
            .parse::<u16>()
            .ok()
            .filter(|n| (10..=1000).contains(n))
            .ok_or_else(|| format!("{s:?}: columns and rows are numbers from 10 to 1000"))
    };
    Ok((n(w)?, n(h)?))
}

pub async fn run(cmd: BenchCommand) -> Result<i32> {
    let (rows, postgres, mysql, sqlite, dir, batch_size, keep) = match cmd {
        BenchCommand::Tui {
            tables,
            drift,
            size,
            dir,
        } => {
            return super::bench_tui::run(super::bench_tui::Spec {
                tables: tables as usize,
                drift_percent: drift,
                width: size.0,
                height: size.1,
                dir,
            })
            .await;
        }
        BenchCommand::Data {
            rows,
            postgres,
            mysql,
            sqlite,
            dir,
            batch_size,
            keep,
        } => (rows, postgres, mysql, sqlite, dir, batch_size, keep),
    };
    let mut results = Vec::new();
    let names = ["sluice_bench_source", "sluice_bench_target"];
    for (label, admin) in [("postgres", &postgres), ("mariadb", &mysql)] {
        let Some(admin) = admin else { continue };
        eprintln!("{label}: generating 2 × {rows} rows …");
        bench::create_databases(admin, names).await?;
        let s = bench::with_database(admin, names[0])?;
        let t = bench::with_database(admin, names[1])?;
        let r = bench::run_pair(label, &s, &t, rows, batch_size, None).await;
        if !keep {
            let _ = drop_databases(admin, names).await;
        }
        let r = r?;
        outln!("{}", line(&r))?;
        results.push(r);
    }
    if sqlite || (postgres.is_none() && mysql.is_none()) {
        let tmp;
        let dir = match dir {
            Some(d) => {
                std::fs::create_dir_all(&d).map_err(|e| Error::file(&d, e))?;
                d
            }
            None => {
                tmp = tempfile::tempdir().map_err(|e| Error::file(std::env::temp_dir(), e))?;
                tmp.path().to_path_buf()
            }
        };
        eprintln!("sqlite: generating 2 × {rows} rows …");
        let (a, b) = bench::sqlite_files(&dir);
        let r = bench::run_pair(
            "sqlite",
            &format!("sqlite:{}", a.display()),
            &format!("sqlite:{}", b.display()),
            rows,
            batch_size,
            Some((&a, &b)),
        )
        .await?;
        outln!("{}", line(&r))?;
        results.push(r);
    }
    let ok = results
        .iter()
        .all(|r| r.differences == r.except && r.except == r.expected);
    Ok(if ok { exit::OK } else { exit::DIFFERENCES })
}

async fn drop_databases(admin: &str, names: [&str; 2]) -> Result<()> {
    let u = crate::dialect::DbUrl::parse(admin)?;
    let db = u.connect(crate::dialect::Access::ReadWrite).await?;
    let sql: String = names
        .iter()
        .map(|n| {
            format!(
                "DROP DATABASE IF EXISTS {};",
                crate::dialect::quote::ident(u.dialect(), n)
            )
        })
        .collect();
    let r = crate::dialect::rows::exec_script(&db, &sql).await;
    db.close().await;
    r
}

fn line(r: &BenchResult) -> String {
    let mut s = format!(
        "{:<9} {} rows/table  diff {:.2} s ({:.2}M rows/s)  read bound {:.2} s  ratio {:.2}×  peak {}  differences {}/{}/{} (EXCEPT {}/{}/{}){}",
        r.dialect,
        r.rows,
        r.diff.as_secs_f64(),
        r.rows_per_sec() / 1e6,
        r.read_bound.as_secs_f64(),
        r.ratio(),
        r.peak_rss_kib
            .map(|k| format!("{:.1} MB", k as f64 / 1024.0))
            .unwrap_or_else(|| "n/a".into()),
        r.differences.0,
        r.differences.1,
        r.differences.2,
        r.except.0,
        r.except.1,
        r.except.2,
        if r.differences == r.except && r.except == r.expected {
            " ok"
        } else {
            " WRONG"
        }
    );
    if let Some(sq) = r.sqldiff {
        s.push_str(&format!(
            "  sqldiff {:.2} s (diff/sqldiff {:.2}×)",
            sq.as_secs_f64(),
            r.diff.as_secs_f64() / sq.as_secs_f64().max(1e-9)
        ));
    }
    s
}
