//! The demo's HPARAMS trials: real training runs, not made-up numbers. Each trial trains a
//! small classifier on the bundled MNIST digits with its own learning rate, optimizer, batch
//! size and depth, logs its training loss, and reports its held-out accuracy and final loss
//! as the trial's metrics.

use candle_core::{DType, Device, Tensor, D};
use candle_nn::{
    linear, loss, AdamW, Linear, Module, Optimizer, ParamsAdamW, VarBuilder, VarMap, SGD,
};
use tfevents::SummaryWriter;

use crate::mnist::Mnist;

/// Digits trained on; the held-out ones follow them.
pub const TRAIN: usize = 2000;
/// Held-out digits the accuracy is measured on.
pub const TEST: usize = 1000;
/// Hidden units of the deeper model.
pub const HIDDEN: usize = 64;

/// A trial's optimizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptimizerKind {
    /// Plain SGD.
    Sgd,
    /// AdamW without weight decay.
    Adam,
}

impl OptimizerKind {
    /// The name logged as the hparam value: `"sgd"` or `"adam"`.
    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Adam => "adam",
        }
    }
}

/// One trial's hyperparameters.
#[derive(Clone, Copy, Debug)]
pub struct Trial {
    /// Learning rate.
    pub lr: f64,
    /// The optimizer.
    pub optimizer: OptimizerKind,
    /// Digits per step.
    pub batch_size: usize,
    /// A hidden layer of [`HIDDEN`] ReLU units, or a linear (softmax regression) model.
    pub hidden_layer: bool,
}

/// What a trial measured.
#[derive(Clone, Copy, Debug)]
pub struct Outcome {
    /// Accuracy on the held-out digits after training.
    pub accuracy: f64,
    /// Mean training loss over the last tenth of the steps.
    pub final_loss: f64,
}

/// The trial's optimizer.
enum Trainer {
    Sgd(SGD),
    Adam(AdamW),
}

impl Trainer {
    fn backward_step(&mut self, loss: &Tensor) -> candle_core::Result<()> {
        match self {
            Trainer::Sgd(sgd) => sgd.backward_step(loss),
            Trainer::Adam(adam) => adam.backward_step(loss),
        }
    }
}

struct Classifier {
    hidden: Option<Linear>,
    out: Linear,
}

impl Module for Classifier {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match &self.hidden {
            Some(hidden) => self.out.forward(&hidden.forward(x)?.relu()?),
            None => self.out.forward(x),
        }
    }
}

/// The bundled digits as `[train images, train labels, test images, test labels]` tensors:
/// the first [`TRAIN`] digits and the [`TEST`] after them.
pub fn split(digits: &Mnist, dev: &Device) -> candle_core::Result<[Tensor; 4]> {
    let n_train = TRAIN.min(digits.len().saturating_sub(TEST));
    let (train_x, train_y) = digits.slice(0, n_train).to_tensors(dev)?;
    let (test_x, test_y) = digits.slice(n_train, n_train + TEST).to_tensors(dev)?;
    Ok([train_x, train_y, test_x, test_y])
}

/// Trains `trial` for `steps` steps on `data` (from [`split`]), logging `train/loss` at every
/// step to `writer`.
pub fn run(
    trial: Trial,
    data: &[Tensor; 4],
    steps: usize,
    writer: &SummaryWriter,
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let [train_x, train_y, test_x, test_y] = data;
    let dev = train_x.device();
    let vm = VarMap::new();
    let vb = VarBuilder::from_varmap(&vm, DType::F32, dev);
    let inputs = train_x.dim(1)?;
    let model = if trial.hidden_layer {
        Classifier {
            hidden: Some(linear(inputs, HIDDEN, vb.pp("hidden"))?),
            out: linear(HIDDEN, 10, vb.pp("out"))?,
        }
    } else {
        Classifier {
            hidden: None,
            out: linear(inputs, 10, vb.pp("out"))?,
        }
    };
    let mut optimizer = match trial.optimizer {
        OptimizerKind::Sgd => Trainer::Sgd(SGD::new(vm.all_vars(), trial.lr)?),
        OptimizerKind::Adam => {
            let params = ParamsAdamW {
                lr: trial.lr,
                weight_decay: 0.0,
                ..Default::default()
            };
            Trainer::Adam(AdamW::new(vm.all_vars(), params)?)
        }
    };
    let n = train_x.dim(0)?;
    let batch = trial.batch_size.clamp(1, n);
    let tail = (steps / 10).max(1);
    let mut tail_loss = 0.0;
    for step in 0..steps {
        // Batches walk the training digits in order, wrapping around.
        let start = (step * batch) % (n - batch + 1);
        let x = train_x.narrow(0, start, batch)?;
        let y = train_y.narrow(0, start, batch)?;
        let loss = loss::cross_entropy(&model.forward(&x)?, &y)?;
        optimizer.backward_step(&loss)?;
        let value = f64::from(loss.to_scalar::<f32>()?);
        writer.add_scalar("train/loss", value, step as i64)?;
        if step + tail >= steps {
            tail_loss += value / tail as f64;
        }
    }
    let predicted = model.forward(test_x)?.argmax(D::Minus1)?;
    let right = predicted
        .eq(test_y)?
        .to_dtype(DType::F32)?
        .sum_all()?
        .to_scalar::<f32>()?;
    Ok(Outcome {
        accuracy: f64::from(right) / test_x.dim(0)? as f64,
        final_loss: tail_loss,
    })
}
