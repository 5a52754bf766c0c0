package imageprep

import (
	"bytes"
	"image"
	_ "image/jpeg" // the formats convplay predict reads
	_ "image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDecodeRefusesHugeHeader: a 71-byte PNG declaring 10^6 x 10^6 pixels
// is refused from its header, before anything is allocated for it.
func TestDecodeRefusesHugeHeader(t *testing.T) {
	f, err := os.Open("testdata/huge-header.png")
	require.NoError(t, err)
	defer f.Close()
	_, _, err = Decode(f)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "declares 1000000x1000000 pixels")
}

func TestDecode(t *testing.T) {
	for _, name := range []string{"drawing.png", "drawing.jpg", "pad.png", "gray16.png"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", name))
			require.NoError(t, err)
			img, _, err := Decode(bytes.NewReader(b))
			require.NoError(t, err)
			want, _, err := image.Decode(bytes.NewReader(b))
			require.NoError(t, err)
			assert.Equal(t, want, img)
		})
	}
	_, _, err := Decode(bytes.NewReader([]byte("not a picture")))
	assert.Error(t, err)
}

// TestBlankPictureWarns: a picture without ink is prepared to a black
// image with the "empty" warning, for every fit.
func TestBlankPictureWarns(t *testing.T) {
	f, err := os.Open("testdata/blank.png")
	require.NoError(t, err)
	defer f.Close()
	img, _, err := Decode(f)
	require.NoError(t, err)
	for _, mode := range []Fit{FitMNIST, FitFashion, FitNone} {
		s, err := Prepare(img, 28, 28, mode)
		require.NoError(t, err)
		ws := Warnings(s, mode)
		require.NotEmpty(t, ws, mode)
		assert.Equal(t, WarnEmpty, ws[0].Code, mode)
	}
}

// FuzzDecodePrepare runs the picture path convplay predict runs (Decode,
// Prepare with each fit, Warnings) on any bytes: an error or a 28x28 image,
// never a panic or a huge allocation. Seeded with testdata's pictures
// (testdata/gen.go wrote them).
func FuzzDecodePrepare(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.*")
	for _, p := range seeds {
		if filepath.Ext(p) == ".go" {
			continue
		}
		b, err := os.ReadFile(p)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, _, err := Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		// Decoding is bounded by MaxPixels; the fuzzer keeps to small
		// pictures so that each run stays fast.
		if b := img.Bounds(); b.Dx()*b.Dy() > 1<<20 {
			return
		}
		for _, mode := range []Fit{FitMNIST, FitFashion, FitNone} {
			s, err := Prepare(img, 28, 28, mode)
			if err != nil {
				t.Fatalf("Prepare %s: %v", mode, err)
			}
			if s.Placed.Rect != image.Rect(0, 0, 28, 28) {
				t.Fatalf("Prepare %s: placed %v", mode, s.Placed.Rect)
			}
			Warnings(s, mode)
		}
	})
}
