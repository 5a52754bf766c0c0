package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkLayerGradients compares a layer's Backward with central finite
// differences of the scalar L = sum_i r_i y_i (summed in float64) for a
// random input of n samples and random weights r: dL/dy = r, so Backward(r)
// must return dL/dx and add dL/dW to every Param.G.
func checkLayerGradients(t *testing.T, l Layer, n int, rng *rand.Rand) {
	t.Helper()
	const eps, atol, rtol = 1e-3, 2e-3, 1e-2
	x := make([]float32, n*l.InShape().Size())
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	r := make([]float32, n*l.OutShape().Size())
	for i := range r {
		r[i] = float32(rng.NormFloat64())
	}
	loss := func() float64 {
		var sum float64
		for i, v := range l.Forward(x, n, false) {
			sum += float64(r[i]) * float64(v)
		}
		return sum
	}
	numeric := func(v *float32) float64 {
		old := *v
		*v = old + eps
		plus := loss()
		*v = old - eps
		minus := loss()
		*v = old
		return (plus - minus) / (2 * eps)
	}
	for _, p := range l.Params() {
		clear(p.G)
	}
	l.Forward(x, n, false)
	dx := append([]float32(nil), l.Backward(r)...)
	require.Len(t, dx, len(x))
	for i := range x {
		want := numeric(&x[i])
		assert.InDelta(t, want, dx[i], atol+rtol*math.Abs(want), "dx[%d]", i)
	}
	for _, p := range l.Params() {
		g := append([]float32(nil), p.G...)
		for i := range p.W {
			want := numeric(&p.W[i])
			assert.InDelta(t, want, g[i], atol+rtol*math.Abs(want), "%s.G[%d]", p.Name, i)
		}
	}
}

func TestDenseHandComputed(t *testing.T) {
	// Kernel (2, 3) = [1 2 3; 4 5 6], bias (3) = [0.5 -1 0].
	tests := []struct {
		name    string
		act     string
		noBias  bool
		x       []float32 // (2, 2)
		wantZ   []float32
		wantY   []float32
		dy      []float32
		wantDx  []float32
		wantGW  []float32
		wantGB  []float32
		wantOut []float32
	}{
		{
			name:  "linear",
			x:     []float32{1, 0, -1, 2},
			wantZ: []float32{1.5, 1, 3, 7.5, 7, 9}, wantY: []float32{1.5, 1, 3, 7.5, 7, 9},
			dy: []float32{1, 0, 0, 0, 1, -1},
			// dx = dy·kernelᵀ: [1 4] and [2-3 5-6].
			wantDx: []float32{1, 4, -1, -1},
			// xᵀ·dy: row 0 = 1*(1 0 0) + -1*(0 1 -1); row 1 = 0*... + 2*(0 1 -1).
			wantGW: []float32{1, -1, 1, 0, 2, -2},
			wantGB: []float32{1, 1, -1},
		},
		{
			name:  "relu zeroes the negative pre-activation and its gradient",
			act:   "relu",
			x:     []float32{-1, 0, 1, -1},
			wantZ: []float32{-0.5, -3, -3, -2.5, -4, -3}, wantY: []float32{0, 0, 0, 0, 0, 0},
			dy:     []float32{1, 1, 1, 1, 1, 1},
			wantDx: []float32{0, 0, 0, 0},
			wantGW: []float32{0, 0, 0, 0, 0, 0},
			wantGB: []float32{0, 0, 0},
		},
		{
			name:   "no bias",
			noBias: true,
			x:      []float32{1, 1, 0, 0},
			wantZ:  []float32{5, 7, 9, 0, 0, 0}, wantY: []float32{5, 7, 9, 0, 0, 0},
			dy:     []float32{1, 2, 3, 4, 5, 6},
			wantDx: []float32{14, 32, 32, 77},
			wantGW: []float32{1, 2, 3, 1, 2, 3},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := buildLayer(LayerSpec{Type: "Dense", Units: 3, Activation: tc.act, NoBias: tc.noBias}, Shape{2}, rand.New(rand.NewPCG(1, 2)))
			require.NoError(t, err)
			ps := l.Params()
			copy(ps[0].W, []float32{1, 2, 3, 4, 5, 6})
			if tc.noBias {
				require.Len(t, ps, 1)
			} else {
				require.Len(t, ps, 2)
				copy(ps[1].W, []float32{0.5, -1, 0})
			}
			y := l.Forward(tc.x, 2, true)
			assert.Equal(t, tc.wantY, y)
			assert.Equal(t, tc.wantZ, l.(activatedLayer).logits())
			assert.Equal(t, tc.wantDx, l.Backward(tc.dy))
			assert.Equal(t, tc.wantGW, ps[0].G)
			if !tc.noBias {
				assert.Equal(t, tc.wantGB, ps[1].G)
			}
		})
	}
}

func TestDenseBackwardAccumulates(t *testing.T) {
	l, err := buildLayer(LayerSpec{Type: "Dense", Units: 1}, Shape{2}, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, err)
	copy(l.Params()[0].W, []float32{2, 3})
	x := []float32{1, 2}
	for range 3 {
		l.Forward(x, 1, true)
		l.Backward([]float32{1})
	}
	assert.Equal(t, []float32{3, 6}, l.Params()[0].G)
	assert.Equal(t, []float32{3}, l.Params()[1].G)
}

func TestDenseSoftmaxKeepsLogits(t *testing.T) {
	l, err := buildLayer(LayerSpec{Type: "Dense", Units: 2, Activation: "softmax"}, Shape{1}, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, err)
	copy(l.Params()[0].W, []float32{1, -1})
	y := l.Forward([]float32{math.Float32frombits(0x3f317218)}, 1, false) // ln 2: z = (ln 2, -ln 2)
	al := l.(activatedLayer)
	assert.Equal(t, Softmax, al.activation())
	assert.InDeltaSlice(t, []float32{0.8, 0.2}, y, 1e-6)
	assert.InDeltaSlice(t, []float32{0.6931472, -0.6931472}, al.logits(), 1e-6)
	// backwardLogits skips the softmax: dz = (0.5, -0.5) gives kernel.G = x·dz.
	dx := al.backwardLogits([]float32{0.5, -0.5})
	assert.InDeltaSlice(t, []float32{1}, dx, 1e-6)
	assert.InDeltaSlice(t, []float32{0.3465736, -0.3465736}, l.Params()[0].G, 1e-6)
	assert.Equal(t, []float32{0.5, -0.5}, l.Params()[1].G)
}

func TestDenseSpec(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	l, err := buildLayer(LayerSpec{Type: "Dense", Units: 128, Activation: "relu"}, Shape{1152}, rng)
	require.NoError(t, err)
	assert.Equal(t, LayerSpec{Type: "Dense", Units: 128, Activation: "relu"}, l.Spec())
	assert.Equal(t, Shape{128}, l.OutShape())
	ps := l.Params()
	require.Len(t, ps, 2)
	assert.Equal(t, "kernel", ps[0].Name)
	assert.Equal(t, []int{1152, 128}, ps[0].Shape)
	assert.Equal(t, "bias", ps[1].Name)
	assert.Equal(t, []int{128}, ps[1].Shape)
	assert.Equal(t, 147584, len(ps[0].W)+len(ps[1].W), "Keras's parameter count")
	limit := math.Sqrt(6.0 / (1152 + 128))
	var lo, hi float64
	for _, w := range ps[0].W {
		lo, hi = min(lo, float64(w)), max(hi, float64(w))
	}
	assert.Less(t, hi, limit)
	assert.Greater(t, lo, -limit)
	assert.Greater(t, hi, 0.95*limit, "glorot-uniform fills its range")
	assert.Less(t, lo, -0.95*limit)
	assert.Equal(t, make([]float32, 128), ps[1].W, "zero bias")

	lin, err := buildLayer(LayerSpec{Type: "Dense", Units: 10}, Shape{4}, rng)
	require.NoError(t, err)
	assert.Equal(t, "linear", lin.Spec().Activation, "the default activation is filled in")
}

func TestDenseErrors(t *testing.T) {
	tests := []struct {
		name    string
		spec    LayerSpec
		in      Shape
		wantErr string
	}{
		{"feature maps", LayerSpec{Type: "Dense", Units: 10}, Shape{7, 7, 64}, "Dense needs a vector input (1 axis), got (7, 7, 64): add a Flatten layer before it"},
		{"no units", LayerSpec{Type: "Dense"}, Shape{10}, "units must be positive, got 0"},
		{"negative units", LayerSpec{Type: "Dense", Units: -3}, Shape{10}, "units must be positive, got -3"},
		{"unknown activation", LayerSpec{Type: "Dense", Units: 3, Activation: "gelu"}, Shape{10}, `unknown activation "gelu" (want linear, relu, sigmoid, tanh or softmax)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := buildLayer(tc.spec, tc.in, rand.New(rand.NewPCG(1, 1)))
			require.Error(t, err)
			assert.Equal(t, tc.wantErr, err.Error())
		})
	}
}

func TestDenseGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, act := range []string{"linear", "relu", "sigmoid", "tanh", "softmax"} {
		for _, noBias := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/nobias=%v", act, noBias), func(t *testing.T) {
				l, err := buildLayer(LayerSpec{Type: "Dense", Units: 4, Activation: act, NoBias: noBias}, Shape{5}, rng)
				require.NoError(t, err)
				checkLayerGradients(t, l, 3, rng)
			})
		}
	}
}

func TestDenseAllocatesNothing(t *testing.T) {
	for _, act := range []string{"linear", "relu", "softmax"} {
		t.Run(act, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			l, err := buildLayer(LayerSpec{Type: "Dense", Units: 10, Activation: act}, Shape{32}, rng)
			require.NoError(t, err)
			x, dy := seq(8*32, -100), seq(8*10, -5)
			allocs := testing.AllocsPerRun(5, func() {
				l.Forward(x, 8, true)
				l.Backward(dy)
				l.(activatedLayer).backwardLogits(dy)
			})
			assert.Zero(t, allocs)
		})
	}
}

func BenchmarkDense(b *testing.B) {
	l, err := buildLayer(LayerSpec{Type: "Dense", Units: 128, Activation: "relu"}, Shape{1152}, rand.New(rand.NewPCG(1, 1)))
	require.NoError(b, err)
	x, dy := seq(32*1152, 0), seq(32*128, 0)
	b.ReportAllocs()
	for b.Loop() {
		l.Forward(x, 32, true)
		l.Backward(dy)
	}
}
