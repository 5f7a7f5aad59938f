//! `ls`: one line per run and tag; `--follow` re-lists as a live run grows.

use std::io::Write;
use std::process::ExitCode;

use tfevents::reader::logdir::LogDirReader;
use tfevents::reader::RunData;

use super::follow::{poll_loop, Follow};
use super::CliResult;

/// `steps 100 to 200`, `step 7`, or `-` for an empty series.
fn range<I: Iterator<Item = i64> + Clone>(steps: I) -> String {
    match (steps.clone().min(), steps.max()) {
        (Some(lo), Some(hi)) if lo == hi => format!("step {lo}"),
        (Some(lo), Some(hi)) => format!("steps {lo} to {hi}"),
        _ => "-".into(),
    }
}

/// Prints runs with their tags, kinds, counts and step ranges of the log directory `logdir`
/// (a path or URL); with `follow`, reads what was appended every interval and prints the
/// listing again when anything changed.
pub fn run(logdir: &str, follow: Option<Follow>) -> CliResult {
    let mut reader = LogDirReader::open(logdir)?;
    let mut out = std::io::stdout().lock();
    poll_loop(follow.as_ref(), |poll| {
        let growth = reader.poll()?;
        if poll == 1 || !growth.is_empty() {
            if poll > 1 {
                writeln!(out)?;
            }
            if reader.runs().len() == 0 {
                writeln!(out, "no event files under {}", reader.dir().location())?;
            }
            for run in reader.runs() {
                print_listing(&mut out, run.name(), run.files().len(), run.data())?;
            }
            out.flush()?;
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn print_listing(
    out: &mut impl Write,
    name: &str,
    files: usize,
    data: &RunData,
) -> std::io::Result<()> {
    writeln!(out, "{name}  ({files} files, {} events)", data.events)?;
    let mut line = |kind: &str, tag: &str, n: usize, steps: String| {
        writeln!(out, "  {kind:10} {tag:40} {n:6}  {steps}")
    };
    for (tag, s) in &data.scalars {
        line("scalar", tag, s.len(), range(s.iter().map(|p| p.step)))?;
    }
    for (tag, s) in &data.histograms {
        line("histogram", tag, s.len(), range(s.iter().map(|p| p.step)))?;
    }
    for (tag, s) in &data.images {
        line("image", tag, s.len(), range(s.iter().map(|p| p.step)))?;
    }
    for (tag, s) in &data.texts {
        line("text", tag, s.len(), range(s.iter().map(|p| p.step)))?;
    }
    for (tag, n) in &data.other_tensors {
        line("tensor", tag, *n, String::new())?;
    }
    for (path, have) in &data.torn_tails {
        writeln!(
            out,
            "  note: {} ends with an incomplete record of {have} bytes",
            path.display()
        )?;
    }
    for damaged in &data.damaged {
        writeln!(
            out,
            "  damaged: {} (records before the damage are listed): {}",
            damaged.path.display(),
            damaged.error
        )?;
    }
    Ok(())
}
