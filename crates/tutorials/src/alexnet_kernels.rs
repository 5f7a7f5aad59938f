//! Seed 003: AlexNet's convolution kernels as image grids: for the first two conv layers,
//! one grid per output kernel split by input channel (the slider is the kernel index) and
//! one grid of all kernels.
//!
//! With `--weights alexnet.safetensors` (torchvision's names; or torchvision's `.pth`) it
//! shows torchvision's real kernels. Without weights it trains the small AlexNet-style net
//! (`AlexNet::small(1, 10)`, 5x5 first kernels started near zero) on the bundled MNIST
//! digits with SGD, logging the first-layer kernels every `--kernel-every` steps (the image
//! slider shows noise turning into edge and stroke detectors) plus loss and accuracy, and
//! then runs the seed's loop on the trained net. It prints which of the two it did.
//!
//! Run: `cargo run --release --example alexnet_kernels [-- --steps 300 --logdir runs]`
//! (about two minutes on two cores; about 90% test accuracy after 300 steps).

use crate::common;

use std::path::PathBuf;

use crate::mnist::Mnist;
use candle_core::{DType, Device, Tensor, D};
use candle_nn::{Optimizer, VarBuilder, VarMap};
use candle_tensorboard::grid::{make_grid, GridOptions};
use candle_tensorboard::models::AlexNet;
use candle_tensorboard::nn::{LayerKind, Module};
use candle_tensorboard::summary::image::DataFormat;
use candle_tensorboard::SummaryWriter;
use clap::Parser;
use rand::{Rng, SeedableRng};

#[derive(Parser, Debug)]
#[command(about = "Seed 003: AlexNet kernel grids (pretrained, or trained here on MNIST)")]
pub struct Args {
    /// SGD steps (lr 0.05) of the small net when no --weights are given.
    #[arg(long, default_value_t = 300)]
    steps: usize,
    /// Pretrained AlexNet weights (.safetensors or .pth).
    #[arg(long)]
    weights: Option<PathBuf>,
    /// Log the first-layer kernels every this many steps.
    #[arg(long, default_value_t = 20)]
    kernel_every: usize,
    /// Batch size.
    #[arg(long, default_value_t = 64)]
    batch: usize,
    #[command(flatten)]
    common: common::CommonArgs,
}

fn grid_opts(nrow: usize) -> GridOptions {
    GridOptions {
        nrow,
        normalize: true,
        scale_each: true,
        ..Default::default()
    }
}

/// The seed's loop over the first two `Conv2d`s of `net`.
fn seed_kernel_loop(
    net: &dyn Module,
    writer: &SummaryWriter,
) -> Result<(), Box<dyn std::error::Error>> {
    let vis_max = 1;
    let mut kernel_num: i64 = -1;
    for sub_module in net.modules() {
        if sub_module.kind() != "Conv2d" {
            continue;
        }
        kernel_num += 1;
        if kernel_num > vis_max {
            break;
        }
        let kernels = sub_module
            .node()
            .parameter("weight")
            .ok_or("Conv2d without weight")?
            .clone();
        let (c_out, c_in, k_h, k_w) = kernels.dims4()?;
        for o_idx in 0..c_out {
            // kernels[o_idx].unsqueeze(1): each input channel becomes one grey image.
            let kernel_idx = kernels.get(o_idx)?.unsqueeze(1)?;
            let kernel_grid = make_grid(&kernel_idx, &grid_opts(c_in))?;
            let tag = format!("{kernel_num}_Convlayer_split_in_channel");
            writer.add_image_with_format(&tag, &kernel_grid, o_idx as i64, DataFormat::CHW)?;
        }
        // kernels.view(-1, 3, k_h, k_w) in the seed (RGB first layer); a grey first layer
        // (MNIST) has one channel per kernel instead.
        let ch = if (c_out * c_in) % 3 == 0 { 3 } else { 1 };
        let kernel_all = kernels.reshape(((c_out * c_in) / ch, ch, k_h, k_w))?;
        let kernel_grid = make_grid(&kernel_all, &grid_opts(8))?;
        writer.add_image_with_format(
            &format!("{kernel_num}_all"),
            &kernel_grid,
            322,
            DataFormat::CHW,
        )?;
        common::debug_png(&format!("kernels_{kernel_num}_all"), &kernel_grid)?;
        println!("{kernel_num}_convlayer shape:({c_out}, {c_in}, {k_h}, {k_w})");
    }
    Ok(())
}

/// Batch of images `idx` as (n, 1, 28, 28) and labels.
fn batch(m: &Mnist, idx: &[usize], dev: &Device) -> candle_core::Result<(Tensor, Tensor)> {
    let s = m.image_size();
    let mut px = Vec::with_capacity(idx.len() * s);
    for &i in idx {
        px.extend_from_slice(&m.images[i * s..(i + 1) * s]);
    }
    // MNIST's usual normalisation (mean 0.1307, std 0.3081).
    let x = ((Tensor::from_vec(px, (idx.len(), 1, m.rows, m.cols), dev)? - 0.1307)? / 0.3081)?;
    let y = Tensor::from_vec(
        idx.iter()
            .map(|&i| u32::from(m.labels[i]))
            .collect::<Vec<_>>(),
        idx.len(),
        dev,
    )?;
    Ok((x, y))
}

fn accuracy(net: &AlexNet, m: &Mnist, dev: &Device) -> candle_core::Result<f64> {
    net.eval();
    let mut hits = 0f64;
    let all: Vec<usize> = (0..m.len()).collect();
    for chunk in all.chunks(250) {
        let (x, y) = batch(m, chunk, dev)?;
        let pred = net.call(&x)?.argmax(D::Minus1)?;
        hits += pred
            .eq(&y)?
            .to_dtype(DType::F64)?
            .sum_all()?
            .to_scalar::<f64>()?;
    }
    net.train();
    Ok(hits / m.len().max(1) as f64)
}

/// First-layer kernels (32, 1, 3, 3) upscaled 8x so TensorBoard shows them at a useful size.
fn first_kernels_grid(net: &AlexNet) -> Result<Tensor, Box<dyn std::error::Error>> {
    let conv = net
        .modules()
        .into_iter()
        .find(|m| m.layer_kind() == LayerKind::Conv2d)
        .ok_or("no Conv2d")?;
    let w = conv.node().parameter("weight").ok_or("no weight")?;
    let (_, _, kh, kw) = w.dims4()?;
    let big = w.upsample_nearest2d(kh * 8, kw * 8)?;
    Ok(make_grid(&big, &grid_opts(8))?)
}

/// Scales the first layer's initial kernels by `factor`. Kaiming init draws them uniform in
/// +-0.49; a few hundred steps move a weight by less than that, so the trained kernels
/// would still look like their noise. Starting near zero (the random downstream weights
/// still make each kernel's gradient different), what the grid shows is what training put
/// there.
fn shrink_first_kernels(varmap: &VarMap, factor: f64) -> Result<(), Box<dyn std::error::Error>> {
    let vars = varmap.data().lock().map_err(|e| e.to_string())?;
    let w = vars
        .get("features.0.weight")
        .ok_or("AlexNet::small has no features.0.weight")?;
    w.set(&(w.as_tensor() * factor)?)?;
    Ok(())
}

/// The example\'s entry point: parses the command line and runs it.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    candle_tensorboard::candle_gaps::keep_freed_buffers();
    run(Args::parse())
}

/// Runs the example with parsed arguments (the demo calls this too).
pub fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let dev = Device::Cpu;
    let writer = args.common.writer("alexnet_kernels")?;

    if let Some(path) = &args.weights {
        let net = AlexNet::new(
            1000,
            candle_tensorboard::models::load_pretrained(path, &dev)?,
        )?;
        println!(
            "showing torchvision's pretrained AlexNet kernels from {}",
            path.display()
        );
        seed_kernel_loop(&net, &writer)?;
        writer.close()?;
        return Ok(());
    }

    println!("no --weights: training AlexNet::small(1, 10) on MNIST for {} SGD steps, then showing its kernels", args.steps);
    let data = args.common.mnist()?;
    let n_test = 500.min(data.len() / 6);
    let train = data.slice(0, data.len() - n_test);
    let test = data.slice(data.len() - n_test, data.len());
    let varmap = VarMap::new();
    let net = AlexNet::small(1, 10, VarBuilder::from_varmap(&varmap, DType::F32, &dev))?;
    shrink_first_kernels(&varmap, 1e-3)?;
    net.train();
    // Plain SGD rather than Adam: Adam's per-weight step of about lr for any gradient, however
    // small or noisy, writes pixel noise into the kernels; SGD's steps follow the averaged
    // gradient, which is smooth across a kernel, so the grid shows edges and strokes.
    let vars = varmap.all_vars();
    let mut opt = candle_nn::SGD::new(vars.clone(), 0.05)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    let every = args.kernel_every.max(1);
    let pb = common::progress(args.steps as u64);
    for step in 0..args.steps {
        if step % every == 0 {
            writer.add_image_with_format(
                "train/conv1 kernels (x8)",
                &first_kernels_grid(&net)?,
                step as i64,
                DataFormat::CHW,
            )?;
        }
        let idx: Vec<usize> = (0..args.batch)
            .map(|_| rng.random_range(0..train.len()))
            .collect();
        let (x, y) = batch(&train, &idx, &dev)?;
        let loss = candle_nn::loss::cross_entropy(&net.call(&x)?, &y)?;
        // Clipping the gradient norm keeps small-batch runs (CI uses batches of 2) from
        // diverging to NaN kernels; at the default batch it rarely binds.
        let mut grads = loss.backward()?;
        candle_tensorboard::hooks::clip_grad_norm(&mut grads, &vars, 5.0)?;
        opt.step(&grads)?;
        let loss = loss.to_scalar::<f32>()?;
        writer.add_scalar("train/loss", loss, step as i64)?;
        pb.set_message(format!("loss {loss:.4}"));
        pb.inc(1);
        // The last step's accuracy is measured once, after the loop.
        if (step + 1) % 100 == 0 && step + 1 < args.steps {
            let acc = accuracy(&net, &test, &dev)?;
            writer.add_scalar("test/accuracy", acc, (step + 1) as i64)?;
            pb.suspend(|| println!("step {}: test accuracy {acc:.4}", step + 1));
        }
    }
    pb.finish();
    let kgrid = first_kernels_grid(&net)?;
    writer.add_image_with_format(
        "train/conv1 kernels (x8)",
        &kgrid,
        args.steps as i64,
        DataFormat::CHW,
    )?;
    common::debug_png("trained_conv1_kernels_x8", &kgrid)?;
    let acc = accuracy(&net, &test, &dev)?;
    writer.add_scalar("test/accuracy", acc, args.steps as i64)?;
    println!(
        "test accuracy after {} steps: {acc:.4} ({} test digits)",
        args.steps,
        test.len()
    );
    net.eval();
    seed_kernel_loop(&net, &writer)?;
    writer.close()?;
    Ok(())
}
