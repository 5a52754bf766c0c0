package nn

import "fmt"

// Training on data that is still arriving: the page streams the data set
// chunk by chunk and starts training on the first ones, so the run grows
// with the download (Grow).

// Grow gives the Trainer larger versions of its data as more samples
// arrive: train (and validation, nil exactly when the run has none) must
// hold the samples they held, in the same order, then the new ones. New
// training samples join the current epoch, shuffled in among the samples
// it has not visited yet (unless NoShuffle), so that every sample still
// counts once an epoch; if the epoch's training batches are all done, they
// join the next one. Validation data grows at the start of the next
// validation pass, so that one pass scores one set. A batch that Step is
// running in slices finishes on the data it began with.
func (t *Trainer) Grow(train, validation Data) error {
	if err := checkData(t.m, train, "training"); err != nil {
		return err
	}
	cur := t.train
	if t.grownTrain != nil {
		cur = t.grownTrain
	}
	if train.Len() < cur.Len() {
		return fmt.Errorf("nn: training data cannot shrink from %d to %d samples", cur.Len(), train.Len())
	}
	if (validation == nil) != (t.cfg.Validation == nil) {
		return fmt.Errorf("nn: a run with validation data grows with validation data, and one without, without")
	}
	if validation != nil {
		if err := checkData(t.vm, validation, "validation"); err != nil {
			return err
		}
		vcur := t.cfg.Validation
		if t.grownVal != nil {
			vcur = t.grownVal
		}
		if validation.Len() < vcur.Len() {
			return fmt.Errorf("nn: validation data cannot shrink from %d to %d samples", vcur.Len(), validation.Len())
		}
		t.grownVal = validation
	}
	t.grownTrain = train
	t.growTrain()
	return nil
}

// TrainLen is the number of training samples the current epoch covers.
func (t *Trainer) TrainLen() int { return t.train.Len() }

// growTrain takes the grown training data at a batch boundary.
func (t *Trainer) growTrain() {
	if t.grownTrain == nil || t.sub != 0 {
		return
	}
	old, n := t.train.Len(), t.grownTrain.Len()
	t.train, t.grownTrain = t.grownTrain, nil
	for i := old; i < n; i++ {
		t.perm = append(t.perm, i)
	}
	if !t.inVal {
		t.batches = t.batch + (n-t.pos+t.cfg.BatchSize-1)/t.cfg.BatchSize
		if rest := t.perm[t.pos:n]; !t.cfg.NoShuffle {
			t.rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
		}
	}
	t.fitBuffers()
}

// growValidation takes the grown validation data before a validation pass.
func (t *Trainer) growValidation() {
	if t.grownVal == nil {
		return
	}
	t.cfg.Validation, t.grownVal = t.grownVal, nil
	t.vbatchs = (t.cfg.Validation.Len() + t.step - 1) / t.step
	t.fitBuffers()
}

// fitBuffers enlarges the slice buffers for the data's current sizes (a
// slice of training samples, or of validation samples for the validation
// model, which may take larger inputs).
func (t *Trainer) fitBuffers() {
	n := min(t.step, max(t.train.Len(), lenOf(t.cfg.Validation)))
	if n > len(t.vidx) {
		t.x = make([]float32, n*max(t.m.InShape().Size(), t.vm.InShape().Size()))
		t.y = make([]float32, n*max(t.m.targetSize(), t.vm.targetSize()))
		t.vidx = make([]int, n)
	}
}
