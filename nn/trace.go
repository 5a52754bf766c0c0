package nn

import "fmt"

// LayerTrace is one layer's output for a single input, for the page's
// visualizations.
type LayerTrace struct {
	Name   string  // "conv2d_1"
	Type   string  // Keras class name, "Conv2D"
	Output *Tensor // the per-sample output, shape OutShape(): (H, W, C) or (D)
	// Choices, for max-pooling layers, gives for each output element (in
	// Output's layout) the index ((h*W)+w)*C+c into the layer's input (the
	// previous layer's Output) of the cell whose value the window kept.
	// Nil for other layers.
	Choices []int32
}

// choicer is implemented by max-pooling layers (pool.go).
type choicer interface{ Choices() []int32 }

// Trace runs one input (InShape().Size() values) through the model in
// inference mode and returns every layer's output, copied, in order.
func (m *Model) Trace(x []float32) ([]LayerTrace, error) {
	if len(x) != m.InShape().Size() {
		return nil, fmt.Errorf("nn: trace got %d values, want one input of shape %v (%d values)", len(x), m.InShape(), m.InShape().Size())
	}
	tr := make([]LayerTrace, len(m.Layers))
	for i, l := range m.Layers {
		x = l.Forward(x, 1, false)
		spec := l.Spec()
		out := NewTensor(l.OutShape()...)
		copy(out.Data, x)
		tr[i] = LayerTrace{Name: spec.Name, Type: spec.Type, Output: out}
		if c, ok := l.(choicer); ok {
			tr[i].Choices = append([]int32(nil), c.Choices()...)
		}
	}
	return tr, nil
}
