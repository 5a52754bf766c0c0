#!/usr/bin/python3
"""Writes float16.golden: NumPy's float32 -> float16 rounding for many values,
edge cases first, and a SHA-256 of NumPy's float16 -> float32 widening of
every non-NaN float16, for nn/float16_test.go (which does not call Python).

Run from nn/testdata: /usr/bin/python3 make_float16.py
"""
import hashlib

import numpy as np

rng = np.random.default_rng(16)


def f32(bits):
    return np.array(bits, dtype=np.uint32).view(np.float32)


edges = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 0.1, -0.1, 1 / 3, 3.14159265,
         65504.0, -65504.0, 65519.0, 65519.996, 65520.0, -65520.0, 65536.0, 1e5, 3.4e38, -3.4e38,
         float("inf"), float("-inf"),
         2.0**-14, 2.0**-14 * (1 - 2.0**-11), 2.0**-14 * (1 - 2.0**-10),  # around the smallest normal
         2.0**-24, 2.0**-25, 2.0**-25 * (1 + 2.0**-20), 2.0**-25 * (1 - 2.0**-20), 2.0**-26,  # the smallest subnormal
         3 * 2.0**-25, 5 * 2.0**-25, 2.0**-24 * 1.5, 2.0**-24 * 2.5, -(2.0**-24) * 2.5,
         1e-8, -1e-8, 1e-30, 1.4e-45, -1.4e-45, 1.1754944e-38]
# Halfway cases: every float16's neighbour midpoints (ties go to the even one),
# and a hair either side, for a sample of float16s across every exponent.
halves = np.arange(0, 0x7c00, 37, dtype=np.uint16)
lo = halves.view(np.float16).astype(np.float32)
hi = (halves + 1).view(np.float16).astype(np.float32)
mid = ((lo.astype(np.float64) + hi.astype(np.float64)) / 2).astype(np.float32)
around = np.concatenate([mid, np.nextafter(mid, np.float32(np.inf)), np.nextafter(mid, np.float32(0))])
values = np.concatenate([
    np.array(edges, dtype=np.float32),
    around, -around[::5],
    f32(rng.integers(0, 0x7f800000, 1500, dtype=np.uint32)),  # any finite float32 bits
    (rng.standard_normal(1000) * 0.05).astype(np.float32),  # weight-like
    (rng.standard_normal(300) * 10.0**rng.integers(-9, 6, 300)).astype(np.float32),
])
with np.errstate(over="ignore"):
    narrowed = values.astype(np.float16)

every = np.arange(0x10000, dtype=np.uint32).astype(np.uint16).view(np.float16)
widened = every[~np.isnan(every)].astype(np.float32)
digest = hashlib.sha256(widened.astype("<f4").tobytes()).hexdigest()

with open("float16.golden", "w") as f:
    f.write(f"# made by make_float16.py with NumPy {np.__version__}: float32 bits, NumPy's float16 bits\n")
    f.write(f"widen-sha256 {digest}\n")
    for v, h in zip(values.view(np.uint32), narrowed.view(np.uint16)):
        f.write(f"{v:08x} {h:04x}\n")
print(len(values), "values")
