"""Fixtures of models nested inside models, written as Keras writes them
(called by gen.py's main; the helpers are gen.py's).

A nested model is one entry of its parent's layer list:
- config: its model config (class_name Sequential or Functional), whose layer
  list a built Sequential opens with its InputLayer (Sequential.get_config
  serializes super().layers).
- .keras (saving_lib._save_state, _save_container_state): its own empty
  vars at layers/<snake class>/vars, its layers at
  layers/<snake class>/layers/<snake class>/vars, named within its own
  layer list (model.layers: a Sequential's without its InputLayer); a
  Random* layer's SeedGenerator state at .../random_flip/generator/vars/0.
- .h5 (hdf5_format / legacy_h5_format save_weights_to_hdf5_group): one
  group per layer of the file's model; the nested model's group lists in
  weight_names _legacy_weights(model) = its trainable then non-trainable
  variables, over its layers in order, named by the variable's name (Keras
  2, "conv2d/kernel:0") or path (Keras 3,
  "sequential/data_augmentation/conv2d/kernel"; a SeedGenerator's
  "seed_generator_1/seed_generator_state"), the datasets at those paths.
"""
import io
import json
import zipfile

import h5py
import numpy as np

import gen
from gen import conv, pool, dense, flatten, bn, simple


def nest(class_name, name, layers):
    return dict(class_name=class_name, name=name, _layers=layers)


def flat(layers):
    out = []
    for l in layers:
        out += flat(l["_layers"]) if "_layers" in l else [l]
    return out


def is_random(l):
    return l["class_name"].startswith("Random")


# ------------------------------------------------------------ configs

def k3_input(name, shape):
    return {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
            "config": {"batch_shape": [None] + list(shape), "dtype": "float32", "sparse": False, "name": name}}


def k3_model(cls, name, layers, shape, input_name):
    """A Keras 3 Sequential or Functional config and its output shape."""
    dtype = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}
    entries, prev, s = [], input_name, list(shape)
    inp = k3_input(input_name, shape)
    if cls == "Functional":
        inp.update(name=input_name, inbound_nodes=[])
    entries.append(inp)
    for l in layers:
        if "_layers" in l:
            e, out = k3_model(l["class_name"], l["name"], l["_layers"], s, l["name"] + "_input")
        else:
            e, out = gen.keras3_layer(l, s), gen.out_shape([l], s)
        if cls == "Functional":
            e["name"] = l["name"]
            e["inbound_nodes"] = [{"args": [{"class_name": "__keras_tensor__", "config": {
                "shape": [None] + s, "dtype": "float32", "keras_history": [p, 0, 0]}}
                for p in l.get("_inputs", [prev])], "kwargs": {}}]
        prev, s = l["name"], out
        entries.append(e)
    cfg = {"name": name, "trainable": True, "dtype": dtype, "layers": entries}
    if cls == "Functional":
        cfg.update(input_layers=[[input_name, 0, 0]], output_layers=[[layers[-1]["name"], 0, 0]])
        return {"module": "keras.src.models.functional", "class_name": "Functional", "config": cfg,
                "registered_name": "Functional", "build_config": {"input_shape": None}}, s
    cfg["build_input_shape"] = [None] + list(shape)
    return {"module": "keras", "class_name": "Sequential", "config": cfg, "registered_name": None,
            "build_config": {"input_shape": [None] + list(shape)}}, s


def k2_model(cls, name, layers, shape, input_name):
    """A Keras 2 (tf.keras 2.13) Sequential or Functional config."""
    bis = [None] + list(shape)
    inp = {"class_name": "InputLayer", "config": {"batch_input_shape": bis, "dtype": "float32", "sparse": False,
                                                  "ragged": False, "name": input_name}}
    if cls == "Functional":
        inp.update(name=input_name, inbound_nodes=[])
    entries, prev, s = [inp], input_name, list(shape)
    for l in layers:
        if "_layers" in l:
            e, out = k2_model(l["class_name"], l["name"], l["_layers"], s, l["name"] + "_input")
        else:
            e, out = gen.keras2_layer(l), gen.out_shape([l], s)
        if cls == "Functional":
            e["name"] = l["name"]
            # a nested model built on its own Input: its call here is node 1
            e["inbound_nodes"] = [[[p, 0, 0, {}] for p in l.get("_inputs", [prev])]]
        prev, s = l["name"], out
        entries.append(e)
    cfg = {"name": name, "layers": entries}
    if cls == "Functional":
        cfg.update(input_layers=[[input_name, 0, 0]], output_layers=[[layers[-1]["name"], 0, 0]])
    return {"class_name": cls, "config": cfg}, s


# ------------------------------------------------------------ weights

def variables(layers, weights, shapes, path, keras3):
    """_legacy_weights of a nested model: (name, array) trainable ones first."""
    trainable, other = [], []
    for l in flat(layers):
        for (wname, _), a in zip(shapes.get(l["name"], []), weights.get(l["name"], [])):
            n = "%s/%s/%s" % (path, l["name"], wname) if keras3 else "%s/%s:0" % (l["name"], wname)
            (other if wname.startswith("moving_") else trainable).append((n, a))
        if keras3 and is_random(l):  # the layer's SeedGenerator, made in __init__, outside its scope
            other.append(("seed_generator_%d/seed_generator_state" % (len(other) + 1),
                          np.array([1337, 0], dtype=np.uint32)))
    return trainable + other


def write_h5(path, fmt, cls, name, layers, shape, weights, shapes):
    keras3 = fmt == "k3h5"
    input_name = "input_layer" if keras3 else ("input_1" if cls == "Functional" else layers[0]["name"] + "_input")
    config, _ = (k3_model if keras3 else k2_model)(cls, name, layers, shape, input_name)
    if not keras3:
        config.update(keras_version=gen.K2_VERSION, backend="tensorflow")
    with h5py.File(path, "w") as f:
        version = gen.K3_VERSION if keras3 else gen.K2_VERSION
        enc = (lambda s: s) if keras3 else (lambda s: s.encode("utf8"))
        f.attrs["keras_version"] = enc(version)
        f.attrs["backend"] = enc("tensorflow")
        f.attrs["model_config"] = enc(json.dumps(config))
        f.attrs["training_config"] = enc(json.dumps(gen.training_config()))
        g = f.create_group("model_weights")
        top = ([{"name": input_name}] if cls == "Functional" else []) + layers
        g.attrs["layer_names"] = gen.names_attr([l["name"].encode() for l in top], None)
        g.attrs["backend"] = b"tensorflow"
        g.attrs["keras_version"] = version.encode()
        for l in sorted(top, key=lambda l: l["name"]):
            lg = g.create_group(l["name"])
            inner = l.get("_layers", [l] if "class_name" in l else [])
            vs = variables(inner, weights, shapes, name + "/" + l["name"] if "_layers" in l else name, keras3)
            for n, a in vs:
                lg.create_dataset(n, data=a)
            lg.attrs["weight_names"] = gen.names_attr([n.encode() for n, _ in vs], None)
        if keras3:
            g.create_group("top_level_model_weights").attrs["weight_names"] = np.array([], dtype="S1")


def unique_names(classes):
    used, names = {}, []
    for cls in classes:
        base = gen.snake(cls)
        if base in used:
            used[base] += 1
            names.append("%s_%d" % (base, used[base]))
        else:
            used[base] = 0
            names.append(base)
    return names


def keras_vars(f, prefix, cls, layers, weights):
    """saving_lib's walk: each layer of model.layers, then a nested model's own."""
    classes = (["InputLayer"] if cls == "Functional" else []) + [l["class_name"] for l in layers]
    names = unique_names(classes)[1 if cls == "Functional" else 0:]
    if cls == "Functional":
        f.create_group(prefix + "layers/input_layer/vars")
    for l, n in zip(layers, names):
        p = prefix + "layers/" + n
        g = f.create_group(p + "/vars")
        for i, a in enumerate(weights.get(l["name"], [])):
            g.create_dataset(str(i), data=a)
        if is_random(l):
            f.create_dataset(p + "/generator/vars/0", data=np.array([1337, 0], dtype=np.uint32))
        if "_layers" in l:
            keras_vars(f, p + "/", l["class_name"], l["_layers"], weights)


def write_keras(path, cls, name, layers, shape, weights):
    config, _ = k3_model(cls, name, layers, shape, "input_layer")
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        keras_vars(f, "", cls, layers, weights)
        f.create_group("vars")
        f.create_group("optimizer/vars").create_dataset("0", data=np.array(12, dtype=np.int64))

    def entry(n):
        return zipfile.ZipInfo(n, date_time=(2024, 10, 1, 12, 0, 0))

    with zipfile.ZipFile(path, "w") as z:
        z.writestr(entry("metadata.json"), json.dumps({"keras_version": gen.K3_VERSION,
                                                       "date_saved": "2024-10-01@12:00:00"}))
        z.writestr(entry("config.json"), json.dumps(config))
        z.writestr(entry("model.weights.h5"), buf.getvalue())


def fixture(path, fmt, cls, layers, shape, seed, inputs, facts, refused=None):
    name = "functional" if cls == "Functional" else "sequential"
    fl = flat(layers)
    shapes = gen.shapes_of(fl, shape) if not refused else {}
    weights = gen.draw_weights(fl, shapes, seed)
    if fmt == "keras":
        write_keras(path, cls, name, layers, shape, weights)
    else:
        write_h5(path, fmt, cls, name, layers, shape, weights, shapes)
    e = {"refused": refused} if refused else {}
    if not refused:
        x = inputs(np.random.default_rng(seed + 1000), shape)
        y = gen.forward(fl, weights, x)
        e.update(inputs=[float(v) for v in x.ravel()], n=int(x.shape[0]), outputs=[float(v) for v in y.ravel()])
    e.update(facts)
    expected[path] = e


expected = {}


def main(into):
    """Writes the fixtures, their facts and outputs into the dict into."""
    global expected
    expected = into
    # Keras's image classification tutorial: data_augmentation = Sequential(
    # [RandomFlip, RandomRotation]) as the first layer after the Input.
    augmentation = nest("Sequential", "data_augmentation", [
        simple("RandomFlip", "random_flip", mode="horizontal", seed=None, data_format="channels_last"),
        simple("RandomRotation", "random_rotation", factor=[-0.1, 0.1], value_range=[0, 255],
               fill_mode="reflect", fill_value=0.0, interpolation="bilinear", seed=None,
               data_format="channels_last")])
    tutorial = [augmentation, simple("Rescaling", "rescaling", scale=1 / 255, offset=0.0),
                conv("conv2d", 4, 3, activation="relu"), pool("max_pooling2d", "MaxPooling2D", 2),
                flatten("flatten"), dense("dense", 10, "softmax")]
    facts = {"logits": False, "scaling": "raw",
             "skipped": ["random_flip (RandomFlip)", "random_rotation (RandomRotation)"]}
    for path, fmt in [("nested_augment.keras", "keras"), ("nested_augment_k3.h5", "k3h5"),
                      ("nested_augment_k2.h5", "k2")]:
        fixture(path, fmt, "Sequential", tutorial, (28, 28, 1), 21, gen.pixels, facts)

    # A Sequential feature extractor (with BatchNormalization: its moving
    # statistics come after all the trainable weights) in a classifier.
    features = nest("Sequential", "feature_extractor", [
        conv("conv2d", 4, 3, activation="relu"), bn("batch_normalization"),
        pool("max_pooling2d", "MaxPooling2D", 2), conv("conv2d_1", 3, 3, padding="same", activation="relu")])
    classifier = [features, flatten("flatten"), dense("dense", 16, "relu"), dense("dense_1", 10)]
    facts = {"logits": True, "scaling": "", "skipped": None, "input": [28, 28, 1]}
    for path, fmt in [("nested_features.keras", "keras"), ("nested_features_k3.h5", "k3h5"),
                      ("nested_features_k2.h5", "k2")]:
        fixture(path, fmt, "Sequential", classifier, (28, 28, 1), 22, gen.standardized, facts)

    # A Functional model built around a Sequential block, two of the same
    # class at the top (the .keras names sequential and sequential_1).
    block = lambda name, a, b: nest("Sequential", name, [conv(a, 3, 3, padding="same", activation="relu"),
                                                         bn(b), pool("max_pooling2d_" + a[-1], "MaxPooling2D", 2)])
    around = [simple("Rescaling", "rescaling", scale=1 / 255, offset=0.0), block("block_1", "conv2d_5", "bn_5"),
              block("block_2", "conv2d_6", "bn_6"), flatten("flatten"), dense("dense", 10, "softmax")]
    facts = {"logits": False, "scaling": "raw", "skipped": None}
    for path, fmt in [("nested_functional.keras", "keras"), ("nested_functional_k3.h5", "k3h5"),
                      ("nested_functional_k2.h5", "k2")]:
        fixture(path, fmt, "Functional", around, (28, 28, 1), 23, gen.pixels, facts)

    # Refused: a nested Functional whose graph branches, named.
    branch = [conv("conv2d_7", 2, 3, padding="same"), conv("conv2d_8", 2, 3, padding="same"), simple("Add", "add")]
    branch[2]["_inputs"] = ["conv2d_7", "conv2d_8"]
    inner = nest("Functional", "residual", branch)
    fixture("nested_branch.keras", "keras", "Sequential", [inner, flatten("flatten"), dense("dense", 10)],
            (8, 8, 1), 24, gen.standardized, {}, refused="\"residual/add\" (Add)")
