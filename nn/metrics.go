package nn

// argmaxFirst returns the index of the largest value of v, the lowest such
// index on ties, as numpy's argmax does; like numpy it returns the first NaN
// if there is one.
func argmaxFirst(v []float32) int {
	best := 0
	for i, x := range v {
		if x != x {
			return i
		}
		if x > v[best] {
			best = i
		}
	}
	return best
}

// correctCount returns how many of the n samples of out (n*outSize values)
// are classified correctly: the argmax of the sample's output equals its
// label, which is y[i] when sparse (a class index, as float32) and otherwise
// the argmax of its one-hot or probability target y[i*outSize:(i+1)*outSize].
// Ties go to the lowest index on both sides.
func correctCount(out, y []float32, n, outSize int, sparse bool) int {
	correct := 0
	for i := range n {
		pred := argmaxFirst(out[i*outSize : (i+1)*outSize])
		var label int
		if sparse {
			label = int(y[i])
		} else {
			label = argmaxFirst(y[i*outSize : (i+1)*outSize])
		}
		if pred == label {
			correct++
		}
	}
	return correct
}

// confusion adds the n samples of out (n*classes values) to the confusion
// matrix dst (classes x classes, row = true class, column = predicted):
// dst[true*classes+pred]++. The labels y are class indices (len(y) == n) or
// one-hot targets (len(y) == n*classes, the true class being their argmax).
func confusion(dst []int, out, y []float32, n, classes int) {
	dst = dst[:classes*classes]
	sparse := len(y) == n
	for i := range n {
		pred := argmaxFirst(out[i*classes : (i+1)*classes])
		var label int
		if sparse {
			label = int(y[i])
		} else {
			label = argmaxFirst(y[i*classes : (i+1)*classes])
		}
		dst[label*classes+pred]++
	}
}
