//! Flags, writers, progress and data shared by the tutorials.

use std::path::PathBuf;

use crate::mnist::Mnist;
use crate::progress::Progress;
use candle_core::Tensor;
use candle_tensorboard::SummaryWriter;

/// Flags every seed example takes.
#[derive(clap::Args, Debug, Clone)]
pub struct CommonArgs {
    /// Parent directory of the run; the example writes to `<logdir>/<example name>`.
    #[arg(long, default_value = "runs")]
    pub logdir: PathBuf,
    /// Directory with the standard MNIST files (train-images-idx3-ubyte.gz ...); the digits
    /// bundled in `data/mnist` are used when absent.
    #[arg(long)]
    pub data: Option<PathBuf>,
}

impl CommonArgs {
    /// Opens the writer for `<logdir>/<name>` and prints where to point TensorBoard.
    pub fn writer(&self, name: &str) -> candle_tensorboard::Result<SummaryWriter> {
        let dir = self.logdir.join(name);
        let w = SummaryWriter::new(&dir)?;
        println!("writing to {}", dir.display());
        println!("view with: tensorboard --logdir {}", self.logdir.display());
        Ok(w)
    }

    /// The training digits: `--data DIR` (train files first), else the bundled 10,000.
    pub fn mnist(&self) -> candle_tensorboard::Result<Mnist> {
        match &self.data {
            Some(d) => Mnist::load_dir(d, true),
            None => Mnist::bundled(),
        }
    }
}

/// The progress display of a `len`-step loop: a bar with the live message on a terminal,
/// a plain line every few seconds when the output goes to a file (see [`Progress`]).
pub fn progress(len: u64) -> Progress {
    Progress::new(len)
}

/// Saves `img` (CHW, values in [0, 1]) as a PNG when the env var `EXAMPLE_PNG_DIR` is set,
/// so the grids can be looked at without TensorBoard.
pub fn debug_png(name: &str, img: &Tensor) -> candle_tensorboard::Result<()> {
    if let Some(dir) = std::env::var_os("EXAMPLE_PNG_DIR") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| candle_tensorboard::Error::io("create", &dir, e))?;
        let file = dir.join(format!("{}.png", name.replace(['/', ' '], "_")));
        candle_tensorboard::grid::save_image(img, &file, &Default::default())?;
    }
    Ok(())
}

/// `n` standard normal samples (Box-Muller), like `np.random.normal(size=n)`.
pub fn normal(rng: &mut rand::rngs::StdRng, n: usize) -> Vec<f64> {
    use rand::Rng;
    (0..n)
        .map(|_| {
            let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]: ln is finite
            let u2: f64 = rng.random();
            (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        })
        .collect()
}

/// PyTorch's `str(weight.shape)`: `torch.Size([64, 3, 11, 11])`.
pub fn torch_size(dims: &[usize]) -> String {
    let d: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
    format!("torch.Size([{}])", d.join(", "))
}

/// Which weights a training run keeps (saves, evaluates and reports at the end): the
/// examples' `--keep`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// The snapshot that scored best by the run's own measure during training (the DQN's
    /// greedy evaluations, the GAN's census of digit classes): what a policy or a generator
    /// can do drifts from one evaluation to the next, so the last weights are not the best
    /// ones the run had (the DQN papers and GAN papers report their best snapshot likewise).
    Best,
    /// The weights after the last train step.
    Last,
}
