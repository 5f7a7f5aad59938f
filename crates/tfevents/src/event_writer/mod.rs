//! One event file, written by a background thread behind a bounded queue.
//!
//! The caller's thread frames each event straight into an in-memory batch (no allocation per
//! event, no syscall); the writer thread swaps the whole batch out and writes it with a single
//! `write` call. Work that is expensive but does not need the caller's data, such as PNG encoding,
//! travels as a deferred job and runs on the writer thread, in order with the other events.

mod file;
mod header;
mod options;
mod sink;
mod state;
mod thread;

pub use options::{
    EventFileOptions, DEFAULT_FLUSH_SECS, DEFAULT_MAX_QUEUE, MAX_FLUSH_SECS, MAX_QUEUED_BYTES,
    MIN_FLUSH_SECS,
};
pub use sink::EventSink;

#[cfg(feature = "remote")]
pub(crate) use header::append_file_version;

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crate::error::{Error, Result};
use crate::proto::Event;
use crate::record::append_message;

use file::{create_unique, prepare_log_dir, FileSink};
use sink::guarded;
use state::{Item, Shared, State};

/// The string TensorBoard expects in the first record of every event file.
pub const FILE_VERSION: &str = "brain.Event:2";

/// A job run on the writer thread that produces an event, e.g. one that encodes a PNG.
pub type DeferredEvent = Box<dyn FnOnce() -> Result<Event> + Send + 'static>;

/// Writes events to one event file through a background thread.
///
/// Most users want [`crate::SummaryWriter`], which builds on this. Dropping the writer closes it:
/// everything queued is written first.
///
/// Errors are sticky: once a write fails (disk full, I/O error, a deleted file, a sink or
/// deferred job that panicked), the writer keeps every complete record that reached the file,
/// cuts the partial one, writes nothing more, and every later call returns
/// [`Error::Writer`] with how many of the accepted events reached the file.
pub struct EventFileWriter {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for EventFileWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventFileWriter")
            .field("path", &self.shared.path)
            .finish()
    }
}

/// Seconds since the Unix epoch, as TensorBoard stores wall times.
pub fn now_secs() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// The host name used in file and directory names.
pub fn hostname() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

impl EventFileWriter {
    /// Creates `log_dir` if needed and a new event file in it, named as TensorBoard names them:
    /// `events.out.tfevents.<secs>.<host>.<pid>.<counter><suffix>`. When that name is taken
    /// (another process with the same host name and pid, as in containers), the next counter
    /// is tried. If anything fails, no file (and no directory this call created) is left.
    pub fn new(log_dir: impl AsRef<Path>, options: EventFileOptions) -> Result<Self> {
        let log_dir = log_dir.as_ref();
        options.validate()?;
        let created_dir = prepare_log_dir(log_dir)?;
        let cleanup_dir = || {
            if created_dir {
                // Removes the directory only if it is still empty.
                let _ = std::fs::remove_dir(log_dir);
            }
        };
        let (file, path) = match create_unique(log_dir, &options.filename_suffix) {
            Ok(created) => created,
            Err(e) => {
                cleanup_dir();
                return Err(e);
            }
        };
        let sink = FileSink::new(file, path.clone());
        Self::start(Box::new(sink), path.clone(), options).inspect_err(|_| {
            let _ = std::fs::remove_file(&path);
            cleanup_dir();
        })
    }

    /// Writes to exactly `path` (created or truncated), for a fixed file name.
    pub fn create_at(path: impl AsRef<Path>, options: EventFileOptions) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        options.validate()?;
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(|e| Error::io("cannot create event file", &path, e))?;
        Self::start(Box::new(FileSink::new(file, path.clone())), path, options)
    }

    /// Writes to any [`EventSink`]; `path` only names it in error messages.
    pub fn from_sink(
        file: Box<dyn EventSink>,
        path: impl Into<PathBuf>,
        options: EventFileOptions,
    ) -> Result<Self> {
        Self::start(file, path.into(), options)
    }

    fn start(
        mut file: Box<dyn EventSink>,
        path: PathBuf,
        options: EventFileOptions,
    ) -> Result<Self> {
        let interval = options.validate()?;
        // The header goes to disk before the constructor returns, so that TensorBoard sees a
        // valid (if empty) run at once.
        let header = header::file_header(options.purge_step);
        guarded(|| file.write_all(&header))
            .map_err(|e| Error::io("cannot write event file header", &path, e))?;

        let shared = Arc::new(Shared::new(options.max_queue, options.fsync, path.clone()));
        let thread_shared = Arc::clone(&shared);
        let good_len = header.len() as u64;
        let thread = std::thread::Builder::new()
            .name("tfevents-writer".into())
            .spawn(move || thread::writer_loop(&thread_shared, file, good_len, interval))
            .map_err(|e| Error::io("cannot start the writer thread for", &path, e))?;
        Ok(EventFileWriter {
            shared,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// The event file's path.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// Queues one event. Waits only when the queue is full.
    pub fn add_event(&self, event: &Event) -> Result<()> {
        let mut state = self.wait_for_room()?;
        let before = match state.queue.last_mut() {
            Some(Item::Records(buf, count)) => {
                let before = buf.len();
                append_message(buf, event);
                *count += 1;
                buf.len() - before
            }
            _ => {
                let mut buf = Vec::with_capacity(4096);
                append_message(&mut buf, event);
                let len = buf.len();
                state.queue.push(Item::Records(buf, 1));
                len
            }
        };
        state.queued_bytes += before;
        self.after_enqueue(state);
        Ok(())
    }

    /// Queues a job that builds its event on the writer thread, in order with other events.
    /// `size_hint` is the memory the job holds, for the queue's byte bound. A job that fails or
    /// panics loses its event, which stops the writer like a failed write.
    pub fn add_deferred(&self, job: DeferredEvent, size_hint: usize) -> Result<()> {
        let mut state = self.wait_for_room()?;
        state.queue.push(Item::Deferred(job));
        state.queued_bytes = state.queued_bytes.saturating_add(size_hint);
        self.after_enqueue(state);
        Ok(())
    }

    fn wait_for_room(&self) -> Result<MutexGuard<'_, State>> {
        let shared = &self.shared;
        let mut state = shared.lock();
        loop {
            if state.closed {
                return Err(Error::Closed);
            }
            shared.sticky(&state)?;
            if state.finished {
                // Only a dead thread ends without `closed`; the guard set a failure, but be
                // safe rather than wait for a thread that is gone.
                return Err(Error::Closed);
            }
            if state.queued_events < shared.max_queue && state.queued_bytes < MAX_QUEUED_BYTES {
                return Ok(state);
            }
            state.flush_wanted = true;
            shared.work.notify_one();
            state = shared.wait(state);
        }
    }

    fn after_enqueue(&self, mut state: MutexGuard<'_, State>) {
        state.queued_events += 1;
        state.enqueued += 1;
        // Waking the thread costs a system call: do it once the queue is half full, not per
        // event. The periodic timer picks up whatever is left.
        if state.writer_sleeping && state.queued_events * 2 >= self.shared.max_queue {
            state.writer_sleeping = false;
            self.shared.work.notify_one();
        }
    }

    /// Waits until every event queued so far has been written to the file (handed to the
    /// operating system; with [`EventFileOptions::fsync`], also synced to the disk).
    ///
    /// Never `Ok` when an event it covers was lost: after any failure, this and every later
    /// call return the same [`Error::Writer`].
    pub fn flush(&self) -> Result<()> {
        let shared = &self.shared;
        let mut state = shared.lock();
        let target = state.enqueued;
        state.flush_wanted = true;
        state.sync_wanted |= shared.fsync;
        shared.work.notify_one();
        while !state.finished
            && state.failure.is_none()
            && (state.handled < target || (shared.fsync && state.synced < target))
        {
            state = shared.wait(state);
        }
        shared.sticky(&state)?;
        match state.transient.take() {
            Some(failure) => Err(shared.error(&state, &failure)),
            None => Ok(()),
        }
    }

    /// Writes everything queued, stops the writer thread and reports any failure (the same
    /// sticky [`Error::Writer`] as every other call). Later `add_*` calls return
    /// [`Error::Closed`]; closing twice is fine.
    pub fn close(&self) -> Result<()> {
        {
            let mut state = self.shared.lock();
            state.closed = true;
            state.sync_wanted |= self.shared.fsync;
            self.shared.work.notify_one();
        }
        let handle = self
            .thread
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(handle) = handle {
            if handle.join().is_err() {
                self.shared.fail(
                    std::io::ErrorKind::Other,
                    "the writer thread panicked".into(),
                );
            }
        }
        let state = self.shared.lock();
        self.shared.sticky(&state)
    }
}

impl Drop for EventFileWriter {
    fn drop(&mut self) {
        // Errors cannot be returned from drop; call `close()` to see them. A failure nobody
        // was told of (no `close()` before) is printed rather than lost in silence.
        let closed_before = self.shared.lock().closed;
        if let Err(e) = self.close() {
            if !closed_before {
                eprintln!("tfevents: a writer dropped without close() failed: {e}");
            }
        }
    }
}
