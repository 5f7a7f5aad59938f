//! The text plugin: Markdown shown in TensorBoard's text dashboard.

use crate::proto::{
    summary, summary_metadata::PluginData, DataType, Summary, SummaryMetadata, TensorProto,
    TensorShapeProto,
};

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
        value: vec![summary::Value {
            tag: format!("{tag}/text_summary"),
            metadata: Some(SummaryMetadata {
                plugin_data: Some(PluginData {
                    plugin_name: "text".into(),
                    content: Vec::new(),
                }),
                ..Default::default()
            }),
            value: Some(summary::value::Value::Tensor(tensor)),
            ..Default::default()
        }],
    }
}
