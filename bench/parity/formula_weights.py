"""Deterministic weights defined by a formula: the Python twin of tests/formula_weights.h.

Tensor number t (sorted by name), element j (row-major): w = sin(a*j + b), a = 0.7 + 0.013*t,
b = 0.1*t, then scaled per kind of tensor. Both files must change together.
"""
import math

import numpy as np
import torch


def formula_tensor(name, shape, t):
    n = int(np.prod(shape)) if len(shape) else 1
    j = np.arange(n, dtype=np.float64)
    s = np.sin((0.7 + 0.013 * t) * j + 0.1 * t)
    fan_in = n // shape[0] if len(shape) and shape[0] else 1
    if name.endswith("num_batches_tracked"):
        v = np.zeros(n)
    elif name.endswith("running_var"):
        v = 1.0 + 0.25 * (s + 1.0)
    elif name.endswith("running_mean"):
        v = 0.1 * s
    elif len(shape) >= 2:
        v = s * 2.0 / math.sqrt(fan_in)
    elif name.endswith("weight"):
        v = 1.0 + 0.1 * s
    else:
        v = 0.1 * s
    return torch.from_numpy(v.reshape(shape))


def fill_with_formula(model):
    state = model.state_dict()
    with torch.no_grad():
        for t, name in enumerate(sorted(state)):
            state[name].copy_(formula_tensor(name, tuple(state[name].shape), t).to(state[name].dtype))


def formula_input(shape):
    n = int(np.prod(shape))
    return torch.sin(torch.arange(n, dtype=torch.float64) * 0.05 + 0.3).reshape(shape).float()
