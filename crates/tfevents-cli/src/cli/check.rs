//! `check`: verify every record of every event file.

use std::process::ExitCode;

use tfevents::reader::logdir::{self, FileCursor};
use tfevents::Error;

use super::CliResult;

/// Reads every record of every file of the log directory `logdir` (a path or URL); a damaged
/// record, or a file that cannot be read, makes the exit status 1. An incomplete last record
/// (a killed writer) is reported but is not corruption.
pub fn run(logdir: &str) -> CliResult {
    let dir = logdir::open(logdir)?;
    let runs = dir.discover()?;
    let (mut good, mut bad) = (0usize, 0usize);
    for file in runs.iter().flat_map(|run| &run.files) {
        let mut cursor = FileCursor::new(file.path.clone());
        let events = cursor.read_new(dir.as_ref(), file, |_| ());
        let shown = file.path.display();
        match cursor.problem().map(AsRef::as_ref) {
            Some(e @ Error::Corrupt { .. }) => {
                bad += 1;
                println!("CORRUPT {shown}: {e} (after {events} good events)");
            }
            Some(e) => {
                bad += 1;
                println!("UNREADABLE {shown}: {e} (after {events} good events)");
            }
            None => {
                good += 1;
                let tail = match cursor.torn_tail() {
                    Some(have) => format!(", incomplete last record of {have} bytes"),
                    None => String::new(),
                };
                println!("ok {shown} ({events} events{tail})");
            }
        }
    }
    println!("check: {good} passed, {bad} failed");
    Ok(if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
