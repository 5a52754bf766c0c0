package nn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOcclusionAgainstDirectLoop(t *testing.T) {
	m, e, x := whyModel(t, SmallSpec())
	for _, cfg := range []OcclusionConfig{
		{Patch: 4, Stride: 2, Fill: 0, Batch: 7},
		{Patch: 5, Stride: 3, Fill: -0.8},
		{Patch: 28, Stride: 1, Fill: 1},
	} {
		o, err := e.Occlusion(x, 6, cfg)
		require.NoError(t, err)
		rows := (28-cfg.Patch)/cfg.Stride + 1
		require.Equal(t, rows, o.Rows)
		require.Equal(t, rows, o.Cols)
		base, err := m.Predict(x, 1)
		require.NoError(t, err)
		require.Equal(t, base[6], o.Prob)
		covered := make([]float32, len(x))
		sum, count := make([]float64, len(x)), make([]int, len(x))
		for r := range rows {
			for c := range rows {
				for i := range x {
					y, xx := i/28, i%28
					covered[i] = x[i]
					if y >= r*cfg.Stride && y < r*cfg.Stride+cfg.Patch && xx >= c*cfg.Stride && xx < c*cfg.Stride+cfg.Patch {
						covered[i] = cfg.Fill
						sum[i] += float64(base[6])
						count[i]++
					}
				}
				out, err := m.Predict(covered, 1)
				require.NoError(t, err)
				k := r*rows + c
				require.InDelta(t, out[6], o.Probs[k], 1e-6, "position (%d, %d)", r, c)
				require.InDelta(t, base[6]-out[6], o.Drop[k], 1e-6)
				require.Equal(t, argmaxFirst(out), o.Top[k])
				for i := range x {
					if y, xx := i/28, i%28; y >= r*cfg.Stride && y < r*cfg.Stride+cfg.Patch && xx >= c*cfg.Stride && xx < c*cfg.Stride+cfg.Patch {
						sum[i] -= float64(out[6])
					}
				}
			}
		}
		for i := range x {
			want := 0.0
			if count[i] > 0 {
				want = sum[i] / float64(count[i])
			}
			require.InDelta(t, want, o.Map[i], 1e-5, "pixel %d", i)
		}
	}
	_, err := e.Occlusion(x, 0, OcclusionConfig{Patch: 29})
	require.ErrorContains(t, err, "patch 29")

	// A blank top half covered with its own value needs no forward pass
	// there: the input is unchanged, so the drop is exactly 0.
	for i := range 14 * 28 {
		x[i] = -0.5
	}
	o, err := e.Occlusion(x, 6, OcclusionConfig{Patch: 4, Stride: 2, Fill: -0.5})
	require.NoError(t, err)
	assert.Equal(t, 169-6*13, o.Forwards) // rows 0-5 lie in the blank half
	for k := range 6 * 13 {
		require.Equal(t, float32(0), o.Drop[k])
	}

	// In parts of any size, the same numbers.
	oc, err := e.NewOccluder(x, 6, OcclusionConfig{Patch: 4, Stride: 2, Fill: -0.5})
	require.NoError(t, err)
	for i := 1; !oc.Done(); i++ {
		oc.Run(i)
	}
	done, total := oc.Progress()
	assert.Equal(t, total, done)
	assert.Equal(t, o, oc.Result())
}

func TestMask(t *testing.T) {
	m, e, x := whyModel(t, SmallSpec())
	mask := make([]float32, 28*28)
	r, err := e.Mask(x, mask, 0, 3)
	require.NoError(t, err)
	require.Equal(t, r.Prob, r.MaskedProb)
	require.Equal(t, x, r.Input)
	for i := range mask {
		mask[i] = 2 // clamped to 1
	}
	r, err = e.Mask(x, mask, -0.5, 3)
	require.NoError(t, err)
	for _, v := range r.Input {
		require.Equal(t, float32(-0.5), v)
	}
	out, err := m.Predict(r.Input, 1)
	require.NoError(t, err)
	require.Equal(t, out[3], r.MaskedProb)
	_, err = e.Mask(x, mask[:5], 0, 3)
	require.ErrorContains(t, err, "mask has 5 values")
}
