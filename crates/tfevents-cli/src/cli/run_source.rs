//! The runs of a log directory for `export --format parquet` and `reduce`, local or (with the
//! `remote` feature) an object-store URL, read one run at a time through the core's one
//! log-directory seam (`tfevents::reader::logdir`).

use std::path::{Path, PathBuf};

use tfevents::reader::logdir::{self, LogDir, RunFiles};
use tfevents::reader::RunData;

/// A log directory's runs, not yet read.
pub struct RunSource {
    dir: Box<dyn LogDir>,
    runs: Vec<RunFiles>,
}

/// One run of a [`RunSource`].
pub struct SourceRun<'a> {
    dir: &'a dyn LogDir,
    run: &'a RunFiles,
}

impl RunSource {
    /// Lists the runs of `logdir` (a path, or a URL such as `s3://bucket/prefix`); a log
    /// directory without any run is an error that says what a run is.
    pub fn open(logdir: &str) -> Result<Self, Box<dyn std::error::Error>> {
        let dir = logdir::open(logdir)?;
        let runs = dir.discover()?;
        if runs.is_empty() {
            return Err(no_runs(logdir).into());
        }
        Ok(RunSource { dir, runs })
    }

    /// The runs, sorted by name.
    pub fn runs(&self) -> Vec<SourceRun<'_>> {
        self.runs
            .iter()
            .map(|run| SourceRun {
                dir: self.dir.as_ref(),
                run,
            })
            .collect()
    }
}

fn no_runs(logdir: &str) -> String {
    format!(
        "no runs under `{logdir}`: a run is a directory holding files whose names contain \
         `tfevents`; check the path"
    )
}

impl SourceRun<'_> {
    /// The run's name, `.` for the log directory itself.
    pub fn name(&self) -> &str {
        &self.run.name
    }

    /// The run's directory, for a run on disk (its files' common parent).
    pub fn dir(&self) -> Option<&Path> {
        let first = self.run.files.first()?;
        first.path.exists().then(|| first.path.parent()).flatten()
    }

    /// The run's series, damaged files listed in it.
    pub fn read_data(&self) -> Result<RunData, Box<dyn std::error::Error>> {
        Ok(logdir::read_run(self.dir, self.run))
    }

    /// The run's tables of `kinds`. A damaged file contributes its records before the damage
    /// and is listed as damaged.
    #[cfg(feature = "parquet")]
    pub fn read_tables(
        &self,
        kinds: &[tfevents::reader::table::TableKind],
    ) -> tfevents::reader::table::RunTables {
        use tfevents::reader::EventFileReader;
        let mut tables = tfevents::reader::table::RunTables::new(self.run.name.clone(), kinds);
        for file in &self.run.files {
            match self.dir.open_at(file, 0) {
                Ok(bytes) => tables.read_file(EventFileReader::from_reader(
                    bytes,
                    PathBuf::from(&file.path),
                )),
                Err(e) => tables.note_damaged(file.path.clone(), e),
            }
        }
        tables
    }
}
