package nn

import "fmt"

// UnitWeights returns what output unit u of a layer looks at: its weights
// over the layer's input, in the kernel's own layout without the unit axis
// (Keras puts the unit last: a Dense kernel is (in, units), a Conv2D
// kernel (K, K, C, F)), their shape, and its bias (0 without one). A Dense
// unit has one weight per input value; a Conv2D filter K*K*C, the same at
// every position of its input.
func UnitWeights(l Layer, u int) (w []float32, shape Shape, bias float32, err error) {
	spec := l.Spec()
	ps := l.Params()
	if len(ps) == 0 {
		return nil, nil, 0, fmt.Errorf("nn: layer %s (%s) has no weights", spec.Name, spec.Type)
	}
	k := ps[0]
	units := k.Shape[len(k.Shape)-1]
	if u < 0 || u >= units {
		return nil, nil, 0, fmt.Errorf("nn: unit %d does not exist: %s has %d", u, spec.Name, units)
	}
	w = make([]float32, len(k.W)/units)
	for i := range w {
		w[i] = k.W[i*units+u]
	}
	if len(ps) > 1 {
		bias = ps[1].W[u]
	}
	return w, append(Shape(nil), k.Shape[:len(k.Shape)-1]...), bias, nil
}

// InkArea is the percentage of x's values at or above threshold: for a
// standardized image and threshold (128 - mean) / std, the share of its
// pixels at least half dark, the regression lesson's target.
func InkArea(x []float32, threshold float32) float32 {
	if len(x) == 0 {
		return 0
	}
	n := 0
	for _, v := range x {
		if v >= threshold {
			n++
		}
	}
	return float32(100 * float64(n) / float64(len(x)))
}
