//! Helpers of the remote tests: the S3 server to use (or why the test is skipped) and a TCP
//! proxy that can "stop" and "restart" the server without losing its state.
#![allow(dead_code)]

use std::io;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tfevents::Error;

/// The S3 server the tests write to.
pub struct S3Target {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    /// `s3://<bucket>/tests`.
    pub url: String,
}

/// The server from `TFEVENTS_S3_ENDPOINT` (set by `eval "$(tools/start-s3.sh)"`), or `None`
/// after printing why `test` is skipped.
pub fn s3_target(test: &str) -> Option<S3Target> {
    match std::env::var("TFEVENTS_S3_ENDPOINT") {
        Ok(endpoint) if !endpoint.is_empty() => {
            let bucket =
                std::env::var("TFEVENTS_S3_BUCKET").unwrap_or_else(|_| "tfevents-test".into());
            Some(S3Target {
                endpoint,
                url: format!("s3://{bucket}/tests"),
            })
        }
        _ => {
            eprintln!(
                "SKIPPED {test}: TFEVENTS_S3_ENDPOINT is not set; run `eval \"$(tools/start-s3.sh)\"` \
                 first (or tools/ci-remote.sh)"
            );
            None
        }
    }
}

/// A prefix no other test run uses.
pub fn unique(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{name}-{}-{nanos}", std::process::id())
}

#[derive(Default)]
struct ProxyState {
    generation: u64,
    connections: Vec<TcpStream>,
}

/// Forwards 127.0.0.1:<port> to the S3 server; `stop` closes the port and cuts every open
/// connection, as a server that went down, and `restart` opens the same port again.
pub struct FlakyProxy {
    port: u16,
    upstream: String,
    state: Arc<Mutex<ProxyState>>,
    acceptor: Mutex<Option<JoinHandle<()>>>,
}

fn io_err(e: io::Error) -> Error {
    Error::io("proxy", "127.0.0.1", e)
}

impl FlakyProxy {
    /// Starts forwarding to `endpoint` (`http://host:port`).
    pub fn start(endpoint: &str) -> tfevents::Result<Self> {
        let upstream = endpoint
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").map_err(io_err)?;
        let port = listener.local_addr().map_err(io_err)?.port();
        let proxy = FlakyProxy {
            port,
            upstream,
            state: Arc::new(Mutex::new(ProxyState::default())),
            acceptor: Mutex::new(None),
        };
        proxy.spawn_acceptor(listener)?;
        Ok(proxy)
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn spawn_acceptor(&self, listener: TcpListener) -> tfevents::Result<()> {
        listener.set_nonblocking(true).map_err(io_err)?;
        let state = Arc::clone(&self.state);
        let upstream = self.upstream.clone();
        let generation = state.lock().map(|s| s.generation).unwrap_or(0);
        let handle = std::thread::spawn(move || loop {
            if state
                .lock()
                .map(|s| s.generation != generation)
                .unwrap_or(true)
            {
                return; // dropping the listener closes the port
            }
            match listener.accept() {
                Ok((client, _)) => {
                    let _ = client.set_nonblocking(false);
                    let Ok(server) = TcpStream::connect(&upstream) else {
                        continue;
                    };
                    if let Ok(mut guard) = state.lock() {
                        for stream in [&client, &server] {
                            if let Ok(clone) = stream.try_clone() {
                                guard.connections.push(clone);
                            }
                        }
                    }
                    pipe(&client, &server);
                    pipe(&server, &client);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        });
        if let Ok(mut slot) = self.acceptor.lock() {
            *slot = Some(handle);
        }
        Ok(())
    }

    /// Closes the port and cuts every connection.
    pub fn stop(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.generation += 1;
            for stream in state.connections.drain(..) {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
        if let Some(handle) = self.acceptor.lock().ok().and_then(|mut slot| slot.take()) {
            let _ = handle.join();
        }
    }

    /// Opens the same port again.
    pub fn restart(&self) -> tfevents::Result<()> {
        let mut last = None;
        for _ in 0..100 {
            match TcpListener::bind(("127.0.0.1", self.port)) {
                Ok(listener) => return self.spawn_acceptor(listener),
                Err(e) => {
                    last = Some(e);
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
        Err(io_err(
            last.unwrap_or_else(|| io::Error::other("cannot rebind")),
        ))
    }
}

impl Drop for FlakyProxy {
    fn drop(&mut self) {
        self.stop();
    }
}

fn pipe(from: &TcpStream, to: &TcpStream) {
    let (Ok(mut from), Ok(mut to)) = (from.try_clone(), to.try_clone()) else {
        return;
    };
    std::thread::spawn(move || {
        let _ = io::copy(&mut from, &mut to);
        let _ = to.shutdown(Shutdown::Write);
    });
}

/// Forwards 127.0.0.1:<port> to the S3 server, but a connection whose request carries
/// `pattern` (e.g. `partNumber=`, a part of a multipart upload) is stalled there: nothing more
/// of it goes up and no answer comes back, as a network that died mid-upload. Every stall is
/// counted, so a test can wait for one instead of sleeping.
pub struct StallProxy {
    port: u16,
    stalls: Arc<(Mutex<u32>, std::sync::Condvar)>,
}

impl StallProxy {
    /// Starts forwarding to `endpoint` (`http://host:port`).
    pub fn start(endpoint: &str, pattern: &'static [u8]) -> tfevents::Result<Self> {
        let upstream = endpoint
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").map_err(io_err)?;
        let port = listener.local_addr().map_err(io_err)?.port();
        let stalls = Arc::new((Mutex::new(0u32), std::sync::Condvar::new()));
        let counter = Arc::clone(&stalls);
        // Lives as long as the test process; the port closes with it.
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                pipe(&server, &client);
                forward_until(client, server, pattern, Arc::clone(&counter));
            }
        });
        Ok(StallProxy { port, stalls })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Waits until at least one connection was stalled, at most `limit`; whether one was.
    pub fn wait_for_stall(&self, limit: Duration) -> bool {
        let (count, changed) = &*self.stalls;
        let Ok(guard) = count.lock() else {
            return false;
        };
        changed
            .wait_timeout_while(guard, limit, |n| *n == 0)
            .map(|(n, _)| *n > 0)
            .unwrap_or(false)
    }
}

/// Copies `from` to `to` until `pattern` shows up, then swallows the rest.
fn forward_until(
    from: TcpStream,
    to: TcpStream,
    pattern: &'static [u8],
    stalls: Arc<(Mutex<u32>, std::sync::Condvar)>,
) {
    use std::io::{Read, Write};
    std::thread::spawn(move || {
        let (mut from, mut to) = (from, to);
        let mut buf = vec![0u8; 64 << 10];
        // The end of the previous read, so that a pattern split across two reads is seen.
        let mut tail: Vec<u8> = Vec::new();
        let mut stalled = false;
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if stalled {
                continue;
            }
            let mut window = std::mem::take(&mut tail);
            window.extend_from_slice(&buf[..n]);
            if window.windows(pattern.len()).any(|w| w == pattern) {
                stalled = true;
                let (count, changed) = &*stalls;
                if let Ok(mut count) = count.lock() {
                    *count += 1;
                }
                changed.notify_all();
                continue;
            }
            if to.write_all(&buf[..n]).is_err() {
                break;
            }
            let keep = pattern.len().min(window.len());
            tail = window.split_off(window.len() - keep);
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}
