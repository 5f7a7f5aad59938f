//! Hooks beyond the seed: numerical gradient checks, AlexNet-wide hooks, removal, scaling,
//! errors, repeated calls, plain (non-Var) weights.

use std::sync::{Arc, Mutex};

use candle_core::{DType, Device, Tensor};
use candle_nn::{Conv2dConfig, VarBuilder, VarMap};
use candle_tensorboard::hooks::{gradcheck, numerical_grad, register_hook};
use candle_tensorboard::models::AlexNet;
use candle_tensorboard::nn::{
    Conv2d, Flatten, LayerKind, Linear, MaxPool2d, Module, Sequential, Tanh,
};

fn vals(t: &Tensor) -> Vec<f64> {
    t.to_dtype(DType::F64)
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1::<f64>()
        .unwrap()
}

fn max_diff(a: &Tensor, b: &Tensor) -> f64 {
    vals(a)
        .iter()
        .zip(vals(b))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// conv(1->2, 3x3, pad 1) -> tanh -> maxpool(3, 2, pad 1) -> flatten -> linear(18 -> 3), f64.
fn small_net(vm: &VarMap) -> Sequential {
    let vb = VarBuilder::from_varmap(vm, DType::F64, &Device::Cpu);
    let cfg = Conv2dConfig {
        padding: 1,
        ..Default::default()
    };
    Sequential::new("")
        .push(Conv2d::new(1, 2, 3, cfg, vb.pp(0)).unwrap())
        .push(Tanh::new())
        .push(MaxPool2d::with_padding(3, 2, 1))
        .push(Flatten::new())
        .push(Linear::new(18, 3, vb.pp(4)).unwrap())
}

#[test]
fn backward_hook_grads_equal_numerical_grads() {
    let vm = VarMap::new();
    let net = small_net(&vm);
    let c = Tensor::randn(0f64, 1., (2, 3), &Device::Cpu).unwrap();
    let x = Tensor::randn(0f64, 1., (2, 1, 6, 6), &Device::Cpu).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let pool = net.get(2).unwrap();
    let _ = pool.node().register_full_backward_hook(move |_, gi, go| {
        s.lock().unwrap().push((gi.cloned(), go.clone()));
        Ok(None)
    });
    let loss = (net.call(&x).unwrap() * &c).unwrap().sum_all().unwrap();
    loss.backward().unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let (gi, go) = (seen[0].0.clone().unwrap(), seen[0].1.clone());

    // Numerical gradient w.r.t. the pool's input z and output p, holding the rest fixed.
    let (conv, tanh) = (net.get(0).unwrap(), net.get(1).unwrap());
    let (flat, lin) = (net.get(3).unwrap(), net.get(4).unwrap());
    let z = tanh
        .forward_plain(&conv.forward_plain(&x).unwrap())
        .unwrap()
        .detach();
    let p = pool.forward_plain(&z).unwrap().detach();
    let tail_from_p =
        |ps: &[Tensor]| (lin.forward_plain(&flat.forward_plain(&ps[0])?)? * &c)?.sum_all();
    let tail_from_z = |zs: &[Tensor]| tail_from_p(&[pool.forward_plain(&zs[0])?]);
    let num_go = &numerical_grad(tail_from_p, &[p], 1e-6).unwrap()[0];
    let num_gi = &numerical_grad(tail_from_z, &[z], 1e-6).unwrap()[0];
    assert_eq!(gi.dims(), [2, 2, 6, 6]);
    assert_eq!(go.dims(), [2, 2, 3, 3]);
    assert!(max_diff(&go, num_go) < 1e-7, "{}", max_diff(&go, num_go));
    assert!(max_diff(&gi, num_gi) < 1e-7, "{}", max_diff(&gi, num_gi));
}

#[test]
fn tensor_hook_grad_equals_numerical_grad() {
    let vm = VarMap::new();
    let net = small_net(&vm);
    let x = Tensor::randn(0f64, 1., (1, 1, 6, 6), &Device::Cpu).unwrap();
    let (conv, rest) = (
        net.get(0).unwrap(),
        [net.get(1), net.get(2), net.get(3), net.get(4)],
    );
    let tail = |h: &Tensor| -> candle_core::Result<Tensor> {
        let mut h = h.clone();
        for m in rest.iter().flatten() {
            h = m.call(&h)?;
        }
        h.sqr()?.sum_all()
    };
    let h = conv.call(&x).unwrap();
    let captured = Arc::new(Mutex::new(None));
    let cap = captured.clone();
    let h2 = register_hook(&h, move |g| {
        *cap.lock().unwrap() = Some(g.clone());
        Ok(None)
    })
    .unwrap();
    tail(&h2).unwrap().backward().unwrap();
    let got = captured.lock().unwrap().clone().unwrap();
    let num = &numerical_grad(|hs| tail(&hs[0]), &[h.detach()], 1e-6).unwrap()[0];
    assert!(max_diff(&got, num) < 1e-6, "{}", max_diff(&got, num));
}

#[test]
fn gradcheck_through_the_tree_and_hooks() {
    let vm = VarMap::new();
    let net = small_net(&vm);
    // A hook that observes (and returns nothing) must not change any gradient.
    for (_, m) in net.named_modules() {
        let _ = m.node().register_full_backward_hook(|_, _, _| Ok(None));
        let _ = m.node().register_forward_hook(|_, _, _| Ok(None));
    }
    let x = Tensor::randn(0f64, 1., (1, 1, 5, 5), &Device::Cpu).unwrap();
    let check = gradcheck(|xs| net.call(&xs[0])?.sqr()?.sum_all(), &[x], 1e-6).unwrap();
    assert!(
        check.is_close(1e-6, 1e-5).unwrap(),
        "{}",
        check.max_abs_diff
    );
    assert!(check.max_abs_diff > 0.0 || vals(&check.numeric[0]).iter().all(|v| *v == 0.0));
}

#[test]
fn backward_hook_scaling_grad_input_scales_parameter_grads() {
    let vm = VarMap::new();
    let net = small_net(&vm);
    let x = Tensor::randn(0f64, 1., (1, 1, 6, 6), &Device::Cpu).unwrap();
    let w = net
        .get(0)
        .unwrap()
        .node()
        .parameter("weight")
        .unwrap()
        .clone();
    let run = || {
        let g = net.call(&x).unwrap().sum_all().unwrap().backward().unwrap();
        g.get(&w).unwrap().clone()
    };
    let plain = run();
    let h = net
        .get(2)
        .unwrap()
        .node()
        .register_full_backward_hook(|_, gi, _| Ok(gi.map(|g| g * 10.0).transpose()?));
    let scaled = run();
    assert!(max_diff(&(plain * 10.0).unwrap(), &scaled) < 1e-9);
    assert!(vals(&scaled).iter().any(|v| v.abs() > 1e-6));
    assert!(h.remove());
    let back = run();
    assert!(max_diff(&back, &(scaled / 10.0).unwrap()) < 1e-9);
}

#[test]
fn hooks_on_every_conv_of_alexnet_small_capture_five_maps() {
    let vm = VarMap::new();
    let net = AlexNet::small(
        1,
        10,
        VarBuilder::from_varmap(&vm, DType::F32, &Device::Cpu),
    )
    .unwrap();
    let fmaps = Arc::new(Mutex::new(Vec::new()));
    let mut handles = Vec::new();
    for (name, m) in net.named_modules() {
        if m.layer_kind() == LayerKind::Conv2d {
            let f = fmaps.clone();
            handles.push(m.node().register_forward_hook(move |node, _, out| {
                f.lock()
                    .unwrap()
                    .push((name.clone(), node.name(), out.dims().to_vec()));
                Ok(None)
            }));
        }
    }
    let x = Tensor::randn(0f32, 1., (2, 1, 28, 28), &Device::Cpu).unwrap();
    let y = net.call(&x).unwrap();
    assert_eq!(y.dims(), [2, 10]);
    let expected = [
        ("features.0", vec![2, 32, 28, 28]),
        ("features.3", vec![2, 64, 14, 14]),
        ("features.6", vec![2, 96, 7, 7]),
        ("features.8", vec![2, 96, 7, 7]),
        ("features.10", vec![2, 64, 7, 7]),
    ];
    {
        let got = fmaps.lock().unwrap();
        assert_eq!(got.len(), 5);
        for ((n, full, d), (en, ed)) in got.iter().zip(&expected) {
            assert_eq!((n.as_str(), full.as_str(), d), (*en, *en, ed));
        }
    }
    for h in &handles {
        assert!(h.remove());
        assert!(!h.remove());
    }
    net.call(&x).unwrap();
    assert_eq!(
        fmaps.lock().unwrap().len(),
        5,
        "removed hooks must not capture"
    );
}

#[test]
fn torchvision_alexnet_with_plain_weights_fires_forward_hooks() {
    // VarBuilder::zeros gives plain tensors (no Var), like weights loaded for inference.
    let net = AlexNet::new(1000, VarBuilder::zeros(DType::F32, &Device::Cpu)).unwrap();
    assert_eq!(net.num_parameters(), 61_100_840);
    let shapes = Arc::new(Mutex::new(Vec::new()));
    let bwd_calls = Arc::new(Mutex::new(0));
    for m in net.modules() {
        if m.layer_kind() == LayerKind::Conv2d {
            let s = shapes.clone();
            let _ = m.node().register_forward_hook(move |m, _, o| {
                s.lock().unwrap().push((
                    m.parameter("weight").unwrap().dims().to_vec(),
                    o.dims().to_vec(),
                ));
                Ok(None)
            });
            let b = bwd_calls.clone();
            let _ = m.node().register_full_backward_hook(move |_, _, _| {
                *b.lock().unwrap() += 1;
                Ok(None)
            });
        }
    }
    let x = Tensor::zeros((1, 3, 224, 224), DType::F32, &Device::Cpu).unwrap();
    let y = net.call(&x).unwrap();
    assert_eq!(y.dims(), [1, 1000]);
    let got = shapes.lock().unwrap();
    let want: Vec<(Vec<usize>, Vec<usize>)> = vec![
        (vec![64, 3, 11, 11], vec![1, 64, 55, 55]),
        (vec![192, 64, 5, 5], vec![1, 192, 27, 27]),
        (vec![384, 192, 3, 3], vec![1, 384, 13, 13]),
        (vec![256, 384, 3, 3], vec![1, 256, 13, 13]),
        (vec![256, 256, 3, 3], vec![1, 256, 13, 13]),
    ];
    assert_eq!(*got, want);
    // Nothing depends on a Var, so there is no graph: backward hooks never fire.
    assert!(!y.track_op());
    assert_eq!(*bwd_calls.lock().unwrap(), 0);
}

#[test]
fn alexnet_parameter_names_are_torchvision_names() {
    let net = AlexNet::new(1000, VarBuilder::zeros(DType::F32, &Device::Cpu)).unwrap();
    let names: Vec<String> = net.named_parameters().into_iter().map(|(n, _)| n).collect();
    let want: Vec<String> = [0, 3, 6, 8, 10]
        .iter()
        .map(|i| format!("features.{i}"))
        .chain([1, 4, 6].iter().map(|i| format!("classifier.{i}")))
        .flat_map(|p| [format!("{p}.weight"), format!("{p}.bias")])
        .collect();
    assert_eq!(names, want);
    let modules: Vec<String> = net.named_modules().into_iter().map(|(n, _)| n).collect();
    assert_eq!(modules.len(), 3 + 13 + 7);
    assert_eq!(modules[0], "features");
    assert_eq!(modules[13], "features.12");
    assert_eq!(modules[14], "avgpool");
    assert_eq!(modules[22], "classifier.6");
}

#[test]
fn safetensors_round_trip_with_torchvision_names() {
    let vm = VarMap::new();
    let net = AlexNet::small(
        1,
        10,
        VarBuilder::from_varmap(&vm, DType::F32, &Device::Cpu),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alexnet_small.safetensors");
    vm.save(&path).unwrap();
    let loaded = candle_core::safetensors::load(&path, &Device::Cpu)
        .unwrap()
        .into_keys()
        .collect::<std::collections::BTreeSet<String>>();
    let ours: std::collections::BTreeSet<String> =
        net.named_parameters().into_iter().map(|(n, _)| n).collect();
    assert_eq!(loaded, ours);
    // SAFETY: the file was just written by this test and is not modified while mapped.
    let vb =
        unsafe { VarBuilder::from_mmaped_safetensors(&[&path], DType::F32, &Device::Cpu) }.unwrap();
    let net2 = AlexNet::small(1, 10, vb).unwrap();
    let x = Tensor::randn(0f32, 1., (1, 1, 28, 28), &Device::Cpu).unwrap();
    let count = Arc::new(Mutex::new(0));
    let c = count.clone();
    let _ = net2
        .features
        .get(0)
        .unwrap()
        .node()
        .register_forward_hook(move |_, _, _| {
            *c.lock().unwrap() += 1;
            Ok(None)
        });
    let (a, b) = (net.call(&x).unwrap(), net2.call(&x).unwrap());
    assert_eq!(vals(&a), vals(&b));
    assert_eq!(*count.lock().unwrap(), 1);
}

#[test]
fn module_called_twice_fires_twice() {
    let vm = VarMap::new();
    let vb = VarBuilder::from_varmap(&vm, DType::F64, &Device::Cpu);
    let lin = Linear::new(3, 3, vb.pp("lin")).unwrap();
    let fwd = Arc::new(Mutex::new(0));
    let bwd = Arc::new(Mutex::new(Vec::new()));
    let f = fwd.clone();
    let _ = lin.node().register_forward_hook(move |_, _, _| {
        *f.lock().unwrap() += 1;
        Ok(None)
    });
    let b = bwd.clone();
    let _ = lin.node().register_full_backward_hook(move |_, gi, go| {
        b.lock().unwrap().push((gi.is_some(), vals(go)));
        Ok(None)
    });
    let x = Tensor::randn(0f64, 1., (1, 3), &Device::Cpu).unwrap();
    let y = lin.call(&lin.call(&x).unwrap()).unwrap().sum_all().unwrap();
    y.backward().unwrap();
    assert_eq!(*fwd.lock().unwrap(), 2);
    let bwd = bwd.lock().unwrap();
    assert_eq!(bwd.len(), 2);
    // Backprop reaches the outer call first: its grad_output is d sum / d y = ones, and its
    // input (the inner call's output) needs a gradient; the inner call's input is data.
    assert_eq!(bwd[0], (true, vec![1.0; 3]));
    assert!(!bwd[1].0);
    let w = vals(lin.weight());
    let col_sums: Vec<f64> = (0..3).map(|j| (0..3).map(|i| w[i * 3 + j]).sum()).collect();
    for (a, b) in bwd[1].1.iter().zip(col_sums) {
        assert!((a - b).abs() < 1e-12);
    }
}

#[test]
fn hooks_run_in_order_and_can_replace_values() {
    let lin = Linear::new(2, 2, VarBuilder::zeros(DType::F32, &Device::Cpu).pp("l")).unwrap();
    let order = Arc::new(Mutex::new(Vec::new()));
    for k in 0..3 {
        let o = order.clone();
        let _ = lin.node().register_forward_hook(move |_, _, out| {
            o.lock().unwrap().push(k);
            Ok(Some((out + 1.0)?))
        });
    }
    let o = order.clone();
    let _ = lin.node().register_forward_pre_hook(move |_, x| {
        o.lock().unwrap().push(10);
        Ok(Some((x * 0.0)?))
    });
    let y = lin
        .call(&Tensor::ones((1, 2), DType::F32, &Device::Cpu).unwrap())
        .unwrap();
    assert_eq!(*order.lock().unwrap(), [10, 0, 1, 2]);
    assert_eq!(vals(&y), [3.0, 3.0]);
    // candle_nn::Module::forward runs the hooks too.
    let y = candle_nn::Module::forward(
        &lin,
        &Tensor::ones((1, 2), DType::F32, &Device::Cpu).unwrap(),
    )
    .unwrap();
    assert_eq!(vals(&y), [3.0, 3.0]);
}

#[test]
fn hook_errors_propagate_from_forward_and_backward() {
    let vm = VarMap::new();
    let net = small_net(&vm);
    let h = net.get(1).unwrap().node().register_forward_hook(|_, _, _| {
        Err(candle_tensorboard::Error::invalid("hook", "forward boom"))
    });
    let x = Tensor::randn(0f64, 1., (1, 1, 6, 6), &Device::Cpu).unwrap();
    let err = net.call(&x).unwrap_err().to_string();
    assert!(err.contains("forward boom"), "{err}");
    h.remove();
    let _ = net
        .get(2)
        .unwrap()
        .node()
        .register_full_backward_hook(|_, _, _| {
            Err(candle_tensorboard::Error::invalid("hook", "backward boom"))
        });
    let loss = net.call(&x).unwrap().sum_all().unwrap();
    let err = loss.backward().unwrap_err().to_string();
    assert!(err.contains("backward boom"), "{err}");
}

#[test]
fn backward_hook_returning_wrong_shape_is_an_error() {
    let vm = VarMap::new();
    let net = small_net(&vm);
    let _ = net
        .get(2)
        .unwrap()
        .node()
        .register_full_backward_hook(|_, _, go| Ok(Some(go.clone())));
    let x = Tensor::randn(0f64, 1., (1, 1, 6, 6), &Device::Cpu).unwrap();
    let err = net
        .call(&x)
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap_err()
        .to_string();
    assert!(err.contains("same shape"), "{err}");
}

#[test]
fn no_probes_without_backward_hooks() {
    let vm = VarMap::new();
    let net = small_net(&vm);
    let x = Tensor::randn(0f64, 1., (1, 1, 6, 6), &Device::Cpu).unwrap();
    let count_ops = |t: &Tensor| t.sum_all().unwrap().sorted_nodes().len();
    let plain = count_ops(&net.call(&x).unwrap());
    let _ = net
        .get(0)
        .unwrap()
        .node()
        .register_forward_hook(|_, _, _| Ok(None));
    assert_eq!(count_ops(&net.call(&x).unwrap()), plain);
    let h = net
        .get(2)
        .unwrap()
        .node()
        .register_full_backward_hook(|_, _, _| Ok(None));
    assert_eq!(count_ops(&net.call(&x).unwrap()), plain + 2);
    h.remove();
    assert_eq!(count_ops(&net.call(&x).unwrap()), plain);
}

#[test]
fn clip_grad_norm_rescales_like_pytorch() {
    let w = candle_core::Var::new(&[3f64, 4.0], &Device::Cpu).unwrap();
    // d/dw of w . w = 2w = [6, 8], norm 10.
    let mut grads = w
        .as_tensor()
        .sqr()
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap();
    let norm = candle_tensorboard::hooks::clip_grad_norm(&mut grads, std::slice::from_ref(&w), 5.0)
        .unwrap();
    assert!((norm - 10.0).abs() < 1e-12);
    let g = vals(grads.get(&w).unwrap());
    assert!(
        (g[0] - 3.0).abs() < 1e-5 && (g[1] - 4.0).abs() < 1e-5,
        "{g:?}"
    );
    assert!(candle_tensorboard::hooks::clip_grad_norm(&mut grads, &[w], 0.0).is_err());
}

#[test]
fn activation_and_pool_layers_compute_pytorch_values() {
    use candle_tensorboard::nn::{AdaptiveAvgPool2d, AvgPool2d, LeakyReLU, ReLU, Sigmoid};
    let x = Tensor::new(&[-2f32, 0.0, 3.0], &Device::Cpu).unwrap();
    assert_eq!(vals(&ReLU::new().call(&x).unwrap()), [0.0, 0.0, 3.0]);
    let l = vals(&LeakyReLU::new(0.1).call(&x).unwrap());
    assert!((l[0] + 0.2).abs() < 1e-6 && l[1] == 0.0 && (l[2] - 3.0).abs() < 1e-6);
    let s = vals(&Sigmoid::new().call(&x).unwrap());
    assert!((s[1] - 0.5).abs() < 1e-7 && (s[2] - 1.0 / (1.0 + (-3f64).exp())).abs() < 1e-6);
    let img = Tensor::arange(0f32, 16., &Device::Cpu)
        .unwrap()
        .reshape((1, 1, 4, 4))
        .unwrap();
    assert_eq!(
        vals(&AvgPool2d::new(2, 2).call(&img).unwrap()),
        [2.5, 4.5, 10.5, 12.5]
    );
    // Adaptive 4 -> 3: windows [0,2), [1,3), [2,4) on each axis.
    let a = vals(&AdaptiveAvgPool2d::new((3, 3)).call(&img).unwrap());
    assert_eq!(a, [2.5, 3.5, 4.5, 6.5, 7.5, 8.5, 10.5, 11.5, 12.5]);
    assert!(MaxPool2d::new(5, 1).call(&img).is_err());
}
