//! The benchmark workloads as one program, for `bench/compare` (which runs the same workloads
//! through tensorboardX and prints the ratios).
//!
//! ```text
//! cargo run --release --example bench_workloads -- --json [--read-file FILE] [--embedding-dir DIR]
//! cargo run --release --example bench_workloads -- --write-scalar-file DIR --events N
//! ```

use std::path::PathBuf;
use std::time::Instant;

use crate::bench_workloads as workloads;

/// The example\'s entry point: parses the command line and runs it.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value_of = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if let Some(dir) = value_of("--write-scalar-file") {
        let n: i64 = value_of("--events")
            .unwrap_or_else(|| "1000000".into())
            .parse()?;
        let file = workloads::scalars(&PathBuf::from(dir), n)?;
        println!("{}", file.display());
        return Ok(());
    }
    let tmp = tempfile::tempdir()?;
    let n = 200_000;
    let t = Instant::now();
    workloads::scalars(&tmp.path().join("scalars"), n)?;
    let scalars_per_s = n as f64 / t.elapsed().as_secs_f64();

    let read_file = match value_of("--read-file") {
        Some(f) => PathBuf::from(f),
        None => workloads::scalars(&tmp.path().join("read"), 1_000_000)?,
    };
    let t = Instant::now();
    let events = workloads::read(&read_file)?;
    let read_events_per_s = events as f64 / t.elapsed().as_secs_f64();

    let values = workloads::normal_values(1_000_000);
    let calls = 50;
    let t = Instant::now();
    workloads::histograms(&tmp.path().join("hist"), &values, calls)?;
    let hist_calls_per_s = calls as f64 / t.elapsed().as_secs_f64();

    let t = Instant::now();
    workloads::images(&tmp.path().join("images"), calls)?;
    let image_calls_per_s = calls as f64 / t.elapsed().as_secs_f64();

    let t = Instant::now();
    workloads::grids(&tmp.path().join("grids"), calls)?;
    let grid_calls_per_s = calls as f64 / t.elapsed().as_secs_f64();

    let (labels, predictions) = workloads::pr_inputs(1_000_000);
    let pr_calls = 20;
    let writer = candle_tensorboard::SummaryWriter::new(tmp.path().join("pr"))?;
    let t = Instant::now();
    workloads::pr_curves(&writer, &labels, &predictions, pr_calls)?;
    let pr_calls_per_s = pr_calls as f64 / t.elapsed().as_secs_f64();

    // Kept where bench/compare asks, so that it can compare the files with tensorboardX's.
    let embedding_dir = value_of("--embedding-dir")
        .map(PathBuf::from)
        .unwrap_or_else(|| tmp.path().join("embedding"));
    let rows = 10_000;
    let mat = workloads::embedding_matrix(rows);
    let embedding_calls = 3;
    let t = Instant::now();
    workloads::embeddings(&embedding_dir, &mat, rows, embedding_calls)?;
    let embedding_calls_per_s = embedding_calls as f64 / t.elapsed().as_secs_f64();

    let report = serde_json::json!({
        "pr_calls_per_s": pr_calls_per_s,
        "embedding_calls_per_s": embedding_calls_per_s,
        "image_calls_per_s": image_calls_per_s,
        "grid_calls_per_s": grid_calls_per_s,
        "hist_calls_per_s": hist_calls_per_s,
        "scalars_per_s": scalars_per_s,
        "read_events_per_s": read_events_per_s,
    });
    if args.iter().any(|a| a == "--json") {
        println!("{report}");
    } else {
        println!("{}", serde_json::to_string_pretty(&report)?);
    }
    Ok(())
}
