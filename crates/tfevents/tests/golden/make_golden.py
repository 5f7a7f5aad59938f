#!/usr/bin/env python3
"""Write the golden event files that tests/golden_*.rs compare the Rust crate against.

Run from the repository root with the tooling venv (tools/setup-venv.sh):

    .venv/bin/python tests/golden/make_golden.py

It writes, with tensorboardX's SummaryWriter, a fixed set of values into a scratch log dir,
then copies each event file to tests/golden/tbx/<run>/events.out.tfevents.golden and writes:

  tests/golden/expected.json  what was logged: tags, steps, wall times, values, histogram
                              fields exactly as tensorboardX's make_histogram produced them,
                              image input bytes (CHW uint8) and decoded pixels
  tests/golden/records.json   per file, the payload of every TFRecord (a serialized Event) as
                              hex, plus its text form, in file order
  tests/golden/export.json    what `candle-tensorboard export tests/golden/tbx --format json`
                              must print (schema: tools/EXPORT_SCHEMA.md), made by
                              tools/export_ref.py

The output is deterministic: every summary gets an explicit wall time, and the wall time of
the `file_version` event (tensorboardX stamps it with time.time()) is pinned to FILE_VERSION_TIME
by replacing the clock of tensorboardX's event writer module for the duration of the run.
Host names never reach the files' contents; the file names are replaced by fixed ones.

Layout notes for the Rust tests:
  * tensorboardX puts add_scalars' sub-runs at <logdir>/<main_tag>/<tag> (here
    data/group/a and data/group/b), while PyTorch (and our crate) uses
    <logdir>/<main_tag with '/' -> '_'>_<tag>; each sub-run's value carries tag == main_tag.
  * PNG bytes come from Pillow; our encoder's bytes will differ, so compare decoded pixels.
"""

import io
import json
import os
import shutil
import sys
import tempfile
import types
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import export_ref  # noqa: E402  (tools/export_ref.py)

T0 = 1700000000.0
FILE_VERSION_TIME = 1699999999.5
GOLDEN_NAME = "events.out.tfevents.golden"


def image_input():
    """A 3x4x5 (C, H, W) uint8 image whose every byte differs from its neighbours."""
    return ((np.arange(60, dtype=np.int64).reshape(3, 4, 5) * 37 + 11) % 256).astype(np.uint8)


def normal_sample():
    """1000 float32 values from a seeded normal distribution (seed 1234)."""
    return np.random.default_rng(1234).standard_normal(1000).astype(np.float32)


def histo_fields(h):
    return {
        "min": h.min,
        "max": h.max,
        "num": h.num,
        "sum": h.sum,
        "sum_squares": h.sum_squares,
        "bucket_limit": list(h.bucket_limit),
        "bucket": list(h.bucket),
    }


def write_logs(logdir):
    import tensorboardX
    import tensorboardX.event_file_writer as efw
    from tensorboardX.summary import histogram as tbx_histogram

    real_time = efw.time
    efw.time = types.SimpleNamespace(time=lambda: FILE_VERSION_TIME)
    expected = {"scalars": [], "histograms": [], "texts": [], "images": []}
    try:
        w = tensorboardX.SummaryWriter(logdir=logdir, flush_secs=3600)
        for step, v in enumerate([0.5, 0.25, 0.125, 0.0625]):
            w.add_scalar("loss", v, step, walltime=T0 + step)
            expected["scalars"].append(
                {"run": ".", "tag": "loss", "step": step, "wall_time": T0 + step, "value": v}
            )
        # 0.1 is not a float32: the file stores float32(0.1), read back as its widened double.
        w.add_scalar("lr", 0.1, 0, walltime=T0 + 0.25)
        expected["scalars"].append(
            {"run": ".", "tag": "lr", "step": 0, "wall_time": T0 + 0.25, "value": 0.1,
             "stored_value": float(np.float32(0.1))}
        )
        w.add_scalars("data/group", {"a": 1.0, "b": 2.0}, 0, walltime=T0 + 10)
        for sub, v in (("a", 1.0), ("b", 2.0)):
            expected["scalars"].append(
                {"run": "data/group/" + sub, "tag": "data/group", "step": 0,
                 "wall_time": T0 + 10, "value": v}
            )

        hists = [
            ("w", 0, T0 + 20, np.arange(-5, 5, 0.5), "tensorflow"),
            ("w", 1, T0 + 21, normal_sample(), "tensorflow"),
            ("w_bins10", 0, T0 + 22, normal_sample(), 10),
            ("w_auto", 0, T0 + 23, normal_sample(), "auto"),
            ("w_int", 0, T0 + 24, np.array([3, 1, 4, 1, 5, 9, 2, 6], dtype=np.int32), "tensorflow"),
        ]
        for tag, step, wt, values, bins in hists:
            w.add_histogram(tag, values, step, bins=bins, walltime=wt)
            # The same call tensorboardX's writer makes, to record the fields it produced.
            real_bins = w.default_bins if bins == "tensorflow" else bins
            h = tbx_histogram(tag, values, real_bins).value[0].histo
            expected["histograms"].append(
                {"run": ".", "tag": tag, "step": step, "wall_time": wt, "bins": bins,
                 "input_dtype": str(values.dtype),
                 "input": [float(x) if values.dtype.kind == "f" else int(x) for x in values],
                 **histo_fields(h)}
            )

        w.add_text("note", "hello **world**", 0, walltime=T0 + 30)
        expected["texts"].append(
            {"run": ".", "tag": "note/text_summary", "step": 0, "wall_time": T0 + 30,
             "text": "hello **world**"}
        )

        chw = image_input()
        w.add_image("img", chw, 0, walltime=T0 + 40)
        expected["images"].append(
            {"run": ".", "tag": "img", "step": 0, "wall_time": T0 + 40,
             "input_chw_shape": list(chw.shape), "input_chw_uint8": chw.reshape(-1).tolist(),
             "width": 5, "height": 4, "colorspace": 3,
             "hwc_pixels": np.transpose(chw, (1, 2, 0)).reshape(-1).tolist(),
             "pixels_crc32": zlib.crc32(np.ascontiguousarray(np.transpose(chw, (1, 2, 0))).tobytes())}
        )
        w.close()
    finally:
        efw.time = real_time
    return expected


def main():
    import PIL
    import tensorboardX

    out_dir = os.path.join(HERE, "tbx")
    with tempfile.TemporaryDirectory() as scratch:
        logdir = os.path.join(scratch, "logs")
        expected = write_logs(logdir)
        if os.path.isdir(out_dir):
            shutil.rmtree(out_dir)
        files = {}
        for dirpath, _dirs, names in sorted(os.walk(logdir)):
            events = sorted(n for n in names if "tfevents" in n)
            if not events:
                continue
            if len(events) != 1:
                raise SystemExit(f"expected one event file in {dirpath}, found {events}")
            run = os.path.relpath(dirpath, logdir).replace(os.sep, "/")
            dest_dir = os.path.join(out_dir, run)
            os.makedirs(dest_dir, exist_ok=True)
            shutil.copyfile(os.path.join(dirpath, events[0]), os.path.join(dest_dir, GOLDEN_NAME))
            files[run] = (run + "/" if run != "." else "") + GOLDEN_NAME

    # Fill in what only the written file knows: the PNG bytes Pillow produced.
    ref = export_ref.export(out_dir)
    for img in expected["images"]:
        run = next(r for r in ref["runs"] if r["run"] == img["run"])
        got = run["images"][img["tag"]][0]
        if got["pixels_crc32"] != img["pixels_crc32"]:
            raise SystemExit("decoded PNG pixels differ from the input image")
        img["png_crc32"] = got["png_crc32"]

    expected = {
        "generator": {
            "script": "tests/golden/make_golden.py",
            "tensorboardX": tensorboardX.__version__,
            "numpy": np.__version__,
            "pillow": PIL.__version__,
        },
        "file_version_wall_time": FILE_VERSION_TIME,
        "files": files,
        **expected,
    }
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")

    records = {}
    for run, rel in sorted(files.items()):
        records[rel] = [
            {"hex": payload.hex(), "text": text}
            for payload, text in export_ref.describe_records(os.path.join(out_dir, rel))
        ]
    with open(os.path.join(HERE, "records.json"), "w") as f:
        json.dump(records, f, indent=1)
        f.write("\n")

    with open(os.path.join(HERE, "export.json"), "w") as f:
        export_ref.dump(ref, f)
    print(f"wrote {len(files)} event files under {os.path.relpath(out_dir, ROOT)}, "
          "expected.json, records.json, export.json")


if __name__ == "__main__":
    main()
