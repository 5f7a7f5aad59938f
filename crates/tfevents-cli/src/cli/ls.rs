//! `ls`: one line per run and tag; `--follow` re-lists as a live run grows.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use tfevents::reader::{Run, RunData};

use super::follow::{poll_loop, Follow, LiveRuns};
use super::CliResult;

/// `steps 100 to 200`, `step 7`, or `-` for an empty series.
fn range<I: Iterator<Item = i64> + Clone>(steps: I) -> String {
    match (steps.clone().min(), steps.max()) {
        (Some(lo), Some(hi)) if lo == hi => format!("step {lo}"),
        (Some(lo), Some(hi)) => format!("steps {lo} to {hi}"),
        _ => "-".into(),
    }
}

/// Prints runs with their tags, kinds, counts and step ranges; with `follow`, reads what was
/// appended every interval and prints the listing again when anything changed.
///
/// With the `remote` feature the log directory may be a URL (`s3://bucket/prefix`, `gs://…`,
/// `az://…`); such a directory is listed once (`--follow` is for local runs).
pub fn run(logdir: &Path, follow: Option<Follow>) -> CliResult {
    #[cfg(feature = "remote")]
    if let Some(url) = logdir.to_str().filter(|s| s.contains("://")) {
        let dir = tfevents::remote::RemoteLogDir::open(url)?;
        let mut out = std::io::stdout().lock();
        let runs = dir.discover_runs()?;
        if runs.is_empty() {
            writeln!(out, "no event files under {url}")?;
        }
        for run in runs {
            let data = dir.read_run(&run)?;
            print_listing(&mut out, &run.name, run.objects.len(), &data)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut runs = LiveRuns::default();
    let mut out = std::io::stdout().lock();
    poll_loop(follow.as_ref(), |poll| {
        let changed = runs.poll(logdir)? || poll == 1;
        if changed {
            if poll > 1 {
                writeln!(out)?;
            }
            if runs.is_empty() {
                writeln!(out, "no event files under {}", logdir.display())?;
            }
            for (_, reader) in runs.readers() {
                print_run(&mut out, reader.run(), reader.data())?;
            }
            out.flush()?;
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn print_run(out: &mut impl Write, run: &Run, data: &RunData) -> std::io::Result<()> {
    print_listing(out, &run.name, run.files.len(), data)
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
