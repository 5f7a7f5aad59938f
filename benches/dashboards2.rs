//! Benchmarks of the dashboards added in issue 11, part 2: `add_embedding` of 10,000 x 512
//! points with one label per point and a sprite of 10,000 28x28 images, the PROJECTOR input
//! the issue sets a target for (10x tensorboardX, measured on the same input by
//! `bench/compare_embedding.py`).
//!
//! Run: `cargo bench --bench dashboards2`.

use std::hint::black_box;
use std::time::Duration;

use candle_tensorboard::summary::projector::{
    tensors_tsv, EmbeddingOptions, LabelImages, Metadata,
};
use candle_tensorboard::SummaryWriter;
use criterion::{criterion_group, criterion_main, Criterion};
use tutorials::bench_workloads as workloads;

const ROWS: usize = 10_000;
const DIM: usize = workloads::EMBEDDING_DIM;
const SIDE: usize = workloads::SPRITE_SIDE;

fn embedding(c: &mut Criterion) {
    let mat = workloads::embedding_matrix(ROWS);
    let imgs = workloads::embedding_images(ROWS);
    let labels = workloads::embedding_labels(ROWS);
    let dir = tempfile::tempdir().expect("temp dir");
    let writer = SummaryWriter::new(dir.path()).expect("writer");
    let mut group = c.benchmark_group("embedding");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    let mut step = 0i64;
    group.bench_function("add_embedding 10000x512 + metadata + sprite 28x28", |b| {
        b.iter(|| {
            step += 1;
            let opts = EmbeddingOptions::new()
                .metadata(Metadata::Column(labels.clone()))
                .label_images(LabelImages::from_f32(&imgs, [ROWS, 1, SIDE, SIDE]).expect("images"))
                .step(step)
                .expect("step");
            writer
                .add_embedding((&mat[..], [ROWS, DIM]), opts)
                .expect("add_embedding");
        })
    });
    group.bench_function("tensors.tsv 10000x512 only", |b| {
        b.iter(|| black_box(tensors_tsv(&(&mat[..], [ROWS, DIM])).expect("tsv")))
    });
    group.finish();
}

criterion_group!(benches, embedding);
criterion_main!(benches);
