//go:build js && wasm

package main

import (
	"time"

	"convplay/nn"
)

// stepBudget is what one nn.Trainer.Step may take: a request that arrives
// during a Step waits for it to end, so a Step of at most stepBudget,
// inside a slice of sliceBudget, keeps pause, stop and predict well within
// 100 ms. A batch whose training pass takes longer (the reference model's
// batch of 32 takes about 0.7 s in WebAssembly) runs as several Steps of
// FitConfig.StepSamples samples, which sum the batch's gradients before
// its one optimizer step.
const stepBudget = 20 * time.Millisecond

// stepSamplesFor is FitConfig.StepSamples for a training pass costing
// perSample per sample: 0 (whole batches) when a batch fits stepBudget,
// else the most samples that fit it, at least 1.
func stepSamplesFor(perSample time.Duration, batch int) int {
	if perSample <= 0 || time.Duration(batch)*perSample <= stepBudget {
		return 0
	}
	return max(1, int(stepBudget/perSample))
}

// timeSample measures one sample's training pass (forward, loss, backward)
// of m's architecture on the first samples of d: on a copy of the model
// built from its spec, so that the model to be trained, its optimizer and
// its random sources (dropout) stay untouched. The copy's first pass grows
// its buffers; the next two are timed. m must be compiled.
func timeSample(m *nn.Model, d nn.Data) (time.Duration, error) {
	c, err := nn.Build(m.Spec, 1)
	if err != nil {
		return 0, err // m was built from the same spec
	}
	opt, err := nn.NewOptimizer(nn.OptimizerSpec{Name: "sgd"})
	if err != nil {
		return 0, err
	}
	loss, err := nn.ParseLoss(m.Loss().Name())
	if err != nil {
		return 0, err
	}
	if err := c.Compile(opt, loss); err != nil {
		return 0, err
	}
	n := min(2, d.Len())
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	x := make([]float32, n*c.InShape().Size())
	y := make([]float32, n*loss.TargetSize(c.OutShape().Size()))
	d.Fill(x, y, idx)
	if err := c.CheckTargets(y, n); err != nil {
		return 0, err
	}
	c.ComputeGradients(x, y, n)
	start := time.Now()
	for range 2 {
		c.ComputeGradients(x, y, n)
	}
	return time.Since(start) / time.Duration(2*n), nil
}
