#!/usr/bin/python3
"""BatchNormalization's golden fixtures, computed with PyTorch in float64.

Run from the repository root with Debian's Python (torch, numpy):

    /usr/bin/python3 nn/testdata/golden/gen_batchnorm.py

It uses gen.py's helpers but writes only its own files (batchnorm.json and
batchnorm_*.npz), so the other fixtures stay as they are. Each case records
x, gamma, beta, the moving statistics before, dy, and from
torch.nn.functional.batch_norm: y, dx, dgamma, dbeta, in Keras's NHWC
layout. Training cases also record the moving statistics after one step by
Keras's rule, moving = moving*momentum + batch*(1 - momentum), with the
batch's biased variance (Keras 3; PyTorch's running_var would take the
unbiased one, so it is not used).
"""

import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen import HERE, f32, to64  # noqa: E402

torch.set_default_dtype(torch.float64)
cases = []


def case(name, shape, training, momentum, epsilon, seed):
    rng = np.random.default_rng(seed)
    c = shape[-1]
    xa = (rng.standard_normal(shape) * 2 + 0.5).astype(np.float32)
    ga = rng.uniform(0.5, 1.5, c).astype(np.float32)
    ba = rng.uniform(-0.5, 0.5, c).astype(np.float32)
    ma = rng.uniform(-0.5, 0.5, c).astype(np.float32)
    va = rng.uniform(0.5, 2.0, c).astype(np.float32)
    x, g, b = to64(xa), to64(ga), to64(ba)
    xc = x.permute(0, 3, 1, 2) if x.dim() == 4 else x
    mean, var = torch.tensor(ma.astype(np.float64)), torch.tensor(va.astype(np.float64))
    y = F.batch_norm(xc, mean.clone(), var.clone(), g, b, training=training, momentum=0.0, eps=epsilon)
    if x.dim() == 4:
        y = y.permute(0, 2, 3, 1)
    dya = rng.standard_normal(tuple(y.shape)).astype(np.float32)
    (y * torch.tensor(dya.astype(np.float64))).sum().backward()
    arrays = {"x": xa, "gamma": ga, "beta": ba, "moving_mean": ma, "moving_variance": va,
              "y": f32(y), "dy": dya, "dx": f32(x.grad), "dgamma": f32(g.grad), "dbeta": f32(b.grad)}
    flat = xa.astype(np.float64).reshape(-1, c)
    if training:
        arrays["moving_mean_after"] = ma * momentum + flat.mean(axis=0) * (1 - momentum)
        arrays["moving_variance_after"] = va * momentum + flat.var(axis=0) * (1 - momentum)
    else:
        arrays["moving_mean_after"], arrays["moving_variance_after"] = ma, va
    arrays = {k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()}
    np.savez_compressed(os.path.join(HERE, "batchnorm_" + name + ".npz"), **arrays)
    cases.append({"name": "batchnorm_" + name, "n": shape[0], "input": list(shape[1:]), "training": training,
                  "layer": {"type": "BatchNormalization", "momentum": momentum, "epsilon": epsilon}})


def main():
    case("train_maps", (3, 4, 5, 3), True, 0.9, 1e-3, 1)
    case("inference_maps", (2, 3, 4, 4), False, 0.99, 1e-3, 2)
    case("train_vector", (6, 5), True, 0.99, 1e-5, 3)
    case("train_one_sample_map", (1, 3, 3, 2), True, 0.5, 1e-3, 4)
    with open(os.path.join(HERE, "batchnorm.json"), "w") as fh:
        json.dump({"generator": "nn/testdata/golden/gen_batchnorm.py", "torch": torch.__version__, "cases": cases}, fh, indent=1)
        fh.write("\n")


main()
