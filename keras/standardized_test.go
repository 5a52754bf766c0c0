package keras

import (
	"math"
	"testing"

	"convplay/nn"
)

// TestForStandardized checks the wrapping the command line and the page
// share: a pixels/255 model with logits, given standardized inputs, gives
// the softmax of what it gives for the same pixels /255; a second
// wrapping changes nothing; scaleInput false adds only the softmax.
func TestForStandardized(t *testing.T) {
	m, info, err := readFixture(t, "functional_k2.h5")
	if err != nil {
		t.Fatal(err)
	}
	if info.Logits {
		t.Fatal("functional_k2.h5 outputs probabilities")
	}
	m.Spec.InputScaling = nn.Unit
	const mean, std = 72.94, 90.02
	w, err := ForStandardized(m, mean, std, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := w.Spec.Layers[0]; got.Name != "input_scaling" || w.Spec.InputScaling != nn.Standardized || len(w.Layers) != len(m.Layers)+1 {
		t.Fatalf("wrapped: first layer %+v, scaling %q, %d layers", got, w.Spec.InputScaling, len(w.Layers))
	}
	pix := make([]float32, 28*28)
	z := make([]float32, len(pix))
	u := make([]float32, len(pix))
	for i := range pix {
		pix[i] = float32((i * 37) % 256)
	}
	nn.Standardized.Apply(z, pix, mean, std)
	nn.Unit.Apply(u, pix, mean, std)
	a, _ := w.Predict(z, 1)
	b, _ := m.Predict(u, 1)
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-5 {
			t.Fatalf("output %d: wrapped %v, model on pixels/255 %v", i, a[i], b[i])
		}
	}
	if again, err := ForStandardized(w, mean, std, true); err != nil || again != w {
		t.Fatalf("wrapping twice: %v, same model %v", err, again == w)
	}

	l, info, err := readFixture(t, "bn_logits_k2.h5")
	if err != nil {
		t.Fatal(err)
	}
	if !info.Logits || !info.ScalingKnown {
		t.Fatalf("bn_logits_k2.h5: %+v", info)
	}
	asIs, err := ForStandardized(l, mean, std, false)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(asIs.Layers); n != len(l.Layers)+1 || asIs.Spec.Layers[n-1].Name != "softmax_of_logits" || asIs.Spec.OutputsLogits() {
		t.Fatalf("logits model unscaled: %d layers, last %+v", n, asIs.Spec.Layers[n-1])
	}
	// Every parameter is copied, BatchNormalization's moving statistics too.
	src, dst := l.Params(), asIs.Params()
	for i := range src {
		for j := range src[i].W {
			if src[i].W[j] != dst[i].W[j] {
				t.Fatalf("param %s differs at %d", src[i].Name, j)
			}
		}
	}
}
