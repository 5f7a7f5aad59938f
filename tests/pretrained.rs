//! `models::load_pretrained` on files the tests write themselves with torchvision's names:
//! a safetensors file and a PyTorch zip checkpoint laid out as `torch.save(state_dict)` does.

use std::io::Write;
use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use candle_tensorboard::models::{load_pretrained, AlexNet};
use candle_tensorboard::nn::Module;

/// The pickle torch writes for `OrderedDict(name -> _rebuild_tensor_v2(storage, ...))`, one
/// storage file per tensor (`archive/data/<i>`), float32, contiguous.
fn state_dict_pickle(tensors: &[(String, Vec<usize>)]) -> Vec<u8> {
    fn unicode(out: &mut Vec<u8>, s: &str) {
        out.push(b'X');
        out.extend_from_slice(&(s.len() as u32).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    fn int(out: &mut Vec<u8>, v: usize) {
        out.push(b'J');
        out.extend_from_slice(&(v as i32).to_le_bytes());
    }
    fn int_tuple(out: &mut Vec<u8>, vs: &[usize]) {
        out.push(b'(');
        for &v in vs {
            int(out, v);
        }
        out.push(b't');
    }
    let ordered_dict = b"ccollections\nOrderedDict\n)R";
    let mut p = vec![0x80, 2];
    p.extend_from_slice(ordered_dict);
    p.push(b'(');
    for (i, (name, shape)) in tensors.iter().enumerate() {
        unicode(&mut p, name);
        p.extend_from_slice(b"ctorch._utils\n_rebuild_tensor_v2\n(");
        p.push(b'(');
        unicode(&mut p, "storage");
        p.extend_from_slice(b"ctorch\nFloatStorage\n");
        unicode(&mut p, &i.to_string());
        unicode(&mut p, "cpu");
        int(&mut p, shape.iter().product());
        p.extend_from_slice(b"tQ");
        int(&mut p, 0);
        int_tuple(&mut p, shape);
        let strides: Vec<usize> = (0..shape.len())
            .map(|d| shape[d + 1..].iter().product())
            .collect();
        int_tuple(&mut p, &strides);
        p.push(0x89); // requires_grad = False
        p.extend_from_slice(ordered_dict);
        p.extend_from_slice(b"tR");
    }
    p.extend_from_slice(b"u.");
    p
}

fn write_pth(path: &Path, tensors: &[(String, Tensor)]) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let shapes: Vec<(String, Vec<usize>)> = tensors
        .iter()
        .map(|(n, t)| (n.clone(), t.dims().to_vec()))
        .collect();
    zip.start_file("archive/data.pkl", opts).unwrap();
    zip.write_all(&state_dict_pickle(&shapes)).unwrap();
    for (i, (_, t)) in tensors.iter().enumerate() {
        zip.start_file(format!("archive/data/{i}"), opts).unwrap();
        let values = t.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        for v in values {
            zip.write_all(&v.to_le_bytes()).unwrap();
        }
    }
    zip.finish().unwrap();
}

fn fresh_net() -> (VarMap, AlexNet) {
    let vm = VarMap::new();
    let net = AlexNet::small(
        1,
        10,
        VarBuilder::from_varmap(&vm, DType::F32, &Device::Cpu),
    )
    .unwrap();
    (vm, net)
}

fn outputs(net: &AlexNet, x: &Tensor) -> Vec<f32> {
    net.call(x)
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1()
        .unwrap()
}

#[test]
fn pth_state_dict_with_torchvision_names_loads_bit_exact() {
    let (_vm, net) = fresh_net();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alexnet_small.pth");
    let tensors = net.named_parameters();
    assert!(tensors.iter().any(|(n, _)| n == "features.0.weight"));
    assert!(tensors.iter().any(|(n, _)| n == "classifier.6.bias"));
    write_pth(&path, &tensors);

    let loaded = AlexNet::small(1, 10, load_pretrained(&path, &Device::Cpu).unwrap()).unwrap();
    for ((name, a), (_, b)) in tensors.iter().zip(loaded.named_parameters()) {
        let (a, b): (Vec<f32>, Vec<f32>) = (
            a.flatten_all().unwrap().to_vec1().unwrap(),
            b.flatten_all().unwrap().to_vec1().unwrap(),
        );
        assert_eq!(a, b, "{name}");
    }
    let x = Tensor::randn(0f32, 1., (2, 1, 28, 28), &Device::Cpu).unwrap();
    assert_eq!(outputs(&net, &x), outputs(&loaded, &x));
}

#[test]
fn safetensors_with_torchvision_names_loads_bit_exact() {
    let (vm, net) = fresh_net();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alexnet_small.safetensors");
    vm.save(&path).unwrap();
    let loaded = AlexNet::small(1, 10, load_pretrained(&path, &Device::Cpu).unwrap()).unwrap();
    let x = Tensor::randn(0f32, 1., (2, 1, 28, 28), &Device::Cpu).unwrap();
    assert_eq!(outputs(&net, &x), outputs(&loaded, &x));
}

#[test]
fn wrong_shapes_missing_names_and_bad_files_are_errors() {
    let (_vm, net) = fresh_net();
    let dir = tempfile::tempdir().unwrap();
    // A small-net checkpoint is not a full AlexNet: the first conv's shape differs.
    let path = dir.path().join("small.pth");
    write_pth(&path, &net.named_parameters());
    let err = AlexNet::new(1000, load_pretrained(&path, &Device::Cpu).unwrap())
        .err()
        .expect("shape mismatch must fail");
    assert!(err.to_string().contains("features.0.weight"), "{err}");

    // A checkpoint without the classifier.
    let partial: Vec<_> = net
        .named_parameters()
        .into_iter()
        .filter(|(n, _)| n.starts_with("features"))
        .collect();
    let path = dir.path().join("partial.pth");
    write_pth(&path, &partial);
    let err = AlexNet::small(1, 10, load_pretrained(&path, &Device::Cpu).unwrap())
        .err()
        .expect("missing tensor must fail");
    assert!(err.to_string().contains("classifier.1.weight"), "{err}");

    let missing = load_pretrained(&dir.path().join("nope.pth"), &Device::Cpu).err();
    assert!(missing.unwrap().to_string().contains("not a file"));
    let text = dir.path().join("weights.txt");
    std::fs::write(&text, "hello").unwrap();
    let unknown = load_pretrained(&text, &Device::Cpu).err();
    assert!(unknown
        .unwrap()
        .to_string()
        .contains("is not a weights format"));
    let garbage = dir.path().join("garbage.pth");
    std::fs::write(&garbage, [0u8; 64]).unwrap();
    let bad = load_pretrained(&garbage, &Device::Cpu).err();
    assert!(bad.unwrap().to_string().contains("cannot read"));
}
