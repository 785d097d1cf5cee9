#!/usr/bin/env bash
# On the GPU machine (see shared/device/README.md): build the `cuda` preset against the machine's
# LibTorch and train ResNet-18 on Fashion-MNIST on the GPU. Expects .carry/device (the dependency
# bundle) and .carry/fashion-mnist (the four .gz files). Logs go to $OUT (or ./out).
set -euo pipefail
out="${OUT:-out}"; mkdir -p "$out"
deps=".carry/device/with-deps.sh"
data=".carry/fashion-mnist"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
bash "$deps" cmake --preset cuda 2>&1 | tail -5
bash "$deps" cmake --build --preset cuda -j16 2>&1 | tee "$out/build.log" | grep -E "error|warning|FAILED|Linking" | tail -20
cli=build/cuda/app/fovea-cli
bash "$deps" $cli models
bash "$deps" $cli train --model resnet18 --data "$data" --epochs 1 --limit-train 5000 --limit-test 2000 \
  --device cuda --json --out "$out/run-small" 2>"$out/train-small.err" | tee "$out/train-small.json"
bash "$deps" $cli train --model resnet18 --data "$data" --epochs "${EPOCHS:-3}" --batch-size "${BATCH:-256}" \
  --device cuda --json --out "$out/run-full" 2>"$out/train-full.err" | tee "$out/train-full.json"
grep -E "epoch [0-9]+/" "$out/train-full.err" | sed 's/.*info //' | tail -5
