package nn

import (
	"fmt"
	"math/rand/v2"
)

func init() {
	registerLayer("Flatten", func(spec LayerSpec, in Shape, _ *rand.Rand) (Layer, error) {
		if len(in) == 0 {
			return nil, fmt.Errorf("Flatten needs an input with at least 1 axis")
		}
		return &flatten{spec: spec, in: append(Shape(nil), in...), out: Shape{in.Size()}}, nil
	})
}

// flatten is Keras's Flatten: (H, W, C) -> (H*W*C). Activations are NHWC, so
// each sample's values already lie in Keras's (h, w, c) order and both passes
// return their argument unchanged, without a copy.
type flatten struct {
	spec    LayerSpec
	in, out Shape // (H, W, C) and (H*W*C)
}

func (f *flatten) Spec() LayerSpec  { return f.spec }
func (f *flatten) InShape() Shape   { return f.in }
func (f *flatten) OutShape() Shape  { return f.out }
func (f *flatten) Params() []*Param { return nil }

// Forward returns x itself: the same values, seen as (N, H*W*C).
func (f *flatten) Forward(x []float32, n int, _ bool) []float32 { return x[:n*f.out[0]] }

// Backward returns dy itself: the same values, seen as (N, H, W, C).
func (f *flatten) Backward(dy []float32) []float32 { return dy }
