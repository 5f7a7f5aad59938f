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

/// The shortest accepted `flush_secs`: a shorter period would keep an idle writer thread
/// spinning.
pub const MIN_FLUSH_SECS: f64 = 0.01;

/// The longest accepted `flush_secs` (one year): longer is "never", which `flush()` and
/// `close()` cover, and a longer `Duration` overflows the clock's arithmetic.
pub const MAX_FLUSH_SECS: f64 = 365.0 * 24.0 * 3600.0;

/// How many names `new` tries when another writer (another process with the same host name and
/// pid, as in containers) already took one.
const NAME_ATTEMPTS: u32 = 1000;

/// Where an [`EventFileWriter`] puts its bytes: a file, or anything else that can also cut a
/// partly written record off after a failed write.
///
/// The writer thread survives a sink that panics: the panic is reported to every caller as an
/// [`Error::Writer`] and the sink is not called again.
pub trait EventSink: Write + Send + 'static {
    /// Cuts the output back to its first `len` bytes and continues writing from there.
    fn truncate_to(&mut self, len: u64) -> std::io::Result<()>;

    /// Makes everything written so far durable (for a file: `fsync`), when the writer was built
    /// with [`EventFileOptions::fsync`]. The default does nothing.
    fn sync(&mut self) -> std::io::Result<()> {
        Ok(())
    }

    /// Checks, before each write, that the output is still where readers look for it; an `Err`
    /// (e.g. the file was deleted) stops the writer. The default checks nothing.
    fn check(&mut self) -> std::io::Result<()> {
        Ok(())
    }

    /// Called once when the writer closes (or is dropped), after its last write and flush: a
    /// sink that holds data back (the `remote` feature's object-store segments) delivers it
    /// here, in a time it bounds itself. An `Err` becomes the writer's sticky error, which
    /// `close()` returns and a drop prints. The default holds nothing back.
    fn finish(&mut self) -> std::io::Result<()> {
        Ok(())
    }

    /// Events written to this sink that it did not store after all (see
    /// [`finish`](Self::finish)); taken off the `written` count of the writer's error. The
    /// default loses nothing.
    fn events_lost(&self) -> u64 {
        0
    }
}

impl EventSink for File {
    fn truncate_to(&mut self, len: u64) -> std::io::Result<()> {
        self.set_len(len)?;
        std::io::Seek::seek(self, std::io::SeekFrom::Start(len)).map(|_| ())
    }

    fn sync(&mut self) -> std::io::Result<()> {
        self.sync_data()
    }
}

/// A file that also knows its path, so that a deleted or replaced event file (or log
/// directory) is noticed instead of silently swallowing events.
struct FileSink {
    file: File,
    path: PathBuf,
    identity: Option<FileIdentity>,
}

#[derive(PartialEq, Eq)]
struct FileIdentity(u64, u64);

impl FileIdentity {
    #[cfg(unix)]
    fn of(meta: &std::fs::Metadata) -> Option<Self> {
        use std::os::unix::fs::MetadataExt;
        Some(FileIdentity(meta.dev(), meta.ino()))
    }

    #[cfg(not(unix))]
    fn of(_meta: &std::fs::Metadata) -> Option<Self> {
        None
    }
}

impl FileSink {
    fn new(file: File, path: PathBuf) -> Self {
        let identity = file.metadata().ok().and_then(|m| FileIdentity::of(&m));
        FileSink {
            file,
            path,
            identity,
        }
    }
}

impl Write for FileSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl EventSink for FileSink {
    fn truncate_to(&mut self, len: u64) -> std::io::Result<()> {
        self.file.truncate_to(len)
    }

    fn sync(&mut self) -> std::io::Result<()> {
        self.file.sync_data()
    }

    fn check(&mut self) -> std::io::Result<()> {
        let meta = std::fs::metadata(&self.path).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("the event file (or its log directory) was deleted or moved: {e}"),
            )
        })?;
        if self.identity.is_some() && FileIdentity::of(&meta) != self.identity {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "the event file was replaced by another file",
            ));
        }
        Ok(())
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
    fn validate(&self) -> Result<Duration> {
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

enum Item {
    /// Framed records, ready to write, and how many events they hold.
    Records(Vec<u8>, u64),
    Deferred(DeferredEvent),
}

/// The first failure, kept for every later call.
struct Failure {
    kind: std::io::ErrorKind,
    message: String,
}

#[derive(Default)]
struct State {
    queue: Vec<Item>,
    queued_events: usize,
    queued_bytes: usize,
    /// Events accepted since the file was opened.
    enqueued: u64,
    /// Events the writer thread is done with: written, or lost to a failure.
    handled: u64,
    /// Events whose records are complete in the file.
    written: u64,
    /// `handled` as it was at the last successful sync.
    synced: u64,
    /// The first failure; sticky.
    failure: Option<Failure>,
    /// A sink error the sink recovers from (an object store outage), reported once.
    transient: Option<Failure>,
    closed: bool,
    /// The writer thread has ended (closed, or died).
    finished: bool,
    writer_sleeping: bool,
    flush_wanted: bool,
    sync_wanted: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the writer thread.
    work: Condvar,
    /// Wakes callers waiting for queue space or for a flush.
    progress: Condvar,
    max_queue: usize,
    fsync: bool,
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

    fn wait<'a>(&self, state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.progress
            .wait(state)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The sticky error, if a failure happened.
    fn sticky(&self, state: &State) -> Result<()> {
        match &state.failure {
            Some(failure) => Err(Error::Writer {
                path: self.path.clone(),
                accepted: state.enqueued,
                written: state.written,
                source: std::io::Error::new(failure.kind, failure.message.clone()),
            }),
            None => Ok(()),
        }
    }

    fn fail(&self, kind: std::io::ErrorKind, message: String) {
        let mut state = self.lock();
        if state.failure.is_none() {
            state.failure = Some(Failure { kind, message });
        }
        self.progress.notify_all();
    }
}

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
        if log_dir.as_os_str().is_empty() {
            return Err(Error::invalid(
                "log_dir",
                "is empty; give a directory such as \"runs/exp1\" (use \".\" for the current one)",
            ));
        }
        if log_dir.is_file() {
            return Err(Error::invalid(
                "log_dir",
                format!(
                    "`{}` is a file, not a directory; choose another log directory",
                    log_dir.display()
                ),
            ));
        }
        let created_dir = !log_dir.exists();
        std::fs::create_dir_all(log_dir)
            .map_err(|e| Error::io("cannot create log directory", log_dir, e))?;
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
        guarded(|| file.write_all(&header))
            .map_err(|e| Error::io("cannot write event file header", &path, e))?;

        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            progress: Condvar::new(),
            max_queue: options.max_queue,
            fsync: options.fsync,
            path: path.clone(),
        });
        let thread_shared = Arc::clone(&shared);
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
            Some(failure) => Err(Error::Writer {
                path: shared.path.clone(),
                accepted: state.enqueued,
                written: state.written,
                source: std::io::Error::new(failure.kind, failure.message),
            }),
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

/// Opens a new file `events.out.tfevents.<secs>.<host>.<pid>.<counter><suffix>`, taking the
/// next counter while a name is taken.
fn create_unique(log_dir: &Path, suffix: &str) -> Result<(File, PathBuf)> {
    let secs = now_secs() as u64;
    let (host, pid) = (hostname(), std::process::id());
    let mut attempt = 0;
    loop {
        let name = format!(
            "events.out.tfevents.{secs:010}.{host}.{pid}.{}{suffix}",
            FILE_COUNTER.fetch_add(1, Ordering::Relaxed),
        );
        let path = log_dir.join(name);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((file, path)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < NAME_ATTEMPTS => {
                attempt += 1;
            }
            Err(e) => return Err(Error::io("cannot create event file", &path, e)),
        }
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

/// Runs a sink call, turning a panic into an error so that one bad sink cannot take the writer
/// thread (and every caller waiting on it) down.
fn guarded<T>(f: impl FnOnce() -> std::io::Result<T>) -> std::io::Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(panic) => Err(std::io::Error::other(format!(
            "the event sink panicked: {}",
            panic_message(&panic)
        ))),
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".into()
    }
}

/// Writes `buf`, returning on error how many bytes the sink accepted before it failed.
fn write_counted(sink: &mut dyn EventSink, buf: &[u8]) -> Result<(), (usize, std::io::Error)> {
    let mut done = 0;
    while done < buf.len() {
        match guarded(|| sink.write(&buf[done..])) {
            Ok(0) => {
                return Err((
                    done,
                    std::io::Error::new(std::io::ErrorKind::WriteZero, "the sink took no bytes"),
                ))
            }
            Ok(n) => done += n.min(buf.len() - done),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err((done, e)),
        }
    }
    Ok(())
}

/// The bytes and the number of records of `buf` (framed records) that lie wholly within its
/// first `accepted` bytes.
fn complete_prefix(buf: &[u8], accepted: usize) -> (usize, u64) {
    let (mut pos, mut count) = (0usize, 0u64);
    while let Some(len_bytes) = buf.get(pos..pos + 8) {
        let mut len = [0u8; 8];
        len.copy_from_slice(len_bytes);
        let end = usize::try_from(u64::from_le_bytes(len))
            .ok()
            .and_then(|len| {
                pos.checked_add(crate::record::HEADER_LEN + crate::record::FOOTER_LEN)?
                    .checked_add(len)
            });
        match end {
            Some(end) if end <= accepted => {
                pos = end;
                count += 1;
            }
            _ => break,
        }
    }
    (pos, count)
}

/// Marks the thread finished when it ends, however it ends, so that no caller waits forever
/// for a thread that is gone.
struct FinishGuard<'a>(&'a Shared);

impl Drop for FinishGuard<'_> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.finished = true;
        if std::thread::panicking() && state.failure.is_none() {
            state.failure = Some(Failure {
                kind: std::io::ErrorKind::Other,
                message: "the writer thread panicked".into(),
            });
        }
        self.0.progress.notify_all();
    }
}

/// The writer thread's own view of the file.
struct Output {
    sink: Box<dyn EventSink>,
    /// Bytes of complete records in the file.
    good_len: u64,
    /// Set after the first failure: nothing more is written.
    dead: bool,
}

impl Output {
    /// Writes framed records; returns how many of `events` reached the file whole and are not
    /// yet counted in `State::written`.
    fn write(&mut self, shared: &Shared, buf: &[u8], events: u64) -> u64 {
        if self.dead {
            return 0;
        }
        match write_counted(self.sink.as_mut(), buf) {
            Ok(()) => {
                self.good_len += buf.len() as u64;
                events
            }
            Err((accepted, e)) => {
                // Keep every complete record that reached the file; cut only the partial one,
                // so the file stays readable and its length is a record boundary.
                let (keep, kept) = complete_prefix(buf, accepted);
                let good = self.good_len + keep as u64;
                let mut message = e.to_string();
                if keep < accepted {
                    if let Err(cut) = guarded(|| self.sink.truncate_to(good)) {
                        message =
                            format!("{message} (and cutting the partial record off failed: {cut})");
                    }
                }
                self.good_len = good;
                // Counted before the failure is published, so that whoever sees the error
                // sees the right count.
                shared.lock().written += kept;
                self.fail(shared, e.kind(), message);
                0
            }
        }
    }

    fn fail(&mut self, shared: &Shared, kind: std::io::ErrorKind, message: String) {
        self.dead = true;
        shared.fail(kind, message);
    }
}

fn writer_loop(shared: &Shared, sink: Box<dyn EventSink>, good_len: u64, interval: Duration) {
    let _finish = FinishGuard(shared);
    let mut out = Output {
        sink,
        good_len,
        dead: false,
    };
    let mut spare: Vec<Item> = Vec::new();
    let mut scratch = Vec::new();
    loop {
        let (items, count, closing, sync) = {
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
            let sync = std::mem::take(&mut state.sync_wanted);
            std::mem::swap(&mut state.queue, &mut spare);
            let count = state.queued_events as u64;
            state.queued_events = 0;
            state.queued_bytes = 0;
            // Callers blocked on a full queue may go on while we write.
            shared.progress.notify_all();
            (std::mem::take(&mut spare), count, state.closed, sync)
        };
        if !items.is_empty() && !out.dead {
            if let Err(e) = guarded(|| out.sink.check()) {
                out.fail(shared, e.kind(), e.to_string());
            }
        }
        for item in items {
            if out.dead {
                break;
            }
            let written = match item {
                Item::Records(buf, events) => out.write(shared, &buf, events),
                Item::Deferred(job) => {
                    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)) {
                        Ok(Ok(event)) => {
                            scratch.clear();
                            frame_into(&mut scratch, &event);
                            out.write(shared, &scratch, 1)
                        }
                        Ok(Err(e)) => {
                            out.fail(
                                shared,
                                std::io::ErrorKind::Other,
                                format!("a deferred event could not be built: {e}"),
                            );
                            0
                        }
                        Err(panic) => {
                            out.fail(
                                shared,
                                std::io::ErrorKind::Other,
                                format!("a deferred event job panicked: {}", panic_message(&panic)),
                            );
                            0
                        }
                    }
                }
            };
            if written > 0 {
                shared.lock().written += written;
            }
        }
        if !out.dead {
            // A file's flush is a no-op; a segmenting sink (the `remote` feature) uploads the
            // batch as one object here. Its errors are not fatal: it keeps the segment in a
            // bounded buffer and retries, so the error is reported once and writing goes on.
            if let Err(e) = guarded(|| out.sink.flush()) {
                shared.lock().transient = Some(Failure {
                    kind: e.kind(),
                    message: e.to_string(),
                });
            }
        }
        let synced = sync && !out.dead && {
            match guarded(|| out.sink.sync()) {
                Ok(()) => true,
                Err(e) => {
                    out.fail(shared, e.kind(), format!("fsync failed: {e}"));
                    false
                }
            }
        };
        let mut state = shared.lock();
        state.handled += count;
        if synced {
            state.synced = state.handled;
        }
        shared.progress.notify_all();
        if closing && state.queue.is_empty() {
            drop(state);
            finish(shared, &mut out);
            return;
        }
    }
}

/// The sink's last word at close: what it still held goes out, or its loss becomes the sticky
/// error.
fn finish(shared: &Shared, out: &mut Output) {
    if let Err(e) = guarded(|| out.sink.finish()) {
        let lost = out.sink.events_lost();
        {
            let mut state = shared.lock();
            state.written = state.written.saturating_sub(lost);
        }
        out.fail(shared, e.kind(), e.to_string());
    }
}
