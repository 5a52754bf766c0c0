package imageprep

import (
	"image"
	"math"
)

// The data set's style: a drawing fitted by Prepare can still look unlike
// the images the network learnt from (a few thin lines where the data set
// has filled shapes, a dot blown up to the whole image, ink cut off at the
// pad's edge). Warnings names those differences, so the page can say why a
// prediction may be poor; the network sees the image all the same.

// Measures describe one image's style.
type Measures struct {
	// Ink is the image's mean gray value over 255: the share of the image
	// covered in ink (0..1).
	Ink float64
	// Width is the mean stroke width in pixels, 2A/P: A is the number of
	// ink pixels (gray >= 128), P the number of ink pixel sides that face
	// a non-ink pixel or the image's edge. For a line of width w and
	// length L >> w, A = wL and P ~ 2L, so 2A/P ~ w; for a filled disc it is
	// its radius. 0 without ink.
	Width float64
	// Offset is the distance in pixels of the centre of mass from the
	// image's centre; 0 without ink.
	Offset float64
	// Hollow is the share of the shape that is enclosed but empty: H/(A+H),
	// where A counts the stroke pixels (as for Width) and H the other
	// pixels that no 4-connected path of non-stroke pixels joins to the
	// image's edge (the holes). An outline drawing is mostly hole; the
	// data set's clothes are filled. 0 without ink.
	Hollow float64
	// Lean is how far right, in pixels, the ink above the centre of mass
	// sits from the centre of mass itself (gray-weighted x means; rows above
	// the centre's row). The data set's shoes point left with the shaft or
	// heel at the right, so their Lean is positive; tops and bags are
	// near 0. A shoe drawn toe right leans the other way. 0 without ink.
	Lean float64
}

// strokeLevel is the gray value from which a pixel counts as stroke in
// Measures.Width: half the full ink.
const strokeLevel = 128

// Measure measures g's style.
func Measure(g *image.Gray) Measures {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w == 0 || h == 0 {
		return Measures{}
	}
	ink := func(x, y int) bool {
		return x >= 0 && y >= 0 && x < w && y < h && g.Pix[y*g.Stride+x] >= strokeLevel
	}
	var sum float64
	area, sides := 0, 0
	for y := range h {
		for x := range w {
			sum += float64(g.Pix[y*g.Stride+x])
			if !ink(x, y) {
				continue
			}
			area++
			for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
				if !ink(x+d[0], y+d[1]) {
					sides++
				}
			}
		}
	}
	m := Measures{Ink: sum / 255 / float64(w*h)}
	if sides > 0 {
		m.Width = 2 * float64(area) / float64(sides)
	}
	if cx, cy, ok := CentreOfMass(g); ok {
		m.Offset = math.Hypot(cx-float64(w)/2, cy-float64(h)/2)
	}
	if cx, cy, ok := CentreOfMass(g); ok {
		m.Lean = lean(g, cx, cy)
	}
	if area > 0 {
		holes := holes(g)
		m.Hollow = float64(holes) / float64(area+holes)
	}
	return m
}

// lean is the gray-weighted mean x of g's pixels in the rows above
// centre (cx, cy) (pixel centres y+0.5 < cy), minus cx; 0 when no ink lies
// above.
func lean(g *image.Gray, cx, cy float64) float64 {
	var sum, sx float64
	for y := range g.Rect.Dy() {
		if float64(y)+0.5 >= cy {
			break
		}
		for x, v := range g.Pix[y*g.Stride : y*g.Stride+g.Rect.Dx()] {
			sum += float64(v)
			sx += float64(v) * (float64(x) + 0.5)
		}
	}
	if sum == 0 {
		return 0
	}
	return sx/sum - cx
}

// holes counts the non-stroke pixels of g that cannot reach the image's
// edge through non-stroke pixels (4-connected): a flood fill from the edge.
func holes(g *image.Gray) int {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	outside := make([]bool, w*h)
	var todo []image.Point
	for x := range w {
		todo = append(todo, image.Pt(x, 0), image.Pt(x, h-1))
	}
	for y := range h {
		todo = append(todo, image.Pt(0, y), image.Pt(w-1, y))
	}
	for len(todo) > 0 {
		p := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if p.X < 0 || p.Y < 0 || p.X >= w || p.Y >= h {
			continue
		}
		i := p.Y*w + p.X
		if outside[i] || g.Pix[p.Y*g.Stride+p.X] >= strokeLevel {
			continue
		}
		outside[i] = true
		todo = append(todo, image.Pt(p.X+1, p.Y), image.Pt(p.X-1, p.Y), image.Pt(p.X, p.Y+1), image.Pt(p.X, p.Y-1))
	}
	n := 0
	for y := range h {
		for x := range w {
			if !outside[y*w+x] && g.Pix[y*g.Stride+x] < strokeLevel {
				n++
			}
		}
	}
	return n
}

// Style is the typical range of Measures over a data set's images.
type Style struct {
	InkLow, InkTypical        float64 // Measures.Ink: 5th percentile, median
	WidthLow, WidthTypical    float64 // Measures.Width: 5th percentile, median
	OffsetTypical, OffsetHigh float64 // Measures.Offset: median, 99th percentile
	HollowTypical, HollowHigh float64 // Measures.Hollow: median, 99th percentile
	// LeanLow is Measures.Lean's 1st percentile and BoxLow, BoxTypical the
	// 1st percentile and median of the longest side of the ink's box
	// (pixels >= 128) over the image's side. 0: not checked, for MNIST,
	// whose digits have no one orientation and were all normalized to a
	// 20-pixel box, so neither figure says anything about a drawing.
	LeanLow, BoxLow, BoxTypical float64
}

// Typical is each fit's data set style, measured with Measure on all
// 10,000 images of the data set's test split (Fashion-MNIST for
// FitFashion, MNIST for FitMNIST) after `make data`:
//
//	CONVPLAY_DATA=1 go test -run TestTypicalStyle -v ./imageprep/
//
// prints the figures and fails when these drift from them.
var Typical = map[Fit]Style{
	FitFashion: {InkLow: 0.064, InkTypical: 0.272, WidthLow: 0.855, WidthTypical: 3.593, OffsetTypical: 1.316, OffsetHigh: 5.494, HollowTypical: 0.006, HollowHigh: 0.271,
		LeanLow: -0.476, BoxLow: 0.5, BoxTypical: 0.964},
	FitMNIST: {InkLow: 0.048, InkTypical: 0.129, WidthLow: 1.318, WidthTypical: 2.000, OffsetTypical: 0.803, OffsetHigh: 1.319, HollowTypical: 0, HollowHigh: 0.538},
}

// Warning codes: how a prepared drawing differs from the data set's images.
const (
	WarnEmpty     = "empty"     // no ink at all: the input is a black image
	WarnTiny      = "tiny"      // Value: the ink box's longest edge over the picture's shorter side, below Limit
	WarnEdge      = "edge"      // the ink touches Value sides of the picture: part of it may be cut off
	WarnClipped   = "clipped"   // placing by centre of mass pushed a share Value of the ink out of the image
	WarnOffCentre = "offcentre" // the centre of mass is Value pixels from the centre, more than Limit
	WarnThin      = "thin"      // mean stroke width Value pixels, below Limit (data set median Typical)
	WarnSparse    = "sparse"    // ink covers a share Value of the image, below Limit (data set median Typical)
	WarnHollow    = "hollow"    // a share Value of the shape is enclosed but empty, above Limit (data set median Typical)
	WarnSmall     = "small"     // the ink box's longest edge is a share Value of the picture's shorter side, below Limit (data set median Typical)
	WarnPointing  = "pointing"  // Measures.Lean Value below Limit: the top of the drawing sits left of its centre of mass, as no image of the data set does (a shoe drawn toe right)
)

// TinyShare is the smallest longest edge of the ink's box, as a share of
// the picture's shorter side, that does not warn: scaling a smaller
// drawing up to the data set's size blows its strokes up with it.
const TinyShare = 0.1

// ClippedShare is the largest share of the ink that may fall outside the
// image after placing without a warning.
const ClippedShare = 0.02

// Warning is one way a prepared picture differs from the data set's style.
type Warning struct {
	Code    string  // one of the Warn constants
	Value   float64 // the picture's figure (see the code)
	Limit   float64 // the limit it crossed, 0 where none applies
	Typical float64 // the data set's typical figure, 0 where none applies
}

// Warnings lists how the prepared picture s differs from the style of the
// data set that mode fits to. FitNone knows no style: only WarnEmpty.
func Warnings(s Steps, mode Fit) []Warning {
	if s.Box.Empty() {
		return []Warning{{Code: WarnEmpty}}
	}
	var ws []Warning
	pw, ph := s.Ink.Rect.Dx(), s.Ink.Rect.Dy()
	if share := float64(max(s.Box.Dx(), s.Box.Dy())) / float64(min(pw, ph)); share < TinyShare {
		ws = append(ws, Warning{Code: WarnTiny, Value: share, Limit: TinyShare})
	}
	st, ok := Typical[mode]
	if !ok || s.Scaled == nil {
		return ws
	}
	sides := 0
	for _, touches := range []bool{s.Box.Min.X == 0, s.Box.Min.Y == 0, s.Box.Max.X == pw, s.Box.Max.Y == ph} {
		if touches {
			sides++
		}
	}
	if sides > 0 {
		ws = append(ws, Warning{Code: WarnEdge, Value: float64(sides)})
	}
	if scaled := mass(s.Scaled); scaled > 0 {
		if lost := 1 - mass(s.Placed)/scaled; lost > ClippedShare {
			ws = append(ws, Warning{Code: WarnClipped, Value: lost, Limit: ClippedShare})
		}
	}
	m := Measure(s.Placed)
	if m.Offset > st.OffsetHigh {
		ws = append(ws, Warning{Code: WarnOffCentre, Value: m.Offset, Limit: st.OffsetHigh, Typical: st.OffsetTypical})
	}
	if m.Width < st.WidthLow {
		ws = append(ws, Warning{Code: WarnThin, Value: m.Width, Limit: st.WidthLow, Typical: st.WidthTypical})
	}
	if m.Ink < st.InkLow {
		ws = append(ws, Warning{Code: WarnSparse, Value: m.Ink, Limit: st.InkLow, Typical: st.InkTypical})
	}
	if m.Hollow > st.HollowHigh {
		ws = append(ws, Warning{Code: WarnHollow, Value: m.Hollow, Limit: st.HollowHigh, Typical: st.HollowTypical})
	}
	if share := float64(max(s.Box.Dx(), s.Box.Dy())) / float64(min(pw, ph)); share >= TinyShare && share < st.BoxLow {
		ws = append(ws, Warning{Code: WarnSmall, Value: share, Limit: st.BoxLow, Typical: st.BoxTypical})
	}
	if st.LeanLow != 0 && m.Lean < st.LeanLow {
		ws = append(ws, Warning{Code: WarnPointing, Value: m.Lean, Limit: st.LeanLow})
	}
	return ws
}

// mass is the sum of g's gray values.
func mass(g *image.Gray) float64 {
	var sum float64
	for y := range g.Rect.Dy() {
		for _, v := range g.Pix[y*g.Stride : y*g.Stride+g.Rect.Dx()] {
			sum += float64(v)
		}
	}
	return sum
}
