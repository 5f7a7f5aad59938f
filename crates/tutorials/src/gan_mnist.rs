//! The seed's MNIST GAN (002) in candle, logged to TensorBoard.
//!
//! Generator 100 -> 256 (ReLU) -> 784 (Sigmoid), discriminator 784 -> 256 (ReLU) -> 1
//! (Sigmoid), Glorot-normal weights, Adam (lr 2e-4), batches of 128, noise uniform in
//! `[-1, 1]`; each step trains D then G, G minimising `-log D(G(z))`. Losses are computed
//! from D's logits (the layer before the Sigmoid) with `softplus`, so they never take the log
//! of 0.
//!
//! Two standard changes against mode collapse (the tutorial's settings give digits collapsed
//! towards 3, 8 and 9): Adam's first-moment decay `beta1` is 0.5 instead of 0.9 (`--beta1`),
//! so that G's and D's steps follow the current gradient instead of a long average that keeps
//! pushing G towards the modes D has just learnt to reject (the DCGAN setting); and one-sided
//! label smoothing (`--label-smoothing 0.1`: real digits are labelled 0.9, fakes 0), so that
//! D's confidence on real digits, and with it the gradient G follows, does not saturate.
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

use crate::common::{self, CommonArgs};
use crate::digit_classifier::{Census, DigitClassifier};
use candle_core::{DType, Device, Tensor};
use candle_nn::{AdamW, Optimizer, ParamsAdamW, VarBuilder, VarMap};
use candle_tensorboard::grid::{make_grid, save_image, GridOptions};
use candle_tensorboard::models::gan::{discriminator, generator, IMAGE_DIM, NOISE_DIM};
use candle_tensorboard::nn::{Module, Sequential};
use clap::Parser;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

type BoxResult<T> = Result<T, Box<dyn std::error::Error>>;

#[derive(Parser, Debug)]
#[command(about = "Train the seed's MNIST GAN, or sample a saved generator")]
pub struct Args {
    /// Training steps (one D update and one G update each).
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

fn uniform_noise(rng: &mut StdRng, n: usize, dev: &Device) -> candle_core::Result<Tensor> {
    let v: Vec<f32> = (0..n * NOISE_DIM)
        .map(|_| rng.random_range(-1.0f32..=1.0))
        .collect();
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
    let z = uniform_noise(&mut rng, 64, dev)?;
    let grid = sample_grid(&g.call(&z)?)?;
    save_image(&grid, &args.out, &GridOptions::default())?;
    println!("wrote {}", args.out.display());
    Ok(())
}

/// The example\'s entry point: parses the command line and runs it.
pub fn main() -> BoxResult<()> {
    crate::alloc::keep_freed_buffers();
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
    d.node().set_name("discriminator");
    d.assign_names();
    let adam = ParamsAdamW {
        lr: args.lr,
        beta1: args.beta1,
        weight_decay: 0.0,
        ..Default::default()
    };
    let mut opt_g = AdamW::new(g_vars.all_vars(), adam.clone())?;
    let mut opt_d = AdamW::new(d_vars.all_vars(), adam)?;

    // Gradient norms of the generator's Linear outputs, captured by full backward hooks only
    // on logging steps (the norm costs a reduction).
    let want_norms = Arc::new(AtomicBool::new(false));
    let norms: Arc<Mutex<Vec<(String, f32)>>> = Arc::default();
    let mut _handles = Vec::new();
    for (_, m) in g.named_modules() {
        if m.kind() == "Linear" {
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
    let fixed_z = uniform_noise(&mut StdRng::seed_from_u64(args.seed ^ 0x5eed), 64, &dev)?;
    let bar = common::progress(args.steps as u64);
    let mut census_rng = StdRng::seed_from_u64(args.seed ^ 0xc0ffee);
    let census = |rng: &mut StdRng| -> BoxResult<Census> {
        let z = uniform_noise(rng, args.census_samples, &dev)?;
        scorer.census(&g.call(&z)?)
    };
    let start = Instant::now();
    let log_images = |step: usize| -> BoxResult<()> {
        writer.add_image("samples", &sample_grid(&g.call(&fixed_z)?)?, step)?;
        for (name, t) in g.named_parameters() {
            writer.add_histogram(&format!("generator/{name}"), &t, step)?;
        }
        for (name, t) in d.named_parameters() {
            writer.add_histogram(&format!("discriminator/{name}"), &t, step)?;
        }
        Ok(())
    };
    for step in 0..args.steps {
        let log_now = step.is_multiple_of(args.log_every) || step + 1 == args.steps;
        let idx: Vec<u32> = (0..args.batch)
            .map(|_| rng.random_range(0..n_images) as u32)
            .collect();
        let real = images.index_select(&Tensor::new(idx, &dev)?, 0)?;
        let z = uniform_noise(&mut rng, args.batch, &dev)?;
        let fake = g.call(&z)?;

        // D: real -> 1 - label_smoothing, fake -> 0. The cross-entropy with target t of a
        // logit l is t * softplus(-l) + (1 - t) * softplus(l).
        let real_logit = d_logits(&d, &real)?;
        let fake_logit = d_logits(&d, &fake.detach())?;
        let t = 1.0 - args.label_smoothing;
        let real_loss =
            ((softplus(&real_logit.neg()?)? * t)? + (softplus(&real_logit)? * (1.0 - t))?)?;
        let d_loss = (real_loss.mean_all()? + softplus(&fake_logit)?.mean_all()?)?;
        opt_d.backward_step(&d_loss)?;

        // G: -log D(G(z)) with the updated D.
        want_norms.store(log_now, Ordering::Relaxed);
        let g_logit = d_logits(&d, &fake)?;
        let g_loss = softplus(&g_logit.neg()?)?.mean_all()?;
        opt_g.backward_step(&g_loss)?;
        want_norms.store(false, Ordering::Relaxed);

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
    writer.close()?;
    if let Some(parent) = save_path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    g_vars.save(&save_path)?;
    let grid_png = run_dir.join("samples.png");
    save_image(
        &sample_grid(&g.call(&fixed_z)?)?,
        &grid_png,
        &GridOptions::default(),
    )?;
    println!(
        "final census of {} samples: {} of 10 classes covered, largest class {:.1}%, mean confidence {:.3}, score {:.2} ({})",
        last.total(),
        last.covered(),
        100.0 * last.largest_share(),
        last.mean_confidence,
        last.score,
        last.shares()
    );
    println!(
        "{} steps in {:.1}s; generator saved to {}, samples in {}",
        args.steps,
        start.elapsed().as_secs_f64(),
        save_path.display(),
        grid_png.display()
    );
    Ok(())
}
