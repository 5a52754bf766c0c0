package keras

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"convplay/internal/hdf5"
	"convplay/nn"
)

// Where Keras puts the weights.
//
// A full-model .h5 (Keras 2's hdf5_format.py, Keras 3's
// legacy_h5_format.py) holds the model config in the root attribute
// model_config and the weights under model_weights: one group per layer,
// named as the layer, whose attribute weight_names lists its arrays'
// paths inside the group, "conv2d/kernel:0" (Keras 2) or
// "sequential/conv2d/kernel" (Keras 3). Long name lists are split over
// weight_names0, weight_names1, ... The last path component names the
// weight (kernel, bias, gamma, beta, moving_mean, moving_variance), which is
// matched with convplay's parameter of that name.
//
// A .keras zip (Keras 3's saving_lib.py) holds config.json and
// model.weights.h5, whose arrays are layers/<name>/vars/<i>: <name> is NOT
// the layer's name but its class name in snake case, made unique within
// the model's layer list by _1, _2, ... in list order (a Sequential's list
// leaves out its InputLayer, a Functional's keeps it), and <i> counts the
// layer's trainable, then non-trainable variables (Conv2D and Dense:
// kernel, bias; BatchNormalization: gamma, beta, moving_mean,
// moving_variance), convplay's Params order.

func readH5(data []byte) (*nn.Model, *Info, error) {
	f, err := hdf5.Open(data)
	if err != nil {
		return nil, nil, h5Error(err)
	}
	root, err := f.Root()
	if err != nil {
		return nil, nil, h5Error(err)
	}
	config, err := stringAttr(root, "model_config")
	if err != nil {
		return nil, nil, err
	}
	if config == "" {
		if a, _ := root.Attr("layer_names"); a != nil {
			return nil, nil, formatErrorf("the file holds weights only (save_weights), no architecture: save the whole model with model.save")
		}
		return nil, nil, formatErrorf("no model_config attribute, so no architecture: not a Keras model file, or a subclassed model's (save a Sequential or Functional model with model.save)")
	}
	version, _ := stringAttr(root, "keras_version")
	if strings.HasPrefix(version, "1.") {
		return nil, nil, &UnsupportedError{Layer: "model", Class: "Keras " + version,
			Reason: "Keras 1 named its layers' settings differently (output_dim, nb_filter, border_mode) and stored Theano's kernels in another order; open the file in Keras 2 (keras.models.load_model) and save it again"}
	}
	weights, err := root.Get("model_weights")
	if err != nil {
		return nil, nil, h5Error(err)
	}
	m, info, err := build([]byte(config), len(data), func(c converted) ([][]float32, [][]int, error) {
		return h5Weights(weights, c)
	})
	if err != nil {
		return nil, nil, err
	}
	info.KerasVersion = version
	info.Format = "Keras 2 .h5"
	if strings.HasPrefix(version, "3") {
		info.Format = "Keras 3 .h5"
	}
	return m, info, nil
}

// h5Weights reads a layer's arrays from a full-model .h5: the group of the
// file's model's layer that holds it (the layer itself, or the model it is
// nested in), the arrays found by weight_names.
func h5Weights(weights *hdf5.Object, c converted) ([][]float32, [][]int, error) {
	top := c.keras.places[0].layer
	nested := len(c.keras.places) > 1
	g, err := weights.Child(top)
	if err != nil {
		return nil, nil, h5Error(err)
	}
	names, err := nameList(g, "weight_names")
	if err != nil {
		return nil, nil, err
	}
	who := c.keras.Name
	if nested {
		who = nestedPath(c.keras.places)
	}
	// The weight's name without ":0", by its last path component; in a
	// nested model's group, only the weights whose last folder is the layer.
	byName := map[string]string{}
	for _, n := range names {
		parts := strings.Split(n, "/")
		base := parts[len(parts)-1]
		if i := strings.LastIndexByte(base, ':'); i >= 0 {
			base = base[:i]
		}
		if nested && (len(parts) < 2 || parts[len(parts)-2] != c.keras.Name) {
			continue
		}
		if _, dup := byName[base]; dup {
			return nil, nil, formatErrorf("layer %q lists a weight twice: %q", who, names)
		}
		byName[base] = n
	}
	var arrays [][]float32
	var shapes [][]int
	for _, p := range paramNames(c) {
		path, ok := byName[p]
		if !ok {
			return nil, nil, formatErrorf("layer %q has no %s among the weights of %q: %q", who, p, top, names)
		}
		v, shape, err := dataset(g, path)
		if err != nil {
			return nil, nil, err
		}
		arrays, shapes = append(arrays, v), append(shapes, shape)
	}
	if len(byName) != len(arrays) {
		return nil, nil, formatErrorf("layer %q has weights %q, convplay's %s reads %d", who, names, c.spec.Type, len(arrays))
	}
	return arrays, shapes, nil
}

// paramNames lists the Keras weight names of a converted layer, in
// convplay's Params order.
func paramNames(c converted) []string {
	switch c.spec.Type {
	case "BatchNormalization":
		var n []string
		if !c.spec.NoScale {
			n = append(n, "gamma")
		}
		if !c.spec.NoCenter {
			n = append(n, "beta")
		}
		return append(n, "moving_mean", "moving_variance")
	case "Conv2D", "Dense":
		if c.spec.NoBias {
			return []string{"kernel"}
		}
		return []string{"kernel", "bias"}
	}
	return nil
}

func readKeras(data []byte) (*nn.Model, *Info, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil, formatErrorf("not a readable zip: %v", err)
	}
	config, err := zipFile(zr, "config.json", 64<<20)
	if err != nil {
		return nil, nil, err
	}
	meta, _ := zipFile(zr, "metadata.json", 1<<20)
	var md struct {
		KerasVersion string `json:"keras_version"`
	}
	json.Unmarshal(meta, &md)
	wdata, err := zipFile(zr, "model.weights.h5", maxFileBytes)
	if err != nil {
		if _, e := zipFile(zr, "model.weights.json", 1<<20); e == nil {
			return nil, nil, formatErrorf("the weights are sharded over several files, which convplay does not read")
		}
		return nil, nil, err
	}
	f, err := hdf5.Open(wdata)
	if err != nil {
		return nil, nil, h5Error(err)
	}
	m, info, err := build(config, len(wdata), func(c converted) ([][]float32, [][]int, error) {
		var path []string // the layer's unique snake_case names, outermost first
		for _, p := range c.keras.places {
			path = append(path, p.kerasName())
		}
		where := strings.Join(path, "/layers/")
		g, err := varsGroup(f, path)
		if err != nil {
			return nil, nil, formatErrorf("layer %q (%s): no weights at layers/%s/vars in model.weights.h5: %v", nestedPath(c.keras.places), c.keras.ClassName, where, err)
		}
		var arrays [][]float32
		var shapes [][]int
		for i := range paramNames(c) {
			v, shape, err := dataset(g, fmt.Sprint(i))
			if err != nil {
				return nil, nil, err
			}
			arrays, shapes = append(arrays, v), append(shapes, shape)
		}
		if names, err := g.Children(); err != nil || len(names) != len(arrays) {
			return nil, nil, formatErrorf("layer %q (%s): layers/%s/vars holds %d arrays, convplay's %s reads %d", nestedPath(c.keras.places), c.keras.ClassName, where, len(names), c.spec.Type, len(arrays))
		}
		return arrays, shapes, nil
	})
	if err != nil {
		return nil, nil, err
	}
	info.Format, info.KerasVersion = "Keras 3 .keras", md.KerasVersion
	if strings.HasPrefix(md.KerasVersion, "2.") {
		info.Format = "Keras 2 .keras" // tf.keras 2.13 to 2.15 wrote .keras files too
	}
	return m, info, nil
}

// varsGroup finds a .keras layer's variables, layers/<name>/vars, as each
// Keras wrote the path: joined by "/", or by the backslash of tf.keras 2.13 to
// 2.15 on Windows (tf.io.gfile.join: one group called `layers\dense`
// holding vars, as real files show); under layers or, from tf.keras 2.13
// to 2.15, _layer_checkpoint_dependencies, where Keras 3's load_model
// looks next with the same names (saving_lib's "2.13 compatibility").
//
// path is the layer's names, outermost first: a layer of a nested model is
// layers/<model>/layers/<layer>/vars.
func varsGroup(f *hdf5.File, path []string) (*hdf5.Object, error) {
	root, err := f.Root()
	if err != nil {
		return nil, err
	}
	var first error
	for _, dir := range []string{"layers", "_layer_checkpoint_dependencies"} {
		var slash []string
		for _, n := range path {
			slash = append(slash, dir, n)
		}
		joined := dir + `\` + strings.Join(path, `\`+dir+`\`)
		for _, groups := range [][]string{append(slash, "vars"), {joined, "vars"}} {
			g := root
			for _, p := range groups {
				if g, err = g.Child(p); err != nil {
					break
				}
			}
			if err == nil {
				return g, nil
			}
			if !errors.As(err, new(*hdf5.NotFoundError)) {
				return nil, err // a damaged file, not a missing group
			}
			if first == nil {
				first = err
			}
		}
	}
	return nil, first
}

// zipFile reads the archive's file called name, at most limit bytes.
func zipFile(zr *zip.Reader, name string, limit int64) ([]byte, error) {
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		if f.UncompressedSize64 > uint64(limit) {
			return nil, formatErrorf("%s is larger than %d bytes", name, limit)
		}
		r, err := f.Open()
		if err != nil {
			return nil, formatErrorf("%s: %v", name, err)
		}
		defer r.Close()
		b, err := io.ReadAll(io.LimitReader(r, limit+1))
		if err != nil {
			return nil, formatErrorf("%s: %v", name, err)
		}
		if int64(len(b)) > limit {
			return nil, formatErrorf("%s is larger than %d bytes", name, limit)
		}
		return b, nil
	}
	return nil, formatErrorf("no %s in the archive: not a Keras 3 .keras file", name)
}

// stringAttr is a string attribute's value ("" when there is none).
func stringAttr(o *hdf5.Object, name string) (string, error) {
	a, err := o.Attr(name)
	if err != nil {
		return "", h5Error(err)
	}
	if a == nil {
		return "", nil
	}
	s, err := a.String()
	if err != nil {
		return "", h5Error(err)
	}
	return s, nil
}

// nameList reads a list of names that Keras may have split over
// name0, name1, ... when it was too long for one attribute.
func nameList(o *hdf5.Object, name string) ([]string, error) {
	a, err := o.Attr(name)
	if err != nil {
		return nil, h5Error(err)
	}
	if a != nil {
		s, err := a.Strings()
		return s, h5Error(err)
	}
	var out []string
	for i := 0; ; i++ {
		a, err := o.Attr(fmt.Sprint(name, i))
		if err != nil {
			return nil, h5Error(err)
		}
		if a == nil {
			return out, nil
		}
		s, err := a.Strings()
		if err != nil {
			return nil, h5Error(err)
		}
		out = append(out, s...)
	}
}

// dataset reads the numeric dataset at path below g. Keras 3 saves
// bfloat16 variables as 2-byte opaque elements with the attribute
// dtype="bfloat16": the high half of a float32, little-endian.
func dataset(g *hdf5.Object, path string) ([]float32, []int, error) {
	d, err := g.Get(path)
	if err != nil {
		return nil, nil, h5Error(err)
	}
	if dt, err := stringAttr(d, "dtype"); err == nil && dt == "bfloat16" {
		raw, size, opaque, err := d.Raw()
		if err != nil {
			return nil, nil, h5Error(err)
		}
		if size != 2 || !opaque {
			return nil, nil, formatErrorf("%s: bfloat16 values of %d bytes", d.Path, size)
		}
		v := make([]float32, len(raw)/2)
		for i := range v {
			v[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(raw[2*i:])) << 16)
		}
		return v, d.Shape(), nil
	}
	v, shape, err := d.Float32s()
	return v, shape, h5Error(err)
}

// h5Error wraps the HDF5 reader's errors as this package's FormatError.
func h5Error(err error) error {
	if err == nil {
		return nil
	}
	var fe *hdf5.FormatError
	var nf *hdf5.NotFoundError
	if errors.As(err, &fe) || errors.As(err, &nf) {
		return formatErrorf("%s", strings.TrimPrefix(err.Error(), "hdf5: "))
	}
	return err
}
