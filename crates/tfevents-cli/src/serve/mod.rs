//! `tfevents serve`: a TensorBoard data provider (the gRPC service of TensorBoard's
//! `data_provider.proto`) over a log directory, so that stock TensorBoard shows it through us,
//! either connecting to it (`--grpc_data_provider`) or starting it itself
//! (`TENSORBOARD_DATA_SERVER_BINARY`, `--load_fast=true`).

mod args;
mod blob_key;
mod classify;
mod ingest;
mod log;
pub mod proto;
mod reservoir;
mod rpc;
mod sampling;
mod service;
mod source;
mod state;

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use args::Reload;
pub use args::{as_data_server, ServeArgs};

use super::cli::CliResult;

/// Exit status for a log directory that cannot be read (as TensorBoard's own data server).
const EXIT_BAD_LOGDIR: u8 = 8;
/// Exit status for an address that cannot be listened on.
const EXIT_CANNOT_LISTEN: u8 = 9;

/// Runs the server until it is killed (or standard input closes, with `--die-after-stdin`).
pub fn run(args: ServeArgs) -> CliResult {
    log::set_verbosity(args.verbose);
    let error_file = args.error_file.as_deref();
    let Some(logdir) = args.logdir().cloned() else {
        return Ok(startup_error(error_file, "no log directory given", 2));
    };
    // The first listing checks the directory before anything is promised to TensorBoard;
    // reading the events happens in the background.
    let source: Arc<dyn source::Source> =
        match source::Seam::open(&logdir).and_then(|s| source::Source::discover(&s).map(|_| s)) {
            Ok(s) => Arc::new(s),
            Err(e) => {
                return Ok(startup_error(
                    error_file,
                    &format!("cannot serve {logdir}: {e}"),
                    EXIT_BAD_LOGDIR,
                ))
            }
        };
    let store = Arc::new(state::Store::new(logdir.clone(), Arc::clone(&source)));
    let mut loader =
        ingest::Loader::new(source, args.samples_per_plugin.clone(), Arc::clone(&store));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let listener = match runtime.block_on(tokio::net::TcpListener::bind((
        args.host.as_str(),
        args.port,
    ))) {
        Ok(listener) => listener,
        Err(e) => {
            let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
                " (another server holds it: pick another --port, or --port 0 for any free one)"
            } else {
                ""
            };
            return Ok(startup_error(
                error_file,
                &format!("cannot listen on {}:{}: {e}{hint}", args.host, args.port),
                EXIT_CANNOT_LISTEN,
            ));
        }
    };
    let bound = listener.local_addr()?;
    match &args.port_file {
        Some(path) => write_port_file(path, bound.port())
            .map_err(|e| format!("cannot write the port to {}: {e}", path.display()))?,
        None => eprintln!("tfevents serve: serving {logdir} on {bound}"),
    }
    if args.die_after_stdin {
        std::thread::Builder::new()
            .name("stdin-watch".into())
            .spawn(die_after_stdin)?;
    }
    let reload = args.reload;
    std::thread::Builder::new()
        .name("loader".into())
        .spawn(move || load_forever(&mut loader, reload))?;
    let provider = service::DataProvider::new(store);
    runtime.block_on(
        tonic::transport::Server::builder()
            .add_service(provider)
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    )?;
    Ok(ExitCode::SUCCESS)
}

fn load_forever(loader: &mut ingest::Loader, reload: Reload) {
    loop {
        let start = Instant::now();
        match loader.reload() {
            Ok(done) => log::info(&format!(
                "load cycle: {} runs, {} new events in {:.3} s",
                done.runs,
                done.events,
                start.elapsed().as_secs_f64()
            )),
            // A log directory that vanishes or becomes unreadable after startup: keep
            // serving what was read and try again.
            Err(e) => log::warn(&format!("reload failed: {e}")),
        }
        match reload {
            Reload::Once => return,
            Reload::Every(pause) => std::thread::sleep(pause),
        }
    }
}

/// Reports a startup error where TensorBoard looks for it, and on standard error.
fn startup_error(error_file: Option<&Path>, message: &str, code: u8) -> ExitCode {
    if let Some(path) = error_file {
        if let Err(e) = std::fs::write(path, format!("{message}\n")) {
            eprintln!(
                "tfevents serve: cannot write the error to {}: {e}",
                path.display()
            );
        }
    }
    eprintln!("error: {message}");
    ExitCode::from(code)
}

/// Writes `port` and a newline in one write: TensorBoard polls the file until it ends with
/// the newline.
fn write_port_file(path: &Path, port: u16) -> std::io::Result<()> {
    let mut f = std::fs::File::create(path)?;
    f.write_all(format!("{port}\n").as_bytes())?;
    f.sync_all()
}

fn die_after_stdin() {
    let mut sink = [0u8; 4096];
    let mut stdin = std::io::stdin().lock();
    while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
    log::info("standard input closed: exiting");
    std::process::exit(0);
}
