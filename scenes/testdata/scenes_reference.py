#!/usr/bin/env python3
"""An independent reference of the scene generator's documented rules
(scenes/doc.go), for TestReference: it composes scenes from synthetic
source images and prints, as JSON, the SHA-256 of their pixels and labels
and the first scenes' items, and the same of training windows (rule 5,
TestCropReference). The Go test recomputes the same scenes and
compares, so no test needs Python at run time.

    /usr/bin/python3 scenes/testdata/scenes_reference.py > scenes/testdata/reference.json

With a packed data set's directory it prints instead the SHA-256 of the
first 200 fixed validation and test scenes (seed 2026) made from the real
images, which scenes/packed_test.go pins (test scenes use the test split
without the manifest's test_duplicates):

    /usr/bin/python3 scenes/testdata/scenes_reference.py web/data/digits

NumPy only. The generator is PCG with a 128-bit LCG state and the DXSM
output, seeded as Go's math/rand/v2 NewPCG(seed, stream): state =
seed << 64 | stream (as tools/packdata/testdata/shuffle_reference.py).
"""
import gzip
import hashlib
import json
import os
import sys

import numpy as np

M128 = (1 << 128) - 1
M64 = (1 << 64) - 1
MUL = (2549297995355413924 << 64) | 4865540595714422341
INC = (6364136223846793005 << 64) | 1442695040888963407
CHEAP_MUL = 0xDA942042E4DD58B5

SIDE, MAX_ITEMS, TRIES, MAX_OVERLAP, THRESHOLD = 64, 3, 20, 196, 32


class PCG:
    def __init__(self, seed, stream):
        self.state = ((seed << 64) | stream) & M128

    def next(self):
        self.state = (self.state * MUL + INC) & M128
        hi, lo = self.state >> 64, self.state & M64
        hi ^= hi >> 32
        hi = (hi * CHEAP_MUL) & M64
        hi ^= hi >> 48
        return (hi * (lo | 1)) & M64


def synthetic_source(m, side=28):
    """m images side x side: a disc of varying radius filled with a
    pattern of all intensities (so the threshold matters), labels i % 10."""
    h, w = np.mgrid[0:side, 0:side]
    images = []
    for i in range(m):
        val = ((i * 31 + h * 7 + w * 13) * 97) % 256
        r = 6 + i % 8
        disc = (h - 14 + i % 3) ** 2 + (w - 14 - i % 5) ** 2 < r * r
        images.append(np.where(disc, val, 0).astype(np.uint8))
    return images, [i % 10 for i in range(m)]


def place(images, labels, seed, split, i):
    rng = PCG(seed, (split << 40) | i)
    item = images[0].shape[0]
    span = SIDE - item + 1
    items = []
    for _ in range(1 + rng.next() % MAX_ITEMS):
        img = rng.next() % len(images)
        for _ in range(TRIES):
            row = rng.next() % span
            col = rng.next() % span
            ok = True
            for (_, _, r, c) in items:
                hh, ww = item - abs(row - r), item - abs(col - c)
                if hh > 0 and ww > 0 and hh * ww > MAX_OVERLAP:
                    ok = False
            if ok:
                items.append((img, labels[img], row, col))
                break
    return items


def draw(images, labels, seed, split, i):
    pixels = np.zeros((SIDE, SIDE), np.uint8)
    lab = np.zeros((SIDE, SIDE), np.uint8)
    items = place(images, labels, seed, split, i)
    for (img, cls, r, c) in items:
        src = images[img]
        n = src.shape[0]
        win = pixels[r:r + n, c:c + n]
        np.maximum(win, src, out=win)
        lab[r:r + n, c:c + n][src >= THRESHOLD] = 1 + cls
    return pixels, lab, items


def crop(images, labels, seed, split, i, s):
    """Rule 5: scene i's training window of side s, and its corner."""
    pixels, lab, items = draw(images, labels, seed, split, i)
    rng = PCG(seed, (split << 40) | (1 << 39) | i)
    _, _, r, c = items[rng.next() % len(items)]
    item = images[0].shape[0]

    def at(p):
        lo = max(0, min(p, p + item - s))
        hi = min(SIDE - s, max(p, p + item - s))
        return lo + rng.next() % (hi - lo + 1)
    row = at(r)
    col = at(c)
    return pixels[row:row + s, col:col + s], lab[row:row + s, col:col + s], (row, col)


def main():
    images, labels = synthetic_source(37)
    cases = []
    for seed in (7, 2026):
        for split in (0, 1, 2):
            indices = list(range(40)) + [(1 << 20) + 3]
            h = hashlib.sha256()
            first = []
            for i in indices:
                px, lab, items = draw(images, labels, seed, split, i)
                h.update(px.tobytes())
                h.update(lab.tobytes())
                if len(first) < 3:
                    first.append([{"image": a, "class": b, "row": r, "col": c} for (a, b, r, c) in items])
            cases.append({"seed": seed, "split": split, "indices": indices,
                          "sha256": h.hexdigest(), "first_items": first})
    crops = []
    for side in (16, 24, 28, 32, 64):
        for split in (0, 1):
            indices = list(range(40)) + [(1 << 20) + 3]
            h = hashlib.sha256()
            corners = []
            for i in indices:
                px, lab, corner = crop(images, labels, 7, split, i, side)
                h.update(px.tobytes())
                h.update(lab.tobytes())
                corners.append(list(corner))
            crops.append({"seed": 7, "split": split, "side": side, "indices": indices,
                          "sha256": h.hexdigest(), "corners": corners[:5]})
    print(json.dumps({"source": "synthetic_source(37)", "cases": cases, "crops": crops}, indent=1))


def read_split(d, split, man):
    """A packed split's images (n, H, W) and labels, chunks in manifest order."""
    imgs, labs = [], []
    for f in man["files"]:
        if f["split"] != split:
            continue
        data = gzip.open(os.path.join(d, f["name"])).read()
        (imgs if f["kind"] == "images" else labs).append(np.frombuffer(data, np.uint8))
    h, w, _ = man["shape"]
    return np.concatenate(imgs).reshape(-1, h, w), np.concatenate(labs)


def packed(d):
    man = json.load(open(os.path.join(d, "manifest.json")))
    for split, code in (("validation", 1), ("test", 2)):
        images, labels = read_split(d, split, man)
        if split == "test":
            keep = [i for i in range(len(labels)) if i not in set(man.get("test_duplicates") or [])]
            images, labels = images[keep], labels[keep]
        images = list(images)
        labels = [int(v) for v in labels]
        h = hashlib.sha256()
        for i in range(200):
            px, lab, _ = draw(images, labels, 2026, code, i)
            h.update(px.tobytes())
            h.update(lab.tobytes())
        print("%s/%s: %s" % (man["name"], split, h.hexdigest()))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        packed(sys.argv[1])
    else:
        main()
