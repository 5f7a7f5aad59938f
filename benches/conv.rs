//! The convolution hot path of training: forward + backward of the DQN net's three
//! convolutions on a batch of 32 stacked frames, through this crate's im2col + gemm
//! `nn::conv2d` and through candle's own `conv2d` (whose backward runs a direct
//! `conv_transpose2d` loop for the input gradient).

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::Conv2dConfig;
use candle_tensorboard::nn::conv2d;
use criterion::{criterion_group, criterion_main, Criterion};

/// (input channels, output channels, kernel, stride) of the DQN's convolutions.
const LAYERS: [(usize, usize, usize, usize); 3] = [(4, 32, 8, 4), (32, 64, 4, 2), (64, 64, 3, 1)];

struct Net {
    weights: Vec<(Var, Var, usize)>,
}

impl Net {
    fn new(dev: &Device) -> candle_core::Result<Self> {
        let weights = LAYERS
            .iter()
            .map(|&(i, o, k, s)| {
                Ok((
                    Var::randn(0f32, 0.05, (o, i, k, k), dev)?,
                    Var::zeros(o, DType::F32, dev)?,
                    s,
                ))
            })
            .collect::<candle_core::Result<_>>()?;
        Ok(Self { weights })
    }

    /// Forward through the three convolutions (ReLU between), backward of the sum.
    fn step(&self, x: &Tensor, ours: bool) -> candle_core::Result<()> {
        let mut h = x.clone();
        for (w, b, stride) in &self.weights {
            let cfg = Conv2dConfig {
                stride: *stride,
                ..Default::default()
            };
            h = if ours {
                conv2d(&h, w, Some(b), &cfg)?
            } else {
                let conv =
                    candle_nn::Conv2d::new(w.as_tensor().clone(), Some(b.as_tensor().clone()), cfg);
                candle_nn::Module::forward(&conv, &h)?
            }
            .relu()?;
        }
        h.sum_all()?.backward()?;
        Ok(())
    }
}

fn bench(c: &mut Criterion) {
    candle_tensorboard::candle_gaps::keep_freed_buffers();
    let dev = Device::Cpu;
    let net = Net::new(&dev).expect("weights");
    let x = Tensor::rand(0f32, 1., (32, 4, 84, 84), &dev).expect("input");
    let mut g = c.benchmark_group("dqn convs fwd+bwd, batch 32");
    g.sample_size(10);
    g.bench_function("nn::conv2d (im2col + gemm)", |b| {
        b.iter(|| net.step(&x, true).expect("step"))
    });
    g.bench_function("candle conv2d", |b| {
        b.iter(|| net.step(&x, false).expect("step"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
