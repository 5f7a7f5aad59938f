//! `check`: verify every record of every event file.

use std::path::Path;
use std::process::ExitCode;

use tfevents::reader::{discover_runs, EventFileReader};

use super::CliResult;

/// Reads every record of every file; a damaged record makes the exit status 1. An incomplete
/// last record (a killed writer) is reported but is not corruption.
pub fn run(logdir: &Path) -> CliResult {
    let runs = discover_runs(logdir)?;
    let (mut good, mut bad) = (0usize, 0usize);
    for run in &runs {
        for path in &run.files {
            let mut reader = EventFileReader::open(path)?;
            let mut events = 0usize;
            let mut failure = None;
            for event in reader.by_ref() {
                match event {
                    Ok(_) => events += 1,
                    Err(e) => failure = Some(e),
                }
            }
            match failure {
                Some(e) => {
                    bad += 1;
                    println!(
                        "CORRUPT {}: {e} (after {events} good events)",
                        path.display()
                    );
                }
                None => {
                    good += 1;
                    let tail = match reader.torn_tail() {
                        Some(have) => format!(", incomplete last record of {have} bytes"),
                        None => String::new(),
                    };
                    println!("ok {} ({events} events{tail})", path.display());
                }
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
