//! The audio plugin: sound clips as 16-bit PCM WAV files.
//!
//! Samples are converted as PyTorch's `torch.utils.tensorboard.summary.audio` converts them:
//! clipped to `[-1, 1]`, times 32767, truncated toward zero, in the samples' own precision.
//! PyTorch writes mono only; here any number of channels is written, interleaved frame by
//! frame as in a `(frames, channels)` array (tensorboardX's layout).

use crate::error::{Error, Result};
use crate::proto::{summary, Summary};

/// The largest WAV file a clip may make, in bytes (2^31 - 1, its 44-byte header included):
/// a `Summary` is one protobuf message, which cannot exceed 2 GiB, so TensorBoard could not
/// read a longer clip. That is about 6 hours of 16-bit mono at 44.1 kHz; refused before the
/// samples are converted.
pub const MAX_AUDIO_BYTES: usize = i32::MAX as usize;

/// A float sample (`f32` or `f64`), converted in its own precision as numpy does.
pub trait Sample: Copy {
    /// The 16-bit PCM value, or `None` for NaN.
    fn to_pcm16(self) -> Option<i16>;
}

impl Sample for f32 {
    fn to_pcm16(self) -> Option<i16> {
        if self.is_nan() {
            return None;
        }
        Some((self.clamp(-1.0, 1.0) * i16::MAX as f32) as i16)
    }
}

impl Sample for f64 {
    fn to_pcm16(self) -> Option<i16> {
        if self.is_nan() {
            return None;
        }
        Some((self.clamp(-1.0, 1.0) * i16::MAX as f64) as i16)
    }
}

/// A RIFF/WAVE file of 16-bit PCM, with the 44-byte header Python's `wave` module writes
/// (written by hand because it is 44 bytes, and because the `hound` crate writes the
/// extensible format for more than two channels, which Python's reader rejects).
pub fn encode_wav(pcm: &[i16], num_channels: u16, sample_rate: u32) -> Vec<u8> {
    let data_len = (pcm.len() * 2) as u32;
    let block_align = num_channels * 2;
    let mut out = Vec::with_capacity(44 + pcm.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // WAVE_FORMAT_PCM
    out.extend_from_slice(&num_channels.to_le_bytes());
    out.extend_from_slice(&sample_rate.to_le_bytes());
    out.extend_from_slice(&(sample_rate * block_align as u32).to_le_bytes());
    out.extend_from_slice(&block_align.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in pcm {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// Refuses a WAV file of `samples` 16-bit samples over [`MAX_AUDIO_BYTES`].
fn check_wav_bytes(samples: usize) -> Result<()> {
    let bytes = (samples as u128) * 2 + 44;
    if bytes > MAX_AUDIO_BYTES as u128 {
        return Err(Error::TooLarge {
            what: "the WAV clip",
            bytes,
            limit: MAX_AUDIO_BYTES,
        });
    }
    Ok(())
}

/// An audio summary of `samples` (interleaved: frame 0's channels, then frame 1's, ...).
///
/// Errors (naming the argument): no samples, a NaN sample, zero channels or more than 65535,
/// a sample count that is not a multiple of `num_channels`, a sample rate of 0 or one whose
/// byte rate does not fit the WAV header; a WAV file over [`MAX_AUDIO_BYTES`] is
/// [`Error::TooLarge`].
pub fn audio_summary<S: Sample>(
    tag: &str,
    samples: &[S],
    num_channels: usize,
    sample_rate: u32,
) -> Result<Summary> {
    if samples.is_empty() {
        return Err(Error::Empty {
            what: "samples".to_string(),
        });
    }
    let channels = u16::try_from(num_channels)
        .ok()
        .filter(|&c| c > 0)
        .ok_or_else(|| Error::OutOfRange {
            what: "num_channels".to_string(),
            value: num_channels as f64,
            min: 1.0,
            max: u16::MAX as f64,
        })?;
    if !samples.len().is_multiple_of(num_channels) {
        return Err(Error::BadShape {
            what: format!("samples for {num_channels} channels"),
            shape: vec![samples.len()],
            expected: "pass whole frames, channels interleaved: a multiple of num_channels values",
        });
    }
    // The WAV header holds the byte rate, sample_rate * channels * 2, in 32 bits.
    let max_rate = u32::MAX / (u32::from(channels) * 2);
    if sample_rate == 0 || sample_rate > max_rate {
        return Err(Error::OutOfRange {
            what: "sample_rate (samples per second, e.g. 44100)".to_string(),
            value: sample_rate as f64,
            min: 1.0,
            max: max_rate as f64,
        });
    }
    check_wav_bytes(samples.len())?;
    let mut pcm = Vec::with_capacity(samples.len());
    for (i, s) in samples.iter().enumerate() {
        pcm.push(s.to_pcm16().ok_or_else(|| Error::BadNumber {
            what: format!("sample {i}"),
            value: f64::NAN,
            must: "a number (not NaN)",
        })?);
    }
    let frames = samples.len() / num_channels;
    Ok(Summary {
        value: vec![summary::Value {
            tag: tag.to_string(),
            value: Some(summary::value::Value::Audio(summary::Audio {
                sample_rate: sample_rate as f32,
                num_channels: num_channels as i64,
                length_frames: frames as i64,
                encoded_audio_string: encode_wav(&pcm, channels, sample_rate),
                content_type: "audio/wav".into(),
            })),
            ..Default::default()
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_over_the_limit_are_refused_before_converting() {
        let most = (MAX_AUDIO_BYTES - 44) / 2;
        assert!(check_wav_bytes(most).is_ok());
        assert!(matches!(
            check_wav_bytes(most + 1),
            Err(Error::TooLarge {
                limit: MAX_AUDIO_BYTES,
                ..
            })
        ));
        assert!(matches!(
            check_wav_bytes(usize::MAX),
            Err(Error::TooLarge { .. })
        ));
    }
}
