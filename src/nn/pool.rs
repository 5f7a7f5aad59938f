//! Pooling layers: [`Pool2d`] (max or average, by its mode) and [`AdaptiveAvgPool2d`].
//!
//! The mode is a type parameter, so that [`MaxPool2d`] (`Pool2d<Max>`) and [`AvgPool2d`]
//! (`Pool2d<Avg>`) keep their own names, constructors and kinds while sharing one
//! implementation.

use std::marker::PhantomData;
use std::sync::Arc;

use candle_core::Tensor;

pub use crate::candle_gaps::PoolMode;

use super::{LayerKind, Module, Node};
use crate::candle_gaps::{adaptive_avg_pool2d, pool2d};

/// The mode of a [`Pool2d`], as a type: [`Max`] or [`Avg`].
pub trait Pooling: Clone + Send + Sync + 'static {
    /// What a window keeps.
    const MODE: PoolMode;
    /// The layer's kind ([`LayerKind::MaxPool2d`], [`LayerKind::AvgPool2d`]).
    const KIND: LayerKind;
}

/// Max pooling: a window keeps its maximum ([`MaxPool2d`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Max;

/// Average pooling: a window keeps its mean, padding cells counted ([`AvgPool2d`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Avg;

impl Pooling for Max {
    const MODE: PoolMode = PoolMode::Max;
    const KIND: LayerKind = LayerKind::MaxPool2d;
}

impl Pooling for Avg {
    const MODE: PoolMode = PoolMode::Avg;
    const KIND: LayerKind = LayerKind::AvgPool2d;
}

/// 2-D pooling over square windows, differentiable for any kernel and stride (see
/// [`crate::candle_gaps::pool2d`]); the mode `M` says what a window keeps.
///
/// ```
/// use candle_core::{DType, Device, Tensor};
/// use candle_tensorboard::nn::{AvgPool2d, LayerKind, MaxPool2d, Module};
/// let x = Tensor::arange(0f32, 16., &Device::Cpu)?.reshape((1, 1, 4, 4))?;
/// let max = MaxPool2d::new(2, 2);
/// let avg = AvgPool2d::new(2, 2);
/// assert_eq!(max.call(&x)?.flatten_all()?.to_vec1::<f32>()?, [5., 7., 13., 15.]);
/// assert_eq!(avg.call(&x)?.flatten_all()?.to_vec1::<f32>()?, [2.5, 4.5, 10.5, 12.5]);
/// assert_eq!(max.layer_kind(), LayerKind::MaxPool2d);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Pool2d<M: Pooling> {
    node: Arc<Node>,
    kernel: usize,
    stride: usize,
    padding: usize,
    mode: PhantomData<M>,
}

/// Max pooling (PyTorch's `nn.MaxPool2d(kernel, stride, padding)`): padding cells are -inf
/// and the gradient of a window goes to its first maximum.
pub type MaxPool2d = Pool2d<Max>;

/// Average pooling (PyTorch's `nn.AvgPool2d(kernel, stride, padding)`, padding counted).
pub type AvgPool2d = Pool2d<Avg>;

impl<M: Pooling> Pool2d<M> {
    /// Square `kernel` windows moved by `stride`, no padding.
    pub fn new(kernel: usize, stride: usize) -> Self {
        Self::with_padding(kernel, stride, 0)
    }

    /// The same with `padding` cells on each side (-inf for max pooling, zeros counted in
    /// the average for average pooling).
    pub fn with_padding(kernel: usize, stride: usize, padding: usize) -> Self {
        Self {
            node: Node::with_kind("", M::KIND, vec![]),
            kernel,
            stride,
            padding,
            mode: PhantomData,
        }
    }

    /// What a window keeps.
    pub fn mode(&self) -> PoolMode {
        M::MODE
    }

    super::hook_api::layer_hook_methods!(pub);
}

impl<M: Pooling> Module for Pool2d<M> {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let (k, s, p) = (self.kernel, self.stride, self.padding);
        Ok(pool2d(x, M::MODE, (k, k), (s, s), (p, p))?)
    }
}

impl<M: Pooling> candle_nn::Module for Pool2d<M> {
    fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
        Module::call(self, xs)
    }
}

/// Adaptive average pooling to a fixed output size (PyTorch's `nn.AdaptiveAvgPool2d`).
#[derive(Clone)]
pub struct AdaptiveAvgPool2d {
    node: Arc<Node>,
    out: (usize, usize),
}

impl AdaptiveAvgPool2d {
    /// Pools any input down (or up) to `out = (height, width)`.
    pub fn new(out: (usize, usize)) -> Self {
        Self {
            node: Node::with_kind("", LayerKind::AdaptiveAvgPool2d, vec![]),
            out,
        }
    }

    super::hook_api::layer_hook_methods!(pub);
}

impl Module for AdaptiveAvgPool2d {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        Ok(adaptive_avg_pool2d(x, self.out)?)
    }
}

crate::impl_candle_module!(AdaptiveAvgPool2d);
