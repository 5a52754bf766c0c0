// Package testimage makes the simple pictures the tests of imageprep and of
// convplay predict feed to the preprocessing: a rectangle of ink on paper,
// and the same as a 28x28 data set image.
package testimage

import (
	"image"
	"image/color"
)

// Picture is a w x h picture of paper with ink in the rectangle r.
func Picture(w, h int, r image.Rectangle, paper, ink color.Color) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := paper
			if image.Pt(x, y).In(r) {
				c = ink
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// Block is a 28x28 image, 255 inside r, 0 outside.
func Block(r image.Rectangle) []uint8 {
	px := make([]uint8, 28*28)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			px[y*28+x] = 255
		}
	}
	return px
}
