//! A named, hookable module tree for candle.
//!
//! Every layer here carries a [`Node`]: its dotted name (`features.0`), its kind
//! (`"Conv2d"`), its parameters (torchvision names: `features.0.weight`) and its hook lists.
//! The [`Module`] trait walks the tree like PyTorch (`named_modules`, `named_parameters`,
//! `modules`) and runs hooks around each layer's computation ([`Module::call`]).
//! Every layer also implements `candle_nn::Module`, so it composes with candle code
//! (`x.apply(&layer)`), and is built from a `candle_nn::VarBuilder`, so weights come from a
//! `VarMap` (trainable) or from safetensors files.
//!
//! Names come from the `VarBuilder` path of each layer with parameters (`vb.pp("conv1")`) and,
//! for every layer, from the tree as soon as it is walked ([`Module::named_modules`], the
//! subtree hook registrations, `summary`, `watch`): no bookkeeping call is needed. Kinds are a
//! type ([`LayerKind`]), and hooks go on the layer itself (`conv1.register_forward_hook(..)`).
//! To make an existing candle model hookable, see [`hookable`]: the same constructors as
//! `candle_nn`, returning these layers.
//!
//! Modules start in **eval** mode (unlike PyTorch); call [`Module::train`] before training so
//! that `Dropout` drops.
//!
//! A custom model exposes its children by implementing [`Module`]; [`module_children!`](crate::module_children)
//! writes `children()` from the fields that hold them, named after the fields:
//!
//! ```
//! use std::sync::Arc;
//! use candle_core::{DType, Device, Tensor};
//! use candle_nn::VarBuilder;
//! use candle_tensorboard::nn::{self, Conv2d, MaxPool2d, Module, Node};
//!
//! struct Net { node: Arc<Node>, conv1: Conv2d, pool1: MaxPool2d }
//!
//! impl Net {
//!     fn new(vb: VarBuilder) -> candle_core::Result<Self> {
//!         Ok(Net {
//!             node: Node::new(vb.prefix(), "Net", vec![]),
//!             conv1: Conv2d::new(1, 2, 3, Default::default(), vb.pp("conv1"))?,
//!             pool1: MaxPool2d::new(2, 2),
//!         })
//!     }
//! }
//!
//! impl Module for Net {
//!     fn node(&self) -> &Arc<Node> { &self.node }
//!     // fn children(&self) -> Vec<(&str, &dyn Module)> {
//!     //     vec![("conv1", &self.conv1), ("pool1", &self.pool1)]
//!     // }
//!     candle_tensorboard::module_children!(conv1, pool1);
//!     fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
//!         self.pool1.call(&self.conv1.call(x)?)
//!     }
//! }
//! candle_tensorboard::impl_candle_module!(Net);
//!
//! let net = Net::new(VarBuilder::zeros(DType::F32, &Device::Cpu))?;
//! let names: Vec<String> = net.named_modules().into_iter().map(|(n, _)| n).collect();
//! assert_eq!(names, ["conv1", "pool1"]);
//! assert_eq!(net.named_parameters()[0].0, "conv1.weight");
//! // Walking the tree named the parameterless layer too: hooks see "pool1".
//! assert_eq!(net.pool1.node().name(), "pool1");
//! let y = net.call(&Tensor::ones((1, 1, 4, 4), DType::F32, &Device::Cpu)?)?;
//! assert_eq!(y.dims(), [1, 2, 1, 1]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;

use candle_core::Tensor;

pub use crate::node::{LayerKind, Node};

mod hook_api;
pub mod hookable;
mod layers;
mod norm;
pub mod pool;
mod sequential;
mod summary;

pub use crate::candle_gaps::conv2d;
pub use crate::candle_gaps::{adaptive_avg_pool2d, avg_pool2d, max_pool2d};
pub use layers::{init, Conv2d, Dropout, Flatten, LeakyReLU, Linear, ReLU, Sigmoid, Tanh, Wrap};
pub use norm::{BatchNorm, Embedding, LayerNorm};
pub use pool::{AdaptiveAvgPool2d, AvgPool2d, MaxPool2d, Pool2d};
pub use sequential::Sequential;

/// A node of the module tree: a layer or a container.
///
/// Implement [`Module::node`], [`Module::forward_plain`] and (for containers)
/// [`Module::children`]; everything else is provided. Call [`Module::call`] to run a module
/// with its hooks (containers call their children's `call` in `forward_plain`).
pub trait Module: Send + Sync {
    /// The node holding this module's name, kind, parameters and hooks.
    fn node(&self) -> &Arc<Node>;

    /// The direct children with their local names (`"0"`, `"conv1"`), in order.
    fn children(&self) -> Vec<(&str, &dyn Module)> {
        Vec::new()
    }

    /// The module's own computation, without its hooks.
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor>;

    /// The computation of a module whose forward takes several tensors (a residual block,
    /// attention with a mask). The default takes exactly one and runs
    /// [`Module::forward_plain`]; a multi-input module overrides this (and makes
    /// `forward_plain` its one-input form, or an error saying how many inputs it needs).
    fn forward_plain_many(&self, xs: &[Tensor]) -> candle_core::Result<Tensor> {
        match xs {
            [x] => self.forward_plain(x),
            _ => Err(crate::Error::Events(tfevents::Error::LengthMismatch {
                what: format!(
                    "the inputs of `{}` ({})",
                    self.node().name(),
                    self.node().kind()
                ),
                got: xs.len(),
                expected: 1,
                per: "call of a one-input layer: call it with `call(&x)`",
            })
            .into()),
        }
    }

    /// The computation in train (`true`) or eval mode, for `candle_nn::ModuleT`. The default
    /// ignores the flag; `Dropout`, `BatchNorm` and the containers honour it.
    fn forward_plain_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let _ = train;
        self.forward_plain(x)
    }

    /// Runs the module with its hooks: forward pre-hooks, the computation, forward hooks
    /// (and the probes backward hooks need). This is PyTorch's `module(x)`.
    fn call(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.node().run(x, |x| self.forward_plain(x))
    }

    /// Runs a multi-input module with its hooks; the hooks registered with
    /// `*_with_inputs` see every input (PyTorch's `with_kwargs`), the others the first.
    fn call_many(&self, xs: &[Tensor]) -> candle_core::Result<Tensor> {
        self.node().run_many(xs, |xs| self.forward_plain_many(xs))
    }

    /// Runs the module with its hooks in train (`true`) or eval mode, whatever the nodes'
    /// own flags say: `candle_nn::ModuleT::forward_t` on this crate's layers calls this.
    fn call_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        self.node().run(x, |x| self.forward_plain_t(x, train))
    }

    /// The module's kind, e.g. `"Conv2d"`.
    fn kind(&self) -> String {
        self.node().kind().to_string()
    }

    /// The module's kind as a type ([`LayerKind::Other`] for kinds defined elsewhere).
    fn layer_kind(&self) -> LayerKind {
        self.node().layer_kind()
    }

    hook_api::layer_hook_methods!(where Self: Sized);
    hook_api::subtree_hook_methods!(where Self: Sized);

    /// Every descendant with its dotted name relative to this module, depth first in
    /// definition order (PyTorch's `named_modules()` without the leading `("", self)`).
    ///
    /// Walking also names every descendant's node `<this module's name>.<relative path>`,
    /// so that hooks see full dotted names, parameterless layers included.
    fn named_modules(&self) -> Vec<(String, &dyn Module)> {
        let mut out = Vec::new();
        for (name, child) in self.children() {
            walk(child, name.to_string(), &mut out);
        }
        let root = self.node().name();
        for (name, m) in &out {
            let full = if root.is_empty() {
                name.clone()
            } else {
                format!("{root}.{name}")
            };
            if m.node().name() != full {
                m.node().set_name(full);
            }
        }
        out
    }

    /// Every descendant, depth first.
    fn modules(&self) -> Vec<&dyn Module> {
        self.named_modules().into_iter().map(|(_, m)| m).collect()
    }

    /// Every parameter of this module and its descendants, with dotted names
    /// (`features.0.weight`), in definition order.
    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        let mut out: Vec<(String, Tensor)> = self
            .node()
            .parameters()
            .iter()
            .map(|(n, t)| (n.clone(), t.clone()))
            .collect();
        for (name, m) in self.named_modules() {
            for (p, t) in m.node().parameters() {
                out.push((format!("{name}.{p}"), t.clone()));
            }
        }
        out
    }

    /// Every parameter tensor.
    fn parameters(&self) -> Vec<Tensor> {
        self.named_parameters()
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    }

    /// Total number of parameter elements.
    fn num_parameters(&self) -> usize {
        self.named_parameters()
            .iter()
            .map(|(_, t)| t.elem_count())
            .sum()
    }

    /// Sets train (`true`) or eval mode on this module and all descendants.
    fn set_training(&self, training: bool) {
        self.node().set_training(training);
        for (_, m) in self.named_modules() {
            m.node().set_training(training);
        }
    }

    /// Training mode for the whole subtree (Dropout drops).
    fn train(&self) {
        self.set_training(true)
    }

    /// Eval mode for the whole subtree (Dropout is the identity).
    fn eval(&self) {
        self.set_training(false)
    }

    /// Names every descendant's node `<this module's name>.<relative path>`, so that hooks see
    /// full dotted names even for parameterless layers. [`Module::named_modules`] (and so
    /// every tree walk) does this already; calling it is never required.
    fn assign_names(&self) {
        let _ = self.named_modules();
    }

    /// A torchinfo-style table (layer, kind, output shape, parameter count), from a forward
    /// pass on zeros of `input_shape` (batch included) in the dtype and on the device of the
    /// model's first parameter (f32 on the CPU when it has none).
    fn summary(&self, input_shape: &[usize]) -> crate::Result<String> {
        summary::summary(
            self.node(),
            &self.named_modules(),
            &self.named_parameters(),
            input_shape,
            &|x| self.call(x),
        )
    }
}

fn walk<'a>(m: &'a dyn Module, name: String, out: &mut Vec<(String, &'a dyn Module)>) {
    let children = m.children();
    out.push((name.clone(), m));
    for (n, c) in children {
        walk(c, format!("{name}.{n}"), out);
    }
}

/// Implements `candle_nn::Module` for types implementing this crate's [`Module`], so that
/// `x.apply(&model)` and `candle_nn::Module::forward` run the module with its hooks.
#[macro_export]
macro_rules! impl_candle_module {
    ($($t:ty),* $(,)?) => {
        $(impl ::candle_nn::Module for $t {
            fn forward(&self, xs: &::candle_core::Tensor) -> ::candle_core::Result<::candle_core::Tensor> {
                $crate::nn::Module::call(self, xs)
            }
        })*
    };
}

/// Writes [`Module::children`] for a model from the fields that hold its child modules, each
/// named after its field and listed in the order given (as burn's `#[derive(Module)]` walks a
/// struct's fields). Use it inside the model's `impl Module`:
///
/// ```
/// use std::sync::Arc;
/// use candle_core::Tensor;
/// use candle_tensorboard::nn::{Module, Node, ReLU, Tanh};
///
/// struct Block { node: Arc<Node>, act: ReLU, squash: Tanh }
///
/// impl Module for Block {
///     fn node(&self) -> &Arc<Node> { &self.node }
///     candle_tensorboard::module_children!(act, squash);
///     fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
///         self.squash.call(&self.act.call(x)?)
///     }
/// }
///
/// let block = Block { node: Node::new("block", "Block", vec![]), act: ReLU::new(), squash: Tanh::new() };
/// let names: Vec<String> = block.named_modules().into_iter().map(|(n, _)| n).collect();
/// assert_eq!(names, ["act", "squash"]);
/// assert_eq!(block.squash.node().name(), "block.squash");
/// ```
#[macro_export]
macro_rules! module_children {
    ($($field:ident),* $(,)?) => {
        fn children(&self) -> ::std::vec::Vec<(&str, &dyn $crate::nn::Module)> {
            ::std::vec![$((
                ::core::stringify!($field),
                &self.$field as &dyn $crate::nn::Module,
            )),*]
        }
    };
}
