package nn

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkTrainerStepSamples trains the reference model one batch of 32 at
// a time through the Trainer, in Steps of 1, 2, 4 and 32 samples (the
// worker's StepSamples), and reports ns per sample: the gap between the
// sizes is the fixed cost of a Step.
func BenchmarkTrainerStepSamples(b *testing.B) {
	const n = 32
	for _, step := range []int{1, 2, 4, 32} {
		b.Run(fmt.Sprintf("step=%d", step), func(b *testing.B) {
			m, xs, ys := benchReference(b, n)
			x, y := &Tensor{Shape: []int{n, 28, 28, 1}, Data: xs}, &Tensor{Shape: []int{n}, Data: ys}
			d, err := NewTensorData(x, y)
			require.NoError(b, err)
			tr, err := NewTrainer(m, d, FitConfig{Epochs: 1 << 30, BatchSize: n, StepSamples: step, NoShuffle: true})
			require.NoError(b, err)
			batch := func() {
				for range n / step {
					done, err := tr.Step()
					if err != nil || done {
						b.Fatal(done, err)
					}
				}
			}
			batch() // the layers' buffers grown
			b.ReportAllocs()
			batches := 0
			for b.Loop() {
				batch()
				batches++
			}
			if batches > 0 {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(batches*n), "ns/sample")
				b.ReportMetric(float64(batches*n)/b.Elapsed().Seconds(), "images/s")
			}
		})
	}
}
