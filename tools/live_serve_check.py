#!/usr/bin/env python3
"""TensorBoard on our data server while a writer is still logging: new points must reach
TensorBoard's HTTP API (the route the SCALARS dashboard calls) on their own.

    TENSORBOARD_DATA_SERVER_BINARY=target/debug/tfevents tools/live_serve_check.py [--reload S]

A tensorboardX writer logs 10 scalars into a new run and flushes; TensorBoard is started with
`--load_fast=true --reload_interval=S`, which starts our server with `--reload=S`. Once the 10
points are served, the writer logs 10 more (and a second run appears); the check waits for
them over HTTP and prints how long they took in reload intervals. It fails if they have not
appeared after 10 intervals (a generous bound, so that a loaded machine does not fail it: the
figure printed is the measurement, the bound only catches a server that never reloads).
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tb_http_check  # noqa: E402


def points(srv, run, tag):
    try:
        return len(srv.json("/data/plugin/scalars/scalars", run=run, tag=tag))
    except Exception:  # noqa: BLE001 - not served yet (404 for an unknown run or tag)
        return 0


def settle(writer, run_dir):
    """tensorboardX's flush() writes only what its worker thread has taken from the queue:
    flush until the run's event file stops growing."""
    last = -1
    while True:
        writer.flush()
        time.sleep(0.2)
        size = sum(os.path.getsize(os.path.join(run_dir, f)) for f in os.listdir(run_dir))
        if size == last:
            return
        last = size


def wait_for(srv, run, tag, count, limit, t0=None):
    t0 = time.monotonic() if t0 is None else t0
    while time.monotonic() - t0 < limit:
        if not srv.alive():
            sys.exit(f"live_serve_check: TensorBoard exited:\n{srv.output()}")
        if points(srv, run, tag) >= count:
            return time.monotonic() - t0
        time.sleep(0.05)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reload", type=float, default=2.0, help="reload interval, seconds")
    args = ap.parse_args()
    if not os.environ.get("TENSORBOARD_DATA_SERVER_BINARY"):
        sys.exit("live_serve_check: set TENSORBOARD_DATA_SERVER_BINARY to the tfevents CLI")
    from tensorboardX import SummaryWriter

    logdir = tempfile.mkdtemp()
    first = SummaryWriter(os.path.join(logdir, "live"), flush_secs=3600)
    for i in range(10):
        first.add_scalar("loss", 1.0 / (i + 1), i)
    settle(first, os.path.join(logdir, "live"))

    srv = tb_http_check.Server(logdir, "true", "scalars=1000", reload_interval=args.reload)
    failures = 0
    try:
        if wait_for(srv, "live", "loss", 10, 120) is None:
            sys.exit(f"live_serve_check: the first 10 points never appeared:\n{srv.output()}")
        print("live_serve_check: first 10 points served")
        for i in range(10, 20):
            first.add_scalar("loss", 1.0 / (i + 1), i)
        second = SummaryWriter(os.path.join(logdir, "late"), flush_secs=3600)
        second.add_scalar("loss", 0.5, 0)
        settle(first, os.path.join(logdir, "live"))
        settle(second, os.path.join(logdir, "late"))
        flushed = time.monotonic()
        limit = 10 * args.reload
        for run, count in (("live", 20), ("late", 1)):
            took = wait_for(srv, run, "loss", count, limit, t0=flushed)
            if took is None:
                print(f"FAIL run '{run}': {count} points not served within {limit:g} s")
                failures += 1
            else:
                print(f"ok   run '{run}': {count} points served {took:.2f} s after the flush "
                      f"({took / args.reload:.1f} reload intervals of {args.reload:g} s)")
        first.close()
        second.close()
    finally:
        srv.stop()
        shutil.rmtree(logdir, ignore_errors=True)
    print(f"live_serve_check: {2 - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
