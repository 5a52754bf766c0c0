package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseActivation(t *testing.T) {
	for _, tc := range []struct {
		name string
		want Activation
	}{{"", Linear}, {"linear", Linear}, {"relu", ReLU}, {"sigmoid", Sigmoid}, {"tanh", Tanh}, {"softmax", Softmax}} {
		a, err := ParseActivation(tc.name)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want, a, tc.name)
		if tc.name != "" {
			assert.Equal(t, tc.name, a.String())
		}
	}
	_, err := ParseActivation("Relu")
	assert.EqualError(t, err, `unknown activation "Relu" (want linear, relu, sigmoid, tanh or softmax)`)
}

func TestActivationForwardBackward(t *testing.T) {
	e := math.E
	tests := []struct {
		act    Activation
		dim    int
		z, dy  []float32
		wantY  []float32
		wantDz []float32
	}{
		{Linear, 3, []float32{-1, 0, 2}, []float32{1, 2, 3}, []float32{-1, 0, 2}, []float32{1, 2, 3}},
		// ReLU'(0) = 0: the unit at exactly 0 passes no gradient.
		{ReLU, 3, []float32{-1, 0, 2}, []float32{1, 2, 3}, []float32{0, 0, 2}, []float32{0, 0, 3}},
		{Sigmoid, 2, []float32{0, float32(math.Log(3))}, []float32{1, 1}, []float32{0.5, 0.75}, []float32{0.25, 0.1875}},
		{Tanh, 2, []float32{0, float32(math.Atanh(0.5))}, []float32{2, 2}, []float32{0, 0.5}, []float32{2, 1.5}},
		// Rows of 2: softmax(0, 1) and softmax(1000, 0), which must not overflow.
		{Softmax, 2, []float32{0, 1, 1000, 0}, []float32{1, 0, 1, 0},
			[]float32{float32(1 / (1 + e)), float32(e / (1 + e)), 1, 0},
			// dz = y (dy - y·dy): row 1 = y0 * (1 - y0), -y1 * y0; row 2 = 0.
			[]float32{float32(e / ((1 + e) * (1 + e))), float32(-e / ((1 + e) * (1 + e))), 0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.act.String(), func(t *testing.T) {
			y := make([]float32, len(tc.z))
			tc.act.forward(y, tc.z, tc.dim)
			assert.InDeltaSlice(t, tc.wantY, y, 1e-6)
			dz := make([]float32, len(tc.z))
			tc.act.backward(dz, tc.dy, y, tc.dim)
			assert.InDeltaSlice(t, tc.wantDz, dz, 1e-6)
			// In place, as the comments allow.
			tc.act.forward(tc.z, tc.z, tc.dim)
			assert.Equal(t, y, tc.z)
		})
	}
}

func TestActivationLayer(t *testing.T) {
	l, err := buildLayer(LayerSpec{Type: "Activation", Activation: "softmax"}, Shape{1, 2, 2}, nil)
	require.NoError(t, err)
	assert.Equal(t, Shape{1, 2, 2}, l.OutShape())
	assert.Nil(t, l.Params())
	x := []float32{0, 0, 5, 5, 1, 1, -1, -1}
	y := l.Forward(x, 2, false)
	assert.InDeltaSlice(t, []float32{.5, .5, .5, .5, .5, .5, .5, .5}, y, 1e-7, "softmax over the channels")
	al := l.(activatedLayer)
	assert.Equal(t, Softmax, al.activation())
	assert.Equal(t, x, al.logits())
	dz := []float32{1, 2, 3, 4, 5, 6, 7, 8}
	dx := al.backwardLogits(dz)
	assert.Equal(t, dz, dx)
	dz[0] = 100
	assert.Equal(t, float32(1), dx[0], "backwardLogits returns the layer's own buffer")

	for _, tc := range []struct {
		spec    LayerSpec
		wantErr string
	}{
		{LayerSpec{Type: "Activation"}, "Activation layer needs an activation (linear, relu, sigmoid, tanh or softmax)"},
		{LayerSpec{Type: "Activation", Activation: "swish"}, `unknown activation "swish" (want linear, relu, sigmoid, tanh or softmax)`},
	} {
		_, err := buildLayer(tc.spec, Shape{4}, nil)
		assert.EqualError(t, err, tc.wantErr)
	}
}

func TestActivationLayerGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	for _, act := range []string{"linear", "relu", "sigmoid", "tanh", "softmax"} {
		for _, in := range []Shape{{5}, {2, 3, 4}} {
			t.Run(fmt.Sprintf("%s/%v", act, in), func(t *testing.T) {
				l, err := buildLayer(LayerSpec{Type: "Activation", Activation: act}, in, nil)
				require.NoError(t, err)
				checkLayerGradients(t, l, 2, rng)
			})
		}
	}
}

func TestActivationLayerAllocatesNothing(t *testing.T) {
	for _, act := range []string{"relu", "softmax"} {
		l, err := buildLayer(LayerSpec{Type: "Activation", Activation: act}, Shape{3, 3, 4}, nil)
		require.NoError(t, err)
		x, dy := seq(4*36, -70), seq(4*36, 1)
		allocs := testing.AllocsPerRun(5, func() {
			l.Forward(x, 4, true)
			l.Backward(dy)
		})
		assert.Zero(t, allocs, act)
	}
}

// TestActivationSoftmaxLayerIsFused: Dense(3) + Activation('softmax') trains
// exactly like Dense(3, softmax), including with logits of +-100 where only
// the fused cross-entropy keeps a gradient.
func TestActivationSoftmaxLayerIsFused(t *testing.T) {
	build := func(layers ...LayerSpec) *Model {
		m, err := Build(ModelSpec{Input: []int{2}, Layers: layers}, 9)
		require.NoError(t, err)
		opt, err := NewOptimizer(OptimizerSpec{Name: "sgd"})
		require.NoError(t, err)
		loss, err := ParseLoss("sparse_categorical_crossentropy")
		require.NoError(t, err)
		require.NoError(t, m.Compile(opt, loss))
		return m
	}
	separate := build(LayerSpec{Type: "Dense", Units: 3}, LayerSpec{Type: "Activation", Activation: "softmax"})
	together := build(LayerSpec{Type: "Dense", Units: 3, Activation: "softmax"})
	for _, m := range []*Model{separate, together} {
		copy(m.Params()[0].W, []float32{100, -100, 0, -100, 100, 0})
	}
	x, y := []float32{1, 0, 0, 1}, []float32{1, 2} // logits (100, -100, 0) and (-100, 100, 0)
	lossA, _ := separate.ComputeGradients(x, y, 2)
	lossB, _ := together.ComputeGradients(x, y, 2)
	assert.InDelta(t, 150.0, lossA, 1e-4, "mean of 200 and 100")
	assert.Equal(t, lossB, lossA)
	for i, p := range together.Params() {
		assert.Equal(t, p.G, separate.Params()[i].G, p.Name)
	}
	// dz = (p - onehot)/2: sample 1 gives (0.5, -0.5, 0), sample 2 (0, 0.5, -0.5).
	assert.InDeltaSlice(t, []float32{0.5, -0.5, 0, 0, 0.5, -0.5}, separate.Params()[0].G, 1e-6)
}

// Large batches are split over the worker pool by whole rows; every core
// count gives the bits of the one-goroutine loop, including a last, short
// chunk and softmax rows (of 10 or 7) that do not divide the chunk size.
func TestActivationSameBitsOnAnyNumberOfCores(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, act := range []Activation{Linear, ReLU, Sigmoid, Tanh, Softmax} {
		for _, tc := range []struct{ dim, rows int }{{10, 5003}, {7, 2*activationChunk/7 + 3}, {activationChunk + 1, 3}, {3, 2}} {
			t.Run(fmt.Sprintf("%v/dim=%d,rows=%d", act, tc.dim, tc.rows), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(12, uint64(tc.dim)))
				z := randSlice(rng, tc.dim*tc.rows)
				z[0], z[1] = 0, -0 // ReLU'(0) and the sign of zero
				dy := randSlice(rng, len(z))
				wantY := make([]float32, len(z))
				act.forwardRows(wantY, z, tc.dim)
				wantDz := make([]float32, len(z))
				act.backwardRows(wantDz, dy, wantY, tc.dim)
				bias := randSlice(rng, tc.dim)
				wantZB := append([]float32(nil), z...)
				addBias(wantZB, bias)
				wantYB := make([]float32, len(z))
				act.forwardRows(wantYB, wantZB, tc.dim)
				for procs := 1; procs <= 3; procs++ {
					runtime.GOMAXPROCS(procs)
					y := make([]float32, len(z))
					act.forward(y, z, tc.dim)
					require.Equal(t, sameBitsOf(wantY), sameBitsOf(y), "forward, %d cores", procs)
					zb := append([]float32(nil), z...)
					yb := make([]float32, len(z))
					act.forwardBias(yb, zb, bias, tc.dim)
					require.Equal(t, sameBitsOf(wantZB), sameBitsOf(zb), "forwardBias z, %d cores", procs)
					require.Equal(t, sameBitsOf(wantYB), sameBitsOf(yb), "forwardBias y, %d cores", procs)
					dz := append([]float32(nil), dy...)
					act.backward(dz, dz, y, tc.dim) // in place, as allowed
					require.Equal(t, sameBitsOf(wantDz), sameBitsOf(dz), "backward, %d cores", procs)
				}
			})
		}
	}
}

// sameBitsOf returns the bit patterns of s, so that require.Equal compares
// floats bit for bit (NaN and -0 included) on every platform.
func sameBitsOf(s []float32) []uint32 {
	b := make([]uint32, len(s))
	for i, v := range s {
		b[i] = math.Float32bits(v)
	}
	return b
}

// BenchmarkReLU is ReLU forward and backward over the reference model's
// first conv output for a batch of 32 (32x28x28x32 values), seeded values
// in [-1, 1), half of them negative.
func BenchmarkReLU(b *testing.B) {
	rng := rand.New(rand.NewPCG(31, 32))
	z := randSlice(rng, 32*28*28*32)
	dy := randSlice(rng, len(z))
	y, dz := make([]float32, len(z)), make([]float32, len(z))
	b.ReportAllocs()
	for b.Loop() {
		ReLU.forward(y, z, 32)
		ReLU.backward(dz, dy, y, 32)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(z)), "ns/value")
}

// ReLU masks bits instead of branching; the awkward values keep their
// meaning: NaN stays NaN (divergence shows), -0 and negative infinity give
// +0, +Inf stays, and backward passes a NaN gradient only where y > 0.
func TestReLUAwkwardValues(t *testing.T) {
	nan, inf, negZero := float32(math.NaN()), float32(math.Inf(1)), float32(math.Copysign(0, -1))
	z := []float32{nan, negZero, 0, -inf, inf, -1e-45, 1e-45}
	want := []float32{nan, 0, 0, 0, inf, 0, 1e-45}
	y := make([]float32, len(z))
	ReLU.forward(y, z, len(z))
	for i := range z {
		if math.IsNaN(float64(want[i])) {
			assert.True(t, math.IsNaN(float64(y[i])), "relu(%v)", z[i])
			continue
		}
		assert.Equal(t, math.Float32bits(want[i]), math.Float32bits(y[i]), "relu(%v) = %v", z[i], y[i])
	}
	dy := []float32{1, nan, nan, 2, nan, 3, -4}
	dz := make([]float32, len(dy))
	ReLU.backward(dz, dy, y, len(dy))
	// y = NaN: not > 0, so no gradient; y = +Inf and 1e-45 pass theirs.
	assert.Equal(t, []uint32{0, 0, 0, 0, math.Float32bits(nan), 0, math.Float32bits(-4)}, sameBitsOf(dz))
}
