package nn

// Golden tests: every layer, loss, the reference model and the optimizers
// against PyTorch, computed in float64 by testdata/golden/gen.py. The
// fixtures are read with npyio, not with the package's own npz reader, so
// that the check does not depend on code under test. No Python is needed at
// test time.

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npz"
	"github.com/stretchr/testify/require"
)

const goldenDir = "testdata/golden"

// goldenCase is one entry of testdata/golden/index.json.
type goldenCase struct {
	Name  string    `json:"name"`
	Kind  string    `json:"kind"` // "layer", "loss", "model" or "optimizer"
	N     int       `json:"n"`    // batch size
	Input []int     `json:"input"`
	Layer LayerSpec `json:"layer"`
	Loss  struct {
		Name       string `json:"name"`
		FromLogits bool   `json:"from_logits"`
	} `json:"loss"`
	Model      ModelSpec     `json:"model"`
	WeightSeed uint64        `json:"weight_seed"`
	Optimizer  OptimizerSpec `json:"optimizer"`
	Steps      int           `json:"steps"`
}

// goldenArray is one array of a fixture, float32 in Keras/NHWC layout.
type goldenArray struct {
	Shape []int
	Data  []float32
}

func loadGoldenIndex(t *testing.T) []goldenCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, "index.json"))
	require.NoError(t, err)
	var idx struct {
		Cases []goldenCase `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(b, &idx))
	require.NotEmpty(t, idx.Cases)
	return idx.Cases
}

func goldenCases(t *testing.T, kind string) []goldenCase {
	var cs []goldenCase
	for _, c := range loadGoldenIndex(t) {
		if c.Kind == kind {
			cs = append(cs, c)
		}
	}
	require.NotEmpty(t, cs, "no %s cases in the index", kind)
	return cs
}

// loadGolden reads every array of the case's .npz file.
func loadGolden(t *testing.T, name string) map[string]goldenArray {
	t.Helper()
	r, err := npz.Open(filepath.Join(goldenDir, name+".npz"))
	require.NoError(t, err)
	defer r.Close()
	arrays := map[string]goldenArray{}
	for _, key := range r.Keys() {
		var data []float32
		require.NoError(t, r.Read(key, &data), "%s: %s", name, key)
		shape := append([]int{}, r.Header(key).Descr.Shape...)
		arrays[strings.TrimSuffix(key, ".npy")] = goldenArray{Shape: shape, Data: data}
	}
	return arrays
}

func mustArray(t *testing.T, arrays map[string]goldenArray, key string) goldenArray {
	t.Helper()
	a, ok := arrays[key]
	require.True(t, ok, "fixture has no array %q", key)
	return a
}

// assertClose checks |got - want| <= rtol*|want| + atol*max|want| element
// by element: relative for the large values, with a floor scaled to the
// array for the values that come out of cancellation.
func assertClose(t *testing.T, what string, got, want []float32, rtol, atol float64) {
	t.Helper()
	require.Len(t, got, len(want), what)
	var scale float64
	for _, w := range want {
		scale = max(scale, math.Abs(float64(w)))
	}
	bad, worst, worstAt := 0, 0.0, -1
	for i, w := range want {
		d := math.Abs(float64(got[i]) - float64(w))
		lim := rtol*math.Abs(float64(w)) + atol*scale
		if !(d <= lim) { // also catches NaN
			bad++
			if r := d / lim; !(r <= worst) {
				worst, worstAt = r, i
			}
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values differ; worst at %d: got %v, want %v (%.3gx the tolerance)",
			what, bad, len(want), worstAt, got[worstAt], want[worstAt], worst)
	}
}

// Tolerances against the float64 reference. A layer computes each value
// with a handful of float32 roundings; the reference model chains twelve
// layers and sums over up to 28*28*2 positions for a kernel's gradient.
// Measured worst errors: 0.38 of the layer tolerance (a Conv2DTranspose
// bias gradient), 0.22 of the model's (conv2d_5's kernel gradient).
const (
	layerRtol, layerAtol = 1e-5, 1e-6
	modelRtol, modelAtol = 3e-5, 3e-6
)

func TestGoldenLayers(t *testing.T) {
	for _, c := range goldenCases(t, "layer") {
		t.Run(c.Name, func(t *testing.T) {
			a := loadGolden(t, c.Name)
			l, err := buildLayer(c.Layer, Shape(c.Input), rand.New(rand.NewPCG(1, 2)))
			require.NoError(t, err)
			y := mustArray(t, a, "y")
			require.Equal(t, y.Shape[1:], []int(l.OutShape()), "output shape")
			for _, p := range l.Params() {
				w := mustArray(t, a, p.Name)
				require.Equal(t, w.Shape, p.Shape, "%s shape", p.Name)
				copy(p.W, w.Data)
			}
			require.Len(t, l.Params(), (len(a)-4)/2, "parameters in the fixture")
			x, dy := mustArray(t, a, "x").Data, mustArray(t, a, "dy").Data

			// Twice: the second pass reuses the layer's buffers and must
			// give the same output, and Backward must accumulate.
			for pass := 1; pass <= 2; pass++ {
				got := l.Forward(append([]float32(nil), x...), c.N, true)
				assertClose(t, fmt.Sprintf("pass %d: y", pass), got, y.Data, layerRtol, layerAtol)
				dx := l.Backward(append([]float32(nil), dy...))
				assertClose(t, fmt.Sprintf("pass %d: dx", pass), dx, mustArray(t, a, "dx").Data, layerRtol, layerAtol)
				for _, p := range l.Params() {
					want := scaled(mustArray(t, a, "d"+p.Name).Data, float32(pass))
					assertClose(t, fmt.Sprintf("pass %d: d%s (accumulated)", pass, p.Name), p.G, want, layerRtol, layerAtol)
				}
			}
		})
	}
}

func scaled(v []float32, s float32) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = x * s
	}
	return out
}

func TestGoldenLosses(t *testing.T) {
	for _, c := range goldenCases(t, "loss") {
		t.Run(c.Name, func(t *testing.T) {
			a := loadGolden(t, c.Name)
			loss, err := ParseLoss(c.Loss.Name)
			require.NoError(t, err)
			out, y := mustArray(t, a, "out"), mustArray(t, a, "y")
			n, size := c.N, out.Shape[1]
			dOut := make([]float32, n*size)
			var value float64
			if c.Loss.FromLogits {
				ll, ok := loss.(logitsLoss)
				require.True(t, ok, "%s has no logits path", c.Loss.Name)
				value = ll.LossFromLogits(dOut, out.Data, y.Data, n, size)
			} else {
				value = loss.Loss(dOut, out.Data, y.Data, n, size)
			}
			want := float64(mustArray(t, a, "loss").Data[0])
			require.InDelta(t, want, value, 1e-6*math.Abs(want)+1e-7, "loss value")
			assertClose(t, "dout", dOut, mustArray(t, a, "dout").Data, layerRtol, layerAtol)
		})
	}
}

// goldenUniform is gen.py's hash_uniform: count values in [-1, 1) from a
// splitmix64-style hash of (seed, i), each k/2^23 - 1 for a 24-bit k.
func goldenUniform(seed uint64, count int) []float64 {
	u := make([]float64, count)
	for i := range u {
		z := seed*0x9E3779B97F4A7C15 + uint64(i+1)*0xBF58476D1CE4E5B9
		z ^= z >> 31
		z *= 0x94D049BB133111EB
		z ^= z >> 29
		u[i] = float64(int64(z>>40)-1<<23) / (1 << 23)
	}
	return u
}

// setGoldenWeights sets a model's weights as gen.py's hashed_weights draws
// them: parameter p from seed+p, kernels scaled by Glorot's limit
// sqrt(6/(fan_in+fan_out)), biases by 0.1.
func setGoldenWeights(m *Model, seed uint64) {
	for p, prm := range m.Params() {
		scale := 0.1
		if len(prm.Shape) > 1 {
			receptive := Shape(prm.Shape[:len(prm.Shape)-2]).Size()
			fanIn, fanOut := receptive*prm.Shape[len(prm.Shape)-2], receptive*prm.Shape[len(prm.Shape)-1]
			scale = math.Sqrt(6 / float64(fanIn+fanOut))
		}
		for i, u := range goldenUniform(seed+uint64(p), len(prm.W)) {
			prm.W[i] = float32(u * scale)
		}
	}
}

func TestGoldenUniformMatchesGenerator(t *testing.T) {
	// Values printed by gen.py's hash_uniform(1000, 3) and (7, 2): the
	// reference model's weights depend on the two agreeing bit for bit.
	require.Equal(t, []float64{0.1979275941848755, -0.08174359798431396, -0.5288047790527344}, goldenUniform(1000, 3))
	require.Equal(t, []float64{-0.5436102151870728, 0.9739214181900024}, goldenUniform(7, 2))
}

func TestGoldenModel(t *testing.T) {
	for _, c := range goldenCases(t, "model") {
		t.Run(c.Name, func(t *testing.T) {
			a := loadGolden(t, c.Name)
			m, err := Build(c.Model, 1)
			require.NoError(t, err)
			setGoldenWeights(m, c.WeightSeed)
			opt, err := NewOptimizer(OptimizerSpec{Name: "sgd"})
			require.NoError(t, err)
			loss, err := ParseLoss("sparse_categorical_crossentropy")
			require.NoError(t, err)
			require.NoError(t, m.Compile(opt, loss))

			x, labels := mustArray(t, a, "x").Data, mustArray(t, a, "labels").Data
			probs, err := m.Predict(x, c.N)
			require.NoError(t, err)
			assertClose(t, "probabilities", probs, mustArray(t, a, "probs").Data, modelRtol, modelAtol)

			got, _ := m.ComputeGradients(x, labels, c.N)
			want := float64(mustArray(t, a, "loss").Data[0])
			require.InDelta(t, want, got, 1e-5*want, "loss")
			params := m.Params()
			require.Len(t, params, len(a)-4, "parameters in the fixture")
			for i, p := range params {
				g := mustArray(t, a, fmt.Sprintf("g%d", i))
				require.Equal(t, g.Shape, p.Shape)
				assertClose(t, fmt.Sprintf("gradient %d (%s of %s)", i, p.Name, shapeOwner(m, p)), p.G, g.Data, modelRtol, modelAtol)
			}
		})
	}
}

// shapeOwner names the layer that holds p, for messages.
func shapeOwner(m *Model, p *Param) string {
	for _, l := range m.Layers {
		for _, q := range l.Params() {
			if q == p {
				return l.Spec().Name
			}
		}
	}
	return "?"
}

func TestGoldenOptimizers(t *testing.T) {
	for _, c := range goldenCases(t, "optimizer") {
		t.Run(c.Name, func(t *testing.T) {
			a := loadGolden(t, c.Name)
			m, err := Build(c.Model, 1)
			require.NoError(t, err)
			for i, p := range m.Params() {
				w := mustArray(t, a, fmt.Sprintf("w%d", i))
				require.Equal(t, w.Shape, p.Shape)
				copy(p.W, w.Data)
			}
			opt, err := NewOptimizer(c.Optimizer)
			require.NoError(t, err)
			require.Equal(t, c.Optimizer, opt.Spec(), "the fixture spells out every hyperparameter")
			loss, err := ParseLoss("sparse_categorical_crossentropy")
			require.NoError(t, err)
			require.NoError(t, m.Compile(opt, loss))

			x, labels := mustArray(t, a, "x").Data, mustArray(t, a, "labels").Data
			losses := mustArray(t, a, "losses").Data
			require.Len(t, losses, c.Steps)
			for step := 1; step <= c.Steps; step++ {
				got, _ := m.ComputeGradients(x, labels, c.N)
				require.InDelta(t, float64(losses[step-1]), got, 1e-5*float64(losses[step-1]), "loss before step %d", step)
				m.ApplyGradients()
				for i, p := range m.Params() {
					want := mustArray(t, a, fmt.Sprintf("step%d_w%d", step, i)).Data
					assertClose(t, fmt.Sprintf("step %d: weights %d", step, i), p.W, want, layerRtol, layerAtol)
				}
			}
		})
	}
}
