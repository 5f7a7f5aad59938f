//! What `ls --follow` and `export --follow` share: the live runs of a log directory, read
//! incrementally, and the loop that polls them.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use tfevents::reader::{discover_runs, RunReader};

/// How `--follow` polls.
pub struct Follow {
    /// Time between two polls.
    pub interval: Duration,
    /// Stop after this many polls; `None`: until interrupted.
    pub polls: Option<u64>,
}

impl Follow {
    /// Checks `--interval` (at least 10 ms, so an idle follow never busy-loops).
    pub fn new(interval_secs: f64, polls: Option<u64>) -> Result<Self, String> {
        let interval = Duration::try_from_secs_f64(interval_secs)
            .ok()
            .filter(|d| *d >= Duration::from_millis(10))
            .ok_or_else(|| {
                format!("--interval must be at least 0.01 seconds, got {interval_secs}")
            })?;
        Ok(Self { interval, polls })
    }
}

/// Calls `read` once, or with `follow` once per interval until `follow.polls` reads are done.
/// `read` gets the read's number, from 1.
pub fn poll_loop(
    follow: Option<&Follow>,
    mut read: impl FnMut(u64) -> Result<(), Box<dyn std::error::Error>>,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut poll = 0u64;
    loop {
        poll += 1;
        read(poll)?;
        let Some(follow) = follow else {
            return Ok(());
        };
        if follow.polls.is_some_and(|n| poll >= n) {
            return Ok(());
        }
        std::thread::sleep(follow.interval);
    }
}

/// Every run of a log directory with a reader that keeps its place in each event file, so
/// a poll reads only what the writers appended since the last one.
#[derive(Default)]
pub struct LiveRuns {
    readers: BTreeMap<String, RunReader>,
}

impl LiveRuns {
    /// Discovers the runs (new runs and new files included) and reads what was appended.
    /// Returns whether anything changed: a new run or at least one new record.
    pub fn poll(&mut self, logdir: &Path) -> Result<bool, Box<dyn std::error::Error>> {
        let mut changed = false;
        for run in discover_runs(logdir)? {
            let reader = self.readers.entry(run.name.clone()).or_insert_with(|| {
                changed = true;
                RunReader::new(run.clone())
            });
            reader.update_run(&run);
            changed |= reader.poll() > 0;
        }
        Ok(changed)
    }

    /// The runs by name, in name order.
    pub fn readers(&self) -> impl Iterator<Item = (&String, &RunReader)> {
        self.readers.iter()
    }

    /// Whether no run has been found.
    pub fn is_empty(&self) -> bool {
        self.readers.is_empty()
    }
}
