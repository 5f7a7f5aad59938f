//! AlexNet as torchvision builds it, and a small AlexNet-style net for 28x28 images.

use std::sync::Arc;

use candle_core::Tensor;
use candle_nn::{Conv2dConfig, VarBuilder};

use crate::nn::{
    AdaptiveAvgPool2d, Conv2d, Dropout, Linear, MaxPool2d, Module, Node, ReLU, Sequential,
};

/// `features` (convolutions), `avgpool`, flatten, `classifier`: torchvision's AlexNet layout.
///
/// Parameter names are torchvision's (`features.0.weight` ... `classifier.6.bias`), so the
/// pretrained weights load from a safetensors conversion of `alexnet-owt-7be5be79.pth`.
pub struct AlexNet {
    node: Arc<Node>,
    /// The convolutional part (`features.0` ... `features.12`).
    pub features: Sequential,
    /// Adaptive average pooling to a fixed spatial size.
    pub avgpool: AdaptiveAvgPool2d,
    /// The fully connected part (`classifier.0` ... `classifier.6`).
    pub classifier: Sequential,
}

fn conv(
    i: usize,
    o: usize,
    k: usize,
    stride: usize,
    padding: usize,
    vb: VarBuilder,
) -> candle_core::Result<Conv2d> {
    let cfg = Conv2dConfig {
        padding,
        stride,
        ..Default::default()
    };
    Conv2d::new(i, o, k, cfg, vb)
}

struct Spec {
    /// (out channels, kernel, stride, padding) of the five convolutions.
    convs: [(usize, usize, usize, usize); 5],
    /// (kernel, stride) of the pools after conv 1, conv 2 and conv 5.
    pools: [(usize, usize); 3],
    pooled: (usize, usize),
    hidden: usize,
}

impl AlexNet {
    /// torchvision's AlexNet for 3x224x224 input: 61,100,840 parameters for 1000 classes.
    pub fn new(num_classes: usize, vb: VarBuilder) -> candle_core::Result<Self> {
        let spec = Spec {
            convs: [
                (64, 11, 4, 2),
                (192, 5, 1, 2),
                (384, 3, 1, 1),
                (256, 3, 1, 1),
                (256, 3, 1, 1),
            ],
            pools: [(3, 2), (3, 2), (3, 2)],
            pooled: (6, 6),
            hidden: 4096,
        };
        Self::build(3, num_classes, &spec, vb)
    }

    /// A small AlexNet-style net for `in_channels`x28x28 images (MNIST): the same 13 feature
    /// layers and 7 classifier layers (so the same names), with convolutions of 32 (5x5,
    /// padding 2), 64, 96, 96 and 64 channels (3x3, padding 1), pools 2/2, 2/2 and 3/2
    /// (28 -> 14 -> 7 -> 3), and 256 hidden units: 429,194 parameters for 1 channel and 10
    /// classes. The first kernels are 5x5, not 3x3, so that once trained they are big
    /// enough to show as strokes and edges in a kernel grid.
    pub fn small(
        in_channels: usize,
        num_classes: usize,
        vb: VarBuilder,
    ) -> candle_core::Result<Self> {
        let spec = Spec {
            convs: [
                (32, 5, 1, 2),
                (64, 3, 1, 1),
                (96, 3, 1, 1),
                (96, 3, 1, 1),
                (64, 3, 1, 1),
            ],
            pools: [(2, 2), (2, 2), (3, 2)],
            pooled: (3, 3),
            hidden: 256,
        };
        Self::build(in_channels, num_classes, &spec, vb)
    }

    fn build(
        in_channels: usize,
        num_classes: usize,
        s: &Spec,
        vb: VarBuilder,
    ) -> candle_core::Result<Self> {
        let f = vb.pp("features");
        let c = s.convs;
        let features = Sequential::new(f.prefix())
            .push(conv(in_channels, c[0].0, c[0].1, c[0].2, c[0].3, f.pp(0))?)
            .push(ReLU::new())
            .push(MaxPool2d::new(s.pools[0].0, s.pools[0].1))
            .push(conv(c[0].0, c[1].0, c[1].1, c[1].2, c[1].3, f.pp(3))?)
            .push(ReLU::new())
            .push(MaxPool2d::new(s.pools[1].0, s.pools[1].1))
            .push(conv(c[1].0, c[2].0, c[2].1, c[2].2, c[2].3, f.pp(6))?)
            .push(ReLU::new())
            .push(conv(c[2].0, c[3].0, c[3].1, c[3].2, c[3].3, f.pp(8))?)
            .push(ReLU::new())
            .push(conv(c[3].0, c[4].0, c[4].1, c[4].2, c[4].3, f.pp(10))?)
            .push(ReLU::new())
            .push(MaxPool2d::new(s.pools[2].0, s.pools[2].1));
        let flat = c[4].0 * s.pooled.0 * s.pooled.1;
        let cl = vb.pp("classifier");
        let classifier = Sequential::new(cl.prefix())
            .push(Dropout::new(0.5))
            .push(Linear::new(flat, s.hidden, cl.pp(1))?)
            .push(ReLU::new())
            .push(Dropout::new(0.5))
            .push(Linear::new(s.hidden, s.hidden, cl.pp(4))?)
            .push(ReLU::new())
            .push(Linear::new(s.hidden, num_classes, cl.pp(6))?);
        let net = Self {
            node: Node::new(vb.prefix(), "AlexNet", vec![]),
            features,
            avgpool: AdaptiveAvgPool2d::new(s.pooled),
            classifier,
        };
        // Name the parameterless layers (`features.1`) now, so hooks see full names at once.
        let _ = net.named_modules();
        Ok(net)
    }
}

impl Module for AlexNet {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }

    crate::module_children!(features, avgpool, classifier);

    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let x = self.features.call(x)?;
        let x = self.avgpool.call(&x)?.flatten_from(1)?;
        self.classifier.call(&x)
    }

    fn forward_plain_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let x = self.features.call_t(x, train)?;
        let x = self.avgpool.call(&x)?.flatten_from(1)?;
        self.classifier.call_t(&x, train)
    }
}

crate::impl_candle_module!(AlexNet);
