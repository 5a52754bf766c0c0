package imageprep

import (
	"image"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"convplay/internal/testimage"
)

// gray is a w x h image, v inside r, 0 outside.
func gray(w, h int, r image.Rectangle, v uint8) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			if image.Pt(x, y).In(r) {
				g.Pix[y*w+x] = v
			}
		}
	}
	return g
}

func TestMeasure(t *testing.T) {
	tests := []struct {
		name string
		g    *image.Gray
		want Measures
	}{
		{"black", gray(4, 4, image.Rectangle{}, 0), Measures{}},
		// A 2x2 square in the middle of 4x4: A = 4, P = 8, 2A/P = 1;
		// a quarter of the image is ink; centred.
		{"centred square", gray(4, 4, image.Rect(1, 1, 3, 3), 255), Measures{Ink: 0.25, Width: 1}},
		// A 1x3 bar in the corner of a 4x4: A = 3, P = 8 (the image's
		// edges count), 2A/P = 0.75; centre of mass (0.5, 1.5) is
		// 1.5 left and 0.5 above the centre (2, 2).
		{"bar in a corner", gray(4, 4, image.Rect(0, 0, 1, 3), 255), Measures{Ink: 3.0 / 16, Width: 0.75, Offset: 1.5811388300841898}},
		// Faint ink (below the stroke level) counts as ink but not stroke.
		{"faint", gray(2, 2, image.Rect(0, 0, 2, 2), 102), Measures{Ink: 0.4}},
		// The whole 3x3 image: A = 9, P = 12 (all on the edge), 1.5.
		{"full", gray(3, 3, image.Rect(0, 0, 3, 3), 255), Measures{Ink: 1, Width: 1.5}},
		// A ring: the 5x5 image's 16 edge pixels around a 3x3 hole.
		// A = 16, P = 20 outer + 12 inner sides = 32; hollow 9/25.
		{"ring", func() *image.Gray {
			g := gray(5, 5, image.Rect(0, 0, 5, 5), 255)
			for y := 1; y < 4; y++ {
				for x := 1; x < 4; x++ {
					g.Pix[y*5+x] = 0
				}
			}
			return g
		}(), Measures{Ink: 16.0 / 25, Width: 1, Hollow: 9.0 / 25}},
		// A C open to the right edge has no hole. A = 13; P = 5+5+5
		// on the top, bottom and left edges, 2 on the right, 4+4+3
		// inside: 28. Its centre of mass is 6/13 left of the centre:
		// x = (2*5*2.5 + 3*0.5)/13.
		{"open", func() *image.Gray {
			g := gray(5, 5, image.Rect(0, 0, 5, 5), 255)
			for y := 1; y < 4; y++ {
				for x := 1; x < 5; x++ {
					g.Pix[y*5+x] = 0
				}
			}
			return g
		}(), Measures{Ink: 13.0 / 25, Width: 26.0 / 28, Offset: 6.0 / 13}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Measure(tt.g)
			assert.InDelta(t, tt.want.Ink, m.Ink, 1e-12)
			assert.InDelta(t, tt.want.Width, m.Width, 1e-12)
			assert.InDelta(t, tt.want.Offset, m.Offset, 1e-12)
			assert.InDelta(t, tt.want.Hollow, m.Hollow, 1e-12)
		})
	}
}

// codes lists the warnings' codes.
func codes(ws []Warning) []string {
	out := []string{}
	for _, w := range ws {
		out = append(out, w.Code)
	}
	return out
}

// boot draws a filled boot on a 100x100 pad: a sole 80x20 along the
// bottom and a 30x40 shaft standing on its right end (left end when
// mirrored).
func boot(mirrored bool) image.Image {
	shaft := image.Rect(60, 25, 90, 65)
	if mirrored {
		shaft = image.Rect(10, 25, 40, 65)
	}
	img := testimage.Picture(100, 100, image.Rect(10, 65, 90, 85), white, black)
	for y := shaft.Min.Y; y < shaft.Max.Y; y++ {
		for x := shaft.Min.X; x < shaft.Max.X; x++ {
			img.Set(x, y, black)
		}
	}
	return img
}

func TestWarnings(t *testing.T) {
	// A ring: a filled square with a hole, drawn with a stroke of width
	// stroke on a 100x100 pad, its box at r.
	ring := func(r image.Rectangle, stroke int) *image.NRGBA {
		img := testimage.Picture(100, 100, r, white, black)
		in := r.Inset(stroke)
		for y := in.Min.Y; y < in.Max.Y; y++ {
			for x := in.Min.X; x < in.Max.X; x++ {
				img.Set(x, y, white)
			}
		}
		return img
	}
	tests := []struct {
		name string
		img  image.Image
		mode Fit
		want []string
	}{
		{"empty", testimage.Picture(100, 100, image.Rectangle{}, white, black), FitFashion, []string{WarnEmpty}},
		{"empty, none", testimage.Picture(100, 100, image.Rectangle{}, white, black), FitNone, []string{WarnEmpty}},
		// A filled 60x60 square in the middle looks like the data set's
		// filled shapes: no warning.
		{"filled square", testimage.Picture(100, 100, image.Rect(20, 20, 80, 80), white, black), FitFashion, []string{}},
		// A 6x6 dot: its box is 6% of the pad, below TinyShare.
		{"dot", testimage.Picture(100, 100, image.Rect(47, 47, 53, 53), white, black), FitFashion, []string{WarnTiny}},
		// Touching the left and bottom edges.
		{"edges", testimage.Picture(100, 100, image.Rect(0, 30, 70, 100), white, black), FitFashion, []string{WarnEdge}},
		// A ring of 1-pixel strokes, 80 wide: 28/80 of a pixel after
		// scaling, too faint to be a stroke, and little ink.
		{"thin ring", ring(image.Rect(10, 10, 90, 90), 1), FitFashion, []string{WarnThin, WarnSparse}},
		// The same ring with 12-pixel strokes is an outline: its hole is
		// most of the shape, unlike the data set's filled items.
		{"thick ring", ring(image.Rect(10, 10, 90, 90), 12), FitFashion, []string{WarnHollow}},
		// As a digit, the ring is a fine 0.
		{"thick ring, digit", ring(image.Rect(10, 10, 90, 90), 12), FitMNIST, []string{}},
		// A boot: a sole along the bottom and the shaft above its right
		// end, toe left, as the data set's shoes: no warning.
		{"boot, toe left", boot(false), FitFashion, []string{}},
		// The same boot mirrored, toe right: no image of the data set
		// leans that way.
		{"boot, toe right", boot(true), FitFashion, []string{WarnPointing}},
		// As a digit, orientation is not checked.
		{"boot, toe right, digit", boot(true), FitMNIST, []string{}},
		// A filled 30x30 square: a third of the pad, where 99% of the
		// data set's items fill at least half of their image.
		{"small square", testimage.Picture(100, 100, image.Rect(5, 5, 35, 35), white, black), FitFashion, []string{WarnSmall}},
		// An L lying mostly at the bottom left, fitted by its box: its
		// centre of mass ends far below and left of the centre.
		{"lopsided", func() image.Image {
			img := testimage.Picture(100, 100, image.Rect(10, 70, 90, 90), white, black)
			for y := 10; y < 70; y++ {
				img.Set(10, y, black)
			}
			return img
		}(), FitFashion, []string{WarnOffCentre}},
		// The same L fitted as a digit: centring its centre of mass
		// pushes the upright stroke's top out of the image.
		{"lopsided digit", func() image.Image {
			img := testimage.Picture(100, 100, image.Rect(10, 80, 90, 90), white, black)
			for y := 10; y < 80; y++ {
				for x := 10; x < 14; x++ {
					img.Set(x, y, black)
				}
			}
			return img
		}(), FitMNIST, []string{WarnClipped}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Prepare(tt.img, 28, 28, tt.mode)
			require.NoError(t, err)
			ws := Warnings(s, tt.mode)
			assert.Equal(t, tt.want, codes(ws), "%+v, measures %+v", ws, Measure(s.Placed))
		})
	}
}
