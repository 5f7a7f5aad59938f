#!/usr/bin/env python3
"""Check event files with TensorBoard's own loader against our CLI's JSON export.

    tb_check.py LOGDIR EXPORT_JSON [--expect-tags FILE] [--allow-torn-tail] [-v]

LOGDIR is loaded run by run with TensorBoard's EventAccumulator (the loader behind
`tensorboard --logdir` when it reads files in Python), keeping every event (size guidance 0
for every kind: no reservoir sampling). EXPORT_JSON is what `tfevents export LOGDIR
--format json` printed (schema: tools/EXPORT_SCHEMA.md). Every run, tag, step, wall time and
value TensorBoard shows must equal the export, and the export must hold nothing TensorBoard
does not show:

  scalars     ScalarEvent.value (a float32 widened to double) == export value, bit for bit;
              new-style scalars (tensor with plugin "scalars") are read from Tensors()
  histograms  min, max, num, sum, sum_squares, bucket_limit, bucket, all exact
  images      width, height; the PNG decodes (Pillow) to that size; colorspace == channels of
              the decoded mode; zlib.crc32 of the PNG bytes and of the decoded pixels
  texts       Tensors() of plugin "text": string_val[0] as UTF-8

TensorBoard drops points on a SessionLog START (a writer's purge_step): every point of a
scalar, histogram or image series with step >= the START's step, seen before the START, is
hidden (tensors, hence texts, are never purged). The export lists what the files hold, so when
TensorBoard shows fewer points the checker replays that rule over the files (read with
TensorBoard's record loader) and compares against the export's surviving points; it also
checks the export's optional "purges" list against the START steps in the files.

Data loss: TensorBoard's loader reports a bad CRC or a torn record only with a DEBUG message
on the `tensorboard` logger ("Truncated record in <file> (<file> failed event crc32 check)"
or "... has truncated record in data"). The checker captures that logger at DEBUG and fails
the run on any such message. --allow-torn-tail accepts a truncated *final* record (what a
killed writer leaves) but never a CRC failure.

--expect-tags FILE: lines `KIND RUN TAG` (KIND in scalars|histograms|images|texts, RUN a run
name or '*' for any run, TAG the rest of the line or '*' for any tag; '#' starts a comment
line); each must be present, so an export and a log dir that are both empty cannot pass.

Output: one line per run, then `tb_check: N passed, M failed`. Exit status 0 only if every
run passed and at least one run was found; 1 on any failure; 2 on bad usage.
"""

import argparse
import io
import json
import logging
import math
import os
import re
import struct
import sys
import zlib

KINDS = ("scalars", "histograms", "images", "texts")
PNG_MODE_CHANNELS = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4}  # 8-bit modes only
MAX_PROBLEMS_SHOWN = 20


class Capture(logging.Handler):
    """Keeps every log record so data-loss messages can be attributed to the run being read."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        try:
            msg = record.getMessage()
        except Exception:  # a malformed log call must not hide the others
            msg = str(record.msg)
        self.records.append((record.name, record.levelno, msg))

    def take(self):
        out, self.records = self.records, []
        return out


DATA_LOSS_RE = re.compile(r"truncat|corrupt|crc|data ?loss", re.IGNORECASE)
CRC_RE = re.compile(r"crc|corrupt", re.IGNORECASE)
PATH_RE = re.compile(r"\S*[/\\]\S*")  # any token holding a path separator


def install_capture():
    cap = Capture()
    for name in ("tensorboard", ""):
        lg = logging.getLogger(name)
        lg.addHandler(cap)
        lg.setLevel(logging.DEBUG)
    # Our handler on the root logger stops Python's last-resort handler from printing
    # TensorBoard's warnings; we print what matters ourselves.
    logging.getLogger("tensorboard").propagate = False
    return cap


# ---------------------------------------------------------------- value helpers


def decode_num(x, where):
    """Export number -> float: null is NaN, "inf"/"-inf"/"nan" strings allowed."""
    if x is None:
        return math.nan
    if isinstance(x, bool):
        raise ValueError(f"{where}: boolean where a number was expected")
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, str) and x.lower() in ("inf", "+inf", "infinity"):
        return math.inf
    if isinstance(x, str) and x.lower() in ("-inf", "-infinity"):
        return -math.inf
    if isinstance(x, str) and x.lower() == "nan":
        return math.nan
    raise ValueError(f"{where}: {x!r} is not a number (null, number, \"inf\" or \"-inf\")")


def same(a, b):
    """Exact equality of two doubles, NaN equal to NaN."""
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0] if math.isfinite(x) else x


def fmt(x):
    return repr(float(x))


def tensor_floats(t):
    import numpy as np

    if t.tensor_content:
        dtype = {1: np.float32, 2: np.float64, 19: np.float16}.get(t.dtype)
        if dtype is None:
            return []
        return [float(v) for v in np.frombuffer(t.tensor_content, dtype=dtype)]
    if t.float_val:
        return [float(v) for v in t.float_val]
    if t.double_val:
        return [float(v) for v in t.double_val]
    if t.half_val:
        return [float(v) for v in np.array(t.half_val, dtype=np.uint16).view(np.float16)]
    return []


# ---------------------------------------------------------------- TensorBoard side


def tb_runs(logdir):
    """Run name -> directory, found exactly as EventMultiplexer.AddRunsFromDirectory does."""
    from tensorboard.backend.event_processing import io_wrapper

    runs = {}
    for subdir in io_wrapper.GetLogdirSubdirectories(logdir):
        name = os.path.relpath(subdir, logdir).replace(os.sep, "/")
        runs[name] = subdir
    return runs


def load_run(path):
    from tensorboard.backend.event_processing import event_accumulator as ea

    guidance = {k: 0 for k in (ea.COMPRESSED_HISTOGRAMS, ea.IMAGES, ea.AUDIO, ea.SCALARS,
                               ea.HISTOGRAMS, ea.TENSORS)}
    acc = ea.EventAccumulator(path, size_guidance=guidance, purge_orphaned_data=True)
    acc.Reload()
    return acc


def tb_view(acc):
    """{kind: {tag: [point, ...]}} of what the accumulator holds, plus notes."""
    view = {k: {} for k in KINDS}
    notes = []
    tags = acc.Tags()
    for tag in tags["scalars"]:
        view["scalars"][tag] = [("simple", e.step, e.wall_time, e.value) for e in acc.Scalars(tag)]
    for tag in tags["histograms"]:
        view["histograms"][tag] = [(e.step, e.wall_time, e.histogram_value)
                                   for e in acc.Histograms(tag)]
    for tag in tags["images"]:
        view["images"][tag] = [(e.step, e.wall_time, e) for e in acc.Images(tag)]
    for tag in tags["tensors"]:
        try:
            plugin = acc.SummaryMetadata(tag).plugin_data.plugin_name
        except KeyError:
            plugin = ""
        events = acc.Tensors(tag)
        if plugin == "text":
            view["texts"][tag] = [(e.step, e.wall_time, e.tensor_proto) for e in events]
        elif plugin == "scalars":
            pts = []
            for e in events:
                vals = tensor_floats(e.tensor_proto)
                pts.append(("tensor", e.step, e.wall_time, vals[0] if len(vals) == 1 else None))
            if tag in view["scalars"]:
                notes.append(f"scalar tag {tag!r} is both simple_value and tensor; not checked")
            view["scalars"][tag] = pts
        else:
            notes.append(f"tensor tag {tag!r} (plugin {plugin or 'none'!r}) not checked")
    if tags.get("audio"):
        notes.append(f"{len(tags['audio'])} audio tags not checked")
    return view, notes


def scan_files(path):
    """Replay TensorBoard's purge rules over the run's files, read with its record loader.

    Returns ({kind: {tag: [alive, ...]}} in file order, [START steps]).
    """
    from tensorboard.backend.event_processing import event_file_loader, event_util
    from tensorboard.backend.event_processing import io_wrapper
    from tensorboard.compat.proto import event_pb2

    files = sorted(p for p in io_wrapper.ListDirectoryAbsolute(path)
                   if io_wrapper.IsSummaryEventsFile(p))
    purgeable = ("scalars", "histograms", "images")
    items = {k: {} for k in KINDS}  # tag -> list of [step, alive]
    plugin_of = {}
    starts = []
    file_version = None
    most_recent_step = -1

    def expire(step, tags=None):
        for kind in purgeable:
            for tag, pts in items[kind].items():
                if tags is not None and tag not in tags:
                    continue
                for p in pts:
                    if p[0] >= step:
                        p[1] = False

    for f in files:
        for ev in event_file_loader.LegacyEventFileLoader(f).Load():
            if ev.HasField("file_version"):
                file_version = event_util.ParseFileVersion(ev.file_version)
            if file_version and file_version >= 2:
                if ev.HasField("session_log") and ev.session_log.status == event_pb2.SessionLog.START:
                    starts.append(ev.step)
                    expire(ev.step)
            elif ev.step < most_recent_step and ev.HasField("summary"):
                expire(ev.step, {v.tag for v in ev.summary.value})
            else:
                most_recent_step = ev.step
            if not ev.HasField("summary"):
                continue
            for v in ev.summary.value:
                if v.HasField("metadata") and v.tag not in plugin_of:
                    plugin_of[v.tag] = v.metadata.plugin_data.plugin_name
                kind = v.WhichOneof("value")
                k = {"simple_value": "scalars", "histo": "histograms", "image": "images"}.get(kind)
                if kind == "tensor":
                    k = {"text": "texts", "scalars": "scalars"}.get(plugin_of.get(v.tag))
                    if k:  # tensors are never purged: record them as already past any purge
                        items[k].setdefault(v.tag, []).append([-math.inf, True])
                        continue
                if k:
                    items[k].setdefault(v.tag, []).append([ev.step, True])
    masks = {k: {t: [p[1] for p in pts] for t, pts in d.items()} for k, d in items.items()}
    return masks, starts


# ---------------------------------------------------------------- comparison


def compare_scalars(tag, tb, ex, problems):
    for i, (t, e) in enumerate(zip(tb, ex)):
        where = f"scalars[{tag!r}][{i}]"
        if not (isinstance(e, list) and len(e) == 3):
            problems.append(f"{where}: export point {e!r} is not [step, wall_time, value]")
            continue
        source, step, wall, value = t
        if step != e[0]:
            problems.append(f"{where}: step TensorBoard {step} != export {e[0]}")
        if not same(wall, decode_num(e[1], where)):
            problems.append(f"{where}: wall_time TensorBoard {fmt(wall)} != export {e[1]!r}")
        if value is None:
            problems.append(f"{where}: tensor scalar does not hold exactly one float")
            continue
        ev = decode_num(e[2], where)
        if not same(value, ev):
            hint = ""
            if same(f32(ev), value):
                hint = (" (equal as float32: the export printed the float32's shortest form; "
                        "widen to f64 before printing)")
            problems.append(f"{where} step {step}: value TensorBoard {fmt(value)} != export "
                            f"{e[2]!r}{hint}")


def compare_histograms(tag, tb, ex, problems):
    for i, ((step, wall, h), e) in enumerate(zip(tb, ex)):
        where = f"histograms[{tag!r}][{i}]"
        if not isinstance(e, dict):
            problems.append(f"{where}: export point is not an object")
            continue
        if step != e.get("step"):
            problems.append(f"{where}: step TensorBoard {step} != export {e.get('step')!r}")
        if not same(wall, decode_num(e.get("wall_time"), where)):
            problems.append(f"{where}: wall_time TensorBoard {fmt(wall)} != export "
                            f"{e.get('wall_time')!r}")
        for field in ("min", "max", "num", "sum", "sum_squares"):
            if field not in e:
                problems.append(f"{where}: export lacks {field!r}")
            elif not same(getattr(h, field), decode_num(e[field], where)):
                problems.append(f"{where} step {step}: {field} TensorBoard "
                                f"{fmt(getattr(h, field))} != export {e[field]!r}")
        for field in ("bucket_limit", "bucket"):
            tv = list(getattr(h, field))
            evs = e.get(field)
            if not isinstance(evs, list):
                problems.append(f"{where}: export {field!r} is not a list")
                continue
            if len(tv) != len(evs):
                problems.append(f"{where} step {step}: {field} has {len(tv)} entries in "
                                f"TensorBoard, {len(evs)} in the export")
                continue
            for j, (a, b) in enumerate(zip(tv, evs)):
                if not same(a, decode_num(b, where)):
                    problems.append(f"{where} step {step}: {field}[{j}] TensorBoard {fmt(a)} "
                                    f"!= export {b!r}")
                    break


def compare_images(tag, tb, ex, problems):
    from PIL import Image

    for i, ((step, wall, img), e) in enumerate(zip(tb, ex)):
        where = f"images[{tag!r}][{i}]"
        if not isinstance(e, dict):
            problems.append(f"{where}: export point is not an object")
            continue
        if step != e.get("step"):
            problems.append(f"{where}: step TensorBoard {step} != export {e.get('step')!r}")
        if not same(wall, decode_num(e.get("wall_time"), where)):
            problems.append(f"{where}: wall_time TensorBoard {fmt(wall)} != export "
                            f"{e.get('wall_time')!r}")
        for field, tv in (("width", img.width), ("height", img.height)):
            if tv != e.get(field):
                problems.append(f"{where} step {step}: {field} TensorBoard {tv} != export "
                                f"{e.get(field)!r}")
        png = img.encoded_image_string
        if zlib.crc32(png) != e.get("png_crc32"):
            problems.append(f"{where} step {step}: png_crc32 of TensorBoard's bytes "
                            f"{zlib.crc32(png)} != export {e.get('png_crc32')!r}")
        if e.get("format") == "gif":
            # add_video: an animated GIF; tb_http_check's dashboards block decodes its frames.
            if not png.startswith(b"GIF8"):
                problems.append(f"{where} step {step}: export says GIF, the bytes are not one")
            continue
        try:
            im = Image.open(io.BytesIO(png))
            im.load()
        except Exception as err:  # Pillow raises many types for bad PNGs
            problems.append(f"{where} step {step}: PNG does not decode: {err}")
            continue
        if im.format != "PNG":
            problems.append(f"{where} step {step}: encoded image is {im.format}, not PNG")
        if im.size != (img.width, img.height):
            problems.append(f"{where} step {step}: PNG is {im.size[0]}x{im.size[1]} but the "
                            f"summary says {img.width}x{img.height}")
        channels = PNG_MODE_CHANNELS.get(im.mode)
        if channels is None:
            problems.append(f"{where} step {step}: PNG decodes to mode {im.mode}; "
                            "expected L, LA, RGB or RGBA")
        elif channels != e.get("colorspace"):
            problems.append(f"{where} step {step}: colorspace in export {e.get('colorspace')!r}"
                            f" but the PNG decodes to {im.mode} ({channels} channels)")
        crc = zlib.crc32(im.tobytes())
        if crc != e.get("pixels_crc32"):
            problems.append(f"{where} step {step}: pixels_crc32 of the decoded PNG {crc} != "
                            f"export {e.get('pixels_crc32')!r}")


def compare_texts(tag, tb, ex, problems):
    for i, ((step, wall, t), e) in enumerate(zip(tb, ex)):
        where = f"texts[{tag!r}][{i}]"
        if not isinstance(e, dict):
            problems.append(f"{where}: export point is not an object")
            continue
        if step != e.get("step"):
            problems.append(f"{where}: step TensorBoard {step} != export {e.get('step')!r}")
        if not same(wall, decode_num(e.get("wall_time"), where)):
            problems.append(f"{where}: wall_time TensorBoard {fmt(wall)} != export "
                            f"{e.get('wall_time')!r}")
        if not t.string_val:
            problems.append(f"{where} step {step}: text tensor has no string_val")
            continue
        try:
            text = t.string_val[0].decode("utf-8")
        except UnicodeDecodeError as err:
            problems.append(f"{where} step {step}: text is not UTF-8: {err}")
            continue
        if text != e.get("text"):
            problems.append(f"{where} step {step}: text TensorBoard {text!r} != export "
                            f"{e.get('text')!r}")


COMPARE = {"scalars": compare_scalars, "histograms": compare_histograms,
           "images": compare_images, "texts": compare_texts}


def check_run(name, path, exported, problems, notes):
    """Compare one run.

    Returns ({kind: (tags, points)}, {kind: set of tags}) of what TensorBoard showed.
    """
    acc = load_run(path)
    view, run_notes = tb_view(acc)
    notes.extend(run_notes)
    for key in exported:
        if key not in KINDS and key not in ("run", "purges"):
            notes.append(f"export key {key!r} not checked")

    ex = {}
    for kind in KINDS:
        d = exported.get(kind, {})
        if not isinstance(d, dict):
            problems.append(f"export {kind!r} is not an object of tag -> list")
            d = {}
        ex[kind] = d

    # Purges: only needed when TensorBoard shows fewer points than the export lists.
    need_scan = "purges" in exported or any(
        len(view[k].get(t, [])) < len(ex[k][t]) for k in KINDS for t in ex[k]
        if isinstance(ex[k][t], list))
    masks = None
    if need_scan:
        masks, starts = scan_files(path)
        if "purges" in exported and exported["purges"] != starts:
            problems.append(f"export purges {exported['purges']!r} != SessionLog START steps "
                            f"in the files {starts!r}")
        if starts and "purges" not in exported:
            notes.append(f"files hold SessionLog START at steps {starts}; export has no "
                         "'purges' list (applied TensorBoard's purge rule anyway)")

    counts = {}
    for kind in KINDS:
        tb_tags, ex_tags = set(view[kind]), set(ex[kind])
        for tag in sorted(ex_tags - tb_tags):
            problems.append(f"{kind}: export has tag {tag!r} that TensorBoard does not show")
        for tag in sorted(tb_tags - ex_tags):
            problems.append(f"{kind}: TensorBoard shows tag {tag!r} that the export lacks "
                            f"({len(view[kind][tag])} points)")
        points = 0
        for tag in sorted(tb_tags & ex_tags):
            tb_pts, ex_pts = view[kind][tag], ex[kind][tag]
            if not isinstance(ex_pts, list):
                problems.append(f"{kind}[{tag!r}]: export value is not a list")
                continue
            if masks is not None and kind in masks and tag in masks[kind]:
                mask = masks[kind][tag]
                if len(mask) != len(ex_pts):
                    problems.append(f"{kind}[{tag!r}]: the files hold {len(mask)} points, the "
                                    f"export lists {len(ex_pts)}")
                else:
                    ex_pts = [p for p, alive in zip(ex_pts, mask) if alive]
            if len(tb_pts) != len(ex_pts):
                problems.append(f"{kind}[{tag!r}]: TensorBoard shows {len(tb_pts)} points, the "
                                f"export (after purges) {len(ex_pts)}")
            COMPARE[kind](tag, tb_pts, ex_pts, problems)
            points += len(tb_pts)
        counts[kind] = (len(tb_tags), points)
    return counts, {k: set(view[k]) for k in KINDS}


def read_expect_tags(path):
    wants = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) != 3 or parts[0] not in KINDS:
                raise ValueError(f"{path}:{n}: expected 'KIND RUN TAG' with KIND in "
                                 f"{'|'.join(KINDS)}, got {line!r}")
            wants.append(tuple(parts))
    return wants


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Check event files with TensorBoard's loader against our JSON export.")
    ap.add_argument("logdir")
    ap.add_argument("export_json")
    ap.add_argument("--expect-tags", metavar="FILE",
                    help="lines 'KIND RUN TAG' that must be present ('*' = any run / any tag)")
    ap.add_argument("--allow-torn-tail", action="store_true",
                    help="accept a truncated final record (a killed writer); CRC errors still fail")
    ap.add_argument("-v", "--verbose", action="store_true", help="print notes and TB warnings")
    args = ap.parse_args(argv)

    cap = install_capture()
    # Imported after the capture is installed so import-time messages are seen too.
    import tensorboard  # noqa: F401

    if not os.path.isdir(args.logdir):
        print(f"tb_check: LOGDIR {args.logdir!r} is not a directory", file=sys.stderr)
        return 2
    try:
        with open(args.export_json, encoding="utf-8") as f:
            doc = json.load(f)
        runs_list = doc["runs"]
        if not isinstance(runs_list, list):
            raise ValueError("'runs' is not a list")
        exported = {}
        for r in runs_list:
            if not isinstance(r, dict) or not isinstance(r.get("run"), str):
                raise ValueError(f"run entry {str(r)[:80]!r} has no string 'run'")
            if r["run"] in exported:
                raise ValueError(f"run {r['run']!r} listed twice")
            exported[r["run"]] = r
        wants = read_expect_tags(args.expect_tags) if args.expect_tags else []
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"tb_check: cannot use export {args.export_json!r}: {e!r}", file=sys.stderr)
        print("tb_check: 0 passed, 1 failed")
        return 1

    logdir_abs = os.path.abspath(args.logdir)
    found = tb_runs(args.logdir)
    cap.take()
    passed = failed = 0
    shown = {}  # (kind, run) -> set of tags TensorBoard showed

    for name in sorted(set(found) | set(exported)):
        problems, notes = [], []
        counts = {}
        if name not in found:
            problems.append("run is in the export but TensorBoard finds no event file there")
        elif name not in exported:
            problems.append("TensorBoard finds this run but the export lacks it")
        else:
            try:
                counts, tagsets = check_run(name, found[name], exported[name], problems, notes)
                for kind in KINDS:
                    shown[(kind, name)] = tagsets[kind]
            except Exception as e:  # a loader crash is a failed run, not a crashed checker
                problems.append(f"TensorBoard's loader raised {type(e).__name__}: {e}")
        loss = []
        for logger_name, level, msg in cap.take():
            # Paths are scrubbed so a directory named e.g. 'crc' cannot look like data loss;
            # other libraries' DEBUG chatter (Pillow's PNG chunk log) is not TensorBoard's.
            scrubbed = PATH_RE.sub("<path>", msg.replace(logdir_abs, "<logdir>"))
            ours = logger_name.split(".")[0] in ("tensorboard", "root", "absl")
            if ours and DATA_LOSS_RE.search(scrubbed):
                if (args.allow_torn_tail and not CRC_RE.search(scrubbed)
                        and "truncated record" in scrubbed):
                    notes.append(f"torn final record accepted: {msg}")
                else:
                    loss.append(f"TensorBoard reports data loss: {msg}")
            elif level >= logging.WARNING:
                notes.append(f"TensorBoard {logging.getLevelName(level)}: {msg}")
        # Data loss first (it explains the mismatches that follow), each message once.
        problems = list(dict.fromkeys(loss)) + problems
        notes = list(dict.fromkeys(notes))
        summary = ", ".join(f"{k} {t} tags/{p} points" for k, (t, p) in counts.items() if t)
        summary = summary or ("no data" if counts else "")
        if problems:
            failed += 1
            print(f"FAIL run {name!r}: {len(problems)} problem(s)" +
                  (f" [{summary}]" if summary else ""))
            for p in problems[:MAX_PROBLEMS_SHOWN]:
                print(f"    {p}")
            if len(problems) > MAX_PROBLEMS_SHOWN:
                print(f"    ... and {len(problems) - MAX_PROBLEMS_SHOWN} more")
        else:
            passed += 1
            print(f"ok   run {name!r}: {summary}")
        if args.verbose or problems:
            for n in notes:
                print(f"    note: {n}")

    extra_fail = 0
    if not found and not exported:
        print("tb_check: no runs found in LOGDIR nor in the export")
        extra_fail = 1
    for kind, run, tag in wants:
        runs = [run] if run != "*" else sorted({r for (_k, r) in shown})
        if not any((shown.get((kind, r)) if tag == "*" else tag in shown.get((kind, r), set()))
                   for r in runs):
            print(f"FAIL expected {kind} tag {tag!r} in run {run!r}: not found")
            extra_fail = 1
    print(f"tb_check: {passed} passed, {failed + extra_fail} failed")
    return 0 if failed == 0 and extra_fail == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
