#!/usr/bin/python3
"""Golden fixtures for the per-pixel (segmentation) loss, with PyTorch, in
float64. Run from the repository root with Debian's Python (torch 1.13 CPU,
numpy):

    /usr/bin/python3 nn/testdata/golden/gen_segment.py

It writes two files beside itself, read by nn/segment_golden_test.go:

segment_pixel_ce.npz  logits z (N, H, W, C) NHWC and labels (N, H, W); the
    loss F.cross_entropy(z as NCHW, labels) (mean over every pixel of every
    sample, as Keras's sparse_categorical_crossentropy over (H, W, C)
    outputs) and its gradient dz, back in NHWC.
segment_fcn.npz       a small fully convolutional network (SPEC below:
    Conv2D, AveragePooling2D, Conv2DTranspose stride 2, 1x1 Conv2D with
    softmax), its input x, weights w0.. in Keras layouts, per-pixel labels,
    the loss of softmax's output and every weight's gradient g0...

It reuses gen.py's layer helpers (TensorFlow padding, Keras layouts).
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402  (sets float64 as the default dtype)

SPEC = {"input": [4, 6, 1], "layers": [
    {"type": "Conv2D", "filters": 3, "kernel_size": 3, "padding": "same", "activation": "tanh"},
    {"type": "AveragePooling2D", "pool_size": 2},
    {"type": "Conv2DTranspose", "filters": 4, "kernel_size": 3, "strides": 2, "padding": "same", "activation": "tanh"},
    {"type": "Conv2D", "filters": 3, "kernel_size": 1, "activation": "softmax"},
]}


def save(name, arrays):
    arrays = {k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()}
    np.savez_compressed(os.path.join(HERE, name + ".npz"), **arrays)


def pixel_ce_case():
    n, h, w, c = 2, 3, 4, 5
    z = (gen.hash_uniform(900, n * h * w * c) * 3).astype(np.float32).reshape(n, h, w, c)
    labels = np.random.default_rng(901).integers(0, c, size=(n, h, w))
    zt = gen.to64(z)
    loss = F.cross_entropy(zt.permute(0, 3, 1, 2), torch.tensor(labels))
    loss.backward()
    save("segment_pixel_ce", {"z": z, "labels": labels, "loss": gen.f32(loss), "dz": gen.f32(zt.grad)})


def fcn_case():
    n = 2
    h, w, c = SPEC["input"]
    x = gen.hash_uniform(910, n * h * w * c).astype(np.float32).reshape(n, h, w, c)
    shapes = [(3, 3, 1, 3), (3,), (3, 3, 4, 3), (4,), (1, 1, 4, 3), (3,)]  # Conv2DTranspose: (K, K, F, C)
    ws = []
    for i, s in enumerate(shapes):
        scale = 0.8 if len(s) == 4 else 0.1
        ws.append((gen.hash_uniform(920 + i, int(np.prod(s))) * scale).astype(np.float32).reshape(s))
    labels = np.random.default_rng(930).integers(0, 3, size=(n, h, w))
    p = [gen.to64(a) for a in ws]
    xt = gen.to64(x)
    y = torch.tanh(gen.conv2d_nhwc(xt, p[0], p[1], 3, 1, "same"))
    y = gen.pool_nhwc(y, "avg", 2, 2, "valid")
    y = torch.tanh(gen.conv2d_transpose_nhwc(y, p[2], p[3], 3, 2, "same"))
    probs = torch.softmax(gen.conv2d_nhwc(y, p[4], p[5], 1, 1, "valid"), dim=-1)
    # Keras's sparse CE of probabilities, per pixel, averaged over pixels and samples
    loss = -torch.log(probs.permute(0, 3, 1, 2)).gather(1, torch.tensor(labels).unsqueeze(1)).mean()
    loss.backward()
    arrays = {"x": x, "labels": labels, "probs": gen.f32(probs), "loss": gen.f32(loss)}
    for i, (a, t) in enumerate(zip(ws, p)):
        arrays["w%d" % i] = a
        arrays["g%d" % i] = gen.f32(t.grad)
    save("segment_fcn", arrays)


if __name__ == "__main__":
    pixel_ce_case()
    fcn_case()
