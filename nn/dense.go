package nn

import (
	"fmt"
	"math/rand/v2"

	"convplay/nn/internal/kernel"
)

func init() { registerLayer("Dense", newDense) }

// dense is Keras's Dense: y = a(x·kernel + bias) for each sample's vector x.
type dense struct {
	spec       LayerSpec
	in, out    Shape // (D_in) and (D_out)
	act        Activation
	kernel     *Param    // (D_in, D_out)
	bias       *Param    // (D_out); nil with use_bias=False
	n          int       // batch size of the last Forward
	x          []float32 // (N, D_in) input of the last Forward, owned by the layer before
	z          []float32 // (N, D_out) pre-activation (logits) of the last Forward
	y          []float32 // (N, D_out) output; the same slice as z when the activation is linear
	dz, dx     []float32 // (N, D_out) and (N, D_in) gradients of the last Backward
	paramsList []*Param
	noParams   bool // Backward skips kernel.G and bias.G (set while explaining, why.go)
}

func newDense(spec LayerSpec, in Shape, rng *rand.Rand) (Layer, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("Dense needs a vector input (1 axis), got %v: add a Flatten layer before it", in)
	}
	if spec.Units <= 0 {
		return nil, fmt.Errorf("units must be positive, got %d", spec.Units)
	}
	act, err := ParseActivation(spec.Activation)
	if err != nil {
		return nil, err
	}
	spec.Activation = act.String()
	din, dout := in[0], spec.Units
	if err := checkTensor("kernel", din, dout); err != nil {
		return nil, err
	}
	d := &dense{spec: spec, in: Shape{din}, out: Shape{dout}, act: act}
	d.kernel = newParam("kernel", din, dout)
	glorotUniform(d.kernel.W, din, dout, rng)
	d.paramsList = []*Param{d.kernel}
	if !spec.NoBias {
		d.bias = newParam("bias", dout) // zeros, Keras's default
		d.paramsList = append(d.paramsList, d.bias)
	}
	return d, nil
}

func (d *dense) Spec() LayerSpec        { return d.spec }
func (d *dense) InShape() Shape         { return d.in }
func (d *dense) OutShape() Shape        { return d.out }
func (d *dense) Params() []*Param       { return d.paramsList }
func (d *dense) activation() Activation { return d.act }
func (d *dense) logits() []float32      { return d.z }
func (d *dense) skipParamGrads(on bool) { d.noParams = on }

// Forward computes z = x·kernel + bias, then y = a(z).
//
// Reference loop: for n, j: z[n,j] = bias[j] + sum over i of x[n,i]*kernel[i,j].
func (d *dense) Forward(x []float32, n int, _ bool) []float32 {
	din, dout := d.in[0], d.out[0]
	d.n, d.x = n, x[:n*din]
	d.z = grow(d.z, n*dout)
	kernel.Gemm(false, false, n, dout, din, d.x, d.kernel.W, d.z, false)
	if d.bias != nil {
		b := d.bias.W[:dout]
		for r := 0; r < len(d.z); r += dout {
			zr := d.z[r : r+dout]
			for j, v := range b {
				zr[j] += v
			}
		}
	}
	if d.act == Linear {
		d.y = d.z
		return d.y
	}
	d.y = grow(d.y, n*dout)
	d.act.forward(d.y, d.z, dout)
	return d.y
}

// Backward turns dy into dz = dy * a'(z) and continues as backwardLogits.
func (d *dense) Backward(dy []float32) []float32 {
	if d.act == Linear {
		return d.backwardLogits(dy)
	}
	d.dz = grow(d.dz, len(d.z))
	d.act.backward(d.dz, dy, d.y, d.out[0])
	return d.backwardLogits(d.dz)
}

// backwardLogits accumulates kernel.G += xᵀ·dz and bias.G += the column sums
// of dz (unless noParams), and returns dx = dz·kernelᵀ.
func (d *dense) backwardLogits(dz []float32) []float32 {
	n, din, dout := d.n, d.in[0], d.out[0]
	dz = dz[:n*dout]
	if !d.noParams {
		kernel.Gemm(true, false, din, dout, n, d.x, dz, d.kernel.G, true)
		if d.bias != nil {
			g := d.bias.G[:dout]
			for r := 0; r < len(dz); r += dout {
				for j, v := range dz[r : r+dout] {
					g[j] += v
				}
			}
		}
	}
	d.dx = grow(d.dx, n*din)
	kernel.Gemm(false, true, n, din, dout, dz, d.kernel.W, d.dx, false)
	return d.dx
}
