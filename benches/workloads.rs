//! The benchmark workloads, shared by the criterion benches and `examples/bench_workloads.rs`
//! (which `bench/compare` runs next to tensorboardX).
#![allow(dead_code)] // each includer uses a subset

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
    w.close()
}
