package dataset_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/dataset"
	"convplay/nn"
)

// A split is what the engine trains on.
var _ nn.Data = (*dataset.Split)(nil)

// TestPackedData checks the data sets `make data` writes to web/data. Without
// them the test is skipped, unless CONVPLAY_DATA=1 (as `make test` sets after
// running `make data`), when their absence is a failure.
func TestPackedData(t *testing.T) {
	tests := []struct {
		name       string
		title      string
		license    string
		duplicates int
		mean, std  float64 // of the train split, to 0.1
	}{
		// The 2017 release's 10 test images that are also training images;
		// mean and std differ slightly from the release's first-5,000
		// validation split (73.02, 90.01) because of the shuffle.
		{"fashion", "Fashion-MNIST (2017 original release)", "MIT", 10, 72.96, 89.95},
		{"digits", "MNIST handwritten digits", "CC-BY-SA-3.0", 0, 33.33, 78.58},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join("..", "web", "data", tt.name)
			if _, err := os.Stat(filepath.Join(dir, dataset.ManifestName)); errors.Is(err, fs.ErrNotExist) {
				if os.Getenv("CONVPLAY_DATA") == "1" {
					t.Fatalf("CONVPLAY_DATA=1 but %s has no packed data: run `make data` first", dir)
				}
				t.Skipf("no packed data in %s (run `make data`; CONVPLAY_DATA=1 makes this a failure)", dir)
			}
			d, err := dataset.Open(dir)
			require.NoError(t, err)
			m := d.Manifest
			assert.Equal(t, dataset.Counts{Train: 55000, Validation: 5000, Test: 10000}, d.Available())
			assert.Equal(t, []int{28, 28, 1}, m.Shape)
			assert.Equal(t, tt.title, m.Title)
			assert.Equal(t, tt.license, m.License)
			assert.Len(t, m.TestDuplicates, tt.duplicates)
			assert.InDelta(t, tt.mean, m.Mean, 0.1)
			assert.InDelta(t, tt.std, m.Std, 0.1)
			assert.Len(t, d.ClassNames(), 10)
			assert.Equal(t, 10000-tt.duplicates, d.DedupTest().Len())

			// Every class is present in every split, and the standardized
			// train split has mean 0 and std 1.
			for _, s := range dataset.SplitNames {
				sp, err := d.Split(s)
				require.NoError(t, err)
				var perClass [10]int
				for i := range sp.Len() {
					perClass[sp.Label(i)]++
				}
				for c, n := range perClass {
					assert.Greater(t, n, sp.Len()/20, "split %s class %d", s, c)
				}
			}
			train, _ := d.Split(dataset.Train)
			idx := make([]int, train.Len())
			for i := range idx {
				idx[i] = i
			}
			x, y := make([]float32, len(idx)*784), make([]float32, len(idx))
			train.Fill(x, y, idx)
			var sum, sq float64
			for _, v := range x {
				sum += float64(v)
				sq += float64(v) * float64(v)
			}
			n := float64(len(x))
			assert.InDelta(t, 0, sum/n, 1e-4)
			assert.InDelta(t, 1, sq/n-(sum/n)*(sum/n), 1e-4)
		})
	}
}
