package nn

import (
	"fmt"
	"math/rand/v2"
)

// LayerCheck describes one layer of a checked spec: its name and Keras type,
// its per-sample input and output shapes and its parameter count.
type LayerCheck struct {
	Spec    LayerSpec // with the name and Keras defaults filled in
	In, Out Shape
	Params  int
}

// SpecError is the first invalid layer of a spec: its 0-based index, its
// spec (name filled in), the input shape it was given and why it is wrong.
type SpecError struct {
	Index int
	Spec  LayerSpec
	In    Shape
	Err   error
}

func (e *SpecError) Error() string {
	return fmt.Sprintf("nn: layer %d (%s): %v", e.Index+1, e.Spec.Name, e.Err)
}

func (e *SpecError) Unwrap() error { return e.Err }

// CheckSpec walks spec as Build does, one layer at a time, and describes
// every layer up to the first invalid one, whose *SpecError it returns
// along with the layers before it. It keeps no weights: each layer is built
// and dropped. maxParams bounds the weights of one layer, checked before the
// layer is built, so a spec typed in by hand cannot make it allocate
// gigabytes. An empty input shape or layer list is a plain error.
func CheckSpec(spec ModelSpec, maxParams int) ([]LayerCheck, error) {
	if err := spec.checkFrame(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(0, 0)) // the weights are dropped: any seed
	in := Shape(spec.Input)
	used := map[string]int{}
	var out []LayerCheck
	for i, ls := range spec.Layers {
		if ls.Name == "" {
			ls.Name = autoName(ls.Type, used)
		}
		if n := weightCount(ls, in); n > maxParams {
			return out, &SpecError{Index: i, Spec: ls, In: in, Err: fmt.Errorf("%w: %d weights, more than %d", ErrTooManyWeights, n, maxParams)}
		}
		l, err := buildLayer(ls, in, rng)
		if err != nil {
			return out, &SpecError{Index: i, Spec: ls, In: in, Err: err}
		}
		out = append(out, LayerCheck{Spec: l.Spec(), In: in, Out: l.OutShape(), Params: ParamCount(l)})
		in = l.OutShape()
	}
	return out, nil
}

// ErrTooManyWeights is CheckSpec's error for a layer over its weight bound.
var ErrTooManyWeights = fmt.Errorf("layer too large")
