#!/usr/bin/env bash
# On the GPU machine: build the `cuda` preset, run the kernel tests (GPU vs CPU references) and the
# selective-scan benchmark. Expects .carry/device. Results under $OUT.
set -euo pipefail
out="${OUT:-out}"; mkdir -p "$out"
deps=".carry/device/with-deps.sh"
bash "$deps" cmake --preset cuda $(bash "$deps" bash bench/device_cmake_flags.sh) > "$out/configure.log" 2>&1
bash "$deps" cmake --build --preset cuda -j16 --target test_kernels fovea-bench-scan > "$out/build.log" 2>&1 || { grep -E "error" -A3 "$out/build.log" | head -40; exit 1; }
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv,noheader | tee "$out/gpu.txt"
bash "$deps" build/cuda/tests/test_kernels > "$out/test_kernels.txt" 2>&1 || true
grep -E "FAIL|passed|skipped|vim|augment" "$out/test_kernels.txt" | tail -20
bash "$deps" build/cuda/bench/fovea-bench-scan 2>&1 | tee "$out/bench_scan.txt"
