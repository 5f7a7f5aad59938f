//! Bench: one simulated hour of 1 kHz scalars through the segment sink.
//!
//! ```text
//! cargo run --release -p tfevents --features remote --example remote_upload -- URL [SECONDS]
//! ```
//!
//! URL is a remote log directory (`s3://bucket/prefix` with the `AWS_*` variables of
//! `tools/start-s3.sh`, or `memory://x`); SECONDS of simulated time (default 3600) are logged
//! at 1000 scalars per second, with a flush every 2 simulated seconds (the writer's default
//! interval). Prints bytes uploaded / bytes logged beside the figure a whole-file re-upload per
//! flush would give (what the Python writers do), and the throughput against the same loop
//! writing to local disk.

use std::time::Instant;

use tfevents::remote::RemoteLogDir;
use tfevents::SummaryWriter;

const RATE: u64 = 1000;
const FLUSH_EVERY: u64 = 2 * RATE;

/// Logs `events` scalars, flushing every [`FLUSH_EVERY`]; returns the bytes logged after each
/// flush (as a file grows).
fn log(
    writer: &SummaryWriter,
    events: u64,
    logged: impl Fn() -> u64,
) -> tfevents::Result<Vec<u64>> {
    let mut sizes = Vec::new();
    for i in 0..events {
        let t = i as f64 / RATE as f64;
        writer.add_scalar("sim/loss", (-t / 600.0).exp() + 0.01 * (t * 7.0).sin(), i)?;
        if (i + 1) % FLUSH_EVERY == 0 || i + 1 == events {
            writer.flush()?;
            sizes.push(logged());
        }
    }
    writer.close()?;
    Ok(sizes)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or("usage: remote_upload URL [SIMULATED_SECONDS]  (e.g. memory://bench)")?;
    let seconds: u64 = match args.next() {
        Some(s) => s
            .parse()
            .map_err(|_| format!("SECONDS must be a number, got `{s}`"))?,
        None => 3600,
    };
    let events = seconds * RATE;

    let dir = RemoteLogDir::open(&url)?;
    let writer = SummaryWriter::builder()
        .remote_log_dir(dir.clone())
        .flush_secs(3600.0)
        .max_queue(1 << 20)
        .build()?;
    let start = Instant::now();
    let sizes = log(&writer, events, || dir.stats().bytes_logged())?;
    let remote_secs = start.elapsed().as_secs_f64();
    let stats = dir.stats();
    let logged = stats.bytes_logged() as f64;
    let uploaded = stats.bytes_uploaded() as f64;
    // A writer that re-uploads the whole file at each flush sends every prefix once.
    let reupload: f64 = sizes.iter().map(|&s| s as f64).sum();

    let tmp = std::env::temp_dir().join(format!("tfevents-remote-bench-{}", std::process::id()));
    let local = SummaryWriter::builder()
        .log_dir(&tmp)
        .flush_secs(3600.0)
        .max_queue(1 << 20)
        .build()?;
    let path = local.file_path().to_path_buf();
    let start = Instant::now();
    log(&local, events, || {
        std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
    })?;
    let local_secs = start.elapsed().as_secs_f64();
    std::fs::remove_dir_all(&tmp).ok();

    let mib = logged / (1 << 20) as f64;
    println!(
        "{seconds} simulated s at {RATE} Hz: {events} scalars, {} flushes, {:.1} MiB logged",
        sizes.len(),
        mib
    );
    println!(
        "segments: {} objects ({} multipart), {:.0} bytes uploaded",
        stats.segments_uploaded(),
        stats.multipart_uploads(),
        uploaded
    );
    println!(
        "bytes uploaded / bytes logged: {:.4} (segments)",
        uploaded / logged
    );
    println!(
        "bytes uploaded / bytes logged: {:.1} (whole-file re-upload per flush)",
        reupload / logged
    );
    println!(
        "throughput to {url}: {:.0} events/s, {:.2} MiB/s ({remote_secs:.2} s)",
        events as f64 / remote_secs,
        mib / remote_secs
    );
    println!(
        "throughput to local disk: {:.0} events/s, {:.2} MiB/s ({local_secs:.2} s)",
        events as f64 / local_secs,
        mib / local_secs
    );
    if stats.events_lost() > 0 || stats.failed_uploads() > 0 {
        return Err(format!(
            "{} failed uploads, {} events lost",
            stats.failed_uploads(),
            stats.events_lost()
        )
        .into());
    }
    Ok(())
}
