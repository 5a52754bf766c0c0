package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// PCARun computes NewPCA's result in short steps, so that a caller on one
// thread (the worker, whose event loop must keep turning) can stop between
// them: the covariance of 2,000 points of dimension 400 is 160 million
// multiply-adds, about 2 s under WebAssembly on a loaded machine. A step
// adds about pcaStepWork multiply-adds of points to the covariance, or runs
// one iteration.
type PCARun struct {
	x       []float32 // (N, D), the points
	n, d, k int       // points, dimension, block size
	p       *PCA
	mean    []float64 // (D)
	cov     []float64 // (D, D): its lower triangle, summed point by point
	row     []float64 // (D): one centred point
	rows    int       // points summed into cov
	v, cv   []float64 // (D, k): the block, and C times it
	small   []float64 // (k, k): Vᵀ C V
	vecs    []float64 // (k, k): its eigenvectors
	prev    [2]float64
	done    bool
}

// pcaStepWork is about the multiply-adds of one covariance step: a few
// milliseconds under WebAssembly.
const pcaStepWork = 1 << 20

// NewPCARun checks the points, computes their mean and returns the run,
// its steps to come.
func NewPCARun(x []float32, n, d int) (*PCARun, error) {
	if n < 2 || d < 1 || len(x) != n*d {
		return nil, fmt.Errorf("nn: PCA needs at least 2 points of dimension >= 1, got %d values for %d points of dimension %d", len(x), n, d)
	}
	r := &PCARun{x: x, n: n, d: d, k: min(d, pcaBlock), p: &PCA{D: d, Mean: make([]float32, d)}}
	r.mean = make([]float64, d)
	for i := range n {
		for j, v := range x[i*d : (i+1)*d] {
			r.mean[j] += float64(v)
		}
	}
	for j := range r.mean {
		r.mean[j] /= float64(n)
		r.p.Mean[j] = float32(r.mean[j])
	}
	r.cov = make([]float64, d*d)
	r.row = make([]float64, d)
	return r, nil
}

// PCA is the result once Step has returned true, else nil.
func (r *PCARun) PCA() *PCA {
	if !r.done {
		return nil
	}
	return r.p
}

// Step runs one step and reports whether the run is done.
func (r *PCARun) Step() bool {
	switch {
	case r.done:
	case r.rows < r.n:
		r.covarianceStep()
	default:
		r.iterate()
	}
	return r.done
}

// covarianceStep sums the next points' products into cov's lower
// triangle; after the last point it completes C and starts the iteration.
func (r *PCARun) covarianceStep() {
	d, cov, row := r.d, r.cov, r.row
	end := min(r.n, r.rows+max(1, pcaStepWork/(d*(d+1)/2)))
	for i := r.rows; i < end; i++ {
		for j, v := range r.x[i*d : (i+1)*d] {
			row[j] = float64(v) - r.mean[j]
		}
		for a, ra := range row {
			if ra == 0 {
				continue
			}
			c := cov[a*d : a*d+a+1]
			for b, rb := range row[:a+1] {
				c[b] += ra * rb
			}
		}
	}
	r.rows = end
	if r.rows < r.n {
		return
	}
	for a := range d {
		for b := range a + 1 {
			cov[a*d+b] /= float64(r.n - 1)
			cov[b*d+a] = cov[a*d+b]
		}
		r.p.Total += cov[a*d+a]
	}
	k := r.k
	r.v = make([]float64, d*k) // (d, k): column j is vector j
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range r.v {
		r.v[i] = rng.Float64()*2 - 1
	}
	orthonormalize(r.v, d, k)
	r.cv = make([]float64, d*k)
	r.small = make([]float64, k*k)
	r.vecs = make([]float64, k*k)
	r.prev = [2]float64{math.Inf(1), math.Inf(1)}
	r.p.Iterations = 1
}

// iterate runs one iteration of the subspace iteration (the r.p.Iterations-th);
// when the top two eigenvalues have settled, or after the 1,000th, it
// sets the components.
func (r *PCARun) iterate() {
	d, k, cov, v, cv, small, vecs := r.d, r.k, r.cov, r.v, r.cv, r.small, r.vecs
	matMul(cv, cov, v, d, d, k)
	// Rayleigh-Ritz: small = Vᵀ C V, its eigenvectors rotate V.
	for a := range k {
		for b := range k {
			var s float64
			for i := range d {
				s += v[i*k+a] * cv[i*k+b]
			}
			small[a*k+b] = s
		}
	}
	vals := jacobiEigen(small, vecs, k)
	matMul(v, cv, vecs, d, k, k) // C V times the Ritz vectors
	orthonormalize(v, d, k)
	prev := r.prev
	if k < 2 || (math.Abs(vals[0]-prev[0]) <= 1e-10*math.Abs(vals[0]) && math.Abs(vals[1]-prev[1]) <= 1e-10*math.Abs(vals[0])) {
		r.finish()
		return
	}
	r.prev = [2]float64{vals[0], vals[1]}
	if r.p.Iterations++; r.p.Iterations > 1000 {
		r.p.Iterations = 1000
		r.finish()
	}
}

// finish sets the two components from the converged block.
func (r *PCARun) finish() {
	d, k, p, v, cv := r.d, r.k, r.p, r.v, r.cv
	for c := range 2 {
		p.Components[c] = make([]float32, d)
		if c >= k {
			break
		}
		// The Ritz value of the final, orthonormalized vector.
		matMul(cv, r.cov, v, d, d, k)
		var s float64
		for i := range d {
			s += v[i*k+c] * cv[i*k+c]
		}
		p.Variance[c] = s
		big := 0
		for i := range d {
			if math.Abs(v[i*k+c]) > math.Abs(v[big*k+c]) {
				big = i
			}
		}
		sign := 1.0
		if v[big*k+c] < 0 {
			sign = -1
		}
		for i := range d {
			p.Components[c][i] = float32(sign * v[i*k+c])
		}
	}
	r.done = true
}
