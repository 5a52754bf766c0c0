package nn

import "fmt"

// ModelInfo is what the page's lessons say about a built model: each
// layer's shapes, its configuration, where its output size and its
// parameter count come from, and its share of the parameters and of the
// multiply-adds. Describe derives it from the built layers, so it is the
// engine's figure, never a second computation in JavaScript.
type ModelInfo struct {
	Input       Shape       // (H, W, C) of one sample
	Layers      []LayerInfo // in order
	TotalParams int         // Keras's count_params()
	TotalMACs   int         // multiply-adds for one input, all layers
	Groups      []GroupInfo // totals by kind of layer, in the order the kinds first appear
}

// GroupInfo totals the layers of one kind: "conv" (Conv2D,
// Conv2DTranspose), "pool" (max and average pooling), "dense" or "other"
// (Flatten, Dropout, Activation).
type GroupInfo struct {
	Kind       string
	Layers     int // how many
	Params     int
	MACs       int
	ParamShare float64 // of the model's parameters
	MACShare   float64 // of the model's multiply-adds
}

// layerKind is the group a layer type belongs to.
func layerKind(typ string) string {
	switch typ {
	case "Conv2D", "Conv2DTranspose":
		return "conv"
	case "MaxPooling2D", "AveragePooling2D":
		return "pool"
	case "Dense":
		return "dense"
	}
	return "other"
}

// LayerInfo describes one layer. Fields that a layer type does not use stay
// zero (or nil).
type LayerInfo struct {
	Index      int
	Name       string // "conv2d_1"
	Type       string // Keras class name
	InShape    Shape
	OutShape   Shape
	Activation string // "relu", "softmax", "linear"; "" for layers without one
	Kernel     int    // Conv2D, Conv2DTranspose: K of the K x K kernel
	Filters    int    // Conv2D, Conv2DTranspose
	Strides    int    // conv and pooling
	Padding    string // conv and pooling: "valid" or "same"
	PoolSize   int    // pooling
	Units      int    // Dense

	Params     int     // trainable values, Keras's "Param #"
	ParamsCum  int     // Params of this layer and all before it
	ParamShare float64 // Params / TotalParams (0 when the model has none)
	MACs       int     // multiply-adds for one input
	MACShare   float64 // MACs / TotalMACs (0 when the model has none)

	// Area is OH*OW for a layer with feature maps (H, W, C), else 0;
	// Channels is C (the last axis); Values is OutShape's size, Area*Channels.
	Area, Channels, Values int

	Size  *SizeTerms  // conv and pooling: how the output height comes about
	Count *ParamTerms // layers with weights: how Params comes about
}

// SizeTerms are the numbers of the output-size formula along one spatial
// axis (height; the page's models are square, and SizeW gives the width
// when they are not):
//
//	out = floor((N + PadTotal - K) / S) + 1     (convolution and pooling)
//	out = (N - 1)*S + K - PadTotal              (transposed convolution)
//
// PadTotal is 2P when the padding is split evenly (PadBefore == PadAfter);
// 'same' padding puts an odd cell at the bottom/right. Quotient is
// (N + PadTotal - K) / S before flooring, e.g. 2.5 for 7 -> 3 in a 2x2 pool.
type SizeTerms struct {
	Transposed          bool
	N, K, S             int
	PadBefore, PadAfter int
	PadTotal            int
	Quotient            float64
	Out                 int
	SizeW               *SizeTerms // the width's terms when they differ from the height's, else nil
}

// ParamTerms are the numbers of a layer's parameter count:
//
//	Conv2D, Conv2DTranspose: (KH*KW*CIn + 1)*COut with a bias, KH*KW*CIn*COut without
//	Dense:                   (CIn + 1)*COut, CIn the input length and COut the units
//
// Weights is the kernel's size, Biases the bias's (0 with use_bias=False).
type ParamTerms struct {
	KH, KW    int // 1 for Dense
	CIn, COut int
	Bias      bool
	Weights   int
	Biases    int
}

// Describe lists the layers of m with their figures.
func Describe(m *Model) ModelInfo {
	info := ModelInfo{Input: append(Shape(nil), m.InShape()...), Layers: make([]LayerInfo, len(m.Layers))}
	for i, l := range m.Layers {
		li := describeLayer(l)
		li.Index = i
		info.TotalParams += li.Params
		info.TotalMACs += li.MACs
		li.ParamsCum = info.TotalParams
		info.Layers[i] = li
	}
	share := func(part, whole int) float64 {
		if whole == 0 {
			return 0
		}
		return float64(part) / float64(whole)
	}
	group := map[string]int{} // kind -> index in Groups
	for i := range info.Layers {
		li := &info.Layers[i]
		li.ParamShare = share(li.Params, info.TotalParams)
		li.MACShare = share(li.MACs, info.TotalMACs)
		kind := layerKind(li.Type)
		g, ok := group[kind]
		if !ok {
			g = len(info.Groups)
			group[kind] = g
			info.Groups = append(info.Groups, GroupInfo{Kind: kind})
		}
		gi := &info.Groups[g]
		gi.Layers++
		gi.Params += li.Params
		gi.MACs += li.MACs
		gi.ParamShare = share(gi.Params, info.TotalParams)
		gi.MACShare = share(gi.MACs, info.TotalMACs)
	}
	return info
}

func describeLayer(l Layer) LayerInfo {
	spec := l.Spec()
	in, out := l.InShape(), l.OutShape()
	li := LayerInfo{
		Name: spec.Name, Type: spec.Type,
		InShape: append(Shape(nil), in...), OutShape: append(Shape(nil), out...),
		Params: ParamCount(l), Values: out.Size(), Channels: out[len(out)-1],
	}
	if len(out) == 3 {
		li.Area = out[0] * out[1]
	}
	if a, ok := l.(activatedLayer); ok {
		li.Activation = a.activation().String()
	}
	bias := len(l.Params()) > 1
	switch spec.Type {
	case "Conv2D":
		k, c, f := spec.KernelSize, in[2], spec.Filters
		li.Kernel, li.Filters, li.Strides, li.Padding = k, f, spec.Strides, spec.Padding
		li.Size = windowTerms(in, out, k, spec.Strides, spec.Padding)
		li.Count = kernelTerms(k, k, c, f, bias)
		li.MACs = out[0] * out[1] * f * k * k * c // one dot product of K*K*C per output value
	case "Conv2DTranspose":
		k, c, f := spec.KernelSize, in[2], spec.Filters
		li.Kernel, li.Filters, li.Strides, li.Padding = k, f, spec.Strides, spec.Padding
		li.Size = transposedTerms(in, out, k, spec.Strides)
		li.Count = kernelTerms(k, k, c, f, bias)
		li.MACs = in[0] * in[1] * c * k * k * f // every input value stamps a K*K*F kernel
	case "MaxPooling2D", "AveragePooling2D":
		li.PoolSize, li.Strides, li.Padding = spec.PoolSize, spec.Strides, spec.Padding
		li.Size = windowTerms(in, out, spec.PoolSize, spec.Strides, spec.Padding)
	case "Dense":
		li.Units = spec.Units
		li.Count = kernelTerms(1, 1, in[0], spec.Units, bias)
		li.MACs = in[0] * spec.Units
	}
	return li
}

func kernelTerms(kh, kw, cin, cout int, bias bool) *ParamTerms {
	t := &ParamTerms{KH: kh, KW: kw, CIn: cin, COut: cout, Bias: bias, Weights: kh * kw * cin * cout}
	if bias {
		t.Biases = cout
	}
	return t
}

// windowTerms gives the size terms of a window (convolution or pooling)
// sliding over in with padding as outSize (geometry.go) pads it.
func windowTerms(in, out Shape, k, s int, padding string) *SizeTerms {
	axis := func(n, o int) *SizeTerms {
		t := &SizeTerms{N: n, K: k, S: s, Out: o}
		if padding == "same" {
			t.PadTotal = samePadding(n, k, s)
			t.PadBefore = t.PadTotal / 2
			t.PadAfter = t.PadTotal - t.PadBefore
		}
		t.Quotient = float64(n+t.PadTotal-k) / float64(s)
		if got := (n+t.PadTotal-k)/s + 1; got != o {
			panic(fmt.Sprintf("nn: size terms of %d cells, window %d, stride %d, %s give %d, the layer has %d", n, k, s, padding, got, o))
		}
		return t
	}
	h := axis(in[0], out[0])
	if in[1] != in[0] || out[1] != out[0] {
		h.SizeW = axis(in[1], out[1])
	}
	return h
}

// transposedTerms gives the size terms of a transposed convolution: the
// forward convolution it is the adjoint of maps out back to in.
func transposedTerms(in, out Shape, k, s int) *SizeTerms {
	axis := func(n, o int) *SizeTerms {
		t := &SizeTerms{Transposed: true, N: n, K: k, S: s, Out: o}
		t.PadTotal = (n-1)*s + k - o // negative when K < S with valid padding: the output gains S-K cells
		if t.PadTotal > 0 {
			t.PadBefore = t.PadTotal / 2
			t.PadAfter = t.PadTotal - t.PadBefore
		}
		return t
	}
	h := axis(in[0], out[0])
	if in[1] != in[0] || out[1] != out[0] {
		h.SizeW = axis(in[1], out[1])
	}
	return h
}

// Scores runs one input through the model in inference mode and returns the
// last layer's output and the values it applied its activation to: for a
// softmax output, the scores (logits) that softmax turns into
// probabilities. activation names that function ("" when the last layer
// has none, and then logits equals out). Both are copies.
func (m *Model) Scores(x []float32) (logits, out []float32, activation string, err error) {
	if len(x) != m.InShape().Size() {
		return nil, nil, "", fmt.Errorf("nn: scores got %d values, want one input of shape %v (%d values)", len(x), m.InShape(), m.InShape().Size())
	}
	y := m.Forward(x, 1, false)
	n := m.OutShape().Size()
	out = append([]float32(nil), y[:n]...)
	logits = out
	if a, ok := m.Layers[len(m.Layers)-1].(activatedLayer); ok {
		logits = append([]float32(nil), a.logits()[:n]...)
		activation = a.activation().String()
	}
	return logits, out, activation, nil
}
