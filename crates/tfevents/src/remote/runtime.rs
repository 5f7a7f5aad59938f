//! Running `object_store`'s async calls from synchronous code.

use std::future::Future;
use std::io;

/// A runtime for one thread: the writer thread owns one; other calls make one per call.
pub(super) fn build() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Runs `future` to completion on a fresh thread with a runtime of its own. A caller may be
/// inside its own async runtime, where blocking on (or dropping) another one would panic.
pub(super) fn block_on_own_thread<T: Send>(
    future: impl Future<Output = T> + Send,
) -> io::Result<T> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| build().map(|runtime| runtime.block_on(future)))
            .join()
    })
    .map_err(|panic| {
        // Inputs are checked before they reach object_store, so this is a bug: say what
        // object_store said rather than only that it happened.
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".into());
        io::Error::other(format!("the object-store I/O thread panicked: {what}"))
    })?
}
