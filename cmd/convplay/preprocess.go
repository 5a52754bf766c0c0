package main

import (
	"fmt"
	"image"
	"math"

	"golang.org/x/image/draw"
)

// Preprocessing of a picture into a data set image, as the data sets were
// made:
//
//   - MNIST (LeCun et al.): the digit's bounding box is scaled, keeping its
//     aspect ratio, to fit a 20x20 box (anti-aliased), then placed in the
//     28x28 image so that its centre of mass is at the centre.
//   - Fashion-MNIST (Xiao et al., 2017): the item's bounding box is scaled
//     so that its longest edge is 28 and centred in the 28x28 image.
//
// Before either, the picture becomes grayscale ink on a black background:
// transparent pixels count as white paper, luminance is taken (ITU-R 601,
// as image/color's GrayModel), and the picture is inverted when its border
// is light (dark ink on white paper, as one draws), so that ink is bright
// as in the data sets.

// fitMode is how predict fits a picture into the model's input.
type fitMode string

const (
	fitMNIST   fitMode = "mnist"   // 20x20 box, centred by centre of mass
	fitFashion fitMode = "fashion" // longest edge 28, bounding box centred
	fitNone    fitMode = "none"    // the whole picture scaled to 28x28
)

// inkThreshold is the smallest gray value (0..255, after inversion) that
// counts as ink when finding the bounding box, so that faint noise or
// JPEG artefacts on the paper do not widen it.
const inkThreshold = 32

// grayInk converts img to grayscale ink on black: see above.
func grayInk(img image.Image) *image.Gray {
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, gg, bb, a := img.At(x, y).RGBA() // premultiplied, 0..65535
			// Composite over white paper: c + (1 - a) * white.
			lum := (19595*r + 38470*gg + 7471*bb + 1<<15) >> 16
			v := lum + (0xffff - a)
			g.Pix[(y-b.Min.Y)*g.Stride+(x-b.Min.X)] = uint8(min(v, 0xffff) >> 8)
		}
	}
	if borderMean(g) > 127 {
		for i, v := range g.Pix {
			g.Pix[i] = 255 - v
		}
	}
	return g
}

// borderMean is the mean gray value of the outermost pixels: the paper.
func borderMean(g *image.Gray) float64 {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	sum, n := 0, 0
	for x := range w {
		sum += int(g.Pix[x]) + int(g.Pix[(h-1)*g.Stride+x])
		n += 2
	}
	for y := 1; y < h-1; y++ {
		sum += int(g.Pix[y*g.Stride]) + int(g.Pix[y*g.Stride+w-1])
		n += 2
	}
	return float64(sum) / float64(n)
}

// inkBounds is the smallest rectangle holding every pixel of at least
// inkThreshold; empty when there is no ink.
func inkBounds(g *image.Gray) image.Rectangle {
	r := image.Rectangle{}
	for y := range g.Rect.Dy() {
		for x := range g.Rect.Dx() {
			if g.Pix[y*g.Stride+x] >= inkThreshold {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r
}

// fitPicture turns a picture into an h x w grayscale image as mode says.
// A picture without ink gives a black image.
func fitPicture(img image.Image, h, w int, mode fitMode) (*image.Gray, error) {
	g := grayInk(img)
	dst := image.NewGray(image.Rect(0, 0, w, h))
	if mode == fitNone {
		draw.BiLinear.Scale(dst, dst.Rect, g, g.Rect, draw.Src, nil)
		return dst, nil
	}
	box := inkBounds(g)
	if box.Empty() {
		return dst, nil
	}
	var fit int
	switch mode {
	case fitMNIST:
		fit = min(h, w) * 20 / 28
	case fitFashion:
		fit = min(h, w)
	default:
		return nil, fmt.Errorf("-fit %q: want mnist, fashion or none", mode)
	}
	// Scale the box so that its longest edge is fit pixels.
	bw, bh := box.Dx(), box.Dy()
	sw, sh := fit, fit
	if bw > bh {
		sh = max(1, int(math.Round(float64(bh)*float64(fit)/float64(bw))))
	} else {
		sw = max(1, int(math.Round(float64(bw)*float64(fit)/float64(bh))))
	}
	small := image.NewGray(image.Rect(0, 0, sw, sh))
	draw.BiLinear.Scale(small, small.Rect, g, box, draw.Src, nil)
	// Where the scaled box goes: its centre (Fashion-MNIST) or its centre
	// of mass (MNIST) at the image's centre, rounded to whole pixels.
	ox, oy := float64(w-sw)/2, float64(h-sh)/2
	if mode == fitMNIST {
		if cx, cy, ok := centreOfMass(small); ok {
			ox, oy = float64(w)/2-cx, float64(h)/2-cy
		}
	}
	at := image.Pt(int(math.Round(ox)), int(math.Round(oy)))
	draw.Draw(dst, small.Rect.Add(at), small, image.Point{}, draw.Src)
	return dst, nil
}

// centreOfMass is the intensity-weighted mean position of g's pixels, each
// pixel's centre being at (x+0.5, y+0.5); false for a black image.
func centreOfMass(g *image.Gray) (cx, cy float64, ok bool) {
	var sum, sx, sy float64
	for y := range g.Rect.Dy() {
		for x := range g.Rect.Dx() {
			v := float64(g.Pix[y*g.Stride+x])
			sum += v
			sx += v * (float64(x) + 0.5)
			sy += v * (float64(y) + 0.5)
		}
	}
	if sum == 0 {
		return 0, 0, false
	}
	return sx / sum, sy / sum, true
}
