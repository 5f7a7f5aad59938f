//! A small burn MLP trained on MNIST digits through burn's `Learner`, logging to TensorBoard
//! with three lines (marked `// 1`, `// 2`, `// 3`).
//!
//! ```text
//! cargo run --release --manifest-path crates/tfevents-burn/Cargo.toml --example burn_mnist [-- --epochs 3 --steps 100 --logdir runs]
//! tensorboard --logdir runs/burn_mnist
//! ```
//!
//! It reads the 10,000 digits bundled in `crates/tutorials/data/mnist` (or `--data DIR` with
//! the standard `train-images-idx3-ubyte.gz` files): 8,000 to train, 2,000 to validate.
//! `--steps N` limits each epoch to N training batches (and N/4 validation batches), for CI.

use std::error::Error;
use std::io::Read;
use std::path::{Path, PathBuf};

use burn::config::Config;
use burn::data::dataloader::batcher::Batcher;
use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataset::InMemDataset;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{Linear, LinearConfig};
use burn::optim::lr_scheduler::constant::ConstantLr;
use burn::optim::AdamConfig;
use burn::tensor::activation::relu;
use burn::tensor::{Device, Int, Tensor, TensorData};
use burn::train::metric::{AccuracyMetric, LossMetric};
use burn::train::{
    ClassificationOutput, InferenceStep, Learner, SupervisedTraining, TrainOutput, TrainStep,
};
use clap::Parser;
use tfevents_burn::TensorBoard;

/// Flags.
#[derive(Parser, Debug)]
struct Args {
    /// Parent directory of the run; the example writes to `<logdir>/burn_mnist`.
    #[arg(long, default_value = "runs")]
    logdir: PathBuf,
    /// Directory with the standard MNIST files; the bundled 10,000 digits when absent.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Epochs to train.
    #[arg(long, default_value_t = 3)]
    epochs: usize,
    /// Training batches per epoch (at most the whole training set).
    #[arg(long)]
    steps: Option<usize>,
}

/// The hyperparameters: a burn `Config`, logged to the HPARAMS dashboard.
#[derive(Config, Debug)]
struct TrainingConfig {
    #[config(default = 128)]
    hidden: usize,
    #[config(default = 64)]
    batch_size: usize,
    #[config(default = 1e-3)]
    learning_rate: f64,
    #[config(default = 3)]
    epochs: usize,
    #[config(default = 42)]
    seed: u64,
}

#[derive(Module, Debug)]
struct Mlp {
    fc1: Linear,
    fc2: Linear,
}

impl Mlp {
    fn new(hidden: usize, device: &Device) -> Self {
        Self {
            fc1: LinearConfig::new(28 * 28, hidden).init(device),
            fc2: LinearConfig::new(hidden, 10).init(device),
        }
    }

    fn forward(&self, batch: &DigitBatch) -> ClassificationOutput {
        let logits = self
            .fc2
            .forward(relu(self.fc1.forward(batch.images.clone())));
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits.clone(), batch.labels.clone());
        ClassificationOutput::new(loss, logits, batch.labels.clone())
    }
}

impl TrainStep for Mlp {
    type Input = DigitBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: DigitBatch) -> TrainOutput<ClassificationOutput> {
        let output = self.forward(&batch);
        TrainOutput::new(self, output.loss.clone().backward(), output)
    }
}

impl InferenceStep for Mlp {
    type Input = DigitBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: DigitBatch) -> ClassificationOutput {
        self.forward(&batch)
    }
}

/// One digit: 784 pixels in [0, 1] and its label.
#[derive(Clone, Debug)]
struct Digit {
    pixels: Vec<f32>,
    label: u8,
}

#[derive(Clone, Debug)]
struct DigitBatch {
    images: Tensor<2>,
    labels: Tensor<1, Int>,
}

struct DigitBatcher;

impl Batcher<Digit, DigitBatch> for DigitBatcher {
    fn batch(&self, items: Vec<Digit>, device: &Device) -> DigitBatch {
        let n = items.len();
        let pixels: Vec<f32> = items
            .iter()
            .flat_map(|d| d.pixels.iter().copied())
            .collect();
        let labels: Vec<i64> = items.iter().map(|d| i64::from(d.label)).collect();
        DigitBatch {
            images: Tensor::from_data(TensorData::new(pixels, [n, 28 * 28]), device),
            labels: Tensor::from_data(TensorData::new(labels, [n]), device),
        }
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    let config = TrainingConfig::new().with_epochs(args.epochs);
    let device = Device::flex().autodiff();
    device.seed(config.seed);

    let digits = load_digits(args.data.as_deref())?;
    let (train, valid) = digits.split_at(digits.len() * 4 / 5);
    let limit = |set: &[Digit], batches: Option<usize>| -> Vec<Digit> {
        let n = batches.map_or(set.len(), |b| (b * config.batch_size).min(set.len()));
        set.iter().take(n).cloned().collect()
    };
    let train = limit(train, args.steps);
    let valid = limit(valid, args.steps.map(|s| s.div_ceil(4)));
    let loader = |set: Vec<Digit>| {
        DataLoaderBuilder::new(DigitBatcher)
            .batch_size(config.batch_size)
            .shuffle(config.seed)
            .build(InMemDataset::new(set))
    };
    let (train_loader, valid_loader) = (loader(train), loader(valid));

    let model = Mlp::new(config.hidden, &device);
    let logdir = args.logdir.join("burn_mnist");
    // burn's own files (checkpoints, experiment.log) go elsewhere: TensorBoard reads logdir.
    let artifacts = tempfile::tempdir()?;

    let tensorboard = TensorBoard::new(&logdir)?; // 1
    tensorboard.add_module_histograms(&model, 0)?;
    let learner = Learner::new(
        model,
        AdamConfig::new().init(),
        ConstantLr::new(config.learning_rate),
    );
    let result = SupervisedTraining::new(artifacts.path(), train_loader, valid_loader)
        .metric_train_numeric(AccuracyMetric::new())
        .metric_valid_numeric(AccuracyMetric::new())
        .metric_train_numeric(LossMetric::new())
        .metric_valid_numeric(LossMetric::new())
        .with_metric_logger(tensorboard.metric_logger()) // 2
        .num_epochs(config.epochs)
        .launch(learner);
    if let Some(error) = result.error {
        return Err(format!("training failed: {error}").into());
    }

    tensorboard.add_module_histograms(&result.model, config.epochs as u64)?;
    tensorboard.add_hparams(&config)?;
    tensorboard.close()?; // 3
    println!("wrote {}", logdir.display());
    println!("view with: tensorboard --logdir {}", logdir.display());
    Ok(())
}

/// The digits: `--data DIR` (its `train-*` files), else the bundled ones.
fn load_digits(data: Option<&Path>) -> Result<Vec<Digit>, Box<dyn Error>> {
    let (dir, prefix) = match data {
        Some(dir) => (dir.to_path_buf(), "train"),
        None => (
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tutorials/data/mnist"),
            "mnist-10k",
        ),
    };
    let images = read_gz(&dir.join(format!("{prefix}-images-idx3-ubyte.gz")))?;
    let labels = read_gz(&dir.join(format!("{prefix}-labels-idx1-ubyte.gz")))?;
    parse_idx(&images, &labels)
}

fn read_gz(path: &Path) -> Result<Vec<u8>, Box<dyn Error>> {
    let raw = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(raw.as_slice())
        .read_to_end(&mut out)
        .map_err(|e| format!("cannot decompress {}: {e}", path.display()))?;
    Ok(out)
}

/// The IDX format: a big-endian header (magic 0x803 for images, 0x801 for labels, then the
/// dimensions), then one byte per pixel or label.
fn parse_idx(images: &[u8], labels: &[u8]) -> Result<Vec<Digit>, Box<dyn Error>> {
    let word = |bytes: &[u8], at: usize| -> Result<usize, Box<dyn Error>> {
        let b: [u8; 4] = bytes
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .ok_or("IDX file ends inside its header")?;
        Ok(u32::from_be_bytes(b) as usize)
    };
    if word(images, 0)? != 0x803 || word(labels, 0)? != 0x801 {
        return Err("not an MNIST images and labels IDX pair (wrong magic numbers)".into());
    }
    let (n, rows, cols) = (word(images, 4)?, word(images, 8)?, word(images, 12)?);
    if (rows, cols) != (28, 28) || word(labels, 4)? != n {
        return Err(format!(
            "expected 28x28 images with one label each, got {n} of {rows}x{cols} and {} labels",
            word(labels, 4)?
        )
        .into());
    }
    let pixels = images
        .get(16..16 + n * 784)
        .ok_or("images file is truncated")?;
    let labels = labels.get(8..8 + n).ok_or("labels file is truncated")?;
    Ok(pixels
        .chunks_exact(784)
        .zip(labels)
        .map(|(p, &label)| Digit {
            pixels: p.iter().map(|&v| f32::from(v) / 255.0).collect(),
            label,
        })
        .collect())
}
