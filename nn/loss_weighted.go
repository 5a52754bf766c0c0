package nn

import (
	"fmt"
	"strconv"
	"strings"
)

// weightedSparseCrossEntropy is sparse_categorical_crossentropy with the
// background class (index 0) weighted by Background and every other class
// by 1, as Keras's fit(class_weight={0: Background}) weighs it: each
// sample's (pixel's) loss is multiplied by its label's weight and the sum
// is divided by the number of samples (Keras's sum_over_batch_size), so
// the gradient of a pixel is its weight times the plain one. In the
// segmentation scenes ~93% of the pixels are background; with weight 1 a
// fresh network first learns "background everywhere" and stays there for
// thousands of scenes, a weight near the items' share lets the items'
// pixels count from the first step.
type weightedSparseCrossEntropy struct {
	Background float64
}

// weightedSparseName is the loss's name; ParseLoss reads it back with the
// background weight in parentheses: "weighted_sparse_categorical_crossentropy(0.1)".
const weightedSparseName = "weighted_sparse_categorical_crossentropy"

// BackgroundWeighted returns the sparse cross-entropy whose class 0 weighs
// background (> 0) and the other classes 1.
func BackgroundWeighted(background float64) (Loss, error) {
	if !(background > 0) || background > 1e6 {
		return nil, fmt.Errorf("nn: background weight %v is not a positive number", background)
	}
	return weightedSparseCrossEntropy{background}, nil
}

// parseWeightedSparse reads "weighted_sparse_categorical_crossentropy(w)";
// ok is false for any other name.
func parseWeightedSparse(name string) (l Loss, ok bool, err error) {
	arg, found := strings.CutPrefix(name, weightedSparseName+"(")
	if !found {
		return nil, false, nil
	}
	arg, found = strings.CutSuffix(arg, ")")
	w, perr := strconv.ParseFloat(arg, 64)
	if !found || perr != nil {
		return nil, true, fmt.Errorf("nn: loss %q: want %s(w), w the background's weight, e.g. %s(0.1)", name, weightedSparseName, weightedSparseName)
	}
	l, err = BackgroundWeighted(w)
	return l, true, err
}

func (l weightedSparseCrossEntropy) Name() string {
	return weightedSparseName + "(" + strconv.FormatFloat(l.Background, 'g', -1, 64) + ")"
}
func (weightedSparseCrossEntropy) TargetSize(int) int { return 1 }

// weight is the weight of class k.
func (l weightedSparseCrossEntropy) weight(k int) float64 {
	if k == 0 {
		return l.Background
	}
	return 1
}

// perSample applies f (the plain loss of one sample, n = 1) to each of the
// n samples and scales its loss and gradient by its label's weight / n.
func (l weightedSparseCrossEntropy) perSample(f func(d, o, y []float32, n, outSize int) float64, dOut, out, y []float32, n, outSize int) float64 {
	dOut, out, y = dOut[:n*outSize], out[:n*outSize], y[:n]
	inv := 1 / float64(n)
	var sum float64
	for i, v := range y {
		s := l.weight(sparseLabel(v, outSize)) * inv
		dr := dOut[i*outSize : (i+1)*outSize]
		sum += s * f(dr, out[i*outSize:(i+1)*outSize], y[i:i+1], 1, outSize)
		for j := range dr {
			dr[j] = float32(float64(dr[j]) * s)
		}
	}
	return sum
}

func (l weightedSparseCrossEntropy) Loss(dOut, out, y []float32, n, outSize int) float64 {
	return l.perSample(sparseCrossEntropy{}.Loss, dOut, out, y, n, outSize)
}

func (l weightedSparseCrossEntropy) LossFromLogits(dz, z, y []float32, n, outSize int) float64 {
	return l.perSample(sparseCrossEntropy{}.LossFromLogits, dz, z, y, n, outSize)
}
