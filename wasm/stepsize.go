//go:build js && wasm

package main

import (
	"time"

	"convplay/nn"
)

// stepBudget is what one nn.Trainer.Step may take: a request that arrives
// during a Step waits for it to end, so Steps of at most about stepBudget
// keep pause, stop and predict answered within about 50 ms. A batch whose
// training pass takes longer (the reference model's batch of 32 takes
// about 0.6 s in WebAssembly) runs as several Steps of
// FitConfig.StepSamples samples, which sum the batch's gradients before its
// one optimizer step; a batch that fits (the small model's) runs whole, as
// one Step. Each Step has costs of its own: each of a Winograd layer's
// three products (forward, weight gradient, input gradient) streams the
// layer's transformed weights (16·C·F floats) through the cache once per
// Step whatever its samples, so a one-sample Step does few multiply-adds
// per weight read (16 tiles on a 7x7 map); and every Step zeroes, scales
// and sums every gradient. (Transforming and packing the weights, once per
// Step too until the engine kept them between the Steps of a batch, is now
// once per batch.) In Chromium the reference model trained 42.7 images/s
// in Steps of one sample (a 25 ms budget), 50.4 in Steps of two, 60.2 in
// whole batches, so the budget is two slices, not one
// (BenchmarkTrainerStepSamples in nn measures the same in Node).
const stepBudget = 2 * sliceBudget

// stepSamplesFor is FitConfig.StepSamples for a training pass costing
// perSample per sample: 0 (whole batches) when a batch fits stepBudget,
// else the most samples that fit it, at least 1.
func stepSamplesFor(perSample time.Duration, batch int) int {
	if perSample <= 0 || time.Duration(batch)*perSample <= stepBudget {
		return 0
	}
	return max(1, int(stepBudget/perSample))
}

// maxProbe bounds the samples timeSample runs at once.
const maxProbe = 256

// timeSample measures one sample's training pass (forward, loss, backward)
// of m's architecture on the first samples of d, as batches of up to batch
// samples run it: first on one sample, then, when that is well within
// stepBudget, on as many samples as would fill it (at most batch), so that
// a layer's fixed cost per pass is shared as in training. Each size runs
// once to grow its buffers, then once timed. It runs on a copy of the model
// built from its spec, so that the model to be trained, its optimizer and
// its random sources (dropout) stay untouched. m must be compiled.
func timeSample(m *nn.Model, d nn.Data, batch int) (time.Duration, error) {
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
	var x, y []float32
	pass := func(n int) (time.Duration, error) {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		x = make([]float32, n*c.InShape().Size())
		y = make([]float32, n*loss.TargetSize(c.OutShape().Size()))
		d.Fill(x, y, idx)
		if err := c.CheckTargets(y, n); err != nil {
			return 0, err
		}
		c.ComputeGradients(x, y, n)
		start := time.Now()
		c.ComputeGradients(x, y, n)
		return time.Since(start), nil
	}
	one, err := pass(1)
	if err != nil || one >= stepBudget/4 {
		return one, err
	}
	n := min(batch, d.Len(), maxProbe, int(stepBudget/max(one, time.Microsecond)))
	if n <= 1 {
		return one, nil
	}
	t, err := pass(n)
	return t / time.Duration(n), err
}
