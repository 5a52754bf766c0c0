package nn

import (
	"testing"
)

// Work per image of the reference model (ReferenceSpec), counting a
// multiply-add as 2 FLOP: the forward pass is 29.28 M multiply-adds (the
// six convolutions and two dense layers), 58.56 MFLOP; a training step
// (forward, backward to the inputs and to the weights) about three times
// that, ~176 MFLOP.
const (
	refForwardFLOP = 58.56e6
	refStepFLOP    = 176e6
)

// benchReference builds the reference model, compiled with SGD, and a
// seeded batch of n images.
func benchReference(b *testing.B, n int) (*Model, []float32, []float32) {
	m := mtCompiled(b, ReferenceSpec(), 1, OptimizerSpec{Name: "sgd"}, "sparse_categorical_crossentropy")
	x, y := mtBatch(2, n, 28*28, 10)
	return m, x, y
}

// reportImages reports images/s and effective GFLOP/s from the time the
// loop took for iters iterations of n images.
func reportImages(b *testing.B, iters, n int, flopPerImage float64) {
	sec := b.Elapsed().Seconds()
	if sec == 0 || iters == 0 {
		return
	}
	images := float64(iters*n) / sec
	b.ReportMetric(images, "images/s")
	b.ReportMetric(images*flopPerImage/1e9, "GFLOP/s")
}

func benchmarkForward(b *testing.B, n int) {
	m, x, _ := benchReference(b, n)
	m.Forward(x, n, false)
	b.ReportAllocs()
	iters := 0
	for b.Loop() {
		m.Forward(x, n, false)
		iters++
	}
	reportImages(b, iters, n, refForwardFLOP)
}

func BenchmarkModelForward1(b *testing.B)  { benchmarkForward(b, 1) }
func BenchmarkModelForward32(b *testing.B) { benchmarkForward(b, 32) }

// BenchmarkModelTrainStep32 is one training step of the reference model on
// a batch of 32: ComputeGradients (forward, loss, backward) and
// ApplyGradients (SGD).
//
// Reading -cpu 1,2: with b.Loop the first count of the first -cpu value reuses
// a run made before -cpu applies, at the default GOMAXPROCS. Read from the
// second count, or run -cpu 2,1,2.
func BenchmarkModelTrainStep32(b *testing.B) {
	const n = 32
	m, x, y := benchReference(b, n)
	m.ComputeGradients(x, y, n)
	m.ApplyGradients()
	b.ReportAllocs()
	iters := 0
	for b.Loop() {
		m.ComputeGradients(x, y, n)
		m.ApplyGradients()
		iters++
	}
	reportImages(b, iters, n, refStepFLOP)
}
