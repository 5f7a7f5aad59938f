//! `ls`: one line per run and tag.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use tfevents::reader::{discover_runs, RunData};

use super::CliResult;

fn range<I: Iterator<Item = i64> + Clone>(steps: I) -> String {
    match (steps.clone().min(), steps.max()) {
        (Some(lo), Some(hi)) => format!("{lo}..={hi}"),
        _ => "-".into(),
    }
}

/// Prints runs with their tags, kinds, counts and step ranges.
pub fn run(logdir: &Path) -> CliResult {
    let runs = discover_runs(logdir)?;
    let mut out = std::io::stdout().lock();
    if runs.is_empty() {
        writeln!(out, "no event files under {}", logdir.display())?;
    }
    for run in runs {
        let data = RunData::read(&run)?;
        writeln!(
            out,
            "{}  ({} files, {} events)",
            run.name,
            run.files.len(),
            data.events
        )?;
        for (tag, s) in &data.scalars {
            writeln!(
                out,
                "  scalar     {tag:40} {:6}  steps {}",
                s.len(),
                range(s.iter().map(|p| p.step))
            )?;
        }
        for (tag, s) in &data.histograms {
            writeln!(
                out,
                "  histogram  {tag:40} {:6}  steps {}",
                s.len(),
                range(s.iter().map(|p| p.step))
            )?;
        }
        for (tag, s) in &data.images {
            writeln!(
                out,
                "  image      {tag:40} {:6}  steps {}",
                s.len(),
                range(s.iter().map(|p| p.step))
            )?;
        }
        for (tag, s) in &data.texts {
            writeln!(
                out,
                "  text       {tag:40} {:6}  steps {}",
                s.len(),
                range(s.iter().map(|p| p.step))
            )?;
        }
        for (tag, n) in &data.other_tensors {
            writeln!(out, "  tensor     {tag:40} {n:6}")?;
        }
        for (path, have) in &data.torn_tails {
            writeln!(
                out,
                "  note: {} ends with an incomplete record of {have} bytes",
                path.display()
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
