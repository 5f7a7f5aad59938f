//! The seed's printouts (003, section 5.4) as tests.

use std::sync::{Arc, Mutex};

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{VarBuilder, VarMap};
use candle_tensorboard::hooks::register_hook;
use candle_tensorboard::nn::{Conv2d, MaxPool2d, Module, Node};

fn v(t: &Tensor) -> Vec<f32> {
    t.flatten_all().unwrap().to_vec1::<f32>().unwrap()
}

#[test]
fn tensor_hook_w5_x2_agrad2() {
    let dev = Device::Cpu;
    let w = Var::new(&[1f32], &dev).unwrap();
    let x = Var::new(&[2f32], &dev).unwrap();
    let a = (w.as_tensor() + x.as_tensor()).unwrap();
    let b = (w.as_tensor() + 1.0).unwrap();
    let a_grad = Arc::new(Mutex::new(Vec::new()));
    let store = a_grad.clone();
    let a = register_hook(&a, move |g| {
        store.lock().unwrap().push(g.clone());
        Ok(None)
    })
    .unwrap();
    let y = (&a * &b).unwrap();
    let grads = y.backward().unwrap();
    assert_eq!(v(grads.get(&w).unwrap()), [5.0]);
    assert_eq!(v(grads.get(&x).unwrap()), [2.0]);
    // Intermediate tensors have no gradient in the store, as in PyTorch (a.grad is None).
    assert!(grads.get(&a).is_none());
    assert!(grads.get(&b).is_none());
    let captured = a_grad.lock().unwrap();
    assert_eq!(captured.len(), 1);
    assert_eq!(v(&captured[0]), [2.0]);
}

#[test]
fn tensor_hook_scaling_by_10_scales_leaf_gradients() {
    // The seed's commented-out `grad *= 10`: dy/dw = b*10 + a = 20 + 3, dy/dx = 20.
    let dev = Device::Cpu;
    let w = Var::new(&[1f32], &dev).unwrap();
    let x = Var::new(&[2f32], &dev).unwrap();
    let a = (w.as_tensor() + x.as_tensor()).unwrap();
    let b = (w.as_tensor() + 1.0).unwrap();
    let a = register_hook(&a, |g| Ok(Some((g * 10.0)?))).unwrap();
    let grads = (&a * &b).unwrap().backward().unwrap();
    assert_eq!(v(grads.get(&w).unwrap()), [23.0]);
    assert_eq!(v(grads.get(&x).unwrap()), [20.0]);
}

#[test]
fn tensor_hook_on_constant_is_an_error() {
    let t = Tensor::new(&[1f32], &Device::Cpu).unwrap();
    let err = register_hook(&t, |_| Ok(None)).unwrap_err().to_string();
    assert!(err.contains("does not require a gradient"), "{err}");
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
    fn children(&self) -> Vec<(&str, &dyn Module)> {
        vec![("conv1", &self.conv1), ("pool1", &self.pool1)]
    }
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.pool1.call(&self.conv1.call(x)?)
    }
}

fn seed_net() -> Net {
    let mut varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
    let net = Net {
        node: Node::new("", "Net", vec![]),
        conv1: Conv2d::new(1, 2, 3, Default::default(), vb.pp("conv1")).unwrap(),
        pool1: MaxPool2d::new(2, 2),
    };
    net.assign_names();
    let ones = Tensor::ones((1, 1, 3, 3), DType::F32, &Device::Cpu).unwrap();
    let w = Tensor::cat(&[&ones, &(&ones * 2.0).unwrap()], 0).unwrap();
    varmap.set_one("conv1.weight", w).unwrap();
    varmap
        .set_one(
            "conv1.bias",
            Tensor::zeros(2, DType::F32, &Device::Cpu).unwrap(),
        )
        .unwrap();
    net
}

#[test]
fn conv_pool_demo_matches_seed() {
    let net = seed_net();
    let fmap_block = Arc::new(Mutex::new(Vec::new()));
    let input_block = Arc::new(Mutex::new(Vec::new()));
    let pre_seen = Arc::new(Mutex::new(Vec::new()));
    let bwd_seen = Arc::new(Mutex::new(Vec::new()));
    let (f, i) = (fmap_block.clone(), input_block.clone());
    let _ = net
        .conv1
        .node()
        .register_forward_hook(move |_, input, output| {
            f.lock().unwrap().push(output.clone());
            i.lock().unwrap().push(input.clone());
            Ok(None)
        });
    let p = pre_seen.clone();
    let _ = net.conv1.node().register_forward_pre_hook(move |m, input| {
        p.lock().unwrap().push((m.name(), input.clone()));
        Ok(None)
    });
    let b = bwd_seen.clone();
    let _ = net
        .pool1
        .node()
        .register_full_backward_hook(move |m, gi, go| {
            b.lock().unwrap().push((m.name(), gi.cloned(), go.clone()));
            Ok(None)
        });

    let fake_img = Tensor::ones((1, 1, 4, 4), DType::F32, &Device::Cpu).unwrap();
    let output = net.call(&fake_img).unwrap();
    // L1 loss against a target drawn from [0, 1): every output (9, 18) is above it, so
    // d loss / d output = +1 / 2 for each of the two elements.
    let target = Tensor::rand(0f32, 1., output.shape(), &Device::Cpu).unwrap();
    let loss = (&output - &target)
        .unwrap()
        .abs()
        .unwrap()
        .mean_all()
        .unwrap();
    loss.backward().unwrap();

    assert_eq!(output.dims(), [1, 2, 1, 1]);
    assert_eq!(v(&output), [9.0, 18.0]);
    let fmaps = fmap_block.lock().unwrap();
    assert_eq!(fmaps.len(), 1);
    assert_eq!(fmaps[0].dims(), [1, 2, 2, 2]);
    assert_eq!(v(&fmaps[0]), [9., 9., 9., 9., 18., 18., 18., 18.]);
    let inputs = input_block.lock().unwrap();
    assert_eq!(inputs[0].dims(), [1, 1, 4, 4]);
    assert_eq!(v(&inputs[0]), [1.0; 16]);
    let pre = pre_seen.lock().unwrap();
    assert_eq!(pre.len(), 1);
    assert_eq!(pre[0].0, "conv1");
    assert_eq!(v(&pre[0].1), [1.0; 16]);
    let bwd = bwd_seen.lock().unwrap();
    assert_eq!(bwd.len(), 1);
    assert_eq!(bwd[0].0, "pool1");
    let gi = bwd[0]
        .1
        .as_ref()
        .expect("the pool's input depends on the conv's Vars");
    assert_eq!(gi.dims(), [1, 2, 2, 2]);
    assert_eq!(v(gi), [0.5, 0., 0., 0., 0.5, 0., 0., 0.]);
    assert_eq!(bwd[0].2.dims(), [1, 2, 1, 1]);
    assert_eq!(v(&bwd[0].2), [0.5, 0.5]);
}

#[test]
fn backward_hook_on_first_layer_gets_no_grad_input() {
    let net = seed_net();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let _ = net
        .conv1
        .node()
        .register_full_backward_hook(move |_, gi, go| {
            s.lock().unwrap().push((gi.is_some(), go.dims().to_vec()));
            Ok(None)
        });
    let x = Tensor::ones((1, 1, 4, 4), DType::F32, &Device::Cpu).unwrap();
    net.call(&x).unwrap().sum_all().unwrap().backward().unwrap();
    assert_eq!(*seen.lock().unwrap(), [(false, vec![1, 2, 2, 2])]);
}
