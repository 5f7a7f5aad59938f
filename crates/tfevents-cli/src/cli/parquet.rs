//! `export --format parquet`: one Parquet file per table (tbparse's table shapes, see
//! `tfevents::reader::table`), written run by run so that memory holds one run's series and
//! one row group at a time.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use tfevents::reader::table::{pivot_schema, RecordBatch, SchemaRef, TableKind};

use super::run_source::{RunSource, SourceRun};
use super::CliResult;

/// The exit status of an export that wrote everything readable but met a damaged file.
pub const EXIT_DAMAGED: u8 = 3;

/// A row group is closed once it holds this many bytes, even within a run (a run of large
/// images), so that memory holds at most about one row group per table.
const ROW_GROUP_BYTES: usize = 64 << 20;

/// `--kinds` and `--pivot`, the options of `export --format parquet`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct TableArgs {
    /// With --format parquet: the tables to write, comma-separated, from scalars, tensors,
    /// histograms, images, audio, text, hparams, pr_curves (default: all).
    #[arg(long, value_delimiter = ',')]
    pub kinds: Vec<TableKind>,
    /// With --format parquet: the scalars in wide form, one row per run and step and one
    /// column per tag, as tbparse's `pivot=True`.
    #[arg(long)]
    pub pivot: bool,
}

/// The error for `--kinds` or `--pivot` with another format: saying so beats ignoring them.
pub const ONLY_WITH_PARQUET: &str =
    "--kinds and --pivot choose Parquet tables: add --format parquet";

impl TableArgs {
    /// Whether `--kinds` or `--pivot` was given.
    pub fn given(&self) -> bool {
        self.pivot || !self.kinds.is_empty()
    }

    fn kinds(&self) -> Vec<TableKind> {
        let mut kinds: Vec<TableKind> = if self.kinds.is_empty() {
            TableKind::ALL.to_vec()
        } else {
            self.kinds.clone()
        };
        kinds.sort_unstable();
        kinds.dedup();
        kinds
    }
}

/// Writes `DIR/<table>.parquet` for each table of `args` from every run of `logdir`. Exits
/// with [`EXIT_DAMAGED`] when a file was damaged (its records before the damage are
/// exported, and a warning names it).
pub fn export(logdir: &str, output: Option<&Path>, args: &TableArgs) -> CliResult {
    let dir = output.ok_or(
        "--format parquet writes one file per table into a directory: name it with -o DIR",
    )?;
    let source = RunSource::open(logdir)?;
    let runs = source.runs();
    let kinds = args.kinds();
    let pivot_tags = if args.pivot && kinds.contains(&TableKind::Scalars) {
        Some(all_scalar_tags(&runs))
    } else {
        None
    };
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "cannot create the output directory `{}`: {e}; choose a writable directory with -o",
            dir.display()
        )
    })?;
    let mut tables = Vec::with_capacity(kinds.len());
    for &kind in &kinds {
        let schema = match (&pivot_tags, kind) {
            (Some(tags), TableKind::Scalars) => pivot_schema(tags),
            _ => kind.schema(),
        };
        tables.push(TableFile::create(dir, kind, schema)?);
    }
    let mut damaged = 0usize;
    for run in &runs {
        let data = run.read_tables(&kinds);
        for d in data.damaged() {
            damaged += 1;
            eprintln!(
                "warning: {}: {} (its records before the damage are exported)",
                d.path.display(),
                d.error
            );
        }
        for table in &mut tables {
            let batch = match (&pivot_tags, table.kind) {
                (Some(tags), TableKind::Scalars) => data.pivot_batch(tags)?,
                (_, kind) => data.batch(kind)?,
            };
            table.write(&batch)?;
        }
    }
    for table in tables {
        let (path, rows) = table.finish()?;
        println!("{}: {rows} rows", path.display());
    }
    if damaged > 0 {
        eprintln!("{damaged} damaged file(s): the tables hold their records up to the damage");
        return Ok(ExitCode::from(EXIT_DAMAGED));
    }
    Ok(ExitCode::SUCCESS)
}

/// Every scalar tag of every run, sorted: the wide form's columns, known before the first
/// row group is written (a Parquet file has one schema), at the cost of reading the runs'
/// scalars twice.
fn all_scalar_tags(runs: &[SourceRun<'_>]) -> Vec<String> {
    let mut tags = BTreeSet::new();
    for run in runs {
        let data = run.read_tables(&[TableKind::Scalars]);
        tags.extend(data.scalar_tags().map(str::to_string));
    }
    tags.into_iter().collect()
}

/// One table's Parquet file, written under a temporary name and renamed when complete, so
/// that a file with the table's name is always a whole table.
struct TableFile {
    kind: TableKind,
    writer: ArrowWriter<File>,
    partial: PathBuf,
    path: PathBuf,
    rows: usize,
}

impl TableFile {
    fn create(
        dir: &Path,
        kind: TableKind,
        schema: SchemaRef,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let path = dir.join(format!("{}.parquet", kind.name()));
        let partial = dir.join(format!(".{}.parquet.partial", kind.name()));
        let file = File::create(&partial).map_err(|e| {
            format!(
                "cannot create `{}`: {e}; choose a writable directory with -o",
                partial.display()
            )
        })?;
        // Snappy, as pandas' `to_parquet` writes by default.
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let writer = ArrowWriter::try_new(file, schema, Some(props))?;
        Ok(TableFile {
            kind,
            writer,
            partial,
            path,
            rows: 0,
        })
    }

    /// Appends one run's rows; the row group closes at the end of the run once it is large.
    fn write(&mut self, batch: &RecordBatch) -> Result<(), Box<dyn std::error::Error>> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        self.writer.write(batch)?;
        self.rows += batch.num_rows();
        if self.writer.in_progress_size() >= ROW_GROUP_BYTES {
            self.writer.flush()?;
        }
        Ok(())
    }

    fn finish(self) -> Result<(PathBuf, usize), Box<dyn std::error::Error>> {
        self.writer.close()?;
        std::fs::rename(&self.partial, &self.path).map_err(|e| {
            format!(
                "cannot rename `{}` to `{}`: {e}",
                self.partial.display(),
                self.path.display()
            )
        })?;
        Ok((self.path, self.rows))
    }
}
