//! The benchmark workloads, shared by the criterion benches and `examples/bench_workloads.rs`
//! (which `bench/compare` runs next to tensorboardX).

use std::path::Path;

use candle_tensorboard::reader::EventFileReader;
use candle_tensorboard::SummaryWriter;

/// Logs `n` scalars to a new run in `dir` and closes it (everything on disk).
pub fn scalars(dir: &Path, n: i64) -> candle_tensorboard::Result<std::path::PathBuf> {
    let w = SummaryWriter::new(dir)?;
    for step in 0..n {
        w.add_scalar("loss", step as f32 * 0.001, step)?;
    }
    w.close()?;
    Ok(w.file_path().to_path_buf())
}

/// Reads every event of `file`, decoding each; returns how many.
pub fn read(file: &Path) -> candle_tensorboard::Result<usize> {
    let mut n = 0;
    for event in EventFileReader::open(file)? {
        event?;
        n += 1;
    }
    Ok(n)
}

/// 1M normal f32 values, seeded, for the histogram workload.
pub fn normal_values(n: usize) -> Vec<f32> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    (0..n)
        .map(|_| {
            // Box-Muller: no extra dependency for one bench input.
            let (u, v): (f64, f64) = (rng.random::<f64>().max(1e-300), rng.random());
            ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()) as f32
        })
        .collect()
}

/// Logs `calls` histograms of `values` with the default bins and closes the writer.
pub fn histograms(dir: &Path, values: &[f32], calls: i64) -> candle_tensorboard::Result<()> {
    let w = SummaryWriter::new(dir)?;
    for step in 0..calls {
        w.add_histogram("weights", values, step)?;
    }
    Ok(w.close()?)
}

/// Logs `calls` images of a random 3x512x512 f32 CHW tensor (values in [0, 1]) and closes
/// the writer: conversion, PNG encoding and I/O.
pub fn images(dir: &Path, calls: i64) -> candle_tensorboard::Result<()> {
    let dev = candle_core::Device::Cpu;
    let img = candle_core::Tensor::rand(0f32, 1f32, (3, 512, 512), &dev)?;
    let w = SummaryWriter::new(dir)?;
    for step in 0..calls {
        w.add_image("img", &img, step)?;
    }
    Ok(w.close()?)
}

/// Logs `calls` grids of 64 normal 55x55 one-channel maps (`make_grid` with normalize,
/// scale_each and nrow 8, as the seed's feature maps) and closes the writer.
pub fn grids(dir: &Path, calls: i64) -> candle_tensorboard::Result<()> {
    use candle_tensorboard::grid::{make_grid, GridOptions};
    let dev = candle_core::Device::Cpu;
    let maps = candle_core::Tensor::randn(0f32, 1f32, (64, 1, 55, 55), &dev)?;
    let options = GridOptions {
        nrow: 8,
        normalize: true,
        scale_each: true,
        ..Default::default()
    };
    let w = SummaryWriter::new(dir)?;
    for step in 0..calls {
        w.add_image("feature_maps", &make_grid(&maps, &options)?, step)?;
    }
    Ok(w.close()?)
}
