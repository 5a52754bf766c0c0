package nn

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func presetParamCount(m *Model) int {
	total := 0
	for _, p := range m.Params() {
		total += len(p.W)
	}
	return total
}

// kerasSummaryLine is one layer line of a Keras model.summary().
type kerasSummaryLine struct {
	name, typ string // typ may be cut short, as Keras prints "MaxPooling2"
	shape     Shape
	params    int
}

// readKerasSummary parses the layer lines of a Keras summary, e.g.
// "conv2d (Conv2D)              (None, 28, 28, 32)        320".
func readKerasSummary(t *testing.T, path string) []kerasSummaryLine {
	t.Helper()
	text, err := os.ReadFile(path)
	require.NoError(t, err)
	var rows []kerasSummaryLine
	for _, line := range strings.Split(string(text), "\n") {
		open := strings.Index(line, "(None,")
		if open < 0 {
			continue
		}
		head := strings.Fields(line[:open])
		require.Len(t, head, 2, line)
		closing := strings.Index(line[open:], ")") + open
		var shape Shape
		for _, d := range strings.Split(line[open+len("(None,"):closing], ",") {
			v, err := strconv.Atoi(strings.TrimSpace(d))
			require.NoError(t, err, line)
			shape = append(shape, v)
		}
		params, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(line[closing+1:]), ",", ""))
		require.NoError(t, err, line)
		rows = append(rows, kerasSummaryLine{head[0], strings.Trim(head[1], "()"), shape, params})
	}
	return rows
}

func TestReferenceMatchesKerasSummary(t *testing.T) {
	m, err := Build(ReferenceSpec(), 1)
	require.NoError(t, err)
	assert.Equal(t, 435306, presetParamCount(m))
	rows := readKerasSummary(t, "testdata/reference_summary.txt")
	require.Len(t, m.Layers, len(rows))
	for i, row := range rows {
		l := m.Layers[i]
		n := 0
		for _, p := range l.Params() {
			n += len(p.W)
		}
		assert.Equal(t, row.name, l.Spec().Name, "layer %d", i+1)
		assert.True(t, strings.HasPrefix(l.Spec().Type, row.typ), "layer %d: %s is not %s", i+1, l.Spec().Type, row.typ)
		assert.Equal(t, row.shape, l.OutShape(), "layer %d (%s)", i+1, row.name)
		assert.Equal(t, row.params, n, "layer %d (%s)", i+1, row.name)
	}
}

func TestPresets(t *testing.T) {
	tests := []struct {
		name   string
		params int
		out    Shape
	}{
		{"seed", 435306, Shape{10}},
		{"reference", 435306, Shape{10}},
		{"small", 5258, Shape{10}},
		{"dense", 101770, Shape{10}},
		{"small-same", 9098, Shape{10}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := Preset(tc.name)
			require.NoError(t, err)
			m, err := Build(spec, 42)
			require.NoError(t, err)
			assert.Equal(t, tc.params, presetParamCount(m))
			assert.Equal(t, Shape{28, 28, 1}, m.InShape())
			assert.Equal(t, tc.out, m.OutShape())
			last := m.Layers[len(m.Layers)-1].(activatedLayer)
			assert.Equal(t, Softmax, last.activation(), "ends in a softmax, fused with cross-entropy in training")

			// Each call returns a fresh spec.
			spec.Input[0] = 1
			spec.Layers[0].Filters = 1
			again, err := Preset(tc.name)
			require.NoError(t, err)
			assert.Equal(t, []int{28, 28, 1}, again.Input)
			assert.NotEqual(t, 1, again.Layers[0].Filters)
		})
	}
	_, err := Preset("resnet")
	assert.EqualError(t, err, `nn: unknown preset "resnet" (want seed, reference, small, fcn, dense, small-same or fcn-small)`)
}

// TestFCNMatchesSummary checks the fcn preset's shapes and parameter counts
// against testdata/fcn_summary.txt (written in Keras's format; the counts
// are those of Keras's formulas: (K*K*C+1)*F for Conv2D, K*K*F*C+F for
// Conv2DTranspose) and that it compiles per pixel.
func TestFCNMatchesSummary(t *testing.T) {
	spec, err := Preset("fcn")
	require.NoError(t, err)
	m, err := Build(spec, 1)
	require.NoError(t, err)
	assert.Equal(t, 105531, presetParamCount(m))
	assert.Equal(t, Shape{64, 64, 11}, m.OutShape())
	rows := readKerasSummary(t, "testdata/fcn_summary.txt")
	require.Len(t, rows, len(m.Layers))
	for i, l := range m.Layers {
		assert.Equal(t, rows[i].name, l.Spec().Name)
		assert.Equal(t, rows[i].shape, l.OutShape(), rows[i].name)
		assert.Equal(t, rows[i].params, ParamCount(l), rows[i].name)
	}
	compileSparse(t, m)
	assert.NotNil(t, m.fused)
	assert.Equal(t, 64*64, m.targetSize())
}

// TestFCNSmall checks the fcn-small preset: its shapes (two poolings, back
// to 64 x 64 x 11), its parameter count by Keras's formulas (BN: gamma,
// beta, moving mean and variance per channel) and that it compiles per
// pixel with the background-weighted loss, the softmax fused.
func TestFCNSmall(t *testing.T) {
	spec, err := Preset("fcn-small")
	require.NoError(t, err)
	m, err := Build(spec, 1)
	require.NoError(t, err)
	want := (9+1)*16 + 4*16 + (9*16+1)*32 + 4*32 + (9*32+1)*32 + 4*32 + (16*16*32 + 16) + 4*16 + (16*16*16 + 16) + 4*16 + (16+1)*11
	assert.Equal(t, 27003, want)
	assert.Equal(t, want, presetParamCount(m))
	assert.Equal(t, Shape{64, 64, 11}, m.OutShape())
	assert.Equal(t, Shape{16, 16, 32}, m.Layers[7].OutShape(), "the encoder's end")
	for _, l := range m.Layers {
		if l.Spec().Type == "BatchNormalization" {
			assert.Equal(t, 0.9, l.Spec().Momentum)
		}
	}
	loss, err := ParseLoss("weighted_sparse_categorical_crossentropy(0.1)")
	require.NoError(t, err)
	opt, err := NewOptimizer(OptimizerSpec{Name: "adam"})
	require.NoError(t, err)
	require.NoError(t, m.Compile(opt, loss))
	assert.NotNil(t, m.fused)
	assert.Equal(t, 64*64, m.targetSize())
}
