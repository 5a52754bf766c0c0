package nn

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPCA(t *testing.T) {
	// Points with covariance diag(9, 4, 1, ...) rotated: the components
	// are the rotation's first two columns.
	const n, d = 4000, 6
	rng := rand.New(rand.NewPCG(1, 1))
	q := make([]float64, d*d) // a random orthonormal basis, columns
	for i := range q {
		q[i] = rng.NormFloat64()
	}
	orthonormalize(q, d, d)
	sd := []float64{3, 2, 1, 0.5, 0.3, 0.1}
	x := make([]float32, n*d)
	for i := range n {
		for k := range d {
			z := rng.NormFloat64() * sd[k]
			for j := range d {
				x[i*d+j] += float32(z * q[j*d+k])
			}
		}
		x[i*d] += 5 // a mean to remove
	}
	p, err := NewPCA(x, n, d)
	require.NoError(t, err)
	assert.InDelta(t, 5, p.Mean[0], 0.2)
	assert.InDelta(t, 9, p.Variance[0], 0.6)
	assert.InDelta(t, 4, p.Variance[1], 0.3)
	for c := range 2 {
		var dot float64
		for j := range d {
			dot += float64(p.Components[c][j]) * q[j*d+c]
		}
		assert.InDelta(t, 1, math.Abs(dot), 0.01, "component %d", c)
	}
	// Exact against the covariance: C v = lambda v, by a direct loop.
	cov := make([]float64, d*d)
	for i := range n {
		for a := range d {
			for b := range d {
				cov[a*d+b] += float64(x[i*d+a]-p.Mean[a]) * float64(x[i*d+b]-p.Mean[b]) / (n - 1)
			}
		}
	}
	var trace float64
	for a := range d {
		trace += cov[a*d+a]
	}
	assert.InDelta(t, trace, p.Total, 1e-6*trace)
	for c := range 2 {
		for a := range d {
			var cv float64
			for b := range d {
				cv += cov[a*d+b] * float64(p.Components[c][b])
			}
			assert.InDelta(t, p.Variance[c]*float64(p.Components[c][a]), cv, 1e-5*p.Variance[0])
		}
	}
	pts := p.Project(nil, x[:2*d], 2)
	require.Len(t, pts, 4)
	ex := p.Explained()
	assert.InDelta(t, 9/(9+4+1+0.25+0.09+0.01), ex[0], 0.03)

	_, err = NewPCA(x[:d], 1, d)
	require.ErrorContains(t, err, "at least 2 points")
	// One dimension, and identical points: no NaN.
	p, err = NewPCA([]float32{1, 2, 3}, 3, 1)
	require.NoError(t, err)
	assert.InDelta(t, 1, p.Variance[0], 1e-12)
	assert.Equal(t, float32(1), p.Components[0][0])
	p, err = NewPCA([]float32{1, 1, 1, 1}, 2, 2)
	require.NoError(t, err)
	assert.Equal(t, 0.0, p.Variance[0])
	assert.Equal(t, [2]float64{}, p.Explained())
}

func TestFeatures(t *testing.T) {
	m, _, x := whyModel(t, ReferenceSpec())
	require.Equal(t, 10, m.FeatureLayer()) // Dense(128)'s output, read by Dense(10)
	require.Equal(t, 128, m.FeatureSize())
	xs := append(append([]float32(nil), x...), x...)
	out := make([]float32, 20)
	f, err := m.Features(nil, out, xs, 2)
	require.NoError(t, err)
	tr, err := m.Trace(x)
	require.NoError(t, err)
	assert.Equal(t, tr[10].Output.Data, f[:128])
	assert.Equal(t, tr[10].Output.Data, f[128:])
	assert.InDeltaSlice(t, tr[11].Output.Data, out[:10], 1e-7)
}

// TestPCARunSteps: the stepped run does the covariance a few points per
// step (about pcaStepWork multiply-adds), then one iteration per step, and
// ends with NewPCA's result, exact against the covariance.
func TestPCARunSteps(t *testing.T) {
	const n, d = 2000, 64
	rng := rand.New(rand.NewPCG(2, 3))
	x := make([]float32, n*d)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * float64(1+i%d%5))
	}
	r, err := NewPCARun(x, n, d)
	require.NoError(t, err)
	perStep := pcaStepWork / (d * (d + 1) / 2)
	covSteps := (n + perStep - 1) / perStep
	require.Greater(t, covSteps, 2, "this case takes several covariance steps")
	steps := 0
	for !r.Step() {
		steps++
		assert.Nil(t, r.PCA(), "no result before the last step")
		require.Less(t, steps, covSteps+1001)
	}
	steps++
	p := r.PCA()
	require.NotNil(t, p)
	assert.Equal(t, covSteps+p.Iterations, steps, "covariance steps, then one iteration each")
	assert.True(t, r.Step(), "done stays done")

	whole, err := NewPCA(x, n, d)
	require.NoError(t, err)
	assert.Equal(t, whole, p)
	// C v = lambda v, by a direct loop.
	for c := range 2 {
		for a := range d {
			var cv float64
			for b := range d {
				var cab float64
				for i := range n {
					cab += float64(x[i*d+a]-p.Mean[a]) * float64(x[i*d+b]-p.Mean[b])
				}
				cv += cab / (n - 1) * float64(p.Components[c][b])
			}
			assert.InDelta(t, p.Variance[c]*float64(p.Components[c][a]), cv, 1e-4*p.Variance[0])
		}
	}
	_, err = NewPCARun(x[:d], 1, d)
	require.ErrorContains(t, err, "at least 2 points")
}

// BenchmarkPCARun2000x400: the 2-D map's principal components for the
// small model (2,000 test images, 400 features), in steps; max-step-ms is
// the longest step, what the worker's event loop waits for at most.
func BenchmarkPCARun2000x400(b *testing.B) {
	const n, d = 2000, 400
	rng := rand.New(rand.NewPCG(5, 6))
	x := make([]float32, n*d)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * 4 / float64(2+i%d)) // decreasing variances, as features' are
	}
	b.ReportAllocs()
	var longest time.Duration
	iterations := 0
	for b.Loop() {
		r, err := NewPCARun(x, n, d)
		if err != nil {
			b.Fatal(err)
		}
		for done := false; !done; {
			t0 := time.Now()
			done = r.Step()
			longest = max(longest, time.Since(t0))
		}
		iterations = r.PCA().Iterations
	}
	b.ReportMetric(float64(longest.Microseconds())/1000, "max-step-ms")
	b.ReportMetric(float64(iterations), "iterations")
}
