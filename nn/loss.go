package nn

import (
	"fmt"
	"math"
)

// Loss is a training objective averaged over a batch.
type Loss interface {
	Name() string               // Keras name: "sparse_categorical_crossentropy", "categorical_crossentropy", "mean_squared_error"
	TargetSize(outSize int) int // target values per sample: 1 for sparse CE, outSize otherwise
	// Loss returns the mean loss over the n samples of out (n*outSize values) against y and writes dOut = d(mean loss)/d(out).
	Loss(dOut, out, y []float32, n, outSize int) float64
}

// logitsLoss is implemented by the cross-entropies: the same loss computed stably from the logits z of a softmax output (log-softmax), writing dz = (softmax(z) - onehot)/n.
type logitsLoss interface {
	Loss
	LossFromLogits(dz, z, y []float32, n, outSize int) float64
}

// ParseLoss maps a Keras loss name (or the alias "mse") to a Loss.
func ParseLoss(name string) (Loss, error) {
	switch name {
	case "sparse_categorical_crossentropy":
		return sparseCrossEntropy{}, nil
	case "categorical_crossentropy":
		return categoricalCrossEntropy{}, nil
	case "mean_squared_error", "mse":
		return meanSquaredError{}, nil
	}
	return nil, fmt.Errorf("nn: unknown loss %q (want sparse_categorical_crossentropy, categorical_crossentropy or mean_squared_error)", name)
}

// probEpsilon is Keras's backend epsilon: the cross-entropies computed from
// probabilities clip them to [probEpsilon, 1-probEpsilon] so that log(0)
// never happens. Outside that range the gradient is 0, as for TensorFlow's
// clip_by_value.
const probEpsilon = 1e-7

// clipLogProb returns -log(clip(p)) and d/dp of it.
func clipLogProb(p float32) (loss, grad float64) {
	q := float64(p)
	switch {
	case q < probEpsilon:
		return -math.Log(probEpsilon), 0
	case q > 1-probEpsilon:
		return -math.Log(1 - probEpsilon), 0
	}
	return -math.Log(q), -1 / q
}

// logSumExp returns log(sum exp(z)) computed as m + log(sum exp(z - m)) with
// m = max z, so that no exponential overflows.
func logSumExp(z []float32) float64 {
	m := z[0]
	for _, v := range z[1:] {
		m = max(m, v)
	}
	var sum float64
	for _, v := range z {
		sum += math.Exp(float64(v - m))
	}
	return float64(m) + math.Log(sum)
}

// sparseLabel returns the class index stored in v, panicking if it is not
// one of 0..classes-1: the model validates labels where they come in
// (checkSparseLabels), so a bad one here is a bug.
func sparseLabel(v float32, classes int) int {
	k := int(v)
	if float32(k) != v || k < 0 || k >= classes {
		panic(fmt.Sprintf("nn: label %v is not a class index in [0, %d)", v, classes))
	}
	return k
}

// checkSparseLabels returns an error naming the first of y's values that is
// not a class index in [0, classes), for validating labels at the edge.
func checkSparseLabels(y []float32, classes int) error {
	for i, v := range y {
		if k := int(v); float32(k) != v || k < 0 || k >= classes {
			return fmt.Errorf("nn: label %d is %v, not a class index in [0, %d)", i, v, classes)
		}
	}
	return nil
}

// sparseCrossEntropy is Keras's sparse_categorical_crossentropy: y holds one
// class index per sample (as float32, exact below 2^24) and the loss is
// -log(out[label]), out being probabilities. Like Keras it clips but does not
// renormalize them.
type sparseCrossEntropy struct{}

func (sparseCrossEntropy) Name() string       { return "sparse_categorical_crossentropy" }
func (sparseCrossEntropy) TargetSize(int) int { return 1 }

func (sparseCrossEntropy) Loss(dOut, out, y []float32, n, outSize int) float64 {
	dOut, out, y = dOut[:n*outSize], out[:n*outSize], y[:n]
	clear(dOut)
	inv := 1 / float64(n)
	var sum float64
	for i, v := range y {
		j := i*outSize + sparseLabel(v, outSize)
		l, g := clipLogProb(out[j])
		sum += l
		dOut[j] = float32(g * inv)
	}
	return sum * inv
}

// LossFromLogits is the loss of softmax(z): log-sum-exp(z) - z[label] per
// sample, with dz = (softmax(z) - onehot(label)) / n.
func (sparseCrossEntropy) LossFromLogits(dz, z, y []float32, n, outSize int) float64 {
	dz, z, y = dz[:n*outSize], z[:n*outSize], y[:n]
	inv := 1 / float64(n)
	var sum float64
	for i, v := range y {
		k := sparseLabel(v, outSize)
		zr, dr := z[i*outSize:(i+1)*outSize], dz[i*outSize:(i+1)*outSize]
		lse := logSumExp(zr)
		sum += lse - float64(zr[k])
		for j, zj := range zr {
			dr[j] = float32(math.Exp(float64(zj)-lse) * inv)
		}
		dr[k] = float32((math.Exp(float64(zr[k])-lse) - 1) * inv)
	}
	return sum * inv
}

// categoricalCrossEntropy is Keras's categorical_crossentropy: y holds a
// one-hot (or any probability) target per sample and the loss is
// -sum_j y_j log(out_j), with out clipped as for the sparse loss.
type categoricalCrossEntropy struct{}

func (categoricalCrossEntropy) Name() string               { return "categorical_crossentropy" }
func (categoricalCrossEntropy) TargetSize(outSize int) int { return outSize }

func (categoricalCrossEntropy) Loss(dOut, out, y []float32, n, outSize int) float64 {
	dOut, out, y = dOut[:n*outSize], out[:n*outSize], y[:n*outSize]
	inv := 1 / float64(n)
	var sum float64
	for i, t := range y {
		if t == 0 {
			dOut[i] = 0
			continue
		}
		l, g := clipLogProb(out[i])
		sum += float64(t) * l
		dOut[i] = float32(float64(t) * g * inv)
	}
	return sum * inv
}

// LossFromLogits is the loss of softmax(z): sum_j y_j (log-sum-exp(z) - z_j)
// per sample, with dz_j = (softmax(z)_j * sum(y) - y_j) / n, which is
// (softmax(z) - y) / n for targets that sum to 1.
func (categoricalCrossEntropy) LossFromLogits(dz, z, y []float32, n, outSize int) float64 {
	dz, z, y = dz[:n*outSize], z[:n*outSize], y[:n*outSize]
	inv := 1 / float64(n)
	var sum float64
	for r := 0; r < len(z); r += outSize {
		zr, yr, dr := z[r:r+outSize], y[r:r+outSize], dz[r:r+outSize]
		lse := logSumExp(zr)
		var ysum float64
		for j, t := range yr {
			if t != 0 {
				sum += float64(t) * (lse - float64(zr[j]))
			}
			ysum += float64(t)
		}
		for j, zj := range zr {
			dr[j] = float32((math.Exp(float64(zj)-lse)*ysum - float64(yr[j])) * inv)
		}
	}
	return sum * inv
}

// meanSquaredError is Keras's mean_squared_error: the mean of (out - y)^2
// over all n*outSize values (Keras's mean over the last axis, then over the
// batch, is the same number).
type meanSquaredError struct{}

func (meanSquaredError) Name() string               { return "mean_squared_error" }
func (meanSquaredError) TargetSize(outSize int) int { return outSize }

func (meanSquaredError) Loss(dOut, out, y []float32, n, outSize int) float64 {
	m := n * outSize
	dOut, out, y = dOut[:m], out[:m], y[:m]
	inv := 1 / float64(m)
	var sum float64
	for i, o := range out {
		d := float64(o) - float64(y[i])
		sum += d * d
		dOut[i] = float32(2 * d * inv)
	}
	return sum * inv
}
