//! Registering hooks on a [`Node`]: one method per kind, and the one-input forms that adapt
//! a hook to the stored every-input form.

use std::sync::Arc;

use super::hook_fn::{
    BackwardHookFn, BackwardHookInputs, BackwardHookInputsFn, BackwardPreHook, BackwardPreHookFn,
    ForwardHookFn, ForwardHookInputs, ForwardHookInputsFn, ForwardPreHookFn, ForwardPreHookInputs,
    ForwardPreHookInputsFn,
};
use super::{HookHandle, HookOptions, Node};

impl Node {
    /// Registers `f(module, input)`, called before the forward pass; returning
    /// `Ok(Some(t))` makes `t` the input. Hooks run in registration order.
    /// On a multi-input module `input` is the first input; see
    /// [`Node::register_forward_pre_hook_with_inputs`].
    pub fn register_forward_pre_hook<F: ForwardPreHookFn>(&self, f: F) -> HookHandle {
        self.register_forward_pre_hook_with_inputs(HookOptions::default(), move |n, xs| {
            let Some(x) = xs.first() else {
                return Ok(None);
            };
            Ok(f(n, x)?.map(|t| {
                let mut v = xs.to_vec();
                if let Some(first) = v.first_mut() {
                    *first = t;
                }
                v
            }))
        })
    }

    /// Registers `f(module, inputs)` with [`HookOptions`]: `inputs` holds every input of
    /// the call (one for ordinary layers); returning `Ok(Some(v))` replaces them, and `v`
    /// must hold as many tensors (otherwise the call fails with an error saying so).
    pub fn register_forward_pre_hook_with_inputs<F: ForwardPreHookInputsFn>(
        &self,
        opts: HookOptions,
        f: F,
    ) -> HookHandle {
        self.hooks.add::<ForwardPreHookInputs>(Arc::new(f), opts)
    }

    /// Registers `f(module, input, output)`, called after the forward pass; returning
    /// `Ok(Some(t))` makes `t` the output (of any shape, as in PyTorch: the next layer sees
    /// it). Hooks run in registration order. On a multi-input module `input` is the first
    /// input; see [`Node::register_forward_hook_with_inputs`].
    pub fn register_forward_hook<F: ForwardHookFn>(&self, f: F) -> HookHandle {
        self.register_forward_hook_with_inputs(HookOptions::default(), move |n, xs, out| {
            match (xs.first(), out) {
                (Some(x), Some(o)) => f(n, x, o),
                _ => Ok(None),
            }
        })
    }

    /// Registers `f(module, inputs, output)` with [`HookOptions`] (PyTorch's `prepend`,
    /// `always_call` and `with_kwargs`): `inputs` holds every input of the call, `output` is
    /// `None` only for an `always_call` hook after a failure (its return value is then
    /// ignored).
    ///
    /// ```
    /// use candle_core::{DType, Device, Tensor};
    /// use candle_tensorboard::hooks::HookOptions;
    /// use candle_tensorboard::nn::{Module, ReLU};
    /// let relu = ReLU::new();
    /// let first = HookOptions { prepend: true, ..Default::default() };
    /// let _a = relu.node().register_forward_hook_with_inputs(Default::default(), |_, _, o| {
    ///     Ok(o.map(|o| (o + 1.0)).transpose()?)          // runs second: (0 * 10) + 1
    /// });
    /// let _b = relu.node().register_forward_hook_with_inputs(first, |_, _, o| {
    ///     Ok(o.map(|o| (o * 10.0)).transpose()?)         // runs first
    /// });
    /// let y = relu.call(&Tensor::zeros(1, DType::F32, &Device::Cpu)?)?;
    /// assert_eq!(y.to_vec1::<f32>()?, [1.0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn register_forward_hook_with_inputs<F: ForwardHookInputsFn>(
        &self,
        opts: HookOptions,
        f: F,
    ) -> HookHandle {
        self.hooks.add::<ForwardHookInputs>(Arc::new(f), opts)
    }

    /// Registers `f(module, grad_input, grad_output)`, called during `backward()` once per
    /// forward call of the module, when the gradients with respect to its input and output are
    /// known. Returning `Ok(Some(g))` replaces `grad_input` (ignored when it is `None`); a
    /// tensor of another shape than `grad_input` makes `backward()` fail with an error saying
    /// so.
    ///
    /// Backward hooks need a graph: the module's output must depend on a `Var` (trainable
    /// weights from a `VarMap`, or an input that is a `Var`). `grad_input` is `None` when the
    /// module's input does not depend on a `Var` (e.g. the first layer fed with data). On a
    /// multi-input module `grad_input` is the gradient of the first input; see
    /// [`Node::register_full_backward_hook_with_inputs`] for all of them.
    /// While a node has backward hooks, each forward call adds two identity ops (one copy of
    /// the input and one of the output); without them nothing is added.
    pub fn register_full_backward_hook<F: BackwardHookFn>(&self, f: F) -> HookHandle {
        self.register_full_backward_hook_with(HookOptions::default(), f)
    }

    /// [`Node::register_full_backward_hook`] with [`HookOptions::prepend`].
    pub fn register_full_backward_hook_with<F: BackwardHookFn>(
        &self,
        opts: HookOptions,
        f: F,
    ) -> HookHandle {
        self.register_full_backward_hook_with_inputs(opts, move |n, grads, go| {
            let first = grads.first().and_then(Option::as_ref);
            Ok(f(n, first, go)?.map(|g| {
                let mut all = vec![None; grads.len()];
                if let Some(slot) = all.first_mut() {
                    *slot = Some(g);
                }
                all
            }))
        })
    }

    /// Registers `f(module, grad_inputs, grad_output)`, a full backward hook that sees the
    /// gradient of every input of a multi-input module (a residual block, attention with a
    /// mask), as PyTorch's `grad_input` tuple; same graph requirement and timing as
    /// [`Node::register_full_backward_hook`]. `grad_inputs[i]` is `None` when input `i` does
    /// not depend on a `Var`, or has another dtype than the first input that does (their
    /// gradients are gathered into one tensor). Returning `Ok(Some(v))` with one entry per
    /// input replaces the gradients whose entry is `Some`; a wrong count or shape makes
    /// `backward()` fail with an error saying so.
    ///
    /// With two or more inputs that need a gradient, each forward call copies them into one
    /// tensor (so that their gradients arrive together); with one, nothing is copied.
    pub fn register_full_backward_hook_with_inputs<F: BackwardHookInputsFn>(
        &self,
        opts: HookOptions,
        f: F,
    ) -> HookHandle {
        self.hooks.add::<BackwardHookInputs>(Arc::new(f), opts)
    }

    /// Registers `f(module, grad_output)` (PyTorch's `register_full_backward_pre_hook`),
    /// called during `backward()` as soon as the gradient with respect to the module's output
    /// is known, before the module's backward pass and its backward hooks; returning
    /// `Ok(Some(g))` (same shape) replaces that gradient. Same graph requirement as
    /// [`Node::register_full_backward_hook`].
    pub fn register_full_backward_pre_hook<F: BackwardPreHookFn>(&self, f: F) -> HookHandle {
        self.register_full_backward_pre_hook_with(HookOptions::default(), f)
    }

    /// [`Node::register_full_backward_pre_hook`] with [`HookOptions::prepend`].
    pub fn register_full_backward_pre_hook_with<F: BackwardPreHookFn>(
        &self,
        opts: HookOptions,
        f: F,
    ) -> HookHandle {
        self.hooks.add::<BackwardPreHook>(Arc::new(f), opts)
    }
}
