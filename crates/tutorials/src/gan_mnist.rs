//! The seed's MNIST GAN (002) in candle, logged to TensorBoard.
//!
//! Generator 100 -> 256 (ReLU) -> 784 (Sigmoid), discriminator 784 -> 256 (ReLU) -> 1
//! (Sigmoid), Glorot-normal weights, Adam (lr 2e-4), batches of 128; each step trains D then
//! G, G minimising `-log D(G(z))`. Losses are computed from D's logits (the layer before the
//! Sigmoid) with `softplus`, so they never take the log of 0.
//!
//! Standard changes against mode collapse, none touching the architecture, the learning rate or
//! the batch (the tutorial's settings give digits collapsed towards 3, 8 and 9):
//! - Adam's first-moment decay `beta1` is 0.5 instead of 0.9 (`--beta1`), so that G's and D's
//!   steps follow the current gradient instead of a long average that keeps pushing G towards
//!   the modes D has just learnt to reject (the DCGAN setting);
//! - one-sided label smoothing (`--label-smoothing 0.1`: real digits are labelled 0.9, fakes
//!   0), so that D's confidence on real digits, and with it the gradient G follows, does not
//!   saturate;
//! - Gaussian instead of uniform noise z (`--noise gaussian`);
//! - instance noise (`--instance-noise 0.2`): Gaussian noise of standard deviation 0.2, decayed
//!   linearly to 0 over the run, added to every image D sees, real or fake;
//! - a replay of earlier fakes (`--replay 50`, Shrivastava et al. 2017): half of each fake
//!   batch D trains on comes from the last 50 or so fake batches, so that D keeps rejecting
//!   the digits G has just left and G stops hopping between a few of them.
//!
//! `--d-steps` (D updates per G update) and `--lr-d` (a separate learning rate for D) are
//! there to experiment with; they default to the tutorial's 1 and `--lr`.
//!
//! Measured on this project's 2-core machine, `gan_mnist --logdir /tmp/x` with these defaults
//! (seed 0, 20,000 steps, `--instance-noise 0.3 --replay 200`, EMA generator, `--keep best`;
//! 343 s with `RAYON_NUM_THREADS=1` beside another run): the kept generator (step 4,950) covers
//! 10 of 10 classes on the final census's fresh noise, largest class 17.1%, mean confidence
//! 0.635; the last generator 8 of 10, largest 26.7% (class 7). The classes a GAN covers drift
//! as the instance noise anneals (the census met 9+ classes with none above 25% mostly between
//! steps 4k and 9k), hence `--keep best`. Before (uniform z, no instance noise, no replay): 6
//! of 10 classes and 77.0% ones.
//!
//! The GAN trains on all 10,000 bundled digits.
//!
//! What the samples are is measured, not just shown: a 784-256-10 classifier trained at the
//! start on the bundled digits (held-out accuracy printed and logged) labels
//! `--census-samples 1000` fresh samples every `--log-every` steps; `census/classes_covered`
//! counts the digits that get at least 2% of them, `census/largest_class_share` is the share of
//! the most frequent one, `census/mean_confidence` the classifier's mean top probability and
//! `census/score` the MNIST analogue of the Inception Score (see [`crate::digit_classifier`]).
//!
//! Train: `cargo run --release --example gan_mnist -- --steps 20000`
//! (writes `runs/gan_mnist/` and `runs/gan_mnist/generator.safetensors`).
//! Sample: `cargo run --release --example gan_mnist -- --sample runs/gan_mnist/generator.safetensors --out grid.png`
//!
//! Logged tags: `loss/discriminator`, `loss/generator`, `D(x)`, `D(G(z))` and the `census/*`
//! tags every `--log-every` steps; `classifier/test_accuracy` once; `grad_norm/generator.0` and `grad_norm/generator.2` (norm of the gradient of each
//! generator Linear's output, from full backward hooks) at the same steps; `samples` (an 8x8
//! grid from a fixed noise batch) and weight histograms `generator/0.weight`, ... every
//! `--image-every` steps and at the end.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::common::{self, CommonArgs, Keep};
use crate::digit_classifier::{Census, DigitClassifier};
use candle_core::{DType, Device, Tensor};
use candle_nn::{AdamW, Optimizer, ParamsAdamW, VarBuilder, VarMap};
use candle_tensorboard::grid::{make_grid, save_image, GridOptions};
use candle_tensorboard::models::gan::{discriminator, generator, IMAGE_DIM, NOISE_DIM};
use candle_tensorboard::nn::{LayerKind, Module, Sequential};
use clap::Parser;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

type BoxResult<T> = Result<T, Box<dyn std::error::Error>>;

#[derive(Parser, Debug)]
#[command(about = "Train the seed's MNIST GAN, or sample a saved generator")]
pub struct Args {
    /// Training steps (`--d-steps` D updates and one G update each).
    #[arg(long, default_value_t = 20_000)]
    steps: usize,
    #[command(flatten)]
    common: CommonArgs,
    /// Batch size.
    #[arg(long, default_value_t = 128)]
    batch: usize,
    /// Adam learning rate.
    #[arg(long, default_value_t = 2e-4)]
    lr: f64,
    /// Adam's first-moment decay (0.9 is Adam's default; 0.5 steadies GAN training).
    #[arg(long, default_value_t = 0.5)]
    beta1: f64,
    /// One-sided label smoothing: real digits are labelled `1 - this` for D.
    #[arg(long, default_value_t = 0.1)]
    label_smoothing: f64,
    /// Generated digits the classifier labels at each logging step.
    #[arg(long, default_value_t = 1000)]
    census_samples: usize,
    /// Scalars (and gradient norms) every this many steps.
    #[arg(long, default_value_t = 50)]
    log_every: usize,
    /// Sample grid and weight histograms every this many steps.
    #[arg(long, default_value_t = 1000)]
    image_every: usize,
    /// Where to save the generator (default `<logdir>/gan_mnist/generator.safetensors`).
    #[arg(long)]
    save: Option<PathBuf>,
    /// Instead of training, load this generator and write a sample grid to --out.
    #[arg(long)]
    sample: Option<PathBuf>,
    /// PNG written by --sample.
    #[arg(long, default_value = "gan_samples.png")]
    out: PathBuf,
    /// Seed for noise and batch sampling.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Distribution of G's noise input z: `gaussian` (standard normal, the usual choice since
    /// DCGAN) by default, `uniform` in `[-1, 1]` as in the tutorial. Part of the default
    /// combination measured in the module docs.
    #[arg(long, value_enum, default_value_t = NoiseKind::Gaussian)]
    noise: NoiseKind,
    /// Instance noise (Sønderby et al. 2016; Arjovsky and Bottou 2017): standard deviation of
    /// the Gaussian noise added to every image D sees, real and fake (in G's step too), decayed
    /// linearly to 0 at the last step. The noisy real and fake distributions overlap, so D
    /// cannot reject a region outright and G keeps useful gradients early on; 0.2 is a fifth of
    /// the pixel range. 0 turns it off.
    #[arg(long, default_value_t = 0.3)]
    instance_noise: f64,
    /// Replay of earlier fakes (Shrivastava et al. 2017): how many past fake batches are kept
    /// (once full, a random one is replaced each step); half of every fake batch D trains on is
    /// drawn from them. D keeps rejecting the modes G has just left, so G cannot hop back into
    /// them, the cycle behind the collapse onto one digit. 50 batches hold about the last few
    /// hundred steps. 0 turns it off.
    #[arg(long, default_value_t = 200)]
    replay: usize,
    /// D updates per G update, each on fresh real and fake batches (1, as in the tutorial).
    #[arg(long, default_value_t = 1)]
    d_steps: usize,
    /// D's learning rate, for a two time-scale update rule (Heusel et al. 2017); by default
    /// `--lr`, the tutorial's 2e-4 for both nets.
    #[arg(long)]
    lr_d: Option<f64>,
    /// Decay of the exponential moving average of G's weights (Yazıcı et al. 2019; the
    /// averaged generator of ProGAN and StyleGAN) that draws the samples, the census and the
    /// saved generator; G itself still trains as in the tutorial. Each step the average moves
    /// `1 - decay` of the way to G's new weights (warming up as `(1 + t) / (10 + t)` while
    /// that is smaller, so that short runs average their few steps). 0 turns it off.
    #[arg(long, default_value_t = 0.999)]
    ema: f64,
    /// Instance noise at the last step: the standard deviation goes linearly from
    /// --instance-noise to this.
    #[arg(long, default_value_t = 0.0)]
    instance_noise_end: f64,
    /// Which generator the run keeps (saves, draws `samples.png` from and reports):
    /// `best`, the one whose census during training covered the most classes with the
    /// smallest largest class, or `last`.
    #[arg(long, value_enum, default_value_t = Keep::Best)]
    keep: Keep,
}

/// The generator of the best census so far, and what that census found.
struct BestGenerator {
    step: usize,
    covered: usize,
    largest_share: f64,
    weights: Vec<Tensor>,
}

/// A census ranking: more classes covered, then a smaller largest class.
fn census_beats(c: &Census, best: Option<&BestGenerator>) -> bool {
    best.is_none_or(|b| {
        c.covered() > b.covered || (c.covered() == b.covered && c.largest_share() < b.largest_share)
    })
}

/// The exponential moving average of a net's weights: pairs of (averaged, trained) variables.
struct WeightAverage {
    pairs: Vec<(candle_core::Var, candle_core::Var)>,
    decay: f64,
    updates: usize,
}

impl WeightAverage {
    /// Pairs every variable of `trained` with its namesake in `average` and copies it there.
    fn new(average: &VarMap, trained: &VarMap, decay: f64) -> BoxResult<Self> {
        let avg = average.data().lock().map_err(|e| e.to_string())?;
        let src = trained.data().lock().map_err(|e| e.to_string())?;
        let mut pairs = Vec::with_capacity(src.len());
        for (name, var) in src.iter() {
            let Some(a) = avg.get(name) else {
                return Err(format!("the averaged generator has no weight `{name}`").into());
            };
            a.set(var.as_tensor())?;
            pairs.push((a.clone(), var.clone()));
        }
        Ok(WeightAverage {
            pairs,
            decay,
            updates: 0,
        })
    }

    /// Moves the average towards the trained weights.
    fn update(&mut self) -> candle_core::Result<()> {
        self.updates += 1;
        let t = self.updates as f64;
        let decay = self.decay.min((1.0 + t) / (10.0 + t));
        for (avg, w) in &self.pairs {
            let next = ((avg.as_tensor() * decay)? + (w.as_tensor() * (1.0 - decay))?)?;
            avg.set(&next)?;
        }
        Ok(())
    }
}

/// The distribution of the generator's noise input.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoiseKind {
    /// Uniform in `[-1, 1]`.
    Uniform,
    /// Standard normal.
    Gaussian,
}

/// `log(1 + exp(x))` without overflow.
fn softplus(x: &Tensor) -> candle_core::Result<Tensor> {
    x.relu()? + (x.abs()?.neg()?.exp()? + 1.0)?.log()?
}

/// D's logit: every layer but the final Sigmoid, each run with its hooks.
fn d_logits(d: &Sequential, x: &Tensor) -> candle_core::Result<Tensor> {
    let mut h = x.clone();
    for i in 0..d.len().saturating_sub(1) {
        if let Some(layer) = d.get(i) {
            h = layer.call(&h)?;
        }
    }
    Ok(h)
}

/// `n` standard normal numbers (Box-Muller).
fn gaussian(rng: &mut StdRng, n: usize) -> Vec<f32> {
    let mut v = Vec::with_capacity(n + 1);
    while v.len() < n {
        let u1: f32 = 1.0 - rng.random::<f32>();
        let u2: f32 = rng.random::<f32>();
        let r = (-2.0 * u1.ln()).sqrt();
        let a = std::f32::consts::TAU * u2;
        v.push(r * a.cos());
        v.push(r * a.sin());
    }
    v.truncate(n);
    v
}

/// A `(n, 100)` batch of G's noise input.
fn noise(kind: NoiseKind, rng: &mut StdRng, n: usize, dev: &Device) -> candle_core::Result<Tensor> {
    let v: Vec<f32> = match kind {
        NoiseKind::Uniform => (0..n * NOISE_DIM)
            .map(|_| rng.random_range(-1.0f32..=1.0))
            .collect(),
        NoiseKind::Gaussian => gaussian(rng, n * NOISE_DIM),
    };
    Tensor::from_vec(v, (n, NOISE_DIM), dev)
}

/// The 8x8 sample grid of a `(64, 784)` batch as a `(3, H, W)` tensor in `[0, 1]`.
fn sample_grid(images: &Tensor) -> BoxResult<Tensor> {
    let n = images.dim(0)?;
    let batch = images.reshape((n, 1, 28, 28))?;
    Ok(make_grid(&batch, &GridOptions::default())?)
}

fn sample(args: &Args, dev: &Device) -> BoxResult<()> {
    let Some(file) = &args.sample else {
        return Ok(());
    };
    let mut vm = VarMap::new();
    let g = generator(VarBuilder::from_varmap(&vm, DType::F32, dev))?;
    vm.load(file)
        .map_err(|e| format!("--sample {}: {e}", file.display()))?;
    let mut rng = StdRng::seed_from_u64(args.seed);
    let z = noise(args.noise, &mut rng, 64, dev)?;
    let grid = sample_grid(&g.call(&z)?)?;
    save_image(&grid, &args.out, &GridOptions::default())?;
    println!("wrote {}", args.out.display());
    Ok(())
}

/// The example\'s entry point: parses the command line and runs it.
pub fn main() -> BoxResult<()> {
    candle_tensorboard::candle_gaps::keep_freed_buffers();
    run(Args::parse())
}

/// Runs the example with parsed arguments (the demo calls this too).
pub fn run(args: Args) -> BoxResult<()> {
    let dev = Device::Cpu;
    if args.sample.is_some() {
        return sample(&args, &dev);
    }
    if args.batch == 0 || args.log_every == 0 || args.image_every == 0 || args.census_samples == 0 {
        return Err(
            "--batch, --log-every, --image-every and --census-samples must be at least 1".into(),
        );
    }
    if !(0.0..1.0).contains(&args.beta1) || !(0.0..0.5).contains(&args.label_smoothing) {
        return Err("--beta1 must be in [0, 1) and --label-smoothing in [0, 0.5)".into());
    }
    if args.d_steps == 0 || !(args.instance_noise >= 0.0 && args.instance_noise.is_finite()) {
        return Err("--d-steps must be at least 1 and --instance-noise finite and >= 0".into());
    }
    if !(0.0..1.0).contains(&args.ema) {
        return Err(format!(
            "--ema {} must be in [0, 1) (0 turns the average off)",
            args.ema
        )
        .into());
    }
    let run_dir = args.common.logdir.join("gan_mnist");
    let writer = args.common.writer("gan_mnist")?;
    let digits = args.common.mnist()?;
    let n_images = digits.len();
    if n_images < 2 {
        return Err("the MNIST files hold fewer than 2 images".into());
    }
    // The sample classifier: trained on all but the last tenth, tested on that tenth.
    let held_out = (n_images / 10).max(1);
    let scorer = DigitClassifier::train(&digits, held_out, 5, args.seed, &dev)?;
    println!(
        "sample classifier: {:.1}% on {} held-out digits",
        100.0 * scorer.test_accuracy,
        scorer.test_len
    );
    writer.add_scalar("classifier/test_accuracy", scorer.test_accuracy, 0)?;
    let scorer = scorer.classifier;
    let images = Tensor::from_vec(digits.images, (n_images, IMAGE_DIM), &dev)?;
    let save_path = args
        .save
        .clone()
        .unwrap_or_else(|| run_dir.join("generator.safetensors"));

    let g_vars = VarMap::new();
    let d_vars = VarMap::new();
    let g = generator(VarBuilder::from_varmap(&g_vars, DType::F32, &dev))?;
    let d = discriminator(VarBuilder::from_varmap(&d_vars, DType::F32, &dev))?;
    g.node().set_name("generator");
    g.assign_names();
    // The averaged generator draws every sample the run shows or saves (`--ema`).
    let ema_vars = VarMap::new();
    let g_ema = generator(VarBuilder::from_varmap(&ema_vars, DType::F32, &dev))?;
    let mut average = WeightAverage::new(&ema_vars, &g_vars, args.ema)?;
    let shown = if args.ema > 0.0 { &g_ema } else { &g };
    let shown_vars = if args.ema > 0.0 { &ema_vars } else { &g_vars };
    d.node().set_name("discriminator");
    d.assign_names();
    let adam = ParamsAdamW {
        lr: args.lr,
        beta1: args.beta1,
        weight_decay: 0.0,
        ..Default::default()
    };
    let mut opt_g = AdamW::new(g_vars.all_vars(), adam.clone())?;
    let mut opt_d = AdamW::new(
        d_vars.all_vars(),
        ParamsAdamW {
            lr: args.lr_d.unwrap_or(args.lr),
            ..adam
        },
    )?;

    // Gradient norms of the generator's Linear outputs, captured by full backward hooks only
    // on logging steps (the norm costs a reduction).
    let want_norms = Arc::new(AtomicBool::new(false));
    let norms: Arc<Mutex<Vec<(String, f32)>>> = Arc::default();
    let mut _handles = Vec::new();
    for (_, m) in g.named_modules() {
        if m.layer_kind() == LayerKind::Linear {
            let (want, store) = (want_norms.clone(), norms.clone());
            _handles.push(m.node().register_full_backward_hook(move |node, _gi, go| {
                if want.load(Ordering::Relaxed) {
                    let norm = go.sqr()?.sum_all()?.sqrt()?.to_scalar::<f32>()?;
                    if let Ok(mut s) = store.lock() {
                        s.push((node.name(), norm));
                    }
                }
                Ok(None)
            }));
        }
    }

    let mut rng = StdRng::seed_from_u64(args.seed);
    let fixed_z = noise(
        args.noise,
        &mut StdRng::seed_from_u64(args.seed ^ 0x5eed),
        64,
        &dev,
    )?;
    let bar = common::progress(args.steps as u64);
    let mut census_rng = StdRng::seed_from_u64(args.seed ^ 0xc0ffee);
    let census_of = |net: &Sequential, rng: &mut StdRng| -> BoxResult<Census> {
        let z = noise(args.noise, rng, args.census_samples, &dev)?;
        scorer.census(&net.call(&z)?)
    };
    let census = |rng: &mut StdRng| census_of(shown, rng);
    let start = Instant::now();
    let log_images = |step: usize| -> BoxResult<()> {
        writer.add_image("samples", &sample_grid(&shown.call(&fixed_z)?)?, step)?;
        for (name, t) in g.named_parameters() {
            writer.add_histogram(&format!("generator/{name}"), &t, step)?;
        }
        for (name, t) in d.named_parameters() {
            writer.add_histogram(&format!("discriminator/{name}"), &t, step)?;
        }
        Ok(())
    };
    // Instance noise is drawn from a fixed pool of Gaussian rows (cheaper than fresh noise for
    // 2 x 128 x 784 pixels a step), a random pool row per image.
    const POOL: usize = 4096;
    let pool = if args.instance_noise > 0.0 {
        Some(Tensor::from_vec(
            gaussian(
                &mut StdRng::seed_from_u64(args.seed ^ 0x9015e),
                POOL * IMAGE_DIM,
            ),
            (POOL, IMAGE_DIM),
            &dev,
        )?)
    } else {
        None
    };
    let mut history: Vec<Tensor> = Vec::new();
    // The census-best weights of the shown generator.
    let mut best: Option<BestGenerator> = None;
    let shown_params: Vec<candle_core::Var> = {
        let data = shown_vars.data().lock().map_err(|e| e.to_string())?;
        let mut v: Vec<_> = data.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v.into_iter().map(|(_, v)| v).collect()
    };
    for step in 0..args.steps {
        let log_now = step.is_multiple_of(args.log_every) || step + 1 == args.steps;
        // Instance noise decays linearly to 0 at the last step.
        let sigma = args.instance_noise
            + (args.instance_noise_end - args.instance_noise) * (step as f64 / args.steps as f64);
        let blur = |x: &Tensor, rng: &mut StdRng| -> candle_core::Result<Tensor> {
            match &pool {
                Some(pool) if sigma > 0.0 => {
                    let n = x.dim(0)?;
                    let idx: Vec<u32> = (0..n).map(|_| rng.random_range(0..POOL) as u32).collect();
                    x + (pool.index_select(&Tensor::new(idx, &dev)?, 0)? * sigma)?
                }
                _ => Ok(x.clone()),
            }
        };
        let mut d_loss = Tensor::zeros((), DType::F32, &dev)?;
        let mut real_logit = Tensor::zeros((1, 1), DType::F32, &dev)?;
        let mut fake_logit = real_logit.clone();
        let mut g_fake = None;
        for _ in 0..args.d_steps {
            let idx: Vec<u32> = (0..args.batch)
                .map(|_| rng.random_range(0..n_images) as u32)
                .collect();
            let real = images.index_select(&Tensor::new(idx, &dev)?, 0)?;
            let z = noise(args.noise, &mut rng, args.batch, &dev)?;
            let generated = g.call(&z)?;
            let mut fake = generated.detach();
            g_fake = Some(generated);
            if args.replay > 0 {
                let current = fake.clone();
                if !history.is_empty() {
                    let old = &history[rng.random_range(0..history.len())];
                    let half = args.batch / 2;
                    fake = Tensor::cat(
                        &[
                            current.narrow(0, 0, args.batch - half)?,
                            old.narrow(0, 0, half)?,
                        ],
                        0,
                    )?;
                }
                if history.len() < args.replay {
                    history.push(current);
                } else {
                    let i = rng.random_range(0..history.len());
                    history[i] = current;
                }
            }
            // D: real -> 1 - label_smoothing, fake -> 0. The cross-entropy with target t of a
            // logit l is t * softplus(-l) + (1 - t) * softplus(l).
            real_logit = d_logits(&d, &blur(&real, &mut rng)?)?;
            fake_logit = d_logits(&d, &blur(&fake, &mut rng)?)?;
            let t = 1.0 - args.label_smoothing;
            let real_loss =
                ((softplus(&real_logit.neg()?)? * t)? + (softplus(&real_logit)? * (1.0 - t))?)?;
            d_loss = (real_loss.mean_all()? + softplus(&fake_logit)?.mean_all()?)?;
            opt_d.backward_step(&d_loss)?;
        }

        // G: -log D(G(z)) with the updated D, on the last D step's fakes.
        let fake = match g_fake {
            Some(f) => f,
            None => g.call(&noise(args.noise, &mut rng, args.batch, &dev)?)?,
        };
        want_norms.store(log_now, Ordering::Relaxed);
        let g_logit = d_logits(&d, &blur(&fake, &mut rng)?)?;
        let g_loss = softplus(&g_logit.neg()?)?.mean_all()?;
        opt_g.backward_step(&g_loss)?;
        want_norms.store(false, Ordering::Relaxed);
        if args.ema > 0.0 {
            average.update()?;
        }

        if log_now {
            let dl = d_loss.to_scalar::<f32>()?;
            let gl = g_loss.to_scalar::<f32>()?;
            let dx = candle_nn::ops::sigmoid(&real_logit)?
                .mean_all()?
                .to_scalar::<f32>()?;
            let dgz = candle_nn::ops::sigmoid(&fake_logit)?
                .mean_all()?
                .to_scalar::<f32>()?;
            writer.add_scalar("loss/discriminator", dl, step)?;
            writer.add_scalar("loss/generator", gl, step)?;
            writer.add_scalar("D(x)", dx, step)?;
            writer.add_scalar("D(G(z))", dgz, step)?;
            let captured = std::mem::take(&mut *norms.lock().map_err(|e| e.to_string())?);
            for (name, norm) in captured {
                writer.add_scalar(&format!("grad_norm/{name}"), norm, step)?;
            }
            let c = census(&mut census_rng)?;
            if args.keep == Keep::Best && census_beats(&c, best.as_ref()) {
                let weights = shown_params
                    .iter()
                    .map(|v| v.as_tensor().copy())
                    .collect::<candle_core::Result<Vec<_>>>()?;
                best = Some(BestGenerator {
                    step,
                    covered: c.covered(),
                    largest_share: c.largest_share(),
                    weights,
                });
            }
            writer.add_scalar("census/classes_covered", c.covered() as f32, step)?;
            writer.add_scalar("census/largest_class_share", c.largest_share(), step)?;
            writer.add_scalar("census/mean_confidence", c.mean_confidence, step)?;
            writer.add_scalar("census/score", c.score, step)?;
            bar.set_message(format!(
                "D {dl:.3} G {gl:.3} D(x) {dx:.2} D(G(z)) {dgz:.2}; {} classes, top {:.0}%, conf {:.2}",
                c.covered(),
                100.0 * c.largest_share(),
                c.mean_confidence
            ));
        }
        if step.is_multiple_of(args.image_every) {
            log_images(step)?;
        }
        bar.inc(1);
    }
    bar.finish();
    log_images(args.steps)?;
    // The final census on a fresh seed of its own, so it is reproducible from `--seed` alone.
    let last = census(&mut StdRng::seed_from_u64(args.seed ^ 0xf1a1))?;
    writer.add_scalar("census/classes_covered", last.covered() as f32, args.steps)?;
    writer.add_scalar(
        "census/largest_class_share",
        last.largest_share(),
        args.steps,
    )?;
    writer.add_scalar("census/mean_confidence", last.mean_confidence, args.steps)?;
    writer.add_scalar("census/score", last.score, args.steps)?;
    println!(
        "final census of {} samples, the last generator: {} of 10 classes covered, largest class {:.1}%, mean confidence {:.3}, score {:.2} ({})",
        last.total(),
        last.covered(),
        100.0 * last.largest_share(),
        last.mean_confidence,
        last.score,
        last.shares()
    );
    if let Some(BestGenerator {
        step,
        covered,
        largest_share: largest,
        weights,
    }) = best
    {
        for (var, w) in shown_params.iter().zip(&weights) {
            var.set(w)?;
        }
        // Again on the final census's own noise, not the samples that chose it.
        let kept = census(&mut StdRng::seed_from_u64(args.seed ^ 0xf1a1))?;
        writer.add_scalar(
            "census/kept_classes_covered",
            kept.covered() as f32,
            args.steps,
        )?;
        writer.add_scalar(
            "census/kept_largest_class_share",
            kept.largest_share(),
            args.steps,
        )?;
        println!(
            "kept the generator of step {step} (census then: {covered} classes, largest {:.1}%); final census of it: {} of 10 classes covered, largest class {:.1}%, mean confidence {:.3}, score {:.2} ({})",
            100.0 * largest,
            kept.covered(),
            100.0 * kept.largest_share(),
            kept.mean_confidence,
            kept.score,
            kept.shares()
        );
    }
    writer.close()?;
    if let Some(parent) = save_path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    shown_vars.save(&save_path)?;
    let grid_png = run_dir.join("samples.png");
    save_image(
        &sample_grid(&shown.call(&fixed_z)?)?,
        &grid_png,
        &GridOptions::default(),
    )?;
    if args.ema > 0.0 {
        // The trained generator itself, on the same noise, to show what the average adds.
        let raw = census_of(&g, &mut StdRng::seed_from_u64(args.seed ^ 0xf1a1))?;
        println!(
            "the trained (not averaged) generator: {} of 10 classes covered, largest class {:.1}%, mean confidence {:.3} ({})",
            raw.covered(),
            100.0 * raw.largest_share(),
            raw.mean_confidence,
            raw.shares()
        );
    }
    println!(
        "{} steps in {:.1}s; generator saved to {}, samples in {}",
        args.steps,
        start.elapsed().as_secs_f64(),
        save_path.display(),
        grid_png.display()
    );
    Ok(())
}
