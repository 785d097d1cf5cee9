#!/usr/bin/env python3
"""Reference evaluation tensors for tests/fixtures/photos, made with torchvision's and timm's own
transforms on PIL images (run on the GPU machine, which has torch, torchvision, timm and pillow).

For each photo and each model family's eval transform, the normalised tensor is un-normalised back to
0..255 and stored losslessly as PNG under tests/fixtures/preprocess/, with manifest.json saying which
transform made it. tests/test_preprocess.cpp checks that Fovea's pipeline lands within 1/255.
    python3 bench/parity/make_preprocess_refs.py [PHOTOS] [OUT]
"""
import json
import pathlib
import sys

import numpy as np
import timm
import timm.data
import torch
import torchvision
from PIL import Image
from torchvision import transforms

photos = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/photos")
out = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "tests/fixtures/preprocess")
out.mkdir(parents=True, exist_ok=True)
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def timm_eval(model_name):
    config = timm.data.resolve_data_config({}, model=timm.create_model(model_name, pretrained=False))
    return timm.data.create_transform(**config, is_training=False), config


def describe(resize, crop, interpolation, mean, std, **extra):
    return dict(resize=resize, crop=crop, interpolation=interpolation, mean=list(mean), std=list(std), **extra)


# name -> (transform, description). "fovea_model": the registry entry whose defaults must equal it.
families = {}
weights = torchvision.models.ResNet18_Weights.IMAGENET1K_V1.transforms()
families["resnet18"] = (weights, describe(weights.resize_size[0], weights.crop_size[0], "bilinear",
                                          weights.mean, weights.std, fovea_model="resnet18",
                                          source="torchvision ResNet18_Weights.IMAGENET1K_V1.transforms()"))
weights = torchvision.models.ResNet50_Weights.IMAGENET1K_V2.transforms()
families["resnet50_v2"] = (weights, describe(weights.resize_size[0], weights.crop_size[0], "bilinear",
                                             weights.mean, weights.std,
                                             source="torchvision ResNet50_Weights.IMAGENET1K_V2.transforms()"))
vit, config = timm_eval("vit_small_patch16_224")
families["vit_small"] = (vit, describe(int(config["input_size"][1] / config["crop_pct"]), config["input_size"][1],
                                       config["interpolation"], config["mean"], config["std"], fovea_model="vit_small",
                                       source="timm resolve_data_config(vit_small_patch16_224) + create_transform"))
# Vim's main.py builds its eval transform with timm: input 224, crop_pct 0.875, bicubic, ImageNet mean/std.
vim = timm.data.create_transform(input_size=224, crop_pct=0.875, interpolation="bicubic", mean=IMAGENET_MEAN,
                                 std=IMAGENET_STD, is_training=False)
families["vim_tiny"] = (vim, describe(256, 224, "bicubic", IMAGENET_MEAN, IMAGENET_STD, fovea_model="vim_tiny",
                                      source="timm create_transform(224, crop_pct=0.875, bicubic)"))
small = transforms.Compose([transforms.Resize(32, interpolation=transforms.InterpolationMode.BILINEAR),
                            transforms.CenterCrop(32), transforms.ToTensor(),
                            transforms.Normalize((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))])
families["small32"] = (small, describe(32, 32, "bilinear", (0.5, 0.5, 0.5), (0.25, 0.25, 0.25),
                                       source="torchvision Resize(32) + CenterCrop(32), bilinear"))

manifest = {"made_with": {"torch": torch.__version__, "torchvision": torchvision.__version__,
                          "timm": timm.__version__, "pillow": Image.__version__},
            "transforms": {name: d for name, (_, d) in families.items()}, "references": []}
for photo in sorted(photos.iterdir()):
    image = Image.open(photo).convert("RGB")  # what torchvision's ImageFolder loader does
    for name, (transform, d) in families.items():
        tensor = transform(image)
        mean, std = torch.tensor(d["mean"]).view(3, 1, 1), torch.tensor(d["std"]).view(3, 1, 1)
        levels = (tensor * std + mean) * 255
        rounded = levels.round()
        assert (levels - rounded).abs().max() < 1e-3, f"{photo.name}/{name}: not whole grey levels"
        array = rounded.clamp(0, 255).to(torch.uint8).permute(1, 2, 0).numpy()
        target = f"{photo.stem}-{name}.png"
        Image.fromarray(np.ascontiguousarray(array)).save(out / target)
        manifest["references"].append({"photo": photo.name, "transform": name, "reference": target,
                                       "size": list(array.shape), "tensor_sum": float(tensor.double().sum())})
        print(f"{photo.name:14s} {name:12s} -> {target} {tuple(tensor.shape)}")
(out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
print(f"{len(manifest['references'])} references in {out}")
