//! Layer kinds as a type.

/// The kind of a layer of the tree, so that code can match on it instead of comparing
/// strings: `m.layer_kind() == LayerKind::Conv2d`. Kinds defined outside this crate (a
/// custom model, a [`super::Wrap`] with its own kind string) are `Other`; their string is
/// still [`super::Module::kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LayerKind {
    /// [`super::Conv2d`].
    Conv2d,
    /// [`super::Linear`].
    Linear,
    /// [`super::LayerNorm`].
    LayerNorm,
    /// [`super::Embedding`].
    Embedding,
    /// [`super::BatchNorm`].
    BatchNorm,
    /// [`super::ReLU`].
    ReLU,
    /// [`super::Sigmoid`].
    Sigmoid,
    /// [`super::Tanh`].
    Tanh,
    /// [`super::LeakyReLU`].
    LeakyReLU,
    /// A `candle_nn::Activation` added to [`super::hookable::seq`].
    Activation,
    /// A closure added with [`super::hookable::Sequential::add_fn`].
    Func,
    /// [`super::Flatten`].
    Flatten,
    /// [`super::Dropout`].
    Dropout,
    /// [`super::MaxPool2d`].
    MaxPool2d,
    /// [`super::AvgPool2d`].
    AvgPool2d,
    /// [`super::AdaptiveAvgPool2d`].
    AdaptiveAvgPool2d,
    /// [`super::Sequential`] (and [`super::hookable::Sequential`]).
    Sequential,
    /// Any other kind.
    Other,
}

impl LayerKind {
    /// The kind named by a node's kind string (`"Conv2d"` -> `Conv2d`; unknown -> `Other`).
    pub fn from_name(kind: &str) -> Self {
        match kind {
            "Conv2d" => Self::Conv2d,
            "Linear" => Self::Linear,
            "LayerNorm" => Self::LayerNorm,
            "Embedding" => Self::Embedding,
            "BatchNorm" | "BatchNorm2d" => Self::BatchNorm,
            "ReLU" => Self::ReLU,
            "Sigmoid" => Self::Sigmoid,
            "Tanh" => Self::Tanh,
            "LeakyReLU" => Self::LeakyReLU,
            "Activation" => Self::Activation,
            "Func" => Self::Func,
            "Flatten" => Self::Flatten,
            "Dropout" => Self::Dropout,
            "MaxPool2d" => Self::MaxPool2d,
            "AvgPool2d" => Self::AvgPool2d,
            "AdaptiveAvgPool2d" => Self::AdaptiveAvgPool2d,
            "Sequential" => Self::Sequential,
            _ => Self::Other,
        }
    }
}
