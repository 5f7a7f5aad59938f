//! A process killed with SIGKILL loses nothing it flushed, and its file stays readable.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use tfevents::reader::{discover_runs, RunData};
use tfevents::SummaryWriter;

const FLUSHED: i64 = 5000;

/// The child's side: runs only when the parent test starts this binary with the variable set.
#[test]
fn crash_child_entry() {
    let Ok(dir) = std::env::var("TFEVENTS_CRASH_DIR") else {
        return;
    };
    let w = SummaryWriter::builder()
        .log_dir(dir)
        .flush_secs(3600.0)
        .build()
        .unwrap();
    for step in 0..FLUSHED {
        w.add_scalar("loss", step as f64, step).unwrap();
    }
    w.flush().unwrap();
    println!("flushed");
    // Keep logging, unflushed, until killed.
    let mut step = FLUSHED;
    loop {
        w.add_scalar("loss", step as f64, step).unwrap();
        step += 1;
        if step % 1000 == 0 {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
}

#[test]
fn sigkill_after_flush_loses_nothing_flushed() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "crash_child_entry",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("TFEVENTS_CRASH_DIR", dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    loop {
        let line = lines.next().expect("child ended before flushing").unwrap();
        if line.contains("flushed") {
            break;
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(50));
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let runs = discover_runs(dir.path()).unwrap();
    let data = RunData::read(&runs[0]).unwrap();
    let loss = &data.scalars["loss"];
    assert!(
        loss.len() as i64 >= FLUSHED,
        "only {} of {FLUSHED} flushed events",
        loss.len()
    );
    for (i, p) in loss.iter().enumerate() {
        assert_eq!(p.step, i as i64);
    }
}
