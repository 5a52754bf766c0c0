#!/usr/bin/python3
"""Makes convplay/keras's fixtures: Keras model files written with h5py
exactly as Keras writes them, without Keras (which Debian does not package).

About 500 lines: one writer per Keras file layout (Keras 2 .h5, Keras 3 legacy
.h5, .keras) and the NumPy forward pass the tests compare against.

Run in this directory with Debian's Python (python3-h5py, python3-numpy):

    /usr/bin/python3 gen.py

The layouts follow Keras's own saving code:
- Keras 2 (tf.keras 2.x, keras/saving/legacy/hdf5_format.py) .h5: root
  attributes model_config and training_config as JSON *bytes* (fixed-length
  strings), keras_version and backend; model_weights with layer_names,
  one group per layer with weight_names such as b"conv2d/kernel:0", and the
  datasets at model_weights/<layer>/<weight name> (the "/" in the name makes
  a subgroup).
- Keras 3 legacy .h5 (keras/src/legacy/saving/legacy_h5_format.py):
  the same, the JSON as str (variable-length strings), Keras 3 configs, the
  weight names being variable paths such as "sequential/conv2d/kernel",
  and a top_level_model_weights group.
- Keras 3 .keras (keras/src/saving/saving_lib.py): a zip of metadata.json,
  config.json and model.weights.h5, whose datasets are
  layers/<name>/vars/<i>: <name> is the snake_case class name made unique
  per container (conv2d, conv2d_1, ...; not the config's layer name), the
  Sequential's InputLayer not among the layers, <i> the index in the
  layer's trainable then non-trainable variables.

Each model's weights are drawn from a seeded generator; a NumPy forward pass
(float64, TensorFlow's 'same' padding) computes the outputs for a few inputs,
written to expected.json with each file's facts; keras_test.go compares.
"""
import io
import json
import zipfile

import h5py
import numpy as np

K2_VERSION, K3_VERSION = "2.13.1", "3.6.0"


# ------------------------------------------------------------ layer configs
# Each layer is a dict: class_name, name, and Keras's config arguments; the
# writers turn them into Keras 2 or Keras 3 JSON.

def conv(name, filters, k, strides=1, padding="valid", activation="linear", use_bias=True):
    return dict(class_name="Conv2D", name=name, filters=filters, kernel_size=[k, k], strides=[strides, strides],
                padding=padding, data_format="channels_last", dilation_rate=[1, 1], groups=1,
                activation=activation, use_bias=use_bias)


def pool(name, kind, p, strides=None, padding="valid"):
    s = strides or p
    return dict(class_name=kind, name=name, pool_size=[p, p], strides=[s, s], padding=padding,
                data_format="channels_last")


def dense(name, units, activation="linear", use_bias=True):
    return dict(class_name="Dense", name=name, units=units, activation=activation, use_bias=use_bias)


def flatten(name):
    return dict(class_name="Flatten", name=name, data_format="channels_last")


def bn(name, momentum=0.99, epsilon=0.001, center=True, scale=True):
    return dict(class_name="BatchNormalization", name=name, axis=-1, momentum=momentum, epsilon=epsilon,
                center=center, scale=scale)


def simple(class_name, name, **kw):
    return dict(class_name=class_name, name=name, **kw)


def keras2_layer(l, batch_input_shape=None):
    cfg = {k: v for k, v in l.items() if k != "class_name" and not k.startswith("_")}
    cfg["trainable"] = True
    cfg["dtype"] = "float32"
    if "kernel_size" in cfg or "units" in cfg:
        cfg["kernel_initializer"] = {"class_name": "GlorotUniform", "config": {"seed": None}}
        cfg["bias_initializer"] = {"class_name": "Zeros", "config": {}}
        cfg["kernel_regularizer"] = None
    if batch_input_shape is not None:
        cfg["batch_input_shape"] = batch_input_shape
    return {"class_name": l["class_name"], "config": cfg}


def keras3_layer(l, in_shape=None):
    cfg = {k: v for k, v in l.items() if k != "class_name" and not k.startswith("_")}
    cfg["trainable"] = True
    cfg["dtype"] = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                    "registered_name": None}
    if "kernel_size" in cfg or "units" in cfg:
        cfg["kernel_initializer"] = {"module": "keras.initializers", "class_name": "GlorotUniform",
                                     "config": {"seed": None}, "registered_name": None}
    out = {"module": "keras.layers", "class_name": l["class_name"], "config": cfg, "registered_name": None}
    if in_shape is not None:
        out["build_config"] = {"input_shape": [None] + list(in_shape)}
    return out


# ------------------------------------------------------------ forward pass

def tf_pads(n, k, s):
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def activate(z, act):
    if act in ("linear", None):
        return z
    if act == "relu":
        return np.maximum(z, 0)
    if act == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if act == "tanh":
        return np.tanh(z)
    if act == "softmax":
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    raise ValueError(act)


def windows(x, k, s, padding, fill):
    """x (N, H, W, C) -> padded x and the output size for k x k windows."""
    n, h, w, c = x.shape
    if padding == "same":
        t, b = tf_pads(h, k, s)
        lft, r = tf_pads(w, k, s)
        x = np.pad(x, ((0, 0), (t, b), (lft, r), (0, 0)), constant_values=fill)
        oh, ow = -(-h // s), -(-w // s)
    else:
        oh, ow = (h - k) // s + 1, (w - k) // s + 1
    return x, oh, ow


def forward(layers, weights, x):
    """The model's output for x (N, ...) in float64; weights[name] lists arrays."""
    x = x.astype(np.float64)
    for l in layers:
        cls, w = l["class_name"], [a.astype(np.float64) for a in weights.get(l["name"], [])]
        if cls == "Conv2D":
            k, s = l["kernel_size"][0], l["strides"][0]
            xp, oh, ow = windows(x, k, s, l["padding"], 0.0)
            z = np.zeros((x.shape[0], oh, ow, l["filters"]))
            for i in range(k):
                for j in range(k):
                    patch = xp[:, i:i + s * (oh - 1) + 1:s, j:j + s * (ow - 1) + 1:s, :]
                    z += patch @ w[0][i, j]
            if l["use_bias"]:
                z += w[1]
            x = activate(z, l["activation"])
        elif cls in ("MaxPooling2D", "AveragePooling2D"):
            k, s = l["pool_size"][0], l["strides"][0]
            fill = -np.inf if cls == "MaxPooling2D" else np.nan
            xp, oh, ow = windows(x, k, s, l["padding"], fill)
            stack = np.stack([xp[:, i:i + s * (oh - 1) + 1:s, j:j + s * (ow - 1) + 1:s, :]
                              for i in range(k) for j in range(k)])
            x = stack.max(axis=0) if cls == "MaxPooling2D" else np.nanmean(stack, axis=0)
        elif cls == "Dense":
            z = x @ w[0]
            if l["use_bias"]:
                z = z + w[1]
            x = activate(z, l["activation"])
        elif cls == "Flatten":
            x = x.reshape(x.shape[0], -1)
        elif cls == "Reshape":
            x = x.reshape((x.shape[0],) + tuple(l["target_shape"]))
        elif cls == "BatchNormalization":
            i = 0
            gamma = w[i] if l["scale"] else 1.0
            i += l["scale"]
            beta = w[i] if l["center"] else 0.0
            i += l["center"]
            mean, var = w[i], w[i + 1]
            x = gamma * (x - mean) / np.sqrt(var + l["epsilon"]) + beta
        elif cls == "Rescaling":
            x = x * l["scale"] + l["offset"]
        elif cls == "Activation":
            x = activate(x, l["activation"])
        elif cls == "Softmax":
            x = activate(x, "softmax")
        elif cls in ("Dropout", "InputLayer", "GaussianNoise") or cls.startswith("Random"):
            pass  # at inference: the input as it is
        else:
            raise ValueError(cls)
    return x


def shapes_of(layers, in_shape):
    """Each layer's weight shapes, in Keras's order, and its input shape."""
    out, shape = {}, list(in_shape)
    for l in layers:
        cls = l["class_name"]
        if cls == "Conv2D":
            k, c = l["kernel_size"][0], shape[-1]
            out[l["name"]] = [("kernel", (k, k, c, l["filters"]))] + ([("bias", (l["filters"],))] if l["use_bias"] else [])
        elif cls == "Dense":
            out[l["name"]] = [("kernel", (shape[-1], l["units"]))] + ([("bias", (l["units"],))] if l["use_bias"] else [])
        elif cls == "BatchNormalization":
            c = shape[-1]
            out[l["name"]] = ([("gamma", (c,))] if l["scale"] else []) + ([("beta", (c,))] if l["center"] else []) + \
                [("moving_mean", (c,)), ("moving_variance", (c,))]
        zeros = {l["name"]: [np.zeros(s) for _, s in out.get(l["name"], [])]}
        shape = list(forward([l], zeros, np.zeros([1] + shape)).shape[1:])
    return out


def draw_weights(layers, shapes, seed, quantum=None):
    rng = np.random.default_rng(seed)
    weights = {}
    for l in layers:
        arrays = []
        for wname, shape in shapes.get(l["name"], []):
            if wname == "kernel":
                fan = np.prod(shape[:-1]) + shape[-1]
                a = rng.uniform(-1, 1, shape) * np.sqrt(6 / fan)
            elif wname == "bias":
                a = rng.uniform(-0.2, 0.2, shape)
            elif wname == "gamma":
                a = rng.uniform(0.5, 1.5, shape)
            elif wname == "moving_variance":
                a = rng.uniform(0.5, 1.5, shape)
            else:
                a = rng.uniform(-0.3, 0.3, shape)
            if quantum:
                a = np.round(a / quantum) * quantum
            arrays.append(a.astype(np.float32))
        if arrays:
            weights[l["name"]] = arrays
    return weights


# ------------------------------------------------------------ writers

def k2_config(model_name, layers, in_shape, functional, old_style):
    """Keras 2's model_config. old_style: no InputLayer entry, the first
    layer carries batch_input_shape (tf.keras before 2.6 or so)."""
    bis = [None] + list(in_shape)
    if functional:
        input_name = "input_1"
        ls = [{"class_name": "InputLayer", "config": {"batch_input_shape": bis, "dtype": "float32", "sparse": False,
                                                      "ragged": False, "name": input_name},
               "name": input_name, "inbound_nodes": []}]
        prev = input_name
        for l in layers:
            e = keras2_layer(l)
            e["name"] = l["name"]
            e["inbound_nodes"] = [[[prev, 0, 0, {}]]] if isinstance(prev, str) else [[[p, 0, 0, {}] for p in prev]]
            prev = l.get("_inputs", l["name"])
            ls.append(e)
        cfg = {"name": model_name, "layers": ls, "input_layers": [[input_name, 0, 0]],
               "output_layers": [[layers[-1]["name"], 0, 0]]}
        return {"class_name": "Functional", "config": cfg, "keras_version": K2_VERSION, "backend": "tensorflow"}
    ls = []
    if old_style:
        ls.append(keras2_layer(layers[0], batch_input_shape=bis))
        ls += [keras2_layer(l) for l in layers[1:]]
    else:
        ls.append({"class_name": "InputLayer", "config": {"batch_input_shape": bis, "dtype": "float32",
                                                         "sparse": False, "ragged": False,
                                                         "name": layers[0]["name"] + "_input"}})
        ls += [keras2_layer(l) for l in layers]
    if old_style == "list":  # Keras 2.0 to 2.2: the config is the bare list of layers
        return {"class_name": "Sequential", "config": ls, "keras_version": "2.0.6", "backend": "tensorflow"}
    return {"class_name": "Sequential", "config": {"name": model_name, "layers": ls}, "keras_version": K2_VERSION,
            "backend": "tensorflow"}


def k3_config(model_name, layers, in_shape, functional, style=None):
    dtype = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}
    inp = {"module": "keras.layers", "class_name": "InputLayer",
           "config": {"batch_shape": [None] + list(in_shape), "dtype": "float32", "sparse": False,
                      "name": "input_layer"}, "registered_name": None}
    if style in ("windows2.15", "windows2.13"):  # tf.keras's .keras: Keras 2's InputLayer
        inp["config"] = {"batch_input_shape": [None] + list(in_shape), "dtype": "float32", "sparse": False,
                         "ragged": False, "name": "input_1"}
    if style == "keras3.13":  # later Keras 3: an optional input, the model's policy shared by id
        inp["config"].update(ragged=False, optional=False)
        dtype = dict(dtype, shared_object_id=140052728541024)
    if functional:
        inp["name"] = "input_layer"
        inp["inbound_nodes"] = []
        ls, prev, shape = [inp], "input_layer", list(in_shape)
        for l in layers:
            e = keras3_layer(l, shape)
            e["name"] = l["name"]
            srcs = prev if isinstance(prev, list) else [prev]
            e["inbound_nodes"] = [{"args": [{"class_name": "__keras_tensor__", "config": {
                "shape": [None] + shape, "dtype": "float32", "keras_history": [p, 0, 0]}} for p in srcs],
                "kwargs": {}}]
            prev = l.get("_inputs", l["name"])
            shape = out_shape([l], shape)
            ls.append(e)
        cfg = {"name": model_name, "trainable": True, "layers": ls, "input_layers": [["input_layer", 0, 0]],
               "output_layers": [[layers[-1]["name"], 0, 0]]}
        return {"module": "keras.src.models.functional", "class_name": "Functional", "config": cfg,
                "registered_name": "Functional", "build_config": {"input_shape": None}}
    ls, shape = [inp], list(in_shape)
    for l in layers:
        ls.append(keras3_layer(l, shape))
        shape = out_shape([l], shape)
    return {"module": "keras", "class_name": "Sequential",
            "config": {"name": model_name, "trainable": True, "dtype": dtype, "layers": ls,
                       "build_input_shape": [None] + list(in_shape)},
            "registered_name": None, "build_config": {"input_shape": [None] + list(in_shape)},
            "compile_config": {"optimizer": "adam", "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}}


def out_shape(layers, shape):
    try:
        ws = {l["name"]: [np.zeros(s) for _, s in shapes_of([l], shape).get(l["name"], [])] for l in layers}
        return list(forward(layers, ws, np.zeros([1] + list(shape))).shape[1:])
    except ValueError:  # a layer the forward pass does not know (the refused ones)
        return shape


def training_config():
    return {"loss": "sparse_categorical_crossentropy", "metrics": [[{"class_name": "MeanMetricWrapper",
            "config": {"name": "accuracy", "dtype": "float32", "fn": "sparse_categorical_accuracy"}}]],
            "weighted_metrics": None, "loss_weights": None,
            "optimizer_config": {"class_name": "Adam", "config": {"name": "Adam", "learning_rate": 0.001}}}


def names_attr(names, style):
    """Keras 2.12 and later store the name lists as variable-length strings;
    earlier ones (and our other fixtures) as fixed-length bytes."""
    if style == "vlen":
        return np.array([n.decode() for n in names], dtype=h5py.string_dtype())
    return np.array(names, dtype="S") if names else np.array([], dtype="S1")


def write_legacy_h5(path, config, layers, shapes, weights, keras3, model_name, functional, style=None):
    with h5py.File(path, "w") as f:
        if keras3:
            f.attrs["keras_version"] = K3_VERSION
            f.attrs["backend"] = "tensorflow"
            f.attrs["model_config"] = json.dumps(config)
            f.attrs["training_config"] = json.dumps(training_config())
        else:
            f.attrs["backend"] = b"tensorflow"
            f.attrs["keras_version"] = K2_VERSION.encode()
            f.attrs["model_config"] = json.dumps(config).encode("utf8")
            f.attrs["training_config"] = json.dumps(training_config()).encode("utf8")
        g = f.create_group("model_weights")
        if functional:  # a functional model's layers include its InputLayer
            layers = [{"name": "input_layer" if keras3 else "input_1"}] + layers
        g.attrs["layer_names"] = names_attr([l["name"].encode() for l in layers], style)
        g.attrs["backend"] = b"tensorflow"
        g.attrs["keras_version"] = (K3_VERSION if keras3 else K2_VERSION).encode()
        for l in sorted(layers, key=lambda l: l["name"]):
            lg = g.create_group(l["name"])
            names = []
            for (wname, _), a in zip(shapes.get(l["name"], []), weights.get(l["name"], [])):
                name = "%s/%s/%s" % (model_name, l["name"], wname) if keras3 else "%s/%s:0" % (l["name"], wname)
                names.append(name.encode())
                lg.create_dataset(name, data=a)
            lg.attrs["weight_names"] = names_attr(names, style)
        if style == "list":  # Keras 2.0's optimizer state beside the model's weights
            og = f.create_group("optimizer_weights")
            og.attrs["weight_names"] = np.array([b"iterations:0", b"Variable:0"])
            og.create_dataset("iterations:0", data=np.float32(120))
            og.create_dataset("Variable:0", data=np.zeros((3, 3), np.float32))
        if keras3:
            tg = g.create_group("top_level_model_weights")
            tg.attrs["weight_names"] = np.array([], dtype="S1")


def snake(name):
    import re
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def bf16_bytes(a):
    """float32 values already on bfloat16's grid, as h5py stores
    ml_dtypes.bfloat16 arrays: 2-byte opaque elements, the float32's high half."""
    high = (a.astype("<f4").view("<u4") >> 16).astype("<u2")
    return np.frombuffer(high.tobytes(), dtype="V2").reshape(a.shape)


def write_keras_zip(path, config, layers, shapes, weights, functional, bf16=False, style=None):
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        used = {}
        order = (["InputLayer"] if functional else []) + [l["class_name"] for l in layers]
        names = []
        for cls in order:
            base = snake(cls)
            if base in used:
                used[base] += 1
                names.append("%s_%d" % (base, used[base]))
            else:
                used[base] = 0
                names.append(base)
        if functional:
            names = names[1:]
        for l, n in zip(layers, names):
            arrays = weights.get(l["name"], [])
            if not arrays:
                continue
            if style == "windows2.15":  # tf.io.gfile.join on Windows: one group "layers\\dense"
                g = f.create_group("layers\\%s" % n).create_group("vars")
            elif style == "windows2.13":  # and tf.keras 2.13's container name
                g = f.create_group("_layer_checkpoint_dependencies\\%s" % n).create_group("vars")
            else:
                g = f.create_group("layers/%s/vars" % n)
            for i, a in enumerate(arrays):
                if bf16:  # saving_lib's H5IOStore.__setitem__ for a bfloat16 variable
                    ds = g.create_dataset(str(i), data=bf16_bytes(a))
                    ds.attrs["dtype"] = "bfloat16"
                else:
                    g.create_dataset(str(i), data=a)
        f.create_group("vars")
        og = f.create_group("optimizer/vars")
        og.create_dataset("0", data=np.array(12, dtype=np.int64))  # iterations
    def entry(name):  # a fixed time, so that the same weights give the same file
        return zipfile.ZipInfo(name, date_time=(2024, 10, 1, 12, 0, 0))

    with zipfile.ZipFile(path, "w") as z:
        version = {"windows2.15": "2.15.0", "windows2.13": "2.13.1"}.get(style, K3_VERSION)
        z.writestr(entry("metadata.json"), json.dumps({"keras_version": version, "date_saved": "2024-10-01@12:00:00"}))
        z.writestr(entry("config.json"), json.dumps(config))
        z.writestr(entry("model.weights.h5"), buf.getvalue())


# ------------------------------------------------------------ the fixtures

expected = {}


def fixture(path, fmt, layers, in_shape, seed, inputs, functional=False, old_style=False, quantum=None,
            model_name=None, refused=None, facts=None, weights=None, bf16=False, style=None):
    model_name = model_name or ("functional" if functional else "sequential")
    shapes = shapes_of(layers, in_shape) if not refused else {}
    weights = weights or draw_weights(layers, shapes, seed, quantum)
    if bf16:  # truncate to bfloat16's grid
        weights = {k: [(a.view("<u4") & np.uint32(0xFFFF0000)).view("<f4") for a in v] for k, v in weights.items()}
    if fmt == "k2":
        if functional:
            model_name = "model"  # tf.keras's name for a functional model
        write_legacy_h5(path, k2_config(model_name, layers, in_shape, functional,
                                        "list" if style == "list" else old_style),
                        layers, shapes, weights, False, model_name, functional, style)
    elif fmt == "k3h5":
        write_legacy_h5(path, k3_config(model_name, layers, in_shape, functional), layers, shapes, weights, True,
                        model_name, functional, style)
    else:
        write_keras_zip(path, k3_config(model_name, layers, in_shape, functional, style), layers, shapes, weights,
                        functional, bf16, style)
    e = {"refused": refused} if refused else {}
    if not refused:
        x = inputs(np.random.default_rng(seed + 1000), in_shape)
        y = forward(layers, weights, x)
        e.update(inputs=[float(v) for v in x.ravel()], n=int(x.shape[0]), outputs=[float(v) for v in y.ravel()])
    e.update(facts or {})
    expected[path] = e


def standardized(rng, in_shape):
    return (np.round(rng.standard_normal((3,) + tuple(in_shape)) * 16) / 16).astype(np.float32)  # short, exact decimals


def pixels(rng, in_shape):
    return rng.integers(0, 256, (3,) + tuple(in_shape)).astype(np.float32)


def main():
    # The notes' model, as ModelCheckpoint("fashion_mnist_model.h5") writes it with tf.keras 2.
    ref = [conv("conv2d", 32, 3, padding="same", activation="relu"),
           conv("conv2d_1", 32, 3, padding="same", activation="relu"), pool("max_pooling2d", "MaxPooling2D", 2),
           conv("conv2d_2", 64, 3, padding="same", activation="relu"),
           conv("conv2d_3", 64, 3, padding="same", activation="relu"), pool("max_pooling2d_1", "MaxPooling2D", 2),
           conv("conv2d_4", 128, 3, padding="same", activation="relu"),
           conv("conv2d_5", 128, 3, padding="same", activation="relu"), pool("max_pooling2d_2", "MaxPooling2D", 2),
           flatten("flatten"), dense("dense", 128, "relu"), dense("dense_1", 10, "softmax")]
    fixture("reference_k2.h5", "k2", ref, (28, 28, 1), 1, standardized, quantum=1 / 4096,
            facts={"params": 435306, "logits": False, "scaling": ""})

    # Rescaling, BatchNormalization, both poolings, Dropout and logits.
    small = [simple("Rescaling", "rescaling", scale=1 / 255, offset=0.0),
             conv("conv2d", 4, 3, activation="relu"), bn("batch_normalization", momentum=0.9),
             pool("max_pooling2d", "MaxPooling2D", 2),
             conv("conv2d_1", 6, 3, strides=2, padding="same"), simple("Activation", "activation", activation="relu"),
             pool("average_pooling2d", "AveragePooling2D", 2, padding="same"),
             flatten("flatten"), simple("Dropout", "dropout", rate=0.3), dense("dense", 10)]
    facts = {"logits": True, "scaling": "raw"}
    fixture("bn_logits.keras", "k3", small, (28, 28, 1), 2, pixels, facts=facts)
    fixture("bn_logits_k3.h5", "k3h5", small, (28, 28, 1), 2, pixels, facts=facts)
    fixture("bn_logits_k2.h5", "k2", small, (28, 28, 1), 2, pixels, facts=facts)

    # Input (28, 28) without a channel axis, Flatten first; BatchNormalization on vectors.
    mlp = [flatten("flatten"), dense("dense", 16, "relu"), bn("batch_normalization", center=False, epsilon=1e-5),
           dense("dense_1", 10, "softmax")]
    facts = {"logits": False, "scaling": "", "input": [28, 28, 1]}
    fixture("mlp_input2d_k2.h5", "k2", mlp, (28, 28), 3, standardized, facts=facts)
    fixture("mlp_input2d_old_k2.h5", "k2", mlp, (28, 28), 3, standardized, old_style=True, facts=facts)
    fixture("mlp_input2d.keras", "k3", mlp, (28, 28), 3, standardized, facts=facts)
    fixture("mlp_bfloat16.keras", "k3", mlp, (28, 28), 8, standardized, facts=facts, bf16=True)

    # Straight-chain functional models; (28, 28) reshaped to (28, 28, 1).
    chain = [simple("Reshape", "reshape", target_shape=[28, 28, 1]),
             conv("conv2d", 3, 5, strides=2, padding="same", activation="tanh"), bn("batch_normalization", scale=False),
             pool("max_pooling2d", "MaxPooling2D", 3, strides=2), flatten("flatten"), dense("dense", 10),
             simple("Softmax", "softmax", axis=-1)]
    facts = {"logits": False, "scaling": ""}
    fixture("functional_k2.h5", "k2", chain, (28, 28), 4, standardized, functional=True, facts=facts)
    fixture("functional.keras", "k3", chain, (28, 28), 4, standardized, functional=True, facts=facts)
    fixture("functional_k3.h5", "k3h5", chain, (28, 28), 4, standardized, functional=True, facts=facts)

    # For convplay's command-line tests on their tiny data set (3 classes: a
    # bright left half, right half or top half): raw pixels, scaled by the
    # model, pooled 4x4 to 7x7; each class's logit sums its half.
    tiny = [simple("Rescaling", "rescaling", scale=1 / 255, offset=0.0), pool("max_pooling2d", "MaxPooling2D", 4),
            flatten("flatten"), dense("dense", 3)]
    k = np.zeros((7, 7, 1, 3), np.float32)
    k[:, :3, 0, 0] = 1
    k[:, 4:, 0, 1] = 1
    k[:3, :, 0, 2] = 1
    fixture("tiny3_k3.h5", "k3h5", tiny, (28, 28, 1), 7, pixels, facts={"logits": True, "scaling": "raw"},
            weights={"dense": [k.reshape(49, 3), np.array([0, 0, -2], np.float32)]})

    # Layouts found in real files saved by Keras (keras/README.md lists them):
    # Keras 2.0's bare list of layers, the variable-length name lists of
    # Keras 2.12 and later, Keras 3.13's config additions.
    lenet = [conv("conv2d_1", 4, 5, activation="relu"), pool("max_pooling2d_1", "MaxPooling2D", 2),
             simple("Dropout", "dropout_1", rate=0.2), flatten("flatten_1"), dense("dense_1", 10, "softmax")]
    facts = {"logits": False, "scaling": ""}
    fixture("keras20_list_k2.h5", "k2", lenet, (28, 28, 1), 9, standardized, style="list", facts=facts)
    fixture("vlen_names_k2.h5", "k2", lenet, (28, 28, 1), 10, standardized, style="vlen", facts=facts)
    fixture("vlen_names_k3.h5", "k3h5", mlp, (28, 28), 11, standardized, style="vlen",
            facts={"logits": False, "scaling": "", "input": [28, 28, 1]})
    fixture("keras313.keras", "k3", lenet, (28, 28, 1), 12, standardized, style="keras3.13", facts=facts)
    # tf.keras 2.15 and 2.13 .keras files saved on Windows: backslashes in the
    # group names, and 2.13's _layer_checkpoint_dependencies.
    two = lenet[:-1] + [dense("dense_2", 16, "relu"), dense("dense_3", 10, "softmax")]
    fixture("windows215.keras", "k3", two, (28, 28, 1), 14, standardized, style="windows2.15", facts=facts)
    fixture("windows213.keras", "k3", two, (28, 28, 1), 15, standardized, style="windows2.13", facts=facts)

    # Data augmentation after the Rescaling, as Keras's image classification
    # tutorial has it (found in a real Keras 3.5 .keras): left out, as at inference.
    aug = [simple("Rescaling", "rescaling", scale=1 / 255, offset=0.0),
           simple("RandomFlip", "random_flip", mode="horizontal", seed=None, data_format="channels_last"),
           simple("RandomRotation", "random_rotation", factor=[-0.1, 0.1], value_range=[0, 255], fill_mode="reflect",
                  fill_value=0.0, interpolation="bilinear", seed=None, data_format="channels_last"),
           conv("conv2d", 4, 3, activation="relu"), pool("max_pooling2d", "MaxPooling2D", 2),
           simple("GaussianNoise", "gaussian_noise", stddev=0.1, seed=None),
           flatten("flatten"), dense("dense", 10, "softmax")]
    facts = {"logits": False, "scaling": "raw",
             "skipped": ["random_flip (RandomFlip)", "random_rotation (RandomRotation)", "gaussian_noise (GaussianNoise)"]}
    fixture("augment.keras", "k3", aug, (28, 28, 1), 13, pixels, facts=facts)
    fixture("augment_k3.h5", "k3h5", aug, (28, 28, 1), 13, pixels, facts=facts)

    # Refused: a Keras 1 file (found in a real repository: Keras 1.1.1).
    with h5py.File("keras1.h5", "w") as f:
        f.attrs["keras_version"] = b"1.1.1"
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": [
            {"class_name": "Dense", "config": {"name": "dense_1", "output_dim": 10, "input_dim": 784,
                                               "activation": "softmax", "bias": True,
                                               "batch_input_shape": [None, 784]}}]}).encode()
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([b"dense_1"])
        d = g.create_group("dense_1")
        d.attrs["weight_names"] = np.array([b"dense_1_W", b"dense_1_b"])
        d.create_dataset("dense_1_W", data=np.zeros((784, 10), np.float32))
        d.create_dataset("dense_1_b", data=np.zeros(10, np.float32))
    expected["keras1.h5"] = {"refused": "Keras 1.1.1"}

    # Refused: a Lambda layer, and a functional graph with a branch.
    lam = [flatten("flatten"), simple("Lambda", "lambda", function="lambda x: x * 2"), dense("dense", 10)]
    fixture("lambda_k2.h5", "k2", lam, (28, 28, 1), 5, standardized, refused="\"lambda\" (Lambda)")
    branch = [conv("conv2d", 2, 3, padding="same"), conv("conv2d_1", 2, 3, padding="same"),
              simple("Add", "add"), flatten("flatten"), dense("dense", 10)]
    branch[1]["_inputs"] = ["conv2d", "conv2d_1"]  # add takes both convolutions
    fixture("branch.keras", "k3", branch, (8, 8, 1), 6, standardized, functional=True, refused="\"add\" (Add)")

    import gen_nested  # models nested inside models
    gen_nested.main(expected)

    with open("expected.json", "w") as out:
        json.dump(expected, out, indent=0, sort_keys=True)
        out.write("\n")


if __name__ == "__main__":
    main()
