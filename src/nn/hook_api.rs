//! Hook registration on the layers themselves and over whole subtrees.
//!
//! The same methods are generated for the [`super::Module`] trait (for concrete types, where
//! `Self: Sized`; on a `&dyn Module` go through `m.node()`) and as inherent methods of this
//! crate's layers (so they work without importing the trait, as in [`super::hookable`] code,
//! where `Module` is candle's).

use std::sync::Arc;

use super::Module;
use crate::node::{HookHandle, Node};

/// The hook methods of one layer; they delegate to its [`Node`].
macro_rules! layer_hook_methods {
    ($vis:vis $(where $($bound:tt)*)?) => {
        /// Registers a forward hook on this layer (see
        /// [`Node::register_forward_hook`](crate::hooks::Node::register_forward_hook)).
        $vis fn register_forward_hook<F>(&self, f: F) -> $crate::node::HookHandle
        where
            F: $crate::node::ForwardHookFn,
            $($($bound)*)?
        {
            $crate::nn::Module::node(self).register_forward_hook(f)
        }

        /// Registers a forward pre-hook on this layer (see
        /// [`Node::register_forward_pre_hook`](crate::hooks::Node::register_forward_pre_hook)).
        $vis fn register_forward_pre_hook<F>(&self, f: F) -> $crate::node::HookHandle
        where
            F: $crate::node::ForwardPreHookFn,
            $($($bound)*)?
        {
            $crate::nn::Module::node(self).register_forward_pre_hook(f)
        }

        /// Registers a full backward hook on this layer (see
        /// [`Node::register_full_backward_hook`](crate::hooks::Node::register_full_backward_hook)).
        $vis fn register_full_backward_hook<F>(&self, f: F) -> $crate::node::HookHandle
        where
            F: $crate::node::BackwardHookFn,
            $($($bound)*)?
        {
            $crate::nn::Module::node(self).register_full_backward_hook(f)
        }

        /// Registers a full backward pre-hook on this layer (see
        /// [`Node::register_full_backward_pre_hook`](crate::hooks::Node::register_full_backward_pre_hook)).
        $vis fn register_full_backward_pre_hook<F>(&self, f: F) -> $crate::node::HookHandle
        where
            F: $crate::node::BackwardPreHookFn,
            $($($bound)*)?
        {
            $crate::nn::Module::node(self).register_full_backward_pre_hook(f)
        }
    };
}
pub(crate) use layer_hook_methods;

/// Registration over every descendant matching a predicate, with one handle.
macro_rules! subtree_hook_methods {
    ($vis:vis $(where $($bound:tt)*)?) => {
        /// Registers `f` as a forward hook on every descendant for which
        /// `select(name, module)` is true (`|_, _| true` for all of them, PyTorch's global
        /// hooks restricted to this model); one handle removes them all.
        ///
        /// ```
        /// use candle_core::{DType, Device, Tensor};
        /// use candle_tensorboard::models::AlexNet;
        /// use candle_tensorboard::nn::{LayerKind, Module};
        /// let net = AlexNet::small(1, 10, candle_nn::VarBuilder::zeros(DType::F32, &Device::Cpu))?;
        /// let h = net.register_forward_hooks(|_, m| m.layer_kind() == LayerKind::Conv2d, |m, _, o| {
        ///     println!("{}: {:?}", m.name(), o.dims());
        ///     Ok(None)
        /// });
        /// assert_eq!(h.len(), 5);
        /// net.call(&Tensor::zeros((1, 1, 28, 28), DType::F32, &Device::Cpu)?)?;
        /// assert!(h.remove());
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        $vis fn register_forward_hooks<P, F>(&self, select: P, f: F) -> $crate::node::HookHandle
        where
            P: Fn(&str, &dyn $crate::nn::Module) -> bool,
            F: $crate::node::ForwardHookFn,
            $($($bound)*)?
        {
            $crate::nn::hook_api::on_subtree(self, &select, f, |n, f| {
                n.register_forward_hook(move |a, b, c| f(a, b, c))
            })
        }

        /// [`register_forward_hooks`](Self::register_forward_hooks) for forward pre-hooks.
        $vis fn register_forward_pre_hooks<P, F>(&self, select: P, f: F) -> $crate::node::HookHandle
        where
            P: Fn(&str, &dyn $crate::nn::Module) -> bool,
            F: $crate::node::ForwardPreHookFn,
            $($($bound)*)?
        {
            $crate::nn::hook_api::on_subtree(self, &select, f, |n, f| {
                n.register_forward_pre_hook(move |a, b| f(a, b))
            })
        }

        /// [`register_forward_hooks`](Self::register_forward_hooks) for full backward hooks.
        $vis fn register_full_backward_hooks<P, F>(&self, select: P, f: F) -> $crate::node::HookHandle
        where
            P: Fn(&str, &dyn $crate::nn::Module) -> bool,
            F: $crate::node::BackwardHookFn,
            $($($bound)*)?
        {
            $crate::nn::hook_api::on_subtree(self, &select, f, |n, f| {
                n.register_full_backward_hook(move |a, b, c| f(a, b, c))
            })
        }
    };
}
pub(crate) use subtree_hook_methods;

/// Registers the hook `f` (shared) with `register` on every descendant of `m` that `select`
/// picks, and returns one handle for all of them.
pub(crate) fn on_subtree<F>(
    m: &dyn Module,
    select: &dyn Fn(&str, &dyn Module) -> bool,
    f: F,
    register: impl Fn(&Node, Arc<F>) -> HookHandle,
) -> HookHandle {
    let f = Arc::new(f);
    let mut all = HookHandle::empty();
    for (name, child) in m.named_modules() {
        if select(&name, child) {
            all = all.merge(register(child.node(), f.clone()));
        }
    }
    all
}
