package nn

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEvaluatorWindows: evaluating in windows of any size, as the worker
// does between messages, adds up to EvaluateDetailed's figures over the
// whole data (TestEvaluateDetailed's identity model and samples); a
// Result part-way covers the samples done.
func TestEvaluatorWindows(t *testing.T) {
	m := mtCompiled(t, mtDenseSpec(3, 3, "softmax"), 1, OptimizerSpec{Name: "sgd"}, "sparse_categorical_crossentropy")
	k := m.Params()[0].W
	clear(k)
	k[0], k[4], k[8] = 1, 1, 1
	x := NewTensor(5, 3)
	for i, c := range []int{0, 1, 2, 2, 0} {
		x.Data[3*i+c] = 1
	}
	data := &TensorData{X: x, Y: &Tensor{Shape: []int{5}, Data: []float32{0, 2, 2, 1, 1}}}
	want, err := m.EvaluateDetailed(data, 0)
	require.NoError(t, err)
	assert.Equal(t, 5, want.Samples)
	assert.Equal(t, 2, want.Correct)
	for _, window := range []int{1, 2, 3, 5, 7} {
		v, err := m.NewEvaluator(data, 2, true)
		require.NoError(t, err)
		assert.Equal(t, 5, v.Len())
		for v.Done() < v.Len() {
			require.NoError(t, v.Run(window))
			if v.Done() == 2 {
				part := v.Result()
				assert.Equal(t, []int{1}, part.Misclassified, "window %d: samples 0 and 1", window)
				assert.Equal(t, 1.0/2, part.Accuracy)
			}
		}
		got := v.Result()
		assert.InDelta(t, want.Loss, got.Loss, 1e-12, "window %d", window)
		want.Loss = got.Loss
		assert.Equal(t, want, got, "window %d", window)
		require.NoError(t, v.Run(3), "nothing left to run")
		assert.Equal(t, 5, v.Done())
	}
}

func TestClassAccuracy(t *testing.T) {
	tests := []struct {
		name string
		e    Evaluation
		want []float64
	}{
		{"no matrix", Evaluation{Classes: 1}, nil},
		{"rows", Evaluation{Classes: 3, Confusion: []int{3, 1, 0, 0, 2, 2, 0, 0, 0}}, []float64{0.75, 0.5, math.NaN()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.e.ClassAccuracy()
			require.Len(t, got, len(tt.want))
			for i, w := range tt.want {
				if math.IsNaN(w) {
					assert.True(t, math.IsNaN(got[i]), "class %d has no samples: NaN", i)
				} else {
					assert.Equal(t, w, got[i])
				}
			}
		})
	}
}

// TestEvaluationWithout: the figures without some samples are those of
// evaluating the others alone.
func TestEvaluationWithout(t *testing.T) {
	m := mtBlobModel(t, OptimizerSpec{Name: "sgd"})
	all := mtBlobs(t, 4, 12)
	rest := &TensorData{X: &Tensor{Shape: []int{9, 2}, Data: all.X.Data[:18]}, Y: &Tensor{Shape: []int{9}, Data: all.Y.Data[:9]}}
	some := &TensorData{X: &Tensor{Shape: []int{3, 2}, Data: all.X.Data[18:]}, Y: &Tensor{Shape: []int{3}, Data: all.Y.Data[9:]}}
	e, err := m.EvaluateDetailed(all, 0)
	require.NoError(t, err)
	d, err := m.EvaluateDetailed(some, 0)
	require.NoError(t, err)
	wantLoss, wantAcc, err := m.Evaluate(rest, 0)
	require.NoError(t, err)
	loss, acc := e.Without(d)
	assert.InDelta(t, wantLoss, loss, 1e-6)
	assert.InDelta(t, wantAcc, acc, 1e-12)
}

// TestEvaluateDetailed: a Dense 3 -> 3 softmax layer with the identity
// kernel predicts the class of a one-hot input. With inputs of classes
// 0, 1, 2, 2, 0 and labels 0, 2, 2, 1, 1, samples 1, 3 and 4 are wrong.
// softmax(1, 0, 0) gives e/(e+2) = 0.5761169 to the hot class and
// 1/(e+2) = 0.2119416 to the others, so the loss is
// -ln 0.5761169 = ln(e+2) - 1 = 0.5514447 and -ln 0.2119416 = 1.5514447,
// so for 2 right and 3 wrong the loss is (2*0.5514447 + 3*1.5514447)/5 =
// 1.1514447.
func TestEvaluateDetailed(t *testing.T) {
	m := mtCompiled(t, mtDenseSpec(3, 3, "softmax"), 1, OptimizerSpec{Name: "sgd"}, "sparse_categorical_crossentropy")
	k := m.Params()[0].W
	clear(k)
	k[0], k[4], k[8] = 1, 1, 1
	x := NewTensor(5, 3)
	for i, c := range []int{0, 1, 2, 2, 0} {
		x.Data[3*i+c] = 1
	}
	y := &Tensor{Shape: []int{5}, Data: []float32{0, 2, 2, 1, 1}}
	for _, bs := range []int{0, 1, 2, 5, 100} {
		e, err := m.EvaluateDetailed(&TensorData{X: x, Y: y}, bs)
		require.NoError(t, err)
		assert.InDelta(t, 1.1514447, e.Loss, 1e-6)
		assert.InDelta(t, 0.4, e.Accuracy, 1e-12)
		assert.Equal(t, 3, e.Classes)
		assert.Equal(t, []int{
			1, 0, 0, // true 0: predicted 0
			1, 0, 1, // true 1: predicted 0 (sample 4) and 2 (sample 3)
			0, 1, 1, // true 2: predicted 1 (sample 1) and 2
		}, e.Confusion)
		assert.Equal(t, []int{1, 3, 4}, e.Misclassified)
		assert.Equal(t, []int{1, 2, 0}, e.Predicted, "the confusion matrix's columns of the samples")
		assert.Equal(t, []int{2, 1, 1}, e.Labels, "and rows")
		loss, acc, err := m.Evaluate(&TensorData{X: x, Y: y}, bs)
		require.NoError(t, err)
		assert.Equal(t, e.Loss, loss)
		assert.Equal(t, e.Accuracy, acc)
	}
	_, _, err := m.Evaluate(&TensorData{X: x, Y: y}, -1)
	assert.Error(t, err)

	// One-hot targets give the same cells, labels and predictions.
	oh := mtCompiled(t, mtDenseSpec(3, 3, "softmax"), 1, OptimizerSpec{Name: "sgd"}, "categorical_crossentropy")
	copy(oh.Params()[0].W, k)
	clear(oh.Params()[1].W)
	y1 := NewTensor(5, 3)
	for i, c := range []int{0, 2, 2, 1, 1} {
		y1.Data[3*i+c] = 1
	}
	e1, err := oh.EvaluateDetailed(&TensorData{X: x, Y: y1}, 2)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 3, 4}, e1.Misclassified)
	assert.Equal(t, []int{1, 2, 0}, e1.Predicted)
	assert.Equal(t, []int{2, 1, 1}, e1.Labels)
	y.Data[3] = -1
	_, _, err = m.Evaluate(&TensorData{X: x, Y: y}, 2)
	assert.ErrorContains(t, err, "nn: evaluation sample 3 has label -1, not a class index in [0, 3)")
}

// TestBinaryAccuracy: with one output, accuracy is Keras's binary accuracy:
// the output thresholded at 0.5 equals the target.
func TestBinaryAccuracy(t *testing.T) {
	m := mtCompiled(t, mtDenseSpec(1, 1, ""), 1, OptimizerSpec{Name: "sgd"}, "mse")
	m.Params()[0].W[0] = 1 // output = input
	x := &Tensor{Shape: []int{4, 1}, Data: []float32{0.2, 0.7, 0.5, 0.9}}
	y := &Tensor{Shape: []int{4, 1}, Data: []float32{0, 1, 1, 0.9}}
	// predictions 0, 1, 0 (0.5 is not above 0.5), 1: right, right, wrong, wrong
	_, acc, err := m.Evaluate(&TensorData{X: x, Y: y}, 0)
	require.NoError(t, err)
	assert.Equal(t, 0.5, acc)
}
