//! [`SummaryWriter`]'s image methods: PyTorch's `add_image` and `add_images`.
//!
//! The caller's thread converts the input to 8-bit pixels (one pass over the data, the only
//! work that needs the caller's tensor); PNG encoding runs on the writer thread.

use super::{Entry, SummaryWriter};
use crate::summary::image::{image_summary, DataFormat, ImageInput};
use crate::{Error, Result};

/// A data format given as a [`DataFormat`] or as its letters (`"HWC"`, `"NHWC"`, ...).
pub trait IntoDataFormat {
    /// The format, or an error naming what is wrong with the letters.
    fn into_data_format(self) -> Result<DataFormat>;
}

impl IntoDataFormat for DataFormat {
    fn into_data_format(self) -> Result<DataFormat> {
        Ok(self)
    }
}

impl IntoDataFormat for &str {
    fn into_data_format(self) -> Result<DataFormat> {
        DataFormat::parse(self)
    }
}

impl IntoDataFormat for &String {
    fn into_data_format(self) -> Result<DataFormat> {
        DataFormat::parse(self)
    }
}

impl SummaryWriter {
    /// Logs an image, as PyTorch's `add_image(tag, img_tensor, global_step)` with its default
    /// `dataformats="CHW"`: a `(C, H, W)` tensor (C = 1, 3 or 4) of any dtype on any device,
    /// a slice with a shape, an [`ImageU8`](crate::summary::image::ImageU8) or an `image`
    /// crate buffer (whose own layout is used).
    ///
    /// Values are scaled as PyTorch does: `u8` as is, anything else times 255, clipped to
    /// `0..=255` and truncated (so floats in `[0, 1]` show as intended). See
    /// [`summary::image`](crate::summary::image) for the rules and the errors.
    ///
    /// ```no_run
    /// use tfevents::SummaryWriter;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let writer = SummaryWriter::new("runs/images")?;
    /// let white = vec![1f32; 3 * 64 * 64];
    /// writer.add_image("white", (&white[..], [3, 64, 64]), 0)?;
    /// let ramp: Vec<f32> = (0..64 * 48).map(|i| i as f32 / (64.0 * 48.0)).collect();
    /// writer.add_image_with_format("ramp", (&ramp[..], [64, 48]), 1, "HW")?;
    /// # Ok(()) }
    /// ```
    pub fn add_image<S: TryInto<i64>>(
        &self,
        tag: &str,
        image: impl ImageInput,
        step: S,
    ) -> Result<()> {
        self.add_image_with_format(tag, image, step, DataFormat::CHW)
    }

    /// [`add_image`](Self::add_image) with PyTorch's `dataformats`: `"CHW"`, `"HWC"`, `"HW"`,
    /// any other order of those letters, or a four-letter batch format (`"NCHW"`, ...), which
    /// tiles the batch as [`add_images`](Self::add_images) does.
    pub fn add_image_with_format<S: TryInto<i64>>(
        &self,
        tag: &str,
        image: impl ImageInput,
        step: S,
        format: impl IntoDataFormat,
    ) -> Result<()> {
        self.log(tag, step, || {
            let img = image.to_image_u8(format.into_data_format()?)?;
            let tag = tag.to_string();
            Ok(Entry::later(img.data().len(), move || {
                image_summary(&tag, &img)
            }))
        })
    }

    /// Logs a batch of images as one picture, as PyTorch's `add_images(tag, img_tensor,
    /// global_step)` with its default `dataformats="NCHW"`: the images are tiled 8 per row,
    /// without padding, black where the last row is short. For padding, normalization or
    /// another number of columns, use `make_grid` (`candle_tensorboard::grid`) and
    /// [`add_image`](Self::add_image).
    pub fn add_images<S: TryInto<i64>>(
        &self,
        tag: &str,
        images: impl ImageInput,
        step: S,
    ) -> Result<()> {
        self.add_images_with_format(tag, images, step, DataFormat::NCHW)
    }

    /// [`add_images`](Self::add_images) with PyTorch's `dataformats`: `"NCHW"`, `"NHWC"` or
    /// any other order of `N`, `C`, `H`, `W`.
    pub fn add_images_with_format<S: TryInto<i64>>(
        &self,
        tag: &str,
        images: impl ImageInput,
        step: S,
        format: impl IntoDataFormat,
    ) -> Result<()> {
        self.ensure_open()?;
        let format = format.into_data_format().map_err(|e| e.in_tag(tag))?;
        if !format.is_batch() {
            return Err(Error::BadDataFormat {
                format: format.to_string(),
                reason: "add_images takes a batch format of four letters such as NCHW or NHWC (use add_image for one image)".to_string(),
            }
            .in_tag(tag));
        }
        self.add_image_with_format(tag, images, step, format)
    }
}
