package nn

import (
	"fmt"
	"math"
)

// The pooling lesson's explanations (see explain.go): max against average
// pooling on the same map, with the layer's own windows (ComparePooling),
// and how much each layer's output moves when the input shifts
// (ShiftChange).

// PoolComparison is a max-pooling layer's input with its max-pooled output
// and the average-pooled output of the same map (an AveragePooling2D of the
// same size, stride and padding), and the layer's windows, so the page draws
// them as the layer pools rather than rebuilding them.
type PoolComparison struct {
	Layer        int
	InShape      Shape     // (H, W, C)
	OutShape     Shape     // (Ho, Wo, C)
	PoolSize, S  int       // window and stride
	In, Max, Avg []float32 // the input (H, W, C) and both outputs (Ho, Wo, C)
	Choices      []int32   // (Ho, Wo, C): the index into In of the value each max kept
	Dropped      float64   // the share of input values not passed on: 1 - Ho*Wo/(H*W)
	Uncovered    int       // input cells per channel that no window covers (7 -> 3 leaves a row and a column)
	Padding      string    // the layer's padding

	// PadTop, PadLeft, PadBottom, PadRight are the padding cells around the
	// input that windows reach ('same' only; padded cells never win a max
	// and are not counted in an average).
	PadTop, PadLeft, PadBottom, PadRight int
	// Windows is (Ho, Wo, 4): output cell (oh, ow)'s window as the input
	// rows [top, bottom) and columns [left, right) it covers, the padding
	// cut off, row-major over the output: the cells the layer pools.
	Windows []int32
}

// ComparePooling runs the model up to layer li, a MaxPooling2D, on the input
// x and pools that layer's input both ways.
func (m *Model) ComparePooling(x []float32, li int) (PoolComparison, error) {
	in, err := m.layerInput(x, li)
	if err != nil {
		return PoolComparison{}, err
	}
	mp, ok := m.Layers[li].(*MaxPooling2D)
	if !ok {
		return PoolComparison{}, fmt.Errorf("nn: layer %d (%s) is a %s, not a MaxPooling2D", li, m.Layers[li].Spec().Name, m.Layers[li].Spec().Type)
	}
	p := mp.pool2D
	pc := PoolComparison{
		Layer: li, InShape: append(Shape(nil), p.in...), OutShape: append(Shape(nil), p.out...),
		PoolSize: p.k, S: p.s, Padding: p.spec.Padding,
		In:     append([]float32(nil), in[:p.in.Size()]...),
		PadTop: p.padTop, PadLeft: p.padLeft,
		PadBottom: padAfter(p.in[0], p.out[0], p.k, p.s, p.padTop), PadRight: padAfter(p.in[1], p.out[1], p.k, p.s, p.padLeft),
	}
	pc.Max = append([]float32(nil), mp.Forward(in, 1, false)...)
	pc.Choices = append([]int32(nil), mp.Choices()...)
	spec := p.spec
	spec.Type = "AveragePooling2D"
	ap, err := newPool2D(spec, p.in)
	if err != nil {
		return PoolComparison{}, err
	}
	avg := &averagePooling2D{pool2D: ap}
	pc.Avg = append([]float32(nil), avg.Forward(pc.In, 1, false)...)
	area, outArea := p.in[0]*p.in[1], p.out[0]*p.out[1]
	pc.Dropped = 1 - float64(outArea)/float64(area)
	seen := make([]bool, area)
	pc.Windows = make([]int32, 0, 4*outArea)
	for oh := range p.out[0] {
		for ow := range p.out[1] {
			h0, h1, w0, w1 := p.window(oh, ow)
			pc.Windows = append(pc.Windows, int32(h0), int32(h1), int32(w0), int32(w1))
			for h := h0; h < h1; h++ {
				for w := w0; w < w1; w++ {
					seen[h*p.in[1]+w] = true
				}
			}
		}
	}
	for _, s := range seen {
		if !s {
			pc.Uncovered++
		}
	}
	return pc, nil
}

// LayerChange is how much one layer's output moved when the input shifted:
// Change = mean |shifted - original| / mean |original| (0 when both are
// all zeros; +Inf when only the original is).
type LayerChange struct {
	Name, Type string
	Shape      Shape
	Change     float64
}

// Shift moves an (H, W, C) image by dx columns right and dy rows down
// (negative: left, up) into dst, filling the cells that come in with fill.
func Shift(dst, src []float32, shape Shape, dx, dy int, fill float32) {
	h, w, c := shape[0], shape[1], shape[2]
	for y := range h {
		for x := range w {
			sy, sx := y-dy, x-dx
			for ch := range c {
				v := fill
				if sy >= 0 && sy < h && sx >= 0 && sx < w {
					v = src[(sy*w+sx)*c+ch]
				}
				dst[(y*w+x)*c+ch] = v
			}
		}
	}
}

// ShiftChange traces the input x and x shifted by (dx, dy) (Shift, the
// cells that come in filled with x's smallest value: the blank background
// of a standardized image) and returns, per layer, how much the output
// changed, and both traces' outputs of the last layer. Shifted is the
// shifted input.
func (m *Model) ShiftChange(x []float32, dx, dy int) (changes []LayerChange, before, after, shifted []float32, err error) {
	in := m.InShape()
	if len(in) != 3 {
		return nil, nil, nil, nil, fmt.Errorf("nn: shifting needs an image input (H, W, C), the model takes %v", in)
	}
	if len(x) != in.Size() {
		return nil, nil, nil, nil, fmt.Errorf("nn: got %d input values, want %d", len(x), in.Size())
	}
	fill := float32(math.Inf(1))
	for _, v := range x {
		fill = min(fill, v)
	}
	shifted = make([]float32, len(x))
	Shift(shifted, x, in, dx, dy, fill)
	a, err := m.Trace(x)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	b, err := m.Trace(shifted)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	changes = make([]LayerChange, len(a))
	for i := range a {
		var diff, base float64
		for j, v := range a[i].Output.Data {
			diff += math.Abs(float64(b[i].Output.Data[j] - v))
			base += math.Abs(float64(v))
		}
		ch := 0.0
		switch {
		case base > 0:
			ch = diff / base
		case diff > 0:
			ch = math.Inf(1)
		}
		changes[i] = LayerChange{Name: a[i].Name, Type: a[i].Type, Shape: append(Shape(nil), a[i].Output.Shape...), Change: ch}
	}
	return changes, a[len(a)-1].Output.Data, b[len(b)-1].Output.Data, shifted, nil
}
