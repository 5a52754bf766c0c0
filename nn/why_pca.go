package nn

import (
	"fmt"
	"math"
)

// Where the model places an input: the features its classifier layer sees
// (the penultimate layer's output), for many inputs, projected on their
// two principal components.

// FeatureLayer is the index of the layer whose output the model's last
// layer with weights (the classifier) reads: the penultimate features. It
// is -1 when that layer is the first (the features are the input itself).
func (m *Model) FeatureLayer() int {
	for i := len(m.Layers) - 1; i >= 0; i-- {
		if len(m.Layers[i].Params()) > 0 {
			return i - 1
		}
	}
	return len(m.Layers) - 2
}

// FeatureSize is the number of values of one input's features.
func (m *Model) FeatureSize() int {
	if fl := m.FeatureLayer(); fl >= 0 {
		return m.Layers[fl].OutShape().Size()
	}
	return m.InShape().Size()
}

// Features runs n inputs (n*InShape().Size() values) in inference mode,
// predictBatch at a time, and writes their penultimate features
// (FeatureLayer's output, n*FeatureSize() values) into dst, grown as
// needed, and their outputs into out (n*D values) unless out is nil. It
// returns dst.
func (m *Model) Features(dst, out, x []float32, n int) ([]float32, error) {
	in, d := m.InShape().Size(), m.FeatureSize()
	if n < 0 || len(x) != n*in {
		return nil, fmt.Errorf("nn: features got %d values for %d inputs of shape %v", len(x), n, m.InShape())
	}
	fl := m.FeatureLayer()
	dst = grow(dst, n*d)
	size := m.OutShape().Size()
	for i := 0; i < n; i += predictBatch {
		b := min(predictBatch, n-i)
		f := x[i*in : (i+b)*in]
		for _, l := range m.Layers[:fl+1] {
			f = l.Forward(f, b, false)
		}
		copy(dst[i*d:], f[:b*d])
		if out != nil {
			y := f
			for _, l := range m.Layers[fl+1:] {
				y = l.Forward(y, b, false)
			}
			copy(out[i*size:], y[:b*size])
		}
	}
	return dst, nil
}

// PCA is a 2-D principal component projection of N points of dimension D.
type PCA struct {
	D          int
	Mean       []float32    // (D)
	Components [2][]float32 // (D) each, unit length, orthogonal; the sign makes the largest-magnitude entry positive
	Variance   [2]float64   // the variance along each component (eigenvalues of the covariance, divisor N-1)
	Total      float64      // the total variance (the covariance's trace)
	Iterations int          // subspace iterations taken
}

// Explained is the share of the total variance along each component.
func (p *PCA) Explained() [2]float64 {
	if p.Total == 0 {
		return [2]float64{}
	}
	return [2]float64{p.Variance[0] / p.Total, p.Variance[1] / p.Total}
}

// Project writes the 2-D coordinates of n points (n*D values) into dst
// (2n values, (x, y) per point), grown as needed, and returns it.
func (p *PCA) Project(dst, points []float32, n int) []float32 {
	dst = grow(dst, 2*n)
	for i := range n {
		row := points[i*p.D : (i+1)*p.D]
		for k := range 2 {
			var s float64
			for j, v := range row {
				s += float64(v-p.Mean[j]) * float64(p.Components[k][j])
			}
			dst[2*i+k] = float32(s)
		}
	}
	return dst
}

// pcaBlock is the subspace iteration's block size: the two wanted
// directions converge at the rate of the (pcaBlock+1)-th eigenvalue over
// the second.
const pcaBlock = 8

// NewPCA finds the two principal components of n points of dimension d
// (x: n*d values, row-major). It forms the covariance matrix C (d x d,
// float64) and runs subspace iteration on it: V = orthonormalize(C V) for
// a block of min(d, 8) vectors (seeded start), with a Rayleigh-Ritz step
// (the small block's eigenvectors, by Jacobi rotations) until the top two
// eigenvalues change by less than 1e-10 relative, or 1,000 iterations.
// It is NewPCARun's steps in one go.
func NewPCA(x []float32, n, d int) (*PCA, error) {
	r, err := NewPCARun(x, n, d)
	if err != nil {
		return nil, err
	}
	for !r.Step() {
	}
	return r.PCA(), nil
}

// matMul sets dst (r, c) = a (r, m) times b (m, c), row-major.
func matMul(dst, a, b []float64, r, m, c int) {
	clear(dst[:r*c])
	for i := range r {
		out := dst[i*c : (i+1)*c]
		for t, av := range a[i*m : (i+1)*m] {
			if av == 0 {
				continue
			}
			for j, bv := range b[t*c : (t+1)*c] {
				out[j] += av * bv
			}
		}
	}
}

// orthonormalize makes the k columns of v (d, k) orthonormal, in order, by
// modified Gram-Schmidt twice; a column that vanishes becomes 0.
func orthonormalize(v []float64, d, k int) {
	for range 2 {
		for j := range k {
			for q := range j {
				var dot float64
				for i := range d {
					dot += v[i*k+j] * v[i*k+q]
				}
				for i := range d {
					v[i*k+j] -= dot * v[i*k+q]
				}
			}
			var norm float64
			for i := range d {
				norm += v[i*k+j] * v[i*k+j]
			}
			norm = math.Sqrt(norm)
			for i := range d {
				if norm > 1e-300 {
					v[i*k+j] /= norm
				} else {
					v[i*k+j] = 0
				}
			}
		}
	}
}

// jacobiEigen diagonalizes the symmetric k x k matrix a (overwritten) by
// cyclic Jacobi rotations and returns its eigenvalues in decreasing order,
// with the matching eigenvectors as the columns of vecs (k, k).
func jacobiEigen(a, vecs []float64, k int) []float64 {
	clear(vecs)
	for i := range k {
		vecs[i*k+i] = 1
	}
	for sweep := 0; sweep < 100; sweep++ {
		var off, diag float64
		for p := range k {
			diag += a[p*k+p] * a[p*k+p]
			for q := p + 1; q < k; q++ {
				off += a[p*k+q] * a[p*k+q]
			}
		}
		if off <= 1e-30*diag || off == 0 {
			break
		}
		for p := range k {
			for q := p + 1; q < k; q++ {
				apq := a[p*k+q]
				if apq == 0 {
					continue
				}
				theta := (a[q*k+q] - a[p*k+p]) / (2 * apq)
				t := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for r := range k { // A = A J, columns p and q
					arp, arq := a[r*k+p], a[r*k+q]
					a[r*k+p], a[r*k+q] = c*arp-s*arq, s*arp+c*arq
				}
				for r := range k { // A = Jᵀ A, rows p and q
					apr, aqr := a[p*k+r], a[q*k+r]
					a[p*k+r], a[q*k+r] = c*apr-s*aqr, s*apr+c*aqr
				}
				for r := range k {
					vrp, vrq := vecs[r*k+p], vecs[r*k+q]
					vecs[r*k+p], vecs[r*k+q] = c*vrp-s*vrq, s*vrp+c*vrq
				}
			}
		}
	}
	vals := make([]float64, k)
	for i := range k {
		vals[i] = a[i*k+i]
	}
	// Sort the columns by decreasing eigenvalue (selection sort: k is small).
	for i := range k {
		best := i
		for j := i + 1; j < k; j++ {
			if vals[j] > vals[best] {
				best = j
			}
		}
		if best != i {
			vals[i], vals[best] = vals[best], vals[i]
			for r := range k {
				vecs[r*k+i], vecs[r*k+best] = vecs[r*k+best], vecs[r*k+i]
			}
		}
	}
	return vals
}
