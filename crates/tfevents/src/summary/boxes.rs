//! Bounding boxes drawn on an image, with torchvision's `draw_bounding_boxes` semantics: boxes
//! in pixels as `(xmin, ymin, xmax, ymax)`, truncated to integers, outlines `width` pixels
//! thick drawn inward from the box's edges (PIL's `rectangle`), one colour per box from
//! torchvision's default palette unless given, grey images made RGB.
//!
//! Box labels (one per box) are drawn as torchvision draws them, in the box's colour at its
//! top-left corner inside the outline, when the `figures` feature is on (it brings the DejaVu
//! Sans font); without it, and on images with alpha, they are checked but not drawn.

use super::image::ImageU8;
use crate::{Error, Result};

/// Boxes to draw, PyTorch's `add_image_with_boxes(box_tensor, labels=...)` and torchvision's
/// `colors=`, `width=`.
#[derive(Clone, Debug, PartialEq)]
pub struct Boxes {
    boxes: Vec<[f32; 4]>,
    labels: Option<Vec<String>>,
    colors: Option<Vec<[u8; 3]>>,
    width: usize,
}

impl Boxes {
    /// Boxes as `(xmin, ymin, xmax, ymax)` in pixels, outline width 1 (torchvision's default).
    /// Non-finite values and boxes with `xmax < xmin` or `ymax < ymin` are errors.
    pub fn new(boxes: &[[f32; 4]]) -> Result<Self> {
        for (i, b) in boxes.iter().enumerate() {
            if b.iter().any(|v| !v.is_finite()) {
                return Err(Error::invalid(
                    "box_tensor",
                    format!("box {i} is {b:?}; coordinates must be finite pixels"),
                ));
            }
            if b[2] < b[0] || b[3] < b[1] {
                return Err(Error::invalid(
                    "box_tensor",
                    format!("box {i} is {b:?}; boxes are (xmin, ymin, xmax, ymax) with xmin <= xmax and ymin <= ymax"),
                ));
            }
        }
        Ok(Boxes {
            boxes: boxes.to_vec(),
            labels: None,
            colors: None,
            width: 1,
        })
    }

    /// One label per box (checked, not drawn: see the [module docs](self)).
    pub fn labels<T: ToString>(mut self, labels: impl IntoIterator<Item = T>) -> Result<Self> {
        let labels: Vec<String> = labels.into_iter().map(|l| l.to_string()).collect();
        if labels.len() != self.boxes.len() {
            return Err(Error::invalid(
                "labels",
                format!(
                    "has {} labels for {} boxes; give one per box",
                    labels.len(),
                    self.boxes.len()
                ),
            ));
        }
        self.labels = Some(labels);
        Ok(self)
    }

    /// One RGB colour per box.
    pub fn colors(mut self, colors: &[[u8; 3]]) -> Result<Self> {
        if colors.len() != self.boxes.len() {
            return Err(Error::invalid(
                "colors",
                format!(
                    "has {} colours for {} boxes; give one per box",
                    colors.len(),
                    self.boxes.len()
                ),
            ));
        }
        self.colors = Some(colors.to_vec());
        Ok(self)
    }

    /// Outline thickness in pixels (at least 1).
    pub fn width(mut self, width: usize) -> Result<Self> {
        if width == 0 {
            return Err(Error::invalid(
                "width",
                "is 0; outlines need at least one pixel",
            ));
        }
        self.width = width;
        Ok(self)
    }

    /// The labels, if given.
    pub fn label_texts(&self) -> Option<&[String]> {
        self.labels.as_deref()
    }
}

/// torchvision's default colour of box `i`.
pub fn palette_color(i: usize) -> [u8; 3] {
    let i = i as u64;
    [
        (i * ((1 << 25) - 1) % 255) as u8,
        (i * ((1 << 15) - 1) % 255) as u8,
        (i * ((1 << 21) - 1) % 255) as u8,
    ]
}

/// `img` with the boxes drawn, RGB (RGBA if it had alpha).
pub fn draw_boxes(img: &ImageU8, boxes: &Boxes) -> Result<ImageU8> {
    let (h, w, c) = (img.height(), img.width(), img.channels());
    let out_c = if c == 4 || c == 2 { 4 } else { 3 };
    let mut data = Vec::with_capacity(h * w * out_c);
    for px in img.data().chunks_exact(c) {
        match c {
            1 => data.extend_from_slice(&[px[0], px[0], px[0]]),
            2 => data.extend_from_slice(&[px[0], px[0], px[0], px[1]]),
            _ => data.extend_from_slice(&px[..out_c]),
        }
    }
    #[cfg(feature = "figures")]
    let mut labels = Vec::new();
    for (i, b) in boxes.boxes.iter().enumerate() {
        let color = boxes
            .colors
            .as_ref()
            .and_then(|c| c.get(i).copied())
            .unwrap_or_else(|| palette_color(i));
        // torchvision truncates to int64; PIL then clips the rectangle to the image.
        let [x0, y0, x1, y1] = b.map(|v| v as i64);
        let mut set = |x: i64, y: i64| {
            if x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < h {
                let at = (y as usize * w + x as usize) * out_c;
                data[at..at + 3].copy_from_slice(&color);
                if out_c == 4 {
                    data[at + 3] = 255;
                }
            }
        };
        let t = boxes.width as i64;
        #[cfg(feature = "figures")]
        if let Some(text) = boxes.labels.as_ref().and_then(|l| l.get(i)) {
            labels.push((x0 + t + 1, y0 + t + 1, text.as_str(), color));
        }
        for k in 0..t {
            let (l, r, top, bot) = (x0 + k, x1 - k, y0 + k, y1 - k);
            if l > r || top > bot {
                break;
            }
            for x in l.max(0)..=r.min(w as i64 - 1) {
                set(x, top);
                set(x, bot);
            }
            for y in top.max(0)..=bot.min(h as i64 - 1) {
                set(l, y);
                set(r, y);
            }
        }
    }
    #[cfg(feature = "figures")]
    if out_c == 3 && !labels.is_empty() {
        crate::summary::figure::draw_labels(&mut data, (w, h), &labels)?;
    }
    ImageU8::new(h, w, out_c, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outlines_are_drawn_inward_and_clipped() {
        let img = ImageU8::new(6, 8, 1, vec![10; 48]).unwrap();
        let b = Boxes::new(&[[1.0, 1.0, 4.9, 3.0], [6.0, 4.0, 20.0, 9.0]])
            .unwrap()
            .colors(&[[255, 0, 0], [0, 255, 0]])
            .unwrap();
        let out = draw_boxes(&img, &b).unwrap();
        assert_eq!(out.channels(), 3);
        assert_eq!(out.pixel(1, 1).unwrap(), &[255, 0, 0]);
        assert_eq!(out.pixel(3, 4).unwrap(), &[255, 0, 0]); // 4.9 truncates to 4
        assert_eq!(out.pixel(2, 2).unwrap(), &[10, 10, 10]); // inside stays
        assert_eq!(out.pixel(1, 5).unwrap(), &[10, 10, 10]);
        assert_eq!(out.pixel(4, 7).unwrap(), &[0, 255, 0]); // top edge, clipped on the right
        assert_eq!(out.pixel(5, 6).unwrap(), &[0, 255, 0]); // left edge
    }

    #[test]
    fn default_colours_follow_torchvisions_palette() {
        assert_eq!(palette_color(0), [0, 0, 0]);
        assert_eq!(
            palette_color(1),
            [
                (33554431u64 % 255) as u8,
                (32767 % 255) as u8,
                (2097151 % 255) as u8
            ]
        );
    }

    #[test]
    fn bad_boxes_name_the_argument() {
        assert!(Boxes::new(&[[3.0, 0.0, 1.0, 2.0]])
            .unwrap_err()
            .to_string()
            .contains("`box_tensor`"));
        assert!(Boxes::new(&[[f32::NAN, 0.0, 1.0, 2.0]]).is_err());
        let b = Boxes::new(&[[0.0, 0.0, 1.0, 1.0]]).unwrap();
        assert!(b
            .clone()
            .labels(["a", "b"])
            .unwrap_err()
            .to_string()
            .contains("`labels`"));
        assert!(b.clone().colors(&[]).is_err());
        assert!(b.width(0).is_err());
    }
}
