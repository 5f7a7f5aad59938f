//! `add_graph`: the module graph of AlexNet and the DQN, traced with hooks.

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_tensorboard::graph::{module_graph, AddGraph};
use candle_tensorboard::models::{dqn, AlexNet};
use candle_tensorboard::nn::Module;
use candle_tensorboard::proto::graph::{attr_value, GraphDef, NodeDef};
use candle_tensorboard::proto::{event, Event};
use candle_tensorboard::SummaryWriter;
use prost::Message;

fn find<'a>(g: &'a GraphDef, name: &str) -> &'a NodeDef {
    g.node
        .iter()
        .find(|n| n.name == name)
        .unwrap_or_else(|| panic!("no node {name}"))
}

fn shape(n: &NodeDef) -> Vec<i64> {
    let Some(attr_value::Value::List(l)) = &n.attr["_output_shapes"].value else {
        panic!("{} has no _output_shapes", n.name)
    };
    l.shape[0].dim.iter().map(|d| d.size).collect()
}

#[test]
fn dqn_graph_has_a_node_per_module_and_parameter_with_traced_shapes() {
    let dev = Device::Cpu;
    let net = dqn(3, VarBuilder::zeros(DType::F32, &dev)).unwrap();
    let x = Tensor::zeros((2, 4, 84, 84), DType::F32, &dev).unwrap();
    let g = module_graph(&net, &x).unwrap();
    let modules = net.named_modules().len();
    let params = net.named_parameters().len();
    assert_eq!(g.node.len(), modules + params + 2);
    let conv1 = find(&g, "Sequential/0");
    assert_eq!(conv1.op, "Conv2d");
    assert_eq!(
        conv1.input,
        ["input", "Sequential/0/weight", "Sequential/0/bias"]
    );
    assert_eq!(shape(conv1), [2, 32, 20, 20]);
    assert_eq!(shape(find(&g, "Sequential/0/weight")), [32, 4, 8, 8]);
    assert_eq!(find(&g, "Sequential/1").input, ["Sequential/0"]);
    let last = net.named_modules().last().unwrap().0.clone();
    assert_eq!(find(&g, "output").input, [format!("Sequential/{last}")]);
    assert_eq!(shape(find(&g, "output")), [2, 3]);
    // The hooks are gone afterwards.
    assert!(net
        .named_modules()
        .iter()
        .all(|(_, m)| m.node().num_hooks() == 0));
}

#[test]
fn alexnet_scopes_fold_by_container_and_edges_cross_the_flatten() {
    let dev = Device::Cpu;
    let net = AlexNet::new(10, VarBuilder::zeros(DType::F32, &dev)).unwrap();
    let x = Tensor::zeros((1, 3, 224, 224), DType::F32, &dev).unwrap();
    let g = module_graph(&net, &x).unwrap();
    assert_eq!(find(&g, "AlexNet/features/0").input[0], "input");
    assert_eq!(find(&g, "AlexNet/features").op, "Sequential");
    assert_eq!(find(&g, "AlexNet/features").input, ["AlexNet/features/12"]);
    assert_eq!(find(&g, "AlexNet/avgpool").input, ["AlexNet/features"]);
    assert_eq!(shape(find(&g, "AlexNet/avgpool")), [1, 256, 6, 6]);
    // The classifier's first layer runs on the flattened avgpool output.
    assert_eq!(find(&g, "AlexNet/classifier/0").input, ["AlexNet/avgpool"]);
    assert_eq!(shape(find(&g, "output")), [1, 10]);
}

#[test]
fn add_graph_writes_the_graph_def_event() {
    let dev = Device::Cpu;
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    let net = dqn(3, VarBuilder::zeros(DType::F32, &dev)).unwrap();
    w.add_graph(
        &net,
        &Tensor::zeros((1, 4, 84, 84), DType::F32, &dev).unwrap(),
    )
    .unwrap();
    w.close().unwrap();
    let bytes = std::fs::read(w.file_path()).unwrap();
    // Walk the TFRecord framing: u64 length, u32 crc, data, u32 crc.
    let (mut at, mut graphs) = (0, 0);
    while at + 12 <= bytes.len() {
        let len = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
        let ev = Event::decode(&bytes[at + 12..at + 12 + len]).unwrap();
        if let Some(event::What::GraphDef(g)) = ev.what {
            let g = GraphDef::decode(&g[..]).unwrap();
            assert!(g.node.iter().any(|n| n.name == "Sequential/0"));
            graphs += 1;
        }
        at += 16 + len;
    }
    assert_eq!(graphs, 1);
}

#[test]
fn a_failing_forward_is_an_error_and_removes_the_hooks() {
    let dev = Device::Cpu;
    let net = dqn(3, VarBuilder::zeros(DType::F32, &dev)).unwrap();
    let wrong = Tensor::zeros((1, 3, 84, 84), DType::F32, &dev).unwrap();
    assert!(module_graph(&net, &wrong).is_err());
    assert!(net
        .named_modules()
        .iter()
        .all(|(_, m)| m.node().num_hooks() == 0));
}
