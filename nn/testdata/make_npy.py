# Makes the NumPy-written .npy fixtures of npy_test.go: one small array per
# dtype ReadNPY accepts, in both byte orders, plus a scalar, an empty array,
# a version 2.0 header and two arrays saved one after the other. Run from nn/:
#   /usr/bin/python3 testdata/make_npy.py        (NumPy 1.24)
import numpy as np

ints = {
    "u1": [0, 1, 128, 255],
    "i1": [-128, -1, 0, 127],
    "u2": [0, 1, 258, 65535],
    "i2": [-32768, -1, 258, 32767],
    "u4": [0, 1, 16909060, 4294967295],
    "i4": [-2147483648, -1, 16909060, 2147483647],
    "u8": [0, 1, 2**53, 2**64 - 2**11],
    "i8": [-(2**63), -1, 2**53, 2**62],
}
floats = [-0.5, 1.0, 3.25, -1024.125]
# Files are named le_<type> and be_<type> (byte order); single bytes are |u1, |i1.
for order, name in [("<", "le"), (">", "be")]:
    for t, v in ints.items():
        if t[1] != "1" or order == "<":
            np.save(f"testdata/npy/{name}_{t}.npy", np.array(v, dtype=order + t).reshape(2, 2))
    for t in ["f4", "f8"]:
        np.save(f"testdata/npy/{name}_{t}.npy", np.array(floats, dtype=order + t).reshape(2, 2))
np.save("testdata/npy/scalar.npy", np.float32(7.5))
np.save("testdata/npy/empty.npy", np.zeros((0, 3), dtype=np.uint8))
with open("testdata/npy/v2.npy", "wb") as f:
    np.lib.format.write_array(f, np.arange(6, dtype=np.int16).reshape(1, 2, 3), version=(2, 0))
with open("testdata/npy/two.npy", "wb") as f:
    np.save(f, np.array([1, 2, 3], dtype=np.uint8))
    np.save(f, np.array([[0.25]], dtype=np.float64))
