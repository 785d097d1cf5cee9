#!/usr/bin/env bash
# On the GPU machine: torchvision/timm reference tensors for the preprocessing fixtures (then Fovea's
# parity test with this machine's LibTorch), and the input-pipeline benchmark against torchvision's
# DataLoader on the same ImageNet-sized JPEGs. Expects .carry/device. Results under $OUT.
set -euo pipefail
out="${OUT:-out}"; mkdir -p "$out"
deps=".carry/device/with-deps.sh"
export PYTHONUNBUFFERED=1
bash "$deps" cmake --preset cuda $(bash "$deps" bash bench/device_cmake_flags.sh) > "$out/configure.log" 2>&1
bash "$deps" cmake --build --preset cuda -j16 --target test_preprocess_parity fovea-bench-pipeline fovea-cli \
  > "$out/build.log" 2>&1 || { grep -E "error" -A3 "$out/build.log" | head -40; exit 1; }
python3 bench/parity/make_preprocess_refs.py > "$out/refs.txt" 2>&1 || { tail -20 "$out/refs.txt"; exit 1; }
tail -1 "$out/refs.txt"
tar czf "$out/preprocess.tgz" tests/fixtures/preprocess
bash "$deps" build/cuda/tests/test_preprocess_parity 2>&1 | tee "$out/parity.txt" | grep -E "FAIL|registry|within|FAILED|made with|compared" || true
python3 bench/make_bench_jpegs.py /tmp/jpegs "${JPEGS:-10000}" | tee "$out/jpegs.txt"
nproc | tee "$out/cores.txt"
bash "$deps" build/cuda/bench/fovea-bench-pipeline /tmp/jpegs --device cuda --batch 256 --passes 3 2>&1 | tee "$out/fovea_pipeline.txt"
bash "$deps" build/cuda/bench/fovea-bench-pipeline /tmp/jpegs --device cuda --batch 256 --passes 2 --model vit_small 2>&1 | tee -a "$out/fovea_pipeline.txt"
FOVEA_RESIZE_ON_CPU=1 bash "$deps" build/cuda/bench/fovea-bench-pipeline /tmp/jpegs --device cuda --batch 256 --passes 2 2>&1 | tee -a "$out/fovea_pipeline.txt"
python3 bench/parity/torch_pipeline_bench.py /tmp/jpegs 16 256 2>&1 | tee "$out/torch_pipeline.txt"
