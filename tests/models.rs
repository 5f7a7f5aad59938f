//! Model shapes, parameter counts and names; summary table; dropout modes.

use std::sync::{Arc, Mutex};

use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use candle_tensorboard::hooks::gradcheck;
use candle_tensorboard::models::{discriminator, dqn, generator, AlexNet, TwoLayerNet};
use candle_tensorboard::nn::{Dropout, LayerKind, Module};

fn vb(vm: &VarMap) -> VarBuilder<'static> {
    VarBuilder::from_varmap(vm, DType::F32, &Device::Cpu)
}

#[test]
fn dqn_has_seed_parameter_count_and_shapes() {
    let vm = VarMap::new();
    let net = dqn(3, vb(&vm)).unwrap();
    assert_eq!(net.num_parameters(), 1_685_667);
    let shapes = Arc::new(Mutex::new(Vec::new()));
    for m in net.modules() {
        if m.layer_kind() == LayerKind::Conv2d {
            let s = shapes.clone();
            let _kept = m.node().register_forward_hook(move |_, _, o| {
                s.lock().unwrap().push(o.dims()[1..].to_vec());
                Ok(None)
            });
        }
    }
    let y = net
        .call(&Tensor::zeros((2, 4, 84, 84), DType::F32, &Device::Cpu).unwrap())
        .unwrap();
    assert_eq!(y.dims(), [2, 3]);
    assert_eq!(
        *shapes.lock().unwrap(),
        [vec![32, 20, 20], vec![64, 9, 9], vec![64, 7, 7]]
    );
    let names: Vec<String> = net.named_parameters().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names[0], "0.weight");
    assert_eq!(names[6], "7.weight");
    assert_eq!(names[9], "9.bias");
}

#[test]
fn gan_nets_have_seed_sizes() {
    let vm = VarMap::new();
    let g = generator(vb(&vm).pp("g")).unwrap();
    let d = discriminator(vb(&vm).pp("d")).unwrap();
    assert_eq!(g.num_parameters(), 100 * 256 + 256 + 256 * 784 + 784);
    assert_eq!(d.num_parameters(), 784 * 256 + 256 + 256 + 1);
    let z = Tensor::rand(-1f32, 1., (5, 100), &Device::Cpu).unwrap();
    let img = g.call(&z).unwrap();
    assert_eq!(img.dims(), [5, 784]);
    let v = img.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    assert!(v.iter().all(|x| (0.0..=1.0).contains(x)));
    assert_eq!(d.call(&img).unwrap().dims(), [5, 1]);
    // Glorot normal: std sqrt(2 / (784 + 256)) ~ 0.0439 for D's first layer; biases zero.
    let w = d.named_parameters()[0]
        .1
        .flatten_all()
        .unwrap()
        .to_vec1::<f32>()
        .unwrap();
    let std = (w.iter().map(|x| x * x).sum::<f32>() / w.len() as f32).sqrt();
    assert!((std - 0.04385).abs() < 0.002, "{std}");
    assert_eq!(d.named_parameters()[1].0, "0.bias");
    let b = d.named_parameters()[1]
        .1
        .abs()
        .unwrap()
        .sum_all()
        .unwrap()
        .to_scalar::<f32>()
        .unwrap();
    assert_eq!(b, 0.0);
}

#[test]
fn two_layer_net_gradients_pass_gradcheck() {
    let vm = VarMap::new();
    let net = TwoLayerNet::new(
        12,
        5,
        4,
        0.5,
        VarBuilder::from_varmap(&vm, DType::F64, &Device::Cpu),
    )
    .unwrap();
    let names: Vec<String> = net.named_parameters().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "affine1.weight",
            "affine1.bias",
            "affine2.weight",
            "affine2.bias"
        ]
    );
    let x = Tensor::randn(0f64, 1., (3, 12), &Device::Cpu).unwrap();
    let labels = Tensor::new(&[0u32, 3, 1], &Device::Cpu).unwrap();
    let check = gradcheck(
        |xs| candle_nn::loss::cross_entropy(&net.call(&xs[0])?, &labels),
        &[x],
        1e-6,
    )
    .unwrap();
    assert!(
        check.is_close(1e-7, 1e-5).unwrap(),
        "{}",
        check.max_abs_diff
    );
    assert!(check.mean_abs_diff < 1e-8);
}

#[test]
fn summary_lists_layers_shapes_and_counts() {
    let vm = VarMap::new();
    let net = AlexNet::small(1, 10, vb(&vm)).unwrap();
    assert_eq!(net.num_parameters(), 429_194);
    let s = net.summary(&[1, 1, 28, 28]).unwrap();
    println!("{s}");
    assert!(s.contains("features.0 (Conv2d)"), "{s}");
    assert!(s.contains("[1, 32, 28, 28]"), "{s}");
    assert!(s.contains("features.12 (MaxPool2d)"), "{s}");
    assert!(s.contains("[1, 64, 3, 3]"), "{s}");
    assert!(s.contains("classifier.6 (Linear)"), "{s}");
    assert!(s.contains("Total params: 429,194"), "{s}");
    assert!(s.contains("Trainable params: 429,194"), "{s}");
    let conv_row = s
        .lines()
        .find(|l| l.contains("features.0 (Conv2d)"))
        .unwrap();
    assert!(conv_row.trim_end().ends_with("832"), "{conv_row}");
    // The summary's temporary hooks are gone afterwards.
    assert!(net.modules().iter().all(|m| m.node().num_hooks() == 0));
    assert_eq!(net.node().num_hooks(), 0);
    assert!(net.summary(&[]).is_err());
}

#[test]
fn dropout_follows_train_and_eval() {
    let d = Dropout::new(0.5);
    let x = Tensor::ones((1, 1000), DType::F32, &Device::Cpu).unwrap();
    let sum = |t: Tensor| t.sum_all().unwrap().to_scalar::<f32>().unwrap();
    assert_eq!(sum(d.call(&x).unwrap()), 1000.0); // eval by default
    d.train();
    let y = d
        .call(&x)
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1::<f32>()
        .unwrap();
    assert!(y.iter().all(|v| *v == 0.0 || *v == 2.0));
    let zeros = y.iter().filter(|v| **v == 0.0).count();
    assert!((350..650).contains(&zeros), "{zeros}");
    d.eval();
    assert_eq!(sum(d.call(&x).unwrap()), 1000.0);
}
