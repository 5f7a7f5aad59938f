//! Image benchmarks: the caller-thread conversion, the writer-thread PNG encoding, PNG settings,
//! and the seed's feature-map grid.
//!
//! Run: `cargo bench --bench images`. PNG sizes per setting are printed once to stderr.

use std::hint::black_box;

use candle_core::{Device, Tensor};
use candle_tensorboard::grid::{make_grid, GridOptions};
use candle_tensorboard::summary::image::{
    encode_png, encode_png_with, to_image_u8, DataFormat, ImageU8,
};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// 512x512 RGB uniform noise (deterministic).
fn noise_image() -> ImageU8 {
    let mut s = 0x2545_f491_4f6c_dd1du64;
    let data = (0..512 * 512 * 3)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 24) as u8
        })
        .collect();
    ImageU8::new(512, 512, 3, data).expect("valid image")
}

/// 512x512 RGB smooth gradients, like a photo or a blurred feature map.
fn smooth_image() -> ImageU8 {
    let mut data = Vec::with_capacity(512 * 512 * 3);
    for y in 0..512 {
        for x in 0..512 {
            for c in 0..3 {
                let v = 128.0
                    + 100.0 * ((x as f32) / 40.0 + c as f32).sin() * ((y as f32) / 55.0).cos();
                data.push(v as u8);
            }
        }
    }
    ImageU8::new(512, 512, 3, data).expect("valid image")
}

fn settings() -> Vec<(&'static str, png::DeflateCompression, png::Filter)> {
    use png::{DeflateCompression as D, Filter as F};
    vec![
        ("fdeflate_up", D::FdeflateUltraFast, F::Up),
        ("fdeflate_paeth", D::FdeflateUltraFast, F::Paeth),
        ("fdeflate_adaptive", D::FdeflateUltraFast, F::Adaptive),
        ("zlib1_up", D::Level(1), F::Up),
        ("zlib1_paeth", D::Level(1), F::Paeth),
        ("zlib6_adaptive_pil", D::Level(6), F::Adaptive),
    ]
}

fn png_settings(c: &mut Criterion) {
    let images = [("noise", noise_image()), ("smooth", smooth_image())];
    for (name, img) in &images {
        for (label, comp, filter) in settings() {
            let n = encode_png_with(img, comp, filter).expect("encodes").len();
            eprintln!(
                "png size {name:6} {label:18} {n:8} bytes ({:.1}% of raw)",
                100.0 * n as f64 / img.data().len() as f64
            );
        }
    }
    let mut g = c.benchmark_group("png_settings");
    g.sample_size(20);
    for (name, img) in &images {
        for (label, comp, filter) in settings() {
            g.bench_function(format!("{name}/{label}"), |b| {
                b.iter(|| encode_png_with(black_box(img), comp, filter).expect("encodes"))
            });
        }
    }
    g.finish();
}

fn add_image_parts(c: &mut Criterion) {
    let t = Tensor::rand(0f32, 1f32, (3, 512, 512), &Device::Cpu).expect("rand");
    let mut g = c.benchmark_group("add_image_3x512x512_f32");
    g.throughput(Throughput::Elements(1));
    // (a) the caller's thread: tensor -> u8 HWC
    g.bench_function("caller_to_u8", |b| {
        b.iter(|| to_image_u8(black_box(&t), DataFormat::CHW).expect("converts"))
    });
    // (b) the writer's thread: PNG encoding with the chosen setting
    let img = to_image_u8(&t, DataFormat::CHW).expect("converts");
    g.bench_function("writer_encode_png", |b| {
        b.iter(|| encode_png(black_box(&img)).expect("encodes"))
    });
    g.bench_function("both", |b| {
        b.iter(|| {
            let img = to_image_u8(black_box(&t), DataFormat::CHW).expect("converts");
            encode_png(&img).expect("encodes")
        })
    });
    g.finish();
}

fn feature_map_grid(c: &mut Criterion) {
    // The seed's conv1 feature maps: (64, 1, 55, 55), normalize + scale_each, nrow 8.
    let fmap = Tensor::randn(0f32, 1f32, (64, 1, 55, 55), &Device::Cpu).expect("randn");
    let opts = GridOptions {
        normalize: true,
        scale_each: true,
        nrow: 8,
        ..Default::default()
    };
    let mut g = c.benchmark_group("feature_map_grid_64x55x55");
    g.throughput(Throughput::Elements(1));
    g.bench_function("make_grid", |b| {
        b.iter(|| make_grid(black_box(&fmap), &opts).expect("grid"))
    });
    g.bench_function("grid_to_u8_png", |b| {
        b.iter(|| {
            let grid = make_grid(black_box(&fmap), &opts).expect("grid");
            let img = to_image_u8(&grid, DataFormat::CHW).expect("converts");
            encode_png(&img).expect("encodes")
        })
    });
    g.finish();
}

criterion_group!(benches, add_image_parts, feature_map_grid, png_settings);
criterion_main!(benches);
