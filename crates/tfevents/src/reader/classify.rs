//! What kind of data a summary value holds: the one place where a value's plugin and its
//! `value` field decide whether it is a scalar, a histogram, an image, a text, ...
//!
//! TensorBoard's rules: an old-style value (`simple_value`, `histo`, `image`, `audio`) is what
//! its field says, whatever its metadata; any other value (a tensor, as TF2, PyTorch's text and
//! every newer plugin write) belongs to the plugin named in the first metadata of its tag.

use crate::plugin_names as plugin;
use crate::proto::summary::value::Value;
use crate::proto::DataClass;

/// The kind of data of a summary value, as [`classify`] tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueKind {
    /// A scalar: `simple_value`, or a one-number tensor of the `scalars` plugin.
    Scalar,
    /// A histogram: `histo`, or a `[k, 3]` tensor of the `histograms` plugin.
    Histogram,
    /// An encoded image: `image`, or a string tensor of the `images` plugin.
    Image,
    /// An encoded audio clip: `audio`, or a string tensor of the `audio` plugin.
    Audio,
    /// Markdown text: a string tensor of the `text` plugin.
    Text,
    /// A precision-recall curve: a `[6, N]` tensor of the `pr_curves` plugin.
    PrCurve,
    /// A hyperparameter summary (experiment, session start or end) of the `hparams` plugin.
    Hparams,
    /// A point cloud or mesh of the `mesh` plugin.
    Mesh,
    /// A custom scalar layout of the `custom_scalars` plugin.
    CustomScalars,
    /// A serialized run metadata or Keras model of the graphs dashboard
    /// (`graph_run_metadata`, `graph_run_metadata_graph`, `graph_keras_model`).
    GraphBlob,
    /// A tensor of any other plugin, or of none.
    Other,
}

/// The kind of a summary value: `plugin` is the plugin name of its tag (from the tag's first
/// metadata, as TensorBoard classifies a tag once; `""` when it has none), `value` the
/// value's `value` field.
///
/// ```
/// use tfevents::proto::summary::value::Value;
/// use tfevents::reader::{classify, ValueKind};
///
/// assert_eq!(classify("", Some(&Value::SimpleValue(1.0))), ValueKind::Scalar);
/// let tensor = Value::Tensor(Default::default());
/// assert_eq!(classify("text", Some(&tensor)), ValueKind::Text);
/// assert_eq!(classify("my_plugin", Some(&tensor)), ValueKind::Other);
/// ```
pub fn classify(plugin: &str, value: Option<&Value>) -> ValueKind {
    match value {
        Some(Value::SimpleValue(_)) => ValueKind::Scalar,
        Some(Value::Histo(_)) => ValueKind::Histogram,
        Some(Value::Image(_)) => ValueKind::Image,
        Some(Value::Audio(_)) => ValueKind::Audio,
        Some(Value::Tensor(_) | Value::ObsoleteOldStyleHistogram(_)) | None => of_plugin(plugin),
    }
}

/// The kind of the data a plugin writes.
fn of_plugin(name: &str) -> ValueKind {
    match name {
        plugin::SCALARS => ValueKind::Scalar,
        plugin::HISTOGRAMS => ValueKind::Histogram,
        plugin::IMAGES => ValueKind::Image,
        plugin::AUDIO => ValueKind::Audio,
        plugin::TEXT => ValueKind::Text,
        plugin::PR_CURVES => ValueKind::PrCurve,
        plugin::HPARAMS => ValueKind::Hparams,
        plugin::MESH => ValueKind::Mesh,
        plugin::CUSTOM_SCALARS => ValueKind::CustomScalars,
        plugin::GRAPH_RUN_METADATA
        | plugin::GRAPH_RUN_METADATA_WITH_GRAPH
        | plugin::GRAPH_KERAS_MODEL => ValueKind::GraphBlob,
        _ => ValueKind::Other,
    }
}

impl ValueKind {
    /// The data class TensorBoard's data server gives a series of this kind: how it is
    /// stored and served (one number, a tensor, or a sequence of blobs). `None` for
    /// [`Other`](Self::Other): TensorBoard leaves a plugin it does not know unclassified.
    pub fn data_class(self) -> Option<DataClass> {
        match self {
            ValueKind::Scalar => Some(DataClass::Scalar),
            ValueKind::Histogram
            | ValueKind::Text
            | ValueKind::PrCurve
            | ValueKind::Hparams
            | ValueKind::Mesh
            | ValueKind::CustomScalars => Some(DataClass::Tensor),
            ValueKind::Image | ValueKind::Audio | ValueKind::GraphBlob => {
                Some(DataClass::BlobSequence)
            }
            ValueKind::Other => None,
        }
    }

    /// The plugin whose dashboard shows this kind, for the kinds that have exactly one (an
    /// old-style value carries no plugin name: this is the one TensorBoard gives it).
    pub fn plugin_name(self) -> Option<&'static str> {
        match self {
            ValueKind::Scalar => Some(plugin::SCALARS),
            ValueKind::Histogram => Some(plugin::HISTOGRAMS),
            ValueKind::Image => Some(plugin::IMAGES),
            ValueKind::Audio => Some(plugin::AUDIO),
            ValueKind::Text => Some(plugin::TEXT),
            ValueKind::PrCurve => Some(plugin::PR_CURVES),
            ValueKind::Hparams => Some(plugin::HPARAMS),
            ValueKind::Mesh => Some(plugin::MESH),
            ValueKind::CustomScalars => Some(plugin::CUSTOM_SCALARS),
            ValueKind::GraphBlob | ValueKind::Other => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::summary::{Audio, Image};
    use crate::proto::{HistogramProto, TensorProto};

    #[test]
    fn old_style_values_are_what_their_field_says_whatever_the_plugin() {
        let cases = [
            (Value::SimpleValue(1.0), ValueKind::Scalar),
            (
                Value::Histo(HistogramProto::default()),
                ValueKind::Histogram,
            ),
            (Value::Image(Image::default()), ValueKind::Image),
            (Value::Audio(Audio::default()), ValueKind::Audio),
        ];
        for (value, kind) in cases {
            assert_eq!(classify("", Some(&value)), kind);
            assert_eq!(classify(plugin::TEXT, Some(&value)), kind);
        }
    }

    #[test]
    fn tensors_belong_to_their_plugin() {
        let tensor = Value::Tensor(TensorProto::default());
        let cases = [
            (plugin::SCALARS, ValueKind::Scalar),
            (plugin::HISTOGRAMS, ValueKind::Histogram),
            (plugin::IMAGES, ValueKind::Image),
            (plugin::AUDIO, ValueKind::Audio),
            (plugin::TEXT, ValueKind::Text),
            (plugin::PR_CURVES, ValueKind::PrCurve),
            (plugin::HPARAMS, ValueKind::Hparams),
            (plugin::MESH, ValueKind::Mesh),
            (plugin::CUSTOM_SCALARS, ValueKind::CustomScalars),
            (plugin::GRAPH_RUN_METADATA, ValueKind::GraphBlob),
            (plugin::GRAPH_RUN_METADATA_WITH_GRAPH, ValueKind::GraphBlob),
            (plugin::GRAPH_KERAS_MODEL, ValueKind::GraphBlob),
            (plugin::GRAPHS, ValueKind::Other),
            ("", ValueKind::Other),
            ("someone_elses", ValueKind::Other),
        ];
        for (name, kind) in cases {
            assert_eq!(classify(name, Some(&tensor)), kind, "{name}");
            assert_eq!(classify(name, None), kind, "{name} without a value");
        }
    }

    #[test]
    fn data_classes_follow_tensorboard() {
        assert_eq!(ValueKind::Scalar.data_class(), Some(DataClass::Scalar));
        assert_eq!(ValueKind::Mesh.data_class(), Some(DataClass::Tensor));
        assert_eq!(
            ValueKind::GraphBlob.data_class(),
            Some(DataClass::BlobSequence)
        );
        assert_eq!(ValueKind::Other.data_class(), None);
        assert_eq!(ValueKind::Image.plugin_name(), Some(plugin::IMAGES));
        assert_eq!(ValueKind::Other.plugin_name(), None);
    }
}
