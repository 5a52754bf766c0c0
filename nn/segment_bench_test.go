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
