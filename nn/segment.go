package nn

import "math"

// Segmentation: a model whose output is a map (H, W, C) compiled with a
// cross-entropy classifies every pixel (Model.Compile): its targets are H*W
// class indices per sample (or H*W*C values for categorical
// cross-entropy), its loss and accuracy are averaged over pixels and
// samples as Keras's are, and an evaluation's confusion matrix counts
// pixels, from which IoU and MeanIoU follow.

// IoU is each class's intersection over union from the confusion matrix:
// TP / (TP + FP + FN), the pixels (or samples) both labelled and predicted
// as the class over those labelled or predicted as it; NaN for a class
// neither labelled nor predicted. Nil without a confusion matrix.
func (e *Evaluation) IoU() []float64 {
	if e.Confusion == nil {
		return nil
	}
	return iou(e.Confusion, e.Classes)
}

// MeanIoU is the mean of IoU over the classes present, those labelled or
// predicted at least once (background included), as Keras's MeanIoU
// averages over the classes whose union is not empty; NaN without any.
func (e *Evaluation) MeanIoU() float64 {
	return meanIoU(e.IoU())
}

// iou computes per-class IoU from a k x k confusion matrix (row = true,
// column = predicted).
func iou(confusion []int, k int) []float64 {
	out := make([]float64, k)
	for c := range k {
		tp := confusion[c*k+c]
		union := -tp
		for j := range k {
			union += confusion[c*k+j] + confusion[j*k+c] // FN + TP, FP + TP
		}
		out[c] = math.NaN()
		if union > 0 {
			out[c] = float64(tp) / float64(union)
		}
	}
	return out
}

func meanIoU(ious []float64) float64 {
	sum, n := 0.0, 0
	for _, v := range ious {
		if !math.IsNaN(v) {
			sum += v
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// ClassMap writes into dst the class of each of the len(dst) positions of
// out, a map of len(dst)*classes scores (one sample of a segmentation
// model's output, (H, W, C) as NHWC): the argmax over the channel axis,
// the lowest index on ties.
func ClassMap(dst []int, out []float32, classes int) {
	out = out[:len(dst)*classes]
	for p := range dst {
		dst[p] = argmaxFirst(out[p*classes : (p+1)*classes])
	}
}
