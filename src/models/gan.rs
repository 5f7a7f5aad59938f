//! The seed's MNIST GAN: two small MLPs with Glorot-normal weights.

use candle_core::Result;
use candle_nn::VarBuilder;

use crate::nn::{init, Linear, ReLU, Sequential, Sigmoid};

/// Size of the generator's noise input.
pub const NOISE_DIM: usize = 100;
/// Hidden units of both nets.
pub const HIDDEN: usize = 256;
/// Flattened 28x28 image size.
pub const IMAGE_DIM: usize = 784;

fn dense(i: usize, o: usize, vb: VarBuilder) -> Result<Linear> {
    Linear::with_init(i, o, init::glorot_normal(i, o), init::ZEROS, vb)
}

/// Generator: noise 100 -> 256 (ReLU) -> 784 (Sigmoid), layers `0` and `2`.
pub fn generator(vb: VarBuilder) -> Result<Sequential> {
    Ok(Sequential::new(vb.prefix())
        .push(dense(NOISE_DIM, HIDDEN, vb.pp(0))?)
        .push(ReLU::new())
        .push(dense(HIDDEN, IMAGE_DIM, vb.pp(2))?)
        .push(Sigmoid::new()))
}

/// Discriminator: image 784 -> 256 (ReLU) -> 1 (Sigmoid), layers `0` and `2`.
pub fn discriminator(vb: VarBuilder) -> Result<Sequential> {
    Ok(Sequential::new(vb.prefix())
        .push(dense(IMAGE_DIM, HIDDEN, vb.pp(0))?)
        .push(ReLU::new())
        .push(dense(HIDDEN, 1, vb.pp(2))?)
        .push(Sigmoid::new()))
}
