#!/usr/bin/env bash
# Export LOGDIR with our CLI, then check the export against TensorBoard twice: its Python
# loader (tools/tb_check.py) and what its web server serves (tools/tb_http_check.py, Rust data
# server).
#
#   tools/check_with_tensorboard.sh LOGDIR [--no-http] [tb_check options: --expect-tags FILE,
#                                                       --allow-torn-tail, -v]
#
# The CLI is $TFEVENTS_CLI (default: $CARGO_TARGET_DIR or target/release/tfevents if
# built, else `cargo run --quiet --release -p tfevents-cli --`); Python is .venv's (made by
# tools/setup-venv.sh if missing). Exit status 0 only if every check passed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ $# -lt 1 ]; then sed -n '2,11p' "$0" >&2; exit 2; fi
logdir=$1; shift
http=1
tb_args=()
for a in "$@"; do
    if [ "$a" = "--no-http" ]; then http=0; else tb_args+=("$a"); fi
done

py="$root/.venv/bin/python"
[ -x "$py" ] || py=$("$root/tools/setup-venv.sh" | tail -1)

export_json=$(mktemp --suffix=.json)
trap 'rm -f "$export_json"' EXIT
target=${CARGO_TARGET_DIR:-$root/target}
if [ -n "${TFEVENTS_CLI:-}" ]; then
    cli=("$TFEVENTS_CLI")
elif [ -x "$target/release/tfevents" ]; then
    cli=("$target/release/tfevents")
else
    cli=(cargo run --quiet --release --manifest-path "$root/Cargo.toml" -p tfevents-cli --)
fi
"${cli[@]}" export "$logdir" --format json >"$export_json"
status=0
"$py" "$root/tools/tb_check.py" "$logdir" "$export_json" ${tb_args[@]+"${tb_args[@]}"} || status=1
if [ "$http" = 1 ]; then
    "$py" "$root/tools/tb_http_check.py" "$logdir" "$export_json" --load-fast true || status=1
fi
exit $status
