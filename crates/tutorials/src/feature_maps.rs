//! Seed 003: AlexNet's conv1 feature maps of an image as a grid, then forward hooks on every
//! `Conv2d` collecting the maps keyed by weight shape and one grid per layer.
//!
//! The input is a 224x224 RGB scene drawn here (sky gradient, sun, house, striped field), so
//! the example needs no image file. Weights: random (a `VarMap`), or `--weights FILE`
//! (`.safetensors` with torchvision's names, or torchvision's `.pth`).
//!
//! Run: `cargo run --example feature_maps [-- --weights alexnet.safetensors --logdir runs]`.

use crate::common;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use candle_tensorboard::grid::{make_grid, GridOptions};
use candle_tensorboard::models::AlexNet;
use candle_tensorboard::nn::{LayerKind, Module};
use candle_tensorboard::summary::image::DataFormat;
use clap::Parser;

#[derive(Parser, Debug)]
#[command(about = "Seed 003: conv1 feature maps and hooked feature maps of every conv layer")]
pub struct Args {
    /// Accepted for CI symmetry; this example has no training loop.
    #[arg(long, default_value_t = 1)]
    steps: usize,
    /// Pretrained AlexNet weights (.safetensors or .pth); random weights without it.
    #[arg(long)]
    weights: Option<PathBuf>,
    #[command(flatten)]
    common: common::CommonArgs,
}

/// A 224x224 RGB scene in [0, 1], CHW: sky gradient, a sun, a house with a window and a door,
/// and a field with diagonal stripes: edges in several orientations and colours.
fn draw_scene() -> Vec<f32> {
    let (h, w) = (224usize, 224usize);
    let mut img = vec![0f32; 3 * h * w];
    for y in 0..h {
        for x in 0..w {
            let (fy, fx) = (y as f32, x as f32);
            let mut rgb = if y < 140 {
                let t = fy / 140.0; // sky: deep blue at the top to pale near the horizon
                [0.2 + 0.6 * t, 0.4 + 0.5 * t, 0.9]
            } else if ((x + y) / 8) % 2 == 0 {
                [0.2, 0.6, 0.15] // field stripes
            } else {
                [0.35, 0.75, 0.25]
            };
            if (fx - 175.0).powi(2) + (fy - 45.0).powi(2) < 22.0 * 22.0 {
                rgb = [1.0, 0.85, 0.1]; // sun
            }
            let roof = (70..110).contains(&y) && (fx - 80.0).abs() < (fy - 70.0) * 1.2;
            if roof {
                rgb = [0.6, 0.1, 0.1];
            }
            if (110..180).contains(&y) && (35..125).contains(&x) {
                rgb = [0.85, 0.75, 0.55]; // wall
                if (125..150).contains(&y) && (50..75).contains(&x) {
                    rgb = [0.3, 0.6, 0.95]; // window
                }
                if (140..180).contains(&y) && (90..110).contains(&x) {
                    rgb = [0.35, 0.2, 0.1]; // door
                }
            }
            for c in 0..3 {
                img[c * h * w + y * w + x] = rgb[c];
            }
        }
    }
    img
}

/// The example\'s entry point: parses the command line and runs it.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(Args::parse())
}

/// Runs the example with parsed arguments (the demo calls this too).
pub fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let dev = Device::Cpu;
    let writer = args.common.writer("feature_maps")?;

    let varmap = VarMap::new();
    let (vb, which) = match &args.weights {
        Some(p) => (
            candle_tensorboard::models::load_pretrained(p, &dev)?,
            format!("pretrained weights from {}", p.display()),
        ),
        None => (
            VarBuilder::from_varmap(&varmap, DType::F32, &dev),
            "random weights (VarMap init; pass --weights alexnet.safetensors for torchvision's)"
                .to_string(),
        ),
    };
    let alexnet = AlexNet::new(1000, vb)?;
    println!("AlexNet with {which}");

    // transforms.Normalize with the seed's mean and std, then unsqueeze to (1, 3, 224, 224).
    let scene = Tensor::from_vec(draw_scene(), (3, 224, 224), &dev)?;
    writer.add_image_with_format("input image", &scene, 1, DataFormat::CHW)?;
    let mean = Tensor::new(&[0.49139968f32, 0.48215827, 0.44653124], &dev)?.reshape((3, 1, 1))?;
    let std = Tensor::new(&[0.24703233f32, 0.24348505, 0.26158768], &dev)?.reshape((3, 1, 1))?;
    let img_tensor = scene
        .broadcast_sub(&mean)?
        .broadcast_div(&std)?
        .unsqueeze(0)?;

    let opts = |nrow| GridOptions {
        nrow,
        normalize: true,
        scale_each: true,
        ..Default::default()
    };

    // convlayer1 = alexnet.features[0]; fmap_1 = convlayer1(img_tensor)
    let modules = alexnet.named_modules();
    let convlayer1 = modules
        .iter()
        .find(|(n, _)| n == "features.0")
        .map(|(_, m)| *m)
        .ok_or("AlexNet has no features.0")?;
    let fmap_1 = convlayer1.call(&img_tensor)?.transpose(0, 1)?; // (64, 1, 55, 55)
    println!("conv1 feature maps: {:?}", fmap_1.dims());
    let fmap_1_grid = make_grid(&fmap_1, &opts(8))?;
    writer.add_image_with_format("feature map in conv1", &fmap_1_grid, 1, DataFormat::CHW)?;
    common::debug_png("feature_map_in_conv1", &fmap_1_grid)?;

    // A forward hook on every Conv2d, the maps keyed by str(weight.shape). The seed's dict
    // keeps insertion order, so this is a list in the order the layers ran (conv1 first).
    type FmapDict = Vec<(String, Vec<Tensor>)>;
    let fmap_dict: Arc<Mutex<FmapDict>> = Arc::default();
    let store = fmap_dict.clone();
    let hooks = alexnet.register_forward_hooks(
        |_, m| m.layer_kind() == LayerKind::Conv2d,
        move |m, _i, o| {
            let key = m
                .parameter("weight")
                .map(|w| common::torch_size(w.dims()))
                .unwrap_or_else(|| m.name());
            let mut dict = store.lock().unwrap_or_else(|e| e.into_inner());
            match dict.iter_mut().find(|(k, _)| *k == key) {
                Some((_, list)) => list.push(o.clone()),
                None => dict.push((key, vec![o.clone()])),
            }
            Ok(None)
        },
    );
    let output = alexnet.call(&img_tensor)?;
    println!("output: {:?}", output.dims());

    let dict = fmap_dict.lock().map_err(|e| e.to_string())?;
    for (layer_name, fmap_list) in dict.iter() {
        let fmap = fmap_list
            .first()
            .ok_or("empty feature-map list")?
            .transpose(0, 1)?;
        let nrow = (fmap.dim(0)? as f64).sqrt() as usize;
        let fmap_grid = make_grid(&fmap, &opts(nrow.max(1)))?;
        let tag = format!("feature map in {layer_name}");
        println!("{tag}: maps {:?}, grid {:?}", fmap.dims(), fmap_grid.dims());
        writer.add_image_with_format(&tag, &fmap_grid, 1, DataFormat::CHW)?;
        common::debug_png(&tag, &fmap_grid)?;
    }
    hooks.remove();
    writer.close()?;
    Ok(())
}
