//! `demo`: one command that fills a log directory with every kind of data the crate writes.

use std::path::Path;
use std::process::ExitCode;

use candle_core::{Device, Tensor};
use candle_tensorboard::grid::{make_grid, GridOptions};
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
    // The seed's histograms: a uniform and a normal sample that drift with the step.
    let device = Device::Cpu;
    for step in 0..n.min(20) {
        let shift = step as f64 / 10.0;
        let uniform = Tensor::rand(0f32, 1f32, 1000, &device)?.affine(1.0, shift)?;
        let normal = Tensor::randn(0f32, 1f32, 1000, &device)?.affine(1.0 + shift, 0.0)?;
        writer.add_histogram("distribution/uniform", &uniform, step)?;
        writer.add_histogram("distribution/normal", &normal, step)?;
    }
    // The seed's five fake images, as torch.utils.tensorboard scales them.
    let randn = Tensor::randn(0f32, 1f32, (3, 100, 100), &device)?;
    writer.add_image("fake/randn_CHW", &randn, 0)?;
    let ones = Tensor::ones((3, 100, 100), candle_core::DType::F32, &device)?;
    writer.add_image("fake/ones", &ones, 0)?;
    writer.add_image("fake/ones_x1.1", &(&ones * 1.1)?, 0)?;
    let hw = Tensor::rand(0f32, 1f32, (100, 100), &device)?;
    writer.add_image_with_format("fake/rand_HW", &hw, 0, "HW")?;
    let hwc = Tensor::rand(0f32, 1f32, (100, 100, 3), &device)?;
    writer.add_image_with_format("fake/rand_HWC", &hwc, 0, "HWC")?;
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
