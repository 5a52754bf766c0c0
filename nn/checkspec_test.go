package nn

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckSpec(t *testing.T) {
	conv := func(f, k int, pad string) LayerSpec {
		return LayerSpec{Type: "Conv2D", Filters: f, KernelSize: k, Padding: pad, Activation: "relu"}
	}
	pool := LayerSpec{Type: "MaxPooling2D", PoolSize: 2}
	flat := LayerSpec{Type: "Flatten"}
	dense := func(u int) LayerSpec { return LayerSpec{Type: "Dense", Units: u, Activation: "softmax"} }
	tests := []struct {
		name    string
		input   []int
		layers  []LayerSpec
		out     [][]int // each valid layer's output shape
		params  []int
		names   []string
		bad     int    // index of the invalid layer, -1 if none
		message string // part of the error
	}{
		{
			// 6x6x1 -conv 3x3 valid-> 4x4x2: (3*3*1+1)*2 = 20; pool -> 2x2x2;
			// flatten -> 8; dense 3: (8+1)*3 = 27.
			name: "valid stack", input: []int{6, 6, 1},
			layers: []LayerSpec{conv(2, 3, "valid"), pool, flat, dense(3)},
			out:    [][]int{{4, 4, 2}, {2, 2, 2}, {8}, {3}}, params: []int{20, 0, 0, 27},
			names: []string{"conv2d", "max_pooling2d", "flatten", "dense"}, bad: -1,
		},
		{
			// 7x7 pooled by 2 floors to 3x3 (the reference model's 7 -> 3).
			name: "pooling floors", input: []int{7, 7, 1},
			layers: []LayerSpec{pool, flat, dense(2)},
			out:    [][]int{{3, 3, 1}, {9}, {2}}, params: []int{0, 0, 20},
			names: []string{"max_pooling2d", "flatten", "dense"}, bad: -1,
		},
		{
			name: "dense before flatten", input: []int{4, 4, 1},
			layers: []LayerSpec{conv(2, 3, "same"), dense(3), flat},
			out:    [][]int{{4, 4, 2}}, params: []int{20}, names: []string{"conv2d"},
			bad: 1, message: "layer 2 (dense): Dense needs a vector input",
		},
		{
			// 3x3 -pool 2-> 1x1, then a second pool of 2 is larger than 1x1.
			name: "pool larger than its input", input: []int{3, 3, 1},
			layers: []LayerSpec{pool, pool, flat},
			out:    [][]int{{1, 1, 1}}, params: []int{0}, names: []string{"max_pooling2d"},
			bad: 1, message: "layer 2 (max_pooling2d_1): pool 2 larger than input 1x1",
		},
		{
			name: "first layer invalid", input: []int{2, 2, 1},
			layers: []LayerSpec{conv(1, 3, "valid")},
			bad:    0, message: "layer 1 (conv2d): kernel 3 larger than input 2x2",
		},
		{
			// 10*20 + 20 weights: over a bound of 100.
			name: "layer over the weight bound", input: []int{10},
			layers: []LayerSpec{dense(20)},
			bad:    0, message: "layer too large: 220 weights, more than 100",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckSpec(ModelSpec{Input: tt.input, Layers: tt.layers}, 100)
			require.Len(t, got, len(tt.out))
			for i, l := range got {
				assert.Equal(t, Shape(tt.out[i]), l.Out, "layer %d", i)
				assert.Equal(t, tt.params[i], l.Params, "layer %d", i)
				assert.Equal(t, tt.names[i], l.Spec.Name, "layer %d", i)
			}
			if tt.bad < 0 {
				require.NoError(t, err)
				// The same shapes and counts as the built model.
				m, err := Build(ModelSpec{Input: tt.input, Layers: tt.layers}, 1)
				require.NoError(t, err)
				for i, l := range m.Layers {
					assert.Equal(t, l.OutShape(), got[i].Out)
					assert.Equal(t, ParamCount(l), got[i].Params)
				}
				return
			}
			var se *SpecError
			require.True(t, errors.As(err, &se), "%v", err)
			assert.Equal(t, tt.bad, se.Index)
			assert.Contains(t, err.Error(), tt.message)
			if tt.bad > 0 {
				assert.Equal(t, got[tt.bad-1].Out, se.In)
			} else {
				assert.Equal(t, Shape(tt.input), se.In)
			}
		})
	}
	t.Run("no layers", func(t *testing.T) {
		_, err := CheckSpec(ModelSpec{Input: []int{2, 2, 1}}, 100)
		assert.EqualError(t, err, "nn: model has no layers")
	})
	t.Run("the reference model", func(t *testing.T) {
		got, err := CheckSpec(ReferenceSpec(), 1<<20)
		require.NoError(t, err)
		total := 0
		for _, l := range got {
			total += l.Params
		}
		assert.Equal(t, 435306, total)
		assert.Equal(t, Shape{3, 3, 128}, got[8].Out)
	})
}
