//! What `ls --follow` and `export --follow` share: the loop that polls a log directory (read
//! incrementally by [`tfevents::reader::logdir::LogDirReader`]).

use std::time::Duration;

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
