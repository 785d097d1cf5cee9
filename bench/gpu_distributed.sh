#!/usr/bin/env bash
# On a machine with several GPUs (nvidia-h200-x2 or -x4): issue 9's checks with NCCL.
#  1. Equivalence: ViT-Ti, 4 SGD steps without augmentation, fp32 — one process with the global batch of
#     16 against N ranks with 16/N each; every weight compared (bench/parity/compare_checkpoints.py).
#  2. Scaling: ResNet-50 and ViT-S/16 training on 224x224 images held in GPU memory, batch 256 per GPU,
#     images/s on 1 GPU (CUDA graphs on, and off as the ranks run) against N GPUs.
# Expects .carry/device. GPUS (default: all visible). Results under $OUT.
set -uo pipefail
out="${OUT:-out}"; mkdir -p "$out"
deps=".carry/device/with-deps.sh"
gpus="${GPUS:-$(nvidia-smi -L | wc -l)}"
bash "$deps" cmake --preset cuda $(bash "$deps" bash bench/device_cmake_flags.sh) > "$out/configure.log" 2>&1
grep -E "NCCL|nccl" "$out/configure.log"
bash "$deps" cmake --build --preset cuda -j"$(nproc)" --target fovea-cli > "$out/build.log" 2>&1 || { grep -E "error" -A5 "$out/build.log" | head -60; exit 1; }
nvidia-smi --query-gpu=name --format=csv,noheader | sort | uniq -c
cli() { bash "$deps" build/cuda/app/fovea-cli "$@"; }

# 1. Equivalence.
if [ -z "${SCALING_ONLY:-}" ]; then
python3 - <<'PY'
import gzip, pathlib, struct, numpy as np
d = pathlib.Path("/tmp/dist-idx"); d.mkdir(exist_ok=True)
rng = np.random.default_rng(0)
for split, n in (("train", 64), ("t10k", 32)):
    images = rng.integers(0, 256, (n, 16, 16), dtype=np.uint8); labels = (np.arange(n) % 10).astype(np.uint8)
    with gzip.open(d / f"{split}-images-idx3-ubyte.gz", "wb") as f: f.write(struct.pack(">IIII", 0x803, n, 16, 16) + images.tobytes())
    with gzip.open(d / f"{split}-labels-idx1-ubyte.gz", "wb") as f: f.write(struct.pack(">II", 0x801, n) + labels.tobytes())
PY
args=(train --model vit_tiny --data /tmp/dist-idx --device cuda --fp32 --epochs 1 --batch-size 16 --optimizer sgd
      --lr 0.05 --no-augment --seed 7 --json)
cli "${args[@]}" --out /tmp/dist-one > "$out/one.json" 2> "$out/one.err" || tail -3 "$out/one.err"
cli "${args[@]}" --out /tmp/dist-many --gpus "$gpus" > "$out/many.json" 2> "$out/many.err" || tail -3 "$out/many.err"
grep -E "data-parallel|identical|nccl|gloo" "$out/many.err" | sed 's/.*info //' | head -3
python3 bench/parity/compare_checkpoints.py /tmp/dist-one/epoch-001.safetensors /tmp/dist-many/epoch-001.safetensors

fi

# 2. Scaling.
[ -f /tmp/train224/train-images-idx3-ubyte ] || python3 bench/make_train_images.py /tmp/train224 8192 224 10 | tail -1
speed() {  # LABEL MODEL ARGS...
  local label=$1 model=$2; shift 2
  cli train --model "$model" --data /tmp/train224 --device cuda --epochs 3 --batch-size "$BATCH" --optimizer sgd --lr 0.01 \
    --no-augment --json --out "/tmp/speed-$model" "$@" > "$out/speed.json" 2> "$out/speed-$model.err" || { tail -3 "$out/speed-$model.err"; return; }
  python3 -c "import json; d=json.load(open('$out/speed.json')); print('$model $label: %.0f images/s over the run (%.1f s)' % (d['images_per_second'], d['seconds']))" | tee -a "$out/scaling.txt"
  grep -E "epoch 3/3" "$out/speed-$model.err" | sed 's/.*info //' | cut -c1-150
}
for model in resnet50 vit_small; do
  BATCH=256 speed "1 GPU" $model
  BATCH=256 FOVEA_NO_CUDA_GRAPHS=1 speed "1 GPU, no CUDA graphs" $model
  BATCH=$((256 * gpus)) speed "$gpus GPUs" $model --gpus "$gpus"
done
