#!/usr/bin/env python3
"""tensorboardX's add_embedding on the input benches/dashboards2.rs uses, timed, and its
tensors.tsv / metadata.tsv compared with ours.

    .venv/bin/python bench/compare_embedding.py [--rows 10000] [--repeat 3] [--ours RUN_DIR]

Input: ROWS x 512 float32 points (a multiplicative hash of the index scaled to [-0.5, 0.5)),
one label per point (i % 10) and ROWS 28x28 one-channel label images ((i * 7 + p) % 256 / 255).
Prints the best of --repeat wall times. With --ours RUN_DIR (a run holding our add_embedding of
the same input at step 0, tag "default"), compares tensors.tsv and metadata.tsv byte for byte.
"""
import argparse
import os
import sys
import tempfile
import time

import numpy as np
import tensorboardX

DIM, SIDE = 512, 28


def inputs(rows):
    idx = np.arange(rows * DIM, dtype=np.uint64)
    mat = (((idx * np.uint64(2654435761)) % np.uint64(1 << 32)).astype(np.float32)
           / np.float32(4294967296.0) - np.float32(0.5)).reshape(rows, DIM)
    i = np.arange(rows)[:, None]
    p = np.arange(SIDE * SIDE)[None, :]
    imgs = (((i * 7 + p) % 256).astype(np.float32) / np.float32(255.0)).reshape(rows, 1, SIDE, SIDE)
    labels = [str(k % 10) for k in range(rows)]
    return mat, labels, imgs


def compare_files(theirs, ours):
    """tensors.tsv and metadata.tsv of two embedding directories, byte for byte: a line per
    file and whether all are identical."""
    lines, all_same = [], True
    for name in ("tensors.tsv", "metadata.tsv"):
        try:
            a = open(os.path.join(theirs, name), "rb").read()
            b = open(os.path.join(ours, name), "rb").read()
        except OSError as e:
            lines.append(f"{name}: not compared ({e})")
            all_same = False
            continue
        all_same &= a == b
        lines.append(f"{name}: {'identical' if a == b else 'DIFFERENT'} to tensorboardX's "
                     f"({len(a)} bytes theirs, {len(b)} ours)")
    return lines, all_same


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--ours", help="a run directory with our embedding at step 0, tag default")
    args = ap.parse_args()
    mat, labels, imgs = inputs(args.rows)
    best = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        w = tensorboardX.SummaryWriter(logdir=tmp)
        for step in range(args.repeat):
            t = time.perf_counter()
            w.add_embedding(mat, metadata=labels, label_img=imgs, global_step=step)
            best = min(best, time.perf_counter() - t)
        w.close()
        print(f"tensorboardX {tensorboardX.__version__} add_embedding {args.rows}x{DIM} "
              f"+ metadata + sprite {SIDE}x{SIDE}: best of {args.repeat} = {best:.3f} s")
        if args.ours:
            lines, same = compare_files(os.path.join(tmp, "00000", "default"),
                                        os.path.join(args.ours, "00000", "default"))
            print("\n".join(lines))
            return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
