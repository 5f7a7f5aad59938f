//! The demo's dashboards, part 1: a run for HPARAMS (three trials), PR CURVES, CUSTOM
//! SCALARS, AUDIO, a video in IMAGES, and PyTorch's new-style scalars and `add_tensor`.

use std::path::Path;

use candle_core::Device;

use tfevents::summary::custom_scalar::LayoutCategory;
use tfevents::summary::hparams::HParamDomain;
use tfevents::summary::pr_curve::compute_curve;
use tfevents::summary::scalar::ScalarOptions;
use tfevents::writer::HParamsOptions;
use tfevents::SummaryWriter;

use crate::hparams_sweep::{self, OptimizerKind, Trial};
use crate::mnist::Mnist;

/// A deterministic value in `[0, 1)` for index `i` (a hash, so the demo needs no RNG seed).
fn unit(i: u64, salt: u64) -> f64 {
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.wrapping_mul(0xD1B5_4A32_D192_ED03);
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// Writes `hparams/lr_*` (three trials with different hparams, trained, and their metrics) and
/// `dashboards` (PR curves, custom scalars and the scalars they chart, audio, a video,
/// new-style scalars, a tensor) under `logdir`; each trial trains for `hparams_steps` steps.
pub fn part1(logdir: &Path, hparams_steps: usize) -> Result<(), Box<dyn std::error::Error>> {
    // HPARAMS: three runs, one trial each, in the run itself (not PyTorch's sub-run): small
    // classifiers really trained on the bundled digits, their held-out accuracy the metric.
    let digits = Mnist::bundled()?;
    let data = hparams_sweep::split(&digits, &Device::Cpu)?;
    let trials = [
        (0.1, OptimizerKind::Sgd, 32, true),
        (0.01, OptimizerKind::Adam, 64, false),
        (0.001, OptimizerKind::Adam, 128, true),
    ];
    for (lr, optimizer, batch_size, hidden_layer) in trials {
        let trial = Trial {
            lr,
            optimizer,
            batch_size,
            hidden_layer,
        };
        let writer = SummaryWriter::new(logdir.join(format!("hparams/lr_{lr}")))?;
        let outcome = hparams_sweep::run(trial, &data, hparams_steps, &writer)?;
        let options = HParamsOptions {
            domains: vec![
                (
                    "lr".into(),
                    HParamDomain::Interval {
                        min: 1e-4,
                        max: 1.0,
                    },
                ),
                (
                    "optimizer".into(),
                    HParamDomain::Discrete(vec!["sgd".into(), "adam".into()]),
                ),
            ],
            global_step: hparams_steps.saturating_sub(1) as i64,
            ..Default::default()
        };
        writer.add_hparams_with(
            &[
                ("lr", lr.into()),
                ("batch_size", (batch_size as i64).into()),
                ("optimizer", optimizer.name().into()),
                ("hidden_layer", hidden_layer.into()),
            ],
            &[
                ("hparam/accuracy", outcome.accuracy),
                ("hparam/final_loss", outcome.final_loss),
            ],
            &options,
        )?;
        writer.close()?;
    }

    let writer = SummaryWriter::new(logdir.join("dashboards"))?;
    // PR CURVES: a classifier that sharpens over three steps, and the same counts raw.
    for step in 0..3u64 {
        let n = 2000;
        let labels: Vec<u8> = (0..n).map(|i| u8::from(unit(i, 1) < 0.4)).collect();
        // Positives and negatives overlap less at each step (separable only past 0.5).
        let sharp = 0.1 + 0.15 * step as f64;
        let predictions: Vec<f32> = (0..n)
            .map(|i| {
                let noise = unit(i, 2 + step);
                let target = labels[i as usize] as f64;
                (target * sharp + noise * (1.0 - sharp)) as f32
            })
            .collect();
        writer.add_pr_curve("pr/classifier", &labels, &predictions, step)?;
        if step == 2 {
            let data = compute_curve(&labels, &predictions, 33, None)?;
            writer.add_pr_curve_raw("pr/raw_33_thresholds", &data, step)?;
        }
    }
    // CUSTOM SCALARS: the scalars, then a layout of a multiline and a margin chart.
    for step in 0..10 {
        let t = step as f64;
        writer.add_scalar("loss/train", (-t / 4.0).exp(), step)?;
        writer.add_scalar("loss/test", (-t / 5.0).exp() + 0.05, step)?;
        let mean = 0.5 + 0.04 * t;
        writer.add_scalar("acc/mean", mean, step)?;
        writer.add_scalar("acc/low", mean - 0.1 / (1.0 + t), step)?;
        writer.add_scalar("acc/high", mean + 0.1 / (1.0 + t), step)?;
        // Scalars in full: an integer, and PyTorch's new_style (without double_precision:
        // TensorBoard's Rust data server skips DT_DOUBLE scalars).
        writer.add_scalar("scalars/epoch_int", step as u64, step)?;
        let options = ScalarOptions {
            new_style: true,
            double_precision: false,
        };
        writer.add_scalar_with("scalars/new_style", 1.0 / (1.0 + t), step, options)?;
    }
    writer.add_custom_scalars(&[
        LayoutCategory::new("Losses").multiline("train vs test", ["loss/train", "loss/test"]),
        LayoutCategory::new("Accuracy").margin("mean with band", "acc/mean", "acc/low", "acc/high"),
    ])?;
    // AUDIO: a 440 Hz tone (mono) and a stereo chord, one second at 16 kHz.
    let rate = 16_000u32;
    let tone: Vec<f32> = (0..rate)
        .map(|i| (0.5 * (i as f64 * 440.0 * std::f64::consts::TAU / rate as f64).sin()) as f32)
        .collect();
    writer.add_audio("audio/tone_440Hz", &tone, 0, rate)?;
    let chord: Vec<f32> = (0..rate)
        .flat_map(|i| {
            let t = i as f32 / rate as f32 * std::f32::consts::TAU;
            [0.4 * (t * 261.6).sin(), 0.4 * (t * 329.6).sin()]
        })
        .collect();
    writer.add_audio_channels("audio/stereo_chord", &chord, 2, 0, rate)?;
    // A video: 4 clips of a bar sweeping across 16 frames, tiled 2 x 2 in one GIF.
    let (n, t, h, w) = (4usize, 16usize, 32usize, 32usize);
    let mut video = vec![0f32; n * t * 3 * h * w];
    for clip in 0..n {
        for frame in 0..t {
            for y in 0..h {
                for x in 0..w {
                    let pos = if clip % 2 == 0 { x } else { y };
                    let on = pos / 2 == frame;
                    for c in 0..3 {
                        let base = if c == clip % 3 { 0.3 } else { 0.0 };
                        let v = if on { 1.0 } else { base };
                        video[(((clip * t + frame) * 3 + c) * h + y) * w + x] = v;
                    }
                }
            }
        }
    }
    writer.add_video("video/sweeping_bars", &video, [n, t, 3, h, w], 0, 8.0)?;
    writer.add_tensor(
        "tensor/identity_3x3",
        &[1f32, 0., 0., 0., 1., 0., 0., 0., 1.],
        &[3, 3],
        0,
    )?;
    writer.close()?;
    Ok(())
}
