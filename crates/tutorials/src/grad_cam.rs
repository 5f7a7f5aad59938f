//! Grad-CAM on AlexNet: where the net looks when it names a digit.
//!
//! Grad-CAM (Selvaraju et al., 2017; the recipe of pytorch-grad-cam and Captum) weights the
//! feature maps of the last convolution by the mean gradient of the class score with respect
//! to each map, sums them and keeps the positive part: a coarse heat map of the pixels that
//! raised the score. Here it takes two hooks: a forward hook on the last conv's ReLU (`features.11`;
//! the conv's own output, `features.10`, gave all-negative sums and so blank maps for most digits)
//! keeps its output and puts a tensor gradient hook on it, which keeps the gradient during
//! `backward()`.
//!
//! The example trains `AlexNet::small(1, 10)` on the bundled MNIST digits for `--steps` AdamW
//! steps (the `hooks::Watch` logs parameter and gradient histograms every 50 steps), then
//! logs, for 16 test digits, the heat map over each digit (`grad_cam/heat map over the input`)
//! and the digits alone (`grad_cam/input`).
//!
//! Run: `cargo run --release --example grad_cam [-- --steps 200 --logdir runs]`.

use crate::common;
use crate::mnist::Mnist;

use std::sync::{Arc, Mutex};

use candle_core::{DType, Device, Tensor, D};
use candle_nn::{AdamW, Optimizer, ParamsAdamW, VarBuilder, VarMap};
use candle_tensorboard::grid::{make_grid, GridOptions};
use candle_tensorboard::hooks::{register_hook, Watch, WatchLog};
use candle_tensorboard::models::AlexNet;
use candle_tensorboard::nn::Module;
use candle_tensorboard::summary::image::DataFormat;
use clap::Parser;
use rand::{Rng, SeedableRng};

#[derive(Parser, Debug)]
#[command(
    about = "Grad-CAM heat maps of AlexNet::small on MNIST, from a forward hook and a gradient hook"
)]
pub struct Args {
    /// AdamW steps (lr 1e-3) before the heat maps are computed.
    #[arg(long, default_value_t = 200)]
    steps: usize,
    /// Batch size.
    #[arg(long, default_value_t = 64)]
    batch: usize,
    #[command(flatten)]
    common: common::CommonArgs,
}

/// The layer whose maps Grad-CAM weights: the ReLU after AlexNet's last convolution, the
/// positive maps pytorch-grad-cam's examples take too.
const TARGET_LAYER: &str = "features.11";

/// Images `idx` as (n, 1, 28, 28) in [0, 1], normalised copies, and labels.
fn batch(m: &Mnist, idx: &[usize], dev: &Device) -> candle_core::Result<(Tensor, Tensor, Tensor)> {
    let s = m.image_size();
    let mut px = Vec::with_capacity(idx.len() * s);
    for &i in idx {
        px.extend_from_slice(&m.images[i * s..(i + 1) * s]);
    }
    let raw = Tensor::from_vec(px, (idx.len(), 1, m.rows, m.cols), dev)?;
    let x = ((&raw - 0.1307)? / 0.3081)?;
    let labels: Vec<u32> = idx.iter().map(|&i| u32::from(m.labels[i])).collect();
    let y = Tensor::from_vec(labels, idx.len(), dev)?;
    Ok((raw, x, y))
}

/// Grad-CAM maps (n, 1, 28, 28) in [0, 1] of the predicted class, and the predictions.
fn grad_cam(net: &AlexNet, x: &Tensor) -> Result<(Tensor, Vec<u32>), Box<dyn std::error::Error>> {
    let acts: Arc<Mutex<Option<Tensor>>> = Arc::default();
    let grads: Arc<Mutex<Option<Tensor>>> = Arc::default();
    let (a, g) = (acts.clone(), grads.clone());
    let conv = net
        .named_modules()
        .into_iter()
        .find(|(n, _)| n == TARGET_LAYER)
        .map(|(_, m)| m)
        .ok_or(format!("AlexNet has no {TARGET_LAYER}"))?;
    // The forward hook returns the hooked output, so the rest of the net (and backward) runs
    // through the gradient hook.
    let _guard = conv
        .node()
        .register_forward_hook(move |_, _, out| {
            *a.lock().unwrap_or_else(|e| e.into_inner()) = Some(out.clone());
            let g = g.clone();
            let hooked = register_hook(out, move |grad| {
                *g.lock().unwrap_or_else(|e| e.into_inner()) = Some(grad.clone());
                Ok(None)
            })?;
            Ok(Some(hooked))
        })
        .guard();
    let logits = net.call(x)?;
    let pred = logits.argmax(D::Minus1)?;
    // The score of the predicted class of each image, summed: each image's gradient is its own.
    let score = logits.gather(&pred.unsqueeze(1)?, 1)?.sum_all()?;
    score.backward()?;
    let a = acts
        .lock()
        .map_err(|e| e.to_string())?
        .take()
        .ok_or("the last conv did not run")?;
    let g = grads
        .lock()
        .map_err(|e| e.to_string())?
        .take()
        .ok_or("no gradient reached the last conv")?;
    let weights = g.mean_keepdim(D::Minus1)?.mean_keepdim(D::Minus2)?; // (n, C, 1, 1)
    let cam = a.broadcast_mul(&weights)?.sum_keepdim(1)?.relu()?; // (n, 1, h, w)
    let (_, _, h, w) = x.dims4()?;
    let cam = cam.upsample_nearest2d(h, w)?;
    // Each map scaled to [0, 1] on its own.
    let max = cam
        .flatten_from(1)?
        .max_keepdim(1)?
        .reshape(((), 1, 1, 1))?;
    let cam = cam.broadcast_div(&(max + 1e-12)?)?.detach();
    Ok((cam, pred.to_vec1::<u32>()?))
}

/// A heat map (red where the map is 1, through yellow, to the grey digit where it is 0)
/// blended over the digits: (n, 3, h, w) in [0, 1].
fn overlay(raw: &Tensor, cam: &Tensor) -> candle_core::Result<Tensor> {
    let grey = Tensor::cat(&[raw, raw, raw], 1)?;
    let zero = cam.zeros_like()?;
    // "jet"-like: red rises first, green later, blue for the cold end.
    let r = (cam * 2.0)?.clamp(0f32, 1f32)?;
    let g = ((cam * 2.0)? - 0.5)?.clamp(0f32, 1f32)?;
    let b = ((cam * -2.0)? + 1.0)?
        .clamp(0f32, 1f32)?
        .broadcast_maximum(&zero)?;
    let heat = Tensor::cat(&[r, g, b], 1)?;
    (grey * 0.45)? + (heat * 0.55)?
}

/// The example's entry point: parses the command line and runs it.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    candle_tensorboard::candle_gaps::keep_freed_buffers();
    run(Args::parse())
}

/// Runs the example with parsed arguments (the demo calls this too).
pub fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let dev = Device::Cpu;
    let writer = args.common.writer("grad_cam")?;
    let data = args.common.mnist()?;
    let n_test = 16.min(data.len() / 2);
    let train = data.slice(0, data.len() - n_test);
    let test = data.slice(data.len() - n_test, data.len());

    let varmap = VarMap::new();
    let net = AlexNet::small(1, 10, VarBuilder::from_varmap(&varmap, DType::F32, &dev))?;
    net.train();
    // AdamW: plain SGD at 0.05 left the net guessing one class after 100 steps (loss 2.25),
    // and Grad-CAM of a net that has not learned shows nothing.
    let mut opt = AdamW::new(
        varmap.all_vars(),
        ParamsAdamW {
            lr: 1e-3,
            ..Default::default()
        },
    )?;
    let watch = Watch::new(WatchLog::All, 50)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    println!(
        "training AlexNet::small(1, 10) on MNIST for {} AdamW steps",
        args.steps
    );
    let pb = common::progress(args.steps as u64);
    for step in 0..args.steps {
        let idx: Vec<usize> = (0..args.batch)
            .map(|_| rng.random_range(0..train.len()))
            .collect();
        let (_, x, y) = batch(&train, &idx, &dev)?;
        let loss = candle_nn::loss::cross_entropy(&net.call(&x)?, &y)?;
        let grads = loss.backward()?;
        watch.log_module(&writer, step as u64, &net, &grads)?;
        opt.step(&grads)?;
        let loss = loss.to_scalar::<f32>()?;
        writer.add_scalar("train/loss", loss, step as i64)?;
        pb.set_message(format!("loss {loss:.4}"));
        pb.inc(1);
    }
    pb.finish();
    net.eval();

    let idx: Vec<usize> = (0..test.len()).collect();
    let (raw, x, y) = batch(&test, &idx, &dev)?;
    let (cam, pred) = grad_cam(&net, &x)?;
    let labels = y.to_vec1::<u32>()?;
    let hits = pred.iter().zip(&labels).filter(|(p, l)| p == l).count();
    println!(
        "Grad-CAM of {TARGET_LAYER} on {} test digits: {hits} predicted right",
        labels.len()
    );
    println!("labels:      {labels:?}");
    println!("predictions: {pred:?}");

    // 4x nearest upsampling so that TensorBoard shows the 28x28 digits at a useful size.
    let big = |t: &Tensor| t.upsample_nearest2d(112, 112);
    let opts = GridOptions {
        nrow: 8,
        padding: 4,
        ..Default::default()
    };
    let heat = make_grid(&big(&overlay(&raw, &cam)?)?, &opts)?;
    let inputs = make_grid(&big(&raw)?, &opts)?;
    let step = args.steps as i64;
    writer.add_image_with_format(
        "grad_cam/heat map over the input",
        &heat,
        step,
        DataFormat::CHW,
    )?;
    writer.add_image_with_format("grad_cam/input", &inputs, step, DataFormat::CHW)?;
    writer.add_text(
        "grad_cam/predictions",
        &format!("labels: {labels:?}\n\npredictions: {pred:?}"),
        step,
    )?;
    common::debug_png("grad_cam_heat_map", &heat)?;
    writer.close()?;
    Ok(())
}
