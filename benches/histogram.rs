//! `make_histogram` on one million values: the target is >= 1000 calls/s with the
//! default (Tensorflow) bins on one core.

use candle_tensorboard::summary::histogram::{make_histogram, Bins};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use std::hint::black_box;

/// Standard normal values (Box-Muller), deterministic.
fn normal(n: usize) -> Vec<f64> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    (0..n)
        .map(|_| {
            let u1: f64 = 1.0 - rng.random::<f64>();
            let u2: f64 = rng.random::<f64>();
            (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    const N: usize = 1_000_000;
    let f64s = normal(N);
    let f32s: Vec<f32> = f64s.iter().map(|&x| x as f32).collect();
    let mut g = c.benchmark_group("make_histogram_1M");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("f32_tensorflow", |b| {
        b.iter(|| make_histogram(black_box(&f32s), &Bins::Tensorflow, None))
    });
    g.bench_function("f64_tensorflow", |b| {
        b.iter(|| make_histogram(black_box(&f64s), &Bins::Tensorflow, None))
    });
    g.bench_function("f32_count30", |b| {
        b.iter(|| make_histogram(black_box(&f32s), &Bins::Count(30), None))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
