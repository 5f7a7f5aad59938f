//! The one rule for caller-given names that become paths below a log directory: sub-runs of
//! `add_scalars` and `add_hparams_with`, the runs of [`RankWriter`](super::RankWriter),
//! file-name suffixes. A name either stays inside the log directory on every platform, or is
//! an [`Error::UnsafePath`] before anything is created.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The longest path component, in bytes: the file-name limit of ext4, XFS, APFS and (in
/// UTF-16 units, which never exceed the UTF-8 bytes) NTFS.
pub const MAX_NAME_BYTES: usize = 255;

/// The longest run name, in bytes, all components together: short enough that a log
/// directory plus the name stays under Windows' long-path and Linux's 4096-byte `PATH_MAX`.
pub const MAX_RUN_NAME_BYTES: usize = 1024;

/// Checks a relative name of `/`-separated components that will be joined below a log
/// directory, e.g. `"trial_3"` or `"sweep/lr_0.1"`. Unicode is fine.
///
/// Refused, as [`Error::UnsafePath`]: an empty name or component (`"a//b"`, a trailing `/`),
/// an absolute path (`"/abs"`), `.` and `..` components, NUL, backslashes (a separator on
/// Windows), a Windows drive prefix (`"C:"`, `"c:x"`), a component over [`MAX_NAME_BYTES`]
/// or a name over [`MAX_RUN_NAME_BYTES`].
///
/// ```
/// use tfevents::writer::check_run_name;
/// assert!(check_run_name("sweep/lr_0.1").is_ok());
/// assert!(check_run_name("学习率=0.1").is_ok());
/// assert!(check_run_name("../escape").is_err());
/// assert!(check_run_name("/etc").is_err());
/// ```
pub fn check_run_name(name: &str) -> Result<()> {
    let unsafe_path = |reason| {
        Err(Error::UnsafePath {
            name: name.to_string(),
            reason,
        })
    };
    if name.is_empty() {
        return unsafe_path("the name is empty");
    }
    if name.len() > MAX_RUN_NAME_BYTES {
        return unsafe_path("the name is over 1024 bytes (MAX_RUN_NAME_BYTES)");
    }
    if name.starts_with('/') {
        return unsafe_path("an absolute path leaves the log directory");
    }
    if let Err(reason) = check_characters(name) {
        return unsafe_path(reason);
    }
    if has_drive_prefix(name) {
        return unsafe_path("a Windows drive prefix such as `C:` leaves the log directory");
    }
    for component in name.split('/') {
        match component {
            "" => return unsafe_path("a path component is empty (`//` or a trailing `/`)"),
            "." => return unsafe_path("a `.` component names the log directory itself"),
            ".." => return unsafe_path("a `..` component leaves the log directory"),
            c if c.len() > MAX_NAME_BYTES => {
                return unsafe_path("a path component is over 255 bytes (MAX_NAME_BYTES)")
            }
            _ => {}
        }
    }
    Ok(())
}

/// `log_dir` joined with `name`, once [`check_run_name`] accepts `name`.
///
/// ```
/// use std::path::Path;
/// use tfevents::writer::run_dir;
/// # fn main() -> tfevents::Result<()> {
/// assert_eq!(run_dir(Path::new("runs/a"), "trial_3")?, Path::new("runs/a/trial_3"));
/// assert!(run_dir(Path::new("runs/a"), "a/../../b").is_err());
/// # Ok(()) }
/// ```
pub fn run_dir(log_dir: &Path, name: &str) -> Result<PathBuf> {
    check_run_name(name)?;
    Ok(name
        .split('/')
        .fold(log_dir.to_path_buf(), |dir, c| dir.join(c)))
}

/// Checks text that becomes part of one file name (PyTorch's `filename_suffix`): no separator
/// of any platform, no NUL, no drive prefix, at most [`MAX_NAME_BYTES`]. An empty part is
/// fine (nothing is appended).
///
/// ```
/// use tfevents::writer::check_file_name_part;
/// assert!(check_file_name_part(".v2").is_ok());
/// assert!(check_file_name_part("/../x").is_err());
/// ```
pub fn check_file_name_part(part: &str) -> Result<()> {
    let unsafe_path = |reason| {
        Err(Error::UnsafePath {
            name: part.to_string(),
            reason,
        })
    };
    if part.len() > MAX_NAME_BYTES {
        return unsafe_path("a file name part is over 255 bytes (MAX_NAME_BYTES)");
    }
    if part.contains('/') {
        return unsafe_path("a `/` in a file name part makes it a path");
    }
    if let Err(reason) = check_characters(part) {
        return unsafe_path(reason);
    }
    if has_drive_prefix(part) {
        return unsafe_path("a Windows drive prefix such as `C:` leaves the log directory");
    }
    Ok(())
}

/// The characters no name may hold on any platform we write to.
fn check_characters(name: &str) -> std::result::Result<(), &'static str> {
    if name.contains('\0') {
        return Err("NUL cannot be in a file name");
    }
    if name.contains('\\') {
        return Err("a backslash is a path separator on Windows");
    }
    Ok(())
}

/// `C:` at the start: on Windows a drive (`C:x` is relative to that drive's current directory).
fn has_drive_prefix(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(name: &str) -> &'static str {
        match check_run_name(name) {
            Err(Error::UnsafePath { reason, .. }) => reason,
            other => panic!("{name:?} gave {other:?}"),
        }
    }

    #[test]
    fn the_traversal_corpus_is_refused() {
        let long_component = "a".repeat(MAX_NAME_BYTES + 1);
        let long_name = ["b"; 600].join("/");
        let corpus = [
            "",
            ".",
            "..",
            "../x",
            "x/..",
            "a/../../b",
            "a/./b",
            "/abs",
            "//server/share",
            "a//b",
            "a/",
            "nul\0byte",
            "back\\slash",
            "..\\..\\x",
            "C:\\x",
            "C:x",
            "c:/x",
            long_component.as_str(),
            long_name.as_str(),
        ];
        for name in corpus {
            assert!(
                matches!(check_run_name(name), Err(Error::UnsafePath { .. })),
                "{name:?} was accepted"
            );
        }
        assert!(reason("a/../../b").contains("`..`"));
        assert!(reason("/abs").contains("absolute"));
        assert!(reason("C:\\x").contains("backslash"));
        assert!(reason("C:x").contains("drive"));
    }

    #[test]
    fn plain_and_unicode_names_are_joined_below_the_log_directory() {
        let base = Path::new("runs/base");
        for name in [
            "trial_3",
            "sweep/lr_0.1",
            "lr:0.1,bs=32",
            "学习率",
            "ü/é/🙂",
            "..hidden",
            "a..b",
            "x.",
            "a".repeat(MAX_NAME_BYTES).as_str(),
        ] {
            let dir = run_dir(base, name).unwrap();
            assert!(dir.starts_with(base), "{name:?} -> {}", dir.display());
            assert!(
                dir.components().count() > base.components().count(),
                "{name:?} did not go below the log directory"
            );
        }
        assert_eq!(
            run_dir(base, "a/b").unwrap(),
            Path::new("runs/base").join("a").join("b")
        );
    }

    #[test]
    fn file_name_parts_refuse_separators_and_long_text() {
        assert!(check_file_name_part("").is_ok());
        assert!(check_file_name_part(".gpu0").is_ok());
        for part in ["/x", "a/b", "a\\b", "a\0b", "C:", "s".repeat(256).as_str()] {
            assert!(
                matches!(check_file_name_part(part), Err(Error::UnsafePath { .. })),
                "{part:?} was accepted"
            );
        }
    }
}
