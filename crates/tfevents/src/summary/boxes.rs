//! Bounding boxes drawn on an image, with torchvision's `draw_bounding_boxes` semantics: boxes
//! in pixels as `(xmin, ymin, xmax, ymax)`, truncated to integers, outlines `width` pixels
//! thick drawn inward from the box's edges (PIL's `rectangle`), one colour per box from
//! torchvision's default palette unless given, grey images made RGB.
//!
//! Box labels (one per box) are drawn as torchvision draws them, in the box's colour at its
//! top-left corner inside the outline, when the `figures` feature is on (it brings the DejaVu
//! Sans font); without it, and on images with alpha, they are checked but not drawn.

use super::image::{ImageU8, MAX_IMAGE_BYTES};
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
            let bad = |value: f32, must| {
                Err(Error::BadNumber {
                    what: format!("a coordinate of box {i} {b:?}"),
                    value: value.into(),
                    must,
                })
            };
            if let Some(&v) = b.iter().find(|v| !v.is_finite()) {
                return bad(v, "finite pixels");
            }
            if b[2] < b[0] {
                return bad(b[2], "xmax >= xmin: boxes are (xmin, ymin, xmax, ymax)");
            }
            if b[3] < b[1] {
                return bad(b[3], "ymax >= ymin: boxes are (xmin, ymin, xmax, ymax)");
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
            return Err(Error::LengthMismatch {
                what: "labels".to_string(),
                got: labels.len(),
                expected: self.boxes.len(),
                per: "box",
            });
        }
        self.labels = Some(labels);
        Ok(self)
    }

    /// One RGB colour per box.
    pub fn colors(mut self, colors: &[[u8; 3]]) -> Result<Self> {
        if colors.len() != self.boxes.len() {
            return Err(Error::LengthMismatch {
                what: "colors".to_string(),
                got: colors.len(),
                expected: self.boxes.len(),
                per: "box",
            });
        }
        self.colors = Some(colors.to_vec());
        Ok(self)
    }

    /// Outline thickness in pixels (at least 1).
    pub fn width(mut self, width: usize) -> Result<Self> {
        if width == 0 {
            return Err(Error::BadNumber {
                what: "the outline width".to_string(),
                value: 0.0,
                must: "at least 1 pixel",
            });
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
///
/// Each box is clipped to the image as PIL (and so torchvision) clips it: a box entirely
/// outside draws nothing, a box partly outside draws the part inside, and an outline wider
/// than half the box fills it (so `width(usize::MAX)` fills the box). Coordinates are
/// truncated to integers, saturating at `i64`'s range. Drawing takes time in proportion to
/// the image's rows and the outline's pixels, whatever the boxes' coordinates and width.
///
/// [`Error::TooLarge`] if the RGB(A) output would exceed
/// [`MAX_IMAGE_BYTES`] (a large grey image made RGB), checked
/// before it is allocated.
pub fn draw_boxes(img: &ImageU8, boxes: &Boxes) -> Result<ImageU8> {
    let (h, w, c) = (img.height(), img.width(), img.channels());
    let out_c = if c == 4 || c == 2 { 4 } else { 3 };
    let bytes = (h as u128) * (w as u128) * (out_c as u128);
    if bytes > MAX_IMAGE_BYTES as u128 {
        return Err(Error::TooLarge {
            what: "the image with boxes",
            bytes,
            limit: MAX_IMAGE_BYTES,
        });
    }
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
        // torchvision truncates to int64 (saturating here); PIL then clips to the image.
        let [x0, y0, x1, y1] = b.map(|v| v as i64);
        let outline = Outline {
            x0: i128::from(x0),
            y0: i128::from(y0),
            x1: i128::from(x1),
            y1: i128::from(y1),
            width: boxes.width as i128,
        };
        #[cfg(feature = "figures")]
        if let Some(text) = boxes.labels.as_ref().and_then(|l| l.get(i)) {
            let margin = i64::try_from(outline.width + 1).unwrap_or(i64::MAX);
            labels.push((
                x0.saturating_add(margin),
                y0.saturating_add(margin),
                text.as_str(),
                color,
            ));
        }
        for (y, xs) in outline.spans(w, h) {
            for x in xs {
                let at = (y * w + x) * out_c;
                if let Some(px) = data.get_mut(at..at + out_c) {
                    px[..3].copy_from_slice(&color);
                    if out_c == 4 {
                        px[3] = 255;
                    }
                }
            }
        }
    }
    #[cfg(feature = "figures")]
    if out_c == 3 && !labels.is_empty() {
        crate::summary::figure::draw_labels(&mut data, (w, h), &labels)?;
    }
    ImageU8::new(h, w, out_c, data)
}

/// A box's outline `width` pixels thick drawn inward from its edges, in `i128` so that no
/// coordinate arithmetic can overflow.
struct Outline {
    x0: i128,
    y0: i128,
    x1: i128,
    y1: i128,
    width: i128,
}

impl Outline {
    /// The runs of outline pixels inside a `w` x `h` image: for each row of the box inside
    /// the image, the columns to colour (one run across the box on the top and bottom bands,
    /// else the left and right bands). A pixel is on the outline when it is within `width`
    /// of an edge of the box.
    fn spans(
        &self,
        w: usize,
        h: usize,
    ) -> impl Iterator<Item = (usize, std::ops::Range<usize>)> + '_ {
        let (w, h) = (w as i128, h as i128);
        let clip = move |lo: i128, hi: i128, size: i128| (lo.max(0), hi.min(size - 1));
        let (top, bottom) = clip(self.y0, self.y1, h);
        let (left, right) = clip(self.x0, self.x1, w);
        // No columns of the box inside the image: no rows either.
        let rows = top..=if left <= right { bottom } else { top - 1 };
        rows.flat_map(move |y| {
            let band = (y - self.y0).min(self.y1 - y) < self.width;
            let runs = if band {
                [(left, right), (1, 0)]
            } else {
                [
                    (left, right.min(self.x0 + self.width - 1)),
                    (left.max(self.x1 - self.width + 1), right),
                ]
            };
            // The two runs overlap when the outline fills the box: draw the overlap once.
            let runs = if runs[1].0 <= runs[0].1 {
                [(runs[0].0, runs[1].1.max(runs[0].1)), (1, 0)]
            } else {
                runs
            };
            runs.into_iter()
                .filter(|&(a, b)| a <= b)
                .map(move |(a, b)| (y as usize, a as usize..b as usize + 1))
        })
    }
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
        let inverted = Boxes::new(&[[3.0, 0.0, 1.0, 2.0]]).unwrap_err();
        assert!(
            matches!(&inverted, Error::BadNumber { what, value, .. } if what.contains("box 0") && *value == 1.0),
            "{inverted}"
        );
        assert!(inverted.to_string().contains("xmax >= xmin"), "{inverted}");
        assert!(matches!(
            Boxes::new(&[[f32::NAN, 0.0, 1.0, 2.0]]),
            Err(Error::BadNumber { value, .. }) if value.is_nan()
        ));
        let b = Boxes::new(&[[0.0, 0.0, 1.0, 1.0]]).unwrap();
        let labels = b.clone().labels(["a", "b"]).unwrap_err();
        assert!(matches!(
            &labels,
            Error::LengthMismatch { what, got: 2, expected: 1, per: "box" } if what == "labels"
        ));
        assert!(matches!(
            b.clone().colors(&[]),
            Err(Error::LengthMismatch {
                got: 0,
                expected: 1,
                ..
            })
        ));
        assert!(matches!(b.width(0), Err(Error::BadNumber { .. })));
    }

    /// The pixels of `out` that differ from `img` made RGB.
    fn drawn(img: &ImageU8, out: &ImageU8) -> Vec<(usize, usize)> {
        let mut hits = Vec::new();
        for y in 0..out.height() {
            for x in 0..out.width() {
                let before = img.pixel(y, x).unwrap()[0];
                if out.pixel(y, x).unwrap() != [before, before, before] {
                    hits.push((y, x));
                }
            }
        }
        hits
    }

    #[test]
    fn boxes_entirely_outside_draw_nothing() {
        let img = ImageU8::new(6, 8, 1, vec![10; 48]).unwrap();
        let outside = [
            [-20.0, -20.0, -1.0, -1.0],
            [8.0, 0.0, 30.0, 5.0],
            [0.0, 6.0, 7.0, 40.0],
            [-1e30, -1e30, -1e29, -1e29],
            [1e30, 1e30, 3e38, 3e38],
            [-3e38, 10.0, 3e38, 20.0],
        ];
        for b in outside {
            for width in [1, 3, usize::MAX] {
                let boxes = Boxes::new(&[b])
                    .unwrap()
                    .colors(&[[255, 0, 0]])
                    .unwrap()
                    .width(width)
                    .unwrap();
                let out = draw_boxes(&img, &boxes).unwrap();
                assert_eq!(drawn(&img, &out), vec![], "{b:?} width {width}");
            }
        }
    }

    #[test]
    fn a_huge_width_fills_the_box_clipped_to_the_image() {
        let img = ImageU8::new(6, 8, 1, vec![10; 48]).unwrap();
        let boxes = Boxes::new(&[[2.0, 1.0, 4.0, 3.0]])
            .unwrap()
            .colors(&[[255, 0, 0]])
            .unwrap()
            .width(usize::MAX)
            .unwrap();
        let out = draw_boxes(&img, &boxes).unwrap();
        let filled: Vec<(usize, usize)> =
            (1..=3).flat_map(|y| (2..=4).map(move |x| (y, x))).collect();
        assert_eq!(drawn(&img, &out), filled);
        // A box covering far more than the image, with a huge width: the whole image.
        let everything = Boxes::new(&[[-3e38, -3e38, 3e38, 3e38]])
            .unwrap()
            .colors(&[[255, 0, 0]])
            .unwrap()
            .width(usize::MAX)
            .unwrap();
        assert_eq!(
            drawn(&img, &draw_boxes(&img, &everything).unwrap()).len(),
            48
        );
        // The same box one pixel wide: its edges are all outside, nothing is drawn.
        let thin = Boxes::new(&[[-3e38, -3e38, 3e38, 3e38]])
            .unwrap()
            .colors(&[[255, 0, 0]])
            .unwrap();
        assert_eq!(drawn(&img, &draw_boxes(&img, &thin).unwrap()), vec![]);
    }

    #[test]
    fn the_outline_is_the_pixels_within_width_of_an_edge() {
        let img = ImageU8::new(12, 12, 1, vec![10; 144]).unwrap();
        for width in 1..=6 {
            let boxes = Boxes::new(&[[1.0, 2.0, 10.0, 9.0]])
                .unwrap()
                .colors(&[[255, 0, 0]])
                .unwrap()
                .width(width)
                .unwrap();
            let out = draw_boxes(&img, &boxes).unwrap();
            let expected: Vec<(usize, usize)> = (0..12)
                .flat_map(|y| (0..12).map(move |x| (y, x)))
                .filter(|&(y, x)| {
                    (2..=9).contains(&y)
                        && (1..=10).contains(&x)
                        && (y - 2).min(9 - y).min(x - 1).min(10 - x) < width
                })
                .collect();
            assert_eq!(drawn(&img, &out), expected, "width {width}");
        }
    }
}
