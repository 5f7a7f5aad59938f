//! The demo: one command that fills a log directory with every kind of data the crate writes,
//! a short run of every tutorial plus a run of its own with text and an image batch.
//!
//! `cargo run --release --example demo [-- --logdir runs --steps N]`

use std::path::{Path, PathBuf};
use std::time::Instant;

use candle_core::{Device, Tensor};
use candle_tensorboard::grid::{make_grid, GridOptions};
use candle_tensorboard::SummaryWriter;
use clap::Parser;

use crate::{
    alexnet_kernels, attention_maps, backprop_scratch, dqn_mountaincar, feature_maps, gan_mnist,
    grad_cam, hooks_demo, tensorboard_tour,
};

/// The demo's flags.
#[derive(Parser, Debug)]
#[command(about = "Fills a log directory with every kind of data candle-tensorboard writes")]
pub struct Args {
    /// Where to put the runs.
    #[arg(long, default_value = "runs")]
    pub logdir: PathBuf,
    /// Caps every tutorial's loop at N steps (CI uses 10); 0 keeps the demo's short settings.
    #[arg(long, default_value_t = 0)]
    pub steps: usize,
}

/// The demo's entry point: parses the command line and runs it.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    candle_tensorboard::candle_gaps::keep_freed_buffers();
    let args = Args::parse();
    run(&args.logdir, args.steps)
}

/// Writes the demo runs under `logdir`. `steps` caps every example's loop (0: the demo's
/// own short settings).
pub fn run(logdir: &Path, steps: usize) -> Result<(), Box<dyn std::error::Error>> {
    let cap = |short: usize| if steps == 0 { short } else { steps.min(short) };
    let started = Instant::now();
    // Runs `$example` as `$example --logdir LOGDIR --FLAG VALUE ...`, after a heading.
    macro_rules! short_run {
        ($example:ident, $title:expr, [$(($flag:expr, $value:expr)),* $(,)?]) => {{
            println!(
                "\n== demo: {} ({}) at {:.0} s",
                stringify!($example),
                $title,
                started.elapsed().as_secs_f64()
            );
            let mut argv = vec![stringify!($example).to_string(), "--logdir".into()];
            argv.push(logdir.to_string_lossy().into_owned());
            $(argv.extend([format!("--{}", $flag), $value.to_string()]);)*
            $example::run($example::Args::try_parse_from(argv)?)?;
        }};
    }

    short_run!(
        tensorboard_tour,
        "PyTorch's TensorBoard tutorial, sections 5.1-5.3",
        [("steps", cap(100))]
    );
    println!("\n== demo: hooks_demo (PyTorch's TensorBoard tutorial, section 5.4)");
    hooks_demo::run()?;
    short_run!(
        feature_maps,
        "PyTorch's TensorBoard tutorial: feature maps through forward hooks",
        []
    );
    short_run!(
        alexnet_kernels,
        "PyTorch's TensorBoard tutorial: kernel grids of a net trained here",
        [("steps", cap(200)), ("kernel-every", 20)]
    );
    short_run!(grad_cam, "Grad-CAM on AlexNet", [("steps", cap(100))]);
    short_run!(
        attention_maps,
        "attention maps from a multi-input hook",
        [("steps", cap(150))]
    );
    short_run!(
        backprop_scratch,
        "Backpropagation from scratch: layers by hand, gradient check, MNIST",
        [("steps", cap(500))]
    );
    short_run!(
        gan_mnist,
        "A GAN on MNIST",
        [("steps", cap(500)), ("image-every", 100)]
    );
    short_run!(
        dqn_mountaincar,
        "A DQN learning MountainCar from pixels",
        [
            ("steps", cap(600)),
            ("learn-start", cap(200)),
            ("max-episode-steps", 150),
            ("log-every", 10),
            ("image-every", 1),
        ]
    );
    crate::dashboards2::part2(logdir)?;
    println!("\n== demo: its own run (text, an image batch, a grid of test patterns)");
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
    crate::dashboards::part1(logdir, cap(150))?;
    println!(
        "\ndemo done in {:.0} s; view it with: tensorboard --logdir {}",
        started.elapsed().as_secs_f64(),
        logdir.display()
    );
    Ok(())
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
