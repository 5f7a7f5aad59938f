#!/usr/bin/env bash
# Export LOGDIR with our CLI and check it with TensorBoard's own loader (tools/tb_check.py).
#
#   tools/check_with_tensorboard.sh LOGDIR [tb_check options: --expect-tags FILE, --allow-torn-tail, -v]
#
# The CLI is $CANDLE_TB (default: target/release/candle-tensorboard if built, else
# `cargo run --quiet --release --`); Python is .venv's (made by tools/setup-venv.sh if missing).
# Exit status: tb_check's (0 all runs passed, 1 any failure), or the export's if it failed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ $# -lt 1 ]; then sed -n '2,8p' "$0" >&2; exit 2; fi
logdir=$1; shift

py="$root/.venv/bin/python"
[ -x "$py" ] || py=$("$root/tools/setup-venv.sh" | tail -1)

export_json=$(mktemp --suffix=.json)
trap 'rm -f "$export_json"' EXIT
target=${CARGO_TARGET_DIR:-$root/target}
if [ -n "${CANDLE_TB:-}" ]; then
    cli=("$CANDLE_TB")
elif [ -x "$target/release/candle-tensorboard" ]; then
    cli=("$target/release/candle-tensorboard")
else
    cli=(cargo run --quiet --release --manifest-path "$root/Cargo.toml" --)
fi
"${cli[@]}" export "$logdir" --format json >"$export_json"
"$py" "$root/tools/tb_check.py" "$logdir" "$export_json" "$@"
