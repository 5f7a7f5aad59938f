//! A one-weight model whose validation loss goes up and down in a known way, trained by
//! burn's `SupervisedTraining`, and helpers to drive a `MetricLogger` by hand.

use std::path::Path;
use std::sync::Arc;

use burn::data::dataloader::batcher::Batcher;
use burn::data::dataloader::{DataLoader, DataLoaderBuilder};
use burn::data::dataset::InMemDataset;
use burn::module::{Module, Param};
use burn::optim::lr_scheduler::constant::ConstantLr;
use burn::optim::SgdConfig;
use burn::tensor::{Device, Tensor};
use burn::train::metric::store::{EpochSummary, MetricsUpdate, NumericMetricUpdate, Split};
use burn::train::metric::{
    MetricAttributes, MetricDefinition, MetricEntry, MetricId, NumericAttributes, NumericEntry,
    SerializedEntry,
};
use burn::train::{InferenceStep, Learner, RegressionOutput, TrainOutput, TrainStep};
use burn_train::logger::MetricLogger;

/// `w`, trained towards 0 with plain SGD at learning rate 0.9 on the loss `w^2`: each epoch's
/// single step multiplies it by -0.8 (1, -0.8, 0.64, -0.512, ...). The validation loss is
/// `(w - 0.5)^2`, so it is lowest after epoch 4 of 6 (1.69, 0.0196, 1.024, 0.0082, 0.685,
/// 0.0566): a checkpointing strategy that reads the numbers keeps epoch 4, one that reads
/// nothing keeps the last.
#[derive(Module, Debug)]
pub struct Oscillator {
    pub weight: Param<Tensor<2>>,
}

pub const EPOCHS: usize = 6;
pub const BEST_EPOCH: usize = 4;

impl Oscillator {
    pub fn new(device: &Device) -> Self {
        Self {
            weight: Param::from_tensor(Tensor::ones([1, 1], device)),
        }
    }

    fn loss_against(&self, target: Tensor<2>) -> RegressionOutput {
        let output = self.weight.val();
        let loss = output.clone().sub(target.clone()).powi_scalar(2).mean();
        RegressionOutput::new(loss, output, target)
    }
}

#[derive(Clone, Debug)]
pub struct Target {
    value: Tensor<2>,
}

pub struct TargetBatcher(pub f32);

impl Batcher<(), Target> for TargetBatcher {
    fn batch(&self, _items: Vec<()>, device: &Device) -> Target {
        Target {
            value: Tensor::full([1, 1], self.0, device),
        }
    }
}

impl TrainStep for Oscillator {
    type Input = Target;
    type Output = RegressionOutput;

    fn step(&self, item: Target) -> TrainOutput<RegressionOutput> {
        let output = self.loss_against(item.value);
        TrainOutput::new(self, output.loss.clone().backward(), output)
    }
}

impl InferenceStep for Oscillator {
    type Input = Target;
    type Output = RegressionOutput;

    fn step(&self, item: Target) -> RegressionOutput {
        self.loss_against(item.value)
    }
}

/// `batches` training batches of target 0 and 2 validation batches of target 0.5 per epoch.
pub fn loaders(train_batches: usize) -> (Arc<dyn DataLoader<Target>>, Arc<dyn DataLoader<Target>>) {
    let train = DataLoaderBuilder::new(TargetBatcher(0.0))
        .batch_size(1)
        .build(InMemDataset::new(vec![(); train_batches]));
    let valid = DataLoaderBuilder::new(TargetBatcher(0.5))
        .batch_size(1)
        .build(InMemDataset::new(vec![(); 2]));
    (train, valid)
}

pub fn learner(device: &Device) -> Learner<Oscillator> {
    Learner::new(
        Oscillator::new(device),
        SgdConfig::new().init(),
        ConstantLr::new(0.9),
    )
}

/// The epochs whose model checkpoint is in `dir/checkpoint`, sorted.
pub fn kept_checkpoints(dir: &Path) -> Vec<usize> {
    let mut epochs: Vec<usize> = std::fs::read_dir(dir.join("checkpoint"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().to_string();
                    name.strip_prefix("model-")?
                        .strip_suffix(".bpk")?
                        .parse()
                        .ok()
                })
                .collect()
        })
        .unwrap_or_default();
    epochs.sort_unstable();
    epochs
}

/// Feeds a logger the way burn's event store does, for tests that need exact values.
pub struct Driver<'a, L: MetricLogger + ?Sized> {
    pub logger: &'a mut L,
}

pub fn definition(name: &str, description: Option<&str>, unit: Option<&str>) -> MetricDefinition {
    MetricDefinition {
        metric_id: MetricId::new(Arc::new(name.to_string())),
        name: Arc::new(name.to_string()),
        description: description.map(str::to_string),
        attributes: MetricAttributes::Numeric(NumericAttributes {
            unit: unit.map(str::to_string),
            higher_is_better: false,
        }),
    }
}

pub fn text_definition(name: &str) -> MetricDefinition {
    MetricDefinition {
        metric_id: MetricId::new(Arc::new(name.to_string())),
        name: Arc::new(name.to_string()),
        description: None,
        attributes: MetricAttributes::None,
    }
}

/// One numeric entry of metric `name` as burn's processor sends it.
pub fn numeric(name: &str, entry: NumericEntry) -> NumericMetricUpdate {
    let serialized = entry.serialize();
    NumericMetricUpdate::new(
        MetricEntry::new(
            MetricId::new(Arc::new(name.to_string())),
            SerializedEntry::new(serialized.clone(), serialized),
        ),
        Some(entry),
        None,
    )
}

/// One text entry of metric `name`.
pub fn text(name: &str, text: &str) -> MetricEntry {
    MetricEntry::new(
        MetricId::new(Arc::new(name.to_string())),
        SerializedEntry::new(text.to_string(), text.to_string()),
    )
}

impl<L: MetricLogger + ?Sized> Driver<'_, L> {
    /// One batch of `values` (name, value, batch size) in `split` and `epoch`.
    pub fn batch(&mut self, split: &Split, epoch: usize, values: &[(&str, f64, usize)]) {
        let numeric = values
            .iter()
            .map(|(name, v, n)| {
                numeric(
                    name,
                    NumericEntry::Aggregated {
                        aggregated_value: *v,
                        count: *n,
                    },
                )
            })
            .collect();
        self.logger
            .log(MetricsUpdate::new(Vec::new(), numeric), epoch, split);
    }

    /// The end of `split`'s epoch: the final values, then the summary.
    pub fn end(
        &mut self,
        split: &Split,
        epoch: usize,
        finals: &[(&str, f64)],
        texts: &[(&str, &str)],
    ) {
        let numeric = finals
            .iter()
            .map(|(name, v)| numeric(name, NumericEntry::Final(*v)))
            .collect();
        let texts = texts.iter().map(|(name, t)| text(name, t)).collect();
        self.logger
            .log(MetricsUpdate::new(texts, numeric), epoch, split);
        self.logger
            .log_epoch_summary(EpochSummary::new(epoch, split.clone()));
    }
}

/// Every entry `read_numeric` returns, serialized (burn's `NumericEntry` has no `PartialEq`).
pub fn read<L: MetricLogger>(
    logger: &mut L,
    name: &str,
    epoch: usize,
    split: &Split,
) -> Result<Vec<String>, String> {
    logger
        .read_numeric(name, epoch, split)
        .map(|entries| entries.iter().map(NumericEntry::serialize).collect())
}
