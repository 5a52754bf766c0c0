package nn

import "math"

// Adam is Keras 2's Adam. At step t (1 for the first step), per weight w with
// gradient g:
//
//	m = β1*m + (1-β1)*g
//	v = β2*v + (1-β2)*g²
//	w -= lr * sqrt(1-β2^t)/(1-β1^t) * m / (sqrt(v) + ε)
//
// The bias correction is folded into the learning rate and ε is added to
// sqrt(v) unscaled, exactly as Keras 2 (TensorFlow's ApplyAdam) computes it.
// Its slots are m for every parameter, then v for every parameter.
type Adam struct {
	spec OptimizerSpec
	slots
}

func (o *Adam) Spec() OptimizerSpec { return o.spec }

func (o *Adam) Init(params []*Param) {
	o.kinds = 2
	o.slots.init(params)
}

func (o *Adam) Step(params []*Param) {
	o.Init(params)
	o.iter++
	b1, b2 := o.spec.Beta1, o.spec.Beta2
	t := float64(o.iter)
	lrT := float32(o.spec.LearningRate * math.Sqrt(1-math.Pow(b2, t)) / (1 - math.Pow(b1, t)))
	fb1, fb2, eps := float32(b1), float32(b2), float32(o.spec.Epsilon)
	for i, p := range params {
		w := p.W
		g, m, v := p.G[:len(w)], o.slot(0, i)[:len(w)], o.slot(1, i)[:len(w)]
		for j := range w {
			m[j] = float32(fb1*m[j]) + float32((1-fb1)*g[j])
			v[j] = float32(fb2*v[j]) + float32((1-fb2)*g[j]*g[j])
			w[j] -= lrT * m[j] / (float32(math.Sqrt(float64(v[j]))) + eps)
		}
	}
}
