//! Drop-in replacements for `candle_nn`'s layer constructors, returning hookable layers.
//!
//! This module re-exports all of `candle_nn` and replaces the constructors of the layers this
//! crate can hook (`conv2d`, `conv2d_no_bias`, `linear`, `linear_no_bias`, `linear_b`,
//! `layer_norm`, `embedding`, `batch_norm`, `seq`) and their types, with candle's exact
//! signatures. A model written against `candle_nn` becomes hookable by changing its `use`
//! line and nothing else:
//!
//! ```diff
//! -use candle_nn::{conv2d, linear, Conv2d, Linear, Module, VarBuilder, VarMap};
//! +use candle_tensorboard::nn::hookable::{conv2d, linear, Conv2d, Linear, Module, VarBuilder, VarMap};
//! ```
//!
//! `Module` here is still candle's (`fn forward`), so the model's own code compiles as it
//! is. Each layer carries a [`Node`] named after its `VarBuilder` path
//! and has the hook methods itself:
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use candle_core::{DType, Device, Tensor};
//! use candle_tensorboard::nn::hookable::{conv2d, linear, seq, Activation, Conv2d, Linear, Module, VarBuilder, VarMap};
//!
//! struct Net { conv1: Conv2d, fc: Linear }
//! impl Net {
//!     fn new(vb: VarBuilder) -> candle_core::Result<Self> {
//!         Ok(Self { conv1: conv2d(1, 4, 3, Default::default(), vb.pp("conv1"))?,
//!                   fc: linear(4 * 26 * 26, 10, vb.pp("fc"))? })
//!     }
//! }
//! impl Module for Net {
//!     fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
//!         self.fc.forward(&self.conv1.forward(xs)?.relu()?.flatten_from(1)?)
//!     }
//! }
//!
//! let varmap = VarMap::new();
//! let net = Net::new(VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu))?;
//! let seen = Arc::new(Mutex::new(Vec::new()));
//! let s = seen.clone();
//! let _h = net.conv1.register_forward_hook(move |m, _input, out| {
//!     s.lock().map_err(|e| candle_core::Error::Msg(e.to_string()))?.push((m.name(), out.dims().to_vec()));
//!     Ok(None)
//! });
//! net.forward(&Tensor::zeros((2, 1, 28, 28), DType::F32, &Device::Cpu)?)?;
//! assert_eq!(*seen.lock().map_err(|e| e.to_string())?, [("conv1".to_string(), vec![2, 4, 26, 26])]);
//!
//! // seq() takes layers, candle's activations and closures; each is a named, hookable child.
//! let mlp = seq()
//!     .add(linear(8, 16, VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu).pp("ln1"))?)
//!     .add(Activation::Relu)
//!     .add_fn(|xs| xs.tanh());
//! let names: Vec<String> = candle_tensorboard::nn::Module::named_modules(&mlp)
//!     .into_iter().map(|(n, _)| n).collect();
//! assert_eq!(names, ["ln1", "1", "2"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Not replaced (candle's, not hookable): `Dropout` (candle's implements only `ModuleT`; use
//! [`super::Dropout`] in a tree), the RNNs, `GroupNorm`, `conv1d` and the transposed
//! convolutions; put them in the tree with [`super::Wrap`].

use std::sync::Arc;

use candle_core::Tensor;

pub use candle_nn::*;

pub use super::{BatchNorm, Conv2d, Embedding, LayerNorm, Linear};

use super::Module as TreeModule;
use super::{LayerKind, Node};

/// candle's `conv2d`, hookable (a [`Conv2d`] named after `vb`).
pub fn conv2d(
    in_channels: usize,
    out_channels: usize,
    kernel_size: usize,
    cfg: Conv2dConfig,
    vb: VarBuilder,
) -> candle_core::Result<Conv2d> {
    Conv2d::new(in_channels, out_channels, kernel_size, cfg, vb)
}

/// candle's `conv2d_no_bias`, hookable.
pub fn conv2d_no_bias(
    in_channels: usize,
    out_channels: usize,
    kernel_size: usize,
    cfg: Conv2dConfig,
    vb: VarBuilder,
) -> candle_core::Result<Conv2d> {
    Conv2d::new_no_bias(in_channels, out_channels, kernel_size, cfg, vb)
}

/// candle's `linear`, hookable.
pub fn linear(in_dim: usize, out_dim: usize, vb: VarBuilder) -> candle_core::Result<Linear> {
    Linear::new(in_dim, out_dim, vb)
}

/// candle's `linear_no_bias`, hookable.
pub fn linear_no_bias(
    in_dim: usize,
    out_dim: usize,
    vb: VarBuilder,
) -> candle_core::Result<Linear> {
    Linear::new_no_bias(in_dim, out_dim, vb)
}

/// candle's `linear_b`, hookable.
pub fn linear_b(
    in_dim: usize,
    out_dim: usize,
    bias: bool,
    vb: VarBuilder,
) -> candle_core::Result<Linear> {
    if bias {
        Linear::new(in_dim, out_dim, vb)
    } else {
        Linear::new_no_bias(in_dim, out_dim, vb)
    }
}

/// candle's `layer_norm`, hookable.
pub fn layer_norm<C: Into<LayerNormConfig>>(
    size: usize,
    config: C,
    vb: VarBuilder,
) -> candle_core::Result<LayerNorm> {
    LayerNorm::new(size, config, vb)
}

/// candle's `embedding`, hookable.
pub fn embedding(
    in_size: usize,
    out_size: usize,
    vb: VarBuilder,
) -> candle_core::Result<Embedding> {
    Embedding::new(in_size, out_size, vb)
}

/// candle's `batch_norm`, hookable (implements `ModuleT`, as candle's).
pub fn batch_norm<C: Into<BatchNormConfig>>(
    num_features: usize,
    config: C,
    vb: VarBuilder,
) -> candle_core::Result<BatchNorm> {
    BatchNorm::new(num_features, config, vb)
}

/// candle's `seq()`: an empty, hookable [`Sequential`].
pub fn seq() -> Sequential {
    Sequential {
        inner: super::Sequential::new(""),
    }
}

/// What [`Sequential::add`] takes: any layer of this crate's tree, or a
/// `candle_nn::Activation` (which becomes a hookable `Activation` layer).
pub trait IntoLayer {
    /// The layer as a tree child.
    fn into_layer(self) -> Box<dyn TreeModule>;
}

impl<T: TreeModule + 'static> IntoLayer for T {
    fn into_layer(self) -> Box<dyn TreeModule> {
        Box::new(self)
    }
}

impl IntoLayer for Activation {
    fn into_layer(self) -> Box<dyn TreeModule> {
        Box::new(ActivationLayer {
            node: Node::with_kind("", LayerKind::Activation, vec![]),
            act: self,
        })
    }
}

struct ActivationLayer {
    node: Arc<Node>,
    act: Activation,
}

impl TreeModule for ActivationLayer {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        candle_nn::Module::forward(&self.act, x)
    }
}

type Closure = dyn Fn(&Tensor) -> candle_core::Result<Tensor> + Send + Sync;

struct FnLayer {
    node: Arc<Node>,
    f: Arc<Closure>,
}

impl TreeModule for FnLayer {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        (self.f)(x)
    }
}

/// candle's `Sequential` (layers and closures run in order), as a hookable tree: every
/// child is a node. A child keeps its `VarBuilder` path as its name (`"ln1"`), so hooks and
/// `named_parameters` use the names of the `VarMap`; closures and parameterless layers are
/// named by their index.
pub struct Sequential {
    inner: super::Sequential,
}

impl Sequential {
    /// Appends a layer after all the current layers.
    #[allow(clippy::should_implement_trait)]
    pub fn add<L: IntoLayer>(mut self, layer: L) -> Self {
        let layer = layer.into_layer();
        let own = layer.node().name();
        let local = if own.is_empty() {
            self.inner.len().to_string()
        } else {
            own
        };
        self.inner.add_named(local, layer);
        self
    }

    /// Appends a closure after all the current layers (a hookable `Func` child).
    pub fn add_fn<F>(self, f: F) -> Self
    where
        F: 'static + Fn(&Tensor) -> candle_core::Result<Tensor> + Send + Sync,
    {
        self.add(FnLayer {
            node: Node::with_kind("", LayerKind::Func, vec![]),
            f: Arc::new(f),
        })
    }

    /// The number of sub-layers (an `i64`, as candle's).
    pub fn len(&self) -> i64 {
        self.inner.len() as i64
    }

    /// Whether there is no sub-layer.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Runs the layers (with their hooks) and returns every layer's output.
    pub fn forward_all(&self, xs: &Tensor) -> candle_core::Result<Vec<Tensor>> {
        let mut out = Vec::with_capacity(self.inner.len());
        let mut xs = xs.clone();
        for (_, m) in self.inner.children() {
            xs = m.call(&xs)?;
            out.push(xs.clone());
        }
        Ok(out)
    }
}

impl TreeModule for Sequential {
    fn node(&self) -> &Arc<Node> {
        self.inner.node()
    }
    fn children(&self) -> Vec<(&str, &dyn TreeModule)> {
        self.inner.children()
    }
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.inner.forward_plain(x)
    }
    fn forward_plain_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        self.inner.forward_plain_t(x, train)
    }
}

crate::impl_candle_module!(Sequential);
