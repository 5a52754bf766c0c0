package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseLoss(t *testing.T) {
	tests := []struct {
		name, want string
		target     int // TargetSize(10)
	}{
		{"sparse_categorical_crossentropy", "sparse_categorical_crossentropy", 1},
		{"categorical_crossentropy", "categorical_crossentropy", 10},
		{"mean_squared_error", "mean_squared_error", 10},
		{"mse", "mean_squared_error", 10},
		{"weighted_sparse_categorical_crossentropy(0.1)", "weighted_sparse_categorical_crossentropy(0.1)", 1},
		{"weighted_sparse_categorical_crossentropy(2.5e-2)", "weighted_sparse_categorical_crossentropy(0.025)", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ParseLoss(tc.name)
			require.NoError(t, err)
			assert.Equal(t, tc.want, l.Name())
			assert.Equal(t, tc.target, l.TargetSize(10))
		})
	}
	for _, bad := range []string{"weighted_sparse_categorical_crossentropy", "weighted_sparse_categorical_crossentropy()",
		"weighted_sparse_categorical_crossentropy(0)", "weighted_sparse_categorical_crossentropy(-1)",
		"weighted_sparse_categorical_crossentropy(NaN)", "weighted_sparse_categorical_crossentropy(0.1"} {
		_, err := ParseLoss(bad)
		assert.Error(t, err, bad)
	}
	_, err := ParseLoss("hinge")
	assert.EqualError(t, err, `nn: unknown loss "hinge" (want sparse_categorical_crossentropy, categorical_crossentropy, mean_squared_error or weighted_sparse_categorical_crossentropy(w))`)
	l, err := ParseLoss("mse")
	require.NoError(t, err)
	_, isLogits := l.(logitsLoss)
	assert.False(t, isLogits, "MSE has no fused softmax path")
	for _, name := range []string{"sparse_categorical_crossentropy", "categorical_crossentropy", "weighted_sparse_categorical_crossentropy(0.5)"} {
		l, err := ParseLoss(name)
		require.NoError(t, err)
		_, isLogits := l.(logitsLoss)
		assert.True(t, isLogits, name)
	}
}

func TestLossHandComputed(t *testing.T) {
	ln := math.Log
	tests := []struct {
		name     string
		loss     string
		out, y   []float32
		n, size  int
		want     float64
		wantDOut []float32
	}{
		{
			// dOut = (1/sum(out) - [j = label]/out[label]) / n: Keras's
			// renormalization adds 1/n to every output's gradient.
			name: "sparse: -log p[label], averaged", loss: "sparse_categorical_crossentropy",
			out: []float32{0.5, 0.25, 0.25, 0.125, 0.125, 0.75}, y: []float32{0, 2}, n: 2, size: 3,
			want:     (-ln(0.5) - ln(0.75)) / 2,
			wantDOut: []float32{-0.5, 0.5, 0.5, 0.5, 0.5, float32((1 - 1/0.75) / 2)},
		},
		{
			// Keras gives 0.7885 = -log(0.5/1.1), not -log(0.5) = 0.6931.
			name: "sparse: outputs that do not sum to 1 are renormalized", loss: "sparse_categorical_crossentropy",
			out: []float32{0.5, 0.3, 0.3}, y: []float32{0}, n: 1, size: 3,
			want:     -ln(0.5 / 1.1),
			wantDOut: []float32{float32(1/1.1 - 2), float32(1 / 1.1), float32(1 / 1.1)},
		},
		{
			name: "sparse: a zero probability is clipped to 1e-7 and passes no gradient", loss: "sparse_categorical_crossentropy",
			out: []float32{1, 0}, y: []float32{1}, n: 1, size: 2,
			want:     -ln(1e-7),
			wantDOut: []float32{0, 0},
		},
		{
			name: "sparse: a certain right answer is clipped to 1-1e-7", loss: "sparse_categorical_crossentropy",
			out: []float32{1, 0}, y: []float32{0}, n: 1, size: 2,
			want:     -ln(1 - 1e-7),
			wantDOut: []float32{0, 0},
		},
		{
			name: "categorical: one-hot targets equal the sparse loss", loss: "categorical_crossentropy",
			out: []float32{0.5, 0.25, 0.25, 0.125, 0.125, 0.75}, y: []float32{1, 0, 0, 0, 0, 1}, n: 2, size: 3,
			want:     (-ln(0.5) - ln(0.75)) / 2,
			wantDOut: []float32{-0.5, 0.5, 0.5, 0.5, 0.5, float32((1 - 1/0.75) / 2)},
		},
		{
			name: "categorical: outputs that do not sum to 1 are renormalized", loss: "categorical_crossentropy",
			out: []float32{0.5, 0.3, 0.3}, y: []float32{1, 0, 0}, n: 1, size: 3,
			want:     -ln(0.5 / 1.1),
			wantDOut: []float32{float32(1/1.1 - 2), float32(1 / 1.1), float32(1 / 1.1)},
		},
		{
			// g = -y/p = (-0.5, -1.5), sum g*p = -1: dOut = g + 1.
			name: "categorical: soft targets", loss: "categorical_crossentropy",
			out: []float32{0.5, 0.5}, y: []float32{0.25, 0.75}, n: 1, size: 2,
			want:     ln(2),
			wantDOut: []float32{0.5, -0.5},
		},
		{
			name: "categorical: a zero target ignores a zero output", loss: "categorical_crossentropy",
			out: []float32{1, 0}, y: []float32{1, 0}, n: 1, size: 2,
			want:     -ln(1 - 1e-7),
			wantDOut: []float32{0, 0},
		},
		{
			name: "categorical: outputs summing to 0 count as clipped, not NaN", loss: "categorical_crossentropy",
			out: []float32{0, 0}, y: []float32{0, 1}, n: 1, size: 2,
			want:     -ln(1e-7),
			wantDOut: []float32{0, 0},
		},
		{
			name: "mse: mean over all n*outSize values", loss: "mse",
			out: []float32{1, 2, 3, 4}, y: []float32{1, 0, 0, 4}, n: 2, size: 2,
			want:     (0 + 4 + 9 + 0) / 4.0,
			wantDOut: []float32{0, 1, 1.5, 0},
		},
		{
			name: "mse: one output per sample", loss: "mean_squared_error",
			out: []float32{-1, 0.5}, y: []float32{1, 0.5}, n: 2, size: 1,
			want:     2,
			wantDOut: []float32{-2, 0},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ParseLoss(tc.loss)
			require.NoError(t, err)
			dOut := seq(tc.n*tc.size, 100) // garbage: every value must be written
			got := l.Loss(dOut, tc.out, tc.y, tc.n, tc.size)
			assert.InDelta(t, tc.want, got, 1e-6)
			assert.InDeltaSlice(t, tc.wantDOut, dOut, 1e-6)
		})
	}
}

func TestLossFromLogitsHandComputed(t *testing.T) {
	// z = (ln 1, ln 3) gives softmax (1/4, 3/4).
	z := []float32{0, float32(math.Log(3)), 5, 5}
	tests := []struct {
		name   string
		loss   string
		y      []float32
		want   float64
		wantDz []float32
	}{
		{"sparse", "sparse_categorical_crossentropy", []float32{1, 0},
			(-math.Log(0.75) + math.Log(2)) / 2, []float32{0.125, -0.125, -0.25, 0.25}},
		{"categorical one-hot", "categorical_crossentropy", []float32{0, 1, 1, 0},
			(-math.Log(0.75) + math.Log(2)) / 2, []float32{0.125, -0.125, -0.25, 0.25}},
		{"categorical soft", "categorical_crossentropy", []float32{0.5, 0.5, 0.25, 0.75},
			(-0.5*math.Log(0.25) - 0.5*math.Log(0.75) + math.Log(2)) / 2, []float32{-0.125, 0.125, 0.125, -0.125}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ParseLoss(tc.loss)
			require.NoError(t, err)
			dz := seq(4, 100)
			got := l.(logitsLoss).LossFromLogits(dz, z, tc.y, 2, 2)
			assert.InDelta(t, tc.want, got, 1e-6)
			assert.InDeltaSlice(t, tc.wantDz, dz, 1e-6)
		})
	}
}

// randomProbs returns n rows of softmax(normal logits) and the logits.
func randomProbs(rng *rand.Rand, n, size int, scale float64) (p, z []float32) {
	z = make([]float32, n*size)
	for i := range z {
		z[i] = float32(rng.NormFloat64() * scale)
	}
	p = make([]float32, len(z))
	Softmax.forward(p, z, size)
	return p, z
}

// targets returns n targets for a loss: class indices, one-hot rows, or
// random values for MSE.
func targets(rng *rand.Rand, loss string, n, size int) []float32 {
	switch loss {
	case "sparse_categorical_crossentropy", "weighted_sparse_categorical_crossentropy(0.5)":
		y := make([]float32, n)
		for i := range y {
			y[i] = float32(rng.IntN(size))
		}
		return y
	case "categorical_crossentropy":
		y := make([]float32, n*size)
		for i := range n {
			y[i*size+rng.IntN(size)] = 1
		}
		return y
	}
	y := make([]float32, n*size)
	for i := range y {
		y[i] = float32(rng.NormFloat64())
	}
	return y
}

func TestLossGradientsFiniteDifferences(t *testing.T) {
	const n, size, eps = 3, 4, 1e-3
	rng := rand.New(rand.NewPCG(21, 22))
	for _, name := range []string{"sparse_categorical_crossentropy", "categorical_crossentropy", "mean_squared_error"} {
		t.Run(name, func(t *testing.T) {
			l, err := ParseLoss(name)
			require.NoError(t, err)
			out, z := randomProbs(rng, n, size, 1)
			y := targets(rng, name, n, size)
			dOut := make([]float32, len(out))
			l.Loss(dOut, out, y, n, size)
			scratch := make([]float32, len(out))
			for i := range out {
				old := out[i]
				out[i] = old + eps
				plus := l.Loss(scratch, out, y, n, size)
				out[i] = old - eps
				minus := l.Loss(scratch, out, y, n, size)
				out[i] = old
				want := (plus - minus) / (2 * eps)
				assert.InDelta(t, want, dOut[i], 1e-3+1e-2*math.Abs(want), "dOut[%d]", i)
			}
			ll, ok := l.(logitsLoss)
			if !ok {
				return
			}
			dz := make([]float32, len(z))
			ll.LossFromLogits(dz, z, y, n, size)
			for i := range z {
				old := z[i]
				z[i] = old + eps
				plus := ll.LossFromLogits(scratch, z, y, n, size)
				z[i] = old - eps
				minus := ll.LossFromLogits(scratch, z, y, n, size)
				z[i] = old
				want := (plus - minus) / (2 * eps)
				assert.InDelta(t, want, dz[i], 1e-3+1e-2*math.Abs(want), "dz[%d]", i)
			}
		})
	}
}

// TestLossLogitsMatchesPlain checks that, where both are stable, the fused
// path equals the plain one: the same loss, and a dz equal to the softmax
// backward pass applied to the plain dOut.
func TestLossLogitsMatchesPlain(t *testing.T) {
	const n, size = 5, 10
	rng := rand.New(rand.NewPCG(31, 32))
	for _, bad := range []string{"weighted_sparse_categorical_crossentropy", "weighted_sparse_categorical_crossentropy()",
		"weighted_sparse_categorical_crossentropy(0)", "weighted_sparse_categorical_crossentropy(-1)",
		"weighted_sparse_categorical_crossentropy(NaN)", "weighted_sparse_categorical_crossentropy(0.1"} {
		_, err := ParseLoss(bad)
		assert.Error(t, err, bad)
	}
	for _, name := range []string{"sparse_categorical_crossentropy", "categorical_crossentropy", "weighted_sparse_categorical_crossentropy(0.5)"} {
		t.Run(name, func(t *testing.T) {
			l, err := ParseLoss(name)
			require.NoError(t, err)
			p, z := randomProbs(rng, n, size, 2)
			y := targets(rng, name, n, size)
			dOut := make([]float32, n*size)
			plain := l.Loss(dOut, p, y, n, size)
			dzPlain := make([]float32, n*size)
			Softmax.backward(dzPlain, dOut, p, size)
			dz := make([]float32, n*size)
			fused := l.(logitsLoss).LossFromLogits(dz, z, y, n, size)
			assert.InDelta(t, plain, fused, 1e-5)
			assert.InDeltaSlice(t, dzPlain, dz, 1e-5)
		})
	}
}

// TestLossLogitsStable: with logits of +-100 the softmax underflows to 0 and
// the plain loss saturates at -log(1e-7) with no gradient; the fused loss is
// exact and its gradient still points the right way.
func TestLossLogitsStable(t *testing.T) {
	z := []float32{100, -100, -100, 100}
	p := make([]float32, 4)
	Softmax.forward(p, z, 2)
	require.Equal(t, []float32{1, 0, 0, 1}, p, "the softmax saturates")
	for _, tc := range []struct {
		loss string
		y    []float32
	}{
		{"sparse_categorical_crossentropy", []float32{1, 1}},
		{"categorical_crossentropy", []float32{0, 1, 0, 1}},
	} {
		t.Run(tc.loss, func(t *testing.T) {
			l, err := ParseLoss(tc.loss)
			require.NoError(t, err)
			dOut := make([]float32, 4)
			plain := l.Loss(dOut, p, tc.y, 2, 2)
			assert.InDelta(t, -math.Log(1e-7)/2, plain, 1e-6, "plain saturates")
			dz := make([]float32, 4)
			fused := l.(logitsLoss).LossFromLogits(dz, z, tc.y, 2, 2)
			assert.InDelta(t, 200.0/2, fused, 1e-9, "fused: 200 for the wrong sample, 0 for the right one")
			assert.False(t, math.IsNaN(fused) || math.IsInf(fused, 0))
			assert.Equal(t, []float32{0.5, -0.5, 0, 0}, dz)
		})
	}
}

func TestSparseLabels(t *testing.T) {
	l, err := ParseLoss("sparse_categorical_crossentropy")
	require.NoError(t, err)
	out := []float32{0.5, 0.5}
	for _, bad := range []float32{-1, 2, 0.5, float32(math.NaN())} {
		assert.Panics(t, func() { l.Loss(make([]float32, 2), out, []float32{bad}, 1, 2) }, "label %v", bad)
		assert.Panics(t, func() { l.(logitsLoss).LossFromLogits(make([]float32, 2), out, []float32{bad}, 1, 2) }, "label %v", bad)
	}
	assert.NoError(t, checkSparseLabels([]float32{0, 9, 3}, 10))
	assert.EqualError(t, checkSparseLabels([]float32{0, 10, 3}, 10), "nn: label 1 is 10, not a class index in [0, 10)")
	assert.EqualError(t, checkSparseLabels([]float32{1.5}, 10), "nn: label 0 is 1.5, not a class index in [0, 10)")
	assert.EqualError(t, checkSparseLabels([]float32{-1}, 10), "nn: label 0 is -1, not a class index in [0, 10)")
}

func TestLossAllocatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, name := range []string{"sparse_categorical_crossentropy", "categorical_crossentropy", "mean_squared_error"} {
		l, err := ParseLoss(name)
		require.NoError(t, err)
		p, z := randomProbs(rng, 8, 10, 1)
		y := targets(rng, name, 8, 10)
		d := make([]float32, len(p))
		allocs := testing.AllocsPerRun(5, func() {
			l.Loss(d, p, y, 8, 10)
			if ll, ok := l.(logitsLoss); ok {
				ll.LossFromLogits(d, z, y, 8, 10)
			}
		})
		assert.Zero(t, allocs, name)
	}
}

// TestWeightedSparseIsPlainTimesWeight checks the background-weighted loss
// against the plain sparse cross-entropy, sample by sample: a background
// pixel's loss and gradient are w times the plain ones, an item pixel's the
// plain ones; the mean divides by the number of samples, as Keras's
// class_weight does. Weight 1 is the plain loss.
func TestWeightedSparseIsPlainTimesWeight(t *testing.T) {
	const n, size, w = 4, 3, 0.2
	out := []float32{0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4, 0.6, 0.3, 0.1}
	y := []float32{0, 1, 2, 0}
	weighted, err := BackgroundWeighted(w)
	require.NoError(t, err)
	for _, logits := range []bool{false, true} {
		eval := func(l Loss, d, o, yy []float32, n int) float64 {
			if logits {
				return l.(logitsLoss).LossFromLogits(d, o, yy, n, size)
			}
			return l.Loss(d, o, yy, n, size)
		}
		got := make([]float32, n*size)
		loss := eval(weighted, got, out, y, n)
		var want float64
		for i := range n {
			d := make([]float32, size)
			l := eval(sparseCrossEntropy{}, d, out[i*size:(i+1)*size], y[i:i+1], 1)
			s := 1.0
			if y[i] == 0 {
				s = w
			}
			want += s * l / n
			for j := range size {
				assert.InDelta(t, s*float64(d[j])/n, got[i*size+j], 1e-7, "logits %v sample %d class %d", logits, i, j)
			}
		}
		assert.InDelta(t, want, loss, 1e-12, "logits %v", logits)
		one, err := BackgroundWeighted(1)
		require.NoError(t, err)
		plain := make([]float32, n*size)
		assert.InDelta(t, eval(sparseCrossEntropy{}, plain, out, y, n), eval(one, got, out, y, n), 1e-12)
		assert.InDeltaSlice(t, plain, got, 1e-8)
	}
}

// FuzzParseLoss feeds ParseLoss any name: it errs or returns a loss whose
// name parses back to the same loss, and never panics.
func FuzzParseLoss(f *testing.F) {
	for _, s := range []string{"sparse_categorical_crossentropy", "mse", "weighted_sparse_categorical_crossentropy(0.1)",
		"weighted_sparse_categorical_crossentropy(1e400)", "weighted_sparse_categorical_crossentropy(0x1p-3)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		l, err := ParseLoss(name)
		if err != nil {
			return
		}
		again, err := ParseLoss(l.Name())
		if err != nil || again.Name() != l.Name() {
			t.Fatalf("ParseLoss(%q) named %q, which parses to %v, %v", name, l.Name(), again, err)
		}
	})
}
