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
    // Past 128 thresholds a slot no longer fits a byte: the general counting path.
    let cases: [(&str, usize, Option<&[f64]>); 3] = [
        ("f32_127_thresholds", DEFAULT_NUM_THRESHOLDS, None),
        ("f32_1000_thresholds", 1000, None),
        (
            "f32_127_thresholds_weighted",
            DEFAULT_NUM_THRESHOLDS,
            Some(&weights),
        ),
    ];
    for (name, num_thresholds, weights) in cases {
        g.bench_function(name, |b| {
            b.iter(|| {
                pr_curve_summary(
                    "pr",
                    black_box(&labels),
                    black_box(&predictions),
                    num_thresholds,
                    weights.map(black_box),
                )
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
