//! `--samples-per-plugin`: how many points of each plugin's series are kept.

use std::collections::HashMap;

use tfevents::plugin_names;
use tfevents::proto::DataClass;

/// Points kept per series by default, by what the series holds: TensorBoard's defaults
/// (1000 scalars, 500 histograms, 10 images or audio clips, 100 other tensors).
const DEFAULT_SCALARS: usize = 1000;
const DEFAULT_HISTOGRAMS: usize = 500;
const DEFAULT_TENSORS: usize = 100;
const DEFAULT_BLOBS: usize = 10;

/// Per-plugin sample counts, as `plugin=N,plugin=all,...`; `all` (or 0 from TensorBoard's own
/// flag, which it passes on as `all`) keeps every point.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SamplesPerPlugin(HashMap<String, Option<usize>>);

impl std::str::FromStr for SamplesPerPlugin {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut map = HashMap::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((plugin, count)) = part.split_once('=') else {
                return Err(format!(
                    "`{part}` is not of the form plugin=N (e.g. scalars=5000 or images=all)"
                ));
            };
            let (plugin, count) = (plugin.trim(), count.trim());
            if plugin.is_empty() {
                return Err(format!("`{part}` names no plugin before `=`"));
            }
            let count = if count == "all" {
                None
            } else {
                let n: usize = count.parse().map_err(|_| {
                    format!("`{part}`: `{count}` is neither a count of points nor `all`")
                })?;
                Some(n)
            };
            map.insert(plugin.to_string(), count);
        }
        Ok(SamplesPerPlugin(map))
    }
}

impl SamplesPerPlugin {
    /// Points to keep for a series of `plugin` holding `class` (`None`: all of them).
    pub fn capacity(&self, plugin: &str, class: DataClass) -> Option<usize> {
        if let Some(&n) = self.0.get(plugin) {
            return n;
        }
        Some(match (class, plugin) {
            (DataClass::Scalar, _) => DEFAULT_SCALARS,
            (DataClass::Tensor, plugin_names::HISTOGRAMS) => DEFAULT_HISTOGRAMS,
            (DataClass::Tensor, _) => DEFAULT_TENSORS,
            (DataClass::BlobSequence, _) => DEFAULT_BLOBS,
            (DataClass::Unknown, _) => 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_counts_all_and_empty() {
        let s: SamplesPerPlugin = "scalars=5000, images=all,".parse().unwrap_or_default();
        assert_eq!(s.capacity("scalars", DataClass::Scalar), Some(5000));
        assert_eq!(s.capacity("images", DataClass::BlobSequence), None);
        assert_eq!(s.capacity("histograms", DataClass::Tensor), Some(500));
        assert_eq!(s.capacity("audio", DataClass::BlobSequence), Some(10));
        assert_eq!(
            "".parse::<SamplesPerPlugin>(),
            Ok(SamplesPerPlugin::default())
        );
        let huge = format!("scalars={}", usize::MAX);
        assert_eq!(
            huge.parse::<SamplesPerPlugin>()
                .map(|s| s.capacity("scalars", DataClass::Scalar)),
            Ok(Some(usize::MAX))
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in ["scalars", "=5", "scalars=many", "scalars=-1"] {
            let err = bad.parse::<SamplesPerPlugin>().err().unwrap_or_default();
            assert!(err.contains(bad), "{bad}: {err}");
        }
    }
}
