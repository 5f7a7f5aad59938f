#!/usr/bin/env bash
# Start an S3-compatible server (moto's server mode) on 127.0.0.1 with a free port and create
# a bucket in it. Prints shell `export` lines for the endpoint, dummy credentials and the
# server's pid, so that:
#
#   eval "$(tools/start-s3.sh)"          # server up, TFEVENTS_S3_ENDPOINT etc. exported
#   cargo test --workspace --test remote
#   kill "$TFEVENTS_S3_PID"
#
# Installs tools/requirements-s3.txt (moto[server], boto3) into .venv (made by
# tools/setup-venv.sh if missing). BUCKET= names the bucket (default tfevents-test).
# AUTH=1 starts a second kind of server instead: one that checks credentials (moto's
# INITIAL_NO_AUTH_ACTION_COUNT=0, so every key is unknown to it) and has no bucket; it prints
# only TFEVENTS_S3_AUTH_ENDPOINT and TFEVENTS_S3_AUTH_PID, for the wrong-credentials test.
# The server's log goes to ${TMPDIR:-/tmp}/moto-<port>.log.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bucket=${BUCKET:-tfevents-test}

py="$root/.venv/bin/python"
[ -x "$py" ] || py=$("$root/tools/setup-venv.sh" | tail -1)
if ! "$py" -c 'import moto.server, boto3' >/dev/null 2>&1; then
    "$py" -m pip install --disable-pip-version-check --quiet -r "$root/tools/requirements-s3.txt" >&2
fi

port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log="${TMPDIR:-/tmp}/moto-$port.log"
auth=${AUTH:-0}
# setsid: the server outlives this script and is not killed with the caller's process group.
# With AUTH=1, moto checks credentials from the first request on.
if [ "$auth" = 1 ]; then
    export INITIAL_NO_AUTH_ACTION_COUNT=0
fi
setsid "$root/.venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 < /dev/null &
pid=$!
unset INITIAL_NO_AUTH_ACTION_COUNT
endpoint="http://127.0.0.1:$port"

export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-testing}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-testing}
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
if ! "$py" - "$endpoint" "$bucket" "$auth" <<'PY' >&2
import sys, time, boto3, botocore
endpoint, bucket, auth = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
s3 = boto3.client("s3", endpoint_url=endpoint)
deadline = time.time() + 30
while True:
    try:
        s3.list_buckets()
        break
    except botocore.exceptions.ClientError:
        if auth:
            break  # it answered, refusing the keys it does not know: up
        raise
    except botocore.exceptions.EndpointConnectionError:
        if time.time() > deadline:
            sys.exit(f"start-s3.sh: moto did not answer on {endpoint} within 30 s")
        time.sleep(0.2)
if not auth:
    s3.create_bucket(Bucket=bucket)
PY
then
    kill "$pid" 2>/dev/null || true
    echo "start-s3.sh: the server failed; its log:" >&2
    cat "$log" >&2
    exit 1
fi
if [ "$auth" = 1 ]; then
    echo "start-s3.sh: moto S3 server checking credentials (pid $pid) on $endpoint" >&2
    echo "export TFEVENTS_S3_AUTH_ENDPOINT=$endpoint"
    echo "export TFEVENTS_S3_AUTH_PID=$pid"
    exit 0
fi
echo "start-s3.sh: moto S3 server (pid $pid) on $endpoint, bucket $bucket" >&2
cat <<EOS
export TFEVENTS_S3_ENDPOINT=$endpoint
export TFEVENTS_S3_BUCKET=$bucket
export TFEVENTS_S3_PID=$pid
export S3_ENDPOINT=$endpoint
export AWS_ENDPOINT=$endpoint
export AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID
export AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
export AWS_DEFAULT_REGION=$AWS_DEFAULT_REGION
export AWS_ALLOW_HTTP=true
EOS
