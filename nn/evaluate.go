package nn

import (
	"fmt"
	"math"
	"slices"
)

// evalBatch runs a batch in inference mode and returns its mean loss and
// correct count; with conf, it adds the batch to that confusion matrix.
func (m *Model) evalBatch(x, y []float32, n int, conf []int) (float64, int) {
	out := m.Forward(x, n, false)
	if conf != nil {
		confusion(conf, out, y, n*m.pix, m.classes())
	}
	return m.lossOf(out, y, n), m.countCorrect(out, y, n)
}

// Evaluation is Evaluate's detailed result.
type Evaluation struct {
	Loss     float64 // mean loss over the samples
	Accuracy float64 // fraction classified correctly (pixel accuracy for a per-pixel loss)
	Samples  int     // samples evaluated
	Correct  int     // of them classified correctly (of their pixels, for a per-pixel loss)
	// Pixels is the number of positions classified per sample: H*W for a
	// per-pixel loss (a segmentation network, see Model.Compile), else 1.
	Pixels int
	// Confusion counts samples (pixels, for a per-pixel loss) by true
	// class (row) and predicted class (column): Confusion[true*Classes+pred].
	// Nil for a single output. IoU and MeanIoU are computed from it.
	Confusion []int
	Classes   int
	// Misclassified lists the indices of the samples classified wrongly, in
	// order; nil for a per-pixel loss.
	Misclassified []int
	// Predicted and Labels hold the predicted and the true class of each
	// misclassified sample, in Misclassified's order (the confusion
	// matrix's column and row), so a page can show the samples of one
	// cell. Nil for a single output.
	Predicted, Labels []int
}

// ClassAccuracy is, for each true class (a row of the confusion matrix),
// the fraction of its samples predicted as that class: the per-class
// accuracy; NaN for a class without samples. Nil without a confusion
// matrix.
func (e *Evaluation) ClassAccuracy() []float64 {
	if e.Confusion == nil {
		return nil
	}
	k := e.Classes
	acc := make([]float64, k)
	for c := range k {
		row := e.Confusion[c*k : (c+1)*k]
		total := 0
		for _, n := range row {
			total += n
		}
		acc[c] = math.NaN()
		if total > 0 {
			acc[c] = float64(row[c]) / float64(total)
		}
	}
	return acc
}

// Without returns the loss and accuracy of e's samples without those of
// d, an evaluation of some of them (a test split's duplicates of training
// images, say): (e.Loss*e.Samples - d.Loss*d.Samples) / (e.Samples -
// d.Samples), and so for the correct count. It is NaN when d holds all of
// e's samples.
func (e *Evaluation) Without(d *Evaluation) (loss, accuracy float64) {
	n := float64(e.Samples - d.Samples)
	return (e.Loss*float64(e.Samples) - d.Loss*float64(d.Samples)) / n, float64(e.Correct-d.Correct) / (n * float64(max(e.Pixels, 1)))
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
	v, err := m.NewEvaluator(data, batchSize, detailed)
	if err != nil {
		return nil, err
	}
	if err := v.Run(data.Len()); err != nil {
		return nil, err
	}
	return v.Result(), nil
}

// An Evaluator evaluates a compiled model on a data set a part at a time,
// in order, so that the page's worker can evaluate in short slices and
// answer messages in between; Evaluate runs one to the end. It adds up
// what EvaluateDetailed reports: the loss and correct count and, when
// detailed, the confusion matrix and the misclassified samples.
type Evaluator struct {
	m        *Model
	data     Data
	bs       int       // samples per batch
	detailed bool      // with the confusion matrix and the misclassified samples
	x, y     []float32 // (bs, ...) a batch's inputs and targets
	idx      []int     // (bs) its sample indices
	loss     float64   // sum of the batches' mean loss times their samples
	e        Evaluation
}

// NewEvaluator prepares evaluating m on data in batches of batchSize
// samples (0 means 32), with the confusion matrix and the misclassified
// samples when detailed. It validates the data.
func (m *Model) NewEvaluator(data Data, batchSize int, detailed bool) (*Evaluator, error) {
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
	bs, classes := min(batchSize, data.Len()), m.classes()
	v := &Evaluator{m: m, data: data, bs: bs, detailed: detailed, e: Evaluation{Classes: classes, Pixels: m.pix},
		x: make([]float32, bs*m.InShape().Size()), y: make([]float32, bs*m.targetSize()), idx: make([]int, bs)}
	if detailed && classes > 1 {
		v.e.Confusion = make([]int, classes*classes)
	}
	return v, nil
}

// Done is the number of samples evaluated so far; Len the data's.
func (v *Evaluator) Done() int { return v.e.Samples }
func (v *Evaluator) Len() int  { return v.data.Len() }

// Run evaluates the next n samples (fewer at the end of the data), in
// batches that start at the first of them.
func (v *Evaluator) Run(n int) error {
	m, ts, classes := v.m, v.m.targetSize(), v.e.Classes
	end := min(v.e.Samples+max(n, 0), v.data.Len())
	for lo := v.e.Samples; lo < end; lo += v.bs {
		b := min(v.bs, end-lo)
		idx := v.idx[:b]
		for i := range idx {
			idx[i] = lo + i
		}
		x, y := v.x[:b*len(v.x)/v.bs], v.y[:b*ts]
		v.data.Fill(x, y, idx)
		if err := m.checkSamples(y, idx, "evaluation"); err != nil {
			return err
		}
		out := m.Forward(x, b, false)
		v.loss += float64(m.lossOf(out, y, b) * float64(b))
		c := m.countCorrect(out, y, b)
		v.e.Correct += c
		v.e.Samples += b
		if !v.detailed {
			continue
		}
		e := &v.e
		if e.Confusion != nil {
			confusion(e.Confusion, out, y, b*m.pix, classes)
		}
		if c == b || m.pix > 1 {
			continue
		}
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
	return nil
}

// Result is the evaluation of the samples done so far (all of them once
// Done equals Len): a copy, which later Runs do not change.
func (v *Evaluator) Result() *Evaluation {
	e := v.e
	n := float64(e.Samples)
	e.Loss, e.Accuracy = v.loss/n, float64(e.Correct)/(n*float64(e.Pixels))
	e.Confusion = slices.Clone(e.Confusion)
	e.Misclassified = slices.Clone(e.Misclassified)
	e.Predicted, e.Labels = slices.Clone(e.Predicted), slices.Clone(e.Labels)
	return &e
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
