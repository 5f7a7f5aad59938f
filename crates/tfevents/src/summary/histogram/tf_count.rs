//! How each number type reaches the Tensorflow buckets: through the `f32` table, the `f64`
//! table, or a search when a table is missing. Kept apart from [`Elem`] so that the counting
//! code (tables, numpy bins, stats) can be generic over `Elem` without depending on itself.

use super::elem::Elem;
use super::numpy_bins::count_explicit;
use super::stats::Stats;
use super::tables::{count_with_table, f32_table, f64_table, stats_and_counts};
use super::tf_edges::tensorflow_edges;

/// An [`Elem`] counted into the Tensorflow buckets.
pub(super) trait TensorflowCount: Elem {
    /// Adds each value's extended bucket index (see `numpy_bins::ext_index`) over the
    /// Tensorflow edges into `ext_counts`.
    fn count_tensorflow(values: &[Self], ext_counts: &mut [u64]) {
        match f64_table() {
            Some(table) => count_with_table(values, table, |x| x.to_f64().to_bits(), ext_counts),
            None => count_explicit(values, tensorflow_edges(), ext_counts),
        }
    }

    /// The values' stats and [`TensorflowCount::count_tensorflow`] in one pass.
    fn stats_and_tensorflow_counts(values: &[Self]) -> (Stats, Vec<u64>) {
        stats_and_counts(
            values,
            f64_table(),
            |x| x.to_f64().to_bits(),
            Self::count_tensorflow,
        )
    }
}

impl TensorflowCount for f32 {
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

impl TensorflowCount for f64 {}
impl TensorflowCount for i8 {}
impl TensorflowCount for i16 {}
impl TensorflowCount for i32 {}
impl TensorflowCount for i64 {}
impl TensorflowCount for u8 {}
impl TensorflowCount for u16 {}
impl TensorflowCount for u32 {}
impl TensorflowCount for u64 {}
