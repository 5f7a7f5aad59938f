//! `reduce`: the mean and spread of several runs (seeds of one experiment) as a new run, with
//! a custom-scalars layout that draws each mean inside its min..max band.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tfevents::reader::ScalarPoint;
use tfevents::summary::custom_scalar::LayoutCategory;
use tfevents::SummaryWriter;

use super::reduce_align::{align, Align, AlignedStep};
use super::reduce_stats::stats;
use super::run_source::RunSource;
use super::CliResult;

/// The exit status when an input file was damaged (the run is reduced from its records before
/// the damage), as `export --format parquet` uses it.
const EXIT_DAMAGED: u8 = 3;

/// `tfevents reduce`'s arguments.
#[derive(clap::Args, Debug)]
pub struct ReduceArgs {
    /// The log directory holding the runs (a path, or with the `remote` feature a URL).
    pub logdir: String,
    /// The runs to reduce: a pattern on run names, where `*` is any text (`/` included) and
    /// `?` any one character, e.g. 'seed_*'. Quote it so the shell leaves it alone.
    #[arg(long)]
    pub runs: String,
    /// The run to write, a directory that holds no event file yet (e.g. LOGDIR/seed_mean, so
    /// that TensorBoard shows it beside the seeds). It is never one of the runs reduced.
    #[arg(long, short)]
    pub output: PathBuf,
    /// How steps that differ between runs are lined up.
    #[arg(long, value_enum, default_value_t = Align::Exact)]
    pub align: Align,
}

/// A tag's reduced steps.
struct ReducedTag {
    tag: String,
    steps: Vec<AlignedStep>,
    dropped: usize,
}

/// Writes `tag/mean`, `tag/std`, `tag/min` and `tag/max` for every scalar tag the chosen runs
/// share, and the layout of one margin chart per tag.
pub fn run(args: &ReduceArgs) -> CliResult {
    refuse_existing_run(&args.output)?;
    let source = RunSource::open(&args.logdir)?;
    let all = source.runs();
    let output = std::fs::canonicalize(&args.output).ok();
    let chosen: Vec<_> = all
        .iter()
        .filter(|run| matches(&args.runs, run.name()))
        .filter(|run| output.is_none() || run.dir().and_then(|d| d.canonicalize().ok()) != output)
        .collect();
    if chosen.is_empty() {
        let names: Vec<&str> = all.iter().map(|r| r.name()).take(20).collect();
        return Err(format!(
            "--runs '{}' matches none of the {} runs under `{}` ({}{}); `*` matches any text",
            args.runs,
            all.len(),
            args.logdir,
            names.join(", "),
            if all.len() > names.len() { ", ..." } else { "" },
        )
        .into());
    }
    let mut damaged = 0usize;
    let mut series = Vec::with_capacity(chosen.len());
    for run in &chosen {
        let data = run.read_data()?;
        for d in &data.damaged {
            damaged += 1;
            eprintln!(
                "warning: {}: {} (the run is reduced from its records before the damage)",
                d.path.display(),
                d.error
            );
        }
        series.push(data.scalars);
    }
    let names: Vec<&str> = chosen.iter().map(|r| r.name()).collect();
    let mut common: BTreeSet<&String> = series
        .first()
        .map(|s| s.keys().collect())
        .unwrap_or_default();
    for s in series.iter().skip(1) {
        common.retain(|tag| s.contains_key(*tag));
    }
    if common.is_empty() {
        return Err(format!(
            "the runs {} share no scalar tag: reduce needs a tag every chosen run logs; narrow --runs",
            names.join(", ")
        )
        .into());
    }
    let mut reduced = Vec::with_capacity(common.len());
    for tag in common {
        let per_run: Vec<&[ScalarPoint]> = series
            .iter()
            .map(|s| s.get(tag).map(Vec::as_slice).unwrap_or(&[]))
            .collect();
        let aligned = align(&per_run, args.align);
        reduced.push(ReducedTag {
            tag: tag.clone(),
            steps: aligned.steps,
            dropped: aligned.dropped,
        });
    }
    if reduced.iter().all(|r| r.steps.is_empty()) {
        let hint = match args.align {
            Align::Exact => "; --align nearest lines up steps that differ",
            Align::Nearest => "",
        };
        return Err(format!(
            "the runs {} share tags but no step to reduce them at{hint}",
            names.join(", ")
        )
        .into());
    }
    write_run(&args.output, &args.runs, &names, &reduced)?;
    let points: usize = reduced.iter().map(|r| r.steps.len()).sum();
    println!(
        "reduced {} runs ({}) into `{}`: {} tags, {points} steps",
        names.len(),
        names.join(", "),
        args.output.display(),
        reduced.len(),
    );
    for r in reduced.iter().filter(|r| r.dropped > 0) {
        println!(
            "  note: {}: {} steps not lined up in every run were left out (--align {})",
            r.tag,
            r.dropped,
            match args.align {
                Align::Exact => "exact",
                Align::Nearest => "nearest",
            }
        );
    }
    if damaged > 0 {
        return Ok(ExitCode::from(EXIT_DAMAGED));
    }
    Ok(ExitCode::SUCCESS)
}

/// A second reduce into the same run would add a second copy of every point: refused, so
/// that nothing already logged is mixed up.
fn refuse_existing_run(output: &Path) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(output) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().contains("tfevents") {
            return Err(format!(
                "`{}` already holds event files; remove them or choose another -o",
                output.display()
            ));
        }
    }
    Ok(())
}

fn write_run(
    output: &Path,
    pattern: &str,
    names: &[&str],
    reduced: &[ReducedTag],
) -> Result<(), Box<dyn std::error::Error>> {
    let writer = SummaryWriter::new(output).map_err(|e| {
        format!(
            "cannot write the reduced run to `{}`: {e}; choose a writable -o",
            output.display()
        )
    })?;
    let mut category = LayoutCategory::new(format!("reduce {pattern}"));
    for r in reduced.iter().filter(|r| !r.steps.is_empty()) {
        let tag = &r.tag;
        let [mean, std, min, max] = ["mean", "std", "min", "max"].map(|s| format!("{tag}/{s}"));
        for step in &r.steps {
            let Some(s) = stats(&step.values) else {
                continue;
            };
            let at = if step.wall_time.is_finite() {
                writer.with_wall_time(step.wall_time)
            } else {
                writer.clone()
            };
            at.add_scalar(&mean, s.mean, step.step)?;
            at.add_scalar(&std, s.std, step.step)?;
            at.add_scalar(&min, s.min, step.step)?;
            at.add_scalar(&max, s.max, step.step)?;
        }
        category = category.margin(tag.as_str(), mean, min, max);
    }
    writer.add_custom_scalars(&[category])?;
    writer.add_text(
        "reduce",
        &format!(
            "Mean, std (ddof 0), min and max of {} runs matching `{pattern}`: {}",
            names.len(),
            names.join(", ")
        ),
        0,
    )?;
    writer.close()?;
    Ok(())
}

/// Whether `name` matches `pattern`, where `*` is any text and `?` any one character.
fn matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Classic wildcard matching with one backtrack point: the latest `*`.
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(&c) if c == '?' || Some(&c) == n.get(ni) => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn wildcards() {
        assert!(matches("seed_*", "seed_1"));
        assert!(matches("seed_*", "seed_"));
        assert!(!matches("seed_*", "base/seed_1"));
        assert!(matches("*/seed_?", "base/seed_1"));
        assert!(!matches("seed_?", "seed_10"));
        assert!(matches("a*b*c", "a-x-b-y-c"));
        assert!(!matches("a*b*c", "a-x-c-y-b"));
        assert!(matches("exact", "exact"));
        assert!(!matches("exact", "exactly"));
        assert!(matches("*", "."));
    }
}
