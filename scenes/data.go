package scenes

import (
	"fmt"
	"math/rand/v2"
)

// Data is n scenes of a generator as nn.Data: scene Offset+i is sample i,
// its input the canvas standardized by Standardize (shape (Side, Side, 1)),
// its target the label map as Side*Side float32 class indices. It composes
// each scene when Fill asks for it, allocating nothing; Fill is not safe
// for concurrent use.
type Data struct {
	Gen *Generator
	N   int // samples
	// Offset is the first scene's index: a training loop may move it on
	// each epoch (by N) so that every epoch sees new scenes.
	Offset int
	// Standardize writes pixels (0..255) into dst as the model's inputs,
	// e.g. dataset.Dataset.Standardize.
	Standardize func(dst []float32, pixels []uint8)

	px, lab [Side * Side]uint8
	items   [MaxItems]Item
}

// NewData returns scenes 0..n-1 of g standardized by standardize.
func NewData(g *Generator, n int, standardize func(dst []float32, pixels []uint8)) *Data {
	return &Data{Gen: g, N: n, Standardize: standardize}
}

func (d *Data) Len() int { return d.N }

// Fill writes the scenes idx into x, len(idx)*Side*Side standardized pixels,
// and their label maps into y, len(idx)*Side*Side class indices.
func (d *Data) Fill(x, y []float32, idx []int) {
	const px = Side * Side
	for k, i := range idx {
		d.Gen.draw(d.px[:], d.lab[:], d.items[:0], d.Offset+i)
		d.Standardize(x[k*px:(k+1)*px], d.px[:])
		yr := y[k*px : (k+1)*px]
		for j, l := range d.lab {
			yr[j] = float32(l)
		}
	}
}

// Crops is the training windows of some scenes as nn.Data: sample i is a
// CropSide x CropSide window of scene Offset+i of the scenes it wraps,
// around one of its items, its input standardized as theirs (shape
// (CropSide, CropSide, 1)) and its target the window's label map. It
// shares the scenes' count and offset, so moving their Offset on each
// epoch moves the windows too. A fully convolutional network trained on
// windows segments whole scenes with the same weights (nn.Model.Resized):
// a 24 x 24 window costs a seventh of a scene's work and holds a larger
// share of item pixels, so a minute's training sees several times the
// items. The window follows the crop rule of the package comment. Fill is
// not safe for concurrent use (nor beside the wrapped scenes' Fill: they
// share the drawing buffers).
type Crops struct {
	*Data        // the scenes the windows are cut from
	CropSide int // the window's side, 1..Side
	win      []uint8
}

// NewCrops returns the windows of side cropSide of scenes.
func NewCrops(scenes *Data, cropSide int) (*Crops, error) {
	if cropSide < 1 || cropSide > Side {
		return nil, fmt.Errorf("scenes: a window of side %d does not fit a %d x %d scene", cropSide, Side, Side)
	}
	return &Crops{Data: scenes, CropSide: cropSide, win: make([]uint8, cropSide*cropSide)}, nil
}

// Fill writes the windows idx into x, len(idx)*CropSide^2 standardized
// pixels, and their label maps into y as class indices.
func (c *Crops) Fill(x, y []float32, idx []int) {
	s := c.CropSide
	for k, i := range idx {
		row, col := c.Gen.crop(c.px[:], c.lab[:], c.items[:0], c.Offset+i, s)
		yr := y[k*s*s : (k+1)*s*s]
		for h := range s {
			off := (row+h)*Side + col
			copy(c.win[h*s:(h+1)*s], c.px[off:off+s])
			for w, l := range c.lab[off : off+s] {
				yr[h*s+w] = float32(l)
			}
		}
		c.Standardize(x[k*s*s:(k+1)*s*s], c.win)
	}
}

// Crop draws scene i into pixels and labels (as Draw) and returns the
// top-left corner of its window of side s (the crop rule).
func (g *Generator) Crop(pixels, labels []uint8, i, s int) (row, col int) {
	return g.crop(pixels, labels, make([]Item, 0, MaxItems), i, s)
}

func (g *Generator) crop(pixels, labels []uint8, items []Item, i, s int) (row, col int) {
	items = g.draw(pixels, labels, items, i)
	var r rand.PCG
	r.Seed(g.seed, uint64(g.split)<<40|cropStream|uint64(i))
	next := func(n int) int { return int(r.Uint64() % uint64(n)) }
	it := items[next(len(items))] // a scene has at least one item: the first always fits
	at := func(p int) int {
		// lo <= hi: the item's box (p .. p+item-1) lies on the canvas.
		lo, hi := max(min(p, p+g.item-s), 0), min(max(p, p+g.item-s), Side-s)
		return lo + next(hi-lo+1)
	}
	row = at(it.Row)
	col = at(it.Col)
	return row, col
}

// cropStream marks the crop rule's random streams apart from the scenes'
// (whose indices stay below it).
const cropStream = 1 << 39
