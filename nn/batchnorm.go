package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

func init() { registerLayer("BatchNormalization", newBatchNorm) }

// Keras's defaults for BatchNormalization.
const (
	defaultBNMomentum = 0.99
	defaultBNEpsilon  = 1e-3
)

// batchNorm is Keras's BatchNormalization over the last axis (C, channels
// last). For each channel c, with M = N*H*W values x[m, c] (M = N for a
// vector input):
//
//	training:  mean[c] = sum_m x[m,c] / M, var[c] = sum_m (x[m,c] - mean[c])^2 / M (biased)
//	           y = gamma[c] * (x - mean[c]) / sqrt(var[c] + eps) + beta[c]
//	           moving_mean = moving_mean*momentum + mean*(1 - momentum), and the same for var
//	inference: y = gamma[c] * (x - moving_mean[c]) / sqrt(moving_variance[c] + eps) + beta[c]
//
// as Keras 3 does. (Keras 2's fused kernel moved the moving variance toward
// the unbiased M/(M-1) var; the outputs are the same.) moving_mean and
// moving_variance are Params marked NonTrainable, in Keras's get_weights()
// order after gamma and beta, so saving, loading and copying weights between
// workers keep them; Backward leaves their gradients zero. A model trained
// in slices (FitConfig.StepSamples) or shards normalizes each slice by its
// own statistics, and the moving statistics follow the stepping model's.
type batchNorm struct {
	spec       LayerSpec
	shape      Shape     // any; the output has the input's shape, C = shape[last]
	gamma      *Param    // (C); nil with scale=False (then 1)
	beta       *Param    // (C); nil with center=False (then 0)
	mean, vari *Param    // (C) moving_mean, moving_variance
	paramsList []*Param  // gamma, beta, moving_mean, moving_variance (those present)
	xhat       []float32 // (M, C) normalized input of the last Forward
	invStd     []float32 // (C) 1/sqrt(var + eps) used by the last Forward
	sums       []float64 // (2C) per-channel sums, reused
	y, dx      []float32 // (M, C) output and input gradient
	train      bool      // the last Forward used batch statistics
	gammaOnes  []float32 // (C) ones when there is no gamma
}

func newBatchNorm(spec LayerSpec, in Shape, _ *rand.Rand) (Layer, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("BatchNormalization needs an input with a channel axis")
	}
	if spec.Momentum == 0 {
		spec.Momentum = defaultBNMomentum
	}
	if spec.Epsilon == 0 {
		spec.Epsilon = defaultBNEpsilon
	}
	if !(spec.Momentum >= 0 && spec.Momentum <= 1) {
		return nil, fmt.Errorf("momentum must be in [0, 1], got %v", spec.Momentum)
	}
	if !(spec.Epsilon > 0 && spec.Epsilon < 1) {
		return nil, fmt.Errorf("epsilon must be in (0, 1), got %v", spec.Epsilon)
	}
	c := in[len(in)-1]
	b := &batchNorm{spec: spec, shape: append(Shape(nil), in...)}
	if !spec.NoScale {
		b.gamma = newParam("gamma", c)
		fill(b.gamma.W, 1)
		b.paramsList = append(b.paramsList, b.gamma)
	} else {
		b.gammaOnes = make([]float32, c)
		fill(b.gammaOnes, 1)
	}
	if !spec.NoCenter {
		b.beta = newParam("beta", c)
		b.paramsList = append(b.paramsList, b.beta)
	}
	b.mean = newParam("moving_mean", c)
	b.vari = newParam("moving_variance", c)
	fill(b.vari.W, 1)
	b.mean.NonTrainable, b.vari.NonTrainable = true, true
	b.paramsList = append(b.paramsList, b.mean, b.vari)
	b.invStd = make([]float32, c)
	b.sums = make([]float64, 2*c)
	return b, nil
}

func fill(v []float32, x float32) {
	for i := range v {
		v[i] = x
	}
}

func (b *batchNorm) Spec() LayerSpec  { return b.spec }
func (b *batchNorm) InShape() Shape   { return b.shape }
func (b *batchNorm) OutShape() Shape  { return b.shape }
func (b *batchNorm) Params() []*Param { return b.paramsList }

func (b *batchNorm) scale() []float32 {
	if b.gamma == nil {
		return b.gammaOnes
	}
	return b.gamma.W
}

// Forward normalizes x by the batch's statistics (training, updating the
// moving ones) or by the moving statistics (inference). The sums are in
// float64, so a large batch does not lose the mean to rounding.
func (b *batchNorm) Forward(x []float32, n int, training bool) []float32 {
	c := b.shape[len(b.shape)-1]
	x = x[:n*b.shape.Size()]
	m := len(x) / c
	b.train = training
	b.xhat = grow(b.xhat, len(x))
	b.y = grow(b.y, len(x))
	mean, vari := b.mean.W[:c], b.vari.W[:c]
	if training && m > 0 {
		sum, sq := b.sums[:c], b.sums[c:2*c]
		clear(b.sums)
		for r := 0; r < len(x); r += c {
			for j, v := range x[r : r+c] {
				sum[j] += float64(v)
			}
		}
		for j := range sum {
			sum[j] /= float64(m)
		}
		for r := 0; r < len(x); r += c {
			for j, v := range x[r : r+c] {
				d := float64(v) - sum[j]
				sq[j] += d * d
			}
		}
		mom := b.spec.Momentum
		for j := range c {
			v := sq[j] / float64(m)
			b.invStd[j] = float32(1 / math.Sqrt(v+b.spec.Epsilon))
			mean[j] = float32(float64(mean[j])*mom + sum[j]*(1-mom))
			vari[j] = float32(float64(vari[j])*mom + v*(1-mom))
			sq[j] = sum[j] // the batch mean, for the loop below
		}
		b.normalize(x, sq, c)
	} else {
		for j := range c {
			b.invStd[j] = float32(1 / math.Sqrt(float64(vari[j])+b.spec.Epsilon))
			b.sums[j] = float64(mean[j])
		}
		b.normalize(x, b.sums[:c], c)
	}
	return b.y
}

// normalize sets xhat = (x - mu) * invStd and y = gamma*xhat + beta.
func (b *batchNorm) normalize(x []float32, mu []float64, c int) {
	g := b.scale()[:c]
	for r := 0; r < len(x); r += c {
		xr, hr, yr := x[r:r+c], b.xhat[r:r+c], b.y[r:r+c]
		for j, v := range xr {
			h := float32(float64(v)-mu[j]) * b.invStd[j]
			hr[j] = h
			yr[j] = g[j] * h
			if b.beta != nil {
				yr[j] += b.beta.W[j]
			}
		}
	}
}

// Backward accumulates dgamma = sum_m dy*xhat and dbeta = sum_m dy and
// returns dx. In training the statistics depend on x:
//
//	dx = gamma*invStd/M * (M*dy - sum_m dy - xhat * sum_m dy*xhat)
//
// at inference they are constants: dx = gamma*invStd*dy.
func (b *batchNorm) Backward(dy []float32) []float32 {
	c := b.shape[len(b.shape)-1]
	dy = dy[:len(b.xhat)]
	m := len(dy) / c
	b.dx = grow(b.dx, len(dy))
	sdy, sdyh := b.sums[:c], b.sums[c:2*c]
	clear(b.sums)
	for r := 0; r < len(dy); r += c {
		hr := b.xhat[r : r+c]
		for j, v := range dy[r : r+c] {
			sdy[j] += float64(v)
			sdyh[j] += float64(v) * float64(hr[j])
		}
	}
	if b.gamma != nil {
		for j := range c {
			b.gamma.G[j] += float32(sdyh[j])
		}
	}
	if b.beta != nil {
		for j := range c {
			b.beta.G[j] += float32(sdy[j])
		}
	}
	g := b.scale()[:c]
	for r := 0; r < len(dy); r += c {
		hr, dr, xr := b.xhat[r:r+c], dy[r:r+c], b.dx[r:r+c]
		for j, v := range dr {
			k := g[j] * b.invStd[j]
			if b.train {
				xr[j] = k * float32(float64(v)-(sdy[j]+float64(hr[j])*sdyh[j])/float64(m))
			} else {
				xr[j] = k * v
			}
		}
	}
	return b.dx
}
