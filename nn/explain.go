package nn

import "fmt"

// Functions that explain the engine's own computations one number at a
// time, for the page's lessons: one Conv2D output element as its dot
// product (ExplainConv), the output-size rule (ConvSize), max against
// average pooling on the same map (ComparePooling), how much each layer's
// output moves when the input shifts (ShiftChange; these two, the pooling
// lesson's, are in explain_pool.go) and a transposed convolution growing a
// map back (Upsample). They run the model's layers in
// inference mode on one sample, as Trace does, and compute nothing the
// layers do not: the direct forms here are checked against the layers'
// Forward in explain_test.go.

// ConvSizeError says why a convolution's geometry is impossible. Code is a
// stable word the page translates: "input" (n < 1), "kernel" (k < 1),
// "stride" (s < 1), "padding" (p < 0 or an unknown padding name) or
// "kernelLarger" (the kernel does not fit in the padded input).
type ConvSizeError struct {
	Code string
	Msg  string
}

func (e *ConvSizeError) Error() string { return "nn: " + e.Msg }

// ConvGeometry is the size arithmetic of one axis of a convolution or
// pooling window: n input cells, kernel k, stride s, PadBefore + PadAfter
// zero cells added around the input, and
//
//	Out = floor((n + PadBefore + PadAfter - k) / s) + 1
//
// window positions. Starts[i] is where window i begins, counted in the
// padded axis (0 is the first padding cell, or the first input cell when
// there is none); Unused is the number of padded cells after the last
// window's end that no window reaches (pooling 7 cells by 2 leaves 1), and
// Uncovered the number of real input cells no window covers (the stride
// skipping cells when s > k, plus the unused tail).
type ConvGeometry struct {
	N, K, S             int
	Padding             string // "valid", "same" or "explicit"
	PadBefore, PadAfter int
	Numerator           int // n + PadBefore + PadAfter - k
	Out                 int
	Starts              []int
	Unused              int
	Uncovered           int
}

// ConvSize computes the output size of a window of k cells sliding with
// stride s over n cells, with Keras's paddings ("valid": none; "same": out =
// ceil(n/s), the padding outSize gives, the odd cell after) or "explicit":
// p zero cells on each side. It uses outSize, the function Conv2D is built
// with, so the page's sandbox and the model agree. p is read only with
// "explicit". An impossible geometry is a *ConvSizeError.
func ConvSize(n, k, s int, padding string, p int) (ConvGeometry, error) {
	g := ConvGeometry{N: n, K: k, S: s, Padding: padding}
	switch {
	case n < 1:
		return g, &ConvSizeError{"input", fmt.Sprintf("input size %d: a map needs at least one cell", n)}
	case k < 1:
		return g, &ConvSizeError{"kernel", fmt.Sprintf("kernel size %d: a kernel needs at least one cell", k)}
	case s < 1:
		return g, &ConvSizeError{"stride", fmt.Sprintf("stride %d: the window must move by at least one cell", s)}
	}
	switch padding {
	case "valid":
		if k > n {
			return g, &ConvSizeError{"kernelLarger", fmt.Sprintf("kernel %d larger than input %d with valid padding (use padding same or a smaller kernel)", k, n)}
		}
		g.Out, _ = outSize(n, k, s, "valid")
	case "same":
		var before int
		g.Out, before = outSize(n, k, s, "same")
		total := samePadding(n, k, s)
		g.PadBefore, g.PadAfter = before, total-before
	case "explicit":
		if p < 0 {
			return g, &ConvSizeError{"padding", fmt.Sprintf("padding %d: padding cannot be negative", p)}
		}
		if k > n+2*p {
			return g, &ConvSizeError{"kernelLarger", fmt.Sprintf("kernel %d larger than the padded input %d + 2*%d = %d", k, n, p, n+2*p)}
		}
		g.PadBefore, g.PadAfter = p, p
		g.Out = (n+2*p-k)/s + 1
	default:
		return g, &ConvSizeError{"padding", fmt.Sprintf("unknown padding %q (want valid, same or explicit)", padding)}
	}
	g.Numerator = n + g.PadBefore + g.PadAfter - k
	g.Starts = make([]int, g.Out)
	covered := make([]bool, n)
	for i := range g.Starts {
		g.Starts[i] = i * s
		for j := i * s; j < i*s+k; j++ {
			if c := j - g.PadBefore; c >= 0 && c < n {
				covered[c] = true
			}
		}
	}
	g.Unused = n + g.PadBefore + g.PadAfter - ((g.Out-1)*s + k)
	for _, c := range covered {
		if !c {
			g.Uncovered++
		}
	}
	return g, nil
}

// ConvStep is one output element of a Conv2D explained: the K x K x C
// input values under the kernel, the kernel slice of filter F, their
// products, and the sums that make the element.
type ConvStep struct {
	Layer           int   // the layer's index in the model
	InShape         Shape // (H, W, C) of the layer's input
	OutShape        Shape // (OH, OW, F)
	Y, X, Filter    int   // the output element
	K, S            int
	PadTop, PadLeft int // zero rows above and columns left of the input
	// PadBottom, PadRight are the zero rows below and columns right of the
	// input that the last windows reach: with 'same' padding the odd cell of
	// an uneven total, as TensorFlow puts it; 0 with 'valid'.
	PadBottom, PadRight int
	Top, Left           int // the window's first input row and column (negative in the padding)
	// Window, Kernel and Products are (K, K, C), row-major: Window holds
	// the input values under the kernel, 0 where the window lies in the
	// padding; Inside marks, per (K, K) cell, whether it is a real input cell.
	Window, Kernel, Products []float32
	Inside                   []bool
	ChannelSums              []float32 // (C): the products of each input channel added up
	Sum                      float32   // the channel sums added up
	Bias                     float32   // 0 without a bias
	PreActivation            float32   // Sum + Bias
	Activation               string    // "relu", ...
	Activated                float32   // the activation of PreActivation
	Output                   float32   // the layer's Forward output at (Y, X, Filter), for comparison
}

// layerInput runs the model's layers before layer li on one input in
// inference mode and returns that layer's input (owned by the previous
// layer, valid until its next Forward).
func (m *Model) layerInput(x []float32, li int) ([]float32, error) {
	if len(x) != m.InShape().Size() {
		return nil, fmt.Errorf("nn: got %d input values, want one input of shape %v (%d values)", len(x), m.InShape(), m.InShape().Size())
	}
	if li < 0 || li >= len(m.Layers) {
		return nil, fmt.Errorf("nn: layer %d does not exist: the model has layers 0 to %d", li, len(m.Layers)-1)
	}
	for _, l := range m.Layers[:li] {
		x = l.Forward(x, 1, false)
	}
	return x, nil
}

// ExplainConv explains output element (y, xo, f) of layer li, a Conv2D, for
// the model input x, by the direct form of conv2D's doc comment:
//
//	z = bias[f] + sum over c of (sum over kh, kw of x[y*S-P+kh, xo*S-P+kw, c] * kernel[kh, kw, c, f])
//
// The products are summed in float64, per channel, then over the channels,
// and rounded to float32 once, so Sum is the dot product to float32
// precision, and PreActivation is Sum + Bias in float32; the layer's Forward (im2col and gemm, or Winograd) sums in
// another order, so Output may differ from Activated in the last bits.
func (m *Model) ExplainConv(x []float32, li, y, xo, f int) (ConvStep, error) {
	in, err := m.layerInput(x, li)
	if err != nil {
		return ConvStep{}, err
	}
	l, ok := m.Layers[li].(*conv2D)
	if !ok {
		return ConvStep{}, fmt.Errorf("nn: layer %d (%s) is a %s, not a Conv2D", li, m.Layers[li].Spec().Name, m.Layers[li].Spec().Type)
	}
	g := l.g
	if y < 0 || y >= g.oh || xo < 0 || xo >= g.ow || f < 0 || f >= l.out[2] {
		return ConvStep{}, fmt.Errorf("nn: output element (%d, %d, %d) is outside layer %d's output %v", y, xo, f, li, l.out)
	}
	nf := l.out[2]
	st := ConvStep{
		Layer: li, InShape: append(Shape(nil), l.in...), OutShape: append(Shape(nil), l.out...),
		Y: y, X: xo, Filter: f, K: g.k, S: g.s, PadTop: g.padT, PadLeft: g.padL,
		PadBottom: padAfter(g.h, g.oh, g.k, g.s, g.padT), PadRight: padAfter(g.w, g.ow, g.k, g.s, g.padL),
		Top: y*g.s - g.padT, Left: xo*g.s - g.padL, Activation: l.act.String(),
	}
	kk := g.k * g.k * g.c
	st.Window, st.Kernel, st.Products = make([]float32, kk), make([]float32, kk), make([]float32, kk)
	st.Inside = make([]bool, g.k*g.k)
	sums := make([]float64, g.c)
	for kh := range g.k {
		for kw := range g.k {
			h, w := st.Top+kh, st.Left+kw
			inside := h >= 0 && h < g.h && w >= 0 && w < g.w
			st.Inside[kh*g.k+kw] = inside
			for c := range g.c {
				i := (kh*g.k+kw)*g.c + c
				if inside {
					st.Window[i] = in[(h*g.w+w)*g.c+c]
				}
				st.Kernel[i] = l.kernel.W[i*nf+f]
				st.Products[i] = st.Window[i] * st.Kernel[i]
				sums[c] += float64(st.Window[i]) * float64(st.Kernel[i])
			}
		}
	}
	st.ChannelSums = make([]float32, g.c)
	var total float64
	for c, s := range sums {
		st.ChannelSums[c] = float32(s)
		total += s
	}
	st.Sum = float32(total)
	if l.bias != nil {
		st.Bias = l.bias.W[f]
	}
	st.PreActivation = st.Sum + st.Bias
	st.Activated = activateOne(l.act, st.PreActivation)
	out := l.Forward(in, 1, false)
	st.Output = out[(y*g.ow+xo)*nf+f]
	if l.act == Softmax { // softmax mixes the filters at a position: take the layer's own value
		st.Activated = st.Output
	}
	return st, nil
}

// padAfter is the number of zero cells after an axis of n input cells
// (below or right of it) that the last of out windows of k cells, stride s,
// reaches when before zero cells come first: (out-1)*s + k - n - before, at
// least 0 (a 'valid' window that stops short of the end needs none).
func padAfter(n, out, k, s, before int) int {
	return max((out-1)*s+k-n-before, 0)
}

// activateOne applies an element-wise activation to one value.
func activateOne(a Activation, z float32) float32 {
	y := []float32{0}
	a.forwardRows(y, []float32{z}, 1)
	return y[0]
}

// Upsample runs one Conv2DTranspose (one filter, no bias, linear) with the
// given (K, K) kernel and stride on an (H, W) map and returns the grown map
// and its shape (OH, OW, 1): the engine's own layer, with a fixed kernel.
func Upsample(m []float32, h, w int, kernel []float32, k, s int, padding string) ([]float32, Shape, error) {
	if len(m) != h*w {
		return nil, nil, fmt.Errorf("nn: upsample got %d values for a %dx%d map", len(m), h, w)
	}
	if len(kernel) != k*k {
		return nil, nil, fmt.Errorf("nn: upsample got a kernel of %d values, want %dx%d", len(kernel), k, k)
	}
	model, err := Build(ModelSpec{Input: []int{h, w, 1}, Layers: []LayerSpec{
		{Type: "Conv2DTranspose", Filters: 1, KernelSize: k, Strides: s, Padding: padding, NoBias: true},
	}}, 1)
	if err != nil {
		return nil, nil, err
	}
	l := model.Layers[0]
	copy(l.Params()[0].W, kernel) // (K, K, F=1, C=1) is (K, K)
	out := l.Forward(m, 1, false)
	return append([]float32(nil), out...), append(Shape(nil), l.OutShape()...), nil
}
