package nn

import "fmt"

// evalBatch runs a batch in inference mode and returns its mean loss and
// correct count.
func (m *Model) evalBatch(x, y []float32, n int) (float64, int) {
	out := m.Forward(x, n, false)
	return m.lossOf(out, y, n), m.countCorrect(out, y, n)
}

// Evaluation is Evaluate's detailed result.
type Evaluation struct {
	Loss     float64 // mean loss over the samples
	Accuracy float64 // fraction classified correctly
	// Confusion counts samples by true class (row) and predicted class
	// (column): Confusion[true*Classes+pred]. Nil for a single output.
	Confusion []int
	Classes   int
	// Misclassified lists the indices of the samples classified wrongly, in
	// order.
	Misclassified []int
	// Predicted and Labels hold the predicted and the true class of each
	// misclassified sample, in Misclassified's order (the confusion
	// matrix's column and row), so a page can show the samples of one
	// cell. Nil for a single output.
	Predicted, Labels []int
}

// Evaluate returns the mean loss and the accuracy of a compiled model on
// data, as Keras's evaluate() returns [loss, accuracy]; batchSize 0 means 32.
func (m *Model) Evaluate(data Data, batchSize int) (loss, accuracy float64, err error) {
	e, err := m.evaluate(data, batchSize, false)
	if err != nil {
		return 0, 0, err
	}
	return e.Loss, e.Accuracy, nil
}

// EvaluateDetailed is Evaluate with the confusion matrix and the indices of
// the misclassified samples.
func (m *Model) EvaluateDetailed(data Data, batchSize int) (*Evaluation, error) {
	return m.evaluate(data, batchSize, true)
}

func (m *Model) evaluate(data Data, batchSize int, detailed bool) (*Evaluation, error) {
	m.mustBeCompiled()
	if batchSize == 0 {
		batchSize = predictBatch
	}
	if batchSize < 0 {
		return nil, fmt.Errorf("nn: batch size %d must be positive", batchSize)
	}
	if err := checkData(m, data, "evaluation"); err != nil {
		return nil, err
	}
	n, ts, classes := data.Len(), m.targetSize(), m.OutShape().Size()
	bs := min(batchSize, n)
	x, y := make([]float32, bs*m.InShape().Size()), make([]float32, bs*ts)
	idx := make([]int, bs)
	e := &Evaluation{Classes: classes}
	if detailed && classes > 1 {
		e.Confusion = make([]int, classes*classes)
	}
	var loss float64
	correct := 0
	for lo := 0; lo < n; lo += bs {
		b := min(bs, n-lo)
		idx = idx[:b]
		for i := range idx {
			idx[i] = lo + i
		}
		data.Fill(x[:b*len(x)/bs], y[:b*ts], idx)
		if err := m.checkSamples(y[:b*ts], idx, "evaluation"); err != nil {
			return nil, err
		}
		out := m.Forward(x[:b*len(x)/bs], b, false)
		loss += float64(m.lossOf(out, y[:b*ts], b) * float64(b))
		c := m.countCorrect(out, y[:b*ts], b)
		correct += c
		if detailed {
			if e.Confusion != nil {
				confusion(e.Confusion, out, y[:b*ts], b, classes)
			}
			if c < b {
				for i := range b {
					if m.countCorrect(out[i*classes:(i+1)*classes], y[i*ts:(i+1)*ts], 1) == 0 {
						e.Misclassified = append(e.Misclassified, lo+i)
						if e.Confusion != nil {
							e.Predicted = append(e.Predicted, argmaxFirst(out[i*classes:(i+1)*classes]))
							label := y[i*ts : (i+1)*ts]
							if ts == 1 { // sparse: the class number
								e.Labels = append(e.Labels, int(label[0]))
							} else { // one-hot
								e.Labels = append(e.Labels, argmaxFirst(label))
							}
						}
					}
				}
			}
		}
	}
	e.Loss, e.Accuracy = loss/float64(n), float64(correct)/float64(n)
	return e, nil
}

// Predict runs n samples (x holds n*InShape().Size() values) through the
// model in inference mode, 32 at a time, and returns the n outputs
// (class probabilities for a softmax model) in a new slice.
func (m *Model) Predict(x []float32, n int) ([]float32, error) {
	in, out := m.InShape().Size(), m.OutShape().Size()
	if n < 0 || len(x) != n*in {
		return nil, fmt.Errorf("nn: predict got %d values for %d samples of shape %v", len(x), n, m.InShape())
	}
	res := make([]float32, n*out)
	for i := 0; i < n; i += predictBatch {
		b := min(predictBatch, n-i)
		copy(res[i*out:], m.Forward(x[i*in:(i+b)*in], b, false))
	}
	return res, nil
}
