package nn

import (
	"fmt"
	"math/rand/v2"
)

func init() {
	registerLayer("Dropout", func(spec LayerSpec, in Shape, rng *rand.Rand) (Layer, error) {
		if !(spec.Rate >= 0 && spec.Rate < 1) {
			return nil, fmt.Errorf("rate must be in [0, 1), got %v", spec.Rate)
		}
		// Its own source, seeded from the model's, so that a model built from
		// the same seed drops the same units in the same order.
		src := rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))
		return &dropout{spec: spec, shape: append(Shape(nil), in...), rng: src}, nil
	})
}

// dropout is Keras's Dropout, inverted: in training each value is zeroed
// with probability Rate and the survivors are scaled by 1/(1-Rate), so the
// expected output equals the input; at inference it is the identity.
type dropout struct {
	spec  LayerSpec
	shape Shape // any; the output has the input's shape
	rng   *rand.Rand
	mask  []float32 // (N, ...) 0 or 1/(1-Rate) per value of the last training Forward
	y, dx []float32 // (N, ...) output and input gradient
	train bool      // whether the last Forward applied a mask
}

func (d *dropout) Spec() LayerSpec  { return d.spec }
func (d *dropout) InShape() Shape   { return d.shape }
func (d *dropout) OutShape() Shape  { return d.shape }
func (d *dropout) Params() []*Param { return nil }

// Forward draws a fresh mask and returns y = x * mask when training; at
// inference (or with Rate 0) it returns x itself.
func (d *dropout) Forward(x []float32, n int, training bool) []float32 {
	x = x[:n*d.shape.Size()]
	d.train = training && d.spec.Rate > 0
	if !d.train {
		return x
	}
	scale := float32(1 / (1 - d.spec.Rate))
	d.mask = grow(d.mask, len(x))
	d.y = grow(d.y, len(x))
	for i, v := range x {
		if d.rng.Float64() < d.spec.Rate {
			d.mask[i], d.y[i] = 0, 0
		} else {
			d.mask[i], d.y[i] = scale, v*scale
		}
	}
	return d.y
}

// Backward returns dx = dy * mask, the gradient through the kept units.
func (d *dropout) Backward(dy []float32) []float32 {
	if !d.train {
		return dy
	}
	d.dx = grow(d.dx, len(d.mask))
	for i, m := range d.mask {
		d.dx[i] = dy[i] * m
	}
	return d.dx
}
