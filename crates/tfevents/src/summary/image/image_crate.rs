//! The `image` crate's buffers as image inputs (the `image` feature). They are HWC by nature,
//! so the data format argument is ignored.

use super::convert::ImageInput;
use super::format::DataFormat;
use super::image_u8::{checked_image_bytes, ImageU8};
use crate::Result;

impl ImageInput for image::RgbImage {
    fn to_image_u8(&self, _format: DataFormat) -> Result<ImageU8> {
        let (w, h) = self.dimensions();
        ImageU8::new(h as usize, w as usize, 3, self.as_raw().clone())
    }
}

impl ImageInput for image::RgbaImage {
    fn to_image_u8(&self, _format: DataFormat) -> Result<ImageU8> {
        let (w, h) = self.dimensions();
        ImageU8::new(h as usize, w as usize, 4, self.as_raw().clone())
    }
}

impl ImageInput for image::GrayImage {
    fn to_image_u8(&self, _format: DataFormat) -> Result<ImageU8> {
        let (w, h) = self.dimensions();
        let raw = self.as_raw();
        let len = checked_image_bytes(h as usize, w as usize, 3)?;
        let mut data = Vec::with_capacity(len);
        data.extend(raw.iter().flat_map(|&g| [g, g, g]));
        ImageU8::new(h as usize, w as usize, 3, data)
    }
}

impl ImageInput for image::DynamicImage {
    /// 8-bit RGB and RGBA are taken as they are; grey becomes RGB, grey + alpha becomes RGBA,
    /// 16-bit and float images are converted by the `image` crate (which scales them to 8 bits).
    fn to_image_u8(&self, format: DataFormat) -> Result<ImageU8> {
        use image::DynamicImage as D;
        match self {
            D::ImageRgb8(i) => i.to_image_u8(format),
            D::ImageRgba8(i) => i.to_image_u8(format),
            D::ImageLuma8(i) => i.to_image_u8(format),
            other if other.color().has_alpha() => other.to_rgba8().to_image_u8(format),
            other => other.to_rgb8().to_image_u8(format),
        }
    }
}
