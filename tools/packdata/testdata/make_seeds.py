#!/usr/bin/env python3
"""Writes the seed files of FuzzParseIDX (run from this folder): tiny IDX files
of unsigned bytes, one gzip-compressed and one with its data cut short."""
import gzip
import struct


def idx(dims, data):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)


open("labels-idx1-ubyte", "wb").write(idx([5], [3, 1, 4, 1, 5]))
open("images-idx3-ubyte", "wb").write(idx([2, 3, 2], range(12)))
open("images-idx3-ubyte.gz", "wb").write(gzip.compress(idx([1, 28, 28], [i % 256 for i in range(784)]), mtime=0))
open("truncated-idx1-ubyte", "wb").write(idx([4], [1, 2]))
