package nn

import "fmt"

// Data is a set of samples with targets that training and evaluation read
// in batches. It is kept this small so that a data set can produce samples
// on demand (the dataset package converts uint8 images and standardizes them
// per batch).
type Data interface {
	// Len is the number of samples.
	Len() int
	// Fill writes the samples idx into x, len(idx)*InShape().Size() values
	// in the model's input layout, and their targets into y,
	// len(idx)*TargetSize values (one class index per sample for sparse
	// cross-entropy).
	Fill(x, y []float32, idx []int)
}

// TensorData is Data held in two float32 tensors: X of shape (N, ...) and Y
// of shape (N) or (N, ...), sample i being row i of each.
type TensorData struct {
	X, Y *Tensor
}

// NewTensorData checks that x and y hold the same number of samples.
func NewTensorData(x, y *Tensor) (*TensorData, error) {
	d := &TensorData{X: x, Y: y}
	if err := d.check(); err != nil {
		return nil, fmt.Errorf("nn: %w", err)
	}
	return d, nil
}

func (d *TensorData) check() error {
	switch {
	case d.X == nil || d.Y == nil:
		return fmt.Errorf("data needs both inputs and targets")
	case len(d.X.Shape) < 2:
		return fmt.Errorf("data inputs have shape %v, want (N, ...) with a sample shape", Shape(d.X.Shape))
	case len(d.Y.Shape) < 1:
		return fmt.Errorf("data targets have no shape, want (N) or (N, ...)")
	case d.X.Shape[0] != d.Y.Shape[0]:
		return fmt.Errorf("data has %d inputs but %d targets", d.X.Shape[0], d.Y.Shape[0])
	case len(d.X.Data) != Shape(d.X.Shape).Size() || len(d.Y.Data) != Shape(d.Y.Shape).Size():
		return fmt.Errorf("data tensors hold a number of values that does not match their shapes")
	}
	return nil
}

func (d *TensorData) Len() int { return d.X.Shape[0] }

func (d *TensorData) Fill(x, y []float32, idx []int) {
	xs, ys := Shape(d.X.Shape[1:]).Size(), Shape(d.Y.Shape[1:]).Size()
	for i, j := range idx {
		copy(x[i*xs:(i+1)*xs], d.X.Data[j*xs:(j+1)*xs])
		copy(y[i*ys:(i+1)*ys], d.Y.Data[j*ys:(j+1)*ys])
	}
}

// checkFor validates d against a model's input shape and target size, once,
// before training or evaluating, so that a mismatch is an error, not a
// panic. Labels are checked per batch (checkSamples).
func (d *TensorData) checkFor(in Shape, targetSize int) error {
	if err := d.check(); err != nil {
		return err
	}
	if !Shape(d.X.Shape[1:]).Equal(in) {
		return fmt.Errorf("data samples have shape %v but the model's input is %v", Shape(d.X.Shape[1:]), in)
	}
	if ys := Shape(d.Y.Shape[1:]).Size(); ys != targetSize {
		return fmt.Errorf("data has %d target values per sample but the loss needs %d", ys, targetSize)
	}
	return nil
}

// checkData validates data for m where it can: *TensorData knows its
// shapes; any Data must have samples.
func checkData(m *Model, d Data, what string) error {
	if d == nil || d.Len() == 0 {
		return fmt.Errorf("nn: no %s samples", what)
	}
	if td, ok := d.(*TensorData); ok {
		if err := td.checkFor(m.InShape(), m.targetSize()); err != nil {
			return fmt.Errorf("nn: %s %w", what, err)
		}
	}
	return nil
}

// checkSamples is CheckTargets for the targets y of the samples idx of a
// data set, naming the sample whose label is bad.
func (m *Model) checkSamples(y []float32, idx []int, what string) error {
	err := m.CheckTargets(y, len(idx))
	if err == nil || !m.sparse() {
		return err
	}
	classes := m.classes()
	for i, v := range y {
		if k := int(v); float32(k) != v || k < 0 || k >= classes {
			if m.pix > 1 {
				p := i % m.pix
				return fmt.Errorf("nn: %s sample %d has label %v at pixel %d, not a class index in [0, %d)", what, idx[i/m.pix], v, p, classes)
			}
			return fmt.Errorf("nn: %s sample %d has label %v, not a class index in [0, %d)", what, idx[i], v, classes)
		}
	}
	return err
}
