//! Gradient hooks on tensors, and helpers for parameter gradients.
//!
//! candle keeps only the gradients of variables in the [`GradStore`] that `backward()`
//! returns; intermediate gradients are dropped as soon as they are used. A gradient hook is
//! an identity op inserted into the graph whose backward pass calls your closure with the
//! gradient flowing through it, and passes on either that gradient or the one you return.

use candle_core::backprop::GradStore;
use candle_core::{Tensor, Var};

use crate::node::Probe;
use crate::{Error, Result};

/// Attaches a gradient hook to `tensor` and returns the tensor to use downstream.
///
/// `f(grad)` is called during `backward()` with the gradient of the loss with respect to the
/// returned tensor; return `Ok(None)` to pass it on unchanged (to record it, like
/// `retain_grad`), or `Ok(Some(g))` to pass on `g` instead (to clip or scale it).
///
/// candle's graphs are immutable, so the hook cannot be attached to `tensor` in place as in
/// PyTorch: only computations that use the **returned** tensor see it. `tensor` must require a
/// gradient (be a `Var` or be computed from one), otherwise this returns an error.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use candle_core::{Device, Var};
/// use candle_tensorboard::hooks::register_hook;
/// let w = Var::new(&[1f32], &Device::Cpu)?;
/// let x = Var::new(&[2f32], &Device::Cpu)?;
/// let a = (w.as_tensor() + x.as_tensor())?;
/// let b = (w.as_tensor() + 1.0)?;
/// let a_grad = Arc::new(Mutex::new(Vec::new()));
/// let store = a_grad.clone();
/// let a = register_hook(&a, move |g| {
///     if let Ok(mut v) = store.lock() {
///         v.push(g.to_vec1::<f32>()?);
///     }
///     Ok(None)
/// })?; // use this `a` from here on
/// let y = (a * b)?;
/// let grads = y.backward()?;
/// assert_eq!(grads.get(&w).ok_or("no grad")?.to_vec1::<f32>()?, [5.0]);
/// assert_eq!(grads.get(&x).ok_or("no grad")?.to_vec1::<f32>()?, [2.0]);
/// assert_eq!(*a_grad.lock().map_err(|e| e.to_string())?, [vec![2.0]]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn register_hook<F>(tensor: &Tensor, f: F) -> Result<Tensor>
where
    F: Fn(&Tensor) -> Result<Option<Tensor>> + Send + Sync + 'static,
{
    if !tensor.track_op() {
        return Err(Error::invalid(
            "tensor",
            "this tensor does not require a gradient, so no gradient will ever reach a hook on it; \
             only `Var`s and tensors computed from `Var`s carry gradients (make the weights or the input a `Var`)",
        ));
    }
    Ok(tensor.apply_op1(Probe::new(f))?)
}

/// Multiplies the gradient of every var in `vars` found in `grads` by `factor`, in place.
///
/// This is how to modify parameter gradients between `backward()` and `optimizer.step()`:
/// a [`GradStore`] maps each `Var` to its gradient; read it with `get`, replace it with
/// `insert`, then hand the store to the optimizer.
///
/// ```
/// use candle_core::{Device, Var};
/// use candle_nn::{Optimizer, SGD};
/// let w = Var::new(&[1f32, 2.0], &Device::Cpu)?;
/// let loss = w.as_tensor().sqr()?.sum_all()?;
/// let mut grads = loss.backward()?;                 // d loss / dw = 2w = [2, 4]
/// candle_tensorboard::hooks::scale_grads(&mut grads, &[w.clone()], 0.5)?;
/// // Or by hand: if let Some(g) = grads.get(&w) { let g = g.clamp(-1f32, 1f32)?; grads.insert(&w, g); }
/// let mut sgd = SGD::new(vec![w.clone()], 0.1)?;
/// sgd.step(&grads)?;                                // w -= 0.1 * [1, 2]
/// assert_eq!(w.to_vec1::<f32>()?, [0.9, 1.8]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn scale_grads(grads: &mut GradStore, vars: &[Var], factor: f64) -> Result<()> {
    for v in vars {
        if let Some(g) = grads.get(v.as_tensor()) {
            let g = g.affine(factor, 0.)?;
            grads.insert(v.as_tensor(), g);
        }
    }
    Ok(())
}

/// Rescales the gradients of `vars` so that their global L2 norm is at most `max_norm`, like
/// PyTorch's `clip_grad_norm_`; returns the norm before clipping.
pub fn clip_grad_norm(grads: &mut GradStore, vars: &[Var], max_norm: f64) -> Result<f64> {
    if !(max_norm.is_finite() && max_norm > 0.0) {
        return Err(Error::Events(tfevents::Error::BadNumber {
            what: "max_norm".into(),
            value: max_norm,
            must: "finite and > 0",
        }));
    }
    let mut sq = 0f64;
    for v in vars {
        if let Some(g) = grads.get(v.as_tensor()) {
            sq += g
                .to_dtype(candle_core::DType::F64)?
                .sqr()?
                .sum_all()?
                .to_scalar::<f64>()?;
        }
    }
    let norm = sq.sqrt();
    // Same epsilon as PyTorch so that the clipped norm lands just under max_norm.
    let coef = max_norm / (norm + 1e-6);
    if coef < 1.0 {
        scale_grads(grads, vars, coef)?;
    }
    Ok(norm)
}
