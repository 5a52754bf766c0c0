package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"convplay/nn/internal/kernel"
)

// im2colPath is conv2D's im2col + gemm path without bias and activation,
// with its buffers allocated once: what Winograd is measured against.
type im2colPath struct {
	g               convGeom
	f, n            int
	cols, z, dk, dx []float32
	task            colTask
}

func (p *im2colPath) forward(x, kern []float32) {
	rows := p.n * p.g.oh * p.g.ow
	im2col(&p.task, p.cols, x, p.n, &p.g)
	kernel.Gemm(false, false, rows, p.f, p.g.patch(), p.cols, kern, p.z, false)
}

func (p *im2colPath) backward(kern, dz []float32) {
	rows := p.n * p.g.oh * p.g.ow
	kernel.Gemm(true, false, p.g.patch(), p.f, rows, p.cols, dz, p.dk, true)
	kernel.Gemm(false, true, rows, p.g.patch(), p.f, dz, kern, p.cols, false)
	col2im(&p.task, p.dx, p.cols, p.n, &p.g)
}

// BenchmarkWinograd compares Winograd F(2x2, 3x3) with im2col + gemm on
// each reference conv layer (3x3, stride 1, same) at batch 32, forward and
// forward+backward, the two paths interleaved within each layer so that
// their ratio comes from the same stretch of a noisy machine. GFLOP/s
// counts the direct convolution's work (2*N*OH*OW*9*C*F per product, 3
// products for forward+backward), so the two paths are on one scale.
func BenchmarkWinograd(b *testing.B) {
	for _, l := range refConvs {
		benchWinograd(b, l.name, l.hw, l.c, l.f)
	}
}

// BenchmarkWinogradChannels finds where Winograd starts to pay as the input
// channels grow (28x28 maps, 32 filters, batch 32): with few channels its
// 16 products are thin (gemm's k or n is C) and its transforms dominate.
func BenchmarkWinogradChannels(b *testing.B) {
	for _, c := range []int{1, 2, 4, 8, 16} {
		benchWinograd(b, fmt.Sprintf("28x28x%d-32", c), 28, c, 32)
	}
}

// benchWinograd runs both paths on a batch of 32 maps hw x hw x c with f
// filters, 3x3 same.
func benchWinograd(b *testing.B, name string, hw, c, f int) {
	const batch = 32
	rng := rand.New(rand.NewPCG(9, uint64(c*1000+f)))
	g := winoGeom(hw, hw, c, "same")
	x, kernel := randSlice(rng, batch*hw*hw*c), randSlice(rng, 9*c*f)
	dz := randSlice(rng, batch*hw*hw*f)
	w := newWinograd(g, f)
	z, dx, dk := make([]float32, len(dz)), make([]float32, len(x)), make([]float32, len(kernel))
	p := &im2colPath{g: g, f: f, n: batch,
		cols: make([]float32, batch*hw*hw*g.patch()), z: make([]float32, len(dz)),
		dk: make([]float32, len(kernel)), dx: make([]float32, len(x))}
	direct := 2 * float64(batch*hw*hw) * 9 * float64(c*f)
	for _, bc := range []struct {
		name string
		flop float64
		run  func()
	}{
		{"forward/winograd", direct, func() { w.forward(z, x, kernel, batch) }},
		{"forward/im2col", direct, func() { p.forward(x, kernel) }},
		{"forward+backward/winograd", 3 * direct, func() {
			w.forward(z, x, kernel, batch)
			w.backward(dx, dk, dz)
		}},
		{"forward+backward/im2col", 3 * direct, func() {
			p.forward(x, kernel)
			p.backward(kernel, dz)
		}},
	} {
		b.Run(name+"/"+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			bc.run() // grows the buffers
			cpu := cpuSeconds()
			for b.Loop() {
				bc.run()
			}
			reportFLOPs(b, bc.flop, cpu)
		})
	}
}
