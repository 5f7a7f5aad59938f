//! Log directories as URLs: `s3://bucket/prefix`, `gs://bucket/prefix`, `az://container/prefix`,
//! `file:///abs/path` and plain paths, written and read through Apache Arrow's `object_store`
//! (feature `remote`).
//!
//! Object stores cannot append, and the Python writers re-upload the whole event file on every
//! flush, so their upload cost grows with the square of the log. Here every flush of the writer
//! thread becomes its own *segment* object instead: a complete event file (file-version record
//! first) named `<base>.<seq>` so that the segments of one writer sort in write order and never
//! collide with another process's. TensorBoard reads a run's files in name order, so it sees one
//! continuous series. Large segments go up as multipart uploads.
//!
//! # When the store is down
//!
//! A segment that cannot be uploaded is held in memory (up to
//! [`RemoteOptions::max_buffered_bytes`]) and tried again at every flush; `flush()` reports the
//! outage. At `close()`, and when the last handle is dropped, the held segments are tried
//! again, with pauses, for at most [`RemoteOptions::close_timeout`] (each try also at most
//! [`RemoteOptions::retry_timeout`]): the last flush's own try comes first, so `close()` returns
//! within about `retry_timeout + close_timeout` (plus [`ABORT_TIMEOUT`] when a multipart upload
//! has to be aborted) for each event file of the run (`SummaryWriter::close` closes the main file
//! and then each `add_scalars` sub-run in turn). Whatever is still held then is lost: `close()` returns the sticky
//! [`Error::Writer`], whose `accepted - written` is the number of events lost and whose message
//! says why, a drop prints that error to stderr, and [`UploadStats::events_lost`] counts every
//! event that was never stored. `close()` is never `Ok` when any event of the writer was lost.
//!
//! # Incomplete multipart uploads
//!
//! A multipart upload that fails or runs out of time is aborted at once. A process that is
//! killed in the middle of one cannot abort it, and S3 keeps (and bills) its parts until they
//! are aborted: [`RemoteLogDir::abort_stale_uploads`] (or [`RemoteOptions::abort_stale_uploads`],
//! which runs it whenever a writer starts) lists and aborts the ones under the log directory.
//! Set a lifecycle rule on the bucket as well, which also covers prefixes no writer starts on
//! again:
//!
//! ```json
//! {"Rules": [{"ID": "abort-incomplete-uploads", "Status": "Enabled", "Filter": {"Prefix": ""},
//!   "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]}
//! ```
//!
//! (`aws s3api put-bucket-lifecycle-configuration --bucket B --lifecycle-configuration
//! file://rule.json`). Listing uses S3's `ListMultipartUploads`, which `object_store` does not
//! expose, through a presigned request; on `gs://` and `az://` directories it is an `Err`
//! (set the store's own lifecycle rule there: GCS's `AbortIncompleteMultipartUpload` action;
//! Azure discards uncommitted blocks after seven days by itself).
//!
//! Credentials, endpoints, retries and back-off are `object_store`'s: `AWS_*` variables for S3
//! (plus TensorBoard's `S3_ENDPOINT` when `AWS_ENDPOINT` is unset), `GOOGLE_*` for GCS,
//! `AZURE_*` for Azure.
//!
//! ```no_run
//! # fn main() -> tfevents::Result<()> {
//! let writer = tfevents::SummaryWriter::builder()
//!     .log_dir_url("s3://my-bucket/runs/exp1")
//!     .build()?;
//! writer.add_scalar("loss", 0.5, 1)?;
//! writer.close()?;
//! # Ok(())
//! # }
//! ```

mod files;
mod read;
mod runtime;
mod sink;
mod stale;
mod upload;
mod url;

pub use read::RemoteRun;
pub use sink::UploadStats;
pub use stale::IncompleteUpload;
pub use upload::ABORT_TIMEOUT;

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use object_store::path::Path as ObjectPath;
use object_store::ObjectStore;

use crate::error::{Error, Result};
use crate::event_writer::{EventFileOptions, EventFileWriter};

/// Default bytes after which a segment is cut even within one flush interval.
pub const DEFAULT_SEGMENT_BYTES: usize = 32 << 20;
/// Default segment size from which a segment goes up as a multipart upload.
pub const DEFAULT_MULTIPART_BYTES: usize = 8 << 20;
/// Default bytes of sealed segments held while uploads fail; past it new segments are dropped
/// (and the loss reported).
pub const DEFAULT_MAX_BUFFERED_BYTES: usize = 256 << 20;
/// Default time `close()` (or the last drop) keeps trying to upload held segments.
pub const DEFAULT_CLOSE_TIMEOUT: Duration = Duration::from_secs(30);

/// How segments are cut, buffered and retried.
#[derive(Clone, Debug)]
pub struct RemoteOptions {
    /// A segment is cut when the writer flushes, or once it holds this many bytes.
    pub segment_bytes: usize,
    /// Segments of at least this size go up as multipart uploads (parts of 5 MiB, S3's
    /// minimum).
    pub multipart_bytes: usize,
    /// Sealed segments held in memory while the store is unreachable.
    pub max_buffered_bytes: usize,
    /// Retries of one request, with `object_store`'s exponential back-off.
    pub max_retries: usize,
    /// Total time one request may spend retrying. The writer thread waits this long at most per
    /// flush while the store is down; callers wait only once the event queue is full.
    pub retry_timeout: Duration,
    /// Time allowed for one connection attempt.
    pub connect_timeout: Duration,
    /// How long `close()` (and the drop of the last handle) keeps trying to upload the
    /// segments still held, pausing between tries, before it counts them lost and returns
    /// the `Err` (see [the module docs](self#when-the-store-is-down)).
    pub close_timeout: Duration,
    /// Opt-in: when set, every writer aborts, before it starts, the incomplete multipart
    /// uploads under its directory that were started longer ago than this (see
    /// [`RemoteLogDir::abort_stale_uploads`]). Only for S3 (`s3://`); `memory://` and `file://`
    /// have none to abort; other stores make the writer an `Err`. Give it a margin over the
    /// longest upload of a writer that may still be running on the same directory.
    pub abort_stale_uploads: Option<Duration>,
    /// `object_store` configuration keys applied over the environment's, e.g.
    /// `("aws_endpoint", "http://127.0.0.1:9000")`, `("aws_allow_http", "true")`,
    /// `("google_service_account", "/path/key.json")`.
    pub config: Vec<(String, String)>,
}

impl Default for RemoteOptions {
    fn default() -> Self {
        RemoteOptions {
            segment_bytes: DEFAULT_SEGMENT_BYTES,
            multipart_bytes: DEFAULT_MULTIPART_BYTES,
            max_buffered_bytes: DEFAULT_MAX_BUFFERED_BYTES,
            max_retries: 4,
            retry_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            close_timeout: DEFAULT_CLOSE_TIMEOUT,
            abort_stale_uploads: None,
            config: Vec::new(),
        }
    }
}

/// A log directory in an object store (or on disk, for `file://` and plain paths).
///
/// Cheap to clone; clones share the connection and the [`UploadStats`].
#[derive(Clone, Debug)]
pub struct RemoteLogDir {
    store: Arc<dyn ObjectStore>,
    /// The log directory's key prefix inside the store (no leading or trailing `/`).
    prefix: ObjectPath,
    /// The URL as given, without a trailing `/`, for names and messages.
    url: String,
    options: RemoteOptions,
    stats: Arc<UploadStats>,
    /// The S3 client itself, for what `ObjectStore` lacks (listing multipart uploads).
    s3: Option<Arc<object_store::aws::AmazonS3>>,
}

impl RemoteLogDir {
    /// Opens `url` with default [`RemoteOptions`]. Nothing is contacted yet: a writer checks the
    /// credentials when it uploads its first segment, at construction.
    pub fn open(url: &str) -> Result<Self> {
        Self::open_with(url, RemoteOptions::default())
    }

    /// Opens `url` with `options`.
    pub fn open_with(url: &str, options: RemoteOptions) -> Result<Self> {
        if options.segment_bytes == 0 || options.multipart_bytes == 0 {
            return Err(Error::invalid(
                "RemoteOptions",
                "segment_bytes and multipart_bytes must be at least 1",
            ));
        }
        let opened = url::store_for(url, &options)?;
        Ok(RemoteLogDir {
            store: opened.store,
            prefix: opened.prefix,
            url: url.trim_end_matches('/').to_string(),
            options,
            stats: Arc::new(UploadStats::default()),
            s3: opened.s3,
        })
    }

    /// The log directory's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The segment options.
    pub fn options(&self) -> &RemoteOptions {
        &self.options
    }

    /// Upload counters of every writer opened through this directory (and its clones).
    pub fn stats(&self) -> &UploadStats {
        &self.stats
    }

    /// The directory `sub` (a relative, `/`-separated run name) under this one, sharing the
    /// connection and the counters.
    pub fn join(&self, sub: &str) -> Result<Self> {
        let prefix = self.child(sub)?;
        Ok(RemoteLogDir {
            prefix,
            url: format!("{}/{}", self.url, sub.trim_matches('/')),
            ..self.clone()
        })
    }

    fn child(&self, sub: &str) -> Result<ObjectPath> {
        let mut parts: Vec<String> = self
            .prefix
            .parts()
            .map(|p| p.as_ref().to_string())
            .collect();
        for part in sub.split('/').filter(|p| !p.is_empty() && *p != ".") {
            if part == ".." {
                return Err(Error::UnsafePath {
                    name: sub.to_string(),
                    reason: "a `..` component leaves the log directory",
                });
            }
            parts.push(part.to_string());
        }
        Ok(ObjectPath::from_iter(parts))
    }

    /// A new event writer for the run `sub` ("" or "." for this directory itself): its first
    /// segment (the file-version record) is uploaded before this returns, so wrong credentials or
    /// a missing bucket are an `Err` here.
    ///
    /// With [`RemoteOptions::abort_stale_uploads`] set, the stale multipart uploads under the
    /// run's directory are aborted first.
    pub fn event_writer(&self, sub: &str, options: EventFileOptions) -> Result<EventFileWriter> {
        let dir = self.child(sub)?;
        if let Some(older_than) = self.options.abort_stale_uploads {
            self.join(sub)?.abort_stale_uploads(older_than)?;
        }
        let sink = sink::SegmentSink::new(
            Arc::clone(&self.store),
            dir,
            &options.filename_suffix,
            self.options.clone(),
            Arc::clone(&self.stats),
        )?;
        let name = sink.display_name(&self.url, sub);
        EventFileWriter::from_sink(Box::new(sink), name, options)
    }

    /// Like [`event_writer`](Self::event_writer) for a path that [`SummaryWriter`]
    /// built by joining onto [`as_path`](Self::as_path) (its `add_scalars` sub-runs).
    ///
    /// [`SummaryWriter`]: crate::SummaryWriter
    pub fn event_writer_at(
        &self,
        dir: &FsPath,
        options: EventFileOptions,
    ) -> Result<EventFileWriter> {
        let text = dir.to_string_lossy();
        let sub = text.strip_prefix(self.url.as_str()).ok_or_else(|| {
            Error::invalid(
                "log_dir",
                format!("`{text}` is not under the log directory `{}`", self.url),
            )
        })?;
        self.event_writer(sub, options)
    }

    /// The URL as a path, for [`SummaryWriter::log_dir`](crate::SummaryWriter::log_dir) and
    /// joining sub-run names onto it.
    pub fn as_path(&self) -> PathBuf {
        PathBuf::from(&self.url)
    }
}

/// What [`SummaryWriterBuilder`](crate::SummaryWriterBuilder) was told about a remote log
/// directory.
#[derive(Clone, Debug, Default)]
pub(crate) enum BuilderTarget {
    /// Only a local `log_dir`, or nothing.
    #[default]
    None,
    /// A URL, opened at `build()`.
    Url(String),
    /// An already opened directory.
    Dir(RemoteLogDir),
}

impl BuilderTarget {
    /// The remote directory (if any) and the path `SummaryWriter::log_dir` reports.
    /// `file://` URLs and plain paths stay ordinary local directories.
    pub(crate) fn resolve(
        self,
        log_dir: Option<PathBuf>,
    ) -> Result<(Option<RemoteLogDir>, Option<PathBuf>)> {
        match self {
            BuilderTarget::None => Ok((None, log_dir)),
            BuilderTarget::Dir(dir) => {
                let path = dir.as_path();
                Ok((Some(dir), Some(path)))
            }
            BuilderTarget::Url(url) => {
                url::check_not_mistyped(&url)?;
                if let Some(path) = url.strip_prefix("file://") {
                    return Ok((None, Some(PathBuf::from(path))));
                }
                if !url.contains("://") {
                    return Ok((None, Some(PathBuf::from(url))));
                }
                let dir = RemoteLogDir::open(&url)?;
                let path = dir.as_path();
                Ok((Some(dir), Some(path)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_that_leaves_the_directory_is_an_unsafe_path() -> Result<()> {
        let dir = RemoteLogDir::open("memory://logs")?;
        assert!(dir.join("a/b").is_ok());
        for sub in ["..", "a/../../b"] {
            let err = dir.join(sub).err();
            assert!(
                matches!(&err, Some(Error::UnsafePath { name, .. }) if name == sub),
                "{sub}: {err:?}"
            );
        }
        Ok(())
    }
}
