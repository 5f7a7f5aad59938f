#!/usr/bin/env bash
# Create or update the Python virtualenv used by the repository's checks.
#
#   tools/setup-venv.sh              # .venv with tools/requirements.txt
#   tools/setup-venv.sh --fixtures   # also tools/requirements-fixtures.txt (gymnasium)
#   VENV=/some/dir tools/setup-venv.sh   # put the venv elsewhere
#   PYTHON=python3.12 tools/setup-venv.sh
#
# Idempotent: a second run with unchanged requirement files only checks the imports.
# Needs python3 >= 3.9 with the venv module and a reachable package index (or a pip cache
# that already holds the wheels). Prints the venv's python path on its last line.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${VENV:-$root/.venv}
python=${PYTHON:-python3}
fixtures=0
for arg in "$@"; do
    case "$arg" in
        --fixtures) fixtures=1 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "setup-venv.sh: unknown argument '$arg' (known: --fixtures)" >&2; exit 2 ;;
    esac
done

if ! command -v "$python" >/dev/null 2>&1; then
    echo "setup-venv.sh: '$python' not found; install Python 3.9+ or set PYTHON=" >&2
    exit 1
fi
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)'; then
    echo "setup-venv.sh: $("$python" --version 2>&1) is too old; need Python 3.9+" >&2
    exit 1
fi

reqs=("$root/tools/requirements.txt")
imports="import tensorboard, tensorboardX, numpy, PIL"
if [ "$fixtures" = 1 ]; then
    reqs+=("$root/tools/requirements-fixtures.txt")
    imports="$imports, gymnasium"
fi

# A venv whose interpreter no longer runs (moved directory, removed system python) is rebuilt.
if [ -e "$venv" ] && ! "$venv/bin/python" -c 'pass' >/dev/null 2>&1; then
    echo "setup-venv.sh: $venv is broken; recreating it" >&2
    rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
    if ! "$python" -m venv "$venv"; then
        rm -rf "$venv"
        # Debian/Ubuntu ship venv's ensurepip separately; install it when we may.
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "setup-venv.sh: installing python3-venv with apt-get" >&2
            ver=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
            DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv "python$ver-venv" >/dev/null 2>&1 ||
                { apt-get update >/dev/null 2>&1 &&
                  DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv >/dev/null 2>&1; } || true
        fi
        if ! "$python" -m venv "$venv"; then
            echo "setup-venv.sh: '$python -m venv' failed; on Debian/Ubuntu: apt-get install -y python3-venv" >&2
            rm -rf "$venv"
            exit 1
        fi
    fi
fi

stamp="$venv/.candle-tensorboard-requirements"
want=$(cat "${reqs[@]}" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$venv/bin/python" -c "$imports" >/dev/null 2>&1; then
    echo "setup-venv.sh: $venv is up to date" >&2
else
    pip_args=(--disable-pip-version-check --quiet)
    # Old pips (Python 3.9's bundled one) can miss manylinux wheels; a failed upgrade is harmless.
    "$venv/bin/python" -m pip install "${pip_args[@]}" --upgrade pip >/dev/null 2>&1 || true
    req_args=()
    for r in "${reqs[@]}"; do req_args+=(-r "$r"); done
    "$venv/bin/python" -m pip install "${pip_args[@]}" "${req_args[@]}"
    "$venv/bin/python" -c "$imports"
    echo "$want" > "$stamp"
    echo "setup-venv.sh: installed into $venv" >&2
fi
echo "$venv/bin/python"
