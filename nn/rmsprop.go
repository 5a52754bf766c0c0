package nn

import "math"

// RMSprop is Keras 2's RMSprop (without momentum, not centered). Per weight
// w with gradient g:
//
//	rms = ρ*rms + (1-ρ)*g²
//	w -= lr * g / (sqrt(rms) + ε)
//
// Its one slot, rms, starts at zero.
type RMSprop struct {
	spec OptimizerSpec
	slots
}

func (o *RMSprop) Spec() OptimizerSpec { return o.spec }

func (o *RMSprop) Init(params []*Param) {
	o.kinds = 1
	o.slots.init(params)
}

func (o *RMSprop) Step(params []*Param) {
	o.Init(params)
	o.iter++
	lr, rho, eps := float32(o.spec.LearningRate), float32(o.spec.Rho), float32(o.spec.Epsilon)
	for i, p := range params {
		w := p.W
		g, ms := p.G[:len(w)], o.slot(0, i)[:len(w)]
		for j := range w {
			ms[j] = float32(rho*ms[j]) + float32((1-rho)*g[j]*g[j])
			w[j] -= lr * g[j] / (float32(math.Sqrt(float64(ms[j]))) + eps)
		}
	}
}
