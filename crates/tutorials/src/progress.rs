//! A progress display that works both on a terminal and in a log file.
//!
//! On a terminal it is an indicatif bar with the step count, the time left and a message (the
//! live loss). indicatif draws nothing when stderr is not a terminal, so a run whose output goes
//! to a file or a CI log would print nothing until it ends; there [`Progress`] writes one plain
//! line instead, at most every few seconds: `step 1200/20000 (6%) 0:00:31 elapsed, 0:08:05
//! left: D 1.201 G 0.873`.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// How often a plain progress line is written when the output is not a terminal.
pub const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// A progress bar on a terminal, plain lines every few seconds elsewhere.
pub struct Progress {
    bar: ProgressBar,
    plain: Option<Mutex<Plain>>,
}

/// State of the plain-line mode.
struct Plain {
    out: Box<dyn Write + Send>,
    every: Duration,
    start: Instant,
    /// When the last line was written (`None`: none yet, the first comes after `every`).
    last: Option<Instant>,
    len: u64,
    pos: u64,
    msg: String,
}

impl Plain {
    fn line(&self) -> String {
        let elapsed = self.start.elapsed();
        let pct = (self.pos * 100).checked_div(self.len).unwrap_or(100);
        let left = if self.pos == 0 {
            String::from("?")
        } else {
            let per = elapsed.as_secs_f64() / self.pos as f64;
            hms(per * self.len.saturating_sub(self.pos) as f64)
        };
        let mut s = format!(
            "step {}/{} ({pct}%) {} elapsed, {left} left",
            self.pos,
            self.len,
            hms(elapsed.as_secs_f64())
        );
        if !self.msg.is_empty() {
            s.push_str(": ");
            s.push_str(&self.msg);
        }
        s
    }

    /// Writes a line when `every` has passed since the last one (or since the start).
    fn maybe_write(&mut self) {
        let since = self.last.unwrap_or(self.start).elapsed();
        if since >= self.every {
            let line = self.line();
            // Progress is best effort: a closed pipe must not stop the training run.
            let _ = writeln!(self.out, "{line}");
            let _ = self.out.flush();
            self.last = Some(Instant::now());
        }
    }
}

/// `h:mm:ss`.
fn hms(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

impl Progress {
    /// A display for `len` steps: a bar when stderr is a terminal, else plain lines on
    /// stderr every [`PLAIN_EVERY`].
    pub fn new(len: u64) -> Self {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(len);
            if let Ok(style) = ProgressStyle::with_template(
                "{bar:30} {pos}/{len} [{elapsed_precise}<{eta_precise}] {msg}",
            ) {
                bar.set_style(style);
            }
            Progress { bar, plain: None }
        } else {
            Self::plain(len, Box::new(std::io::stderr()), PLAIN_EVERY)
        }
    }

    /// Plain lines to `out`, at most one per `every` (what [`Progress::new`] does when stderr
    /// is not a terminal; tests pass their own sink).
    pub fn plain(len: u64, out: Box<dyn Write + Send>, every: Duration) -> Self {
        Progress {
            bar: ProgressBar::hidden(),
            plain: Some(Mutex::new(Plain {
                out,
                every,
                start: Instant::now(),
                last: None,
                len,
                pos: 0,
                msg: String::new(),
            })),
        }
    }

    /// Advances by `n` steps.
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
        if let Some(p) = &self.plain {
            if let Ok(mut p) = p.lock() {
                p.pos = p.pos.saturating_add(n);
                p.maybe_write();
            }
        }
    }

    /// Sets the message shown after the counts (the live loss).
    pub fn set_message(&self, msg: impl Into<String>) {
        let msg = msg.into();
        if let Some(p) = &self.plain {
            if let Ok(mut p) = p.lock() {
                p.msg.clone_from(&msg);
            }
        }
        self.bar.set_message(msg);
    }

    /// Runs `f` (which prints) with the bar hidden, so its lines do not tear the bar.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    /// Ends the display: the bar is cleared; in plain mode a last line gives the totals.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
        if let Some(p) = &self.plain {
            if let Ok(mut p) = p.lock() {
                let line = p.line();
                let _ = writeln!(p.out, "{line}");
                let _ = p.out.flush();
            }
        }
    }
}
