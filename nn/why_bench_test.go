package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// Benchmarks of the explanations on the reference model (targets in the
// worker, issue 17: saliency, Grad-CAM and FGSM under 30 ms; occlusion 4x4
// stride 2 under 300 ms; 64 steps of activation maximization under 2 s;
// the 2-D map of 2,000 images under 5 s).

func BenchmarkWhySaliency(b *testing.B) {
	_, e, x := whyModel(b, ReferenceSpec())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Saliency(x, 3); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWhyGradCAM(b *testing.B) {
	_, e, x := whyModel(b, ReferenceSpec())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.GradCAM(x, 3, -1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWhyOcclusion4x4Stride2(b *testing.B) {
	_, e, x := whyModel(b, ReferenceSpec())
	for _, reuse := range []bool{true, false} {
		for _, batch := range []int{1, 8, 32} {
			b.Run(fmt.Sprintf("reuse=%v/batch%d", reuse, batch), func(b *testing.B) {
				occlusionReuse = reuse
				defer func() { occlusionReuse = true }()
				b.ReportAllocs()
				for b.Loop() {
					if _, err := e.Occlusion(x, 3, OcclusionConfig{Patch: 4, Stride: 2, Batch: batch}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkWhyMaximize64(b *testing.B) {
	_, e, _ := whyModel(b, ReferenceSpec())
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := e.Maximize(DefaultMaximize(6, 5), nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWhyFGSM(b *testing.B) {
	_, e, x := whyModel(b, ReferenceSpec())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.FGSM(x, AttackConfig{Epsilon: 0.1, Target: -1, Label: -1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWhyPCA2000 is the 2-D map: the features of 2,000 inputs, then
// their PCA.
func BenchmarkWhyPCA2000(b *testing.B) {
	m, _, _ := whyModel(b, ReferenceSpec())
	const n = 2000
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, n*m.InShape().Size())
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	var f []float32
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if f, err = m.Features(f, nil, x, n); err != nil {
			b.Fatal(err)
		}
		if _, err := NewPCA(f, n, m.FeatureSize()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWhyForward is one image's forward pass alone, the unit the
// occlusion map's time is reported in (the machine's load varies, the
// ratio less).
func BenchmarkWhyForward(b *testing.B) {
	_, e, x := whyModel(b, ReferenceSpec())
	b.ReportAllocs()
	for b.Loop() {
		e.forward(x, 1)
	}
}

// BenchmarkWhyForward32 is a batch of 32 images' forward pass, as the
// occlusion map runs them.
func BenchmarkWhyForward32(b *testing.B) {
	m, e, x := whyModel(b, ReferenceSpec())
	xs := make([]float32, 0, 32*m.InShape().Size())
	for range 32 {
		xs = append(xs, x...)
	}
	b.ReportAllocs()
	for b.Loop() {
		e.forward(xs, 32)
	}
}
