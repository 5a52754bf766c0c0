package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"convplay/nn/internal/kernel"
)

// refConvs are the conv layers of the reference model (3x3, stride 1, same):
// input H = W, channels C, filters F.
var refConvs = []struct {
	name     string
	hw, c, f int
}{
	{"conv1_28x28x1-32", 28, 1, 32},
	{"conv2_28x28x32-32", 28, 32, 32},
	{"conv3_14x14x32-64", 14, 32, 64},
	{"conv4_14x14x64-64", 14, 64, 64},
	{"conv5_7x7x64-128", 7, 64, 128},
	{"conv6_7x7x128-128", 7, 128, 128},
}

// BenchmarkGemm runs gemm at the shapes a batch of 32 gives each reference
// conv layer: forward cols·W (N*H*W x K*K*C by K*K*C x F), the kernel
// gradient cols^T·dy and the input gradient dy·W^T.
func BenchmarkGemm(b *testing.B) {
	const batch = 32
	rng := rand.New(rand.NewPCG(1, 1))
	for _, l := range refConvs {
		rows, kkc := batch*l.hw*l.hw, 9*l.c
		cols, w, y := randSlice(rng, rows*kkc), randSlice(rng, kkc*l.f), randSlice(rng, rows*l.f)
		for _, op := range []struct {
			name           string
			transA, transB bool
			m, n, k        int
			a, b, c        []float32
			acc            bool
		}{
			{"forward", false, false, rows, l.f, kkc, cols, w, y, false},
			{"dW", true, false, kkc, l.f, rows, cols, y, w, true},
			{"dX", false, true, rows, kkc, l.f, y, w, cols, false},
		} {
			b.Run(fmt.Sprintf("%s/%s", l.name, op.name), func(b *testing.B) {
				benchGemmCall(b, op.transA, op.transB, op.m, op.n, op.k, op.a, op.b, op.c, op.acc)
			})
		}
	}
}

// benchGemmCall times one gemm call, after a first call that grows the
// workspace, reporting allocations and GFLOP/s (also per CPU-second).
func benchGemmCall(b *testing.B, transA, transB bool, m, n, k int, a, bm, c []float32, acc bool) {
	kernel.Gemm(transA, transB, m, n, k, a, bm, c, acc)
	b.ReportAllocs()
	cpu := cpuSeconds()
	for b.Loop() {
		kernel.Gemm(transA, transB, m, n, k, a, bm, c, acc)
	}
	reportFLOPs(b, 2*float64(m)*float64(n)*float64(k), cpu)
}

// BenchmarkConv2D is one training step's work (Forward and Backward) of the
// reference model's 14x14x64 -> 64 layer (3x3, same, ReLU) on a batch of 32;
// GFLOP/s counts the direct convolution's three products, 3 x
// 2*N*OH*OW*K*K*C*F, though the layer takes the Winograd path (fewer).
func BenchmarkConv2D(b *testing.B) {
	const batch = 32
	rng := rand.New(rand.NewPCG(2, 2))
	l, err := buildLayer(LayerSpec{Type: "Conv2D", Filters: 64, KernelSize: 3, Padding: "same", Activation: "relu"}, Shape{14, 14, 64}, rng)
	if err != nil {
		b.Fatal(err)
	}
	x, dy := randSlice(rng, batch*14*14*64), randSlice(rng, batch*14*14*64)
	b.Run("14x14x64-64/forward+backward", func(b *testing.B) {
		l.Forward(x, batch, true) // grow the buffers
		l.Backward(dy)
		b.ReportAllocs()
		cpu := cpuSeconds()
		for b.Loop() {
			l.Forward(x, batch, true)
			l.Backward(dy)
		}
		reportFLOPs(b, 3*2*float64(batch*14*14)*9*64*64, cpu)
	})
}

// reportFLOPs reports GFLOP/s, flopPerOp per b.N operations over the wall
// clock, and GFLOP/cpu-s over the CPU time used since cpuStart (where
// measured): the rate per busy core, which a loaded machine does not dilute.
func reportFLOPs(b *testing.B, flopPerOp, cpuStart float64) {
	flops := flopPerOp * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu := cpuSeconds() - cpuStart; cpuStart > 0 && cpu > 0 {
		b.ReportMetric(flops/cpu/1e9, "GFLOP/cpu-s")
	}
}
