#!/bin/sh
# Export parity samples for bench/parity/check_export.py: built where libonnx-dev is (Debian), checked
# on the GPU machine (onnxruntime, torchvision, timm).
#   bench/make_export_samples.sh [BUILD_DIR (build/dev)] [OUT_DIR (.carry/export)]
# Sizes: resnet18 ~47 MB, resnet50 ~100 MB, vit_tiny ~23 MB per file (the .onnx and the .safetensors).
set -eu
build=${1:-build/dev}
out=${2:-.carry/export}
tool="$build/bench/fovea-export-sample"
[ -x "$tool" ] || { echo "no $tool: build the fovea-export-sample target (needs libonnx-dev)" >&2; exit 1; }
mkdir -p "$out"
"$tool" resnet18 "$out"
"$tool" resnet50 "$out"
"$tool" vit_tiny "$out"
# The small-image variants Fovea trains on CIFAR: the 3x3 stem without max-pool, 4-pixel ViT patches.
"$tool" resnet18 "$out" --tag resnet18_cifar --num-classes 10 --image-size 32 --cifar-stem
"$tool" vit_tiny "$out" --tag vit_tiny_32 --num-classes 10 --image-size 32
ls -l "$out"
