//! The writer against failing sinks (disk full after N bytes, EIO, a sink or job that panics),
//! bad options and a disappearing log directory: errors are sticky and counted, what fits is
//! kept, nothing panics or hangs.

use std::io::{ErrorKind, Write};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use tfevents::event_writer::{EventFileOptions, EventFileWriter, EventSink};
use tfevents::proto::{event, Event};
use tfevents::reader::{discover_runs, EventFileReader, RunData};
use tfevents::{Error, SummaryWriter};

#[derive(Clone, Copy)]
/// Each variant: accept this many bytes in total, then fail.
enum Fault {
    /// Accept this many bytes in total, then ENOSPC.
    DiskFull(usize),
    /// Accept this many bytes, then every write fails with an I/O error.
    Eio(usize),
    /// Accept this many bytes, then panic.
    Panic(usize),
}

#[derive(Clone)]
struct FaultySink {
    data: Arc<Mutex<Vec<u8>>>,
    fault: Fault,
}

impl FaultySink {
    fn new(fault: Fault) -> Self {
        FaultySink {
            data: Arc::default(),
            fault,
        }
    }
    fn bytes(&self) -> Vec<u8> {
        self.data.lock().unwrap().clone()
    }
}

impl Write for FaultySink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut data = self.data.lock().unwrap();
        let limit = match self.fault {
            Fault::DiskFull(n) | Fault::Eio(n) | Fault::Panic(n) => n,
        };
        let room = limit.saturating_sub(data.len());
        if room == 0 {
            match self.fault {
                Fault::DiskFull(_) => {
                    return Err(std::io::Error::new(ErrorKind::StorageFull, "disk full"))
                }
                Fault::Eio(_) => return Err(std::io::Error::other("EIO")),
                Fault::Panic(_) => {
                    drop(data);
                    panic!("sink exploded")
                }
            }
        }
        // Like a kernel filling the last blocks of a disk: a short write, then the error.
        let n = room.min(buf.len());
        data.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl EventSink for FaultySink {
    fn truncate_to(&mut self, len: u64) -> std::io::Result<()> {
        self.data.lock().unwrap().truncate(len as usize);
        Ok(())
    }
}

fn scalar(step: i64) -> Event {
    Event {
        step,
        what: Some(event::What::Summary(
            tfevents::summary::scalar::scalar_summary("x", step as f64),
        )),
        ..Default::default()
    }
}

/// Steps of every event in `bytes`, and whether the bytes end exactly at a record boundary.
fn steps_of(bytes: &[u8]) -> (Vec<i64>, bool) {
    let mut reader = EventFileReader::from_reader(bytes, "mem");
    let steps = reader.by_ref().map(|e| e.unwrap().step).collect();
    (steps, reader.torn_tail().is_none())
}

/// Runs `f` on a thread and fails the test if it takes longer than 20 s (a hang).
fn within_deadline<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("the call hung (or panicked)")
}

fn options() -> EventFileOptions {
    EventFileOptions {
        max_queue: 1 << 20,
        flush_secs: 3600.0,
        ..Default::default()
    }
}

#[test]
fn disk_full_keeps_every_complete_record_of_a_batch_and_the_error_is_sticky() {
    // Room for the header and a few hundred scalars, then ENOSPC in the middle of a record.
    let sink = FaultySink::new(Fault::DiskFull(10_007));
    let w = EventFileWriter::from_sink(Box::new(sink.clone()), "full", options()).unwrap();
    // The writer thread may start writing while we add (it starts with a non-empty queue);
    // then the adds after the failure are refused. Either way `accepted` says so.
    let ok = (0..2048)
        .take_while(|&step| w.add_event(&scalar(step)).is_ok())
        .count() as u64;
    let err = w.flush().unwrap_err();
    let (steps, clean) = steps_of(&sink.bytes());
    assert!(clean, "the partial record was cut off");
    let kept = steps.len() as u64 - 1; // minus the header
    assert!(kept > 300, "only {kept} of the batch kept");
    assert_eq!(steps[1..], (0..kept as i64).collect::<Vec<_>>()[..]);
    match &err {
        Error::Writer {
            accepted,
            written,
            source,
            ..
        } => {
            assert_eq!((*accepted, *written), (ok, kept));
            assert_eq!(source.kind(), ErrorKind::StorageFull);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().contains(&format!("{kept} of {ok}")),
        "{err}"
    );
    // Sticky: every later call says so, and nothing more is accepted.
    for _ in 0..100 {
        assert!(matches!(w.flush(), Err(Error::Writer { .. })));
    }
    assert!(matches!(
        w.add_event(&scalar(9999)),
        Err(Error::Writer { accepted, .. }) if accepted == ok
    ));
    assert!(matches!(w.close(), Err(Error::Writer { .. })));
    assert_eq!(steps_of(&sink.bytes()).0.len() as u64, kept + 1);
}

#[test]
fn a_thread_that_ignores_errors_never_makes_flush_ok() {
    let sink = FaultySink::new(Fault::DiskFull(5_000));
    let w =
        Arc::new(EventFileWriter::from_sink(Box::new(sink.clone()), "full", options()).unwrap());
    let logger = {
        let w = Arc::clone(&w);
        std::thread::spawn(move || {
            for step in 0..200_000 {
                let _ = w.add_event(&scalar(step));
            }
        })
    };
    let mut oks_after_loss = 0;
    let mut saw_error = false;
    for _ in 0..200 {
        match w.flush() {
            Ok(()) if saw_error => oks_after_loss += 1,
            Ok(()) => {}
            Err(_) => saw_error = true,
        }
    }
    logger.join().unwrap();
    assert!(matches!(w.flush(), Err(Error::Writer { .. })));
    assert_eq!(oks_after_loss, 0);
}

#[test]
fn eio_is_reported_with_its_kind_by_flush_and_close() {
    let sink = FaultySink::new(Fault::Eio(200));
    let w = EventFileWriter::from_sink(Box::new(sink.clone()), "eio", options()).unwrap();
    for step in 0..50 {
        w.add_event(&scalar(step)).unwrap();
    }
    let err = w.close().unwrap_err();
    let Error::Writer {
        source,
        written,
        accepted,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(source.to_string(), "EIO");
    assert_eq!(*accepted, 50);
    let (steps, clean) = steps_of(&sink.bytes());
    assert!(clean);
    assert_eq!(steps.len() as u64, *written + 1);
}

#[test]
fn a_panicking_sink_is_reported_to_every_waiter_without_a_hang() {
    let sink = FaultySink::new(Fault::Panic(300));
    let w = Arc::new(
        EventFileWriter::from_sink(
            Box::new(sink.clone()),
            "panics",
            EventFileOptions {
                max_queue: 4,
                ..options()
            },
        )
        .unwrap(),
    );
    // Several threads block on the full queue while the sink panics.
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let w = Arc::clone(&w);
            std::thread::spawn(move || {
                let mut last = Ok(());
                for step in 0..1000 {
                    last = w.add_event(&scalar(t * 1000 + step));
                    if last.is_err() {
                        break;
                    }
                }
                last
            })
        })
        .collect();
    let results = within_deadline(move || {
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .collect::<Vec<_>>()
    });
    for r in results {
        let err = r.unwrap_err();
        assert!(err.to_string().contains("sink exploded"), "{err}");
    }
    let w2 = Arc::clone(&w);
    let err = within_deadline(move || w2.flush()).unwrap_err();
    assert!(err.to_string().contains("panicked"), "{err}");
    let err = within_deadline(move || w.close()).unwrap_err();
    assert!(matches!(err, Error::Writer { .. }));
    assert!(
        steps_of(&sink.bytes()).1,
        "the file still ends on a record boundary"
    );
}

#[test]
fn a_panicking_or_failing_deferred_job_is_reported_without_a_hang() {
    for panics in [true, false] {
        let sink = FaultySink::new(Fault::DiskFull(usize::MAX));
        let w =
            Arc::new(EventFileWriter::from_sink(Box::new(sink.clone()), "job", options()).unwrap());
        w.add_event(&scalar(1)).unwrap();
        w.add_deferred(
            Box::new(move || {
                if panics {
                    panic!("job exploded")
                }
                Err(Error::Encode {
                    what: "the test image",
                    source: "cannot encode".into(),
                })
            }),
            0,
        )
        .unwrap();
        let w2 = Arc::clone(&w);
        let err = within_deadline(move || w2.flush()).unwrap_err();
        let want = if panics {
            "job exploded"
        } else {
            "cannot encode"
        };
        assert!(err.to_string().contains(want), "{err}");
        assert!(matches!(
            err,
            Error::Writer {
                accepted: 2,
                written: 1,
                ..
            }
        ));
        assert!(w.add_event(&scalar(3)).is_err());
        assert_eq!(steps_of(&sink.bytes()).0, [0, 1]);
    }
}

#[test]
fn flush_secs_out_of_range_is_an_error_not_a_panic_or_a_spin() {
    let dir = tempfile::tempdir().unwrap();
    for secs in [1e20, 1e-9, 0.0, -1.0, f64::NAN, f64::INFINITY, f64::MAX] {
        let err = SummaryWriter::builder()
            .log_dir(dir.path().join("run"))
            .flush_secs(secs)
            .build()
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidArgument {
                    name: "flush_secs",
                    ..
                }
            ),
            "{secs}: {err}"
        );
    }
    // Nothing was created for the refused writers.
    assert!(!dir.path().join("run").exists());
    for secs in [0.01, 365.0 * 24.0 * 3600.0] {
        SummaryWriter::builder()
            .log_dir(dir.path())
            .flush_secs(secs)
            .build()
            .unwrap()
            .close()
            .unwrap();
    }
}

#[test]
fn non_finite_wall_time_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    for t in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(matches!(
            w.try_with_wall_time(t),
            Err(Error::BadNumber { what, .. }) if what == "wall_time"
        ));
        let handle = w.with_wall_time(t);
        assert!(matches!(
            handle.add_scalar("x", 1.0, 0),
            Err(Error::BadNumber { what, .. }) if what == "wall_time"
        ));
        assert!(handle.add_scalars("g", [("a", 1.0)], 0).is_err());
        assert!(handle.add_text("t", "x", 0).is_err());
    }
    w.try_with_wall_time(1.5)
        .unwrap()
        .add_scalar("x", 1.0, 0)
        .unwrap();
    w.close().unwrap();
    let data = RunData::read(&discover_runs(dir.path()).unwrap()[0]).unwrap();
    assert_eq!(data.scalars["x"].len(), 1);
    assert_eq!(data.scalars["x"][0].wall_time, 1.5);
    assert!(!data.scalars.contains_key("g"));
}

#[test]
fn empty_log_dir_is_an_error() {
    let err = SummaryWriter::new("").unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidArgument {
                name: "log_dir",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_failed_constructor_or_sub_run_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("new_run");
    assert!(SummaryWriter::builder()
        .log_dir(&run)
        .max_queue(0)
        .build()
        .is_err());
    assert!(SummaryWriter::builder()
        .log_dir(&run)
        .filename_suffix("/../escape")
        .build()
        .is_err());
    assert!(!run.exists());
    // A sub-run whose directory cannot be made: its path is taken by a file.
    let w = SummaryWriter::new(&run).unwrap();
    std::fs::write(run.join("g_a"), b"not a dir").unwrap();
    assert!(w.add_scalars("g", [("a", 1.0)], 0).is_err());
    w.close().unwrap();
    let runs = discover_runs(&run).unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].files.len(), 1);
}

#[test]
fn add_scalars_after_close_is_closed_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    w.add_scalars("g", [("a", 1.0)], 0).unwrap();
    w.close().unwrap();
    let clone = w.clone();
    assert!(matches!(
        clone.add_scalars("g", [("a", 2.0)], 1),
        Err(Error::Closed)
    ));
    assert!(matches!(
        clone.add_scalars("g", [("new", 2.0)], 1),
        Err(Error::Closed)
    ));
    assert!(matches!(clone.add_text("t", "x", 1), Err(Error::Closed)));
    assert!(matches!(clone.add_scalar("x", 1.0, 1), Err(Error::Closed)));
    assert!(!dir.path().join("g_new").exists());
    let runs = discover_runs(dir.path()).unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(RunData::read(&runs[1]).unwrap().scalars["g"].len(), 1);
}

#[test]
fn sub_run_tags_never_leave_the_log_directory() {
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("logs");
    let w = SummaryWriter::new(&dir).unwrap();
    w.add_scalars("../../up", [("../x", 1.0), ("a\\b/c", 2.0)], 0)
        .unwrap();
    w.close().unwrap();
    let outside: Vec<_> = std::fs::read_dir(outer.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(outside, ["logs"]);
    let names: Vec<String> = discover_runs(&dir)
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, [".", ".._.._up_.._x", ".._.._up_a_b_c"]);
}

#[test]
fn a_taken_name_from_another_process_takes_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let first = SummaryWriter::new(dir.path()).unwrap();
    let name = first
        .file_path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    // events.out.tfevents.<secs>.<host>.<pid>.<counter>; the host may itself hold dots.
    let (prefix, counter) = name.rsplit_once('.').unwrap();
    let counter: u64 = counter.parse().unwrap();
    let secs: u64 = prefix.split('.').nth(3).unwrap().parse().unwrap();
    let rest = prefix.splitn(5, '.').nth(4).unwrap();
    // Another process with our host name and pid (a container) took the next names, in this
    // second and the next.
    let mut taken = Vec::new();
    for s in [secs, secs + 1] {
        for c in counter + 1..counter + 20 {
            let p = dir
                .path()
                .join(format!("events.out.tfevents.{s:010}.{rest}.{c}"));
            std::fs::write(&p, b"").unwrap();
            taken.push(p);
        }
    }
    let second = SummaryWriter::new(dir.path()).unwrap();
    assert!(!taken.contains(&second.file_path().to_path_buf()));
    second.add_scalar("x", 1.0, 0).unwrap();
    second.close().unwrap();
    let evs: Vec<_> = EventFileReader::open(second.file_path())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(evs.len(), 2);
}

#[test]
fn a_deleted_log_directory_is_detected() {
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("run");
    let w = SummaryWriter::new(&dir).unwrap();
    w.add_scalar("x", 1.0, 0).unwrap();
    w.flush().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    w.add_scalar("x", 2.0, 1).unwrap();
    let err = w.flush().unwrap_err();
    match &err {
        Error::Writer {
            source,
            accepted,
            written,
            ..
        } => {
            assert_eq!(source.kind(), ErrorKind::NotFound, "{err}");
            assert_eq!((*accepted, *written), (2, 1));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("deleted"), "{err}");
    assert!(w.add_scalar("x", 3.0, 2).is_err());
    assert!(w.close().is_err());
}

#[test]
fn a_replaced_event_file_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    w.flush().unwrap();
    std::fs::remove_file(w.file_path()).unwrap();
    std::fs::write(w.file_path(), b"").unwrap();
    w.add_scalar("x", 2.0, 1).unwrap();
    assert!(matches!(w.flush(), Err(Error::Writer { .. })));
}

#[test]
fn fsync_option_flushes_and_closes() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::builder()
        .log_dir(dir.path())
        .fsync(true)
        .build()
        .unwrap();
    w.add_scalars("g", [("a", 1.0)], 0).unwrap();
    for step in 0..100 {
        w.add_scalar("x", step as f64, step).unwrap();
        if step % 10 == 0 {
            w.flush().unwrap();
        }
    }
    w.close().unwrap();
    let runs = discover_runs(dir.path()).unwrap();
    assert_eq!(RunData::read(&runs[0]).unwrap().scalars["x"].len(), 100);
}
