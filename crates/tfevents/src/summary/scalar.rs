//! The scalars plugin.

use crate::proto::{summary, Summary};

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
