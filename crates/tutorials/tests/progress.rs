//! The progress display writes plain lines when the output is not a terminal.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tutorials::progress::Progress;

/// A `Write` whose bytes the test can read afterwards.
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Sink {
    fn lines(&self) -> Vec<String> {
        String::from_utf8(self.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    }
}

#[test]
fn plain_lines_carry_the_step_and_message() {
    let sink = Sink::default();
    let p = Progress::plain(4, Box::new(sink.clone()), Duration::ZERO);
    p.set_message("loss 0.5");
    p.inc(1);
    p.inc(1);
    let lines = sink.lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("step 1/4 (25%)"), "{}", lines[0]);
    assert!(lines[1].starts_with("step 2/4 (50%)"), "{}", lines[1]);
    assert!(lines[1].ends_with(": loss 0.5"), "{}", lines[1]);
    p.finish();
    assert!(sink.lines()[2].starts_with("step 2/4 (50%)"));
}

#[test]
fn plain_lines_are_rate_limited() {
    let sink = Sink::default();
    let p = Progress::plain(1000, Box::new(sink.clone()), Duration::from_secs(3600));
    for _ in 0..1000 {
        p.inc(1);
    }
    assert!(sink.lines().is_empty(), "{:?}", sink.lines());
    p.finish();
    let lines = sink.lines();
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].starts_with("step 1000/1000 (100%)"),
        "{}",
        lines[0]
    );
}
