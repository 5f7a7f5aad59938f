//! The text plugin: Markdown shown in TensorBoard's text dashboard.

use super::plugin_value::plugin_value;
use crate::plugin_names;
use crate::proto::{DataType, Summary, TensorProto, TensorShapeProto};

/// A summary holding `text` (Markdown) as PyTorch's `add_text` writes it: tag
/// `<tag>/text_summary`, plugin `text` with an empty `TextPluginData` (version 0 encodes to no
/// bytes), and a `DT_STRING` tensor of shape `[1]`.
pub fn text_summary(tag: &str, text: &str) -> Summary {
    let tensor = TensorProto {
        dtype: DataType::DtString as i32,
        tensor_shape: Some(TensorShapeProto::from_dims(&[1])),
        string_val: vec![text.as_bytes().to_vec()],
        ..Default::default()
    };
    Summary {
        value: vec![plugin_value(
            format!("{tag}/text_summary"),
            plugin_names::TEXT,
            Vec::new(),
            Some(tensor),
        )],
    }
}
