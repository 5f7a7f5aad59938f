//! The writer thread: takes the whole queue at each wake-up, writes it with one call, and keeps
//! the file a sequence of whole records whatever fails.
//!
//! Each round is [`take_batch`] (sleep until there is work or the flush period ends, then swap
//! the queue out), [`Output::write_batch`] (check the sink, write records, run deferred jobs),
//! [`Output::flush_sink`], [`Output::sync_if`] (when a caller asked for `fsync`), and
//! [`report_round`] (publish the counts; at close, [`finish`] and stop).

use std::time::Duration;

use super::sink::{guarded, panic_message, write_counted};
use super::state::{Failure, Item, Shared};
use super::{DeferredEvent, EventSink};
use crate::record::{append_message, complete_records};

/// The thread's body: runs rounds until the writer is closed and its queue is empty.
pub(super) fn writer_loop(
    shared: &Shared,
    sink: Box<dyn EventSink>,
    good_len: u64,
    interval: Duration,
) {
    let _finish = FinishGuard(shared);
    let mut out = Output {
        sink,
        good_len,
        dead: false,
        scratch: Vec::new(),
    };
    loop {
        let batch = take_batch(shared, interval);
        out.write_batch(shared, batch.items);
        out.flush_sink(shared);
        let synced = out.sync_if(shared, batch.sync);
        if report_round(shared, batch.events, synced, batch.closing) {
            finish(shared, &mut out);
            return;
        }
    }
}

/// What one round has to do.
struct Batch {
    items: Vec<Item>,
    /// Events in `items`.
    events: u64,
    /// The writer is closing: this is the last round once the queue is empty.
    closing: bool,
    /// A caller asked for an `fsync`.
    sync: bool,
}

/// Waits for work (or the flush period), then takes the whole queue and lets callers blocked on
/// a full queue go on while it is written.
fn take_batch(shared: &Shared, interval: Duration) -> Batch {
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
    let batch = Batch {
        items: std::mem::take(&mut state.queue),
        events: state.queued_events as u64,
        closing: state.closed,
        sync: std::mem::take(&mut state.sync_wanted),
    };
    state.queued_events = 0;
    state.queued_bytes = 0;
    shared.progress.notify_all();
    batch
}

/// Counts the round's events as handled (and synced); true when the writer is closed and
/// nothing more is queued, so the thread ends.
fn report_round(shared: &Shared, events: u64, synced: bool, closing: bool) -> bool {
    let mut state = shared.lock();
    state.handled += events;
    if synced {
        state.synced = state.handled;
    }
    shared.progress.notify_all();
    closing && state.queue.is_empty()
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
    /// The record of a deferred event, reused from one job to the next.
    scratch: Vec<u8>,
}

impl Output {
    /// Writes a round's items in order, stopping at the first failure.
    fn write_batch(&mut self, shared: &Shared, items: Vec<Item>) {
        if !items.is_empty() && !self.dead {
            if let Err(e) = guarded(|| self.sink.check()) {
                self.fail(shared, e.kind(), e.to_string());
            }
        }
        for item in items {
            if self.dead {
                break;
            }
            let written = match item {
                Item::Records(buf, events) => self.write(shared, &buf, events),
                Item::Deferred(job) => self.write_deferred(shared, job),
            };
            if written > 0 {
                shared.lock().written += written;
            }
        }
    }

    /// Runs a deferred job and writes its event; a job that fails or panics stops the writer.
    fn write_deferred(&mut self, shared: &Shared, job: DeferredEvent) -> u64 {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)) {
            Ok(Ok(event)) => {
                let mut record = std::mem::take(&mut self.scratch);
                record.clear();
                append_message(&mut record, &event);
                let written = self.write(shared, &record, 1);
                self.scratch = record;
                written
            }
            Ok(Err(e)) => {
                let message = format!("a deferred event could not be built: {e}");
                self.fail(shared, std::io::ErrorKind::Other, message);
                0
            }
            Err(panic) => {
                let message = format!("a deferred event job panicked: {}", panic_message(&panic));
                self.fail(shared, std::io::ErrorKind::Other, message);
                0
            }
        }
    }

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
                let (keep, kept) = complete_records(buf, accepted);
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

    /// Flushes the sink after a round. A file's flush is a no-op; a segmenting sink (the
    /// `remote` feature) uploads the round as one object here. Its errors are not fatal: it
    /// keeps the segment in a bounded buffer and retries, so the error is reported once and
    /// writing goes on.
    fn flush_sink(&mut self, shared: &Shared) {
        if self.dead {
            return;
        }
        if let Err(e) = guarded(|| self.sink.flush()) {
            shared.lock().transient = Some(Failure {
                kind: e.kind(),
                message: e.to_string(),
            });
        }
    }

    /// Syncs the sink when `wanted`; true when it did so successfully.
    fn sync_if(&mut self, shared: &Shared, wanted: bool) -> bool {
        if !wanted || self.dead {
            return false;
        }
        match guarded(|| self.sink.sync()) {
            Ok(()) => true,
            Err(e) => {
                self.fail(shared, e.kind(), format!("fsync failed: {e}"));
                false
            }
        }
    }

    fn fail(&mut self, shared: &Shared, kind: std::io::ErrorKind, message: String) {
        self.dead = true;
        shared.fail(kind, message);
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
