//! Incomplete multipart uploads under a log directory: listed with S3's
//! `ListMultipartUploads` (which `object_store` does not expose, so through a request it
//! presigns) and aborted through `object_store`'s `MultipartStore`.

use std::path::PathBuf;
use std::time::Duration;

use object_store::aws::AmazonS3;
use object_store::multipart::MultipartStore;
use object_store::path::Path as ObjectPath;
use object_store::signer::{SignedUrlOptions, Signer};

use super::RemoteLogDir;
use crate::error::{Error, Result};

/// Pages of 1,000 uploads listed at most: a bound on a listing that never ends.
const MAX_PAGES: usize = 1000;

/// A multipart upload that was started and neither completed nor aborted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncompleteUpload {
    /// The object's key in the bucket.
    pub key: String,
    /// The store's id of the upload.
    pub upload_id: String,
    /// When it was started (`Initiated`, RFC 3339), as the store reports it.
    pub initiated: String,
}

impl IncompleteUpload {
    /// How long before `now` it was started; `None` when the store's time cannot be read
    /// (or lies in the future).
    fn age(&self, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
        let initiated = chrono::DateTime::parse_from_rfc3339(&self.initiated).ok()?;
        (now - initiated.with_timezone(&chrono::Utc)).to_std().ok()
    }

    /// Whether it was started at least `older_than` before `now`.
    fn is_stale(&self, older_than: Duration, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.age(now).is_some_and(|age| age >= older_than)
    }
}

impl RemoteLogDir {
    /// The incomplete multipart uploads under this directory (S3 only; `memory://` and
    /// `file://` directories have none that outlive their process; `gs://` and `az://` are an
    /// `Err`, see [the module docs](super#incomplete-multipart-uploads)).
    pub fn incomplete_uploads(&self) -> Result<Vec<IncompleteUpload>> {
        let Some(s3) = self.s3_for_uploads()? else {
            return Ok(Vec::new());
        };
        let prefix = if self.prefix.as_ref().is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        let timeout = self.options.retry_timeout;
        let connect = self.options.connect_timeout;
        let action = "cannot list the multipart uploads under";
        super::runtime::block_on_own_thread(list(&s3, &prefix, connect, timeout))
            .map_err(|e| self.upload_error(action, e.to_string()))?
            .map_err(|e| self.upload_error(action, e))
    }

    /// Aborts the incomplete multipart uploads under this directory that were started more
    /// than `older_than` ago, and returns them. Opt-in (writers call it only with
    /// [`RemoteOptions::abort_stale_uploads`](super::RemoteOptions::abort_stale_uploads)):
    /// an upload of another writer that is still running on the same directory is younger
    /// than its longest upload, so give `older_than` a margin over that. An upload whose start
    /// time cannot be read is left alone.
    pub fn abort_stale_uploads(&self, older_than: Duration) -> Result<Vec<IncompleteUpload>> {
        let Some(s3) = self.s3_for_uploads()? else {
            return Ok(Vec::new());
        };
        let stale: Vec<IncompleteUpload> = self
            .incomplete_uploads()?
            .into_iter()
            .filter(|u| u.is_stale(older_than, chrono::Utc::now()))
            .collect();
        let aborts = async {
            for upload in &stale {
                let path = ObjectPath::parse(&upload.key).map_err(|e| e.to_string())?;
                s3.abort_multipart(&path, &upload.upload_id)
                    .await
                    .map_err(|e| format!("aborting `{}`: {e}", upload.key))?;
            }
            Ok::<_, String>(())
        };
        let action = "cannot abort a stale multipart upload under";
        super::runtime::block_on_own_thread(aborts)
            .map_err(|e| self.upload_error(action, e.to_string()))?
            .map_err(|e| self.upload_error(action, e))?;
        Ok(stale)
    }

    /// The S3 client, `None` for stores that keep no uploads past their process, `Err` for
    /// those whose uploads cannot be listed here.
    fn s3_for_uploads(&self) -> Result<Option<std::sync::Arc<AmazonS3>>> {
        if let Some(s3) = &self.s3 {
            return Ok(Some(std::sync::Arc::clone(s3)));
        }
        let scheme = self.url.split_once("://").map(|(s, _)| s).unwrap_or("file");
        if matches!(scheme, "memory" | "file") {
            return Ok(None);
        }
        Err(Error::invalid(
            "abort_stale_uploads",
            format!(
                "listing incomplete multipart uploads works on s3:// only, not on `{}`; set the \
                 store's lifecycle rule for them instead",
                self.url
            ),
        ))
    }

    fn upload_error(&self, action: &'static str, message: String) -> Error {
        Error::io(
            action,
            PathBuf::from(&self.url),
            std::io::Error::other(message),
        )
    }
}

/// Every page of `ListMultipartUploads` under `prefix`.
async fn list(
    s3: &AmazonS3,
    prefix: &str,
    connect: Duration,
    timeout: Duration,
) -> std::result::Result<Vec<IncompleteUpload>, String> {
    // The HTTPS client needs the crypto provider `url.rs` installs; install it here too, in
    // case this runs first.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .connect_timeout(connect)
        .timeout(timeout)
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
    let mut uploads = Vec::new();
    let mut marker: Option<(String, String)> = None;
    for _ in 0..MAX_PAGES {
        let mut query = vec![
            ("uploads".to_string(), String::new()),
            ("prefix".to_string(), prefix.to_string()),
        ];
        if let Some((key, id)) = marker.take() {
            query.push(("key-marker".into(), key));
            query.push(("upload-id-marker".into(), id));
        }
        let options = SignedUrlOptions::new().with_query(query);
        let url = s3
            .signed_url_opts(
                reqwest::Method::GET,
                &ObjectPath::default(),
                Duration::from_secs(600),
                &options,
            )
            .await
            .map_err(|e| format!("cannot sign the request: {e}"))?;
        let response = client
            .get(url)
            .send()
            .await
            .map_err(|e| format!("the request failed: {e}"))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| format!("reading the answer failed: {e}"))?;
        if !status.is_success() {
            let start: String = body.chars().take(300).collect();
            return Err(format!("the store answered {status}: {start}"));
        }
        let page = parse_page(&body);
        uploads.extend(page.uploads);
        match page.next {
            Some(next) => marker = Some(next),
            None => return Ok(uploads),
        }
    }
    Err(format!(
        "more than {MAX_PAGES} pages of uploads; abort some with the store's own tools"
    ))
}

/// One page of a `ListMultipartUploadsResult`.
#[derive(Debug, Default, PartialEq)]
struct Page {
    uploads: Vec<IncompleteUpload>,
    /// The markers of the next page, when the listing is truncated.
    next: Option<(String, String)>,
}

/// The texts of the `<tag>` elements of `xml`, at any depth, not nested in each other.
fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else {
            break;
        };
        found.push(&after[..end]);
        rest = &after[end + close.len()..];
    }
    found
}

fn first(xml: &str, tag: &str) -> Option<String> {
    elements(xml, tag).first().map(|text| unescape(text))
}

/// XML's five named entities and numeric character references.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after.find(';').and_then(|semi| {
            let entity = &after[..semi];
            let ch = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((ch, semi))
        });
        match decoded {
            Some((ch, semi)) => {
                out.push(ch);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn parse_page(xml: &str) -> Page {
    let uploads = elements(xml, "Upload")
        .into_iter()
        .filter_map(|upload| {
            Some(IncompleteUpload {
                key: first(upload, "Key")?,
                upload_id: first(upload, "UploadId")?,
                initiated: first(upload, "Initiated").unwrap_or_default(),
            })
        })
        .collect();
    // `IsTruncated` and the markers are the page's own: no `<Upload>` holds elements of
    // those names.
    let truncated = first(xml, "IsTruncated").is_some_and(|t| t.trim() == "true");
    let next = if truncated {
        first(xml, "NextKeyMarker").zip(first(xml, "NextUploadIdMarker"))
    } else {
        None
    };
    Page { uploads, next }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>b</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>
  <NextKeyMarker>run/b&amp;c</NextKeyMarker><NextUploadIdMarker>id2</NextUploadIdMarker>
  <Prefix>run/</Prefix><MaxUploads>1000</MaxUploads><IsTruncated>true</IsTruncated>
  <Upload><Key>run/events.out.tfevents.1.h.2.3.00000004</Key><UploadId>id1</UploadId>
    <Initiator><ID>x</ID></Initiator><Initiated>2026-12-07T19:00:00.000Z</Initiated></Upload>
  <Upload><Key>run/b&amp;c</Key><UploadId>id2</UploadId><Initiated>bad</Initiated></Upload>
</ListMultipartUploadsResult>"#;

    #[test]
    fn parses_uploads_and_the_next_markers() {
        let page = parse_page(PAGE);
        assert_eq!(page.uploads.len(), 2);
        assert_eq!(
            page.uploads[0].key,
            "run/events.out.tfevents.1.h.2.3.00000004"
        );
        assert_eq!(page.uploads[0].upload_id, "id1");
        assert_eq!(page.uploads[1].key, "run/b&c");
        assert_eq!(page.next, Some(("run/b&c".into(), "id2".into())));
    }

    #[test]
    fn last_page_and_empty_page() {
        let last = PAGE.replace("<IsTruncated>true", "<IsTruncated>false");
        assert_eq!(parse_page(&last).next, None);
        assert_eq!(parse_page("<ListMultipartUploadsResult/>"), Page::default());
    }

    #[test]
    fn only_uploads_older_than_the_limit_are_stale() {
        let page = parse_page(PAGE);
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-07T20:00:00Z")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default();
        let hour = Duration::from_secs(3600);
        assert!(page.uploads[0].is_stale(hour, now));
        assert!(!page.uploads[0].is_stale(hour + Duration::from_secs(1), now));
        // An unreadable time, or one in the future, is never stale.
        assert!(!page.uploads[1].is_stale(Duration::ZERO, now));
        let early = now - chrono::Duration::hours(2);
        assert!(!page.uploads[0].is_stale(Duration::ZERO, early));
    }

    #[test]
    fn unescapes_entities() {
        assert_eq!(unescape("a&lt;b&gt;&#65;&#x42;&bogus;&"), "a<b>AB&bogus;&");
    }
}
