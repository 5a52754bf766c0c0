package nn

import (
	"bytes"
	"errors"
	"os"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// allocated runs f and returns the bytes it allocated.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// allocBound is what decoding n bytes may allocate: the file, the model built
// from it twice (weights and gradients), JSON and per-layer overheads.
func allocBound(n int) uint64 { return 64*uint64(n) + 4<<20 }

// FuzzLoadWeights feeds Load and LoadWeights arbitrary bytes, and the same
// bytes with a repaired checksum so that the fuzzer gets past it. Nothing may
// panic or allocate much more than the input; errors are FormatErrors or
// ModelErrors; what loads passes Validate and must save and load again to
// the same model (and, in float16, to its float16 rounding); a failed LoadWeights leaves the model untouched. The seeds
// include the hostile files of hostile_test.go.
func FuzzLoadWeights(f *testing.F) {
	good, err := os.ReadFile("testdata/scale.cpw")
	require.NoError(f, err)
	m := buildT(f, scaleSpec(), 1)
	opt, err := NewOptimizer(OptimizerSpec{Name: "adam"})
	require.NoError(f, err)
	stepT(m, opt, 1)
	var withOpt bytes.Buffer
	require.NoError(f, m.SaveWithOptimizer(&withOpt, opt))
	dense := saveT(f, buildT(f, ModelSpec{Input: []int{3}, Layers: []LayerSpec{{Type: "Dense", Units: 2, Activation: "relu"}}}, 1))
	var half bytes.Buffer // a version 2 file: float16 arrays
	require.NoError(f, buildT(f, scaleSpec(), 1).SaveFloat16(&half))
	for _, seed := range append([][]byte{good, withOpt.Bytes(), dense, half.Bytes()}, hostileSeeds(f, ".cpw")...) {
		f.Add(seed)
		for _, n := range []int{0, 8, 12, 16, 100, len(seed) - 5, len(seed) - 1} {
			f.Add(seed[:n])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range [][]byte{data, withCRC(data)} {
			var (
				loaded *Model
				err    error
			)
			if n := allocated(func() { loaded, _, err = LoadWithOptimizer(bytes.NewReader(in)) }); n > allocBound(len(in)) {
				t.Fatalf("decoding %d bytes allocated %d", len(in), n)
			}
			if err != nil {
				var fe FormatError
				var me ModelError
				if !errors.As(err, &fe) && !errors.As(err, &me) {
					t.Fatalf("error is neither a FormatError nor a ModelError: %v", err)
				}
			} else {
				require.NoError(t, Validate(loaded), "what loads has finite weights and bounded shapes")
				again, err := Load(bytes.NewReader(saveT(t, loaded)))
				require.NoError(t, err)
				require.Equal(t, loaded.Spec, again.Spec)
				require.Equal(t, weightBits(loaded), weightBits(again))
				checkFloat16Again(t, loaded)
			}

			into := buildT(t, scaleSpec(), 5)
			before := weightBits(into)
			if err := into.LoadWeights(bytes.NewReader(in)); err != nil {
				require.Equal(t, before, weightBits(into), "a failed LoadWeights leaves the model untouched")
				continue
			}
			again := buildT(t, scaleSpec(), 6)
			require.NoError(t, again.LoadWeights(bytes.NewReader(saveT(t, into))))
			require.Equal(t, weightBits(into), weightBits(again))
		}
	})
}

// checkFloat16Again saves m in float16 and loads it back: each weight is the
// float16 nearest m's, unless one is beyond float16's range, which
// SaveFloat16 refuses.
func checkFloat16Again(t *testing.T, m *Model) {
	var half bytes.Buffer
	if err := m.SaveFloat16(&half); err != nil {
		require.Contains(t, err.Error(), "beyond float16's range")
		return
	}
	back, err := Load(&half)
	require.NoError(t, err)
	for i, p := range m.Params() {
		for j, v := range p.W {
			require.Equal(t, float16ToFloat32(float32ToFloat16(v)), back.Params()[i].W[j])
		}
	}
}
