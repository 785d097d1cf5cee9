#!/usr/bin/env bash
# On the GPU machine: build the `cuda` preset, write the formula-weight fixtures with torchvision/timm,
# check every ResNet and ViT against its reference, and train briefly on the GPU (bf16 autocast).
# Expects .carry/device and .carry/fashion-mnist (see bench/gpu_smoke.sh). Results under $OUT.
set -euo pipefail
out="${OUT:-out}"; mkdir -p "$out"
deps=".carry/device/with-deps.sh"
bash "$deps" cmake --preset cuda $(bash "$deps" bash bench/device_cmake_flags.sh) > "$out/configure.log" 2>&1
bash "$deps" cmake --build --preset cuda -j16 > "$out/build.log" 2>&1 || { grep -E "error" -A3 "$out/build.log" | head -40; exit 1; }
export PYTHONUNBUFFERED=1
python3 bench/parity/make_formula_fixtures.py
bash "$deps" python3 bench/parity/check_models.py build/cuda/bench/fovea-model-forward /tmp/parity 2>&1 | tee "$out/parity.txt"
tar czf "$out/fixtures.tgz" tests/fixtures
bash "$deps" build/cuda/app/fovea-cli train --model resnet18 --data .carry/fashion-mnist --epochs 2 --batch-size 256 \
  --device cuda --json --out /tmp/run-bf16 2>"$out/train-bf16.err" | tee "$out/train-bf16.json"
grep -E "parameters on|epoch [0-9]+/" "$out/train-bf16.err" | sed 's/.*info //'
