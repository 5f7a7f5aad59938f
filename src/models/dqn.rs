//! The Atari DQN network of the seed (Mnih et al. 2015).

use candle_core::Result;
use candle_nn::{Conv2dConfig, VarBuilder};

use crate::nn::{Conv2d, Flatten, Linear, ReLU, Sequential};

/// The DQN Q-network for 4x84x84 stacked frames (NCHW): Conv 32 8x8/4, ReLU, Conv 64 4x4/2,
/// ReLU, Conv 64 3x3/1, ReLU, Flatten, Linear 3136 -> 512, ReLU, Linear 512 -> `n_actions`.
/// Feature maps are 32x20x20, 64x9x9 and 64x7x7; 1,685,667 parameters for 3 actions.
/// Layers are named by index like a PyTorch `nn.Sequential` (`0.weight`, `7.weight`, ...).
pub fn dqn(n_actions: usize, vb: VarBuilder) -> Result<Sequential> {
    let cfg = |stride| Conv2dConfig {
        stride,
        ..Default::default()
    };
    Ok(Sequential::new(vb.prefix())
        .push(Conv2d::new(4, 32, 8, cfg(4), vb.pp(0))?)
        .push(ReLU::new())
        .push(Conv2d::new(32, 64, 4, cfg(2), vb.pp(2))?)
        .push(ReLU::new())
        .push(Conv2d::new(64, 64, 3, cfg(1), vb.pp(4))?)
        .push(ReLU::new())
        .push(Flatten::new())
        .push(Linear::new(3136, 512, vb.pp(7))?)
        .push(ReLU::new())
        .push(Linear::new(512, n_actions, vb.pp(9))?))
}
