#!/usr/bin/env python3
"""Reference implementation, in Python, of `tfevents export LOGDIR --format json`.

    .venv/bin/python tools/export_ref.py [--allow-torn-tail] LOGDIR [OUT.json]

It exists to pin down tools/EXPORT_SCHEMA.md with running code: tests/golden/export.json is
made by it, and tools/test_tb_check.sh uses it to test tools/tb_check.py before (and
independently of) the Rust CLI. It reads records with its own TFRecord parser (both CRCs
checked) and parses them with TensorBoard's Event proto; it does not use TensorBoard's
loader, so the checker compares two independent readings.
"""

import io
import json
import math
import os
import struct
import sys
import zlib

from tensorboard.compat.proto import event_pb2
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c


class RecordError(Exception):
    pass


def read_records(path, allow_torn_tail=False):
    """Yield the payload of every TFRecord in `path`; raise RecordError on a bad or torn one.

    With allow_torn_tail, a record cut short by the end of the file ends the file quietly
    (what a killed writer leaves behind); a bad CRC is still an error.
    """
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    while pos < len(data):
        if len(data) - pos < 12:
            if allow_torn_tail:
                return
            raise RecordError(f"{path}: truncated record header at byte {pos}")
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (hcrc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if masked_crc32c(header) != hcrc:
            raise RecordError(f"{path}: bad length CRC at byte {pos}")
        end = pos + 12 + length
        if end + 4 > len(data):
            if allow_torn_tail:
                return
            raise RecordError(f"{path}: truncated record body at byte {pos}")
        payload = data[pos + 12:end]
        (dcrc,) = struct.unpack("<I", data[end:end + 4])
        if masked_crc32c(payload) != dcrc:
            raise RecordError(f"{path}: bad data CRC at byte {pos}")
        yield payload
        pos = end + 4


def describe_records(path):
    """(payload, text form of the Event) for every record of `path`."""
    from google.protobuf import text_format

    for payload in read_records(path):
        ev = event_pb2.Event.FromString(payload)
        yield payload, text_format.MessageToString(ev, as_one_line=True)


def json_num(x):
    """A float as the export writes it: NaN -> null, +/-inf -> "inf"/"-inf"."""
    x = float(x)
    if math.isnan(x):
        return None
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def find_runs(logdir):
    """Directories holding a file whose name contains 'tfevents' (TensorBoard's rule)."""
    runs = []
    for dirpath, _dirs, names in os.walk(logdir):
        files = sorted(n for n in names if "tfevents" in n)
        if files:
            rel = os.path.relpath(dirpath, logdir).replace(os.sep, "/")
            runs.append((rel, [os.path.join(dirpath, n) for n in files]))
    return sorted(runs)


def decode_png(png):
    from PIL import Image

    im = Image.open(io.BytesIO(png))
    im.load()
    return im


def tensor_floats(t):
    """The float values of a float TensorProto (DT_FLOAT / DT_DOUBLE / DT_HALF)."""
    import numpy as np

    if t.tensor_content:
        dtype = {1: np.float32, 2: np.float64, 19: np.float16}.get(t.dtype)
        if dtype is None:
            raise ValueError(f"unsupported tensor dtype {t.dtype}")
        return [float(v) for v in np.frombuffer(t.tensor_content, dtype=dtype)]
    if t.float_val:
        return [float(v) for v in t.float_val]
    if t.double_val:
        return [float(v) for v in t.double_val]
    if t.half_val:
        return [float(v) for v in np.array(t.half_val, dtype=np.uint16).view(np.float16)]
    return []


def export_run(name, files, allow_torn_tail=False):
    scalars, histograms, images, texts, purges = {}, {}, {}, {}, []
    plugin_of = {}  # tag -> plugin name, from the first metadata seen (as TensorBoard)
    for path in files:
        for payload in read_records(path, allow_torn_tail):
            ev = event_pb2.Event.FromString(payload)
            if ev.HasField("session_log") and ev.session_log.status == event_pb2.SessionLog.START:
                purges.append(ev.step)
            if not ev.HasField("summary"):
                continue
            for v in ev.summary.value:
                if v.HasField("metadata") and v.tag not in plugin_of:
                    plugin_of[v.tag] = v.metadata.plugin_data.plugin_name
                kind = v.WhichOneof("value")
                if kind == "simple_value":
                    scalars.setdefault(v.tag, []).append(
                        [ev.step, ev.wall_time, json_num(v.simple_value)])
                elif kind == "histo":
                    h = v.histo
                    histograms.setdefault(v.tag, []).append({
                        "step": ev.step, "wall_time": ev.wall_time,
                        "min": json_num(h.min), "max": json_num(h.max), "num": json_num(h.num),
                        "sum": json_num(h.sum), "sum_squares": json_num(h.sum_squares),
                        "bucket_limit": [json_num(x) for x in h.bucket_limit],
                        "bucket": [json_num(x) for x in h.bucket],
                    })
                elif kind == "image":
                    im = v.image
                    pixels = decode_png(im.encoded_image_string).tobytes()
                    images.setdefault(v.tag, []).append({
                        "step": ev.step, "wall_time": ev.wall_time,
                        "width": im.width, "height": im.height, "colorspace": im.colorspace,
                        "png_crc32": zlib.crc32(im.encoded_image_string),
                        "pixels_crc32": zlib.crc32(pixels),
                    })
                elif kind == "tensor" and plugin_of.get(v.tag) == "text":
                    sv = v.tensor.string_val
                    texts.setdefault(v.tag, []).append({
                        "step": ev.step, "wall_time": ev.wall_time,
                        "text": sv[0].decode("utf-8") if sv else "",
                    })
                elif kind == "tensor" and plugin_of.get(v.tag) == "scalars":
                    vals = tensor_floats(v.tensor)
                    if len(vals) == 1:
                        scalars.setdefault(v.tag, []).append(
                            [ev.step, ev.wall_time, json_num(vals[0])])
    run = {"run": name, "scalars": scalars, "histograms": histograms,
           "images": images, "texts": texts}
    if purges:
        run["purges"] = purges
    return run


def export(logdir, allow_torn_tail=False):
    return {"runs": [export_run(name, files, allow_torn_tail)
                     for name, files in find_runs(logdir)]}


def dump(doc, f):
    json.dump(doc, f, indent=1, allow_nan=False)
    f.write("\n")


def main(argv):
    torn = "--allow-torn-tail" in argv
    argv = [a for a in argv if a != "--allow-torn-tail"]
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        doc = export(argv[1], torn)
    except RecordError as e:
        print(f"export_ref: {e}", file=sys.stderr)
        return 1
    if len(argv) == 3:
        with open(argv[2], "w") as f:
            dump(doc, f)
    else:
        dump(doc, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
