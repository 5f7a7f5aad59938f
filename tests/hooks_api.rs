//! The hook surface of issue "hooks on the model you already have": drop-in layers, names
//! and kinds, multi-input modules, PyTorch's options, watch, capture, and the bad inputs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{VarBuilder, VarMap};
use candle_tensorboard::hooks::{capture, HookOptions, Node, Watch, WatchLog};
use candle_tensorboard::models::AlexNet;
use candle_tensorboard::nn::{self, hookable, LayerKind, Linear, MaxPool2d, Module, ReLU};

fn dev() -> Device {
    Device::Cpu
}

fn counter() -> (Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let c = Arc::new(AtomicUsize::new(0));
    (c.clone(), c)
}

// A model written against candle_nn, with only its `use` line changed.
mod plain_model {
    use candle_core::Tensor;
    use candle_tensorboard::nn::hookable::{
        conv2d, linear, seq, Activation, Conv2d, Linear, Module, Sequential, VarBuilder,
    };

    pub struct Net {
        pub conv1: Conv2d,
        pub head: Sequential,
        pub fc: Linear,
    }

    impl Net {
        pub fn new(vb: VarBuilder) -> candle_core::Result<Self> {
            Ok(Self {
                conv1: conv2d(1, 2, 3, Default::default(), vb.pp("conv1"))?,
                head: seq()
                    .add(linear(8, 8, vb.pp("h1"))?)
                    .add(Activation::Relu)
                    .add_fn(|x| x.tanh()),
                fc: linear(8, 3, vb.pp("fc"))?,
            })
        }
    }

    impl Module for Net {
        fn forward(&self, xs: &Tensor) -> candle_core::Result<Tensor> {
            let x = self.conv1.forward(xs)?.flatten_from(1)?; // (n, 2*2*2)
            self.fc.forward(&self.head.forward(&x)?)
        }
    }
}

#[test]
fn drop_in_layers_fire_hooks_on_the_model_itself() {
    let varmap = VarMap::new();
    let net = plain_model::Net::new(VarBuilder::from_varmap(&varmap, DType::F32, &dev())).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let _a = net
        .conv1
        .register_forward_hook(move |m, _, o| {
            s.lock().unwrap().push((m.name(), o.dims().to_vec()));
            Ok(None)
        })
        .guard();
    let s = seen.clone();
    let _b = nn::Module::register_forward_hooks(
        &net.head,
        |_, _| true,
        move |m, _, o| {
            s.lock().unwrap().push((m.name(), o.dims().to_vec()));
            Ok(None)
        },
    )
    .guard();
    let (c, c2) = counter();
    let _c = net
        .fc
        .register_full_backward_hook(move |_, _, _| {
            c2.fetch_add(1, Ordering::SeqCst);
            Ok(None)
        })
        .guard();
    let x = Tensor::ones((2, 1, 4, 4), DType::F32, &dev()).unwrap();
    let y = candle_nn::Module::forward(&net, &x).unwrap();
    y.sum_all().unwrap().backward().unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [
            ("conv1".to_string(), vec![2, 2, 2, 2]),
            ("h1".to_string(), vec![2, 8]),
            ("1".to_string(), vec![2, 8]),
            ("2".to_string(), vec![2, 8]),
        ]
    );
    assert_eq!(c.load(Ordering::SeqCst), 1);
    // Parameter names are the VarMap's.
    let names: Vec<String> = nn::Module::named_parameters(&net.head)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["h1.weight", "h1.bias"]);
    let kinds: Vec<LayerKind> = nn::Module::modules(&net.head)
        .iter()
        .map(|m| m.layer_kind())
        .collect();
    assert_eq!(
        kinds,
        [LayerKind::Linear, LayerKind::Activation, LayerKind::Func]
    );
}

#[test]
fn drop_in_constructors_match_candle() {
    let vb = VarBuilder::zeros(DType::F32, &dev());
    let ln = hookable::layer_norm(4, 1e-5, vb.pp("ln")).unwrap();
    let emb = hookable::embedding(10, 4, vb.pp("emb")).unwrap();
    // From a VarMap so that candle's initialisers apply (weight 1, bias 0).
    let varmap = VarMap::new();
    let bn_vb = VarBuilder::from_varmap(&varmap, DType::F32, &dev());
    let bn = hookable::batch_norm(4, 1e-5, bn_vb.pp("bn")).unwrap();
    let l = hookable::linear_no_bias(4, 2, vb.pp("l")).unwrap();
    let c = hookable::conv2d_no_bias(1, 2, 3, Default::default(), vb.pp("c")).unwrap();
    assert!(l.bias().is_none() && c.bias().is_none());
    assert_eq!(ln.layer_kind(), LayerKind::LayerNorm);
    assert_eq!(emb.node().name(), "emb");
    let ids = Tensor::new(&[1u32, 2, 3], &dev()).unwrap();
    assert_eq!(
        candle_nn::Module::forward(&emb, &ids).unwrap().dims(),
        [3, 4]
    );
    let x = Tensor::ones((2, 4), DType::F32, &dev()).unwrap();
    assert_eq!(candle_nn::Module::forward(&ln, &x).unwrap().dims(), [2, 4]);
    // BatchNorm is ModuleT, as candle's, and its hooks fire from forward_t.
    let (n, n2) = counter();
    let _g = bn
        .register_forward_hook(move |_, _, _| {
            n2.fetch_add(1, Ordering::SeqCst);
            Ok(None)
        })
        .guard();
    let xb = Tensor::new(&[[1f32, 2., 3., 4.], [3., 4., 5., 6.]], &dev()).unwrap();
    let train = candle_nn::ModuleT::forward_t(&bn, &xb, true).unwrap();
    // Batch statistics: each column becomes (-1, 1).
    let col0: Vec<f32> = train
        .narrow(1, 0, 1)
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1()
        .unwrap();
    assert!(
        (col0[0] + 1.0).abs() < 1e-3 && (col0[1] - 1.0).abs() < 1e-3,
        "{col0:?}"
    );
    assert_eq!(n.load(Ordering::SeqCst), 1);
}

#[test]
fn module_t_train_flag_reaches_dropout_inside_sequential() {
    let net = nn::Sequential::new("").push(nn::Dropout::new(0.5));
    let x = Tensor::ones((1, 1000), DType::F32, &dev()).unwrap();
    let eval = net.call_t(&x, false).unwrap();
    assert_eq!(eval.sum_all().unwrap().to_scalar::<f32>().unwrap(), 1000.0);
    let train = net.call_t(&x, true).unwrap();
    let zeros = train
        .eq(0f32)
        .unwrap()
        .to_dtype(DType::F32)
        .unwrap()
        .sum_all()
        .unwrap();
    let zeros = zeros.to_scalar::<f32>().unwrap();
    assert!((300.0..700.0).contains(&zeros), "{zeros} of 1000 dropped");
    // The node flags were not touched: call() is still eval.
    assert_eq!(
        net.call(&x)
            .unwrap()
            .sum_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap(),
        1000.0
    );
}

struct Net {
    node: Arc<Node>,
    fc: Linear,
    act: ReLU,
    pool: MaxPool2d,
}

impl Module for Net {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    // The tree from the fields: ("fc", &self.fc), ("act", &self.act), ("pool", &self.pool).
    candle_tensorboard::module_children!(fc, act, pool);
    fn forward_plain(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.act.call(&self.fc.call(x)?)
    }
}

#[test]
fn names_come_from_the_tree_without_assign_names() {
    let vb = VarBuilder::zeros(DType::F32, &dev());
    let net = Net {
        node: Node::new("", "Net", vec![]),
        fc: Linear::new(2, 2, vb.pp("fc")).unwrap(),
        act: ReLU::new(),
        pool: MaxPool2d::new(2, 2),
    };
    assert_eq!(net.act.node().name(), "");
    let names = Arc::new(Mutex::new(Vec::new()));
    let n = names.clone();
    let h = net.register_forward_hooks(
        |_, m| m.layer_kind() != LayerKind::MaxPool2d,
        move |m, _, _| {
            n.lock().unwrap().push(m.name());
            Ok(None)
        },
    );
    assert_eq!(h.len(), 2);
    net.call(&Tensor::ones((1, 2), DType::F32, &dev()).unwrap())
        .unwrap();
    assert_eq!(*names.lock().unwrap(), ["fc", "act"]);
    assert!(h.remove());
    assert!(!h.remove(), "a second remove reports that nothing was left");
    assert_eq!(net.fc.node().num_hooks() + net.act.node().num_hooks(), 0);
}

/// Scaled dot-product attention weights: inputs (q, k, mask), output softmax(q k^T + mask).
struct Scores {
    node: Arc<Node>,
}

impl Module for Scores {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    fn forward_plain(&self, _x: &Tensor) -> candle_core::Result<Tensor> {
        Err(candle_core::Error::Msg(
            "Scores takes (q, k, mask): use call_many".into(),
        ))
    }
    fn forward_plain_many(&self, xs: &[Tensor]) -> candle_core::Result<Tensor> {
        let [q, k, mask] = xs else {
            return Err(candle_core::Error::Msg(format!(
                "Scores takes 3 inputs, got {}",
                xs.len()
            )));
        };
        let s = q.matmul(&k.t()?)?.broadcast_add(mask)?;
        candle_nn::ops::softmax_last_dim(&s)
    }
}

#[test]
fn multi_input_module_hooks_see_every_input() {
    let scores = Scores {
        node: Node::new("attn", "Scores", vec![]),
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let _g = scores
        .node()
        .register_forward_hook_with_inputs(Default::default(), move |_, xs, out| {
            let dims: Vec<Vec<usize>> = xs.iter().map(|x| x.dims().to_vec()).collect();
            s.lock()
                .unwrap()
                .push((dims, out.map(|o| o.dims().to_vec())));
            Ok(None)
        })
        .guard();
    // A pre-hook that replaces the mask: every key but the first is masked out.
    let _p = scores
        .node()
        .register_forward_pre_hook_with_inputs(Default::default(), |_, xs| {
            if xs.len() != 3 {
                return Ok(None);
            }
            let mask = Tensor::new(&[[0f32, -1e9, -1e9]], xs[2].device())?;
            Ok(Some(vec![xs[0].clone(), xs[1].clone(), mask]))
        })
        .guard();
    let q = Tensor::ones((2, 4), DType::F32, &dev()).unwrap();
    let k = Tensor::ones((3, 4), DType::F32, &dev()).unwrap();
    let mask = Tensor::zeros((1, 3), DType::F32, &dev()).unwrap();
    let a = scores
        .call_many(&[q.clone(), k.clone(), mask.clone()])
        .unwrap();
    assert_eq!(
        a.to_vec2::<f32>().unwrap(),
        [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [(vec![vec![2, 4], vec![3, 4], vec![1, 3]], Some(vec![2, 3]))]
    );
    // A pre-hook returning the wrong number of inputs is a clear error.
    let _bad = scores
        .node()
        .register_forward_pre_hook_with_inputs(Default::default(), |_, xs| {
            Ok(Some(xs[..1].to_vec()))
        })
        .guard();
    let err = scores.call_many(&[q, k, mask]).unwrap_err().to_string();
    assert!(
        err.contains("returned has 1 entries but 3 are needed"),
        "{err}"
    );
    // One input to a multi-input module: its own error, not a panic.
    let err = scores
        .call(&Tensor::ones(1, DType::F32, &dev()).unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("use call_many"), "{err}");
}

#[test]
fn prepend_always_call_and_errors() {
    let relu = ReLU::new();
    let order = Arc::new(Mutex::new(Vec::new()));
    let o = order.clone();
    let _a = relu.register_forward_hook(move |_, _, _| {
        o.lock().unwrap().push("second");
        Ok(None)
    });
    let o = order.clone();
    let _b = relu.node().register_forward_hook_with_inputs(
        HookOptions {
            prepend: true,
            ..Default::default()
        },
        move |_, _, _| {
            o.lock().unwrap().push("first");
            Ok(None)
        },
    );
    let x = Tensor::ones(2, DType::F32, &dev()).unwrap();
    relu.call(&x).unwrap();
    assert_eq!(*order.lock().unwrap(), ["first", "second"]);

    // A hook that errors: the error comes out of call(); always_call hooks still run.
    let pool = MaxPool2d::new(2, 2);
    let _e = pool.register_forward_hook(|m, _, _| {
        Err(candle_tensorboard::Error::invalid(
            "hook",
            format!("refused {}", m.kind()),
        ))
    });
    let (ran, r2) = counter();
    let _always = pool.node().register_forward_hook_with_inputs(
        HookOptions {
            always_call: true,
            ..Default::default()
        },
        move |_, _, out| {
            assert!(out.is_none());
            r2.fetch_add(1, Ordering::SeqCst);
            Ok(None)
        },
    );
    let err = pool
        .call(&Tensor::ones((1, 1, 2, 2), DType::F32, &dev()).unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("refused MaxPool2d"), "{err}");
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    // A forward that fails: always_call runs, the forward's own error comes out.
    let failing = hookable::seq().add_fn(|_| Err(candle_core::Error::Msg("forward failed".into())));
    let (ran2, r3) = counter();
    let _always2 = nn::Module::modules(&failing)[0]
        .node()
        .register_forward_hook_with_inputs(
            HookOptions {
                always_call: true,
                ..Default::default()
            },
            move |_, xs, out| {
                assert!(out.is_none() && xs.len() == 1);
                r3.fetch_add(1, Ordering::SeqCst);
                Ok(None)
            },
        );
    let err = candle_nn::Module::forward(&failing, &x)
        .unwrap_err()
        .to_string();
    assert!(err.contains("forward failed"), "{err}");
    assert_eq!(ran2.load(Ordering::SeqCst), 1);
}

#[test]
fn backward_pre_hook_replaces_grad_output_and_wrong_shapes_are_errors() {
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &dev());
    let fc = Linear::new(2, 1, vb.pp("fc")).unwrap();
    let x = Var::new(&[[1f32, 2.]], &dev()).unwrap();
    let plain = fc
        .call(x.as_tensor())
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap();
    let plain_gx = plain.get(x.as_tensor()).unwrap().to_vec2::<f32>().unwrap();

    let seen_go = Arc::new(Mutex::new(Vec::new()));
    let s = seen_go.clone();
    let pre = fc.register_full_backward_pre_hook(|_, go| Ok(Some((go * 3.0)?)));
    let post = fc.register_full_backward_hook(move |_, _, go| {
        s.lock().unwrap().push(go.flatten_all()?.to_vec1::<f32>()?);
        Ok(None)
    });
    let g = fc
        .call(x.as_tensor())
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap();
    let gx = g.get(x.as_tensor()).unwrap().to_vec2::<f32>().unwrap();
    assert_eq!(gx[0][0], plain_gx[0][0] * 3.0);
    assert_eq!(
        *seen_go.lock().unwrap(),
        [vec![3.0]],
        "backward hooks see the replaced grad_output"
    );
    assert!(pre.remove() && post.remove());

    let bad = fc.register_full_backward_pre_hook(|_, _| {
        Ok(Some(Tensor::ones(5, DType::F32, &Device::Cpu)?))
    });
    let err = fc
        .call(x.as_tensor())
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap_err()
        .to_string();
    assert!(err.contains("same shape"), "{err}");
    assert!(bad.remove());
}

#[test]
fn registered_twice_runs_twice_and_handles_are_independent() {
    let relu = ReLU::new();
    let (c, c2) = counter();
    let f = move |_: &Node, _: &Tensor, _: &Tensor| -> candle_tensorboard::Result<Option<Tensor>> {
        c2.fetch_add(1, Ordering::SeqCst);
        Ok(None)
    };
    let h1 = relu.register_forward_hook(f.clone());
    let h2 = relu.register_forward_hook(f);
    let x = Tensor::ones(2, DType::F32, &dev()).unwrap();
    relu.call(&x).unwrap();
    assert_eq!(c.load(Ordering::SeqCst), 2);
    assert!(h1.remove());
    assert!(!h1.remove());
    relu.call(&x).unwrap();
    assert_eq!(c.load(Ordering::SeqCst), 3);
    let g = h2.guard();
    drop(g);
    assert_eq!(relu.node().num_hooks(), 0);
}

#[test]
fn a_hook_may_register_and_remove_hooks_from_inside_a_hook() {
    let relu = Arc::new(ReLU::new());
    let r = relu.clone();
    let inner: Arc<Mutex<Vec<candle_tensorboard::hooks::HookHandle>>> = Arc::default();
    let i = inner.clone();
    let outer = relu.register_forward_hook(move |_, _, _| {
        // Registers on its own node and removes the previous one: no lock is held here.
        let h = r.register_forward_pre_hook(|_, _| Ok(None));
        let mut v = i.lock().unwrap();
        if let Some(old) = v.pop() {
            assert!(old.remove());
        }
        v.push(h);
        Ok(None)
    });
    let x = Tensor::ones(2, DType::F32, &dev()).unwrap();
    for _ in 0..3 {
        relu.call(&x).unwrap();
    }
    assert_eq!(relu.node().num_hooks(), 2); // the outer hook and the latest inner one
    assert!(outer.remove());
}

#[test]
fn a_model_used_from_two_threads_runs_every_hook_once_per_call() {
    let net = Arc::new(AlexNet::small(1, 10, VarBuilder::zeros(DType::F32, &dev())).unwrap());
    let (c, c2) = counter();
    let h = net.register_forward_hooks(
        |_, m| m.layer_kind() == LayerKind::Conv2d,
        move |_, _, _| {
            c2.fetch_add(1, Ordering::SeqCst);
            Ok(None)
        },
    );
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let net = net.clone();
            std::thread::spawn(move || {
                let x = Tensor::zeros((1, 1, 28, 28), DType::F32, &Device::Cpu).unwrap();
                for _ in 0..3 {
                    net.call(&x).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(c.load(Ordering::SeqCst), 2 * 3 * 5);
    assert!(h.remove());
}

#[test]
fn watch_logs_histograms_and_norms_every_n_steps() {
    let dir = tempfile::tempdir().unwrap();
    let writer = candle_tensorboard::SummaryWriter::new(dir.path()).unwrap();
    let varmap = VarMap::new();
    let fc = Linear::new(
        3,
        2,
        VarBuilder::from_varmap(&varmap, DType::F32, &dev()).pp("fc"),
    )
    .unwrap();
    assert!(Watch::new(WatchLog::All, 0).is_err());
    let watch = Watch::new(WatchLog::All, 2).unwrap();
    let mut logged = Vec::new();
    for step in 0..4u64 {
        let loss = fc
            .call(&Tensor::ones((4, 3), DType::F32, &dev()).unwrap())
            .unwrap()
            .sqr()
            .unwrap()
            .mean_all()
            .unwrap();
        let grads = loss.backward().unwrap();
        logged.push(watch.log_module(&writer, step, &fc, &grads).unwrap());
        watch.log_varmap(&writer, step, &varmap, &grads).unwrap();
    }
    assert_eq!(logged, [true, false, true, false]);
    writer.close().unwrap();
    let mut tags = std::collections::BTreeSet::new();
    for f in std::fs::read_dir(dir.path()).unwrap() {
        let path = f.unwrap().path();
        for ev in candle_tensorboard::reader::EventFileReader::open(&path).unwrap() {
            if let Some(candle_tensorboard::proto::event::What::Summary(s)) = ev.unwrap().what {
                for v in s.value {
                    tags.insert(v.tag);
                }
            }
        }
    }
    for t in [
        "parameters/weight",
        "gradients/bias",
        "gradient_norm/weight",
        "gradient_norm/total",
        "parameters/fc.weight",
        "gradients/fc.bias",
    ] {
        assert!(tags.contains(t), "{t} missing from {tags:?}");
    }
}

#[test]
fn capture_keeps_the_picked_layers_in_tree_order() {
    let net = AlexNet::small(1, 10, VarBuilder::zeros(DType::F32, &dev())).unwrap();
    let maps = capture(&net, &["features.10", "features.0"]).unwrap();
    net.call(&Tensor::zeros((1, 1, 28, 28), DType::F32, &dev()).unwrap())
        .unwrap();
    let got: Vec<(String, Vec<usize>)> = maps
        .take()
        .into_iter()
        .map(|(n, t)| (n, t.dims().to_vec()))
        .collect();
    assert_eq!(
        got,
        [
            ("features.0".to_string(), vec![1, 32, 28, 28]),
            ("features.10".to_string(), vec![1, 64, 7, 7])
        ]
    );
    assert!(maps.take().is_empty());
    let err = capture(&net, &["conv1"]).unwrap_err().to_string();
    assert!(
        err.contains("no layer named `conv1`") && err.contains("features.0"),
        "{err}"
    );
    drop(maps);
    assert!(net.modules().iter().all(|m| m.node().num_hooks() == 0));
}

/// `a @ b + mask`: two inputs that need gradients and one that does not.
struct MatMulMasked {
    node: Arc<Node>,
}

impl Module for MatMulMasked {
    fn node(&self) -> &Arc<Node> {
        &self.node
    }
    fn forward_plain(&self, _x: &Tensor) -> candle_core::Result<Tensor> {
        Err(candle_core::Error::Msg("use call_many".into()))
    }
    fn forward_plain_many(&self, xs: &[Tensor]) -> candle_core::Result<Tensor> {
        let [a, b, mask] = xs else {
            return Err(candle_core::Error::Msg("three inputs".into()));
        };
        a.matmul(b)?.broadcast_add(mask)
    }
}

#[test]
fn backward_hooks_with_inputs_see_and_replace_every_input_gradient() {
    let a = candle_core::Var::new(&[[1f32, 2., 3.], [4., 5., 6.]], &dev()).unwrap();
    let b = candle_core::Var::new(&[[1f32, 0.], [0., 1.], [2., -1.]], &dev()).unwrap();
    let mask = Tensor::zeros((1, 2), DType::F32, &dev()).unwrap();
    let m = MatMulMasked {
        node: Node::new("mm", "MatMulMasked", vec![]),
    };
    let inputs = [a.as_tensor().clone(), b.as_tensor().clone(), mask];
    // Without hooks: the gradients of sum(a @ b) to compare with.
    let plain = m
        .call_many(&inputs)
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap();
    let (da, db) = (
        plain.get(&a).unwrap().to_vec2::<f32>().unwrap(),
        plain.get(&b).unwrap().to_vec2::<f32>().unwrap(),
    );

    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let _all = m
        .node()
        .register_full_backward_hook_with_inputs(Default::default(), move |_, gi, go| {
            let got: Vec<Option<Vec<Vec<f32>>>> = gi
                .iter()
                .map(|g| g.as_ref().map(|g| g.to_vec2::<f32>().unwrap()))
                .collect();
            s.lock().unwrap().push((got, go.dims().to_vec()));
            // Double b's gradient, keep a's, and try to replace the mask's (ignored).
            let doubled = (gi[1].as_ref().unwrap() * 2.0)?;
            let mask_grad = Tensor::ones((1, 2), DType::F32, go.device())?;
            Ok(Some(vec![None, Some(doubled), Some(mask_grad)]))
        })
        .guard();
    let first = Arc::new(Mutex::new(None));
    let f = first.clone();
    let _one = m
        .node()
        .register_full_backward_hook(move |_, gi, _| {
            *f.lock().unwrap() = gi.map(|g| g.dims().to_vec());
            Ok(None)
        })
        .guard();
    let grads = m
        .call_many(&inputs)
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [(vec![Some(da.clone()), Some(db.clone()), None], vec![2, 2])]
    );
    assert_eq!(
        *first.lock().unwrap(),
        Some(vec![2, 3]),
        "the one-input API sees a"
    );
    assert_eq!(grads.get(&a).unwrap().to_vec2::<f32>().unwrap(), da);
    let doubled: Vec<Vec<f32>> = db
        .iter()
        .map(|r| r.iter().map(|v| v * 2.0).collect())
        .collect();
    assert_eq!(grads.get(&b).unwrap().to_vec2::<f32>().unwrap(), doubled);

    // One entry too few: backward says what was wrong.
    let _bad = m
        .node()
        .register_full_backward_hook_with_inputs(Default::default(), |_, _, _| Ok(Some(vec![None])))
        .guard();
    let err = m
        .call_many(&inputs)
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("returned has 1 entries but 3 are needed, one per input of the call"),
        "{err}"
    );
}
