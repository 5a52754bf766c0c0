package keras

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"convplay/internal/hdf5"
	"convplay/nn"
)

// Export back to Keras: a Keras 3 .keras zip that keras.models.load_model
// opens, laid out as Keras 3.16's saving_lib.save_model writes one
// (keras/src/saving/saving_lib.py):
//
//   - metadata.json: {"keras_version", "date_saved"};
//   - config.json: serialize_keras_object(model), a Sequential whose first
//     entry is its InputLayer, each layer with module, class_name, config,
//     registered_name and, for a layer that has weights, build_config (so
//     that Keras builds it before setting them);
//   - model.weights.h5, written by H5IOStore: layers/<name>/vars/<i> for
//     each layer, <name> the snake_case class name made unique in list
//     order (weights.go), <i> counting the layer's variables in Keras's
//     order; each vars group has the attribute name (the layer's name);
//     the model's own vars group at the root. Every layer gets its group,
//     with or without weights, as Keras 3.15 and later write.
//
// The archive stores its entries uncompressed in that order, as Keras's
// zipfile.ZipFile(..., "w") does. No compile_config: load_model gives an
// uncompiled model (compile it in Keras to train further).

// ExportVersion is the Keras version whose saving code the export follows.
const ExportVersion = "3.16.0"

// Export writes m as a Keras 3 .keras file, dated saved. A model that
// ForStandardized wrapped (the page's, a .cpw saved from it) is exported
// as the model it wrapped: the Keras model takes the input it took (pixels
// / 255 or raw pixels) and outputs its logits, as the file it came from.
func Export(m *nn.Model, saved time.Time) ([]byte, error) {
	m, err := unwrap(m)
	if err != nil {
		return nil, err
	}
	config, err := exportConfig(m)
	if err != nil {
		return nil, err
	}
	weights, err := exportWeights(m, config)
	if err != nil {
		return nil, err
	}
	cj, err := json.Marshal(config.json)
	if err != nil {
		return nil, err
	}
	meta, err := json.Marshal(map[string]string{
		"keras_version": ExportVersion,
		"date_saved":    saved.UTC().Format("2006-01-02@15:04:05"),
	})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, e := range []struct {
		name string
		data []byte
	}{{"metadata.json", meta}, {"config.json", cj}, {"model.weights.h5", weights}} {
		w, err := z.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store, Modified: saved.UTC()})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// unwrap undoes ForStandardized: it drops a first "input_scaling"
// Rescaling, whose scale tells the answer it records (std/255 < 1 for
// pixels/255; std > 1 for raw pixels: a data set's standard deviation in
// 0-255 pixels is well above 1), and a last "softmax_of_logits".
func unwrap(m *nn.Model) (*nn.Model, error) {
	spec := m.Spec
	spec.Layers = spec.Layers[:len(spec.Layers):len(spec.Layers)]
	if l := spec.Layers; len(l) > 1 && l[0].Type == "Rescaling" && l[0].Name == "input_scaling" {
		spec.InputScaling = nn.Raw
		if l[0].Scale < 1 {
			spec.InputScaling = nn.Unit
		}
		spec.Layers = l[1:]
	}
	if l := spec.Layers; len(l) > 1 && l[len(l)-1].Name == "softmax_of_logits" {
		spec.Layers = l[:len(l)-1]
	}
	return rebuilt(m, spec)
}

// exportWeights is model.weights.h5.
func exportWeights(m *nn.Model, c *exported) ([]byte, error) {
	w := hdf5.NewWriter()
	w.Root().Group("vars").SetString("name", c.modelName)
	layers := w.Root().Group("layers")
	for i, layer := range m.Layers {
		vars := layers.Group(c.paths[i]).Group("vars")
		vars.SetString("name", c.names[i])
		for j, p := range layer.Params() {
			if err := vars.Float32s(fmt.Sprint(j), p.Shape, p.W); err != nil {
				return nil, err
			}
		}
	}
	return w.Bytes()
}

// exported is a model's Keras config and the names its layers got.
type exported struct {
	json      map[string]any
	modelName string
	names     []string // each layer's name in the config
	paths     []string // each layer's group under layers/ in the weights
}

func kerasObject(module, class string, config map[string]any) map[string]any {
	return map[string]any{"module": module, "class_name": class, "config": config, "registered_name": nil}
}

func dtypePolicy() map[string]any {
	return kerasObject("keras", "DTypePolicy", map[string]any{"name": "float32"})
}

func initializer(class string) map[string]any {
	config := map[string]any{}
	if class == "GlorotUniform" {
		config = map[string]any{"seed": nil}
	}
	return kerasObject("keras.initializers", class, config)
}

func batchShape(s nn.Shape) []any {
	out := []any{nil}
	for _, d := range s {
		out = append(out, d)
	}
	return out
}

// exportConfig is config.json for m, a Sequential model.
func exportConfig(m *nn.Model) (*exported, error) {
	const modelName = "sequential"
	e := &exported{modelName: modelName}
	layers := []any{kerasObject("keras.layers", "InputLayer", map[string]any{
		"batch_shape": batchShape(m.InShape()), "dtype": "float32", "sparse": false, "ragged": false,
		"name": "input_layer", "optional": false,
	})}
	used := map[string]bool{"input_layer": true}
	counts := map[string]int{} // the weights' unique snake_case names
	for i, layer := range m.Layers {
		spec := m.Spec.Layers[i]
		config, err := exportLayerConfig(spec)
		if err != nil {
			return nil, err
		}
		base := snakeCase(spec.Type)
		name := spec.Name
		if name == "" || used[name] {
			name = base
			for n := 1; used[name]; n++ {
				name = fmt.Sprintf("%s_%d", base, n)
			}
		}
		used[name] = true
		path := base
		if n, seen := counts[base]; seen {
			path = fmt.Sprintf("%s_%d", base, n+1)
			counts[base] = n + 1
		} else {
			counts[base] = 0
		}
		e.names, e.paths = append(e.names, name), append(e.paths, path)
		config["name"], config["trainable"], config["dtype"] = name, true, dtypePolicy()
		obj := kerasObject("keras.layers", spec.Type, config)
		if len(layer.Params()) > 0 {
			obj["build_config"] = map[string]any{"input_shape": batchShape(layer.InShape())}
		}
		layers = append(layers, obj)
	}
	in := batchShape(m.InShape())
	e.json = map[string]any{
		"module": "keras", "class_name": "Sequential", "registered_name": nil,
		"config": map[string]any{
			"name": modelName, "trainable": true, "dtype": dtypePolicy(), "layers": layers, "build_input_shape": in,
		},
		"build_config": map[string]any{"input_shape": in},
	}
	return e, nil
}

// exportLayerConfig is a layer's Keras 3 config, without name, trainable and
// dtype; convplay's defaults made explicit.
func exportLayerConfig(s nn.LayerSpec) (map[string]any, error) {
	or := func(v, def int) int {
		if v == 0 {
			return def
		}
		return v
	}
	act := s.Activation
	if act == "" {
		act = "linear"
	}
	padding := s.Padding
	if padding == "" {
		padding = "valid"
	}
	switch s.Type {
	case "Conv2D":
		st := or(s.Strides, 1)
		return map[string]any{
			"filters": s.Filters, "kernel_size": []int{s.KernelSize, s.KernelSize}, "strides": []int{st, st},
			"padding": padding, "data_format": "channels_last", "dilation_rate": []int{1, 1}, "groups": 1,
			"activation": act, "use_bias": !s.NoBias, "kernel_initializer": initializer("GlorotUniform"),
			"bias_initializer": initializer("Zeros"), "kernel_regularizer": nil, "bias_regularizer": nil,
			"activity_regularizer": nil, "kernel_constraint": nil, "bias_constraint": nil,
		}, nil
	case "MaxPooling2D", "AveragePooling2D":
		p := or(s.PoolSize, 2)
		st := or(s.Strides, p)
		return map[string]any{"pool_size": []int{p, p}, "padding": padding, "strides": []int{st, st},
			"data_format": "channels_last"}, nil
	case "Flatten":
		return map[string]any{"data_format": "channels_last"}, nil
	case "Dense":
		return map[string]any{
			"units": s.Units, "activation": act, "use_bias": !s.NoBias,
			"kernel_initializer": initializer("GlorotUniform"), "bias_initializer": initializer("Zeros"),
			"kernel_regularizer": nil, "bias_regularizer": nil, "kernel_constraint": nil, "bias_constraint": nil,
		}, nil
	case "Dropout":
		return map[string]any{"rate": s.Rate, "seed": nil, "noise_shape": nil}, nil
	case "Activation":
		return map[string]any{"activation": act}, nil
	case "Rescaling":
		return map[string]any{"scale": s.Scale, "offset": s.Offset}, nil
	case "BatchNormalization":
		mom, eps := s.Momentum, s.Epsilon
		if mom == 0 {
			mom = 0.99
		}
		if eps == 0 {
			eps = 0.001
		}
		return map[string]any{
			"axis": -1, "momentum": mom, "epsilon": eps, "center": !s.NoCenter, "scale": !s.NoScale,
			"beta_initializer": initializer("Zeros"), "gamma_initializer": initializer("Ones"),
			"moving_mean_initializer": initializer("Zeros"), "moving_variance_initializer": initializer("Ones"),
			"beta_regularizer": nil, "gamma_regularizer": nil, "beta_constraint": nil, "gamma_constraint": nil,
			"synchronized": false,
		}, nil
	}
	return nil, fmt.Errorf("keras: layer %q (%s) cannot be exported: the export to Keras writes Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Dense, Dropout, Activation, Rescaling and BatchNormalization layers", s.Name, s.Type)
}
