//! SummaryWriter round trips through our reader, and its options.

use tfevents::proto::{event, session_log, summary};
use tfevents::reader::{discover_runs, EventFileReader, RunData};
use tfevents::{Error, SummaryWriter};

fn events(path: &std::path::Path) -> Vec<tfevents::proto::Event> {
    EventFileReader::open(path)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

#[test]
fn first_record_is_file_version_and_on_disk_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    // Before any flush, the header is already readable.
    let evs = events(w.file_path());
    assert_eq!(evs.len(), 1);
    assert_eq!(
        evs[0].what,
        Some(event::What::FileVersion("brain.Event:2".into()))
    );
    let name = w
        .file_path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let parts: Vec<&str> = name.split('.').collect();
    assert!(name.starts_with("events.out.tfevents."), "{name}");
    assert_eq!(parts[3].len(), 10, "10-digit seconds in {name}");
    assert_eq!(parts.last().copied(), Some(parts[parts.len() - 1]));
    assert!(
        name.contains(&format!(".{}.", std::process::id())),
        "{name}"
    );
}

#[test]
fn two_writers_in_one_second_never_collide() {
    let dir = tempfile::tempdir().unwrap();
    let a = SummaryWriter::new(dir.path()).unwrap();
    let b = SummaryWriter::new(dir.path()).unwrap();
    assert_ne!(a.file_path(), b.file_path());
}

#[test]
fn scalars_round_trip_with_f32_storage_and_explicit_wall_time() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    for step in 0..1000i64 {
        w.with_wall_time(1_700_000_000.0 + step as f64)
            .add_scalar("loss", 1.0 / (step as f64 + 1.0), step)
            .unwrap();
    }
    w.add_scalar("nan", f64::NAN, 0u8).unwrap();
    w.add_scalar("inf", f32::INFINITY, 0usize).unwrap();
    w.close().unwrap();
    let runs = discover_runs(dir.path()).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].name, ".");
    let data = RunData::read(&runs[0]).unwrap();
    let loss = &data.scalars["loss"];
    assert_eq!(loss.len(), 1000);
    for (i, p) in loss.iter().enumerate() {
        assert_eq!(p.step, i as i64);
        assert_eq!(p.wall_time, 1_700_000_000.0 + i as f64);
        assert_eq!(p.value, (1.0 / (i as f64 + 1.0)) as f32 as f64);
    }
    assert!(data.scalars["nan"][0].value.is_nan());
    assert_eq!(data.scalars["inf"][0].value, f64::INFINITY);
}

#[test]
fn add_scalars_uses_pytorch_sub_run_layout() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    for step in 0..3 {
        w.add_scalars(
            "data/group",
            [("a", step as f64), ("b", 2.0 * step as f64)],
            step,
        )
        .unwrap();
    }
    w.close().unwrap();
    let runs = discover_runs(dir.path()).unwrap();
    let names: Vec<_> = runs.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, [".", "data_group_a", "data_group_b"]);
    let b = RunData::read(&runs[2]).unwrap();
    let values: Vec<f64> = b.scalars["data/group"].iter().map(|p| p.value).collect();
    assert_eq!(values, [0.0, 2.0, 4.0]);
}

#[test]
fn text_uses_the_text_plugin() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    w.add_text("note", "hello **world**", 7).unwrap();
    w.flush().unwrap();
    let evs = events(w.file_path());
    let Some(event::What::Summary(s)) = &evs[1].what else {
        panic!("not a summary: {:?}", evs[1]);
    };
    let v = &s.value[0];
    assert_eq!(v.tag, "note/text_summary");
    let plugin = v.metadata.as_ref().unwrap().plugin_data.as_ref().unwrap();
    assert_eq!(plugin.plugin_name, "text");
    assert!(plugin.content.is_empty());
    let Some(summary::value::Value::Tensor(t)) = &v.value else {
        panic!("not a tensor")
    };
    assert_eq!(t.dtype, 7);
    assert_eq!(t.tensor_shape.as_ref().unwrap().dim[0].size, 1);
    assert_eq!(t.string_val, vec![b"hello **world**".to_vec()]);
}

#[test]
fn flush_puts_everything_on_disk_without_closing() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::builder()
        .log_dir(dir.path())
        .flush_secs(3600.0)
        .max_queue(1_000_000)
        .build()
        .unwrap();
    for step in 0..10_000 {
        w.add_scalar("x", step as f32, step).unwrap();
    }
    w.flush().unwrap();
    assert_eq!(events(w.file_path()).len(), 10_001);
    w.add_scalar("x", 1.0, 10_000).unwrap();
    w.flush().unwrap();
    assert_eq!(events(w.file_path()).len(), 10_002);
}

#[test]
fn small_queue_blocks_but_loses_nothing_across_threads() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::builder()
        .log_dir(dir.path())
        .max_queue(3)
        .build()
        .unwrap();
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let w = w.clone();
            std::thread::spawn(move || {
                for step in 0..500 {
                    w.add_scalar(&format!("thread{t}"), step as f64, step)
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    w.close().unwrap();
    let data = RunData::read(&discover_runs(dir.path()).unwrap()[0]).unwrap();
    for t in 0..4 {
        let s = &data.scalars[&format!("thread{t}")];
        assert_eq!(s.len(), 500);
        assert!(
            s.windows(2).all(|p| p[0].step < p[1].step),
            "order kept per thread"
        );
    }
}

#[test]
fn purge_step_writes_session_start_and_reader_applies_it() {
    let dir = tempfile::tempdir().unwrap();
    let first = SummaryWriter::new(dir.path()).unwrap();
    for step in 0..10 {
        first.add_scalar("loss", step as f64, step).unwrap();
    }
    first.close().unwrap();
    // TensorBoard reads a run's files in name order; names start with the creation second, so
    // a resumed run (a new process, later) sorts after the first. Make that true here too.
    let second = |p: &std::path::Path| {
        p.file_name()
            .unwrap()
            .to_string_lossy()
            .split('.')
            .nth(3)
            .unwrap()
            .to_string()
    };
    let first_second = second(first.file_path());
    while tfevents::event_writer::now_secs() as u64 == first_second.parse::<u64>().unwrap() {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let resumed = SummaryWriter::builder()
        .log_dir(dir.path())
        .purge_step(5)
        .build()
        .unwrap();
    let evs = events(resumed.file_path());
    assert_eq!(evs[0].step, 5);
    assert!(
        matches!(&evs[1].what, Some(event::What::SessionLog(l)) if l.status == session_log::SessionStatus::Start as i32)
    );
    for step in 5..8 {
        resumed
            .add_scalar("loss", 100.0 + step as f64, step)
            .unwrap();
    }
    resumed.close().unwrap();
    let data = RunData::read(&discover_runs(dir.path()).unwrap()[0]).unwrap();
    let got: Vec<(i64, f64)> = data.scalars["loss"]
        .iter()
        .map(|p| (p.step, p.value))
        .collect();
    assert_eq!(
        got,
        [
            (0, 0.0),
            (1, 1.0),
            (2, 2.0),
            (3, 3.0),
            (4, 4.0),
            (5, 105.0),
            (6, 106.0),
            (7, 107.0)
        ]
    );
}

#[test]
fn comment_and_suffix_follow_pytorch() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::builder()
        .log_dir(dir.path())
        .filename_suffix(".mysuffix")
        .build()
        .unwrap();
    assert!(w.file_path().to_string_lossy().ends_with(".mysuffix"));
    let default = tfevents::writer::default_log_dir("_test_tensorboard");
    let name = default.file_name().unwrap().to_string_lossy().into_owned();
    assert!(default.starts_with("runs"));
    assert!(name.ends_with("_test_tensorboard"), "{name}");
    // e.g. Nov22_14-03-59_host
    let b = name.as_bytes();
    assert!(
        b[0].is_ascii_uppercase() && b[5] == b'_' && b[8] == b'-' && b[11] == b'-',
        "{name}"
    );
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    assert!(matches!(
        w.add_scalar("", 1.0, 0),
        Err(Error::BadName { what: "tag", .. })
    ));
    assert!(matches!(
        w.add_scalar("x", 1.0, u64::MAX),
        Err(Error::InvalidArgument { name: "step", .. })
    ));
    let empty_sub_tag = w.add_scalars("g", [("", 1.0)], 0).unwrap_err();
    assert_eq!(empty_sub_tag.tag(), Some("g"));
    assert!(matches!(
        empty_sub_tag.kind(),
        Error::BadName { what: "tag", .. }
    ));
    let file = dir.path().join("a_file");
    std::fs::write(&file, b"x").unwrap();
    let err = SummaryWriter::new(&file).unwrap_err();
    assert!(err.to_string().contains("is a file"), "{err}");
    assert!(SummaryWriter::builder()
        .log_dir(dir.path())
        .max_queue(0)
        .build()
        .is_err());
    assert!(SummaryWriter::builder()
        .log_dir(dir.path())
        .flush_secs(f64::NAN)
        .build()
        .is_err());
}

#[test]
fn writing_after_close_is_an_error_and_keeps_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    w.add_scalar("x", 1.0, 0).unwrap();
    let clone = w.clone();
    w.close().unwrap();
    w.close().unwrap();
    assert!(matches!(clone.add_scalar("x", 2.0, 1), Err(Error::Closed)));
    assert_eq!(events(w.file_path()).len(), 2);
}

#[cfg(unix)]
#[test]
fn unwritable_log_dir_is_an_error() {
    if unsafe_is_root() {
        return; // root ignores permissions; nothing to test
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o500)).unwrap();
    assert!(SummaryWriter::new(ro.join("run")).is_err());
}

#[cfg(unix)]
fn unsafe_is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false)
}

#[cfg(target_os = "linux")]
#[test]
fn write_error_surfaces_on_the_next_call() {
    use tfevents::event_writer::{EventFileOptions, EventFileWriter};
    // /dev/full accepts opening but every write fails with ENOSPC.
    let result = EventFileWriter::create_at("/dev/full", EventFileOptions::default());
    // The header is written synchronously, so the failure shows at once.
    let err = result.unwrap_err();
    assert!(err.to_string().contains("/dev/full"), "{err}");
}

/// A sink that fails once after `fail_after` bytes, keeping what it accepted, like a disk that
/// fills up and is then cleaned.
#[derive(Clone)]
struct FlakySink {
    data: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    fail_after: std::sync::Arc<std::sync::Mutex<Option<usize>>>,
}

impl std::io::Write for FlakySink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut data = self.data.lock().unwrap();
        let mut fail = self.fail_after.lock().unwrap();
        if let Some(limit) = *fail {
            let room = limit.saturating_sub(data.len());
            if room == 0 {
                *fail = None;
                return Err(std::io::Error::new(
                    std::io::ErrorKind::StorageFull,
                    "disk full",
                ));
            }
            let n = room.min(buf.len());
            data.extend_from_slice(&buf[..n]);
            return Ok(n);
        }
        data.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl tfevents::event_writer::EventSink for FlakySink {
    fn truncate_to(&mut self, len: u64) -> std::io::Result<()> {
        self.data.lock().unwrap().truncate(len as usize);
        Ok(())
    }
}

#[test]
fn write_error_on_the_thread_is_sticky_and_keeps_the_file_readable() {
    use tfevents::event_writer::{EventFileOptions, EventFileWriter};
    use tfevents::proto::Event;
    let sink = FlakySink {
        data: Default::default(),
        fail_after: Default::default(),
    };
    let w =
        EventFileWriter::from_sink(Box::new(sink.clone()), "flaky", EventFileOptions::default())
            .unwrap();
    let header_len = sink.data.lock().unwrap().len();
    let scalar = |step: i64| Event {
        step,
        what: Some(event::What::Summary(
            tfevents::summary::scalar::scalar_summary("x", step as f64),
        )),
        ..Default::default()
    };
    w.add_event(&scalar(1)).unwrap();
    w.flush().unwrap();
    let good = sink.data.lock().unwrap().len();
    assert!(good > header_len);
    // The next batch fails halfway through a record.
    *sink.fail_after.lock().unwrap() = Some(good + 10);
    w.add_event(&scalar(2)).unwrap();
    let err = w.flush().unwrap_err();
    assert!(err.to_string().contains("disk full"), "{err}");
    // The partial record was cut off: the data is exactly the good prefix.
    assert_eq!(sink.data.lock().unwrap().len(), good);
    // The error is sticky, even after the disk recovered: nothing more is accepted, and the
    // file stays exactly the good prefix.
    assert!(matches!(
        w.add_event(&scalar(3)),
        Err(Error::Writer {
            accepted: 2,
            written: 1,
            ..
        })
    ));
    assert!(w.close().is_err());
    let bytes = sink.data.lock().unwrap().clone();
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), &bytes).unwrap();
    let steps: Vec<i64> = events(tmp.path()).iter().map(|e| e.step).collect();
    assert_eq!(steps, [0, 1]);
}

#[cfg(feature = "candle")]
#[test]
fn histograms_from_slices_and_tensors_round_trip() {
    use candle_core::{Device, Tensor};
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    let values: Vec<f32> = (0..1000).map(|i| (i as f32 - 500.0) / 100.0).collect();
    w.add_histogram("slice", &values[..], 0).unwrap();
    let t = Tensor::from_vec(values.clone(), (10, 100), &Device::Cpu).unwrap();
    w.add_histogram("tensor", &t, 0).unwrap();
    let empty: Vec<f32> = vec![];
    let err = w.add_histogram("empty", &empty[..], 0).unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
    let err = w
        .add_histogram("nan", &[1.0f32, f32::NAN][..], 0)
        .unwrap_err();
    assert!(err.to_string().contains("`nan`"), "names the tag: {err}");
    w.close().unwrap();
    let data = RunData::read(&discover_runs(dir.path()).unwrap()[0]).unwrap();
    let a = &data.histograms["slice"][0].histogram;
    let b = &data.histograms["tensor"][0].histogram;
    assert_eq!(a, b);
    assert_eq!(a.num, 1000.0);
    assert_eq!((a.min, a.max), (-5.0, 4.99f32 as f64));
    assert_eq!(a.bucket.iter().sum::<f64>(), 1000.0);
    // The logged data before the failing calls is intact.
    assert!(!data.histograms.contains_key("empty") && !data.histograms.contains_key("nan"));
}
