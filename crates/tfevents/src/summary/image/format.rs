//! [`DataFormat`]: which tensor axis holds the batch, channels, rows and columns.

use std::fmt;
use std::str::FromStr;

use crate::{Error, Result};

/// The layout of an image tensor: which axis holds the batch (`N`), channels (`C`), rows (`H`)
/// and columns (`W`).
///
/// The common layouts are constants ([`DataFormat::CHW`], the default, [`DataFormat::HWC`],
/// [`DataFormat::HW`], [`DataFormat::NCHW`], [`DataFormat::NHWC`]); any other order torch's
/// `convert_to_HWC` accepts comes from [`DataFormat::parse`] (or `"WHC".parse()`): two letters
/// `H`, `W`; three letters `C`, `H`, `W`; four letters `N`, `C`, `H`, `W`; each once, in any
/// order, upper or lower case. The number of letters must equal the tensor's rank.
///
/// ```
/// use tfevents::summary::image::DataFormat;
/// let f: DataFormat = "hwc".parse()?;
/// assert_eq!(f, DataFormat::HWC);
/// assert_eq!(DataFormat::parse("WHC")?.to_string(), "WHC");
/// assert!(DataFormat::parse("CHH").is_err());
/// # Ok::<(), tfevents::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataFormat {
    /// The axis letters in order, upper case; only the first `rank` are used.
    letters: [u8; 4],
    rank: u8,
}

impl DataFormat {
    /// Channels, height, width: PyTorch's default for `add_image`.
    pub const CHW: DataFormat = DataFormat::new_unchecked(*b"CHW_", 3);
    /// Height, width, channels: numpy / PIL / `image` crate order.
    pub const HWC: DataFormat = DataFormat::new_unchecked(*b"HWC_", 3);
    /// Height, width: a grey image.
    pub const HW: DataFormat = DataFormat::new_unchecked(*b"HW__", 2);
    /// Batch, channels, height, width: PyTorch's default for `add_images`.
    pub const NCHW: DataFormat = DataFormat::new_unchecked(*b"NCHW", 4);
    /// Batch, height, width, channels.
    pub const NHWC: DataFormat = DataFormat::new_unchecked(*b"NHWC", 4);

    const fn new_unchecked(letters: [u8; 4], rank: u8) -> Self {
        DataFormat { letters, rank }
    }

    /// Parses a format such as `"CHW"`, `"hwc"`, `"WH"` or `"NHWC"`.
    ///
    /// Errors name the problem: a repeated letter, a letter that is not one of `N`, `C`, `H`,
    /// `W`, a missing axis, or a length other than 2, 3 or 4.
    pub fn parse(format: &str) -> Result<Self> {
        let upper = format.to_ascii_uppercase();
        let bytes = upper.as_bytes();
        let needed: &[u8] = match bytes.len() {
            2 => b"HW",
            3 => b"CHW",
            4 => b"NCHW",
            _ => {
                return Err(bad_format(format,
                    format!(
                        "it has {} letters; use 2 (HW), 3 (e.g. CHW, HWC) or 4 (e.g. NCHW, NHWC) letters, one per tensor dimension",
                        format.chars().count()
                    ),
                ))
            }
        };
        let mut letters = *b"____";
        for (i, &b) in bytes.iter().enumerate() {
            if !needed.contains(&b) {
                return Err(bad_format(
                    format,
                    format!(
                        "it contains `{}`; a {}-letter format uses only the letters {}",
                        b as char,
                        bytes.len(),
                        String::from_utf8_lossy(needed)
                    ),
                ));
            }
            if bytes[..i].contains(&b) {
                return Err(bad_format(
                    format,
                    format!(
                        "it uses `{}` twice; name each dimension once, e.g. {}",
                        b as char,
                        String::from_utf8_lossy(needed)
                    ),
                ));
            }
            letters[i] = b;
        }
        // Distinct letters from a set of the same size: every axis is present.
        Ok(DataFormat {
            letters,
            rank: bytes.len() as u8,
        })
    }

    /// The number of tensor dimensions this format describes (2, 3 or 4).
    #[must_use]
    pub fn rank(&self) -> usize {
        self.rank as usize
    }

    /// The format's letters, e.g. `"CHW"`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // The letters are ASCII by construction.
        std::str::from_utf8(&self.letters[..self.rank()]).unwrap_or("")
    }

    /// Whether this is a batch format (four letters, with `N`).
    #[must_use]
    pub fn is_batch(&self) -> bool {
        self.rank == 4
    }

    /// Position of `axis` in the format, if present.
    pub(super) fn position(&self, axis: u8) -> Option<usize> {
        self.letters[..self.rank()].iter().position(|&b| b == axis)
    }
}

/// [`Error::BadDataFormat`] for `format`.
pub(super) fn bad_format(format: &str, reason: String) -> Error {
    Error::BadDataFormat {
        format: format.to_string(),
        reason,
    }
}

impl Default for DataFormat {
    /// [`DataFormat::CHW`], as PyTorch's `add_image`.
    fn default() -> Self {
        DataFormat::CHW
    }
}

impl fmt::Display for DataFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for DataFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataFormat({})", self.as_str())
    }
}

impl FromStr for DataFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        DataFormat::parse(s)
    }
}

impl TryFrom<&str> for DataFormat {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self> {
        DataFormat::parse(s)
    }
}
