//! The `tfevents` binary on a log directory with a damaged file: `ls` and `export` keep what is
//! readable, `check` still fails.

use std::path::Path;
use std::process::{Command, Output};

use tfevents::reader::EventFileReader;
use tfevents::SummaryWriter;

fn tfevents(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tfevents"))
        .args(args)
        .output()
        .unwrap()
}

/// A run of 200 scalars whose record of step 149 has a flipped byte, and a second, intact run.
fn damaged_logdir(dir: &Path) {
    let w = SummaryWriter::new(dir.join("bad")).unwrap();
    for step in 0..200 {
        w.add_scalar("loss", step as f64, step).unwrap();
    }
    w.close().unwrap();
    let mut reader = EventFileReader::open(w.file_path()).unwrap();
    // Skip the header and steps 0..149 to find where step 149's record starts.
    for _ in 0..150 {
        reader.next().unwrap().unwrap();
    }
    let offset = reader.offset() as usize;
    let mut bytes = std::fs::read(w.file_path()).unwrap();
    bytes[offset + 14] ^= 0x20;
    std::fs::write(w.file_path(), bytes).unwrap();
    let good = SummaryWriter::new(dir.join("good")).unwrap();
    good.add_scalar("acc", 0.5, 7).unwrap();
    good.close().unwrap();
}

#[test]
fn ls_lists_what_is_readable_and_notes_the_damage() {
    let dir = tempfile::tempdir().unwrap();
    damaged_logdir(dir.path());
    let out = tfevents(&["ls", dir.path().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("steps 0 to 148"), "{stdout}");
    assert!(stdout.contains("step 7"), "{stdout}");
    assert!(!stdout.contains("..="), "{stdout}");
    assert!(
        stdout.contains("damaged:") && stdout.contains("checksum"),
        "{stdout}"
    );
}

#[test]
fn export_keeps_the_records_before_the_damage_and_warns() {
    let dir = tempfile::tempdir().unwrap();
    damaged_logdir(dir.path());
    let out = tfevents(&["export", dir.path().to_str().unwrap()]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = json["runs"].as_array().unwrap();
    assert_eq!(runs[0]["run"], "bad");
    assert_eq!(runs[0]["scalars"]["loss"].as_array().unwrap().len(), 149);
    assert_eq!(runs[1]["scalars"]["acc"].as_array().unwrap().len(), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning:"));
    let csv = tfevents(&["export", dir.path().to_str().unwrap(), "--format", "csv"]);
    assert!(csv.status.success());
    assert_eq!(
        String::from_utf8_lossy(&csv.stdout).lines().count(),
        1 + 149 + 1
    );
}

#[test]
fn check_still_fails_on_the_damage() {
    let dir = tempfile::tempdir().unwrap();
    damaged_logdir(dir.path());
    let out = tfevents(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 passed, 1 failed"), "{stdout}");
}

#[test]
fn ls_follow_sees_a_live_run_grow() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    w.add_scalar("x", 1.0, 0).unwrap();
    w.flush().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_tfevents"))
        .args([
            "ls",
            dir.path().to_str().unwrap(),
            "--follow",
            "--interval",
            "0.05",
        ])
        .args(["--polls", "40"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    for step in 1..10 {
        w.add_scalar("x", step as f64, step).unwrap();
    }
    w.flush().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("step 0\n"), "{stdout}");
    assert!(stdout.contains("steps 0 to 9"), "{stdout}");
    w.close().unwrap();
}

#[test]
fn follow_options_need_follow_and_a_sane_interval() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    assert!(!tfevents(&["ls", d, "--polls", "1"]).status.success());
    assert!(!tfevents(&["ls", d, "--follow", "--interval", "1e-9"])
        .status
        .success());
    assert!(!tfevents(&["ls", d, "--follow", "--interval", "nan"])
        .status
        .success());
}

#[test]
fn export_follow_prints_each_new_row_once() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path().join("live")).unwrap();
    w.add_scalar("loss", 1.0, 0).unwrap();
    w.flush().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tfevents"))
        .args(["export", dir.path().to_str().unwrap(), "--format", "csv"])
        .args(["--follow", "--interval", "0.05", "--polls", "100000"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let wait_for = |want: &str, lines: &mut Vec<String>| {
        // Generous: the child may start slowly on a loaded machine; it is killed at the end.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while !lines.iter().any(|l| l.starts_with(want)) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => lines.push(line),
                Err(_) => panic!("no row `{want}` within 120 s; got {lines:?}"),
            }
        }
    };
    let mut lines = Vec::new();
    wait_for("live,loss,0,", &mut lines);
    for step in 1..5 {
        w.add_scalar("loss", step as f64 * 0.5, step).unwrap();
    }
    w.flush().unwrap();
    wait_for("live,loss,4,", &mut lines);
    child.kill().unwrap();
    child.wait().unwrap();
    w.close().unwrap();
    assert_eq!(lines[0], "run,tag,step,wall_time,value");
    let steps: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(
        steps,
        ["0", "1", "2", "3", "4"],
        "each row once, in order: {lines:?}"
    );
    assert!(lines[5].ends_with(",2"), "{}", lines[5]);
}

#[test]
fn export_follow_refuses_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = tfevents(&[
        "export",
        dir.path().to_str().unwrap(),
        "--follow",
        "--polls",
        "1",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("use --format csv with --follow"),
        "{stderr}"
    );
}

#[test]
fn file_urls_read_as_the_plain_path() {
    let dir = tempfile::tempdir().unwrap();
    damaged_logdir(dir.path());
    let path = dir.path().to_str().unwrap();
    let url = format!("file://{path}");
    for verb in ["ls", "export", "check"] {
        let by_path = tfevents(&[verb, path]);
        let by_url = tfevents(&[verb, &url]);
        assert_eq!(by_path.status.code(), by_url.status.code(), "{verb}");
        assert_eq!(
            String::from_utf8_lossy(&by_path.stdout),
            String::from_utf8_lossy(&by_url.stdout),
            "{verb}"
        );
    }
}

#[test]
fn malformed_log_directory_urls_are_clear_errors() {
    for bad in ["ftp://host/logs", "file://"] {
        for verb in ["ls", "export", "check"] {
            let out = tfevents(&[verb, bad]);
            assert!(!out.status.success(), "{verb} {bad}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains("expected a path"), "{verb} {bad}: {stderr}");
        }
    }
}

#[test]
fn check_lists_every_file_with_its_event_count() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path().join("a")).unwrap();
    for step in 0..3 {
        w.add_scalar("x", 1.0, step).unwrap();
    }
    w.close().unwrap();
    let out = tfevents(&["check", dir.path().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    // The file-version record and three scalars.
    assert!(
        stdout.starts_with("ok ") && stdout.contains("(4 events)"),
        "{stdout}"
    );
    assert!(stdout.contains("check: 1 passed, 0 failed"), "{stdout}");
}

/// `ls`, `export` and `check` on an `s3://` log directory, against the server from
/// `TFEVENTS_S3_ENDPOINT` (`eval "$(tools/start-s3.sh)"`); skipped without it.
#[cfg(feature = "remote")]
mod s3 {
    use super::tfevents;
    use tfevents::SummaryWriter;

    /// A fresh `s3://` log directory with runs `train` (steps 0..50 of `loss`) and `eval`
    /// (step 49 of `acc`), or `None` after saying why the test is skipped.
    fn s3_logdir(test: &str) -> Option<String> {
        let endpoint = std::env::var("TFEVENTS_S3_ENDPOINT").unwrap_or_default();
        if endpoint.is_empty() {
            eprintln!(
                "SKIPPED {test}: TFEVENTS_S3_ENDPOINT is not set; run \
                 `eval \"$(tools/start-s3.sh)\"` first (or tools/ci-remote.sh)"
            );
            return None;
        }
        let bucket = std::env::var("TFEVENTS_S3_BUCKET").unwrap_or_else(|_| "tfevents-test".into());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let url = format!("s3://{bucket}/cli-{test}-{}-{nanos}", std::process::id());
        let train = SummaryWriter::builder()
            .log_dir_url(format!("{url}/train"))
            .build()
            .unwrap();
        for step in 0..50 {
            train
                .add_scalar("loss", 1.0 / (step + 1) as f64, step)
                .unwrap();
            if step % 10 == 9 {
                train.flush().unwrap();
            }
        }
        train.close().unwrap();
        let eval = SummaryWriter::builder()
            .log_dir_url(format!("{url}/eval"))
            .build()
            .unwrap();
        eval.add_scalar("acc", 0.75, 49).unwrap();
        eval.close().unwrap();
        Some(url)
    }

    #[test]
    fn ls_lists_an_s3_log_directory() {
        let Some(url) = s3_logdir("ls") else { return };
        let out = tfevents(&["ls", &url]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}");
        assert!(stdout.contains("steps 0 to 49"), "{stdout}");
        assert!(stdout.contains("step 49"), "{stdout}");
        let runs: Vec<&str> = stdout.lines().filter(|l| !l.starts_with(' ')).collect();
        assert_eq!(runs.len(), 2, "{stdout}");
        assert!(
            runs[0].starts_with("eval ") && runs[1].starts_with("train "),
            "{stdout}"
        );
        // --follow polls the store too.
        let follow = tfevents(&["ls", &url, "--follow", "--interval", "0.01", "--polls", "2"]);
        assert!(follow.status.success());
        assert_eq!(String::from_utf8_lossy(&follow.stdout), stdout);
    }

    #[test]
    fn export_reads_an_s3_log_directory() {
        let Some(url) = s3_logdir("export") else {
            return;
        };
        let out = tfevents(&["export", &url]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let runs = json["runs"].as_array().unwrap();
        assert_eq!(runs[0]["run"], "eval");
        assert_eq!(runs[1]["run"], "train");
        let loss = runs[1]["scalars"]["loss"].as_array().unwrap();
        assert_eq!(loss.len(), 50);
        assert_eq!(loss[3][0], 3);
        assert_eq!(loss[3][2], 0.25);
        let csv = tfevents(&["export", &url, "--format", "csv"]);
        assert!(csv.status.success());
        let text = String::from_utf8_lossy(&csv.stdout);
        assert_eq!(text.lines().count(), 1 + 50 + 1, "{text}");
        assert!(text.contains("\ntrain,loss,3,"), "{text}");
        let follow = tfevents(&[
            "export",
            &url,
            "--format",
            "csv",
            "--follow",
            "--interval",
            "0.01",
            "--polls",
            "2",
        ]);
        assert!(follow.status.success());
        assert_eq!(String::from_utf8_lossy(&follow.stdout), text);
    }

    #[test]
    fn check_verifies_an_s3_log_directory() {
        let Some(url) = s3_logdir("check") else {
            return;
        };
        let out = tfevents(&["check", &url]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}");
        assert!(stdout.contains(&format!("ok {url}/train/")), "{stdout}");
        assert!(stdout.contains(" 0 failed"), "{stdout}");
        let missing = tfevents(&["check", &format!("{url}-nothing-here")]);
        assert!(missing.status.success());
        assert!(String::from_utf8_lossy(&missing.stdout).contains("check: 0 passed, 0 failed"));
    }
}
