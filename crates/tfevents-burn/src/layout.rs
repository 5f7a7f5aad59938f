//! Where each split's scalars go: which run directory and which tag.

use std::path::PathBuf;

use burn_train::metric::store::Split;

/// How the splits are laid out in the log directory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// One run per split (`<logdir>/train`, `<logdir>/valid`, `<logdir>/test[/<tag>]`), the
    /// same tags in each (`Loss`, `epoch/Loss`): TensorBoard draws train and valid as two
    /// lines of one chart. The default.
    #[default]
    RunPerSplit,
    /// One run (`<logdir>` itself), the split in the tag (`train/Loss`, `valid/Loss`,
    /// `epoch/train/Loss`): one chart per split and metric.
    SingleRun,
}

impl Layout {
    /// The run directory of `split`, relative to the log directory (empty: the log
    /// directory itself).
    pub(crate) fn run_dir(self, split: &Split) -> PathBuf {
        match self {
            Layout::SingleRun => PathBuf::new(),
            Layout::RunPerSplit => match split {
                Split::Train => PathBuf::from("train"),
                Split::Valid => PathBuf::from("valid"),
                Split::Test(None) => PathBuf::from("test"),
                Split::Test(Some(tag)) => PathBuf::from("test").join(path_component(tag)),
            },
        }
    }

    /// The tag of a metric's per-batch scalars (and of its text entries).
    pub(crate) fn batch_tag(self, split: &Split, metric: &str) -> String {
        let metric = tag_component(metric);
        match self {
            Layout::RunPerSplit => metric,
            Layout::SingleRun => format!("{}/{metric}", split_label(split)),
        }
    }

    /// The tag of a metric's epoch values (logged at step = epoch).
    pub(crate) fn epoch_tag(self, split: &Split, metric: &str) -> String {
        let metric = tag_component(metric);
        match self {
            Layout::RunPerSplit => format!("epoch/{metric}"),
            Layout::SingleRun => format!("epoch/{}/{metric}", split_label(split)),
        }
    }
}

/// `train`, `valid`, `test` or `test-<tag>`: the split in a tag.
fn split_label(split: &Split) -> String {
    match split {
        Split::Test(Some(tag)) => format!("test-{}", path_component(tag)),
        other => other.to_string(),
    }
}

/// A metric name as one tag component: a `/` would start a new chart group in TensorBoard
/// (and could collide with the `epoch/` tags), so it becomes `_`; an empty name, which
/// TensorBoard cannot show, becomes `unnamed`. Spaces stay: TensorBoard shows them.
pub(crate) fn tag_component(metric: &str) -> String {
    if metric.trim().is_empty() {
        return "unnamed".to_string();
    }
    metric.replace('/', "_")
}

/// A test split's tag as one directory name that stays inside the log directory: burn's
/// own file logger's spelling (trimmed, lower case, spaces as `-`), with path separators and
/// the names `.` and `..` made harmless.
pub(crate) fn path_component(tag: &str) -> String {
    let name: String = tag
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            ' ' | '/' | '\\' | ':' => '-',
            c if c.is_control() => '-',
            c => c,
        })
        .collect();
    if name.is_empty() || name.chars().all(|c| c == '.') {
        "untagged".to_string()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn splits_have_their_own_runs_and_share_tags() {
        let layout = Layout::RunPerSplit;
        assert_eq!(layout.run_dir(&Split::Train), PathBuf::from("train"));
        assert_eq!(layout.run_dir(&Split::Valid), PathBuf::from("valid"));
        assert_eq!(layout.run_dir(&Split::Test(None)), PathBuf::from("test"));
        let tagged = Split::Test(Some(Arc::new("Hard Cases".to_string())));
        assert_eq!(layout.run_dir(&tagged), PathBuf::from("test/hard-cases"));
        assert_eq!(layout.batch_tag(&Split::Train, "Loss"), "Loss");
        assert_eq!(layout.batch_tag(&Split::Valid, "Loss"), "Loss");
        assert_eq!(layout.epoch_tag(&Split::Valid, "Loss"), "epoch/Loss");
    }

    #[test]
    fn single_run_puts_the_split_in_the_tag() {
        let layout = Layout::SingleRun;
        assert_eq!(layout.run_dir(&Split::Valid), PathBuf::new());
        assert_eq!(layout.batch_tag(&Split::Train, "Loss"), "train/Loss");
        assert_eq!(layout.epoch_tag(&Split::Valid, "Loss"), "epoch/valid/Loss");
        let tagged = Split::Test(Some(Arc::new("a/b".to_string())));
        assert_eq!(layout.batch_tag(&tagged, "Loss"), "test-a-b/Loss");
    }

    #[test]
    fn metric_names_with_slashes_or_spaces_stay_one_tag() {
        assert_eq!(tag_component("Top-K Accuracy @ 5"), "Top-K Accuracy @ 5");
        assert_eq!(tag_component("loss/aux"), "loss_aux");
        assert_eq!(tag_component("  "), "unnamed");
    }

    #[test]
    fn test_tags_never_leave_the_log_directory() {
        assert_eq!(path_component(".."), "untagged");
        assert_eq!(path_component("../../etc"), "..-..-etc");
        assert_eq!(path_component(""), "untagged");
        assert_eq!(path_component("a\\b"), "a-b");
    }
}
