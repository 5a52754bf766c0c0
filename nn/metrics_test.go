package nn

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestArgmaxFirst(t *testing.T) {
	nan := float32(math.NaN())
	for _, tc := range []struct {
		v    []float32
		want int
	}{
		{[]float32{1}, 0},
		{[]float32{1, 3, 2}, 1},
		{[]float32{-3, -1, -2}, 1},
		{[]float32{2, 5, 5, 1}, 1}, // ties: the lowest index, as numpy
		{[]float32{0, 0, 0}, 0},
		{[]float32{1, nan, 9, nan}, 1}, // numpy: the first NaN
		{[]float32{float32(math.Inf(-1)), float32(math.Inf(-1))}, 0},
	} {
		assert.Equal(t, tc.want, argmaxFirst(tc.v), "%v", tc.v)
	}
}

func TestCorrectCount(t *testing.T) {
	out := []float32{
		0.1, 0.7, 0.2, // predicts 1
		0.4, 0.4, 0.2, // tie: predicts 0
		0.0, 0.1, 0.9, // predicts 2
		-5, -1, -3, // logits too: predicts 1
	}
	tests := []struct {
		name   string
		y      []float32
		sparse bool
		want   int
	}{
		{"sparse all right", []float32{1, 0, 2, 1}, true, 4},
		{"sparse, the tie is not the second class", []float32{1, 1, 2, 0}, true, 2},
		{"one-hot", []float32{0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0}, false, 3},
		{"probability targets", []float32{.2, .5, .3, .1, .1, .8, 0, 0, 1, .3, .3, .4}, false, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, correctCount(out, tc.y, 4, 3, tc.sparse))
		})
	}
	assert.Equal(t, 1, correctCount(out, []float32{1, 0, 0, 0}, 1, 3, true), "only the first n samples count")
}

func TestConfusion(t *testing.T) {
	out := []float32{
		0.1, 0.7, 0.2, // predicts 1
		0.4, 0.4, 0.2, // tie: predicts 0
		0.0, 0.1, 0.9, // predicts 2
		0.5, 0.3, 0.2, // predicts 0
	}
	dst := make([]int, 9)
	confusion(dst, out, []float32{1, 0, 1, 2}, 4, 3)
	assert.Equal(t, []int{
		1, 0, 0, // true 0
		0, 1, 1, // true 1: one right, one taken for 2
		1, 0, 0, // true 2: taken for 0
	}, dst)
	// One-hot labels, added to the same matrix.
	confusion(dst, out, []float32{0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0}, 4, 3)
	assert.Equal(t, []int{
		2, 0, 0,
		1, 2, 1, // the tie sample now counts as a 1 taken for 0
		1, 0, 1,
	}, dst)
	var total int
	for _, v := range dst {
		total += v
	}
	assert.Equal(t, 8, total)
}
