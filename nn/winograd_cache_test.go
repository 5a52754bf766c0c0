package nn

import (
	"bytes"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// wcSpec is a small model whose convolution takes the Winograd path (3x3,
// stride 1, 8 input channels), so that it keeps transformed kernels between
// forwards.
func wcSpec() ModelSpec {
	return ModelSpec{Input: []int{6, 5, 8}, Layers: []LayerSpec{
		{Type: "Conv2D", Filters: 8, KernelSize: 3, Padding: "same", Activation: "relu"},
		{Type: "Flatten"},
		{Type: "Dense", Units: 3, Activation: "softmax"},
	}}
}

// wcFresh is a model never run before (no kept transforms) holding m's
// weights: the oracle for what m must compute.
func wcFresh(t *testing.T, m *Model) *Model {
	t.Helper()
	f := mtCompiled(t, wcSpec(), 99, OptimizerSpec{Name: "sgd"}, "sparse_categorical_crossentropy")
	require.NoError(t, f.SetFlatWeights(m.FlatWeights(nil)))
	return f
}

// wcKernel is m's Winograd convolution's kernel.
func wcKernel(t *testing.T, m *Model) *Param {
	t.Helper()
	l, ok := m.Layers[0].(*conv2D)
	require.True(t, ok)
	require.NotNil(t, l.wino, "the test model's convolution must take the Winograd path")
	return l.kernel
}

// TestWinogradKeptTransformsFollowEveryWriter checks that a convolution's
// kept Winograd transforms never outlive the weights they came from: after
// a forward and a backward (which fill both kept transforms), each way of
// writing weights is followed by a forward and backward that must match,
// bit for bit, a model that never ran, holding the same weights.
func TestWinogradKeptTransformsFollowEveryWriter(t *testing.T) {
	const n = 2
	x, y := mtBatch(5, n, 6*5*8, 3)
	tests := []struct {
		name  string
		write func(t *testing.T, m *Model)
	}{
		{"Param.W written in place", func(t *testing.T, m *Model) {
			wcKernel(t, m).W[7] += 0.25
		}},
		{"one bit of one weight", func(t *testing.T, m *Model) {
			k := wcKernel(t, m).W
			k[5] = math.Float32frombits(math.Float32bits(k[5]) ^ 1) // a corner tap: U holds it as it is
		}},
		{"a weight from 0 to -0", func(t *testing.T, m *Model) {
			k := wcKernel(t, m).W
			k[3] = 0
			m.Forward(x, n, false) // kept with +0
			k[3] = float32(math.Copysign(0, -1))
		}},
		{"ApplyGradients", func(t *testing.T, m *Model) {
			m.ComputeGradients(x, y, n)
			m.ApplyGradients()
		}},
		{"SetFlatWeights", func(t *testing.T, m *Model) {
			w := m.FlatWeights(nil)
			for i := range w {
				w[i] *= -0.5
			}
			require.NoError(t, m.SetFlatWeights(w))
		}},
		{"LoadWeights", func(t *testing.T, m *Model) {
			other := mtCompiled(t, wcSpec(), 2, OptimizerSpec{Name: "sgd"}, "sparse_categorical_crossentropy")
			var buf bytes.Buffer
			require.NoError(t, other.Save(&buf))
			require.NoError(t, m.LoadWeights(&buf))
		}},
		{"ImportNPZ", func(t *testing.T, m *Model) {
			other := mtCompiled(t, wcSpec(), 3, OptimizerSpec{Name: "sgd"}, "sparse_categorical_crossentropy")
			var buf bytes.Buffer
			require.NoError(t, other.ExportNPZ(&buf))
			require.NoError(t, importT(m, buf.Bytes()))
		}},
		{"a Trainer's batch in slices", func(t *testing.T, m *Model) {
			d, err := NewTensorData(&Tensor{Shape: []int{n, 6, 5, 8}, Data: x}, &Tensor{Shape: []int{n}, Data: y})
			require.NoError(t, err)
			tr, err := NewTrainer(m, d, FitConfig{BatchSize: n, StepSamples: 1, NoShuffle: true})
			require.NoError(t, err)
			for done := false; !done; {
				done, err = tr.Step()
				require.NoError(t, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mtCompiled(t, wcSpec(), 1, OptimizerSpec{Name: "sgd", LearningRate: 0.5}, "sparse_categorical_crossentropy")
			m.ComputeGradients(x, y, n) // fills u and ut
			before := bits(wcKernel(t, m).W)
			tt.write(t, m)
			require.NotEqual(t, before, bits(wcKernel(t, m).W), "the write changed the kernel")
			f := wcFresh(t, m)
			require.Equal(t, bits(f.Forward(x, n, false)), bits(m.Forward(x, n, false)), "forward after the write")
			m.ComputeGradients(x, y, n)
			f.ComputeGradients(x, y, n)
			require.Equal(t, bits(f.FlatGradients(nil)), bits(m.FlatGradients(nil)), "gradients after the write")
			require.Equal(t, bits(f.Layers[0].(*conv2D).dx), bits(m.Layers[0].(*conv2D).dx), "input gradient after the write")
			mw, fw := m.Layers[0].(*conv2D).wino, f.Layers[0].(*conv2D).wino
			require.Equal(t, bits(fw.u), bits(mw.u), "kept U")
			require.Equal(t, bits(fw.ut), bits(mw.ut), "kept Uᵀ")
		})
	}
}

// bits is v's float32 bit patterns, to compare -0 and 0 apart.
func bits(v []float32) []uint32 {
	b := make([]uint32, len(v))
	for i, f := range v {
		b[i] = math.Float32bits(f)
	}
	return b
}

// checkPacksOnlyForGoKernel: with gemm on a SIMD kernel (withSIMD(true)), a
// Winograd layer keeps no pure-Go packing of its transforms; switched to the
// pure-Go kernel with the same weights, it computes the same bits (gemm packs
// for itself), and once its weights change it packs for that kernel again.
func checkPacksOnlyForGoKernel(t *testing.T, withSIMD func(on bool, f func())) {
	const n = 2
	x, y := mtBatch(5, n, 6*5*8, 3)
	m := mtCompiled(t, wcSpec(), 1, OptimizerSpec{Name: "sgd", LearningRate: 0.5}, "sparse_categorical_crossentropy")
	w := m.Layers[0].(*conv2D).wino
	var out []uint32
	var grads []uint32
	withSIMD(true, func() {
		require.NotEqual(t, "go", GemmKernel())
		m.ComputeGradients(x, y, n)
		grads = bits(m.FlatGradients(nil))
		out = bits(m.Forward(x, n, false))
		require.Empty(t, w.uPack, "U packed for a kernel that does not run")
		require.Empty(t, w.utPack, "Uᵀ packed for a kernel that does not run")
	})
	withSIMD(false, func() {
		require.Equal(t, "go", GemmKernel())
		m.ComputeGradients(x, y, n)
		require.Equal(t, grads, bits(m.FlatGradients(nil)), "gradients on the pure-Go kernel, transforms kept unpacked")
		require.Equal(t, out, bits(m.Forward(x, n, false)), "forward on the pure-Go kernel")
		wcKernel(t, m).W[3] += 0.5
		m.ComputeGradients(x, y, n)
		require.NotEmpty(t, w.uPack, "new weights on the pure-Go kernel: U packed for it")
		require.NotEmpty(t, w.utPack)
	})
}
