//! MNIST in the IDX format (`train-images-idx3-ubyte.gz` ...), gzip-compressed or raw.
//!
//! The crate ships MNIST's 10,000 test digits under `data/mnist/` ([`Mnist::bundled`]) so
//! the examples run offline; [`Mnist::load_dir`] reads the standard full files instead.

use std::io::Read;
use std::path::{Path, PathBuf};

use candle_tensorboard::{Error, Result};

/// Magic number of an IDX file of unsigned bytes with 3 dimensions (images).
const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX file of unsigned bytes with 1 dimension (labels).
const LABELS_MAGIC: u32 = 0x0000_0801;

/// A set of 28x28 digits: pixels scaled to `[0, 1]`, row-major, and their labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Mnist {
    /// `len() * rows * cols` pixel values in `[0, 1]` (byte / 255).
    pub images: Vec<f32>,
    /// One label per image (0..=9 for MNIST).
    pub labels: Vec<u8>,
    /// Image height in pixels (28).
    pub rows: usize,
    /// Image width in pixels (28).
    pub cols: usize,
}

/// Reads a whole file, decompressing it when it starts with the gzip magic bytes.
pub fn read_maybe_gz(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| Error::io("decompress", path, e))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

fn be_u32(bytes: &[u8], at: usize, what: &str) -> Result<u32> {
    let b = bytes.get(at..at + 4).ok_or_else(|| {
        Error::invalid(
            "idx",
            format!(
                "{what}: file ends at byte {} inside the header",
                bytes.len()
            ),
        )
    })?;
    Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// Parses an IDX image file (magic 0x803): returns `(count, rows, cols, pixels)`.
pub fn parse_images(bytes: &[u8]) -> Result<(usize, usize, usize, &[u8])> {
    let magic = be_u32(bytes, 0, "images")?;
    if magic != IMAGES_MAGIC {
        return Err(Error::invalid(
            "idx",
            format!("images file has magic {magic:#010x}, expected {IMAGES_MAGIC:#010x}; is it a labels file or not IDX?"),
        ));
    }
    let n = be_u32(bytes, 4, "images")? as usize;
    let rows = be_u32(bytes, 8, "images")? as usize;
    let cols = be_u32(bytes, 12, "images")? as usize;
    let len = n
        .checked_mul(rows)
        .and_then(|v| v.checked_mul(cols))
        .ok_or_else(|| Error::invalid("idx", "image count times size overflows"))?;
    let data = bytes.get(16..16 + len).ok_or_else(|| {
        Error::invalid(
            "idx",
            format!(
                "images file is truncated: header says {n} images of {rows}x{cols} ({len} bytes) but {} bytes follow",
                bytes.len().saturating_sub(16)
            ),
        )
    })?;
    Ok((n, rows, cols, data))
}

/// Parses an IDX label file (magic 0x801).
pub fn parse_labels(bytes: &[u8]) -> Result<&[u8]> {
    let magic = be_u32(bytes, 0, "labels")?;
    if magic != LABELS_MAGIC {
        return Err(Error::invalid(
            "idx",
            format!("labels file has magic {magic:#010x}, expected {LABELS_MAGIC:#010x}; is it an images file or not IDX?"),
        ));
    }
    let n = be_u32(bytes, 4, "labels")? as usize;
    bytes.get(8..8 + n).ok_or_else(|| {
        Error::invalid(
            "idx",
            format!(
                "labels file is truncated: header says {n} labels but {} bytes follow",
                bytes.len().saturating_sub(8)
            ),
        )
    })
}

impl Mnist {
    /// Loads an images file and a labels file (each gz or raw), checking their counts agree.
    pub fn load(images: impl AsRef<Path>, labels: impl AsRef<Path>) -> Result<Self> {
        let img_bytes = read_maybe_gz(images.as_ref())?;
        let lbl_bytes = read_maybe_gz(labels.as_ref())?;
        Self::from_idx(&img_bytes, &lbl_bytes)
    }

    /// Builds the set from the bytes of an (uncompressed) images and labels IDX file.
    pub fn from_idx(images: &[u8], labels: &[u8]) -> Result<Self> {
        let (n, rows, cols, pixels) = parse_images(images)?;
        let labels = parse_labels(labels)?;
        if labels.len() != n {
            return Err(Error::invalid(
                "labels",
                format!(
                    "{} labels for {n} images; pass the labels file that goes with the images",
                    labels.len()
                ),
            ));
        }
        Ok(Mnist {
            images: pixels.iter().map(|&p| f32::from(p) / 255.0).collect(),
            labels: labels.to_vec(),
            rows,
            cols,
        })
    }

    /// Loads a directory holding the standard files: the first of `<prefix>-images-idx3-ubyte`
    /// (with or without `.gz`) for the prefixes `train`, `t10k`, `mnist-10k`, and
    /// its `-labels-idx1-ubyte` partner. `split` picks `train` first (`true`) or the test
    /// prefixes only (`false`).
    pub fn load_dir(dir: impl AsRef<Path>, train: bool) -> Result<Self> {
        let dir = dir.as_ref();
        let prefixes: &[&str] = if train {
            &["train", "t10k", "mnist-10k"]
        } else {
            &["t10k", "mnist-10k"]
        };
        for p in prefixes {
            for ext in [".gz", ""] {
                let img = dir.join(format!("{p}-images-idx3-ubyte{ext}"));
                let lbl = dir.join(format!("{p}-labels-idx1-ubyte{ext}"));
                if img.is_file() && lbl.is_file() {
                    return Self::load(img, lbl);
                }
            }
        }
        Err(Error::invalid(
            "dir",
            format!(
                "no MNIST files in {}; expected e.g. train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz",
                dir.display()
            ),
        ))
    }

    /// The directory of the digits shipped with the crate (`<crate>/data/mnist`).
    pub fn bundled_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data")
            .join("mnist")
    }

    /// The 10,000 digits shipped with the crate (MNIST's test files, `mnist-10k-*.gz`).
    pub fn bundled() -> Result<Self> {
        Self::load_dir(Self::bundled_dir(), false)
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// `true` when there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Pixels per image (`rows * cols`).
    pub fn image_size(&self) -> usize {
        self.rows * self.cols
    }

    /// The pixels of image `i`, or `None` past the end.
    pub fn image(&self, i: usize) -> Option<&[f32]> {
        let s = self.image_size();
        self.images.get(i * s..(i + 1) * s)
    }

    /// The set as tensors on `dev`: the images `(len, rows * cols)` in f32, the labels `(len,)`
    /// in u32 (what `candle_nn::loss::cross_entropy` takes).
    pub fn to_tensors(
        &self,
        dev: &candle_core::Device,
    ) -> candle_core::Result<(candle_core::Tensor, candle_core::Tensor)> {
        let images =
            candle_core::Tensor::from_slice(&self.images, (self.len(), self.image_size()), dev)?;
        let labels: Vec<u32> = self.labels.iter().map(|&l| u32::from(l)).collect();
        Ok((
            images,
            candle_core::Tensor::from_vec(labels, self.len(), dev)?,
        ))
    }

    /// The images `start..end` (clamped to the set) as a new set; split train and test with it.
    pub fn slice(&self, start: usize, end: usize) -> Mnist {
        let end = end.min(self.len());
        let start = start.min(end);
        let s = self.image_size();
        Mnist {
            images: self.images[start * s..end * s].to_vec(),
            labels: self.labels[start..end].to_vec(),
            rows: self.rows,
            cols: self.cols,
        }
    }
}

/// Encodes images (bytes) and labels as the two IDX files (uncompressed); used to write the
/// bundled subset and by tests.
pub fn encode_idx(
    n: usize,
    rows: usize,
    cols: usize,
    pixels: &[u8],
    labels: &[u8],
) -> (Vec<u8>, Vec<u8>) {
    let mut img = Vec::with_capacity(16 + pixels.len());
    for v in [IMAGES_MAGIC, n as u32, rows as u32, cols as u32] {
        img.extend_from_slice(&v.to_be_bytes());
    }
    img.extend_from_slice(pixels);
    let mut lbl = Vec::with_capacity(8 + labels.len());
    for v in [LABELS_MAGIC, labels.len() as u32] {
        lbl.extend_from_slice(&v.to_be_bytes());
    }
    lbl.extend_from_slice(labels);
    (img, lbl)
}
