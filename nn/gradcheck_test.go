package nn

// (Over 400 lines on purpose: one table of cases, one per layer type and
// configuration, run through one checker, so a new layer is one new row.)

// One finite-difference gradient check for every layer type, every
// parameter and the input, for the losses, and for the fused softmax +
// cross-entropy path through a compiled model.
//
// For a layer, the scalar is L = sum(y * r) for a fixed random r, so that
// dL/dy = r is what Backward receives. Each coordinate v of the input and of
// every parameter is moved by ±eps and the central difference
// (L(v+h) - L(v-h)) / (h+ - h-) (h± being the float32 steps actually taken)
// is compared with the analytic gradient. L is summed in float64, so the
// only float32 noise is the outputs' own rounding: with eps = 1e-2 on values
// of order 1 a relative error below 1e-2 is a clear pass, and a wrong
// formula is off by far more.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	gradEps  = 1e-2
	reluEps  = 1e-3 // ReLU layers: a smaller step straddles fewer kinks
	gradRtol = 1e-2 // relative to the coordinate's own gradient
	gradAtol = 1e-3 // relative to the largest gradient of the same array
)

type gradCase struct {
	name string
	spec LayerSpec
	in   Shape
	n    int
	// input draws x; nil means N(0, 1).
	input func(rng *rand.Rand, size int) []float32
	// relu marks a ReLU output: a coordinate whose ±eps step switches a unit
	// on or off straddles a kink, so it is skipped (at most a tenth may be).
	// Such layers step by reluEps.
	relu bool
	// before runs before every Forward (Dropout: reset its source so that
	// every pass draws the same mask).
	before func(l Layer)
	// check runs once on the first output (e.g. that a mask drops units).
	check func(t *testing.T, y []float32)
	// infer runs Forward in inference mode (BatchNormalization's moving
	// statistics instead of the batch's).
	infer bool
}

// spread returns size distinct values, a shuffle of a grid with a step of
// 5*eps: no two are within a ±eps step of each other, so a max-pooling
// window never changes its winner during the check.
func spread(rng *rand.Rand, size int) []float32 {
	x := make([]float32, size)
	for i, j := range rng.Perm(size) {
		x[i] = float32(j-size/2) * 5 * gradEps
	}
	return x
}

func normals(rng *rand.Rand, size int) []float32 {
	x := make([]float32, size)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

func gradCases() []gradCase {
	conv := func(f, k, s int, padding, act string) LayerSpec {
		return LayerSpec{Type: "Conv2D", Filters: f, KernelSize: k, Strides: s, Padding: padding, Activation: act}
	}
	convT := func(f, k, s int, padding, act string) LayerSpec {
		return LayerSpec{Type: "Conv2DTranspose", Filters: f, KernelSize: k, Strides: s, Padding: padding, Activation: act}
	}
	pool := func(typ string, k, s int, padding string) LayerSpec {
		return LayerSpec{Type: typ, PoolSize: k, Strides: s, Padding: padding}
	}
	fixedMask := func(l Layer) { l.(*dropout).rng = rand.New(rand.NewPCG(7, 8)) }
	someDropped := func(t *testing.T, y []float32) {
		zeros := 0
		for _, v := range y {
			if v == 0 {
				zeros++
			}
		}
		require.Greater(t, zeros, 0, "the mask drops nothing")
		require.Less(t, zeros, len(y), "the mask drops everything")
	}
	cs := []gradCase{
		{name: "conv2d_valid", spec: conv(3, 3, 1, "valid", "linear"), in: Shape{5, 5, 2}, n: 2},
		{name: "conv2d_same", spec: conv(2, 3, 1, "same", "linear"), in: Shape{4, 5, 2}, n: 2},
		{name: "conv2d_valid_s2", spec: conv(2, 3, 2, "valid", "linear"), in: Shape{7, 6, 1}, n: 2},
		{name: "conv2d_same_s2_odd", spec: conv(2, 3, 2, "same", "linear"), in: Shape{7, 6, 2}, n: 1},
		{name: "conv2d_same_k2_odd", spec: conv(2, 2, 1, "same", "linear"), in: Shape{3, 4, 2}, n: 2},
		{name: "conv2d_same_k4_s3", spec: conv(2, 4, 3, "same", "linear"), in: Shape{7, 5, 1}, n: 2},
		{name: "conv2d_no_bias", spec: LayerSpec{Type: "Conv2D", Filters: 2, KernelSize: 3, Padding: "same", NoBias: true}, in: Shape{4, 4, 2}, n: 1},
		{name: "conv2d_transpose_valid", spec: convT(2, 3, 1, "valid", "linear"), in: Shape{3, 4, 2}, n: 2},
		{name: "conv2d_transpose_same_s2", spec: convT(2, 3, 2, "same", "linear"), in: Shape{3, 3, 2}, n: 2},
		{name: "conv2d_transpose_valid_s2", spec: convT(3, 3, 2, "valid", "linear"), in: Shape{2, 3, 1}, n: 2},
		{name: "conv2d_transpose_same_k4_s2", spec: convT(2, 4, 2, "same", "linear"), in: Shape{2, 2, 2}, n: 1},
		{name: "conv2d_transpose_valid_k2_s3", spec: convT(2, 2, 3, "valid", "linear"), in: Shape{2, 3, 2}, n: 1},
		{name: "conv2d_transpose_tanh", spec: convT(2, 3, 2, "same", "tanh"), in: Shape{3, 2, 2}, n: 2},
		{name: "conv2d_transpose_relu", spec: convT(2, 3, 1, "same", "relu"), in: Shape{3, 3, 2}, n: 2, relu: true},
		{name: "max_pooling2d", spec: pool("MaxPooling2D", 2, 2, "valid"), in: Shape{4, 6, 2}, n: 2, input: spread},
		{name: "max_pooling2d_overlap_7x7", spec: pool("MaxPooling2D", 3, 2, "valid"), in: Shape{7, 7, 2}, n: 1, input: spread},
		{name: "max_pooling2d_same", spec: pool("MaxPooling2D", 2, 2, "same"), in: Shape{5, 5, 2}, n: 2, input: spread},
		{name: "max_pooling2d_all_negative", spec: pool("MaxPooling2D", 2, 2, "valid"), in: Shape{4, 4, 1}, n: 2,
			input: func(rng *rand.Rand, size int) []float32 {
				x := spread(rng, size) // in [-size/2, size/2) * 5eps: shift below -1
				for i := range x {
					x[i] -= float32(size)*5*gradEps + 1
				}
				return x
			}},
		{name: "average_pooling2d", spec: pool("AveragePooling2D", 2, 2, "valid"), in: Shape{4, 5, 2}, n: 2},
		{name: "average_pooling2d_same", spec: pool("AveragePooling2D", 2, 2, "same"), in: Shape{5, 5, 2}, n: 2},
		{name: "average_pooling2d_overlap_same", spec: pool("AveragePooling2D", 3, 2, "same"), in: Shape{6, 7, 1}, n: 1},
		{name: "dense_no_bias", spec: LayerSpec{Type: "Dense", Units: 3, NoBias: true}, in: Shape{4}, n: 3},
		{name: "flatten", spec: LayerSpec{Type: "Flatten"}, in: Shape{2, 3, 2}, n: 2},
		{name: "dropout_training", spec: LayerSpec{Type: "Dropout", Rate: 0.4}, in: Shape{3, 3, 2}, n: 2,
			before: fixedMask, check: someDropped},
		{name: "batch_normalization_training", spec: LayerSpec{Type: "BatchNormalization"}, in: Shape{3, 2, 3}, n: 2},
		{name: "batch_normalization_inference", spec: LayerSpec{Type: "BatchNormalization"}, in: Shape{3, 2, 3}, n: 2, infer: true},
		{name: "batch_normalization_vector_no_scale", spec: LayerSpec{Type: "BatchNormalization", NoScale: true, Epsilon: 0.01}, in: Shape{4}, n: 5},
		{name: "batch_normalization_no_center", spec: LayerSpec{Type: "BatchNormalization", NoCenter: true}, in: Shape{2, 2, 2}, n: 3},
		{name: "rescaling", spec: LayerSpec{Type: "Rescaling", Scale: 1.0 / 255, Offset: -0.5}, in: Shape{2, 3, 1}, n: 2},
	}
	for _, act := range []string{"linear", "relu", "sigmoid", "tanh", "softmax"} {
		relu := act == "relu"
		cs = append(cs,
			gradCase{name: "conv2d_" + act, spec: conv(3, 3, 1, "same", act), in: Shape{4, 4, 2}, n: 2, relu: relu},
			gradCase{name: "dense_" + act, spec: LayerSpec{Type: "Dense", Units: 4, Activation: act}, in: Shape{5}, n: 3, relu: relu},
			gradCase{name: "activation_" + act, spec: LayerSpec{Type: "Activation", Activation: act}, in: Shape{2, 2, 3}, n: 2, relu: relu},
		)
	}
	return cs
}

func TestGradCheckLayers(t *testing.T) {
	for i, c := range gradCases() {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(42, uint64(i)))
			l, err := buildLayer(c.spec, c.in, rng)
			require.NoError(t, err)
			// Weights of order 1 and nonzero biases, so that every term of
			// the gradient is exercised and well above float32 noise.
			// Moving statistics positive (a variance), and in training
			// Forward updates them but the output does not depend on them.
			for _, p := range l.Params() {
				for j := range p.W {
					p.W[j] = float32(rng.Float64() - 0.5)
					if p.NonTrainable {
						p.W[j] += 1
					}
				}
			}
			input := c.input
			if input == nil {
				input = normals
			}
			x := input(rng, c.n*c.in.Size())
			forward := func() []float32 {
				if c.before != nil {
					c.before(l)
				}
				return l.Forward(x, c.n, !c.infer)
			}
			y := forward()
			if c.check != nil {
				c.check(t, y)
			}
			r := normals(rng, len(y))
			value := func(y []float32) float64 {
				var s float64
				for j, v := range y {
					s += float64(v) * float64(r[j])
				}
				return s
			}
			on := func(y []float32) []bool {
				if !c.relu {
					return nil
				}
				b := make([]bool, len(y))
				for j, v := range y {
					b[j] = v > 0
				}
				return b
			}
			base := on(y)
			dx := append([]float32(nil), l.Backward(append([]float32(nil), r...))...)
			grads := make([][]float32, len(l.Params()))
			for j, p := range l.Params() {
				grads[j] = append([]float32(nil), p.G...)
			}
			checkCoordinates := func(what string, v, analytic []float32) {
				eps := float32(gradEps)
				if c.relu {
					eps = reluEps
				}
				skipped := finiteDifferences(t, what, v, analytic, eps, func() (float64, bool) {
					y := forward()
					return value(y), !equalBools(on(y), base)
				})
				require.LessOrEqual(t, skipped, len(v)/10, "%s: too many coordinates next to a ReLU kink", what)
				if skipped > 0 {
					t.Logf("%s: skipped %d of %d coordinates whose step switches a ReLU", what, skipped, len(v))
				}
			}
			checkCoordinates("input", x, dx)
			for j, p := range l.Params() {
				if p.NonTrainable {
					require.Equal(t, make([]float32, len(p.G)), p.G, "%s: a non-trainable gradient", p.Name)
					continue
				}
				checkCoordinates(p.Name, p.W, grads[j])
			}
		})
	}
}

// finiteDifferences compares analytic[i] with the central difference of
// eval over v[i] ± eps for every i, restoring v. eval returns the scalar and
// whether the step crossed a kink (that coordinate is then skipped and
// counted). The analytic gradient must not be all zero.
func finiteDifferences(t gradT, what string, v, analytic []float32, eps float32, eval func() (float64, bool)) (skipped int) {
	t.Helper()
	require.Len(t, analytic, len(v), what)
	var scale float64
	for _, g := range analytic {
		scale = max(scale, math.Abs(float64(g)))
	}
	require.Greater(t, scale, 0.0, "%s: the analytic gradient is all zero", what)
	bad := 0
	for i, orig := range v {
		v[i] = orig + eps
		hp := float64(v[i]) - float64(orig)
		lp, kp := eval()
		v[i] = orig - eps
		hm := float64(v[i]) - float64(orig)
		lm, km := eval()
		v[i] = orig
		if kp || km {
			skipped++
			continue
		}
		num := (lp - lm) / (hp - hm)
		ana := float64(analytic[i])
		if d := math.Abs(num - ana); !(d <= gradRtol*math.Abs(ana)+gradAtol*scale) {
			if bad++; bad <= 5 {
				t.Errorf("%s[%d]: analytic %.6g, numerical %.6g", what, i, ana, num)
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d coordinates differ", what, bad, len(v))
	}
	return skipped
}

// gradT is what finiteDifferences needs of a *testing.T, so that a test can
// check that it fails.
type gradT interface {
	require.TestingT
	Helper()
}

// failRecorder is a gradT that records failures instead of reporting them.
type failRecorder struct{ errors int }

func (f *failRecorder) Errorf(string, ...any) { f.errors++ }
func (f *failRecorder) FailNow()              { panic("failRecorder: FailNow") }
func (f *failRecorder) Helper()               {}

// TestFiniteDifferencesCatchesWrongGradients runs the checker on
// f(v) = sum v^3 / 3 + v0*v1, whose gradient is v^2 (+ v1, v0), and on
// gradients that are slightly wrong: a factor of 1.05, a missing cross
// term, a swapped pair.
func TestFiniteDifferencesCatchesWrongGradients(t *testing.T) {
	v := []float32{0.7, -1.3, 0.2, 2.1}
	f := func() (float64, bool) {
		var s float64
		for _, x := range v {
			s += float64(x) * float64(x) * float64(x) / 3
		}
		return s + float64(v[0])*float64(v[1]), false
	}
	right := []float32{0.49 - 1.3, 1.69 + 0.7, 0.04, 4.41}
	cases := []struct {
		name     string
		analytic []float32
		fails    bool
	}{
		{"right", right, false},
		{"scaled", []float32{right[0] * 1.05, right[1], right[2], right[3]}, true},
		{"missing_cross_term", []float32{0.49, 1.69, 0.04, 4.41}, true},
		{"swapped", []float32{right[0], right[1], right[3], right[2]}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &failRecorder{}
			finiteDifferences(rec, "v", v, c.analytic, gradEps, f)
			require.Equal(t, c.fails, rec.errors > 0)
			require.Equal(t, []float32{0.7, -1.3, 0.2, 2.1}, v, "v restored")
		})
	}
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestGradCheckLosses checks each loss's dOut against its own value.
func TestGradCheckLosses(t *testing.T) {
	const n, size = 3, 4
	rng := rand.New(rand.NewPCG(5, 6))
	// Probabilities in [0.2, 0.8): away from the clipping at 1e-7, and not
	// normalized, so a renormalizing loss is checked on its extra term too.
	probs := func() []float32 {
		p := make([]float32, n*size)
		for i := range p {
			p[i] = float32(0.2 + 0.6*rng.Float64())
		}
		return p
	}
	soft := func() []float32 {
		y := make([]float32, n*size)
		for r := 0; r < n; r++ {
			var s float64
			for j := range size {
				y[r*size+j] = float32(rng.Float64())
				s += float64(y[r*size+j])
			}
			for j := range size {
				y[r*size+j] = float32(float64(y[r*size+j]) / s)
			}
		}
		return y
	}
	labels := []float32{2, 0, 3}
	cases := []struct {
		name, loss string
		logits     bool
		out, y     []float32
	}{
		{"sparse_ce", "sparse_categorical_crossentropy", false, probs(), labels},
		{"sparse_ce_logits", "sparse_categorical_crossentropy", true, normals(rng, n*size), labels},
		{"categorical_ce", "categorical_crossentropy", false, probs(), soft()},
		{"categorical_ce_logits", "categorical_crossentropy", true, normals(rng, n*size), soft()},
		{"mse", "mean_squared_error", false, normals(rng, n*size), normals(rng, n*size)},
		{"weighted_sparse_ce", "weighted_sparse_categorical_crossentropy(0.25)", false, probs(), labels},
		{"weighted_sparse_ce_logits", "weighted_sparse_categorical_crossentropy(0.25)", true, normals(rng, n*size), labels},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loss, err := ParseLoss(c.loss)
			require.NoError(t, err)
			eval := func(d []float32) float64 {
				if c.logits {
					return loss.(logitsLoss).LossFromLogits(d, c.out, c.y, n, size)
				}
				return loss.Loss(d, c.out, c.y, n, size)
			}
			analytic := make([]float32, n*size)
			eval(analytic)
			scratch := make([]float32, n*size)
			finiteDifferences(t, "out", c.out, analytic, gradEps, func() (float64, bool) { return eval(scratch), false })
		})
	}
}

// TestGradCheckFusedSoftmax checks the gradients a compiled model computes
// through the fused softmax + cross-entropy path (the loss from the logits,
// (p - onehot)/N into the last layer) against finite differences of the
// loss computed the plain way: Forward to probabilities, then Loss.
func TestGradCheckFusedSoftmax(t *testing.T) {
	convNet := ModelSpec{Input: []int{5, 5, 2}, Layers: []LayerSpec{
		{Type: "Conv2D", Filters: 3, KernelSize: 3, Padding: "same", Activation: "tanh"},
		{Type: "AveragePooling2D", PoolSize: 2}, // smooth: no max-pool winner can swap within ±eps
		{Type: "Flatten"},
		{Type: "Dense", Units: 4, Activation: "softmax"},
	}}
	denseNet := ModelSpec{Input: []int{6}, Layers: []LayerSpec{
		{Type: "Dense", Units: 5, Activation: "sigmoid"},
		{Type: "Dense", Units: 3, Activation: "softmax"},
	}}
	activationNet := ModelSpec{Input: []int{6}, Layers: []LayerSpec{
		{Type: "Dense", Units: 3},
		{Type: "Activation", Activation: "softmax"},
	}}
	cases := []struct {
		name   string
		spec   ModelSpec
		loss   string
		onehot bool
	}{
		{"conv_sparse_ce", convNet, "sparse_categorical_crossentropy", false},
		{"conv_categorical_ce", convNet, "categorical_crossentropy", true},
		{"dense_sparse_ce", denseNet, "sparse_categorical_crossentropy", false},
		{"activation_layer_sparse_ce", activationNet, "sparse_categorical_crossentropy", false},
		{"conv_weighted_sparse_ce", convNet, "weighted_sparse_categorical_crossentropy(0.3)", false},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			const n = 3
			m, err := Build(c.spec, uint64(10+i))
			require.NoError(t, err)
			rng := rand.New(rand.NewPCG(11, uint64(i)))
			for _, p := range m.Params() {
				for j := range p.W {
					p.W[j] = float32(rng.Float64() - 0.5)
				}
			}
			loss, err := ParseLoss(c.loss)
			require.NoError(t, err)
			opt, err := NewOptimizer(OptimizerSpec{Name: "sgd"})
			require.NoError(t, err)
			require.NoError(t, m.Compile(opt, loss))
			require.NotNil(t, m.fused, "the softmax output should be fused with %s", c.loss)

			classes := m.OutShape().Size()
			x := normals(rng, n*m.InShape().Size())
			y := []float32{1, 0, 2}
			if c.onehot {
				y = make([]float32, n*classes)
				for r, k := range []int{1, 0, 2} {
					y[r*classes+k] = 1
				}
			}
			scratch := make([]float32, n*classes)
			plain := func() float64 {
				return loss.Loss(scratch, m.Forward(x, n, false), y, n, classes)
			}
			fusedLoss, _ := m.ComputeGradients(x, y, n)
			require.InDelta(t, plain(), fusedLoss, 1e-6, "fused and plain loss values")
			for pi, p := range m.Params() {
				analytic := append([]float32(nil), p.G...)
				finiteDifferences(t, fmt.Sprintf("param %d (%s)", pi, p.Name), p.W, analytic, gradEps, func() (float64, bool) {
					return plain(), false
				})
			}
		})
	}
}
