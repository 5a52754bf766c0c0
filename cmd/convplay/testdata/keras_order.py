"""Fixtures for convplay predict's Keras-order interop test (predict_test.go).

Builds the reference model (nn/presets.go, the notebook's model) in PyTorch on
seeded random weights, writes those weights as a .npz in Keras's
get_weights() order, and the model's probabilities for a few raw images,
computed independently of convplay in float64:

  keras_order/weights.npz   arr_0..arr_15: Conv2D kernels (K, K, C, F), biases,
                            Dense kernels (D_in, D_out); the first Dense kernel's
                            rows in Keras's Flatten order (h, w, c)
  keras_order/images.npy    (5, 28, 28) uint8 raw pixels
  keras_order/probs.npy     (5, 10) float64 softmax outputs
  keras_order/stats.json    the mean and std that standardize the images

The weights are multiples of a layer's glorot limit / 4 (9 levels), so that
the compressed archive stays small; that changes nothing in the arithmetic.

Run with /usr/bin/python3 (torch and numpy) from this directory:
  /usr/bin/python3 keras_order.py
"""
import json
import os

import numpy as np
import torch

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras_order")
MEAN, STD = 72.94035223214286, 90.0211833054378  # Fashion-MNIST's train split

torch.manual_seed(7)
rng = np.random.default_rng(7)


def quantized(shape, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return (rng.integers(-4, 5, size=shape) * (limit / 4)).astype(np.float32)


layers = []  # (kind, torch weight, torch bias) in model order
keras = []  # Keras get_weights() order
c_in = 1
for f in (32, 32, 64, 64, 128, 128):
    k = quantized((3, 3, c_in, f), 9 * c_in, 9 * f)  # Keras HWIO
    b = (rng.integers(-4, 5, size=f) / 64).astype(np.float32)
    keras += [k, b]
    layers.append(("conv", torch.from_numpy(k).permute(3, 2, 0, 1).double(), torch.from_numpy(b).double()))
    c_in = f
d1 = quantized((1152, 128), 1152, 128)  # rows in Keras's (h, w, c) order
b1 = (rng.integers(-4, 5, size=128) / 64).astype(np.float32)
d2 = quantized((128, 10), 128, 10)
b2 = (rng.integers(-4, 5, size=10) / 64).astype(np.float32)
keras += [d1, b1, d2, b2]

images = rng.integers(0, 256, size=(5, 28, 28)).astype(np.uint8)
images[0] = 0  # blank
images[1] = 255  # all ink
yy, xx = np.mgrid[0:28, 0:28]
images[2] = (255 * np.exp(-((yy - 10) ** 2 + (xx - 17) ** 2) / 40.0)).astype(np.uint8)  # an off-centre blob
images[3, :, :14] = 0  # half blank, half noise

x = (torch.from_numpy(images.astype(np.float64)) - MEAN) / STD
x = x.unsqueeze(1)  # NCHW
for i, (_, w, b) in enumerate(layers):
    x = torch.relu(torch.nn.functional.conv2d(x, w, b, padding=1))  # 'same' for K=3, S=1
    if i % 2 == 1:
        x = torch.nn.functional.max_pool2d(x, 2)  # floors 7 -> 3
x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # Keras's Flatten: (h, w, c)
x = torch.relu(x @ torch.from_numpy(d1).double() + torch.from_numpy(b1).double())
x = x @ torch.from_numpy(d2).double() + torch.from_numpy(b2).double()
probs = torch.softmax(x, dim=1).numpy()

os.makedirs(HERE, exist_ok=True)
np.savez_compressed(os.path.join(HERE, "weights.npz"), *keras)
np.save(os.path.join(HERE, "images.npy"), images)
np.save(os.path.join(HERE, "probs.npy"), probs)
with open(os.path.join(HERE, "stats.json"), "w") as f:
    json.dump({"mean": MEAN, "std": STD}, f)
    f.write("\n")
print(np.round(probs, 4))
