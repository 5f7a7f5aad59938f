//! Whole files in a remote log directory, for what is not an event stream (the projector's
//! `tensors.tsv`, `metadata.tsv`, `sprite.png` and `projector_config.pbtxt`).

use std::path::PathBuf;
use std::sync::Mutex;

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{MultipartUpload, ObjectStoreExt, PutPayload};

use super::upload::{abort, put_object, within, PART_BYTES};
use super::RemoteLogDir;
use crate::error::{Error, Result};

/// Serialises the read-append-write of a file within this process (object stores cannot
/// append).
static APPEND_LOCK: Mutex<()> = Mutex::new(());

impl RemoteLogDir {
    /// The object `rel` (a relative, `/`-separated path) names under this directory. Each
    /// part is taken as it is (no percent-encoding), so the key is the one readers look for;
    /// `.`, `..`, empty parts and control characters are an `Err`.
    fn file_path(&self, rel: &str) -> Result<ObjectPath> {
        let full = if self.prefix.as_ref().is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", self.prefix)
        };
        ObjectPath::parse(&full).map_err(|e| {
            Error::invalid(
                "path",
                format!(
                    "`{rel}` cannot name a file under `{}`: {e}; names (an embedding's tag \
                     included) must not be `.`/`..` or hold control characters",
                    self.url
                ),
            )
        })
    }

    /// The URL of `rel`, for messages.
    pub(crate) fn file_url(&self, rel: &str) -> PathBuf {
        PathBuf::from(format!("{}/{rel}", self.url))
    }

    fn file_error(&self, action: &'static str, rel: &str, e: impl std::fmt::Display) -> Error {
        Error::io(
            action,
            self.file_url(rel),
            std::io::Error::other(e.to_string()),
        )
    }

    /// Runs `future` on a thread of its own (see [`super::runtime::block_on_own_thread`]),
    /// naming `rel` in any error.
    fn on_own_thread<T: Send, E: std::fmt::Display + Send>(
        &self,
        action: &'static str,
        rel: &str,
        future: impl std::future::Future<Output = std::result::Result<T, E>> + Send,
    ) -> Result<T> {
        super::runtime::block_on_own_thread(future)
            .map_err(|e| self.file_error(action, rel, e))?
            .map_err(|e| self.file_error(action, rel, e))
    }

    /// The contents of the file `rel` (a relative, `/`-separated path) in this directory, e.g.
    /// `projector_config.pbtxt` or an embedding's `tensors.tsv`.
    pub fn read_file(&self, rel: &str) -> Result<Vec<u8>> {
        let path = self.file_path(rel)?;
        let store = &self.store;
        self.on_own_thread("cannot read", rel, async {
            Ok::<_, object_store::Error>(store.get(&path).await?.bytes().await?.to_vec())
        })
    }

    /// Whether any object lies under the directory `rel`.
    pub(crate) fn has_files_under(&self, rel: &str) -> Result<bool> {
        let dir = self.file_path(rel)?;
        let store = &self.store;
        self.on_own_thread("cannot list", rel, async {
            store.list(Some(&dir)).try_next().await.map(|o| o.is_some())
        })
    }

    /// Writes the file `rel` whole.
    pub(crate) fn put_file(&self, rel: &str, bytes: Vec<u8>) -> Result<()> {
        let path = self.file_path(rel)?;
        let (store, options) = (self.store.as_ref(), &self.options);
        let put = put_object(
            store,
            &path,
            Bytes::from(bytes),
            options.multipart_bytes,
            options.retry_timeout,
        );
        self.on_own_thread("cannot upload", rel, put)
    }

    /// Deletes every object under the directory `rel`, best effort.
    pub(crate) fn delete_under(&self, rel: &str) -> Result<()> {
        let dir = self.file_path(rel)?;
        let store = &self.store;
        self.on_own_thread("cannot delete", rel, async {
            let names: Vec<ObjectPath> = store
                .list(Some(&dir))
                .map_ok(|meta| meta.location)
                .try_collect()
                .await?;
            for name in names {
                store.delete(&name).await?;
            }
            Ok::<_, object_store::Error>(())
        })
    }

    /// Appends `text` to the file `rel` (created if missing) by reading it, adding `text` and
    /// writing it back: serialised within the process, but two processes appending to the
    /// same object at the same moment can lose one of the additions.
    pub(crate) fn append_file(&self, rel: &str, text: &str) -> Result<()> {
        let path = self.file_path(rel)?;
        let _guard = APPEND_LOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (store, options) = (self.store.as_ref(), &self.options);
        self.on_own_thread("cannot append to", rel, async {
            let mut content = match store.get(&path).await {
                Ok(found) => found.bytes().await?.to_vec(),
                Err(object_store::Error::NotFound { .. }) => Vec::new(),
                Err(e) => return Err(e),
            };
            content.extend_from_slice(text.as_bytes());
            put_object(
                store,
                &path,
                Bytes::from(content),
                options.multipart_bytes,
                options.retry_timeout,
            )
            .await
        })
    }

    /// Uploads the file `rel` from `batches` as they come, on the calling thread (which must
    /// not be inside an async runtime): up to [`PART_BYTES`] as one PUT, past it as a multipart
    /// upload, which is aborted if anything fails.
    pub(crate) fn upload_batches(
        &self,
        rel: &str,
        batches: impl IntoIterator<Item = String>,
    ) -> Result<()> {
        let path = self.file_path(rel)?;
        let runtime =
            super::runtime::build().map_err(|e| self.file_error("cannot upload", rel, e))?;
        let (store, limit) = (self.store.as_ref(), self.options.retry_timeout);
        let mut buffer: Vec<u8> = Vec::new();
        let mut upload: Option<Box<dyn MultipartUpload>> = None;
        let send = || -> object_store::Result<()> {
            for batch in batches {
                buffer.extend_from_slice(batch.as_bytes());
                if buffer.len() < PART_BYTES {
                    continue;
                }
                let part = PutPayload::from(std::mem::take(&mut buffer));
                let started = match upload.as_mut() {
                    Some(started) => started,
                    None => upload.insert(runtime.block_on(within(
                        limit,
                        "starting the multipart upload",
                        store.put_multipart(&path),
                    ))?),
                };
                runtime.block_on(within(limit, "a part", started.put_part(part)))?;
            }
            let rest = PutPayload::from(std::mem::take(&mut buffer));
            match upload.as_mut() {
                None => runtime
                    .block_on(within(limit, "the upload", store.put(&path, rest)))
                    .map(|_| ()),
                Some(started) => {
                    if rest.content_length() > 0 {
                        runtime.block_on(within(limit, "a part", started.put_part(rest)))?;
                    }
                    runtime
                        .block_on(within(limit, "completing the upload", started.complete()))
                        .map(|_| ())
                }
            }
        };
        let sent = send();
        if sent.is_err() {
            if let Some(started) = upload.as_mut() {
                runtime.block_on(abort(started.as_mut()));
            }
        }
        sent.map_err(|e| self.file_error("cannot upload", rel, e))
    }
}
