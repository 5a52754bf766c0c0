package nn

import "convplay/nn/internal/kernel"

// The occluded inputs differ from the input only under the patch, so in
// the first layers only a box of each map differs from the input's own
// maps: a 3x3 convolution widens the box by a row and a column on each
// side, a pooling shrinks it with the map. While the box is small, the
// occlusion copies the input's maps and computes the box alone (one gemm
// for the boxes of a whole batch); from the first layer where the box
// covers more than half of its map, the batch runs forward as usual.

// box is rows Top..Bottom-1 and columns Left..Right-1 of a map.
type box struct{ top, left, bottom, right int }

func (b box) area() int { return (b.bottom - b.top) * (b.right - b.left) }

// window is how a convolution or pooling layer's outputs read its input:
// output row o reads input rows o*S-pad to o*S-pad+K-1 (so for columns).
type window struct{ k, s, padT, padL, oh, ow int }

// floorDiv is a/b rounded down, for any sign of a (b > 0).
func floorDiv(a, b int) int {
	if a < 0 {
		return -((-a + b - 1) / b)
	}
	return a / b
}

// reach is the box of outputs whose windows meet the input box in.
func (w window) reach(in box) box {
	lo := func(a, pad int) int { return max(0, -floorDiv(-(a+pad-w.k+1), w.s)) }
	hi := func(a, pad, n int) int { return min(n, floorDiv(a-1+pad, w.s)+1) }
	return box{lo(in.top, w.padT), lo(in.left, w.padL), hi(in.bottom, w.padT, w.oh), hi(in.right, w.padL, w.ow)}
}

// boxWindow is the window of a layer whose boxes the occlusion can compute
// alone (a convolution, a max or average pooling), and whether it is one.
func boxWindow(l Layer) (window, bool) {
	switch l := l.(type) {
	case *conv2D:
		return window{l.g.k, l.g.s, l.g.padT, l.g.padL, l.g.oh, l.g.ow}, true
	case *MaxPooling2D:
		return window{l.k, l.s, l.padTop, l.padLeft, l.out[0], l.out[1]}, true
	case *averagePooling2D:
		return window{l.k, l.s, l.padTop, l.padLeft, l.out[0], l.out[1]}, true
	}
	return window{}, false
}

// reuse is an Occluder's plan: layers[:n] are computed by boxes.
type reuse struct {
	n    int
	base [][]float32 // base[l]: layer l's output for the unoccluded input
	cur  [][]float32 // cur[l]: (Batch, layer l's output) the batch's maps
	cols []float32   // a convolution's box windows, every image's rows one after another
	z, y []float32   // a convolution's box outputs before and after the activation
}

// planReuse runs x through the first layers and keeps their outputs, as
// far as the box of a patch in the middle of the input stays within half
// of each map. It returns nil when no layer qualifies.
func planReuse(m *Model, x []float32, in Shape, p, batch int) *reuse {
	b := box{(in[0] - p) / 2, (in[1] - p) / 2, (in[0]-p)/2 + p, (in[1]-p)/2 + p}
	r := &reuse{}
	for _, l := range m.Layers {
		w, ok := boxWindow(l)
		if !ok {
			break
		}
		b = w.reach(b)
		if 2*b.area() > w.oh*w.ow {
			break
		}
		r.n++
	}
	if r.n == 0 {
		return nil
	}
	a := x
	for _, l := range m.Layers[:r.n] {
		a = l.Forward(a, 1, false)
		r.base = append(r.base, append([]float32(nil), a...))
		r.cur = append(r.cur, make([]float32, batch*len(a)))
	}
	return r
}

// forward computes the prefix for the n occluded inputs xs (each the
// input with the patch box boxes[j]) and returns the last prefix layer's
// outputs, (n, its output).
func (r *reuse) forward(m *Model, xs []float32, in Shape, boxes []box) []float32 {
	n := len(boxes)
	src, srcShape := xs, in
	for li, l := range m.Layers[:r.n] {
		w, _ := boxWindow(l)
		out := l.OutShape()
		size, inSize := out.Size(), srcShape.Size()
		dst := r.cur[li][:n*size]
		for j := range n {
			copy(dst[j*size:(j+1)*size], r.base[li])
			boxes[j] = w.reach(boxes[j])
		}
		switch l := l.(type) {
		case *conv2D:
			r.convBoxes(l, dst, src, boxes)
		case *MaxPooling2D:
			for j, b := range boxes {
				poolBox(&l.pool2D, dst[j*size:(j+1)*size], src[j*inSize:(j+1)*inSize], b, false)
			}
		case *averagePooling2D:
			for j, b := range boxes {
				poolBox(&l.pool2D, dst[j*size:(j+1)*size], src[j*inSize:(j+1)*inSize], b, true)
			}
		}
		src, srcShape = dst, out
	}
	return src
}

// convBoxes computes the boxes of a convolution's outputs, every image's
// windows in one product, and writes them into dst.
func (r *reuse) convBoxes(l *conv2D, dst, src []float32, boxes []box) {
	g, f, patch := &l.g, l.out[2], l.g.patch()
	rows := 0
	for _, b := range boxes {
		rows += b.area()
	}
	r.cols = grow(r.cols, rows*patch)
	r.z = grow(r.z, rows*f)
	inSize, outSize := g.h*g.w*g.c, l.out.Size()
	k := 0
	for j, b := range boxes {
		for oh := b.top; oh < b.bottom; oh++ {
			for ow := b.left; ow < b.right; ow++ {
				im2colWindow(r.cols[k*patch:(k+1)*patch], src[j*inSize:(j+1)*inSize], g, oh, ow)
				k++
			}
		}
	}
	kernel.Gemm(false, false, rows, f, patch, r.cols[:rows*patch], l.kernel.W, r.z[:rows*f], false)
	y := r.z[:rows*f]
	switch {
	case l.act == Linear && l.bias != nil:
		addBias(y, l.bias.W[:f])
	case l.act != Linear:
		r.y = grow(r.y, rows*f)
		if l.bias != nil {
			l.act.forwardBias(r.y[:rows*f], y, l.bias.W, f)
		} else {
			l.act.forward(r.y[:rows*f], y, f)
		}
		y = r.y[:rows*f]
	}
	k = 0
	for j, b := range boxes {
		for oh := b.top; oh < b.bottom; oh++ {
			at := j*outSize + (oh*g.ow+b.left)*f
			n := b.right - b.left
			copy(dst[at:at+n*f], y[k*f:(k+n)*f])
			k += n
		}
	}
}

// poolBox sets the outputs in box b of one image's pooling: the maximum
// (or, with avg, the mean) of each window's real cells.
func poolBox(p *pool2D, dst, src []float32, b box, avg bool) {
	W, C, Wo := p.in[1], p.in[2], p.out[1]
	for oh := b.top; oh < b.bottom; oh++ {
		for ow := b.left; ow < b.right; ow++ {
			y := dst[(oh*Wo+ow)*C : (oh*Wo+ow+1)*C]
			h0, h1, w0, w1 := p.window(oh, ow)
			first := (h0*W + w0) * C
			copy(y, src[first:first+C])
			if avg {
				clear(y)
			}
			for h := h0; h < h1; h++ {
				for w := w0; w < w1; w++ {
					xs := src[(h*W+w)*C : (h*W+w+1)*C]
					for c, v := range xs {
						if avg {
							y[c] += v
						} else if v > y[c] {
							y[c] = v
						}
					}
				}
			}
			if avg {
				cnt := float32((h1 - h0) * (w1 - w0))
				for c := range y {
					y[c] /= cnt
				}
			}
		}
	}
}
