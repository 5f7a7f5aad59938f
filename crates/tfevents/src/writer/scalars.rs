//! [`SummaryWriter`]'s scalar extras: PyTorch's `new_style`/`double_precision` options and
//! `add_tensor`.

use super::{Entry, SummaryWriter};
use crate::error::Result;
use crate::summary::scalar::{
    scalar_summary_with, tensor_summary, ScalarOptions, ScalarValue, TensorElement,
};

/// A `(tag, value)` pair [`SummaryWriter::add_scalars`] takes: an owned pair (from a slice of
/// pairs by value, a `Vec`, a map's `iter()` or `into_iter()`) or a reference to one.
pub trait ScalarPair {
    /// The sub-tag and the value.
    fn tag_value(&self) -> Result<(&str, f64)>;
}

impl<K: AsRef<str>, V: ScalarValue> ScalarPair for (K, V) {
    fn tag_value(&self) -> Result<(&str, f64)> {
        Ok((self.0.as_ref(), self.1.to_f64()?))
    }
}

impl<K: AsRef<str>, V: ScalarValue> ScalarPair for &(K, V) {
    fn tag_value(&self) -> Result<(&str, f64)> {
        Ok((self.0.as_ref(), self.1.to_f64()?))
    }
}

impl SummaryWriter {
    /// [`add_scalar`](Self::add_scalar) with PyTorch's `new_style` and `double_precision`
    /// options.
    pub fn add_scalar_with<V: ScalarValue, S: TryInto<i64>>(
        &self,
        tag: &str,
        value: V,
        step: S,
        options: ScalarOptions,
    ) -> Result<()> {
        self.log(tag, step, || {
            Ok(Entry::Now(scalar_summary_with(
                tag,
                value.to_f64()?,
                options,
            )))
        })
    }

    /// Logs a whole tensor, as PyTorch's `add_tensor(tag, tensor, global_step)`: `values` row
    /// by row with their `shape`. TensorBoard keeps it for readers of the data (no dashboard
    /// draws plugin `tensor`).
    pub fn add_tensor<T: TensorElement, S: TryInto<i64>>(
        &self,
        tag: &str,
        values: &[T],
        shape: &[usize],
        step: S,
    ) -> Result<()> {
        self.log(tag, step, || {
            Ok(Entry::Now(tensor_summary(tag, values, shape)?))
        })
    }
}
