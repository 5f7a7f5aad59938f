//! Models from the seed tutorials, with torchvision-style parameter names so that weights
//! saved by PyTorch load from safetensors through a `VarBuilder`.

pub mod alexnet;
pub mod dqn;
pub mod gan;
pub mod two_layer_net;
pub mod weights;

pub use alexnet::AlexNet;
pub use dqn::dqn;
pub use gan::{discriminator, generator};
pub use two_layer_net::TwoLayerNet;
pub use weights::load_pretrained;
