//! Any shape, layout and pixel bytes as an image input: a clear `Err` or a PNG, never a panic,
//! an overflow or an allocation the shape alone asks for.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tfevents::summary::image::{encode_png, to_image_u8, DataFormat};

fuzz_target!(|input: &[u8]| {
    if input.len() < 9 {
        return;
    }
    let (head, pixels) = input.split_at(9);
    let rank = 2 + (head[0] % 3) as usize;
    // Dimensions up to 2^16 each, so that a product can overflow 32 bits.
    let shape: Vec<usize> = (0..rank)
        .map(|i| u16::from_le_bytes([head[1 + 2 * i], head[2 + 2 * i]]) as usize)
        .collect();
    let format = match (rank, head[0] / 3 % 2) {
        (2, _) => DataFormat::HW,
        (3, 0) => DataFormat::CHW,
        (3, _) => DataFormat::HWC,
        (_, 0) => DataFormat::NCHW,
        _ => DataFormat::NHWC,
    };
    let floats: Vec<f32> = pixels
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    for image in [
        to_image_u8((pixels, shape.as_slice()), format),
        to_image_u8((floats.as_slice(), shape.as_slice()), format),
    ] {
        if let Ok(image) = image {
            let _ = encode_png(&image);
        }
    }
});
