//! The tutorials candle-tensorboard grew from, as runnable code: each module is one example
//! (`cargo run --release --example NAME`), with `main` parsing its flags and `run` doing the
//! work, so that the demo can run a short version of every one.
//!
//! | module | tutorial |
//! |---|---|
//! | [`tensorboard_tour`] | PyTorch's TensorBoard tutorial, sections 5.1-5.3 (scalars, histograms, images, grids) |
//! | [`hooks_demo`] | PyTorch's TensorBoard tutorial, section 5.4 (the four hook kinds and their printouts) |
//! | [`feature_maps`] | PyTorch's TensorBoard tutorial: conv1's feature maps, then a hook on every conv layer |
//! | [`alexnet_kernels`] | PyTorch's TensorBoard tutorial: AlexNet's conv kernels as grids |
//! | [`backprop_scratch`] | Backpropagation from scratch: the apple example, layers by hand, a gradient check, MNIST |
//! | [`gan_mnist`] | A GAN on MNIST |
//! | [`grad_cam`] | Grad-CAM on AlexNet: a forward hook and a tensor gradient hook give a heat map over the input |
//! | [`dqn_mountaincar`] | A DQN learning MountainCar from pixels |
//! | [`attention_maps`] | Attention maps: a hook on a multi-input attention module logs its weights as images |
//! | [`demo`] | every one of the above, briefly, plus text and an image batch |
//!
//! The support code the tutorials share is here too, not in the library: the MNIST reader and
//! the bundled digits ([`mnist`]), gymnasium's MountainCar ([`mountain_car`]), the progress
//! display ([`progress`]), the digit classifier that scores the GAN's samples
//! ([`digit_classifier`]) and the benchmark workloads ([`bench_workloads`]). The allocator
//! tuning every example starts with is the library's
//! ([`candle_tensorboard::candle_gaps::keep_freed_buffers`]): users need it too.

pub mod alexnet_kernels;
pub mod attention_maps;
pub mod backprop_scratch;
pub mod bench_workloads;
pub mod bench_workloads_cli;
pub mod common;
pub mod dashboards;
pub mod dashboards2;
pub mod demo;
pub mod digit_classifier;
pub mod dqn_mountaincar;
pub mod feature_maps;
pub mod gan_mnist;
pub mod grad_cam;
pub mod hooks_demo;
pub mod hparams_sweep;
pub mod mnist;
pub mod mountain_car;
pub mod nearest_centroid;
pub mod progress;
pub mod tensorboard_tour;
