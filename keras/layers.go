package keras

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"convplay/nn"
)

// Supported lists the Keras layer classes convplay reads, for messages.
const Supported = "InputLayer, Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Dense, Dropout, Activation, " +
	"Softmax, Rescaling, BatchNormalization and a Reshape of the input, " +
	"in a Sequential model or a Functional one that is a straight chain, models nested in it included " +
	"(data augmentation layers, which change images only in training, are left out)"

// augmentation are the Keras layers that change their input only while
// training (data augmentation and noise): at inference each returns its
// input, so convplay leaves them out (Info.Skipped says which). Student
// models often start with some (Keras's image classification tutorials).
var augmentation = map[string]bool{
	"RandomFlip": true, "RandomRotation": true, "RandomZoom": true, "RandomTranslation": true,
	"RandomContrast": true, "RandomBrightness": true, "GaussianNoise": true, "GaussianDropout": true,
	"AlphaDropout": true, "ActivityRegularization": true,
}

// activations nn has, by Keras name.
var activations = map[string]string{"linear": "linear", "relu": "relu", "sigmoid": "sigmoid", "tanh": "tanh", "softmax": "softmax"}

// converted is one Keras layer as convplay layers: spec is nil for a layer
// that does nothing at inference here (InputLayer, a channel Reshape, data
// augmentation).
type converted struct {
	keras layerJSON
	spec  *nn.LayerSpec
}

// toSpec turns the chain of Keras layers into an nn.ModelSpec, tracking the
// shape to check each layer; the input comes from the InputLayer (or the
// first layer's batch_input_shape, or the model's build shape). An input
// of (H, W) becomes (H, W, 1): the same values in the same order.
func toSpec(m *modelJSON, layers []layerJSON) (nn.ModelSpec, []converted, error) {
	var spec nn.ModelSpec
	var input []*int
	switch {
	case layers[0].ClassName == "InputLayer":
		input = layers[0].Config.BatchInputShape
		if input == nil {
			input = layers[0].Config.BatchShape
		}
	case layers[0].Config.BatchInputShape != nil:
		input = layers[0].Config.BatchInputShape
	case m.Config.BuildInputShape != nil:
		input = m.Config.BuildInputShape
	default:
		input = m.BuildConfig.InputShape
	}
	if len(input) < 2 {
		return spec, nil, formatErrorf("the model config gives no input shape")
	}
	var shape []int
	for _, d := range input[1:] {
		if d == nil {
			return spec, nil, &UnsupportedError{Layer: layers[0].Name, Class: layers[0].ClassName,
				Reason: fmt.Sprintf("its input shape %s has a size left open (None); convplay needs fixed sizes such as (28, 28, 1)", shapeString(input))}
		}
		if *d <= 0 || *d > 1<<16 {
			return spec, nil, formatErrorf("input dimension %d", *d)
		}
		shape = append(shape, *d)
	}
	if len(shape) == 2 {
		shape = append(shape, 1)
	}
	if len(shape) != 1 && len(shape) != 3 {
		return spec, nil, &UnsupportedError{Layer: layers[0].Name, Class: layers[0].ClassName,
			Reason: fmt.Sprintf("its input shape %v is neither an image (H, W) or (H, W, C) nor a vector", shape)}
	}
	spec.Input = shape
	var out []converted
	for i, l := range layers {
		var ls *nn.LayerSpec
		var err error
		if l.ClassName == "InputLayer" {
			if i != 0 {
				return spec, nil, &UnsupportedError{Layer: l.Name, Class: l.ClassName, Reason: "a second input"}
			}
		} else if l.ClassName == "Reshape" {
			err = reshape(&spec, l, len(out) == countNil(out))
		} else if !augmentation[l.ClassName] {
			ls, err = layerSpec(l)
		}
		if err != nil {
			return spec, nil, err
		}
		out = append(out, converted{keras: l, spec: ls})
		if ls != nil {
			spec.Layers = append(spec.Layers, *ls)
		}
	}
	if len(spec.Layers) == 0 {
		return spec, nil, formatErrorf("the model has no layers that compute anything")
	}
	if first := spec.Layers[0]; first.Type == "Rescaling" {
		spec.InputScaling = nn.Raw // the model scales the pixels itself
	}
	return spec, out, nil
}

func countNil(cs []converted) int {
	n := 0
	for _, c := range cs {
		if c.spec == nil {
			n++
		}
	}
	return n
}

// reshape accepts a Reshape before any computing layer: it keeps the
// values in their order, so it only changes the model's input shape
// (Keras tutorials reshape (28, 28) to (28, 28, 1), or (784) to
// (28, 28, 1)). A target of (H, W) becomes (H, W, 1). Anything else, such
// as a Reshape between layers, is refused.
func reshape(spec *nn.ModelSpec, l layerJSON, atInput bool) error {
	t := append([]int(nil), l.Config.TargetShape...)
	size := 1
	for _, d := range t {
		if d <= 0 || d > 1<<16 {
			size = -1 // -1 (inferred) and absurd sizes: refused below
			break
		}
		size *= d
	}
	if len(t) == 2 {
		t = append(t, 1)
	}
	if !atInput || size != nn.Shape(spec.Input).Size() || (len(t) != 1 && len(t) != 3) {
		return &UnsupportedError{Layer: l.Name, Class: l.ClassName,
			Reason: fmt.Sprintf("it reshapes %v to %v; convplay reads a Reshape only at the input, to a fixed image (H, W, C) or vector shape of as many values", spec.Input, l.Config.TargetShape)}
	}
	spec.Input = t
	return nil
}

// layerSpec converts one computing layer.
func layerSpec(l layerJSON) (*nn.LayerSpec, error) {
	c := l.Config
	no := func(format string, args ...any) error {
		return &UnsupportedError{Layer: l.Name, Class: l.ClassName, Reason: fmt.Sprintf(format, args...)}
	}
	if c.DataFormat != nil && *c.DataFormat != "channels_last" {
		return nil, no("data_format %q; convplay reads channels_last", *c.DataFormat)
	}
	ls := &nn.LayerSpec{Type: l.ClassName, Name: l.Name}
	act := func() error {
		a, err := activation(c.Activation)
		if err != nil {
			return no("%v", err)
		}
		ls.Activation = a
		return nil
	}
	padding := func() error {
		switch c.Padding {
		case "valid", "same":
			ls.Padding = c.Padding
			return nil
		case "":
			ls.Padding = "valid"
			return nil
		}
		return no("padding %q; convplay reads valid and same", c.Padding)
	}
	square := func(what string, p pair) (int, error) {
		if p.a != p.b {
			return 0, no("%s (%d, %d) is not square; convplay reads square sizes", what, p.a, p.b)
		}
		if p.a <= 0 || p.a > 1<<12 {
			return 0, no("%s %d", what, p.a)
		}
		return p.a, nil
	}
	var err error
	switch l.ClassName {
	case "Conv2D":
		if c.DilationRate.set && (c.DilationRate.a != 1 || c.DilationRate.b != 1) {
			return nil, no("dilation_rate (%d, %d); convplay reads 1", c.DilationRate.a, c.DilationRate.b)
		}
		if c.Groups > 1 {
			return nil, no("groups %d; convplay reads 1", c.Groups)
		}
		if c.Filters <= 0 {
			return nil, no("filters %d", c.Filters)
		}
		ls.Filters = c.Filters
		if ls.KernelSize, err = square("kernel_size", c.KernelSize); err != nil {
			return nil, err
		}
		ls.Strides = 1
		if c.Strides.set {
			if ls.Strides, err = square("strides", c.Strides); err != nil {
				return nil, err
			}
		}
		ls.NoBias = c.UseBias != nil && !*c.UseBias
		if err := padding(); err != nil {
			return nil, err
		}
		return ls, act()
	case "MaxPooling2D", "AveragePooling2D":
		if ls.PoolSize, err = square("pool_size", c.PoolSize); err != nil {
			return nil, err
		}
		ls.Strides = ls.PoolSize
		if c.Strides.set {
			if ls.Strides, err = square("strides", c.Strides); err != nil {
				return nil, err
			}
		}
		return ls, padding()
	case "Flatten":
		return ls, nil
	case "Dense":
		if c.Units <= 0 {
			return nil, no("units %d", c.Units)
		}
		ls.Units = c.Units
		ls.NoBias = c.UseBias != nil && !*c.UseBias
		return ls, act()
	case "Dropout":
		ls.Rate = c.Rate
		return ls, nil
	case "Activation":
		return ls, act()
	case "Softmax":
		if ax := strings.TrimSpace(string(c.Axis)); ax != "" && ax != "-1" && ax != "null" {
			return nil, no("axis %s; convplay applies softmax over the last axis (-1)", ax)
		}
		ls.Type, ls.Activation = "Activation", "softmax"
		return ls, nil
	case "Rescaling":
		scale, err1 := scalar(c.Scale)
		offset, err2 := scalar(c.Offset)
		if err1 != nil || err2 != nil {
			return nil, no("scale and offset must be single numbers (per-channel values are not read)")
		}
		ls.Scale, ls.Offset = scale, offset
		return ls, nil
	case "BatchNormalization":
		if ax := trimAxis(c.Axis); strings.Contains(ax, ",") {
			return nil, no("axis %s; convplay normalizes the last (channel) axis only", ax)
		}
		if c.Momentum != nil {
			ls.Momentum = *c.Momentum
		}
		if c.Epsilon != nil {
			ls.Epsilon = *c.Epsilon
		}
		ls.NoCenter = c.Center != nil && !*c.Center
		var scale bool
		if len(c.Scale) > 0 && json.Unmarshal(c.Scale, &scale) == nil {
			ls.NoScale = !scale
		}
		return ls, nil
	}
	return nil, no("it is not a layer convplay has")
}

// activation reads a layer's activation: a name, or Keras 3's serialized
// {"class_name": "function", "config": "relu"}; empty is linear.
func activation(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "linear", nil
	}
	var name string
	if err := json.Unmarshal(raw, &name); err != nil {
		var obj struct {
			Config json.RawMessage `json:"config"`
		}
		if json.Unmarshal(raw, &obj) != nil || json.Unmarshal(obj.Config, &name) != nil {
			return "", fmt.Errorf("activation %s is not one convplay knows (linear, relu, sigmoid, tanh, softmax)", raw)
		}
	}
	if a, ok := activations[name]; ok {
		return a, nil
	}
	return "", fmt.Errorf("activation %q; convplay has linear, relu, sigmoid, tanh and softmax", name)
}

func scalar(raw json.RawMessage) (float64, error) {
	if len(raw) == 0 {
		return 0, nil
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil {
		return 0, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("not finite")
	}
	return v, nil
}

func shapeString(s []*int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		if d == nil {
			parts[i] = "None"
		} else {
			parts[i] = fmt.Sprint(*d)
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// trimAxis is an axis argument as text without brackets: -1, [3] -> "3".
func trimAxis(raw json.RawMessage) string {
	s := strings.Trim(strings.TrimSpace(string(raw)), "[] ")
	if s == "null" {
		return ""
	}
	return s
}
