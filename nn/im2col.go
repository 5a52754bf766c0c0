package nn

import (
	"fmt"

	"convplay/nn/internal/kernel"
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
//	valid: out = (n-K)/S + 1 (floored), no padding; an error if K > n
//	same:  out = ceil(n/S), total padding max((out-1)*S + K - n, 0), of which
//	       total/2 goes before: an odd total puts the extra row or column at
//	       the bottom or right.
func outSize(n, k, s int, padding string) (out, before int) {
	if padding == "same" {
		out = (n + s - 1) / s
		return out, max((out-1)*s+k-n, 0) / 2
	}
	return (n-k)/s + 1, 0
}

// parseConvSpec checks what Conv2D and Conv2DTranspose share: the input
// shape, filters, kernel size, strides and padding. It fills in Keras's
// defaults (strides 1, padding "valid", activation "linear").
func parseConvSpec(spec *LayerSpec, in Shape) (Activation, error) {
	if len(in) != 3 {
		return 0, fmt.Errorf("%s needs an input of shape (H, W, C), got %v: put it before Flatten and Dense layers", spec.Type, in)
	}
	if spec.Filters <= 0 {
		return 0, fmt.Errorf("filters must be positive, got %d", spec.Filters)
	}
	if spec.KernelSize <= 0 {
		return 0, fmt.Errorf("kernel_size must be positive, got %d", spec.KernelSize)
	}
	if spec.Strides < 0 {
		return 0, fmt.Errorf("strides must be positive, got %d", spec.Strides)
	}
	if spec.Strides == 0 {
		spec.Strides = 1
	}
	switch spec.Padding {
	case "":
		spec.Padding = "valid"
	case "valid", "same":
	default:
		return 0, fmt.Errorf("unknown padding %q (want valid or same)", spec.Padding)
	}
	act, err := ParseActivation(spec.Activation)
	if err != nil {
		return 0, err
	}
	spec.Activation = act.String()
	return act, nil
}

// colTask is im2col or col2im on a batch, one image per chunk of the worker
// pool. A layer keeps one, so that handing it to the pool allocates nothing.
type colTask struct {
	toCols bool // im2col, else col2im
	cols   []float32
	img    []float32
	g      *convGeom
}

func (t *colTask) RunChunk(_, i int) {
	g := t.g
	size, rows := g.h*g.w*g.c, g.oh*g.ow*g.patch()
	if t.toCols {
		im2colImage(t.cols[i*rows:(i+1)*rows], t.img[i*size:(i+1)*size], g)
	} else {
		col2imImage(t.img[i*size:(i+1)*size], t.cols[i*rows:(i+1)*rows], g)
	}
}

// im2col copies every window of the n images x into a row of cols:
//
//	cols[((i*OH+oh)*OW+ow)*K*K*C + (kh*K+kw)*C + c] = x[i, oh*S-padT+kh, ow*S-padL+kw, c]
//
// or 0 where the window hangs over the padding. Images are spread over the
// helper goroutines; t is the caller's scratch task.
func im2col(t *colTask, cols, x []float32, n int, g *convGeom) {
	*t = colTask{toCols: true, cols: cols, img: x, g: g}
	kernel.ParallelFor(kernel.MaxWorkers(), n, t)
	*t = colTask{}
}

// col2im is im2col's adjoint: it sets x to zero, then adds every row of cols
// back onto the cells its window covers,
//
//	x[i, oh*S-padT+kh, ow*S-padL+kw, c] += cols[((i*OH+oh)*OW+ow)*K*K*C + (kh*K+kw)*C + c]
//
// skipping the padding, in order of the rows: a fixed summation order. Each
// image is one chunk of kernel.ParallelFor, so the order does not depend
// on it.
func col2im(t *colTask, x, cols []float32, n int, g *convGeom) {
	*t = colTask{cols: cols, img: x, g: g}
	kernel.ParallelFor(kernel.MaxWorkers(), n, t)
	*t = colTask{}
}

// im2colImage is im2col on one image. A window's kw and c are contiguous in
// img, so each (row, kh) is one copy.
func im2colImage(cols, img []float32, g *convGeom) {
	kc, rowLen := g.k*g.c, g.patch()
	r := 0
	for oh := 0; oh < g.oh; oh++ {
		for ow := 0; ow < g.ow; ow++ {
			row := cols[r : r+rowLen]
			r += rowLen
			iw0 := ow*g.s - g.padL
			lo, hi := max(0, -iw0), min(g.k, g.w-iw0) // kw inside the image
			for kh := 0; kh < g.k; kh++ {
				dst := row[kh*kc : (kh+1)*kc]
				ih := oh*g.s - g.padT + kh
				if ih < 0 || ih >= g.h || lo >= hi {
					clear(dst)
					continue
				}
				clear(dst[:lo*g.c])
				copy(dst[lo*g.c:hi*g.c], img[(ih*g.w+iw0+lo)*g.c:])
				clear(dst[hi*g.c:])
			}
		}
	}
}

// col2imImage is col2im on one image.
func col2imImage(img, cols []float32, g *convGeom) {
	kc, rowLen := g.k*g.c, g.patch()
	clear(img)
	r := 0
	for oh := 0; oh < g.oh; oh++ {
		for ow := 0; ow < g.ow; ow++ {
			row := cols[r : r+rowLen]
			r += rowLen
			iw0 := ow*g.s - g.padL
			lo, hi := max(0, -iw0), min(g.k, g.w-iw0)
			if lo >= hi {
				continue
			}
			for kh := 0; kh < g.k; kh++ {
				ih := oh*g.s - g.padT + kh
				if ih < 0 || ih >= g.h {
					continue
				}
				src := row[kh*kc+lo*g.c : kh*kc+hi*g.c]
				dst := img[(ih*g.w+iw0+lo)*g.c:][:len(src)]
				for j, v := range src {
					dst[j] += v
				}
			}
		}
	}
}
