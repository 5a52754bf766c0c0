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

// TestOcclusionReusesTheFirstLayers: on the reference model (same padding,
// Winograd layers, three poolings) the boxes of the first layers give what
// whole forward passes give, and the plan stops where a box covers more
// than half of its map.
func TestOcclusionReusesTheFirstLayers(t *testing.T) {
	m, e, x := whyModel(t, ReferenceSpec())
	for _, cfg := range []OcclusionConfig{{Patch: 4, Stride: 2, Batch: 13}, {Patch: 6, Stride: 5, Fill: -0.8}, {Patch: 3, Stride: 1, Batch: 64}} {
		oc, err := e.NewOccluder(x, 2, cfg)
		require.NoError(t, err)
		require.NotNil(t, oc.reuse)
		if cfg.Patch == 4 {
			assert.Equal(t, 5, oc.reuse.n, "conv, conv, pool, conv, conv; the second pool's box is most of its 7x7 map")
		}
		for !oc.Done() {
			oc.Run(cfg.Batch)
		}
		o := oc.Result()
		covered := make([]float32, len(x))
		for k := range o.Rows * o.Cols {
			r, c := k/o.Cols, k%o.Cols
			Occlude(covered, x, m.InShape(), r*o.S, c*o.S, o.Patch, cfg.Fill)
			out, err := m.Predict(covered, 1)
			require.NoError(t, err)
			require.InDelta(t, out[2], o.Probs[k], 2e-5, "patch %d at (%d, %d)", cfg.Patch, r, c)
			require.Equal(t, argmaxFirst(out), o.Top[k])
		}
	}
}

func TestWindowReach(t *testing.T) {
	same3 := window{k: 3, s: 1, padT: 1, padL: 1, oh: 28, ow: 28}
	assert.Equal(t, box{3, 9, 9, 15}, same3.reach(box{4, 10, 8, 14}), "a 3x3 same convolution widens the box by one")
	assert.Equal(t, box{0, 0, 5, 28}, same3.reach(box{0, 0, 4, 28}), "clipped at the edges")
	pool2 := window{k: 2, s: 2, oh: 14, ow: 14}
	assert.Equal(t, box{2, 5, 4, 7}, pool2.reach(box{5, 10, 8, 14}), "a pooling halves it, rounding outward")
	valid3s2 := window{k: 3, s: 2, oh: 13, ow: 13}
	assert.Equal(t, box{1, 0, 4, 1}, valid3s2.reach(box{4, 0, 8, 1}), "stride 2: outputs 1 to 3 read rows 2 to 8")
	assert.Equal(t, -1, floorDiv(-1, 2))
	assert.Equal(t, -2, floorDiv(-3, 2))
}
