//! Every numeric entry burn logs, kept by split, metric and epoch, so that `read_numeric`
//! answers as burn's own file logger does: checkpointing and early stopping read them back.

use std::collections::HashMap;

use burn_train::metric::store::Split;
use burn_train::metric::NumericEntry;

/// The default bound on entries kept per split, metric and epoch.
pub const DEFAULT_MAX_ENTRIES_PER_EPOCH: usize = 100_000;

/// The entries of one metric in one split and epoch.
#[derive(Debug, Default)]
struct Bucket {
    entries: Vec<NumericEntry>,
    /// An entry that burn's own parser rejects: burn's file logger then fails to read the
    /// epoch, and so do we.
    unparsable: Option<String>,
}

/// Numeric entries by split, metric name and epoch, bounded in memory.
#[derive(Debug)]
pub(crate) struct NumericHistory {
    buckets: HashMap<(Split, String, usize), Bucket>,
    max_per_epoch: usize,
}

impl NumericHistory {
    /// A history keeping at most `max_per_epoch` entries per split, metric and epoch (at
    /// least 2: one folded mean and the latest entry).
    pub(crate) fn new(max_per_epoch: usize) -> Self {
        Self {
            buckets: HashMap::new(),
            max_per_epoch: max_per_epoch.max(2),
        }
    }

    /// Records one serialized entry as burn's file logger writes it.
    pub(crate) fn record(&mut self, split: &Split, name: &str, epoch: usize, serialized: &str) {
        let bucket = self
            .buckets
            .entry((split.clone(), name.to_string(), epoch))
            .or_default();
        match NumericEntry::deserialize(serialized) {
            Ok(entry) => {
                bucket.entries.push(entry);
                if bucket.entries.len() > self.max_per_epoch {
                    fold_oldest_half(&mut bucket.entries);
                }
            }
            Err(reason) => {
                bucket
                    .unparsable
                    .get_or_insert_with(|| format!("`{serialized}`: {reason}"));
            }
        }
    }

    /// The entries of `name` in `split` and `epoch`: empty when none were logged (as burn's
    /// file logger answers for a metric or epoch it has no file for), an error when one of
    /// them was not a numeric entry (as burn's file logger fails to parse it).
    pub(crate) fn read(
        &self,
        split: &Split,
        name: &str,
        epoch: usize,
    ) -> Result<Vec<NumericEntry>, String> {
        match self.buckets.get(&(split.clone(), name.to_string(), epoch)) {
            None => Ok(Vec::new()),
            Some(Bucket {
                unparsable: Some(bad),
                ..
            }) => Err(format!(
                "metric `{name}` ({split}, epoch {epoch}) holds an entry that is not numeric: {bad}"
            )),
            Some(bucket) => Ok(bucket.entries.clone()),
        }
    }
}

/// Replaces the oldest half of `entries` by one `Aggregated` entry with the same weighted
/// mean, which is all burn computes from them (a `Final` entry, always the last of an
/// epoch, is never folded).
fn fold_oldest_half(entries: &mut Vec<NumericEntry>) {
    let half = entries.len() / 2;
    let mut sum = 0.0;
    let mut count = 0usize;
    let mut folded = 0;
    for entry in entries.iter().take(half) {
        match entry {
            NumericEntry::Value(v) => {
                sum += v;
                count += 1;
            }
            NumericEntry::Aggregated {
                aggregated_value,
                count: n,
            } => {
                sum += aggregated_value * *n as f64;
                count += n;
            }
            NumericEntry::Final(_) => break,
        }
        folded += 1;
    }
    if folded < 2 || count == 0 {
        return;
    }
    entries.drain(..folded);
    entries.insert(
        0,
        NumericEntry::Aggregated {
            aggregated_value: sum / count as f64,
            count,
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean(entries: &[NumericEntry]) -> f64 {
        let (sum, n) = entries.iter().fold((0.0, 0usize), |(s, n), e| match e {
            NumericEntry::Value(v) | NumericEntry::Final(v) => (s + v, n + 1),
            NumericEntry::Aggregated {
                aggregated_value,
                count,
            } => (s + aggregated_value * *count as f64, n + count),
        });
        sum / n as f64
    }

    #[test]
    fn reads_back_what_was_recorded_by_split_metric_and_epoch() {
        let mut history = NumericHistory::new(100);
        history.record(&Split::Valid, "Loss", 1, "0.5,4");
        history.record(&Split::Valid, "Loss", 1, "0.25,final");
        history.record(&Split::Train, "Loss", 1, "9");
        let read = history.read(&Split::Valid, "Loss", 1).unwrap_or_default();
        assert_eq!(read.len(), 2);
        assert!(matches!(read[1], NumericEntry::Final(v) if v == 0.25));
        assert_eq!(
            history.read(&Split::Train, "Loss", 1).map(|e| e.len()),
            Ok(1)
        );
    }

    #[test]
    fn never_logged_metric_or_epoch_reads_empty_as_burns_file_logger() {
        let mut history = NumericHistory::new(100);
        history.record(&Split::Valid, "Loss", 1, "0.5");
        assert_eq!(
            history.read(&Split::Valid, "Accuracy", 1).map(|e| e.len()),
            Ok(0)
        );
        assert_eq!(
            history.read(&Split::Valid, "Loss", 2).map(|e| e.len()),
            Ok(0)
        );
        assert_eq!(
            history.read(&Split::Valid, "Loss", 0).map(|e| e.len()),
            Ok(0)
        );
    }

    #[test]
    fn a_non_numeric_entry_fails_the_read_as_burns_file_logger() {
        let mut history = NumericHistory::new(100);
        history.record(&Split::Train, "Text", 1, "hello world");
        let err = history
            .read(&Split::Train, "Text", 1)
            .err()
            .unwrap_or_default();
        assert!(
            err.contains("not numeric") && err.contains("hello world"),
            "{err}"
        );
    }

    #[test]
    fn non_finite_values_are_kept_as_logged() {
        let mut history = NumericHistory::new(100);
        history.record(&Split::Train, "Loss", 1, &f64::NAN.to_string());
        history.record(&Split::Train, "Loss", 1, &f64::INFINITY.to_string());
        let read = history.read(&Split::Train, "Loss", 1).unwrap_or_default();
        assert!(matches!(read[0], NumericEntry::Value(v) if v.is_nan()));
        assert!(matches!(read[1], NumericEntry::Value(v) if v == f64::INFINITY));
    }

    #[test]
    fn bounded_history_keeps_the_weighted_mean_and_the_final_entry() {
        let mut bounded = NumericHistory::new(8);
        let mut all = Vec::new();
        for i in 0..1000 {
            let entry = format!("{},{}", i as f64 * 0.5, 1 + i % 3);
            bounded.record(&Split::Train, "Loss", 1, &entry);
            all.push(NumericEntry::deserialize(&entry).unwrap_or(NumericEntry::Value(0.0)));
        }
        bounded.record(&Split::Train, "Loss", 1, "7,final");
        let kept = bounded.read(&Split::Train, "Loss", 1).unwrap_or_default();
        assert!(kept.len() <= 9, "{} entries kept", kept.len());
        assert!(matches!(kept.last(), Some(NumericEntry::Final(v)) if *v == 7.0));
        let without_final = &kept[..kept.len() - 1];
        assert!((mean(without_final) - mean(&all)).abs() < 1e-9);
    }
}
