package nn

// im2col and col2im, the data movement of the convolution layers: every
// window of an image laid out as a row, and back. convGeom (geometry.go)
// describes the windows.

import "convplay/nn/internal/kernel"

// colTask is im2col or col2im on a batch, one image per chunk of
// kernel.ParallelFor. A layer keeps one, so that handing it over allocates
// nothing.
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

// im2colImage is im2col on one image.
func im2colImage(cols, img []float32, g *convGeom) {
	rowLen := g.patch()
	r := 0
	for oh := 0; oh < g.oh; oh++ {
		for ow := 0; ow < g.ow; ow++ {
			im2colWindow(cols[r:r+rowLen], img, g, oh, ow)
			r += rowLen
		}
	}
}

// im2colWindow copies the window of output (oh, ow) of one image into row
// (K*K*C values), 0 where it hangs over the padding. A window's kw and c
// are contiguous in img, so each kh is one copy.
func im2colWindow(row, img []float32, g *convGeom, oh, ow int) {
	kc := g.k * g.c
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
