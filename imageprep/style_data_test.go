package imageprep_test

import (
	"errors"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/dataset"
	"convplay/imageprep"
)

// TestTypicalStyle measures the test split of the data sets `make data`
// writes to web/data and checks imageprep.Typical against the figures.
// Without the data the test is skipped, unless CONVPLAY_DATA=1 (as `make
// test` sets after running `make data`), when their absence is a failure.
func TestTypicalStyle(t *testing.T) {
	for name, fit := range map[string]imageprep.Fit{"fashion": imageprep.FitFashion, "digits": imageprep.FitMNIST} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("..", "web", "data", name)
			if _, err := os.Stat(filepath.Join(dir, dataset.ManifestName)); errors.Is(err, fs.ErrNotExist) {
				if os.Getenv("CONVPLAY_DATA") == "1" {
					t.Fatalf("CONVPLAY_DATA=1 but %s has no packed data: run `make data` first", dir)
				}
				t.Skipf("no packed data in %s (run `make data`; CONVPLAY_DATA=1 makes this a failure)", dir)
			}
			d, err := dataset.Open(dir)
			require.NoError(t, err)
			test, err := d.Split(dataset.Test)
			require.NoError(t, err)
			var ink, width, offset, hollow, lean, box []float64
			for i := range test.Len() {
				g := &image.Gray{Pix: test.Image(i), Stride: 28, Rect: image.Rect(0, 0, 28, 28)}
				m := imageprep.Measure(g)
				ink, width, offset, hollow = append(ink, m.Ink), append(width, m.Width), append(offset, m.Offset), append(hollow, m.Hollow)
				lean, box = append(lean, m.Lean), append(box, boxShare(g))
			}
			got := imageprep.Style{
				InkLow: percentile(ink, 1), InkTypical: percentile(ink, 50),
				WidthLow: percentile(width, 5), WidthTypical: percentile(width, 50),
				OffsetTypical: percentile(offset, 50), OffsetHigh: percentile(offset, 99),
				HollowTypical: percentile(hollow, 50), HollowHigh: percentile(hollow, 99),
				LeanLow: percentile(lean, 1), BoxLow: percentile(box, 1), BoxTypical: percentile(box, 50),
			}
			t.Logf("%s, %d test images: %+v", name, test.Len(), got)
			want := imageprep.Typical[fit]
			assert.InDelta(t, want.InkLow, got.InkLow, 0.005)
			assert.InDelta(t, want.InkTypical, got.InkTypical, 0.005)
			assert.InDelta(t, want.WidthLow, got.WidthLow, 0.05)
			assert.InDelta(t, want.WidthTypical, got.WidthTypical, 0.05)
			assert.InDelta(t, want.OffsetTypical, got.OffsetTypical, 0.05)
			assert.InDelta(t, want.OffsetHigh, got.OffsetHigh, 0.05)
			assert.InDelta(t, want.HollowTypical, got.HollowTypical, 0.005)
			assert.InDelta(t, want.HollowHigh, got.HollowHigh, 0.005)
			if want.LeanLow != 0 || want.BoxLow != 0 { // 0: not checked for this data set (see Style)
				assert.InDelta(t, want.LeanLow, got.LeanLow, 0.02)
				assert.InDelta(t, want.BoxLow, got.BoxLow, 0.02)
				assert.InDelta(t, want.BoxTypical, got.BoxTypical, 0.02)
			}
		})
	}
}

// boxShare is the longest side of the box of g's pixels >= 128 over g's side.
func boxShare(g *image.Gray) float64 {
	minX, minY, maxX, maxY := 28, 28, -1, -1
	for y := range 28 {
		for x := range 28 {
			if g.Pix[y*28+x] >= 128 {
				minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
			}
		}
	}
	if maxX < 0 {
		return 0
	}
	return float64(max(maxX-minX+1, maxY-minY+1)) / 28
}

// percentile is the p-th percentile of v by the nearest rank.
func percentile(v []float64, p float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	k := int(p/100*float64(len(s))+0.5) - 1
	return s[min(max(k, 0), len(s)-1)]
}
