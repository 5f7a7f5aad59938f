#!/usr/bin/env bash
# Runs every example briefly into LOGDIR, so CI proves each still works and the TensorBoard
# checker reads what it wrote. Binaries come from `cargo test` (which builds the examples).
set -euo pipefail
logs=${1:?usage: tools/ci-examples.sh LOGDIR}
ex=target/debug/examples
"$ex/hooks_demo" --steps 2
"$ex/tensorboard_tour" --steps 2 --logdir "$logs"
"$ex/backprop_scratch" --steps 2 --logdir "$logs"
"$ex/feature_maps" --steps 2 --logdir "$logs"
"$ex/alexnet_kernels" --steps 2 --logdir "$logs"
"$ex/grad_cam" --steps 2 --logdir "$logs"
"$ex/attention_maps" --steps 2 --logdir "$logs"
"$ex/bench_workloads" --write-scalar-file "$logs/bench_scalars" --events 1000 >/dev/null
"$ex/gan_mnist" --steps 2 --logdir "$logs"
"$ex/dqn_mountaincar" --steps 2 --logdir "$logs"
