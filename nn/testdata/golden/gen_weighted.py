#!/usr/bin/python3
"""Golden fixtures for the background-weighted per-pixel loss
(weighted_sparse_categorical_crossentropy(w), nn/loss_weighted.go), with
PyTorch in float64. Run from the repository root with Debian's Python
(torch 1.13 CPU, numpy):

    /usr/bin/python3 nn/testdata/golden/gen_weighted.py

It writes segment_weighted_ce.npz beside itself, read by
nn/loss_weighted_golden_test.go. For each case in CASES (key prefix
"<case>_") it holds logits z (N, H, W, C) NHWC, probabilities p =
softmax(z) rounded to float32, labels (N, H, W) and, for every background
weight w in WEIGHTS (key suffix "_w<i>"):

loss_logits, dz   the loss of softmax(z) and its gradient with respect to z
loss_probs, dp    the loss computed from the probabilities p the Keras way
                  (clip to [1e-7, 1-1e-7], renormalize) and its gradient
loss_wsum         PyTorch's F.cross_entropy(z, labels, weight=...), which
                  divides by the sum of the pixels' weights: NOT our loss,
                  stored so the test pins the difference

Which weighted mean: Keras's fit(class_weight={0: w}) multiplies each
pixel's loss by its label's weight and divides the sum by the number of
pixels (reduction sum_over_batch_size), not by the sum of the weights as
F.cross_entropy(weight=...) does. Ours follows Keras, so that a pixel's
gradient is exactly w times the plain one and w = 1 is the plain loss; the
reference is therefore (w[labels] * F.cross_entropy(reduction="none")).mean().
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402  (sets float64 as the default dtype)

EPS = 1e-7  # Keras's backend epsilon (nn.probEpsilon)
WEIGHTS = [1.0, 0.1, 0.07, 3.5]
# name: (N, H, W, C, logit scale, hash seed). "saturated" has logits large
# enough that some probabilities fall below 1e-7 and are clipped.
CASES = {
    "small": (2, 3, 4, 5, 3.0, 940),
    "binary": (1, 2, 3, 2, 2.0, 950),
    "wide": (3, 4, 4, 3, 4.0, 960),
    "saturated": (2, 2, 3, 4, 20.0, 970),
}


def pixel_weights(labels, w):
    return torch.where(torch.tensor(labels) == 0, torch.tensor(w), torch.tensor(1.0))


def from_logits(z, labels, w):
    zt = gen.to64(z)
    per_pixel = F.cross_entropy(zt.permute(0, 3, 1, 2), torch.tensor(labels), reduction="none")
    loss = (pixel_weights(labels, w) * per_pixel).mean()
    loss.backward()
    return loss, zt.grad


def from_probs(p, labels, w):
    pt = gen.to64(p)
    c = torch.clamp(pt, EPS, 1 - EPS)
    k = torch.tensor(labels).unsqueeze(-1)
    per_pixel = torch.log(c.sum(-1)) - torch.log(c.gather(-1, k).squeeze(-1))
    loss = (pixel_weights(labels, w) * per_pixel).mean()
    loss.backward()
    return loss, pt.grad


def weight_sum_mean(z, labels, w):
    c = z.shape[-1]
    weight = torch.ones(c)
    weight[0] = w
    zt = torch.tensor(z.astype(np.float64))
    return F.cross_entropy(zt.permute(0, 3, 1, 2), torch.tensor(labels), weight=weight)


def main():
    arrays = {}
    for name, (n, h, w, c, scale, seed) in CASES.items():
        z = (gen.hash_uniform(seed, n * h * w * c) * scale).astype(np.float32).reshape(n, h, w, c)
        labels = np.random.default_rng(seed + 1).integers(0, c, size=(n, h, w))
        labels.reshape(-1)[:2] = [0, c - 1]  # background and an item in every case
        p = torch.softmax(torch.tensor(z.astype(np.float64)), dim=-1).numpy().astype(np.float32)
        if name == "saturated":
            assert (p < EPS).any(), "the saturated case clips nothing"
        arrays.update({name + "_z": z, name + "_p": p, name + "_labels": labels})
        for i, bw in enumerate(WEIGHTS):
            s = "%s_w%d" % (name, i)
            loss, dz = from_logits(z, labels, bw)
            lp, dp = from_probs(p, labels, bw)
            wsum = weight_sum_mean(z, labels, bw)
            # The two means differ by exactly (pixels / sum of weights).
            ratio = labels.size / float(pixel_weights(labels, bw).sum())
            assert abs(float(wsum) - float(loss) * ratio) < 1e-12 * max(1.0, abs(float(wsum)))
            arrays.update({s + "_loss_logits": gen.f32(loss), s + "_dz": gen.f32(dz),
                           s + "_loss_probs": gen.f32(lp), s + "_dp": gen.f32(dp),
                           s + "_loss_wsum": gen.f32(wsum)})
    arrays["weights"] = np.array(WEIGHTS)
    arrays = {k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()}
    np.savez_compressed(os.path.join(HERE, "segment_weighted_ce.npz"), **arrays)


if __name__ == "__main__":
    main()
