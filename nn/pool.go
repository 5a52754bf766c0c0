package nn

import (
	"fmt"
	"math/rand/v2"

	"convplay/nn/internal/kernel"
)

func init() {
	registerLayer("MaxPooling2D", func(spec LayerSpec, in Shape, _ *rand.Rand) (Layer, error) {
		p, err := newPool2D(spec, in)
		if err != nil {
			return nil, err
		}
		return &MaxPooling2D{pool2D: p}, nil
	})
	registerLayer("AveragePooling2D", func(spec LayerSpec, in Shape, _ *rand.Rand) (Layer, error) {
		p, err := newPool2D(spec, in)
		if err != nil {
			return nil, err
		}
		return &averagePooling2D{pool2D: p}, nil
	})
}

// pool2D holds what max and average pooling share: the window geometry and
// the output and input-gradient buffers. Pooling has no weights.
//
// Output size, per spatial axis of n cells (Keras/TensorFlow; outSize in
// geometry.go, the rule Conv2D follows too):
//
//	valid: out = (n - K) / S + 1, floored (7 -> 3 for K = S = 2); needs n >= K
//	same:  out = ceil(n / S); the padding total max((out-1)*S + K - n, 0) is
//	       split with the smaller half at the top/left and the odd cell at the
//	       bottom/right, as TensorFlow does.
//
// Padded cells take no part: they never win a max and are not counted in an
// average (TensorFlow's behaviour; every window holds at least one real cell).
type pool2D struct {
	spec            LayerSpec
	in, out         Shape // (H, W, C) and (Ho, Wo, C)
	k, s            int   // pool size K and stride S
	padTop, padLeft int   // P before the first row and column ("same" only)
	n               int   // batch size of the last Forward

	y  []float32 // (N, Ho, Wo, C) output of the last Forward
	dx []float32 // (N, H, W, C) input gradient of the last Backward
}

func newPool2D(spec LayerSpec, in Shape) (pool2D, error) {
	if spec.PoolSize == 0 {
		spec.PoolSize = 2
	}
	if spec.PoolSize < 0 {
		return pool2D{}, fmt.Errorf("pool_size must be positive, got %d", spec.PoolSize)
	}
	if spec.Strides == 0 {
		spec.Strides = spec.PoolSize
	}
	if spec.Strides < 0 {
		return pool2D{}, fmt.Errorf("strides must be positive, got %d", spec.Strides)
	}
	if err := checkWindow("pool_size", spec.PoolSize); err != nil {
		return pool2D{}, err
	}
	if err := checkWindow("strides", spec.Strides); err != nil {
		return pool2D{}, err
	}
	if spec.Padding == "" {
		spec.Padding = "valid"
	}
	if spec.Padding != "valid" && spec.Padding != "same" {
		return pool2D{}, fmt.Errorf("padding must be \"valid\" or \"same\", got %q", spec.Padding)
	}
	if len(in) != 3 {
		return pool2D{}, fmt.Errorf("%s needs feature maps (3 axes: height, width, channels), got %v: pooling must come before Flatten", spec.Type, in)
	}
	k, s := spec.PoolSize, spec.Strides
	h, w := in[0], in[1]
	p := pool2D{spec: spec, in: append(Shape(nil), in...), k: k, s: s}
	if spec.Padding == "valid" && (k > h || k > w) {
		return pool2D{}, fmt.Errorf("pool %d larger than input %dx%d", k, h, w)
	}
	ho, padTop := outSize(h, k, s, spec.Padding)
	wo, padLeft := outSize(w, k, s, spec.Padding)
	p.padTop, p.padLeft = padTop, padLeft
	p.out = Shape{ho, wo, in[2]}
	return p, nil
}

func (p *pool2D) Spec() LayerSpec  { return p.spec }
func (p *pool2D) InShape() Shape   { return p.in }
func (p *pool2D) OutShape() Shape  { return p.out }
func (p *pool2D) Params() []*Param { return nil }

// window returns the rows [h0, h1) and columns [w0, w1) of the input that
// the window of output cell (oh, ow) covers, padding cut off.
func (p *pool2D) window(oh, ow int) (h0, h1, w0, w1 int) {
	h0 = oh*p.s - p.padTop
	w0 = ow*p.s - p.padLeft
	h1 = min(h0+p.k, p.in[0])
	w1 = min(w0+p.k, p.in[1])
	return max(h0, 0), h1, max(w0, 0), w1
}

// MaxPooling2D is Keras's MaxPooling2D: each output cell is the maximum of
// its K x K window, per channel.
//
// Tie-break: the window is scanned in row-major order (top row first, left to
// right) and a cell replaces the current maximum only if it is strictly
// larger, so the first maximum in that order is chosen and alone receives the
// gradient. The maximum starts at the window's first real cell, not at 0, so
// all-negative windows work.
type MaxPooling2D struct {
	pool2D
	choice []int32 // (N, Ho, Wo, C): index into the last Forward's x of the chosen cell
	task   maxPoolTask
}

// maxPoolTask is MaxPooling2D's forward or backward on kernel.ParallelFor, one
// image per chunk: an image's windows and choices lie in that image, so
// chunks write disjoint outputs and the result does not depend on the number
// of workers.
type maxPoolTask struct {
	p        *MaxPooling2D
	backward bool
	x, dy    []float32 // forward's input, backward's output gradient
}

func (t *maxPoolTask) RunChunk(_, b int) {
	if t.backward {
		t.p.backwardImage(t.dy, b)
	} else {
		t.p.forwardImage(t.x, b)
	}
}

// Forward sets each output cell to the maximum of its window and records
// which input cell that was.
//
// Reference loop: for n, oh, ow, c: y[n,oh,ow,c] = max over the window's real
// cells (h, w) of x[n,h,w,c]; choice[n,oh,ow,c] = ((n*H+h)*W+w)*C+c of the
// first maximum.
func (p *MaxPooling2D) Forward(x []float32, n int, _ bool) []float32 {
	H, W, C := p.in[0], p.in[1], p.in[2]
	Ho, Wo := p.out[0], p.out[1]
	p.n = n
	p.y = grow(p.y, n*Ho*Wo*C)
	p.choice = growInt32(p.choice, n*Ho*Wo*C)
	p.task = maxPoolTask{p: p, x: x[:n*H*W*C]}
	kernel.ParallelFor(kernel.MaxWorkers(), n, &p.task)
	p.task = maxPoolTask{}
	return p.y
}

// forwardImage is Forward on image b of x.
func (p *MaxPooling2D) forwardImage(x []float32, b int) {
	H, W, C := p.in[0], p.in[1], p.in[2]
	Ho, Wo := p.out[0], p.out[1]
	for oh := range Ho {
		for ow := range Wo {
			o := ((b*Ho+oh)*Wo + ow) * C
			y, ch := p.y[o:o+C], p.choice[o:o+C]
			h0, h1, w0, w1 := p.window(oh, ow)
			first := ((b*H+h0)*W + w0) * C
			copy(y, x[first:first+C])
			for c := range ch {
				ch[c] = int32(first + c)
			}
			for h := h0; h < h1; h++ {
				for w := w0; w < w1; w++ {
					i := ((b*H+h)*W + w) * C
					xs := x[i : i+C]
					for c, v := range xs {
						if v > y[c] {
							y[c] = v
							ch[c] = int32(i + c)
						}
					}
				}
			}
		}
	}
}

// Backward routes each output gradient to the input cell its maximum came
// from; overlapping windows that chose the same cell add up, in order of the
// output cells.
func (p *MaxPooling2D) Backward(dy []float32) []float32 {
	p.dx = grow(p.dx, p.n*p.in.Size())
	p.task = maxPoolTask{p: p, backward: true, dy: dy[:len(p.y)]}
	kernel.ParallelFor(kernel.MaxWorkers(), p.n, &p.task)
	p.task = maxPoolTask{}
	return p.dx
}

// backwardImage is Backward on image b: it sets image b of dx.
func (p *MaxPooling2D) backwardImage(dy []float32, b int) {
	in, out := p.in.Size(), p.out.Size()
	clear(p.dx[b*in : (b+1)*in])
	ch := p.choice[b*out : (b+1)*out]
	for i, g := range dy[b*out : (b+1)*out] {
		p.dx[ch[i]] += g
	}
}

// Choices reports, for each output element of the last Forward (layout
// (N, Ho, Wo, C)), the flat index into that Forward's input batch
// ((n*H+h)*W+w)*C+c of the cell whose value was kept. The slice is owned by
// the layer and valid until its next Forward.
func (p *MaxPooling2D) Choices() []int32 { return p.choice[:len(p.y)] }

// averagePooling2D is Keras's AveragePooling2D: each output cell is the mean
// of the real (unpadded) cells of its window, per channel.
type averagePooling2D struct{ pool2D }

// Forward sets each output cell to the mean of its window's real cells.
//
// Reference loop: for n, oh, ow, c: y[n,oh,ow,c] = sum over the window's real
// cells of x[n,h,w,c] / their count.
func (p *averagePooling2D) Forward(x []float32, n int, _ bool) []float32 {
	H, W, C := p.in[0], p.in[1], p.in[2]
	Ho, Wo := p.out[0], p.out[1]
	p.n = n
	p.y = grow(p.y, n*Ho*Wo*C)
	x = x[:n*H*W*C]
	for b := range n {
		for oh := range Ho {
			for ow := range Wo {
				o := ((b*Ho+oh)*Wo + ow) * C
				y := p.y[o : o+C]
				clear(y)
				h0, h1, w0, w1 := p.window(oh, ow)
				for h := h0; h < h1; h++ {
					for w := w0; w < w1; w++ {
						i := ((b*H+h)*W + w) * C
						for c, v := range x[i : i+C] {
							y[c] += v
						}
					}
				}
				cnt := float32((h1 - h0) * (w1 - w0))
				for c := range y {
					y[c] /= cnt
				}
			}
		}
	}
	return p.y
}

// Backward spreads each output gradient evenly over its window's real cells.
func (p *averagePooling2D) Backward(dy []float32) []float32 {
	H, W, C := p.in[0], p.in[1], p.in[2]
	Ho, Wo := p.out[0], p.out[1]
	p.dx = grow(p.dx, p.n*H*W*C)
	clear(p.dx)
	dy = dy[:p.n*Ho*Wo*C]
	for b := range p.n {
		for oh := range Ho {
			for ow := range Wo {
				o := ((b*Ho+oh)*Wo + ow) * C
				g := dy[o : o+C]
				h0, h1, w0, w1 := p.window(oh, ow)
				cnt := float32((h1 - h0) * (w1 - w0))
				for h := h0; h < h1; h++ {
					for w := w0; w < w1; w++ {
						i := ((b*H+h)*W + w) * C
						dx := p.dx[i : i+C]
						for c, v := range g {
							dx[c] += v / cnt
						}
					}
				}
			}
		}
	}
	return p.dx
}

// growInt32 is grow for int32 buffers.
func growInt32(buf []int32, n int) []int32 {
	if cap(buf) < n {
		return make([]int32, n)
	}
	return buf[:n]
}
