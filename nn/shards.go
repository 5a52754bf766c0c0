package nn

import "fmt"

// Data-parallel training: split a batch of N samples into shards of n_i
// samples (ShardSizes), one per worker, each holding the same weights. Each
// worker runs ComputeGradients on its shard. The batch's gradient is the
// mean weighted by shard size, sum_i (n_i/N) g_i, its loss
// sum_i n_i loss_i / N and its correct count the sum: one worker adds the
// shards up with a ShardSum, in shard order (so the sum does not depend on
// which worker finished first), and takes the optimizer step
// (ApplyGradients); the others then copy its weights (FlatWeights,
// SetFlatWeights). Dropout draws different masks on each worker, as it
// would for different samples. The Trainer adds up the slices of a batch
// (FitConfig.StepSamples) the same way.

// ShardSizes splits n samples into at most k consecutive shards of
// nearly equal size, the first ones one larger, none empty: ShardSizes(5,
// 2) is [3 2], ShardSizes(1, 3) is [1]. It is nil when n is 0.
func ShardSizes(n, k int) []int {
	k = max(min(k, n), 0)
	if k == 0 {
		return nil
	}
	s := make([]int, k)
	for i := range s {
		s[i] = n / k
		if i < n%k {
			s[i]++
		}
	}
	return s
}

// ShardSum adds up the gradients, losses and correct counts of the shards
// of one batch, in the order they are added: Start, then AddModel or
// AddFlat for each shard, then Sum. Each shard's gradients are weighted by
// w_i = float32(n_i)/float32(N), the products rounded to float32 before
// they are added. A shard covering the whole batch is left where it is, in
// the model's gradients, so that a batch in one piece is not copied. The
// zero value is ready; its buffer is reused from batch to batch.
type ShardSum struct {
	batch   int       // N, the batch's samples
	seen    int       // samples added so far
	lossSum float64   // sum_i n_i loss_i
	correct int       // sum_i correct_i
	g       []float32 // (NumParams) sum_i w_i g_i so far, in FlatGradients's layout
	whole   bool      // the one shard is the whole batch, left in the model
}

// Start begins the sum of a batch of n samples.
func (s *ShardSum) Start(n int) {
	s.batch, s.seen, s.lossSum, s.correct, s.whole = n, 0, 0, 0, false
}

// Samples is the number of samples added since Start.
func (s *ShardSum) Samples() int { return s.seen }

// AddModel adds the shard of n samples whose gradients m holds (its
// ComputeGradients's), with its mean loss and correct count.
func (s *ShardSum) AddModel(m *Model, n int, loss float64, correct int) {
	add := s.count(n, loss, correct)
	if n == s.batch {
		s.whole = true
		return
	}
	w := float32(n) / float32(s.batch)
	s.g = grow(s.g, m.NumParams())
	off := 0
	for _, p := range m.params {
		addScaled(s.g[off:off+len(p.G)], p.G, w, add)
		off += len(p.G)
	}
}

// AddFlat adds the shard of n samples whose gradients another worker
// computed, g in FlatGradients's layout for m, with its mean loss and
// correct count.
func (s *ShardSum) AddFlat(m *Model, g []float32, n int, loss float64, correct int) error {
	if len(g) != m.NumParams() {
		return fmt.Errorf("nn: %d gradients for a model with %d weights", len(g), m.NumParams())
	}
	add := s.count(n, loss, correct)
	s.g = grow(s.g, len(g))
	addScaled(s.g, g, float32(n)/float32(s.batch), add)
	return nil
}

// count adds a shard's samples, loss and correct count, and reports
// whether shards came before it (so its gradients add to theirs).
func (s *ShardSum) count(n int, loss float64, correct int) (add bool) {
	if n < 1 || s.seen+n > s.batch {
		panic(fmt.Sprintf("nn: a shard of %d samples after %d of a batch of %d", n, s.seen, s.batch))
	}
	add = s.seen > 0
	s.seen += n
	s.lossSum += float64(loss * float64(n))
	s.correct += correct
	return add
}

// Sum leaves the batch's gradients in m's Param.G and returns its mean
// loss and correct count. Every sample of the batch must have been added.
func (s *ShardSum) Sum(m *Model) (loss float64, correct int) {
	if s.seen != s.batch {
		panic(fmt.Sprintf("nn: ShardSum of %d samples of a batch of %d", s.seen, s.batch))
	}
	if !s.whole {
		off := 0
		for _, p := range m.params {
			off += copy(p.G, s.g[off:])
		}
	}
	return s.lossSum / float64(s.batch), s.correct
}

// addScaled sets dst to w*src, or with add adds that to it. The product is
// rounded to float32 before the addition (no fused multiply-add), so the
// sum is the same on every platform.
func addScaled(dst, src []float32, w float32, add bool) {
	src = src[:len(dst)] // no bounds checks below
	if add {
		for i, v := range src {
			dst[i] += float32(w * v)
		}
		return
	}
	for i, v := range src {
		dst[i] = w * v
	}
}
