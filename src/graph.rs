//! `add_graph` for the module tree: the GRAPHS dashboard's view of a candle model.
//!
//! PyTorch's `add_graph(model, input)` traces the model's operations with TorchScript. candle
//! has no tracer, but the [`nn`](crate::nn) tree knows every module, so one forward pass with
//! a pre-hook and a hook on every module records what ran, in which order and on which
//! tensors, and the graph is built at module level:
//!
//! - a node per module, named by its dotted path with `/` (`features.0` becomes
//!   `AlexNet/features/0`), under a scope named after the model's kind, so the dashboard folds
//!   the graph by container (click a box to open it);
//! - op = the module's kind (`Conv2d`, `ReLU`, `Sequential`); a container's own node is the
//!   output of its scope (fed by its last child; the dashboard shows it as `(features)` inside
//!   `features`);
//! - a node per parameter (`AlexNet/features/0/weight`, op `Parameter`) feeding its module;
//! - `_output_shapes` on every node: the traced output shape (parameters: their shape), which
//!   the dashboard prints on the edges;
//! - `input` and `output` nodes (op `IO Node`, as PyTorch names them).
//!
//! Edges follow the tensors: a module's input comes from the module that produced that
//! tensor; when a container transforms a tensor between children (AlexNet's flatten), the
//! edge comes from the module that finished last before it. The hooks are removed before
//! [`module_graph`] returns, also when the forward pass fails.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use candle_core::Tensor;

use crate::nn::Module;
use crate::proto::graph::{GraphDef, NodeDef};
use crate::summary::graph::{graph_def, node, output_shapes, string_attr};
use crate::{Error, Result, SummaryWriter};

/// What the hooks saw, in order.
#[derive(Default)]
struct Trace {
    /// The graph node that produced each tensor seen so far.
    producer: HashMap<candle_core::TensorId, String>,
    /// The module that finished last.
    last_done: Option<String>,
    /// Per module: the module that had finished last when it started.
    before_start: HashMap<String, Option<String>>,
    /// Per module, once it finished: its input edge and output shape.
    done: HashMap<String, (String, Vec<usize>)>,
}

fn lock(trace: &Mutex<Trace>) -> std::sync::MutexGuard<'_, Trace> {
    trace
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Traces `model` on `input` (one forward pass, hooks removed afterwards) and builds its
/// module-level `GraphDef`, as described in the [module docs](self).
pub fn module_graph(model: &dyn Module, input: &Tensor) -> Result<GraphDef> {
    let root = scope_name(&model.kind());
    let modules = model.named_modules();
    if modules.is_empty() {
        return Err(Error::Events(tfevents::Error::Empty {
            what: "the model's child modules (add_graph draws a module tree: wrap a single layer in a Sequential)".into(),
        }));
    }
    let path = |dotted: &str| format!("{root}/{}", dotted.replace('.', "/"));
    let has_children: HashMap<String, bool> = modules
        .iter()
        .map(|(n, m)| (path(n), !m.children().is_empty()))
        .collect();

    let trace = Arc::new(Mutex::new(Trace::default()));
    lock(&trace)
        .producer
        .insert(input.id(), "input".to_string());
    let mut handles = Vec::with_capacity(2 * modules.len());
    for (dotted, m) in &modules {
        let name = path(dotted);
        let container = has_children.get(&name).copied().unwrap_or(false);
        let (t, n) = (Arc::clone(&trace), name.clone());
        handles.push(m.node().register_forward_pre_hook(move |_, _| {
            let mut t = lock(&t);
            let last = t.last_done.clone();
            t.before_start.insert(n.clone(), last);
            Ok(None)
        }));
        let (t, n) = (Arc::clone(&trace), name);
        handles.push(m.node().register_forward_hook(move |_, x, y| {
            let mut t = lock(&t);
            let started_after = t.before_start.get(&n).cloned().flatten();
            // A container is the output of its scope: fed by the child that finished last
            // inside it. A layer is fed by whoever produced its input.
            let from = if container && t.last_done != started_after {
                t.last_done.clone()
            } else {
                t.producer.get(&x.id()).cloned().or(started_after)
            };
            let from = from.unwrap_or_else(|| "input".to_string());
            t.done.insert(n.clone(), (from, y.dims().to_vec()));
            t.producer.insert(y.id(), n.clone());
            t.last_done = Some(n.clone());
            Ok(None)
        }));
    }
    let output = model.call(input);
    for h in &handles {
        h.remove();
    }
    let output = output?;
    let trace = lock(&trace);

    let mut nodes: Vec<NodeDef> = Vec::with_capacity(modules.len() * 2 + 2);
    let mut input_node = node("input", "IO Node", Vec::<String>::new());
    input_node
        .attr
        .insert("_output_shapes".into(), output_shapes([input.dims()]));
    nodes.push(input_node);
    for (dotted, m) in &modules {
        let name = path(dotted);
        let Some((from, shape)) = trace.done.get(&name) else {
            // Declared but not run in this forward pass (e.g. an unused head): drawn alone.
            nodes.push(module_node(&name, m, None, &[]));
            continue;
        };
        let params: Vec<String> = m
            .node()
            .parameters()
            .iter()
            .map(|(p, _)| format!("{name}/{p}"))
            .collect();
        for ((_, t), pname) in m.node().parameters().iter().zip(&params) {
            let mut p = node(pname, "Parameter", Vec::<String>::new());
            p.attr
                .insert("_output_shapes".into(), output_shapes([t.dims()]));
            p.attr
                .insert("dtype".into(), string_attr(&format!("{:?}", t.dtype())));
            nodes.push(p);
        }
        let mut inputs = vec![from.clone()];
        inputs.extend(params);
        nodes.push(module_node(&name, m, Some(shape), &inputs));
    }
    let last = trace
        .producer
        .get(&output.id())
        .cloned()
        .or_else(|| trace.last_done.clone())
        .unwrap_or_else(|| "input".to_string());
    let mut out = node("output", "IO Node", [last]);
    out.attr
        .insert("_output_shapes".into(), output_shapes([output.dims()]));
    nodes.push(out);
    Ok(graph_def(nodes)?)
}

fn module_node(
    name: &str,
    m: &&dyn Module,
    shape: Option<&Vec<usize>>,
    inputs: &[String],
) -> NodeDef {
    let mut n = node(name, &m.kind(), inputs.iter().cloned());
    if let Some(shape) = shape {
        n.attr
            .insert("_output_shapes".into(), output_shapes([&shape[..]]));
    }
    n
}

/// A scope name without `/` (which would open a scope of its own).
fn scope_name(kind: &str) -> String {
    let s = kind.replace('/', "_");
    if s.is_empty() {
        "model".into()
    } else {
        s
    }
}

/// `add_graph` on a [`SummaryWriter`] (an extension trait: the writer lives in the core).
pub trait AddGraph {
    /// Logs `model`'s module graph traced on `input`, as PyTorch's `add_graph(model,
    /// input_to_model)`: see [`module_graph`].
    ///
    /// ```no_run
    /// use candle_core::{DType, Device, Tensor};
    /// use candle_nn::VarBuilder;
    /// use candle_tensorboard::graph::AddGraph;
    /// use candle_tensorboard::models::dqn;
    /// # fn main() -> candle_tensorboard::Result<()> {
    /// let net = dqn(3, VarBuilder::zeros(DType::F32, &Device::Cpu))?;
    /// let writer = candle_tensorboard::SummaryWriter::new("runs/dqn")?;
    /// writer.add_graph(&net, &Tensor::zeros((1, 4, 84, 84), DType::F32, &Device::Cpu)?)?;
    /// # Ok(()) }
    /// ```
    fn add_graph(&self, model: &dyn Module, input: &Tensor) -> Result<()>;
}

impl AddGraph for SummaryWriter {
    fn add_graph(&self, model: &dyn Module, input: &Tensor) -> Result<()> {
        let graph = module_graph(model, input)?;
        Ok(self.add_graph_def(&graph)?)
    }
}
