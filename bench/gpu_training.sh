#!/usr/bin/env bash
# On the GPU machine: the training presets on real Fashion-MNIST, timed (issue 7's benchmarks).
# Expects .carry/device and .carry/fashion-mnist. Results under $OUT.
set -euo pipefail
out="${OUT:-out}"; mkdir -p "$out"
deps=".carry/device/with-deps.sh"
data=".carry/fashion-mnist"
bash "$deps" cmake --preset cuda $(bash "$deps" bash bench/device_cmake_flags.sh) > "$out/configure.log" 2>&1
bash "$deps" cmake --build --preset cuda -j16 --target fovea-cli test_fast_optimizers > "$out/build.log" 2>&1 || { grep -E "error" -A3 "$out/build.log" | head -40; exit 1; }
nvidia-smi --query-gpu=name --format=csv,noheader | tee "$out/gpu.txt"
bash "$deps" build/cuda/tests/test_fast_optimizers 2>&1 | tee "$out/fast_optimizers.txt" | grep -E "cuda|FAIL|match" || true
train() {  # NAME ARGS...
  local name=$1; shift
  bash "$deps" build/cuda/app/fovea-cli train --data "$data" --device cuda --json --out "/tmp/run-$name" "$@" \
    2>"$out/$name.err" > "$out/$name.json" || { tail -5 "$out/$name.err"; return 0; }
  echo "== $name: $*"
  grep -E "epoch [0-9]+/" "$out/$name.err" | sed 's/.*info //' | tail -${TAIL:-3}
  python3 -c "import json,sys; d=json.load(open('$out/$name.json')); print({k: d.get(k) for k in ('test_accuracy','ema_test_accuracy','seconds','images_per_second')})"
}
for preset in ${PRESETS:-resnet18-cifar-adam fast-cifar}; do train "$preset" --preset "$preset"; done
