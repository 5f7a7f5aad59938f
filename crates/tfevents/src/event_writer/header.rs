//! The records every event file starts with.

use super::{now_secs, FILE_VERSION};
use crate::proto::{event, session_log, Event, SessionLog};
use crate::record::append_message;

/// Appends the `file_version` record TensorBoard checks first, at `step`.
pub(crate) fn append_file_version(out: &mut Vec<u8>, step: i64) {
    let version = Event {
        wall_time: now_secs(),
        step,
        what: Some(event::What::FileVersion(FILE_VERSION.to_string())),
        source_metadata: None,
    };
    append_message(out, &version);
}

/// A file's first records: its version and, when `purge_step` is set, a `SessionLog START` at
/// that step, so TensorBoard drops what an earlier, crashed run logged from there on.
pub(super) fn file_header(purge_step: Option<i64>) -> Vec<u8> {
    let step = purge_step.unwrap_or(0);
    let mut header = Vec::new();
    append_file_version(&mut header, step);
    if purge_step.is_some() {
        let start = Event {
            wall_time: now_secs(),
            step,
            what: Some(event::What::SessionLog(SessionLog {
                status: session_log::SessionStatus::Start as i32,
                checkpoint_path: String::new(),
                msg: String::new(),
            })),
            source_metadata: None,
        };
        append_message(&mut header, &start);
    }
    header
}
