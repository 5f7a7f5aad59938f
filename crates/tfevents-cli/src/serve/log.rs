//! The server's messages on standard error: warnings always, progress with `--verbose`.

use std::sync::atomic::{AtomicU8, Ordering};

static VERBOSITY: AtomicU8 = AtomicU8::new(0);

/// Sets how much is said: 0 warnings only, 1 each load cycle, 2 more.
pub fn set_verbosity(level: u8) {
    VERBOSITY.store(level, Ordering::Relaxed);
}

/// A problem the server works around (a damaged file, an unreadable one).
pub fn warn(message: &str) {
    eprintln!("tfevents serve: warning: {message}");
}

/// Progress, shown with `--verbose`.
pub fn info(message: &str) {
    if VERBOSITY.load(Ordering::Relaxed) >= 1 {
        eprintln!("tfevents serve: {message}");
    }
}
