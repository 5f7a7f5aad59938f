#!/usr/bin/env bash
# Stock TensorBoard through `tfevents serve`, both ways of plugging it in, checked dashboard by
# dashboard with tools/tb_http_check.py against our export (which tools/check_with_tensorboard.sh
# checks against TensorBoard's own loaders):
#   1. TensorBoard starts our server itself:
#        TENSORBOARD_DATA_SERVER_BINARY=tfevents tensorboard --logdir LOGDIR --load_fast=true
#   2. Our server runs on its own and TensorBoard connects to it:
#        tfevents serve LOGDIR --port P  +  tensorboard --grpc_data_provider localhost:P
#
#   tools/ci-serve.sh LOGDIR...
#
# The CLI is $TFEVENTS_CLI (default: target/debug/tfevents, built by `cargo test`); Python is
# .venv's (tools/setup-venv.sh). Exit status 0 only if every check passed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ $# -lt 1 ]; then sed -n '2,13p' "$0" >&2; exit 2; fi
cli=$(realpath "${TFEVENTS_CLI:-$root/target/debug/tfevents}")
[ -x "$cli" ] || { echo "ci-serve.sh: no CLI at $cli (cargo build -p tfevents-cli)" >&2; exit 1; }
py="$root/.venv/bin/python"
[ -x "$py" ] || py=$("$root/tools/setup-venv.sh" | tail -1)

work=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

status=0
for logdir in "$@"; do
    export_json="$work/export.json"
    "$cli" export "$logdir" --format json >"$export_json"

    echo "ci-serve: $logdir, TensorBoard starting tfevents as its data server"
    TENSORBOARD_DATA_SERVER_BINARY=$cli "$py" "$root/tools/tb_http_check.py" "$logdir" \
        "$export_json" --load-fast true || status=1

    echo "ci-serve: $logdir, TensorBoard connecting to a running tfevents serve"
    # Our server samples by its own flag here (TensorBoard's --samples_per_plugin only reaches
    # a server it starts): keep everything, as tb_http_check asks TensorBoard to.
    "$cli" serve "$logdir" --port 0 --port-file "$work/port" --reload once \
        --samples-per-plugin scalars=all,histograms=all,images=all,text=all,audio=all,pr_curves=all \
        2>"$work/serve.log" &
    server=$!
    for _ in $(seq 1 100); do
        if [ -s "$work/port" ] && [ "$(tail -c1 "$work/port" | od -An -c | tr -d ' ')" = '\n' ]; then break; fi
        if ! kill -0 "$server" 2>/dev/null; then cat "$work/serve.log" >&2; exit 1; fi
        sleep 0.1
    done
    port=$(tr -d '\n' <"$work/port")
    # tb_http_check starts TensorBoard itself; add the flag that points it at our server.
    "$py" - "$root/tools" "$logdir" "$export_json" "localhost:$port" <<'PY' || status=1
import subprocess, sys
tools, logdir, export_json, address = sys.argv[1:5]
sys.path.insert(0, tools)
import tb_http_check

popen = subprocess.Popen
def with_provider(cmd, *args, **kwargs):
    if "tensorboard.main" in cmd:
        cmd = [c for c in cmd if not c.startswith("--load_fast")] + [f"--grpc_data_provider={address}"]
    return popen(cmd, *args, **kwargs)
tb_http_check.subprocess.Popen = with_provider
sys.exit(tb_http_check.main([logdir, export_json, "--load-fast", "true"]))
PY
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
    rm -f "$work/port"
done
exit $status
