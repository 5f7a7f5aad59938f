//! From a log-directory URL to an `object_store` client and the key prefix inside it.

use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
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

/// Splits `bucket/some/prefix` into the bucket and the prefix as an object path.
fn bucket_and_prefix<'a>(url: &str, rest: &'a str) -> Result<(&'a str, ObjectPath)> {
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(bad_url(url, "the bucket name is missing"));
    }
    let prefix = ObjectPath::parse(prefix.trim_matches('/')).map_err(|e| bad_url(url, e))?;
    Ok((bucket, prefix))
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

/// The store behind `url` and the log directory's prefix inside it.
pub(super) fn store_for(
    url: &str,
    options: &RemoteOptions,
) -> Result<(Arc<dyn ObjectStore>, ObjectPath)> {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (scheme, rest),
        None => return local(url, url),
    };
    match scheme {
        "s3" | "s3a" => {
            let (bucket, prefix) = bucket_and_prefix(url, rest)?;
            let mut client = client_options(options);
            // TensorBoard's S3 loader (boto3) is pointed at other servers by `S3_ENDPOINT`;
            // honouring it too lets one variable serve both.
            let endpoint = configured(options, "aws_endpoint")
                .or_else(|| std::env::var("AWS_ENDPOINT").ok())
                .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
                .or_else(|| std::env::var("S3_ENDPOINT").ok());
            let mut builder = AmazonS3Builder::from_env();
            if let Some(endpoint) = endpoint {
                if endpoint.starts_with("http://") {
                    client = client.with_allow_http(true);
                }
                builder = builder.with_endpoint(endpoint);
            }
            builder = builder.with_client_options(client);
            for (key, value) in &options.config {
                let key = key.parse().map_err(|e| store_error(url, e))?;
                builder = builder.with_config(key, value);
            }
            let store = builder
                .with_bucket_name(bucket)
                .with_retry(retry(options))
                .build()
                .map_err(|e| store_error(url, e))?;
            Ok((Arc::new(store), prefix))
        }
        "gs" => {
            let (bucket, prefix) = bucket_and_prefix(url, rest)?;
            let mut builder =
                GoogleCloudStorageBuilder::from_env().with_client_options(client_options(options));
            for (key, value) in &options.config {
                let key = key.parse().map_err(|e| store_error(url, e))?;
                builder = builder.with_config(key, value);
            }
            let store = builder
                .with_bucket_name(bucket)
                .with_retry(retry(options))
                .build()
                .map_err(|e| store_error(url, e))?;
            Ok((Arc::new(store), prefix))
        }
        "az" | "abfs" | "abfss" => {
            let (container, prefix) = bucket_and_prefix(url, rest)?;
            let mut builder =
                MicrosoftAzureBuilder::from_env().with_client_options(client_options(options));
            for (key, value) in &options.config {
                let key = key.parse().map_err(|e| store_error(url, e))?;
                builder = builder.with_config(key, value);
            }
            let store = builder
                .with_container_name(container)
                .with_retry(retry(options))
                .build()
                .map_err(|e| store_error(url, e))?;
            Ok((Arc::new(store), prefix))
        }
        "file" => local(url, rest),
        "memory" => {
            let prefix = ObjectPath::parse(rest.trim_matches('/')).map_err(|e| bad_url(url, e))?;
            Ok((Arc::new(InMemory::new()), prefix))
        }
        other => Err(bad_url(url, format!("unknown scheme `{other}`"))),
    }
}

/// A directory on disk, created if needed; objects are files below it.
fn local(url: &str, path: &str) -> Result<(Arc<dyn ObjectStore>, ObjectPath)> {
    if path.is_empty() {
        return Err(bad_url(url, "the path is empty"));
    }
    std::fs::create_dir_all(path).map_err(|e| Error::io("cannot create log directory", path, e))?;
    let store = LocalFileSystem::new_with_prefix(path).map_err(|e| store_error(url, e))?;
    Ok((Arc::new(store), ObjectPath::default()))
}
