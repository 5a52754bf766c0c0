package nn

import (
	"fmt"
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
	if l, ok, err := parseWeightedSparse(name); ok {
		return l, err
	}
	switch name {
	case "sparse_categorical_crossentropy":
		return sparseCrossEntropy{}, nil
	case "categorical_crossentropy":
		return categoricalCrossEntropy{}, nil
	case "mean_squared_error", "mse":
		return meanSquaredError{}, nil
	}
	return nil, fmt.Errorf("nn: unknown loss %q (want sparse_categorical_crossentropy, categorical_crossentropy, mean_squared_error or weighted_sparse_categorical_crossentropy(w))", name)
}

// probEpsilon is Keras's backend epsilon: the cross-entropies computed from
// probabilities clip them to [probEpsilon, 1-probEpsilon] so that log(0)
// never happens. Outside that range the gradient is 0, as for TensorFlow's
// clip_by_value.
const probEpsilon = 1e-7

// clipProb returns p clipped to [probEpsilon, 1-probEpsilon] and whether it
// was inside (so that the gradient passes).
func clipProb(p float64) (float64, bool) {
	switch {
	case p < probEpsilon:
		return probEpsilon, false
	case p > 1-probEpsilon:
		return 1 - probEpsilon, false
	}
	return p, true
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
		sum += portableExp(float64(v - m))
	}
	return float64(m) + portableLog(sum)
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
// class index per sample (as float32, exact below 2^24). From probabilities
// Keras clips them, takes their log and feeds that to a softmax
// cross-entropy, which renormalizes: the loss is
//
//	-log(c[label] / sum_j c[j]),  c = clip(out, 1e-7, 1-1e-7)
//
// which is -log(out[label]) when the outputs sum to 1, as a softmax's do.
type sparseCrossEntropy struct{}

func (sparseCrossEntropy) Name() string       { return "sparse_categorical_crossentropy" }
func (sparseCrossEntropy) TargetSize(int) int { return 1 }

// Loss writes dOut[j] = (1/sum c - [j = label]/c[label]) / n where out[j] is
// inside the clipping range, 0 where it is not.
func (sparseCrossEntropy) Loss(dOut, out, y []float32, n, outSize int) float64 {
	dOut, out, y = dOut[:n*outSize], out[:n*outSize], y[:n]
	inv := 1 / float64(n)
	var sum float64
	for i, v := range y {
		k := sparseLabel(v, outSize)
		or, dr := out[i*outSize:(i+1)*outSize], dOut[i*outSize:(i+1)*outSize]
		var total float64
		for _, p := range or {
			c, _ := clipProb(float64(p))
			total += c
		}
		ck, _ := clipProb(float64(or[k]))
		sum += portableLog(total) - portableLog(ck)
		for j, p := range or {
			g := 0.0
			if _, in := clipProb(float64(p)); in {
				g = 1 / total
				if j == k {
					g -= 1 / ck
				}
			}
			dr[j] = float32(g * inv)
		}
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
			dr[j] = float32(portableExp(float64(zj)-lse) * inv)
		}
		dr[k] = float32((portableExp(float64(zr[k])-lse) - 1) * inv)
	}
	return sum * inv
}

// categoricalCrossEntropy is Keras's categorical_crossentropy: y holds a
// one-hot (or any probability) target per sample. From probabilities Keras
// first rescales each sample's outputs to sum to 1, then clips them:
//
//	-sum_j y_j log(c_j),  c = clip(out / sum(out), 1e-7, 1-1e-7)
//
// which is -sum_j y_j log(out_j) when the outputs sum to 1, as a softmax's
// do. A sample whose outputs sum to exactly 0 (where Keras gives NaN) counts
// as all outputs clipped to 1e-7, with no gradient.
type categoricalCrossEntropy struct{}

func (categoricalCrossEntropy) Name() string               { return "categorical_crossentropy" }
func (categoricalCrossEntropy) TargetSize(outSize int) int { return outSize }

// Loss writes dOut[k] = (g_k - sum_j g_j q_j) / (S n), with S = sum(out),
// q = out/S and g_j = -y_j/q_j where q_j is inside the clipping range, else 0.
func (categoricalCrossEntropy) Loss(dOut, out, y []float32, n, outSize int) float64 {
	dOut, out, y = dOut[:n*outSize], out[:n*outSize], y[:n*outSize]
	inv := 1 / float64(n)
	var sum float64
	for r := 0; r < len(out); r += outSize {
		or, yr, dr := out[r:r+outSize], y[r:r+outSize], dOut[r:r+outSize]
		var total float64
		for _, p := range or {
			total += float64(p)
		}
		if total == 0 {
			for j, t := range yr {
				sum -= float64(float64(t) * portableLog(probEpsilon))
				dr[j] = 0
			}
			continue
		}
		// g_j, the gradient with respect to q_j, for the loss and sum_j g_j q_j;
		// then dOut from it.
		grad := func(j int) (g, q float64) {
			q = float64(or[j]) / total
			if _, in := clipProb(q); in && yr[j] != 0 {
				g = -float64(yr[j]) / q
			}
			return g, q
		}
		var gq float64
		for j, t := range yr {
			g, q := grad(j)
			gq += float64(g * q)
			if t != 0 {
				c, _ := clipProb(q)
				sum -= float64(float64(t) * portableLog(c))
			}
		}
		for j := range dr {
			g, _ := grad(j)
			dr[j] = float32((g - gq) / total * inv)
		}
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
				sum += float64(float64(t) * (lse - float64(zr[j])))
			}
			ysum += float64(t)
		}
		for j, zj := range zr {
			dr[j] = float32((float64(portableExp(float64(zj)-lse)*ysum) - float64(yr[j])) * inv)
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
		sum += float64(d * d)
		dOut[i] = float32(2 * d * inv)
	}
	return sum * inv
}
