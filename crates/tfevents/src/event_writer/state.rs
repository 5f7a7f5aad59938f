//! What the callers' threads and the writer thread share: the queue, the counters that
//! `flush()` and the errors report, and the two condition variables between them.

use std::path::PathBuf;
use std::sync::{Condvar, Mutex, MutexGuard};

use super::DeferredEvent;
use crate::error::{Error, Result};

/// One entry of the queue.
pub(super) enum Item {
    /// Framed records, ready to write, and how many events they hold.
    Records(Vec<u8>, u64),
    /// A job that builds its event on the writer thread.
    Deferred(DeferredEvent),
}

/// A failure, kept as its parts so that each caller gets an `io::Error` of its own.
pub(super) struct Failure {
    pub kind: std::io::ErrorKind,
    pub message: String,
}

#[derive(Default)]
pub(super) struct State {
    pub queue: Vec<Item>,
    pub queued_events: usize,
    pub queued_bytes: usize,
    /// Events accepted since the file was opened.
    pub enqueued: u64,
    /// Events the writer thread is done with: written, or lost to a failure.
    pub handled: u64,
    /// Events whose records are complete in the file.
    pub written: u64,
    /// `handled` as it was at the last successful sync.
    pub synced: u64,
    /// The first failure; sticky.
    pub failure: Option<Failure>,
    /// A sink error the sink recovers from (an object store outage), reported once.
    pub transient: Option<Failure>,
    pub closed: bool,
    /// The writer thread has ended (closed, or died).
    pub finished: bool,
    pub writer_sleeping: bool,
    pub flush_wanted: bool,
    pub sync_wanted: bool,
}

pub(super) struct Shared {
    pub state: Mutex<State>,
    /// Wakes the writer thread.
    pub work: Condvar,
    /// Wakes callers waiting for queue space or for a flush.
    pub progress: Condvar,
    pub max_queue: usize,
    pub fsync: bool,
    pub path: PathBuf,
}

impl Shared {
    pub fn new(max_queue: usize, fsync: bool, path: PathBuf) -> Self {
        Shared {
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            progress: Condvar::new(),
            max_queue,
            fsync,
            path,
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave `State` half-updated in a way that
        // matters (every field is a plain counter or queue), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits for the writer thread's next progress.
    pub fn wait<'a>(&self, state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.progress
            .wait(state)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The sticky error, if a failure happened.
    pub fn sticky(&self, state: &State) -> Result<()> {
        match &state.failure {
            Some(failure) => Err(self.error(state, failure)),
            None => Ok(()),
        }
    }

    /// `failure` as the error callers see, with the counts as they are now.
    pub fn error(&self, state: &State, failure: &Failure) -> Error {
        Error::Writer {
            path: self.path.clone(),
            accepted: state.enqueued,
            written: state.written,
            source: std::io::Error::new(failure.kind, failure.message.clone()),
        }
    }

    /// Records the first failure (later ones are dropped) and wakes every waiting caller.
    pub fn fail(&self, kind: std::io::ErrorKind, message: String) {
        let mut state = self.lock();
        if state.failure.is_none() {
            state.failure = Some(Failure { kind, message });
        }
        self.progress.notify_all();
    }
}
