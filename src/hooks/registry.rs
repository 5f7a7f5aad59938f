//! Per-node hook lists, the [`Node`] every layer carries, and [`HookHandle`].
//!
//! A [`Node`] is the part of a layer that hooks see: its dotted name, its kind, its
//! parameters, its train/eval flag and its three hook lists. Layers hold it in an `Arc` so
//! that backward probes (which outlive the forward call inside candle's graph) can refer to it.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};

use candle_core::Tensor;

use super::grad::Probe;
use crate::Result;

/// A forward pre-hook: `f(module, input) -> Ok(Some(new_input))` replaces the input.
pub type ForwardPreHook = dyn Fn(&Node, &Tensor) -> Result<Option<Tensor>> + Send + Sync;
/// A forward hook: `f(module, input, output) -> Ok(Some(new_output))` replaces the output.
pub type ForwardHook = dyn Fn(&Node, &Tensor, &Tensor) -> Result<Option<Tensor>> + Send + Sync;
/// A full backward hook: `f(module, grad_input, grad_output) -> Ok(Some(new_grad_input))`
/// replaces the gradient passed on to the module's input. `grad_input` is `None` when the
/// module's input does not require a gradient (as in PyTorch).
pub type BackwardHook =
    dyn Fn(&Node, Option<&Tensor>, &Tensor) -> Result<Option<Tensor>> + Send + Sync;

type List<T> = RwLock<Vec<(u64, Arc<T>)>>;

/// Which list a [`HookHandle`] points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HookKind {
    ForwardPre,
    Forward,
    Backward,
}

#[derive(Default)]
pub(crate) struct HookLists {
    pre: List<ForwardPreHook>,
    fwd: List<ForwardHook>,
    bwd: List<BackwardHook>,
    /// Number of hooks in all three lists: lets a hook-free forward skip every lock.
    count: AtomicUsize,
    next_id: AtomicU64,
}

fn read<T: ?Sized>(l: &RwLock<Vec<(u64, Arc<T>)>>) -> Vec<Arc<T>> {
    // A panicking hook can poison the lock; the list itself is still consistent.
    let guard = l.read().unwrap_or_else(|e| e.into_inner());
    guard.iter().map(|(_, f)| f.clone()).collect()
}

fn push<T: ?Sized>(l: &RwLock<Vec<(u64, Arc<T>)>>, id: u64, f: Arc<T>) {
    l.write().unwrap_or_else(|e| e.into_inner()).push((id, f));
}

fn remove_id<T: ?Sized>(l: &RwLock<Vec<(u64, Arc<T>)>>, id: u64) -> bool {
    let mut g = l.write().unwrap_or_else(|e| e.into_inner());
    let before = g.len();
    g.retain(|(i, _)| *i != id);
    g.len() != before
}

impl HookLists {
    fn new_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    fn remove(&self, kind: HookKind, id: u64) -> bool {
        let removed = match kind {
            HookKind::ForwardPre => remove_id(&self.pre, id),
            HookKind::Forward => remove_id(&self.fwd, id),
            HookKind::Backward => remove_id(&self.bwd, id),
        };
        if removed {
            self.count.fetch_sub(1, Ordering::Relaxed);
        }
        removed
    }

    pub(crate) fn backward_hooks(&self) -> Vec<Arc<BackwardHook>> {
        read(&self.bwd)
    }
}

/// Detaches a hook from the node it was registered on.
///
/// Dropping a handle does **not** remove the hook (as in PyTorch): call [`HookHandle::remove`].
#[derive(Clone)]
pub struct HookHandle {
    lists: Weak<HookLists>,
    kind: HookKind,
    id: u64,
}

impl std::fmt::Debug for HookHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HookHandle")
            .field("kind", &self.kind)
            .field("id", &self.id)
            .finish()
    }
}

impl HookHandle {
    /// Removes the hook. Returns `false` when it was already removed (or its module dropped).
    pub fn remove(&self) -> bool {
        match self.lists.upgrade() {
            Some(l) => l.remove(self.kind, self.id),
            None => false,
        }
    }
}

/// The hookable part of a layer: name, kind, parameters, train/eval flag and hook lists.
///
/// Hooks receive the node of the module they are registered on, so one closure can serve
/// many layers and still tell them apart:
///
/// ```
/// use candle_core::{DType, Device, Tensor};
/// use candle_tensorboard::nn::{Conv2d, Module};
/// let vb = candle_nn::VarBuilder::zeros(DType::F32, &Device::Cpu);
/// let conv = Conv2d::new(1, 2, 3, Default::default(), vb.pp("conv1"))?;
/// let handle = conv.node().register_forward_hook(|m, _input, output| {
///     let w = m.parameter("weight").map(|w| w.dims().to_vec());
///     println!("{} ({}) weight {:?} -> {:?}", m.name(), m.kind(), w, output.dims());
///     Ok(None) // keep the output
/// });
/// conv.call(&Tensor::ones((1, 1, 4, 4), DType::F32, &Device::Cpu)?)?;
/// handle.remove();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Node {
    name: RwLock<String>,
    kind: String,
    params: Vec<(String, Tensor)>,
    training: AtomicBool,
    hooks: Arc<HookLists>,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("name", &self.name())
            .field("kind", &self.kind)
            .field("params", &self.params.len())
            .finish()
    }
}

impl Node {
    /// A node named `name` (dotted path, may be empty), of kind `kind` (e.g. `"Conv2d"`),
    /// owning `params` (local names such as `"weight"`).
    pub fn new(
        name: impl Into<String>,
        kind: impl Into<String>,
        params: Vec<(String, Tensor)>,
    ) -> Arc<Self> {
        Arc::new(Self {
            name: RwLock::new(name.into()),
            kind: kind.into(),
            params,
            training: AtomicBool::new(false),
            hooks: Arc::new(HookLists::default()),
        })
    }

    /// The dotted path of this module (`features.0`), as given by its `VarBuilder` prefix or
    /// assigned by its container; empty for an unnamed root.
    pub fn name(&self) -> String {
        self.name.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Renames the node (containers do this for the layers they adopt).
    pub fn set_name(&self, name: impl Into<String>) {
        *self.name.write().unwrap_or_else(|e| e.into_inner()) = name.into();
    }

    /// The layer's kind, e.g. `"Conv2d"`, `"ReLU"`, `"Sequential"`.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// This node's own parameters (not its children's), with local names.
    pub fn parameters(&self) -> &[(String, Tensor)] {
        &self.params
    }

    /// One of this node's own parameters by local name (`"weight"`, `"bias"`).
    pub fn parameter(&self, name: &str) -> Option<&Tensor> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }

    /// Whether the module is in training mode (affects `Dropout`). Modules start in eval mode.
    pub fn is_training(&self) -> bool {
        self.training.load(Ordering::Relaxed)
    }

    /// Sets this node's train/eval flag only; see `Module::train` for the whole subtree.
    pub fn set_training(&self, training: bool) {
        self.training.store(training, Ordering::Relaxed);
    }

    /// Number of hooks of all kinds currently registered on this node.
    pub fn num_hooks(&self) -> usize {
        self.hooks.count.load(Ordering::Relaxed)
    }

    fn handle(&self, kind: HookKind, id: u64) -> HookHandle {
        self.hooks.count.fetch_add(1, Ordering::Relaxed);
        HookHandle {
            lists: Arc::downgrade(&self.hooks),
            kind,
            id,
        }
    }

    /// Registers `f(module, input)`, called before the forward pass; returning
    /// `Ok(Some(t))` makes `t` the input. Hooks run in registration order.
    pub fn register_forward_pre_hook<F>(&self, f: F) -> HookHandle
    where
        F: Fn(&Node, &Tensor) -> Result<Option<Tensor>> + Send + Sync + 'static,
    {
        let id = self.hooks.new_id();
        push(&self.hooks.pre, id, Arc::new(f) as Arc<ForwardPreHook>);
        self.handle(HookKind::ForwardPre, id)
    }

    /// Registers `f(module, input, output)`, called after the forward pass; returning
    /// `Ok(Some(t))` makes `t` the output. Hooks run in registration order.
    pub fn register_forward_hook<F>(&self, f: F) -> HookHandle
    where
        F: Fn(&Node, &Tensor, &Tensor) -> Result<Option<Tensor>> + Send + Sync + 'static,
    {
        let id = self.hooks.new_id();
        push(&self.hooks.fwd, id, Arc::new(f) as Arc<ForwardHook>);
        self.handle(HookKind::Forward, id)
    }

    /// Registers `f(module, grad_input, grad_output)`, called during `backward()` once per
    /// forward call of the module, when the gradients with respect to its input and output are
    /// known. Returning `Ok(Some(g))` replaces `grad_input` (ignored when it is `None`).
    ///
    /// Backward hooks need a graph: the module's output must depend on a `Var` (trainable
    /// weights from a `VarMap`, or an input that is a `Var`). `grad_input` is `None` when the
    /// module's input does not depend on a `Var` (e.g. the first layer fed with data).
    /// While a node has backward hooks, each forward call adds two identity ops (one copy of
    /// the input and one of the output); without them nothing is added.
    pub fn register_full_backward_hook<F>(&self, f: F) -> HookHandle
    where
        F: Fn(&Node, Option<&Tensor>, &Tensor) -> Result<Option<Tensor>> + Send + Sync + 'static,
    {
        let id = self.hooks.new_id();
        push(&self.hooks.bwd, id, Arc::new(f) as Arc<BackwardHook>);
        self.handle(HookKind::Backward, id)
    }

    /// Runs `f` (the module's own computation) wrapped in this node's hooks.
    pub(crate) fn run(
        self: &Arc<Self>,
        x: &Tensor,
        f: impl FnOnce(&Tensor) -> candle_core::Result<Tensor>,
    ) -> candle_core::Result<Tensor> {
        if self.hooks.count.load(Ordering::Relaxed) == 0 {
            return f(x);
        }
        let mut input = x.clone();
        for h in read(&self.hooks.pre) {
            if let Some(new) = h(self, &input)? {
                input = new;
            }
        }
        let with_bwd = !read(&self.hooks.bwd).is_empty();
        let state = Arc::new(Mutex::new(None::<Tensor>));
        let input_probed = with_bwd && input.track_op();
        let fed = if input_probed {
            let node = self.clone();
            let st = state.clone();
            input.apply_op1(Probe::new(move |gi: &Tensor| {
                let go = st.lock().unwrap_or_else(|e| e.into_inner()).take();
                let Some(go) = go else {
                    // The output probe did not run: the output was not on the loss's path
                    // through this call, so PyTorch would not fire the hook either.
                    return Ok(None);
                };
                let mut gi = gi.clone();
                for h in node.hooks.backward_hooks() {
                    if let Some(new) = h(&node, Some(&gi), &go)? {
                        check_same_shape("grad_input", &new, &gi)?;
                        gi = new;
                    }
                }
                Ok(Some(gi))
            }))?
        } else {
            input.clone()
        };
        let mut output = f(&fed)?;
        for h in read(&self.hooks.fwd) {
            if let Some(new) = h(self, &input, &output)? {
                output = new;
            }
        }
        if with_bwd && output.track_op() {
            let node = self.clone();
            output = output.apply_op1(Probe::new(move |go: &Tensor| {
                if input_probed {
                    *state.lock().unwrap_or_else(|e| e.into_inner()) = Some(go.clone());
                } else {
                    for h in node.hooks.backward_hooks() {
                        h(&node, None, go)?;
                    }
                }
                Ok(None)
            }))?;
        }
        Ok(output)
    }
}

pub(crate) fn check_same_shape(what: &'static str, new: &Tensor, old: &Tensor) -> Result<()> {
    if new.dims() != old.dims() {
        return Err(crate::Error::invalid(
            what,
            format!(
                "a hook returned a gradient of shape {:?} for a tensor of shape {:?}; return a tensor of the same shape, or None to keep the gradient",
                new.dims(),
                old.dims()
            ),
        ));
    }
    Ok(())
}

impl From<crate::Error> for candle_core::Error {
    fn from(e: crate::Error) -> Self {
        match e {
            crate::Error::Candle(c) => c,
            other => candle_core::Error::wrap(other),
        }
    }
}
