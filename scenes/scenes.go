package scenes

import (
	"fmt"
	"math/rand/v2"
)

// The generator's constants (see the package comment's rules).
const (
	Side       = 64   // canvas height and width
	MaxItems   = 3    // items per scene: 1..MaxItems
	Tries      = 20   // corner draws per item before it is left out
	MaxOverlap = 196  // most pixels two items' boxes may share: a quarter of 28 x 28
	Threshold  = 32   // an item's pixel at least this bright belongs to it
	FixedSeed  = 2026 // the seed of the fixed validation and test scenes
	Classes    = 11   // label values: background and ten item classes
)

// Split numbers, which enter each scene's random stream.
const (
	Train      = 0
	Validation = 1
	Test       = 2
)

// Source is a split's images, as *dataset.Split serves them: image i is
// item x item uint8 pixels, row-major, with class Label(i) in 0..9.
type Source interface {
	Len() int
	Image(i int) []uint8
	Label(i int) int
}

// Item is one image placed in a scene.
type Item struct {
	Image int `json:"image"` // index in the split's source
	Class int `json:"class"` // its class, 0..9 (label 1+Class)
	Row   int `json:"row"`   // top-left corner on the canvas
	Col   int `json:"col"`
}

// Generator composes the scenes of one split from its source images.
type Generator struct {
	src   Source
	seed  uint64
	split int
	item  int // an item's side: the source images are item x item
}

// New returns the generator of split's scenes with seed from src, whose
// images must be square single-channel images with a side of at most Side
// (28 x 28 for the packed data sets) and labels in 0..9.
func New(src Source, seed uint64, split int) (*Generator, error) {
	if split < Train || split > Test {
		return nil, fmt.Errorf("scenes: split %d is not 0 (train), 1 (validation) or 2 (test)", split)
	}
	if src == nil || src.Len() == 0 {
		return nil, fmt.Errorf("scenes: no source images")
	}
	px := len(src.Image(0))
	item := 0
	for item*item < px {
		item++
	}
	if item*item != px || item > Side {
		return nil, fmt.Errorf("scenes: source images of %d pixels are not square single-channel images of at most %d x %d", px, Side, Side)
	}
	return &Generator{src: src, seed: seed, split: split, item: item}, nil
}

// Place returns the items of scene i (rules 1-3), without drawing them.
func (g *Generator) Place(i int) []Item {
	return g.place(make([]Item, 0, MaxItems), i)
}

// place appends scene i's items to items[:0].
func (g *Generator) place(items []Item, i int) []Item {
	var r rand.PCG
	r.Seed(g.seed, uint64(g.split)<<40|uint64(i))
	next := func(n int) int { return int(r.Uint64() % uint64(n)) }
	k := 1 + next(MaxItems)
	items = items[:0]
	span := Side - g.item + 1
	for range k {
		img := next(g.src.Len())
		for range Tries {
			row := next(span)
			col := next(span)
			if g.fits(items, row, col) {
				items = append(items, Item{Image: img, Class: g.src.Label(img), Row: row, Col: col})
				break
			}
		}
	}
	return items
}

// fits reports whether a box at (row, col) overlaps no item's box by more
// than MaxOverlap pixels.
func (g *Generator) fits(items []Item, row, col int) bool {
	for _, it := range items {
		h := g.item - abs(row-it.Row)
		w := g.item - abs(col-it.Col)
		if h > 0 && w > 0 && h*w > MaxOverlap {
			return false
		}
	}
	return true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Draw writes scene i into pixels and labels (Side*Side values each,
// row-major; rule 4) and returns its items.
func (g *Generator) Draw(pixels, labels []uint8, i int) []Item {
	return g.draw(pixels, labels, make([]Item, 0, MaxItems), i)
}

// draw is Draw placing the items in items[:0].
func (g *Generator) draw(pixels, labels []uint8, items []Item, i int) []Item {
	pixels, labels = pixels[:Side*Side], labels[:Side*Side]
	clear(pixels)
	clear(labels)
	items = g.place(items, i)
	n := g.item
	for _, it := range items {
		src := g.src.Image(it.Image)
		lab := uint8(1 + it.Class)
		for h := range n {
			row := src[h*n : (h+1)*n]
			off := (it.Row+h)*Side + it.Col
			dst, dl := pixels[off:off+n], labels[off:off+n]
			for w, p := range row {
				dst[w] = max(dst[w], p)
				if p >= Threshold {
					dl[w] = lab
				}
			}
		}
	}
	return items
}
