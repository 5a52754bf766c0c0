#!/usr/bin/python3
"""Reads the .keras files convplay exported (export_*.keras, written by
export_test.go with -update) as Keras would, without Keras: zipfile,
json and h5py (Debian's python3-h5py), and writes what it saw to
export_check.json, which export_test.go compares with convplay's own view:

- the archive's entries, in order, and their compression (Keras stores);
- every HDF5 object h5py finds in model.weights.h5: its path, its
  attributes (h5py's values and whether they are variable-length strings),
  a dataset's shape and dtype;
- the model's outputs for a few inputs, by gen.py's NumPy forward pass on
  config.json's layers and the weights h5py reads at the paths Keras 3's
  saving_lib would read (layers/<unique snake_case class name>/vars/<i>).

Run in this directory after `go test ./keras -run TestExport -update`:

    /usr/bin/python3 check_export.py
"""
import glob
import io
import json
import zipfile

import h5py
import numpy as np

import gen


def check(path):
    z = zipfile.ZipFile(path)
    entries = [[i.filename, i.compress_type] for i in z.infolist()]
    meta = json.loads(z.read("metadata.json"))
    config = json.loads(z.read("config.json"))
    f = h5py.File(io.BytesIO(z.read("model.weights.h5")), "r")
    objects = []

    def visit(name, obj):
        attrs = {k: [str(obj.attrs[k]), obj.attrs.get_id(k).get_type().is_variable_str()] for k in obj.attrs}
        o = {"path": name, "attrs": attrs}
        if isinstance(obj, h5py.Dataset):
            o.update(shape=list(obj.shape), dtype=obj.dtype.str)
        objects.append(o)

    f.visititems(visit)
    layers, weights, used = [], {}, {}
    for entry in config["config"]["layers"]:
        l = dict(entry["config"], class_name=entry["class_name"])
        layers.append(l)
        if l["class_name"] == "InputLayer":
            continue
        base = gen.snake(l["class_name"])
        used[base] = used.get(base, -1) + 1
        key = base if used[base] == 0 else "%s_%d" % (base, used[base])
        g = f["layers/%s/vars" % key]
        weights[l["name"]] = [g[str(i)][()] for i in range(len(g))]
    in_shape = layers[0]["batch_shape"][1:]
    x = gen.standardized(np.random.default_rng(7), in_shape) * 40 + 100
    y = gen.forward(layers[1:], weights, x)
    return {"entries": entries, "keras_version": meta["keras_version"], "objects": objects,
            "inputs": [float(v) for v in x.ravel()], "n": int(x.shape[0]), "outputs": [float(v) for v in y.ravel()]}


def main():
    out = {p: check(p) for p in sorted(glob.glob("export_*.keras"))}
    with open("export_check.json", "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
