//! The segmenting sink: every flush of the writer thread becomes one immutable object.

use std::collections::VecDeque;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use object_store::path::Path as ObjectPath;
use object_store::ObjectStore;

use super::upload::put_object;
use super::RemoteOptions;
use crate::event_writer::{append_file_version, hostname, now_secs, EventSink};
use crate::record::complete_records;

/// Makes base names unique among the writers of one process.
static SINK_COUNTER: AtomicU64 = AtomicU64::new(0);

/// What the segment writers of one [`RemoteLogDir`](super::RemoteLogDir) have done so far.
#[derive(Debug, Default)]
pub struct UploadStats {
    bytes_logged: AtomicU64,
    bytes_uploaded: AtomicU64,
    segments_uploaded: AtomicU64,
    multipart_uploads: AtomicU64,
    failed_uploads: AtomicU64,
    events_lost: AtomicU64,
    bytes_lost: AtomicU64,
}

impl UploadStats {
    /// Bytes of event records the writers produced (file headers included).
    pub fn bytes_logged(&self) -> u64 {
        self.bytes_logged.load(Ordering::Relaxed)
    }
    /// Bytes of segment objects uploaded: the logged bytes plus one file-version record per
    /// segment. Divided by [`bytes_logged`](Self::bytes_logged) this stays close to 1.
    pub fn bytes_uploaded(&self) -> u64 {
        self.bytes_uploaded.load(Ordering::Relaxed)
    }
    /// Segment objects uploaded.
    pub fn segments_uploaded(&self) -> u64 {
        self.segments_uploaded.load(Ordering::Relaxed)
    }
    /// Of those, how many went up as multipart uploads.
    pub fn multipart_uploads(&self) -> u64 {
        self.multipart_uploads.load(Ordering::Relaxed)
    }
    /// Upload attempts that failed (each is retried at the next flush while the buffer lasts).
    pub fn failed_uploads(&self) -> u64 {
        self.failed_uploads.load(Ordering::Relaxed)
    }
    /// Events that were logged but never stored: dropped because the buffer of unsent
    /// segments was full, or still held when a writer closed (or was dropped) and the store
    /// did not take them within [`RemoteOptions::close_timeout`](super::RemoteOptions::close_timeout).
    pub fn events_lost(&self) -> u64 {
        self.events_lost.load(Ordering::Relaxed)
    }
    /// Bytes of those events.
    pub fn bytes_lost(&self) -> u64 {
        self.bytes_lost.load(Ordering::Relaxed)
    }
}

struct Segment {
    name: ObjectPath,
    bytes: Bytes,
    events: u64,
}

/// An [`EventSink`] that turns each flush into a segment object `<base>.<seq><suffix>`.
pub(super) struct SegmentSink {
    store: Arc<dyn ObjectStore>,
    dir: ObjectPath,
    base: String,
    suffix: String,
    options: RemoteOptions,
    stats: Arc<UploadStats>,
    /// Built on the writer thread at its first upload, so no runtime is ever created or dropped
    /// on a caller's thread (which may be inside its own async runtime).
    runtime: Option<tokio::runtime::Runtime>,
    /// Bytes the writer has handed over so far: its idea of the file's length.
    logged: u64,
    /// Records of the segment being filled.
    current: Vec<u8>,
    current_events: u64,
    next_seq: u64,
    /// Sealed segments not yet uploaded, oldest first.
    pending: VecDeque<Segment>,
    pending_bytes: usize,
    /// Events and bytes dropped since uploads last succeeded. Every error message of the outage
    /// repeats the running total (the writer keeps only its latest message), and the first
    /// flush after recovery reports the final one.
    outage_loss: (u64, u64),
    /// Events and bytes of this writer that were never stored, over its whole life: `finish`
    /// (at close) is an `Err` when this is not zero.
    lost: (u64, u64),
    /// The store's answer to the last upload that failed, for the message at close.
    last_failure: Option<String>,
}

/// How many complete records `buf` holds (the writer hands over whole records).
fn count_records(buf: &[u8]) -> u64 {
    complete_records(buf, buf.len()).1
}

/// First pause between two tries of the held segments at close; doubles up to
/// [`MAX_CLOSE_BACKOFF`].
const FIRST_CLOSE_BACKOFF: Duration = Duration::from_millis(200);
const MAX_CLOSE_BACKOFF: Duration = Duration::from_secs(2);

impl SegmentSink {
    pub(super) fn new(
        store: Arc<dyn ObjectStore>,
        dir: ObjectPath,
        suffix: &str,
        options: RemoteOptions,
        stats: Arc<UploadStats>,
    ) -> crate::Result<Self> {
        // Host, pid and a per-process counter make the name unique; the random part covers
        // containers that share a host name and reuse pids.
        let nonce = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish() as u32;
        let base = format!(
            "events.out.tfevents.{:010}.{}.{}.{nonce:08x}{}",
            now_secs() as u64,
            hostname(),
            std::process::id(),
            SINK_COUNTER.fetch_add(1, Ordering::Relaxed),
        );
        if suffix.contains('/') {
            return Err(crate::Error::UnsafePath {
                name: suffix.to_string(),
                reason: "a `/` in a file-name suffix would put segments outside their run",
            });
        }
        Ok(SegmentSink {
            store,
            dir,
            base,
            suffix: suffix.to_string(),
            options,
            stats,
            runtime: None,
            logged: 0,
            current: Vec::new(),
            current_events: 0,
            next_seq: 0,
            pending: VecDeque::new(),
            pending_bytes: 0,
            outage_loss: (0, 0),
            lost: (0, 0),
            last_failure: None,
        })
    }

    /// `<url>/<sub>/<base>.*`, how error messages name this writer's objects.
    pub(super) fn display_name(&self, url: &str, sub: &str) -> String {
        let sub = sub.trim_matches('/');
        if sub.is_empty() || sub == "." {
            format!("{url}/{}.*{}", self.base, self.suffix)
        } else {
            format!("{url}/{sub}/{}.*{}", self.base, self.suffix)
        }
    }

    fn segment_name(&mut self) -> ObjectPath {
        let seq = self.next_seq;
        self.next_seq += 1;
        // Eight digits sort correctly for 10^8 segments: three years at one per second.
        self.dir
            .clone()
            .join(format!("{}.{seq:08}{}", self.base, self.suffix))
    }

    /// Moves the records gathered so far into a segment of their own, or drops them (counting
    /// the loss) when the buffer of unsent segments is full.
    fn seal(&mut self) {
        if self.current.is_empty() {
            return;
        }
        let records = std::mem::take(&mut self.current);
        let events = std::mem::take(&mut self.current_events);
        let fits = self.pending.is_empty()
            || self.pending_bytes + records.len() <= self.options.max_buffered_bytes;
        if !fits {
            self.outage_loss.0 += events;
            self.outage_loss.1 += records.len() as u64;
            self.count_lost(events, records.len());
            return;
        }
        // Every segment is a complete event file: TensorBoard checks the first record.
        let mut bytes = Vec::with_capacity(records.len() + 64);
        append_file_version(&mut bytes, 0);
        bytes.extend_from_slice(&records);
        let name = self.segment_name();
        self.pending_bytes += bytes.len();
        self.pending.push_back(Segment {
            name,
            bytes: Bytes::from(bytes),
            events,
        });
    }

    fn count_lost(&mut self, events: u64, bytes: usize) {
        self.lost.0 += events;
        self.lost.1 += bytes as u64;
        self.stats.events_lost.fetch_add(events, Ordering::Relaxed);
        self.stats
            .bytes_lost
            .fetch_add(bytes as u64, Ordering::Relaxed);
    }

    fn record_upload(&self, segment: &Segment) {
        self.stats
            .bytes_uploaded
            .fetch_add(segment.bytes.len() as u64, Ordering::Relaxed);
        self.stats.segments_uploaded.fetch_add(1, Ordering::Relaxed);
        if segment.bytes.len() >= self.options.multipart_bytes {
            self.stats.multipart_uploads.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Uploads the first segment (the writer's header) from a thread of its own, so that the
    /// caller learns about wrong credentials now.
    fn upload_first(&mut self, header: &[u8]) -> io::Result<()> {
        let name = self.segment_name();
        let store = self.store.as_ref();
        let bytes = Bytes::copy_from_slice(header);
        let limit = self.options.retry_timeout;
        let put = put_object(store, &name, bytes.clone(), usize::MAX, limit);
        super::runtime::block_on_own_thread(put)?.map_err(|e| {
            io::Error::other(format!(
                "cannot upload the first segment `{name}` to {store}: {e}; check the \
                 credentials (AWS_ACCESS_KEY_ID / GOOGLE_APPLICATION_CREDENTIALS / \
                 AZURE_STORAGE_*), the endpoint and that the bucket exists"
            ))
        })?;
        let segment = Segment {
            name,
            bytes,
            events: count_records(header),
        };
        self.record_upload(&segment);
        Ok(())
    }

    /// Uploads the sealed segments in order, each within [`RemoteOptions::retry_timeout`] or
    /// by `deadline`, whichever comes first; stops at the first failure, keeping the rest.
    fn upload_pending(&mut self, deadline: Option<Instant>) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        if self.runtime.is_none() {
            self.runtime = Some(super::runtime::build()?);
        }
        while let Some(segment) = self.pending.front() {
            let mut limit = self.options.retry_timeout;
            if let Some(deadline) = deadline {
                limit = limit.min(deadline.saturating_duration_since(Instant::now()));
            }
            let outcome = match &self.runtime {
                Some(runtime) => runtime.block_on(put_object(
                    self.store.as_ref(),
                    &segment.name,
                    segment.bytes.clone(),
                    self.options.multipart_bytes,
                    limit,
                )),
                None => return Err(io::Error::other("no async runtime for uploads")),
            };
            match outcome {
                Ok(()) => {
                    self.record_upload(segment);
                    self.pending_bytes -= segment.bytes.len();
                    self.pending.pop_front();
                }
                Err(e) => {
                    self.stats.failed_uploads.fetch_add(1, Ordering::Relaxed);
                    self.last_failure = Some(e.to_string());
                    let held: u64 = self.pending.iter().map(|s| s.events).sum();
                    let name = segment.name.to_string();
                    let loss = self.loss_note(false);
                    return Err(io::Error::other(format!(
                        "cannot upload segment `{}` to {}: {e}; {} segments ({held} events, {} \
                         bytes) are held and retried at every flush, up to {} bytes{}",
                        name,
                        self.store,
                        self.pending.len(),
                        self.pending_bytes,
                        self.options.max_buffered_bytes,
                        loss,
                    )));
                }
            }
        }
        Ok(())
    }

    /// The running loss of this outage, for error messages; `done` resets it (uploads work
    /// again).
    fn loss_note(&mut self, done: bool) -> String {
        let (events, bytes) = self.outage_loss;
        if done {
            self.outage_loss = (0, 0);
        }
        if events == 0 && bytes == 0 {
            String::new()
        } else {
            format!(
                "; {events} events ({bytes} bytes) were LOST in this outage because the upload \
                 buffer was full"
            )
        }
    }
}

impl Write for SegmentSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.logged == 0 && self.next_seq == 0 {
            // The writer's header (file version, maybe a purge marker): segment 0, at once.
            self.upload_first(buf)?;
        } else {
            self.current.extend_from_slice(buf);
            self.current_events += count_records(buf);
        }
        self.logged += buf.len() as u64;
        self.stats
            .bytes_logged
            .fetch_add(buf.len() as u64, Ordering::Relaxed);
        if self.current.len() >= self.options.segment_bytes {
            self.seal();
        }
        Ok(buf.len())
    }

    /// The writer thread calls this after each batch: the batch becomes a segment.
    fn flush(&mut self) -> io::Result<()> {
        self.seal();
        self.upload_pending(None)?;
        let loss = self.loss_note(true);
        if loss.is_empty() {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "uploads to {} resumed{loss}",
                self.store
            )))
        }
    }
}

impl EventSink for SegmentSink {
    fn truncate_to(&mut self, len: u64) -> io::Result<()> {
        let cut = self.logged.saturating_sub(len);
        let cut = usize::try_from(cut).unwrap_or(usize::MAX);
        if cut > self.current.len() {
            return Err(io::Error::other(
                "cannot cut bytes that are already part of a sealed segment",
            ));
        }
        self.current.truncate(self.current.len() - cut);
        self.current_events = count_records(&self.current);
        self.logged = len;
        Ok(())
    }

    /// Tries the held segments again until they are all stored or
    /// [`RemoteOptions::close_timeout`] has passed, pausing between tries; what is still held
    /// then is counted lost. `Err` when any event of this writer was never stored.
    fn finish(&mut self) -> io::Result<()> {
        self.seal();
        let deadline = Instant::now() + self.options.close_timeout;
        let mut pause = FIRST_CLOSE_BACKOFF;
        while !self.pending.is_empty() {
            // Its error is in `last_failure`; the loop's end decides what is reported.
            let _ = self.upload_pending(Some(deadline));
            let left = deadline.saturating_duration_since(Instant::now());
            if self.pending.is_empty() || left.is_zero() {
                break;
            }
            std::thread::sleep(pause.min(left));
            pause = (pause * 2).min(MAX_CLOSE_BACKOFF);
            if Instant::now() >= deadline {
                break;
            }
        }
        let held_events: u64 = self.pending.iter().map(|s| s.events).sum();
        let held = (held_events, self.pending.len(), self.pending_bytes);
        if held.1 > 0 {
            self.count_lost(held.0, held.2);
            self.pending.clear();
            self.pending_bytes = 0;
        }
        let (events, bytes) = self.lost;
        if events == 0 && bytes == 0 {
            return Ok(());
        }
        let mut message = format!(
            "{events} events ({bytes} bytes) of this writer were never stored in {}",
            self.store
        );
        if held.1 > 0 {
            message.push_str(&format!(
                ": at close {} segments ({} events) were still held and the store did not take \
                 them within close_timeout ({:?})",
                held.1, held.0, self.options.close_timeout
            ));
        }
        if held.1 > 0 {
            if let Some(e) = &self.last_failure {
                message.push_str(&format!("; the last upload failed with: {e}"));
            }
        }
        if held.0 < events {
            message.push_str(&format!(
                "; {} of them were dropped earlier because the upload buffer \
                 (max_buffered_bytes) was full",
                events - held.0
            ));
        }
        Err(io::Error::other(message))
    }

    fn events_lost(&self) -> u64 {
        self.lost.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::append_record;

    #[test]
    fn counts_whole_records_only() {
        let mut buf = Vec::new();
        append_record(&mut buf, b"abc");
        append_record(&mut buf, b"");
        assert_eq!(count_records(&buf), 2);
        let cut = buf.len() - 1;
        assert_eq!(count_records(&buf[..cut]), 1);
        assert_eq!(count_records(&[]), 0);
    }

    #[test]
    fn a_suffix_with_a_slash_is_an_unsafe_path() {
        let store: Arc<dyn ObjectStore> = Arc::new(object_store::memory::InMemory::new());
        let sink = SegmentSink::new(
            store,
            ObjectPath::from("run"),
            "/../x",
            RemoteOptions::default(),
            Arc::default(),
        );
        assert!(matches!(
            sink.err(),
            Some(crate::Error::UnsafePath { name, .. }) if name == "/../x"
        ));
    }
}
