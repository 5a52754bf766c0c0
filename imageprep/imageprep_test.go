package imageprep

import (
	"image"
	"image/color"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/internal/testimage"
)

var (
	black, white = color.Gray{0}, color.Gray{255}
	clear        = color.NRGBA{}
)

func TestFitPicture(t *testing.T) {
	tests := []struct {
		name string
		img  image.Image
		mode Fit
		want []uint8
	}{
		// A 4x2 ink box: its longest edge becomes 28, the other 14,
		// centred: rows 7..20.
		{"fashion, dark ink on white paper", testimage.Picture(10, 10, image.Rect(3, 5, 7, 7), white, black), FitFashion, testimage.Block(image.Rect(0, 7, 28, 21))},
		{"fashion, white ink on black paper", testimage.Picture(10, 10, image.Rect(3, 5, 7, 7), black, white), FitFashion, testimage.Block(image.Rect(0, 7, 28, 21))},
		// Portrait, odd: 1x3 in a 5x7 picture -> 9x28 (28/3 = 9.33),
		// centred at (28-9)/2 = 9.5, rounded to 10.
		{"fashion, portrait", testimage.Picture(5, 7, image.Rect(2, 2, 3, 5), white, black), FitFashion, testimage.Block(image.Rect(10, 0, 19, 28))},
		// MNIST: a square box scaled to 20x20, its centre of mass (10, 10)
		// put at (14, 14): columns and rows 4..23.
		{"mnist, square", testimage.Picture(9, 9, image.Rect(3, 3, 6, 6), white, black), FitMNIST, testimage.Block(image.Rect(4, 4, 24, 24))},
		// A 2x1 box: 20x10, centre of mass (10, 5) at (14, 14).
		{"mnist, wide", testimage.Picture(30, 20, image.Rect(0, 19, 2, 20), black, white), FitMNIST, testimage.Block(image.Rect(4, 9, 24, 19))},
		// Black ink on transparent paper: transparent counts as white.
		{"transparent paper", testimage.Picture(9, 9, image.Rect(3, 3, 6, 6), clear, black), FitMNIST, testimage.Block(image.Rect(4, 4, 24, 24))},
		{"no ink", testimage.Picture(12, 12, image.Rectangle{}, white, black), FitMNIST, make([]uint8, 28*28)},
		{"none: the whole picture", testimage.Picture(28, 28, image.Rect(20, 0, 28, 28), black, white), FitNone, testimage.Block(image.Rect(20, 0, 28, 28))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := FitPicture(tt.img, 28, 28, tt.mode)
			require.NoError(t, err)
			if !assert.Equal(t, tt.want, g.Pix) {
				for y := range 28 {
					t.Logf("%v", g.Pix[y*28:(y+1)*28])
				}
			}
		})
	}
	_, err := FitPicture(testimage.Picture(3, 3, image.Rect(1, 1, 2, 2), white, black), 28, 28, "auto")
	assert.EqualError(t, err, `imageprep: fit "auto": want mnist, fashion or none`)
}

// TestPrepareSteps: every step of a 4x2 box of dark ink in a 10x10
// picture fitted as Fashion-MNIST.
func TestPrepareSteps(t *testing.T) {
	s, err := Prepare(testimage.Picture(10, 10, image.Rect(3, 5, 7, 7), white, black), 28, 28, FitFashion)
	require.NoError(t, err)
	assert.Equal(t, image.Rect(0, 0, 10, 10), s.Ink.Rect)
	assert.Equal(t, uint8(255), s.Ink.GrayAt(3, 5).Y) // inverted: the ink is bright
	assert.Equal(t, uint8(0), s.Ink.GrayAt(0, 0).Y)
	assert.Equal(t, image.Rect(3, 5, 7, 7), s.Box)
	assert.Equal(t, image.Rect(0, 0, 28, 14), s.Scaled.Rect)
	assert.Equal(t, image.Pt(0, 7), s.At)
	assert.Equal(t, testimage.Block(image.Rect(0, 7, 28, 21)), s.Placed.Pix)

	s, err = Prepare(testimage.Picture(6, 6, image.Rectangle{}, white, black), 28, 28, FitMNIST)
	require.NoError(t, err)
	assert.True(t, s.Box.Empty())
	assert.Nil(t, s.Scaled)
	assert.Equal(t, make([]uint8, 28*28), s.Placed.Pix)
}

// TestGrayInkNRGBA: the fast path for a canvas's pixels gives the values
// of the general one (through image.Image's At), on random colours.
func TestGrayInkNRGBA(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	img := image.NewNRGBA(image.Rect(0, 0, 16, 9))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.IntN(256))
	}
	type plain struct{ image.Image } // hides the *image.NRGBA
	assert.Equal(t, GrayInk(plain{img}).Pix, GrayInk(img).Pix)
}

// TestCentreOfMass: an off-centre shape is placed by its centre of mass,
// not its box: an L of three pixels.
func TestCentreOfMass(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 2, 2))
	g.Pix = []uint8{255, 0, 255, 255} // (0,0), (0,1), (1,1)
	cx, cy, ok := CentreOfMass(g)
	require.True(t, ok)
	assert.InDelta(t, (0.5+0.5+1.5)/3, cx, 1e-12)
	assert.InDelta(t, (0.5+1.5+1.5)/3, cy, 1e-12)
	_, _, ok = CentreOfMass(image.NewGray(image.Rect(0, 0, 3, 3)))
	assert.False(t, ok)
}
