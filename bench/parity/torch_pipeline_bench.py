#!/usr/bin/env python3
"""The Python reference for fovea-bench-pipeline: torchvision's ImageFolder + DataLoader with the
ResNet eval transform (decode, Resize 256, CenterCrop 224, ToTensor, Normalize), as timm's validate.py
and torchvision's reference scripts feed a GPU.
    python3 bench/parity/torch_pipeline_bench.py DATA [WORKERS] [BATCH]
"""
import sys
import time

import torch
import torchvision
from torchvision import transforms

data = sys.argv[1]
workers = int(sys.argv[2]) if len(sys.argv) > 2 else 16
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 256
transform = torchvision.models.ResNet18_Weights.IMAGENET1K_V1.transforms()
dataset = torchvision.datasets.ImageFolder(data, transform=transform)
loader = torch.utils.data.DataLoader(dataset, batch_size=batch, num_workers=workers, pin_memory=True)
device = "cuda" if torch.cuda.is_available() else "cpu"
for rep in range(2):
    start = time.perf_counter()
    n = 0
    for images, labels in loader:
        images = images.to(device, non_blocking=True)
        n += images.shape[0]
    torch.cuda.synchronize() if device == "cuda" else None
    seconds = time.perf_counter() - start
    print(f"torchvision DataLoader pass {rep + 1}: {n} images in {seconds:.2f} s: {n / seconds:.0f} images/s "
          f"({workers} workers, batch {batch})")
