//! The `Summary` message of the images dashboard.

use super::image_u8::ImageU8;
use super::png::encode_png;
use crate::proto;
use crate::{Error, Result};

/// Builds the `Summary` PyTorch's `summary.image` builds: one value with `tag` and a
/// `Summary.Image` holding the true height, width, the channel count as colorspace, and the
/// PNG bytes.
pub fn image_summary(tag: &str, img: &ImageU8) -> Result<proto::Summary> {
    let png = encode_png(img)?;
    image_summary_from_png(tag, img.height, img.width, img.channels, png)
}

/// The `Summary` for an already encoded PNG of `height` x `width` with `channels` channels.
pub fn image_summary_from_png(
    tag: &str,
    height: usize,
    width: usize,
    channels: usize,
    png: Vec<u8>,
) -> Result<proto::Summary> {
    let to_i32 = |name: &'static str, v: usize| {
        i32::try_from(v).map_err(|_| Error::OutOfRange {
            what: format!("the image's {name} (Summary.Image holds an int32)"),
            value: v as f64,
            min: 0.0,
            max: i32::MAX.into(),
        })
    };
    Ok(proto::Summary {
        value: vec![proto::summary::Value {
            node_name: String::new(),
            tag: tag.to_string(),
            metadata: None,
            value: Some(proto::summary::value::Value::Image(proto::summary::Image {
                height: to_i32("height", height)?,
                width: to_i32("width", width)?,
                colorspace: to_i32("channels", channels)?,
                encoded_image_string: png,
            })),
        }],
    })
}
