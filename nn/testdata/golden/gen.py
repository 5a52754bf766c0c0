#!/usr/bin/python3
"""Generate convplay's golden fixtures with PyTorch, in float64.

Over 600 lines on purpose: one reference implementation per layer, loss and
optimizer in float64, so every fixture comes from one independent place.

Run from the repository root with Debian's Python (torch 1.13 CPU, numpy):

    /usr/bin/python3 nn/testdata/golden/gen.py

Every case draws its inputs, weights (in Keras's layouts) and an upstream
gradient dy from a seeded generator, converts the weights to PyTorch's
layouts, and records the forward output, dx and the parameter gradients.
The script writes index.json (one entry per case: its kind, its convplay
LayerSpec or ModelSpec, the batch size) and one <case>.npz per case holding
float32 arrays in Keras/NHWC layouts. nn/golden_test.go reads them; it needs
no Python.

Layout conversions (Keras -> PyTorch):
  activations  NHWC -> NCHW                  x.permute(0, 3, 1, 2)
  Conv2D       (K, K, C, F) HWIO -> OIHW     w.permute(3, 2, 0, 1)
  Conv2DTransp (K, K, F, C) -> (C, F, K, K)  w.permute(3, 2, 0, 1)
  Dense        (in, out) -> (out, in)        w.T

TensorFlow's 'same' padding is not PyTorch's padding='same': the output is
ceil(n/s), the total padding max((ceil(n/s)-1)*s + k - n, 0), and an odd
total puts the extra row/column at the bottom/right. We pad explicitly.
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))

ACTS = ["linear", "relu", "sigmoid", "tanh", "softmax"]


# ---------------------------------------------------------------- helpers


def tf_same_pads(n, k, s):
    """(before, after) padding of TensorFlow's 'same' along one axis."""
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def activate(z, act):
    """Keras activation on the last axis (channels for NHWC maps)."""
    if act == "linear":
        return z
    if act == "relu":
        return torch.relu(z)
    if act == "sigmoid":
        return torch.sigmoid(z)
    if act == "tanh":
        return torch.tanh(z)
    if act == "softmax":
        return torch.softmax(z, dim=-1)
    raise ValueError(act)


def conv2d_nhwc(x, kernel, bias, k, s, padding):
    """Keras Conv2D on NHWC x with an HWIO kernel, TF padding."""
    xc = x.permute(0, 3, 1, 2)
    if padding == "same":
        t, b = tf_same_pads(x.shape[1], k, s)
        l, r = tf_same_pads(x.shape[2], k, s)
        xc = F.pad(xc, (l, r, t, b))
    y = F.conv2d(xc, kernel.permute(3, 2, 0, 1), bias, stride=s)
    return y.permute(0, 2, 3, 1)


def conv2d_transpose_nhwc(x, kernel, bias, k, s, padding):
    """Keras Conv2DTranspose on NHWC x with a (K, K, F, C) kernel.

    TF defines it as the gradient of the forward Conv2D whose input has the
    transposed layer's output size: valid gives n*s + max(k-s, 0), same gives
    n*s. PyTorch's conv_transpose2d without padding gives the full
    (n-1)*s + k; the forward conv's TF padding (before, after) on an input of
    size out is what the full result is cropped by, and when k < s the full
    result is short and the missing rows/columns (never touched by the
    kernel) are zeros.
    """
    xc = x.permute(0, 3, 1, 2)
    full = F.conv_transpose2d(xc, kernel.permute(3, 2, 0, 1), None, stride=s)

    def crop(t, axis, n):
        if padding == "same":
            out = n * s
            before, _ = tf_same_pads(out, k, s)
        else:
            out = n * s + max(k - s, 0)
            before = 0
        have = t.shape[axis]
        if before + out > have:
            pad = [0, 0, 0, 0]
            # F.pad lists the last axis first: (W before, W after, H before, H after)
            pad[1 if axis == 3 else 3] = before + out - have
            t = F.pad(t, tuple(pad))
        return t.narrow(axis, before, out)

    y = crop(crop(full, 2, x.shape[1]), 3, x.shape[2])
    if bias is not None:
        y = y + bias.view(1, -1, 1, 1)
    return y.permute(0, 2, 3, 1)


def pool_nhwc(x, kind, k, s, padding):
    """Keras MaxPooling2D/AveragePooling2D. With 'same' padding TF ignores
    padded cells: max pads with -inf, average divides by the number of real
    cells in each window."""
    xc = x.permute(0, 3, 1, 2)
    if padding == "same":
        t, b = tf_same_pads(x.shape[1], k, s)
        l, r = tf_same_pads(x.shape[2], k, s)
    else:
        t = b = l = r = 0
    if kind == "max":
        xp = F.pad(xc, (l, r, t, b), value=-math.inf)
        y = F.max_pool2d(xp, k, s)
    else:
        xp = F.pad(xc, (l, r, t, b))
        ones = F.pad(torch.ones_like(xc), (l, r, t, b))
        y = F.avg_pool2d(xp, k, s) / F.avg_pool2d(ones, k, s)
    return y.permute(0, 2, 3, 1)


def out_hw(h, w, k, s, padding):
    if padding == "same":
        return -(-h // s), -(-w // s)
    return (h - k) // s + 1, (w - k) // s + 1


def f32(t):
    return np.asarray(t.detach().numpy(), dtype=np.float32)


def to64(a):
    """A float32 array as an exact float64 tensor: the reference computes on
    exactly the values the Go side sees."""
    return torch.tensor(np.asarray(a, dtype=np.float32).astype(np.float64), requires_grad=True)


def hash_uniform(seed, count):
    """count values in [-1, 1) from a splitmix64-style hash of (seed, i).

    nn/golden_test.go has the same function (goldenUniform): the reference
    model's weights are regenerated bit-exactly there instead of being stored.
    Each value is k/2^23 - 1 for a 24-bit k, exact in float32 and float64."""
    with np.errstate(over="ignore"):
        i = np.arange(1, count + 1, dtype=np.uint64)
        z = np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + i * np.uint64(0xBF58476D1CE4E5B9)
        z ^= z >> np.uint64(31)
        z *= np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(29)
    k = (z >> np.uint64(40)).astype(np.int64)
    return (k - (1 << 23)).astype(np.float64) / float(1 << 23)


# ---------------------------------------------------------------- cases

index = []


def save(name, kind, spec, n, arrays):
    arrays = {k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()}
    np.savez_compressed(os.path.join(HERE, name + ".npz"), **arrays)
    entry = {"name": name, "kind": kind, "n": n}
    entry.update(spec)
    index.append(entry)


def layer_case(name, spec, in_shape, n, seed, forward, params, x_scale=1.0, away_from_zero=False):
    """One layer: x (n, *in_shape), params {name: (shape, scale)}.

    forward(x, params) -> (pre-activation z or None, y). With
    away_from_zero, redraw until every pre-activation is at least 1e-3 from
    0, so no ReLU kink sits within float32 rounding of the reference."""
    rng = np.random.default_rng(seed)
    for _ in range(100):
        xa = (rng.standard_normal((n,) + tuple(in_shape)) * x_scale).astype(np.float32)
        pa = {}
        for pname, (shape, scale) in params.items():
            pa[pname] = (rng.uniform(-1, 1, shape) * scale).astype(np.float32)
        x = to64(xa)
        pt = {k: to64(v) for k, v in pa.items()}
        z, y = forward(x, pt)
        if not away_from_zero or z is None or z.abs().min().item() > 1e-3:
            break
    else:
        raise RuntimeError(name + ": no draw keeps pre-activations away from 0")
    dya = rng.standard_normal(tuple(y.shape)).astype(np.float32)
    (y * torch.tensor(dya.astype(np.float64))).sum().backward()
    arrays = {"x": xa, "y": f32(y), "dy": dya, "dx": f32(x.grad)}
    for k, v in pa.items():
        arrays[k] = v
        arrays["d" + k] = f32(pt[k].grad)
    save(name, "layer", {"input": list(in_shape), "layer": spec}, n, arrays)


def conv_case(name, h, w, c, f, k, s, padding, act="linear", bias=True, n=2, seed=0):
    spec = {"type": "Conv2D", "filters": f, "kernel_size": k, "strides": s, "padding": padding, "activation": act}
    if not bias:
        spec["no_bias"] = True
    params = {"kernel": ((k, k, c, f), math.sqrt(6 / (k * k * (c + f))))}
    if bias:
        params["bias"] = ((f,), 0.5)

    def fwd(x, p):
        z = conv2d_nhwc(x, p["kernel"], p.get("bias"), k, s, padding)
        return z, activate(z, act)

    layer_case(name, spec, (h, w, c), n, seed, fwd, params, away_from_zero=(act == "relu"))


def convt_case(name, h, w, c, f, k, s, padding, act="linear", n=2, seed=0):
    spec = {"type": "Conv2DTranspose", "filters": f, "kernel_size": k, "strides": s, "padding": padding, "activation": act}
    params = {"kernel": ((k, k, f, c), math.sqrt(6 / (k * k * (c + f)))), "bias": ((f,), 0.5)}

    def fwd(x, p):
        z = conv2d_transpose_nhwc(x, p["kernel"], p["bias"], k, s, padding)
        return z, activate(z, act)

    layer_case(name, spec, (h, w, c), n, seed, fwd, params, away_from_zero=(act == "relu"))


def pool_case(name, kind, h, w, c, k, s, padding, n=2, seed=0, x=None):
    spec = {"type": "MaxPooling2D" if kind == "max" else "AveragePooling2D", "pool_size": k, "strides": s, "padding": padding}

    def fwd(xx, p):
        return None, pool_nhwc(xx, kind, k, s, padding)

    if x is None:
        layer_case(name, spec, (h, w, c), n, seed, fwd, {})
        return
    # A fixed input (e.g. all-negative windows): same recording as layer_case.
    rng = np.random.default_rng(seed)
    xa = np.asarray(x, dtype=np.float32)
    xt = to64(xa)
    y = pool_nhwc(xt, kind, k, s, padding)
    dya = rng.standard_normal(tuple(y.shape)).astype(np.float32)
    (y * torch.tensor(dya.astype(np.float64))).sum().backward()
    save(name, "layer", {"input": [h, w, c], "layer": spec}, xa.shape[0],
         {"x": xa, "y": f32(y), "dy": dya, "dx": f32(xt.grad)})


def dense_case(name, d_in, units, act, bias=True, n=3, seed=0):
    spec = {"type": "Dense", "units": units, "activation": act}
    if not bias:
        spec["no_bias"] = True
    params = {"kernel": ((d_in, units), math.sqrt(6 / (d_in + units)))}
    if bias:
        params["bias"] = ((units,), 0.5)

    def fwd(x, p):
        z = x @ p["kernel"]
        if "bias" in p:
            z = z + p["bias"]
        return z, activate(z, act)

    layer_case(name, spec, (d_in,), n, seed, fwd, params, away_from_zero=(act == "relu"))


def layer_cases():
    # Conv2D: valid/same, stride 1 and 2, odd 'same' totals, non-square, C, F > 1.
    conv_case("conv2d_valid_s1", 5, 5, 1, 1, 3, 1, "valid", seed=1)
    conv_case("conv2d_valid_s1_multi", 6, 5, 3, 4, 3, 1, "valid", seed=2)
    conv_case("conv2d_same_s1", 5, 6, 2, 3, 3, 1, "same", seed=3)
    conv_case("conv2d_valid_s2", 7, 8, 2, 3, 3, 2, "valid", seed=4)
    conv_case("conv2d_same_s2_odd", 7, 6, 2, 2, 3, 2, "same", seed=5)  # H: total 2 (1/1); W: total 1 (0/1)
    conv_case("conv2d_same_k2_odd", 4, 5, 1, 2, 2, 1, "same", seed=6)  # total 1: bottom/right only
    conv_case("conv2d_same_k4_s2", 6, 5, 2, 3, 4, 2, "same", seed=7)  # H total 2, W total 3 (1/2)
    conv_case("conv2d_same_k5_s3", 7, 7, 1, 2, 5, 3, "same", seed=8)  # total 4 (2/2)
    conv_case("conv2d_no_bias", 5, 4, 2, 3, 3, 1, "same", bias=False, seed=9)
    conv_case("conv2d_k1", 3, 4, 3, 2, 1, 1, "valid", seed=10)
    for i, act in enumerate(ACTS):
        conv_case("conv2d_" + act, 5, 5, 2, 3, 3, 1, "same", act=act, seed=20 + i)
    # Conv2DTranspose: stride 1 and 2, valid and same, odd crops, k < s.
    convt_case("conv2d_transpose_valid_s1", 3, 4, 2, 3, 3, 1, "valid", seed=30)
    convt_case("conv2d_transpose_same_s1", 4, 3, 2, 2, 3, 1, "same", seed=31)
    convt_case("conv2d_transpose_valid_s2", 3, 3, 1, 2, 3, 2, "valid", seed=32)
    convt_case("conv2d_transpose_same_s2", 3, 4, 2, 3, 3, 2, "same", seed=33)  # crop 0 top, 1 bottom
    convt_case("conv2d_transpose_same_k2_s2", 3, 2, 2, 2, 2, 2, "same", seed=34)  # no crop
    convt_case("conv2d_transpose_same_k4_s2", 2, 3, 1, 2, 4, 2, "same", seed=35)  # crop 1/1
    convt_case("conv2d_transpose_same_k5_s2", 2, 2, 2, 1, 5, 2, "same", seed=36)  # crop 1/2
    convt_case("conv2d_transpose_valid_k2_s3", 2, 3, 1, 2, 2, 3, "valid", seed=37)  # k < s: zero gaps
    convt_case("conv2d_transpose_relu", 3, 3, 2, 2, 3, 2, "same", act="relu", seed=38)
    convt_case("conv2d_transpose_sigmoid", 3, 3, 2, 2, 3, 1, "valid", act="sigmoid", seed=39)
    # MaxPooling2D.
    neg = -1 - np.abs(np.random.default_rng(40).standard_normal((2, 4, 4, 2)))
    pool_case("max_pooling2d_all_negative", "max", 4, 4, 2, 2, 2, "valid", seed=40, x=neg)
    pool_case("max_pooling2d_overlap", "max", 7, 7, 2, 3, 2, "valid", seed=41)  # 7x7 -> 3x3, overlapping
    pool_case("max_pooling2d_7x7", "max", 7, 7, 3, 2, 2, "valid", seed=42)  # floors to 3x3
    pool_case("max_pooling2d_same", "max", 5, 5, 2, 2, 2, "same", seed=43)  # -> 3x3, pad bottom/right
    neg_same = -1 - np.abs(np.random.default_rng(44).standard_normal((1, 5, 3, 1)))
    pool_case("max_pooling2d_same_negative", "max", 5, 3, 1, 2, 2, "same", seed=44, x=neg_same)
    pool_case("max_pooling2d_non_square", "max", 5, 8, 3, 2, 1, "valid", seed=45)
    pool_case("max_pooling2d_same_s1_k3", "max", 4, 5, 1, 3, 1, "same", seed=46)
    # AveragePooling2D.
    pool_case("average_pooling2d_valid", "avg", 4, 6, 2, 2, 2, "valid", seed=50)
    pool_case("average_pooling2d_7x7", "avg", 7, 7, 1, 2, 2, "valid", seed=51)
    pool_case("average_pooling2d_same", "avg", 5, 5, 2, 2, 2, "same", seed=52)  # edge windows count 2 or 1
    pool_case("average_pooling2d_same_k3_s2", "avg", 6, 7, 2, 3, 2, "same", seed=53)
    pool_case("average_pooling2d_overlap", "avg", 5, 5, 1, 3, 1, "valid", seed=54)
    # Dense.
    for i, act in enumerate(ACTS):
        dense_case("dense_" + act, 6, 5, act, seed=60 + i)
    dense_case("dense_no_bias", 4, 3, "linear", bias=False, seed=66)
    dense_case("dense_one_unit", 5, 1, "sigmoid", seed=67)
    # Flatten: Keras's (h, w, c) order is NHWC's memory order.
    layer_case("flatten", {"type": "Flatten"}, (2, 3, 4), 2, 70,
               lambda x, p: (None, x.reshape(x.shape[0], -1)), {})
    # Activation layer.
    for i, act in enumerate(ACTS):
        layer_case("activation_" + act, {"type": "Activation", "activation": act}, (2, 3, 4), 2, 80 + i,
                   lambda x, p, act=act: (x, activate(x, act)), {}, away_from_zero=(act == "relu"))


def loss_cases():
    """Keras losses (TF 2 semantics), mean over the batch (MSE: over every
    element). From probabilities both cross-entropies renormalize: the
    categorical one divides by the sum then clips, the sparse one clips then
    takes log(p) as softmax logits. No value here comes near the clipping.

    dout is the gradient of the loss value with respect to out (for the
    from-logits case, with respect to the logits)."""
    n, d = 4, 5
    rng = np.random.default_rng(90)

    def record(name, spec, out_a, y_a, fn):
        out = to64(out_a)
        y = torch.tensor(np.asarray(y_a, dtype=np.float64))
        loss = fn(out, y)
        loss.backward()
        save(name, "loss", {"loss": spec}, n,
             {"out": out_a, "y": y_a, "loss": f32(loss), "dout": f32(out.grad)})

    labels = np.array([0, 3, 4, 1], dtype=np.float32)
    logits = (rng.standard_normal((n, d)) * 2).astype(np.float32)
    probs = f32(torch.softmax(torch.tensor(logits.astype(np.float64)), dim=1))

    def sparse_ce_probs(p, y):
        # TF 2's Keras takes log(clip(p)) as logits of a softmax
        # cross-entropy, which renormalizes the probabilities.
        return -torch.log_softmax(torch.log(p), dim=1)[torch.arange(n), y.long()].mean()

    def sparse_ce_logits(z, y):
        return -torch.log_softmax(z, dim=1)[torch.arange(n), y.long()].mean()

    def categorical_ce(p, y):
        # Keras normalizes the probabilities by their sum before the log (they
        # sum to 1 here up to float32 rounding).
        return -(y * torch.log(p / p.sum(dim=1, keepdim=True))).sum(dim=1).mean()

    def mse(o, y):
        return ((o - y) ** 2).mean()

    record("loss_sparse_ce_probs", {"name": "sparse_categorical_crossentropy"}, probs, labels, sparse_ce_probs)
    # Outputs that do not sum to 1 (e.g. sigmoids): the renormalization
    # changes the value as well as the gradient.
    unnorm = rng.uniform(0.05, 0.95, (n, d)).astype(np.float32)
    record("loss_sparse_ce_unnormalized", {"name": "sparse_categorical_crossentropy"}, unnorm, labels,
           sparse_ce_probs)
    record("loss_sparse_ce_logits", {"name": "sparse_categorical_crossentropy", "from_logits": True},
           logits, labels, sparse_ce_logits)
    onehot = np.eye(d, dtype=np.float32)[labels.astype(int)]
    record("loss_categorical_ce", {"name": "categorical_crossentropy"}, probs, onehot, categorical_ce)
    soft = rng.dirichlet(np.ones(d), n).astype(np.float32)
    record("loss_categorical_ce_soft", {"name": "categorical_crossentropy"}, probs, soft, categorical_ce)
    record("loss_categorical_ce_unnormalized", {"name": "categorical_crossentropy"}, unnorm, onehot, categorical_ce)
    out = rng.standard_normal((n, 3)).astype(np.float32)
    target = rng.standard_normal((n, 3)).astype(np.float32)
    record("loss_mse", {"name": "mean_squared_error"}, out, target, mse)


# ---------------------------------------------------------------- models


def fan(spec, in_shape):
    """(kernel shape, fan_in, fan_out, out_shape) of a weighted layer."""
    t = spec["type"]
    if t == "Conv2D":
        h, w, c = in_shape
        k, f, s = spec["kernel_size"], spec["filters"], spec.get("strides", 1)
        oh, ow = out_hw(h, w, k, s, spec.get("padding", "valid"))
        return (k, k, c, f), k * k * c, k * k * f, (oh, ow, f)
    if t == "Dense":
        return (in_shape[0], spec["units"]), in_shape[0], spec["units"], (spec["units"],)
    if t == "MaxPooling2D" or t == "AveragePooling2D":
        h, w, c = in_shape
        k = spec.get("pool_size", 2)
        s = spec.get("strides", k)
        oh, ow = out_hw(h, w, k, s, spec.get("padding", "valid"))
        return None, 0, 0, (oh, ow, c)
    if t == "Flatten":
        return None, 0, 0, (int(np.prod(in_shape)),)
    raise ValueError(t)


def hashed_weights(model_spec, seed):
    """Keras-shaped weights of a model from hash_uniform: kernels glorot-scaled
    (limit sqrt(6/(fan_in+fan_out))), biases in [-0.1, 0.1). Parameter p
    (in get_weights() order) uses hash seed seed+p."""
    ws, shape, p = [], tuple(model_spec["input"]), 0
    for spec in model_spec["layers"]:
        kshape, fi, fo, shape = fan(spec, shape)
        if kshape is None:
            continue
        limit = math.sqrt(6 / (fi + fo))
        u = hash_uniform(seed + p, int(np.prod(kshape)))
        ws.append((u * limit).astype(np.float32).reshape(kshape))
        p += 1
        u = hash_uniform(seed + p, kshape[-1])
        ws.append((u * 0.1).astype(np.float32))
        p += 1
    return ws


def model_forward(model_spec, params, x, record=None):
    """Run a Sequential model; params are float64 tensors in Keras layouts.
    record, if a list, receives (kind, tensor) for ReLU pre-activations and
    max-pool inputs so the caller can check for near-kinks and near-ties.
    The last layer's softmax is returned as logits too."""
    p = 0
    logits = None
    for spec in model_spec["layers"]:
        t = spec["type"]
        act = spec.get("activation", "linear")
        if t == "Conv2D":
            z = conv2d_nhwc(x, params[p], params[p + 1], spec["kernel_size"], spec.get("strides", 1),
                            spec.get("padding", "valid"))
            p += 2
        elif t == "Dense":
            z = x @ params[p] + params[p + 1]
            p += 2
        elif t in ("MaxPooling2D", "AveragePooling2D"):
            k = spec.get("pool_size", 2)
            if record is not None and t == "MaxPooling2D":
                record.append(("pool", x, k))
            x = pool_nhwc(x, "max" if t == "MaxPooling2D" else "avg", k, spec.get("strides", k),
                          spec.get("padding", "valid"))
            continue
        elif t == "Flatten":
            x = x.reshape(x.shape[0], -1)
            continue
        else:
            raise ValueError(t)
        if record is not None and act == "relu":
            record.append(("relu", z, 0))
        logits = z
        x = activate(z, act)
    return x, logits


def sparse_ce_from_logits(logits, labels):
    return -torch.log_softmax(logits, dim=1)[torch.arange(logits.shape[0]), labels].mean()


def check_margins(record):
    """Smallest ReLU |z| and max-pool top-2 gap (windows with a positive
    max), relative to the tensor's scale: float32 must not flip them."""
    worst = math.inf
    for kind, t, k in record:
        t = t.detach()
        scale = t.abs().max().item()
        if kind == "relu":
            worst = min(worst, t.abs().min().item() / scale)
        else:
            n, h, w, c = t.shape
            oh, ow = h // k, w // k
            win = t[:, :oh * k, :ow * k, :].reshape(n, oh, k, ow, k, c).permute(0, 1, 3, 5, 2, 4)
            win = win.reshape(n, oh, ow, c, k * k)
            top2 = win.topk(2, dim=-1).values
            gap = (top2[..., 0] - top2[..., 1])[top2[..., 0] > 0]
            if gap.numel():
                worst = min(worst, gap.min().item() / scale)
    return worst


REFERENCE = {
    "input": [28, 28, 1],
    "layers": [
        {"type": "Conv2D", "filters": 32, "kernel_size": 3, "padding": "same", "activation": "relu"},
        {"type": "Conv2D", "filters": 32, "kernel_size": 3, "padding": "same", "activation": "relu"},
        {"type": "MaxPooling2D", "pool_size": 2},
        {"type": "Conv2D", "filters": 64, "kernel_size": 3, "padding": "same", "activation": "relu"},
        {"type": "Conv2D", "filters": 64, "kernel_size": 3, "padding": "same", "activation": "relu"},
        {"type": "MaxPooling2D", "pool_size": 2},
        {"type": "Conv2D", "filters": 128, "kernel_size": 3, "padding": "same", "activation": "relu"},
        {"type": "Conv2D", "filters": 128, "kernel_size": 3, "padding": "same", "activation": "relu"},
        {"type": "MaxPooling2D", "pool_size": 2},
        {"type": "Flatten"},
        {"type": "Dense", "units": 128, "activation": "relu"},
        {"type": "Dense", "units": 10, "activation": "softmax"},
    ],
}
REFERENCE_WEIGHT_SEED = 1000
REFERENCE_IMAGE_SEED = 639


def reference_model_case():
    """The reference model on hashed weights (regenerated in Go, not stored):
    probabilities, the sparse CE loss and every parameter's gradient for a
    batch of 2 random images.

    With 176,000 ReLUs a random draw always has a pre-activation within
    ~1e-6 (relative to its layer's largest) of the kink, or a max-pool
    window whose top two are that close; float32 (whose error measured
    against float64 reaches 1.2e-6 of the layer's largest value, about 3e-7
    typical) could then route a gradient differently from the reference.
    IMAGE_SEED was picked by searching seeds 100-2099 for the largest worst
    margin (1.24e-5, ~40 typical float32 errors); the assertion guards it."""
    ws = hashed_weights(REFERENCE, REFERENCE_WEIGHT_SEED)
    n = 2
    labels = np.array([3, 7], dtype=np.int64)
    xa = np.random.default_rng(REFERENCE_IMAGE_SEED).standard_normal((n, 28, 28, 1)).astype(np.float32)
    params = [to64(w) for w in ws]
    rec = []
    probs, logits = model_forward(REFERENCE, params, to64(xa), rec)
    margin = check_margins(rec)
    if margin < 1e-5:
        raise RuntimeError("reference model: margin %g too small for float32" % margin)
    loss = sparse_ce_from_logits(logits, torch.tensor(labels))
    loss.backward()
    arrays = {"x": xa, "labels": labels.astype(np.float32), "probs": f32(probs), "loss": f32(loss)}
    for i, w in enumerate(params):
        arrays["g%d" % i] = f32(w.grad)
    save("model_reference", "model",
         {"model": REFERENCE, "weight_seed": REFERENCE_WEIGHT_SEED, "margin": margin}, n, arrays)


SMALL = {
    "input": [6, 6, 2],
    "layers": [
        {"type": "Conv2D", "filters": 3, "kernel_size": 3, "padding": "same", "activation": "tanh"},
        {"type": "AveragePooling2D", "pool_size": 2},
        {"type": "Flatten"},
        {"type": "Dense", "units": 4, "activation": "softmax"},
    ],
}


def optimizer_case(name, seed, opt, steps=4):
    """A few training steps of SMALL (tanh, so no ReLU kinks) on a fixed
    batch with Keras's update rules, computed in float64:

      SGD      v = momentum*v - lr*g;  w += v
      Adam     m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
               w -= lr*sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)
      RMSprop  v = rho v + (1-rho) g^2;  w -= lr * g / (sqrt(v) + eps)
               (Keras 2 without momentum; Keras 3 and TF's fused
               ApplyRMSProp put eps inside the root instead)

    Records the initial weights, the loss before each step and the weights
    after each step."""
    rng = np.random.default_rng(seed)
    ws = hashed_weights(SMALL, 2000)
    n = 4
    xa = rng.standard_normal((n, 6, 6, 2)).astype(np.float32)
    labels = np.array([0, 1, 2, 3], dtype=np.int64)
    w = [w.astype(np.float64) for w in ws]
    state = [np.zeros_like(v) for v in w]
    state2 = [np.zeros_like(v) for v in w]
    arrays = {"x": xa, "labels": labels.astype(np.float32)}
    for i, v in enumerate(ws):
        arrays["w%d" % i] = v
    losses = []
    for t in range(1, steps + 1):
        params = [torch.tensor(v, requires_grad=True) for v in w]
        _, logits = model_forward(SMALL, params, torch.tensor(xa.astype(np.float64)))
        loss = sparse_ce_from_logits(logits, torch.tensor(labels))
        loss.backward()
        losses.append(loss.item())
        for i, prm in enumerate(params):
            g = prm.grad.numpy()
            if opt["name"] == "sgd":
                state[i] = opt["momentum"] * state[i] - opt["learning_rate"] * g
                w[i] = w[i] + state[i]
            elif opt["name"] == "adam":
                b1, b2 = opt["beta_1"], opt["beta_2"]
                state[i] = b1 * state[i] + (1 - b1) * g
                state2[i] = b2 * state2[i] + (1 - b2) * g * g
                alpha = opt["learning_rate"] * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
                w[i] = w[i] - alpha * state[i] / (np.sqrt(state2[i]) + opt["epsilon"])
            elif opt["name"] == "rmsprop":
                state[i] = opt["rho"] * state[i] + (1 - opt["rho"]) * g * g
                w[i] = w[i] - opt["learning_rate"] * g / (np.sqrt(state[i]) + opt["epsilon"])
            else:
                raise ValueError(opt["name"])
            arrays["step%d_w%d" % (t, i)] = w[i]
            min_rel = np.abs(g).min() / np.abs(g).max()
            if min_rel < 1e-4:
                raise RuntimeError("%s: a gradient is too small for a stable trajectory" % name)
    arrays["losses"] = np.array(losses)
    save(name, "optimizer", {"model": SMALL, "weight_seed": 2000, "optimizer": opt, "steps": steps}, n, arrays)


def main():
    for f in os.listdir(HERE):
        if f.endswith(".npz"):
            os.remove(os.path.join(HERE, f))
    layer_cases()
    loss_cases()
    reference_model_case()
    optimizer_case("optimizer_sgd", 110, {"name": "sgd", "learning_rate": 0.01, "momentum": 0.9})
    optimizer_case("optimizer_adam", 111, {"name": "adam", "learning_rate": 0.001, "beta_1": 0.9,
                                           "beta_2": 0.999, "epsilon": 1e-7})
    optimizer_case("optimizer_rmsprop", 114, {"name": "rmsprop", "learning_rate": 0.001, "rho": 0.9, "epsilon": 1e-7})
    with open(os.path.join(HERE, "index.json"), "w") as fh:
        json.dump({"generator": "nn/testdata/golden/gen.py", "torch": torch.__version__, "cases": index}, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
