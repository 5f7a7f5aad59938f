//! The seed's hook demos (003, section 5.4): a tensor gradient hook on `a` in
//! `y = (w + x) * (w + 1)`, then forward, forward-pre and backward hooks on a conv + pool net.
//!
//! Run: `cargo run --example hooks_demo` (it writes no log; `--steps N` is accepted and
//! ignored, so that it runs like the other examples).

use std::sync::{Arc, Mutex};

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{VarBuilder, VarMap};
use candle_tensorboard::hooks::register_hook;
use candle_tensorboard::nn::{Conv2d, MaxPool2d, Module, Node};

/// PyTorch's tensor printout: `tensor([[1., 2.]])` or `tensor([0.5000, 0.0000])`.
fn torch_fmt(t: &Tensor) -> candle_core::Result<String> {
    let v = t.to_dtype(DType::F64)?.flatten_all()?.to_vec1::<f64>()?;
    let integral = v.iter().all(|x| x.fract() == 0.0);
    let cells: Vec<String> = v
        .iter()
        .map(|x| {
            if integral {
                format!("{x:.0}.")
            } else {
                format!("{x:.4}")
            }
        })
        .collect();
    let width = cells.iter().map(String::len).max().unwrap_or(0);
    let cells: Vec<String> = cells.iter().map(|c| format!("{c:>width$}")).collect();
    fn block(cells: &[String], dims: &[usize], level: usize) -> String {
        match dims {
            [] => cells.first().cloned().unwrap_or_default(),
            [_] => format!("[{}]", cells.join(", ")),
            [n, rest @ ..] => {
                let step = rest.iter().product::<usize>();
                let sep = format!(",{}{}", "\n".repeat(rest.len()), " ".repeat(7 + level + 1));
                let parts: Vec<String> = (0..*n)
                    .map(|i| block(&cells[i * step..(i + 1) * step], rest, level + 1))
                    .collect();
                format!("[{}]", parts.join(&sep))
            }
        }
    }
    Ok(format!("tensor({})", block(&cells, t.dims(), 0)))
}

struct Net {
    node: Arc<Node>,
    conv1: Conv2d,
    pool1: MaxPool2d,
}

impl Module for Net {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    candle_tensorboard::module_children!(conv1, pool1);
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.pool1.call(&self.conv1.call(x)?)
    }
}

/// The flags: none that change the demo, but `--help` prints what it does.
#[derive(clap::Parser, Debug)]
#[command(
    about = "PyTorch's TensorBoard tutorial, section 5.4: a tensor gradient hook, then forward, forward-pre and backward hooks on a conv + pool net, with the tutorial's printouts (writes no log)"
)]
pub struct Args {
    /// Accepted and ignored (the demo has no training loop), like the other examples' flag.
    #[arg(long)]
    pub steps: Option<usize>,
}

/// The example\'s entry point: parses the command line and runs it.
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _args = <Args as clap::Parser>::parse();
    run()
}

/// Runs the seed's hook demos (the demo calls this too).
pub fn run() -> Result<(), Box<dyn std::error::Error>> {
    let dev = Device::Cpu;

    // 1. Tensor.register_hook
    let w = Var::new(&[1f32], &dev)?;
    let x = Var::new(&[2f32], &dev)?;
    let a = (w.as_tensor() + x.as_tensor())?;
    let b = (w.as_tensor() + 1.0)?;
    let a_grad = Arc::new(Mutex::new(Vec::new()));
    let store = a_grad.clone();
    // candle graphs are immutable: the hook lives on the returned tensor, so use it from here.
    let a = register_hook(&a, move |grad| {
        store
            .lock()
            .map_err(|e| candle_core::Error::Msg(e.to_string()))?
            .push(grad.clone());
        Ok(None) // Ok(Some((grad * 10.)?)) would change the gradient
    })?;
    let y = (&a * &b)?;
    let grads = y.backward()?;
    let g = |t: &Tensor| -> candle_core::Result<String> {
        grads.get(t).map_or(Ok("None".into()), torch_fmt)
    };
    println!(
        "gradient: {} {} {} {} {}",
        g(&w)?,
        g(&x)?,
        g(&a)?,
        g(&b)?,
        g(&y)?
    );
    let captured: Vec<String> = a_grad
        .lock()
        .map_err(|e| e.to_string())?
        .iter()
        .map(torch_fmt)
        .collect::<candle_core::Result<_>>()?;
    println!("a_grad:  [{}]\n", captured.join(", "));

    // 2-4. Module hooks on Conv2d(1, 2, 3) + MaxPool2d(2, 2)
    let mut varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &dev);
    let net = Net {
        node: Node::new("", "Net", vec![]),
        conv1: Conv2d::new(1, 2, 3, Default::default(), vb.pp("conv1"))?,
        pool1: MaxPool2d::new(2, 2),
    };
    net.assign_names();
    // First kernel all 1, second all 2, bias 0.
    let ones = Tensor::ones((1, 1, 3, 3), DType::F32, &dev)?;
    varmap.set_one("conv1.weight", Tensor::cat(&[&ones, &(&ones * 2.0)?], 0)?)?;
    varmap.set_one("conv1.bias", Tensor::zeros(2, DType::F32, &dev)?)?;

    let fmap_block = Arc::new(Mutex::new(Vec::new()));
    let input_block = Arc::new(Mutex::new(Vec::new()));
    let (f, i) = (fmap_block.clone(), input_block.clone());
    let _ = net
        .conv1
        .node()
        .register_forward_hook(move |_m, data_input, data_output| {
            f.lock()
                .map_err(|e| candle_core::Error::Msg(e.to_string()))?
                .push(data_output.clone());
            i.lock()
                .map_err(|e| candle_core::Error::Msg(e.to_string()))?
                .push(data_input.clone());
            Ok(None)
        });
    let _ = net
        .conv1
        .node()
        .register_forward_pre_hook(|_m, data_input| {
            println!("forward_pre_hook input:({},)", torch_fmt(data_input)?);
            Ok(None)
        });
    let _ = net
        .pool1
        .node()
        .register_full_backward_hook(|_m, grad_input, grad_output| {
            let gi = grad_input.map_or(Ok("None".into()), torch_fmt)?;
            println!("backward hook input:({gi},)");
            println!("backward hook output:({},)", torch_fmt(grad_output)?);
            Ok(None)
        });

    let fake_img = Tensor::ones((1, 1, 4, 4), DType::F32, &dev)?;
    let output = net.call(&fake_img)?;
    // L1 loss against a target drawn uniformly from [0, 1) (the seed draws randn; a target
    // below both outputs fixes the sign of the gradient, so it is always +0.5).
    let target = Tensor::rand(0f32, 1., output.shape(), &dev)?;
    let loss = (&output - &target)?.abs()?.mean_all()?;
    loss.backward()?;

    println!(
        "output shape: {:?}\noutput value: {}\n",
        output.dims(),
        torch_fmt(&output)?
    );
    let fmaps = fmap_block.lock().map_err(|e| e.to_string())?;
    let inputs = input_block.lock().map_err(|e| e.to_string())?;
    if let (Some(fm), Some(inp)) = (fmaps.first(), inputs.first()) {
        println!(
            "feature maps shape: {:?}\noutput value: {}\n",
            fm.dims(),
            torch_fmt(fm)?
        );
        println!(
            "input shape: {:?}\ninput value: ({},)",
            inp.dims(),
            torch_fmt(inp)?
        );
    }
    Ok(())
}
