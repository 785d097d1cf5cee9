#!/usr/bin/env bash
# On the GPU machine, one pass over what a session changed: CUDA tests, the GPU and CPU JPEG decoders
# compared, the training presets (CUDA graphs) with the GPU's memory sampled across epochs, and a short
# training streamed from an image folder. Expects .carry/device and .carry/fashion-mnist. Results in $OUT.
set -uo pipefail
out="${OUT:-out}"; mkdir -p "$out"
deps=".carry/device/with-deps.sh"; data=".carry/fashion-mnist"
bash "$deps" cmake --preset cuda $(bash "$deps" bash bench/device_cmake_flags.sh) > "$out/configure.log" 2>&1
bash "$deps" cmake --build --preset cuda -j16 --target fovea-cli fovea-bench-pipeline test_fast_optimizers test_preprocess_parity \
  > "$out/build.log" 2>&1 || { grep -E "error" -A5 "$out/build.log" | head -40; exit 1; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
bash "$deps" build/cuda/tests/test_fast_optimizers 2>&1 | tail -1
bash "$deps" build/cuda/tests/test_preprocess_parity 2>&1 | tail -2
mkdir -p /tmp/photos/all && cp tests/fixtures/photos/*.jpg /tmp/photos/all/
FOVEA_COMPARE_DECODERS=1 bash "$deps" build/cuda/bench/fovea-bench-pipeline /tmp/photos --device cuda 2>&1 | tail -1
mkdir -p /tmp/jpegs/val && python3 bench/make_bench_jpegs.py /tmp/jpegs/val 2000 | tail -1
FOVEA_COMPARE_DECODERS=1 bash "$deps" build/cuda/bench/fovea-bench-pipeline /tmp/jpegs --device cuda 2>&1 | tail -1
FOVEA_COMPARE_DECODERS=1 bash "$deps" build/cuda/bench/fovea-bench-pipeline /tmp/jpegs --model vit_base --device cuda 2>&1 | tail -1
# Training presets; the GPU's memory in use sampled every 0.2 s during the ResNet-18 run.
nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 > "$out/gpu_memory.txt" &
sampler=$!
for preset in resnet18-cifar-adam fast-cifar; do
  bash "$deps" build/cuda/app/fovea-cli train --preset $preset --data "$data" --device cuda --json --out /tmp/run-$preset \
    2> "$out/$preset.err" > "$out/$preset.json"
  echo "== $preset: $(grep -E 'epoch [0-9]+/' "$out/$preset.err" | sed 's/.*info //' | tail -1 | cut -c1-160)"
  [ $preset = resnet18-cifar-adam ] && { kill $sampler; python3 -c "
v=[int(x) for x in open('$out/gpu_memory.txt') if x.strip().isdigit()]
busy=[x for x in v if x > min(v) + 100]
print('GPU memory in use during the run: %d samples; after start-up %d-%d MiB' % (len(v), min(busy[len(busy)//8:]), max(busy[len(busy)//8:])) if busy else 'no samples')"; }
done
# A short training streamed from an image folder (train/ and val/ of generated JPEGs).
mkdir -p /tmp/folder/train /tmp/folder/val
for c in $(ls /tmp/jpegs/val); do ln -sfn /tmp/jpegs/val/$c /tmp/folder/train/$c; ln -sfn /tmp/jpegs/val/$c /tmp/folder/val/$c; done
bash "$deps" build/cuda/app/fovea-cli train --model resnet50 --data /tmp/folder --epochs 2 --batch-size 128 --device cuda \
  --randaugment 2,9 --json --out /tmp/run-folder 2> "$out/folder.err" > "$out/folder.json"
grep -E "epoch [0-9]+/|CUDA graph|error" "$out/folder.err" | sed 's/.*info //' | cut -c1-170 | tail -4
