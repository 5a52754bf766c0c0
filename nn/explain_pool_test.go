package nn

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestComparePooling(t *testing.T) {
	// A 4x4 map pooled 2x2: max and average of each window by hand.
	m, err := Build(ModelSpec{Input: []int{4, 4, 1}, Layers: []LayerSpec{{Type: "MaxPooling2D"}}}, 1)
	require.NoError(t, err)
	x := []float32{
		1, 2, -1, -3,
		3, 4, -2, -4,
		0, 0, 5, 1,
		0, 8, 1, 1,
	}
	pc, err := m.ComparePooling(x, 0)
	require.NoError(t, err)
	assert.Equal(t, []float32{4, -1, 8, 5}, pc.Max)
	assert.Equal(t, []float32{2.5, -2.5, 2, 2}, pc.Avg)
	assert.Equal(t, []int32{5, 2, 13, 10}, pc.Choices)
	assert.Equal(t, x, pc.In)
	assert.Equal(t, 0.75, pc.Dropped)
	assert.Equal(t, 0, pc.Uncovered)
	assert.Equal(t, Shape{2, 2, 1}, pc.OutShape)
	assert.Equal(t, []int32{0, 2, 0, 2, 0, 2, 2, 4, 2, 4, 0, 2, 2, 4, 2, 4}, pc.Windows)
	assert.Equal(t, [4]int{}, [4]int{pc.PadTop, pc.PadLeft, pc.PadBottom, pc.PadRight})

	// 7x7 pools to 3x3: 40 of 49 values dropped, the last row and column
	// (13 cells) never looked at. Max >= average in every window.
	m, err = Build(ModelSpec{Input: []int{7, 7, 3}, Layers: []LayerSpec{{Type: "MaxPooling2D"}}}, 1)
	require.NoError(t, err)
	pc, err = m.ComparePooling(explainRandomInput(7*7*3, 4), 0)
	require.NoError(t, err)
	assert.InDelta(t, 1-9.0/49, pc.Dropped, 1e-12)
	assert.Equal(t, 13, pc.Uncovered)
	assert.Equal(t, []int32{4, 6, 2, 4}, pc.Windows[4*(2*3+1):4*(2*3+2)], "window (2, 1): rows 4-5, columns 2-3; row and column 6 unused")
	for i := range pc.Max {
		assert.GreaterOrEqual(t, pc.Max[i], pc.Avg[i])
		assert.Equal(t, pc.In[pc.Choices[i]], pc.Max[i])
	}

	_, err = m.ComparePooling(make([]float32, 7*7*3), 1)
	assert.ErrorContains(t, err, "does not exist")
	sm, err := Build(SmallSpec(), 1)
	require.NoError(t, err)
	_, err = sm.ComparePooling(make([]float32, 784), 0)
	assert.ErrorContains(t, err, "not a MaxPooling2D")
	// A pooling layer deep in a model sees the trace's input.
	explainRandomWeights(sm, 2)
	in := explainRandomInput(784, 3)
	tr, err := sm.Trace(in)
	require.NoError(t, err)
	pc, err = sm.ComparePooling(in, 3)
	require.NoError(t, err)
	assert.Equal(t, tr[2].Output.Data, pc.In)
	assert.Equal(t, tr[3].Output.Data, pc.Max)
	assert.Equal(t, tr[3].Choices, pc.Choices)
}

func TestShift(t *testing.T) {
	src := []float32{
		1, 2, 3,
		4, 5, 6,
	}
	for _, tt := range []struct {
		name   string
		dx, dy int
		want   []float32
	}{
		{"none", 0, 0, []float32{1, 2, 3, 4, 5, 6}},
		{"right", 1, 0, []float32{9, 1, 2, 9, 4, 5}},
		{"left 2", -2, 0, []float32{3, 9, 9, 6, 9, 9}},
		{"down", 0, 1, []float32{9, 9, 9, 1, 2, 3}},
		{"up left", -1, -1, []float32{5, 6, 9, 9, 9, 9}},
		{"out of view", 3, 0, []float32{9, 9, 9, 9, 9, 9}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dst := make([]float32, 6)
			Shift(dst, src, Shape{2, 3, 1}, tt.dx, tt.dy, 9)
			assert.Equal(t, tt.want, dst)
		})
	}
}

func TestShiftChange(t *testing.T) {
	m, err := Build(SmallSpec(), 1)
	require.NoError(t, err)
	explainRandomWeights(m, 8)
	// A bright square on a dark background.
	x := make([]float32, 784)
	for i := range x {
		x[i] = -0.5
		if y, c := i/28, i%28; y >= 8 && y < 20 && c >= 10 && c < 18 {
			x[i] = 2
		}
	}
	changes, before, after, shifted, err := m.ShiftChange(x, 0, 0)
	require.NoError(t, err)
	require.Len(t, changes, len(m.Layers))
	for _, c := range changes {
		assert.Zero(t, c.Change, c.Name)
	}
	assert.Equal(t, before, after)
	assert.Equal(t, x, shifted)

	changes, before, after, shifted, err = m.ShiftChange(x, 1, 0)
	require.NoError(t, err)
	require.Len(t, changes, len(m.Layers))
	assert.Equal(t, "conv2d", changes[0].Name)
	assert.Equal(t, Shape{26, 26, 8}, changes[0].Shape)
	for _, c := range changes {
		assert.Greater(t, c.Change, 0.0, c.Name)
		assert.False(t, math.IsInf(c.Change, 0) || math.IsNaN(c.Change), c.Name)
	}
	assert.Len(t, before, 10)
	assert.Equal(t, float32(-0.5), shifted[8*28+10], "the square's left edge moved right")
	assert.Equal(t, float32(2), shifted[8*28+11])
	assert.Equal(t, float32(2), shifted[8*28+18])
	assert.NotEqual(t, before, after)

	// The measure by hand on a one-layer model: a ReLU-free 1x1 "conv" of
	// weight 1 passes the image through; shifting [0 2 4] right by one
	// (filled with 0, the smallest value) gives [0 0 2]: |0|+|2|+|2| over 6.
	id, err := Build(ModelSpec{Input: []int{1, 3, 1}, Layers: []LayerSpec{{Type: "Conv2D", Filters: 1, KernelSize: 1, NoBias: true}}}, 1)
	require.NoError(t, err)
	id.Layers[0].Params()[0].W[0] = 1
	changes, _, _, shifted, err = id.ShiftChange([]float32{0, 2, 4}, 1, 0)
	require.NoError(t, err)
	assert.InDelta(t, 4.0/6, changes[0].Change, 1e-12)
	assert.Equal(t, []float32{0, 0, 2}, shifted)

	dense, err := Build(ModelSpec{Input: []int{4}, Layers: []LayerSpec{{Type: "Dense", Units: 2}}}, 1)
	require.NoError(t, err)
	_, _, _, _, err = dense.ShiftChange(make([]float32, 4), 1, 0)
	assert.ErrorContains(t, err, "image input")
}

func TestComparePoolingSame(t *testing.T) {
	// A 4x3 map, max pooling 3x3 with stride 1 and 'same' padding: 4x3
	// outputs; each axis pads 2 cells, one on each side, so the corner
	// windows hold 2x2 real cells and the middle ones 3x3 (clipped at the
	// edge). The windows are the layer's, checked by hand and against its
	// output.
	m, err := Build(ModelSpec{Input: []int{4, 3, 1}, Layers: []LayerSpec{{Type: "MaxPooling2D", PoolSize: 3, Strides: 1, Padding: "same"}}}, 1)
	require.NoError(t, err)
	x := []float32{
		-1, -2, -3,
		-4, -5, -6,
		-7, -8, -9,
		-10, -11, -12,
	}
	pc, err := m.ComparePooling(x, 0)
	require.NoError(t, err)
	assert.Equal(t, Shape{4, 3, 1}, pc.OutShape)
	assert.Equal(t, [4]int{1, 1, 1, 1}, [4]int{pc.PadTop, pc.PadLeft, pc.PadBottom, pc.PadRight})
	rows := [][2]int32{{0, 2}, {0, 3}, {1, 4}, {2, 4}}
	cols := [][2]int32{{0, 2}, {0, 3}, {1, 3}}
	require.Len(t, pc.Windows, 4*3*4)
	for oh, r := range rows {
		for ow, c := range cols {
			i := 4 * (oh*3 + ow)
			assert.Equal(t, []int32{r[0], r[1], c[0], c[1]}, pc.Windows[i:i+4], "window (%d, %d)", oh, ow)
			// All negative: the max is the window's top-left real cell, never a padded 0.
			assert.Equal(t, x[int(r[0])*3+int(c[0])], pc.Max[oh*3+ow])
			assert.Equal(t, int32(int(r[0])*3+int(c[0])), pc.Choices[oh*3+ow])
		}
	}
	assert.Equal(t, float32((-1-2-4-5)/4.0), pc.Avg[0], "the average counts only real cells")
	assert.Equal(t, 0, pc.Uncovered)

	// 5x5 pooled 2x2 with stride 2 and 'same': 3x3 outputs, the odd padding
	// cell after the input, so the last windows hold one row or column.
	m, err = Build(ModelSpec{Input: []int{5, 5, 2}, Layers: []LayerSpec{{Type: "MaxPooling2D", Padding: "same"}}}, 1)
	require.NoError(t, err)
	pc, err = m.ComparePooling(explainRandomInput(5*5*2, 6), 0)
	require.NoError(t, err)
	assert.Equal(t, [4]int{0, 0, 1, 1}, [4]int{pc.PadTop, pc.PadLeft, pc.PadBottom, pc.PadRight})
	assert.Equal(t, []int32{4, 5, 2, 4}, pc.Windows[4*(2*3+1):4*(2*3+2)])
	for i := range pc.Max { // every choice lies in its window
		win, c := pc.Windows[4*(i/2):4*(i/2)+4], int32(i%2)
		h, w := pc.Choices[i]/2/5, pc.Choices[i]/2%5
		assert.Equal(t, c, pc.Choices[i]%2)
		assert.True(t, h >= win[0] && h < win[1] && w >= win[2] && w < win[3], "output %d chose (%d, %d) outside %v", i, h, w, win)
	}
}
