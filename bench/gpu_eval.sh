#!/usr/bin/env bash
# On the GPU machine: Fovea's evaluation against timm's on an ImageNet-layout folder (bench/parity/
# check_eval.py), evaluation speed on ImageNet-sized JPEGs (bf16, ResNet-50 and ViT-B/16), and
# single-image classify latency. Expects .carry/device. Results under $OUT.
set -euo pipefail
out="${OUT:-out}"; mkdir -p "$out"
deps=".carry/device/with-deps.sh"
export PYTHONUNBUFFERED=1
bash "$deps" cmake --preset cuda $(bash "$deps" bash bench/device_cmake_flags.sh) > "$out/configure.log" 2>&1
bash "$deps" cmake --build --preset cuda -j16 --target fovea-cli fovea-bench-pipeline fovea-bench-model > "$out/build.log" 2>&1 || { grep -E "error" -A3 "$out/build.log" | head -40; exit 1; }
[ -n "${SKIP_PARITY:-}" ] || bash "$deps" python3 bench/parity/check_eval.py build/cuda/app/fovea-cli /tmp/eval "${PER_CLASS:-10}" 2>&1 | tee "$out/eval_parity.txt"
[ -d /tmp/jpegs/val/class09 ] || python3 bench/make_bench_jpegs.py /tmp/jpegs/val "${JPEGS:-50000}" | tee "$out/jpegs.txt"
FOVEA_GPU_DECODE=1 bash "$deps" build/cuda/bench/fovea-bench-pipeline /tmp/jpegs --device cuda --passes 3 2>&1 | tee "$out/pipeline_gpu_decode.txt"
evaluate() {  # MODEL LABEL ARGS... (a run that stalls is stopped after 120 s and reported)
  local model=$1 label=$2; shift 2
  timeout 120 bash "$deps" build/cuda/app/fovea-cli eval --checkpoint /tmp/$model.pth --model $model --data /tmp/jpegs --device cuda --bf16 --json "$@" 2>"$out/eval.err" \
    | python3 -c "import json,sys; d=json.load(sys.stdin); print('$model $label:', d['images'], 'images', round(d['images_per_second']), 'images/s')" 2>/dev/null | tee -a "$out/eval_speed.txt"
  [ "${PIPESTATUS[0]}" = 0 ] || echo "$model $label: FAILED or STALLED: $(tr '\r' '\n' < "$out/eval.err" | grep -v '^$' | tail -1 | cut -c1-120)" | tee -a "$out/eval_speed.txt"
}
for model in resnet50 vit_base; do
  python3 -c "import torch,torchvision,timm; m = torchvision.models.resnet50() if '$model'=='resnet50' else timm.create_model('vit_base_patch16_224'); torch.save(m.state_dict(), '/tmp/$model.pth')"
  bash "$deps" build/cuda/bench/fovea-bench-model $model --batch 256 | tee -a "$out/eval_speed.txt"
  evaluate $model "warm-up pass"
  evaluate $model "CPU decode + resize, 16 workers (default)"
  for run in 1 2 3; do evaluate $model "GPU decode, run $run" --gpu-decode; done
  FOVEA_DECODE_NORMAL_PRIORITY=1 evaluate $model "GPU decode, normal-priority streams" --gpu-decode
done
for model in resnet50; do
  files=$(find /tmp/jpegs/val/class00 -name '*.JPEG' | sort | head -50 || true)
  bash "$deps" build/cuda/app/fovea-cli predict --checkpoint /tmp/$model.pth --model $model $files --device cuda --json 2>/dev/null \
    | python3 -c "import json,sys,statistics; d=json.load(sys.stdin); ms=[r['milliseconds'] for r in d['results']]; print('$model classify: first %.1f ms, median of the rest %.2f ms' % (ms[0], statistics.median(ms[1:])))" | tee -a "$out/eval_speed.txt"
done
