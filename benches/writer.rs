//! Writer and reader hot paths: 200k scalars end to end, reading a 1M-event file, and what
//! the `fsync` durability option costs per `flush()`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tutorials::bench_workloads as workloads;

fn bench_scalars(c: &mut Criterion) {
    let mut group = c.benchmark_group("scalars");
    group.sample_size(10);
    group.throughput(Throughput::Elements(200_000));
    group.bench_function("200k add_scalar + close", |b| {
        b.iter_with_setup(
            || tempfile::tempdir().expect("temp dir"),
            |dir| workloads::scalars(dir.path(), 200_000).expect("write"),
        )
    });
    group.finish();
}

fn bench_read(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = workloads::scalars(dir.path(), 1_000_000).expect("write");
    let mut group = c.benchmark_group("read");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1_000_001));
    group.bench_function("1M-event file", |b| {
        b.iter(|| workloads::read(&file).expect("read"))
    });
    group.finish();
}

fn bench_histograms(c: &mut Criterion) {
    let values = workloads::normal_values(1_000_000);
    let mut group = c.benchmark_group("add_histogram");
    group.sample_size(10);
    group.throughput(Throughput::Elements(50));
    group.bench_function("50 x 1M f32, default bins, + close", |b| {
        b.iter_with_setup(
            || tempfile::tempdir().expect("temp dir"),
            |dir| workloads::histograms(dir.path(), &values, 50).expect("write"),
        )
    });
    group.finish();
}

/// 1000 scalars with a `flush()` every 100, with and without `fsync`: the difference is the
/// price of surviving a power loss (10 syncs), on the disk the temp dir lives on.
fn bench_fsync(c: &mut Criterion) {
    let mut group = c.benchmark_group("fsync");
    group.sample_size(10);
    group.throughput(Throughput::Elements(10));
    for fsync in [false, true] {
        let name = if fsync {
            "1000 scalars, 10 flushes, fsync"
        } else {
            "1000 scalars, 10 flushes, no fsync"
        };
        group.bench_function(name, |b| {
            b.iter_with_setup(
                || tempfile::tempdir().expect("temp dir"),
                |dir| {
                    let w = tfevents::SummaryWriter::builder()
                        .log_dir(dir.path())
                        .fsync(fsync)
                        .build()
                        .expect("writer");
                    for step in 0..1000i64 {
                        w.add_scalar("loss", step as f64, step).expect("add");
                        if step % 100 == 99 {
                            w.flush().expect("flush");
                        }
                    }
                    w.close().expect("close");
                },
            )
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_scalars,
    bench_read,
    bench_histograms,
    bench_fsync
);
criterion_main!(benches);
