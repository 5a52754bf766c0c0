package nn

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Hand-computed window positions and padding, the awkward ones included:
// a 7-cell axis pooled to 3, an odd padding total (extra cell after), a
// kernel larger than its input with same padding, a stride larger than the
// kernel, and sizes where the old (n+S-1)/S and (out-1)*S+K-n overflowed.
func TestOutSize(t *testing.T) {
	for _, tc := range []struct {
		n, k, s            int
		padding            string
		out, before, total int
	}{
		{7, 2, 2, "valid", 3, 0, 0},
		{28, 3, 1, "valid", 26, 0, 0},
		{5, 3, 3, "valid", 1, 0, 0},
		{8, 1, 3, "valid", 3, 0, 0},
		{7, 2, 2, "same", 4, 0, 1},  // 3*2+2-7 = 1: the odd cell after
		{5, 3, 1, "same", 5, 1, 2},  // 1 before, 1 after
		{6, 3, 2, "same", 3, 0, 1},  // 2*2+3-6 = 1: after
		{4, 4, 2, "same", 2, 1, 2},  // 1 and 1
		{3, 5, 1, "same", 3, 2, 4},  // kernel larger than the input
		{2, 4, 1, "same", 2, 1, 3},  // 3: 1 before, 2 after
		{10, 1, 4, "same", 3, 0, 0}, // stride over the kernel: no padding
		{28, 3, math.MaxInt, "same", 1, 0, 0},
		{28, 3, 1 << 62, "same", 1, 0, 0},
		{5, math.MaxInt, 1, "same", 5, (math.MaxInt - 1) / 2, math.MaxInt - 1},
		{maxTensor, 3, 1, "same", maxTensor, 1, 2},
		{math.MaxInt, 2, math.MaxInt, "same", 1, 0, 0},
	} {
		t.Run(fmt.Sprintf("n=%d,k=%d,s=%d,%s", tc.n, tc.k, tc.s, tc.padding), func(t *testing.T) {
			out, before := outSize(tc.n, tc.k, tc.s, tc.padding)
			assert.Equal(t, tc.out, out, "out")
			assert.Equal(t, tc.before, before, "before")
			if tc.padding == "same" {
				assert.Equal(t, tc.total, samePadding(tc.n, tc.k, tc.s), "total")
			}
		})
	}
}

// outSize against its definition, counted window by window on small axes:
// valid counts the starts i*S with the window inside the n cells; same
// counts the starts i*S < n and pads just enough for the last window.
func TestOutSizeMatchesDefinition(t *testing.T) {
	for n := 1; n <= 12; n++ {
		for k := 1; k <= 7; k++ {
			for s := 1; s <= 6; s++ {
				if k <= n {
					want := 0
					for i := 0; i*s+k <= n; i++ {
						want++
					}
					out, before := outSize(n, k, s, "valid")
					require.Equal(t, want, out, "valid n=%d k=%d s=%d", n, k, s)
					require.Zero(t, before)
				}
				want := 0
				for i := 0; i*s < n; i++ {
					want++
				}
				total := 0
				for (want-1)*s+k > n+total {
					total++
				}
				out, before := outSize(n, k, s, "same")
				require.Equal(t, want, out, "same n=%d k=%d s=%d", n, k, s)
				require.Equal(t, total, samePadding(n, k, s), "same total n=%d k=%d s=%d", n, k, s)
				require.Equal(t, total/2, before, "same before n=%d k=%d s=%d", n, k, s)
			}
		}
	}
}

// Conv2DTranspose's output size, and that it is what the adjoint
// convolution maps back to the input size.
func TestTransposedSize(t *testing.T) {
	for _, tc := range []struct {
		n, k, s int
		padding string
		want    int
	}{
		{3, 3, 2, "valid", 7}, // (3-1)*2 + 3
		{3, 1, 2, "valid", 6}, // K < S: n*S, the last S-K cells only padding
		{3, 3, 2, "same", 6},
		{14, 2, 2, "same", 28},
		{1, 4, 1, "valid", 4},
		{maxTensor, maxWindow, maxWindow, "valid", maxTensor * maxWindow}, // the bounds cannot overflow
	} {
		assert.Equal(t, tc.want, transposedSize(tc.n, tc.k, tc.s, tc.padding), "%+v", tc)
	}
	for n := 1; n <= 9; n++ {
		for k := 1; k <= 5; k++ {
			for s := 1; s <= 4; s++ {
				for _, padding := range []string{"valid", "same"} {
					o := transposedSize(n, k, s, padding)
					back, _ := outSize(o, k, s, padding)
					require.Equal(t, n, back, "n=%d k=%d s=%d %s: %d cells back", n, k, s, padding, o)
				}
			}
		}
	}
}

func TestCheckTensor(t *testing.T) {
	for _, tc := range []struct {
		dims []int
		want string // "" for in bounds
	}{
		{[]int{28, 28, 1}, ""},
		{nil, ""},
		{[]int{1 << 14, 1 << 14, 1}, ""}, // exactly maxTensor
		{[]int{1 << 14, 1 << 14, 2}, "holds more than 268435456 values"},
		{[]int{maxTensor + 1}, "holds more than"},
		{[]int{1 << 62, 1 << 62}, "holds more than"}, // overflows int: must not wrap
		{[]int{math.MaxInt, 2}, "holds more than"},
		{[]int{2, math.MaxInt}, "holds more than"},
		{[]int{3, 0, 5}, "has a dimension that is not positive"},
		{[]int{-9223372036854775808, 28, 1}, "has a dimension that is not positive"},
	} {
		err := checkTensor("output", tc.dims...)
		if tc.want == "" {
			assert.NoError(t, err, "%v", tc.dims)
			continue
		}
		if assert.Error(t, err, "%v", tc.dims) {
			assert.Contains(t, err.Error(), "output "+Shape(tc.dims).String())
			assert.Contains(t, err.Error(), tc.want)
		}
	}
	assert.NoError(t, checkWindow("strides", maxWindow))
	assert.EqualError(t, checkWindow("strides", maxWindow+1), "strides 65537 is larger than 65536")
}

// Hostile specs (issue 14 found the first two: a Conv2DTranspose with
// stride 2^61 built with a negative shape, and with stride 1200 built and
// then failed in predict with "makeslice: len out of range") are errors
// from Build and CheckSpec that name the layer, never a panic, a wrapped
// shape or a huge allocation.
func TestHostileSpecsAreErrors(t *testing.T) {
	mnist := []int{28, 28, 1}
	for _, tc := range []struct {
		name  string
		input []int
		layer []LayerSpec
		want  string // the error after "nn: layer i (name): "
	}{
		{"transposed stride 2^61", mnist, []LayerSpec{{Type: "Conv2DTranspose", Filters: 1, KernelSize: 3, Strides: 1 << 61}},
			"layer 1 (conv2d_transpose): strides 2305843009213693952 is larger than 65536"},
		{"transposed stride 1200", mnist, []LayerSpec{{Type: "Conv2DTranspose", Filters: 1, KernelSize: 3, Strides: 1200}},
			"layer 1 (conv2d_transpose): output (33600, 33600, 1) holds more than 268435456 values"},
		{"transposed huge kernel", mnist, []LayerSpec{{Type: "Conv2DTranspose", Filters: 1, KernelSize: 1 << 40}},
			"layer 1 (conv2d_transpose): kernel_size 1099511627776 is larger than 65536"},
		{"transposed wide output", mnist, []LayerSpec{{Type: "Conv2DTranspose", Filters: 1 << 20, KernelSize: 2, Strides: 2}},
			"layer 1 (conv2d_transpose): output (56, 56, 1048576) holds more than 268435456 values"},
		{"conv huge kernel, same", mnist, []LayerSpec{{Type: "Conv2D", Filters: 1, KernelSize: math.MaxInt, Padding: "same"}},
			"layer 1 (conv2d): kernel_size 9223372036854775807 is larger than 65536"},
		{"conv huge stride", mnist, []LayerSpec{{Type: "Conv2D", Filters: 1, KernelSize: 3, Strides: math.MaxInt, Padding: "same"}},
			"layer 1 (conv2d): strides 9223372036854775807 is larger than 65536"},
		{"conv kernel of 3.6e9 weights", mnist, []LayerSpec{{Type: "Conv2D", Filters: 1, KernelSize: 60000, Padding: "same"}},
			"layer 1 (conv2d): kernel (60000, 60000, 1, 1) holds more than 268435456 values"},
		{"conv filters 2^40", mnist, []LayerSpec{{Type: "Conv2D", Filters: 1 << 40, KernelSize: 3}},
			"layer 1 (conv2d): kernel (3, 3, 1, 1099511627776) holds more than 268435456 values"},
		{"conv filters MaxInt", mnist, []LayerSpec{{Type: "Conv2D", Filters: math.MaxInt, KernelSize: 1}},
			"layer 1 (conv2d): kernel (1, 1, 1, 9223372036854775807) holds more than 268435456 values"},
		{"conv im2col rows", []int{2048, 2048, 64}, []LayerSpec{{Type: "Conv2D", Filters: 1, KernelSize: 3, Padding: "same"}},
			"layer 1 (conv2d): im2col rows (2048, 2048, 3, 3, 64) holds more than 268435456 values"},
		{"dense units 2^62", mnist, []LayerSpec{{Type: "Flatten"}, {Type: "Dense", Units: 1 << 62}},
			"layer 2 (dense): kernel (784, 4611686018427387904) holds more than 268435456 values"},
		{"dense kernel over the bound", []int{1 << 14, 1 << 14, 1}, []LayerSpec{{Type: "Flatten"}, {Type: "Dense", Units: 2}},
			"layer 2 (dense): kernel (268435456, 2) holds more than 268435456 values"},
		{"pool size 2^62, same", mnist, []LayerSpec{{Type: "MaxPooling2D", PoolSize: 1 << 62, Padding: "same"}},
			"layer 1 (max_pooling2d): pool_size 4611686018427387904 is larger than 65536"},
		{"pool stride MaxInt", mnist, []LayerSpec{{Type: "AveragePooling2D", Strides: math.MaxInt, Padding: "same"}},
			"layer 1 (average_pooling2d): strides 9223372036854775807 is larger than 65536"},
		{"input over the bound", []int{1 << 20, 1 << 20, 1}, []LayerSpec{{Type: "Flatten"}},
			"layer 1 (flatten): input (1048576, 1048576, 1) holds more than 268435456 values"},
		{"input overflowing int", []int{1 << 62, 1 << 62, 4}, []LayerSpec{{Type: "Activation", Activation: "relu"}},
			"layer 1 (activation): input (4611686018427387904, 4611686018427387904, 4) holds more than 268435456 values"},
		{"after a valid layer", mnist, []LayerSpec{{Type: "Conv2D", Filters: 8, KernelSize: 3}, {Type: "Conv2DTranspose", Filters: 64, KernelSize: 3, Strides: 300}}, // 26*300
			"layer 2 (conv2d_transpose): output (7800, 7800, 64) holds more than 268435456 values"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := ModelSpec{Input: tc.input, Layers: tc.layer}
			_, err := Build(spec, 1)
			require.Error(t, err)
			assert.Equal(t, "nn: "+tc.want, err.Error())

			checks, err := CheckSpec(spec, math.MaxInt)
			var se *SpecError
			require.True(t, errors.As(err, &se), "CheckSpec: %v", err)
			assert.Equal(t, "nn: "+tc.want, se.Error())
			assert.Len(t, checks, se.Index, "the layers before the bad one are described")
		})
	}
}

// The bounds leave room for every model the playground builds: the
// reference model, a map of exactly maxTensor values, windows and strides of
// exactly maxWindow.
func TestBoundsAdmitRealModels(t *testing.T) {
	_, err := Build(ReferenceSpec(), 1)
	require.NoError(t, err)
	for _, spec := range []ModelSpec{
		{Input: []int{1 << 14, 1 << 14, 1}, Layers: []LayerSpec{{Type: "Flatten"}}},
		{Input: []int{4, 4, 1}, Layers: []LayerSpec{{Type: "Conv2D", Filters: 1, KernelSize: 3, Strides: maxWindow, Padding: "same"}}},
		{Input: []int{4, 4, 1}, Layers: []LayerSpec{{Type: "MaxPooling2D", PoolSize: maxWindow, Padding: "same"}}},
		{Input: []int{1, 1, 1}, Layers: []LayerSpec{{Type: "Conv2DTranspose", Filters: 1, KernelSize: 2, Strides: 8192}}},
	} {
		_, err := CheckSpec(spec, math.MaxInt)
		assert.NoError(t, err, "%+v", spec)
	}
}
