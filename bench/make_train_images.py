#!/usr/bin/env python3
"""A data set of SIZE x SIZE RGB images for training benchmarks that hold the data in GPU memory: random
crops of the test photographs, written as MNIST-style IDX files with a 4th (channel) dimension
(train-images-idx3-ubyte: count x SIZE x SIZE x 3 unsigned bytes), which Fovea keeps in memory.
Throughput only: the labels follow the image index, so accuracy on it means nothing.
    python3 bench/make_train_images.py OUT TRAIN_COUNT [SIZE] [CLASSES]
"""
import multiprocessing
import pathlib
import struct
import sys

import numpy as np
from PIL import Image

out = pathlib.Path(sys.argv[1])
count = int(sys.argv[2])
size = int(sys.argv[3]) if len(sys.argv) > 3 else 224
classes = int(sys.argv[4]) if len(sys.argv) > 4 else 100
photos = [Image.open(p).convert("RGB") for p in sorted(pathlib.Path("tests/fixtures/photos").iterdir())]


def make(i):
    rng = np.random.default_rng(i)
    photo = photos[i % len(photos)]
    w, h = photo.size
    side = int(min(w, h) * rng.uniform(0.5, 1.0))
    x, y = rng.integers(0, w - side + 1), rng.integers(0, h - side + 1)
    return np.asarray(photo.crop((x, y, x + side, y + side)).resize((size, size), Image.BILINEAR), dtype=np.uint8)


def write(prefix, first, n):
    with multiprocessing.Pool() as pool:
        images = np.stack(pool.map(make, range(first, first + n), chunksize=64))
    labels = (np.arange(first, first + n) % classes).astype(np.uint8)
    (out / f"{prefix}-images-idx3-ubyte").write_bytes(struct.pack(">IIIII", 0x804, n, size, size, 3) + images.tobytes())
    (out / f"{prefix}-labels-idx1-ubyte").write_bytes(struct.pack(">II", 0x801, n) + labels.tobytes())


if __name__ == "__main__":
    out.mkdir(parents=True, exist_ok=True)
    write("train", 0, count)
    write("t10k", count, max(classes, count // 20))
    print(f"{count} training images of {size}x{size}x3 in {out} (IDX)")
