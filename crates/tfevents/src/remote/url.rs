//! From a log-directory URL to an `object_store` client and the key prefix inside it.

use std::sync::Arc;

use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::azure::MicrosoftAzureBuilder;
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, RetryConfig};

use super::RemoteOptions;
use crate::error::{Error, Result};

fn bad_url(url: &str, why: impl std::fmt::Display) -> Error {
    Error::invalid(
        "log_dir_url",
        format!(
            "`{url}`: {why}; expected s3://bucket/prefix, gs://bucket/prefix, \
             az://container/prefix, file:///absolute/path, memory:// or a plain path"
        ),
    )
}

/// The schemes [`store_for`] knows; `<scheme>:` without `//` after it is a typo, not a path.
const SCHEMES: [&str; 8] = ["s3", "s3a", "gs", "az", "abfs", "abfss", "file", "memory"];

/// Splits `bucket/some/prefix` into the bucket and the prefix as an object path.
fn bucket_and_prefix<'a>(url: &str, rest: &'a str) -> Result<(&'a str, ObjectPath)> {
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(bad_url(url, "the bucket name is missing"));
    }
    if let Some(bad) = bucket
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')))
    {
        return Err(bad_url(
            url,
            format!("the bucket name `{bucket}` holds {bad:?}; bucket names are letters, digits, `-`, `.` and `_`"),
        ));
    }
    Ok((bucket, object_prefix(url, prefix)?))
}

/// `prefix` (slashes around it dropped) as an object path.
fn object_prefix(url: &str, prefix: &str) -> Result<ObjectPath> {
    ObjectPath::parse(prefix.trim_matches('/')).map_err(|e| {
        bad_url(
            url,
            format!("the prefix `{prefix}` is not a valid object path: {e}"),
        )
    })
}

/// An `Err` when `url` starts with a known scheme and `:` but not `://` (`s3:/bucket/x`): a
/// mistyped URL must not become a local directory named `s3:`.
pub(super) fn check_not_mistyped(url: &str) -> Result<()> {
    if let Some((scheme, rest)) = url.split_once(':') {
        let known = SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme));
        if known && !rest.starts_with("//") {
            return Err(bad_url(
                url,
                format!(
                    "the scheme `{scheme}:` must be followed by `//`, as in `{scheme}://{}`",
                    rest.trim_start_matches('/')
                ),
            ));
        }
    }
    Ok(())
}

/// An `Err` unless `value` (an endpoint, from `source`) is an `http://` or `https://` URL with
/// a host: object_store's clients panic on anything else when they send the first request.
fn check_endpoint(url: &str, source: &str, value: &str) -> Result<()> {
    let why = match reqwest::Url::parse(value) {
        Ok(parsed) if !matches!(parsed.scheme(), "http" | "https") => {
            format!("its scheme `{}` is not http or https", parsed.scheme())
        }
        Ok(parsed) if parsed.host_str().is_none_or(str::is_empty) => "it names no host".to_string(),
        Ok(_) => return Ok(()),
        Err(e) => format!("it is not a URL ({e})"),
    };
    Err(Error::invalid(
        "endpoint",
        format!(
            "the endpoint `{value}` from {source} (for `{url}`) is unusable: {why}; write it \
             with its scheme, e.g. `http://127.0.0.1:9000` or `https://s3.example.com`"
        ),
    ))
}

/// Checks the endpoint-like keys of `options.config` (`*endpoint*`, `*_url`).
fn check_configured_endpoints(url: &str, options: &RemoteOptions) -> Result<()> {
    for (key, value) in &options.config {
        let key_lower = key.to_ascii_lowercase();
        if key_lower.contains("endpoint") || key_lower.ends_with("_url") {
            check_endpoint(url, &format!("RemoteOptions::config key `{key}`"), value)?;
        }
    }
    Ok(())
}

fn client_options(options: &RemoteOptions) -> ClientOptions {
    // The HTTPS client's rustls has no provider compiled in (see Cargo.toml): without one
    // installed, building the client panics. An `Err` means that the program installed its own
    // provider first, which then serves as well.
    let _ = rustls::crypto::ring::default_provider().install_default();
    ClientOptions::new()
        .with_connect_timeout(options.connect_timeout)
        .with_timeout(options.retry_timeout)
}

fn retry(options: &RemoteOptions) -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig::default(),
        max_retries: options.max_retries,
        retry_timeout: options.retry_timeout,
    }
}

fn store_error(url: &str, e: object_store::Error) -> Error {
    bad_url(
        url,
        format!("cannot configure the object store client: {e}"),
    )
}

fn configured(options: &RemoteOptions, key: &str) -> Option<String> {
    options
        .config
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key) || k.eq_ignore_ascii_case("endpoint"))
        .map(|(_, v)| v.clone())
}

/// An opened store: the client, the log directory's prefix inside it, and for S3 the client
/// itself (for listing and aborting multipart uploads).
pub(super) struct Opened {
    pub(super) store: Arc<dyn ObjectStore>,
    pub(super) prefix: ObjectPath,
    pub(super) s3: Option<Arc<AmazonS3>>,
}

impl Opened {
    fn new(store: Arc<dyn ObjectStore>, prefix: ObjectPath) -> Self {
        Opened {
            store,
            prefix,
            s3: None,
        }
    }
}

/// The S3 endpoint to use and where it came from: the options, then the environment.
/// TensorBoard's S3 loader (boto3) is pointed at other servers by `S3_ENDPOINT`; honouring it
/// too lets one variable serve both.
fn s3_endpoint(options: &RemoteOptions) -> Option<(String, String)> {
    if let Some(value) = configured(options, "aws_endpoint") {
        return Some(("RemoteOptions::config".into(), value));
    }
    ["AWS_ENDPOINT", "AWS_ENDPOINT_URL", "S3_ENDPOINT"]
        .iter()
        .find_map(|var| {
            let value = std::env::var(var).ok().filter(|v| !v.is_empty())?;
            Some((format!("the environment variable `{var}`"), value))
        })
}

/// The store behind `url` and the log directory's prefix inside it.
pub(super) fn store_for(url: &str, options: &RemoteOptions) -> Result<Opened> {
    check_not_mistyped(url)?;
    let Some((scheme, rest)) = url.split_once("://") else {
        return local(url, url);
    };
    if SCHEMES.contains(&scheme) && scheme != "file" && scheme != "memory" {
        check_configured_endpoints(url, options)?;
    }
    match scheme {
        "s3" | "s3a" => s3(url, rest, options),
        "gs" => gcs(url, rest, options),
        "az" | "abfs" | "abfss" => azure(url, rest, options),
        "file" => local(url, rest),
        "memory" => {
            let prefix = object_prefix(url, rest)?;
            Ok(Opened::new(Arc::new(InMemory::new()), prefix))
        }
        other => Err(bad_url(url, format!("unknown scheme `{other}`"))),
    }
}

/// Passes [`RemoteOptions::config`] to a store builder (through `with_config`), each key parsed
/// as that store's configuration key.
fn with_config<B, K>(
    url: &str,
    options: &RemoteOptions,
    mut builder: B,
    with_config: impl Fn(B, K, &str) -> B,
) -> Result<B>
where
    K: std::str::FromStr<Err = object_store::Error>,
{
    for (key, value) in &options.config {
        let key = key.parse().map_err(|e| store_error(url, e))?;
        builder = with_config(builder, key, value);
    }
    Ok(builder)
}

/// `s3://bucket/prefix`: AWS's `AWS_*` variables, with the endpoint from the options or the
/// environment checked before the client can panic on it.
fn s3(url: &str, rest: &str, options: &RemoteOptions) -> Result<Opened> {
    let (bucket, prefix) = bucket_and_prefix(url, rest)?;
    let mut client = client_options(options);
    let mut builder = AmazonS3Builder::from_env();
    if let Some((source, endpoint)) = s3_endpoint(options) {
        check_endpoint(url, &source, &endpoint)?;
        if endpoint.starts_with("http://") {
            client = client.with_allow_http(true);
        }
        builder = builder.with_endpoint(endpoint);
    }
    let builder = with_config(
        url,
        options,
        builder.with_client_options(client),
        |b, k, v| b.with_config(k, v),
    )?;
    // Whatever else `from_env` picked up (`AWS_ENDPOINT_URL_S3`, ...) is checked too.
    if let Some(endpoint) = builder.get_config_value(&AmazonS3ConfigKey::Endpoint) {
        check_endpoint(url, "the AWS_* environment", &endpoint)?;
    }
    let store = Arc::new(
        builder
            .with_bucket_name(bucket)
            .with_retry(retry(options))
            .build()
            .map_err(|e| store_error(url, e))?,
    );
    Ok(Opened {
        store: Arc::clone(&store) as Arc<dyn ObjectStore>,
        prefix,
        s3: Some(store),
    })
}

/// `gs://bucket/prefix`: Google Cloud Storage, configured from the environment.
fn gcs(url: &str, rest: &str, options: &RemoteOptions) -> Result<Opened> {
    let (bucket, prefix) = bucket_and_prefix(url, rest)?;
    let builder =
        GoogleCloudStorageBuilder::from_env().with_client_options(client_options(options));
    let store = with_config(url, options, builder, |b, k, v| b.with_config(k, v))?
        .with_bucket_name(bucket)
        .with_retry(retry(options))
        .build()
        .map_err(|e| store_error(url, e))?;
    Ok(Opened::new(Arc::new(store), prefix))
}

/// `az://container/prefix`: Azure Blob Storage, configured from the environment.
fn azure(url: &str, rest: &str, options: &RemoteOptions) -> Result<Opened> {
    let (container, prefix) = bucket_and_prefix(url, rest)?;
    let builder = MicrosoftAzureBuilder::from_env().with_client_options(client_options(options));
    let store = with_config(url, options, builder, |b, k, v| b.with_config(k, v))?
        .with_container_name(container)
        .with_retry(retry(options))
        .build()
        .map_err(|e| store_error(url, e))?;
    Ok(Opened::new(Arc::new(store), prefix))
}

/// A directory on disk, created if needed; objects are files below it.
fn local(url: &str, path: &str) -> Result<Opened> {
    if path.is_empty() {
        return Err(bad_url(url, "the path is empty"));
    }
    std::fs::create_dir_all(path).map_err(|e| Error::io("cannot create log directory", path, e))?;
    let store = LocalFileSystem::new_with_prefix(path).map_err(|e| store_error(url, e))?;
    Ok(Opened::new(Arc::new(store), ObjectPath::default()))
}
