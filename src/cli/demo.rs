//! `demo`: one command that fills a log directory with every kind of data the crate writes:
//! a short run of every seed example (the same code as `examples/`, compiled into the CLI so
//! that `cargo run --release -- demo` needs nothing else), plus a run of its own with text and
//! an image batch.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use candle_core::{Device, Tensor};
use candle_tensorboard::grid::{make_grid, GridOptions};
use candle_tensorboard::SummaryWriter;
use clap::Parser;

use super::CliResult;

// The examples are included as modules rather than spawned: their `main` (argument parsing)
// is the only part the demo does not use.
#[allow(dead_code)]
#[path = "../../examples/alexnet_kernels.rs"]
mod alexnet_kernels;
#[allow(dead_code)]
#[path = "../../examples/backprop_scratch/main.rs"]
mod backprop_scratch;
#[allow(dead_code)]
#[path = "../../examples/dqn_mountaincar/main.rs"]
mod dqn_mountaincar;
#[allow(dead_code)]
#[path = "../../examples/feature_maps.rs"]
mod feature_maps;
#[allow(dead_code)]
#[path = "../../examples/gan_mnist.rs"]
mod gan_mnist;
#[allow(dead_code)]
#[path = "../../examples/hooks_demo.rs"]
mod hooks_demo;
#[allow(dead_code)]
#[path = "../../examples/tensorboard_tour.rs"]
mod tensorboard_tour;

/// Writes the demo runs under `logdir`. `steps` caps every example's loop (0: the demo's
/// own short settings, a few minutes in all on two cores).
pub fn run(logdir: &Path, steps: usize) -> CliResult {
    let cap = |short: usize| if steps == 0 { short } else { steps.min(short) };
    let dir = logdir.to_string_lossy().into_owned();
    let args = |name: &str, flags: &[String]| -> Vec<String> {
        let mut v = vec![name.to_string(), "--logdir".to_string(), dir.clone()];
        v.extend(flags.iter().cloned());
        v
    };
    let flag = |name: &str, value: usize| [format!("--{name}"), value.to_string()];
    let started = Instant::now();
    let section = |title: &str| {
        println!(
            "\n== demo: {title} ({:.0} s)",
            started.elapsed().as_secs_f64()
        )
    };

    section("tensorboard_tour (seed 003 sections 5.1-5.3)");
    tensorboard_tour::run(tensorboard_tour::Args::try_parse_from(args(
        "tensorboard_tour",
        &flag("steps", cap(100)),
    ))?)?;
    section("hooks_demo (seed 003 section 5.4)");
    hooks_demo::run()?;
    section("feature_maps (seed 003: conv feature maps through forward hooks)");
    feature_maps::run(feature_maps::Args::try_parse_from(args(
        "feature_maps",
        &flag("steps", cap(1)),
    ))?)?;
    section("alexnet_kernels (seed 003: kernel grids of a net trained here)");
    alexnet_kernels::run(alexnet_kernels::Args::try_parse_from(args(
        "alexnet_kernels",
        &[flag("steps", cap(200)), flag("kernel-every", 20)].concat(),
    ))?)?;
    section("backprop_scratch (seed 004: backprop by hand, gradient check, MNIST)");
    backprop_scratch::run(backprop_scratch::Args::try_parse_from(args(
        "backprop_scratch",
        &flag("steps", cap(500)),
    ))?)?;
    section("gan_mnist (seed 002)");
    gan_mnist::run(gan_mnist::Args::try_parse_from(args(
        "gan_mnist",
        &[flag("steps", cap(500)), flag("image-every", 100)].concat(),
    ))?)?;
    section("dqn_mountaincar (seed 000)");
    dqn_mountaincar::run(dqn_mountaincar::Args::try_parse_from(args(
        "dqn_mountaincar",
        &[
            flag("steps", cap(600)),
            flag("learn-start", cap(200)),
            flag("max-episode-steps", 150),
            flag("log-every", 10),
            flag("image-every", 1),
        ]
        .concat(),
    ))?)?;
    section("demo (text, an image batch, a grid of test patterns)");
    let device = Device::Cpu;
    let dir = logdir.join("demo");
    let writer = SummaryWriter::new(&dir)?;
    // A make_grid of 16 smooth, distinct patterns (the examples grid real MNIST digits).
    let grid_input = demo_patterns(16, &device)?;
    let options = GridOptions {
        nrow: 4,
        normalize: true,
        scale_each: true,
        ..Default::default()
    };
    writer.add_image("grid/patterns", &make_grid(&grid_input, &options)?, 0)?;
    writer.add_images("batch/patterns", &grid_input, 0)?;
    writer.add_text(
        "about",
        "Written by **candle-tensorboard**'s `demo` command. The other runs are the seed \
         examples: scalars and scalar groups, histograms, images, `make_grid` grids, \
         feature maps from forward hooks, gradient norms from backward hooks.",
        0,
    )?;
    writer.close()?;
    println!(
        "\ndemo done in {:.0} s; view it with: tensorboard --logdir {}",
        started.elapsed().as_secs_f64(),
        logdir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `n` single-channel 28x28 patterns: rings and stripes of different frequencies, so a grid
/// shows at a glance whether tiles are placed, padded and normalised right.
fn demo_patterns(n: usize, device: &Device) -> candle_core::Result<Tensor> {
    let size = 28usize;
    let mut data = Vec::with_capacity(n * size * size);
    for k in 0..n {
        let freq = 0.2 + 0.15 * (k % 4) as f32;
        for y in 0..size {
            for x in 0..size {
                let (dx, dy) = (x as f32 - 13.5, y as f32 - 13.5);
                let v = if k < n / 2 {
                    ((dx * dx + dy * dy).sqrt() * freq).sin()
                } else {
                    ((x as f32 + y as f32 * (k % 3) as f32) * freq).cos()
                };
                data.push(v);
            }
        }
    }
    Tensor::from_vec(data, (n, 1, size, size), device)
}
