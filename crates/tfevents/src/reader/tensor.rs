//! Reading tensors: texts, and TF2-style summaries (TensorFlow 2 and Keras write scalars and
//! histograms as tensors tagged with the `scalars` / `histograms` plugin instead of
//! `simple_value` / `histo`).

use crate::proto::{HistogramProto, TensorProto};

// TensorFlow's DataType numbers (types.proto).
const DT_FLOAT: i32 = 1;
const DT_DOUBLE: i32 = 2;
const DT_INT32: i32 = 3;
const DT_INT64: i32 = 9;
const DT_HALF: i32 = 19;

/// The tensor's values as f64, from `tensor_content` or the typed fields; `None` for dtypes
/// that are not numbers we read.
pub(super) fn values(tensor: &TensorProto) -> Option<Vec<f64>> {
    let content = &tensor.tensor_content;
    let from_bytes = |width: usize, f: &dyn Fn(&[u8]) -> f64| -> Vec<f64> {
        content.chunks_exact(width).map(f).collect()
    };
    let le4 = |b: &[u8]| [b[0], b[1], b[2], b[3]];
    let le8 = |b: &[u8]| [b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]];
    let values = match tensor.dtype {
        DT_FLOAT if !content.is_empty() => from_bytes(4, &|b| f32::from_le_bytes(le4(b)) as f64),
        DT_FLOAT => tensor.float_val.iter().map(|&v| v as f64).collect(),
        DT_DOUBLE if !content.is_empty() => from_bytes(8, &|b| f64::from_le_bytes(le8(b))),
        DT_DOUBLE => tensor.double_val.clone(),
        DT_INT32 if !content.is_empty() => from_bytes(4, &|b| i32::from_le_bytes(le4(b)) as f64),
        DT_INT32 => tensor.int_val.iter().map(|&v| v as f64).collect(),
        DT_INT64 if !content.is_empty() => from_bytes(8, &|b| i64::from_le_bytes(le8(b)) as f64),
        DT_INT64 => tensor.int64_val.iter().map(|&v| v as f64).collect(),
        DT_HALF if !content.is_empty() => {
            from_bytes(2, &|b| f16_to_f64(u16::from_le_bytes([b[0], b[1]])))
        }
        // `half_val` holds each half's bits in the low 16 bits of an int32.
        DT_HALF => tensor
            .half_val
            .iter()
            .map(|&v| f16_to_f64(v as u16))
            .collect(),
        _ => return None,
    };
    Some(values)
}

/// IEEE 754 half precision to f64.
fn f16_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = (bits >> 10) & 0x1f;
    let frac = (bits & 0x3ff) as f64;
    sign * match exp {
        0 => frac * 2f64.powi(-24),
        0x1f if frac == 0.0 => f64::INFINITY,
        0x1f => f64::NAN,
        _ => (1.0 + frac / 1024.0) * 2f64.powi(exp as i32 - 15),
    }
}

/// A text: a string tensor's strings (UTF-8, damaged bytes replaced), one per line.
pub(super) fn text(tensor: &TensorProto) -> String {
    tensor
        .string_val
        .iter()
        .map(|s| String::from_utf8_lossy(s))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A scalar: a tensor holding exactly one number.
pub(super) fn scalar(tensor: &TensorProto) -> Option<f64> {
    match values(tensor)?.as_slice() {
        [v] => Some(*v),
        _ => None,
    }
}

/// A TF2 histogram, a `[k, 3]` tensor of `(left edge, right edge, count)` rows, as a
/// `HistogramProto`. The tensor holds no sum or sum of squares: they are estimated from the
/// bucket centres.
pub(super) fn histogram(tensor: &TensorProto) -> Option<HistogramProto> {
    let values = values(tensor)?;
    if values.len() % 3 != 0 {
        return None;
    }
    let rows: Vec<&[f64]> = values.chunks_exact(3).collect();
    let mut h = HistogramProto {
        min: rows.first().map_or(0.0, |r| r[0]),
        max: rows.last().map_or(0.0, |r| r[1]),
        ..Default::default()
    };
    for row in rows {
        let (left, right, count) = (row[0], row[1], row[2]);
        let centre = (left + right) / 2.0;
        h.num += count;
        h.sum += centre * count;
        h.sum_squares += centre * centre * count;
        h.bucket_limit.push(right);
        h.bucket.push(count);
    }
    Some(h)
}
