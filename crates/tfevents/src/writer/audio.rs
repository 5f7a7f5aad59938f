//! [`SummaryWriter`]'s audio methods: PyTorch's `add_audio`.

use super::{Entry, SummaryWriter};
use crate::error::Result;
use crate::summary::audio::{audio_summary, Sample};

impl SummaryWriter {
    /// Logs a mono sound clip, as PyTorch's `add_audio(tag, snd_tensor, global_step,
    /// sample_rate)`: samples in `[-1, 1]` (others are clipped), written as 16-bit PCM WAV.
    /// A NaN sample is an error.
    ///
    /// ```no_run
    /// # fn main() -> tfevents::Result<()> {
    /// # let writer = tfevents::SummaryWriter::new("runs/audio")?;
    /// let tone: Vec<f32> = (0..44_100).map(|i| (i as f32 * 440.0 * std::f32::consts::TAU / 44_100.0).sin()).collect();
    /// writer.add_audio("tone/440Hz", &tone, 0, 44_100)?;
    /// # Ok(()) }
    /// ```
    pub fn add_audio<T: Sample, S: TryInto<i64>>(
        &self,
        tag: &str,
        samples: &[T],
        step: S,
        sample_rate: u32,
    ) -> Result<()> {
        self.add_audio_channels(tag, samples, 1, step, sample_rate)
    }

    /// [`add_audio`](Self::add_audio) for `num_channels` channels, interleaved frame by frame
    /// (a `(frames, channels)` array, tensorboardX's layout).
    pub fn add_audio_channels<T: Sample, S: TryInto<i64>>(
        &self,
        tag: &str,
        samples: &[T],
        num_channels: usize,
        step: S,
        sample_rate: u32,
    ) -> Result<()> {
        self.log(tag, step, || {
            Ok(Entry::Now(audio_summary(
                tag,
                samples,
                num_channels,
                sample_rate,
            )?))
        })
    }
}
