package nn

import (
	"fmt"
	"math"
)

// "Why did it say that?": the numbers behind the page's answers, for one
// input and the current model. This file holds the Explainer and the two
// gradient maps (vanilla saliency, Gradient x Input, Grad-CAM);
// why_occlusion.go slides a patch over the input, why_maximize.go climbs
// the input toward what a filter or a class wants, why_attack.go fools the
// model (FGSM, iterative FGSM/PGD) and why_pca.go lays the penultimate
// features of many inputs out in 2-D.
//
// # The class score
//
// Every gradient here is of the class score: the last layer's pre-softmax
// value (logit) when the model ends in softmax (a Dense, Conv2D or
// Activation layer with activation softmax), as Grad-CAM and Simonyan et
// al.'s saliency use it; otherwise the model's output itself. A logit's
// gradient says what raises this class's evidence; the probability's would
// also count what lowers the other classes', and it vanishes where softmax
// saturates (a confident prediction), which is where a student asks "why".
//
// # Gradients without training
//
// The explanations run the model's own layers in inference mode (Dropout
// off) and their own Backward: nothing is re-derived here. Backward
// accumulates parameter gradients as a side effect; while an Explainer
// runs them it points every Param.G at its own scratch arrays and puts the
// model's back afterwards, so an explanation between two training steps
// leaves the training's gradients as they were. The layers' buffers (the
// last Forward's activations) are overwritten, as Predict overwrites them.

// paramGradSkipper is implemented by the layers whose Backward can skip
// their parameter gradients (Conv2D, Dense), which cost as much as the
// input gradient: an explanation needs the input gradient alone.
// Training never sets it.
type paramGradSkipper interface{ skipParamGrads(on bool) }

// Explainer computes the explanations of one model's predictions. It keeps
// the buffers it needs from call to call, so repeated explanations of the
// same model allocate little beyond their results. It is not safe for
// concurrent use, and neither is the model: one goroutine at a time.
type Explainer struct {
	m       *Model
	classes int            // D, the number of class scores
	scores  activatedLayer // the softmax output layer whose logits are the class scores, or nil
	params  []*Param       // the model's, in order
	scratch [][]float32    // one per param: the Param.G in use while explaining
	dScore  []float32      // (N, D) gradient with respect to the class scores
	patches []float32      // (N, H, W, C) occluded inputs, reused
}

// NewExplainer prepares explanations of m, whose output must be a vector
// of class scores (D). Build a new one when the model changes
// architecture; weight changes (training, loading) need none.
func NewExplainer(m *Model) (*Explainer, error) {
	out := m.OutShape()
	if len(out) != 1 {
		return nil, fmt.Errorf("nn: explanations need a model that outputs class scores (D), this one outputs %v", out)
	}
	e := &Explainer{m: m, classes: out[0], params: m.Params()}
	if a, ok := m.Layers[len(m.Layers)-1].(activatedLayer); ok && a.activation() == Softmax {
		e.scores = a
	}
	e.scratch = make([][]float32, len(e.params))
	for i, p := range e.params {
		e.scratch[i] = make([]float32, len(p.G))
	}
	return e, nil
}

// Model is the model explained.
func (e *Explainer) Model() *Model { return e.m }

// Classes is the number of class scores, D.
func (e *Explainer) Classes() int { return e.classes }

// ScoresAreLogits reports whether the class scores are the pre-softmax
// values of a softmax output (true) or the model's output itself.
func (e *Explainer) ScoresAreLogits() bool { return e.scores != nil }

// Predicted, passed as a class, means the class the model predicts for
// the input: the first largest output.
const Predicted = -1

// checkInput checks one input and a class (or Predicted).
func (e *Explainer) checkInput(x []float32, class int) error {
	if want := e.m.InShape().Size(); len(x) != want {
		return fmt.Errorf("nn: got %d input values, want one input of shape %v (%d values)", len(x), e.m.InShape(), want)
	}
	if class < Predicted || class >= e.classes {
		return fmt.Errorf("nn: class %d does not exist: the model has classes 0 to %d", class, e.classes-1)
	}
	return nil
}

// resolve returns class, or for Predicted the argmax of out, one sample's
// output.
func (e *Explainer) resolve(class int, out []float32) int {
	if class == Predicted {
		return argmaxFirst(out[:e.classes])
	}
	return class
}

// forward runs n inputs in inference mode and returns the model's output
// and the class scores (the logits of a softmax output, else the output),
// both owned by the layers.
func (e *Explainer) forward(x []float32, n int) (out, scores []float32) {
	out = e.m.Forward(x, n, false)
	scores = out
	if e.scores != nil {
		scores = e.scores.logits()[:n*e.classes]
	}
	return out, scores
}

// backward propagates dScore, the gradient with respect to the class
// scores of the last forward, down to the output of layer stop-1 (the
// model's input for stop 0) and returns that gradient, owned by layer stop.
func (e *Explainer) backward(dScore []float32, stop int) []float32 {
	return e.backwardFrom(len(e.m.Layers)-1, dScore, e.scores != nil, stop)
}

// backwardFrom propagates dy, the gradient with respect to the output of
// layer top (or its logits, the pre-activation values, when logits is set;
// top must then be an activatedLayer), down to the output of layer stop-1.
// Conv2D and Dense layers skip their parameter gradients; those of other
// layers go to the Explainer's scratch arrays, so the model's Param.G stay
// as they were.
func (e *Explainer) backwardFrom(top int, dy []float32, logits bool, stop int) []float32 {
	for i, p := range e.params {
		clear(e.scratch[i])
		p.G, e.scratch[i] = e.scratch[i], p.G
	}
	layers := e.m.Layers[stop : top+1]
	for _, l := range layers {
		if s, ok := l.(paramGradSkipper); ok {
			s.skipParamGrads(true)
		}
	}
	defer func() {
		for i, p := range e.params {
			p.G, e.scratch[i] = e.scratch[i], p.G
		}
		for _, l := range layers {
			if s, ok := l.(paramGradSkipper); ok {
				s.skipParamGrads(false)
			}
		}
	}()
	if logits {
		dy = e.m.Layers[top].(activatedLayer).backwardLogits(dy)
		top--
	}
	for i := top; i >= stop; i-- {
		dy = e.m.Layers[i].Backward(dy)
	}
	return dy
}

// oneHot returns e.dScore for one sample: 1 at class, 0 elsewhere.
func (e *Explainer) oneHot(class int) []float32 {
	e.dScore = grow(e.dScore, e.classes)
	clear(e.dScore)
	e.dScore[class] = 1
	return e.dScore
}

// Saliency is the gradient of one class score with respect to the input.
type Saliency struct {
	Class int
	Score float32   // the class score (a logit for a softmax model)
	Out   []float32 // (D) the model's output: the probabilities of a softmax model
	// Grad is d Score / d x, in the input's shape (H, W, C): vanilla
	// saliency (Simonyan et al. 2013) shows |Grad|, per pixel the largest
	// over the channels.
	Grad []float32
	// GradTimesInput is Grad * x element by element: the first-order share
	// of each input value in the score (Shrikumar et al. 2016), signed.
	GradTimesInput []float32
}

// Saliency computes the gradient of the score of class (or Predicted) for
// the input x.
func (e *Explainer) Saliency(x []float32, class int) (*Saliency, error) {
	if err := e.checkInput(x, class); err != nil {
		return nil, err
	}
	out, scores := e.forward(x, 1)
	class = e.resolve(class, out)
	s := &Saliency{Class: class, Score: scores[class], Out: append([]float32(nil), out[:e.classes]...)}
	g := e.backward(e.oneHot(class), 0)
	s.Grad = append([]float32(nil), g[:len(x)]...)
	s.GradTimesInput = make([]float32, len(x))
	for i, v := range x {
		s.GradTimesInput[i] = s.Grad[i] * v
	}
	return s, nil
}

// GradCAM is Grad-CAM (Selvaraju et al. 2017) at one layer with feature
// maps A (OH, OW, F):
//
//	alpha[f] = mean over (i, j) of d Score / d A[i, j, f]
//	Map[i, j] = ReLU(sum over f of alpha[f] * A[i, j, f])
//
// and Map upsampled bilinearly to the input's H x W.
type GradCAM struct {
	Layer   int
	Name    string
	Class   int
	Score   float32
	Shape   Shape     // (OH, OW, F) of the layer's output
	Weights []float32 // (F) alpha
	Map     []float32 // (OH, OW)
	// Upsampled is Map resized to the input's (H, W) bilinearly, with
	// PyTorch's align_corners=False (F.interpolate, and TensorFlow's
	// half-pixel centres): output cell (y, x) samples the map at
	// ((y + 0.5) * OH/H - 0.5, (x + 0.5) * OW/W - 0.5), clamped to the map.
	Upsampled []float32
	InShape   Shape // (H, W) of Upsampled
}

// LastConv is the index of the model's last Conv2D layer, Grad-CAM's
// default, or -1 when it has none.
func (m *Model) LastConv() int {
	for i := len(m.Layers) - 1; i >= 0; i-- {
		if _, ok := m.Layers[i].(*conv2D); ok {
			return i
		}
	}
	return -1
}

// GradCAM computes Grad-CAM of class (or Predicted) at layer li, any layer with feature
// maps (H, W, C) output (a Conv2D classically; -1 means the last Conv2D).
// The maps A are the layer's output, after its activation, as Keras's
// layer.output and the original paper's rectified conv features.
func (e *Explainer) GradCAM(x []float32, class, li int) (*GradCAM, error) {
	if err := e.checkInput(x, class); err != nil {
		return nil, err
	}
	if li == -1 {
		if li = e.m.LastConv(); li < 0 {
			return nil, fmt.Errorf("nn: Grad-CAM needs a convolution layer, and this model has none")
		}
	}
	if li < 0 || li >= len(e.m.Layers)-1 {
		return nil, fmt.Errorf("nn: Grad-CAM layer %d: want a layer from 0 to %d with feature maps", li, len(e.m.Layers)-2)
	}
	l := e.m.Layers[li]
	shape := l.OutShape()
	in := e.m.InShape()
	if len(shape) != 3 || len(in) != 3 {
		return nil, fmt.Errorf("nn: Grad-CAM layer %d (%s) outputs %v, not feature maps (H, W, C)", li, l.Spec().Name, shape)
	}
	// Forward layer by layer to keep A, the layer's output (owned by it
	// and untouched by the backward pass of the layers above).
	a := x
	for _, layer := range e.m.Layers[:li+1] {
		a = layer.Forward(a, 1, false)
	}
	y := a
	for _, layer := range e.m.Layers[li+1:] {
		y = layer.Forward(y, 1, false)
	}
	scores := y
	if e.scores != nil {
		scores = e.scores.logits()
	}
	class = e.resolve(class, y)
	oh, ow, f := shape[0], shape[1], shape[2]
	gc := &GradCAM{Layer: li, Name: l.Spec().Name, Class: class, Score: scores[class],
		Shape: append(Shape(nil), shape...), Weights: make([]float32, f), Map: make([]float32, oh*ow),
		InShape: Shape{in[0], in[1]}}
	dA := e.backward(e.oneHot(class), li+1)
	w := make([]float64, f)
	for p := range oh * ow {
		for c, g := range dA[p*f : (p+1)*f] {
			w[c] += float64(g)
		}
	}
	for c := range w {
		w[c] /= float64(oh * ow)
		gc.Weights[c] = float32(w[c])
	}
	for p := range oh * ow {
		var s float64
		for c, v := range a[p*f : (p+1)*f] {
			s += w[c] * float64(v)
		}
		gc.Map[p] = float32(max(s, 0))
	}
	gc.Upsampled = make([]float32, in[0]*in[1])
	Bilinear(gc.Upsampled, in[0], in[1], gc.Map, oh, ow)
	return gc, nil
}

// Bilinear resizes the (h, w) map src to (oh, ow) into dst, with
// align_corners=False (half-pixel centres, edges clamped), as PyTorch's
// F.interpolate(mode="bilinear") does:
//
//	sy = max((y + 0.5) * h/oh - 0.5, 0), y0 = floor(sy), y1 = min(y0+1, h-1), ly = sy - y0
//	dst[y, x] = (1-ly) * ((1-lx) src[y0, x0] + lx src[y0, x1]) + ly * ((1-lx) src[y1, x0] + lx src[y1, x1])
func Bilinear(dst []float32, oh, ow int, src []float32, h, w int) {
	axis := func(o, n, size int) (i0, i1 int, l float64) {
		s := max((float64(o)+0.5)*float64(n)/float64(size)-0.5, 0)
		i0 = min(int(math.Floor(s)), n-1)
		i1 = min(i0+1, n-1)
		return i0, i1, s - float64(i0)
	}
	for y := range oh {
		y0, y1, ly := axis(y, h, oh)
		for x := range ow {
			x0, x1, lx := axis(x, w, ow)
			top := (1-lx)*float64(src[y0*w+x0]) + lx*float64(src[y0*w+x1])
			bot := (1-lx)*float64(src[y1*w+x0]) + lx*float64(src[y1*w+x1])
			dst[y*ow+x] = float32((1-ly)*top + ly*bot)
		}
	}
}
