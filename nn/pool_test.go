package nn

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seq returns the values start, start+1, ... (n of them).
func seq(n int, start float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = start + float32(i)
	}
	return v
}

func TestPoolingForwardBackward(t *testing.T) {
	tests := []struct {
		name    string
		spec    LayerSpec
		in      Shape
		n       int
		x       []float32
		wantOut Shape
		maxY    []float32
		choices []int32
		avgY    []float32
		dy      []float32
		maxDx   []float32
		avgDx   []float32
	}{
		{
			name: "4x4 pool 2", spec: LayerSpec{}, in: Shape{4, 4, 1}, n: 1,
			x:       seq(16, 1),
			wantOut: Shape{2, 2, 1},
			maxY:    []float32{6, 8, 14, 16}, choices: []int32{5, 7, 13, 15},
			avgY:  []float32{3.5, 5.5, 11.5, 13.5},
			dy:    []float32{1, 2, 3, 4},
			maxDx: []float32{0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4},
			avgDx: []float32{.25, .25, .5, .5, .25, .25, .5, .5, .75, .75, 1, 1, .75, .75, 1, 1},
		},
		{
			name: "all-negative window", in: Shape{2, 2, 1}, n: 1,
			x:       []float32{-3, -1, -2, -4},
			wantOut: Shape{1, 1, 1},
			maxY:    []float32{-1}, choices: []int32{1},
			avgY:  []float32{-2.5},
			dy:    []float32{2},
			maxDx: []float32{0, 2, 0, 0},
			avgDx: []float32{.5, .5, .5, .5},
		},
		{
			name: "ties go to the first maximum in row-major order", in: Shape{2, 4, 1}, n: 1,
			// windows: {1 5 / 5 2} and {7 7 / 7 7}
			x:       []float32{1, 5, 7, 7, 5, 2, 7, 7},
			wantOut: Shape{1, 2, 1},
			maxY:    []float32{5, 7}, choices: []int32{1, 2},
			avgY:  []float32{3.25, 7},
			dy:    []float32{1, 1},
			maxDx: []float32{0, 1, 1, 0, 0, 0, 0, 0},
			avgDx: []float32{.25, .25, .25, .25, .25, .25, .25, .25},
		},
		{
			name: "7x7 floors to 3x3", in: Shape{7, 7, 1}, n: 1,
			x:       seq(49, 0),
			wantOut: Shape{3, 3, 1},
			maxY:    []float32{8, 10, 12, 22, 24, 26, 36, 38, 40},
			choices: []int32{8, 10, 12, 22, 24, 26, 36, 38, 40},
			// window (i, j) averages rows 2i, 2i+1 and columns 2j, 2j+1: 7*2i + 2j + 4.
			avgY: []float32{4, 6, 8, 18, 20, 22, 32, 34, 36},
		},
		{
			name: "non-square 3x5", in: Shape{3, 5, 1}, n: 1,
			x: []float32{
				1, 9, 2, 0, 3,
				4, 0, 8, 7, 1,
				5, 6, 5, 5, 9,
			},
			wantOut: Shape{1, 2, 1},
			maxY:    []float32{9, 8}, choices: []int32{1, 7},
			avgY:  []float32{3.5, 4.25},
			dy:    []float32{4, 8},
			maxDx: []float32{0, 4, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0},
			avgDx: []float32{1, 1, 2, 2, 0, 1, 1, 2, 2, 0, 0, 0, 0, 0, 0},
		},
		{
			name: "overlapping: pool 2 stride 1", spec: LayerSpec{Strides: 1}, in: Shape{3, 3, 1}, n: 1,
			x:       []float32{1, 2, 3, 4, 9, 5, 6, 7, 8},
			wantOut: Shape{2, 2, 1},
			maxY:    []float32{9, 9, 9, 9}, choices: []int32{4, 4, 4, 4},
			avgY:  []float32{4, 4.75, 6.5, 7.25},
			dy:    []float32{1, 2, 3, 4},
			maxDx: []float32{0, 0, 0, 0, 10, 0, 0, 0, 0},
			avgDx: []float32{.25, .75, .5, 1, 2.5, 1.5, .75, 1.75, 1},
		},
		{
			name: "stride larger than pool skips cells", spec: LayerSpec{PoolSize: 1, Strides: 2}, in: Shape{3, 3, 1}, n: 1,
			x:       seq(9, -9),
			wantOut: Shape{2, 2, 1},
			maxY:    []float32{-9, -7, -3, -1}, choices: []int32{0, 2, 6, 8},
			avgY: []float32{-9, -7, -3, -1},
		},
		{
			name: "same 3x3: one padded row and column at the bottom/right", spec: LayerSpec{Padding: "same"}, in: Shape{3, 3, 1}, n: 1,
			// All negative: a padded 0 must never win the max.
			x:       []float32{-1, -2, -3, -4, -5, -6, -7, -8, -9},
			wantOut: Shape{2, 2, 1},
			maxY:    []float32{-1, -3, -7, -9}, choices: []int32{0, 2, 6, 8},
			// Padded cells are not counted: (-3-6)/2, not /4.
			avgY:  []float32{-3, -4.5, -7.5, -9},
			dy:    []float32{4, 6, 2, 5},
			maxDx: []float32{4, 0, 6, 0, 0, 0, 2, 0, 5},
			avgDx: []float32{1, 1, 3, 1, 1, 3, 1, 1, 5},
		},
		{
			name: "same, pool 4 over 1x3: odd total 3 puts 1 before and 2 after", spec: LayerSpec{PoolSize: 4, Strides: 1, Padding: "same"}, in: Shape{1, 3, 1}, n: 1,
			// Column windows [-1,3) [0,4) [1,5), cut to [0,3) [0,3) [1,3).
			x:       []float32{3, 1, 2},
			wantOut: Shape{1, 3, 1},
			maxY:    []float32{3, 3, 2}, choices: []int32{0, 0, 2},
			avgY:  []float32{2, 2, 1.5},
			dy:    []float32{3, 6, 2},
			maxDx: []float32{9, 0, 2},
			avgDx: []float32{3, 4, 4},
		},
		{
			name: "channels are pooled separately", in: Shape{2, 2, 2}, n: 1,
			x:       []float32{1, -1, 2, -2, 3, -3, 0, 0},
			wantOut: Shape{1, 1, 2},
			maxY:    []float32{3, 0}, choices: []int32{4, 7},
			avgY:  []float32{1.5, -1.5},
			dy:    []float32{1, 2},
			maxDx: []float32{0, 0, 0, 0, 1, 0, 0, 2},
			avgDx: []float32{.25, .5, .25, .5, .25, .5, .25, .5},
		},
		{
			name: "second sample's choices index into the whole batch", in: Shape{2, 2, 1}, n: 2,
			x:       []float32{1, 2, 3, 4, -5, -6, -7, -8},
			wantOut: Shape{1, 1, 1},
			maxY:    []float32{4, -5}, choices: []int32{3, 4},
			avgY:  []float32{2.5, -6.5},
			dy:    []float32{1, 2},
			maxDx: []float32{0, 0, 0, 1, 2, 0, 0, 0},
			avgDx: []float32{.25, .25, .25, .25, .5, .5, .5, .5},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, typ := range []string{"MaxPooling2D", "AveragePooling2D"} {
				spec := tc.spec
				spec.Type = typ
				l, err := buildLayer(spec, tc.in, nil)
				require.NoError(t, err, typ)
				assert.Equal(t, tc.wantOut, l.OutShape(), typ)
				y := l.Forward(tc.x, tc.n, true)
				wantY, wantDx := tc.maxY, tc.maxDx
				if typ == "AveragePooling2D" {
					wantY, wantDx = tc.avgY, tc.avgDx
				} else {
					assert.Equal(t, tc.choices, l.(*MaxPooling2D).Choices(), "choices")
				}
				assert.InDeltaSlice(t, wantY, y, 1e-6, "%s forward", typ)
				if tc.dy != nil {
					assert.InDeltaSlice(t, wantDx, l.Backward(tc.dy), 1e-6, "%s backward", typ)
				}
			}
		})
	}
}

func TestPoolingSpec(t *testing.T) {
	tests := []struct {
		name    string
		spec    LayerSpec
		in      Shape
		want    LayerSpec
		wantOut Shape
	}{
		{"keras defaults", LayerSpec{Type: "MaxPooling2D"}, Shape{28, 28, 32},
			LayerSpec{Type: "MaxPooling2D", PoolSize: 2, Strides: 2, Padding: "valid"}, Shape{14, 14, 32}},
		{"strides default to the pool size", LayerSpec{Type: "AveragePooling2D", PoolSize: 3}, Shape{7, 7, 64},
			LayerSpec{Type: "AveragePooling2D", PoolSize: 3, Strides: 3, Padding: "valid"}, Shape{2, 2, 64}},
		{"reference 7 -> 3", LayerSpec{Type: "MaxPooling2D"}, Shape{7, 7, 128},
			LayerSpec{Type: "MaxPooling2D", PoolSize: 2, Strides: 2, Padding: "valid"}, Shape{3, 3, 128}},
		{"same rounds up", LayerSpec{Type: "MaxPooling2D", Padding: "same"}, Shape{7, 5, 3},
			LayerSpec{Type: "MaxPooling2D", PoolSize: 2, Strides: 2, Padding: "same"}, Shape{4, 3, 3}},
		{"same allows a pool larger than the input", LayerSpec{Type: "MaxPooling2D", PoolSize: 3, Strides: 1, Padding: "same"}, Shape{1, 1, 2},
			LayerSpec{Type: "MaxPooling2D", PoolSize: 3, Strides: 1, Padding: "same"}, Shape{1, 1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := buildLayer(tc.spec, tc.in, nil)
			require.NoError(t, err)
			assert.Equal(t, tc.want, l.Spec())
			assert.Equal(t, tc.in, l.InShape())
			assert.Equal(t, tc.wantOut, l.OutShape())
			assert.Nil(t, l.Params())
		})
	}
}

func TestPoolingErrors(t *testing.T) {
	tests := []struct {
		name    string
		spec    LayerSpec
		in      Shape
		wantErr string
	}{
		{"pool larger than input", LayerSpec{Type: "MaxPooling2D"}, Shape{1, 1, 128}, "pool 2 larger than input 1x1"},
		{"pool taller than a non-square input", LayerSpec{Type: "AveragePooling2D", PoolSize: 3}, Shape{2, 9, 1}, "pool 3 larger than input 2x9"},
		{"after Flatten", LayerSpec{Type: "MaxPooling2D"}, Shape{1152}, "MaxPooling2D needs feature maps (3 axes: height, width, channels), got (1152): pooling must come before Flatten"},
		{"unknown padding", LayerSpec{Type: "MaxPooling2D", Padding: "full"}, Shape{4, 4, 1}, `padding must be "valid" or "same", got "full"`},
		{"negative pool size", LayerSpec{Type: "MaxPooling2D", PoolSize: -1}, Shape{4, 4, 1}, "pool_size must be positive, got -1"},
		{"negative strides", LayerSpec{Type: "AveragePooling2D", Strides: -2}, Shape{4, 4, 1}, "strides must be positive, got -2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := buildLayer(tc.spec, tc.in, nil)
			require.Error(t, err)
			assert.Equal(t, tc.wantErr, err.Error())
		})
	}
}

func TestPoolingErrorNamesLayer(t *testing.T) {
	spec := ModelSpec{Input: []int{1, 1, 3}, Layers: []LayerSpec{{Type: "MaxPooling2D"}}}
	_, err := Build(spec, 1)
	require.Error(t, err)
	assert.Equal(t, "nn: layer 1 (max_pooling2d): pool 2 larger than input 1x1", err.Error())
}

// TestPoolingGradients checks both poolings against finite differences on
// random inputs, where ties (at which max pooling is not differentiable) have
// probability zero.
func TestPoolingGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, typ := range []string{"MaxPooling2D", "AveragePooling2D"} {
		for _, spec := range []LayerSpec{
			{Type: typ},
			{Type: typ, PoolSize: 3, Strides: 2, Padding: "same"},
			{Type: typ, PoolSize: 2, Strides: 1},
		} {
			l, err := buildLayer(spec, Shape{5, 4, 2}, nil)
			require.NoError(t, err)
			s := l.Spec()
			t.Run(fmt.Sprintf("%s/pool%d/stride%d/%s", typ, s.PoolSize, s.Strides, s.Padding), func(t *testing.T) {
				checkLayerGradients(t, l, 2, rng)
			})
		}
	}
}

func TestPoolingAllocatesNothing(t *testing.T) {
	for _, typ := range []string{"MaxPooling2D", "AveragePooling2D"} {
		t.Run(typ, func(t *testing.T) {
			l, err := buildLayer(LayerSpec{Type: typ, Padding: "same"}, Shape{7, 7, 3}, nil)
			require.NoError(t, err)
			x := seq(4*7*7*3, -20)
			dy := seq(4*4*4*3, 1)
			allocs := testing.AllocsPerRun(5, func() {
				l.Forward(x, 4, true)
				l.Backward(dy)
			})
			assert.Zero(t, allocs)
		})
	}
}

func BenchmarkMaxPooling2D(b *testing.B) {
	l, err := buildLayer(LayerSpec{Type: "MaxPooling2D"}, Shape{28, 28, 32}, nil)
	require.NoError(b, err)
	x := seq(32*28*28*32, 0)
	dy := seq(32*14*14*32, 0)
	b.ReportAllocs()
	for b.Loop() {
		l.Forward(x, 32, true)
		l.Backward(dy)
	}
}

// Max pooling runs one image per chunk of the worker pool; 1, 2 and 3 cores
// give the same outputs, choices and input gradients, with overlapping
// windows (3 by stride 2, whose shared cells add up) and odd same padding.
func TestMaxPoolSameBitsOnAnyNumberOfCores(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, spec := range []LayerSpec{
		{Type: "MaxPooling2D", PoolSize: 3, Strides: 2},
		{Type: "MaxPooling2D", PoolSize: 2, Padding: "same"},
	} {
		t.Run(fmt.Sprintf("pool=%d,strides=%d,%s", spec.PoolSize, spec.Strides, spec.Padding), func(t *testing.T) {
			var ys, dxs [][]float32
			var choices [][]int32
			for procs := 1; procs <= 3; procs++ {
				runtime.GOMAXPROCS(procs)
				rng := rand.New(rand.NewPCG(9, 9))
				l := buildRandom(t, spec, Shape{7, 9, 3}, rng)
				const n = 5
				x := randSlice(rng, n*l.InShape().Size())
				for i := range x[:20] {
					x[i] = -1 // an all-negative, all-tied corner: the first cell wins
				}
				dy := randSlice(rng, n*l.OutShape().Size())
				ys = append(ys, append([]float32(nil), l.Forward(x, n, true)...))
				choices = append(choices, append([]int32(nil), l.(*MaxPooling2D).Choices()...))
				dxs = append(dxs, append([]float32(nil), l.Backward(dy)...))
			}
			for i := 1; i < 3; i++ {
				require.Equal(t, sameBitsOf(ys[0]), sameBitsOf(ys[i]), "forward, %d cores", i+1)
				require.Equal(t, choices[0], choices[i], "choices, %d cores", i+1)
				require.Equal(t, sameBitsOf(dxs[0]), sameBitsOf(dxs[i]), "dx, %d cores", i+1)
			}
		})
	}
}
