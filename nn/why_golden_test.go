package nn

// Golden tests of the explanations (why*.go) against PyTorch autograd on the
// same weights, in float64: testdata/golden/gen_why.py made the fixtures.

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// whyCase is one entry of testdata/golden/why/index.json.
type whyCase struct {
	Name       string    `json:"name"`
	Model      ModelSpec `json:"model"`
	WeightSeed uint64    `json:"weight_seed"`
	Class      int       `json:"class"`
	Label      int       `json:"label"`
	Target     int       `json:"target"`
	CamLayer   int       `json:"cam_layer"`
	Epsilon    float32   `json:"epsilon"`
}

// Tolerances: 1e-4 of each value, plus 1e-5 of the array's largest (for
// the values that come out of cancellation). Measured worst errors, as a
// share of the array's largest value (go test -v logs them): 4.3e-7 for
// saliency, 6.4e-7 for the Grad-CAM map (the reference model).
const whyRtol, whyAtol = 1e-4, 1e-5

// worstRel is max |got - want| / max |want|, for the log.
func worstRel(got, want []float32) float64 {
	var scale, worst float64
	for i, w := range want {
		scale = max(scale, math.Abs(float64(w)))
		worst = max(worst, math.Abs(float64(got[i])-float64(w)))
	}
	return worst / scale
}

func TestGoldenWhy(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(goldenDir, "why", "index.json"))
	require.NoError(t, err)
	var idx struct {
		Cases []whyCase `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(b, &idx))
	require.Len(t, idx.Cases, 3)
	for _, c := range idx.Cases {
		t.Run(c.Name, func(t *testing.T) {
			a := loadGolden(t, filepath.Join("why", c.Name))
			m, err := Build(c.Model, 1)
			require.NoError(t, err)
			setGoldenWeights(m, c.WeightSeed)
			e, err := NewExplainer(m)
			require.NoError(t, err)
			require.True(t, e.ScoresAreLogits())
			x := mustArray(t, a, "x").Data

			s, err := e.Saliency(x, c.Class)
			require.NoError(t, err)
			assertClose(t, "probabilities", s.Out, mustArray(t, a, "probs").Data, whyRtol, whyAtol)
			logits := mustArray(t, a, "logits").Data
			require.InDelta(t, logits[c.Class], s.Score, 1e-5*math.Abs(float64(logits[c.Class]))+1e-6)
			want := mustArray(t, a, "saliency").Data
			assertClose(t, "saliency", s.Grad, want, whyRtol, whyAtol)
			t.Logf("saliency: worst error %.2g of the largest value", worstRel(s.Grad, want))
			for i, v := range x {
				require.Equal(t, s.Grad[i]*v, s.GradTimesInput[i])
			}

			gc, err := e.GradCAM(x, c.Class, c.CamLayer)
			require.NoError(t, err)
			for _, k := range []struct {
				name string
				got  []float32
			}{{"cam_weights", gc.Weights}, {"cam_map", gc.Map}, {"cam_up", gc.Upsampled}} {
				want := mustArray(t, a, k.name).Data
				assertClose(t, k.name, k.got, want, whyRtol, whyAtol)
				t.Logf("%s: worst error %.2g of the largest value", k.name, worstRel(k.got, want))
			}

			for _, k := range []struct {
				name, grad string
				cfg        AttackConfig
			}{
				{"fgsm", "ce_grad", AttackConfig{Epsilon: c.Epsilon, Target: -1, Label: c.Label}},
				{"fgsm_target", "target_grad", AttackConfig{Epsilon: c.Epsilon, Target: c.Target, Label: -1}},
			} {
				at, err := e.FGSM(x, k.cfg)
				require.NoError(t, err)
				require.Equal(t, 1, at.Steps)
				g, want := mustArray(t, a, k.grad).Data, mustArray(t, a, k.name).Data
				var scale float64
				for _, v := range g {
					scale = max(scale, math.Abs(float64(v)))
				}
				checked := 0
				for i := range want {
					if g[i] != 0 && math.Abs(float64(g[i])) < 1e-4*scale {
						continue // a sign float32 may flip; exact zeros (pixels no window reaches) stay
					}
					checked++
					require.InDelta(t, want[i], at.Adversarial[i], 1e-6, "%s value %d", k.name, i)
				}
				require.Greater(t, checked, len(want)*99/100, k.name)
			}
		})
	}
}
