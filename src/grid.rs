//! `make_grid` and `save_image` with `torchvision.utils`' semantics, on candle tensors.
//!
//! The grid is built with candle operations on the input's device, so it composes with other
//! candle code; only the min/max used by `normalize` (one or `N` numbers) visit the host.

use std::path::Path;

use candle_core::{CpuStorage, DType, Storage, Tensor};

use crate::{Error, Result};
use tfevents::summary::image::{
    convert_tensor_with, encode_png, DataFormat, PixelRule, MAX_IMAGE_BYTES,
};

/// The most values a grid may hold: an image summary of more than [`MAX_IMAGE_BYTES`] bytes
/// cannot be read by TensorBoard, so a larger grid could not be logged or saved anyway.
/// [`make_grid`] refuses a larger one before allocating it.
pub const MAX_GRID_VALUES: usize = MAX_IMAGE_BYTES;

/// The shape of a grid, computed with checked arithmetic before anything is allocated.
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// Output channels (a single channel becomes three).
    out_c: usize,
    cols: usize,
    rows: usize,
    /// Output height and width (the image's own for a batch of one).
    gh: usize,
    gw: usize,
}

impl Layout {
    /// The grid of `n` images of `c x h x w` with `opts`, or an error if any size overflows
    /// or the grid would hold more than [`MAX_GRID_VALUES`] values.
    fn new(n: usize, c: usize, h: usize, w: usize, opts: &GridOptions) -> Result<Self> {
        if opts.nrow == 0 {
            return Err(Error::Events(tfevents::Error::BadNumber {
                what: "nrow".into(),
                value: 0.0,
                must: "at least 1 image per row (torchvision's default is 8)",
            }));
        }
        let out_c = if c == 1 { 3 } else { c };
        let p = opts.padding;
        let cols = opts.nrow.min(n);
        let rows = n.div_ceil(cols.max(1));
        // (h + p) * rows + p and (w + p) * cols + p, or None where they overflow.
        let side =
            |len: usize, count: usize| len.checked_add(p)?.checked_mul(count)?.checked_add(p);
        let (gh, gw) = if n == 1 {
            (Some(h), Some(w))
        } else {
            (side(h, rows), side(w, cols))
        };
        let values = gh
            .zip(gw)
            .and_then(|(gh, gw)| gh.checked_mul(gw)?.checked_mul(out_c))
            .filter(|&v| v <= MAX_GRID_VALUES);
        match (gh, gw, values) {
            (Some(gh), Some(gw), Some(_)) => Ok(Layout {
                out_c,
                cols,
                rows,
                gh,
                gw,
            }),
            _ => {
                // The size in u128 for the message; it saturates only for absurd inputs.
                let side = |len: usize, count: usize| {
                    (len as u128)
                        .saturating_add(p as u128)
                        .saturating_mul(count as u128)
                        .saturating_add(p as u128)
                };
                let (gh, gw) = if n == 1 {
                    (h as u128, w as u128)
                } else {
                    (side(h, rows), side(w, cols))
                };
                Err(Error::Events(tfevents::Error::TooLarge {
                    what: "the grid",
                    bytes: gh.saturating_mul(gw).saturating_mul(out_c as u128),
                    limit: MAX_GRID_VALUES,
                }))
            }
        }
    }
}

/// Options of [`make_grid`], with `torchvision.utils.make_grid`'s names and defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridOptions {
    /// Images per row (torchvision's `nrow`; the number of columns). Default 8.
    pub nrow: usize,
    /// Pixels between images and around the grid. Default 2.
    pub padding: usize,
    /// Shift and scale values into `[0, 1]` with `value_range`, or the batch's min and max.
    /// Default `false`.
    pub normalize: bool,
    /// `(low, high)` for `normalize`; `None` uses the min and max of the values (of the whole
    /// batch, or of each image with `scale_each`). Default `None`.
    pub value_range: Option<(f32, f32)>,
    /// Normalize each image on its own instead of the batch as a whole. Default `false`.
    pub scale_each: bool,
    /// The value the padding is filled with. Default 0.
    pub pad_value: f32,
}

impl Default for GridOptions {
    fn default() -> Self {
        GridOptions {
            nrow: 8,
            padding: 2,
            normalize: false,
            value_range: None,
            scale_each: false,
            pad_value: 0.0,
        }
    }
}

/// Tiles a batch of images into one image, exactly as `torchvision.utils.make_grid`.
///
/// * Input `(N, C, H, W)`, a single image `(C, H, W)` or a grey image `(H, W)`; a single
///   channel is repeated to three.
/// * With `normalize`, values are clamped to `(low, high)` (the `value_range`, or the min and max
///   of the batch, or of each image with `scale_each`), shifted by `low` and divided by
///   `max(high - low, 1e-5)`.
/// * A batch of one is returned as that (normalized) image, `(C, H, W)`, without padding.
/// * Otherwise the result is `(C, (H + p) * rows + p, (W + p) * cols + p)` with
///   `cols = min(nrow, N)`, `rows = ceil(N / cols)`, filled with `pad_value`, image `k` at row
///   `(k / cols) * (H + p) + p`, column `(k % cols) * (W + p) + p`.
///
/// The result is on the input's device. Its dtype is the input's without `normalize` (as in
/// torchvision, so a `u8` grid stays `u8` and `add_image` takes it unscaled; `pad_value` is cast
/// to it), and `f32` with `normalize` (any dtype is converted to `f32` first, since normalized
/// values lie in `[0, 1]`).
///
/// ```
/// use candle_core::{Device, Tensor};
/// use candle_tensorboard::grid::{make_grid, GridOptions};
/// let batch = Tensor::ones((5, 3, 4, 6), candle_core::DType::F32, &Device::Cpu)?;
/// let grid = make_grid(&batch, &GridOptions { nrow: 2, ..Default::default() })?;
/// assert_eq!(grid.dims(), &[3, (4 + 2) * 3 + 2, (6 + 2) * 2 + 2]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn make_grid(tensor: &Tensor, opts: &GridOptions) -> Result<Tensor> {
    if tensor.dims().contains(&0) {
        return Err(Error::Events(tfevents::Error::BadShape {
            what: "make_grid's tensor".into(),
            shape: tensor.dims().to_vec(),
            expected: "give at least one image of at least 1x1 pixels",
        }));
    }
    // torchvision makes (H, W) into (1, H, W) and (C, H, W) into (1, C, H, W), repeating a
    // single channel three times; repeating after the unsqueeze is the same.
    let t = match tensor.rank() {
        2 => tensor.unsqueeze(0)?.unsqueeze(0)?,
        3 => tensor.unsqueeze(0)?,
        4 => tensor.clone(),
        _ => {
            return Err(Error::Events(tfevents::Error::BadShape {
                what: "make_grid's tensor".into(),
                shape: tensor.dims().to_vec(),
                expected: "give (N, C, H, W), (C, H, W) or (H, W)",
            }))
        }
    };
    if let Some((lo, hi)) = opts.value_range.filter(|_| opts.normalize) {
        check_range((lo, hi))?;
    }
    // Every size is checked before either path allocates anything.
    let (n, c, h, w) = t.dims4()?;
    Layout::new(n, c, h, w, opts)?;
    if host_path(&t, opts) {
        make_grid_host(&t, opts)
    } else {
        make_grid_candle(t, opts)
    }
}

/// [`make_grid`] with candle operations on the tensor's device, for `(N, C, H, W)`.
fn make_grid_candle(mut t: Tensor, opts: &GridOptions) -> Result<Tensor> {
    if t.dim(1)? == 1 {
        t = Tensor::cat(&[&t, &t, &t], 1)?;
    }
    if opts.normalize {
        t = normalize(&t, opts)?;
    }
    let (n, c, h, w) = t.dims4()?;
    let Layout { cols, rows, .. } = Layout::new(n, c, h, w, opts)?;
    if n == 1 {
        return Ok(t.squeeze(0)?);
    }
    let p = opts.padding;
    // Cannot overflow: the layout checked (h + p) * rows + p and (w + p) * cols + p.
    let (cell_h, cell_w) = (h + p, w + p);
    let dtype = t.dtype();
    let device = t.device().clone();
    let fill = |dims: (usize, usize, usize, usize)| -> Result<Tensor> {
        Ok(Tensor::full(opts.pad_value, dims, &device)?.to_dtype(dtype)?)
    };
    // Put each image in a cell with the padding on its top and left...
    if p > 0 {
        t = Tensor::cat(&[&fill((n, c, p, w))?, &t], 2)?;
        t = Tensor::cat(&[&fill((n, c, cell_h, p))?, &t], 3)?;
    }
    // ...fill the last row's missing cells...
    if rows * cols > n {
        t = Tensor::cat(&[&t, &fill((rows * cols - n, c, cell_h, cell_w))?], 0)?;
    }
    // ...lay the cells out row by row...
    let mut g = t
        .reshape((rows, cols, c, cell_h, cell_w))?
        .permute((2, 0, 3, 1, 4))?
        .contiguous()?
        .reshape((c, rows * cell_h, cols * cell_w))?;
    // ...and close the grid with padding on the bottom and right.
    if p > 0 {
        let pad_rows = fill((1, c, p, cols * cell_w))?.squeeze(0)?;
        g = Tensor::cat(&[&g, &pad_rows], 1)?;
        let pad_cols = fill((1, c, rows * cell_h + p, p))?.squeeze(0)?;
        g = Tensor::cat(&[&g, &pad_cols], 2)?;
    }
    Ok(g)
}

/// Whether the grid is built in host memory in one pass (CPU tensors whose result is `f32`):
/// candle's broadcasting, concatenation and permutation kernels would each take a pass over
/// the batch. Other devices use candle operations and keep the data on the device.
fn host_path(t: &Tensor, opts: &GridOptions) -> bool {
    t.device().is_cpu() && (opts.normalize || t.dtype() == DType::F32)
}

/// [`make_grid`] in host memory for a `(N, C, H, W)` CPU tensor; the result is `f32`.
fn make_grid_host(t: &Tensor, opts: &GridOptions) -> Result<Tensor> {
    let (n, c, h, w) = t.dims4()?;
    let Layout {
        out_c,
        cols,
        gh,
        gw,
        ..
    } = Layout::new(n, c, h, w, opts)?;
    let t = t.to_dtype(DType::F32)?;
    let (storage, layout) = t.storage_and_layout();
    let data: &[f32] = match &*storage {
        Storage::Cpu(CpuStorage::F32(v)) => v,
        _ => {
            return Err(Error::invalid(
                "tensor",
                "internal: expected an f32 tensor in host memory",
            ))
        }
    };
    let (s0, s1, s2, s3) = match layout.stride() {
        &[a, b, c, d] => (a, b, c, d),
        _ => return Err(Error::invalid("tensor", "internal: expected 4 strides")),
    };
    let off = layout.start_offset();
    let last = off + (n - 1) * s0 + (c - 1) * s1 + (h - 1) * s2 + (w - 1) * s3;
    if last >= data.len() {
        return Err(Error::invalid(
            "tensor",
            "internal: the tensor's layout reaches past its storage",
        ));
    }
    // One row of image i, channel ch: `w` values.
    let row = |i: usize, ch: usize, y: usize| {
        let start = off + i * s0 + ch * s1 + y * s2;
        (0..w).map(move |x| data[start + x * s3])
    };

    // Per-image (or one global) (low, high, divisor) like torchvision's norm_range.
    let ranges: Vec<(f32, f32, f32)> = if opts.normalize {
        let image_min_max = |i: usize| -> (f32, f32, bool) {
            let (mut lo, mut hi, mut nan) = (f32::INFINITY, f32::NEG_INFINITY, false);
            for ch in 0..c {
                for y in 0..h {
                    for v in row(i, ch, y) {
                        nan |= v.is_nan();
                        lo = lo.min(v);
                        hi = hi.max(v);
                    }
                }
            }
            (lo, hi, nan)
        };
        // torch's min() and max() return NaN when any value is NaN.
        let nan_aware = |(lo, hi, nan): (f32, f32, bool)| {
            if nan {
                (f32::NAN, f32::NAN)
            } else {
                (lo, hi)
            }
        };
        let bounds: Vec<(f32, f32)> = match opts.value_range {
            Some(r) => vec![r],
            None if opts.scale_each => (0..n).map(|i| nan_aware(image_min_max(i))).collect(),
            None => {
                let all = (0..n).map(image_min_max).fold(
                    (f32::INFINITY, f32::NEG_INFINITY, false),
                    |(a, b, x), (lo, hi, nan)| (a.min(lo), b.max(hi), x | nan),
                );
                vec![nan_aware(all)]
            }
        };
        bounds
            .into_iter()
            .map(|(lo, hi)| (lo, hi, divisor(lo, hi)))
            .collect()
    } else {
        Vec::new()
    };
    // Writes image i's row into dst, normalized as torchvision's norm_ip when asked.
    let put =
        |dst: &mut [f32], i: usize, ch: usize, y: usize| match ranges.get(i).or(ranges.first()) {
            Some(&(lo, hi, den)) => {
                for (o, v) in dst.iter_mut().zip(row(i, ch, y)) {
                    // clamp_(min=lo, max=hi) keeps NaN, as torch does; then sub_ and div_.
                    let v = if v < lo {
                        lo
                    } else if v > hi {
                        hi
                    } else {
                        v
                    };
                    *o = (v - lo) / den;
                }
            }
            None => {
                for (o, v) in dst.iter_mut().zip(row(i, ch, y)) {
                    *o = v;
                }
            }
        };

    let src_ch = |ch: usize| if c == 1 { 0 } else { ch };
    if n == 1 {
        let mut out = vec![0f32; out_c * h * w];
        for (k, dst) in out.chunks_exact_mut(w).enumerate() {
            put(dst, 0, src_ch(k / h), k % h);
        }
        drop(storage);
        return Ok(Tensor::from_vec(out, (out_c, h, w), t.device())?);
    }
    let p = opts.padding;
    let mut out = vec![opts.pad_value; out_c * gh * gw];
    for i in 0..n {
        let (r, q) = (i / cols, i % cols);
        for y in 0..h {
            let d0 = (r * (h + p) + p + y) * gw + q * (w + p) + p;
            if c == 1 {
                // Normalize the grey row once, then copy it to the other two channels.
                put(out.get_mut(d0..d0 + w).unwrap_or_default(), i, 0, y);
                for ch in 1..out_c {
                    let d = ch * gh * gw + d0;
                    if d + w <= out.len() {
                        out.copy_within(d0..d0 + w, d);
                    }
                }
            } else {
                for ch in 0..out_c {
                    let d = ch * gh * gw + d0;
                    put(out.get_mut(d..d + w).unwrap_or_default(), i, ch, y);
                }
            }
        }
    }
    drop(storage);
    Ok(Tensor::from_vec(out, (out_c, gh, gw), t.device())?)
}

fn check_range((lo, hi): (f32, f32)) -> Result<()> {
    if lo.is_finite() && hi.is_finite() && lo <= hi {
        Ok(())
    } else {
        Err(Error::invalid(
            "value_range",
            format!("({lo}, {hi}) is not a finite range with low <= high"),
        ))
    }
}

/// torchvision computes `max(high - low, 1e-5)` in Python floats (f64), then divides the f32
/// tensor by it as an f32 scalar.
fn divisor(lo: f32, hi: f32) -> f32 {
    (hi as f64 - lo as f64).max(1e-5) as f32
}

/// [`make_grid`] of a list of images of the same shape (torchvision accepts a list and stacks
/// it). Errors name the first image whose shape differs from the first one's.
pub fn make_grid_list(images: &[Tensor], opts: &GridOptions) -> Result<Tensor> {
    let first = images.first().ok_or_else(|| {
        Error::Events(tfevents::Error::Empty {
            what: "images".into(),
        })
    })?;
    for (i, img) in images.iter().enumerate().skip(1) {
        if img.dims() != first.dims() {
            return Err(Error::Events(tfevents::Error::BadShape {
                what: format!("image {i} (image 0 has shape {:?})", first.dims()),
                shape: img.dims().to_vec(),
                expected: "give images of one size, that of image 0 (resize or crop them first)",
            }));
        }
        if img.dtype() != first.dtype() {
            return Err(Error::invalid(
                "images",
                format!(
                    "image {i} is {:?} but image 0 is {:?}; convert them to one dtype first",
                    img.dtype(),
                    first.dtype()
                ),
            ));
        }
    }
    let batch = Tensor::stack(images, 0).map_err(|e| {
        Error::invalid(
            "images",
            format!("cannot stack the images into one batch: {e}"),
        )
    })?;
    make_grid(&batch, opts)
}

/// torchvision's `norm_range`: clamp to `(low, high)`, subtract `low`, divide by
/// `max(high - low, 1e-5)`, over the whole batch or per image.
fn normalize(t: &Tensor, opts: &GridOptions) -> Result<Tensor> {
    let t = t.to_dtype(DType::F32)?;
    let (lows, highs): (Vec<f32>, Vec<f32>) = match opts.value_range {
        Some((lo, hi)) => (vec![lo], vec![hi]),
        None if opts.scale_each => {
            let flat = t.flatten_from(1)?;
            (flat.min(1)?.to_vec1()?, flat.max(1)?.to_vec1()?)
        }
        None => (
            vec![t.min_all()?.to_scalar()?],
            vec![t.max_all()?.to_scalar()?],
        ),
    };
    let dens: Vec<f32> = lows
        .iter()
        .zip(&highs)
        .map(|(&lo, &hi)| divisor(lo, hi))
        .collect();
    let k = lows.len();
    let dev = t.device();
    let lo = Tensor::from_vec(lows, (k, 1, 1, 1), dev)?;
    let hi = Tensor::from_vec(highs, (k, 1, 1, 1), dev)?;
    let den = Tensor::from_vec(dens, (k, 1, 1, 1), dev)?;
    Ok(t.broadcast_maximum(&lo)?
        .broadcast_minimum(&hi)?
        .broadcast_sub(&lo)?
        .broadcast_div(&den)?)
}

/// Saves a tensor (or a grid of a batch) as a PNG file, like `torchvision.utils.save_image`:
/// [`make_grid`] with `opts`, then each value `v` becomes the byte
/// `clamp(v * 255 + 0.5, 0, 255)` truncated (so values in `[0, 1]` round to the nearest byte).
/// A `u8` grid is written as it is.
///
/// Only PNG is written: a path with another extension is an error.
pub fn save_image(tensor: &Tensor, path: impl AsRef<Path>, opts: &GridOptions) -> Result<()> {
    let path = path.as_ref();
    if let Some(ext) = path.extension() {
        if !ext.eq_ignore_ascii_case("png") {
            return Err(Error::Events(tfevents::Error::BadName {
                what: "path",
                name: path.display().to_string(),
                reason: "does not end in .png; save_image writes PNG only",
            }));
        }
    }
    let grid = make_grid(tensor, opts)?;
    let img = convert_tensor_with(&grid, DataFormat::CHW, PixelRule::SaveImage)?;
    let png = encode_png(&img)?;
    std::fs::write(path, png).map_err(|e| Error::io("cannot write image", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    /// The host path and the candle (device) path give identical grids.
    #[test]
    fn host_and_candle_paths_agree() -> TestResult {
        for (n, c) in [(1, 1), (1, 3), (5, 1), (5, 3), (9, 4)] {
            let len = n * c * 3 * 4;
            let v: Vec<f32> = (0..len).map(|k| (k as f32 * 0.7).sin() * 3.0).collect();
            let t = Tensor::from_vec(v, (n, c, 3, 4), &Device::Cpu)?;
            for normalize in [false, true] {
                for scale_each in [false, true] {
                    for value_range in [None, Some((-1.0, 0.5))] {
                        for (nrow, padding) in [(8, 2), (3, 0), (2, 1)] {
                            let o = GridOptions {
                                nrow,
                                padding,
                                normalize,
                                value_range,
                                scale_each,
                                pad_value: 0.25,
                            };
                            let a = make_grid_host(&t, &o)?;
                            let b = make_grid_candle(t.clone(), &o)?;
                            assert_eq!(a.dims(), b.dims(), "{n} {c} {o:?}");
                            assert_eq!(a.to_vec3::<f32>()?, b.to_vec3::<f32>()?, "{n} {c} {o:?}");
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// A non-contiguous view goes through the host path correctly.
    #[test]
    fn strided_input() -> TestResult {
        let v: Vec<f32> = (0..2 * 3 * 4 * 5).map(|k| k as f32).collect();
        let t = Tensor::from_vec(v, (2, 3, 4, 5), &Device::Cpu)?;
        let view = t.transpose(2, 3)?; // (2, 3, 5, 4), not contiguous
        let o = GridOptions::default();
        let a = make_grid_host(&view, &o)?;
        let b = make_grid_candle(view.contiguous()?, &o)?;
        assert_eq!(a.to_vec3::<f32>()?, b.to_vec3::<f32>()?);
        Ok(())
    }
}
