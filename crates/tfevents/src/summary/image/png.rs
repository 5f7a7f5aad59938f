//! PNG encoding of an [`ImageU8`].

use super::image_u8::{bad_channels, checked_image_bytes, ImageU8};
use crate::{Error, Result};

/// [`encode_png`]'s DEFLATE setting: `fdeflate` (the `png` crate's fast path).
/// Chosen by measurement, see [`PNG_FILTER`] and `benches/images.rs`.
pub const PNG_DEFLATE: ::png::DeflateCompression = ::png::DeflateCompression::FdeflateUltraFast;

/// [`encode_png`]'s row filter. With `fdeflate`, `Paeth` gives files as small as the adaptive
/// per-row choice at a fraction of its cost, and `Up` is faster but 20% larger on smooth images.
pub const PNG_FILTER: ::png::Filter = ::png::Filter::Paeth;

/// Encodes `img` as an 8-bit PNG (grey, grey + alpha, RGB or RGBA by channel count) with
/// [`PNG_DEFLATE`] and [`PNG_FILTER`].
pub fn encode_png(img: &ImageU8) -> Result<Vec<u8>> {
    encode_png_with(img, PNG_DEFLATE, PNG_FILTER)
}

/// [`encode_png`] with an explicit DEFLATE setting and row filter, for benchmarks and for users
/// who trade size for speed (e.g. `DeflateCompression::Level(6)` with `Filter::Adaptive` is
/// what PIL, and so PyTorch, writes).
pub fn encode_png_with(
    img: &ImageU8,
    deflate: ::png::DeflateCompression,
    filter: ::png::Filter,
) -> Result<Vec<u8>> {
    // Revalidate: the fields are private, but keep the encoder's preconditions local.
    let len = checked_image_bytes(img.height, img.width, img.channels)?;
    if img.data.len() != len {
        return Err(Error::ShapeMismatch {
            shape: vec![img.height, img.width, img.channels],
            needs: len,
            got: img.data.len(),
        });
    }
    let color = match img.channels {
        1 => ::png::ColorType::Grayscale,
        2 => ::png::ColorType::GrayscaleAlpha,
        3 => ::png::ColorType::Rgb,
        4 => ::png::ColorType::Rgba,
        c => return Err(bad_channels(c)),
    };
    // Both fit in u32: checked against MAX_PNG_DIMENSION above.
    let (w, h) = (img.width as u32, img.height as u32);
    // Noise does not compress: reserve the raw size plus headers up front.
    let mut out = Vec::with_capacity(len + len / 64 + 1024);
    {
        let mut enc = ::png::Encoder::new(&mut out, w, h);
        enc.set_color(color);
        enc.set_depth(::png::BitDepth::Eight);
        enc.set_deflate_compression(deflate);
        enc.set_filter(filter);
        let mut writer = enc
            .write_header()
            .map_err(|e| Error::encode("the PNG header", e))?;
        writer
            .write_image_data(&img.data)
            .map_err(|e| Error::encode("the PNG data", e))?;
        writer
            .finish()
            .map_err(|e| Error::encode("the PNG end", e))?;
    }
    Ok(out)
}
