//! Cost of the module tree and its hooks: forward + backward of the small AlexNet (batch 16,
//! 1x28x28) and the DQN net (batch 8, 4x84x84) on the CPU, four ways:
//! plain candle_nn layers, our tree without hooks, forward hooks capturing every conv
//! output, and full backward hooks on every conv.
//!
//! Run: `cargo bench --bench hooks`; for interleaved A/B timings that survive a busy
//! machine: `HOOKS_BENCH_ROUNDS=30 cargo bench --bench hooks`, which measures with glibc's
//! default allocator settings and then again after `candle_gaps::keep_freed_buffers()`.

use std::sync::{Arc, Mutex};

use candle_core::{DType, Device, Tensor};
use candle_nn::{Conv2dConfig, VarBuilder, VarMap};
use candle_tensorboard::candle_gaps::keep_freed_buffers;
use candle_tensorboard::hooks::HookHandle;
use candle_tensorboard::models::{dqn, AlexNet};
use candle_tensorboard::nn::{max_pool2d, LayerKind, Module};
use criterion::{criterion_group, Criterion};

/// The same computation as `AlexNet::small`, written with bare candle_nn layers (and this
/// crate's pooling function, since candle's cannot backpropagate 3/2 pooling).
struct PlainAlex {
    convs: Vec<candle_nn::Conv2d>,
    fcs: Vec<candle_nn::Linear>,
}

impl PlainAlex {
    fn new(vb: VarBuilder) -> candle_core::Result<Self> {
        let cfg = Conv2dConfig {
            padding: 1,
            ..Default::default()
        };
        let f = vb.pp("features");
        let c = vb.pp("classifier");
        let cfg5 = Conv2dConfig {
            padding: 2,
            ..Default::default()
        };
        Ok(Self {
            convs: vec![
                candle_nn::conv2d(1, 32, 5, cfg5, f.pp(0))?,
                candle_nn::conv2d(32, 64, 3, cfg, f.pp(3))?,
                candle_nn::conv2d(64, 96, 3, cfg, f.pp(6))?,
                candle_nn::conv2d(96, 96, 3, cfg, f.pp(8))?,
                candle_nn::conv2d(96, 64, 3, cfg, f.pp(10))?,
            ],
            fcs: vec![
                candle_nn::linear(576, 256, c.pp(1))?,
                candle_nn::linear(256, 256, c.pp(4))?,
                candle_nn::linear(256, 10, c.pp(6))?,
            ],
        })
    }

    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        use candle_nn::Module as _;
        let pool = |x: &Tensor, k, s| -> candle_core::Result<Tensor> {
            Ok(max_pool2d(x, (k, k), (s, s), (0, 0))?)
        };
        let x = pool(&self.convs[0].forward(x)?.relu()?, 2, 2)?;
        let x = pool(&self.convs[1].forward(&x)?.relu()?, 2, 2)?;
        let x = self.convs[2].forward(&x)?.relu()?;
        let x = self.convs[3].forward(&x)?.relu()?;
        let x = pool(&self.convs[4].forward(&x)?.relu()?, 3, 2)?.flatten_from(1)?;
        let x = self.fcs[0].forward(&x)?.relu()?;
        let x = self.fcs[1].forward(&x)?.relu()?;
        self.fcs[2].forward(&x)
    }
}

struct PlainDqn {
    convs: Vec<candle_nn::Conv2d>,
    fcs: Vec<candle_nn::Linear>,
}

impl PlainDqn {
    fn new(vb: VarBuilder) -> candle_core::Result<Self> {
        let cfg = |stride| Conv2dConfig {
            stride,
            ..Default::default()
        };
        Ok(Self {
            convs: vec![
                candle_nn::conv2d(4, 32, 8, cfg(4), vb.pp(0))?,
                candle_nn::conv2d(32, 64, 4, cfg(2), vb.pp(2))?,
                candle_nn::conv2d(64, 64, 3, cfg(1), vb.pp(4))?,
            ],
            fcs: vec![
                candle_nn::linear(3136, 512, vb.pp(7))?,
                candle_nn::linear(512, 3, vb.pp(9))?,
            ],
        })
    }

    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        use candle_nn::Module as _;
        let mut x = x.clone();
        for c in &self.convs {
            x = c.forward(&x)?.relu()?;
        }
        let x = self.fcs[0].forward(&x.flatten_from(1)?)?.relu()?;
        self.fcs[1].forward(&x)
    }
}

fn step(f: impl Fn(&Tensor) -> candle_core::Result<Tensor>, x: &Tensor) {
    let loss = f(x).and_then(|y| y.sqr()?.mean_all());
    if let Ok(loss) = loss {
        let _ = std::hint::black_box(loss.backward());
    }
}

fn forward_hooks(model: &dyn Module, store: &Arc<Mutex<Vec<Tensor>>>) -> Vec<HookHandle> {
    model
        .modules()
        .into_iter()
        .filter(|m| m.layer_kind() == LayerKind::Conv2d)
        .map(|m| {
            let s = store.clone();
            m.node().register_forward_hook(move |_, _, out| {
                if let Ok(mut v) = s.lock() {
                    v.push(out.clone());
                }
                Ok(None)
            })
        })
        .collect()
}

fn backward_hooks(model: &dyn Module, store: &Arc<Mutex<Vec<Tensor>>>) -> Vec<HookHandle> {
    model
        .modules()
        .into_iter()
        .filter(|m| m.layer_kind() == LayerKind::Conv2d)
        .map(|m| {
            let s = store.clone();
            m.node().register_full_backward_hook(move |_, _, go| {
                if let Ok(mut v) = s.lock() {
                    v.push(go.clone());
                }
                Ok(None)
            })
        })
        .collect()
}

fn bench_model(c: &mut Criterion, group: &str, x: &Tensor, plain: Plain, tree: &dyn Module) {
    let store = Arc::new(Mutex::new(Vec::new()));
    let clear = || {
        if let Ok(mut v) = store.lock() {
            v.clear();
        }
    };
    let mut g = c.benchmark_group(group);
    g.sample_size(20);
    g.bench_function("plain_candle_nn", |b| b.iter(|| step(plain, x)));
    g.bench_function("tree_no_hooks", |b| b.iter(|| step(|x| tree.call(x), x)));
    let hs = forward_hooks(tree, &store);
    g.bench_function("tree_forward_hooks_every_conv", |b| {
        b.iter(|| {
            step(|x| tree.call(x), x);
            clear();
        })
    });
    hs.iter().for_each(|h| {
        h.remove();
    });
    let hs = backward_hooks(tree, &store);
    g.bench_function("tree_backward_hooks_every_conv", |b| {
        b.iter(|| {
            step(|x| tree.call(x), x);
            clear();
        })
    });
    hs.iter().for_each(|h| {
        h.remove();
    });
    g.finish();
}

/// A model's forward pass built with bare candle_nn layers.
type Plain<'a> = &'a dyn Fn(&Tensor) -> candle_core::Result<Tensor>;

/// Builds each model twice, as the tree and with bare candle_nn layers, and hands both with
/// an input batch to `run(group, x, plain, tree)`.
fn for_each_model(mut run: impl FnMut(&str, &Tensor, Plain, &dyn Module)) {
    let dev = Device::Cpu;
    let vm = VarMap::new();
    let vb = VarBuilder::from_varmap(&vm, DType::F32, &dev);
    // Both builds read the same variables from the VarMap, so they compute the same thing.
    if let (Ok(tree), Ok(plain), Ok(x)) = (
        AlexNet::small(1, 10, vb.clone()),
        PlainAlex::new(vb),
        Tensor::randn(0f32, 1., (16, 1, 28, 28), &dev),
    ) {
        run("alexnet_small_b16", &x, &|x| plain.forward(x), &tree);
    }
    let vm = VarMap::new();
    let vb = VarBuilder::from_varmap(&vm, DType::F32, &dev);
    if let (Ok(tree), Ok(plain), Ok(x)) = (
        dqn(3, vb.clone()),
        PlainDqn::new(vb),
        Tensor::randn(0f32, 1., (8, 4, 84, 84), &dev),
    ) {
        run("dqn_b8", &x, &|x| plain.forward(x), &tree);
    }
}

fn benches(c: &mut Criterion) {
    for_each_model(|group, x, plain, tree| bench_model(c, group, x, plain, tree));
}

/// Interleaved A/B timing: every round runs each variant once, starting from a different
/// variant each round, so that load from other processes and the cache state a variant leaves
/// behind hit all variants alike. Prints per variant the minimum and median, and the median
/// over rounds of its time against the same round's time of the tree without hooks (paired,
/// so slow drifts of the machine cancel). Enabled with `HOOKS_BENCH_ROUNDS=<n>` (criterion
/// is skipped then).
fn interleaved(group: &str, rounds: usize, x: &Tensor, plain: Plain, tree: &dyn Module) {
    let store = Arc::new(Mutex::new(Vec::new()));
    let names = [
        "plain_candle_nn",
        "tree_no_hooks",
        "tree_forward_hooks_every_conv",
        "tree_backward_hooks_every_conv",
    ];
    let mut times = vec![Vec::new(); names.len()];
    for round in 0..rounds {
        for k in 0..names.len() {
            let v = (round + k) % names.len();
            let hs = match v {
                2 => forward_hooks(tree, &store),
                3 => backward_hooks(tree, &store),
                _ => Vec::new(),
            };
            let start = std::time::Instant::now();
            if v == 0 {
                step(plain, x);
            } else {
                step(|x| tree.call(x), x);
            }
            times[v].push(start.elapsed().as_secs_f64() * 1e3);
            hs.iter().for_each(|h| {
                h.remove();
            });
            if let Ok(mut s) = store.lock() {
                s.clear();
            }
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let base_min = times[0].iter().cloned().fold(f64::INFINITY, f64::min);
    for (name, t) in names.iter().zip(&times) {
        let min = t.iter().cloned().fold(f64::INFINITY, f64::min);
        let paired: Vec<f64> = t.iter().zip(&times[1]).map(|(a, b)| a / b).collect();
        println!(
            "{group}/{name:<32} min {min:8.2} ms  median {:8.2} ms  min vs plain {:+.1}%  \
             paired median vs no hooks {:+.1}%",
            median(t.clone()),
            (min / base_min - 1.0) * 100.0,
            (median(paired) - 1.0) * 100.0
        );
    }
}

fn main() {
    if let Some(rounds) = std::env::var("HOOKS_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse::<usize>().ok())
    {
        let rounds = rounds.max(1);
        // glibc's defaults first: the tuning cannot be undone within the process.
        for_each_model(|group, x, plain, tree| interleaved(group, rounds, x, plain, tree));
        if keep_freed_buffers() {
            for_each_model(|group, x, plain, tree| {
                let group = format!("{group}+keep_freed_buffers");
                interleaved(&group, rounds, x, plain, tree)
            });
        }
        return;
    }
    criterion_group!(hooks_benches, benches);
    hooks_benches();
    Criterion::default().configure_from_args().final_summary();
}
