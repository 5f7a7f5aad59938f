#!/usr/bin/env python3
"""Check what a running `tensorboard --logdir LOGDIR` *serves* against our JSON export.

    tb_http_check.py LOGDIR EXPORT_JSON [--load-fast true|false] [--timeout S]

tools/tb_check.py reads the files with TensorBoard's Python EventAccumulator. The web UI,
though, gets its data over HTTP, by default (`--load_fast=auto`) from TensorBoard's Rust data
server, else (`--load_fast=false`) from the Python plugin accumulator, which first migrates
old-style summaries to tensors (data_compat). This script starts TensorBoard on 127.0.0.1 with
sampling raised above every series' length (so nothing is dropped), asks the plugins' HTTP
routes for every run and tag, and compares with the export (schema: tools/EXPORT_SCHEMA.md):

  scalars     /data/plugin/scalars/scalars: [wall_time, step, value], value exact (float32)
  histograms  /data/plugin/histograms/histograms: [wall_time, step, [[left, right, count]]],
              compared with the export converted by the server's rule (see expected_buckets)
  images      /data/plugin/images/images + individualImage: step, wall time, and the served
              bytes' CRC-32 == png_crc32
  texts       /data/plugin/text/text: step and wall time (the text is served as rendered HTML)

Runs whose export lists `purges` are compared on tags only (the servers' purge handling is
not replayed here; tb_check.py covers purges). Prints one line per run and
`tb_http_check: N passed, M failed`; exit status 0 only if every run passed.
"""

import argparse
import json
import math
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import zlib

KINDS = ("scalars", "histograms", "images", "texts")
PLUGIN = {"scalars": "scalars", "histograms": "histograms", "images": "images", "texts": "text"}


def num(x):
    if x is None:
        return math.nan
    if isinstance(x, str):
        return {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}[x.lower()]
    return float(x)


def f32(x):
    x = float(x)
    if not math.isfinite(x):
        return x
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def same(a, b):
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b


def expected_buckets(h, data_server):
    """The [left, right, count] rows TensorBoard serves for an exported HistogramProto.

    The Rust data server keeps every bucket, as doubles: lefts [min] + limits[:-1], rights
    limits[:-1] + [max] (found by experiment with tensorboard-data-server 0.7). The Python
    path (data_compat) first drops empty buckets at both ends, then does the same, in float32.
    """
    counts = [num(c) for c in h["bucket"]]
    limits = [num(x) for x in h["bucket_limit"]]
    if data_server:
        if not counts:
            return []
        lefts = [num(h["min"])] + limits[:-1]
        rights = limits[:-1] + [num(h["max"])]
        return [[a, b, c] for a, b, c in zip(lefts, rights, counts)]
    n = len(counts)
    start = next((i for i in range(n) if counts[i] > 0), n)
    end = next((i for i in reversed(range(n)) if counts[i] > 0), -1)
    if start > end:
        return []
    inner = limits[start:end]
    lefts = [num(h["min"])] + inner
    rights = inner + [num(h["max"])]
    return [[f32(a), f32(b), f32(c)] for a, b, c in zip(lefts, rights, counts[start:end + 1])]


class Server:
    def __init__(self, logdir, load_fast, samples, reload_interval=0):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
        cmd = [sys.executable, "-m", "tensorboard.main", "--logdir", logdir, "--host",
               "127.0.0.1", "--port", str(self.port), f"--load_fast={load_fast}",
               f"--reload_interval={reload_interval:g}", f"--samples_per_plugin={samples}"]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)

    def get(self, path, **query):
        url = self.url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.read()

    def json(self, path, **query):
        # TensorBoard writes NaN/Infinity bare, which Python's json accepts.
        return json.loads(self.get(path, **query))

    def alive(self):
        return self.proc.poll() is None

    def output(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()[-3000:]

    def stop(self):
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        os.unlink(self.log.name)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def served(srv, runs):
    """{run: {kind: {tag: [points]}}} as the HTTP routes give them."""
    out = {r: {k: {} for k in KINDS} for r in runs}
    for kind in KINDS:
        tags = srv.json(f"/data/plugin/{PLUGIN[kind]}/tags")
        for run, tagmap in tags.items():
            if run not in out:
                out[run] = {k: {} for k in KINDS}
            for tag in tagmap:  # a dict (scalars, histograms, images) or a list (text)
                q = {"run": run, "tag": tag}
                if kind == "scalars":
                    pts = srv.json("/data/plugin/scalars/scalars", **q)
                elif kind == "histograms":
                    pts = srv.json("/data/plugin/histograms/histograms", **q)
                elif kind == "images":
                    pts = []
                    for meta in srv.json("/data/plugin/images/images", sample=0, **q):
                        blob = srv.get("/data/plugin/images/individualImage?" + meta["query"])
                        pts.append((meta["wall_time"], meta["step"], blob))
                else:
                    pts = srv.json("/data/plugin/text/text", **q)
                out[run][kind][tag] = pts
    return out


def compare_run(name, ex, got, problems, data_server):
    purged = "purges" in ex
    counts = {}
    for kind in KINDS:
        e_tags, g_tags = ex.get(kind) or {}, got.get(kind, {})
        for tag in sorted(set(e_tags) - set(g_tags)):
            problems.append(f"{kind}: export has tag {tag!r} that TensorBoard does not serve")
        for tag in sorted(set(g_tags) - set(e_tags)):
            problems.append(f"{kind}: TensorBoard serves tag {tag!r} that the export lacks")
        pts_total = 0
        for tag in sorted(set(e_tags) & set(g_tags)):
            e, g = e_tags[tag], g_tags[tag]
            pts_total += len(g)
            if purged:
                continue
            if len(e) != len(g):
                problems.append(f"{kind}[{tag!r}]: TensorBoard serves {len(g)} points, the "
                                f"export lists {len(e)}")
                continue
            for i, (ep, gp) in enumerate(zip(e, g)):
                where = f"{kind}[{tag!r}][{i}]"
                if kind == "scalars":
                    step, wall, val = ep[0], num(ep[1]), num(ep[2])
                    g_wall, g_step, g_val = gp
                    if not same(g_val, val):
                        problems.append(f"{where} step {step}: served value {g_val!r} != "
                                        f"export {ep[2]!r}")
                else:
                    step, wall = ep["step"], num(ep["wall_time"])
                    if kind == "texts":
                        g_wall, g_step = gp["wall_time"], gp["step"]
                    elif kind == "images":
                        g_wall, g_step, blob = gp
                        if zlib.crc32(blob) != ep["png_crc32"]:
                            problems.append(f"{where} step {step}: served image bytes' CRC-32 "
                                            f"{zlib.crc32(blob)} != export png_crc32 "
                                            f"{ep['png_crc32']}")
                    else:
                        g_wall, g_step, g_buckets = gp
                        want = expected_buckets(ep, data_server)
                        flat_g = [float(v) for row in g_buckets for v in row]
                        flat_w = [v for row in want for v in row]
                        if len(flat_g) != len(flat_w) or not all(
                                same(a, b) for a, b in zip(flat_g, flat_w)):
                            problems.append(f"{where} step {step}: served buckets differ from "
                                            f"the export's (served {len(g_buckets)} rows, "
                                            f"expected {len(want)})")
                if g_step != step:
                    problems.append(f"{where}: served step {g_step} != export {step}")
                if not same(g_wall, wall):
                    problems.append(f"{where}: served wall_time {g_wall!r} != export {wall!r}")
        counts[kind] = (len(g_tags), pts_total)
    return counts


# --- dashboards part 1 ---
# HPARAMS, PR CURVES, CUSTOM SCALARS, AUDIO and video (IMAGES) through their plugins' own
# routes. Each function checks what every run serves for its plugin, plus what the demo's
# `tutorials::dashboards::part1` wrote where the demo's runs are present, and returns a list
# of problems.

def post_json(srv, path, body):
    req = urllib.request.Request(srv.url + path, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def check_hparams(srv, runs):
    problems = []
    exp = post_json(srv, "/data/plugin/hparams/experiment", {"experimentName": ""})
    hp_names = [h["name"] for h in exp.get("hparamInfos", [])]
    demo = any(r.startswith("hparams/lr_") for r in runs)
    if not hp_names:
        return ["hparams: the experiment names no hparams"] if demo else []
    metrics = [m["name"] for m in exp.get("metricInfos", [])]
    cols = [{"hparam": h, "order": "ORDER_UNSPECIFIED", "includeInResult": True}
            for h in hp_names]
    cols += [{"metric": m, "order": "ORDER_UNSPECIFIED", "includeInResult": True}
             for m in metrics]
    groups = post_json(srv, "/data/plugin/hparams/session_groups", {
        "experimentName": "", "startIndex": 0, "sliceSize": 1000, "colParams": cols,
        "allowedStatuses": ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE",
                            "STATUS_RUNNING"], "includeMetrics": True,
    }).get("sessionGroups", [])
    for g in groups:
        if set(g.get("hparams", {})) != set(hp_names):
            problems.append(f"hparams: session group {g['name']!r} has hparams "
                            f"{sorted(g.get('hparams', {}))}, the experiment {sorted(hp_names)}")
        if metrics and len(g.get("metricValues", [])) != len(metrics):
            problems.append(f"hparams: session group {g['name']!r} has "
                            f"{len(g.get('metricValues', []))} metric values, expected "
                            f"{len(metrics)}")
    if demo:
        # The demo's trials are trained, so their accuracy is whatever they reached: the
        # session group must carry the lr in its name and the accuracy that the run's own
        # `hparam/accuracy` scalar (served by the scalars plugin) holds, in (0, 1].
        want = {"lr_0.1": 0.1, "lr_0.01": 0.01, "lr_0.001": 0.001}
        seen = {}
        for g in groups:
            acc = [m["value"] for m in g.get("metricValues", [])
                   if m["name"].get("tag") == "hparam/accuracy"]
            seen[g["name"].split("/")[-1]] = (g["name"], g["hparams"].get("lr"),
                                              acc[0] if acc else None)
        for name, lr in want.items():
            got = seen.get(name)
            if got is None or not same(got[1], lr) or got[2] is None:
                problems.append(f"hparams: trial {name!r} served as {got}, expected lr {lr}")
                continue
            run = next((r for r in runs if r.endswith("hparams/" + name)), None)
            pts = srv.json("/data/plugin/scalars/scalars", run=run, tag="hparam/accuracy") \
                if run else []
            if not pts or not same(got[2], pts[-1][2]) or not 0 < got[2] <= 1:
                problems.append(f"hparams: trial {name!r} has accuracy {got[2]}, its run's "
                                f"hparam/accuracy scalar {pts[-1][2] if pts else None}")
        infos = {h["name"]: h for h in exp["hparamInfos"]}
        if "domainInterval" not in infos.get("lr", {}):
            problems.append("hparams: lr has no interval domain")
        if "domainDiscrete" not in infos.get("optimizer", {}):
            problems.append("hparams: optimizer has no discrete domain")
    print(f"  hparams: {len(hp_names)} hparams, {len(metrics)} metrics, "
          f"{len(groups)} session groups")
    return problems


def check_pr_curves(srv, runs):
    problems, curves = [], 0
    for run, tags in srv.json("/data/plugin/pr_curves/tags").items():
        for tag in tags:
            entries = srv.json("/data/plugin/pr_curves/pr_curves", run=run, tag=tag)[run]
            for e in entries:
                curves += 1
                rows = [e[k] for k in ("true_positives", "false_positives", "true_negatives",
                                       "false_negatives", "precision", "recall")]
                n = len(rows[0])
                if any(len(r) != n for r in rows) or n < 2:
                    problems.append(f"pr_curves {run}/{tag} step {e['step']}: row lengths "
                                    f"{[len(r) for r in rows]}")
                    continue
                tp, fp, _, fn = rows[:4]
                for i in range(n):
                    p = tp[i] / max(1e-7, tp[i] + fp[i])
                    r = tp[i] / max(1e-7, tp[i] + fn[i])
                    if abs(p - e["precision"][i]) > 1e-5 or abs(r - e["recall"][i]) > 1e-5:
                        problems.append(f"pr_curves {run}/{tag} step {e['step']}: threshold "
                                        f"{i} precision/recall disagree with the counts")
                        break
                # The plugin trims trailing thresholds where TP + FP = 0 (precision undefined).
                if run == "dashboards" and tag == "pr/classifier" and (
                        n > 127 or n < 100 or tp[0] + fp[0] != 2000):
                    problems.append(f"pr_curves {run}/{tag}: expected up to 127 thresholds "
                                    f"and 2000 predictions, got {n} and {tp[0] + fp[0]}")
    if "dashboards" in runs and curves < 4:
        problems.append(f"pr_curves: the demo run serves {curves} curves, expected 4")
    print(f"  pr_curves: {curves} curves")
    return problems


def check_custom_scalars(srv, runs):
    layout = srv.json("/data/plugin/custom_scalars/layout")
    cats = layout.get("category", [])
    problems = []
    if "dashboards" in runs:
        titles = {c["title"]: c for c in cats}
        losses = titles.get("Losses", {}).get("chart", [{}])[0]
        acc = titles.get("Accuracy", {}).get("chart", [{}])[0]
        if losses.get("multiline", {}).get("tag") != ["loss/train", "loss/test"]:
            problems.append(f"custom_scalars: Losses chart served as {losses}")
        series = acc.get("margin", {}).get("series", [{}])[0]
        if (series.get("value"), series.get("lower"), series.get("upper")) != (
                "acc/mean", "acc/low", "acc/high"):
            problems.append(f"custom_scalars: Accuracy chart served as {acc}")
    print(f"  custom_scalars: {len(cats)} categories")
    return problems


def decode_wav(blob):
    import wave
    import io
    with wave.open(io.BytesIO(blob)) as w:
        frames = w.readframes(w.getnframes())
        samples = struct.unpack(f"<{len(frames) // 2}h", frames)
        return w.getnchannels(), w.getframerate(), w.getsampwidth(), samples


def check_audio(srv, runs):
    problems, clips = [], 0
    for run, tags in srv.json("/data/plugin/audio/tags").items():
        for tag in tags:
            for meta in srv.json("/data/plugin/audio/audio", run=run, tag=tag, sample=0):
                blob = srv.get("/data/plugin/audio/individualAudio?" + meta["query"])
                clips += 1
                try:
                    ch, rate, width, samples = decode_wav(blob)
                except Exception as e:  # a broken WAV is what this check is for
                    problems.append(f"audio {run}/{tag}: served bytes are not a WAV: {e}")
                    continue
                if width != 2:
                    problems.append(f"audio {run}/{tag}: {8 * width}-bit, expected 16-bit PCM")
                if run == "dashboards" and tag == "audio/tone_440Hz":
                    want = [int(0.5 * math.sin(i * 440.0 * 2 * math.pi / 16000) * 32767)
                            for i in range(16000)]
                    if (ch, rate) != (1, 16000) or len(samples) != 16000 or max(
                            abs(a - b) for a, b in zip(samples, want)) > 1:
                        problems.append(f"audio {run}/{tag}: decoded {ch} channels at {rate} Hz,"
                                        f" {len(samples)} samples, not the 440 Hz tone")
                if run == "dashboards" and tag == "audio/stereo_chord" and (
                        ch != 2 or len(samples) != 32000):
                    problems.append(f"audio {run}/{tag}: decoded {ch} channels, "
                                    f"{len(samples)} samples; expected 2 and 32000")
    if "dashboards" in runs and clips < 2:
        problems.append(f"audio: the demo run serves {clips} clips, expected 2")
    print(f"  audio: {clips} clips decoded")
    return problems


def check_video(srv, runs):
    if "dashboards" not in runs:
        return []
    from PIL import Image
    import io
    metas = srv.json("/data/plugin/images/images", run="dashboards", tag="video/sweeping_bars",
                     sample=0)
    if not metas:
        return ["video: the demo's video/sweeping_bars is not served"]
    blob = srv.get("/data/plugin/images/individualImage?" + metas[0]["query"])
    img = Image.open(io.BytesIO(blob))
    frames = getattr(img, "n_frames", 1)
    print(f"  video: {img.format} {img.size[0]}x{img.size[1]}, {frames} frames")
    if img.format != "GIF" or frames != 16 or img.size != (64, 64):
        return [f"video: served {img.format} {img.size} with {frames} frames, expected a "
                f"64x64 GIF of 16 frames"]
    return []


def check_dashboards_part1(srv):
    runs = srv.json("/data/runs")
    problems = []
    for check in (check_hparams, check_pr_curves, check_custom_scalars, check_audio,
                  check_video):
        try:
            problems += check(srv, runs)
        except (OSError, KeyError, ValueError, IndexError) as e:
            problems.append(f"{check.__name__}: {type(e).__name__}: {e}")
    return problems
# --- end dashboards part 1 ---


# --- dashboards part 2 ---
# PROJECTOR, MESH and GRAPHS: checked against the files and events on disk, not the export
# (the projector reads no events; meshes and graphs are not in the CLI's export).


def _event_files(run_dir):
    return sorted(os.path.join(run_dir, f) for f in os.listdir(run_dir)
                  if f.startswith("events.out.tfevents."))


def _run_dirs(logdir):
    for dirpath, _dirs, files in os.walk(logdir):
        if any(f.startswith("events.out.tfevents.") for f in files):
            rel = os.path.relpath(dirpath, logdir)
            yield ("." if rel == "." else rel.replace(os.sep, "/")), dirpath


def check_projector(srv, logdir, problems):
    """Every run with a projector_config.pbtxt: runs, info, tensor, metadata, sprite_image."""
    import numpy as np
    from google.protobuf import text_format
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig
    served_runs = srv.json("/data/plugin/projector/runs")
    count = 0
    for run, path in _run_dirs(logdir):
        cfg_path = os.path.join(path, "projector_config.pbtxt")
        if not os.path.exists(cfg_path):
            continue
        if run not in served_runs:
            problems.append(f"projector: run {run!r} has a config but /runs lists {served_runs}")
            continue
        cfg = text_format.Parse(open(cfg_path).read(), ProjectorConfig())
        info = srv.json("/data/plugin/projector/info", run=run)
        served = {e["tensorName"]: e for e in info.get("embeddings", [])}
        for emb in cfg.embeddings:
            count += 1
            name = emb.tensor_name
            if name not in served:
                problems.append(f"projector {run}: {name!r} not in /info ({list(served)})")
                continue
            want = np.loadtxt(os.path.join(path, emb.tensor_path), delimiter="\t",
                              dtype=np.float32, ndmin=2)
            shape = served[name].get("tensorShape")
            if list(shape or []) != list(want.shape):
                problems.append(f"projector {run}/{name}: /info shape {shape}, file {want.shape}")
            got = np.frombuffer(srv.get("/data/plugin/projector/tensor", run=run, name=name),
                                dtype=np.float32)
            if got.size != want.size or not np.array_equal(got, want.reshape(-1)):
                problems.append(f"projector {run}/{name}: /tensor differs from tensors.tsv")
            if emb.metadata_path:
                meta = srv.get("/data/plugin/projector/metadata", run=run, name=name)
                disk = open(os.path.join(path, emb.metadata_path), "rb").read()
                if meta.rstrip(b"\n") != disk.rstrip(b"\n"):
                    problems.append(f"projector {run}/{name}: /metadata differs from metadata.tsv")
            if emb.sprite.image_path:
                png = srv.get("/data/plugin/projector/sprite_image", run=run, name=name)
                if png != open(os.path.join(path, emb.sprite.image_path), "rb").read():
                    problems.append(f"projector {run}/{name}: /sprite_image differs from sprite.png")
    return count


def check_mesh(srv, logdir, problems):
    """/mesh/tags lists every mesh; /meshes gives its parts; /data decodes to the shapes."""
    import numpy as np
    tags = srv.json("/data/plugin/mesh/tags")
    count = 0
    for run, tagmap in tags.items():
        for tag in tagmap:
            count += 1
            metas = srv.json("/data/plugin/mesh/meshes", run=run, tag=tag)
            if not metas:
                problems.append(f"mesh {run}/{tag}: /meshes is empty")
            for m in metas:
                kind = m["content_type"]
                kind = {1: "VERTEX", 2: "FACE", 3: "COLOR"}.get(kind, kind)
                blob = srv.get("/data/plugin/mesh/data", run=run, tag=tag,
                               content_type=kind, sample=0, step=m["step"])
                size = {"VERTEX": 4, "FACE": 4, "COLOR": 1}[kind]
                want = int(np.prod(m["data_shape"][1:]))
                if len(blob) != want * size:
                    problems.append(f"mesh {run}/{tag} {kind}: {len(blob)} bytes, want "
                                    f"{want * size} for shape {m['data_shape']}")
                if kind == "FACE":
                    faces = np.frombuffer(blob, dtype=np.int32)
                    if faces.size and faces.min() < 0:
                        problems.append(f"mesh {run}/{tag}: negative face index")
    return count


def check_graphs(srv, logdir, problems):
    """Every run whose events hold a GraphDef: /graphs/graph serves its nodes."""
    from google.protobuf import text_format
    from tensorboard.backend.event_processing.event_file_loader import LegacyEventFileLoader
    from tensorboard.compat.proto.graph_pb2 import GraphDef
    count = 0
    for run, path in _run_dirs(logdir):
        graph = None
        for f in _event_files(path):
            for ev in LegacyEventFileLoader(f).Load():
                if ev.HasField("graph_def"):
                    graph = GraphDef.FromString(ev.graph_def)
        if graph is None:
            continue
        count += 1
        text = srv.get("/data/plugin/graphs/graph", run=run).decode()
        served = text_format.Parse(text, GraphDef())
        want = sorted(n.name for n in graph.node)
        got = sorted(n.name for n in served.node)
        if want != got:
            problems.append(f"graphs {run}: served {len(got)} nodes, events hold {len(want)}")
        shapes = [n for n in served.node if "_output_shapes" in n.attr]
        if len(shapes) != len(served.node):
            problems.append(f"graphs {run}: {len(served.node) - len(shapes)} nodes lack _output_shapes")
    return count


def check_part2(srv, logdir):
    """Runs the part-2 checks; returns (passed, failed) and prints one line per plugin."""
    passed = failed = 0
    for name, check in (("projector", check_projector), ("mesh", check_mesh),
                        ("graphs", check_graphs)):
        problems = []
        try:
            n = check(srv, logdir, problems)
        except OSError as e:
            n, problems = 0, [f"route failed: {e}"]
        if problems:
            failed += 1
            print(f"FAIL {name}: {len(problems)} problem(s)")
            for p in problems[:20]:
                print(f"    {p}")
        elif n:
            passed += 1
            print(f"ok   {name}: {n} checked")
        else:
            # Nothing of this plugin in the logs: neither a pass nor a failure.
            print(f"skip {name}: nothing logged")
    return passed, failed
# --- end dashboards part 2 ---


def main(argv=None):
    ap = argparse.ArgumentParser(description="Check TensorBoard's HTTP data against our export.")
    ap.add_argument("logdir")
    ap.add_argument("export_json")
    ap.add_argument("--load-fast", default="true", choices=["true", "false", "auto"],
                    help="true: the Rust data server (TensorBoard's default when installed); "
                         "false: the Python plugin accumulator")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds to wait for TensorBoard to serve everything")
    args = ap.parse_args(argv)

    with open(args.export_json, encoding="utf-8") as f:
        doc = json.load(f)
    exported = {r["run"]: r for r in doc["runs"]}
    longest = max([len(v) for r in doc["runs"] for k in KINDS
                   for v in (r.get(k) or {}).values()] + [1])
    keep = longest + 10  # above every series' length: TensorBoard keeps all points
    samples = ",".join(f"{PLUGIN[k]}={keep}" for k in KINDS)

    data_server = args.load_fast == "true"
    if args.load_fast == "auto":
        try:
            import tensorboard_data_server  # noqa: F401
            data_server = True
        except ImportError:
            data_server = False
    srv = Server(args.logdir, args.load_fast, samples)
    try:
        deadline = time.time() + args.timeout
        got, last_err = None, None
        # Loading happens in the background: poll until what is served stops changing and
        # matches, or the deadline passes (then report the last difference).
        previous = None
        while time.time() < deadline:
            if not srv.alive():
                print("tb_http_check: tensorboard exited:\n" + srv.output())
                print("tb_http_check: 0 passed, 1 failed")
                return 1
            try:
                runs = srv.json("/data/runs")
                got = served(srv, runs)
                last_err = None
            except OSError as e:  # not up yet
                last_err = e
                time.sleep(0.5)
                continue
            trial = {}
            for name in set(exported) | set(got):
                problems = []
                if name in exported and name in got:
                    compare_run(name, exported[name], got[name], problems, data_server)
                else:
                    problems.append("missing on one side")
                trial[name] = problems
            snapshot = json.dumps(got, default=lambda b: zlib.crc32(b), sort_keys=True)
            if not any(trial.values()) or snapshot == previous:
                break
            previous = snapshot
            time.sleep(2.0)
        if got is None:
            print(f"tb_http_check: TensorBoard did not answer at {srv.url}: {last_err}\n"
                  + srv.output())
            print("tb_http_check: 0 passed, 1 failed")
            return 1
        passed = failed = 0
        for name in sorted(set(exported) | set(got)):
            problems = []
            counts = {}
            if name not in got:
                problems.append("run is in the export but TensorBoard does not serve it")
            elif name not in exported:
                problems.append("TensorBoard serves this run but the export lacks it")
            else:
                counts = compare_run(name, exported[name], got[name], problems, data_server)
            summary = ", ".join(f"{k} {t} tags/{p} points" for k, (t, p) in counts.items() if t)
            note = " (purges: tags only)" if "purges" in exported.get(name, {}) else ""
            if problems:
                failed += 1
                print(f"FAIL run {name!r}: {len(problems)} problem(s)")
                for p in problems[:20]:
                    print(f"    {p}")
            else:
                passed += 1
                print(f"ok   run {name!r}: {summary or 'no data'}{note}")
        dash_problems = check_dashboards_part1(srv)
        for p in dash_problems:
            print(f"FAIL dashboards: {p}")
        failed += 1 if dash_problems else 0
        p2_passed, p2_failed = check_part2(srv, args.logdir)  # dashboards part 2
        passed, failed = passed + p2_passed, failed + p2_failed
        if not exported and not got:
            print("tb_http_check: no runs in the export nor served")
            failed += 1
        print(f"tb_http_check: {passed} passed, {failed} failed  "
              f"[load_fast={args.load_fast}]")
        return 0 if failed == 0 else 1
    finally:
        srv.stop()


if __name__ == "__main__":
    sys.exit(main())
