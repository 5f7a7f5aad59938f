//! The scalars plugin, and PyTorch's `add_tensor`.

use super::plugin_value::plugin_value;
use crate::error::{Error, Result};
use crate::plugin_names;
use crate::proto::{summary, DataType, Summary, TensorProto, TensorShapeProto};

/// A summary holding one scalar, stored as PyTorch's `add_scalar` stores it: a 32-bit
/// `simple_value`, which TensorBoard's scalar dashboard reads directly.
pub fn scalar_summary(tag: &str, value: f64) -> Summary {
    Summary {
        value: vec![summary::Value {
            tag: tag.to_string(),
            value: Some(summary::value::Value::SimpleValue(value as f32)),
            ..Default::default()
        }],
    }
}

/// How [`scalar_summary_with`] stores the value: PyTorch's `add_scalar` keyword arguments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScalarOptions {
    /// PyTorch's `new_style`: a rank-0 tensor of plugin `scalars` instead of a
    /// `simple_value` (TensorBoard loads these faster).
    pub new_style: bool,
    /// PyTorch's `double_precision`: with `new_style`, a `DT_DOUBLE` tensor instead of
    /// `DT_FLOAT`. Ignored without `new_style`, as in PyTorch. TensorBoard's Python loader
    /// (`--load_fast=false`) shows these; its Rust data server (tensorboard-data-server 0.7,
    /// the default when installed) does not serve `DT_DOUBLE` scalars at all.
    pub double_precision: bool,
}

/// A scalar summary stored as `options` say, as PyTorch's `summary.scalar(name, value,
/// new_style, double_precision)`.
pub fn scalar_summary_with(tag: &str, value: f64, options: ScalarOptions) -> Summary {
    if !options.new_style {
        return scalar_summary(tag, value);
    }
    let tensor = if options.double_precision {
        TensorProto {
            dtype: DataType::DtDouble as i32,
            double_val: vec![value],
            ..Default::default()
        }
    } else {
        TensorProto {
            dtype: DataType::DtFloat as i32,
            float_val: vec![value as f32],
            ..Default::default()
        }
    };
    Summary {
        value: vec![plugin_value(
            tag,
            plugin_names::SCALARS,
            Vec::new(),
            Some(tensor),
        )],
    }
}

/// A value `add_scalar` takes: floats, integers (converted to `f64` as Python's `float()`
/// does), references to them, and with the `candle` feature a one-element `Tensor`.
pub trait ScalarValue {
    /// The value as `f64`, or an error saying why it is not one number.
    fn to_f64(&self) -> Result<f64>;
}

macro_rules! scalar_value {
    ($($t:ty),*) => {$(
        impl ScalarValue for $t {
            fn to_f64(&self) -> Result<f64> {
                Ok(*self as f64)
            }
        }
    )*};
}
scalar_value!(f32, f64, i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl<T: ScalarValue + ?Sized> ScalarValue for &T {
    fn to_f64(&self) -> Result<f64> {
        (**self).to_f64()
    }
}

#[cfg(feature = "candle")]
impl ScalarValue for candle_core::Tensor {
    fn to_f64(&self) -> Result<f64> {
        if self.elem_count() != 1 {
            return Err(Error::BadShape {
                what: "the scalar tensor".to_string(),
                shape: self.dims().to_vec(),
                expected: "add_scalar takes a tensor with one element (reduce it first, e.g. with mean_all)",
            });
        }
        let v = self
            .flatten_all()?
            .to_dtype(candle_core::DType::F64)?
            .to_vec1::<f64>()?;
        Ok(v[0])
    }
}

/// An element type `add_tensor` takes, stored in the `TensorProto` field PyTorch's
/// `tensor_proto` uses for it.
pub trait TensorElement: Copy {
    /// The tensor's dtype.
    const DTYPE: DataType;
    /// Appends `values` to the right field of `proto`.
    fn store(values: &[Self], proto: &mut TensorProto);
}

macro_rules! tensor_element {
    ($t:ty, $dtype:ident, $field:ident, $conv:expr) => {
        impl TensorElement for $t {
            const DTYPE: DataType = DataType::$dtype;
            fn store(values: &[Self], proto: &mut TensorProto) {
                proto.$field.extend(values.iter().map($conv));
            }
        }
    };
}
tensor_element!(f32, DtFloat, float_val, |&v| v);
tensor_element!(f64, DtDouble, double_val, |&v| v);
tensor_element!(i32, DtInt32, int_val, |&v| v);
tensor_element!(i16, DtInt16, int_val, |&v| v as i32);
tensor_element!(i8, DtInt8, int_val, |&v| v as i32);
tensor_element!(u8, DtUint8, int_val, |&v| v as i32);
tensor_element!(i64, DtInt64, int64_val, |&v| v);
tensor_element!(u32, DtUint32, uint32_val, |&v| v);
tensor_element!(u64, DtUint64, uint64_val, |&v| v);
tensor_element!(bool, DtBool, bool_val, |&v| v);

/// `shape` as a `TensorShapeProto`'s dimensions, refusing a dimension over `i64::MAX`, which
/// would otherwise be stored as a negative ("unknown") size. Such a dimension can only come
/// with an empty tensor (another dimension 0), as no slice holds that many values.
pub(crate) fn shape_dims(shape: &[usize]) -> Result<Vec<i64>> {
    shape
        .iter()
        .map(|&d| {
            i64::try_from(d).map_err(|_| Error::OutOfRange {
                what: format!("a dimension of shape {shape:?}"),
                value: d as f64,
                min: 0.0,
                max: i64::MAX as f64,
            })
        })
        .collect()
}

/// The most values a tensor summary holds: its repeated field takes at least 4 bytes a value
/// in memory (8 for `f64`/`i64`), and a `Summary` over 2 GiB cannot be read back, so
/// (2^31 - 1) / 8 values keep every dtype under protobuf's limit. Refused before the field is
/// filled.
pub const MAX_TENSOR_VALUES: usize = i32::MAX as usize / 8;

/// A summary holding a whole tensor, as PyTorch's `add_tensor` (plugin `tensor`, the values
/// in the dtype's repeated field). Errors when `shape` does not match the values' count or has
/// a dimension over `i64::MAX` ([`Error::OutOfRange`]), and with [`Error::TooMany`] over
/// [`MAX_TENSOR_VALUES`].
pub fn tensor_summary<T: TensorElement>(
    tag: &str,
    values: &[T],
    shape: &[usize],
) -> Result<Summary> {
    let count = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    if count != Some(values.len()) {
        return Err(Error::ShapeMismatch {
            shape: shape.to_vec(),
            needs: count.unwrap_or(usize::MAX),
            got: values.len(),
        });
    }
    let dims = shape_dims(shape)?;
    if values.len() > MAX_TENSOR_VALUES {
        return Err(Error::TooMany {
            what: "tensor values in one summary",
            count: values.len(),
            limit: MAX_TENSOR_VALUES,
        });
    }
    let mut tensor = TensorProto {
        dtype: T::DTYPE as i32,
        tensor_shape: Some(TensorShapeProto::from_dims(&dims)),
        ..Default::default()
    };
    T::store(values, &mut tensor);
    // PyTorch's `add_tensor` names no dashboard's plugin: "tensor" only marks it as a tensor.
    Ok(Summary {
        value: vec![plugin_value(tag, "tensor", Vec::new(), Some(tensor))],
    })
}
