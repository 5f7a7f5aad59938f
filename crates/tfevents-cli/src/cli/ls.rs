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

/// Prints runs with their tags, kinds, counts and step ranges. With the `remote` feature the
/// log directory may be a URL (`s3://bucket/prefix`, `gs://…`, `az://…`).
pub fn run(logdir: &Path) -> CliResult {
    let mut out = std::io::stdout().lock();
    let mut any = false;
    for_each_run(logdir, &mut |name, files, data| {
        any = true;
        print_run(&mut out, name, files, &data)
    })?;
    if !any {
        writeln!(out, "no event files under {}", logdir.display())?;
    }
    Ok(ExitCode::SUCCESS)
}

type RunVisitor<'a> = dyn FnMut(&str, usize, RunData) -> std::io::Result<()> + 'a;

/// Reads the runs one at a time (only one run's data is held at once).
fn for_each_run(
    logdir: &Path,
    visit: &mut RunVisitor<'_>,
) -> Result<(), Box<dyn std::error::Error>> {
    #[cfg(feature = "remote")]
    if let Some(url) = logdir.to_str().filter(|s| s.contains("://")) {
        let dir = tfevents::remote::RemoteLogDir::open(url)?;
        for run in dir.discover_runs()? {
            visit(&run.name, run.objects.len(), dir.read_run(&run)?)?;
        }
        return Ok(());
    }
    for run in discover_runs(logdir)? {
        visit(&run.name, run.files.len(), RunData::read(&run)?)?;
    }
    Ok(())
}

fn print_run(
    out: &mut impl Write,
    name: &str,
    files: usize,
    data: &RunData,
) -> std::io::Result<()> {
    writeln!(out, "{name}  ({files} files, {} events)", data.events)?;
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
    Ok(())
}
