package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"unicode"
)

// Model is a Sequential model: layers applied in order to an input of shape
// Spec.Input.
type Model struct {
	Spec   ModelSpec // with every layer's name and defaults filled in
	Layers []Layer

	// Set by Compile.
	opt    Optimizer
	loss   Loss
	fused  activatedLayer // the softmax output layer when its loss is computed from logits
	params []*Param       // Params(), cached so that a step allocates nothing
	dOut   []float32      // (N, out) gradient of the loss with respect to the output (or logits)
}

// Build validates spec and constructs the model, initializing weights as
// Keras does (glorot-uniform kernels, zero biases) from seed. An invalid
// spec gives an error naming the layer, e.g.
// "nn: layer 7 (max_pooling2d_2): pool 2 larger than input 1x1".
func Build(spec ModelSpec, seed uint64) (*Model, error) {
	if len(spec.Input) == 0 {
		return nil, fmt.Errorf("nn: model has no input shape")
	}
	for _, d := range spec.Input {
		if d <= 0 {
			return nil, fmt.Errorf("nn: input shape %v has a dimension that is not positive", Shape(spec.Input))
		}
	}
	if len(spec.Layers) == 0 {
		return nil, fmt.Errorf("nn: model has no layers")
	}
	rng := rand.New(rand.NewPCG(seed, 0x636f6e76706c6179)) // "convplay"
	m := &Model{Spec: ModelSpec{Input: append([]int(nil), spec.Input...)}}
	in := Shape(spec.Input)
	used := map[string]int{}
	for i, ls := range spec.Layers {
		if ls.Name == "" {
			ls.Name = autoName(ls.Type, used)
		}
		l, err := buildLayer(ls, in, rng)
		if err != nil {
			return nil, fmt.Errorf("nn: layer %d (%s): %w", i+1, ls.Name, err)
		}
		m.Layers = append(m.Layers, l)
		m.Spec.Layers = append(m.Spec.Layers, l.Spec())
		in = l.OutShape()
	}
	return m, nil
}

// autoName gives a layer Keras's default name: the snake_case class name,
// then _1, _2, ... for later layers of the same type ("conv2d", "conv2d_1").
func autoName(typ string, used map[string]int) string {
	base := snakeCase(typ)
	n := used[base]
	used[base] = n + 1
	if n == 0 {
		return base
	}
	return fmt.Sprintf("%s_%d", base, n)
}

// snakeCase converts a Keras class name the way Keras does:
// "MaxPooling2D" -> "max_pooling2d", "Conv2DTranspose" -> "conv2d_transpose".
func snakeCase(s string) string {
	var b strings.Builder
	r := []rune(s)
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 && (unicode.IsLower(r[i-1]) || (i+1 < len(r) && unicode.IsLower(r[i+1]))) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// InShape is the per-sample input shape; OutShape the per-sample output shape.
func (m *Model) InShape() Shape  { return m.Layers[0].InShape() }
func (m *Model) OutShape() Shape { return m.Layers[len(m.Layers)-1].OutShape() }

// Params lists every trainable parameter in Keras's get_weights() order.
func (m *Model) Params() []*Param {
	var ps []*Param
	for _, l := range m.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// ZeroGrads clears every parameter gradient; Backward accumulates.
func (m *Model) ZeroGrads() {
	for _, l := range m.Layers {
		for _, p := range l.Params() {
			clear(p.G)
		}
	}
}

// Forward runs a batch of n samples through every layer and returns the
// output, owned by the last layer.
func (m *Model) Forward(x []float32, n int, training bool) []float32 {
	for _, l := range m.Layers {
		x = l.Forward(x, n, training)
	}
	return x
}

// Backward propagates dy, the gradient with respect to the model's output,
// through every layer, accumulating parameter gradients; it returns the
// gradient with respect to the input.
func (m *Model) Backward(dy []float32) []float32 {
	for i := len(m.Layers) - 1; i >= 0; i-- {
		dy = m.Layers[i].Backward(dy)
	}
	return dy
}

// NumParams is the number of trainable weights, Keras's count_params().
func (m *Model) NumParams() int {
	n := 0
	for _, l := range m.Layers {
		for _, p := range l.Params() {
			n += len(p.W)
		}
	}
	return n
}

// Compile prepares the model for training and evaluation, as Keras's
// compile(optimizer, loss, metrics=["accuracy"]) does. It checks that the
// loss fits the output: the cross-entropies need a vector of at least two
// class scores. When the last layer applies softmax and the loss is a
// cross-entropy, the two are fused: the loss is computed from the logits and
// its gradient (p - onehot)/N enters the last layer below its softmax.
func (m *Model) Compile(opt Optimizer, loss Loss) error {
	if opt == nil || loss == nil {
		return errors.New("nn: compile needs an optimizer and a loss")
	}
	out := m.OutShape()
	if strings.HasSuffix(loss.Name(), "crossentropy") && (len(out) != 1 || out[0] < 2) {
		return fmt.Errorf("nn: loss %s needs an output of class scores (D) with D >= 2, but the model outputs %v: end the model with Flatten and a Dense layer with one unit per class", loss.Name(), out)
	}
	m.opt, m.loss, m.fused = opt, loss, nil
	if last, ok := m.Layers[len(m.Layers)-1].(activatedLayer); ok && last.activation() == Softmax {
		if _, ok := loss.(logitsLoss); ok {
			m.fused = last
		}
	}
	m.params = m.Params()
	opt.Init(m.params)
	return nil
}

// Optimizer and Loss are what Compile was given (nil before).
func (m *Model) Optimizer() Optimizer { return m.opt }
func (m *Model) Loss() Loss           { return m.loss }

func (m *Model) mustBeCompiled() {
	if m.loss == nil {
		panic("nn: model used for training or evaluation before Compile")
	}
}

// targetSize is the number of target values per sample the loss reads.
func (m *Model) targetSize() int { return m.loss.TargetSize(m.OutShape().Size()) }

// sparse reports whether targets are class indices.
func (m *Model) sparse() bool { return m.OutShape().Size() > 1 && m.targetSize() == 1 }

// CheckTargets returns an error if y, the targets of n samples, cannot be
// used with the loss: a class index that is not an integer in [0, classes)
// for sparse cross-entropy, or the wrong number of values. Fit and Evaluate
// call it on every batch; callers of ComputeGradients with targets from
// outside call it first.
func (m *Model) CheckTargets(y []float32, n int) error {
	m.mustBeCompiled()
	if want := n * m.targetSize(); len(y) != want {
		return fmt.Errorf("nn: %d target values for %d samples, want %d", len(y), n, want)
	}
	if m.sparse() {
		return checkSparseLabels(y, m.OutShape().Size())
	}
	return nil
}

// lossOf returns the mean loss of the last Forward's output out against y
// and leaves its gradient in m.dOut: with respect to the logits of the
// fused softmax layer, or else to the output.
func (m *Model) lossOf(out, y []float32, n int) float64 {
	size := m.OutShape().Size()
	m.dOut = grow(m.dOut, n*size)
	if m.fused != nil {
		return m.loss.(logitsLoss).LossFromLogits(m.dOut, m.fused.logits(), y, n, size)
	}
	return m.loss.Loss(m.dOut, out, y, n, size)
}

// countCorrect is Keras's "accuracy" metric times n: the argmax matches the
// class index (sparse) or the target's argmax; for a single output, Keras's
// binary accuracy: the output thresholded at 0.5 equals the target.
func (m *Model) countCorrect(out, y []float32, n int) int {
	size := m.OutShape().Size()
	if size == 1 {
		c := 0
		for i, o := range out[:n] {
			var pred float32
			if o > 0.5 {
				pred = 1
			}
			if pred == y[i] {
				c++
			}
		}
		return c
	}
	return correctCount(out, y, n, size, m.sparse())
}

// ComputeGradients runs one training pass over a batch of n samples: it
// zeroes the gradients, runs Forward in training mode, computes the loss
// against the targets y and back-propagates, leaving in each Param.G the
// gradient of the batch's mean loss. It returns that mean loss and how many
// samples were classified correctly. The targets must be valid
// (CheckTargets). It allocates nothing once the layers have seen a batch of
// n samples.
//
// Data-parallel training: split a batch of N samples into shards of n_i
// samples, one per worker, each holding the same weights. Each worker runs
// ComputeGradients on its shard and sends FlatGradients. The batch's
// gradient is the mean weighted by shard size, sum_i (n_i/N) g_i, so one
// worker scales its own by ScaleGradients(n_0/N), adds every other shard's
// with AddFlatGradients(g_i, n_i/N), and calls ApplyGradients; the batch's
// loss is sum_i (n_i/N) loss_i and its correct count the sum. The others
// then copy its weights (FlatWeights, SetFlatWeights). Dropout draws
// different masks on each worker, as it would for different samples.
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
				p.G[i] += weight * v
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
		a := acc[off : off+len(p.G)]
		for i, g := range p.G {
			if add {
				a[i] += w * g
			} else {
				a[i] = w * g
			}
		}
		off += len(p.G)
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

// Predict runs n samples (x holds n*InShape().Size() values) through the
// model in inference mode, 32 at a time, and returns the n outputs
// (class probabilities for a softmax model) in a new slice.
func (m *Model) Predict(x []float32, n int) ([]float32, error) {
	in, out := m.InShape().Size(), m.OutShape().Size()
	if n < 0 || len(x) != n*in {
		return nil, fmt.Errorf("nn: predict got %d values for %d samples of shape %v", len(x), n, m.InShape())
	}
	res := make([]float32, n*out)
	for i := 0; i < n; i += predictBatch {
		b := min(predictBatch, n-i)
		copy(res[i*out:], m.Forward(x[i*in:(i+b)*in], b, false))
	}
	return res, nil
}

// isFinite reports whether v is neither NaN nor infinite.
func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
