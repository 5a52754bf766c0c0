# Makes the NumPy-written .npz fixtures of npz_test.go (weights for the model
# Input (3) -> Dense 2 -> Dense 1, in get_weights() order). Run from nn/:
#   /usr/bin/python3 testdata/make_npz.py        (NumPy 1.24)
import numpy as np

kernel0 = (np.arange(6, dtype=np.float32).reshape(3, 2) - 2.5) / 4  # (D_in, D_out), C order
bias0 = np.array([0.5, -0.25])  # float64: ImportNPZ converts
kernel1 = np.array([[1.5], [-2.0]], dtype=">f4")  # big-endian
bias1 = np.array([0.125], dtype=np.float32)

np.savez("testdata/numpy_savez.npz", kernel0, bias0, kernel1, bias1)
# Named arrays come back in the archive's order, as list(np.load(f).values()).
np.savez_compressed("testdata/numpy_named.npz", dense=kernel0, b=bias0, a=kernel1, z=bias1)
np.savez("testdata/numpy_fortran.npz", np.asfortranarray(kernel0), bias0, kernel1, bias1)
