//! The writer's options, their defaults and their bounds.

use std::time::Duration;

use crate::error::{Error, Result};

/// Default number of queued events after which an `add_*` call waits for the writer thread.
///
/// PyTorch's default of 10 suits Python, where one event costs microseconds; at Rust speeds a
/// queue of 10 would force a thread hand-off every 10 events, so ours is larger. Memory stays
/// bounded by [`MAX_QUEUED_BYTES`] as well.
pub const DEFAULT_MAX_QUEUE: usize = 4096;

/// Default seconds between two writes of the queue to disk.
///
/// PyTorch uses 120 s, so a crash can lose two minutes of curves. Writing costs one system call
/// per interval here, so 2 s is free and bounds what a killed process loses to about 2 s.
pub const DEFAULT_FLUSH_SECS: f64 = 2.0;

/// Queued bytes after which an `add_*` call waits, whatever the event count: a queue of large
/// images must not grow without bound.
pub const MAX_QUEUED_BYTES: usize = 64 << 20;

/// The shortest accepted `flush_secs`: a shorter period would keep an idle writer thread
/// spinning.
pub const MIN_FLUSH_SECS: f64 = 0.01;

/// The longest accepted `flush_secs` (one year): longer is "never", which `flush()` and
/// `close()` cover, and a longer `Duration` overflows the clock's arithmetic.
pub const MAX_FLUSH_SECS: f64 = 365.0 * 24.0 * 3600.0;

/// Options of an [`EventFileWriter`](super::EventFileWriter).
#[derive(Clone, Debug)]
pub struct EventFileOptions {
    /// Appended to the file name, as PyTorch's `filename_suffix`.
    pub filename_suffix: String,
    /// Queued events before an `add_*` call waits for the writer thread.
    pub max_queue: usize,
    /// Seconds between two writes of the queue to disk, from [`MIN_FLUSH_SECS`] to
    /// [`MAX_FLUSH_SECS`].
    pub flush_secs: f64,
    /// When set, the file starts with a `SessionLog START` at this step, so TensorBoard drops
    /// the events an earlier, crashed run logged at this step and later.
    pub purge_step: Option<i64>,
    /// `fsync` the file on every `flush()` and `close()`, so that what they covered survives a
    /// power loss or kernel crash, not only a killed process. Off by default, as in PyTorch
    /// (whose writer flushes to the OS but never fsyncs) and TensorFlow (whose `flush()` does
    /// not sync local files either); the cost is measured by the `fsync` group of
    /// `cargo bench --bench writer`.
    pub fsync: bool,
}

impl Default for EventFileOptions {
    fn default() -> Self {
        EventFileOptions {
            filename_suffix: String::new(),
            max_queue: DEFAULT_MAX_QUEUE,
            flush_secs: DEFAULT_FLUSH_SECS,
            purge_step: None,
            fsync: false,
        }
    }
}

impl EventFileOptions {
    /// Checks the options; returns the flush period.
    pub(super) fn validate(&self) -> Result<Duration> {
        if self.max_queue == 0 {
            return Err(Error::invalid("max_queue", "must be at least 1"));
        }
        if !(MIN_FLUSH_SECS..=MAX_FLUSH_SECS).contains(&self.flush_secs) {
            return Err(Error::invalid(
                "flush_secs",
                format!(
                    "must be from {MIN_FLUSH_SECS} to {MAX_FLUSH_SECS} seconds, got {}; call flush() to write at a given point",
                    self.flush_secs
                ),
            ));
        }
        if self.filename_suffix.contains(['/', '\\', '\0']) {
            return Err(Error::invalid(
                "filename_suffix",
                format!(
                    "`{}` holds a path separator or NUL; the suffix must stay in the file name",
                    self.filename_suffix
                ),
            ));
        }
        Duration::try_from_secs_f64(self.flush_secs)
            .map_err(|e| Error::invalid("flush_secs", e.to_string()))
    }
}
