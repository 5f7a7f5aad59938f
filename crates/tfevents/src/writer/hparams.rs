//! [`SummaryWriter::add_hparams`]: one trial of the HPARAMS dashboard.

use super::{check_tag, event_at, run_dir, Entry, SummaryWriter};
use crate::error::Result;
use crate::summary::hparams::{hparams_summaries, HParamDomain, HParamValue, EXPERIMENT_TAG};
use crate::summary::scalar::scalar_summary;

/// Where [`SummaryWriter::add_hparams_with`] writes the trial.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum HParamsRun {
    /// In the writer's own run (the default): the trial's row links to the run's own scalars,
    /// and no extra run appears in the run list.
    #[default]
    SameRun,
    /// PyTorch's layout: a sub-run `<log_dir>/<name>` holding the hparams and the metric
    /// values; `None` (or an empty name) names it after the current time in seconds, as
    /// PyTorch does. The name may nest (`"sweep/trial_3"`) but must stay in the log directory:
    /// see [`check_run_name`](crate::writer::check_run_name).
    SubRun(Option<String>),
}

/// Options of [`SummaryWriter::add_hparams_with`] (PyTorch's keyword arguments and more).
#[derive(Clone, Debug, Default)]
pub struct HParamsOptions {
    /// Where the trial goes.
    pub run: HParamsRun,
    /// Domains by hparam name: PyTorch's `hparam_domain_discrete`, plus intervals.
    pub domains: Vec<(String, HParamDomain)>,
    /// The step the summaries and metric values are logged at (PyTorch's `global_step`).
    pub global_step: i64,
    /// Skip logging the metric values as scalars, for metrics the training loop already logs
    /// under the same tags (then the table shows their last values).
    pub skip_metric_values: bool,
}

impl SummaryWriter {
    /// Logs one trial for the HPARAMS dashboard, as PyTorch's `add_hparams(hparam_dict,
    /// metric_dict)`, but in this run rather than a new sub-run (see
    /// [`add_hparams_with`](Self::add_hparams_with) for PyTorch's layout): the hparams as the
    /// row's columns and each metric's value logged as a scalar under its tag.
    ///
    /// Several runs, each calling `add_hparams` with its own values, are the rows of the
    /// table. All trials should name the same hparams: TensorBoard takes the table's columns
    /// from the first run it finds with an experiment summary.
    ///
    /// ```no_run
    /// # fn main() -> tfevents::Result<()> {
    /// let writer = tfevents::SummaryWriter::new("runs/lr_0.1")?;
    /// writer.add_hparams(
    ///     &[("lr", 0.1.into()), ("batch", 32.into()), ("optimizer", "adam".into())],
    ///     &[("hparam/accuracy", 0.93)],
    /// )?;
    /// # Ok(()) }
    /// ```
    pub fn add_hparams<K: AsRef<str>, M: AsRef<str>>(
        &self,
        hparams: &[(K, HParamValue)],
        metrics: &[(M, f64)],
    ) -> Result<()> {
        self.add_hparams_with(hparams, metrics, &HParamsOptions::default())
    }

    /// [`add_hparams`](Self::add_hparams) with options: PyTorch's sub-run layout, domains,
    /// the step.
    ///
    /// Errors in the hparams, metrics or domains name the experiment's tag,
    /// [`EXPERIMENT_TAG`].
    ///
    /// With [`HParamsOptions::skip_metric_values`] a metric that names a tag nothing logs is
    /// accepted, as PyTorch accepts it, and its column stays empty: check the tag's spelling.
    pub fn add_hparams_with<K: AsRef<str>, M: AsRef<str>>(
        &self,
        hparams: &[(K, HParamValue)],
        metrics: &[(M, f64)],
        options: &HParamsOptions,
    ) -> Result<()> {
        self.ensure_open()?;
        let tags: Vec<&str> = metrics.iter().map(|(tag, _)| tag.as_ref()).collect();
        let summaries = tags
            .iter()
            .try_for_each(|tag| check_tag(tag))
            .and_then(|()| hparams_summaries(hparams, &tags, &options.domains))
            .map_err(|e| e.in_tag(EXPERIMENT_TAG))?;
        let step = options.global_step;
        let wall_time = self.checked_wall_time()?;
        let target = match &options.run {
            HParamsRun::SameRun => None,
            HParamsRun::SubRun(name) => {
                let name = match name {
                    Some(name) if !name.is_empty() => name.clone(),
                    _ => format!("{}", crate::event_writer::now_secs()),
                };
                Some(self.sub_run(run_dir(&self.inner.log_dir, &name)?)?)
            }
        };
        let mut events = vec![
            summaries.experiment,
            summaries.session_start,
            summaries.session_end,
        ];
        if !options.skip_metric_values {
            events.extend(
                metrics
                    .iter()
                    .map(|(tag, v)| scalar_summary(tag.as_ref(), *v)),
            );
        }
        for summary in events {
            match &target {
                None => self.queue(Entry::Now(summary), step, wall_time)?,
                Some(writer) => writer.add_event(&event_at(summary, step, wall_time))?,
            }
        }
        Ok(())
    }
}
