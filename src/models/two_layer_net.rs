//! The seed's two-layer net: Affine 784 -> 50, ReLU, Affine 50 -> 10.

use std::sync::Arc;

use candle_core::Tensor;
use candle_nn::VarBuilder;

use crate::nn::{init, Linear, Module, Node, ReLU};

/// Affine - ReLU - Affine, weights `weight_init_std * randn` and zero biases as in the seed;
/// children `affine1`, `relu1`, `affine2`. The softmax-with-loss is left to the caller
/// (`candle_nn::loss::cross_entropy` on the logits).
pub struct TwoLayerNet {
    node: Arc<Node>,
    /// First affine layer (`affine1.weight` is 50x784).
    pub affine1: Linear,
    /// The ReLU between them.
    pub relu1: ReLU,
    /// Second affine layer.
    pub affine2: Linear,
}

impl TwoLayerNet {
    /// A net `input -> hidden -> output` (the seed uses 784, 50, 10 and std 0.01).
    pub fn new(
        input: usize,
        hidden: usize,
        output: usize,
        weight_init_std: f64,
        vb: VarBuilder,
    ) -> candle_core::Result<Self> {
        let net = Self {
            node: Node::new(vb.prefix(), "TwoLayerNet", vec![]),
            affine1: Linear::with_init(
                input,
                hidden,
                init::normal(weight_init_std),
                init::ZEROS,
                vb.pp("affine1"),
            )?,
            relu1: ReLU::new(),
            affine2: Linear::with_init(
                hidden,
                output,
                init::normal(weight_init_std),
                init::ZEROS,
                vb.pp("affine2"),
            )?,
        };
        net.assign_names();
        Ok(net)
    }
}

impl Module for TwoLayerNet {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }

    crate::module_children!(affine1, relu1, affine2);

    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.affine2.call(&self.relu1.call(&self.affine1.call(x)?)?)
    }
}

crate::impl_candle_module!(TwoLayerNet);
