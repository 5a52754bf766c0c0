package nn

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWeightCountCoversEveryLayer builds every registered layer type and
// checks that checkBuildCost's weightCount predicts its weights exactly: a
// new type with weights must be added there, or a hostile spec could make
// Load allocate before the budget check.
func TestWeightCountCoversEveryLayer(t *testing.T) {
	candidates := []LayerSpec{{Filters: 3, KernelSize: 2}, {Filters: 3, KernelSize: 2, NoBias: true},
		{Units: 3}, {Units: 3, NoBias: true}, {PoolSize: 2}, {Rate: 0.5}, {Activation: "relu"}, {}, {Scale: 0.5},
		{NoScale: true, NoCenter: true}}
	for typ := range layerBuilders {
		if typ == "testScale" { // save_test.go's test layer
			continue
		}
		t.Run(typ, func(t *testing.T) {
			built := 0
			for _, in := range []Shape{{5, 4, 2}, {4}} {
				for _, ls := range candidates {
					ls.Type, ls.Name = typ, "x"
					l, err := buildLayer(ls, in, rand.New(rand.NewPCG(1, 1)))
					if err != nil {
						continue
					}
					built++
					n := 0
					for _, p := range l.Params() {
						n += len(p.W)
					}
					assert.Equal(t, n, weightCount(ls, in), "%+v on %v", ls, in)
				}
			}
			require.Positive(t, built, "no candidate spec builds a %s: add one here", typ)
		})
	}
}
