#!/usr/bin/env python3
"""ImageNet-sized JPEGs for the input-pipeline benchmark: 500x375, quality 90, made from random crops of
the photographs in tests/fixtures/photos with a little noise (which brings them to ImageNet's typical
75-110 KB), in an ImageFolder of 10 classes. Written by all cores; image i depends on i alone.
    python3 bench/make_bench_jpegs.py OUT [COUNT]
"""
import multiprocessing
import pathlib
import sys

import numpy as np
from PIL import Image

out = pathlib.Path(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
photos = [Image.open(p).convert("RGB") for p in sorted(pathlib.Path("tests/fixtures/photos").iterdir())]


def make(i):
    rng = np.random.default_rng(i)
    photo = photos[i % len(photos)]
    w, h = photo.size
    scale = rng.uniform(0.6, 1.0)
    cw, ch = int(w * scale), int(h * scale)
    x, y = rng.integers(0, w - cw + 1), rng.integers(0, h - ch + 1)
    image = photo.crop((x, y, x + cw, y + ch)).resize((500, 375), Image.BICUBIC)
    pixels = np.asarray(image, dtype=np.float32) + rng.normal(0, 14.0, (375, 500, 3))
    path = out / f"class{i % 10:02d}" / f"img{i:06d}.JPEG"
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path, quality=90)
    return path.stat().st_size


if __name__ == "__main__":
    for c in range(10):
        (out / f"class{c:02d}").mkdir(parents=True, exist_ok=True)
    with multiprocessing.Pool() as pool:
        sizes = np.array(pool.map(make, range(count), chunksize=64))
    print(f"{count} JPEGs of 500x375 in {out}: {sizes.mean() / 1024:.0f} KB on average "
          f"({sizes.min() / 1024:.0f}-{sizes.max() / 1024:.0f} KB)")
