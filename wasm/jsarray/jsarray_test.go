//go:build js && wasm

package jsarray

import (
	"math"
	"syscall/js"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFloat32sRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		vals []float32
	}{
		{"empty", nil},
		{"one", []float32{1.5}},
		{"awkward values", []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), math.SmallestNonzeroFloat32, math.MaxFloat32, -3.25}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arr := Float32sToJS(tt.vals)
			require.Equal(t, len(tt.vals), arr.Length())
			for i, v := range tt.vals {
				assert.Equal(t, float64(v), arr.Index(i).Float())
			}
			back := make([]float32, len(tt.vals))
			require.NoError(t, Float32sFromJS(back, arr, "x"))
			for i := range back {
				assert.Equal(t, math.Float32bits(tt.vals[i]), math.Float32bits(back[i]))
			}
		})
	}
	t.Run("NaN", func(t *testing.T) {
		back := make([]float32, 1)
		require.NoError(t, Float32sFromJS(back, Float32sToJS([]float32{float32(math.NaN())}), "x"))
		assert.True(t, math.IsNaN(float64(back[0])))
	})
	t.Run("view at an offset into a larger buffer", func(t *testing.T) {
		buf := js.Global().Get("ArrayBuffer").New(24) // 6 floats; the view is floats 2..4
		all := js.Global().Get("Float32Array").New(buf)
		for i := 0; i < 6; i++ {
			all.SetIndex(i, i*10)
		}
		view := js.Global().Get("Float32Array").New(buf, 8, 3)
		got := make([]float32, 3)
		require.NoError(t, Float32sFromJS(got, view, "x"))
		assert.Equal(t, []float32{20, 30, 40}, got)
	})
}

func TestInt32sToJS(t *testing.T) {
	for _, vals := range [][]int32{nil, {}, {7}, {-1, 0, math.MaxInt32, math.MinInt32}} {
		arr := Int32sToJS(vals)
		assert.True(t, arr.InstanceOf(js.Global().Get("Int32Array")))
		require.Equal(t, len(vals), arr.Length())
		for i, v := range vals {
			assert.Equal(t, int(v), arr.Index(i).Int())
		}
	}
	assert.Equal(t, 0, Float32sToJS([]float32{}).Length(), "an empty, non-nil slice")
	assert.Equal(t, []any{2, 3}, ShapeToJS([]int{2, 3}))
	assert.Equal(t, 3, IntsToJS([]int{1, 2, 3}).Index(2).Int())
}
