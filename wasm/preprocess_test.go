//go:build js && wasm

package main

import (
	"syscall/js"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// canvas is a w x h canvas's ImageData.data: black ink (opaque) in the
// rectangle [x0, x1) x [y0, y1) on transparent paper, as a cleared canvas
// with strokes drawn on it.
func canvas(w, h, x0, y0, x1, y1 int) js.Value {
	arr := js.Global().Get("Uint8ClampedArray").New(w * h * 4)
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			arr.SetIndex((y*w+x)*4+3, 255)
		}
	}
	return arr
}

func floats(v js.Value) []float64 {
	out := make([]float64, v.Length())
	for i := range out {
		out[i] = v.Index(i).Float()
	}
	return out
}

func TestPreprocess(t *testing.T) {
	w, _ := newWorker()
	req := func(fields map[string]any) replyOf {
		fields["id"], fields["type"] = 1, "preprocess"
		return send(w, obj(fields))
	}
	r := req(map[string]any{"rgba": canvas(10, 10, 3, 5, 7, 7), "width": 10, "height": 10, "fit": "fashion"})
	assert.Equal(t, "worker: no data set: send loadDataset first (preprocess standardizes with its mean and std)", r.err)

	d := newTinyData(t) // 2x2 images, mean 100, std 50
	require.True(t, send(w, obj(map[string]any{"id": 0, "type": "loadDataset", "manifest": string(d.manifest)})).ok)

	bad := []struct {
		name    string
		fields  map[string]any
		wantErr string
	}{
		{"fit", map[string]any{"rgba": canvas(2, 2, 0, 0, 1, 1), "width": 2, "height": 2, "fit": "none"}, `worker: fit "none": want fashion or mnist`},
		{"no width", map[string]any{"rgba": canvas(2, 2, 0, 0, 1, 1), "height": 2, "fit": "mnist"}, "worker: preprocess needs the picture's width and height"},
		{"zero width", map[string]any{"rgba": canvas(2, 2, 0, 0, 1, 1), "width": 0, "height": 2, "fit": "mnist"}, "worker: width 0 must be a whole number of at least 1"},
		{"size", map[string]any{"rgba": canvas(2, 2, 0, 0, 1, 1), "width": 3, "height": 2, "fit": "mnist"}, "worker: rgba has 16 values, want width*height*4 = 24"},
		{"huge", map[string]any{"rgba": canvas(2, 2, 0, 0, 1, 1), "width": 5000, "height": 2, "fit": "mnist"}, "worker: picture 5000x2 is larger than 4096x4096"},
		{"not bytes", map[string]any{"rgba": js0(), "width": 2, "height": 2, "fit": "mnist"}, "worker: rgba must be a Uint8ClampedArray (ImageData.data) or a Uint8Array"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			r := req(tt.fields)
			assert.False(t, r.ok)
			assert.Equal(t, tt.wantErr, r.err)
		})
	}

	t.Run("a 4x2 box fitted as Fashion-MNIST into 2x2", func(t *testing.T) {
		// The box's longest edge becomes 2, the other 1, centred at row
		// (2-1)/2 = 0.5, rounded to 1: the bottom row is ink. Standardized:
		// (0-100)/50 = -2, (255-100)/50 = 3.1.
		r := req(map[string]any{"rgba": canvas(10, 10, 3, 5, 7, 7), "width": 10, "height": 10, "fit": "fashion"})
		require.True(t, r.ok, r.err)
		assert.Equal(t, []int{0, 0, 255, 255}, ints(r.result.Get("image")))
		assert.InDeltaSlice(t, []float64{-2, -2, 3.1, 3.1}, floats(r.result.Get("pixels")), 1e-6)
		assert.Equal(t, 100.0, r.result.Get("mean").Float())
		assert.Equal(t, 50.0, r.result.Get("std").Float())
		steps := r.result.Get("steps")
		require.Equal(t, 4, steps.Length())
		type step struct {
			name          string
			width, height int
			box           []int
		}
		want := []step{
			{"ink", 10, 10, nil},
			{"box", 4, 2, []int{3, 5, 4, 2}},
			{"scaled", 2, 1, nil},
			{"placed", 2, 2, []int{0, 1, 2, 1}},
		}
		for i, ws := range want {
			s := steps.Index(i)
			got := step{name: s.Get("name").String(), width: s.Get("width").Int(), height: s.Get("height").Int()}
			if b := s.Get("box"); !b.IsUndefined() {
				got.box = []int{b.Get("x").Int(), b.Get("y").Int(), b.Get("w").Int(), b.Get("h").Int()}
			}
			assert.Equal(t, ws, got)
			assert.Equal(t, ws.width*ws.height, s.Get("image").Length())
		}
		ink := ints(steps.Index(0).Get("image"))
		assert.Equal(t, 255, ink[5*10+3])
		assert.Equal(t, 0, ink[0])
		assert.Equal(t, []int{255, 255, 255, 255, 255, 255, 255, 255}, ints(steps.Index(1).Get("image")))
	})

	t.Run("an empty drawing", func(t *testing.T) {
		r := req(map[string]any{"rgba": canvas(10, 10, 0, 0, 0, 0), "width": 10, "height": 10, "fit": "mnist"})
		require.True(t, r.ok, r.err)
		assert.Equal(t, []int{0, 0, 0, 0}, ints(r.result.Get("image")))
		assert.InDeltaSlice(t, []float64{-2, -2, -2, -2}, floats(r.result.Get("pixels")), 1e-6)
		require.Equal(t, 1, r.result.Get("warnings").Length())
		assert.Equal(t, "empty", r.result.Get("warnings").Index(0).Get("code").String())
		steps := r.result.Get("steps")
		require.Equal(t, 2, steps.Length())
		assert.Equal(t, "ink", steps.Index(0).Get("name").String())
		assert.Equal(t, "placed", steps.Index(1).Get("name").String())
		assert.True(t, steps.Index(1).Get("box").IsUndefined())
	})

	t.Run("a dot is tiny", func(t *testing.T) {
		// One pixel of a 20x20 Uint8Array picture: 1/20 = 0.05 of the pad.
		r := req(map[string]any{"rgba": js.Global().Get("Uint8Array").New(canvas(20, 20, 9, 9, 10, 10)), "width": 20, "height": 20, "fit": "mnist"})
		require.True(t, r.ok, r.err)
		ws := r.result.Get("warnings")
		require.GreaterOrEqual(t, ws.Length(), 1)
		assert.Equal(t, "tiny", ws.Index(0).Get("code").String())
		assert.InDelta(t, 0.05, ws.Index(0).Get("value").Float(), 1e-12)
		assert.InDelta(t, 0.1, ws.Index(0).Get("limit").Float(), 1e-12)
	})
}
