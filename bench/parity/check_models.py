"""Parity of Fovea's ResNets and ViTs with torchvision and timm, on the GPU machine.

For each model: the reference is built with its default random initialisation (fixed seed), its
state dict saved as safetensors and with torch.save (zip format, and the legacy format nested under
"model" with DataParallel's "module." prefix), a random batch run through it in fp32 on the CPU, and the
same weights files and batch given to Fovea's fovea-model-forward. Pass: max|dlogit| / max|logit| < 1e-4
and the same top-1 for every sample.
    python3 bench/parity/check_models.py build-cuda/bench/fovea-model-forward [OUT_DIR]
"""
import os
import subprocess
import sys
import tempfile

import timm
import torch
import torchvision
from safetensors.torch import load_file, save_file

MODELS = [
    ("resnet18", lambda: torchvision.models.resnet18()),
    ("resnet34", lambda: torchvision.models.resnet34()),
    ("resnet50", lambda: torchvision.models.resnet50()),
    ("vit_tiny", lambda: timm.create_model("vit_tiny_patch16_224", pretrained=False)),
    ("vit_small", lambda: timm.create_model("vit_small_patch16_224", pretrained=False)),
    ("vit_base", lambda: timm.create_model("vit_base_patch16_224", pretrained=False)),
]


def main():
    tool = sys.argv[1]
    work = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp()
    os.makedirs(work, exist_ok=True)
    torch.set_grad_enabled(False)
    failures = 0
    print(f"torch {torch.__version__} torchvision {torchvision.__version__} timm {timm.__version__}")
    print(f"{'model':10} {'file':12} {'max|dlogit|/max|logit|':>24} {'top-1 agree':>12}  result")
    for name, make in MODELS:
        torch.manual_seed(0)
        model = make().eval()
        # Non-trivial BatchNorm statistics, as a trained network has.
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
        x = torch.randn(8, 3, 224, 224)
        expected = model(x)
        inp, out = (os.path.join(work, f"{name}-{k}.safetensors") for k in ("input", "logits"))
        save_file({"input": x}, inp)
        state = model.state_dict()
        files = {"safetensors": os.path.join(work, f"{name}-weights.safetensors"),
                 "pth": os.path.join(work, f"{name}.pth"), "pth-legacy": os.path.join(work, f"{name}-legacy.pth")}
        save_file({k: v.contiguous() for k, v in state.items()}, files["safetensors"])
        torch.save(state, files["pth"])
        torch.save({"model": {"module." + k: v for k, v in state.items()}, "epoch": 90}, files["pth-legacy"],
                   _use_new_zipfile_serialization=False)
        for kind, weights in files.items():
            subprocess.run([tool, name, weights, inp, out], check=True)
            got = load_file(out)["logits"]
            error = float((got - expected).abs().max() / expected.abs().max())
            agree = int((got.argmax(1) == expected.argmax(1)).sum())
            ok = error < 1e-4 and agree == x.shape[0]
            failures += not ok
            print(f"{name:10} {kind:12} {error:24.3e} {agree:>9}/{x.shape[0]}  {'ok' if ok else 'FAIL'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
