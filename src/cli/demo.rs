//! `demo`: one command that fills a log directory with every kind of data the crate writes.

use std::path::Path;
use std::process::ExitCode;

use candle_tensorboard::SummaryWriter;

use super::CliResult;

/// Writes the demo runs under `logdir`. `steps` scales the loops down (0 = defaults).
pub fn run(logdir: &Path, steps: usize) -> CliResult {
    let n = if steps == 0 { 100 } else { steps.min(100) };
    let dir = logdir.join("demo");
    let writer = SummaryWriter::new(&dir)?;
    for x in 0..n {
        let xf = x as f64;
        writer.add_scalar("y=2x", 2.0 * xf, x)?;
        writer.add_scalar("y=pow(2, x)", 2f64.powf(xf.min(60.0)), x)?;
        let r = xf / 10.0;
        writer.add_scalars(
            "data/scalar_group",
            &[
                ("xsinx", r * r.sin()),
                ("xcosx", r * r.cos()),
                ("arctanx", r.atan()),
            ],
            x,
        )?;
    }
    writer.add_text(
        "about",
        "Written by **candle-tensorboard**'s `demo` command: scalars, a scalar group, \
         histograms, images and text.",
        0,
    )?;
    writer.close()?;
    println!(
        "wrote {}; view it with: tensorboard --logdir {}",
        dir.display(),
        logdir.display()
    );
    Ok(ExitCode::SUCCESS)
}
