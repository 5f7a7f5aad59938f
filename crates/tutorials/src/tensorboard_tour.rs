//! Seed 003, sections 5.1-5.3, line for line: scalars, a scalar group, histograms, the five
//! fake images and a `make_grid` of 16 MNIST digits.
//!
//! Run: `cargo run --example tensorboard_tour [-- --steps 100 --logdir runs]`, then
//! `tensorboard --logdir runs`.

use crate::common;

use candle_core::{DType, Device, Tensor};
use candle_tensorboard::grid::{make_grid, GridOptions};
use candle_tensorboard::summary::histogram::Bins;
use candle_tensorboard::summary::image::DataFormat;
use clap::Parser;
use rand::SeedableRng;

#[derive(Parser, Debug)]
#[command(about = "Seed 003 sections 5.1-5.3: scalars, histograms, images, make_grid")]
pub struct Args {
    /// Steps of the scalar loop (the seed's 100).
    #[arg(long, default_value_t = 100)]
    steps: i64,
    #[command(flatten)]
    common: common::CommonArgs,
}

/// The example\'s entry point: parses the command line and runs it.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(Args::parse())
}

/// Runs the example with parsed arguments (the demo calls this too).
pub fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let writer = args.common.writer("tensorboard_tour")?;
    let dev = Device::Cpu;

    // 5.1 / 5.2: one curve per tag, then three curves in one chart.
    for x in 0..args.steps {
        let xf = x as f64;
        writer.add_scalar("y=2x", xf * 2.0, x)?;
        writer.add_scalar("y=pow(2, x)", 2f64.powf(xf), x)?;
        writer.add_scalars(
            "data/scalar_group",
            [
                ("xsinx", xf * xf.sin()),
                ("xcosx", xf * xf.cos()),
                ("arctanx", xf.atan()),
            ],
            x,
        )?;
    }

    // 5.2 add_histogram: 0..99 (uniform) and 1000 standard normals, 10 bins, two steps.
    for x in 0..2i64 {
        let mut rng = rand::rngs::StdRng::seed_from_u64(x as u64);
        let data_union: Vec<f64> = (0..100).map(f64::from).collect();
        let data_normal = common::normal(&mut rng, 1000);
        writer.add_histogram_with("distribution union", &data_union, x, &Bins::Count(10), None)?;
        writer.add_histogram_with(
            "distribution normal",
            &data_normal,
            x,
            &Bins::Count(10),
            None,
        )?;
    }

    // 5.3 add_image: the five fake images on one slider.
    let fake = Tensor::randn(0f32, 1.0, (3, 100, 100), &dev)?; // clipped to [0, 1]
    writer.add_image_with_format("fake_img", &fake, 1, DataFormat::CHW)?;
    let ones = Tensor::ones((3, 100, 100), DType::F32, &dev)?; // max <= 1: scaled by 255, white
    writer.add_image_with_format("fake_img", &ones, 2, DataFormat::CHW)?;
    let ones11 = (&ones * 1.1)?; // max > 1: taken as 0..255 already, so almost black
    writer.add_image_with_format("fake_img", &ones11, 3, DataFormat::CHW)?;
    let gray = Tensor::rand(0f32, 1.0, (100, 100), &dev)?;
    writer.add_image_with_format("fake_img", &gray, 4, DataFormat::HW)?;
    let hwc = Tensor::rand(0f32, 1.0, (100, 100, 3), &dev)?;
    writer.add_image_with_format("fake_img", &hwc, 5, DataFormat::HWC)?;

    // make_grid of an input batch: the seed's 16 RMB images become 16 MNIST digits, nrow=4.
    let mnist = args.common.mnist()?;
    let n = 16.min(mnist.len());
    let batch = Tensor::from_slice(
        &mnist.images[..n * mnist.image_size()],
        (n, 1, mnist.rows, mnist.cols),
        &dev,
    )?;
    let grid = make_grid(
        &batch,
        &GridOptions {
            nrow: 4,
            ..Default::default()
        },
    )?;
    writer.add_image_with_format("input img", &grid, 0, DataFormat::CHW)?;
    common::debug_png("tour_input_img", &grid)?;
    println!("labels of the 16 digits: {:?}", &mnist.labels[..n]);

    writer.close()?;
    println!(
        "done: {} scalar steps, 2 histogram steps, 5 fake images, 1 grid",
        args.steps
    );
    Ok(())
}
