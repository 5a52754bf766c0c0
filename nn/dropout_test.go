package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newDropout(t *testing.T, rate float64, in Shape, seed uint64) Layer {
	t.Helper()
	l, err := buildLayer(LayerSpec{Type: "Dropout", Rate: rate}, in, rand.New(rand.NewPCG(seed, 1)))
	require.NoError(t, err)
	return l
}

func TestDropoutRate(t *testing.T) {
	for _, rate := range []float64{-0.1, 1, 1.5, math.NaN()} {
		_, err := buildLayer(LayerSpec{Type: "Dropout", Rate: rate}, Shape{4}, rand.New(rand.NewPCG(1, 1)))
		assert.Error(t, err, "rate %v", rate)
	}
	_, err := buildLayer(LayerSpec{Type: "Dropout", Rate: 1}, Shape{4}, rand.New(rand.NewPCG(1, 1)))
	assert.EqualError(t, err, "rate must be in [0, 1), got 1")
}

func TestDropoutInferenceIsIdentity(t *testing.T) {
	l := newDropout(t, 0.5, Shape{2, 2, 1}, 1)
	x := seq(8, 1)
	y := l.Forward(x, 2, false)
	assert.Same(t, &x[0], &y[0])
	assert.Equal(t, seq(8, 1), y)
	dy := seq(8, 10)
	dx := l.Backward(dy)
	assert.Same(t, &dy[0], &dx[0])

	zero := newDropout(t, 0, Shape{4}, 1)
	x = seq(4, 1)
	assert.Equal(t, x, zero.Forward(x, 1, true), "rate 0 drops nothing in training")
}

func TestDropoutTraining(t *testing.T) {
	const n, d, rate = 100, 100, 0.3
	l := newDropout(t, rate, Shape{d}, 7)
	x := seq(n*d, 1) // no zeros, so a 0 in y means dropped
	y := append([]float32(nil), l.Forward(x, n, true)...)
	dy := make([]float32, n*d)
	for i := range dy {
		dy[i] = 2
	}
	dx := l.Backward(dy)
	dropped := 0
	scale := float32(1 / (1 - rate))
	for i, v := range y {
		if v == 0 {
			dropped++
			assert.Zero(t, dx[i], "a dropped unit passes no gradient")
		} else {
			assert.Equal(t, x[i]*scale, v, "survivors are scaled by 1/(1-rate)")
			assert.Equal(t, 2*scale, dx[i])
		}
	}
	// 10,000 draws: the standard deviation of the fraction is 0.0046.
	assert.InDelta(t, rate, float64(dropped)/(n*d), 0.02)

	y2 := l.Forward(x, n, true)
	assert.NotEqual(t, y, y2, "each training step draws a new mask")
}

func TestDropoutReproducible(t *testing.T) {
	spec := ModelSpec{Input: []int{64}, Layers: []LayerSpec{{Type: "Dropout", Rate: 0.5}}}
	masks := func(seed uint64) []float32 {
		m, err := Build(spec, seed)
		require.NoError(t, err)
		return append([]float32(nil), m.Forward(seq(64, 1), 1, true)...)
	}
	assert.Equal(t, masks(3), masks(3), "same seed, same units dropped")
	assert.NotEqual(t, masks(3), masks(4))
}

func TestDropoutAllocatesNothing(t *testing.T) {
	l := newDropout(t, 0.5, Shape{3, 3, 2}, 1)
	x, dy := seq(4*18, 1), seq(4*18, 2)
	allocs := testing.AllocsPerRun(5, func() {
		l.Forward(x, 4, true)
		l.Backward(dy)
	})
	assert.Zero(t, allocs)
}
