//! Layer kinds as a type.

/// Declares the kinds once: the enum, each kind's name and the name -> kind lookup cannot
/// disagree.
macro_rules! layer_kinds {
    ($($(#[$doc:meta])* $kind:ident,)*) => {
        /// The kind of a layer of the tree, so that code can match on it instead of comparing
        /// strings: `m.layer_kind() == LayerKind::Conv2d`. Kinds defined outside this crate (a
        /// custom model, a `Wrap` with its own kind string) are `Other`; their string is
        /// still [`Node::kind`](super::Node::kind).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum LayerKind {
            $($(#[$doc])* $kind,)*
            /// Any other kind.
            Other,
        }

        impl LayerKind {
            /// The kind's name, as [`Node::kind`](super::Node::kind) and `summary` show it
            /// (`"Conv2d"`; `"Other"` for [`LayerKind::Other`]).
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$kind => stringify!($kind),)*
                    Self::Other => "Other",
                }
            }

            /// The kind named by a node's kind string (`"Conv2d"` -> `Conv2d`; unknown ->
            /// `Other`).
            pub fn from_name(kind: &str) -> Self {
                match kind {
                    $(stringify!($kind) => Self::$kind,)*
                    // PyTorch's name for the 2-D case.
                    "BatchNorm2d" => Self::BatchNorm,
                    _ => Self::Other,
                }
            }
        }
    };
}

layer_kinds! {
    /// [`Conv2d`](crate::nn::Conv2d).
    Conv2d,
    /// [`Linear`](crate::nn::Linear).
    Linear,
    /// [`LayerNorm`](crate::nn::LayerNorm).
    LayerNorm,
    /// [`Embedding`](crate::nn::Embedding).
    Embedding,
    /// [`BatchNorm`](crate::nn::BatchNorm).
    BatchNorm,
    /// [`ReLU`](crate::nn::ReLU).
    ReLU,
    /// [`Sigmoid`](crate::nn::Sigmoid).
    Sigmoid,
    /// [`Tanh`](crate::nn::Tanh).
    Tanh,
    /// [`LeakyReLU`](crate::nn::LeakyReLU).
    LeakyReLU,
    /// A `candle_nn::Activation` added to [`hookable::seq`](crate::nn::hookable::seq).
    Activation,
    /// A closure added with [`hookable::Sequential::add_fn`](crate::nn::hookable::Sequential::add_fn).
    Func,
    /// [`Flatten`](crate::nn::Flatten).
    Flatten,
    /// [`Dropout`](crate::nn::Dropout).
    Dropout,
    /// [`MaxPool2d`](crate::nn::MaxPool2d).
    MaxPool2d,
    /// [`AvgPool2d`](crate::nn::AvgPool2d).
    AvgPool2d,
    /// [`AdaptiveAvgPool2d`](crate::nn::AdaptiveAvgPool2d).
    AdaptiveAvgPool2d,
    /// [`Sequential`](crate::nn::Sequential) (and [`hookable::Sequential`](crate::nn::hookable::Sequential)).
    Sequential,
}

impl std::fmt::Display for LayerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::LayerKind;

    #[test]
    fn names_round_trip() {
        for kind in [
            LayerKind::Conv2d,
            LayerKind::MaxPool2d,
            LayerKind::Sequential,
        ] {
            assert_eq!(LayerKind::from_name(kind.name()), kind);
        }
        assert_eq!(LayerKind::from_name("BatchNorm2d"), LayerKind::BatchNorm);
        assert_eq!(LayerKind::from_name("Net"), LayerKind::Other);
        assert_eq!(LayerKind::AvgPool2d.to_string(), "AvgPool2d");
    }
}
