//! The number types the histogram code is compiled for, and how each reaches the Tensorflow
//! buckets (through the `f32` table, the `f64` table, or a search when a table is missing).

use super::numpy_bins::count_explicit;
use super::stats::Stats;
use super::tables::{count_with_table, f32_table, f64_table, stats_and_counts};
use super::tf_edges::tensorflow_edges;

/// A number type the histogram code is compiled for.
pub(super) trait Elem: Copy {
    /// The value as numpy's `astype(float)` gives it.
    fn to_f64(self) -> f64;

    /// Adds each value's extended bucket index (see [`ext_index`]) over the Tensorflow edges
    /// into `ext_counts`.
    fn count_tensorflow(values: &[Self], ext_counts: &mut [u64]) {
        match f64_table() {
            Some(table) => count_with_table(values, table, |x| x.to_f64().to_bits(), ext_counts),
            None => count_explicit(values, tensorflow_edges(), ext_counts),
        }
    }

    /// [`stats`] and [`Elem::count_tensorflow`] in one pass over the values.
    fn stats_and_tensorflow_counts(values: &[Self]) -> (Stats, Vec<u64>) {
        stats_and_counts(
            values,
            f64_table(),
            |x| x.to_f64().to_bits(),
            Self::count_tensorflow,
        )
    }
}

impl Elem for f32 {
    fn to_f64(self) -> f64 {
        f64::from(self)
    }

    fn count_tensorflow(values: &[Self], ext_counts: &mut [u64]) {
        match f32_table() {
            Some(table) => count_with_table(values, table, f32::to_bits, ext_counts),
            None => count_explicit(values, tensorflow_edges(), ext_counts),
        }
    }

    fn stats_and_tensorflow_counts(values: &[Self]) -> (Stats, Vec<u64>) {
        stats_and_counts(values, f32_table(), f32::to_bits, Self::count_tensorflow)
    }
}

macro_rules! impl_elem {
    ($($t:ty),*) => {$(
        impl Elem for $t {
            #[allow(clippy::cast_lossless, clippy::cast_precision_loss)]
            fn to_f64(self) -> f64 {
                self as f64
            }
        }
    )*};
}

impl_elem!(f64, i8, i16, i32, i64, u8, u16, u32, u64);
