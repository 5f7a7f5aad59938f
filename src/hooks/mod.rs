//! PyTorch-style hooks for candle.
//!
//! - Module hooks ([`Node::register_forward_pre_hook`], [`Node::register_forward_hook`],
//!   [`Node::register_full_backward_hook`]) live on every layer of the [`crate::nn`] tree;
//!   each returns a [`HookHandle`] whose `remove()` detaches it.
//! - Tensor gradient hooks ([`register_hook`]) see (and may replace) the gradient flowing
//!   through any intermediate tensor.
//! - Parameter gradients can be read or changed between `backward()` and `optimizer.step()`
//!   through the `GradStore` ([`scale_grads`], [`clip_grad_norm`]).
//! - [`Watch`] logs parameter and gradient histograms and gradient norms every N steps
//!   (wandb's `watch`); [`capture`] keeps the outputs of the layers you name.
//! - [`gradcheck`] compares backprop gradients with central differences.
//! - Each kind of hook is a trait ([`ForwardHookFn`], ...) that every closure of its
//!   signature implements.
//!
//! Backward hooks cost two identity ops per hooked module (a copy in the forward pass, a
//! zeroed gradient buffer in `backward()`); on Linux call
//! [`crate::candle_gaps::keep_freed_buffers`] once at the start of `main`, or glibc page-faults
//! those buffers in on every step and the hooks cost several percent of a training step instead
//! of nothing measurable (README, "Hook overhead").
//!
//! Hooks return this crate's [`crate::Result`]; an `Err` from a hook comes out of the
//! `forward` (or `backward()`) call that ran it, as a `candle_core::Error` wrapping it.

mod capture;
mod grad;
mod watch;

pub use crate::gradcheck::{gradcheck, numerical_grad, GradCheck};
pub use crate::node::{
    BackwardHook, BackwardHookFn, BackwardHookInputs, BackwardHookInputsFn, BackwardPreHook,
    BackwardPreHookFn, ForwardHook, ForwardHookFn, ForwardHookInputs, ForwardHookInputsFn,
    ForwardPreHook, ForwardPreHookFn, ForwardPreHookInputs, ForwardPreHookInputsFn, HookGuard,
    HookHandle, HookOptions, Node,
};
pub use capture::{capture, Capture};
pub use grad::{clip_grad_norm, register_hook, scale_grads};
pub use watch::{Watch, WatchLog};
