// Package imageprep turns a picture (a drawing from the page's pad, a photo
// given to `convplay predict`) into a data set image, the way the data
// sets' own images were made:
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
//
// Prepare keeps every step (ink, bounding box, scaled, placed) so the page
// can show them, and warns when the result is far from the data set's
// style (see style.go).
package imageprep

import (
	"fmt"
	"image"
	"math"

	"golang.org/x/image/draw"
)

// Fit is how a picture is fitted into the model's input.
type Fit string

const (
	FitMNIST   Fit = "mnist"   // 20x20 box, centred by centre of mass
	FitFashion Fit = "fashion" // longest edge 28, bounding box centred
	FitNone    Fit = "none"    // the whole picture scaled to 28x28
)

// InkThreshold is the smallest gray value (0..255, after inversion) that
// counts as ink when finding the bounding box, so that faint noise or
// JPEG artefacts on the paper do not widen it.
const InkThreshold = 32

// GrayInk converts img to grayscale ink on black: see the package comment.
func GrayInk(img image.Image) *image.Gray {
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	if nrgba, ok := img.(*image.NRGBA); ok {
		grayNRGBA(g, nrgba)
	} else {
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, gg, bb, a := img.At(x, y).RGBA() // premultiplied, 0..65535
				g.Pix[(y-b.Min.Y)*g.Stride+(x-b.Min.X)] = paperGray(r, gg, bb, a)
			}
		}
	}
	if borderMean(g) > 127 {
		for i, v := range g.Pix {
			g.Pix[i] = 255 - v
		}
	}
	return g
}

// paperGray is the gray value of a premultiplied colour (0..65535) over
// white paper: c + (1 - a) * white, then its luminance.
func paperGray(r, g, b, a uint32) uint8 {
	lum := (19595*r + 38470*g + 7471*b + 1<<15) >> 16
	v := lum + (0xffff - a)
	return uint8(min(v, 0xffff) >> 8)
}

// grayNRGBA is GrayInk's conversion for a canvas's non-premultiplied RGBA
// pixels without a colour interface call per pixel (a 280x280 pad in the
// worker): the same values as img.At(x, y).RGBA() would give.
func grayNRGBA(dst *image.Gray, img *image.NRGBA) {
	b := img.Rect
	for y := range b.Dy() {
		row := img.Pix[y*img.Stride : y*img.Stride+4*b.Dx()]
		out := dst.Pix[y*dst.Stride : y*dst.Stride+b.Dx()]
		for x := range out {
			p := row[4*x : 4*x+4 : 4*x+4]
			// As color.NRGBA.RGBA: premultiplied 16-bit channels.
			a8 := uint32(p[3])
			r := uint32(p[0]) * 0x101 * a8 / 0xff
			g := uint32(p[1]) * 0x101 * a8 / 0xff
			bb := uint32(p[2]) * 0x101 * a8 / 0xff
			out[x] = paperGray(r, g, bb, a8*0x101)
		}
	}
}

// borderMean is the mean gray value of the outermost pixels: the paper.
func borderMean(g *image.Gray) float64 {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w == 0 || h == 0 {
		return 0
	}
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

// InkBounds is the smallest rectangle holding every pixel of at least
// InkThreshold; empty when there is no ink.
func InkBounds(g *image.Gray) image.Rectangle {
	r := image.Rectangle{}
	for y := range g.Rect.Dy() {
		for x := range g.Rect.Dx() {
			if g.Pix[y*g.Stride+x] >= InkThreshold {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r
}

// CentreOfMass is the intensity-weighted mean position of g's pixels, each
// pixel's centre being at (x+0.5, y+0.5); false for a black image.
func CentreOfMass(g *image.Gray) (cx, cy float64, ok bool) {
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

// Steps are the stages of Prepare, each kept so that they can be shown.
type Steps struct {
	Ink    *image.Gray     // the picture as gray ink on black, its own size
	Box    image.Rectangle // the ink's bounding box in Ink; empty without ink
	Scaled *image.Gray     // the box scaled to fit; nil without ink or for FitNone
	At     image.Point     // where Scaled's top-left corner went in Placed (may be outside)
	Placed *image.Gray     // the h x w result: the model's input before standardizing
}

// FitPicture turns a picture into an h x w grayscale image as mode says.
// A picture without ink gives a black image.
func FitPicture(img image.Image, h, w int, mode Fit) (*image.Gray, error) {
	s, err := Prepare(img, h, w, mode)
	if err != nil {
		return nil, err
	}
	return s.Placed, nil
}

// Prepare fits a picture into an h x w grayscale image as mode says and
// returns every step. A picture without ink gives a black image and an
// empty Box.
func Prepare(img image.Image, h, w int, mode Fit) (Steps, error) {
	var fit int
	switch mode {
	case FitMNIST:
		fit = min(h, w) * 20 / 28
	case FitFashion:
		fit = min(h, w)
	case FitNone:
	default:
		return Steps{}, fmt.Errorf("imageprep: fit %q: want mnist, fashion or none", mode)
	}
	if h <= 0 || w <= 0 {
		return Steps{}, fmt.Errorf("imageprep: image size %dx%d", w, h)
	}
	s := Steps{Ink: GrayInk(img), Placed: image.NewGray(image.Rect(0, 0, w, h))}
	if s.Ink.Rect.Empty() {
		return s, nil
	}
	s.Box = InkBounds(s.Ink)
	if mode == FitNone {
		draw.BiLinear.Scale(s.Placed, s.Placed.Rect, s.Ink, s.Ink.Rect, draw.Src, nil)
		return s, nil
	}
	if s.Box.Empty() {
		return s, nil
	}
	// Scale the box so that its longest edge is fit pixels.
	bw, bh := s.Box.Dx(), s.Box.Dy()
	sw, sh := fit, fit
	if bw > bh {
		sh = max(1, int(math.Round(float64(bh)*float64(fit)/float64(bw))))
	} else {
		sw = max(1, int(math.Round(float64(bw)*float64(fit)/float64(bh))))
	}
	s.Scaled = image.NewGray(image.Rect(0, 0, sw, sh))
	draw.BiLinear.Scale(s.Scaled, s.Scaled.Rect, s.Ink, s.Box, draw.Src, nil)
	// Where the scaled box goes: its centre (Fashion-MNIST) or its centre
	// of mass (MNIST) at the image's centre, rounded to whole pixels.
	ox, oy := float64(w-sw)/2, float64(h-sh)/2
	if mode == FitMNIST {
		if cx, cy, ok := CentreOfMass(s.Scaled); ok {
			ox, oy = float64(w)/2-cx, float64(h)/2-cy
		}
	}
	s.At = image.Pt(int(math.Round(ox)), int(math.Round(oy)))
	draw.Draw(s.Placed, s.Scaled.Rect.Add(s.At), s.Scaled, image.Point{}, draw.Src)
	return s, nil
}
