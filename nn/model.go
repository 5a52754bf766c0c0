package nn

import (
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
