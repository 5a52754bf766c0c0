// Package keras reads Keras model files into convplay: a Keras 2 or Keras 3
// full-model .h5 (model.save("x.h5"), ModelCheckpoint) and a Keras 3 .keras
// zip. The architecture comes from the file's model config, converted to an
// nn.ModelSpec; the weights from the file's HDF5 datasets, found the way
// Keras's own saving code stores them (see weights.go). Everything is read
// and checked (layers supported, shapes, finite weights) before a model is
// returned. Layers outside Supported are refused with an UnsupportedError
// that names the layer.
package keras

import (
	"bytes"
	"errors"
	"fmt"
	"math"

	"convplay/nn"
)

const (
	maxLayers    = 1000
	maxFileBytes = 1 << 30
)

// FormatError reports a file that is not a Keras model file or is damaged.
type FormatError struct{ Msg string }

func (e *FormatError) Error() string { return "keras: invalid model file: " + e.Msg }

func formatErrorf(format string, args ...any) error {
	return &FormatError{Msg: fmt.Sprintf(format, args...)}
}

// UnsupportedError reports a well-formed model that convplay cannot run: a
// layer (or model) of a class or with a setting it does not have.
type UnsupportedError struct {
	Layer  string // the Keras layer (or model) name
	Class  string // its Keras class
	Reason string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("keras: layer %q (%s) is not supported: %s. convplay reads %s", e.Layer, e.Class, e.Reason, Supported)
}

// Info describes a file that was read.
type Info struct {
	Format       string // "Keras 2 .h5", "Keras 3 .h5", "Keras 3 .keras" or "Keras 2 .keras" (tf.keras 2.13 to 2.15)
	KerasVersion string // as the file records it, "" if it does not
	// Logits is true when the model ends in a layer without an activation:
	// its outputs are scores, and probabilities are their softmax
	// (nn.ModelSpec.OutputsLogits).
	Logits bool
	// Skipped lists the layers left out because they change images only
	// in training ("random_flip (RandomFlip)"), in the file's order.
	Skipped []string
	// ScalingKnown is true when the file itself says what the input is (a
	// Rescaling layer first: the model takes 0-255 pixels, nn.Raw);
	// otherwise the spec's InputScaling is the default, and a caller should
	// ask or take the user's answer.
	ScalingKnown bool
}

// Read reads a Keras model file held in data: a .keras zip or an .h5
// (told apart by their first bytes, not by a name).
func Read(data []byte) (*nn.Model, *Info, error) {
	if len(data) > maxFileBytes {
		return nil, nil, formatErrorf("larger than %d bytes", maxFileBytes)
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return readKeras(data)
	}
	if bytes.HasPrefix(data, []byte("\x89HDF\r\n\x1a\n")) {
		return readH5(data)
	}
	return nil, nil, formatErrorf("neither an HDF5 (.h5) nor a zip (.keras) file")
}

// maxActivation bounds the values of one sample's activation at any layer.
const maxActivation = 1 << 24

// build converts a model config and fetches its weights with get, which
// returns the arrays of one layer (nil for a layer without weights) in
// Keras's order for that layer, found by its places (nested.go). weightBytes, the size of the HDF5 file the
// weights are in, bounds the weights the config may declare (two bytes a
// weight, float16's), so that a small file cannot make Build allocate
// gigabytes.
func build(config []byte, weightBytes int, get func(c converted) ([][]float32, [][]int, error)) (*nn.Model, *Info, error) {
	mj, err := parseModel(config)
	if err != nil {
		return nil, nil, err
	}
	layers, err := flatten(mj, nil, 0, true)
	if err != nil {
		return nil, nil, err
	}
	spec, conv, err := toSpec(mj, layers)
	if err != nil {
		return nil, nil, qualify(err, layers)
	}
	budget := weightBytes / 2
	checks, err := nn.CheckSpec(spec, budget)
	if err != nil {
		var se *nn.SpecError
		if errors.As(err, &se) {
			if errors.Is(err, nn.ErrTooManyWeights) {
				return nil, nil, formatErrorf("layer %q declares more weights than the file holds", se.Spec.Name)
			}
			return nil, nil, qualify(&UnsupportedError{Layer: se.Spec.Name, Class: se.Spec.Type, Reason: se.Err.Error()}, layers)
		}
		return nil, nil, err
	}
	total := 0
	for _, c := range checks {
		total += c.Params
		if c.In.Size() > maxActivation || c.Out.Size() > maxActivation {
			return nil, nil, &UnsupportedError{Layer: c.Spec.Name, Class: c.Spec.Type,
				Reason: fmt.Sprintf("its input %v or output %v has more than %d values", c.In, c.Out, maxActivation)}
		}
	}
	if total > budget {
		return nil, nil, formatErrorf("the model declares %d weights, more than the file holds", total)
	}
	if err := checkAxes(conv, checks); err != nil {
		return nil, nil, qualify(err, layers)
	}
	m, err := nn.Build(spec, 0)
	if err != nil {
		return nil, nil, err
	}
	li := 0
	for _, c := range conv {
		if c.spec == nil {
			continue
		}
		layer := m.Layers[li]
		li++
		params := layer.Params()
		if len(params) == 0 {
			continue
		}
		arrays, shapes, err := get(c)
		if err != nil {
			return nil, nil, err
		}
		if len(arrays) != len(params) {
			return nil, nil, formatErrorf("layer %q has %d weight arrays in the file, convplay's %s has %d", c.keras.Name, len(arrays), c.spec.Type, len(params))
		}
		for i, p := range params {
			if !nn.Shape(shapes[i]).Equal(p.Shape) {
				return nil, nil, formatErrorf("layer %q %s is %v in the file, its config makes it %v", c.keras.Name, p.Name, shapes[i], p.Shape)
			}
			for _, v := range arrays[i] {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					return nil, nil, formatErrorf("layer %q %s holds a value that is not finite (%v)", c.keras.Name, p.Name, v)
				}
				if v < 0 && p.Name == "moving_variance" {
					return nil, nil, formatErrorf("layer %q moving_variance holds a negative variance (%v)", c.keras.Name, v)
				}
			}
		}
		for i, p := range params {
			copy(p.W, arrays[i])
		}
	}
	info := &Info{Logits: m.Spec.OutputsLogits(), ScalingKnown: m.Spec.InputScaling == nn.Raw}
	for _, c := range conv {
		if augmentation[c.keras.ClassName] {
			info.Skipped = append(info.Skipped, fmt.Sprintf("%s (%s)", c.keras.Name, c.keras.ClassName))
		}
	}
	return m, info, nil
}

// checkAxes checks BatchNormalization's axis against its input's rank: Keras
// counts the batch axis, so the last axis of an (H, W, C) input is 3.
func checkAxes(conv []converted, checks []nn.LayerCheck) error {
	i := 0
	for _, c := range conv {
		if c.spec == nil {
			continue
		}
		if c.spec.Type == "BatchNormalization" {
			ax := trimAxis(c.keras.Config.Axis)
			if rank := len(checks[i].In); ax != "" && ax != "-1" && ax != fmt.Sprint(rank) {
				return &UnsupportedError{Layer: c.keras.Name, Class: c.keras.ClassName,
					Reason: fmt.Sprintf("axis %s of a rank-%d input; convplay normalizes the last (channel) axis", ax, rank+1)}
			}
		}
		i++
	}
	return nil
}
