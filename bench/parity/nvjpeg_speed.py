"""How fast the GPU's JPEG decoder (nvJPEG, through torchvision.io.decode_jpeg on CUDA) decodes a folder
of JPEGs, in batches, from memory: the ceiling for GPU decoding in the input pipeline.

    python3 bench/parity/nvjpeg_speed.py FOLDER [BATCH]
"""
import pathlib
import sys
import time

import torch
import torchvision.io as io

files = sorted(pathlib.Path(sys.argv[1]).rglob("*.JPEG"))
batch = int(sys.argv[2]) if len(sys.argv) > 2 else 256
datas = [io.read_file(str(f)) for f in files]
for rep in range(3):
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for i in range(0, len(datas), batch):
        out = io.decode_jpeg(datas[i:i + batch], device="cuda")
    torch.cuda.synchronize()
    dt = time.perf_counter() - t0
    print(f"pass {rep + 1}: {len(datas)} JPEGs in {dt:.2f} s: {len(datas) / dt:.0f} images/s (batch {batch})")
