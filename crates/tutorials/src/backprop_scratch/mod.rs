//! Seed 004: backpropagation from scratch. Multiplication and addition nodes on the apple
//! example, then ReLU / Sigmoid / Affine / SoftmaxWithLoss layers on plain `f64` arrays, a
//! two-layer net (784-50-10) whose backprop gradients are checked against numerical gradients
//! and against candle's autograd, and SGD training on MNIST logged to TensorBoard.
//!
//! Run: `cargo run --example backprop_scratch [-- --steps 2000 --logdir runs]`.

// Index loops mirror the seed's NumPy-free arithmetic, which the reader compares line by line.
#![allow(clippy::needless_range_loop, clippy::type_complexity)]

use crate::common;
mod layers;

use crate::mnist::Mnist;
use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use candle_tensorboard::models::TwoLayerNet as CandleTwoLayerNet;
use candle_tensorboard::nn::Module;
use clap::Parser;
use layers::{AddLayer, Affine, Mat, MulLayer, Relu, Sigmoid, SoftmaxWithLoss};
use rand::{Rng, SeedableRng};

#[derive(Parser, Debug)]
#[command(about = "Seed 004: backpropagation from scratch, gradient check, MNIST training")]
pub struct Args {
    /// SGD iterations (batch 100, lr 0.1).
    #[arg(long, default_value_t = 2000)]
    steps: usize,
    /// Training images (the first ones of the bundled 10,000, or of --data's file).
    #[arg(long, default_value_t = 3500)]
    train: usize,
    /// Test images, taken after the training images.
    #[arg(long, default_value_t = 500)]
    test: usize,
    /// Learning rate.
    #[arg(long, default_value_t = 0.1)]
    lr: f64,
    /// Seed of the weight init and batch sampling.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[command(flatten)]
    common: common::CommonArgs,
}

/// Python's `print` of a float the seed shows rounded: `220`, `2.2`, `110`.
fn py(v: f64) -> String {
    let r = (v * 1e9).round() / 1e9;
    format!("{r}")
}

fn apples() {
    let (apple, apple_num, tax) = (100.0, 2.0, 1.1);
    let mut mul_apple_layer = MulLayer::default();
    let mut mul_tax_layer = MulLayer::default();
    let apple_price = mul_apple_layer.forward(apple, apple_num);
    let price = mul_tax_layer.forward(apple_price, tax);
    println!("{}", py(price)); // 220
    let dprice = 1.0;
    let (dapple_price, dtax) = mul_tax_layer.backward(dprice);
    let (dapple, dapple_num) = mul_apple_layer.backward(dapple_price);
    println!("{} {} {}", py(dapple), py(dapple_num), py(dtax)); // 2.2 110 200

    let (orange, orange_num) = (150.0, 3.0);
    let mut mul_apple_layer = MulLayer::default();
    let mut mul_orange_layer = MulLayer::default();
    let mut add_apple_orange_layer = AddLayer;
    let mut mul_tax_layer = MulLayer::default();
    let apple_price = mul_apple_layer.forward(apple, apple_num);
    let orange_price = mul_orange_layer.forward(orange, orange_num);
    let all_price = add_apple_orange_layer.forward(apple_price, orange_price);
    let price = mul_tax_layer.forward(all_price, tax);
    let (dall_price, dtax) = mul_tax_layer.backward(dprice);
    let (dapple_price, dorange_price) = add_apple_orange_layer.backward(dall_price);
    let (dorange, dorange_num) = mul_orange_layer.backward(dorange_price);
    let (dapple, dapple_num) = mul_apple_layer.backward(dapple_price);
    println!("{}", py(price)); // 715
    println!(
        "{} {} {} {} {}",
        py(dapple_num),
        py(dapple),
        py(dorange),
        py(dorange_num),
        py(dtax)
    ); // 110 2.2 3.3 165 650
}

fn relu_sigmoid_demo() {
    let x = Mat::from_vec(2, 2, vec![1.0, -0.5, -2.0, 3.0]);
    let mut relu = Relu::default();
    let y = relu.forward(&x);
    let dx = relu.backward(&Mat::from_vec(2, 2, vec![1.0; 4]));
    println!("ReLU    x={:?} -> y={:?}, dx={:?}", x.data, y.data, dx.data);
    let mut sig = Sigmoid::default();
    let y = sig.forward(&x);
    let dx = sig.backward(&Mat::from_vec(2, 2, vec![1.0; 4]));
    let f = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:.4}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!("Sigmoid y=[{}], dx=[{}]", f(&y.data), f(&dx.data));
}

const NAMES: [&str; 4] = ["W1", "b1", "W2", "b2"];

/// The seed's `TwoLayerNet`: Affine1 - Relu1 - Affine2 - SoftmaxWithLoss.
struct TwoLayerNet {
    affine1: Affine,
    relu1: Relu,
    affine2: Affine,
    last: SoftmaxWithLoss,
}

impl TwoLayerNet {
    fn new(
        input: usize,
        hidden: usize,
        output: usize,
        std: f64,
        rng: &mut rand::rngs::StdRng,
    ) -> Self {
        let mut randn = |r, c| {
            Mat::from_vec(
                r,
                c,
                common::normal(rng, r * c).iter().map(|v| std * v).collect(),
            )
        };
        let w1 = randn(input, hidden);
        let w2 = randn(hidden, output);
        TwoLayerNet {
            affine1: Affine::new(w1, vec![0.0; hidden]),
            relu1: Relu::default(),
            affine2: Affine::new(w2, vec![0.0; output]),
            last: SoftmaxWithLoss::default(),
        }
    }

    fn predict(&mut self, x: &Mat) -> Mat {
        let h = self.affine1.forward(x);
        let h = self.relu1.forward(&h);
        self.affine2.forward(&h)
    }

    fn loss(&mut self, x: &Mat, t: &[usize]) -> f64 {
        let y = self.predict(x);
        self.last.forward(&y, t)
    }

    fn accuracy(&mut self, x: &Mat, t: &[usize]) -> f64 {
        let y = self.predict(x);
        let hits = (0..y.rows)
            .filter(|&r| {
                let row = y.row(r);
                let arg = (0..row.len()).fold(0, |b, c| if row[c] > row[b] { c } else { b });
                arg == t[r]
            })
            .count();
        hits as f64 / x.rows as f64
    }

    fn param_mut(&mut self, k: usize) -> &mut Vec<f64> {
        match k {
            0 => &mut self.affine1.w.data,
            1 => &mut self.affine1.b,
            2 => &mut self.affine2.w.data,
            _ => &mut self.affine2.b,
        }
    }

    fn params(&self) -> [&[f64]; 4] {
        [
            &self.affine1.w.data,
            &self.affine1.b,
            &self.affine2.w.data,
            &self.affine2.b,
        ]
    }

    /// Forward, then backward in reverse layer order; returns (loss, [dW1, db1, dW2, db2]).
    fn gradient(
        &mut self,
        x: &Mat,
        t: &[usize],
    ) -> Result<(f64, [Vec<f64>; 4]), layers::BackwardBeforeForward> {
        let loss = self.loss(x, t);
        let dout = self.last.backward()?;
        let dout = self.affine2.backward(&dout)?;
        let dout = self.relu1.backward(&dout);
        self.affine1.backward(&dout)?;
        let grads = [
            self.affine1.dw.data.clone(),
            self.affine1.db.clone(),
            self.affine2.dw.data.clone(),
            self.affine2.db.clone(),
        ];
        Ok((loss, grads))
    }

    /// Central differences `(L(p + h) - L(p - h)) / 2h`, h = 1e-4, for every parameter.
    /// A weight of W1 whose input pixel is 0 in every sample cannot change the loss, and the
    /// forward pass skips zero pixels, so both evaluations would return the same bits: its
    /// gradient is exactly 0 and is not evaluated.
    fn numerical_gradient(&mut self, x: &Mat, t: &[usize]) -> [Vec<f64>; 4] {
        let h = 1e-4;
        let w1_cols = self.affine1.w.cols;
        let live_rows: Vec<bool> = (0..x.cols)
            .map(|i| (0..x.rows).any(|n| x.data[n * x.cols + i] != 0.0))
            .collect();
        let mut out: [Vec<f64>; 4] = Default::default();
        for (k, g) in out.iter_mut().enumerate() {
            let len = self.param_mut(k).len();
            *g = vec![0.0; len];
            for i in 0..len {
                if k == 0 && !live_rows[i / w1_cols] {
                    continue;
                }
                let orig = self.param_mut(k)[i];
                self.param_mut(k)[i] = orig + h;
                let f1 = self.loss(x, t);
                self.param_mut(k)[i] = orig - h;
                let f2 = self.loss(x, t);
                self.param_mut(k)[i] = orig;
                g[i] = (f1 - f2) / (2.0 * h);
            }
        }
        out
    }
}

fn mean_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>() / a.len().max(1) as f64
}

fn to_mat(m: &Mnist) -> Mat {
    Mat::from_vec(
        m.len(),
        m.image_size(),
        m.images.iter().map(|&v| f64::from(v)).collect(),
    )
}

/// Transposes a row-major `rows x cols` slice.
fn transpose(v: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    let mut out = vec![0.0; v.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = v[r * cols + c];
        }
    }
    out
}

/// The same net in candle (our `models::TwoLayerNet`, f64) with these weights: its autograd
/// gradients, in the seed's layout, and its loss.
fn candle_gradient(
    net: &TwoLayerNet,
    x: &Mat,
    t: &[usize],
) -> Result<(f64, [Vec<f64>; 4]), Box<dyn std::error::Error>> {
    let dev = Device::Cpu;
    let mut vm = VarMap::new();
    let vb = VarBuilder::from_varmap(&vm, DType::F64, &dev);
    let (i, hdim, o) = (net.affine1.w.rows, net.affine1.w.cols, net.affine2.w.cols);
    let model = CandleTwoLayerNet::new(i, hdim, o, 0.01, vb)?;
    // candle's Linear stores W as (out, in): the seed's W transposed.
    vm.set_one(
        "affine1.weight",
        Tensor::from_vec(transpose(&net.affine1.w.data, i, hdim), (hdim, i), &dev)?,
    )?;
    vm.set_one(
        "affine1.bias",
        Tensor::from_slice(&net.affine1.b, hdim, &dev)?,
    )?;
    vm.set_one(
        "affine2.weight",
        Tensor::from_vec(transpose(&net.affine2.w.data, hdim, o), (o, hdim), &dev)?,
    )?;
    vm.set_one("affine2.bias", Tensor::from_slice(&net.affine2.b, o, &dev)?)?;
    let xs = Tensor::from_slice(&x.data, (x.rows, x.cols), &dev)?;
    let ts = Tensor::from_vec(
        t.iter().map(|&v| v as u32).collect::<Vec<_>>(),
        t.len(),
        &dev,
    )?;
    let logits = model.call(&xs)?;
    let loss = candle_nn::loss::cross_entropy(&logits, &ts)?;
    let grads = loss.backward()?;
    let vars = vm.data().lock().map_err(|e| e.to_string())?.clone();
    let grad = |name: &str| -> Result<Vec<f64>, Box<dyn std::error::Error>> {
        let var = vars.get(name).ok_or(format!("no variable {name}"))?;
        let g = grads
            .get(var.as_tensor())
            .ok_or(format!("no gradient for {name}"))?;
        Ok(g.flatten_all()?.to_vec1::<f64>()?)
    };
    let out = [
        transpose(&grad("affine1.weight")?, hdim, i),
        grad("affine1.bias")?,
        transpose(&grad("affine2.weight")?, o, hdim),
        grad("affine2.bias")?,
    ];
    Ok((loss.to_scalar::<f64>()?, out))
}

/// The example\'s entry point: parses the command line and runs it.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    candle_tensorboard::candle_gaps::keep_freed_buffers();
    run(Args::parse())
}

/// Runs the example with parsed arguments (the demo calls this too).
pub fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    println!("== MulLayer / AddLayer: buying apples (and oranges) ==");
    apples();
    println!("== Relu / Sigmoid ==");
    relu_sigmoid_demo();

    let data = args.common.mnist()?;
    let n_train = args.train.min(data.len());
    let train = data.slice(0, n_train);
    let test = data.slice(n_train, n_train + args.test);
    if train.is_empty() || test.is_empty() {
        return Err(format!(
            "need training and test images: {} images, --train {} --test {}",
            data.len(),
            args.train,
            args.test
        )
        .into());
    }
    let (x_train, t_train) = (
        to_mat(&train),
        train.labels.iter().map(|&l| l as usize).collect::<Vec<_>>(),
    );
    let (x_test, t_test) = (
        to_mat(&test),
        test.labels.iter().map(|&l| l as usize).collect::<Vec<_>>(),
    );
    println!("MNIST: {} train, {} test images", train.len(), test.len());

    let mut rng = rand::rngs::StdRng::seed_from_u64(args.seed);
    let mut network = TwoLayerNet::new(784, 50, 10, 0.01, &mut rng);

    // Gradient check on the first 3 training images, as the seed.
    let x_batch = Mat::from_vec(3, 784, x_train.data[..3 * 784].to_vec());
    let t_batch = &t_train[..3];
    let grad_numerical = network.numerical_gradient(&x_batch, t_batch);
    let (loss, grad_backprop) = network.gradient(&x_batch, t_batch)?;
    println!("== gradient check: backprop vs numerical (mean |difference|) ==");
    let mut worst: f64 = 0.0;
    for (k, name) in NAMES.iter().enumerate() {
        let diff = mean_abs_diff(&grad_backprop[k], &grad_numerical[k]);
        worst = worst.max(diff);
        println!("{name}:{diff:e}");
    }
    let (closs, grad_candle) = candle_gradient(&network, &x_batch, t_batch)?;
    println!("== gradient check: backprop vs candle autograd (loss {loss:.12} vs {closs:.12}) ==");
    for (k, name) in NAMES.iter().enumerate() {
        println!(
            "{name}:{:e}",
            mean_abs_diff(&grad_backprop[k], &grad_candle[k])
        );
    }
    if worst > 1e-7 {
        return Err(
            format!("gradient check failed: worst mean difference {worst:e} > 1e-7").into(),
        );
    }

    // Training, as the seed: random batches of 100 (with replacement), SGD, accuracy per epoch.
    let writer = args.common.writer("backprop_scratch")?;
    let batch_size = 100.min(train.len());
    let iter_per_epoch = (train.len() / batch_size).max(1);
    let pb = common::progress(args.steps as u64);
    let mut epoch = 0i64;
    let mut x_b = Mat::zeros(batch_size, 784);
    let mut t_b = vec![0usize; batch_size];
    for i in 0..args.steps {
        for r in 0..batch_size {
            let j = rng.random_range(0..train.len());
            x_b.data[r * 784..(r + 1) * 784].copy_from_slice(x_train.row(j));
            t_b[r] = t_train[j];
        }
        let (_, grad) = network.gradient(&x_b, &t_b)?;
        for (k, g) in grad.iter().enumerate() {
            for (p, d) in network.param_mut(k).iter_mut().zip(g) {
                *p -= args.lr * d;
            }
        }
        let loss = network.loss(&x_b, &t_b);
        writer.add_scalar("train/loss", loss, i as i64)?;
        pb.set_message(format!("loss {loss:.4}"));
        pb.inc(1);

        if i % iter_per_epoch == 0 {
            let train_acc = network.accuracy(&x_train, &t_train);
            let test_acc = network.accuracy(&x_test, &t_test);
            writer.add_scalar("accuracy/train", train_acc, epoch)?;
            writer.add_scalar("accuracy/test", test_acc, epoch)?;
            for (k, name) in NAMES.iter().enumerate() {
                writer.add_histogram(&format!("weights/{name}"), network.params()[k], epoch)?;
                writer.add_histogram(&format!("grads/{name}"), &grad[k], epoch)?;
            }
            pb.suspend(|| println!("{train_acc} {test_acc}"));
            epoch += 1;
        }
    }
    pb.finish();
    let train_acc = network.accuracy(&x_train, &t_train);
    let test_acc = network.accuracy(&x_test, &t_test);
    writer.add_scalar("accuracy/train", train_acc, epoch)?;
    writer.add_scalar("accuracy/test", test_acc, epoch)?;
    writer.close()?;
    println!(
        "after {} iterations ({} epochs of {} images): train accuracy {:.4}, test accuracy {:.4}",
        args.steps,
        args.steps / iter_per_epoch,
        train.len(),
        train_acc,
        test_acc
    );
    Ok(())
}
