//! `add_pr_curve`'s work on one million predictions (issue 11's target: at least 50x
//! tensorboardX's `pr_curve`, which bench/compare-style timing of the same input measures).

use candle_tensorboard::summary::pr_curve::{pr_curve_summary, DEFAULT_NUM_THRESHOLDS};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use std::hint::black_box;
use tutorials::bench_workloads as workloads;

fn bench(c: &mut Criterion) {
    const N: usize = 1_000_000;
    let (labels, predictions) = workloads::pr_inputs(N);
    let mut rng = rand::rngs::StdRng::seed_from_u64(8);
    let weights: Vec<f64> = (0..N).map(|_| rng.random::<f64>()).collect();
    let mut g = c.benchmark_group("pr_curve_1M");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("f32_127_thresholds", |b| {
        b.iter(|| {
            pr_curve_summary(
                "pr",
                black_box(&labels),
                black_box(&predictions),
                DEFAULT_NUM_THRESHOLDS,
                None,
            )
        })
    });
    // Past 128 thresholds a slot no longer fits a byte: the general counting path.
    g.bench_function("f32_1000_thresholds", |b| {
        b.iter(|| {
            pr_curve_summary(
                "pr",
                black_box(&labels),
                black_box(&predictions),
                1000,
                None,
            )
        })
    });
    g.bench_function("f32_127_thresholds_weighted", |b| {
        b.iter(|| {
            pr_curve_summary(
                "pr",
                black_box(&labels),
                black_box(&predictions),
                DEFAULT_NUM_THRESHOLDS,
                Some(black_box(&weights)),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
