//! Which plugin's data each summary value is and how it is served (scalar, tensor or blob
//! sequence): the rules of TensorBoard's data server, so that its plugins find what they
//! expect. Old-style values (`simple_value`, `histo`, `image`, `audio`) are converted; values
//! that carry a data class keep it.

use std::borrow::Cow;

use tfevents::plugin_names;
use tfevents::proto::summary::value::Value;
use tfevents::proto::summary_metadata::PluginData;
use tfevents::proto::{
    tensor_shape_proto, DataClass, DataType, HistogramProto, SummaryMetadata, TensorProto,
    TensorShapeProto,
};
use tfevents::reader::{classify, ValueKind};

/// The tag TensorBoard gives a run's `graph_def` events.
pub const RUN_GRAPH_TAG: &str = "__run_graph__";

/// A series' metadata: its plugin and data class, from the first value of the tag. Metadata
/// that names a data class is kept; an old-style value gets its plugin's; otherwise the
/// plugin decides the class ([`ValueKind::data_class`]).
pub fn initial_metadata(value: Option<&Value>, given: Option<SummaryMetadata>) -> SummaryMetadata {
    let kind = classify(given.as_ref().map_or("", plugin_of), value);
    match (given, old_style_metadata(value, kind)) {
        (Some(md), _) if md.data_class != DataClass::Unknown as i32 => md,
        (_, Some(md)) => md,
        (Some(mut md), None) => {
            if let Some(class) = kind.data_class() {
                md.data_class = class as i32;
            }
            md
        }
        (None, None) => SummaryMetadata::default(),
    }
}

/// The metadata TensorBoard gives an old-style value (`simple_value`, `histo`, `image`,
/// `audio`), which carries none of its own.
fn old_style_metadata(value: Option<&Value>, kind: ValueKind) -> Option<SummaryMetadata> {
    // `converted_to_tensor: true` (field 2 of the image plugin's data, field 3 of the audio
    // plugin's) tells those plugins the blobs are laid out as the tensor form is.
    let content = match value? {
        Value::SimpleValue(_) | Value::Histo(_) => Vec::new(),
        Value::Image(_) => vec![0x10, 1],
        Value::Audio(_) => vec![0x18, 1],
        Value::Tensor(_) | Value::ObsoleteOldStyleHistogram(_) => return None,
    };
    Some(blank(kind.plugin_name()?, kind.data_class()?, content))
}

/// Metadata naming only a plugin and a data class.
pub fn blank(plugin: &str, class: DataClass, content: Vec<u8>) -> SummaryMetadata {
    SummaryMetadata {
        plugin_data: Some(PluginData {
            plugin_name: plugin.to_string(),
            content,
        }),
        data_class: class as i32,
        ..Default::default()
    }
}

/// The plugin owning a series ("" if none).
pub fn plugin_of(md: &SummaryMetadata) -> &str {
    md.plugin_data
        .as_ref()
        .map_or("", |p| p.plugin_name.as_str())
}

/// The series' data class.
pub fn class_of(md: &SummaryMetadata) -> DataClass {
    DataClass::try_from(md.data_class).unwrap_or(DataClass::Unknown)
}

/// A value of a scalar series: `simple_value`, or a one-number tensor.
pub fn to_scalar(value: &Value) -> Option<f32> {
    match value {
        Value::SimpleValue(v) => Some(*v),
        Value::Tensor(t) => tensor_scalar(t),
        _ => None,
    }
}

fn tensor_scalar(t: &TensorProto) -> Option<f32> {
    if t.tensor_shape.as_ref().is_some_and(|s| !s.dim.is_empty()) {
        return None;
    }
    let bytes = t.tensor_content.as_slice();
    let one = |n: usize| (bytes.len() == n).then_some(bytes);
    let dtype = DataType::try_from(t.dtype).ok()?;
    // f32 is what the wire carries; wider numbers are narrowed as TensorBoard does.
    let v = match dtype {
        DataType::DtFloat => match (t.float_val.as_slice(), one(4)) {
            ([v], _) => *v,
            ([], Some(b)) => f32::from_le_bytes(b.try_into().ok()?),
            _ => return None,
        },
        DataType::DtDouble => match (t.double_val.as_slice(), one(8)) {
            ([v], _) => *v as f32,
            ([], Some(b)) => f64::from_le_bytes(b.try_into().ok()?) as f32,
            _ => return None,
        },
        DataType::DtInt32 => match (t.int_val.as_slice(), one(4)) {
            ([v], _) => *v as f32,
            ([], Some(b)) => i32::from_le_bytes(b.try_into().ok()?) as f32,
            _ => return None,
        },
        DataType::DtInt64 => match (t.int64_val.as_slice(), one(8)) {
            ([v], _) => *v as f32,
            ([], Some(b)) => i64::from_le_bytes(b.try_into().ok()?) as f32,
            _ => return None,
        },
        _ => return None,
    };
    Some(v)
}

/// A value of a tensor series: a tensor as written, or a `histo` as the `[k, 3]` tensor of
/// `(left, right, count)` rows the histograms plugin reads (every bucket kept, as doubles:
/// lefts are `min` then the limits, rights the limits then `max`).
pub fn to_tensor(value: Value) -> Option<TensorProto> {
    match value {
        Value::Tensor(t) => Some(t),
        Value::Histo(h) => histogram_tensor(&h),
        _ => None,
    }
}

fn histogram_tensor(h: &HistogramProto) -> Option<TensorProto> {
    let k = h.bucket.len();
    if k != h.bucket_limit.len() {
        return None;
    }
    let inner = h.bucket_limit.get(..k.saturating_sub(1)).unwrap_or(&[]);
    let lefts = std::iter::once(h.min).chain(inner.iter().copied());
    let rights = inner.iter().copied().chain(std::iter::once(h.max));
    let mut content = Vec::with_capacity(k * 24);
    for ((l, r), c) in lefts.zip(rights).zip(h.bucket.iter().copied()) {
        for x in [l, r, c] {
            content.extend_from_slice(&x.to_le_bytes());
        }
    }
    Some(TensorProto {
        dtype: DataType::DtDouble as i32,
        tensor_shape: Some(shape(&[k as i64, 3])),
        tensor_content: content,
        ..Default::default()
    })
}

fn shape(dims: &[i64]) -> TensorShapeProto {
    TensorShapeProto {
        dim: dims
            .iter()
            .map(|&size| tensor_shape_proto::Dim {
                size,
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

/// A value of a blob-sequence series as its blobs: an image as `[width, height, encoded]`,
/// audio as its clips, a string tensor as its strings (audio's `[k, 2]` as the first column,
/// graph summaries' scalar string as itself).
pub fn to_blobs<'a>(value: &'a Value, md: &SummaryMetadata) -> Option<Vec<Cow<'a, [u8]>>> {
    match value {
        Value::Image(im) => Some(vec![
            Cow::Owned(im.width.to_string().into_bytes()),
            Cow::Owned(im.height.to_string().into_bytes()),
            Cow::Borrowed(im.encoded_image_string.as_slice()),
        ]),
        Value::Audio(au) => Some(vec![Cow::Borrowed(au.encoded_audio_string.as_slice())]),
        Value::Tensor(t) if t.dtype == DataType::DtString as i32 => {
            let dims: Vec<i64> = t
                .tensor_shape
                .as_ref()
                .map(|s| s.dim.iter().map(|d| d.size).collect())
                .unwrap_or_default();
            let plugin = plugin_of(md);
            let strings = t.string_val.iter().map(|s| Cow::Borrowed(s.as_slice()));
            match dims.as_slice() {
                [_] => Some(strings.collect()),
                [_, 2] if plugin == plugin_names::AUDIO => Some(strings.step_by(2).collect()),
                [] if t.string_val.len() == 1
                    && classify(plugin, Some(value)) == ValueKind::GraphBlob =>
                {
                    Some(strings.collect())
                }
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfevents::proto::summary::Image;

    #[test]
    fn old_style_values_get_a_plugin_and_class() {
        let md = initial_metadata(Some(&Value::SimpleValue(1.0)), None);
        assert_eq!(
            (plugin_of(&md), class_of(&md)),
            ("scalars", DataClass::Scalar)
        );
        let md = initial_metadata(Some(&Value::Histo(HistogramProto::default())), None);
        assert_eq!(
            (plugin_of(&md), class_of(&md)),
            ("histograms", DataClass::Tensor)
        );
        let text = blank("text", DataClass::Unknown, Vec::new());
        let md = initial_metadata(Some(&Value::Tensor(TensorProto::default())), Some(text));
        assert_eq!((plugin_of(&md), class_of(&md)), ("text", DataClass::Tensor));
        let other = blank("mine", DataClass::Unknown, Vec::new());
        let md = initial_metadata(None, Some(other));
        assert_eq!(class_of(&md), DataClass::Unknown);
    }

    #[test]
    fn histogram_becomes_left_right_count_rows() {
        let h = HistogramProto {
            min: -1.0,
            max: 3.0,
            bucket_limit: vec![0.0, 1.0, 5.0],
            bucket: vec![1.0, 2.0, 3.0],
            ..Default::default()
        };
        let t = to_tensor(Value::Histo(h)).unwrap_or_default();
        let rows: Vec<f64> = t
            .tensor_content
            .chunks_exact(8)
            .filter_map(|b| b.try_into().ok().map(f64::from_le_bytes))
            .collect();
        assert_eq!(rows, [-1.0, 0.0, 1.0, 0.0, 1.0, 2.0, 1.0, 3.0, 3.0]);
        let bad = HistogramProto {
            bucket: vec![1.0],
            ..Default::default()
        };
        assert_eq!(to_tensor(Value::Histo(bad)), None);
    }

    #[test]
    fn scalars_from_tensors() {
        let f = TensorProto {
            dtype: DataType::DtDouble as i32,
            double_val: vec![0.5],
            ..Default::default()
        };
        assert_eq!(to_scalar(&Value::Tensor(f)), Some(0.5));
        let packed = TensorProto {
            dtype: DataType::DtFloat as i32,
            tensor_content: 2.5f32.to_le_bytes().to_vec(),
            ..Default::default()
        };
        assert_eq!(to_scalar(&Value::Tensor(packed)), Some(2.5));
        let vector = TensorProto {
            dtype: DataType::DtFloat as i32,
            float_val: vec![1.0, 2.0],
            ..Default::default()
        };
        assert_eq!(to_scalar(&Value::Tensor(vector)), None);
    }

    #[test]
    fn image_blobs() {
        let im = Image {
            width: 4,
            height: 2,
            encoded_image_string: b"png".to_vec(),
            ..Default::default()
        };
        let md = initial_metadata(Some(&Value::Image(im.clone())), None);
        let value = Value::Image(im);
        let blobs = to_blobs(&value, &md).unwrap_or_default();
        let blobs: Vec<&[u8]> = blobs.iter().map(|b| b.as_ref()).collect();
        assert_eq!(blobs, [&b"4"[..], b"2", b"png"]);
    }
}
