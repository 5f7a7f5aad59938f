//! The one place a summary value for a TensorBoard plugin is built: the tag, the plugin's name
//! and content in the value's metadata, and its data (a tensor, or nothing for the hparams
//! plugin, whose data is all in the content). Every plugin summary (scalars, text, PR curves,
//! hparams, custom scalars, meshes) goes through [`plugin_value`].

use crate::proto::summary_metadata::PluginData;
use crate::proto::{summary, SummaryMetadata, TensorProto};

/// A `Summary.Value` tagged `tag` for plugin `plugin_name` (a [`crate::plugin_names`]
/// constant), with the plugin's `content` (its own encoded message, or empty) and `tensor`.
pub(crate) fn plugin_value(
    tag: impl Into<String>,
    plugin_name: &str,
    content: Vec<u8>,
    tensor: Option<TensorProto>,
) -> summary::Value {
    summary::Value {
        tag: tag.into(),
        metadata: Some(SummaryMetadata {
            plugin_data: Some(PluginData {
                plugin_name: plugin_name.to_string(),
                content,
            }),
            ..Default::default()
        }),
        value: tensor.map(summary::value::Value::Tensor),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin_names;

    #[test]
    fn names_the_plugin_and_holds_the_tensor() {
        let v = plugin_value(
            "loss",
            plugin_names::SCALARS,
            vec![1, 2],
            Some(TensorProto::default()),
        );
        assert_eq!(v.tag, "loss");
        let data = v.metadata.and_then(|m| m.plugin_data).expect("plugin data");
        assert_eq!(data.plugin_name, "scalars");
        assert_eq!(data.content, vec![1, 2]);
        assert!(matches!(v.value, Some(summary::value::Value::Tensor(_))));
        assert!(plugin_value("h", plugin_names::HPARAMS, vec![], None)
            .value
            .is_none());
    }
}
