package dataset

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func openFixture(t *testing.T, counts Counts, chunk int) *Dataset {
	t.Helper()
	f := newFixture(counts, chunk)
	d, err := NewLoader(f.json(t))
	require.NoError(t, err)
	for n, b := range f.files {
		require.NoError(t, d.AddChunk(n, b))
	}
	return d
}

// TestFill checks standardized pixels and float labels against hand
// computations: the fixture's mean is 2 and std 4, train sample i has every
// pixel 10+i and label i%3, validation 50+i, test 90+i.
func TestFill(t *testing.T) {
	d := openFixture(t, Counts{Train: 5, Validation: 2, Test: 3}, 2)
	tests := []struct {
		split string
		idx   []int
		x     []float32 // one value per sample: all 4 pixels are equal
		y     []float32
	}{
		{Train, []int{0}, []float32{2}, []float32{0}},                          // (10-2)/4
		{Train, []int{4, 1, 4}, []float32{3, 2.25, 3}, []float32{1, 1, 1}},     // repeats, across chunks
		{Train, []int{3, 2}, []float32{2.75, 2.5}, []float32{0, 2}},            // chunk boundary
		{Validation, []int{1, 0}, []float32{12.25, 12}, []float32{1, 0}},       // (51-2)/4
		{Test, []int{2, 0, 1}, []float32{22.5, 22, 22.25}, []float32{2, 0, 1}}, // the short last chunk
		{Test, []int{}, []float32{}, []float32{}},                              // empty batch
	}
	for _, tt := range tests {
		t.Run(tt.split, func(t *testing.T) {
			s, err := d.Split(tt.split)
			require.NoError(t, err)
			x := make([]float32, len(tt.idx)*4+3) // longer than needed: the tail is left alone
			y := make([]float32, len(tt.idx)+1)
			for i := range x {
				x[i] = -7
			}
			y[len(y)-1] = -7
			s.Fill(x, y, tt.idx)
			var want []float32
			for _, v := range tt.x {
				want = append(want, v, v, v, v)
			}
			assert.Equal(t, append(want, -7, -7, -7), x)
			assert.Equal(t, append(tt.y, -7), y)
		})
	}
}

func TestSplitAccessors(t *testing.T) {
	d := openFixture(t, Counts{Train: 5, Validation: 2, Test: 3}, 2)
	s, err := d.Split(Test)
	require.NoError(t, err)
	assert.Equal(t, Test, s.Name())
	assert.Equal(t, 3, s.Len())
	assert.Equal(t, []uint8{92, 92, 92, 92}, s.Image(2))
	assert.Equal(t, 2, s.Label(2))
	_, err = d.Split("dev")
	assert.EqualError(t, err, `dataset: no split "dev"`)
}

func TestEmptySplit(t *testing.T) {
	d := openFixture(t, Counts{Train: 2, Validation: 0, Test: 1}, 2)
	s, err := d.Split(Validation)
	require.NoError(t, err)
	assert.Equal(t, 0, s.Len())
	s.Fill(nil, nil, nil)
}

func TestWithoutAndDedupTest(t *testing.T) {
	f := newFixture(Counts{Train: 2, Validation: 1, Test: 5}, 2)
	f.manifest.TestDuplicates = []int{0, 3}
	d, err := NewLoader(f.json(t))
	require.NoError(t, err)
	for n, b := range f.files {
		require.NoError(t, d.AddChunk(n, b))
	}
	dd := d.DedupTest()
	assert.Equal(t, 3, dd.Len())
	assert.Equal(t, "test (deduplicated)", dd.Name())
	// Remaining: test samples 1, 2, 4 (pixels 91, 92, 94; labels 1, 2, 1).
	assert.Equal(t, []uint8{94, 94, 94, 94}, dd.Image(2))
	assert.Equal(t, 1, dd.Label(2))
	x, y := make([]float32, 8), make([]float32, 2)
	dd.Fill(x, y, []int{2, 0})
	assert.Equal(t, []float32{23, 23, 23, 23, 22.25, 22.25, 22.25, 22.25}, x) // (94-2)/4, (91-2)/4
	assert.Equal(t, []float32{1, 1}, y)
	// Without composes: drop index 1 of the deduplicated view (sample 2).
	again := dd.Without([]int{1})
	assert.Equal(t, 2, again.Len())
	assert.Equal(t, []uint8{91, 91, 91, 91}, again.Image(0))
	assert.Equal(t, []uint8{94, 94, 94, 94}, again.Image(1))
	// Ids that do not exist drop nothing.
	assert.Equal(t, 5, must(d.Split(Test)).Without([]int{7, -1}).Len())
}

func TestDedupTestWhileStreaming(t *testing.T) {
	f := newFixture(Counts{Train: 2, Validation: 1, Test: 5}, 2)
	f.manifest.TestDuplicates = []int{0, 3}
	d, err := NewLoader(f.json(t))
	require.NoError(t, err)
	require.NoError(t, d.AddChunk("test-00-images.u8.gz", f.files["test-00-images.u8.gz"]))
	require.NoError(t, d.AddChunk("test-00-labels.u8.gz", f.files["test-00-labels.u8.gz"]))
	dd := d.DedupTest() // test samples 0 and 1 available; 0 is a duplicate
	assert.Equal(t, 1, dd.Len())
	assert.Equal(t, []uint8{91, 91, 91, 91}, dd.Image(0))
}

func TestStandardize(t *testing.T) {
	d := openFixture(t, Counts{Train: 1, Validation: 1, Test: 1}, 1)
	dst := []float32{9, 9, 9, 9, 9}
	d.Standardize(dst, []uint8{0, 2, 3, 255})
	assert.Equal(t, []float32{-0.5, 0, 0.25, 63.25, 9}, dst)
	d.Standardize(dst, nil)
	assert.Equal(t, float32(-0.5), dst[0], "nothing written for no pixels")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// BenchmarkFill measures one training batch of 64 Fashion-sized samples
// (28x28x1) gathered at random positions: the per-step cost of keeping the
// images uint8 and standardizing on the fly.
func BenchmarkFill(b *testing.B) {
	const n, batch, px = 4096, 64, 784
	m := Manifest{Shape: []int{28, 28, 1}}
	d := &Dataset{Manifest: &m}
	for p := range d.lut {
		d.lut[p] = float32(p-73) / 90
	}
	images := make([]uint8, n*px)
	for i := range images {
		images[i] = uint8(i * 7)
	}
	s := &Split{name: Train, px: px, images: images, labels: make([]uint8, n), lut: &d.lut}
	idx := make([]int, batch)
	for i := range idx {
		idx[i] = (i * 2654435761) % n
	}
	x, y := make([]float32, batch*px), make([]float32, batch)
	b.SetBytes(batch * px)
	b.ReportAllocs()
	for b.Loop() {
		s.Fill(x, y, idx)
	}
}

func TestFillAllocatesNothing(t *testing.T) {
	d := openFixture(t, Counts{Train: 5, Validation: 2, Test: 3}, 2)
	s, err := d.Split(Train)
	require.NoError(t, err)
	x, y, idx := make([]float32, 12), make([]float32, 3), []int{4, 0, 2}
	assert.Zero(t, testing.AllocsPerRun(100, func() { s.Fill(x, y, idx) }))
}
