#!/usr/bin/python3
"""Makes the HDF5 fixtures of convplay/internal/hdf5 with h5py (Debian's
python3-h5py and python3-numpy). Run it in this directory:

    /usr/bin/python3 gen.py

It writes the same objects twice, with h5py's defaults (superblock 0, object
header 1, symbol-table groups: what Keras's files use) as basic.h5 and with
libver="latest" (superblock 3, object header 2, link messages, layout 4) as
latest.h5, and expected.json: each dataset's shape and values and each
attribute's strings, which hdf5_test.go compares with what the reader gives.
"""
import json

import h5py
import numpy as np


def arange(shape, dtype, scale=0.25):
    n = int(np.prod(shape)) if shape else 1
    return (np.arange(n, dtype=np.float64) * scale - n * scale / 3).reshape(shape).astype(dtype)


def fill(f, expected):
    def ds(path, data, **kw):
        f.create_dataset(path, data=data, **kw)
        expected["datasets"][path] = {"shape": list(data.shape), "values": [float(v) for v in data.ravel()]}

    def attr(path, name, value, strings):
        f[path].attrs[name] = value
        expected["attrs"][path + "@" + name] = strings

    ds("f32le", arange((3, 4), "<f4"))
    ds("f64be", arange((2, 3), ">f8"))
    ds("more/f32be", arange((5,), ">f4"))
    ds("more/scalar", np.array(2.5, "<f4"))
    ds("more/ints", np.arange(-3, 3, dtype="<i2").reshape(2, 3))
    compact = arange((2, 2), "<f4")
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    d = h5py.h5d.create(f.id, b"compact", h5py.h5t.IEEE_F32LE, h5py.h5s.create_simple((2, 2)), dcpl=dcpl)
    d.write(h5py.h5s.ALL, h5py.h5s.ALL, compact)
    expected["datasets"]["compact"] = {"shape": [2, 2], "values": [float(v) for v in compact.ravel()]}
    ds("group/sub/chunked_gzip", arange((5, 7, 3), "<f4"), chunks=(2, 3, 2), compression="gzip", shuffle=True)
    ds("group/sub/chunked_plain", arange((9, 4), "<f8"), chunks=(4, 4))
    ds("group/one_chunk_gzip", arange((3, 3, 1, 8), "<f4"), chunks=(3, 3, 1, 8), compression="gzip")
    ds("empty", np.zeros((0, 4), "<f4"))
    attr("/", "vlen", "a variable-length string: ü", ["a variable-length string: ü"])
    attr("/", "fixed", b"fixed bytes", ["fixed bytes"])
    attr("group", "names", np.array([b"conv2d", b"max_pooling2d", b"dense_1"]), ["conv2d", "max_pooling2d", "dense_1"])
    attr("group", "vlen_list", ["kernel:0", "bias:0"], ["kernel:0", "bias:0"])
    attr("group/sub", "empty_list", np.array([], dtype="S1"), [])
    f["group"].attrs["number"] = np.float32(1.5)
    big = "{" + "x" * 5000 + "}"  # a long JSON config, as Keras writes
    attr("/", "long_json", big, [big])
    for i in range(20):  # a symbol table with several nodes
        f.create_group("many/g%02d" % i)


def deep(name):
    """B-trees of two levels: 300 links in one group (eight to a symbol
    table node, at most 32 nodes to a B-tree node) and 200 chunks (at most
    64 to a B-tree node)."""
    with h5py.File(name, "w") as f:
        f.create_dataset("chunks", data=arange((200, 4), "<f4"), chunks=(1, 4), compression="gzip")
        for i in range(300):
            f["l%03d" % i] = f["chunks"]  # hard links to the same dataset


def dense(name, links=2000):
    """Dense storage (libver="latest" past 8 links or attributes): a group
    of 2,000 links with long names, whose fractal heap (over 512 KiB of link
    messages) needs a child indirect block and whose name B-tree has two
    levels of internal nodes; an object with 20 attributes of every kind
    Keras writes; an attribute too large for the heap's managed blocks
    (a "huge" object, refused)."""
    with h5py.File(name, "w", libver="latest") as f:
        f.create_dataset("data", data=arange((2, 3), "<f4"))
        g = f.create_group("links")
        for i in range(links):
            g["layer_%04d_" % i + "x" * 280] = f["data"]
        a = f.create_group("attrs")
        for i in range(8):
            a.attrs["vlen%d" % i] = "value %d" % i
            a.attrs["fixed%d" % i] = ("bytes %d" % i).encode()
        a.attrs["names"] = np.array([b"conv2d", b"dense"])
        a.attrs["vlen_names"] = np.array(["kernel", "bias"], dtype=h5py.string_dtype())
        a.attrs["number"] = np.float32(1.5)
        a.attrs["config"] = np.bytes_("{" + "y" * 3000 + "}")  # fixed-length: in the heap itself
        h = f.create_group("z_huge")
        for i in range(9):
            h.attrs["a%d" % i] = i
        h.attrs["model_config"] = np.bytes_("{" + "z" * 5000 + "}")  # fixed-length, past 4 KiB


def main():
    deep("deep.h5")
    dense("dense.h5")
    dense("dense_small.h5", links=12)  # a seed small enough for the fuzzer
    for name, libver in [("basic.h5", "earliest"), ("latest.h5", "latest")]:
        expected = {"datasets": {}, "attrs": {}}
        with h5py.File(name, "w", libver=libver) as f:
            fill(f, expected)
        with open("expected.json", "w") as out:
            json.dump(expected, out, indent=0, sort_keys=True)
            out.write("\n")


main()
