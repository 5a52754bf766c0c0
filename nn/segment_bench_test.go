package nn

import "testing"

// BenchmarkFCNTrainStep32 is one training step of the fcn preset on a
// batch of 32 seeded 64x64 scenes with per-pixel labels: ComputeGradients
// (forward, per-pixel cross-entropy, backward) and ApplyGradients (Adam),
// the work tools/torchbench/fcn_bench.py times in PyTorch.
func BenchmarkFCNTrainStep32(b *testing.B) {
	const n, px = 32, 64 * 64
	m := mtCompiled(b, FCNSpec(), 1, OptimizerSpec{Name: "adam"}, "sparse_categorical_crossentropy")
	x, _ := mtBatch(2, n, px, 11)
	_, y := mtBatch(3, n*px, 1, 11) // a class index per pixel
	m.ComputeGradients(x, y, n)
	m.ApplyGradients()
	b.ReportAllocs()
	iters := 0
	for b.Loop() {
		m.ComputeGradients(x, y, n)
		m.ApplyGradients()
		iters++
	}
	if sec := b.Elapsed().Seconds(); sec > 0 {
		b.ReportMetric(float64(iters*n)/sec, "scenes/s")
	}
}

// BenchmarkFCNTrace is the segmentation lesson's segment op without the
// worker's copies: one scene through the shipped fcn preset, every layer's
// output kept (issue 18: under 30 ms with its trace in the worker).
func BenchmarkFCNTrace(b *testing.B) {
	m, err := Build(FCNSpec(), 1)
	if err != nil {
		b.Fatal(err)
	}
	x := make([]float32, 64*64)
	for i := range x {
		x[i] = float32(i%7) / 7
	}
	b.ResetTimer()
	for range b.N {
		if _, err := m.Trace(x); err != nil {
			b.Fatal(err)
		}
	}
}
