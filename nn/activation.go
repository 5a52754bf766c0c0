package nn

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"convplay/nn/internal/kernel"
)

// Activation is an element-wise (softmax: row-wise) nonlinearity. Conv2D,
// Conv2DTranspose and Dense apply one to their output, as Keras's activation
// argument does; the Activation layer applies one on its own.
type Activation uint8

const (
	Linear Activation = iota
	ReLU
	Sigmoid
	Tanh
	Softmax // over the last axis: D for vectors, C for feature maps
)

var activationNames = [...]string{Linear: "linear", ReLU: "relu", Sigmoid: "sigmoid", Tanh: "tanh", Softmax: "softmax"}

func (a Activation) String() string { return activationNames[a] }

// ParseActivation maps a Keras activation name to an Activation; "" is linear.
func ParseActivation(name string) (Activation, error) {
	if name == "" {
		return Linear, nil
	}
	for a, n := range activationNames {
		if n == name {
			return Activation(a), nil
		}
	}
	return 0, fmt.Errorf("unknown activation %q (want linear, relu, sigmoid, tanh or softmax)", name)
}

// activationChunk is about how many values one chunk of kernel.ParallelFor
// takes: each value is touched once, so a chunk must be large to pay for the
// hand-over, and whole rows, for softmax.
const activationChunk = 1 << 14

// activationTask is Activation.forward or backward on kernel.ParallelFor, a
// chunk of rowsPer rows of dim values each. Chunks write disjoint rows, so
// the result does not depend on the number of workers.
type activationTask struct {
	a            Activation
	backward     bool
	dst, src, y  []float32 // forward: y = a(src) into dst; backward: dz = dst, dy = src, y
	bias         []float32 // forward: added to every row of src first, unless nil
	dim, rowsPer int
}

// activationWork is the one activationTask handed to the pool, so that a
// call allocates nothing.
var activationWork struct {
	mu   sync.Mutex
	task activationTask
}

func (t *activationTask) RunChunk(_, chunk int) {
	lo := chunk * t.rowsPer * t.dim
	t.run(lo, min(lo+t.rowsPer*t.dim, len(t.src)))
}

// run is the task on the values [lo, hi).
func (t *activationTask) run(lo, hi int) {
	if t.backward {
		t.a.backwardRows(t.dst[lo:hi], t.src[lo:hi], t.y[lo:hi], t.dim)
	} else {
		if t.bias != nil {
			addBias(t.src[lo:hi], t.bias)
		}
		t.a.forwardRows(t.dst[lo:hi], t.src[lo:hi], t.dim)
	}
}

// activationParallel runs forwardRows (backward false, after adding bias
// to src's rows unless it is nil) or backwardRows over chunks of whole rows
// on kernel.ParallelFor; small inputs run inline.
func (a Activation) activationParallel(backward bool, dst, src, y, bias []float32, dim int) {
	t := activationTask{a: a, backward: backward, dst: dst, src: src, y: y, bias: bias, dim: dim}
	t.rowsPer = max(1, activationChunk/dim)
	rows := (len(src) + dim - 1) / dim
	chunks := (rows + t.rowsPer - 1) / t.rowsPer
	workers := kernel.MaxWorkers()
	if chunks <= 1 || workers <= 1 {
		t.run(0, len(src))
		return
	}
	activationWork.mu.Lock()
	defer activationWork.mu.Unlock()
	activationWork.task = t
	kernel.ParallelFor(workers, chunks, &activationWork.task)
	activationWork.task = activationTask{}
}

// forward sets y = a(z) for rows of dim values. y and z may be the same
// slice. Large batches are spread over kernel.ParallelFor by whole rows.
func (a Activation) forward(y, z []float32, dim int) {
	a.activationParallel(false, y[:len(z)], z, nil, nil, dim)
}

// forwardBias adds bias (dim values) to every row of z, then sets y = a(z),
// in one pass: forward after addBias(z, bias).
func (a Activation) forwardBias(y, z, bias []float32, dim int) {
	a.activationParallel(false, y[:len(z)], z, nil, bias[:dim], dim)
}

// forwardRows is forward on one goroutine.
func (a Activation) forwardRows(y, z []float32, dim int) {
	y = y[:len(z)]
	switch a {
	case Linear:
		copy(y, z)
	case ReLU:
		kernel.ReLUForward(y, z)
	case Sigmoid:
		for i, v := range z {
			y[i] = float32(1 / (1 + portableExp(-float64(v))))
		}
	case Tanh:
		for i, v := range z {
			y[i] = float32(portableTanh(float64(v)))
		}
	case Softmax:
		for r := 0; r < len(z); r += dim {
			softmaxRow(y[r:r+dim], z[r:r+dim])
		}
	}
}

// softmaxRow sets y = exp(z - max z) / sum, summing in float64 so that the
// probabilities add up to 1 within float32 rounding.
func softmaxRow(y, z []float32) {
	m := z[0]
	for _, v := range z[1:] {
		m = max(m, v)
	}
	var sum float64
	for i, v := range z {
		e := portableExp(float64(v - m))
		y[i] = float32(e)
		sum += e
	}
	inv := 1 / sum
	for i := range y {
		y[i] = float32(float64(y[i]) * inv)
	}
}

// backward sets dz = dy * a'(z), computed from the output y = a(z). dz and dy
// may be the same slice. ReLU'(0) is 0: a unit that outputs exactly 0 passes
// no gradient, as in TensorFlow and PyTorch. Large batches are spread over
// kernel.ParallelFor by whole rows.
func (a Activation) backward(dz, dy, y []float32, dim int) {
	a.activationParallel(true, dz[:len(dy)], dy, y[:len(dy)], nil, dim)
}

// backwardRows is backward on one goroutine.
func (a Activation) backwardRows(dz, dy, y []float32, dim int) {
	dz, y = dz[:len(dy)], y[:len(dy)]
	switch a {
	case Linear:
		copy(dz, dy)
	case ReLU:
		kernel.ReLUBackward(dz, dy, y)
	case Sigmoid:
		for i, g := range dy {
			dz[i] = g * y[i] * (1 - y[i])
		}
	case Tanh:
		for i, g := range dy {
			dz[i] = g * (1 - float32(y[i]*y[i]))
		}
	case Softmax:
		// dz_i = y_i (dy_i - sum_j y_j dy_j): the Jacobian-vector product.
		for r := 0; r < len(dy); r += dim {
			yr, gr := y[r:r+dim], dy[r:r+dim]
			var dot float64
			for i := range gr {
				dot += float64(float64(yr[i]) * float64(gr[i]))
			}
			for i := range gr {
				dz[r+i] = yr[i] * (gr[i] - float32(dot))
			}
		}
	}
}

func init() {
	registerLayer("Activation", func(spec LayerSpec, in Shape, _ *rand.Rand) (Layer, error) {
		if spec.Activation == "" {
			return nil, fmt.Errorf("Activation layer needs an activation (linear, relu, sigmoid, tanh or softmax)")
		}
		act, err := ParseActivation(spec.Activation)
		if err != nil {
			return nil, err
		}
		if len(in) == 0 {
			return nil, fmt.Errorf("Activation needs an input with at least 1 axis")
		}
		return &activationLayer{spec: spec, shape: append(Shape(nil), in...), act: act}, nil
	})
}

// activationLayer is Keras's Activation layer: y = a(x) on its own, with
// softmax over the last axis. It is an activatedLayer whose logits are its
// input, so Activation('softmax') at the end of a model is fused with
// cross-entropy like a Dense softmax.
type activationLayer struct {
	spec  LayerSpec
	shape Shape // any; the output has the input's shape
	act   Activation
	x     []float32 // (N, ...) input of the last Forward, owned by the layer before
	y, dx []float32 // (N, ...) output and input gradient
}

func (l *activationLayer) Spec() LayerSpec        { return l.spec }
func (l *activationLayer) InShape() Shape         { return l.shape }
func (l *activationLayer) OutShape() Shape        { return l.shape }
func (l *activationLayer) Params() []*Param       { return nil }
func (l *activationLayer) activation() Activation { return l.act }
func (l *activationLayer) logits() []float32      { return l.x }

// Forward returns y = a(x).
func (l *activationLayer) Forward(x []float32, n int, _ bool) []float32 {
	l.x = x[:n*l.shape.Size()]
	l.y = grow(l.y, len(l.x))
	l.act.forward(l.y, l.x, l.shape[len(l.shape)-1])
	return l.y
}

// Backward returns dx = dy * a'(x).
func (l *activationLayer) Backward(dy []float32) []float32 {
	l.dx = grow(l.dx, len(l.y))
	l.act.backward(l.dx, dy, l.y, l.shape[len(l.shape)-1])
	return l.dx
}

// backwardLogits returns dz itself, copied: the logits are the input.
func (l *activationLayer) backwardLogits(dz []float32) []float32 {
	l.dx = grow(l.dx, len(l.y))
	copy(l.dx, dz)
	return l.dx
}
