package nn

// SGD is Keras 2's stochastic gradient descent, with optional (Nesterov)
// momentum. Per weight w with gradient g, learning rate lr and momentum μ:
//
//	μ = 0:     w -= lr*g
//	otherwise: v = μ*v - lr*g
//	           w += v                (nesterov: w += μ*v - lr*g)
//
// The velocity v starts at zero and is its only slot ("momentum"), kept
// only when μ > 0, as Keras does.
type SGD struct {
	spec OptimizerSpec
	slots
}

func (o *SGD) Spec() OptimizerSpec { return o.spec }

func (o *SGD) Init(params []*Param) {
	if o.spec.Momentum != 0 {
		o.kinds = 1
		o.slots.init(params)
	} else if o.arrays == nil {
		o.arrays = [][]float32{}
	}
}

func (o *SGD) Step(params []*Param) {
	o.Init(params)
	o.iter++
	lr, mu := float32(o.spec.LearningRate), float32(o.spec.Momentum)
	for i, p := range params {
		w, g := p.W, p.G[:len(p.W)]
		if mu == 0 {
			for j := range w {
				w[j] -= float32(lr * g[j])
			}
			continue
		}
		v := o.slot(0, i)[:len(w)]
		for j := range w {
			v[j] = float32(mu*v[j]) - float32(lr*g[j])
			if o.spec.Nesterov {
				w[j] += float32(mu*v[j]) - float32(lr*g[j])
			} else {
				w[j] += v[j]
			}
		}
	}
}
