//! `nn::conv2d` (im2col + gemm) against candle's own convolution: outputs and gradients.

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::Conv2dConfig;
use candle_tensorboard::nn::conv2d;

fn close(a: &Tensor, b: &Tensor, tol: f32) {
    let d = (a - b)
        .unwrap()
        .abs()
        .unwrap()
        .flatten_all()
        .unwrap()
        .max(0)
        .unwrap()
        .to_scalar::<f32>()
        .unwrap();
    assert!(d <= tol, "max difference {d}");
}

/// Output, input gradient and weight gradient against candle's own convolution.
fn matches_candle(n: usize, c: usize, hw: (usize, usize), o: usize, k: usize, s: usize, p: usize) {
    let dev = Device::Cpu;
    let x = Var::randn(0f32, 1., (n, c, hw.0, hw.1), &dev).unwrap();
    let w = Var::randn(0f32, 1., (o, c, k, k), &dev).unwrap();
    let b = Var::randn(0f32, 1., o, &dev).unwrap();
    let cfg = Conv2dConfig {
        stride: s,
        padding: p,
        ..Default::default()
    };
    let ours = conv2d(&x, &w, Some(&b), &cfg).unwrap();
    let reference = candle_nn::Module::forward(
        &candle_nn::Conv2d::new(w.as_tensor().clone(), Some(b.as_tensor().clone()), cfg),
        &x,
    )
    .unwrap();
    assert_eq!(ours.dims(), reference.dims());
    close(&ours, &reference, 1e-4);
    // A loss that weights every output differently, so misplaced gradients show.
    let weights = Tensor::randn(0f32, 1., ours.dims(), &dev).unwrap();
    let g1 = (ours * &weights)
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap();
    let g2 = (reference * &weights)
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap();
    for v in [&x, &w, &b] {
        close(g1.get(v).unwrap(), g2.get(v).unwrap(), 1e-3);
    }
}

#[test]
fn matches_candle_for_strides_paddings_and_shapes() {
    matches_candle(2, 4, (84, 84), 8, 8, 4, 0); // the DQN's first layer
    matches_candle(2, 3, (9, 9), 5, 4, 2, 0);
    matches_candle(3, 1, (28, 28), 4, 5, 1, 2);
    matches_candle(1, 2, (7, 5), 3, 3, 2, 1); // not square, stride does not divide
    matches_candle(1, 1, (3, 3), 1, 3, 1, 0); // one output pixel
}

#[test]
fn input_without_gradient_still_gives_weight_gradients() {
    let dev = Device::Cpu;
    let x = Tensor::randn(0f32, 1., (2, 4, 20, 20), &dev).unwrap();
    let w = Var::randn(0f32, 1., (3, 4, 4, 4), &dev).unwrap();
    let cfg = Conv2dConfig {
        stride: 2,
        ..Default::default()
    };
    let y = conv2d(&x, &w, None, &cfg).unwrap();
    let g = y.sum_all().unwrap().backward().unwrap();
    let reference = x
        .conv2d(w.as_tensor(), 0, 2, 1, 1)
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap();
    close(g.get(&w).unwrap(), reference.get(&w).unwrap(), 1e-3);
}

#[test]
fn other_dtypes_and_bad_shapes_go_to_candle() {
    let dev = Device::Cpu;
    let x = Tensor::ones((1, 2, 5, 5), DType::F64, &dev).unwrap();
    let w = Tensor::ones((1, 2, 3, 3), DType::F64, &dev).unwrap();
    let y = conv2d(&x, &w, None, &Conv2dConfig::default()).unwrap();
    assert_eq!(y.dims(), [1, 1, 3, 3]);
    let x = Tensor::ones((1, 3, 5, 5), DType::F32, &dev).unwrap();
    let w = Tensor::ones((1, 2, 3, 3), DType::F32, &dev).unwrap();
    assert!(conv2d(&x, &w, None, &Conv2dConfig::default()).is_err());
}

#[test]
fn strided_input_views_give_the_same_result() {
    let dev = Device::Cpu;
    let x = Tensor::randn(0f32, 1., (2, 3, 9, 7), &dev).unwrap();
    let view = x.transpose(2, 3).unwrap(); // (2, 3, 7, 9), not contiguous
    let w = Tensor::randn(0f32, 1., (4, 3, 3, 3), &dev).unwrap();
    let cfg = Conv2dConfig {
        padding: 1,
        stride: 2,
        ..Default::default()
    };
    let ours = conv2d(&view, &w, None, &cfg).unwrap();
    let reference = view.contiguous().unwrap().conv2d(&w, 1, 2, 1, 1).unwrap();
    close(&ours, &reference, 1e-4);
}
