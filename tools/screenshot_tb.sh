#!/usr/bin/env bash
# Screenshot TensorBoard's dashboards for a log dir with headless Chromium.
#
#   tools/screenshot_tb.sh LOGDIR OUT_DIR
#
# Starts `tensorboard --logdir LOGDIR --host 127.0.0.1` (port $PORT, default 6006, or a free
# one if that is taken), waits until it lists the log dir's runs, writes OUT_DIR/<page>.png for
# the pages in $PAGES (default: timeseries scalars histograms distributions images text), then
# stops TensorBoard. Environment:
#   PAGES="scalars text"       which dashboards (URL fragments: http://HOST:PORT/#<page>)
#   BUDGET_MS=20000            Chromium's virtual time budget per page (TensorBoard is all JS)
#   WINDOW=1600,1200           window size
#   LOAD_FAST=auto|true|false  TensorBoard's --load_fast (auto: its Rust data server if present)
#   TB=/path/to/tensorboard    the tensorboard executable (default: .venv's, then PATH's)
# Installs Chromium with apt-get if no chromium/chromium-browser/google-chrome is found and
# we are root. Exit status 1 if TensorBoard does not come up or a screenshot is missing.
set -euo pipefail

if [ $# -ne 2 ]; then
    sed -n '2,16p' "$0" >&2
    exit 2
fi
logdir=$1
out=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pages=${PAGES:-timeseries scalars histograms distributions images text}
budget=${BUDGET_MS:-20000}
window=${WINDOW:-1600,1200}
load_fast=${LOAD_FAST:-auto}

if [ ! -d "$logdir" ]; then
    echo "screenshot_tb.sh: LOGDIR '$logdir' is not a directory" >&2
    exit 2
fi
mkdir -p "$out"

tb=${TB:-}
if [ -z "$tb" ]; then
    if [ -x "$root/.venv/bin/tensorboard" ]; then tb=$root/.venv/bin/tensorboard; fi
fi
if [ -z "$tb" ]; then tb=$(command -v tensorboard || true); fi
if [ -z "$tb" ]; then
    echo "screenshot_tb.sh: no tensorboard executable; run tools/setup-venv.sh" >&2
    exit 1
fi
tb_python=$(dirname "$tb")/python
[ -x "$tb_python" ] || tb_python=python3

browser=""
for cand in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$cand" >/dev/null 2>&1; then browser=$(command -v "$cand"); break; fi
done
if [ -z "$browser" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "screenshot_tb.sh: installing chromium with apt-get" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null ||
            { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null; }
        browser=$(command -v chromium)
    else
        echo "screenshot_tb.sh: no Chromium found; install chromium (apt-get install -y chromium)" >&2
        exit 1
    fi
fi

port=${PORT:-6006}
if ! "$tb_python" - "$port" <<'EOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
then
    port=$("$tb_python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fi

tmp=$(mktemp -d)
tb_pid=""
cleanup() {
    if [ -n "$tb_pid" ] && kill -0 "$tb_pid" 2>/dev/null; then
        kill "$tb_pid" 2>/dev/null || true
        wait "$tb_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

"$tb" --logdir "$logdir" --host 127.0.0.1 --port "$port" --load_fast="$load_fast" \
    >"$out/tensorboard.log" 2>&1 &
tb_pid=$!
url="http://127.0.0.1:$port"

# Up when /data/runs lists at least one run (TensorBoard loads the log dir in the background).
ok=0
for _ in $(seq 1 120); do
    if ! kill -0 "$tb_pid" 2>/dev/null; then
        echo "screenshot_tb.sh: tensorboard exited; its log:" >&2
        cat "$out/tensorboard.log" >&2
        exit 1
    fi
    runs=$("$tb_python" -c 'import sys, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1] + "/data/runs", timeout=2).read().decode())
except Exception:
    pass' "$url" 2>/dev/null || true)
    if [ -n "$runs" ] && [ "$runs" != "[]" ]; then ok=1; break; fi
    sleep 0.5
done
if [ "$ok" != 1 ]; then
    echo "screenshot_tb.sh: TensorBoard at $url listed no runs within 60 s; its log:" >&2
    cat "$out/tensorboard.log" >&2
    exit 1
fi
echo "screenshot_tb.sh: TensorBoard up at $url, runs: $runs" >&2
sleep 2  # let the loader finish reading the files the run list was made from

status=0
for page in $pages; do
    file="$out/$page.png"
    rm -f "$file"
    # SwiftShader: WebGL in software, which the projector and mesh dashboards need.
    timeout 120 "$browser" --headless --no-sandbox --use-angle=swiftshader \
        --enable-unsafe-swiftshader --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-dev-shm-usage --hide-scrollbars \
        --user-data-dir="$tmp/profile-$page" --window-size="$window" \
        --virtual-time-budget="$budget" --screenshot="$file" "$url/#$page" \
        >"$tmp/chromium-$page.log" 2>&1 || true
    if [ -s "$file" ]; then
        echo "$file  <- $url/#$page"
    else
        echo "screenshot_tb.sh: no screenshot for $url/#$page; Chromium said:" >&2
        tail -5 "$tmp/chromium-$page.log" >&2
        status=1
    fi
done
exit $status
