#!/usr/bin/python3
"""Generate the golden fixtures of nn/why*.go with PyTorch autograd, in float64.

Run from the repository root with Debian's Python (torch 1.13 CPU, numpy):

    /usr/bin/python3 nn/testdata/golden/gen_why.py

It reuses gen.py's layers, layouts and hashed weights (gen.py's
hashed_weights, regenerated in Go by setGoldenWeights), and writes
why/index.json and one why/<case>.npz per case (gen.py's main deletes the
.npz files beside it, so these live in their own folder). nn/why_golden_test.go
reads them; it needs no Python.

Each case is one model, one random input x (1, H, W, C) and one class:

  logits, probs   the last layer's pre-softmax values and its softmax
  saliency        d logits[class] / d x                       (vanilla saliency)
  cam_weights     alpha[f] = mean over (i, j) of d logits[class] / d A[i, j, f],
                  A the output (after ReLU) of layer cam_layer
  cam_map         ReLU(sum over f of alpha[f] A[:, :, f])       (OH, OW)
  cam_up          cam_map resized to (H, W) by F.interpolate(mode="bilinear",
                  align_corners=False)
  ce_grad         d CE(label) / d x, CE = -log softmax(logits)[label]
  fgsm            x + eps * sign(ce_grad)                      (untargeted FGSM)
  target_grad     d CE(target) / d x, for targeted FGSM: x - eps * sign(target_grad)

The image seed is the first from a base whose ReLU and max-pool margins
(gen.py's check_margins) are at least 1e-5 of their layer's scale, so
float32 takes the same branches as float64.
"""

import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402  (the layers and weights of the other fixtures)

torch.set_default_dtype(torch.float64)
OUT = os.path.join(HERE, "why")

SMALL = {
    "input": [28, 28, 1],
    "layers": [
        {"type": "Conv2D", "filters": 8, "kernel_size": 3, "activation": "relu"},
        {"type": "MaxPooling2D", "pool_size": 2},
        {"type": "Conv2D", "filters": 16, "kernel_size": 3, "activation": "relu"},
        {"type": "MaxPooling2D", "pool_size": 2},
        {"type": "Flatten"},
        {"type": "Dense", "units": 10, "activation": "softmax"},
    ],
}


def forward(spec, params, x, record):
    """Every layer's output in order (Keras semantics, NHWC), and the last
    layer's logits."""
    outs, p, logits = [], 0, None
    for ls in spec["layers"]:
        t, act = ls["type"], ls.get("activation", "linear")
        if t == "Conv2D":
            z = gen.conv2d_nhwc(x, params[p], params[p + 1], ls["kernel_size"], ls.get("strides", 1),
                                ls.get("padding", "valid"))
            p += 2
        elif t == "Dense":
            z = x @ params[p] + params[p + 1]
            p += 2
        elif t == "MaxPooling2D":
            k = ls.get("pool_size", 2)
            record.append(("pool", x, k))
            x = gen.pool_nhwc(x, "max", k, ls.get("strides", k), ls.get("padding", "valid"))
            outs.append(x)
            continue
        elif t == "Flatten":
            x = x.reshape(x.shape[0], -1)
            outs.append(x)
            continue
        else:
            raise ValueError(t)
        if act == "relu":
            record.append(("relu", z, 0))
        logits = z
        x = gen.activate(z, act)
        outs.append(x)
    return outs, logits


def case(name, spec, weight_seed, image_seed, cls, label, target, cam_layer, eps):
    ws = [gen.to64(w) for w in gen.hashed_weights(spec, weight_seed)]
    for seed in range(image_seed, image_seed + 500):
        xa = np.random.default_rng(seed).standard_normal((1,) + tuple(spec["input"])).astype(np.float32)
        rec = []
        with torch.no_grad():
            forward(spec, ws, gen.to64(xa), rec)
        margin = gen.check_margins(rec)
        if margin >= 1e-5:
            break
    else:
        raise RuntimeError(name + ": no image with a margin of 1e-5")

    def grads(score_fn):
        x = gen.to64(xa).requires_grad_(True)
        outs, logits = forward(spec, ws, x, [])
        a = outs[cam_layer]
        a.retain_grad()
        score_fn(logits).backward()
        return x.grad, a, a.grad, outs, logits

    g, a, da, outs, logits = grads(lambda z: z[0, cls])
    alpha = da[0].mean(dim=(0, 1))                       # (F)
    cam = torch.relu((a[0].detach() * alpha).sum(dim=2))  # (OH, OW)
    h, w = spec["input"][0], spec["input"][1]
    up = F.interpolate(cam[None, None], size=(h, w), mode="bilinear", align_corners=False)[0, 0]
    ce = lambda c: (lambda z: -torch.log_softmax(z, dim=1)[0, c])  # noqa: E731
    ce_g = grads(ce(label))[0]
    tg = grads(ce(target))[0]
    x64 = gen.to64(xa)
    arrays = {
        "x": xa, "logits": gen.f32(logits), "probs": gen.f32(torch.softmax(logits, dim=1)),
        "saliency": gen.f32(g), "cam_weights": gen.f32(alpha), "cam_map": gen.f32(cam), "cam_up": gen.f32(up),
        "ce_grad": gen.f32(ce_g), "fgsm": gen.f32(x64 + eps * torch.sign(ce_g)),
        "target_grad": gen.f32(tg), "fgsm_target": gen.f32(x64 - eps * torch.sign(tg)),
    }
    np.savez_compressed(os.path.join(OUT, name + ".npz"), **{k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()})
    return {"name": name, "model": spec, "weight_seed": weight_seed, "image_seed": seed, "margin": margin,
            "class": cls, "label": label, "target": target, "cam_layer": cam_layer, "epsilon": eps}


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = [
        case("small", SMALL, 3000, 100, cls=3, label=3, target=7, cam_layer=2, eps=0.1),
        case("small_first_conv", SMALL, 3001, 200, cls=0, label=5, target=1, cam_layer=0, eps=0.05),
        case("reference", gen.REFERENCE, gen.REFERENCE_WEIGHT_SEED, gen.REFERENCE_IMAGE_SEED,
             cls=7, label=2, target=4, cam_layer=7, eps=0.1),
    ]
    with open(os.path.join(OUT, "index.json"), "w") as fh:
        json.dump({"generator": "nn/testdata/golden/gen_why.py", "torch": torch.__version__, "cases": cases}, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
