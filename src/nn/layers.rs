//! The layers of the module tree.

use std::sync::Arc;

use candle_core::Tensor;
use candle_nn::{Conv2dConfig, Init, VarBuilder};

use super::{LayerKind, Module, Node};

fn params(w: &Tensor, b: Option<&Tensor>) -> Vec<(String, Tensor)> {
    let mut p = vec![("weight".to_string(), w.clone())];
    if let Some(b) = b {
        p.push(("bias".to_string(), b.clone()));
    }
    p
}

/// Weight initialisers for [`Linear::with_init`] and [`Conv2d::with_init`].
pub mod init {
    use candle_nn::Init;

    /// Glorot (Xavier) normal initialisation, Keras's `glorot_normal`: normal with standard
    /// deviation `sqrt(2 / (fan_in + fan_out))` (Keras truncates at two deviations; candle
    /// has no truncated normal, so the tails are kept).
    pub fn glorot_normal(fan_in: usize, fan_out: usize) -> Init {
        Init::Randn {
            mean: 0.,
            stdev: (2.0 / (fan_in + fan_out).max(1) as f64).sqrt(),
        }
    }

    /// Normal initialisation with standard deviation `std` (the seed's `0.01 * randn`).
    pub fn normal(std: f64) -> Init {
        Init::Randn {
            mean: 0.,
            stdev: std,
        }
    }

    /// Zeros (for biases).
    pub const ZEROS: Init = Init::Const(0.);
}

/// 2-D convolution over NCHW input (PyTorch's `nn.Conv2d`); parameters `weight`
/// `(out, in / groups, k, k)` and `bias` `(out)`.
#[derive(Clone)]
pub struct Conv2d {
    inner: candle_nn::Conv2d,
    node: Arc<Node>,
}

impl Conv2d {
    /// A `k`x`k` convolution with bias, initialised like candle (and PyTorch: kaiming for
    /// the weight, uniform(+-1/sqrt(fan_in)) for the bias) when `vb` creates the variables.
    pub fn new(
        in_channels: usize,
        out_channels: usize,
        k: usize,
        cfg: Conv2dConfig,
        vb: VarBuilder,
    ) -> candle_core::Result<Self> {
        let name = vb.prefix();
        Ok(Self::from_candle(
            candle_nn::conv2d(in_channels, out_channels, k, cfg, vb)?,
            name,
        ))
    }

    /// The same without bias.
    pub fn new_no_bias(
        in_channels: usize,
        out_channels: usize,
        k: usize,
        cfg: Conv2dConfig,
        vb: VarBuilder,
    ) -> candle_core::Result<Self> {
        let name = vb.prefix();
        Ok(Self::from_candle(
            candle_nn::conv2d_no_bias(in_channels, out_channels, k, cfg, vb)?,
            name,
        ))
    }

    /// A convolution whose weight (and bias, if `bias_init` is given) use these initialisers.
    pub fn with_init(
        in_channels: usize,
        out_channels: usize,
        k: usize,
        cfg: Conv2dConfig,
        weight_init: Init,
        bias_init: Option<Init>,
        vb: VarBuilder,
    ) -> candle_core::Result<Self> {
        let groups = cfg.groups.max(1);
        let w = vb.get_with_hints(
            (out_channels, in_channels / groups, k, k),
            "weight",
            weight_init,
        )?;
        let b = match bias_init {
            Some(i) => Some(vb.get_with_hints(out_channels, "bias", i)?),
            None => None,
        };
        Ok(Self::from_candle(
            candle_nn::Conv2d::new(w, b, cfg),
            vb.prefix(),
        ))
    }

    /// Puts an existing candle convolution into the tree under `name`.
    ///
    /// **This makes a new layer**: it shares the weights (tensors are reference-counted) but
    /// the hooks go on the returned layer only. Hooks fire when *this* layer runs; a model
    /// that still calls the original `candle_nn::Conv2d` never fires them. Replace the field
    /// in the model with the returned layer, or build it with [`super::hookable::conv2d`]
    /// from the start.
    pub fn from_candle(conv: candle_nn::Conv2d, name: impl Into<String>) -> Self {
        let node = Node::with_kind(name, LayerKind::Conv2d, params(conv.weight(), conv.bias()));
        Self { inner: conv, node }
    }

    /// The weight tensor.
    pub fn weight(&self) -> &Tensor {
        self.inner.weight()
    }

    /// The bias tensor, if any.
    pub fn bias(&self) -> Option<&Tensor> {
        self.inner.bias()
    }

    /// Padding, stride, dilation and groups.
    pub fn config(&self) -> &Conv2dConfig {
        self.inner.config()
    }
}

impl Module for Conv2d {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        crate::candle_gaps::conv2d(
            x,
            self.inner.weight(),
            self.inner.bias(),
            self.inner.config(),
        )
    }
}

/// Fully connected layer `y = x W^T + b` (PyTorch's `nn.Linear`); parameters `weight`
/// `(out, in)` and `bias` `(out)`.
#[derive(Clone)]
pub struct Linear {
    inner: candle_nn::Linear,
    node: Arc<Node>,
}

impl Linear {
    /// A linear layer initialised like candle's `linear` when `vb` creates the variables.
    pub fn new(in_dim: usize, out_dim: usize, vb: VarBuilder) -> candle_core::Result<Self> {
        let name = vb.prefix();
        Ok(Self::from_candle(
            candle_nn::linear(in_dim, out_dim, vb)?,
            name,
        ))
    }

    /// A linear layer without bias, initialised like candle's `linear_no_bias`.
    pub fn new_no_bias(in_dim: usize, out_dim: usize, vb: VarBuilder) -> candle_core::Result<Self> {
        let name = vb.prefix();
        Ok(Self::from_candle(
            candle_nn::linear_no_bias(in_dim, out_dim, vb)?,
            name,
        ))
    }

    /// A linear layer whose weight and bias use these initialisers (e.g.
    /// [`init::glorot_normal`] and [`init::ZEROS`]).
    pub fn with_init(
        in_dim: usize,
        out_dim: usize,
        weight_init: Init,
        bias_init: Init,
        vb: VarBuilder,
    ) -> candle_core::Result<Self> {
        let w = vb.get_with_hints((out_dim, in_dim), "weight", weight_init)?;
        let b = vb.get_with_hints(out_dim, "bias", bias_init)?;
        Ok(Self::from_candle(
            candle_nn::Linear::new(w, Some(b)),
            vb.prefix(),
        ))
    }

    /// Puts an existing candle linear layer into the tree under `name`. Like
    /// [`Conv2d::from_candle`], this is a new layer sharing the weights: hooks fire only when
    /// the returned layer runs.
    pub fn from_candle(linear: candle_nn::Linear, name: impl Into<String>) -> Self {
        let node = Node::with_kind(
            name,
            LayerKind::Linear,
            params(linear.weight(), linear.bias()),
        );
        Self {
            inner: linear,
            node,
        }
    }

    /// The weight tensor `(out, in)`.
    pub fn weight(&self) -> &Tensor {
        self.inner.weight()
    }

    /// The bias tensor.
    pub fn bias(&self) -> Option<&Tensor> {
        self.inner.bias()
    }
}

impl Module for Linear {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        candle_nn::Module::forward(&self.inner, x)
    }
}

macro_rules! activation {
    ($(#[$doc:meta])* $t:ident, |$x:ident| $body:expr) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $t {
            node: Arc<Node>,
        }

        impl $t {
            /// A new, unnamed layer (its container names it).
            pub fn new() -> Self {
                Self { node: Node::with_kind("", LayerKind::$t, vec![]) }
            }
        }

        impl Default for $t {
            fn default() -> Self {
                Self::new()
            }
        }

        impl Module for $t {
            fn node(&self) -> &Arc<Node> {
                &self.node
            }
            fn forward_plain(&self, $x: &Tensor) -> candle_core::Result<Tensor> {
                $body
            }
        }
    };
}

activation!(
    /// `max(x, 0)`.
    ReLU, |x| x.relu()
);
activation!(
    /// `1 / (1 + exp(-x))`.
    Sigmoid, |x| candle_nn::ops::sigmoid(x)
);
activation!(
    /// `tanh(x)`.
    Tanh, |x| x.tanh()
);

/// `x` for `x >= 0`, `slope * x` otherwise (PyTorch's default slope is 0.01).
#[derive(Clone)]
pub struct LeakyReLU {
    node: Arc<Node>,
    slope: f64,
}

impl LeakyReLU {
    /// A leaky ReLU with negative slope `slope`.
    pub fn new(slope: f64) -> Self {
        Self {
            node: Node::with_kind("", LayerKind::LeakyReLU, vec![]),
            slope,
        }
    }
}

impl Module for LeakyReLU {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        // relu(x) - slope * relu(-x): differentiable with candle's ops.
        x.relu()? - (x.neg()?.relu()? * self.slope)?
    }
}

/// Flattens dimensions `start_dim..` into one (PyTorch's `nn.Flatten()` uses `start_dim = 1`).
#[derive(Clone)]
pub struct Flatten {
    node: Arc<Node>,
    start_dim: usize,
}

impl Flatten {
    /// Flattens every dimension but the batch.
    pub fn new() -> Self {
        Self::from_dim(1)
    }

    /// Flattens dimensions `start_dim..`.
    pub fn from_dim(start_dim: usize) -> Self {
        Self {
            node: Node::with_kind("", LayerKind::Flatten, vec![]),
            start_dim,
        }
    }
}

impl Default for Flatten {
    fn default() -> Self {
        Self::new()
    }
}

impl Module for Flatten {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        if x.rank() <= self.start_dim + 1 {
            return Ok(x.clone());
        }
        x.flatten_from(self.start_dim)
    }
}

/// Zeroes each element with probability `p` and scales the rest by `1 / (1 - p)` in
/// training mode; the identity in eval mode (the default: see [`Module::train`]).
#[derive(Clone)]
pub struct Dropout {
    node: Arc<Node>,
    p: f32,
}

impl Dropout {
    /// Dropout with drop probability `p` (in `0..1`).
    pub fn new(p: f32) -> Self {
        Self {
            node: Node::with_kind("", LayerKind::Dropout, vec![]),
            p,
        }
    }
}

impl Module for Dropout {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.forward_plain_t(x, self.node.is_training())
    }
    fn forward_plain_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        if train && self.p > 0.0 {
            candle_nn::ops::dropout(x, self.p)
        } else {
            Ok(x.clone())
        }
    }
}

/// Puts any `candle_nn::Module` into the tree under a name and kind, so it gets hooks.
///
/// `Wrap` owns the module, so hooks fire when the `Wrap` runs: use it in the model in place
/// of the module. The module must be `Send + Sync` (the tree is shared across threads);
/// `candle_nn::Sequential` is not (it boxes `dyn Module` without those bounds): build the
/// sequence with [`super::hookable::seq`] instead, which takes the same layers and closures
/// and makes each of them a hookable child.
///
/// ```
/// use candle_core::{DType, Device, Tensor};
/// use candle_tensorboard::nn::{Module, Wrap};
/// let ln = candle_nn::layer_norm(4, 1e-5, candle_nn::VarBuilder::zeros(DType::F32, &Device::Cpu))?;
/// let w = ln.weight().clone();
/// let layer = Wrap::new("norm", "LayerNorm", ln, vec![("weight".into(), w)]);
/// assert_eq!(layer.kind(), "LayerNorm");
/// let y = layer.call(&Tensor::ones((2, 4), DType::F32, &Device::Cpu)?)?;
/// assert_eq!(y.dims(), [2, 4]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Wrap<M> {
    inner: M,
    node: Arc<Node>,
}

impl<M: candle_nn::Module + Send + Sync> Wrap<M> {
    /// Wraps `inner` as a node named `name` of kind `kind`, listing its parameters (for
    /// `named_parameters` and hooks; may be empty).
    pub fn new(
        name: impl Into<String>,
        kind: impl Into<String>,
        inner: M,
        params: Vec<(String, Tensor)>,
    ) -> Self {
        Self {
            inner,
            node: Node::new(name, kind, params),
        }
    }

    /// The wrapped module.
    pub fn inner(&self) -> &M {
        &self.inner
    }
}

impl<M: candle_nn::Module + Send + Sync> Module for Wrap<M> {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.inner.forward(x)
    }
}

impl<M: candle_nn::Module + Send + Sync> candle_nn::Module for Wrap<M> {
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        Module::call(self, xs)
    }
}

macro_rules! inherent_hooks {
    ($($t:ty),*) => {
        $(impl $t {
            super::hook_api::layer_hook_methods!(pub);
        })*
    };
}

inherent_hooks!(Conv2d, Linear, ReLU, Sigmoid, Tanh, LeakyReLU, Flatten, Dropout);

crate::impl_candle_module!(Conv2d, Linear, ReLU, Sigmoid, Tanh, LeakyReLU, Flatten, Dropout);
