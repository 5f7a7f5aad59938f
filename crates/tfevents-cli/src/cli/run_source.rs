//! The runs of a log directory for `export --format parquet` and `reduce`, local or (with the
//! `remote` feature) an object-store URL, read one run at a time.

use std::path::Path;

use tfevents::reader::{discover_runs, Run, RunData};

/// A log directory's runs, not yet read.
pub enum RunSource {
    /// Runs on disk.
    Local(Vec<Run>),
    /// Runs in an object store.
    #[cfg(feature = "remote")]
    Remote(
        tfevents::remote::RemoteLogDir,
        Vec<tfevents::remote::RemoteRun>,
    ),
}

/// One run of a [`RunSource`].
pub enum SourceRun<'a> {
    /// A run on disk.
    Local(&'a Run),
    /// A run in an object store.
    #[cfg(feature = "remote")]
    Remote(
        &'a tfevents::remote::RemoteLogDir,
        &'a tfevents::remote::RemoteRun,
    ),
}

impl RunSource {
    /// Lists the runs of `logdir` (a path, or a URL such as `s3://bucket/prefix`); a log
    /// directory without any run is an error that says what a run is.
    pub fn open(logdir: &Path) -> Result<Self, Box<dyn std::error::Error>> {
        #[cfg(feature = "remote")]
        if let Some(url) = logdir.to_str().filter(|s| s.contains("://")) {
            let dir = tfevents::remote::RemoteLogDir::open(url)?;
            let runs = dir.discover_runs()?;
            if runs.is_empty() {
                return Err(no_runs(url).into());
            }
            return Ok(RunSource::Remote(dir, runs));
        }
        let runs = discover_runs(logdir)?;
        if runs.is_empty() {
            return Err(no_runs(&logdir.display().to_string()).into());
        }
        Ok(RunSource::Local(runs))
    }

    /// The runs, sorted by name.
    pub fn runs(&self) -> Vec<SourceRun<'_>> {
        match self {
            RunSource::Local(runs) => runs.iter().map(SourceRun::Local).collect(),
            #[cfg(feature = "remote")]
            RunSource::Remote(dir, runs) => {
                runs.iter().map(|run| SourceRun::Remote(dir, run)).collect()
            }
        }
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
        match self {
            SourceRun::Local(run) => &run.name,
            #[cfg(feature = "remote")]
            SourceRun::Remote(_, run) => &run.name,
        }
    }

    /// The run's directory, for a run on disk.
    pub fn dir(&self) -> Option<&Path> {
        match self {
            SourceRun::Local(run) => Some(&run.dir),
            #[cfg(feature = "remote")]
            SourceRun::Remote(..) => None,
        }
    }

    /// The run's series, damaged files listed in it.
    pub fn read_data(&self) -> Result<RunData, Box<dyn std::error::Error>> {
        Ok(match self {
            SourceRun::Local(run) => RunData::read(run)?,
            #[cfg(feature = "remote")]
            SourceRun::Remote(dir, run) => dir.read_run(run)?,
        })
    }

    /// The run's tables of `kinds`. A damaged object of a remote run is listed as damaged
    /// and skipped whole (the remote reader gives no events of a damaged object).
    #[cfg(feature = "parquet")]
    pub fn read_tables(
        &self,
        kinds: &[tfevents::reader::table::TableKind],
    ) -> tfevents::reader::table::RunTables {
        match self {
            SourceRun::Local(run) => tfevents::reader::table::RunTables::read(run, kinds),
            #[cfg(feature = "remote")]
            SourceRun::Remote(dir, run) => {
                let mut tables = tfevents::reader::table::RunTables::new(run.name.clone(), kinds);
                for key in &run.objects {
                    match dir.read_object(key) {
                        Ok(events) => events.into_iter().for_each(|e| tables.add_event(e)),
                        Err(e) => tables.note_damaged(format!("{}/{key}", dir.url()).into(), e),
                    }
                }
                tables
            }
        }
    }
}
