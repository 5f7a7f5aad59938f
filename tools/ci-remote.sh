#!/usr/bin/env bash
# Remote log directories against a real S3 server, started and stopped here:
#   1. tools/start-s3.sh: moto's S3 server on a free 127.0.0.1 port, bucket, dummy credentials;
#      and a second one that checks credentials, for the wrong-credentials test;
#   2. the Rust tests that need it (remote, ranks: 8 processes logging into s3://), which
#      leave the 8-rank run at s3://$bucket/ci-ranks;
#   3. our CLI lists that run straight from S3 (`tfevents ls s3://...`, feature `remote`);
#      checks and exports it from S3 too (`check`, `export`, `export --follow`), and its
#      s3:// tests (crates/tfevents-cli/tests/cli.rs, module s3) run; the JSON export read
#      from S3 must equal the export of a downloaded copy (step 4);
#   4. TensorBoard itself (boto3 loader, S3_ENDPOINT, --load_fast=false) lists and serves it:
#      tools/tb_http_check.py compares /data/runs and /data/plugin/scalars/scalars with our
#      export of a downloaded copy; then TensorBoard again, through our data server reading
#      s3:// (tools/ci-serve.sh: started by TensorBoard, and on its own), every dashboard;
#   5. a short run of the upload bench (examples/remote_upload.rs) prints the upload ratio
#      and throughput to the server against local disk.
# Exit status 0 only if every step passed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

eval "$(tools/start-s3.sh)"
eval "$(AUTH=1 tools/start-s3.sh)"
work=$(mktemp -d)
trap 'kill "$TFEVENTS_S3_PID" "$TFEVENTS_S3_AUTH_PID" 2>/dev/null || true; rm -rf "$work"' EXIT
py="$root/.venv/bin/python"
prefix=ci-ranks

# The README's test command builds the object-store stack (the CLI's default `remote`
# feature) with the same features as here, so after it nothing is compiled again: the
# workspace-wide feature set is kept by selecting the whole workspace.
cargo test --quiet --workspace --no-run
target_dir="${CARGO_TARGET_DIR:-$root/target}"

echo "== remote tests against $TFEVENTS_S3_ENDPOINT"
TFEVENTS_RANKS_S3_PREFIX=$prefix cargo test --quiet --workspace \
    --test remote --test ranks -- --nocapture

echo "== tfevents ls s3://$TFEVENTS_S3_BUCKET/$prefix"
cli="$target_dir/debug/tfevents"
"$cli" ls "s3://$TFEVENTS_S3_BUCKET/$prefix" | tee "$work/ls.txt"
runs=$(grep -c '^rank_' "$work/ls.txt")
[ "$runs" = 8 ] || { echo "ci-remote: tfevents ls found $runs runs, want 8" >&2; exit 1; }

echo "== tfevents check, export s3://$TFEVENTS_S3_BUCKET/$prefix and the CLI's s3 tests"
"$cli" check "s3://$TFEVENTS_S3_BUCKET/$prefix" | tail -1
"$cli" export "s3://$TFEVENTS_S3_BUCKET/$prefix" -o "$work/export-s3.json"
"$cli" export "s3://$TFEVENTS_S3_BUCKET/$prefix" --format csv -o "$work/export-s3.csv"
"$cli" export "s3://$TFEVENTS_S3_BUCKET/$prefix" --format csv --follow --interval 0.1 \
    --polls 2 -o "$work/follow-s3.csv"
cmp "$work/export-s3.csv" "$work/follow-s3.csv"
cargo test --quiet --workspace --test cli s3:: -- --nocapture

echo "== TensorBoard reads s3://$TFEVENTS_S3_BUCKET/$prefix"
"$py" - "$TFEVENTS_S3_ENDPOINT" "$TFEVENTS_S3_BUCKET" "$prefix" "$work/copy" <<'PY'
import os, sys, boto3
endpoint, bucket, prefix, out = sys.argv[1:]
s3 = boto3.client("s3", endpoint_url=endpoint)
n = 0
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
    for obj in page.get("Contents", []):
        dest = os.path.join(out, obj["Key"][len(prefix) + 1:])
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        s3.download_file(bucket, obj["Key"], dest)
        n += 1
print(f"ci-remote: downloaded {n} objects")
PY
"$cli" export "$work/copy" -o "$work/export.json"
cmp "$work/export.json" "$work/export-s3.json" \
    || { echo "ci-remote: export of s3:// differs from the export of its copy" >&2; exit 1; }
"$py" tools/tb_http_check.py "s3://$TFEVENTS_S3_BUCKET/$prefix" "$work/export.json" --load-fast false

echo "== TensorBoard through our data server on s3://$TFEVENTS_S3_BUCKET/$prefix (RustBoard cannot read it)"
TFEVENTS_CLI=$cli bash tools/ci-serve.sh "s3://$TFEVENTS_S3_BUCKET/$prefix"

echo "== upload bench (120 simulated seconds at 1 kHz)"
"$target_dir/debug/examples/remote_upload" "s3://$TFEVENTS_S3_BUCKET/bench" 120
echo "ci-remote: all checks passed"
