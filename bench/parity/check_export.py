"""Parity of Fovea's exports (bench/make_export_samples.sh) with onnxruntime, torchvision and timm.

For every TAG.sample.safetensors in DIR (input (3, C, S, S) and Fovea's LibTorch logits for it):
  - onnxruntime runs TAG.onnx on the batch of 3 and on its first image alone (the batch axis is dynamic);
  - torchvision's / timm's model loads TAG.safetensors with load_state_dict(strict=True) and runs the batch.
Metric: max|a - b| / max|b| with b = Fovea's logits; pass when <= 1e-4 and the top-1 classes agree.
    python3 bench/parity/check_export.py .carry/export
"""
import glob
import os
import sys

import numpy as np
import onnxruntime as ort
import timm
import torch
import torchvision
from safetensors import safe_open
from safetensors.torch import load_file

TOLERANCE = 1e-4


def relative_error(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.abs(a - b).max() / np.abs(b).max())


def reference_model(meta):
    name, classes = meta["model"], int(meta["num_classes"])
    size, patch = int(meta["image_size"]), int(meta["patch_size"])
    if name.startswith("resnet"):
        model = getattr(torchvision.models, name)(num_classes=classes)
        if meta["cifar_stem"] == "1":  # Fovea's CIFAR stem: 3x3 stride-1 conv, no max-pool
            model.conv1 = torch.nn.Conv2d(3, 64, 3, 1, 1, bias=False)
            model.maxpool = torch.nn.Identity()
        return model
    if name.startswith("vit_"):
        timm_name = {"vit_tiny": "vit_tiny_patch16_224", "vit_small": "vit_small_patch16_224",
                     "vit_base": "vit_base_patch16_224"}[name]
        return timm.create_model(timm_name, pretrained=False, num_classes=classes, img_size=size, patch_size=patch)
    raise ValueError(f"no reference for {name}")


def check(sample):
    tag = os.path.basename(sample)[: -len(".sample.safetensors")]
    folder = os.path.dirname(sample)
    with safe_open(sample, "pt") as f:
        meta = f.metadata()
    tensors = load_file(sample)
    x, expected = tensors["input"], tensors["logits"]

    # A part whose file is absent is skipped (the GPU machine takes at most 64 MiB per call: carry
    # TAG.onnx and TAG.safetensors in separate calls for the larger models).
    onnx_file, weights_file = (os.path.join(folder, tag + ext) for ext in (".onnx", ".safetensors"))
    errors, top1, ok, columns = [], True, True, []
    if os.path.exists(onnx_file):
        session = ort.InferenceSession(onnx_file, providers=["CPUExecutionProvider"])
        batch_dim = session.get_inputs()[0].shape[0]
        props = session.get_modelmeta().custom_metadata_map
        got3 = session.run(["logits"], {"images": x.numpy()})[0]
        got1 = session.run(["logits"], {"images": x[:1].numpy()})[0]
        errors += [relative_error(got3, expected), relative_error(got1, expected[:1])]
        top1 = top1 and bool((got3.argmax(1) == expected.numpy().argmax(1)).all())
        ok = ok and isinstance(batch_dim, str) and all(k in props for k in ("class_names", "mean", "std"))
        columns += [f"{errors[-2]:14.3e}", f"{errors[-1]:14.3e}", f"{str(batch_dim):>8}"]
    else:
        columns += [f"{'-':>14}", f"{'-':>14}", f"{'-':>8}"]
    if os.path.exists(weights_file):
        model = reference_model(meta).eval()
        model.load_state_dict(load_file(weights_file), strict=True)
        with torch.no_grad():
            ref = model(x)
        errors.append(relative_error(ref.numpy(), expected))
        top1 = top1 and bool((ref.argmax(1) == expected.argmax(1)).all())
        columns.append(f"{errors[-1]:14.3e}")
    else:
        columns.append(f"{'-':>14}")
    ok = ok and bool(errors) and max(errors) <= TOLERANCE and top1
    partial = "" if len(errors) == 3 else " (partial)"
    print(f"{tag:16} {columns[0]} {columns[1]} {columns[3]} {columns[2]} {str(top1):>6}  {'ok' if ok else 'FAIL'}{partial}")
    return ok


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else ".carry/export"
    samples = sorted(glob.glob(os.path.join(folder, "*.sample.safetensors")))
    if not samples:
        sys.exit(f"no *.sample.safetensors in {folder} (bench/make_export_samples.sh writes them)")
    torch.set_grad_enabled(False)
    print(f"onnxruntime {ort.__version__} torch {torch.__version__} torchvision {torchvision.__version__} timm {timm.__version__}")
    print(f"metric: max|a-b| / max|fovea logits|, pass <= {TOLERANCE:g}")
    print(f"{'sample':16} {'onnx batch 3':>14} {'onnx batch 1':>14} {'torch ref':>14} {'batch':>8} {'top-1':>6}  result")
    failures = 0
    for sample in samples:
        try:
            failures += not check(sample)
        except Exception as e:  # a broken sample is a failure, and the others still run
            failures += 1
            print(f"{os.path.basename(sample):16} FAIL: {type(e).__name__}: {e}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
