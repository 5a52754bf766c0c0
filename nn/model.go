package nn

import (
	"errors"
	"fmt"
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
	logits bool           // the output is logits (Spec.OutputsLogits) and the loss a cross-entropy: computed from them
	params []*Param       // Params(), cached so that a step allocates nothing
	pix    int            // positions classified per sample: H*W for a per-pixel cross-entropy (see Compile), else 1
	dOut   []float32      // (N, out) gradient of the loss with respect to the output (or logits)
}

// Build validates spec and constructs the model, initializing weights as
// Keras does (glorot-uniform kernels, zero biases) from seed. An invalid
// spec gives an error naming the layer, e.g.
// "nn: layer 7 (max_pooling2d_2): pool 2 larger than input 1x1".
func Build(spec ModelSpec, seed uint64) (*Model, error) {
	if err := spec.checkFrame(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x636f6e76706c6179)) // "convplay"
	m := &Model{Spec: ModelSpec{Input: append([]int(nil), spec.Input...), InputScaling: spec.InputScaling}}
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
		n += ParamCount(l)
	}
	return n
}

// ParamCount is the number of trainable values of one layer, Keras's
// "Param #": (K*K*C + 1)*F for a Conv2D with bias.
func ParamCount(l Layer) int {
	n := 0
	for _, p := range l.Params() {
		n += len(p.W)
	}
	return n
}

// Compile prepares the model for training and evaluation, as Keras's
// compile(optimizer, loss, metrics=["accuracy"]) does. It checks that the
// loss fits the output: the cross-entropies need a vector of at least two
// class scores. When the last layer applies softmax and the loss is a
// cross-entropy, the two are fused: the loss is computed from the logits and
// its gradient (p - onehot)/N enters the last layer below its softmax.
// When the model outputs logits (a last Dense or Conv2D without activation,
// as in Keras models compiled with from_logits=True), a cross-entropy is
// computed from them, as Keras's from_logits=True does.
//
// A cross-entropy over a map output (H, W, C) is per pixel, as Keras computes
// it: each of the H*W positions is a sample of C class scores (contiguous in
// the NHWC layout), its target one class index (sparse) or C values, and the
// loss, its gradient and the accuracy are averaged over pixels and samples:
// the segmentation network's loss and pixel accuracy (see segment.go).
func (m *Model) Compile(opt Optimizer, loss Loss) error {
	if opt == nil || loss == nil {
		return errors.New("nn: compile needs an optimizer and a loss")
	}
	out := m.OutShape()
	pix := 1
	if isCrossEntropy(loss) {
		switch {
		case len(out) == 3 && out[2] >= 2:
			pix = out[0] * out[1]
		case len(out) != 1 || out[0] < 2:
			return fmt.Errorf("nn: loss %s needs an output of class scores, (D) with D >= 2 or a map (H, W, C) with C >= 2 per pixel, but the model outputs %v: end the model with Flatten and a Dense layer with one unit per class, or a convolution with one filter per class", loss.Name(), out)
		}
	}
	m.opt, m.loss, m.fused, m.pix = opt, loss, nil, pix
	_, fromLogits := loss.(logitsLoss)
	m.logits = fromLogits && m.Spec.OutputsLogits()
	if last, ok := m.Layers[len(m.Layers)-1].(activatedLayer); ok && last.activation() == Softmax && fromLogits {
		m.fused = last
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

func isCrossEntropy(l Loss) bool { return strings.Contains(l.Name(), "crossentropy") }

// classes is the number of class scores per classified position: the
// output's size, or C for a per-pixel cross-entropy.
func (m *Model) classes() int { return m.OutShape().Size() / m.pix }

// targetSize is the number of target values per sample the loss reads.
func (m *Model) targetSize() int { return m.pix * m.loss.TargetSize(m.classes()) }

// TargetSize is the number of target values per sample the compiled
// model's loss reads: one class index (sparse cross-entropy), one value
// per output (categorical cross-entropy, mean squared error), or those per
// pixel for a per-pixel cross-entropy.
func (m *Model) TargetSize() int {
	m.mustBeCompiled()
	return m.targetSize()
}

// sparse reports whether targets are class indices (one per pixel for a
// per-pixel cross-entropy).
func (m *Model) sparse() bool { return m.classes() > 1 && m.loss.TargetSize(m.classes()) == 1 }

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
		return checkSparseLabels(y, m.classes())
	}
	return nil
}

// lossOf returns the mean loss of the last Forward's output out against y
// and leaves its gradient in m.dOut: with respect to the logits of the
// fused softmax layer, or else to the output. A per-pixel loss sees the
// n*H*W pixels as its samples, so it averages over pixels and samples.
func (m *Model) lossOf(out, y []float32, n int) float64 {
	size := m.OutShape().Size()
	m.dOut = grow(m.dOut, n*size)
	rows, classes := n*m.pix, m.classes()
	if m.fused != nil {
		return m.loss.(logitsLoss).LossFromLogits(m.dOut, m.fused.logits(), y, rows, classes)
	}
	if m.logits {
		return m.loss.(logitsLoss).LossFromLogits(m.dOut, out, y, rows, classes)
	}
	return m.loss.Loss(m.dOut, out, y, rows, classes)
}

// countCorrect is Keras's "accuracy" metric times n (times H*W, pixels
// classified correctly, for a per-pixel loss): the argmax matches the
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
	return correctCount(out, y, n*m.pix, m.classes(), m.sparse())
}

// accuracy is the fraction of the classified positions of samples samples
// that correct counts: per sample, or per pixel for a per-pixel loss.
func (m *Model) accuracy(correct, samples int) float64 {
	return float64(correct) / float64(samples*m.pix)
}

// checkFrame checks what a spec needs before its first layer: an input
// shape of positive dimensions, and at least one layer.
func (spec ModelSpec) checkFrame() error {
	if len(spec.Input) == 0 {
		return fmt.Errorf("nn: model has no input shape")
	}
	for _, d := range spec.Input {
		if d <= 0 {
			return fmt.Errorf("nn: input shape %v has a dimension that is not positive", Shape(spec.Input))
		}
	}
	if len(spec.Layers) == 0 {
		return fmt.Errorf("nn: model has no layers")
	}
	return spec.InputScaling.check()
}
