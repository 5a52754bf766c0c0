package nn

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMaximize(t *testing.T) {
	_, e, _ := whyModel(t, SmallSpec())
	cfgs := []MaximizeConfig{DefaultMaximize(2, 5), DefaultMaximize(-1, 7), DefaultMaximize(0, 1)}
	cfgs[1].Lo, cfgs[1].Hi = -1, 2
	cfgs[2].Jitter, cfgs[2].BlurEvery, cfgs[2].Decay, cfgs[2].Noise = 0, 0, 0, 0
	for _, cfg := range cfgs {
		cfg.Steps, cfg.Seed = 24, 3
		var objs []float32
		img, final, err := e.Maximize(cfg, func(s MaximizeStep) bool {
			require.Equal(t, len(objs)+1, s.Step)
			objs = append(objs, s.Objective)
			return true
		})
		require.NoError(t, err)
		require.Len(t, objs, 24)
		require.Len(t, img, 28*28)
		assert.Greater(t, final, objs[0], "the climb raises the objective (%+v)", cfg)
		if cfg.Hi != 0 {
			for _, v := range img {
				require.True(t, v >= -1 && v <= 2)
			}
		}
	}
	// The same seed gives the same steps; a callback can stop the climb.
	run := func() []float32 {
		cfg := DefaultMaximize(2, 0)
		cfg.Steps, cfg.Seed = 8, 9
		img, _, err := e.Maximize(cfg, nil)
		require.NoError(t, err)
		return img
	}
	require.Equal(t, run(), run())
	steps := 0
	_, _, err := e.Maximize(DefaultMaximize(2, 0), func(MaximizeStep) bool { steps++; return steps < 3 })
	require.NoError(t, err)
	require.Equal(t, 3, steps)
	_, err = e.NewMaximizer(DefaultMaximize(2, 16))
	require.ErrorContains(t, err, "channels 0 to 15")
	_, err = e.NewMaximizer(MaximizeConfig{Layer: 2, Steps: 1})
	require.ErrorContains(t, err, "learning rate")
	_, err = e.NewMaximizer(DefaultMaximize(4, 0))
	require.ErrorContains(t, err, "not feature maps")
}

func TestRollAndBlur(t *testing.T) {
	src := []float32{1, 2, 3, 4, 5, 6} // (2, 3, 1)
	dst := make([]float32, 6)
	roll(dst, src, 2, 3, 1, 1, -1)
	assert.Equal(t, []float32{5, 6, 4, 2, 3, 1}, dst)
	x := []float32{0, 0, 0, 0, 9, 0, 0, 0, 0}
	blur(x, make([]float32, 9), 3, 3, 1, gaussianKernel(0.5))
	var sum float32
	for _, v := range x {
		sum += v
	}
	assert.InDelta(t, 9, sum, 1e-5, "a blur away from the edges keeps the mass")
	assert.Greater(t, x[4], x[1])
	assert.Equal(t, x[1], x[3])
}

// TestMaximizeFirstLayerShowsItsKernel: what a first-layer filter wants to
// see is its own kernel. A climb on the channel's mean asked only for a
// uniform picture (the sign of the kernel's sum, clamped to black), which
// the page showed as a dark square; the field must be the kernel's 3x3,
// and inside it the picture must come near the kernel's own pattern.
func TestMaximizeFirstLayerShowsItsKernel(t *testing.T) {
	var models []*Model
	for _, spec := range []ModelSpec{SmallSpec(), ReferenceSpec()} {
		m, _, _ := whyModel(t, spec)
		models = append(models, m)
	}
	// The page's own model, where filter 1 of the first layer was the dark square.
	f, err := os.Open("../pretrained/reference-fashion.cpw")
	require.NoError(t, err)
	defer f.Close()
	ref, err := Load(f)
	require.NoError(t, err)
	models = append(models, ref)
	for _, m := range models {
		e, err := NewExplainer(m)
		require.NoError(t, err)
		f := m.Layers[0].OutShape()[2]
		kernel := m.Layers[0].Params()[0].W // (3, 3, 1, F)
		for ch := range f {
			cfg := DefaultMaximize(0, ch)
			cfg.Lo, cfg.Hi = -0.8, 2 // the page's clamp: black to white in standardized units
			mz, err := e.NewMaximizer(cfg)
			require.NoError(t, err)
			for !mz.Done() {
				mz.Step()
			}
			img, fd := mz.Image(), mz.Field()
			require.Equal(t, 3, fd.Bottom-fd.Top, "filter %d: the field is the kernel's rows", ch)
			require.Equal(t, 3, fd.Right-fd.Left, "filter %d: the field is the kernel's columns", ch)
			var patch, w []float64
			for y := range 3 {
				for x := range 3 {
					patch = append(patch, float64(img[(fd.Top+y)*28+fd.Left+x]))
					w = append(w, float64(kernel[(y*3+x)*f+ch]))
				}
			}
			// Within the bounds, w . patch is largest for the kernel's sign
			// pattern (white where a weight is positive, black where it is
			// negative): the climb must get well past half of it (the blur softens a
			// checkerboard kernel's picture to about 70%). The old climb's uniform
			// picture scored 2% of it for the reference's filter 1.
			var got, best float64
			for i, wv := range w {
				got += wv * patch[i]
				best += max(wv*float64(cfg.Hi), wv*float64(cfg.Lo))
			}
			assert.Greater(t, got, 0.6*best, "filter %d: the picture %v is near the best for the kernel %v", ch, patch, w)
		}
	}
}
