package nn

// Native and WebAssembly builds must train bit-identically: the same seed
// gives the same weights, the same dropout masks and the same updates, so a
// lesson's link reproduces on any machine. The test trains small conv
// models for a few steps and compares the loss's bits and SHA-256 digests
// of the weights' float32 bits after every step with
// testdata/crossplatform.json, which was written natively (go test -run
// TestCrossPlatform ./nn/ -update-crossplatform) and must hold under
// `make test-wasm` too. Run it on arm64 as well (GOARCH=arm64 go test -exec
// qemu-aarch64 -run CrossPlatform ./nn/): there Go fuses x*y+z into one
// FMA unless an explicit conversion rounds the product.

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

var updateCrossPlatform = flag.Bool("update-crossplatform", false, "rewrite testdata/crossplatform.json from this platform's run")

const crossPlatformFile = "testdata/crossplatform.json"

// crossPlatformFixture is the committed fixture: one record per model.
type crossPlatformFixture struct {
	Note   string                         `json:"note"`
	Models map[string]crossPlatformRecord `json:"models"`
}

// crossPlatformRecord is one model's run: per step, the loss's float64
// bits and the digest of every weight's float32 bits (FlatWeights order,
// little-endian).
type crossPlatformRecord struct {
	Initial string   `json:"initial"` // digest of the weights as Build made them
	Losses  []string `json:"losses"`  // hex of math.Float64bits
	Weights []string `json:"weights"` // digest after each step
}

// crossPlatformCase is one training run the fixture pins.
type crossPlatformCase struct {
	model ModelSpec
	opt   OptimizerSpec
	loss  string
	// reconstruct trains the model to output its input clipped to [0, 1]
	// (an autoencoder); otherwise the targets are class indices.
	reconstruct bool
}

// crossPlatformCases use every nonlinearity that goes through math.Exp or
// math.Tanh (sigmoid, tanh, softmax, log-sum-exp in the fused loss), both
// poolings, Conv2DTranspose, Dropout's seeded masks, SGD with momentum and
// Adam (math.Sqrt, math.Pow), and gemm on inputs big enough to be blocked
// and split over workers natively.
var crossPlatformCases = map[string]crossPlatformCase{
	"conv": {
		model: ModelSpec{Input: []int{12, 12, 2}, Layers: []LayerSpec{
			{Type: "Conv2D", Filters: 8, KernelSize: 3, Padding: "same", Activation: "relu"},
			{Type: "MaxPooling2D", PoolSize: 2},
			{Type: "Conv2D", Filters: 16, KernelSize: 3, Strides: 2, Padding: "same", Activation: "tanh"},
			{Type: "AveragePooling2D", PoolSize: 2, Padding: "same"},
			{Type: "Flatten"},
			{Type: "Dropout", Rate: 0.25},
			{Type: "Dense", Units: 24, Activation: "sigmoid"},
			{Type: "Dense", Units: 5, Activation: "softmax"},
		}},
		opt:  OptimizerSpec{Name: "sgd", LearningRate: 0.05, Momentum: 0.9},
		loss: "sparse_categorical_crossentropy",
	},
	"autoencoder": {
		model: ModelSpec{Input: []int{12, 12, 2}, Layers: []LayerSpec{
			{Type: "Conv2D", Filters: 6, KernelSize: 3, Strides: 2, Padding: "same", Activation: "relu"},
			{Type: "Conv2DTranspose", Filters: 2, KernelSize: 3, Strides: 2, Padding: "same", Activation: "sigmoid"},
		}},
		opt:         OptimizerSpec{Name: "adam", LearningRate: 0.01},
		loss:        "mean_squared_error",
		reconstruct: true,
	},
}

const (
	crossPlatformSeed    = 20260101
	crossPlatformSamples = 40
	crossPlatformBatch   = 20
	crossPlatformSteps   = 6
)

func digestWeights(m *Model) string {
	w := m.FlatWeights(nil)
	b := make([]byte, 4*len(w))
	for i, v := range w {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// runCrossPlatform trains a model and records what the fixture holds.
func runCrossPlatform(t *testing.T, c crossPlatformCase) crossPlatformRecord {
	m, err := Build(c.model, crossPlatformSeed)
	require.NoError(t, err)
	opt, err := NewOptimizer(c.opt)
	require.NoError(t, err)
	loss, err := ParseLoss(c.loss)
	require.NoError(t, err)
	require.NoError(t, m.Compile(opt, loss))

	// Synthetic data from a seeded integer generator (no math functions):
	// each class brightens its own band of rows, plus noise.
	rng := rand.New(rand.NewPCG(crossPlatformSeed, 1))
	in := m.InShape()
	x := make([]float32, crossPlatformSamples*in.Size())
	y := make([]float32, crossPlatformSamples)
	for s := range crossPlatformSamples {
		class := s % 5
		y[s] = float32(class)
		for i := range in.Size() {
			row := i / (in[1] * in[2])
			v := rng.Float64()*2 - 1
			if row/3 == class%4 {
				v += 1.5
			}
			x[s*in.Size()+i] = float32(v)
		}
	}

	ts := 1
	if c.reconstruct {
		ts = in.Size()
		y = make([]float32, len(x))
		for i, v := range x {
			y[i] = min(max(v, 0), 1)
		}
	}

	rec := crossPlatformRecord{Initial: digestWeights(m)}
	size := in.Size()
	for step := range crossPlatformSteps {
		first := (step * crossPlatformBatch) % crossPlatformSamples
		bx := x[first*size : (first+crossPlatformBatch)*size]
		by := y[first*ts : (first+crossPlatformBatch)*ts]
		l, _ := m.ComputeGradients(bx, by, crossPlatformBatch)
		m.ApplyGradients()
		rec.Losses = append(rec.Losses, hexBits(l))
		rec.Weights = append(rec.Weights, digestWeights(m))
	}
	return rec
}

func hexBits(v float64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], math.Float64bits(v))
	return hex.EncodeToString(b[:])
}

func TestCrossPlatform(t *testing.T) {
	got := crossPlatformFixture{
		Note:   "written by go test -run TestCrossPlatform ./nn/ -update-crossplatform; must also hold under GOOS=js GOARCH=wasm",
		Models: map[string]crossPlatformRecord{},
	}
	for name, c := range crossPlatformCases {
		got.Models[name] = runCrossPlatform(t, c)
	}
	path := filepath.FromSlash(crossPlatformFile)
	if *updateCrossPlatform {
		b, err := json.MarshalIndent(got, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, append(b, '\n'), 0o644))
		t.Logf("wrote %s on %s/%s", path, runtime.GOOS, runtime.GOARCH)
	}
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var want crossPlatformFixture
	require.NoError(t, json.Unmarshal(b, &want))
	require.Len(t, want.Models, len(crossPlatformCases))

	for name := range crossPlatformCases {
		t.Run(name, func(t *testing.T) {
			w, g := want.Models[name], got.Models[name]
			require.Len(t, w.Weights, crossPlatformSteps)
			// Report the first point of divergence, which says where to look.
			require.Equal(t, w.Initial, g.Initial, "%s/%s: initial weights (Build's seeded init) differ", runtime.GOOS, runtime.GOARCH)
			for i := range w.Weights {
				require.Equal(t, w.Losses[i], g.Losses[i], "%s/%s: loss of step %d differs (forward pass or loss)", runtime.GOOS, runtime.GOARCH, i+1)
				require.Equal(t, w.Weights[i], g.Weights[i], "%s/%s: weights after step %d differ (backward pass or update)", runtime.GOOS, runtime.GOARCH, i+1)
			}
		})
	}
}

// TestCrossPlatformTrains checks that the runs the fixture pins are real
// training: the loss falls and every step changes the weights.
func TestCrossPlatformTrains(t *testing.T) {
	for name, c := range crossPlatformCases {
		t.Run(name, func(t *testing.T) {
			rec := runCrossPlatform(t, c)
			var losses []float64
			for _, h := range rec.Losses {
				b, err := hex.DecodeString(h)
				require.NoError(t, err)
				losses = append(losses, math.Float64frombits(binary.BigEndian.Uint64(b)))
			}
			require.Less(t, losses[len(losses)-1], losses[0], "loss %v does not fall", losses)
			prev := rec.Initial
			for i, w := range rec.Weights {
				require.NotEqual(t, prev, w, "step %d changed no weight", i+1)
				prev = w
			}
		})
	}
}
