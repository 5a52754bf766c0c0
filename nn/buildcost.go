package nn

import (
	"math"
	"math/rand/v2"
)

// checkBuildCost refuses a spec whose model would hold more weights than
// budget, before Build allocates them: a small file must not make Load
// allocate gigabytes. It builds the layers one by one, as Build does, after
// checking the weight count of each kind of weighted layer (Keras's shapes,
// doc.go) and the size of every activation. Errors in the spec itself are
// left for Build to report.
func checkBuildCost(spec ModelSpec, budget int) error {
	in := Shape(spec.Input)
	rng := rand.New(rand.NewPCG(0, 0))
	used := map[string]int{}
	for i, ls := range spec.Layers {
		if ls.Name == "" {
			ls.Name = autoName(ls.Type, used)
		}
		size := 1
		for _, d := range in {
			if d <= 0 {
				return nil // Build reports it
			}
			if size > maxActivation/d {
				return formatErrorf("model spec: layer %d's input %v is larger than %d values", i+1, in, maxActivation)
			}
			size *= d
		}
		if n := weightCount(ls, in); n > budget {
			return formatErrorf("model spec: layer %d (%s) needs more weights than the file holds", i+1, ls.Name)
		}
		l, err := buildLayer(ls, in, rng)
		if err != nil {
			return nil
		}
		for _, p := range l.Params() {
			budget -= len(p.W)
		}
		if budget < 0 {
			return formatErrorf("model spec: layer %d (%s) needs more weights than the file holds", i+1, ls.Name)
		}
		in = l.OutShape()
	}
	return nil
}

// weightCount is the number of weights a Conv2D, Conv2DTranspose or Dense
// layer will allocate on input in (0 for other types), saturating at
// math.MaxInt instead of overflowing.
func weightCount(ls LayerSpec, in Shape) int {
	if len(in) == 0 {
		return 0
	}
	c := in[len(in)-1]
	var f []int
	switch ls.Type {
	case "Conv2D", "Conv2DTranspose":
		f = []int{ls.KernelSize, ls.KernelSize, c, ls.Filters}
	case "Dense":
		f = []int{c, ls.Units}
	case "BatchNormalization": // gamma, beta, moving mean and variance, each (C)
		if c <= 0 {
			return 0
		}
		n := 2 * c
		if !ls.NoScale {
			n += c
		}
		if !ls.NoCenter {
			n += c
		}
		return n
	default:
		return 0
	}
	n := 1
	for _, v := range f {
		if v <= 0 {
			return 0 // the builder rejects it
		}
		if n > math.MaxInt/2/v {
			return math.MaxInt
		}
		n *= v
	}
	if !ls.NoBias {
		n += f[len(f)-1]
	}
	return n
}
