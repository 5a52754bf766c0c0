package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

func init() {
	registerLayer("Rescaling", func(spec LayerSpec, in Shape, _ *rand.Rand) (Layer, error) {
		if spec.Scale == 0 || math.IsNaN(spec.Scale) || math.IsInf(spec.Scale, 0) || math.IsNaN(spec.Offset) || math.IsInf(spec.Offset, 0) {
			return nil, fmt.Errorf("scale must be finite and nonzero and offset finite, got %v and %v", spec.Scale, spec.Offset)
		}
		return &rescaling{spec: spec, shape: append(Shape(nil), in...)}, nil
	})
}

// rescaling is Keras's Rescaling: y = x*scale + offset, e.g. scale 1/255
// to take 0-255 pixels to [0, 1].
type rescaling struct {
	spec  LayerSpec
	shape Shape     // any; the output has the input's shape
	y, dx []float32 // (N, ...) output and input gradient
}

func (r *rescaling) Spec() LayerSpec  { return r.spec }
func (r *rescaling) InShape() Shape   { return r.shape }
func (r *rescaling) OutShape() Shape  { return r.shape }
func (r *rescaling) Params() []*Param { return nil }

// Forward returns y = x*scale + offset.
func (r *rescaling) Forward(x []float32, n int, _ bool) []float32 {
	x = x[:n*r.shape.Size()]
	r.y = grow(r.y, len(x))
	s, o := float32(r.spec.Scale), float32(r.spec.Offset)
	for i, v := range x {
		r.y[i] = v*s + o
	}
	return r.y
}

// Backward returns dx = dy*scale.
func (r *rescaling) Backward(dy []float32) []float32 {
	r.dx = grow(r.dx, len(r.y))
	s := float32(r.spec.Scale)
	for i, v := range dy[:len(r.y)] {
		r.dx[i] = v * s
	}
	return r.dx
}
