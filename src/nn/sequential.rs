//! `Sequential`: children run in order, named by index like PyTorch's `nn.Sequential`.

use std::sync::Arc;

use candle_core::Tensor;

use super::{LayerKind, Module, Node};

/// Runs its children in order; child `i` is named `"<name>.i"` (`features.0`, `features.1`).
///
/// ```
/// use candle_core::{DType, Device, Tensor};
/// use candle_nn::VarBuilder;
/// use candle_tensorboard::nn::{Conv2d, MaxPool2d, Module, ReLU, Sequential};
/// let vb = VarBuilder::zeros(DType::F32, &Device::Cpu).pp("features");
/// let features = Sequential::new(vb.prefix())
///     .push(Conv2d::new(3, 8, 3, Default::default(), vb.pp(0))?)
///     .push(ReLU::new())
///     .push(MaxPool2d::new(3, 2));
/// let names: Vec<String> = features.named_modules().into_iter().map(|(n, _)| n).collect();
/// assert_eq!(names, ["0", "1", "2"]);
/// assert_eq!(features.named_modules()[1].1.node().name(), "features.1");
/// assert_eq!(features.named_parameters()[0].0, "0.weight");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Sequential {
    node: Arc<Node>,
    layers: Vec<(String, Box<dyn Module>)>,
}

impl Sequential {
    /// An empty container named `name` (its dotted path; `""` for a root).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            node: Node::with_kind(name, LayerKind::Sequential, vec![]),
            layers: Vec::new(),
        }
    }

    /// Appends `layer` (builder style) as child number `len()`.
    pub fn push(mut self, layer: impl Module + 'static) -> Self {
        self.add(layer);
        self
    }

    /// Appends `layer` as child number `len()` and names it (and its subtree) accordingly.
    pub fn add(&mut self, layer: impl Module + 'static) {
        self.add_named(self.layers.len().to_string(), Box::new(layer));
    }

    /// Appends `layer` as a child with the local name `local` (e.g. the last part of its
    /// `VarBuilder` path) instead of its index.
    pub fn add_named(&mut self, local: impl Into<String>, layer: Box<dyn Module>) {
        let local = local.into();
        let root = self.node.name();
        let full = if root.is_empty() {
            local.clone()
        } else {
            format!("{root}.{local}")
        };
        layer.node().set_name(full);
        layer.assign_names();
        self.layers.push((local, layer));
    }

    /// Number of children.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// Whether there are no children.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// Child `i`, if any.
    pub fn get(&self, i: usize) -> Option<&dyn Module> {
        self.layers.get(i).map(|(_, m)| m.as_ref())
    }
}

impl Module for Sequential {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }

    fn children(&self) -> Vec<(&str, &dyn Module)> {
        self.layers
            .iter()
            .map(|(n, m)| (n.as_str(), m.as_ref()))
            .collect()
    }

    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let mut x = x.clone();
        for (_, m) in &self.layers {
            x = m.call(&x)?;
        }
        Ok(x)
    }

    fn forward_plain_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let mut x = x.clone();
        for (_, m) in &self.layers {
            x = m.call_t(&x, train)?;
        }
        Ok(x)
    }
}

crate::impl_candle_module!(Sequential);
