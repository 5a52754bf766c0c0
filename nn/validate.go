package nn

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Checking a model before it replaces the one in use. A file can be
// well-formed and its model still unusable: a weight that is NaN or
// infinite, a layer whose output is empty or too large to allocate, an
// input or output that is not the data set's. Load, LoadWeights and
// ImportNPZ refuse the first two kinds themselves, before a weight is
// written; ValidateFor checks all of it against a data set.

// ModelError is a model that is well-formed but cannot be used: a weight
// that is not a finite number, a layer's output out of bounds, or an input
// or output that does not fit the data. Its text is one line that names
// the layer and parameter, or the two shapes that differ.
type ModelError string

func (e ModelError) Error() string { return "nn: " + string(e) }

func modelErrorf(format string, args ...any) error { return ModelError(fmt.Sprintf(format, args...)) }

// Validate checks what every usable model has, whatever its data: every
// layer's output (and the model's input) has dimensions of at least 1 and
// at most maxActivation values per sample, counted without overflow; and
// every weight is a finite number. (Build has bounded every kernel, stride
// and pool size.)
func Validate(m *Model) error {
	if len(m.Layers) == 0 {
		return ModelError("the model has no layers")
	}
	if err := checkShapes(m); err != nil {
		return err
	}
	for li, l := range m.Layers {
		for _, p := range l.Params() {
			if i := firstNonFinite(p.W); i >= 0 {
				return notFinite(fmt.Sprintf("layer %d (%s) %s", li+1, l.Spec().Name, p.Name), p.W[i], i, len(p.W))
			}
		}
	}
	return nil
}

// ValidateFor is Validate for a data set whose samples have the shape input
// (28x28x1 for Fashion-MNIST and MNIST) and whose labels are 0..classes-1:
// the model must take exactly that input and output a vector of classes
// scores. Run it before a loaded model replaces the current one.
func ValidateFor(m *Model, input Shape, classes int) error {
	if err := Validate(m); err != nil {
		return err
	}
	if in := m.InShape(); !in.Equal(input) {
		return modelErrorf("the model takes inputs of shape %v, but the data set's images are %v", in, input)
	}
	out := m.OutShape()
	switch {
	case out.Equal(Shape{classes}):
		return nil
	case len(out) == 1:
		return modelErrorf("the model outputs %d class scores, but the data set has %d classes", out[0], classes)
	default:
		return modelErrorf("the model outputs %v, not a vector of scores for the data set's %d classes", out, classes)
	}
}

// ValidateForMaps is Validate for a segmentation task whose inputs have
// the shape input (H, W, C) and whose pixels are labelled 0..classes-1: the
// model must take exactly that input and output a map (H, W, classes), one
// score per class at every input pixel (a fully convolutional network, as
// the fcn preset).
func ValidateForMaps(m *Model, input Shape, classes int) error {
	if err := Validate(m); err != nil {
		return err
	}
	if in := m.InShape(); !in.Equal(input) {
		return modelErrorf("the model takes inputs of shape %v, but the scenes are %v", in, input)
	}
	if len(input) != 3 {
		return modelErrorf("scenes of shape %v are not (height, width, channels) maps", input)
	}
	want := Shape{input[0], input[1], classes}
	if out := m.OutShape(); !out.Equal(want) {
		return modelErrorf("the model outputs %v, not a map %v of scores for each pixel's %d classes", out, want, classes)
	}
	return nil
}

// checkShapes checks the model's input and every layer's output with
// checkShape, naming the layer. Build has already bounded every kernel,
// stride and pool size (geometry.go's checkWindow).
func checkShapes(m *Model) error {
	if why := checkShape(m.InShape()); why != "" {
		return modelErrorf("the model's input %v %s", m.InShape(), why)
	}
	for i, l := range m.Layers {
		if why := checkShape(l.OutShape()); why != "" {
			return modelErrorf("layer %d (%s) outputs %v: %s", i+1, l.Spec().Name, l.OutShape(), why)
		}
	}
	return nil
}

// checkWindows bounds a spec's kernel, stride and pool sizes with
// geometry.go's checkWindow before anything sizes the model from it
// (checkBuildCost, Build): a stride near 2^64/28 wraps 28*S around to a
// small, plausible size.
func checkWindows(spec ModelSpec) error {
	used := map[string]int{}
	for i, ls := range spec.Layers {
		if ls.Name == "" {
			ls.Name = autoName(ls.Type, used)
		}
		for _, f := range []struct {
			name string
			v    int
		}{{"kernel_size", ls.KernelSize}, {"strides", ls.Strides}, {"pool_size", ls.PoolSize}} {
			if err := checkWindow(f.name, f.v); err != nil {
				return modelErrorf("layer %d (%s): %v", i+1, ls.Name, err)
			}
		}
	}
	return nil
}

// checkShape says what is wrong with one sample's activation shape s, or
// returns "": it needs at least one dimension, each at least 1, and at most
// maxActivation values, a product computed so that it cannot overflow.
func checkShape(s Shape) string {
	if len(s) == 0 {
		return "has no dimensions"
	}
	size := 1
	for _, d := range s {
		if d < 1 {
			return "a dimension is below 1"
		}
		if size > maxActivation/d {
			return fmt.Sprintf("more than %d values per sample", maxActivation)
		}
		size *= d
	}
	return ""
}

// firstNonFinite returns the index of the first NaN or infinity in w, or -1.
func firstNonFinite(w []float32) int {
	for i, v := range w {
		if math.Float32bits(v)&expMask == expMask {
			return i
		}
	}
	return -1
}

// firstNonFiniteRaw is firstNonFinite on little-endian float32 bytes.
func firstNonFiniteRaw(raw []byte) int {
	for i := 0; i+4 <= len(raw); i += 4 {
		if binary.LittleEndian.Uint32(raw[i:])&expMask == expMask {
			return i / 4
		}
	}
	return -1
}

// expMask is float32's exponent field: all ones in NaN and the infinities.
const expMask = 0x7f800000

// notFinite is the error for the non-finite value v at index i of the n
// values of what ("layer 6 (dense) kernel").
func notFinite(what string, v float32, i, n int) error {
	name := "NaN"
	switch {
	case math.IsInf(float64(v), 1):
		name = "+Inf"
	case math.IsInf(float64(v), -1):
		name = "-Inf"
	}
	return modelErrorf("%s has a %s weight (index %d of %d): every weight must be a finite number", what, name, i, n)
}

// checkFinite refuses a file's arrays, already matched to m's parameters by
// checkArrays, when one holds a NaN or an infinity, naming its layer and
// parameter.
func (m *Model) checkFinite(arrays []savedArray) error {
	i := 0
	for li, l := range m.Layers {
		for _, p := range l.Params() {
			a := arrays[i]
			if j := a.firstNonFinite(); j >= 0 {
				return notFinite(fmt.Sprintf("layer %d (%s) %s", li+1, l.Spec().Name, p.Name), a.at(j), j, a.len())
			}
			i++
		}
	}
	return nil
}
