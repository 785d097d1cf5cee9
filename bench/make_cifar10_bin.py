#!/usr/bin/env python3
"""CIFAR-10-shaped data for timing training (issue 7's fast-cifar run): the binary version's exact layout
(cifar-10-batches-bin/data_batch_1..5.bin and test_batch.bin, 10,000 records each of one label byte and
3,072 pixel bytes in R, G, B planes; batches.meta.txt with the ten class names), filled with random pixels
and labels. Throughput only: accuracy on it means nothing.
    python3 bench/make_cifar10_bin.py OUT
"""
import pathlib
import sys

import numpy as np

out = pathlib.Path(sys.argv[1]) / "cifar-10-batches-bin"
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(0)
names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
    records = np.empty((10000, 1 + 3072), dtype=np.uint8)
    records[:, 0] = rng.integers(0, 10, 10000)
    records[:, 1:] = rng.integers(0, 256, (10000, 3072))
    (out / name).write_bytes(records.tobytes())
(out / "batches.meta.txt").write_text("\n".join(names) + "\n")
print(f"CIFAR-10-shaped binary batches (random pixels and labels) in {out}")
