//! A node's hook lists: one per stored kind, each in registration order.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use super::handle::HookHandle;
use super::hook_fn::{
    BackwardHookInputs, BackwardPreHook, ForwardHookInputs, ForwardPreHookInputs,
};

/// Where a hook goes in its list and when it runs (PyTorch's `prepend` and `always_call`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HookOptions {
    /// Run before the hooks already registered instead of after them.
    pub prepend: bool,
    /// Forward hooks only: run even when the forward pass (or an earlier forward hook) returned
    /// an error, with `output = None`; the error still comes out of the call.
    pub always_call: bool,
}

/// One registered hook.
pub(crate) struct Entry<H: ?Sized> {
    id: u64,
    /// [`HookOptions::always_call`].
    pub(crate) always_call: bool,
    pub(crate) hook: Arc<H>,
}

impl<H: ?Sized> Clone for Entry<H> {
    fn clone(&self) -> Self {
        Self {
            id: self.id,
            always_call: self.always_call,
            hook: self.hook.clone(),
        }
    }
}

type List<H> = RwLock<Vec<Entry<H>>>;

/// A kind of hook stored in [`HookLists`]: which list holds it.
pub(crate) trait Slot: 'static {
    /// The list's name, for `HookHandle`'s `Debug`.
    const NAME: &'static str;
    /// The list of this kind in `lists`.
    fn list(lists: &HookLists) -> &List<Self>;
}

/// Declares the lists (one field per stored kind) and which kind goes in which.
macro_rules! hook_lists {
    ($($hook:ident => $field:ident,)*) => {
        /// Every hook list of a node.
        #[derive(Default)]
        pub(crate) struct HookLists {
            $($field: List<$hook>,)*
            /// Number of hooks in all lists: lets a hook-free forward skip every lock.
            count: AtomicUsize,
            next_id: AtomicU64,
        }

        $(impl Slot for $hook {
            const NAME: &'static str = stringify!($field);
            fn list(lists: &HookLists) -> &List<Self> {
                &lists.$field
            }
        })*
    };
}

// The forms with every input are stored; the one-input registrations adapt to them.
hook_lists! {
    ForwardPreHookInputs => forward_pre,
    ForwardHookInputs => forward,
    BackwardPreHook => backward_pre,
    BackwardHookInputs => backward,
}

impl HookLists {
    /// Adds `hook` to its list and returns the handle that removes it.
    pub(crate) fn add<H: Slot + ?Sized>(
        self: &Arc<Self>,
        hook: Arc<H>,
        opts: HookOptions,
    ) -> HookHandle {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let entry = Entry {
            id,
            always_call: opts.always_call,
            hook,
        };
        {
            // A panicking hook can poison the lock; the list itself is still consistent.
            let mut list = H::list(self).write().unwrap_or_else(|e| e.into_inner());
            if opts.prepend {
                list.insert(0, entry);
            } else {
                list.push(entry);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let lists = Arc::downgrade(self);
        let remove = move || lists.upgrade().is_some_and(|l| l.remove::<H>(id));
        HookHandle::one(H::NAME, id, Arc::new(remove))
    }

    /// Removes hook `id` from the list of `H`; `false` when it was not there.
    fn remove<H: Slot + ?Sized>(&self, id: u64) -> bool {
        let mut list = H::list(self).write().unwrap_or_else(|e| e.into_inner());
        let before = list.len();
        list.retain(|e| e.id != id);
        let removed = list.len() != before;
        if removed {
            self.count.fetch_sub(1, Ordering::Relaxed);
        }
        removed
    }

    /// A snapshot of the list of `H`: hooks run without any lock held, so a hook may register
    /// or remove hooks (on any node, its own included) without deadlocking; changes apply to
    /// the next call.
    pub(crate) fn snapshot<H: Slot + ?Sized>(&self) -> Vec<Entry<H>> {
        H::list(self)
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The hooks of kind `H`, in the order they run.
    pub(crate) fn hooks<H: Slot + ?Sized>(&self) -> Vec<Arc<H>> {
        let list = H::list(self).read().unwrap_or_else(|e| e.into_inner());
        list.iter().map(|e| e.hook.clone()).collect()
    }

    /// Whether the list of `H` holds a hook.
    pub(crate) fn has<H: Slot + ?Sized>(&self) -> bool {
        !H::list(self)
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
    }

    /// Number of hooks in all lists.
    pub(crate) fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }
}
