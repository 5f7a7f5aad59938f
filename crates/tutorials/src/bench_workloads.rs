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

/// `n` f32 predictions in [0, 1) and labels drawn as positives with that probability.
pub fn pr_inputs(n: usize) -> (Vec<u8>, Vec<f32>) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let predictions: Vec<f32> = (0..n).map(|_| rng.random::<f32>()).collect();
    let labels = predictions
        .iter()
        .map(|&p| u8::from(rng.random::<f32>() < p))
        .collect();
    (labels, predictions)
}

/// Logs `calls` PR curves (127 thresholds) of `predictions` to `w` and closes it (the writer
/// is made by the caller, outside the timing, as `bench/compare` does for tensorboardX).
pub fn pr_curves(
    w: &SummaryWriter,
    labels: &[u8],
    predictions: &[f32],
    calls: i64,
) -> candle_tensorboard::Result<()> {
    for step in 0..calls {
        w.add_pr_curve("pr", labels, predictions, step)?;
    }
    Ok(w.close()?)
}

/// The embedding `bench/compare_embedding.py` builds, `rows` x 512: a multiplicative hash of
/// the index scaled to [-0.5, 0.5), as f32.
pub fn embedding_matrix(rows: usize) -> Vec<f32> {
    (0..rows * EMBEDDING_DIM)
        .map(|i| ((i as u64 * 2_654_435_761) % (1 << 32)) as f32 / 4_294_967_296.0 - 0.5)
        .collect()
}

/// Columns of [`embedding_matrix`].
pub const EMBEDDING_DIM: usize = 512;

/// Side of the label images of [`embeddings`].
pub const SPRITE_SIDE: usize = 28;

/// The label images of [`embeddings`], `rows` x 28 x 28: `((i * 7 + p) % 256) / 255` for
/// image i, pixel p, as `bench/compare_embedding.py` builds them.
pub fn embedding_images(rows: usize) -> Vec<f32> {
    (0..rows)
        .flat_map(|i| {
            (0..SPRITE_SIDE * SPRITE_SIDE).map(move |p| ((i * 7 + p) % 256) as f32 / 255.0)
        })
        .collect()
}

/// One label per point of [`embeddings`]: `i % 10`.
pub fn embedding_labels(rows: usize) -> Vec<String> {
    (0..rows).map(|i| (i % 10).to_string()).collect()
}

/// Logs `calls` embeddings of `mat` (`rows` x 512) with one label per point (`i % 10`) and a
/// sprite of `rows` 28x28 images (`((i * 7 + p) % 256) / 255`), as
/// `bench/compare_embedding.py` does; call `k` goes to run `run_k` of `dir`, step 0, tag
/// `default`, so each can be compared with tensorboardX's files.
pub fn embeddings(
    dir: &Path,
    mat: &[f32],
    rows: usize,
    calls: usize,
) -> candle_tensorboard::Result<()> {
    use candle_tensorboard::summary::projector::{EmbeddingOptions, LabelImages, Metadata};
    let images = embedding_images(rows);
    let labels = embedding_labels(rows);
    for call in 0..calls {
        let w = SummaryWriter::new(dir.join(format!("run_{call}")))?;
        let options = EmbeddingOptions::new()
            .metadata(Metadata::Column(labels.clone()))
            .label_images(LabelImages::from_f32(
                &images,
                [rows, 1, SPRITE_SIDE, SPRITE_SIDE],
            )?)
            .step(0)?;
        w.add_embedding((mat, [rows, EMBEDDING_DIM]), options)?;
        w.close()?;
    }
    Ok(())
}
