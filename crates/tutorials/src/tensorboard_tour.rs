//! Seed 003, sections 5.1-5.3, line for line: scalars, a scalar group, histograms, the five
//! fake images and a `make_grid` of 16 MNIST digits; 5.2's matplotlib histograms as a figure.
//!
//! Run: `cargo run --example tensorboard_tour [-- --steps 100 --logdir runs]`, then
//! `tensorboard --logdir runs`.

use crate::common;

use candle_core::{DType, Device, Tensor};
use candle_tensorboard::grid::{make_grid, GridOptions};
use candle_tensorboard::summary::figure::plotters::prelude::*;
use candle_tensorboard::summary::figure::{self, Figure};
use candle_tensorboard::summary::histogram::{make_histogram, Bins};
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

/// The counts of `data` in `bins` equal bins over its range, as `plt.hist` draws them:
/// `(left edge, width, count)`. The bins are the ones `add_histogram` logs, so the figure
/// and the HISTOGRAMS dashboard count the same values in the same buckets.
fn hist_bars(data: &[f64], bins: usize) -> candle_tensorboard::Result<Vec<(f64, f64, u32)>> {
    let h = make_histogram(data, &Bins::Count(bins), None)?;
    // Bucket i counts (limit[i-1], limit[i]]; bucket 0 is the empty one left of the minimum.
    Ok(h.bucket_limit
        .windows(2)
        .zip(h.bucket.iter().skip(1))
        .map(|(edges, &count)| (edges[0], edges[1] - edges[0], count as u32))
        .collect())
}

/// Two histograms side by side, the seed's `subplot(121)` and `subplot(122)`.
fn histogram_pair<'a>(union: &'a [f64], normal: &'a [f64]) -> impl Figure + 'a {
    figure::from_fn(800, 360, move |canvas| {
        let halves = canvas.split_evenly((1, 2));
        for ((half, data), (label, colour)) in halves.iter().zip([union, normal]).zip([
            ("union", RGBColor(31, 119, 180)),
            ("normal", RGBColor(255, 127, 14)),
        ]) {
            let bars = hist_bars(data, 10)?;
            let x0 = bars.first().map_or(0.0, |b| b.0);
            let x1 = bars.last().map_or(1.0, |b| b.0 + b.1);
            let top = bars.iter().map(|b| b.2).max().unwrap_or(1);
            let mut chart = ChartBuilder::on(half)
                .margin(14)
                .x_label_area_size(30)
                .y_label_area_size(40)
                .build_cartesian_2d(x0..x1, 0u32..top + top / 10 + 1)?;
            chart.configure_mesh().disable_mesh().draw()?;
            chart
                .draw_series(bars.iter().map(|&(left, w, c)| {
                    Rectangle::new([(left, 0), (left + w, c)], colour.filled())
                }))?
                .label(label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled())
                });
            chart
                .configure_series_labels()
                .border_style(BLACK)
                .background_style(WHITE)
                .draw()?;
        }
        Ok(())
    })
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

    // 5.2's matplotlib figure (plt.subplot(121).hist(data_union), subplot(122) the normals),
    // logged with add_figure instead of shown in a window.
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let data_union: Vec<f64> = (0..100).map(f64::from).collect();
    let data_normal = common::normal(&mut rng, 1000);
    let figure = histogram_pair(&data_union, &data_normal);
    writer.add_figure("matplotlib/histograms", &figure, 1)?;

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
