//! `tfevents serve` as TensorBoard uses it: started with TensorBoard's own command line on a
//! free port, every RPC of the data provider called with a gRPC client, and the startup
//! errors TensorBoard reports (a bad log directory, a port in use).
#![cfg(feature = "serve")]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tfevents::proto::summary::value::Value;
use tfevents::proto::summary::{self, Image};
use tfevents::proto::{HistogramProto, Summary};
use tfevents::reader::EventFileReader;
use tfevents::SummaryWriter;
use tonic::transport::Channel;
use tonic::{Code, Status};
use tonic_prost::ProstCodec;

#[path = "../src/serve/proto.rs"]
#[allow(dead_code)]
mod proto;

use proto::*;

const SERVICE: &str = "/tensorboard.data.TensorBoardDataProvider/";
/// How long a server may take to start or to load a small log directory: far above what it
/// needs, so the tests wait for a state, not for a time.
const PATIENCE: Duration = Duration::from_secs(60);

/// A run `train` with scalars, a histogram, images and text; a run `eval` with scalars; a run
/// `broken` whose file is damaged after its fifth scalar.
fn logdir(dir: &Path) {
    let w = SummaryWriter::new(dir.join("train")).unwrap();
    for step in 0..20 {
        w.add_scalar("loss", 1.0 / (step as f64 + 1.0), step)
            .unwrap();
    }
    for step in [0, 10] {
        let h = HistogramProto {
            min: -1.0,
            max: 2.0,
            num: 3.0,
            bucket_limit: vec![0.0, 1.0, 2.0],
            bucket: vec![1.0, 1.0, 1.0],
            ..Default::default()
        };
        w.add_histogram_raw("weights", h, step).unwrap();
        let image = Image {
            height: 2,
            width: 3,
            colorspace: 3,
            encoded_image_string: format!("not really a png, step {step}").into_bytes(),
        };
        let summary = Summary {
            value: vec![summary::Value {
                tag: "sample".into(),
                value: Some(Value::Image(image)),
                ..Default::default()
            }],
        };
        w.add_summary(summary, step).unwrap();
    }
    w.add_text("notes", "hello", 3).unwrap();
    w.close().unwrap();
    let e = SummaryWriter::new(dir.join("eval")).unwrap();
    e.add_scalar("loss", 0.5, 7).unwrap();
    e.close().unwrap();
    let b = SummaryWriter::new(dir.join("broken")).unwrap();
    for step in 0..10 {
        b.add_scalar("loss", step as f64, step).unwrap();
    }
    b.close().unwrap();
    let mut reader = EventFileReader::open(b.file_path()).unwrap();
    for _ in 0..6 {
        reader.next().unwrap().unwrap();
    }
    let offset = reader.offset() as usize;
    let mut bytes = std::fs::read(b.file_path()).unwrap();
    bytes[offset + 14] ^= 0x20;
    std::fs::write(b.file_path(), bytes).unwrap();
}

/// The server, started with exactly the flags TensorBoard passes to a data server it spawns.
struct Server {
    child: Child,
    port: u16,
    _tmp: tempfile::TempDir,
}

impl Server {
    fn start(logdir: &Path, reload: &str) -> Server {
        let tmp = tempfile::tempdir().unwrap();
        let port_file = tmp.path().join("port");
        let error_file = tmp.path().join("startup_error");
        let child = Command::new(env!("CARGO_BIN_EXE_tfevents"))
            .arg(format!("--logdir={}", logdir.display()))
            .arg(format!("--reload={reload}"))
            .arg("--samples-per-plugin=")
            .arg("--port=0")
            .arg(format!("--port-file={}", port_file.display()))
            .arg("--die-after-stdin")
            .arg(format!("--error-file={}", error_file.display()))
            .arg("--verbose")
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let port = loop {
            let text = std::fs::read_to_string(&port_file).unwrap_or_default();
            if text.ends_with('\n') {
                break text.trim().parse().unwrap();
            }
            assert!(
                start.elapsed() < PATIENCE,
                "no port file; error file: {:?}",
                std::fs::read_to_string(&error_file)
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        Server {
            child,
            port,
            _tmp: tmp,
        }
    }

    /// Closes standard input, as TensorBoard exiting does, and waits for the server to end.
    fn stop(mut self) -> std::process::ExitStatus {
        drop(self.child.stdin.take());
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "the server outlived its standard input"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn connect(port: u16) -> Channel {
    Channel::from_shared(format!("http://127.0.0.1:{port}"))
        .unwrap()
        .connect()
        .await
        .unwrap()
}

async fn call<Q, R>(channel: &Channel, method: &str, request: Q) -> Result<R, Status>
where
    Q: prost::Message + Send + Sync + 'static,
    R: prost::Message + Default + Send + Sync + 'static,
{
    let mut grpc = tonic::client::Grpc::new(channel.clone());
    grpc.ready()
        .await
        .map_err(|e| Status::unknown(e.to_string()))?;
    let path = http::uri::PathAndQuery::try_from(format!("{SERVICE}{method}")).unwrap();
    let response = grpc
        .unary(
            tonic::Request::new(request),
            path,
            ProstCodec::<Q, R>::default(),
        )
        .await?;
    Ok(response.into_inner())
}

async fn read_blob(channel: &Channel, key: &str) -> Result<Vec<u8>, Status> {
    let mut grpc = tonic::client::Grpc::new(channel.clone());
    grpc.ready()
        .await
        .map_err(|e| Status::unknown(e.to_string()))?;
    let path = http::uri::PathAndQuery::try_from(format!("{SERVICE}ReadBlob")).unwrap();
    let request = ReadBlobRequest {
        blob_key: key.to_string(),
    };
    let codec = ProstCodec::<ReadBlobRequest, ReadBlobResponse>::default();
    let mut stream = grpc
        .server_streaming(tonic::Request::new(request), path, codec)
        .await?
        .into_inner();
    let mut blob = Vec::new();
    while let Some(chunk) = stream.message().await? {
        blob.extend(chunk.data);
    }
    Ok(blob)
}

fn read(plugin: &str, runs: Option<&[&str]>, tags: Option<&[&str]>) -> ReadRequest {
    let names = |n: &[&str]| NameFilter {
        names: n.iter().map(|s| s.to_string()).collect(),
    };
    ReadRequest {
        plugin_filter: Some(PluginFilter {
            plugin_name: plugin.into(),
        }),
        run_tag_filter: Some(RunTagFilter {
            runs: runs.map(names),
            tags: tags.map(names),
        }),
        downsample: Some(Downsample { num_points: 1000 }),
        ..Default::default()
    }
}

fn list(plugin: &str) -> ListRequest {
    ListRequest {
        plugin_filter: Some(PluginFilter {
            plugin_name: plugin.into(),
        }),
        ..Default::default()
    }
}

/// The scalars of `run`/`tag` as `(step, value)`, once at least `n` are served.
async fn scalars_when(channel: &Channel, run: &str, tag: &str, n: usize) -> Vec<(i64, f32)> {
    let start = Instant::now();
    loop {
        let res: ReadScalarsResponse = call(
            channel,
            "ReadScalars",
            read("scalars", Some(&[run]), Some(&[tag])),
        )
        .await
        .unwrap();
        let points: Vec<(i64, f32)> = res
            .runs
            .iter()
            .flat_map(|r| &r.tags)
            .filter_map(|t| t.value.as_ref())
            .flat_map(|d| d.step.iter().copied().zip(d.value.iter().copied()))
            .collect();
        if points.len() >= n {
            return points;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "{run}/{tag}: {} points served, want {n}",
            points.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[test]
fn every_rpc_answers_as_tensorboard_expects() {
    let dir = tempfile::tempdir().unwrap();
    logdir(dir.path());
    let server = Server::start(dir.path(), "once");
    runtime().block_on(async {
        let ch = connect(server.port).await;
        let exp: GetExperimentResponse =
            call(&ch, "GetExperiment", GetExperimentRequest::default())
                .await
                .unwrap();
        assert_eq!(exp.data_location, dir.path().display().to_string());

        let loss = scalars_when(&ch, "train", "loss", 20).await;
        assert_eq!(loss.len(), 20);
        assert_eq!(loss[4], (4, 0.2));
        assert_eq!(scalars_when(&ch, "eval", "loss", 1).await, [(7, 0.5)]);
        // The damaged file: the five scalars before the flipped byte.
        let broken = scalars_when(&ch, "broken", "loss", 5).await;
        assert_eq!(
            broken.iter().map(|p| p.0).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4]
        );

        let runs: ListRunsResponse = call(&ch, "ListRuns", ListRunsRequest::default())
            .await
            .unwrap();
        let mut names: Vec<&str> = runs.runs.iter().map(|r| r.name.as_str()).collect();
        names.sort();
        assert_eq!(names, ["broken", "eval", "train"]);
        assert!(runs.runs.iter().all(|r| r.start_time > 1e9));

        let plugins: ListPluginsResponse = call(&ch, "ListPlugins", ListPluginsRequest::default())
            .await
            .unwrap();
        let plugins: Vec<&str> = plugins.plugins.iter().map(|p| p.name.as_str()).collect();
        for p in ["histograms", "images", "scalars", "text"] {
            assert!(plugins.contains(&p), "{plugins:?}");
        }

        let listed: ListScalarsResponse = call(&ch, "ListScalars", list("scalars")).await.unwrap();
        let train = listed.runs.iter().find(|r| r.run_name == "train").unwrap();
        let meta = train.tags[0].value.as_ref().unwrap();
        assert_eq!(
            (train.tags[0].tag_name.as_str(), meta.max_step),
            ("loss", 19)
        );
        assert_eq!(
            meta.summary_metadata
                .as_ref()
                .and_then(|m| m.plugin_data.as_ref())
                .map(|p| p.plugin_name.as_str()),
            Some("scalars")
        );

        // Downsampling keeps the last point.
        let mut two = read("scalars", Some(&["train"]), None);
        two.downsample = Some(Downsample { num_points: 2 });
        let res: ReadScalarsResponse = call(&ch, "ReadScalars", two).await.unwrap();
        assert_eq!(res.runs[0].tags[0].value.as_ref().unwrap().step, [0, 19]);

        // Histograms are tensors of (left, right, count) rows.
        let tensors: ListTensorsResponse =
            call(&ch, "ListTensors", list("histograms")).await.unwrap();
        assert_eq!(tensors.runs[0].tags[0].value.as_ref().unwrap().max_step, 10);
        let res: ReadTensorsResponse = call(&ch, "ReadTensors", read("histograms", None, None))
            .await
            .unwrap();
        let data = res.runs[0].tags[0].value.as_ref().unwrap();
        assert_eq!(data.step, [0, 10]);
        let rows: Vec<f64> = data.value[0]
            .tensor_content
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
            .collect();
        assert_eq!(rows, [-1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 2.0, 1.0]);
        let text: ReadTensorsResponse = call(&ch, "ReadTensors", read("text", None, None))
            .await
            .unwrap();
        assert_eq!(text.runs[0].tags[0].value.as_ref().unwrap().step, [3]);

        // Images: width, height and the encoded bytes, read back from the file.
        let blobs: ListBlobSequencesResponse = call(&ch, "ListBlobSequences", list("images"))
            .await
            .unwrap();
        let meta = blobs.runs[0].tags[0].value.as_ref().unwrap();
        assert_eq!((meta.max_step, meta.max_length), (10, 3));
        let res: ReadBlobSequencesResponse =
            call(&ch, "ReadBlobSequences", read("images", None, None))
                .await
                .unwrap();
        let data = res.runs[0].tags[0].value.as_ref().unwrap();
        assert_eq!(data.step, [0, 10]);
        let keys: Vec<&str> = data.values[1]
            .blob_refs
            .iter()
            .map(|b| b.blob_key.as_str())
            .collect();
        assert_eq!(read_blob(&ch, keys[0]).await.unwrap(), b"3");
        assert_eq!(read_blob(&ch, keys[1]).await.unwrap(), b"2");
        assert_eq!(
            read_blob(&ch, keys[2]).await.unwrap(),
            b"not really a png, step 10"
        );

        // Unknown names: filters match nothing, blobs are NOT_FOUND, malformed requests are
        // INVALID_ARGUMENT; none of it stops the server.
        let none: ReadScalarsResponse =
            call(&ch, "ReadScalars", read("scalars", Some(&["nope"]), None))
                .await
                .unwrap();
        assert!(none.runs.is_empty());
        let none: ReadScalarsResponse =
            call(&ch, "ReadScalars", read("scalars", None, Some(&["nope"])))
                .await
                .unwrap();
        assert!(none.runs.is_empty());
        for key in ["", "zz", "6e6f7065", &keys[0].replace("00", "01")] {
            let err = read_blob(&ch, key).await.unwrap_err();
            assert_eq!(err.code(), Code::NotFound, "{key}: {err}");
        }
        let mut no_plugin = read("", None, None);
        no_plugin.plugin_filter = None;
        let err = call::<_, ReadScalarsResponse>(&ch, "ReadScalars", no_plugin)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        let mut no_downsample = read("scalars", None, None);
        no_downsample.downsample = None;
        let err = call::<_, ReadScalarsResponse>(&ch, "ReadScalars", no_downsample)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        let err = call::<_, ListRunsResponse>(&ch, "NoSuchMethod", ListRunsRequest::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::Unimplemented);
        let still: ListRunsResponse = call(&ch, "ListRuns", ListRunsRequest::default())
            .await
            .unwrap();
        assert_eq!(still.runs.len(), 3);
    });
    assert!(server.stop().success());
}

#[test]
fn reloads_read_new_events_files_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path().join("a")).unwrap();
    for step in 0..5 {
        w.add_scalar("x", step as f64, step).unwrap();
    }
    w.flush().unwrap();
    let server = Server::start(dir.path(), "1");
    runtime().block_on(async {
        let ch = connect(server.port).await;
        assert_eq!(scalars_when(&ch, "a", "x", 5).await.len(), 5);
        // The same file grows, and a new run appears.
        for step in 5..8 {
            w.add_scalar("x", step as f64, step).unwrap();
        }
        w.flush().unwrap();
        let b = SummaryWriter::new(dir.path().join("b")).unwrap();
        b.add_scalar("y", 1.0, 1).unwrap();
        b.close().unwrap();
        let a = scalars_when(&ch, "a", "x", 8).await;
        assert_eq!(
            a.iter().map(|p| p.0).collect::<Vec<_>>(),
            (0..8).collect::<Vec<_>>()
        );
        assert_eq!(scalars_when(&ch, "b", "y", 1).await, [(1, 1.0)]);
    });
    w.close().unwrap();
    assert!(server.stop().success());
}

fn serve_fails(args: &[&str]) -> (i32, String, String) {
    let tmp = tempfile::tempdir().unwrap();
    let error_file: PathBuf = tmp.path().join("err");
    let out = Command::new(env!("CARGO_BIN_EXE_tfevents"))
        .arg("serve")
        .args(args)
        .arg(format!("--error-file={}", error_file.display()))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let file = std::fs::read_to_string(&error_file).unwrap_or_default();
    (
        out.status.code().unwrap_or(-1),
        file,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_missing_logdir_is_a_startup_error() {
    let (code, file, stderr) = serve_fails(&["/no/such/logdir", "--port=0"]);
    assert_eq!(code, 8, "{stderr}");
    assert!(
        file.contains("/no/such/logdir") && file.contains("not a directory"),
        "{file}"
    );
}

#[test]
fn a_port_in_use_is_a_startup_error() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = tempfile::tempdir().unwrap();
    let logdir = dir.path().to_str().unwrap();
    let (code, file, stderr) = serve_fails(&[logdir, "--host=127.0.0.1", "--port", &port]);
    assert_eq!(code, 9, "{stderr}");
    assert!(file.contains(&port) && file.contains("--port"), "{file}");
}

#[test]
fn bad_flags_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let logdir = dir.path().to_str().unwrap();
    for bad in [
        ["--reload", "soon"],
        ["--samples-per-plugin", "scalars=many"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_tfevents"))
            .args(["serve", logdir])
            .args(bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(bad[1]), "{stderr}");
    }
}

#[test]
fn a_malformed_url_is_a_startup_error() {
    let (code, file, stderr) = serve_fails(&["nosuch://bucket/runs", "--port=0"]);
    assert_eq!(code, 8, "{stderr}");
    assert!(file.contains("nosuch://bucket/runs"), "{file}");
}
