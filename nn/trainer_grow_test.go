package nn

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// arriving is the first n samples of d, recording which samples Fill was
// asked for: a data set still downloading.
type arriving struct {
	Data
	n    int
	seen *[]int
}

func (a arriving) Len() int { return a.n }

func (a arriving) Fill(x, y []float32, idx []int) {
	for _, i := range idx {
		if i >= a.n {
			panic("sample not arrived yet")
		}
	}
	*a.seen = append(*a.seen, idx...)
	a.Data.Fill(x, y, idx)
}

// TestGrow: samples that arrive mid-epoch join its remaining batches, so
// the epoch visits every sample once; those that arrive during the
// validation pass join the next epoch; validation grows at its next pass.
func TestGrow(t *testing.T) {
	m := mtBlobModel(t, OptimizerSpec{Name: "sgd"})
	all, allVal := mtBlobs(t, 1, 40), mtBlobs(t, 2, 12)
	var seen, vseen []int
	var batches []int
	tr, err := NewTrainer(m, arriving{all, 10, &seen}, FitConfig{Epochs: 3, BatchSize: 4, Validation: arriving{allVal, 4, &vseen},
		OnBatch: func(p BatchProgress) { batches = append(batches, p.Batches) }})
	require.NoError(t, err)
	step := func() bool {
		done, err := tr.Step()
		require.NoError(t, err)
		return done
	}
	step() // batch 1 of 3 (10 samples)
	require.NoError(t, tr.Grow(arriving{all, 30, &seen}, arriving{allVal, 8, &vseen}))
	assert.Equal(t, 30, tr.TrainLen())
	for range 7 { // batches 2..8 of 8 (30 samples)
		step()
	}
	assert.Equal(t, []int{3, 8, 8, 8, 8, 8, 8, 8}, batches)
	got := slices.Clone(seen)
	slices.Sort(got)
	assert.Equal(t, upTo(30), got, "epoch 1 visits each of the 30 samples once")
	step() // validation slice 1: the 8 validation samples arrived before this pass
	require.NoError(t, tr.Grow(arriving{all, 40, &seen}, arriving{allVal, 12, &vseen}))
	step() // validation slice 2, the epoch ends
	got = slices.Clone(vseen)
	slices.Sort(got)
	assert.Equal(t, upTo(8), got, "the pass scores the 8 it started with")
	require.Len(t, tr.History().Loss, 1)

	seen, vseen = seen[:0], vseen[:0]
	for range 10 + 3 { // epoch 2: 10 batches of 40, 3 validation slices of 12
		step()
	}
	got = slices.Clone(seen)
	slices.Sort(got)
	assert.Equal(t, upTo(40), got)
	got = slices.Clone(vseen)
	slices.Sort(got)
	assert.Equal(t, upTo(12), got)
	assert.Len(t, tr.History().Loss, 2)
}

// A batch run in slices finishes on the data it began with.
func TestGrowMidBatch(t *testing.T) {
	m := mtBlobModel(t, OptimizerSpec{Name: "sgd"})
	all := mtBlobs(t, 1, 20)
	var seen []int
	tr, err := NewTrainer(m, arriving{all, 6, &seen}, FitConfig{Epochs: 1, BatchSize: 8, StepSamples: 3})
	require.NoError(t, err)
	_, err = tr.Step() // 3 of the batch's 6
	require.NoError(t, err)
	require.NoError(t, tr.Grow(arriving{all, 20, &seen}, nil))
	assert.Equal(t, 6, tr.TrainLen(), "waits for the batch's end")
	_, err = tr.Step() // the other 3
	require.NoError(t, err)
	for done := false; !done; {
		done, err = tr.Step()
		require.NoError(t, err)
	}
	got := slices.Clone(seen)
	slices.Sort(got)
	assert.Equal(t, upTo(20), got)
}

func TestGrowErrors(t *testing.T) {
	m := mtBlobModel(t, OptimizerSpec{Name: "sgd"})
	all := mtBlobs(t, 1, 20)
	var seen []int
	tr, err := NewTrainer(m, arriving{all, 10, &seen}, FitConfig{BatchSize: 4})
	require.NoError(t, err)
	assert.EqualError(t, tr.Grow(arriving{all, 8, &seen}, nil), "nn: training data cannot shrink from 10 to 8 samples")
	assert.ErrorContains(t, tr.Grow(arriving{all, 12, &seen}, all), "grows with validation data")
	assert.EqualError(t, tr.Grow(arriving{all, 0, &seen}, nil), "nn: no training samples")
}

func upTo(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}
