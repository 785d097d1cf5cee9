#!/usr/bin/env python3
"""Compares the model tensors of two Fovea checkpoints (safetensors; names with '/' are optimizer or RNG
state and are left out): largest absolute difference, and whether every tensor is within
|a - b| <= ATOL + RTOL |a| (defaults 1e-5 and 1e-4, fp32 sums in another order).
    python3 bench/parity/compare_checkpoints.py A.safetensors B.safetensors [ATOL RTOL]
"""
import sys

import numpy as np
from safetensors.numpy import load_file

a, b = load_file(sys.argv[1]), load_file(sys.argv[2])
atol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-5
rtol = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-4
names = sorted(n for n in a if "/" not in n)
if names != sorted(n for n in b if "/" not in n):
    sys.exit("the checkpoints hold different tensors")
worst, worst_name, failed = 0.0, "", []
for n in names:
    x, y = a[n].astype(np.float64), b[n].astype(np.float64)
    d = float(np.abs(x - y).max()) if x.size else 0.0
    if d > worst:
        worst, worst_name = d, n
    if not np.allclose(y, x, rtol=rtol, atol=atol):
        failed.append(n)
print(f"{len(names)} tensors; largest difference {worst:.3g} ({worst_name}); "
      f"{len(failed)} outside atol {atol:g} + rtol {rtol:g}" + (f": {failed[:5]}" if failed else ""))
sys.exit(1 if failed else 0)
