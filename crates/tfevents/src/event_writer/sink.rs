//! Where the writer's bytes go ([`EventSink`]), and calling a sink so that neither its panics
//! nor its short writes can corrupt the file or take the writer thread down.

use std::fs::File;
use std::io::Write;

/// Where an [`EventFileWriter`](super::EventFileWriter) puts its bytes: a file, or anything
/// else that can also cut a partly written record off after a failed write.
///
/// The writer thread survives a sink that panics: the panic is reported to every caller as an
/// [`Error::Writer`](crate::Error::Writer) and the sink is not called again.
pub trait EventSink: Write + Send + 'static {
    /// Cuts the output back to its first `len` bytes and continues writing from there.
    fn truncate_to(&mut self, len: u64) -> std::io::Result<()>;

    /// Makes everything written so far durable (for a file: `fsync`), when the writer was built
    /// with [`EventFileOptions::fsync`](super::EventFileOptions::fsync). The default does
    /// nothing.
    fn sync(&mut self) -> std::io::Result<()> {
        Ok(())
    }

    /// Checks, before each write, that the output is still where readers look for it; an `Err`
    /// (e.g. the file was deleted) stops the writer. The default checks nothing.
    fn check(&mut self) -> std::io::Result<()> {
        Ok(())
    }

    /// Called once when the writer closes (or is dropped), after its last write and flush: a
    /// sink that holds data back (the `remote` feature's object-store segments) delivers it
    /// here, in a time it bounds itself. An `Err` becomes the writer's sticky error, which
    /// `close()` returns and a drop prints. The default holds nothing back.
    fn finish(&mut self) -> std::io::Result<()> {
        Ok(())
    }

    /// Events written to this sink that it did not store after all (see
    /// [`finish`](Self::finish)); taken off the `written` count of the writer's error. The
    /// default loses nothing.
    fn events_lost(&self) -> u64 {
        0
    }
}

impl EventSink for File {
    fn truncate_to(&mut self, len: u64) -> std::io::Result<()> {
        self.set_len(len)?;
        std::io::Seek::seek(self, std::io::SeekFrom::Start(len)).map(|_| ())
    }

    fn sync(&mut self) -> std::io::Result<()> {
        self.sync_data()
    }
}

/// Runs a sink call, turning a panic into an error so that one bad sink cannot take the writer
/// thread (and every caller waiting on it) down.
pub(super) fn guarded<T>(f: impl FnOnce() -> std::io::Result<T>) -> std::io::Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(panic) => Err(std::io::Error::other(format!(
            "the event sink panicked: {}",
            panic_message(&panic)
        ))),
    }
}

/// The text a panic was raised with, when it has one.
pub(super) fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".into()
    }
}

/// Writes `buf`, returning on error how many bytes the sink accepted before it failed.
pub(super) fn write_counted(
    sink: &mut dyn EventSink,
    buf: &[u8],
) -> Result<(), (usize, std::io::Error)> {
    let mut done = 0;
    while let Some(rest) = buf.get(done..).filter(|rest| !rest.is_empty()) {
        match guarded(|| sink.write(rest)) {
            Ok(0) => {
                return Err((
                    done,
                    std::io::Error::new(std::io::ErrorKind::WriteZero, "the sink took no bytes"),
                ))
            }
            Ok(n) => done += n.min(rest.len()),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err((done, e)),
        }
    }
    Ok(())
}
