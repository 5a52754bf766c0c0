#!/usr/bin/env python3
"""An independent reference of packdata's documented shuffle, for TestShuffle
and for anyone reproducing the Fashion-MNIST order outside Go.

The generator is PCG with a 128-bit LCG state and the DXSM output (the
variant NumPy's PCG64DXSM also uses, but with the full 128-bit multiplier),
seeded as Go's math/rand/v2 NewPCG(seed, stream): state = seed << 64 | stream.
The shuffle is Fisher-Yates: for i from n-1 down to 1, swap i and
next() % (i+1).

    python3 shuffle_reference.py 6 7 1   # n, seed, stream -> the order
"""
import sys

M128 = (1 << 128) - 1
M64 = (1 << 64) - 1
MUL = (2549297995355413924 << 64) | 4865540595714422341
INC = (6364136223846793005 << 64) | 1442695040888963407
CHEAP_MUL = 0xDA942042E4DD58B5


class PCG:
    def __init__(self, seed, stream):
        self.state = (seed << 64) | stream

    def next(self):
        self.state = (self.state * MUL + INC) & M128
        hi, lo = self.state >> 64, self.state & M64
        hi ^= hi >> 32
        hi = (hi * CHEAP_MUL) & M64
        hi ^= hi >> 48
        return (hi * (lo | 1)) & M64


def shuffle(n, seed, stream):
    order = list(range(n))
    rng = PCG(seed, stream)
    for i in range(n - 1, 0, -1):
        j = rng.next() % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


if __name__ == "__main__":
    n, seed, stream = (int(a) for a in sys.argv[1:4])
    print(shuffle(n, seed, stream))
