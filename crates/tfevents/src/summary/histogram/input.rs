//! What a histogram can be made of: [`HistogramValues`] turns slices, vectors, arrays and
//! (with the `candle` feature) tensors into a [`HistogramInput`], borrowing where it can.

use std::borrow::Cow;

use crate::Result;

/// Values ready for bucketing: borrowed where possible, copied to host memory where not.
#[derive(Debug, Clone)]
pub enum HistogramInput<'a> {
    /// 32-bit floats.
    F32(Cow<'a, [f32]>),
    /// 64-bit floats.
    F64(Cow<'a, [f64]>),
    /// Signed 8-bit integers.
    I8(Cow<'a, [i8]>),
    /// Signed 16-bit integers.
    I16(Cow<'a, [i16]>),
    /// Signed 32-bit integers.
    I32(Cow<'a, [i32]>),
    /// Signed 64-bit integers (rounded to the nearest `f64`, as numpy's `astype(float)`).
    I64(Cow<'a, [i64]>),
    /// Unsigned 8-bit integers.
    U8(Cow<'a, [u8]>),
    /// Unsigned 16-bit integers.
    U16(Cow<'a, [u16]>),
    /// Unsigned 32-bit integers.
    U32(Cow<'a, [u32]>),
    /// Unsigned 64-bit integers (rounded to the nearest `f64`, as numpy's `astype(float)`).
    U64(Cow<'a, [u64]>),
}

/// Anything a histogram can be made of: slices, vectors and arrays of numbers, and candle
/// tensors of any dtype on any device.
pub trait HistogramValues {
    /// The values, flattened; a tensor is copied to host memory once, floats narrower than
    /// `f32` are widened to `f32` on their device first (exactly).
    fn histogram_input(&self) -> Result<HistogramInput<'_>>;
}

macro_rules! impl_values {
    ($($t:ty => $variant:ident),* $(,)?) => {$(
        impl HistogramValues for [$t] {
            fn histogram_input(&self) -> Result<HistogramInput<'_>> {
                Ok(HistogramInput::$variant(Cow::Borrowed(self)))
            }
        }
        impl HistogramValues for Vec<$t> {
            fn histogram_input(&self) -> Result<HistogramInput<'_>> {
                Ok(HistogramInput::$variant(Cow::Borrowed(self.as_slice())))
            }
        }
        impl<const N: usize> HistogramValues for [$t; N] {
            fn histogram_input(&self) -> Result<HistogramInput<'_>> {
                Ok(HistogramInput::$variant(Cow::Borrowed(self.as_slice())))
            }
        }
    )*};
}

impl_values!(
    f32 => F32, f64 => F64, i8 => I8, i16 => I16, i32 => I32, i64 => I64,
    u8 => U8, u16 => U16, u32 => U32, u64 => U64,
);

impl<V: HistogramValues + ?Sized> HistogramValues for &V {
    fn histogram_input(&self) -> Result<HistogramInput<'_>> {
        (**self).histogram_input()
    }
}

#[cfg(feature = "candle")]
impl HistogramValues for candle_core::Tensor {
    fn histogram_input(&self) -> Result<HistogramInput<'_>> {
        use candle_core::DType;
        let flat = self.flatten_all()?;
        Ok(match flat.dtype() {
            DType::F32 => HistogramInput::F32(Cow::Owned(flat.to_vec1()?)),
            DType::F64 => HistogramInput::F64(Cow::Owned(flat.to_vec1()?)),
            DType::U8 => HistogramInput::U8(Cow::Owned(flat.to_vec1()?)),
            DType::U32 => HistogramInput::U32(Cow::Owned(flat.to_vec1()?)),
            DType::I16 => HistogramInput::I16(Cow::Owned(flat.to_vec1()?)),
            DType::I32 => HistogramInput::I32(Cow::Owned(flat.to_vec1()?)),
            DType::I64 => HistogramInput::I64(Cow::Owned(flat.to_vec1()?)),
            // f16, bf16 and the 8/6/4-bit floats all widen to f32 exactly.
            _ => HistogramInput::F32(Cow::Owned(flat.to_dtype(DType::F32)?.to_vec1()?)),
        })
    }
}

#[cfg(all(test, feature = "candle"))]
mod tests {
    use super::super::{make_histogram, Bins};

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn tensors_of_every_dtype() -> TestResult {
        use candle_core::{DType, Device, Tensor};
        let t = Tensor::new(&[[1.0f32, 2.0], [3.0, 4.0]], &Device::Cpu)?;
        let want = make_histogram(&[1.0f64, 2.0, 3.0, 4.0][..], &Bins::Tensorflow, None)?;
        for dtype in [
            DType::F32,
            DType::F64,
            DType::F16,
            DType::BF16,
            DType::U8,
            DType::U32,
            DType::I64,
        ] {
            let got = make_histogram(&t.to_dtype(dtype)?, &Bins::Tensorflow, None)?;
            assert_eq!(got, want, "{dtype:?}");
        }
        let scalar = Tensor::new(2.5f32, &Device::Cpu)?;
        let h = make_histogram(&scalar, &Bins::Count(1), None)?;
        assert_eq!(h.num, 1.0);
        assert_eq!(h.bucket, vec![0.0, 1.0]);
        Ok(())
    }
}
