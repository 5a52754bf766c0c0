package nn

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSaveReference round-trips the 435,306-parameter reference model through
// both formats: same weights, same predictions bit for bit.
func TestSaveReference(t *testing.T) {
	m := buildT(t, ReferenceSpec(), 42)
	x := make([]float32, 2*m.InShape().Size())
	rng := rand.New(rand.NewPCG(3, 3))
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	want := append([]float32(nil), m.Forward(x, 2, false)...)

	file := saveT(t, m)
	n := 0
	for _, p := range m.Params() {
		n += len(p.W)
	}
	require.Equal(t, 435306, n)
	assert.Less(t, len(file), 4*n+2000, "the values plus under 2 kB of spec and names")

	loaded, err := Load(bytes.NewReader(file))
	require.NoError(t, err)
	assert.Equal(t, m.Spec, loaded.Spec)
	assert.Equal(t, weightBits(m), weightBits(loaded))
	assert.Equal(t, want, loaded.Forward(x, 2, false))

	imported := buildT(t, ReferenceSpec(), 7)
	require.NoError(t, importT(imported, exportT(t, m)))
	assert.Equal(t, weightBits(m), weightBits(imported))
	assert.Equal(t, want, imported.Forward(x, 2, false))

	// The same layers with 64 filters in conv2d_1 (layer 2): the error names it.
	spec := ReferenceSpec()
	spec.Layers[1].Filters = 64
	other := buildT(t, spec, 1)
	err = other.LoadWeights(bytes.NewReader(file))
	require.EqualError(t, err, "nn: weights file is for a different model: layer 2 (conv2d_1) kernel is (3, 3, 32, 32) in the file, (3, 3, 32, 64) here")
	err = importT(other, exportT(t, m))
	require.EqualError(t, err, "nn: npz arr_2 is (3, 3, 32, 32), layer 2 (conv2d_1) kernel is (3, 3, 32, 64)")
}

func weightsBenchFiles(b *testing.B) (*Model, []byte, []byte) {
	m := buildT(b, ReferenceSpec(), 42)
	return m, saveT(b, m), exportT(b, m)
}

func BenchmarkSaveReference(b *testing.B) {
	m, file, _ := weightsBenchFiles(b)
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Save(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadReference(b *testing.B) {
	_, file, _ := weightsBenchFiles(b)
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(bytes.NewReader(file)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadWeightsReference(b *testing.B) {
	m, file, _ := weightsBenchFiles(b)
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		if err := m.LoadWeights(bytes.NewReader(file)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkImportNPZReference(b *testing.B) {
	m, _, npz := weightsBenchFiles(b)
	b.SetBytes(int64(len(npz)))
	b.ReportAllocs()
	for b.Loop() {
		if err := importT(m, npz); err != nil {
			b.Fatal(err)
		}
	}
}
