#!/usr/bin/env bash
# The GPU rows of issue 16 in one command, for a machine with a GPU and no Chromium (the device
# tool's): the decode step's kernels and the generation suite in Node on Dawn (the `webgpu`
# package), with transformers on the same GPU (torch CUDA, fp16) as the anchor.
#
#   bash bench/gpu.sh MODELS_DIR [OUT]     (OUT defaults to bench/results/gpu)
#
# MODELS_DIR: what tools/bench_models.py wrote (carry it, or build it there: a few minutes on 16
# cores). Needs the workspace's node_modules (`pnpm install`) and, for the anchor, a Python with
# torch built for CUDA and transformers 5.17 (PYTHON, default python3); without one, the anchor row
# is recorded as a failure and the others still run.
set -euo pipefail
cd "$(dirname "$0")/.."
models=${1:?usage: bash bench/gpu.sh MODELS_DIR [OUT]}
out=${2:-bench/results/gpu}
python=${PYTHON:-python3}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
pnpm bench:kernels --node --iterations 200 --warmup 20 --out "$out"
for dtype in fp32 fp16; do
  pnpm bench:generation --models "$models" --sizes large --dtype "$dtype" --systems transformers,webgpu \
    --torch-device cuda --torch-dtype "$([ "$dtype" = fp16 ] && echo float16 || echo float32)" \
    --threads 16 --python "$python" --out "$out"
done
