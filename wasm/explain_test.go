//go:build js && wasm

package main

import (
	"math"
	"math/rand/v2"
	"syscall/js"
	"testing"

	"convplay/wasm/jsarray"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// explainWorker is a worker with the small preset (conv 26x26x8, pool
// 13x13x8, conv 11x11x16, pool 5x5x16, flatten, dense) and a seeded input.
func explainWorker(t *testing.T) (*worker, []float32) {
	w := &worker{}
	r := request(w, "buildModel", map[string]any{"preset": "small", "seed": 4})
	require.True(t, r.ok, r.err)
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 784)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return w, x
}

func explainFloats(t *testing.T, v js.Value) []float32 {
	t.Helper()
	out := make([]float32, v.Length())
	require.NoError(t, jsarray.Float32sFromJS(out, v, "result"))
	return out
}

func TestConvWindow(t *testing.T) {
	w, x := explainWorker(t)
	pr := request(w, "predict", map[string]any{"pixels": jsarray.Float32sToJS(x)})
	require.True(t, pr.ok, pr.err)
	trace := pr.result.Get("trace")
	for _, tt := range []struct {
		name               string
		layer              any
		y, x, f            int
		outW, outC, inC, k int
	}{
		{"first layer corner", 0, 0, 0, 0, 26, 8, 1, 3},
		{"first layer middle", 0, 12, 17, 5, 26, 8, 1, 3},
		{"second conv by name, eight channels", "conv2d_1", 10, 3, 15, 11, 16, 8, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := request(w, "convWindow", map[string]any{"pixels": jsarray.Float32sToJS(x), "layer": tt.layer, "y": tt.y, "x": tt.x, "filter": tt.f})
			require.True(t, r.ok, r.err)
			li := r.result.Get("layer").Int()
			want := explainFloats(t, trace.Index(li).Get("output"))[(tt.y*tt.outW+tt.x)*tt.outC+tt.f]
			res := r.result
			assert.Equal(t, float64(want), res.Get("output").Float())
			assert.InDelta(t, want, res.Get("activated").Float(), 1e-5*max(1, math.Abs(float64(want))))
			assert.Len(t, explainFloats(t, res.Get("window")), tt.k*tt.k*tt.inC)
			assert.Len(t, explainFloats(t, res.Get("products")), tt.k*tt.k*tt.inC)
			cs := explainFloats(t, res.Get("channelSums"))
			require.Len(t, cs, tt.inC)
			var sum float32
			for _, s := range cs {
				sum += s
			}
			assert.InDelta(t, sum, res.Get("sum").Float(), 1e-5)
			assert.Equal(t, float64(float32(res.Get("sum").Float())+float32(res.Get("bias").Float())), res.Get("preActivation").Float())
			assert.Equal(t, "relu", res.Get("activation").String())
			assert.Equal(t, tt.k*tt.k, res.Get("inside").Length())
			assert.Equal(t, 1, res.Get("stride").Int())
			for _, pad := range []string{"padTop", "padLeft", "padBottom", "padRight"} {
				assert.Equal(t, 0, res.Get(pad).Int(), "the small preset's convolutions are valid: %s", pad)
			}
		})
	}
	for _, tt := range []struct {
		name string
		args map[string]any
		want string
	}{
		{"pooling layer", map[string]any{"layer": 1}, "not a Conv2D"},
		{"no such layer", map[string]any{"layer": 12}, "layer 12 does not exist"},
		{"no such name", map[string]any{"layer": "conv9"}, `no layer named "conv9"`},
		{"outside", map[string]any{"layer": 0, "y": 26}, "outside"},
		{"negative", map[string]any{"layer": 0, "x": -1}, "x -1 must be a whole number of at least 0"},
		{"no pixels", map[string]any{"layer": 0, "pixels": nil}, "pixels must be a Float32Array"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := map[string]any{"pixels": jsarray.Float32sToJS(x)}
			for k, v := range tt.args {
				args[k] = v
			}
			r := request(w, "convWindow", args)
			assert.False(t, r.ok)
			assert.Contains(t, r.err, tt.want)
		})
	}
	r := request(&worker{}, "convWindow", map[string]any{"layer": 0})
	assert.Equal(t, errNoModel.Error(), r.err)
}

func TestConvSizeOp(t *testing.T) {
	w := &worker{}
	for _, tt := range []struct {
		name        string
		args        map[string]any
		out, before int
		after       int
		problem     string
	}{
		{"same", map[string]any{"n": 28, "k": 3, "s": 1, "padding": "same"}, 28, 1, 1, ""},
		{"valid", map[string]any{"n": 28, "k": 3, "s": 1, "padding": "valid"}, 26, 0, 0, ""},
		{"pool floors", map[string]any{"n": 7, "k": 2, "s": 2}, 3, 0, 0, ""},
		{"explicit", map[string]any{"n": 6, "k": 3, "s": 2, "padding": "explicit", "p": 1}, 3, 1, 1, ""},
		{"kernel too big", map[string]any{"n": 2, "k": 5, "s": 1, "padding": "valid"}, 0, 0, 0, "kernelLarger"},
		{"stride 0", map[string]any{"n": 5, "k": 3, "s": 0, "padding": "same"}, 0, 0, 0, "stride"},
		{"negative padding", map[string]any{"n": 5, "k": 3, "s": 1, "padding": "explicit", "p": -2}, 0, 0, 0, "padding"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := request(w, "convSize", tt.args)
			require.True(t, r.ok, r.err)
			if tt.problem != "" {
				assert.False(t, r.result.Get("valid").Bool())
				assert.Equal(t, tt.problem, r.result.Get("problem").String())
				assert.NotEmpty(t, r.result.Get("message").String())
				return
			}
			assert.True(t, r.result.Get("valid").Bool())
			assert.Equal(t, tt.out, r.result.Get("out").Int())
			assert.Equal(t, tt.before, r.result.Get("padBefore").Int())
			assert.Equal(t, tt.after, r.result.Get("padAfter").Int())
			assert.Equal(t, tt.out, r.result.Get("starts").Length())
		})
	}
	for _, tt := range []struct {
		name string
		args map[string]any
		want string
	}{
		{"missing n", map[string]any{"k": 3, "s": 1}, "convSize needs n"},
		{"fraction", map[string]any{"n": 2.5, "k": 3, "s": 1}, "n 2.5 must be a whole number"},
		{"too large", map[string]any{"n": 5000, "k": 3, "s": 1}, "n 5000 is larger than 1000"},
		{"text", map[string]any{"n": "5", "k": 3, "s": 1}, "n must be a number"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := request(w, "convSize", tt.args)
			assert.False(t, r.ok)
			assert.Contains(t, r.err, tt.want)
		})
	}
}

func TestPoolCompare(t *testing.T) {
	w, x := explainWorker(t)
	pr := request(w, "predict", map[string]any{"pixels": jsarray.Float32sToJS(x)})
	require.True(t, pr.ok, pr.err)
	for _, tt := range []struct {
		layer     int
		in, out   int
		dropped   float64
		uncovered int
	}{
		{1, 26, 13, 0.75, 0},
		{3, 11, 5, 1 - 25.0/121, 21},
	} {
		r := request(w, "poolCompare", map[string]any{"pixels": jsarray.Float32sToJS(x), "layer": tt.layer})
		require.True(t, r.ok, r.err)
		res := r.result
		assert.Equal(t, tt.in, res.Get("inShape").Index(0).Int())
		assert.Equal(t, tt.out, res.Get("outShape").Index(0).Int())
		assert.InDelta(t, tt.dropped, res.Get("dropped").Float(), 1e-12)
		assert.Equal(t, tt.uncovered, res.Get("uncovered").Int())
		mx, avg := explainFloats(t, res.Get("max")), explainFloats(t, res.Get("avg"))
		assert.Equal(t, explainFloats(t, pr.result.Get("trace").Index(tt.layer).Get("output")), mx, "max pooling is the trace's")
		for i := range mx {
			assert.GreaterOrEqual(t, mx[i], avg[i])
		}
		assert.Equal(t, 2, res.Get("poolSize").Int())
		// The windows: (out, out, 4), window (i, j) rows [2i, 2i+2), columns [2j, 2j+2).
		win := res.Get("windows")
		require.Equal(t, "Int32Array", win.Get("constructor").Get("name").String())
		require.Equal(t, tt.out*tt.out*4, win.Length())
		last := 4 * (tt.out*tt.out - 1)
		assert.Equal(t, []int{2 * (tt.out - 1), 2 * tt.out, 2 * (tt.out - 1), 2 * tt.out},
			[]int{win.Index(last).Int(), win.Index(last + 1).Int(), win.Index(last + 2).Int(), win.Index(last + 3).Int()})
		assert.Equal(t, 0, res.Get("padBottom").Int())
	}
	r := request(w, "poolCompare", map[string]any{"pixels": jsarray.Float32sToJS(x), "layer": 0})
	assert.Contains(t, r.err, "not a MaxPooling2D")
}

func TestShiftCompare(t *testing.T) {
	w, x := explainWorker(t)
	r := request(w, "shiftCompare", map[string]any{"pixels": jsarray.Float32sToJS(x), "dx": 2, "dy": -1})
	require.True(t, r.ok, r.err)
	layers := r.result.Get("layers")
	require.Equal(t, 6, layers.Length())
	for i := range layers.Length() {
		c := layers.Index(i).Get("change").Float()
		assert.Greater(t, c, 0.0, layers.Index(i).Get("name").String())
	}
	assert.Equal(t, 10, r.result.Get("probsAfter").Length())
	shifted := explainFloats(t, r.result.Get("shifted"))
	require.Len(t, shifted, 784)
	assert.Equal(t, x[5*28+7], shifted[4*28+9], "pixel (5, 7) moved 2 right and 1 up")

	r = request(w, "shiftCompare", map[string]any{"pixels": jsarray.Float32sToJS(x)})
	require.True(t, r.ok, r.err)
	for i := range r.result.Get("layers").Length() {
		assert.Zero(t, r.result.Get("layers").Index(i).Get("change").Float())
	}
	r = request(w, "shiftCompare", map[string]any{"pixels": jsarray.Float32sToJS(x), "dx": 29})
	assert.Contains(t, r.err, "dx 29 is outside -28 to 28")
}

func TestTransposeDemo(t *testing.T) {
	w, x := explainWorker(t)
	r := request(w, "transposeDemo", map[string]any{"pixels": jsarray.Float32sToJS(x), "layer": 3, "channel": 2, "steps": 2})
	require.True(t, r.ok, r.err)
	res := r.result
	assert.Equal(t, 25, res.Get("map").Length())
	kinds := res.Get("kinds")
	require.Equal(t, 2, kinds.Length())
	m := explainFloats(t, res.Get("map"))
	for i, want := range [][]int{{10, 20}, {10, 20}} {
		stages := kinds.Index(i).Get("stages")
		require.Equal(t, 2, stages.Length())
		for s, n := range want {
			assert.Equal(t, n, stages.Index(s).Get("shape").Index(0).Int())
			assert.Equal(t, n*n, stages.Index(s).Get("map").Length())
		}
	}
	// "copy" repeats each cell over a 2x2 block.
	copied := explainFloats(t, kinds.Index(0).Get("stages").Index(0).Get("map"))
	for y := range 10 {
		for xx := range 10 {
			assert.Equal(t, m[(y/2)*5+xx/2], copied[y*10+xx])
		}
	}
	for _, tt := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"layer": 5}, "not feature maps"},
		{map[string]any{"layer": 3, "channel": 16}, "channel 16 does not exist"},
		{map[string]any{"layer": 3, "steps": 4}, "at most 3"},
	} {
		args := map[string]any{"pixels": jsarray.Float32sToJS(x)}
		for k, v := range tt.args {
			args[k] = v
		}
		r := request(w, "transposeDemo", args)
		assert.Contains(t, r.err, tt.want)
	}
}

func TestGeometryOfSamePadding(t *testing.T) {
	// A model with 'same' convolution and pooling on a 5x5 input: the
	// convolution pads 1 on each side, the 2x2 pool one cell below and right,
	// and both replies say so, so the page draws the engine's geometry.
	w := &worker{}
	spec := map[string]any{"input": []any{5, 5, 1}, "layers": []any{
		map[string]any{"type": "Conv2D", "filters": 2, "kernel_size": 3, "padding": "same", "activation": "relu"},
		map[string]any{"type": "MaxPooling2D", "padding": "same"},
		map[string]any{"type": "Flatten"},
		map[string]any{"type": "Dense", "units": 3, "activation": "softmax"},
	}}
	r := request(w, "buildModel", map[string]any{"spec": spec, "seed": 2})
	require.True(t, r.ok, r.err)
	x := make([]float32, 25)
	for i := range x {
		x[i] = float32(i%7) - 3
	}
	r = request(w, "convWindow", map[string]any{"pixels": jsarray.Float32sToJS(x), "layer": 0, "y": 4, "x": 4, "filter": 1})
	require.True(t, r.ok, r.err)
	for name, want := range map[string]int{"padTop": 1, "padLeft": 1, "padBottom": 1, "padRight": 1, "top": 3, "left": 3} {
		assert.Equal(t, want, r.result.Get(name).Int(), name)
	}
	r = request(w, "poolCompare", map[string]any{"pixels": jsarray.Float32sToJS(x), "layer": 1})
	require.True(t, r.ok, r.err)
	for name, want := range map[string]int{"padTop": 0, "padLeft": 0, "padBottom": 1, "padRight": 1} {
		assert.Equal(t, want, r.result.Get(name).Int(), name)
	}
	assert.Equal(t, "same", r.result.Get("padding").String())
	win := r.result.Get("windows")
	require.Equal(t, 3*3*4, win.Length())
	got := make([]int, 4)
	for i := range got {
		got[i] = win.Index(4*8 + i).Int()
	}
	assert.Equal(t, []int{4, 5, 4, 5}, got, "the last window holds one cell: the padding is cut off")
}
