package nn

import (
	"fmt"
	"math"
	"sync"
)

// ComputeGradients runs one training pass over a batch of n samples: it
// zeroes the gradients, runs Forward in training mode, computes the loss
// against the targets y and back-propagates, leaving in each Param.G the
// gradient of the batch's mean loss. It returns that mean loss and how many
// samples were classified correctly. The targets must be valid
// (CheckTargets). It allocates nothing once the layers have seen a batch of
// n samples. When a GradientFunc is set (SetGradientFunc), it runs that
// instead: the Trainer's batches are then computed wherever it says.
//
// Data-parallel training: split a batch of N samples into shards of n_i
// samples (ShardSizes), one per worker, each holding the same weights. Each
// worker runs LocalGradients on its shard and sends FlatGradients. The
// batch's gradient is the mean weighted by shard size, sum_i (n_i/N) g_i,
// so one worker scales its own by ScaleGradients(n_0/N), adds every other
// shard's with AddFlatGradients(g_i, n_i/N) in a fixed order (so the sum
// does not depend on which worker finished first), and calls
// ApplyGradients; the batch's loss is sum_i (n_i/N) loss_i and its correct
// count the sum. The others then copy its weights (FlatWeights,
// SetFlatWeights). Dropout draws different masks on each worker, as it
// would for different samples.
func (m *Model) ComputeGradients(x, y []float32, n int) (loss float64, correct int) {
	if f, ok := gradientFuncs.Load(m); ok {
		return f.(GradientFunc)(m, x, y, n)
	}
	return m.LocalGradients(x, y, n)
}

// LocalGradients is ComputeGradients computed here, in this model,
// whatever GradientFunc is set.
func (m *Model) LocalGradients(x, y []float32, n int) (loss float64, correct int) {
	m.mustBeCompiled()
	m.ZeroGrads()
	out := m.Forward(x, n, true)
	correct = m.countCorrect(out, y, n)
	loss = m.lossOf(out, y, n)
	last := len(m.Layers) - 1
	dy := m.dOut
	if m.fused != nil {
		dy = m.fused.backwardLogits(dy)
		last--
	}
	for i := last; i >= 0; i-- {
		dy = m.Layers[i].Backward(dy)
	}
	return loss, correct
}

// GradientFunc computes what ComputeGradients does for m (the gradients
// of the mean loss of the n samples x, y left in each Param.G; the mean
// loss; the correct count), for instance by sharing the samples out to
// other workers holding the same weights (see ComputeGradients) and
// running LocalGradients on its own shard.
type GradientFunc func(m *Model, x, y []float32, n int) (loss float64, correct int)

// gradientFuncs holds each model's GradientFunc, if it has one. A map
// beside Model rather than a field: only the data-parallel worker sets one,
// for the length of a training.
var gradientFuncs sync.Map // *Model -> GradientFunc

// SetGradientFunc makes m's ComputeGradients call f; nil goes back to
// LocalGradients.
func (m *Model) SetGradientFunc(f GradientFunc) {
	if f == nil {
		gradientFuncs.Delete(m)
		return
	}
	gradientFuncs.Store(m, f)
}

// ShardSizes splits n samples into at most k consecutive shards of
// nearly equal size, the first ones one larger, none empty: ShardSizes(5,
// 2) is [3 2], ShardSizes(1, 3) is [1]. It is nil when n is 0.
func ShardSizes(n, k int) []int {
	k = max(min(k, n), 0)
	if k == 0 {
		return nil
	}
	s := make([]int, k)
	for i := range s {
		s[i] = n / k
		if i < n%k {
			s[i]++
		}
	}
	return s
}

// ApplyGradients takes one optimizer step with the current gradients.
func (m *Model) ApplyGradients() {
	m.mustBeCompiled()
	m.opt.Step(m.params)
}

// gradientsFinite reports whether every gradient is a finite number.
func (m *Model) gradientsFinite() bool {
	for _, p := range m.params {
		for _, g := range p.G {
			if g-g != 0 { // NaN or ±Inf
				return false
			}
		}
	}
	return true
}

// weightsFinite reports whether every weight is a finite number.
func (m *Model) weightsFinite() bool {
	for _, p := range m.params {
		for _, w := range p.W {
			if w-w != 0 {
				return false
			}
		}
	}
	return true
}

// FlatGradients copies every gradient, in Params order, into dst (grown to
// NumParams values) and returns it.
func (m *Model) FlatGradients(dst []float32) []float32 {
	return m.flatten(dst, func(p *Param) []float32 { return p.G })
}

// FlatWeights copies every weight, in Params order, into dst (grown to
// NumParams values) and returns it.
func (m *Model) FlatWeights(dst []float32) []float32 {
	return m.flatten(dst, func(p *Param) []float32 { return p.W })
}

func (m *Model) flatten(dst []float32, field func(*Param) []float32) []float32 {
	dst = grow(dst, m.NumParams())
	off := 0
	for _, l := range m.Layers {
		for _, p := range l.Params() {
			off += copy(dst[off:], field(p))
		}
	}
	return dst
}

// SetFlatWeights sets every weight from src, in Params order, as
// FlatWeights wrote them.
func (m *Model) SetFlatWeights(src []float32) error {
	if len(src) != m.NumParams() {
		return fmt.Errorf("nn: %d weights for a model with %d", len(src), m.NumParams())
	}
	off := 0
	for _, l := range m.Layers {
		for _, p := range l.Params() {
			off += copy(p.W, src[off:])
		}
	}
	return nil
}

// SetFlatGradients sets every gradient from src, in FlatGradients's
// layout (a data-parallel sum made elsewhere).
func (m *Model) SetFlatGradients(src []float32) error {
	if len(src) != m.NumParams() {
		return fmt.Errorf("nn: %d gradients for a model with %d weights", len(src), m.NumParams())
	}
	m.setFlatGradients(src)
	return nil
}

// ScaleGradients multiplies every gradient by s.
func (m *Model) ScaleGradients(s float32) {
	for _, l := range m.Layers {
		for _, p := range l.Params() {
			for i := range p.G {
				p.G[i] *= s
			}
		}
	}
}

// AddFlatGradients adds weight*src to the gradients, src being in
// FlatGradients's layout.
func (m *Model) AddFlatGradients(src []float32, weight float32) error {
	if len(src) != m.NumParams() {
		return fmt.Errorf("nn: %d gradients for a model with %d weights", len(src), m.NumParams())
	}
	off := 0
	for _, l := range m.Layers {
		for _, p := range l.Params() {
			for i, v := range src[off : off+len(p.G)] {
				p.G[i] += float32(weight * v)
			}
			off += len(p.G)
		}
	}
	return nil
}

// accumulateGradients sets acc (grown to NumParams values) to w times the
// gradients, or with add adds that, in FlatGradients's layout; it returns
// acc. The Trainer sums a batch's slices with it.
func (m *Model) accumulateGradients(acc []float32, w float32, add bool) []float32 {
	acc = grow(acc, m.NumParams())
	off := 0
	for _, p := range m.params {
		g := p.G
		a := acc[off : off+len(g)]
		a = a[:len(g)] // no bounds checks below
		if add {
			for i, v := range g {
				a[i] += float32(w * v)
			}
		} else {
			for i, v := range g {
				a[i] = w * v
			}
		}
		off += len(g)
	}
	return acc
}

// setFlatGradients sets the gradients from src, in FlatGradients's layout.
func (m *Model) setFlatGradients(src []float32) {
	off := 0
	for _, p := range m.params {
		off += copy(p.G, src[off:])
	}
}

// predictBatch is the number of samples Predict and Evaluate run at once,
// Keras's default batch_size.
const predictBatch = 32

// isFinite reports whether v is neither NaN nor infinite.
func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
