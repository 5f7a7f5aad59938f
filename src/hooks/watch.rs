//! `watch`: parameter and gradient histograms every N steps (wandb's `wandb.watch`).

use candle_core::backprop::GradStore;
use candle_core::{DType, Tensor};
use candle_nn::VarMap;

use crate::nn::Module;
use crate::{Error, Result, SummaryWriter};

/// What [`Watch`] logs (wandb's `log="gradients" | "parameters" | "all"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WatchLog {
    /// Gradient histograms and norms (wandb's default).
    #[default]
    Gradients,
    /// Parameter histograms.
    Parameters,
    /// Both.
    All,
}

/// Logs, every `log_freq` steps, the histogram of every parameter (`parameters/<name>`), of
/// its gradient (`gradients/<name>`), each gradient's L2 norm (`gradient_norm/<name>`) and
/// the global norm (`gradient_norm/total`).
///
/// Call [`Watch::log_module`] (a module tree) or [`Watch::log_varmap`] (a plain `VarMap`)
/// once per step, after `backward()` and before or after `optimizer.step(&grads)`; on steps
/// that are not a multiple of `log_freq` they return `Ok(false)` at once.
///
/// ```
/// use candle_core::{DType, Device, Tensor};
/// use candle_nn::{Optimizer, VarBuilder, VarMap, SGD};
/// use candle_tensorboard::hooks::{Watch, WatchLog};
/// use candle_tensorboard::nn::{Linear, Module};
/// let dir = tempfile::tempdir()?;
/// let writer = candle_tensorboard::SummaryWriter::new(dir.path())?;
/// let varmap = VarMap::new();
/// let fc = Linear::new(3, 2, VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu).pp("fc"))?;
/// let mut sgd = SGD::new(varmap.all_vars(), 0.1)?;
/// let watch = Watch::new(WatchLog::All, 10)?;
/// for step in 0..20u64 {
///     let loss = fc.call(&Tensor::ones((4, 3), DType::F32, &Device::Cpu)?)?.sqr()?.mean_all()?;
///     let grads = loss.backward()?;
///     watch.log_module(&writer, step, &fc, &grads)?; // logs at steps 0 and 10
///     sgd.step(&grads)?;
/// }
/// writer.close()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Watch {
    log: WatchLog,
    log_freq: u64,
}

impl Watch {
    /// Logs `log` every `log_freq` steps (wandb's default is 1000); `log_freq` 0 is an error.
    pub fn new(log: WatchLog, log_freq: u64) -> Result<Self> {
        if log_freq == 0 {
            return Err(Error::Events(tfevents::Error::BadNumber {
                what: "log_freq".into(),
                value: 0.0,
                must: "at least 1 (log every log_freq steps)",
            }));
        }
        Ok(Self { log, log_freq })
    }

    /// Whether `step` is a logging step.
    pub fn due(&self, step: u64) -> bool {
        step.is_multiple_of(self.log_freq)
    }

    /// Logs the parameters of a module tree (names from `named_parameters`) and their
    /// gradients in `grads`. Returns whether this step logged.
    pub fn log_module(
        &self,
        writer: &SummaryWriter,
        step: u64,
        model: &dyn Module,
        grads: &GradStore,
    ) -> Result<bool> {
        if !self.due(step) {
            return Ok(false);
        }
        self.log(writer, step, &model.named_parameters(), grads)?;
        Ok(true)
    }

    /// Logs every variable of a `VarMap` (its names) and its gradient in `grads`. Returns
    /// whether this step logged.
    pub fn log_varmap(
        &self,
        writer: &SummaryWriter,
        step: u64,
        varmap: &VarMap,
        grads: &GradStore,
    ) -> Result<bool> {
        if !self.due(step) {
            return Ok(false);
        }
        let mut params: Vec<(String, Tensor)> = {
            let data = varmap.data().lock().unwrap_or_else(|e| e.into_inner());
            data.iter()
                .map(|(n, v)| (n.clone(), v.as_tensor().clone()))
                .collect()
        };
        // A HashMap has no order: sort so that the tags come out the same every run.
        params.sort_by(|a, b| a.0.cmp(&b.0));
        self.log(writer, step, &params, grads)?;
        Ok(true)
    }

    /// Logs everything it can, then returns the first error (a NaN gradient must not stop
    /// the other histograms from being written).
    fn log(
        &self,
        writer: &SummaryWriter,
        step: u64,
        params: &[(String, Tensor)],
        grads: &GradStore,
    ) -> Result<()> {
        let mut first_err = None;
        let mut keep = |r: Result<()>| {
            if let Err(e) = r {
                first_err.get_or_insert(e);
            }
        };
        let params_on = matches!(self.log, WatchLog::Parameters | WatchLog::All);
        let grads_on = matches!(self.log, WatchLog::Gradients | WatchLog::All);
        let mut total_sq = 0f64;
        let mut any_grad = false;
        for (name, t) in params {
            if t.elem_count() == 0 {
                continue;
            }
            if params_on {
                keep(
                    writer
                        .add_histogram(&format!("parameters/{name}"), t, step)
                        .map_err(Error::from),
                );
            }
            if !grads_on {
                continue;
            }
            let Some(g) = grads.get(t) else { continue };
            keep(
                writer
                    .add_histogram(&format!("gradients/{name}"), g, step)
                    .map_err(Error::from),
            );
            match norm_sq(g) {
                Ok(sq) => {
                    any_grad = true;
                    total_sq += sq;
                    keep(
                        writer
                            .add_scalar(&format!("gradient_norm/{name}"), sq.sqrt(), step)
                            .map_err(Error::from),
                    );
                }
                Err(e) => keep(Err(e)),
            }
        }
        if any_grad {
            keep(
                writer
                    .add_scalar("gradient_norm/total", total_sq.sqrt(), step)
                    .map_err(Error::from),
            );
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

fn norm_sq(g: &Tensor) -> Result<f64> {
    Ok(g.to_dtype(DType::F64)?
        .sqr()?
        .sum_all()?
        .to_scalar::<f64>()?)
}
