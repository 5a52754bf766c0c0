package nn

import (
	"math/rand/v2"

	"convplay/nn/internal/kernel"
)

func init() { registerLayer("Conv2DTranspose", newConv2DTranspose) }

// conv2DTranspose is Keras's Conv2DTranspose ("deconvolution"), the adjoint
// of a convolution: every input cell stamps its kernel, scaled, onto the
// output, at stride S,
//
//	z[n, h*S-P+kh, w*S-P+kw, f] += x[n, h, w, c] * kernel[kh, kw, f, c]   (then + bias[f])
//
// dropping what lands in the padding P, then y = a(z). Output sizes follow
// Keras (transposedSize): valid n*S + max(K-S, 0) (that is (n-1)*S + K when
// K >= S), same n*S. P is the TensorFlow 'same' padding of the forward convolution from
// the output size back to n: max(K-S, 0)/2 before, the odd cell after, as
// tf.nn.conv2d_transpose crops it. It is computed as cols = x · kernelᵀ
// (N*H*W, K*K*F), then col2im onto the output.
type conv2DTranspose struct {
	spec       LayerSpec
	in, out    Shape    // (H, W, C) and (OH, OW, F)
	g          convGeom // the window over the output: the forward conv it is the adjoint of
	act        Activation
	kernel     *Param // (K, K, F, C), Keras's layout: a (K*K*F, C) matrix
	bias       *Param // (F); nil with use_bias=False
	paramsList []*Param
	n          int       // batch size of the last Forward
	x          []float32 // (N, H, W, C) input of the last Forward, owned by the layer before
	cols       []float32 // (N*H*W, K*K*F): x·kernelᵀ in Forward, im2col(dz) in Backward
	z, y       []float32 // (N, OH, OW, F) pre-activation and output (the same when linear)
	dz         []float32 // (N, OH, OW, F)
	dx         []float32 // (N, H, W, C)
	colTask    colTask
}

func newConv2DTranspose(spec LayerSpec, in Shape, rng *rand.Rand) (Layer, error) {
	act, err := parseConvSpec(&spec, in)
	if err != nil {
		return nil, err
	}
	h, w, c, k, s, f := in[0], in[1], in[2], spec.KernelSize, spec.Strides, spec.Filters
	oh, ow := transposedSize(h, k, s, spec.Padding), transposedSize(w, k, s, spec.Padding)
	if err := checkConvTensors(Shape{k, k, f, c}, Shape{oh, ow, f}, Shape{h, w, k, k, f}); err != nil {
		return nil, err
	}
	_, padT := outSize(oh, k, s, spec.Padding)
	_, padL := outSize(ow, k, s, spec.Padding)
	l := &conv2DTranspose{
		spec: spec, in: Shape{h, w, c}, out: Shape{oh, ow, f}, act: act,
		g: convGeom{h: oh, w: ow, c: f, oh: h, ow: w, k: k, s: s, padT: padT, padL: padL},
	}
	l.kernel = newParam("kernel", k, k, f, c)
	glorotUniform(l.kernel.W, f*k*k, c*k*k, rng) // Keras's fans from the (K, K, F, C) shape
	l.paramsList = []*Param{l.kernel}
	if !spec.NoBias {
		l.bias = newParam("bias", f)
		l.paramsList = append(l.paramsList, l.bias)
	}
	return l, nil
}

func (l *conv2DTranspose) Spec() LayerSpec        { return l.spec }
func (l *conv2DTranspose) InShape() Shape         { return l.in }
func (l *conv2DTranspose) OutShape() Shape        { return l.out }
func (l *conv2DTranspose) Params() []*Param       { return l.paramsList }
func (l *conv2DTranspose) activation() Activation { return l.act }
func (l *conv2DTranspose) logits() []float32      { return l.z }

// Forward computes z = col2im(x·kernelᵀ) + bias, then y = a(z).
func (l *conv2DTranspose) Forward(x []float32, n int, _ bool) []float32 {
	rows, patch, c, f := n*l.in[0]*l.in[1], l.g.patch(), l.in[2], l.out[2]
	l.n, l.x = n, x[:rows*c]
	l.cols = grow(l.cols, rows*patch)
	kernel.Gemm(false, true, rows, patch, c, l.x, l.kernel.W, l.cols, false)
	l.z = grow(l.z, n*l.out.Size())
	col2im(&l.colTask, l.z, l.cols, n, &l.g)
	if l.bias != nil {
		addBias(l.z, l.bias.W[:f])
	}
	if l.act == Linear {
		l.y = l.z
		return l.y
	}
	l.y = grow(l.y, len(l.z))
	l.act.forward(l.y, l.z, f)
	return l.y
}

// Backward turns dy into dz = dy * a'(z) and continues as backwardLogits.
func (l *conv2DTranspose) Backward(dy []float32) []float32 {
	if l.act == Linear {
		return l.backwardLogits(dy)
	}
	l.dz = grow(l.dz, len(l.z))
	l.act.backward(l.dz, dy, l.y, l.out[2])
	return l.backwardLogits(l.dz)
}

// backwardLogits sets dcols = im2col(dz), accumulates kernel.G += dcolsᵀ·x
// and bias.G += the column sums of dz, and returns dx = dcols·kernel.
func (l *conv2DTranspose) backwardLogits(dz []float32) []float32 {
	rows, patch, c, f := l.n*l.in[0]*l.in[1], l.g.patch(), l.in[2], l.out[2]
	dz = dz[:l.n*l.out.Size()]
	dcols := grow(l.cols, rows*patch)
	im2col(&l.colTask, dcols, dz, l.n, &l.g)
	kernel.Gemm(true, false, patch, c, rows, dcols, l.x, l.kernel.G, true)
	if l.bias != nil {
		sumRows(l.bias.G[:f], dz)
	}
	l.dx = grow(l.dx, rows*c)
	kernel.Gemm(false, false, rows, c, patch, dcols, l.kernel.W, l.dx, false)
	return l.dx
}
