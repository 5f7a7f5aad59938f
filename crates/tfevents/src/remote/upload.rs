//! One object up to the store, within a time limit, leaving no incomplete multipart upload
//! behind when it fails.

use std::time::Duration;

use bytes::Bytes;
use object_store::path::Path as ObjectPath;
use object_store::{MultipartUpload, ObjectStore, ObjectStoreExt, PutPayload};

/// S3's smallest part of a multipart upload (except the last).
pub(super) const PART_BYTES: usize = 5 << 20;

/// How long aborting a failed multipart upload may take. Past it the upload stays on the
/// store until [`RemoteLogDir::abort_stale_uploads`](super::RemoteLogDir::abort_stale_uploads)
/// or a lifecycle rule removes it.
pub const ABORT_TIMEOUT: Duration = Duration::from_secs(5);

fn timed_out(what: &str, limit: Duration) -> object_store::Error {
    object_store::Error::Generic {
        store: "tfevents",
        source: format!("{what} did not finish within {limit:?}").into(),
    }
}

/// Runs `future`, giving up after `limit`.
pub(super) async fn within<T>(
    limit: Duration,
    what: &str,
    future: impl std::future::Future<Output = object_store::Result<T>>,
) -> object_store::Result<T> {
    tokio::time::timeout(limit, future)
        .await
        .unwrap_or_else(|_| Err(timed_out(what, limit)))
}

/// Uploads `bytes` as `name` within `limit`: a plain PUT below `multipart_bytes`, a multipart
/// upload (parts of [`PART_BYTES`], sent together) from there on. A multipart upload that
/// fails or runs out of time is aborted (within [`ABORT_TIMEOUT`] more), so the store keeps
/// no parts of it.
pub(super) async fn put_object(
    store: &dyn ObjectStore,
    name: &ObjectPath,
    bytes: Bytes,
    multipart_bytes: usize,
    limit: Duration,
) -> object_store::Result<()> {
    if bytes.len() < multipart_bytes {
        return within(limit, "the upload", async {
            store.put(name, PutPayload::from(bytes)).await.map(|_| ())
        })
        .await;
    }
    let mut upload = within(
        limit,
        "starting the multipart upload",
        store.put_multipart(name),
    )
    .await?;
    let sent = within(limit, "the multipart upload", async {
        let mut parts = Vec::with_capacity(bytes.len().div_ceil(PART_BYTES));
        let mut start = 0;
        while start < bytes.len() {
            let end = (start + PART_BYTES).min(bytes.len());
            parts.push(upload.put_part(PutPayload::from(bytes.slice(start..end))));
            start = end;
        }
        futures::future::try_join_all(parts).await?;
        upload.complete().await.map(|_| ())
    })
    .await;
    if sent.is_err() {
        abort(upload.as_mut()).await;
    }
    sent
}

/// Aborts `upload`, best effort: the caller reports the error that made it necessary.
pub(super) async fn abort(upload: &mut dyn MultipartUpload) {
    let _ = within(
        ABORT_TIMEOUT,
        "aborting the multipart upload",
        upload.abort(),
    )
    .await;
}
