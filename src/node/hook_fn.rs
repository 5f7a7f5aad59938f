//! The signature of each kind of hook, written once.
//!
//! Each kind is a trait that every matching closure implements, so a registration method
//! takes `F: ForwardHookFn` instead of repeating the `Fn(..)` bound, and a stored hook is an
//! `Arc<ForwardHook>` (`dyn ForwardHookFn`).

use candle_core::Tensor;

use super::Node;
use crate::Result;

/// Declares a hook trait with its signature, implements it for every closure of that
/// signature, and names its trait object.
macro_rules! hook_fn {
    ($(#[$doc:meta])* $name:ident, $object:ident: Fn($($arg:ty),*) -> $ret:ty) => {
        $(#[$doc])*
        ///
        /// Implemented by every `Fn` closure of this signature that is `Send + Sync + 'static`.
        pub trait $name: Fn($($arg),*) -> $ret + Send + Sync + 'static {}

        impl<F> $name for F where F: Fn($($arg),*) -> $ret + Send + Sync + 'static {}

        #[doc = concat!("A stored [`", stringify!($name), "`].")]
        pub type $object = dyn $name;
    };
}

hook_fn!(
    /// A forward pre-hook: `f(module, input) -> Ok(Some(new_input))` replaces the input.
    ForwardPreHookFn, ForwardPreHook: Fn(&Node, &Tensor) -> Result<Option<Tensor>>
);

hook_fn!(
    /// A forward pre-hook that sees every input of a multi-input module (PyTorch's
    /// `with_kwargs=True`): `Ok(Some(inputs))` replaces them (the same number of tensors).
    ForwardPreHookInputsFn, ForwardPreHookInputs:
        Fn(&Node, &[Tensor]) -> Result<Option<Vec<Tensor>>>
);

hook_fn!(
    /// A forward hook: `f(module, input, output) -> Ok(Some(new_output))` replaces the
    /// output.
    ForwardHookFn, ForwardHook: Fn(&Node, &Tensor, &Tensor) -> Result<Option<Tensor>>
);

hook_fn!(
    /// A forward hook that sees every input; `output` is `None` only for an `always_call`
    /// hook run after the forward pass (or an earlier hook) failed.
    ForwardHookInputsFn, ForwardHookInputs:
        Fn(&Node, &[Tensor], Option<&Tensor>) -> Result<Option<Tensor>>
);

hook_fn!(
    /// A full backward pre-hook: `f(module, grad_output) -> Ok(Some(new_grad_output))`
    /// replaces the gradient with respect to the module's output before anything else sees
    /// it.
    BackwardPreHookFn, BackwardPreHook: Fn(&Node, &Tensor) -> Result<Option<Tensor>>
);

hook_fn!(
    /// A full backward hook: `f(module, grad_input, grad_output) -> Ok(Some(new_grad_input))`
    /// replaces the gradient passed on to the module's input. `grad_input` is `None` when the
    /// module's input does not require a gradient (as in PyTorch).
    BackwardHookFn, BackwardHook:
        Fn(&Node, Option<&Tensor>, &Tensor) -> Result<Option<Tensor>>
);

hook_fn!(
    /// A full backward hook that sees the gradient of every input of a multi-input module
    /// (PyTorch's tuple `grad_input`): `grad_inputs[i]` is `None` when input `i` does not
    /// require a gradient. `Ok(Some(grads))` (one entry per input) replaces the gradient of
    /// each input whose entry is `Some` (same shape); `None` entries keep theirs.
    BackwardHookInputsFn, BackwardHookInputs:
        Fn(&Node, &[Option<Tensor>], &Tensor) -> Result<Option<Vec<Option<Tensor>>>>
);
