"""Writes tests/fixtures/parity/<model>_formula.json: the logits torchvision's / timm's models give
for the formula weights of formula_weights.py on the formula input, for test_models to compare with.

Run where torch, torchvision and timm are installed (the GPU machine), from the repository root:
    python3 bench/parity/make_formula_fixtures.py
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from formula_weights import fill_with_formula, formula_input  # noqa: E402

MODELS = {
    "resnet18": ((2, 3, 64, 64), lambda: __import__("torchvision").models.resnet18()),
    "vit_tiny": ((2, 3, 224, 224), lambda: __import__("timm").create_model("vit_tiny_patch16_224", pretrained=False)),
}


def main():
    out_dir = os.path.join("tests", "fixtures", "parity")
    os.makedirs(out_dir, exist_ok=True)
    torch.set_grad_enabled(False)
    for name, (shape, make) in MODELS.items():
        model = make().eval()
        fill_with_formula(model)
        logits = model(formula_input(shape)).double()
        import timm
        import torchvision
        reference = f"torch {torch.__version__}, torchvision {torchvision.__version__}, timm {timm.__version__}, CPU fp32"
        with open(os.path.join(out_dir, f"{name}_formula.json"), "w") as f:
            json.dump({"model": name, "input_shape": list(shape), "reference": reference,
                       "logits": [[float(v) for v in row] for row in logits]}, f)
        print(name, "top-1", logits.argmax(1).tolist(), "max |logit|", float(logits.abs().max()))


if __name__ == "__main__":
    main()
