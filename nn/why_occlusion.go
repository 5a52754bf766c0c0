package nn

import "fmt"

// Occlusion sensitivity (Zeiler and Fergus 2014): cover part of the input
// and watch the class's probability.

// OcclusionConfig is the patch that slides over the input.
type OcclusionConfig struct {
	Patch  int     // P: the patch covers P x P pixels (all channels); default 4
	Stride int     // S: the patch moves S pixels at a time; default 2
	Fill   float32 // the value of the covered pixels, in the model's input units: 0 is the data set's mean (grey) for standardized inputs
	Batch  int     // occluded inputs per forward pass; default occlusionBatch
}

// occlusionBatch is the default batch: with the first layers computed by
// boxes, 8 occluded inputs per pass were as fast as 32 under WebAssembly
// (224-309 against 259-298 ms CPU for the reference model's 169 positions,
// BENCHMARKS.md) and keep a quarter of the batch's maps.
const occlusionBatch = 8

// occlusionReuse turns the boxes of the first layers on (the benchmarks
// compare it off).
var occlusionReuse = true

// Occlusion is the class's output with the patch at every position.
type Occlusion struct {
	Class      int
	Prob       float32 // the class's output without a patch (a probability for a softmax model)
	Patch, S   int
	Rows, Cols int // patch positions: Rows = (H - P)/S + 1, floored; so for Cols
	// Probs is (Rows, Cols): the class's output with the patch's top-left
	// corner at (r*S, c*S); Drop is Prob - Probs, positive where covering
	// lowered it. With a stride that does not divide H - P, the last
	// rows or columns of pixels are never covered.
	Probs, Drop []float32
	// Map is (H, W): per pixel, the mean Drop over the patches that cover
	// it (0 for a pixel no patch covers).
	Map []float32
	// Top is (Rows, Cols): the class the model predicts with the patch there.
	Top []int
	// Forwards is the number of positions that needed a forward pass: a
	// patch over values that all equal Fill changes nothing.
	Forwards int
}

// patchIs reports whether every value of the P x P patch at (top, left)
// of the (H, W, C) image x equals fill.
func patchIs(x []float32, shape Shape, top, left, p int, fill float32) bool {
	w, c := shape[1], shape[2]
	for y := top; y < top+p; y++ {
		for _, v := range x[(y*w+left)*c : (y*w+left+p)*c] {
			if v != fill {
				return false
			}
		}
	}
	return true
}

func (c *OcclusionConfig) defaults(h, w int) error {
	if c.Patch == 0 {
		c.Patch = 4
	}
	if c.Stride == 0 {
		c.Stride = 2
	}
	if c.Batch == 0 {
		c.Batch = occlusionBatch
	}
	switch {
	case c.Patch < 1 || c.Patch > min(h, w):
		return fmt.Errorf("nn: occlusion patch %d: want 1 to %d pixels", c.Patch, min(h, w))
	case c.Stride < 1 || c.Stride > min(h, w):
		return fmt.Errorf("nn: occlusion stride %d: want 1 to %d pixels", c.Stride, min(h, w))
	case c.Batch < 1 || c.Batch > 1024:
		return fmt.Errorf("nn: occlusion batch %d: want 1 to 1024", c.Batch)
	case c.Fill-c.Fill != 0:
		return fmt.Errorf("nn: occlusion fill %v is not a number", c.Fill)
	}
	return nil
}

// Occlude writes x with the P x P patch at (top, left) set to fill into dst.
func Occlude(dst, x []float32, shape Shape, top, left, p int, fill float32) {
	copy(dst, x)
	w, c := shape[1], shape[2]
	for y := top; y < top+p; y++ {
		row := dst[(y*w+left)*c : (y*w+left+p)*c]
		for i := range row {
			row[i] = fill
		}
	}
}

// Occlusion slides the patch over x in batches of forward passes and
// returns the output of class (or Predicted, for x) at every position.
func (e *Explainer) Occlusion(x []float32, class int, cfg OcclusionConfig) (*Occlusion, error) {
	oc, err := e.NewOccluder(x, class, cfg)
	if err != nil {
		return nil, err
	}
	for !oc.Done() {
		oc.Run(cfg.Batch)
	}
	return oc.Result(), nil
}

// Occluder computes an Occlusion a few positions at a time, so a caller
// can spread it over slices (the worker does).
type Occluder struct {
	e     *Explainer
	x     []float32 // (H, W, C) a copy of the input
	in    Shape
	cfg   OcclusionConfig
	o     *Occlusion
	todo  []int // the positions that need a forward pass, row-major
	next  int   // todo[next:] are still to run
	batch int
	reuse *reuse // the first layers by boxes (why_occlusion_reuse.go), or nil
	boxes []box
}

// NewOccluder checks the request, runs x itself and finds the positions
// where the patch changes something.
func (e *Explainer) NewOccluder(x []float32, class int, cfg OcclusionConfig) (*Occluder, error) {
	if err := e.checkInput(x, class); err != nil {
		return nil, err
	}
	in := e.m.InShape()
	if len(in) != 3 {
		return nil, fmt.Errorf("nn: occlusion needs an image input (H, W, C), the model takes %v", in)
	}
	h, w := in[0], in[1]
	if err := cfg.defaults(h, w); err != nil {
		return nil, err
	}
	p, s := cfg.Patch, cfg.Stride
	out, _ := e.forward(x, 1)
	class = e.resolve(class, out)
	o := &Occlusion{Class: class, Patch: p, S: s, Rows: (h-p)/s + 1, Cols: (w-p)/s + 1}
	o.Prob = out[class]
	top := argmaxFirst(out[:e.classes])
	total := o.Rows * o.Cols
	o.Probs, o.Drop, o.Top = make([]float32, total), make([]float32, total), make([]int, total)
	// Positions where the patch changes nothing (every value under it is
	// already fill: a blank background covered with its own colour) keep
	// the unoccluded output without a forward pass.
	oc := &Occluder{e: e, x: append([]float32(nil), x...), in: in, cfg: cfg, o: o}
	for k := range total {
		r, c := k/o.Cols, k%o.Cols
		if patchIs(x, in, r*s, c*s, p, cfg.Fill) {
			o.Probs[k], o.Top[k] = o.Prob, top
			continue
		}
		oc.todo = append(oc.todo, k)
	}
	o.Forwards = len(oc.todo)
	if occlusionReuse {
		oc.reuse = planReuse(e.m, x, in, p, cfg.Batch)
	}
	return oc, nil
}

// Done reports whether every position has run.
func (oc *Occluder) Done() bool { return oc.next == len(oc.todo) }

// Progress is the forward passes run and needed.
func (oc *Occluder) Progress() (done, total int) { return oc.next, len(oc.todo) }

// Run computes the next n positions (at least 1), in forward passes of at
// most the configured Batch.
func (oc *Occluder) Run(n int) {
	e, o, in, size := oc.e, oc.o, oc.in, oc.in.Size()
	end := min(oc.next+max(n, 1), len(oc.todo))
	for oc.next < end {
		b := min(oc.cfg.Batch, end-oc.next)
		e.patches = grow(e.patches, b*size)
		ks := oc.todo[oc.next : oc.next+b]
		for j, k := range ks {
			r, c := k/o.Cols, k%o.Cols
			Occlude(e.patches[j*size:(j+1)*size], oc.x, in, r*o.S, c*o.S, o.Patch, oc.cfg.Fill)
		}
		var out []float32
		if oc.reuse == nil {
			out, _ = e.forward(e.patches[:b*size], b)
		} else {
			oc.boxes = oc.boxes[:0]
			for _, k := range ks {
				r, c := k/o.Cols, k%o.Cols
				oc.boxes = append(oc.boxes, box{r * o.S, c * o.S, r*o.S + o.Patch, c*o.S + o.Patch})
			}
			out = oc.reuse.forward(e.m, e.patches[:b*size], in, oc.boxes)
			for _, l := range e.m.Layers[oc.reuse.n:] {
				out = l.Forward(out, b, false)
			}
		}
		for j, k := range ks {
			row := out[j*e.classes : (j+1)*e.classes]
			o.Probs[k] = row[o.Class]
			o.Drop[k] = o.Prob - row[o.Class]
			o.Top[k] = argmaxFirst(row)
		}
		oc.next += b
	}
}

// Result is the Occlusion, with its per-pixel Map, once Done.
func (oc *Occluder) Result() *Occlusion {
	if !oc.Done() {
		panic("nn: Occluder.Result before every position ran")
	}
	o, h, w := oc.o, oc.in[0], oc.in[1]
	if o.Map != nil {
		return o
	}
	p, s := o.Patch, o.S
	o.Map = make([]float32, h*w)
	count := make([]int, h*w)
	for r := range o.Rows {
		for c := range o.Cols {
			d := o.Drop[r*o.Cols+c]
			for y := r * s; y < r*s+p; y++ {
				for x := c * s; x < c*s+p; x++ {
					o.Map[y*w+x] += d
					count[y*w+x]++
				}
			}
		}
	}
	for i, k := range count {
		if k > 0 {
			o.Map[i] /= float32(k)
		}
	}
	return o
}

// Masked is the model's output for an input partly covered by a mask.
type Masked struct {
	Class       int
	Prob        float32   // the class's output without the mask
	MaskedProb  float32   // and with it
	Out, Before []float32 // (D) the whole output with and without the mask
	Input       []float32 // (H, W, C) the covered input
}

// Mask covers x with fill where mask (H, W) is 1, blending where it is
// between 0 and 1 (values outside are clamped):
//
//	x'[y, x, c] = (1 - m[y, x]) * x[y, x, c] + m[y, x] * fill
//
// and returns the class's output before and after: the probability for a
// student's own painted occlusion.
func (e *Explainer) Mask(x, mask []float32, fill float32, class int) (*Masked, error) {
	if err := e.checkInput(x, class); err != nil {
		return nil, err
	}
	in := e.m.InShape()
	if len(in) != 3 {
		return nil, fmt.Errorf("nn: masking needs an image input (H, W, C), the model takes %v", in)
	}
	if len(mask) != in[0]*in[1] {
		return nil, fmt.Errorf("nn: mask has %d values, want %dx%d", len(mask), in[0], in[1])
	}
	out, _ := e.forward(x, 1)
	class = e.resolve(class, out)
	r := &Masked{Class: class, Prob: out[class], Before: append([]float32(nil), out[:e.classes]...)}
	c := in[2]
	r.Input = make([]float32, len(x))
	for i, v := range x {
		m := min(max(mask[i/c], 0), 1)
		if m-m != 0 { // NaN: uncovered
			m = 0
		}
		r.Input[i] = (1-m)*v + m*fill
	}
	out, _ = e.forward(r.Input, 1)
	r.MaskedProb = out[class]
	r.Out = append([]float32(nil), out[:e.classes]...)
	return r, nil
}
