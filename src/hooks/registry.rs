//! Per-node hook lists, the [`Node`] every layer carries, and [`HookHandle`].
//!
//! A [`Node`] is the part of a layer that hooks see: its dotted name, its kind, its
//! parameters, its train/eval flag and its three hook lists. Layers hold it in an `Arc` so
//! that backward probes (which outlive the forward call inside candle's graph) can refer to it.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};

use candle_core::Tensor;

use super::grad::{check_same_shape, Probe};
use crate::nn::LayerKind;
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
/// A full backward pre-hook: `f(module, grad_output) -> Ok(Some(new_grad_output))` replaces
/// the gradient with respect to the module's output before anything else sees it.
pub type BackwardPreHook = dyn Fn(&Node, &Tensor) -> Result<Option<Tensor>> + Send + Sync;
/// A forward pre-hook that sees every input of a multi-input module (PyTorch's
/// `with_kwargs=True`): `Ok(Some(inputs))` replaces them (the same number of tensors).
pub type ForwardPreHookInputs =
    dyn Fn(&Node, &[Tensor]) -> Result<Option<Vec<Tensor>>> + Send + Sync;
/// A full backward hook that sees the gradient of every input of a multi-input module
/// (PyTorch's tuple `grad_input`): `grad_inputs[i]` is `None` when input `i` does not require a
/// gradient. `Ok(Some(grads))` (one entry per input) replaces the gradient of each input whose
/// entry is `Some` (same shape); `None` entries keep theirs.
pub type BackwardHookInputs =
    dyn Fn(&Node, &[Option<Tensor>], &Tensor) -> Result<Option<Vec<Option<Tensor>>>> + Send + Sync;
/// A forward hook that sees every input; `output` is `None` only for an `always_call` hook
/// run after the forward pass (or an earlier hook) failed.
pub type ForwardHookInputs =
    dyn Fn(&Node, &[Tensor], Option<&Tensor>) -> Result<Option<Tensor>> + Send + Sync;

/// Where a hook goes in its list and when it runs (PyTorch's `prepend` and `always_call`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HookOptions {
    /// Run before the hooks already registered instead of after them.
    pub prepend: bool,
    /// Forward hooks only: run even when the forward pass (or an earlier forward hook) returned
    /// an error, with `output = None`; the error still comes out of the call.
    pub always_call: bool,
}

struct Entry<T: ?Sized> {
    id: u64,
    always: bool,
    f: Arc<T>,
}

type List<T> = RwLock<Vec<Entry<T>>>;

/// Which list a [`HookHandle`] points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HookKind {
    ForwardPre,
    Forward,
    BackwardPre,
    Backward,
}

#[derive(Default)]
pub(crate) struct HookLists {
    pre: List<ForwardPreHookInputs>,
    fwd: List<ForwardHookInputs>,
    bwd_pre: List<BackwardPreHook>,
    bwd: List<BackwardHookInputs>,
    /// Number of hooks in all lists: lets a hook-free forward skip every lock.
    count: AtomicUsize,
    next_id: AtomicU64,
}

/// A snapshot of a list: hooks run without any lock held, so a hook may register or remove
/// hooks (on any node, its own included) without deadlocking; changes apply to the next call.
fn read<T: ?Sized>(l: &List<T>) -> Vec<(Arc<T>, bool)> {
    // A panicking hook can poison the lock; the list itself is still consistent.
    let guard = l.read().unwrap_or_else(|e| e.into_inner());
    guard.iter().map(|e| (e.f.clone(), e.always)).collect()
}

fn is_empty<T: ?Sized>(l: &List<T>) -> bool {
    l.read().unwrap_or_else(|e| e.into_inner()).is_empty()
}

fn push<T: ?Sized>(l: &List<T>, id: u64, f: Arc<T>, opts: HookOptions) {
    let mut g = l.write().unwrap_or_else(|e| e.into_inner());
    let e = Entry {
        id,
        always: opts.always_call,
        f,
    };
    if opts.prepend {
        g.insert(0, e);
    } else {
        g.push(e);
    }
}

fn remove_id<T: ?Sized>(l: &List<T>, id: u64) -> bool {
    let mut g = l.write().unwrap_or_else(|e| e.into_inner());
    let before = g.len();
    g.retain(|e| e.id != id);
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
            HookKind::BackwardPre => remove_id(&self.bwd_pre, id),
            HookKind::Backward => remove_id(&self.bwd, id),
        };
        if removed {
            self.count.fetch_sub(1, Ordering::Relaxed);
        }
        removed
    }

    fn backward_hooks(&self) -> Vec<Arc<BackwardHookInputs>> {
        read(&self.bwd).into_iter().map(|(f, _)| f).collect()
    }

    fn backward_pre_hooks(&self) -> Vec<Arc<BackwardPreHook>> {
        read(&self.bwd_pre).into_iter().map(|(f, _)| f).collect()
    }
}

#[derive(Clone)]
struct HandleEntry {
    lists: Weak<HookLists>,
    kind: HookKind,
    id: u64,
}

/// Detaches the hook (or, for the subtree registrations, every hook) it was returned for.
///
/// Dropping a `HookHandle` does **not** remove the hook (as in PyTorch): call
/// [`HookHandle::remove`], or turn it into a [`HookGuard`] that removes on drop.
/// Removing twice is harmless: the second call returns `false`.
#[derive(Clone)]
#[must_use = "dropping a HookHandle keeps the hook registered for good; keep it to call remove(), or call .guard()"]
pub struct HookHandle {
    entries: Vec<HandleEntry>,
}

impl std::fmt::Debug for HookHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kinds: Vec<_> = self.entries.iter().map(|e| (e.kind, e.id)).collect();
        f.debug_struct("HookHandle").field("hooks", &kinds).finish()
    }
}

impl HookHandle {
    /// Removes the hook(s). Returns `false` when none was still registered (already removed,
    /// or the module dropped).
    pub fn remove(&self) -> bool {
        let mut any = false;
        for e in &self.entries {
            if let Some(l) = e.lists.upgrade() {
                any |= l.remove(e.kind, e.id);
            }
        }
        any
    }

    /// How many hooks this handle controls (one, or one per matched module for a subtree
    /// registration).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the handle controls no hook (a subtree registration that matched nothing).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// One handle for the hooks of `self` and `other`.
    pub fn merge(mut self, other: HookHandle) -> HookHandle {
        self.entries.extend(other.entries);
        self
    }

    /// A guard that removes the hook(s) when it goes out of scope.
    pub fn guard(self) -> HookGuard {
        HookGuard(self)
    }

    /// A handle for no hook, to [`merge`](Self::merge) others into.
    pub fn empty() -> HookHandle {
        HookHandle {
            entries: Vec::new(),
        }
    }
}

/// Removes its hook(s) when dropped (RAII); from [`HookHandle::guard`].
///
/// ```
/// use candle_core::{DType, Device, Tensor};
/// use candle_tensorboard::nn::{Module, ReLU};
/// let relu = ReLU::new();
/// {
///     let _g = relu.register_forward_hook(|_, _, _| Ok(None)).guard();
///     assert_eq!(relu.node().num_hooks(), 1);
/// }
/// assert_eq!(relu.node().num_hooks(), 0);
/// ```
#[must_use = "a HookGuard dropped at once removes its hook at once; bind it: `let _guard = ...`"]
#[derive(Debug)]
pub struct HookGuard(HookHandle);

impl HookGuard {
    /// Keeps the hook(s) registered for good and returns the plain handle.
    pub fn into_handle(self) -> HookHandle {
        let me = std::mem::ManuallyDrop::new(self);
        me.0.clone()
    }
}

impl Drop for HookGuard {
    fn drop(&mut self) {
        self.0.remove();
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
    layer_kind: LayerKind,
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
        let kind = kind.into();
        Arc::new(Self {
            name: RwLock::new(name.into()),
            layer_kind: LayerKind::from_name(&kind),
            kind,
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

    /// The layer's kind as a type: `m.layer_kind() == LayerKind::Conv2d` instead of comparing
    /// strings. Kinds this crate does not define are [`LayerKind::Other`] (see [`Node::kind`]).
    pub fn layer_kind(&self) -> LayerKind {
        self.layer_kind
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
            entries: vec![HandleEntry {
                lists: Arc::downgrade(&self.hooks),
                kind,
                id,
            }],
        }
    }

    /// Registers `f(module, input)`, called before the forward pass; returning
    /// `Ok(Some(t))` makes `t` the input. Hooks run in registration order.
    /// On a multi-input module `input` is the first input; see
    /// [`Node::register_forward_pre_hook_with_inputs`].
    pub fn register_forward_pre_hook<F>(&self, f: F) -> HookHandle
    where
        F: Fn(&Node, &Tensor) -> Result<Option<Tensor>> + Send + Sync + 'static,
    {
        self.register_forward_pre_hook_with_inputs(HookOptions::default(), move |n, xs| {
            let Some(x) = xs.first() else {
                return Ok(None);
            };
            Ok(f(n, x)?.map(|t| {
                let mut v = xs.to_vec();
                v[0] = t;
                v
            }))
        })
    }

    /// Registers `f(module, inputs)` with [`HookOptions`]: `inputs` holds every input of
    /// the call (one for ordinary layers); returning `Ok(Some(v))` replaces them, and `v`
    /// must hold as many tensors (otherwise the call fails with an error saying so).
    pub fn register_forward_pre_hook_with_inputs<F>(&self, opts: HookOptions, f: F) -> HookHandle
    where
        F: Fn(&Node, &[Tensor]) -> Result<Option<Vec<Tensor>>> + Send + Sync + 'static,
    {
        let id = self.hooks.new_id();
        push(
            &self.hooks.pre,
            id,
            Arc::new(f) as Arc<ForwardPreHookInputs>,
            opts,
        );
        self.handle(HookKind::ForwardPre, id)
    }

    /// Registers `f(module, input, output)`, called after the forward pass; returning
    /// `Ok(Some(t))` makes `t` the output (of any shape, as in PyTorch: the next layer sees
    /// it). Hooks run in registration order. On a multi-input module `input` is the first
    /// input; see [`Node::register_forward_hook_with_inputs`].
    pub fn register_forward_hook<F>(&self, f: F) -> HookHandle
    where
        F: Fn(&Node, &Tensor, &Tensor) -> Result<Option<Tensor>> + Send + Sync + 'static,
    {
        self.register_forward_hook_with_inputs(HookOptions::default(), move |n, xs, out| {
            match (xs.first(), out) {
                (Some(x), Some(o)) => f(n, x, o),
                _ => Ok(None),
            }
        })
    }

    /// Registers `f(module, inputs, output)` with [`HookOptions`] (PyTorch's `prepend`,
    /// `always_call` and `with_kwargs`): `inputs` holds every input of the call, `output` is
    /// `None` only for an `always_call` hook after a failure (its return value is then
    /// ignored).
    ///
    /// ```
    /// use candle_core::{DType, Device, Tensor};
    /// use candle_tensorboard::hooks::HookOptions;
    /// use candle_tensorboard::nn::{Module, ReLU};
    /// let relu = ReLU::new();
    /// let first = HookOptions { prepend: true, ..Default::default() };
    /// let _a = relu.node().register_forward_hook_with_inputs(Default::default(), |_, _, o| {
    ///     Ok(o.map(|o| (o + 1.0)).transpose()?)          // runs second: (0 * 10) + 1
    /// });
    /// let _b = relu.node().register_forward_hook_with_inputs(first, |_, _, o| {
    ///     Ok(o.map(|o| (o * 10.0)).transpose()?)         // runs first
    /// });
    /// let y = relu.call(&Tensor::zeros(1, DType::F32, &Device::Cpu)?)?;
    /// assert_eq!(y.to_vec1::<f32>()?, [1.0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn register_forward_hook_with_inputs<F>(&self, opts: HookOptions, f: F) -> HookHandle
    where
        F: Fn(&Node, &[Tensor], Option<&Tensor>) -> Result<Option<Tensor>> + Send + Sync + 'static,
    {
        let id = self.hooks.new_id();
        push(
            &self.hooks.fwd,
            id,
            Arc::new(f) as Arc<ForwardHookInputs>,
            opts,
        );
        self.handle(HookKind::Forward, id)
    }

    /// Registers `f(module, grad_input, grad_output)`, called during `backward()` once per
    /// forward call of the module, when the gradients with respect to its input and output are
    /// known. Returning `Ok(Some(g))` replaces `grad_input` (ignored when it is `None`); a
    /// tensor of another shape than `grad_input` makes `backward()` fail with an error saying
    /// so.
    ///
    /// Backward hooks need a graph: the module's output must depend on a `Var` (trainable
    /// weights from a `VarMap`, or an input that is a `Var`). `grad_input` is `None` when the
    /// module's input does not depend on a `Var` (e.g. the first layer fed with data). On a
    /// multi-input module `grad_input` is the gradient of the first input; see
    /// [`Node::register_full_backward_hook_with_inputs`] for all of them.
    /// While a node has backward hooks, each forward call adds two identity ops (one copy of
    /// the input and one of the output); without them nothing is added.
    pub fn register_full_backward_hook<F>(&self, f: F) -> HookHandle
    where
        F: Fn(&Node, Option<&Tensor>, &Tensor) -> Result<Option<Tensor>> + Send + Sync + 'static,
    {
        self.register_full_backward_hook_with(HookOptions::default(), f)
    }

    /// [`Node::register_full_backward_hook`] with [`HookOptions::prepend`].
    pub fn register_full_backward_hook_with<F>(&self, opts: HookOptions, f: F) -> HookHandle
    where
        F: Fn(&Node, Option<&Tensor>, &Tensor) -> Result<Option<Tensor>> + Send + Sync + 'static,
    {
        self.register_full_backward_hook_with_inputs(opts, move |n, grads, go| {
            let first = grads.first().and_then(Option::as_ref);
            Ok(f(n, first, go)?.map(|g| {
                let mut all = vec![None; grads.len()];
                if let Some(slot) = all.first_mut() {
                    *slot = Some(g);
                }
                all
            }))
        })
    }

    /// Registers `f(module, grad_inputs, grad_output)`, a full backward hook that sees the
    /// gradient of every input of a multi-input module (a residual block, attention with a
    /// mask), as PyTorch's `grad_input` tuple; same graph requirement and timing as
    /// [`Node::register_full_backward_hook`]. `grad_inputs[i]` is `None` when input `i` does
    /// not depend on a `Var`, or has another dtype than the first input that does (their
    /// gradients are gathered into one tensor). Returning `Ok(Some(v))` with one entry per
    /// input replaces the gradients whose entry is `Some`; a wrong count or shape makes
    /// `backward()` fail with an error saying so.
    ///
    /// With two or more inputs that need a gradient, each forward call copies them into one
    /// tensor (so that their gradients arrive together); with one, nothing is copied.
    pub fn register_full_backward_hook_with_inputs<F>(&self, opts: HookOptions, f: F) -> HookHandle
    where
        F: Fn(&Node, &[Option<Tensor>], &Tensor) -> Result<Option<Vec<Option<Tensor>>>>
            + Send
            + Sync
            + 'static,
    {
        let id = self.hooks.new_id();
        push(
            &self.hooks.bwd,
            id,
            Arc::new(f) as Arc<BackwardHookInputs>,
            opts,
        );
        self.handle(HookKind::Backward, id)
    }

    /// Registers `f(module, grad_output)` (PyTorch's `register_full_backward_pre_hook`),
    /// called during `backward()` as soon as the gradient with respect to the module's output
    /// is known, before the module's backward pass and its backward hooks; returning
    /// `Ok(Some(g))` (same shape) replaces that gradient. Same graph requirement as
    /// [`Node::register_full_backward_hook`].
    pub fn register_full_backward_pre_hook<F>(&self, f: F) -> HookHandle
    where
        F: Fn(&Node, &Tensor) -> Result<Option<Tensor>> + Send + Sync + 'static,
    {
        self.register_full_backward_pre_hook_with(HookOptions::default(), f)
    }

    /// [`Node::register_full_backward_pre_hook`] with [`HookOptions::prepend`].
    pub fn register_full_backward_pre_hook_with<F>(&self, opts: HookOptions, f: F) -> HookHandle
    where
        F: Fn(&Node, &Tensor) -> Result<Option<Tensor>> + Send + Sync + 'static,
    {
        let id = self.hooks.new_id();
        push(
            &self.hooks.bwd_pre,
            id,
            Arc::new(f) as Arc<BackwardPreHook>,
            opts,
        );
        self.handle(HookKind::BackwardPre, id)
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
        self.run_many(std::slice::from_ref(x), |xs| match xs.first() {
            Some(x) => f(x),
            None => Err(candle_core::Error::Msg(
                "a forward pre-hook removed the input".into(),
            )),
        })
    }

    /// Runs `f` on several inputs wrapped in this node's hooks.
    pub(crate) fn run_many(
        self: &Arc<Self>,
        xs: &[Tensor],
        f: impl FnOnce(&[Tensor]) -> candle_core::Result<Tensor>,
    ) -> candle_core::Result<Tensor> {
        if self.hooks.count.load(Ordering::Relaxed) == 0 {
            return f(xs);
        }
        let mut inputs = xs.to_vec();
        for (h, _) in read(&self.hooks.pre) {
            if let Some(new) = h(self, &inputs)? {
                if new.len() != inputs.len() {
                    return Err(crate::Error::invalid(
                        "inputs",
                        format!(
                            "a forward pre-hook of `{}` returned {} inputs for a call with {}; return as many tensors, or None to keep them",
                            self.name(),
                            new.len(),
                            inputs.len()
                        ),
                    )
                    .into());
                }
                inputs = new;
            }
        }
        let with_bwd = !is_empty(&self.hooks.bwd) || !is_empty(&self.hooks.bwd_pre);
        let state = Arc::new(Mutex::new(None::<Tensor>));
        let mut fed = inputs.clone();
        let probed = if with_bwd {
            probed_inputs(&inputs)
        } else {
            Vec::new()
        };
        let input_probed = !probed.is_empty();
        if input_probed {
            let node = self.clone();
            let st = state.clone();
            let n_inputs = inputs.len();
            let shapes: Vec<candle_core::Shape> =
                probed.iter().map(|&i| inputs[i].shape().clone()).collect();
            let positions = probed.clone();
            let probe = Probe::new(move |gi: &Tensor| {
                let go = st.lock().unwrap_or_else(|e| e.into_inner()).take();
                let Some(go) = go else {
                    // The output probe did not run: the output was not on the loss's path
                    // through this call, so PyTorch would not fire the hook either.
                    return Ok(None);
                };
                let mut grads: Vec<Option<Tensor>> = vec![None; n_inputs];
                for (&i, part) in positions.iter().zip(split_flat(gi, &shapes)?) {
                    grads[i] = Some(part);
                }
                let mut changed = false;
                for h in node.hooks.backward_hooks() {
                    let Some(new) = h(&node, &grads, &go)? else {
                        continue;
                    };
                    if new.len() != n_inputs {
                        return Err(crate::Error::invalid(
                            "grad_inputs",
                            format!(
                                "a backward hook of `{}` returned {} gradients for a call with {} inputs; return one entry per input (None to keep it)",
                                node.name(),
                                new.len(),
                                n_inputs
                            ),
                        ));
                    }
                    for (slot, new) in grads.iter_mut().zip(new) {
                        // As in PyTorch, a replacement for an input without a gradient is
                        // ignored.
                        if let (Some(old), Some(new)) = (slot.as_mut(), new) {
                            check_same_shape("grad_input", &new, old)?;
                            *old = new;
                            changed = true;
                        }
                    }
                }
                if !changed {
                    return Ok(None);
                }
                let parts: Vec<Tensor> =
                    positions.iter().filter_map(|&i| grads[i].take()).collect();
                Ok(Some(join_flat(&parts)?))
            });
            if let [i] = probed[..] {
                fed[i] = inputs[i].apply_op1(probe)?;
            } else {
                // One probe over all the inputs, so that the hooks see every input's gradient
                // at once: candle calls a probe as soon as its own gradient is known.
                let flat = probed
                    .iter()
                    .map(|&i| inputs[i].flatten_all())
                    .collect::<candle_core::Result<Vec<_>>>()?;
                let flat = Tensor::cat(&flat, 0)?.apply_op1(probe)?;
                let mut offset = 0;
                for &i in &probed {
                    let n = inputs[i].elem_count();
                    fed[i] = flat.narrow(0, offset, n)?.reshape(inputs[i].shape())?;
                    offset += n;
                }
            }
        }
        let fwd = read(&self.hooks.fwd);
        let mut output = match f(&fed) {
            Ok(o) => o,
            Err(e) => {
                self.always_call(&fwd, 0, &inputs);
                return Err(e);
            }
        };
        for (i, (h, _)) in fwd.iter().enumerate() {
            match h(self, &inputs, Some(&output)) {
                Ok(Some(new)) => output = new,
                Ok(None) => {}
                Err(e) => {
                    self.always_call(&fwd, i + 1, &inputs);
                    return Err(e.into());
                }
            }
        }
        if with_bwd && output.track_op() {
            let node = self.clone();
            let n_inputs = inputs.len();
            output = output.apply_op1(Probe::new(move |go: &Tensor| {
                let mut go_new = None::<Tensor>;
                for h in node.hooks.backward_pre_hooks() {
                    let cur = go_new.as_ref().unwrap_or(go);
                    if let Some(new) = h(&node, cur)? {
                        check_same_shape("grad_output", &new, go)?;
                        go_new = Some(new);
                    }
                }
                let go_seen = go_new.clone().unwrap_or_else(|| go.clone());
                if input_probed {
                    *state.lock().unwrap_or_else(|e| e.into_inner()) = Some(go_seen);
                } else {
                    let none = vec![None; n_inputs];
                    for h in node.hooks.backward_hooks() {
                        h(&node, &none, &go_seen)?;
                    }
                }
                Ok(go_new)
            }))?;
        }
        Ok(output)
    }

    /// After a failure, runs the `always_call` forward hooks from `from` on, with no output;
    /// their errors are dropped so that the first error is the one reported.
    fn always_call(&self, fwd: &[(Arc<ForwardHookInputs>, bool)], from: usize, inputs: &[Tensor]) {
        for (h, always) in fwd.iter().skip(from) {
            if *always {
                let _ = h(self, inputs, None);
            }
        }
    }
}

/// The inputs whose gradients backward hooks see: those that need a gradient and have the
/// dtype of the first such input (the gradients travel in one tensor).
fn probed_inputs(inputs: &[Tensor]) -> Vec<usize> {
    let mut dtype = None;
    (0..inputs.len())
        .filter(|&i| {
            let x = &inputs[i];
            x.track_op() && *dtype.get_or_insert(x.dtype()) == x.dtype()
        })
        .collect()
}

/// The gradient of the probed inputs, one tensor each: `flat` itself for one input, else the
/// flat concatenation cut at the inputs' sizes and reshaped.
fn split_flat(flat: &Tensor, shapes: &[candle_core::Shape]) -> Result<Vec<Tensor>> {
    if let [_] = shapes {
        return Ok(vec![flat.clone()]);
    }
    let mut offset = 0;
    let mut parts = Vec::with_capacity(shapes.len());
    for shape in shapes {
        let n = shape.elem_count();
        parts.push(flat.narrow(0, offset, n)?.reshape(shape)?);
        offset += n;
    }
    Ok(parts)
}

/// The inverse of [`split_flat`].
fn join_flat(parts: &[Tensor]) -> Result<Tensor> {
    if let [one] = parts {
        return Ok(one.clone());
    }
    let flat = parts
        .iter()
        .map(Tensor::flatten_all)
        .collect::<candle_core::Result<Vec<_>>>()?;
    Ok(Tensor::cat(&flat, 0)?)
}

impl From<crate::Error> for candle_core::Error {
    fn from(e: crate::Error) -> Self {
        match e {
            crate::Error::Candle(c) => c,
            other => candle_core::Error::wrap(other),
        }
    }
}
