package nn

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateFor(t *testing.T) {
	mnist := Shape{28, 28, 1}
	tests := []struct {
		name    string
		spec    ModelSpec
		poison  func(m *Model)
		input   Shape
		classes int
		wantErr string
	}{
		{"the small model fits", SmallSpec(), nil, mnist, 10, ""},
		{"the reference model fits", ReferenceSpec(), nil, mnist, 10, ""},
		{"a regression output for one class is a vector of 1", ModelSpec{Input: []int{3}, Layers: []LayerSpec{{Type: "Dense", Units: 1}}}, nil, Shape{3}, 1, ""},
		{"NaN in the first weight", SmallSpec(), func(m *Model) { m.Params()[0].W[0] = float32(math.NaN()) }, mnist, 10,
			"nn: layer 1 (conv2d) kernel has a NaN weight (index 0 of 72): every weight must be a finite number"},
		{"-Inf in the last weight", SmallSpec(), func(m *Model) { m.Params()[5].W[9] = float32(math.Inf(-1)) }, mnist, 10,
			"nn: layer 6 (dense) bias has a -Inf weight (index 9 of 10): every weight must be a finite number"},
		{"the largest finite float32 is finite", SmallSpec(), func(m *Model) { m.Params()[4].W[3] = math.MaxFloat32 }, mnist, 10, ""},
		{"a weight is checked before the data set", ModelSpec{Input: []int{3}, Layers: []LayerSpec{{Type: "Dense", Units: 2}}},
			func(m *Model) { m.Params()[1].W[1] = float32(math.Inf(1)) }, mnist, 10,
			"nn: layer 1 (dense) bias has a +Inf weight (index 1 of 2): every weight must be a finite number"},
		{"3 values in", ModelSpec{Input: []int{3}, Layers: []LayerSpec{{Type: "Dense", Units: 10}}}, nil, mnist, 10,
			"nn: the model takes inputs of shape (3), but the data set's images are (28, 28, 1)"},
		{"the same values in another shape", ModelSpec{Input: []int{784}, Layers: []LayerSpec{{Type: "Dense", Units: 10}}}, nil, mnist, 10,
			"nn: the model takes inputs of shape (784), but the data set's images are (28, 28, 1)"},
		{"28x28 for a 2x2 data set", SmallSpec(), nil, Shape{2, 2, 1}, 10,
			"nn: the model takes inputs of shape (28, 28, 1), but the data set's images are (2, 2, 1)"},
		{"10 classes for a 2-class data set", SmallSpec(), nil, mnist, 2,
			"nn: the model outputs 10 class scores, but the data set has 2 classes"},
		{"a map out", ModelSpec{Input: []int{28, 28, 1}, Layers: []LayerSpec{{Type: "Conv2D", Filters: 10, KernelSize: 1}}}, nil, mnist, 10,
			"nn: the model outputs (28, 28, 10), not a vector of scores for the data set's 10 classes"},
		{"too large a map", ModelSpec{Input: []int{28, 28, 1}, Layers: []LayerSpec{{Type: "Conv2DTranspose", Filters: 2, KernelSize: 1, Strides: 200}}}, nil, mnist, 10,
			"nn: layer 1 (conv2d_transpose) outputs (5600, 5600, 2): more than 16777216 values per sample"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := buildT(t, tt.spec, 1)
			if tt.poison != nil {
				tt.poison(m)
			}
			err := ValidateFor(m, tt.input, tt.classes)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.wantErr)
			var me ModelError
			assert.True(t, errors.As(err, &me), "a ModelError")
		})
	}
}

func TestValidateForMaps(t *testing.T) {
	scene := Shape{64, 64, 1}
	fcn, err := Preset("fcn")
	require.NoError(t, err)
	tests := []struct {
		name    string
		spec    ModelSpec
		poison  func(m *Model)
		input   Shape
		classes int
		wantErr string
	}{
		{"the fcn preset maps a scene to 11 classes a pixel", fcn, nil, scene, 11, ""},
		{"a 1x1 convolution is a map too", ModelSpec{Input: []int{64, 64, 1}, Layers: []LayerSpec{{Type: "Conv2D", Filters: 11, KernelSize: 1}}}, nil, scene, 11, ""},
		{"a classifier is not a map", SmallSpec(), nil, Shape{28, 28, 1}, 10,
			"nn: the model outputs (10), not a map (28, 28, 10) of scores for each pixel's 10 classes"},
		{"a map of another size", ModelSpec{Input: []int{64, 64, 1}, Layers: []LayerSpec{{Type: "MaxPooling2D", PoolSize: 2}, {Type: "Conv2D", Filters: 11, KernelSize: 1}}}, nil, scene, 11,
			"nn: the model outputs (32, 32, 11), not a map (64, 64, 11) of scores for each pixel's 11 classes"},
		{"10 classes for 11", fcn, nil, scene, 10,
			"nn: the model outputs (64, 64, 11), not a map (64, 64, 10) of scores for each pixel's 10 classes"},
		{"a digit-sized input", fcn, nil, Shape{28, 28, 1}, 11,
			"nn: the model takes inputs of shape (64, 64, 1), but the scenes are (28, 28, 1)"},
		{"NaN is checked first", fcn, func(m *Model) { m.Params()[0].W[0] = float32(math.NaN()) }, scene, 11,
			"nn: layer 1 (conv2d) kernel has a NaN weight (index 0 of 144): every weight must be a finite number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := buildT(t, tt.spec, 1)
			if tt.poison != nil {
				tt.poison(m)
			}
			err := ValidateForMaps(m, tt.input, tt.classes)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.wantErr)
			var me ModelError
			assert.True(t, errors.As(err, &me), "a ModelError")
		})
	}
}

func TestCheckShape(t *testing.T) {
	tests := []struct {
		s    Shape
		want string
	}{
		{Shape{28, 28, 1}, ""},
		{Shape{1 << 24}, ""},
		{Shape{1<<24 + 1}, "more than 16777216 values per sample"},
		{Shape{1 << 12, 1 << 12, 2}, "more than 16777216 values per sample"},
		{Shape{math.MaxInt, math.MaxInt, math.MaxInt}, "more than 16777216 values per sample"}, // no overflow back into range
		{Shape{math.MinInt, 3}, "a dimension is below 1"},
		{Shape{3, 0}, "a dimension is below 1"},
		{Shape{}, "has no dimensions"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, checkShape(tt.s), "%v", tt.s)
	}
}

// TestLoadRefusesNonFinite: every loader refuses a NaN or an infinity
// before it writes a weight, naming where it is.
func TestLoadRefusesNonFinite(t *testing.T) {
	m := buildT(t, scaleSpec(), 1)
	m.Params()[2].W[1] = float32(math.NaN())
	bad := saveT(t, m)
	const want = "nn: layer 2 (test_scale_1) kernel has a NaN weight (index 1 of 2): every weight must be a finite number"

	_, err := Load(bytes.NewReader(bad))
	require.EqualError(t, err, want)

	into := buildT(t, scaleSpec(), 2)
	before := weightBits(into)
	require.EqualError(t, into.LoadWeights(bytes.NewReader(bad)), want)
	assert.Equal(t, before, weightBits(into), "a refused file leaves the model as it was")

	require.EqualError(t, into.ImportNPZ(bytes.NewReader(exportT(t, m)), int64(len(exportT(t, m)))),
		"nn: layer 2 (test_scale_1) kernel (npz arr_2) has a NaN weight (index 1 of 2): every weight must be a finite number")
	assert.Equal(t, before, weightBits(into))

	t.Run("an optimizer slot", func(t *testing.T) {
		m := buildT(t, scaleSpec(), 1)
		opt, err := NewOptimizer(OptimizerSpec{Name: "adam"})
		require.NoError(t, err)
		stepT(m, opt, 1)
		opt.State()[len(m.Params())][0] = float32(math.Inf(1)) // the second slot array: v of the first parameter
		var buf bytes.Buffer
		require.NoError(t, m.SaveWithOptimizer(&buf, opt))
		_, _, err = LoadWithOptimizer(bytes.NewReader(buf.Bytes()))
		require.ErrorContains(t, err, "has a +Inf weight (index 0 of 2): every weight must be a finite number")
		require.ErrorContains(t, err, "nn: optimizer slot 3 (slot1/test_scale/kernel)")
		_, err = Load(bytes.NewReader(buf.Bytes()))
		require.NoError(t, err, "Load does not read the optimizer")
	})
}
