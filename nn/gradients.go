package nn

import (
	"fmt"
	"math"
)

// ComputeGradients runs one training pass over a batch of n samples: it
// zeroes the gradients, runs Forward in training mode, computes the loss
// against the targets y and back-propagates, leaving in each Param.G the
// gradient of the batch's mean loss. It returns that mean loss and how many
// samples were classified correctly. The targets must be valid
// (CheckTargets). It allocates nothing once the layers have seen a batch of
// n samples. The Trainer calls it unless FitConfig.Gradients says
// otherwise; data-parallel training runs it on each worker's shard and adds
// the shards up with a ShardSum.
func (m *Model) ComputeGradients(x, y []float32, n int) (loss float64, correct int) {
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

// GradientFunc computes what ComputeGradients does, for the Trainer (see
// FitConfig.Gradients): the gradients of the mean loss of the n samples
// x, y left in each of m's Param.G, that mean loss and the correct count;
// for instance by sharing the samples out to other workers holding the
// same weights and adding their shards up with a ShardSum. An error (a
// worker that died or failed) ends training with that error; the batch is
// not applied, so the weights stay those after the last good step.
type GradientFunc func(m *Model, x, y []float32, n int) (loss float64, correct int, err error)

// localGradients is the GradientFunc the Trainer uses by default.
func localGradients(m *Model, x, y []float32, n int) (float64, int, error) {
	loss, correct := m.ComputeGradients(x, y, n)
	return loss, correct, nil
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

// predictBatch is the number of samples Predict and Evaluate run at once,
// Keras's default batch_size.
const predictBatch = 32

// isFinite reports whether v is neither NaN nor infinite.
func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
