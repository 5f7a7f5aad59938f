//! One event file, written by a background thread behind a bounded queue.
//!
//! The caller's thread frames each event straight into an in-memory batch (no allocation per
//! event, no syscall); the writer thread swaps the whole batch out and writes it with a single
//! `write` call. Work that is expensive but does not need the caller's data, such as PNG encoding,
//! travels as a deferred job and runs on the writer thread, in order with the other events.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use prost::Message;

use crate::error::{Error, Result};
use crate::proto::{event, session_log, Event, SessionLog};
use crate::record::append_record;

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

/// The string TensorBoard expects in the first record of every event file.
pub const FILE_VERSION: &str = "brain.Event:2";

/// Makes file names unique within the process, as TensorBoard's global uid does, so two
/// writers created in the same second never share a file.
static FILE_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Where an [`EventFileWriter`] puts its bytes: a file, or anything else that can also cut a
/// partly written record off after a failed write.
pub trait EventSink: Write + Send + 'static {
    /// Cuts the output back to its first `len` bytes and continues writing from there.
    fn truncate_to(&mut self, len: u64) -> std::io::Result<()>;
}

impl EventSink for File {
    fn truncate_to(&mut self, len: u64) -> std::io::Result<()> {
        self.set_len(len)?;
        std::io::Seek::seek(self, std::io::SeekFrom::Start(len)).map(|_| ())
    }
}

/// A job run on the writer thread that produces an event, e.g. one that encodes a PNG.
pub type DeferredEvent = Box<dyn FnOnce() -> Result<Event> + Send + 'static>;

/// Options of an [`EventFileWriter`].
#[derive(Clone, Debug)]
pub struct EventFileOptions {
    /// Appended to the file name, as PyTorch's `filename_suffix`.
    pub filename_suffix: String,
    /// Queued events before an `add_*` call waits for the writer thread.
    pub max_queue: usize,
    /// Seconds between two writes of the queue to disk.
    pub flush_secs: f64,
    /// When set, the file starts with a `SessionLog START` at this step, so TensorBoard drops
    /// the events an earlier, crashed run logged at this step and later.
    pub purge_step: Option<i64>,
}

impl Default for EventFileOptions {
    fn default() -> Self {
        EventFileOptions {
            filename_suffix: String::new(),
            max_queue: DEFAULT_MAX_QUEUE,
            flush_secs: DEFAULT_FLUSH_SECS,
            purge_step: None,
        }
    }
}

enum Item {
    /// Framed records, ready to write, and how many events they hold.
    Records(Vec<u8>, u64),
    Deferred(DeferredEvent),
}

#[derive(Default)]
struct State {
    queue: Vec<Item>,
    queued_events: usize,
    queued_bytes: usize,
    /// Events accepted since the file was opened.
    enqueued: u64,
    /// Events the writer thread has handed to the operating system (or given up on).
    written: u64,
    /// The last write failure, reported once by the next call.
    error: Option<String>,
    closed: bool,
    writer_sleeping: bool,
    flush_wanted: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the writer thread.
    work: Condvar,
    /// Wakes callers waiting for queue space or for a flush.
    progress: Condvar,
    max_queue: usize,
    path: PathBuf,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave `State` half-updated in a way that
        // matters (every field is a plain counter or queue), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn take_error(&self, state: &mut State) -> Result<()> {
        match state.error.take() {
            Some(message) => Err(Error::Writer {
                path: self.path.clone(),
                message,
            }),
            None => Ok(()),
        }
    }
}

/// Writes events to one event file through a background thread.
///
/// Most users want [`crate::SummaryWriter`], which builds on this. Dropping the writer closes it:
/// everything queued is written first.
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
    /// `events.out.tfevents.<secs>.<host>.<pid>.<counter><suffix>`.
    pub fn new(log_dir: impl AsRef<Path>, options: EventFileOptions) -> Result<Self> {
        let log_dir = log_dir.as_ref();
        if log_dir.is_file() {
            return Err(Error::invalid(
                "log_dir",
                format!(
                    "`{}` is a file, not a directory; choose another log directory",
                    log_dir.display()
                ),
            ));
        }
        std::fs::create_dir_all(log_dir)
            .map_err(|e| Error::io("cannot create log directory", log_dir, e))?;
        let name = format!(
            "events.out.tfevents.{:010}.{}.{}.{}{}",
            now_secs() as u64,
            hostname(),
            std::process::id(),
            FILE_COUNTER.fetch_add(1, Ordering::Relaxed),
            options.filename_suffix
        );
        let path = log_dir.join(name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Error::io("cannot create event file", &path, e))?;
        Self::from_sink(Box::new(file), path, options)
    }

    /// Writes to exactly `path` (created or truncated), for a fixed file name.
    pub fn create_at(path: impl AsRef<Path>, options: EventFileOptions) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(|e| Error::io("cannot create event file", &path, e))?;
        Self::from_sink(Box::new(file), path, options)
    }

    /// Writes to any [`EventSink`]; `path` only names it in error messages.
    pub fn from_sink(
        mut file: Box<dyn EventSink>,
        path: impl Into<PathBuf>,
        options: EventFileOptions,
    ) -> Result<Self> {
        let path = path.into();
        if options.max_queue == 0 {
            return Err(Error::invalid("max_queue", "must be at least 1"));
        }
        if !(options.flush_secs.is_finite() && options.flush_secs > 0.0) {
            return Err(Error::invalid(
                "flush_secs",
                format!(
                    "must be a positive number of seconds, got {}",
                    options.flush_secs
                ),
            ));
        }
        // The header goes to disk before the constructor returns, so that TensorBoard sees a
        // valid (if empty) run at once.
        let step = options.purge_step.unwrap_or(0);
        let mut header = Vec::new();
        let version = Event {
            wall_time: now_secs(),
            step,
            what: Some(event::What::FileVersion(FILE_VERSION.to_string())),
            source_metadata: None,
        };
        append_record(&mut header, &version.encode_to_vec());
        if options.purge_step.is_some() {
            let start = Event {
                wall_time: now_secs(),
                step,
                what: Some(event::What::SessionLog(SessionLog {
                    status: session_log::SessionStatus::Start as i32,
                    checkpoint_path: String::new(),
                    msg: String::new(),
                })),
                source_metadata: None,
            };
            append_record(&mut header, &start.encode_to_vec());
        }
        file.write_all(&header)
            .map_err(|e| Error::io("cannot write event file header", &path, e))?;

        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            progress: Condvar::new(),
            max_queue: options.max_queue,
            path: path.clone(),
        });
        let thread_shared = Arc::clone(&shared);
        let interval = Duration::from_secs_f64(options.flush_secs);
        let good_len = header.len() as u64;
        let thread = std::thread::Builder::new()
            .name("tfevents-writer".into())
            .spawn(move || writer_loop(&thread_shared, file, good_len, interval))
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
                frame_into(buf, event);
                *count += 1;
                buf.len() - before
            }
            _ => {
                let mut buf = Vec::with_capacity(4096);
                frame_into(&mut buf, event);
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
    /// `size_hint` is the memory the job holds, for the queue's byte bound.
    pub fn add_deferred(&self, job: DeferredEvent, size_hint: usize) -> Result<()> {
        let mut state = self.wait_for_room()?;
        state.queue.push(Item::Deferred(job));
        state.queued_bytes += size_hint;
        self.after_enqueue(state);
        Ok(())
    }

    fn wait_for_room(&self) -> Result<MutexGuard<'_, State>> {
        let shared = &self.shared;
        let mut state = shared.lock();
        shared.take_error(&mut state)?;
        if state.closed {
            return Err(Error::Closed);
        }
        while state.queued_events >= shared.max_queue || state.queued_bytes >= MAX_QUEUED_BYTES {
            state.flush_wanted = true;
            shared.work.notify_one();
            state = shared
                .progress
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            shared.take_error(&mut state)?;
            if state.closed {
                return Err(Error::Closed);
            }
        }
        Ok(state)
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
    /// operating system), then reports any write error.
    pub fn flush(&self) -> Result<()> {
        let shared = &self.shared;
        let mut state = shared.lock();
        let target = state.enqueued;
        if state.written < target {
            state.flush_wanted = true;
            shared.work.notify_one();
            while state.written < target {
                state = shared
                    .progress
                    .wait(state)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
        }
        shared.take_error(&mut state)
    }

    /// Writes everything queued, stops the writer thread and reports any write error.
    /// Later `add_*` calls return [`Error::Closed`]; closing twice is fine.
    pub fn close(&self) -> Result<()> {
        {
            let mut state = self.shared.lock();
            state.closed = true;
            self.shared.work.notify_one();
        }
        let handle = self
            .thread
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(handle) = handle {
            if handle.join().is_err() {
                return Err(Error::Writer {
                    path: self.shared.path.clone(),
                    message: "the writer thread panicked".into(),
                });
            }
        }
        let mut state = self.shared.lock();
        self.shared.take_error(&mut state)
    }
}

impl Drop for EventFileWriter {
    fn drop(&mut self) {
        // Errors cannot be returned from drop; call `close()` to see them.
        let _ = self.close();
    }
}

fn frame_into(buf: &mut Vec<u8>, event: &Event) {
    let len = event.encoded_len();
    let len_bytes = (len as u64).to_le_bytes();
    buf.reserve(len + crate::record::HEADER_LEN + crate::record::FOOTER_LEN);
    buf.extend_from_slice(&len_bytes);
    buf.extend_from_slice(&crate::record::masked_crc32c(&len_bytes).to_le_bytes());
    let start = buf.len();
    // Encoding into a Vec only fails when capacity is short, and we reserved enough.
    if event.encode(buf).is_err() {
        buf.truncate(start - crate::record::HEADER_LEN);
        return;
    }
    let crc = crate::record::masked_crc32c(&buf[start..]);
    buf.extend_from_slice(&crc.to_le_bytes());
}

fn writer_loop(
    shared: &Shared,
    mut file: Box<dyn EventSink>,
    mut good_len: u64,
    interval: Duration,
) {
    let mut spare: Vec<Item> = Vec::new();
    let mut scratch = Vec::new();
    loop {
        let (items, count, closing) = {
            let mut state = shared.lock();
            if state.queue.is_empty() && !state.closed && !state.flush_wanted {
                state.writer_sleeping = true;
                let (next, _) = shared
                    .work
                    .wait_timeout(state, interval)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                state = next;
                state.writer_sleeping = false;
            }
            state.flush_wanted = false;
            std::mem::swap(&mut state.queue, &mut spare);
            let count = state.queued_events as u64;
            state.queued_events = 0;
            state.queued_bytes = 0;
            // Callers blocked on a full queue may go on while we write.
            shared.progress.notify_all();
            (std::mem::take(&mut spare), count, state.closed)
        };
        let mut failure = None;
        for item in items {
            if failure.is_some() {
                break;
            }
            let written = match item {
                Item::Records(buf, _) => file.write_all(&buf).map(|_| buf.len()),
                Item::Deferred(job) => match job() {
                    Ok(event) => {
                        scratch.clear();
                        frame_into(&mut scratch, &event);
                        file.write_all(&scratch).map(|_| scratch.len())
                    }
                    Err(e) => {
                        // The job's own failure loses only its event.
                        let mut state = shared.lock();
                        state.error = Some(e.to_string());
                        Ok(0)
                    }
                },
            };
            match written {
                Ok(n) => good_len += n as u64,
                Err(e) => failure = Some(e),
            }
        }
        if failure.is_none() {
            // A file's flush is a no-op; a segmenting sink uploads the batch as one object here.
            if let Err(e) = file.flush() {
                shared.lock().error = Some(e.to_string());
            }
        }
        if let Some(e) = failure {
            // Cut a partly written record off, so the file stays readable up to the last
            // complete record and later batches land on a record boundary.
            let message = match file.truncate_to(good_len) {
                Ok(()) => e.to_string(),
                Err(cut) => format!("{e} (and cutting the partial record off failed: {cut})"),
            };
            shared.lock().error = Some(message);
        }
        let mut state = shared.lock();
        state.written += count;
        shared.progress.notify_all();
        if closing && state.queue.is_empty() {
            return;
        }
    }
}
