//! Normalisation and embedding layers, wrapping candle's with a [`Node`].

use std::sync::Arc;

use candle_core::Tensor;
use candle_nn::{BatchNormConfig, LayerNormConfig, VarBuilder};

use super::{LayerKind, Module, Node};

fn named(list: &[(&str, Option<&Tensor>)]) -> Vec<(String, Tensor)> {
    list.iter()
        .filter_map(|(n, t)| t.map(|t| (n.to_string(), t.clone())))
        .collect()
}

/// Layer normalisation over the last dimension (PyTorch's `nn.LayerNorm`); parameters
/// `weight` and (when affine) `bias`.
#[derive(Clone)]
pub struct LayerNorm {
    inner: candle_nn::LayerNorm,
    node: Arc<Node>,
}

impl LayerNorm {
    /// candle's `layer_norm(size, config, vb)` as a hookable layer named after `vb`.
    pub fn new<C: Into<LayerNormConfig>>(
        size: usize,
        config: C,
        vb: VarBuilder,
    ) -> candle_core::Result<Self> {
        let name = vb.prefix();
        Ok(Self::from_candle(
            candle_nn::layer_norm(size, config, vb)?,
            name,
        ))
    }

    /// Puts an existing candle layer norm into the tree under `name` (a new layer sharing
    /// the weights: hooks fire only when the returned layer runs).
    pub fn from_candle(ln: candle_nn::LayerNorm, name: impl Into<String>) -> Self {
        let p = named(&[("weight", Some(ln.weight())), ("bias", ln.bias())]);
        Self {
            node: Node::with_kind(name, LayerKind::LayerNorm, p),
            inner: ln,
        }
    }

    /// The scale.
    pub fn weight(&self) -> &Tensor {
        self.inner.weight()
    }

    /// The shift, if any.
    pub fn bias(&self) -> Option<&Tensor> {
        self.inner.bias()
    }
}

impl Module for LayerNorm {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        candle_nn::Module::forward(&self.inner, x)
    }
}

/// A lookup table of `in_size` vectors of `hidden_size` (PyTorch's `nn.Embedding`);
/// parameter `weight`.
#[derive(Clone)]
pub struct Embedding {
    inner: candle_nn::Embedding,
    node: Arc<Node>,
}

impl Embedding {
    /// candle's `embedding(in_size, out_size, vb)` as a hookable layer named after `vb`.
    pub fn new(in_size: usize, out_size: usize, vb: VarBuilder) -> candle_core::Result<Self> {
        let name = vb.prefix();
        Ok(Self::from_candle(
            candle_nn::embedding(in_size, out_size, vb)?,
            name,
        ))
    }

    /// Puts an existing candle embedding into the tree under `name` (a new layer sharing
    /// the table: hooks fire only when the returned layer runs).
    pub fn from_candle(e: candle_nn::Embedding, name: impl Into<String>) -> Self {
        let p = vec![("weight".to_string(), e.embeddings().clone())];
        Self {
            node: Node::with_kind(name, LayerKind::Embedding, p),
            inner: e,
        }
    }

    /// The table `(in_size, hidden_size)`.
    pub fn embeddings(&self) -> &Tensor {
        self.inner.embeddings()
    }

    /// The vector size.
    pub fn hidden_size(&self) -> usize {
        self.inner.hidden_size()
    }
}

impl Module for Embedding {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        candle_nn::Module::forward(&self.inner, x)
    }
}

/// Batch normalisation over dimension 1 (PyTorch's `nn.BatchNorm1d/2d`); parameters `weight`
/// and `bias` (when affine; the running statistics are buffers, not parameters).
///
/// Like candle's, it implements `candle_nn::ModuleT`: `forward_t(x, true)` uses the batch
/// statistics and updates the running ones, `forward_t(x, false)` uses the running ones.
/// [`Module::call`] uses the node's own train/eval flag ([`Module::train`]).
#[derive(Clone)]
pub struct BatchNorm {
    inner: candle_nn::BatchNorm,
    node: Arc<Node>,
}

impl BatchNorm {
    /// candle's `batch_norm(num_features, config, vb)` as a hookable layer named after `vb`.
    pub fn new<C: Into<BatchNormConfig>>(
        num_features: usize,
        config: C,
        vb: VarBuilder,
    ) -> candle_core::Result<Self> {
        let name = vb.prefix();
        Ok(Self::from_candle(
            candle_nn::batch_norm(num_features, config, vb)?,
            name,
        ))
    }

    /// Puts an existing candle batch norm into the tree under `name` (a new layer sharing
    /// the weights and running statistics: hooks fire only when the returned layer runs).
    pub fn from_candle(bn: candle_nn::BatchNorm, name: impl Into<String>) -> Self {
        let (w, b) = match bn.weight_and_bias() {
            Some((w, b)) => (Some(w), Some(b)),
            None => (None, None),
        };
        let p = named(&[("weight", w), ("bias", b)]);
        Self {
            node: Node::with_kind(name, LayerKind::BatchNorm, p),
            inner: bn,
        }
    }

    /// The running mean.
    pub fn running_mean(&self) -> &Tensor {
        self.inner.running_mean()
    }

    /// The running variance.
    pub fn running_var(&self) -> &Tensor {
        self.inner.running_var()
    }
}

impl Module for BatchNorm {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.forward_plain_t(x, self.node.is_training())
    }
    fn forward_plain_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        candle_nn::ModuleT::forward_t(&self.inner, x, train)
    }
}

impl candle_nn::ModuleT for BatchNorm {
    fn forward_t(&self, xs: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        Module::call_t(self, xs, train)
    }
}

crate::impl_candle_module!(LayerNorm, Embedding);

impl LayerNorm {
    super::hook_api::layer_hook_methods!(pub);
}
impl Embedding {
    super::hook_api::layer_hook_methods!(pub);
}
impl BatchNorm {
    super::hook_api::layer_hook_methods!(pub);
}
