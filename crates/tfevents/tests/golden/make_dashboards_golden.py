#!/usr/bin/env python3
"""Writes dashboards_golden.json: what tensorboardX writes for the dashboards of
tests/dashboards_golden.rs (hparams, PR curves, custom scalars, audio, video frames).

    .venv/bin/python crates/tfevents/tests/golden/make_dashboards_golden.py

Run with the worktree's venv (tools/setup-venv.sh; it has tensorboardX and numpy). Each case
stores its inputs and the summary's serialized bytes (hex, protobuf's deterministic
serialization; the one map, hparams' session start, is the exception noted below). Audio: tensorboardX writes WAV
through `soundfile`, which the venv lacks, so the audio cases follow PyTorch's
`torch.utils.tensorboard.summary.audio` step by step (clip, * 32767, astype('<i2'), the
`wave` module), extended to several channels as tensorboardX's (frames, channels) layout.
Video: tensorboardX's GIF goes through moviepy (lossy, not installed), so the case stores the
frames `_prepare_video` tiles, scaled as `video()` scales them; the test decodes our GIF.
"""

import io
import json
import os
import wave

import numpy as np
from tensorboardX import summary as txs
from tensorboardX.proto.summary_pb2 import Summary


def hexs(summary):
    return summary.SerializeToString(deterministic=True).hex()


def lcg(n, seed):
    """Deterministic floats in [0, 1) the Rust test does not need to reproduce (stored)."""
    out, x = [], seed
    for _ in range(n):
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        out.append((x >> 11) / float(1 << 53))
    return out


cases = {}

# hparams: one trial, every value type; the metric names one tag.
hp = {"lr": 0.01, "batch": 32, "optimizer": "adam", "batchnorm": True}
exp, ssi, sei = txs.hparams(hp, {"hparam/accuracy": 0.9, "hparam/loss": 0.3})
cases["hparams"] = {
    "hparams": [[k, v] for k, v in hp.items()],
    "metrics": ["hparam/accuracy", "hparam/loss"],
    "experiment": hexs(exp),
    "session_start": hexs(ssi),
    "session_end": hexs(sei),
}
# The session start's map is written in hash order even with deterministic=True (upb), so
# with several hparams the test compares decoded messages; with one, the bytes.
exp, ssi, sei = txs.hparams({"lr": 0.5}, {"m": 1.0})
cases["hparams_one"] = {"session_start": hexs(ssi), "experiment": hexs(exp)}

# PR curves: float32 predictions (bucketed in float32 by numpy) with exact 0 and 1, and
# float64 predictions with weights and 33 thresholds.
pred32 = np.array(lcg(1000, 1), dtype=np.float32)
pred32[:4] = [0.0, 1.0, 0.5, 0.999999]
labels = (np.array(lcg(1000, 2)) < pred32.astype(np.float64)).astype(np.int64)
cases["pr_f32"] = {
    "labels": labels.tolist(),
    "predictions": [float(p) for p in pred32],
    "num_thresholds": 127,
    "summary": hexs(txs.pr_curve("pr/f32", labels, pred32, 127)),
}
pred64 = np.array(lcg(500, 3), dtype=np.float64)
labels64 = (np.array(lcg(500, 4)) < 0.4).astype(np.int64)
weights = np.array(lcg(500, 5), dtype=np.float64) * 3.0
cases["pr_f64_weighted"] = {
    "labels": labels64.tolist(),
    "predictions": pred64.tolist(),
    "weights": weights.tolist(),
    "num_thresholds": 33,
    "summary": hexs(txs.pr_curve("pr/f64", labels64, pred64, 33, weights)),
}
raw = [[10.0, 8, 5, 1], [20.0, 9, 2, 0], [0.0, 11, 18, 20], [0.0, 2, 5, 9],
       [1 / 3, 8 / 17, 5 / 7, 1.0], [1.0, 0.8, 0.5, 0.1]]
cases["pr_raw"] = {
    "rows": raw,
    "summary": hexs(txs.pr_curve_raw("pr/raw", *raw, num_thresholds=4)),
}

# Custom scalars: a multiline and a margin chart, and the two convenience forms.
layout = {
    "Training": {"losses": ["Multiline", ["loss/train", "loss/test"]]},
    "Bands": {"accuracy": ["Margin", ["acc/mean", "acc/low", "acc/high"]],
              "regex": ["Multiline", ["lr/.*"]]},
}
cases["custom_scalars"] = {"summary": hexs(txs.custom_scalars(layout))}
cases["custom_multiline"] = {
    "summary": hexs(txs.custom_scalars({"default": {"untitled": ["Multiline", ["a", "b"]]}}))
}
cases["custom_margin"] = {
    "summary": hexs(txs.custom_scalars({"cat": {"band": ["Margin", ["v", "lo", "hi"]]}}))
}


def pytorch_audio(tag, frames, sample_rate):
    """PyTorch's summary.audio for a (frames, channels) float array."""
    array = np.asarray(frames)
    if abs(array).max() > 1:
        array = array.clip(-1, 1)
    channels = 1 if array.ndim == 1 else array.shape[1]
    pcm = (array * np.iinfo(np.int16).max).astype("<i2")
    fio = io.BytesIO()
    with wave.open(fio, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())
    audio = Summary.Audio(sample_rate=sample_rate, num_channels=channels,
                          length_frames=array.shape[0], encoded_audio_string=fio.getvalue(),
                          content_type="audio/wav")
    return Summary(value=[Summary.Value(tag=tag, audio=audio)])


mono = (np.sin(np.arange(800) * 2 * np.pi * 440 / 8000) * 1.2).astype(np.float32)
mono[5] = -3.0
cases["audio_mono"] = {
    "samples": [float(v) for v in mono], "channels": 1, "sample_rate": 8000,
    "summary": hexs(pytorch_audio("audio/mono", mono, 8000)),
}
stereo = np.stack([np.linspace(-1, 1, 300), np.linspace(1, -1, 300) * 0.5], axis=1)
cases["audio_stereo"] = {
    "samples": stereo.reshape(-1).tolist(), "channels": 2, "sample_rate": 22050,
    "summary": hexs(pytorch_audio("audio/stereo", stereo, 22050)),
}

# Video: 3 videos (padded to 4, tiled 1 x 4), 5 frames, RGB 6 x 4, few colours.
n, t, c, h, w = 3, 5, 3, 6, 4
vid = np.zeros((n, t, c, h, w), dtype=np.float32)
for i in range(n):
    for f in range(t):
        vid[i, f, i % 3, :, :] = 0.25 * (f % 5)
        vid[i, f, :, f % h, :] = 1.0
tiled = txs._prepare_video(vid.copy())
tiled = (tiled * 255.0).astype(np.uint8)
cases["video"] = {
    "values": vid.reshape(-1).tolist(), "shape": [n, t, c, h, w],
    "frames_shape": list(tiled.shape), "frames": tiled.reshape(-1).tobytes().hex(),
}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dashboards_golden.json")
with open(out, "w") as f:
    json.dump(cases, f, indent=1)
print("wrote", out)
