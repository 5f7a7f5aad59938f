//! [`HookHandle`] and [`HookGuard`]: what a registration returns, to remove its hooks.

use std::sync::Arc;

/// Takes one hook out of its list; `false` when it was no longer there (or its node is gone).
pub(super) type Remove = Arc<dyn Fn() -> bool + Send + Sync>;

/// One hook a handle controls: the name of its list, its id there, and how to remove it.
#[derive(Clone)]
struct HandleEntry {
    kind: &'static str,
    id: u64,
    remove: Remove,
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
    /// The handle of hook `id` in the list named `kind`, which `remove` takes it out of.
    pub(super) fn one(kind: &'static str, id: u64, remove: Remove) -> Self {
        Self {
            entries: vec![HandleEntry { kind, id, remove }],
        }
    }

    /// Removes the hook(s). Returns `false` when none was still registered (already removed,
    /// or the module dropped).
    pub fn remove(&self) -> bool {
        let mut any = false;
        for e in &self.entries {
            any |= (e.remove)();
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
