# Checks that the .npz ExportNPZ wrote (testdata/go_export.npz, made by
# `go test ./nn -run TestExportNPZGolden -update-weights`) is what numpy.savez writes.
# Run from nn/:  /usr/bin/python3 testdata/check_go_npz.py
import io
import sys
import zipfile

import numpy as np

path = sys.argv[1] if len(sys.argv) > 1 else "testdata/go_export.npz"
w = np.load(path)
shapes = [(3, 2), (2,), (2, 1), (1,)]
assert w.files == [f"arr_{i}" for i in range(len(shapes))], w.files
for i, (name, shape) in enumerate(zip(w.files, shapes)):
    a = w[name]
    assert a.dtype == np.float32 and a.shape == shape, (name, a.dtype, a.shape)
    want = (np.arange(a.size, dtype=np.float32) * 0.5 - i).reshape(shape)
    assert np.array_equal(a, want), (name, a, want)
    npy = io.BytesIO()
    np.save(npy, want)
    assert zipfile.ZipFile(path).read(name + ".npy") == npy.getvalue(), name
print(f"{path}: {len(w.files)} arrays, names, dtypes, shapes, values and .npy bytes as numpy.savez writes them")
