//! Steps as TensorBoard stores them: any integer a caller has, checked into an `i64`.
//!
//! Its own module because the writer and the summary builders (an embedding's step) both
//! need it, and neither may import the other.

use crate::{Error, Result};

/// The step as TensorBoard stores it, or the error for a step beyond `i64`.
pub(crate) fn to_step<S: TryInto<i64>>(step: S) -> Result<i64> {
    step.try_into()
        .map_err(|_| Error::invalid("step", "does not fit in a signed 64-bit integer"))
}
