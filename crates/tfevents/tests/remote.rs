//! Remote log directories: segments through `file://` and `memory://` always, and through a
//! real S3 server (moto, started by `tools/start-s3.sh`) when `TFEVENTS_S3_ENDPOINT` is set.
#![cfg(feature = "remote")]

mod remote_support;

use std::time::Duration;

use remote_support::{s3_target, unique, FlakyProxy};
use tfevents::reader::{discover_runs, RunData};
use tfevents::remote::{RemoteLogDir, RemoteOptions};
use tfevents::{Error, SummaryWriter};

fn steps(data: &RunData, tag: &str) -> Vec<i64> {
    data.scalars
        .get(tag)
        .map(|points| points.iter().map(|p| p.step).collect())
        .unwrap_or_default()
}

/// Writes `flushes` batches of `per_flush` scalars, flushing after each.
fn log_batches(
    writer: &SummaryWriter,
    first: i64,
    flushes: i64,
    per_flush: i64,
) -> tfevents::Result<()> {
    for batch in 0..flushes {
        for i in 0..per_flush {
            let step = first + batch * per_flush + i;
            writer.add_scalar("loss", step as f64 * 0.5, step)?;
        }
        writer.flush()?;
    }
    Ok(())
}

/// Bytes of the one text that [`log_blobs`] makes larger than the tests' 6 MiB multipart
/// threshold.
const BIG_BLOB: usize = 7 << 20;

/// Logs `count` 1 MiB texts, the one at step 1 of [`BIG_BLOB`] bytes. A busy writer thread may
/// cut the stream into segments between any two events, so only an event past the threshold on
/// its own makes a multipart upload certain.
fn log_blobs(writer: &SummaryWriter, count: i64) -> tfevents::Result<()> {
    for step in 0..count {
        let len = if step == 1 { BIG_BLOB } else { 1 << 20 };
        writer.add_text("blob", &"x".repeat(len), step)?;
    }
    Ok(())
}

/// Checks that every text of [`log_blobs`] came back whole.
fn check_blobs(data: &RunData, count: i64) {
    let texts = &data.texts["blob/text_summary"];
    let steps: Vec<i64> = texts.iter().map(|t| t.step).collect();
    assert_eq!(steps, (0..count).collect::<Vec<_>>());
    for point in texts {
        let len = if point.step == 1 { BIG_BLOB } else { 1 << 20 };
        assert_eq!(point.text.len(), len, "step {}", point.step);
    }
}

#[test]
fn file_url_segments_are_complete_event_files() -> tfevents::Result<()> {
    let tmp = tempfile::tempdir().map_err(|e| Error::io("tempdir", "/tmp", e))?;
    let url = format!("file://{}", tmp.path().display());
    let dir = RemoteLogDir::open(&url)?;
    let writer = SummaryWriter::builder()
        .remote_log_dir(dir.clone())
        .flush_secs(3600.0)
        .build()?;
    log_batches(&writer, 0, 5, 100)?;
    writer.add_scalars("pair", [("a", 1.0), ("b", 2.0)], 7)?;
    writer.close()?;

    // Our ordinary disk reader reads the segments as a run of event files, in order.
    let runs = discover_runs(tmp.path())?;
    let names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, [".", "pair_a", "pair_b"]);
    // Segment 0 (the header) and at least one segment per flush: the writer thread seals a
    // segment after each batch it drains, and on a busy machine it may drain a flush's 100
    // events in two batches (a clean-clone CI run saw 7 segments here).
    assert!(runs[0].files.len() >= 6, "{} segments", runs[0].files.len());
    let data = RunData::read(&runs[0])?;
    assert_eq!(steps(&data, "loss"), (0..500).collect::<Vec<_>>());
    // And the same through the object-store listing.
    let remote_runs = dir.discover_runs()?;
    assert_eq!(remote_runs.len(), 3);
    assert_eq!(
        steps(&dir.read_run(&remote_runs[0])?, "loss"),
        (0..500).collect::<Vec<_>>()
    );
    assert_eq!(dir.read_run(&remote_runs[1])?.scalars["pair"].len(), 1);
    Ok(())
}

#[test]
fn upload_ratio_stays_near_one() -> tfevents::Result<()> {
    let dir = RemoteLogDir::open("memory://bench/run")?;
    let writer = SummaryWriter::builder()
        .remote_log_dir(dir.clone())
        .flush_secs(3600.0)
        .build()?;
    log_batches(&writer, 0, 200, 50)?;
    writer.close()?;
    let stats = dir.stats();
    let ratio = stats.bytes_uploaded() as f64 / stats.bytes_logged() as f64;
    // One file-version record (about 30 bytes) per segment of 50 scalar events.
    assert!(ratio > 1.0 && ratio < 1.05, "ratio {ratio}");
    // The header and at least one segment per flush (a busy writer thread may cut a flush's
    // events in two, see above).
    assert!(
        stats.segments_uploaded() >= 201,
        "{}",
        stats.segments_uploaded()
    );
    assert_eq!(stats.events_lost(), 0);
    Ok(())
}

#[test]
fn large_segments_go_up_as_multipart_and_read_back() -> tfevents::Result<()> {
    let options = RemoteOptions {
        multipart_bytes: 6 << 20,
        ..Default::default()
    };
    let dir = RemoteLogDir::open_with("memory://big", options)?;
    let writer = SummaryWriter::builder()
        .remote_log_dir(dir.clone())
        .flush_secs(3600.0)
        .build()?;
    log_blobs(&writer, 12)?;
    writer.close()?;
    assert!(dir.stats().multipart_uploads() >= 1);
    let runs = dir.discover_runs()?;
    check_blobs(&dir.read_run(&runs[0])?, 12);
    Ok(())
}

/// HTTPS goes through rustls with ring (no aws-lc-rs in the build): a TLS handshake with a
/// server that speaks no TLS is a clear `Err` at construction, never a panic about a missing
/// crypto provider.
#[test]
fn https_handshake_failure_is_an_error() -> tfevents::Result<()> {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| Error::io("bind", "127.0.0.1", e))?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::io("local_addr", "127.0.0.1", e))?
        .port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().take(8).flatten() {
            let mut hello = [0u8; 512];
            let _ = stream.read(&mut hello);
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        }
    });
    let options = RemoteOptions {
        max_retries: 0,
        retry_timeout: Duration::from_secs(5),
        config: [
            ("aws_endpoint", format!("https://127.0.0.1:{port}")),
            ("aws_access_key_id", "test".to_string()),
            ("aws_secret_access_key", "test".to_string()),
            ("aws_region", "us-east-1".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
        ..Default::default()
    };
    let dir = RemoteLogDir::open_with("s3://bucket/run", options)?;
    match SummaryWriter::builder().remote_log_dir(dir).build() {
        Err(e) => assert!(
            e.to_string().contains("cannot upload the first segment"),
            "{e}"
        ),
        Ok(_) => panic!("built a writer against a server that speaks no TLS"),
    }
    Ok(())
}

#[test]
fn bad_urls_are_clear_errors() {
    for url in ["s3://", "ftp://host/x", "gs:///prefix"] {
        match RemoteLogDir::open(url) {
            Err(Error::InvalidArgument { name, reason }) => {
                assert_eq!(name, "log_dir_url");
                assert!(reason.contains("expected s3://"), "{reason}");
            }
            other => panic!("{url}: {other:?}"),
        }
    }
}

#[test]
fn plain_paths_and_file_urls_write_ordinary_files() -> tfevents::Result<()> {
    let tmp = tempfile::tempdir().map_err(|e| Error::io("tempdir", "/tmp", e))?;
    let url = format!("file://{}/run", tmp.path().display());
    let writer = SummaryWriter::builder().log_dir_url(url).build()?;
    writer.add_scalar("x", 1.0, 0)?;
    writer.close()?;
    let runs = discover_runs(tmp.path())?;
    assert_eq!(runs.len(), 1);
    assert_eq!(
        runs[0].files.len(),
        1,
        "one ordinary event file, not segments"
    );
    Ok(())
}

// ---- through a real S3 server ---------------------------------------------------------------

#[test]
fn s3_round_trip_through_summary_writer() -> tfevents::Result<()> {
    let Some(target) = s3_target("s3_round_trip_through_summary_writer") else {
        return Ok(());
    };
    let url = format!("{}/{}", target.url, unique("roundtrip"));
    let writer = SummaryWriter::builder().log_dir_url(&url).build()?;
    log_batches(&writer, 0, 10, 100)?;
    writer.add_scalars("group", [("train", 1.0), ("eval", 2.0)], 3)?;
    writer.add_histogram("w", &[0.1f32, 0.5, 0.9][..], 3)?;
    writer.close()?;
    let dir = RemoteLogDir::open(&url)?;
    let runs = dir.discover_runs()?;
    let names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, [".", "group_eval", "group_train"]);
    let data = dir.read_run(&runs[0])?;
    assert_eq!(steps(&data, "loss"), (0..1000).collect::<Vec<_>>());
    assert_eq!(data.histograms["w"].len(), 1);
    Ok(())
}

#[test]
fn s3_multipart_segment() -> tfevents::Result<()> {
    let Some(target) = s3_target("s3_multipart_segment") else {
        return Ok(());
    };
    let url = format!("{}/{}", target.url, unique("multipart"));
    let dir = RemoteLogDir::open_with(
        &url,
        RemoteOptions {
            multipart_bytes: 6 << 20,
            ..Default::default()
        },
    )?;
    let writer = SummaryWriter::builder()
        .remote_log_dir(dir.clone())
        .flush_secs(3600.0)
        .build()?;
    log_blobs(&writer, 13)?;
    writer.close()?;
    assert!(dir.stats().multipart_uploads() >= 1);
    let runs = dir.discover_runs()?;
    check_blobs(&dir.read_run(&runs[0])?, 13);
    Ok(())
}

#[test]
fn s3_missing_bucket_fails_at_construction() {
    let Some(_target) = s3_target("s3_missing_bucket_fails_at_construction") else {
        return;
    };
    let result = SummaryWriter::builder()
        .log_dir_url("s3://no-such-bucket-tfevents/run")
        .build();
    match result {
        Err(e) => {
            let text = e.to_string();
            assert!(text.contains("check the credentials"), "{text}");
            assert!(text.contains("bucket"), "{text}");
        }
        Ok(_) => panic!("a writer into a missing bucket was built"),
    }
}

/// Against a server that checks credentials (`AUTH=1 tools/start-s3.sh`), keys it does not
/// know: `build()` fails, and says to check the credentials.
#[test]
fn s3_wrong_credentials_fail_at_construction() -> tfevents::Result<()> {
    let endpoint = match std::env::var("TFEVENTS_S3_AUTH_ENDPOINT") {
        Ok(e) if !e.is_empty() => e,
        _ => {
            eprintln!(
                "SKIPPED s3_wrong_credentials_fail_at_construction: TFEVENTS_S3_AUTH_ENDPOINT is \
                 not set; run `eval \"$(AUTH=1 tools/start-s3.sh)\"` first (or tools/ci-remote.sh)"
            );
            return Ok(());
        }
    };
    let options = RemoteOptions {
        max_retries: 1,
        retry_timeout: Duration::from_secs(2),
        config: vec![
            ("aws_endpoint".into(), endpoint),
            ("aws_access_key_id".into(), "AKIAWRONGWRONGWRONG0".into()),
            ("aws_secret_access_key".into(), "not-the-secret".into()),
        ],
        ..Default::default()
    };
    let dir = RemoteLogDir::open_with("s3://tfevents-test/wrong-credentials", options)?;
    match SummaryWriter::builder().remote_log_dir(dir).build() {
        Err(e) => {
            let text = e.to_string();
            assert!(text.contains("check the credentials"), "{text}");
            Ok(())
        }
        Ok(_) => panic!("built a writer with credentials the server does not know"),
    }
}

#[test]
fn s3_unreachable_server_fails_at_construction() -> tfevents::Result<()> {
    let Some(target) = s3_target("s3_unreachable_server_fails_at_construction") else {
        return Ok(());
    };
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| Error::io("bind", "127.0.0.1", e))?
        .port();
    let options = RemoteOptions {
        max_retries: 1,
        retry_timeout: Duration::from_secs(2),
        config: vec![("aws_endpoint".into(), format!("http://127.0.0.1:{port}"))],
        ..Default::default()
    };
    let dir = RemoteLogDir::open_with(&format!("{}/x", target.url), options)?;
    let result = SummaryWriter::builder().remote_log_dir(dir).build();
    assert!(result.is_err(), "built a writer against a dead endpoint");
    Ok(())
}

/// The server goes away mid-run and comes back: flushed events are held and uploaded later,
/// the outage is reported, events past the buffer are dropped and counted, nothing else lost.
#[test]
fn s3_outage_holds_reports_and_resumes() -> tfevents::Result<()> {
    let Some(target) = s3_target("s3_outage_holds_reports_and_resumes") else {
        return Ok(());
    };
    let proxy = FlakyProxy::start(&target.endpoint)?;
    let url = format!("{}/{}", target.url, unique("outage"));
    let options = RemoteOptions {
        max_retries: 1,
        retry_timeout: Duration::from_secs(3),
        connect_timeout: Duration::from_secs(1),
        max_buffered_bytes: 64 << 10,
        config: vec![("aws_endpoint".into(), proxy.endpoint())],
        ..Default::default()
    };
    let dir = RemoteLogDir::open_with(&url, options)?;
    let writer = SummaryWriter::builder()
        .remote_log_dir(dir.clone())
        .flush_secs(3600.0)
        .max_queue(1 << 20)
        .build()?;

    log_batches(&writer, 0, 2, 100)?; // 0..200, uploaded
    proxy.stop();
    // 200..400 in two flushes: held, each flush reports the outage.
    for batch in 0..2 {
        for step in 200 + batch * 100..300 + batch * 100 {
            writer.add_scalar("loss", step as f64, step)?;
        }
        let err = writer
            .flush()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("held and retried"),
            "outage not reported: {err:?}"
        );
    }
    // 400..5400: far more than the 64 KiB buffer holds, so (most of) it is dropped.
    for step in 400..5400 {
        writer.add_scalar("loss", step as f64, step)?;
    }
    let err = writer
        .flush()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("LOST"), "loss not reported: {err:?}");
    proxy.restart()?;
    for step in 5400..5500 {
        writer.add_scalar("loss", step as f64, step)?;
    }
    // 5400..5500 and the held segments go up; this flush reports the outage's final loss.
    let err = writer
        .flush()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("resumed") && err.contains("LOST"),
        "recovery not reported: {err:?}"
    );
    writer.close()?;

    let stats = dir.stats();
    assert!(stats.failed_uploads() >= 3);
    let runs = dir.discover_runs()?;
    let got = steps(&dir.read_run(&runs[0])?, "loss");
    // Everything flushed before the buffer filled, and everything after recovery, is there.
    for step in (0..400).chain(5400..5500) {
        assert!(got.contains(&step), "step {step} lost");
    }
    // What is missing is exactly what was reported lost, each kept event once, in order.
    assert!(stats.events_lost() > 0);
    assert_eq!(got.len() as u64 + stats.events_lost(), 5500);
    assert!(got.windows(2).all(|w| w[0] < w[1]));
    eprintln!(
        "outage: {} failed uploads, {} events ({} bytes) lost past the {} byte buffer, {} events kept",
        stats.failed_uploads(),
        stats.events_lost(),
        stats.bytes_lost(),
        64 << 10,
        got.len()
    );
    Ok(())
}
