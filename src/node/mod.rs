//! The [`Node`] every layer carries and the engine that runs a layer inside its hooks.
//!
//! A [`Node`] is the part of a layer that hooks see: its dotted name, its kind, its
//! parameters, its train/eval flag and its hook lists. Layers hold it in an `Arc` so that
//! backward probes (which outlive the forward call inside candle's graph) can refer to it.
//!
//! This module sits below both [`crate::nn`] (the layers, which call [`Node::run`]) and
//! [`crate::hooks`] (the tools built on hooks), and uses neither; both re-export what users
//! name from here.
//!
//! Adding a kind of hook: its signature in `hook_fn.rs`, its list in `lists.rs` (if stored),
//! its registration method in `register.rs`, the step that runs it in `run.rs` (or
//! `backward.rs`), and the layers' shortcut in `nn/hook_api.rs`.

mod backward;
mod handle;
mod hook_fn;
mod kind;
mod lists;
mod probe;
mod register;
mod run;

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use candle_core::Tensor;

pub use handle::{HookGuard, HookHandle};
pub use hook_fn::{
    BackwardHook, BackwardHookFn, BackwardHookInputs, BackwardHookInputsFn, BackwardPreHook,
    BackwardPreHookFn, ForwardHook, ForwardHookFn, ForwardHookInputs, ForwardHookInputsFn,
    ForwardPreHook, ForwardPreHookFn, ForwardPreHookInputs, ForwardPreHookInputsFn,
};
pub use kind::LayerKind;
pub use lists::HookOptions;
pub(crate) use probe::Probe;

use lists::HookLists;

/// The hookable part of a layer: name, kind, parameters, train/eval flag and hook lists.
///
/// Hooks receive the node of the module they are registered on, so one closure can serve
/// many layers and still tell them apart:
///
/// ```
/// use candle_core::{DType, Device, Tensor};
/// use candle_tensorboard::nn::{Conv2d, Module};
/// let vb = candle_nn::VarBuilder::zeros(DType::F32, &Device::Cpu);
/// let conv = Conv2d::new(1, 2, 3, Default::default(), vb.pp("conv1"))?;
/// let handle = conv.node().register_forward_hook(|m, _input, output| {
///     let w = m.parameter("weight").map(|w| w.dims().to_vec());
///     println!("{} ({}) weight {:?} -> {:?}", m.name(), m.kind(), w, output.dims());
///     Ok(None) // keep the output
/// });
/// conv.call(&Tensor::ones((1, 1, 4, 4), DType::F32, &Device::Cpu)?)?;
/// handle.remove();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Node {
    name: RwLock<String>,
    kind: Cow<'static, str>,
    layer_kind: LayerKind,
    params: Vec<(String, Tensor)>,
    training: AtomicBool,
    hooks: Arc<HookLists>,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("name", &self.name())
            .field("kind", &self.kind)
            .field("params", &self.params.len())
            .finish()
    }
}

impl Node {
    /// A node named `name` (dotted path, may be empty), of a kind of your own named `kind`
    /// (e.g. `"Net"`), owning `params` (local names such as `"weight"`). A kind this crate
    /// defines may be named too (`"Conv2d"`), but [`Node::with_kind`] says it as a type.
    pub fn new(
        name: impl Into<String>,
        kind: impl Into<String>,
        params: Vec<(String, Tensor)>,
    ) -> Arc<Self> {
        let kind = kind.into();
        Self::build(
            name.into(),
            LayerKind::from_name(&kind),
            kind.into(),
            params,
        )
    }

    /// A node named `name` of one of this crate's kinds, owning `params`; its kind string is
    /// [`LayerKind::name`].
    pub fn with_kind(
        name: impl Into<String>,
        kind: LayerKind,
        params: Vec<(String, Tensor)>,
    ) -> Arc<Self> {
        Self::build(name.into(), kind, kind.name().into(), params)
    }

    fn build(
        name: String,
        layer_kind: LayerKind,
        kind: Cow<'static, str>,
        params: Vec<(String, Tensor)>,
    ) -> Arc<Self> {
        Arc::new(Self {
            name: RwLock::new(name),
            kind,
            layer_kind,
            params,
            training: AtomicBool::new(false),
            hooks: Arc::new(HookLists::default()),
        })
    }

    /// The dotted path of this module (`features.0`), as given by its `VarBuilder` prefix or
    /// assigned by its container; empty for an unnamed root.
    pub fn name(&self) -> String {
        self.name.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Renames the node (containers do this for the layers they adopt).
    pub fn set_name(&self, name: impl Into<String>) {
        *self.name.write().unwrap_or_else(|e| e.into_inner()) = name.into();
    }

    /// The layer's kind, e.g. `"Conv2d"`, `"ReLU"`, `"Sequential"`.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The layer's kind as a type: `m.layer_kind() == LayerKind::Conv2d` instead of comparing
    /// strings. Kinds this crate does not define are [`LayerKind::Other`] (see [`Node::kind`]).
    pub fn layer_kind(&self) -> LayerKind {
        self.layer_kind
    }

    /// This node's own parameters (not its children's), with local names.
    pub fn parameters(&self) -> &[(String, Tensor)] {
        &self.params
    }

    /// One of this node's own parameters by local name (`"weight"`, `"bias"`).
    pub fn parameter(&self, name: &str) -> Option<&Tensor> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }

    /// Whether the module is in training mode (affects `Dropout`). Modules start in eval mode.
    pub fn is_training(&self) -> bool {
        self.training.load(Ordering::Relaxed)
    }

    /// Sets this node's train/eval flag only; see `Module::train` for the whole subtree.
    pub fn set_training(&self, training: bool) {
        self.training.store(training, Ordering::Relaxed);
    }

    /// Number of hooks of all kinds currently registered on this node.
    pub fn num_hooks(&self) -> usize {
        self.hooks.len()
    }
}

// A hook's error comes out of the candle call (`forward`, `backward()`) that ran it.
impl From<crate::Error> for candle_core::Error {
    fn from(e: crate::Error) -> Self {
        match e {
            crate::Error::Candle(c) => c,
            other => candle_core::Error::wrap(other),
        }
    }
}
