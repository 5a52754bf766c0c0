package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Activation maximization: what a filter or a class "wants to see". Start
// from a neutral input and climb the gradient of one unit's activation,
// with the usual regularizers that keep the picture natural (Erhan et al.
// 2009, Simonyan et al. 2013, Yosinski et al. 2015): L2 decay, a small
// random shift (jitter) before each gradient and a Gaussian blur every few
// steps.

// MaximizeConfig says what to maximize and how. Every field is taken as
// it is (0 jitter is none, 0 decay is none): start from DefaultMaximize.
type MaximizeConfig struct {
	// Layer and Channel pick a filter: channel Channel of layer Layer's
	// output at the centre position (row H/2, column W/2, floored), after
	// its activation as Keras's layer.output; while that unit is not above
	// 0, the gradient follows its pre-activation instead, since ReLU's
	// would be 0. One unit, not the channel's mean: a first layer is linear
	// in the input where it is active, so the mean over every position asks
	// only for a uniform picture (the sign of the kernel's sum, clamped to
	// black or white), while one unit asks for its kernel's own pattern
	// within its receptive field (Erhan et al. 2009 maximize one unit too).
	// Layer -1 picks a class instead: the class score Channel (the
	// pre-softmax logit of a softmax model).
	Layer, Channel int
	Steps          int     // 64
	LearningRate   float32 // each step moves x by LearningRate * g / rms(g); 0.1
	Decay          float32 // L2 decay: x *= 1 - Decay after each step; 0.01
	Jitter         int     // shift x by up to Jitter pixels (each axis, circularly) before each gradient; 1 for a class, 0 for a filter
	BlurEvery      int     // blur x every BlurEvery steps (0: never); 4
	BlurSigma      float64 // the blur's standard deviation in pixels; 0.5
	Lo, Hi         float32 // unless both 0, clamp x to [Lo, Hi] after each step
	Seed           uint64  // for the start's noise and the jitter
	// Start is the first input; nil means 0 (the data set's mean, grey,
	// for standardized inputs) plus uniform noise in [-Noise, Noise].
	Start []float32
	Noise float32 // 0.01
}

// DefaultMaximize is the configuration the page starts from, for channel
// of layer (or class channel, with layer -1). A filter's unit gets no
// jitter: its receptive field can be as small as the 3x3 kernel, which a
// shift of one pixel each way would smear into a blob.
func DefaultMaximize(layer, channel int) MaximizeConfig {
	jitter := 0
	if layer == -1 {
		jitter = 1
	}
	return MaximizeConfig{Layer: layer, Channel: channel, Steps: 64, LearningRate: 0.1, Decay: 0.01,
		Jitter: jitter, BlurEvery: 4, BlurSigma: 0.5, Noise: 0.01}
}

// MaximizeStep is the state after one step.
type MaximizeStep struct {
	Step      int       // 1 for the first step
	Objective float32   // the maximized value before the step
	Image     []float32 // (H, W, C) x after the step, owned by the Maximizer until its next Step
}

// Field is the part of the input a maximized unit has seen: rows Top to
// Bottom-1 and columns Left to Right-1, the box of every input pixel where
// some step's gradient was not 0 (the unit's receptive field, less what
// ReLUs switched off). All 0 before a gradient reached the input.
type Field struct{ Top, Left, Bottom, Right int }

// Maximizer runs the climb one step at a time, so a caller can show each
// step and stop when it likes.
type Maximizer struct {
	e        *Explainer
	cfg      MaximizeConfig
	shape    Shape // (H, W, C)
	x, r     []float32
	tmp      []float32
	rng      *rand.Rand
	step     int
	dTop     []float32 // gradient at the maximized layer
	active   bool      // the filter's unit was above 0 in the last objective
	kernel1d []float32
	field    Field
}

// NewMaximizer checks cfg and prepares the climb.
func (e *Explainer) NewMaximizer(cfg MaximizeConfig) (*Maximizer, error) {
	in := e.m.InShape()
	if len(in) != 3 {
		return nil, fmt.Errorf("nn: activation maximization needs an image input (H, W, C), the model takes %v", in)
	}
	if cfg.Layer == -1 {
		if cfg.Channel < 0 || cfg.Channel >= e.classes {
			return nil, fmt.Errorf("nn: class %d does not exist: the model has classes 0 to %d", cfg.Channel, e.classes-1)
		}
	} else {
		if cfg.Layer < 0 || cfg.Layer >= len(e.m.Layers) {
			return nil, fmt.Errorf("nn: layer %d does not exist: the model has layers 0 to %d (or -1 for a class)", cfg.Layer, len(e.m.Layers)-1)
		}
		l := e.m.Layers[cfg.Layer]
		out := l.OutShape()
		if len(out) != 3 {
			return nil, fmt.Errorf("nn: layer %d (%s) outputs %v, not feature maps (H, W, C)", cfg.Layer, l.Spec().Name, out)
		}
		if cfg.Channel < 0 || cfg.Channel >= out[2] {
			return nil, fmt.Errorf("nn: layer %d (%s) has channels 0 to %d, not %d", cfg.Layer, l.Spec().Name, out[2]-1, cfg.Channel)
		}
	}
	switch {
	case cfg.Steps < 1 || cfg.Steps > 100000:
		return nil, fmt.Errorf("nn: %d steps: want 1 to 100000", cfg.Steps)
	case !(cfg.Noise >= 0 && cfg.Noise <= 100):
		return nil, fmt.Errorf("nn: start noise %v: want [0, 100]", cfg.Noise)
	case !(cfg.LearningRate > 0) || math.IsInf(float64(cfg.LearningRate), 0):
		return nil, fmt.Errorf("nn: learning rate %v: want a positive number", cfg.LearningRate)
	case !(cfg.Decay >= 0 && cfg.Decay < 1):
		return nil, fmt.Errorf("nn: decay %v: want a number in [0, 1)", cfg.Decay)
	case cfg.Jitter < 0 || cfg.Jitter >= min(in[0], in[1]):
		return nil, fmt.Errorf("nn: jitter %d: want 0 to %d pixels", cfg.Jitter, min(in[0], in[1])-1)
	case cfg.BlurEvery < 0:
		return nil, fmt.Errorf("nn: blur every %d steps: want 0 (never) or more", cfg.BlurEvery)
	case cfg.BlurEvery > 0 && !(cfg.BlurSigma > 0 && cfg.BlurSigma <= 10):
		return nil, fmt.Errorf("nn: blur sigma %v: want (0, 10] pixels", cfg.BlurSigma)
	case cfg.Lo > cfg.Hi:
		return nil, fmt.Errorf("nn: bounds [%v, %v] are empty", cfg.Lo, cfg.Hi)
	case cfg.Start != nil && len(cfg.Start) != in.Size():
		return nil, fmt.Errorf("nn: start has %d values, want %d", len(cfg.Start), in.Size())
	}
	mz := &Maximizer{e: e, cfg: cfg, shape: in, rng: rand.New(rand.NewPCG(cfg.Seed, 0x6d6178696d697a65))} // "maximize"
	mz.x = make([]float32, in.Size())
	if cfg.Start != nil {
		copy(mz.x, cfg.Start)
	} else {
		for i := range mz.x {
			mz.x[i] = cfg.Noise * float32(2*mz.rng.Float64()-1)
		}
	}
	mz.r, mz.tmp = make([]float32, len(mz.x)), make([]float32, len(mz.x))
	if cfg.BlurEvery > 0 {
		mz.kernel1d = gaussianKernel(cfg.BlurSigma)
	}
	return mz, nil
}

// Done reports whether every configured step has run.
func (mz *Maximizer) Done() bool { return mz.step >= mz.cfg.Steps }

// Steps is the number of steps run so far.
func (mz *Maximizer) Steps() int { return mz.step }

// Image is the current input, owned by the Maximizer.
func (mz *Maximizer) Image() []float32 { return mz.x }

// Field is the box of the input the gradients have reached so far.
func (mz *Maximizer) Field() Field { return mz.field }

// unit is the index of the maximized filter's centre unit in its layer's
// (H, W, C) output.
func (mz *Maximizer) unit() int {
	out := mz.e.m.Layers[mz.cfg.Layer].OutShape()
	return ((out[0]/2)*out[1]+out[1]/2)*out[2] + mz.cfg.Channel
}

// objective runs x forward and returns the maximized value. For a
// filter it notes whether its unit is active (its output above 0), which
// decides the gradient's path.
func (mz *Maximizer) objective(x []float32) float32 {
	e, cfg := mz.e, mz.cfg
	if cfg.Layer == -1 {
		_, scores := e.forward(x, 1)
		return scores[cfg.Channel]
	}
	a := x
	for _, l := range e.m.Layers[:cfg.Layer+1] {
		a = l.Forward(a, 1, false)
	}
	v := a[mz.unit()]
	mz.active = v > 0
	return v
}

// gradient is the gradient of the objective of the last objective call
// with respect to the input. While a ReLU filter's unit is off, the
// output's gradient is 0; the climb then follows the pre-activation
// instead, until the unit turns on.
func (mz *Maximizer) gradient() []float32 {
	e, cfg := mz.e, mz.cfg
	if cfg.Layer == -1 {
		return e.backward(e.oneHot(cfg.Channel), 0)
	}
	l := e.m.Layers[cfg.Layer]
	out := l.OutShape()
	mz.dTop = grow(mz.dTop, out.Size())
	clear(mz.dTop)
	mz.dTop[mz.unit()] = 1
	_, logits := l.(activatedLayer)
	return e.backwardFrom(cfg.Layer, mz.dTop, logits && !mz.active, 0)
}

// Step runs one step: jitter, gradient, normalized ascent, decay, blur
// (every BlurEvery steps) and clamp. It returns the state after it.
func (mz *Maximizer) Step() MaximizeStep {
	cfg, h, w, c := mz.cfg, mz.shape[0], mz.shape[1], mz.shape[2]
	var dy, dx int
	if j := cfg.Jitter; j > 0 {
		dy, dx = mz.rng.IntN(2*j+1)-j, mz.rng.IntN(2*j+1)-j
	}
	roll(mz.r, mz.x, h, w, c, dy, dx)
	obj := mz.objective(mz.r)
	g := mz.gradient()
	roll(mz.tmp, g[:len(mz.x)], h, w, c, -dy, -dx)
	var ss float64
	for i, v := range mz.tmp {
		ss += float64(v) * float64(v)
		if v != 0 {
			mz.see(i / c)
		}
	}
	scale := cfg.LearningRate / float32(math.Sqrt(ss/float64(len(mz.tmp)))+1e-8)
	keep := 1 - cfg.Decay
	for i, v := range mz.tmp {
		mz.x[i] = (mz.x[i] + scale*v) * keep
	}
	mz.step++
	if cfg.BlurEvery > 0 && mz.step%cfg.BlurEvery == 0 {
		blur(mz.x, mz.tmp, h, w, c, mz.kernel1d)
	}
	if cfg.Lo != 0 || cfg.Hi != 0 {
		for i, v := range mz.x {
			mz.x[i] = min(max(v, cfg.Lo), cfg.Hi)
		}
	}
	return MaximizeStep{Step: mz.step, Objective: obj, Image: mz.x}
}

// Maximize runs every step of the climb, calling onStep (when not nil)
// after each; onStep returning false stops early. It returns the final
// input and the objective for it.
func (e *Explainer) Maximize(cfg MaximizeConfig, onStep func(MaximizeStep) bool) ([]float32, float32, error) {
	mz, err := e.NewMaximizer(cfg)
	if err != nil {
		return nil, 0, err
	}
	for !mz.Done() {
		s := mz.Step()
		if onStep != nil && !onStep(s) {
			break
		}
	}
	return append([]float32(nil), mz.x...), mz.objective(mz.x), nil
}

// see widens the field to hold pixel p (row-major, H x W).
func (mz *Maximizer) see(p int) {
	y, x, f := p/mz.shape[1], p%mz.shape[1], &mz.field
	if f.Bottom == 0 {
		*f = Field{y, x, y + 1, x + 1}
		return
	}
	f.Top, f.Left, f.Bottom, f.Right = min(f.Top, y), min(f.Left, x), max(f.Bottom, y+1), max(f.Right, x+1)
}

// roll shifts the (H, W, C) image src circularly by dy rows down and dx
// columns right into dst: dst[y, x] = src[(y - dy) mod H, (x - dx) mod W].
func roll(dst, src []float32, h, w, c, dy, dx int) {
	for y := range h {
		sy := ((y-dy)%h + h) % h
		for x := range w {
			sx := ((x-dx)%w + w) % w
			copy(dst[(y*w+x)*c:(y*w+x+1)*c], src[(sy*w+sx)*c:(sy*w+sx+1)*c])
		}
	}
}

// gaussianKernel is a normalized 1-D Gaussian of radius ceil(2 sigma).
func gaussianKernel(sigma float64) []float32 {
	r := int(math.Ceil(2 * sigma))
	k := make([]float32, 2*r+1)
	var sum float64
	for i := range k {
		d := float64(i - r)
		v := math.Exp(-d * d / (2 * sigma * sigma))
		k[i] = float32(v)
		sum += v
	}
	for i := range k {
		k[i] = float32(float64(k[i]) / sum)
	}
	return k
}

// blur convolves each channel of the (H, W, C) image x with the separable
// Gaussian k, rows then columns, edge pixels repeated; tmp is scratch of
// x's size.
func blur(x, tmp []float32, h, w, c int, k []float32) {
	r := len(k) / 2
	for y := range h {
		for xx := range w {
			for ch := range c {
				var s float32
				for i, kv := range k {
					sx := min(max(xx+i-r, 0), w-1)
					s += kv * x[(y*w+sx)*c+ch]
				}
				tmp[(y*w+xx)*c+ch] = s
			}
		}
	}
	for y := range h {
		for xx := range w {
			for ch := range c {
				var s float32
				for i, kv := range k {
					sy := min(max(y+i-r, 0), h-1)
					s += kv * tmp[(sy*w+xx)*c+ch]
				}
				x[(y*w+xx)*c+ch] = s
			}
		}
	}
}
