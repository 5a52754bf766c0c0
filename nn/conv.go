package nn

import (
	"fmt"
	"math/rand/v2"

	"convplay/nn/internal/kernel"
)

func init() { registerLayer("Conv2D", newConv2D) }

// conv2D is Keras's Conv2D: F kernels of K x K x C slide over the input with
// stride S, each giving one output channel,
//
//	z[n, oh, ow, f] = bias[f] + sum over kh, kw, c of x[n, oh*S-P+kh, ow*S-P+kw, c] * kernel[kh, kw, c, f]
//
// (cells in the padding count as 0), then y = a(z). It is computed as one
// matrix product: im2col lays every window out as a row of K*K*C values, and
// cols (N*OH*OW, K*K*C) · kernel (K*K*C, F) is z in NHWC order directly.
// 3x3 stride-1 layers with at least winoMinChannels inputs take the Winograd
// path instead (winograd.go, useWinograd): 16 multiplications per 2x2 block
// of outputs where the direct form needs 36, about twice as fast forward and
// backward on the reference model's layers (BenchmarkWinograd).
type conv2D struct {
	spec       LayerSpec
	in, out    Shape    // (H, W, C) and (OH, OW, F)
	g          convGeom // the window over the input
	act        Activation
	kernel     *Param // (K, K, C, F), Keras HWIO: a (K*K*C, F) matrix
	bias       *Param // (F); nil with use_bias=False
	paramsList []*Param
	n          int       // batch size of the last Forward
	cols       []float32 // (N*OH*OW, K*K*C) im2col of the last input; Backward reuses it for dcols
	colsFresh  bool      // cols holds the last Forward's windows
	z          []float32 // (N, OH, OW, F) pre-activation (logits)
	y          []float32 // (N, OH, OW, F) output; the same slice as z when linear
	dz         []float32 // (N, OH, OW, F)
	dx         []float32 // (N, H, W, C)
	colTask    colTask
	wino       *winograd // the Winograd path for 3x3 stride-1 layers with enough channels, else nil
	noParams   bool      // Backward skips kernel.G and bias.G (set while explaining, why.go)
}

func newConv2D(spec LayerSpec, in Shape, rng *rand.Rand) (Layer, error) {
	act, err := parseConvSpec(&spec, in)
	if err != nil {
		return nil, err
	}
	h, w, c, k, s, f := in[0], in[1], in[2], spec.KernelSize, spec.Strides, spec.Filters
	if spec.Padding == "valid" && (k > h || k > w) {
		return nil, fmt.Errorf("kernel %d larger than input %dx%d with valid padding (use padding same or a smaller kernel)", k, h, w)
	}
	oh, padT := outSize(h, k, s, spec.Padding)
	ow, padL := outSize(w, k, s, spec.Padding)
	if err := checkConvTensors(Shape{k, k, c, f}, Shape{oh, ow, f}, Shape{oh, ow, k, k, c}); err != nil {
		return nil, err
	}
	l := &conv2D{
		spec: spec, in: Shape{h, w, c}, out: Shape{oh, ow, f}, act: act,
		g: convGeom{h: h, w: w, c: c, oh: oh, ow: ow, k: k, s: s, padT: padT, padL: padL},
	}
	if useWinograd(l.g) {
		l.wino = newWinograd(l.g, f)
	}
	l.kernel = newParam("kernel", k, k, c, f)
	glorotUniform(l.kernel.W, k*k*c, k*k*f, rng) // Keras's fans: receptive field times channels
	l.paramsList = []*Param{l.kernel}
	if !spec.NoBias {
		l.bias = newParam("bias", f) // zeros, Keras's default
		l.paramsList = append(l.paramsList, l.bias)
	}
	return l, nil
}

func (l *conv2D) Spec() LayerSpec        { return l.spec }
func (l *conv2D) InShape() Shape         { return l.in }
func (l *conv2D) OutShape() Shape        { return l.out }
func (l *conv2D) Params() []*Param       { return l.paramsList }
func (l *conv2D) activation() Activation { return l.act }
func (l *conv2D) logits() []float32      { return l.z }
func (l *conv2D) skipParamGrads(on bool) { l.noParams = on }

// Forward computes z = im2col(x)·kernel + bias, then y = a(z).
func (l *conv2D) Forward(x []float32, n int, _ bool) []float32 {
	rows, patch, f := n*l.out[0]*l.out[1], l.g.patch(), l.out[2]
	l.n = n
	l.z = grow(l.z, rows*f)
	if l.wino != nil {
		l.wino.forward(l.z, x, l.kernel.W, n)
	} else {
		l.cols = grow(l.cols, rows*patch)
		im2col(&l.colTask, l.cols, x, n, &l.g)
		kernel.Gemm(false, false, rows, f, patch, l.cols, l.kernel.W, l.z, false)
	}
	l.colsFresh = true
	if l.act == Linear {
		if l.bias != nil {
			addBias(l.z, l.bias.W[:f])
		}
		l.y = l.z
		return l.y
	}
	l.y = grow(l.y, rows*f)
	if l.bias != nil {
		l.act.forwardBias(l.y, l.z, l.bias.W, f) // the bias added on the way, in parallel
	} else {
		l.act.forward(l.y, l.z, f)
	}
	return l.y
}

// Backward turns dy into dz = dy * a'(z) and continues as backwardLogits.
func (l *conv2D) Backward(dy []float32) []float32 {
	if l.act == Linear {
		return l.backwardLogits(dy)
	}
	l.dz = grow(l.dz, len(l.z))
	l.act.backward(l.dz, dy, l.y, l.out[2])
	return l.backwardLogits(l.dz)
}

// backwardLogits accumulates kernel.G += colsᵀ·dz and bias.G += the column
// sums of dz (unless noParams), then returns dx = col2im(dz·kernelᵀ). The product dz·kernelᵀ
// overwrites cols, so it runs once per Forward.
func (l *conv2D) backwardLogits(dz []float32) []float32 {
	if !l.colsFresh {
		panic("nn: Conv2D backward twice after one forward")
	}
	l.colsFresh = false
	rows, patch, f := l.n*l.out[0]*l.out[1], l.g.patch(), l.out[2]
	dz = dz[:rows*f]
	if l.bias != nil && !l.noParams {
		sumRows(l.bias.G[:f], dz)
	}
	l.dx = grow(l.dx, l.n*l.in.Size())
	if l.wino != nil {
		kg := l.kernel.G
		if l.noParams {
			kg = nil
		}
		l.wino.backward(l.dx, kg, dz)
		return l.dx
	}
	if !l.noParams {
		kernel.Gemm(true, false, patch, f, rows, l.cols, dz, l.kernel.G, true)
	}
	dcols := l.cols
	kernel.Gemm(false, true, rows, patch, f, dz, l.kernel.W, dcols, false)
	col2im(&l.colTask, l.dx, dcols, l.n, &l.g)
	return l.dx
}

// addBias adds b to every row of z: z[r*len(b)+j] += b[j].
func addBias(z, b []float32) {
	for r := 0; r+len(b) <= len(z); r += len(b) {
		zr := z[r : r+len(b)]
		for j, v := range b {
			zr[j] += v
		}
	}
}

// sumRows adds every row of dz to g: g[j] += sum over r of dz[r*len(g)+j],
// in order of r.
func sumRows(g, dz []float32) {
	for r := 0; r+len(g) <= len(dz); r += len(g) {
		for j, v := range dz[r : r+len(g)] {
			g[j] += v
		}
	}
}

// parseConvSpec checks what Conv2D and Conv2DTranspose share: the input
// shape, filters, kernel size, strides and padding. It fills in Keras's
// defaults (strides 1, padding "valid", activation "linear").
func parseConvSpec(spec *LayerSpec, in Shape) (Activation, error) {
	if len(in) != 3 {
		return 0, fmt.Errorf("%s needs an input of shape (H, W, C), got %v: put it before Flatten and Dense layers", spec.Type, in)
	}
	if spec.Filters <= 0 {
		return 0, fmt.Errorf("filters must be positive, got %d", spec.Filters)
	}
	if spec.KernelSize <= 0 {
		return 0, fmt.Errorf("kernel_size must be positive, got %d", spec.KernelSize)
	}
	if spec.Strides < 0 {
		return 0, fmt.Errorf("strides must be positive, got %d", spec.Strides)
	}
	if spec.Strides == 0 {
		spec.Strides = 1
	}
	if err := checkWindow("kernel_size", spec.KernelSize); err != nil {
		return 0, err
	}
	if err := checkWindow("strides", spec.Strides); err != nil {
		return 0, err
	}
	switch spec.Padding {
	case "":
		spec.Padding = "valid"
	case "valid", "same":
	default:
		return 0, fmt.Errorf("unknown padding %q (want valid or same)", spec.Padding)
	}
	act, err := ParseActivation(spec.Activation)
	if err != nil {
		return 0, err
	}
	spec.Activation = act.String()
	return act, nil
}

// checkConvTensors bounds what a convolution layer will hold per sample
// (geometry.go): its kernel, its output and its im2col rows (OH*OW windows
// of K*K*C for Conv2D; H*W of K*K*F for Conv2DTranspose).
func checkConvTensors(kernel, out, cols Shape) error {
	if err := checkTensor("kernel", kernel...); err != nil {
		return err
	}
	if err := checkTensor("output", out...); err != nil {
		return err
	}
	return checkTensor("im2col rows", cols...)
}
