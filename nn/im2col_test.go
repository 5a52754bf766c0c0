package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// im2col and col2im are adjoint: <im2col(x), c> = <x, col2im(c)> for any x
// and c, padding and stride included. im2col of a hand-made image also puts
// each window where the reference loop says.
func TestIm2colCol2imAdjoint(t *testing.T) {
	for i, g := range []convGeom{
		{h: 3, w: 3, c: 1, oh: 2, ow: 2, k: 2, s: 1},                   // valid
		{h: 4, w: 5, c: 2, oh: 4, ow: 5, k: 3, s: 1, padT: 1, padL: 1}, // same
		{h: 7, w: 6, c: 3, oh: 4, ow: 3, k: 3, s: 2, padT: 1, padL: 0}, // same, odd total along W
		{h: 2, w: 6, c: 1, oh: 1, ow: 2, k: 2, s: 3},                   // K < S: cells no window sees
		{h: 3, w: 2, c: 2, oh: 3, ow: 2, k: 5, s: 1, padT: 2, padL: 2}, // kernel larger than the image
	} {
		t.Run(fmt.Sprintf("%d", i), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(40, uint64(i)))
			const n = 2
			var task colTask
			x := randSlice(rng, n*g.h*g.w*g.c)
			c := randSlice(rng, n*g.oh*g.ow*g.patch())
			cols := make([]float32, len(c))
			im2col(&task, cols, x, n, &g)
			back := make([]float32, len(x))
			col2im(&task, back, c, n, &g)
			var lhs, rhs float64
			for j := range c {
				lhs += float64(cols[j]) * float64(c[j])
			}
			for j := range x {
				rhs += float64(x[j]) * float64(back[j])
			}
			assert.InDelta(t, lhs, rhs, 1e-9*float64(len(c)))
			// The reference loop, element by element.
			for b := 0; b < n; b++ {
				for oh := 0; oh < g.oh; oh++ {
					for ow := 0; ow < g.ow; ow++ {
						for kh := 0; kh < g.k; kh++ {
							for kw := 0; kw < g.k; kw++ {
								for ch := 0; ch < g.c; ch++ {
									ih, iw := oh*g.s-g.padT+kh, ow*g.s-g.padL+kw
									var want float32
									if ih >= 0 && ih < g.h && iw >= 0 && iw < g.w {
										want = x[((b*g.h+ih)*g.w+iw)*g.c+ch]
									}
									got := cols[((b*g.oh+oh)*g.ow+ow)*g.patch()+(kh*g.k+kw)*g.c+ch]
									require.Equal(t, want, got, "image %d window (%d,%d) tap (%d,%d,%d)", b, oh, ow, kh, kw, ch)
								}
							}
						}
					}
				}
			}
		})
	}
}
