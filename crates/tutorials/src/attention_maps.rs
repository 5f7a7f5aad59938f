//! Attention maps of a small attention model on MNIST, captured by a hook on the
//! multi-input attention module.
//!
//! Each digit is read as a sequence of its 28 pixel rows (tokens). The model embeds the rows,
//! adds a learned position embedding, runs one single-head attention block (with a
//! feed-forward layer after it, as a transformer block has) and classifies
//! the mean token. The attention weights come from a module of their own, `Scores`, whose
//! forward takes three tensors (queries, keys and a key-padding mask that hides the blank
//! rows above and below the digit): a multi-input module in the tree, run with `call_many`.
//! A forward hook registered with `register_forward_hook_with_inputs` sees all three inputs
//! and the weights it returns; after training, the weights of 16 test digits are logged as
//! images (`attention/weights`: row = query row, column = key row; dark columns are masked
//! rows), next to the digits (`attention/input`).
//!
//! Run: `cargo run --release --example attention_maps [-- --steps 600 --logdir runs]`.

use crate::common;
use crate::mnist::Mnist;

use std::sync::{Arc, Mutex};

use candle_core::{DType, Device, Tensor, D};
use candle_nn::{Optimizer, VarBuilder, VarMap};
use candle_tensorboard::grid::{make_grid, GridOptions};
use candle_tensorboard::nn::{Embedding, Linear, Module, Node};
use candle_tensorboard::summary::image::DataFormat;
use clap::Parser;
use rand::{Rng, SeedableRng};

#[derive(Parser, Debug)]
#[command(
    about = "Attention maps of a one-block attention model on MNIST rows, from a hook on a multi-input module"
)]
pub struct Args {
    /// AdamW steps.
    #[arg(long, default_value_t = 600)]
    steps: usize,
    /// Batch size.
    #[arg(long, default_value_t = 64)]
    batch: usize,
    #[command(flatten)]
    common: common::CommonArgs,
}

const ROWS: usize = 28;
const DIM: usize = 32;

/// `softmax(q k^T / sqrt(d) + mask)` over the keys: inputs (q, k, mask), q and k
/// (n, T, d), mask (n, 1, T) with 0 for visible keys and a large negative number for hidden
/// ones.
struct Scores {
    node: Arc<Node>,
}

impl Module for Scores {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    fn forward_plain(&self, _x: &Tensor) -> candle_core::Result<Tensor> {
        Err(candle_core::Error::Msg(
            "Scores takes (queries, keys, mask): run it with call_many".into(),
        ))
    }
    fn forward_plain_many(&self, xs: &[Tensor]) -> candle_core::Result<Tensor> {
        let [q, k, mask] = xs else {
            return Err(candle_core::Error::Msg(format!(
                "Scores takes 3 inputs (queries, keys, mask), got {}",
                xs.len()
            )));
        };
        let d = q.dim(D::Minus1)? as f64;
        let s = (q.matmul(&k.transpose(1, 2)?)? / d.sqrt())?.broadcast_add(mask)?;
        candle_nn::ops::softmax_last_dim(&s)
    }
}

/// One single-head attention block with a residual connection; inputs (x, mask).
struct Attention {
    node: Arc<Node>,
    q: Linear,
    k: Linear,
    v: Linear,
    scores: Scores,
    out: Linear,
}

impl Attention {
    fn new(vb: VarBuilder) -> candle_core::Result<Self> {
        Ok(Self {
            node: Node::new(vb.prefix(), "Attention", vec![]),
            q: Linear::new(DIM, DIM, vb.pp("q"))?,
            k: Linear::new(DIM, DIM, vb.pp("k"))?,
            v: Linear::new(DIM, DIM, vb.pp("v"))?,
            scores: Scores {
                node: Node::new("", "Scores", vec![]),
            },
            out: Linear::new(DIM, DIM, vb.pp("out"))?,
        })
    }
}

impl Module for Attention {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    candle_tensorboard::module_children!(q, k, v, scores, out);
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let (n, t, _) = x.dims3()?;
        self.forward_plain_many(&[x.clone(), Tensor::zeros((n, 1, t), x.dtype(), x.device())?])
    }
    fn forward_plain_many(&self, xs: &[Tensor]) -> candle_core::Result<Tensor> {
        let [x, mask] = xs else {
            return Err(candle_core::Error::Msg(format!(
                "Attention takes 2 inputs (x, mask), got {}",
                xs.len()
            )));
        };
        let a = self
            .scores
            .call_many(&[self.q.call(x)?, self.k.call(x)?, mask.clone()])?;
        let ctx = a.matmul(&self.v.call(x)?)?;
        x + self.out.call(&ctx)?
    }
}

/// Row embedding, position embedding, the attention block, a per-token feed-forward layer
/// (a transformer block's), mean token, classifier.
struct RowAttention {
    node: Arc<Node>,
    embed: Linear,
    pos: Embedding,
    attn: Attention,
    ff1: Linear,
    ff2: Linear,
    head: Linear,
}

impl RowAttention {
    fn new(vb: VarBuilder) -> candle_core::Result<Self> {
        Ok(Self {
            node: Node::new(vb.prefix(), "RowAttention", vec![]),
            embed: Linear::new(ROWS, DIM, vb.pp("embed"))?,
            pos: Embedding::new(ROWS, DIM, vb.pp("pos"))?,
            attn: Attention::new(vb.pp("attn"))?,
            ff1: Linear::new(DIM, 2 * DIM, vb.pp("ff1"))?,
            ff2: Linear::new(2 * DIM, DIM, vb.pp("ff2"))?,
            head: Linear::new(DIM, 10, vb.pp("head"))?,
        })
    }
}

impl Module for RowAttention {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    candle_tensorboard::module_children!(embed, pos, attn, ff1, ff2, head);
    /// `x`: images (n, 28, 28) in [0, 1].
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        // Key-padding mask: a row with no ink is hidden from every query.
        let ink = x.sum_keepdim(D::Minus1)?.transpose(1, 2)?; // (n, 1, T)
        let mask = (ink.le(0.5)?.to_dtype(DType::F32)? * -1e9)?;
        let positions = Tensor::arange(0u32, ROWS as u32, x.device())?;
        let h = self
            .embed
            .call(&((x - 0.1307)? / 0.3081)?)?
            .broadcast_add(&self.pos.call(&positions)?)?;
        let h = self.attn.call_many(&[h, mask])?;
        // Without a nonlinearity per token, the mean of the tokens is nearly a linear function
        // of row sums and cannot tell where in the digit the ink is (40% right after training).
        let h = (&h + self.ff2.call(&self.ff1.call(&h)?.relu()?)?)?;
        self.head.call(&h.mean(1)?)
    }
}

fn batch(m: &Mnist, idx: &[usize], dev: &Device) -> candle_core::Result<(Tensor, Tensor)> {
    let s = m.image_size();
    let mut px = Vec::with_capacity(idx.len() * s);
    for &i in idx {
        px.extend_from_slice(&m.images[i * s..(i + 1) * s]);
    }
    let x = Tensor::from_vec(px, (idx.len(), m.rows, m.cols), dev)?;
    let labels: Vec<u32> = idx.iter().map(|&i| u32::from(m.labels[i])).collect();
    Ok((x, Tensor::from_vec(labels, idx.len(), dev)?))
}

/// The example's entry point: parses the command line and runs it.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    candle_tensorboard::candle_gaps::keep_freed_buffers();
    run(Args::parse())
}

/// Runs the example with parsed arguments (the demo calls this too).
pub fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let dev = Device::Cpu;
    let writer = args.common.writer("attention_maps")?;
    let data = args.common.mnist()?;
    let n_test = 16.min(data.len() / 2);
    let train = data.slice(0, data.len() - n_test);
    let test = data.slice(data.len() - n_test, data.len());

    let varmap = VarMap::new();
    let model = RowAttention::new(VarBuilder::from_varmap(&varmap, DType::F32, &dev))?;
    let names: Vec<String> = model.named_modules().into_iter().map(|(n, _)| n).collect();
    println!("layers: {}", names.join(", "));
    let mut opt = candle_nn::AdamW::new_lr(varmap.all_vars(), 3e-3)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    println!(
        "training a one-block attention model on MNIST rows for {} AdamW steps",
        args.steps
    );
    let pb = common::progress(args.steps as u64);
    for step in 0..args.steps {
        let idx: Vec<usize> = (0..args.batch)
            .map(|_| rng.random_range(0..train.len()))
            .collect();
        let (x, y) = batch(&train, &idx, &dev)?;
        let loss = candle_nn::loss::cross_entropy(&model.call(&x)?, &y)?;
        opt.backward_step(&loss)?;
        let loss = loss.to_scalar::<f32>()?;
        writer.add_scalar("train/loss", loss, step as i64)?;
        pb.set_message(format!("loss {loss:.4}"));
        pb.inc(1);
    }
    pb.finish();

    // The hook on the multi-input module sees (queries, keys, mask) and the weights.
    let captured: Arc<Mutex<Option<(Tensor, Tensor)>>> = Arc::default();
    let c = captured.clone();
    let _hook = model
        .attn
        .scores
        .node()
        .register_forward_hook_with_inputs(Default::default(), move |m, inputs, weights| {
            if let (Some(mask), Some(w)) = (inputs.get(2), weights) {
                println!(
                    "{}: queries {:?}, keys {:?}, mask {:?} -> weights {:?}",
                    m.name(),
                    inputs[0].dims(),
                    inputs[1].dims(),
                    mask.dims(),
                    w.dims()
                );
                *c.lock().unwrap_or_else(|e| e.into_inner()) = Some((mask.clone(), w.clone()));
            }
            Ok(None)
        })
        .guard();
    let idx: Vec<usize> = (0..test.len()).collect();
    let (x, y) = batch(&test, &idx, &dev)?;
    let pred = model.call(&x)?.argmax(D::Minus1)?.to_vec1::<u32>()?;
    let labels = y.to_vec1::<u32>()?;
    let hits = pred.iter().zip(&labels).filter(|(p, l)| p == l).count();
    println!("{hits} of {} test digits predicted right", labels.len());
    let (mask, weights) = captured
        .lock()
        .map_err(|e| e.to_string())?
        .take()
        .ok_or("the attention hook did not run")?;
    let visible = mask
        .ge(0f32)?
        .to_dtype(DType::F32)?
        .sum_all()?
        .to_scalar::<f32>()?;
    println!(
        "rows visible to attention: {:.1} of {ROWS} per digit",
        visible / labels.len() as f32
    );

    // Each map scaled by its own maximum so that one-hot and spread-out rows both show.
    let n = weights.dim(0)?;
    let max = weights
        .flatten_from(1)?
        .max_keepdim(1)?
        .reshape((n, 1, 1))?;
    let maps = weights.broadcast_div(&(max + 1e-12)?)?.unsqueeze(1)?;
    let big = |t: &Tensor| t.upsample_nearest2d(112, 112);
    let opts = GridOptions {
        nrow: 8,
        padding: 4,
        pad_value: 0.5,
        ..Default::default()
    };
    let grid = make_grid(&big(&maps)?, &opts)?;
    let inputs = make_grid(&big(&x.unsqueeze(1)?)?, &opts)?;
    let step = args.steps as i64;
    writer.add_image_with_format("attention/weights", &grid, step, DataFormat::CHW)?;
    writer.add_image_with_format("attention/input", &inputs, step, DataFormat::CHW)?;
    common::debug_png("attention_weights", &grid)?;
    writer.close()?;
    Ok(())
}
