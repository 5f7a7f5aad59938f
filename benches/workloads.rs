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
