//! The embedding projector's files, as PyTorch's `add_embedding` writes them.
//!
//! The projector reads no events: it reads, per run, `projector_config.pbtxt` (a text-format
//! `ProjectorConfig` of `tensorboard/plugins/projector/projector_config.proto`) and the files it
//! names. PyTorch lays an embedding out as
//!
//! ```text
//! <run>/projector_config.pbtxt          one `embeddings { ... }` block per embedding
//! <run>/<step, 5 digits>/<tag>/tensors.tsv   one row per point, values joined by tabs
//! <run>/<step, 5 digits>/<tag>/metadata.tsv  one label per row (a header row if several columns)
//! <run>/<step, 5 digits>/<tag>/sprite.png    the label images tiled in a square
//! ```
//!
//! The functions here build those files' bytes, with no I/O; [`SummaryWriter::add_embedding`](crate::SummaryWriter::add_embedding)
//! (crate::SummaryWriter::add_embedding) writes them. Numbers are written as Python's `str` of
//! a float writes them (PyTorch calls `str(x.item())`: `0.5`, `1e-05`, `0.10000000149011612`
//! for the `f32` 0.1), so `tensors.tsv` is byte for byte PyTorch's.

use std::fmt::Write as _;
use std::ops::Range;

use rayon::prelude::*;

use super::image::ImageU8;
use crate::{Error, Result};

/// A matrix of embeddings, one row per point.
pub trait EmbeddingMatrix {
    /// `[rows, columns]`.
    fn shape(&self) -> Result<[usize; 2]>;

    /// Appends the lines of `tensors.tsv` for the points `rows` (a range within `[0, rows)` of
    /// [`shape`](Self::shape)): each row's values as Python prints them, joined by tabs, each
    /// row ended by a newline. Ranges let a large matrix be written in parts, each formatted
    /// while the one before it is written, and never held as one whole text.
    fn write_tsv_rows(&self, rows: Range<usize>, out: &mut String) -> Result<()>;

    /// Appends the whole `tensors.tsv`.
    fn write_tsv(&self, out: &mut String) -> Result<()> {
        let [rows, _] = self.shape()?;
        self.write_tsv_rows(0..rows, out)
    }
}

/// `data`'s values in `rows`, `data` being a `[_, cols]` matrix in row-major order; an error
/// naming the range when it does not fit.
fn rows_of<T>(data: &[T], cols: usize, rows: Range<usize>) -> Result<&[T]> {
    rows.start
        .checked_mul(cols)
        .zip(rows.end.checked_mul(cols))
        .and_then(|(start, end)| data.get(start..end))
        .ok_or_else(|| bad_rows(&rows, data.len() / cols.max(1)))
}

/// The error for a range of rows that is not within a matrix's `all_rows`.
fn bad_rows(rows: &Range<usize>, all_rows: usize) -> Error {
    Error::OutOfRange {
        what: format!("the end of rows {rows:?} (a range of the matrix's rows)"),
        value: rows.end as f64,
        min: rows.start as f64,
        max: all_rows as f64,
    }
}

/// The error for a matrix that is not `[points, dimensions]` with at least one of each.
fn bad_matrix_shape(shape: &[usize]) -> Error {
    Error::BadShape {
        what: "mat".to_string(),
        shape: shape.to_vec(),
        expected: "pass [points, dimensions] with at least one of each",
    }
}

fn check_shape(len: usize, shape: [usize; 2]) -> Result<[usize; 2]> {
    let [rows, cols] = shape;
    if rows == 0 || cols == 0 {
        return Err(bad_matrix_shape(&shape));
    }
    if rows.checked_mul(cols) != Some(len) {
        return Err(Error::ShapeMismatch {
            shape: shape.to_vec(),
            needs: rows.saturating_mul(cols),
            got: len,
        });
    }
    Ok(shape)
}

/// Rows formatted per task: enough that a task outweighs handing it to a thread.
const ROWS_PER_TASK: usize = 64;

/// Formats the rows on every core, each task into its own buffer, and appends the buffers in
/// row order.
fn write_rows<T: Copy + Sync>(
    data: &[T],
    cols: usize,
    out: &mut String,
    put: impl Fn(T, &mut String) + Sync,
) {
    let parts: Vec<String> = data
        .par_chunks(cols * ROWS_PER_TASK)
        .map(|rows| {
            let mut part = String::with_capacity(rows.len() * 20);
            for row in rows.chunks_exact(cols) {
                for (i, &v) in row.iter().enumerate() {
                    if i > 0 {
                        part.push('\t');
                    }
                    put(v, &mut part);
                }
                part.push('\n');
            }
            part
        })
        .collect();
    out.reserve(parts.iter().map(String::len).sum());
    for part in parts {
        out.push_str(&part);
    }
}

/// A borrowed matrix, so that a matrix (a `Tensor`, say) can be logged and kept.
impl<M: EmbeddingMatrix + ?Sized> EmbeddingMatrix for &M {
    fn shape(&self) -> Result<[usize; 2]> {
        (**self).shape()
    }
    fn write_tsv_rows(&self, rows: Range<usize>, out: &mut String) -> Result<()> {
        (**self).write_tsv_rows(rows, out)
    }
}

impl EmbeddingMatrix for (&[f32], [usize; 2]) {
    fn shape(&self) -> Result<[usize; 2]> {
        check_shape(self.0.len(), self.1)
    }
    fn write_tsv_rows(&self, rows: Range<usize>, out: &mut String) -> Result<()> {
        let [_, cols] = self.shape()?;
        // PyTorch's `.item()` widens to a Python float (f64) before printing.
        write_rows(rows_of(self.0, cols, rows)?, cols, out, |v, o| {
            push_py_float(f64::from(v), o)
        });
        Ok(())
    }
}

impl EmbeddingMatrix for (&[f64], [usize; 2]) {
    fn shape(&self) -> Result<[usize; 2]> {
        check_shape(self.0.len(), self.1)
    }
    fn write_tsv_rows(&self, rows: Range<usize>, out: &mut String) -> Result<()> {
        let [_, cols] = self.shape()?;
        write_rows(rows_of(self.0, cols, rows)?, cols, out, push_py_float);
        Ok(())
    }
}

#[cfg(feature = "candle")]
impl EmbeddingMatrix for candle_core::Tensor {
    fn shape(&self) -> Result<[usize; 2]> {
        match self.dims() {
            &[rows, cols] if rows > 0 && cols > 0 => Ok([rows, cols]),
            dims => Err(bad_matrix_shape(dims)),
        }
    }
    fn write_tsv_rows(&self, rows: Range<usize>, out: &mut String) -> Result<()> {
        let [all_rows, cols] = EmbeddingMatrix::shape(self)?;
        if rows.is_empty() && rows.start <= all_rows {
            return Ok(());
        }
        if rows.start > rows.end || rows.end > all_rows {
            return Err(bad_rows(&rows, all_rows));
        }
        // Only these rows are copied off the device and widened.
        let values = self
            .narrow(0, rows.start, rows.len())?
            .to_dtype(candle_core::DType::F64)?
            .flatten_all()?
            .to_vec1::<f64>()?;
        (&values[..], [rows.len(), cols]).write_tsv(out)
    }
}

/// Appends `x` as Python's `repr`/`str` of a float prints it: the shortest digits that read
/// back as `x`, positional for exponents -4 to 15 (always with a `.`), otherwise `1e-05` style.
pub fn push_py_float(x: f64, out: &mut String) {
    if x.is_nan() {
        out.push_str("nan");
        return;
    }
    if x.is_infinite() {
        out.push_str(if x < 0.0 { "-inf" } else { "inf" });
        return;
    }
    // `ryu` gives the shortest round-trip digits, as Python picks them; only the layout
    // differs, so the digits and the decimal exponent are read back out of its text.
    let mut buf = ryu::Buffer::new();
    // Python writes decimal exponents -4 to 15 positionally (`0.00012`, `123.0`), and `ryu`
    // -5 to 15 in the same way: those need no re-layout. The shortest digits of a number in
    // [1e-4, 1e16) have such an exponent, since 1e-4's neighbourhood lies below the number's.
    let magnitude = x.abs();
    if magnitude == 0.0 || (1e-4..1e16).contains(&magnitude) {
        out.push_str(buf.format_finite(x));
        return;
    }
    let text = buf.format_finite(x).as_bytes();
    let (negative, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    // Here `x` is finite, not zero and outside [1e-4, 1e16): `ryu` wrote it as `d.ddde<shift>`
    // or `0.0000ddd`, with at least one non-zero digit and no trailing zeros.
    let (digits, n, exp) = significant_digits(text);
    let digits = &digits[..n];
    if negative {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        push_positional(out, digits, exp);
    } else {
        push_scientific(out, digits, exp);
    }
}

/// The significant digits of `ryu`'s text of a finite, non-zero, non-negative number (the
/// first `n` of the array, without leading zeros) and the decimal exponent of the first one.
#[inline]
fn significant_digits(text: &[u8]) -> ([u8; 24], usize, i32) {
    let e_at = text.iter().position(|&b| b == b'e').unwrap_or(text.len());
    let shift: i32 = std::str::from_utf8(text.get(e_at + 1..).unwrap_or(b""))
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mantissa = &text[..e_at];
    let point = mantissa
        .iter()
        .position(|&b| b == b'.')
        .unwrap_or(mantissa.len());
    let mut digits = [0u8; 24];
    let mut n = 0;
    // The exponent of the first significant digit: digits before the point count up from it.
    let mut exp = point as i32 - 1 + shift;
    for &b in mantissa.iter().filter(|&&b| b != b'.') {
        if n == 0 && b == b'0' {
            exp -= 1;
            continue;
        }
        if n < digits.len() {
            digits[n] = b;
            n += 1;
        }
    }
    (digits, n, exp)
}

#[inline]
fn push_digits(out: &mut String, digits: &[u8]) {
    for &b in digits {
        out.push(b as char);
    }
}

/// Python's positional layout, for a first digit of exponent -4 to 15: `123.0`, `12.5`,
/// `0.00012`.
#[inline]
fn push_positional(out: &mut String, digits: &[u8], exp: i32) {
    if exp >= 0 {
        let int_len = exp as usize + 1;
        if digits.len() > int_len {
            push_digits(out, &digits[..int_len]);
            out.push('.');
            push_digits(out, &digits[int_len..]);
        } else {
            push_digits(out, digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
            out.push_str(".0");
        }
    } else {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        push_digits(out, digits);
    }
}

/// Python's scientific layout, for the other exponents: `1.5e-05`, `1e+16`.
#[inline]
fn push_scientific(out: &mut String, digits: &[u8], exp: i32) {
    let (first, rest) = digits.split_at(digits.len().min(1));
    push_digits(out, first);
    if !rest.is_empty() {
        out.push('.');
        push_digits(out, rest);
    }
    let _ = write!(
        out,
        "e{}{:02}",
        if exp < 0 { '-' } else { '+' },
        exp.unsigned_abs()
    );
}

/// `tensors.tsv` for `mat`.
pub fn tensors_tsv(mat: &impl EmbeddingMatrix) -> Result<String> {
    let mut out = String::new();
    mat.write_tsv(&mut out)?;
    Ok(out)
}

/// The labels of the points: one column, or a table with a header row.
#[derive(Clone, Debug, PartialEq)]
pub enum Metadata {
    /// One label per point, no header (the projector takes one column without one).
    Column(Vec<String>),
    /// Several columns: the header names them, each row holds one value per column.
    Table {
        /// The column names (PyTorch's `metadata_header`).
        header: Vec<String>,
        /// One row per point.
        rows: Vec<Vec<String>>,
    },
}

impl Metadata {
    /// One label per point from anything printable (`Metadata::column(labels.iter())`).
    pub fn column<T: ToString>(labels: impl IntoIterator<Item = T>) -> Self {
        Metadata::Column(labels.into_iter().map(|l| l.to_string()).collect())
    }

    /// A table of several columns with their header.
    pub fn table<H: ToString, T: ToString, R: IntoIterator<Item = T>>(
        header: impl IntoIterator<Item = H>,
        rows: impl IntoIterator<Item = R>,
    ) -> Self {
        Metadata::Table {
            header: header.into_iter().map(|h| h.to_string()).collect(),
            rows: rows
                .into_iter()
                .map(|r| r.into_iter().map(|v| v.to_string()).collect())
                .collect(),
        }
    }

    /// The number of points labelled.
    pub fn len(&self) -> usize {
        match self {
            Metadata::Column(labels) => labels.len(),
            Metadata::Table { rows, .. } => rows.len(),
        }
    }

    /// True when no point is labelled.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn check_cell(value: &str) -> Result<()> {
    if value.contains(['\t', '\n', '\r']) {
        return Err(Error::BadName {
            what: "metadata value",
            name: value.to_string(),
            reason: "holds a tab or line break, which would split the TSV; replace it with a space",
        });
    }
    Ok(())
}

/// `metadata.tsv` for `rows` points, as PyTorch's `make_tsv`: each label on its line, or the
/// header and rows joined by tabs. Errors if the count differs from `rows`, a table row's
/// width differs from the header's, or a value holds a tab or line break.
pub fn metadata_tsv(metadata: &Metadata, rows: usize) -> Result<String> {
    if metadata.len() != rows {
        return Err(Error::LengthMismatch {
            what: "metadata".to_string(),
            got: metadata.len(),
            expected: rows,
            per: "point (a row of the matrix)",
        });
    }
    let mut out = String::new();
    match metadata {
        Metadata::Column(labels) => {
            for label in labels {
                check_cell(label)?;
                out.push_str(label);
                out.push('\n');
            }
        }
        Metadata::Table { header, rows } => {
            if header.is_empty() {
                // Name every column, or use Metadata::Column for one.
                return Err(Error::Empty {
                    what: "the metadata table's header".to_string(),
                });
            }
            for (i, row) in std::iter::once(header).chain(rows).enumerate() {
                if row.len() != header.len() {
                    return Err(Error::LengthMismatch {
                        what: format!("metadata row {}", i - 1),
                        got: row.len(),
                        expected: header.len(),
                        per: "column the header names",
                    });
                }
                for (j, v) in row.iter().enumerate() {
                    check_cell(v)?;
                    if j > 0 {
                        out.push('\t');
                    }
                    out.push_str(v);
                }
                out.push('\n');
            }
        }
    }
    Ok(out)
}

/// PyTorch's keyword arguments of `add_embedding`: labels, label images, step and tag.
///
/// `EmbeddingOptions::new().metadata(Metadata::column(&labels)).step(3).tag("digits")`.
#[derive(Clone, Debug)]
pub struct EmbeddingOptions {
    pub(crate) metadata: Option<Metadata>,
    pub(crate) label_images: Option<LabelImages>,
    pub(crate) step: i64,
    pub(crate) tag: String,
}

impl Default for EmbeddingOptions {
    fn default() -> Self {
        EmbeddingOptions {
            metadata: None,
            label_images: None,
            step: 0,
            tag: "default".into(),
        }
    }
}

impl EmbeddingOptions {
    /// No labels, no images, step 0, tag `"default"` (PyTorch's defaults).
    pub fn new() -> Self {
        Self::default()
    }

    /// One label per point (`metadata`, with `metadata_header` for a [`Metadata::Table`]).
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// One image per point (`label_img`), tiled into the sprite.
    pub fn label_images(mut self, images: LabelImages) -> Self {
        self.label_images = Some(images);
        self
    }

    /// The global step (default 0); errors if it does not fit in an `i64`.
    pub fn step<S: TryInto<i64>>(mut self, step: S) -> Result<Self> {
        self.step = crate::step::to_step(step)?;
        if self.step < 0 {
            return Err(Error::BadNumber {
                what: "global_step".to_string(),
                value: self.step as f64,
                must: ">= 0: the projector's directories are named by steps",
            });
        }
        Ok(self)
    }

    /// The embedding's name (default `"default"`).
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = tag.into();
        self
    }
}

/// The error for label images that are not `(N, C, H, W)` with `C` = 1 or 3.
fn bad_label_images(shape: &[usize]) -> Error {
    Error::BadShape {
        what: "label_img".to_string(),
        shape: shape.to_vec(),
        expected: "pass (N, C, H, W) with C = 1 or 3 and no empty side",
    }
}

/// The label images of the points: `(N, C, H, W)` with C = 1 or 3, as 8-bit pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelImages {
    shape: [usize; 4],
    data: Vec<u8>,
}

impl LabelImages {
    /// From floats in `[0, 1]`, scaled as PyTorch scales them (`* 255`, clipped, truncated).
    /// NaN is an error.
    pub fn from_f32(data: &[f32], shape: [usize; 4]) -> Result<Self> {
        Self::check(data.len(), shape)?;
        let mut bytes = Vec::with_capacity(data.len());
        for &v in data {
            if v.is_nan() {
                return Err(Error::BadNumber {
                    what: "a label_img value".to_string(),
                    value: v.into(),
                    must: "a number in [0, 1]",
                });
            }
            bytes.push((v * 255.0).clamp(0.0, 255.0) as u8);
        }
        Ok(LabelImages { shape, data: bytes })
    }

    /// From bytes, taken as they are.
    pub fn from_u8(data: &[u8], shape: [usize; 4]) -> Result<Self> {
        Self::check(data.len(), shape)?;
        Ok(LabelImages {
            shape,
            data: data.to_vec(),
        })
    }

    /// From a `(N, C, H, W)` tensor of any dtype on any device: `u8` as is, other dtypes as
    /// [`from_f32`](Self::from_f32).
    #[cfg(feature = "candle")]
    pub fn from_tensor(t: &candle_core::Tensor) -> Result<Self> {
        let shape: [usize; 4] = t
            .dims()
            .try_into()
            .map_err(|_| bad_label_images(t.dims()))?;
        if t.dtype() == candle_core::DType::U8 {
            Self::from_u8(&t.flatten_all()?.to_vec1::<u8>()?, shape)
        } else {
            let v = t
                .to_dtype(candle_core::DType::F32)?
                .flatten_all()?
                .to_vec1::<f32>()?;
            Self::from_f32(&v, shape)
        }
    }

    fn check(len: usize, shape: [usize; 4]) -> Result<()> {
        let [n, c, h, w] = shape;
        if n == 0 || h == 0 || w == 0 || !(c == 1 || c == 3) {
            return Err(bad_label_images(&shape));
        }
        let need = [n, c, h, w]
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d));
        if need != Some(len) {
            return Err(Error::ShapeMismatch {
                shape: shape.to_vec(),
                needs: need.unwrap_or(usize::MAX),
                got: len,
            });
        }
        Ok(())
    }

    /// `[N, C, H, W]`.
    pub fn shape(&self) -> [usize; 4] {
        self.shape
    }
}

/// The largest sprite [`sprite`] makes, in bytes of RGB pixels: 8192x8192, the largest sprite
/// TensorBoard's projector displays (a WebGL texture limit). Over it `add_embedding` is an
/// [`Error::TooLarge`] before any memory is asked for: use fewer or smaller label images.
pub const MAX_SPRITE_BYTES: usize = 8192 * 8192 * 3;

/// The sprite PyTorch's `make_sprite` makes: the images in rows of `ceil(sqrt(N))`, on a black
/// square canvas (taller than wide only when the images are), RGB.
pub fn sprite(images: &LabelImages, rows: usize) -> Result<ImageU8> {
    let [n, c, h, w] = images.shape;
    if n != rows {
        return Err(Error::LengthMismatch {
            what: "label_img".to_string(),
            got: n,
            expected: rows,
            per: "point (a row of the matrix)",
        });
    }
    let mut per_row = (n as f64).sqrt().ceil() as usize;
    // Float rounding must not leave a point without a cell.
    while per_row * per_row < n {
        per_row += 1;
    }
    let ncols = per_row.min(n);
    let nrows = n.div_ceil(ncols);
    let width = w * ncols;
    let height = (h * nrows).max(width);
    // Checked in u128 before anything is allocated: the canvas of a few wide images can be
    // far larger than their pixels.
    // `width` and `height` alone fit: each is at most the pixels of all images.
    let needed = width as u128 * height as u128 * 3;
    let bytes = usize::try_from(needed)
        .ok()
        .filter(|&b| b <= MAX_SPRITE_BYTES)
        .ok_or(Error::TooLarge {
            what: "the sprite of the label images",
            bytes: needed,
            limit: MAX_SPRITE_BYTES,
        })?;
    let mut canvas = vec![0u8; bytes];
    let plane = h * w;
    for (i, img) in images.data.chunks_exact(c * plane).enumerate() {
        let (gy, gx) = (i / ncols, i % ncols);
        for y in 0..h {
            let row_start = ((gy * h + y) * width + gx * w) * 3;
            let dst = &mut canvas[row_start..row_start + w * 3];
            if c == 1 {
                let src = &img[y * w..(y + 1) * w];
                for (px, &v) in dst.chunks_exact_mut(3).zip(src) {
                    px.fill(v);
                }
            } else {
                for (x, px) in dst.chunks_exact_mut(3).enumerate() {
                    for (ch, p) in px.iter_mut().enumerate() {
                        *p = img[ch * plane + y * w + x];
                    }
                }
            }
        }
    }
    ImageU8::new(height, width, 3, canvas)
}

/// The directory of an embedding inside its run, as PyTorch names it: the step padded to five
/// digits, then the tag with `%`, `/` and `\` percent-encoded.
pub fn embedding_subdir(tag: &str, step: i64) -> String {
    let mut encoded = String::with_capacity(tag.len());
    for ch in tag.chars() {
        match ch {
            '%' => encoded.push_str("%25"),
            '/' => encoded.push_str("%2f"),
            '\\' => encoded.push_str("%5c"),
            c => encoded.push(c),
        }
    }
    format!("{step:05}/{encoded}")
}

fn push_pbtxt_string(out: &mut String, s: &str) {
    out.push('"');
    for b in s.bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b' '..=b'~' => out.push(b as char),
            // Protobuf's text format escapes every other byte in octal.
            _ => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
    out.push('"');
}

/// One `embeddings { ... }` block of `projector_config.pbtxt`, laid out as protobuf's text
/// format prints PyTorch's `EmbeddingInfo` (fields in number order, two-space indents).
/// `image_dim` is the label images' `(W, H)`.
pub fn embedding_config_block(
    tag: &str,
    step: i64,
    has_metadata: bool,
    image_dim: Option<(usize, usize)>,
) -> String {
    let subdir = embedding_subdir(tag, step);
    let mut out = String::from("embeddings {\n  tensor_name: ");
    push_pbtxt_string(&mut out, &format!("{tag}:{step:05}"));
    out.push('\n');
    if has_metadata {
        out.push_str("  metadata_path: ");
        push_pbtxt_string(&mut out, &format!("{subdir}/metadata.tsv"));
        out.push('\n');
    }
    if let Some((w, h)) = image_dim {
        out.push_str("  sprite {\n    image_path: ");
        push_pbtxt_string(&mut out, &format!("{subdir}/sprite.png"));
        let _ = write!(
            out,
            "\n    single_image_dim: {w}\n    single_image_dim: {h}\n  }}\n"
        );
    }
    out.push_str("  tensor_path: ");
    push_pbtxt_string(&mut out, &format!("{subdir}/tensors.tsv"));
    out.push_str("\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn py(x: f64) -> String {
        let mut s = String::new();
        push_py_float(x, &mut s);
        s
    }

    #[test]
    fn floats_print_as_python_prints_them() {
        // Each pair is Python's `str(float)` output.
        for (x, want) in [
            (0.5, "0.5"),
            (1.0, "1.0"),
            (-2.0, "-2.0"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (123.0, "123.0"),
            (1e-5, "1e-05"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (0.00012345, "0.00012345"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345e17, "1.2345e+17"),
            (1e-300, "1e-300"),
            (f64::from(0.1f32), "0.10000000149011612"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
            (3.25159, "3.25159"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            // The f32 520.13483 is 520.13482666015625: a tie at 16 digits, which Python
            // rounds to even (std's `{:e}` writes ...563).
            (f64::from(f32::from_bits(0x4402_08a1)), "520.1348266601562"),
            // Both sides of where the layouts change.
            (9.999999999999999e-5, "9.999999999999999e-05"),
            (1.0000000000000002e-4, "0.00010000000000000002"),
            (9999999999999998.0, "9999999999999998.0"),
            (-9.9999e-6, "-9.9999e-06"),
        ] {
            assert_eq!(py(x), want, "{x:e}");
        }
    }

    /// The digits without point, sign, exponent, or leading and trailing zeros.
    fn significant_digits(text: &str) -> String {
        let mantissa = text.split('e').next().unwrap_or("");
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        let digits = digits.trim_start_matches('0').trim_end_matches('0');
        if digits.is_empty() {
            "0".into()
        } else {
            digits.into()
        }
    }

    /// Against std's shortest round-trip digits (`{:e}`), over random bit patterns and `f32`s:
    /// as many digits, and the text reads back as the same number. (The digits themselves
    /// may differ where two candidates are equally near: std rounds the tie up, Python and
    /// `ryu` to even; the table above holds such a case.)
    #[test]
    fn digits_are_the_shortest_round_trip_ones() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for i in 0..200_000 {
            let bits = next();
            let x = if i % 2 == 0 {
                f64::from_bits(bits)
            } else {
                f64::from(f32::from_bits(bits as u32))
            };
            if !x.is_finite() {
                continue;
            }
            let ours = py(x);
            assert_eq!(ours.parse::<f64>().ok(), Some(x), "{ours} for {x:e}");
            assert_eq!(
                significant_digits(&ours).len(),
                significant_digits(&format!("{x:e}")).len(),
                "{x:e}"
            );
        }
    }

    #[test]
    fn tensors_tsv_rows_and_tabs() {
        let data = [0.5f32, 1.0, -0.25, 2.5];
        assert_eq!(
            tensors_tsv(&(&data[..], [2, 2])).unwrap(),
            "0.5\t1.0\n-0.25\t2.5\n"
        );
        assert!(tensors_tsv(&(&data[..], [3, 2])).is_err());
        assert!(tensors_tsv(&(&data[..0], [0, 2])).is_err());
    }

    /// A range of rows is those lines of the whole text, for slices and tensors alike; a
    /// range past the matrix is an error naming `rows`.
    #[test]
    fn row_ranges_are_lines_of_the_whole_text() {
        let data = [0.5f32, 1.0, -0.25, 2.5, 3.0, 0.1];
        let wide: Vec<f64> = data.iter().map(|&v| f64::from(v)).collect();
        let mut got = String::new();
        (&data[..], [3, 2]).write_tsv_rows(1..3, &mut got).unwrap();
        assert_eq!(got, "-0.25\t2.5\n3.0\t0.10000000149011612\n");
        let mut got64 = String::new();
        (&wide[..], [3, 2])
            .write_tsv_rows(1..3, &mut got64)
            .unwrap();
        assert_eq!(got64, got);
        let mut empty = String::new();
        (&data[..], [3, 2])
            .write_tsv_rows(3..3, &mut empty)
            .unwrap();
        assert_eq!(empty, "");
        let err = (&data[..], [3, 2])
            .write_tsv_rows(2..4, &mut String::new())
            .unwrap_err();
        assert!(
            matches!(err, Error::OutOfRange { value, max, .. } if value == 4.0 && max == 3.0),
            "{err:?}"
        );
        #[cfg(feature = "candle")]
        {
            let t =
                candle_core::Tensor::from_slice(&data, (3, 2), &candle_core::Device::Cpu).unwrap();
            let mut from_tensor = String::new();
            t.write_tsv_rows(1..3, &mut from_tensor).unwrap();
            assert_eq!(from_tensor, got);
            assert!(t.write_tsv_rows(2..4, &mut String::new()).is_err());
            let mut none = String::new();
            t.write_tsv_rows(0..0, &mut none).unwrap();
            assert_eq!(none, "");
        }
    }

    #[test]
    fn metadata_one_column_and_table() {
        assert_eq!(
            metadata_tsv(&Metadata::column([3, 1]), 2).unwrap(),
            "3\n1\n"
        );
        let t = Metadata::table(["digit", "set"], [["3", "train"], ["1", "test"]]);
        assert_eq!(
            metadata_tsv(&t, 2).unwrap(),
            "digit\tset\n3\ttrain\n1\ttest\n"
        );
    }

    #[test]
    fn metadata_bad_input_names_the_argument() {
        let e = metadata_tsv(&Metadata::column([1, 2, 3]), 2).unwrap_err();
        assert!(matches!(
            &e,
            Error::LengthMismatch { what, got: 3, expected: 2, .. } if what == "metadata"
        ));
        let ragged = Metadata::table(["a", "b"], [vec!["1", "2"], vec!["3"]]);
        assert!(matches!(
            metadata_tsv(&ragged, 2),
            Err(Error::LengthMismatch { what, got: 1, expected: 2, .. }) if what == "metadata row 1"
        ));
        let tab = Metadata::column(["a\tb"]);
        assert!(matches!(
            metadata_tsv(&tab, 1),
            Err(Error::BadName { name, .. }) if name == "a\tb"
        ));
    }

    #[test]
    fn sprite_layout_and_counts() {
        // 5 grey images of 2x2: 3 per row, 2 rows, on a 6x6 square canvas.
        let data: Vec<u8> = (0..5).flat_map(|i| [i as u8 * 10 + 1; 4]).collect();
        let imgs = LabelImages::from_u8(&data, [5, 1, 2, 2]).unwrap();
        let s = sprite(&imgs, 5).unwrap();
        assert_eq!((s.height(), s.width(), s.channels()), (6, 6, 3));
        assert_eq!(s.pixel(0, 0).unwrap(), &[1, 1, 1]);
        assert_eq!(s.pixel(0, 5).unwrap(), &[21, 21, 21]);
        assert_eq!(s.pixel(3, 3).unwrap(), &[41, 41, 41]);
        assert_eq!(s.pixel(3, 5).unwrap(), &[0, 0, 0]);
        assert_eq!(s.pixel(5, 0).unwrap(), &[0, 0, 0]);
        let e = sprite(&imgs, 4).unwrap_err();
        assert!(
            matches!(&e, Error::LengthMismatch { what, got: 5, expected: 4, .. } if what == "label_img"),
            "{e:?}"
        );
    }

    #[test]
    fn sprites_up_to_the_limit_are_made_and_larger_ones_refused() {
        // One 1x8192 image: a square 8192x8192 canvas, exactly the limit.
        let edge = LabelImages::from_u8(&[5; 8192], [1, 1, 1, 8192]).unwrap();
        let made = sprite(&edge, 1).unwrap();
        assert_eq!(made.data().len(), MAX_SPRITE_BYTES);
        let over = LabelImages::from_u8(&[5; 8193], [1, 1, 1, 8193]).unwrap();
        match sprite(&over, 1) {
            Err(Error::TooLarge { bytes, limit, .. }) => {
                assert_eq!(bytes, 8193 * 8193 * 3);
                assert_eq!(limit, MAX_SPRITE_BYTES);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn label_images_reject_nan_and_bad_shapes() {
        assert!(matches!(
            LabelImages::from_f32(&[f32::NAN; 4], [1, 1, 2, 2]),
            Err(Error::BadNumber { .. })
        ));
        assert!(matches!(
            LabelImages::from_f32(&[0.0; 8], [1, 2, 2, 2]),
            Err(Error::BadShape { .. })
        ));
        assert!(matches!(
            LabelImages::from_u8(&[0; 3], [1, 1, 2, 2]),
            Err(Error::ShapeMismatch {
                needs: 4,
                got: 3,
                ..
            })
        ));
        let rgb = LabelImages::from_f32(&[1.0, 0.5, 0.0], [1, 3, 1, 1]).unwrap();
        assert_eq!(sprite(&rgb, 1).unwrap().data(), &[255, 127, 0]);
    }

    #[test]
    fn config_block_is_protobuf_text_format() {
        assert_eq!(
            embedding_config_block("a/b \"x\"", 3, true, Some((28, 14))),
            "embeddings {\n  tensor_name: \"a/b \\\"x\\\":00003\"\n  metadata_path: \"00003/a%2fb \\\"x\\\"/metadata.tsv\"\n  sprite {\n    image_path: \"00003/a%2fb \\\"x\\\"/sprite.png\"\n    single_image_dim: 28\n    single_image_dim: 14\n  }\n  tensor_path: \"00003/a%2fb \\\"x\\\"/tensors.tsv\"\n}\n"
        );
        assert_eq!(embedding_subdir("50%", 123456), "123456/50%25");
    }
}
