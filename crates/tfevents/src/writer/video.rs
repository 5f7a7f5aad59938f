//! [`SummaryWriter::add_video`]: tensorboardX's `add_video` (feature `video`).

use super::{Entry, SummaryWriter};
use crate::error::Result;
use crate::summary::video::{bad_video_shape, check_fps, tile_video, video_summary, VideoValue};

impl SummaryWriter {
    /// Logs a batch of videos `(N, T, C, H, W)` (C = 1 or 3; `u8`, or floats in `[0, 1]`) as
    /// one animated GIF at `fps` frames per second, as PyTorch's `add_video(tag, vid_tensor,
    /// global_step, fps)` (PyTorch's default fps is 4). TensorBoard shows it in the IMAGES
    /// dashboard. The caller's thread tiles the frames; GIF encoding runs on the writer
    /// thread.
    ///
    /// ```no_run
    /// # fn main() -> tfevents::Result<()> {
    /// # let writer = tfevents::SummaryWriter::new("runs/video")?;
    /// let frames: Vec<f32> = (0..8 * 3 * 16 * 16).map(|i| (i % 7) as f32 / 6.0).collect();
    /// writer.add_video("clip", &frames, [1, 8, 3, 16, 16], 0, 4.0)?;
    /// # Ok(()) }
    /// ```
    pub fn add_video<V: VideoValue, S: TryInto<i64>>(
        &self,
        tag: &str,
        values: &[V],
        shape: [usize; 5],
        step: S,
        fps: f64,
    ) -> Result<()> {
        self.log(tag, step, || {
            check_fps(fps)?;
            let video = tile_video(values, &shape)?;
            let bytes = video.frames.iter().map(Vec::len).sum();
            let tag = tag.to_string();
            Ok(Entry::later(bytes, move || {
                video_summary(&tag, &video, fps)
            }))
        })
    }

    /// [`add_video`](Self::add_video) with the shape as a slice, so a wrong rank is an error
    /// rather than a compile error (for shapes read at run time, e.g. from a tensor).
    pub fn add_video_dyn<V: VideoValue, S: TryInto<i64>>(
        &self,
        tag: &str,
        values: &[V],
        shape: &[usize],
        step: S,
        fps: f64,
    ) -> Result<()> {
        self.ensure_open()?;
        let shape: [usize; 5] = shape
            .try_into()
            .map_err(|_| bad_video_shape(shape).in_tag(tag))?;
        self.add_video(tag, values, shape, step, fps)
    }
}
