package nn

import "fmt"

// The shape rules of the layers, in one place: how a window sliding over a
// map sizes its output and pads it (Conv2D and the pooling layers, and
// Conv2DTranspose as the adjoint of a convolution), and the bounds every
// size in a model keeps, so that its arithmetic can neither overflow nor
// ask for absurd amounts of memory. Building a layer (buildLayer and the
// builders) checks the bounds and reports a breach as an error; the rules
// below then work on sizes they know to be in bounds.

const (
	// maxWindow bounds kernel_size, pool_size and strides: a window or a
	// step of more cells than this is a mistake, not a model.
	maxWindow = 1 << 16
	// maxTensor bounds the values of any one tensor a layer holds or
	// computes for one sample: its input and output, its weights, a
	// convolution's im2col rows. 2^28 float32 values are 1 GiB. It is the
	// bound of arithmetic and allocation: Build refuses beyond it, naming
	// the layer, so no size can wrap around or ask for absurd memory.
	maxTensor = 1 << 28
	// maxActivation is the tighter bound of a usable model: its input and
	// every layer's output at most 2^24 values (64 MiB) per sample. Training
	// and the layer view keep a batch of every layer's outputs (32 samples
	// of 2^24 values are 2 GiB, half of what WebAssembly can address), so
	// a model beyond it could be built but never run. CheckSpec and
	// Validate hold specs and models to it, and Load (checkBuildCost) a
	// file's spec before it allocates anything. The two differ because
	// weights and im2col rows may legitimately exceed one activation (an
	// im2col row set is K*K times its input), while an activation that
	// large is already unusable.
	maxActivation = 1 << 24
)

// convGeom is the geometry of a K x K window sliding with stride S over a
// batch of images (N, H, W, C), padded by padT rows on top and padL columns
// on the left (and by whatever the window needs at the bottom and right),
// stopping at OH x OW positions. Conv2D uses it for its input;
// Conv2DTranspose for its output, as the adjoint of that convolution.
type convGeom struct {
	h, w, c    int // the image
	oh, ow     int // window positions
	k, s       int
	padT, padL int
}

// patch is the length of one im2col row: K*K*C.
func (g *convGeom) patch() int { return g.k * g.k * g.c }

// outSize is the number of window positions along an axis of n cells and the
// padding before the first cell, with Keras/TensorFlow's rules:
//
//	valid: out = (n-K)/S + 1 (floored), no padding; the caller rejects K > n
//	same:  out = ceil(n/S), total padding max((out-1)*S + K - n, 0)
//	       (samePadding), of which total/2 goes before: an odd total puts the
//	       extra row or column at the bottom or right.
//
// Conv2D and both pooling layers size their outputs with it, and
// Conv2DTranspose its padding. n, K, S >= 1.
func outSize(n, k, s int, padding string) (out, before int) {
	if padding == "same" {
		return (n-1)/s + 1, samePadding(n, k, s) / 2 // ceil(n/S), without n+S-1 overflowing
	}
	return (n-k)/s + 1, 0
}

// samePadding is the total padding of 'same' along an axis of n cells:
// max((out-1)*S + K - n, 0) with out = ceil(n/S). It is summed as
// K - n + (out-1)*S, whose terms cannot overflow ((out-1)*S < n), however
// large K and S are.
func samePadding(n, k, s int) int {
	out := (n-1)/s + 1
	return max(k-n+(out-1)*s, 0)
}

// transposedSize is Conv2DTranspose's output size along an axis of n input
// cells, as Keras sizes it: valid n*S + max(K-S, 0) (that is (n-1)*S + K
// when K >= S), same n*S. The layer is the adjoint of the convolution that
// maps this size back to n. With n <= maxTensor and K, S <= maxWindow it
// cannot overflow; the caller bounds the result with checkTensor.
func transposedSize(n, k, s int, padding string) int {
	if padding == "same" {
		return n * s
	}
	return n*s + max(k-s, 0)
}

// checkWindow reports a kernel_size, pool_size or strides value v (named
// name) over maxWindow. Whether it is positive each builder checks with its
// own message.
func checkWindow(name string, v int) error {
	if v > maxWindow {
		return fmt.Errorf("%s %d is larger than %d", name, v, maxWindow)
	}
	return nil
}

// checkTensor reports a tensor (named what: "input", "kernel", ...) of the
// given dimensions that has a dimension below 1 or more than maxTensor
// values. The product is bounded before it is formed, so it cannot
// overflow.
func checkTensor(what string, dims ...int) error {
	n := 1
	for _, d := range dims {
		if d < 1 {
			return fmt.Errorf("%s %v has a dimension that is not positive", what, Shape(dims))
		}
		if n > maxTensor/d {
			return fmt.Errorf("%s %v holds more than %d values", what, Shape(dims), maxTensor)
		}
		n *= d
	}
	return nil
}
