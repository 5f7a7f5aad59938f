//! [`SummaryWriter::add_image_with_boxes`].

use super::{Entry, IntoDataFormat, SummaryWriter};
use crate::summary::boxes::{draw_boxes, Boxes};
use crate::summary::image::{image_summary, ImageInput};
use crate::Result;

impl SummaryWriter {
    /// Logs an image with bounding boxes drawn on it, as PyTorch's `add_image_with_boxes(tag,
    /// img_tensor, box_tensor, global_step, dataformats="CHW", labels=...)`, drawn with
    /// torchvision's `draw_bounding_boxes` semantics (see [`crate::summary::boxes`]; labels
    /// are drawn with the `figures` feature, checked only without it).
    ///
    /// ```no_run
    /// use tfevents::summary::boxes::Boxes;
    /// # fn main() -> tfevents::Result<()> {
    /// let writer = tfevents::SummaryWriter::new("runs/boxes")?;
    /// let img = vec![0.5f32; 3 * 64 * 64];
    /// let boxes = Boxes::new(&[[8.0, 8.0, 40.0, 30.0]])?.labels(["cat"])?.width(2)?;
    /// writer.add_image_with_boxes("detections", (&img[..], [3, 64, 64]), &boxes, 0, "CHW")?;
    /// # Ok(()) }
    /// ```
    pub fn add_image_with_boxes<S: TryInto<i64>>(
        &self,
        tag: &str,
        image: impl ImageInput,
        boxes: &Boxes,
        step: S,
        format: impl IntoDataFormat,
    ) -> Result<()> {
        self.log(tag, step, || {
            let img = draw_boxes(&image.to_image_u8(format.into_data_format()?)?, boxes)?;
            let tag = tag.to_string();
            Ok(Entry::later(img.data().len(), move || {
                image_summary(&tag, &img)
            }))
        })
    }
}
