#!/usr/bin/env python3
"""Fovea's evaluation against timm's (issue 8): the same Acc@1/Acc@5 and per-image top-1 on an
ImageNet-layout folder of generated JPEGs, for a torchvision ResNet-50 and a timm ViT-B/16 with fixed
random weights (random BatchNorm statistics too) saved with torch.save.

The Python side is timm's validate.py reduced to its evaluation: the model's default eval transform
(torchvision's weights preset for ResNet-50, timm's resolved config for ViT), PIL decoding, fp32, top-k
accuracy as timm.utils.accuracy computes it. Fovea: `fovea-cli eval --results` on the same folder.
Pass: |Δacc1|, |Δacc5| <= 0.1 points and per-image top-1 agreement >= 99.5 %.
    python3 bench/parity/check_eval.py FOVEA_CLI WORK_DIR [IMAGES_PER_CLASS]
"""
import csv
import json
import pathlib
import subprocess
import sys

import numpy as np
import timm
import timm.data
import torch
import torchvision
from PIL import Image

cli, work = sys.argv[1], pathlib.Path(sys.argv[2])
per_class = int(sys.argv[3]) if len(sys.argv) > 3 else 10
classes = 100  # the first 100 of the 1000 synsets: labels keep their ImageNet-1k indices
synsets = timm.data.ImageNetInfo().label_names()
photos = [Image.open(p).convert("RGB") for p in sorted(pathlib.Path("tests/fixtures/photos").iterdir())]
data = work / "imagenet"
val = data / "val"
rng = np.random.default_rng(0)
for c in range(classes):
    folder = val / synsets[c]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(per_class):
        photo = photos[(c + i) % len(photos)]
        w, h = photo.size
        s = rng.uniform(0.5, 1.0)
        cw, ch = int(w * s), int(h * s)
        x, y = rng.integers(0, w - cw + 1), rng.integers(0, h - ch + 1)
        size = (int(rng.integers(300, 640)), int(rng.integers(240, 500)))
        image = photo.crop((x, y, x + cw, y + ch)).resize(size, Image.BICUBIC)
        image.save(folder / f"ILSVRC2012_val_{c * per_class + i + 1:08d}.JPEG", quality=90)
files = sorted(val.rglob("*.JPEG"))
labels = torch.tensor([synsets.index(f.parent.name) for f in files])
print(f"{len(files)} JPEGs in {classes} synset folders under {val}")


def reference(name, model, transform):
    torch.manual_seed(0)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
    model.eval()
    weights = work / f"{name}.pth"
    torch.save(model.state_dict(), weights)
    model.cuda()  # on the GPU like Fovea's run: the same cuDNN convolutions (TF32 by default in both)
    logits = []
    with torch.no_grad():
        for start in range(0, len(files), 64):
            batch = torch.stack([transform(Image.open(f).convert("RGB")) for f in files[start:start + 64]])
            logits.append(model(batch.cuda()).float().cpu())
    logits = torch.cat(logits)
    top5 = logits.topk(5, 1).indices
    acc1 = 100.0 * (top5[:, 0] == labels).float().mean().item()
    acc5 = 100.0 * (top5 == labels[:, None]).any(1).float().mean().item()
    return weights, top5[:, 0], acc1, acc5


failures = 0
torch.manual_seed(0)
resnet = torchvision.models.resnet50()
vit = timm.create_model("vit_base_patch16_224", pretrained=False)
vit_config = timm.data.resolve_data_config({}, model=vit)
cases = [("resnet50", resnet, torchvision.models.ResNet50_Weights.IMAGENET1K_V1.transforms()),
         ("vit_base", vit, timm.data.create_transform(**vit_config, is_training=False))]
print(f"{'model':10} {'acc1 timm':>9} {'acc1 fovea':>10} {'acc5 timm':>9} {'acc5 fovea':>10} {'top-1 agree':>11}  result")
for name, model, transform in cases:
    weights, top1, acc1, acc5 = reference(name, model, transform)
    results = work / f"{name}.csv"
    run = subprocess.run([cli, "eval", "--checkpoint", str(weights), "--model", name, "--data", str(val),
                          "--device", "cuda", "--results", str(results), "--json"], capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stderr[-2000:])
        failures += 1
        continue
    fovea = json.loads(run.stdout)
    rows = {row["source"]: int(row["top1"]) for row in csv.DictReader(open(results))}
    agree = np.mean([rows[str(f)] == int(t) for f, t in zip(files, top1)])
    ok = abs(fovea["acc1"] - acc1) <= 0.1 and abs(fovea["acc5"] - acc5) <= 0.1 and agree >= 0.995
    failures += not ok
    print(f"{name:10} {acc1:9.2f} {fovea['acc1']:10.2f} {acc5:9.2f} {fovea['acc5']:10.2f} {100 * agree:10.2f}%  "
          f"{'ok' if ok else 'FAIL'}")
sys.exit(1 if failures else 0)
