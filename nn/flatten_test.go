package nn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFlatten(t *testing.T) {
	for _, tc := range []struct {
		in   Shape
		want Shape
	}{{Shape{3, 3, 128}, Shape{1152}}, {Shape{2, 5, 1}, Shape{10}}, {Shape{7}, Shape{7}}} {
		t.Run(tc.in.String(), func(t *testing.T) {
			l, err := buildLayer(LayerSpec{Type: "Flatten"}, tc.in, nil)
			require.NoError(t, err)
			assert.Equal(t, tc.in, l.InShape())
			assert.Equal(t, tc.want, l.OutShape())
			assert.Nil(t, l.Params())
			x := seq(2*tc.in.Size(), 0)
			y := l.Forward(x, 2, true)
			require.Len(t, y, len(x))
			assert.Same(t, &x[0], &y[0], "no copy: NHWC already is Keras's (h, w, c) order")
			dy := seq(2*tc.in.Size(), 1)
			dx := l.Backward(dy)
			assert.Same(t, &dy[0], &dx[0])
			assert.Len(t, dx, len(dy))
		})
	}
	// Keras's order: element (h, w, c) of a (2, 2, 2) map is at (h*2+w)*2+c.
	l, err := buildLayer(LayerSpec{Type: "Flatten"}, Shape{2, 2, 2}, nil)
	require.NoError(t, err)
	assert.Equal(t, []float32{0, 1, 2, 3, 4, 5, 6, 7}, l.Forward(seq(8, 0), 1, false))

	_, err = buildLayer(LayerSpec{Type: "Flatten"}, Shape{}, nil)
	assert.EqualError(t, err, "Flatten needs an input with at least 1 axis")
}
