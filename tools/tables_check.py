#!/usr/bin/env python3
"""Checks `tfevents export --format parquet` and `tfevents reduce` from the outside.

Every Parquet table is read with pandas (pyarrow) and compared cell by cell with
  - tbparse's DataFrames of the same log directory, for the kinds tbparse reads without
    TensorFlow (scalars, the pivoted scalars, tensors, histograms, text, hparams);
  - TensorBoard's own EventAccumulator for the others (images, audio, PR curves, and the
    hparams metrics and trial status that tbparse does not read);
and `tfevents reduce` is compared with numpy's mean/std/min/max of the same series.

Usage:
  tools/tables_check.py --cli target/debug/tfevents [--make-tbx DIR] [--reduce DIR] LOGDIR...

--make-tbx DIR writes a tensorboardX log directory with every kind of summary into DIR and
checks it too; --reduce DIR writes seeds with tensorboardX into DIR and checks `reduce` on them.
Exit status 0 when every check passed; each failure is printed.
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from tbparse import SummaryReader
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2
from tensorboard.util import tensor_util

FAILURES = []
CHECKS = [0]


def check(ok, what):
    CHECKS[0] += 1
    if not ok:
        FAILURES.append(what)
        print(f"FAIL {what}")


def same(a, b):
    """Cell equality with NaN equal to NaN and arrays compared element by element."""
    if isinstance(a, (list, tuple, np.ndarray)) or isinstance(b, (list, tuple, np.ndarray)):
        a = np.asarray(a, dtype=float).ravel()
        b = np.asarray(b, dtype=float).ravel()
        return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (float, np.floating)) and isinstance(b, (float, np.floating)):
        return (np.isnan(a) and np.isnan(b)) or a == b
    return a == b


def export(cli, logdir, out, *extra):
    subprocess.run([cli, "export", logdir, "--format", "parquet", "-o", out, *extra],
                   check=True, stdout=subprocess.DEVNULL)


def read(out, name):
    return pd.read_parquet(os.path.join(out, f"{name}.parquet"))


def ours_long(df):
    """Our table with tbparse's `dir_name` (an empty string for the log directory itself)."""
    df = df.copy()
    df["dir_name"] = df["run"].where(df["run"] != ".", "")
    return df


def sort(df, keys):
    return df.sort_values(keys, kind="mergesort", ignore_index=True)


def compare_frames(name, ours, theirs, keys, columns):
    check(len(ours) == len(theirs), f"{name}: {len(ours)} rows, tbparse has {len(theirs)}")
    if len(ours) != len(theirs):
        return
    ours, theirs = sort(ours, keys), sort(theirs, keys)
    for col in keys + columns:
        for i, (a, b) in enumerate(zip(ours[col], theirs[col])):
            if not same(a, b):
                check(False, f"{name}: row {i} column {col}: ours {a!r}, tbparse {b!r}")
                break
        else:
            check(True, name)


def accumulators(logdir, runs):
    out = {}
    for run in runs:
        path = logdir if run == "." else os.path.join(logdir, run)
        acc = EventAccumulator(path, size_guidance={
            "scalars": 0, "tensors": 0, "histograms": 0, "images": 0, "audio": 0})
        acc.Reload()
        out[run] = acc
    return out


def check_logdir(cli, logdir):
    print(f"== {logdir}")
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as wide:
        export(cli, logdir, out)
        export(cli, logdir, wide, "--pivot", "--kinds", "scalars")
        extra = {"dir_name", "wall_time", "min", "max", "num", "sum", "sum_squares"}
        reader = SummaryReader(logdir, extra_columns=extra)

        scalars = ours_long(read(out, "scalars"))
        runs = sorted(set(scalars["run"]))
        # TF2-style scalars (tensors of the `scalars` plugin) are scalars to us, as to
        # TensorBoard's dashboards; tbparse leaves them in its tensors: compared there.
        tf2 = set()
        if len(reader.tensors):
            tf2 = set(zip(reader.tensors["dir_name"], reader.tensors["tag"]))
        moved = [k in tf2 for k in zip(scalars["dir_name"], scalars["tag"])]
        tf2_scalars = scalars[moved]
        scalars = scalars[[not m for m in moved]]
        theirs = reader.scalars
        if len(theirs):
            compare_frames("scalars", scalars, theirs,
                           ["dir_name", "tag", "step", "wall_time"], ["value"])
        else:
            check(len(scalars) == 0, "scalars: tbparse has none")

        check_pivot(read(wide, "scalars"), SummaryReader(logdir, pivot=True,
                                                         extra_columns={"dir_name"}).scalars)

        hist = ours_long(read(out, "histograms"))
        theirs = reader.histograms
        if len(theirs):
            compare_frames("histograms", hist, theirs, ["dir_name", "tag", "step", "wall_time"],
                           ["min", "max", "num", "sum", "sum_squares", "limits", "counts"])
        else:
            check(len(hist) == 0, "histograms: tbparse has none")

        text = ours_long(read(out, "text"))
        theirs = reader.text
        if len(theirs):
            compare_frames("text", text, theirs, ["dir_name", "tag", "step", "wall_time"],
                           ["value"])
        else:
            check(len(text) == 0, "text: tbparse has none")

        tensors = ours_long(read(out, "tensors"))
        theirs = reader.tensors
        if len(theirs):
            numeric = theirs[theirs["value"].map(lambda v: np.asarray(v).dtype.kind in "fiu")]
            mine = tensors[tensors["dtype"] != "string"]
            mine = mine.assign(value=mine["value"].map(lambda v: np.asarray(v, dtype=float)))
            # tbparse's tensors also hold the TF2-style scalars that we read as scalars.
            mine = pd.concat([mine, tf2_scalars], ignore_index=True)
            hist_keys = set(zip(hist["dir_name"], hist["tag"]))
            numeric = numeric[[k not in hist_keys
                               for k in zip(numeric["dir_name"], numeric["tag"])]]
            compare_frames("tensors", mine, numeric, ["dir_name", "tag", "step", "wall_time"],
                           ["value"])
        else:
            check(len(tensors) == 0, "tensors: tbparse has none")

        check_hparams(read(out, "hparams"), reader.hparams)

        accs = accumulators(logdir, sorted(set(runs) | set(read(out, "hparams")["run"])
                                            | set(read(out, "images")["run"])
                                            | set(read(out, "audio")["run"])
                                            | set(read(out, "pr_curves")["run"])))
        check_blobs("images", read(out, "images"), accs, lambda a: a.Images,
                    lambda e: {"width": e.width, "height": e.height,
                               "value": e.encoded_image_string})
        check_blobs("audio", read(out, "audio"), accs, lambda a: a.Audio,
                    lambda e: {"content_type": e.content_type,
                               "length_frames": e.length_frames,
                               "sample_rate": e.sample_rate,
                               "value": e.encoded_audio_string})
        check_pr_curves(read(out, "pr_curves"), accs)
        check_metrics(read(out, "hparams"), accs)


def check_pivot(ours, theirs):
    if not len(theirs):
        check(len(ours) == 0, "pivot: tbparse has none")
        return
    ours = ours_long(ours)
    tags = [c for c in theirs.columns if c not in ("step", "dir_name")]
    extra = sorted(set(ours.columns) - set(tags) - {"run", "step", "wall_time", "dir_name"})
    check(set(tags) <= set(ours.columns), f"pivot: columns {sorted(tags)}")
    if extra:
        # TF2-style scalars (in tbparse's tensors) add columns, and rows at their steps.
        keep = ours[tags].notna().any(axis=1)
        ours = ours[keep]
    check(len(ours) == len(theirs), f"pivot: {len(ours)} rows, tbparse has {len(theirs)}")
    if len(ours) != len(theirs):
        return
    ours, theirs = sort(ours, ["dir_name", "step"]), sort(theirs, ["dir_name", "step"])
    for tag in tags:
        for i, (a, b) in enumerate(zip(ours[tag], theirs[tag])):
            # tbparse merges several values at one step into a list (we keep the last), and
            # cannot tell a missing value from a NaN one.
            if isinstance(b, list):
                b = b[-1]
            if pd.isna(a) and pd.isna(b):
                continue
            if not same(float(a), float(b)):
                check(False, f"pivot: {tag} row {i}: ours {a!r}, tbparse {b!r}")
                break
        else:
            check(True, f"pivot {tag}")


def hparam_value(row):
    for col in ("value", "value_string", "value_bool"):
        if not pd.isna(row[col]):
            return row[col]
    return None


def check_hparams(ours, theirs):
    mine = ours[ours["kind"] == "hparam"].copy()
    mine["dir_name"] = mine["run"].where(mine["run"] != ".", "")
    mine["value"] = [hparam_value(r) for _, r in mine.iterrows()]
    if not len(theirs):
        check(len(mine) == 0, "hparams: tbparse has none")
        return
    compare_frames("hparams", mine[["dir_name", "tag", "value"]],
                   theirs[["dir_name", "tag", "value"]], ["dir_name", "tag"], ["value"])


def check_blobs(name, ours, accs, series, fields):
    expected = []
    for run, acc in accs.items():
        for tag in acc.Tags().get(name, []):
            for e in series(acc)(tag):
                expected.append({"run": run, "tag": tag, "step": e.step,
                                 "wall_time": e.wall_time, **fields(e)})
    theirs = pd.DataFrame(expected)
    if not len(theirs):
        check(len(ours) == 0, f"{name}: EventAccumulator has none")
        return
    compare_frames(name, ours, theirs, ["run", "tag", "step", "wall_time"],
                   [c for c in theirs.columns if c not in ("run", "tag", "step", "wall_time")])


def check_pr_curves(ours, accs):
    expected = []
    for run, acc in accs.items():
        content = acc.PluginTagToContent("pr_curves") if "pr_curves" in acc._plugin_to_tag_to_content else {}
        for tag in content:
            for e in acc.Tensors(tag):
                t = tensor_util.make_ndarray(e.tensor_proto).astype(float)
                n = t.shape[1]
                expected.append({"run": run, "tag": tag, "step": e.step,
                                 "wall_time": e.wall_time, "num_thresholds": n,
                                 "thresholds": [i / max(n - 1, 1) for i in range(n)],
                                 "true_positives": t[0], "false_positives": t[1],
                                 "true_negatives": t[2], "false_negatives": t[3],
                                 "precision": t[4], "recall": t[5]})
    theirs = pd.DataFrame(expected)
    if not len(theirs):
        check(len(ours) == 0, "pr_curves: EventAccumulator has none")
        return
    compare_frames("pr_curves", ours, theirs, ["run", "tag", "step", "wall_time"],
                   [c for c in theirs.columns if c not in ("run", "tag", "step", "wall_time")])


STATUS = {0: "STATUS_UNKNOWN", 1: "STATUS_SUCCESS", 2: "STATUS_FAILURE", 3: "STATUS_RUNNING"}


def check_metrics(ours, accs):
    """Metric values (the last scalar of each metric tag) and trial status, which tbparse
    does not read, against EventAccumulator and the hparams plugin data."""
    for run, acc in accs.items():
        if "hparams" not in acc._plugin_to_tag_to_content:
            continue
        content = acc.PluginTagToContent("hparams")
        data = {k: plugin_data_pb2.HParamsPluginData.FromString(v) for k, v in content.items()}
        if not any(d.HasField("session_start_info") for d in data.values()):
            continue
        mine = ours[ours["run"] == run]
        status = [STATUS[d.session_end_info.status] for d in data.values()
                  if d.HasField("session_end_info")]
        check(list(mine["status"].dropna().unique()) == status[:1],
              f"hparams {run}: status {list(mine['status'].unique())}, plugin data {status}")
        metrics = sorted({m.name.tag for d in data.values() if d.HasField("experiment")
                          for m in d.experiment.metric_infos})
        rows = mine[mine["kind"] == "metric"]
        check(sorted(rows["tag"]) == metrics, f"hparams {run}: metrics {sorted(rows['tag'])}")
        for _, row in rows.iterrows():
            events = acc.Scalars(row["tag"]) if row["tag"] in acc.Tags()["scalars"] else []
            last = events[-1] if events else None
            check(last is not None and same(float(row["value"]), float(last.value))
                  and row["step"] == last.step,
                  f"hparams {run}: metric {row['tag']} = {row['value']}, last scalar {last}")


def make_tbx(logdir):
    """A tensorboardX log directory with every kind of summary in two runs."""
    from tensorboardX import SummaryWriter
    rng = np.random.default_rng(7)
    w = SummaryWriter(os.path.join(logdir, "train"))
    for step in range(5):
        w.add_scalar("loss", float(rng.random()), step)
        w.add_histogram("weights", rng.normal(size=100), step)
    w.add_scalar("odd", float("nan"), 0)
    w.add_scalar("odd", float("inf"), 1)
    w.add_scalar("odd", float("-inf"), 2)
    w.add_image("img", rng.random((3, 8, 6)), 0)
    w.add_text("note", "a *markdown* note", 1)
    w.add_pr_curve("pr", rng.integers(0, 2, 50), rng.random(50), 2, num_thresholds=11)
    w.add_hparams({"lr": 0.01, "opt": "sgd", "bn": True}, {"hp/acc": 0.9, "hp/loss": 0.1},
                  name="trial")
    w.close()
    v = SummaryWriter(os.path.join(logdir, "eval"))
    for step in (0, 2, 4):
        v.add_scalar("loss", float(rng.random()), step)
    v.close()


def check_reduce(cli, logdir):
    """Seeds written with tensorboardX, reduced, against numpy on the same series."""
    print(f"== reduce {logdir}")
    from tensorboardX import SummaryWriter
    rng = np.random.default_rng(3)
    for seed in range(4):
        w = SummaryWriter(os.path.join(logdir, f"seed_{seed}"))
        for step in range(0, 50, 5):
            w.add_scalar("loss", float(rng.normal(1.0, 0.3)), step)
            w.add_scalar("acc", float(rng.random()), step)
        # Non-finite values and a step only one seed has.
        w.add_scalar("loss", [float("nan"), 1.0, float("inf"), 2.0][seed], 50)
        if seed == 0:
            w.add_scalar("loss", 9.0, 55)
        w.close()
    out = os.path.join(logdir, "seed_mean")
    subprocess.run([cli, "reduce", logdir, "--runs", "seed_*", "-o", out], check=True,
                   stdout=subprocess.DEVNULL)
    acc = accumulators(logdir, ["seed_mean"])["seed_mean"]
    inputs = SummaryReader(logdir, extra_columns={"dir_name"}).scalars
    inputs = inputs[inputs["dir_name"].str.startswith("seed_")
                    & (inputs["dir_name"] != "seed_mean")]
    for tag in ("loss", "acc"):
        series = inputs[inputs["tag"] == tag]
        per_step = series.groupby("step")["value"].apply(list)
        per_step = per_step[per_step.map(len) == 4]  # exact alignment
        for stat, fn in (("mean", np.mean), ("std", np.std), ("min", np.min), ("max", np.max)):
            got = {e.step: e.value for e in acc.Scalars(f"{tag}/{stat}")}
            check(sorted(got) == list(per_step.index), f"reduce {tag}/{stat}: steps {sorted(got)}")
            for step, values in per_step.items():
                want = np.float32(fn(np.asarray(values, dtype=np.float64)))
                check(same(float(np.float32(got.get(step, np.nan))), float(want)),
                      f"reduce {tag}/{stat} step {step}: {got.get(step)} vs numpy {want}")
    layout = acc.Tensors("custom_scalars__config__")
    check(len(layout) == 1, "reduce: one custom-scalars layout")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cli", required=True, help="the tfevents binary")
    parser.add_argument("--make-tbx", help="write a tensorboardX log directory here and check it")
    parser.add_argument("--reduce", help="write seeds here and check `tfevents reduce` on them")
    parser.add_argument("logdirs", nargs="*")
    args = parser.parse_args()
    logdirs = list(args.logdirs)
    if args.make_tbx:
        make_tbx(args.make_tbx)
        logdirs.append(args.make_tbx)
    for logdir in logdirs:
        check_logdir(args.cli, logdir)
    if args.reduce:
        check_reduce(args.cli, args.reduce)
    print(f"tables_check: {CHECKS[0] - len(FAILURES)} passed, {len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
