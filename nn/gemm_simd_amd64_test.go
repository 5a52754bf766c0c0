//go:build amd64 && !noasm

package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The engine on gemm's AVX2 micro-kernel and on the pure-Go one: the same
// bits. The kernels' own comparisons are in package kernel
// (gemm_amd64_test.go, winovec_amd64_test.go).

// requireSameBits compares two slices bit for bit (NaN and -0 included).
func requireSameBits(t *testing.T, want, got []float32, what string) {
	t.Helper()
	require.Len(t, got, len(want), what)
	for i := range want {
		if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
			require.Failf(t, "bits differ", "%s: element %d: %v (%#x), want %v (%#x)",
				what, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

// TestModelStepAsmMatchesGo: a training step of the reference model, whose
// gemm shapes come from Winograd, im2col and dense layers, gives the same
// loss and weights bit for bit on either path.
func TestModelStepAsmMatchesGo(t *testing.T) {
	const n = 4
	var losses [2]float64
	var weights [2][]float32
	for i, on := range []bool{false, true} {
		withSIMD(on, func() {
			m := mtCompiled(t, ReferenceSpec(), 1, OptimizerSpec{Name: "sgd", LearningRate: 0.01}, "sparse_categorical_crossentropy")
			x, y := mtBatch(2, n, 28*28, 10)
			for range 2 {
				losses[i], _ = m.ComputeGradients(x, y, n)
				m.ApplyGradients()
			}
			weights[i] = m.FlatWeights(nil)
		})
	}
	assert.Equal(t, math.Float64bits(losses[0]), math.Float64bits(losses[1]), "loss %v vs %v", losses[0], losses[1])
	requireSameBits(t, weights[0], weights[1], "weights")
}

// BenchmarkGemmAsm compares the two paths in one binary at the shapes the
// Winograd path gives the reference model's conv layers on a batch of 32
// (one block of bt tiles, one of the 16 products: forward V·U, the kernel
// gradient Vᵀ·Z and the input gradient Z·Uᵀ) and at the dense layer's.
func BenchmarkGemmAsm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 3))
	for _, s := range []struct {
		name       string
		bt, c, f   int
		denseBatch bool
	}{
		{"wino_conv2_bt252_32-32", 252, 32, 32, false},
		{"wino_conv4_bt126_64-64", 126, 64, 64, false},
		{"wino_conv6_bt64_128-128", 64, 128, 128, false},
		{"dense_32x1152-128", 32, 1152, 128, true},
	} {
		v, u, z := randSlice(rng, s.bt*s.c), randSlice(rng, s.c*s.f), randSlice(rng, s.bt*s.f)
		for _, op := range []struct {
			name           string
			transA, transB bool
			m, n, k        int
			a, b, c        []float32
			acc            bool
		}{
			{"forward", false, false, s.bt, s.f, s.c, v, u, z, false},
			{"dW", true, false, s.c, s.f, s.bt, v, z, u, true},
			{"dX", false, true, s.bt, s.c, s.f, z, u, v, false},
		} {
			for _, asm := range []bool{false, true} {
				path := map[bool]string{false: "go", true: "avx2"}[asm]
				b.Run(fmt.Sprintf("%s/%s/%s", s.name, op.name, path), func(b *testing.B) {
					withSIMD(asm, func() {
						benchGemmCall(b, op.transA, op.transB, op.m, op.n, op.k, op.a, op.b, op.c, op.acc)
					})
				})
			}
		}
	}
}

// BenchmarkModelTrainStep32Asm is BenchmarkModelTrainStep32 on either gemm
// path in one binary, also reporting images per CPU-second, which a loaded
// machine does not dilute.
func BenchmarkModelTrainStep32Asm(b *testing.B) {
	const n = 32
	for _, asm := range []bool{false, true} {
		b.Run(map[bool]string{false: "go", true: "avx2"}[asm], func(b *testing.B) {
			withSIMD(asm, func() {
				m, x, y := benchReference(b, n)
				m.ComputeGradients(x, y, n)
				m.ApplyGradients()
				b.ReportAllocs()
				cpu := cpuSeconds()
				iters := 0
				for b.Loop() {
					m.ComputeGradients(x, y, n)
					m.ApplyGradients()
					iters++
				}
				reportImages(b, iters, n, refStepFLOP)
				if used := cpuSeconds() - cpu; cpu > 0 && used > 0 {
					b.ReportMetric(float64(iters*n)/used, "images/cpu-s")
				}
			})
		})
	}
}

func TestWinogradPacksOnlyForGoKernelAVX2(t *testing.T) {
	checkPacksOnlyForGoKernel(t, withSIMD)
}
